import { Writable } from "node:stream";
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";

/** A stream that records each write call separately. */
function recorder(): { out: Writable; writes: string[] } {
  const writes: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString());
      done();
    },
  });
  return { out, writes };
}

const clock = () => new Date("2026-12-04T10:20:30.456Z");

describe("createLogger", () => {
  it("writes one JSON object per line with time, level, message and fields", async () => {
    const { out, writes } = recorder();
    const logger = createLogger("json", out, clock);
    logger.info("request", { status: 200, tokenId: 7, userId: undefined });
    await nextTurn();
    expect(writes.join("").split("\n")).toEqual(['{"time":"2026-12-04T10:20:30.456Z","level":"info","msg":"request","status":200,"tokenId":7}', ""]);
  });

  it("holds lines back until the end of the turn, then writes them together", async () => {
    const { out, writes } = recorder();
    const logger = createLogger("json", out, clock);
    logger.info("one");
    logger.warn("two");
    logger.error("three");
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.trimEnd().split("\n").map((line) => JSON.parse(line).msg)).toEqual(["one", "two", "three"]);
  });

  it("writes at once when the held-back lines reach 64 KiB", () => {
    const { out, writes } = recorder();
    const logger = createLogger("json", out, clock);
    const big = "x".repeat(1024);
    for (let i = 0; i < 70; i++) logger.info("filler", { big });
    expect(writes).toHaveLength(1);
    expect(writes[0]!.length).toBeGreaterThanOrEqual(64 * 1024);
  });

  it("flush() writes what is held back right away, and nothing twice", async () => {
    const { out, writes } = recorder();
    const logger = createLogger("pretty", out, clock);
    logger.info("listening", { port: 8080 });
    logger.flush();
    expect(writes).toEqual(["10:20:30 INFO  listening port=8080\n"]);
    await nextTurn();
    logger.flush();
    expect(writes).toHaveLength(1);
  });

  it("writes nothing when silent", async () => {
    const { out, writes } = recorder();
    const logger = createLogger("silent", out, clock);
    logger.error("boom");
    logger.flush();
    await nextTurn();
    expect(writes).toEqual([]);
  });
});
