import { describe, expect, it } from "vitest";
import {
  canonicalName,
  crateNameProblem,
  dependencyNameProblem,
  excerpt,
  featureNameProblem,
  featureValueProblem,
  MAX_CRATE_NAME_LENGTH,
} from "../../src/registry/names.js";

describe("canonicalName", () => {
  it.each([
    ["foo", "foo"],
    ["Foo-Bar", "foo_bar"],
    ["foo_bar", "foo_bar"],
    ["FOO--BAR_", "foo__bar_"],
  ])("canonicalises %s to %s", (name, expected) => {
    expect(canonicalName(name)).toBe(expected);
  });
});

describe("crateNameProblem", () => {
  it.each(["a", "foo", "Foo-Bar", "foo_bar", "a1", "x".repeat(MAX_CRATE_NAME_LENGTH), "proc-macro2", "stdx"])(
    "accepts %s",
    (name) => {
      expect(crateNameProblem(name)).toBeUndefined();
    },
  );

  it.each([
    ["", "the crate name cannot be empty"],
    ["1abc", "the name `1abc` cannot be used as a crate name, the name cannot start with a digit"],
    ["_foo", "invalid character `_` in crate name: `_foo`, the first character must be an ASCII letter"],
    ["-foo", "invalid character `-` in crate name: `-foo`, the first character must be an ASCII letter"],
    ["éa", "invalid character `é` in crate name: `éa`, the first character must be an ASCII letter"],
    ["a.b", "invalid character `.` in crate name: `a.b`, characters must be ASCII alphanumerics, `-` or `_`"],
    ["foo bar", "invalid character ` ` in crate name: `foo bar`, characters must be ASCII alphanumerics, `-` or `_`"],
    ["fooé", "invalid character `é` in crate name: `fooé`, characters must be ASCII alphanumerics, `-` or `_`"],
    ["x".repeat(65), `the name \`${"x".repeat(65)}\` is too long (max 64 characters)`],
  ])("rejects %j", (name, message) => {
    expect(crateNameProblem(name)).toBe(message);
  });

  it("shortens a huge name in the message", () => {
    expect(crateNameProblem("x".repeat(10_000))).toBe(`the name \`${"x".repeat(80)}…\` is too long (max 64 characters)`);
  });

  it.each(["std", "core", "alloc", "Std", "proc-macro", "PROC_MACRO", "compiler_builtins", "rust_installer", "nul", "NUL", "con", "prn", "aux", "com0", "com9", "lpt1", "LPT9", "test"])(
    "rejects the reserved name %s (compared canonically)",
    (name) => {
      expect(crateNameProblem(name)).toBe("cannot upload a crate with a reserved name");
    },
  );
});

describe("dependencyNameProblem", () => {
  it.each(["_foo", "foo", "__x", "a-b_c", "std", "nul"])("accepts %s", (name) => {
    expect(dependencyNameProblem(name)).toBeUndefined();
  });

  it.each([
    ["", "the dependency name cannot be empty"],
    ["1abc", "the name `1abc` cannot be used as a dependency name, the name cannot start with a digit"],
    ["-foo", "invalid character `-` in dependency name: `-foo`, the first character must be an ASCII letter or `_`"],
    ["a/b", "invalid character `/` in dependency name: `a/b`, characters must be ASCII alphanumerics, `-` or `_`"],
  ])("rejects %j", (name, message) => {
    expect(dependencyNameProblem(name)).toBe(message);
  });
});

describe("featureNameProblem", () => {
  it.each(["std", "default", "_private", "1-dot-0", "serde_json", "a+b", "v1.2", "a-b", "über", "名前"])(
    "accepts %s",
    (name) => {
      expect(featureNameProblem(name)).toBeUndefined();
    },
  );

  it.each([
    ["", "feature name cannot be empty"],
    ["-std", "invalid character `-` in feature `-std`, the first character must be a letter, a digit or `_`"],
    ["+x", "invalid character `+` in feature `+x`, the first character must be a letter, a digit or `_`"],
    ["dep:foo", "invalid character `:` in feature `dep:foo`, characters must be letters, digits, `_`, `+`, `-` or `.`"],
    ["a/b", "invalid character `/` in feature `a/b`, characters must be letters, digits, `_`, `+`, `-` or `.`"],
    ["a b", "invalid character ` ` in feature `a b`, characters must be letters, digits, `_`, `+`, `-` or `.`"],
  ])("rejects %j", (name, message) => {
    expect(featureNameProblem(name)).toBe(message);
  });
});

describe("featureValueProblem", () => {
  it.each(["std", "dep:serde", "dep:_alias", "serde/derive", "serde?/derive", "_alias/feat"])("accepts %s", (value) => {
    expect(featureValueProblem(value)).toBeUndefined();
  });

  it.each([
    ["", "feature name cannot be empty"],
    ["dep:", "the dependency name cannot be empty"],
    ["dep:1x", "the name `1x` cannot be used as a dependency name, the name cannot start with a digit"],
    ["serde/", "feature name cannot be empty"],
    ["/derive", "the dependency name cannot be empty"],
    ["serde??/derive", "invalid character `?` in dependency name: `serde?`, characters must be ASCII alphanumerics, `-` or `_`"],
    ["serde/derive/x", "invalid character `/` in feature `derive/x`, characters must be letters, digits, `_`, `+`, `-` or `.`"],
    ["dep:a/b", "invalid character `:` in dependency name: `dep:a`, characters must be ASCII alphanumerics, `-` or `_`"],
  ])("rejects %j", (value, message) => {
    expect(featureValueProblem(value)).toBe(message);
  });
});

describe("excerpt", () => {
  it("keeps short text and shortens long text", () => {
    expect(excerpt("abc")).toBe("abc");
    expect(excerpt("abcdef", 3)).toBe("abc…");
  });
});
