import { describe, expect, it } from "vitest";
import { LruBytes } from "../../src/lru-bytes.js";

function cache(maxBytes: number) {
  const dropped: string[] = [];
  const lru = new LruBytes<string, string>(maxBytes, (key) => dropped.push(key));
  return { lru, dropped };
}

describe("LruBytes", () => {
  it("returns what was stored and counts its bytes", () => {
    const { lru } = cache(100);
    lru.set("a", "A", 10);
    lru.set("b", "B", 20);
    expect([lru.get("a"), lru.get("b"), lru.get("c")]).toEqual(["A", "B", undefined]);
    expect(lru.size).toEqual({ entries: 2, bytes: 30 });
  });

  it("makes room by dropping the least recently used entries first", () => {
    const { lru, dropped } = cache(100);
    lru.set("a", "A", 40);
    lru.set("b", "B", 40);
    lru.get("a");
    lru.set("c", "C", 40);
    expect(dropped).toEqual(["b"]);
    expect([lru.get("a"), lru.get("b"), lru.get("c")]).toEqual(["A", undefined, "C"]);
    expect(lru.size).toEqual({ entries: 2, bytes: 80 });
  });

  it("drops as many entries as it takes for a large one", () => {
    const { lru, dropped } = cache(100);
    for (const key of ["a", "b", "c", "d"]) lru.set(key, key, 25);
    lru.set("e", "E", 90);
    expect(dropped).toEqual(["a", "b", "c", "d"]);
    expect(lru.size).toEqual({ entries: 1, bytes: 90 });
  });

  it("refuses an entry larger than the whole budget and keeps the others", () => {
    const { lru, dropped } = cache(100);
    lru.set("a", "A", 50);
    lru.set("big", "BIG", 101);
    expect(lru.get("big")).toBeUndefined();
    expect(lru.get("a")).toBe("A");
    expect(dropped).toEqual([]);
  });

  it("replaces an entry under the same key, reporting the old one", () => {
    const { lru, dropped } = cache(100);
    lru.set("a", "A1", 30);
    lru.set("a", "A2", 50);
    expect(lru.get("a")).toBe("A2");
    expect(dropped).toEqual(["a"]);
    expect(lru.size).toEqual({ entries: 1, bytes: 50 });
  });

  it("deletes and clears, reporting each entry that leaves", () => {
    const { lru, dropped } = cache(100);
    for (const key of ["a", "b", "c"]) lru.set(key, key, 10);
    lru.delete("b");
    lru.delete("missing");
    lru.clear();
    expect(dropped).toEqual(["b", "a", "c"]);
    expect(lru.size).toEqual({ entries: 0, bytes: 0 });
  });
});
