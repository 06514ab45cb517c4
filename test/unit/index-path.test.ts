import { describe, expect, it } from "vitest";
import { indexPath, nameFromIndexPath } from "../../src/registry/index-path.js";

describe("indexPath", () => {
  it.each([
    ["a", "1/a"],
    ["ab", "2/ab"],
    ["abc", "3/a/abc"],
    ["abcd", "ab/cd/abcd"],
    ["cargo", "ca/rg/cargo"],
    ["serde_json", "se/rd/serde_json"],
    ["MyCrate", "my/cr/mycrate"],
    ["my-crate", "my/-c/my-crate"],
    ["my_crate", "my/_c/my_crate"],
    ["A", "1/a"],
    ["Foo", "3/f/foo"],
  ])("puts %s at %s", (name, path) => {
    expect(indexPath(name)).toBe(path);
  });

  it("refuses an empty name (a programming error, never user input)", () => {
    expect(() => indexPath("")).toThrow(TypeError);
  });
});

describe("nameFromIndexPath", () => {
  it.each([
    ["1/a", "a"],
    ["2/ab", "ab"],
    ["3/a/abc", "abc"],
    ["ab/cd/abcd", "abcd"],
    ["se/rd/serde_json", "serde_json"],
    ["my/-c/my-crate", "my-crate"],
    ["a-/b_/a-b_c", "a-b_c"],
    ["my/cr/mycrate", "mycrate"],
    ["12/34/1234", "1234"],
  ])("reads %s as %s", (path, name) => {
    expect(nameFromIndexPath(path)).toBe(name);
  });

  it.each([
    "",
    "config.json",
    "a",
    "1/ab",
    "2/a",
    "3/b/abc",
    "3/abc",
    "ab/cd/abce",
    "ab/abcd",
    "ab/cd/ef/abcd",
    "se/rd/Serde_json",
    "My/Cr/MyCrate",
    "1/A",
    "/1/a",
    "1/a/",
    "3/a/a.c",
    "..//..",
    "ab/cd/abcd%20",
    "1/é",
    `xx/xx/${"x".repeat(65)}`,
  ])("rejects %j", (path) => {
    expect(nameFromIndexPath(path)).toBeUndefined();
  });

  it("round-trips every name of every length class", () => {
    for (const name of ["a", "ab", "abc", "abcd", "serde", `${"y".repeat(64)}`]) {
      expect(nameFromIndexPath(indexPath(name))).toBe(name);
    }
  });
});
