import { describe, expect, it } from "vitest";
import {
  cratePatternProblem,
  crateScopeAllows,
  describePattern,
  ENDPOINT_SCOPE_DESCRIPTIONS,
  ENDPOINT_SCOPES,
  endpointScopeAllows,
  isEndpointScope,
  patternMatches,
  type EndpointScope,
} from "../../src/auth/scopes.js";

const HINT = "use a crate name, a name followed by `*`, or `*` alone";

describe("ENDPOINT_SCOPES", () => {
  it("lists crates.io's four endpoint scopes in canonical order", () => {
    expect(ENDPOINT_SCOPES).toEqual(["publish-new", "publish-update", "yank", "change-owners"]);
  });

  it("describes every scope in crates.io's words", () => {
    expect(ENDPOINT_SCOPE_DESCRIPTIONS).toEqual({
      "publish-new": "Publish new crates",
      "publish-update": "Publish new versions of existing crates",
      yank: "Yank and unyank crate versions",
      "change-owners": "Invite new crate owners or remove existing ones",
    });
  });
});

describe("isEndpointScope", () => {
  it.each(ENDPOINT_SCOPES)("accepts %s", (scope) => {
    expect(isEndpointScope(scope)).toBe(true);
  });

  it.each(["", "Yank", "YANK", "publish_new", "publish", "legacy", "trusted-publishing", " yank", "crash"])(
    "rejects %j",
    (value) => {
      expect(isEndpointScope(value)).toBe(false);
    },
  );
});

describe("cratePatternProblem", () => {
  describe("valid patterns (crates.io's cases and more)", () => {
    it.each([
      "foo",
      "foo*",
      "f*",
      "foo-*",
      "foo_*",
      "foo_bar",
      "foo-bar",
      "FooBar",
      "*",
      "a",
      "std",
      "x".repeat(64),
      `${"x".repeat(64)}*`,
    ])("accepts %j", (pattern) => {
      expect(cratePatternProblem(pattern)).toBeUndefined();
    });
  });

  describe("invalid patterns", () => {
    it.each([
      ["te*st", "`*` may only appear once, at the end"],
      ["*foo", "`*` may only appear once, at the end"],
      ["**", "`*` may only appear once, at the end"],
      ["foo**", "`*` may only appear once, at the end"],
      ["test#", "invalid character `#` in crate name: `test#`, characters must be ASCII alphanumerics, `-` or `_`"],
      ["1foo", "the name `1foo` cannot be used as a crate name, the name cannot start with a digit"],
      ["_foo", "invalid character `_` in crate name: `_foo`, the first character must be an ASCII letter"],
      ["-*", "invalid character `-` in crate name: `-`, the first character must be an ASCII letter"],
      ["foo bar", "invalid character ` ` in crate name: `foo bar`, characters must be ASCII alphanumerics, `-` or `_`"],
      [" foo", "invalid character ` ` in crate name: ` foo`, the first character must be an ASCII letter"],
      ["föo*", "invalid character `ö` in crate name: `föo`, characters must be ASCII alphanumerics, `-` or `_`"],
      ["x".repeat(65), `the name \`${"x".repeat(65)}\` is too long (max 64 characters)`],
    ])("rejects %j, naming it", (pattern, reason) => {
      expect(cratePatternProblem(pattern)).toBe(`\`${pattern}\` is not a valid crate pattern: ${HINT} (${reason})`);
    });

    it("rejects the empty pattern", () => {
      expect(cratePatternProblem("")).toBe("a crate pattern must not be empty");
    });
  });
});

describe("patternMatches", () => {
  describe("matches canonically (case-insensitive, `-` equals `_`)", () => {
    it.each([
      ["foo", "foo"],
      ["foo", "FOO"],
      ["foo", "Foo"],
      ["FooBar", "foobar"],
      ["foo*", "foo"],
      ["foo*", "foo-bar"],
      ["foo*", "foo_bar"],
      ["foo*", "FOOBAR"],
      ["f*", "foo"],
      ["*", "foo"],
      ["*", "A-z_9"],
      ["foo-bar", "foo-bar"],
      ["foo-bar", "foo_bar"],
      ["foo-bar", "FOO-BAR"],
      ["foo_bar", "foo-bar"],
      ["foo_bar", "foo_bar"],
      ["foo-*", "foo-bar"],
      ["foo-*", "foo_bar"],
      ["foo-*", "FOO_bar"],
      ["foo_*", "foo-bar"],
      ["Serde-*", "serde_json"],
      ["tokio-*", "tokio-console"],
    ])("%s matches %s", (pattern, name) => {
      expect(patternMatches(pattern, name)).toBe(true);
    });
  });

  describe("does not match other names", () => {
    it.each([
      ["foo", "bar"],
      ["foo", "fo"],
      ["foo", "fooo"],
      ["foo", "foo-bar"],
      ["foo", "foo_bar"],
      ["foo*", "bar"],
      ["foo*", "fo"],
      ["foo-*", "foo"],
      ["foo-*", "foobar"],
      ["foo_*", "foobar"],
      ["foo-bar", "foobar"],
      ["foo-bar", "foo-bar-baz"],
      ["tokio-*", "anyhow"],
      ["actix-*", "tokio-console"],
    ])("%s does not match %s", (pattern, name) => {
      expect(patternMatches(pattern, name)).toBe(false);
    });
  });
});

describe("crateScopeAllows", () => {
  it.each([
    ["null patterns", null],
    ["an empty pattern list", []],
  ])("allows any crate with %s", (_label, patterns) => {
    expect(crateScopeAllows(patterns, "anything")).toBe(true);
    expect(crateScopeAllows(patterns, "tokio-console")).toBe(true);
  });

  it.each([
    ["null patterns", null],
    ["an empty pattern list", []],
  ])("allows an endpoint that involves no crate with %s", (_label, patterns) => {
    expect(crateScopeAllows(patterns, undefined)).toBe(true);
  });

  it.each([[["*"]], [["tokio-*"]], [["anyhow", "tokio-console"]]])(
    "refuses a token limited to %j on an endpoint that involves no crate",
    (patterns) => {
      expect(crateScopeAllows(patterns, undefined)).toBe(false);
    },
  );

  it("allows a crate when any one of several patterns matches", () => {
    expect(crateScopeAllows(["anyhow", "actix-*", "tokio_*"], "tokio-console")).toBe(true);
  });

  it("refuses a crate when none of the patterns matches", () => {
    expect(crateScopeAllows(["anyhow", "actix-*"], "tokio-console")).toBe(false);
  });
});

describe("endpointScopeAllows", () => {
  it("allows a scope the token holds", () => {
    expect(endpointScopeAllows(["yank"], "yank")).toBe(true);
  });

  it("refuses a scope the token lacks", () => {
    expect(endpointScopeAllows(["publish-update"], "publish-new")).toBe(false);
  });

  it("refuses everything for a token with no scopes", () => {
    for (const scope of ENDPOINT_SCOPES) expect(endpointScopeAllows([], scope)).toBe(false);
  });
});

// crates.io's matrix (crates-io-tokens.md §8 cases 68–69), with canonical matching and our rule that a
// crate-limited token is refused where no crate is involved.
describe("scope matrix: endpoint scope × token scopes × crate patterns × crate", () => {
  const CRATE = "tokio-console";
  const tokenScopeCases = (scope: EndpointScope) => [
    { tokens: "that scope only", scopes: [scope], endpointAllowed: true },
    { tokens: "every other scope", scopes: ENDPOINT_SCOPES.filter((s) => s !== scope), endpointAllowed: false },
    { tokens: "all scopes", scopes: [...ENDPOINT_SCOPES], endpointAllowed: true },
  ];
  const patternCases = [
    { crates: "null", patterns: null, withCrate: true, crateless: true },
    { crates: "[]", patterns: [], withCrate: true, crateless: true },
    { crates: "matching exactly", patterns: ["tokio-console"], withCrate: true, crateless: false },
    { crates: "matching by prefix", patterns: ["tokio-*"], withCrate: true, crateless: false },
    { crates: "matching canonically", patterns: ["TOKIO_console"], withCrate: true, crateless: false },
    { crates: "not matching", patterns: ["anyhow"], withCrate: false, crateless: false },
    { crates: "not matching by prefix", patterns: ["actix-*"], withCrate: false, crateless: false },
    { crates: "several, one matching", patterns: ["anyhow", "actix-*", "tokio_*"], withCrate: true, crateless: false },
  ];
  const rows = ENDPOINT_SCOPES.flatMap((scope) =>
    tokenScopeCases(scope).flatMap((t) =>
      patternCases.flatMap((p) => [
        { scope, ...t, ...p, crate: CRATE as string | undefined, crateAllowed: p.withCrate },
        { scope, ...t, ...p, crate: undefined, crateAllowed: p.crateless },
      ]),
    ),
  );

  it("covers every combination", () => {
    expect(rows).toHaveLength(4 * 3 * patternCases.length * 2);
  });

  it.each(rows)(
    "$scope endpoint, token with $tokens, crate patterns $crates, crate $crate",
    ({ scope, scopes, patterns, crate, endpointAllowed, crateAllowed }) => {
      expect(endpointScopeAllows(scopes, scope)).toBe(endpointAllowed);
      expect(crateScopeAllows(patterns, crate)).toBe(crateAllowed);
    },
  );
});

describe("describePattern", () => {
  it.each([
    ["*", "Matches all crates"],
    ["serde", "Matches only the serde crate"],
    ["serde-*", "Matches all crates starting with serde-"],
    ["f*", "Matches all crates starting with f"],
    ["inv@lid", "Invalid crate name pattern"],
    ["te*st", "Invalid crate name pattern"],
    ["", "Invalid crate name pattern"],
  ])("describes %j as %j", (pattern, description) => {
    expect(describePattern(pattern)).toBe(description);
  });
});
