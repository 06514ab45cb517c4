import { describe, expect, it } from "vitest";
import {
  expiryInDays,
  MAX_TOKEN_NAME_LENGTH,
  normaliseTokenRequest,
  parseExpiry,
  tokenRequestProblems,
} from "../../src/auth/token-request.js";

const NOW = new Date("2026-06-15T08:09:10.123Z");
const DAY_MS = 24 * 60 * 60 * 1000;

type Input = Parameters<typeof tokenRequestProblems>[0];
const VALID: Input = { name: "ci", endpointScopes: ["publish-update"], crateScopes: null, expiresAt: null };
const request = (changes: Partial<Input>): Input => ({ ...VALID, ...changes });

describe("tokenRequestProblems", () => {
  describe("a valid request", () => {
    it.each([
      ["the minimal request", VALID],
      ["every scope", request({ endpointScopes: ["publish-new", "publish-update", "yank", "change-owners"] })],
      ["duplicated scopes", request({ endpointScopes: ["yank", "yank"] })],
      ["crate patterns", request({ crateScopes: ["serde", "serde-*", "*"] })],
      ["an empty pattern list", request({ crateScopes: [] })],
      ["a name of exactly the maximum length", request({ name: "n".repeat(MAX_TOKEN_NAME_LENGTH) })],
      ["a long name that fits once trimmed", request({ name: `  ${"n".repeat(MAX_TOKEN_NAME_LENGTH)}  ` })],
      ["an expiry a millisecond from now", request({ expiresAt: new Date(NOW.getTime() + 1) })],
      ["an expiry in a year", request({ expiresAt: new Date(NOW.getTime() + 365 * DAY_MS) })],
    ])("has no problems with %s", (_label, input) => {
      expect(tokenRequestProblems(input, NOW)).toEqual({});
    });
  });

  describe("the name", () => {
    it.each([
      ["empty", ""],
      ["only whitespace", " \t "],
    ])("is refused when %s", (_label, name) => {
      expect(tokenRequestProblems(request({ name }), NOW)).toEqual({ name: "Please enter a name for this token." });
    });

    it("is refused when longer than 100 characters", () => {
      expect(tokenRequestProblems(request({ name: "n".repeat(101) }), NOW)).toEqual({
        name: "The name must be at most 100 characters.",
      });
    });
  });

  describe("the endpoint scopes", () => {
    it("are refused when there are none", () => {
      expect(tokenRequestProblems(request({ endpointScopes: [] }), NOW)).toEqual({
        endpointScopes: "Please select at least one token scope.",
      });
    });

    it.each([
      [["nope"], "Unknown scope `nope`; the scopes are publish-new, publish-update, yank, change-owners."],
      [["yank", "crash"], "Unknown scope `crash`; the scopes are publish-new, publish-update, yank, change-owners."],
      [["Yank"], "Unknown scope `Yank`; the scopes are publish-new, publish-update, yank, change-owners."],
      [
        ["legacy", "trusted-publishing"],
        "Unknown scope `legacy`, `trusted-publishing`; the scopes are publish-new, publish-update, yank, change-owners.",
      ],
    ])("are refused when %j includes an unknown scope, naming it", (endpointScopes, message) => {
      expect(tokenRequestProblems(request({ endpointScopes }), NOW)).toEqual({ endpointScopes: message });
    });
  });

  describe("the crate patterns", () => {
    it.each([
      [["1bad"], "`1bad` is not a valid crate pattern: use a crate name, a name followed by `*`, or `*` alone (the name `1bad` cannot be used as a crate name, the name cannot start with a digit)"],
      [["serde", "te*st"], "`te*st` is not a valid crate pattern: use a crate name, a name followed by `*`, or `*` alone (`*` may only appear once, at the end)"],
      [["", "tokio-*"], "a crate pattern must not be empty"],
    ])("are refused when %j has a bad pattern, naming it", (crateScopes, message) => {
      expect(tokenRequestProblems(request({ crateScopes }), NOW)).toEqual({ crateScopes: message });
    });

    it("report the first bad pattern when there are several", () => {
      expect(tokenRequestProblems(request({ crateScopes: ["ok", "-x", "1y"] }), NOW).crateScopes).toContain("`-x`");
    });
  });

  describe("the expiry", () => {
    it.each([
      ["in the past", new Date("2020-01-01T00:00:00Z")],
      ["a second ago", new Date(NOW.getTime() - 1000)],
      ["exactly now", new Date(NOW.getTime())],
    ])("is refused when %s", (_label, expiresAt) => {
      expect(tokenRequestProblems(request({ expiresAt }), NOW)).toEqual({
        expiresAt: "The expiration date must be in the future.",
      });
    });

    it("is refused when it is not a valid date", () => {
      expect(tokenRequestProblems(request({ expiresAt: new Date("garbage") }), NOW)).toEqual({
        expiresAt: "The expiration date is not a valid date.",
      });
    });
  });

  it("reports every problem at once", () => {
    const input = { name: "", endpointScopes: ["nope"], crateScopes: ["1bad"], expiresAt: new Date("2020-01-01T00:00:00Z") };
    expect(Object.keys(tokenRequestProblems(input, NOW)).sort()).toEqual(["crateScopes", "endpointScopes", "expiresAt", "name"]);
  });
});

describe("normaliseTokenRequest", () => {
  it("trims the name", () => {
    expect(normaliseTokenRequest(request({ name: "  deploy key \n" })).name).toBe("deploy key");
  });

  it("deduplicates the endpoint scopes and puts them in canonical order", () => {
    const input = request({ endpointScopes: ["yank", "change-owners", "publish-new", "yank", "publish-update"] });
    expect(normaliseTokenRequest(input).endpointScopes).toEqual(["publish-new", "publish-update", "yank", "change-owners"]);
  });

  it("keeps a single scope as it is", () => {
    expect(normaliseTokenRequest(request({ endpointScopes: ["yank"] })).endpointScopes).toEqual(["yank"]);
  });

  it("deduplicates the crate patterns, keeping their order", () => {
    expect(normaliseTokenRequest(request({ crateScopes: ["tokio-*", "serde", "tokio-*"] })).crateScopes).toEqual(["tokio-*", "serde"]);
  });

  it.each([
    ["an empty pattern list", []],
    ["null", null],
  ])("turns %s into null (every crate)", (_label, crateScopes) => {
    expect(normaliseTokenRequest(request({ crateScopes })).crateScopes).toBeNull();
  });

  it("keeps the expiry", () => {
    const expiresAt = new Date("2027-01-31T12:00:00Z");
    expect(normaliseTokenRequest(request({ expiresAt })).expiresAt).toBe(expiresAt);
    expect(normaliseTokenRequest(request({ expiresAt: null })).expiresAt).toBeNull();
  });

  it("returns the whole request", () => {
    expect(normaliseTokenRequest({ name: " ci ", endpointScopes: ["yank", "publish-update"], crateScopes: ["serde-*"], expiresAt: null })).toEqual({
      name: "ci",
      endpointScopes: ["publish-update", "yank"],
      crateScopes: ["serde-*"],
      expiresAt: null,
    });
  });
});

describe("expiryInDays", () => {
  it.each([
    [7, "2026-06-22T08:09:10.123Z"],
    [30, "2026-07-15T08:09:10.123Z"],
    [90, "2026-09-13T08:09:10.123Z"],
    [365, "2027-06-15T08:09:10.123Z"],
  ])("puts %i days from now at the same time of day", (days, expected) => {
    expect(expiryInDays(days, NOW).toISOString()).toBe(expected);
  });
});

describe("parseExpiry", () => {
  describe("accepts", () => {
    it.each([
      ["2027-01-31T12:00:00Z", "2027-01-31T12:00:00.000Z"],
      ["2027-01-31T12:00:00+05:00", "2027-01-31T07:00:00.000Z"],
      ["2027-01-31T12:00:00-03:30", "2027-01-31T15:30:00.000Z"],
      ["2027-01-31T12:00:00.250Z", "2027-01-31T12:00:00.250Z"],
      ["2027-01-31 12:00:00Z", "2027-01-31T12:00:00.000Z"],
      ["2027-01-31", "2027-01-31T08:09:10.000Z"],
      [" 2027-01-31 ", "2027-01-31T08:09:10.000Z"],
      ["2028-02-29", "2028-02-29T08:09:10.000Z"],
    ])("%j as %s", (text, expected) => {
      expect(parseExpiry(text, NOW)?.toISOString()).toBe(expected);
    });
  });

  describe("rejects", () => {
    it.each([
      "2027-02-30",
      "2027-02-29",
      "2027-13-01",
      "2027-00-10",
      "tomorrow",
      "2027-1-5",
      "27-01-31",
      "31/01/2027",
      "",
      "   ",
      "2027-01-31T12:00:00",
      "2027-01-31T12:00:00+0500",
      "1790000000",
    ])("%j", (text) => {
      expect(parseExpiry(text, NOW)).toBeUndefined();
    });

    it.each(["2027-02-30T12:00:00Z", "2027-02-29T12:00:00Z", "2027-04-31T00:00:00+02:00"])(
      "a timestamp on a day the month does not have (%s), rather than rolling into the next month",
      (text) => {
        expect(parseExpiry(text, NOW)).toBeUndefined();
      },
    );
  });
});
