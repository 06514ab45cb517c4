import { describe, expect, it } from "vitest";
import type { ApiToken } from "../../src/db/tokens.js";
import { safeNext } from "../../src/web/login.js";
import { blankTokenForm, checkTokenForm, expiryLine, formExpiry, formFromToken, minimumExpiryDay, patternRows, type TokenForm } from "../../src/web/token-form.js";
import { listedTokens, tokenListItem } from "../../src/web/token-list.js";

const now = new Date("2030-03-01T10:00:00Z");
const form = (change: Partial<TokenForm>): TokenForm => ({ ...blankTokenForm(), name: "ci", scopes: ["yank"], ...change });
const token = (change: Partial<ApiToken>): ApiToken => ({
  id: 1, userId: 1, name: "t", endpointScopes: ["yank"], crateScopes: null, createdAt: "2030-02-01T00:00:00Z", lastUsedAt: null, expiresAt: null, revokedAt: null, ...change,
});

describe("formExpiry and expiryLine", () => {
  it.each([
    ["none", "", { date: null }, "The token will never expire"],
    ["7", "", { date: new Date("2030-03-08T10:00:00Z") }, "The token will expire on March 8, 2030"],
    ["90", "", { date: new Date("2030-05-30T10:00:00Z") }, "The token will expire on May 30, 2030"],
    ["custom", "2031-01-15", { date: new Date("2031-01-15T10:00:00Z") }, "The token will expire on January 15, 2031"],
    ["custom", "", { problem: "Please choose an expiration date." }, "Choose the day the token should expire."],
    ["custom", "15/01/2031", { problem: "The expiration date is not a valid date." }, "Choose the day the token should expire."],
    ["12", "", { problem: "Please choose an expiration." }, ""],
  ])("expiry %s %s", (expiry, expiryDate, result, line) => {
    expect(formExpiry(form({ expiry, expiryDate }), now)).toEqual(result);
    expect(expiryLine(form({ expiry, expiryDate }), now)).toBe(line);
  });

  it("makes tomorrow the first day a custom expiry may be", () => {
    expect(minimumExpiryDay(now)).toBe("2030-03-02");
  });
});

describe("checkTokenForm", () => {
  it("returns the normalised request when the form is valid", () => {
    const { valid } = checkTokenForm(form({ scopes: ["yank", "publish-new"], patterns: ["b", "a", "b"], expiry: "none" }), now);
    expect(valid).toEqual({ name: "ci", endpointScopes: ["publish-new", "yank"], crateScopes: ["b", "a"], expiresAt: null });
  });

  it("reports each bad pattern in its own row", () => {
    const { errors, valid } = checkTokenForm(form({ patterns: ["ok", "1bad", "also*bad"] }), now);
    expect(valid).toBeUndefined();
    expect(errors.patterns.map(Boolean)).toEqual([false, true, true]);
  });
});

describe("patternRows", () => {
  it("describes filled rows and adds three empty ones", () => {
    expect(patternRows(form({ patterns: ["serde", "serde-*", "*"] }))).toEqual([
      { value: "serde", help: "Matches only the serde crate", error: undefined },
      { value: "serde-*", help: "Matches all crates starting with serde-", error: undefined },
      { value: "*", help: "Matches all crates", error: undefined },
      { value: "", help: "" },
      { value: "", help: "" },
      { value: "", help: "" },
    ]);
  });
});

describe("formFromToken", () => {
  it("copies name, scopes and patterns, and resets the expiry to 90 days", () => {
    const f = formFromToken(token({ id: 7, name: "old", endpointScopes: ["publish-update"], crateScopes: ["a*"], expiresAt: "2030-03-02T00:00:00Z" }), true);
    expect(f).toMatchObject({ name: "old", scopes: ["publish-update"], patterns: ["a*"], expiry: "90", from: 7, revokeOld: true });
  });
});

describe("listedTokens", () => {
  it("shows usable tokens first, newest first, then those expired in the last 30 days", () => {
    const listed = listedTokens(
      [
        token({ id: 1, name: "old-active", createdAt: "2030-01-01T00:00:00Z" }),
        token({ id: 2, name: "new-active", createdAt: "2030-02-01T00:00:00Z" }),
        token({ id: 3, name: "expired-29d", expiresAt: "2030-01-31T10:00:01Z", createdAt: "2030-02-20T00:00:00Z" }),
        token({ id: 4, name: "expired-31d", expiresAt: "2030-01-29T00:00:00Z" }),
        token({ id: 5, name: "revoked", revokedAt: "2030-02-02T00:00:00Z" }),
      ],
      now,
    );
    expect(listed.map((i) => [i.token.name, i.state])).toEqual([["new-active", "active"], ["old-active", "active"], ["expired-29d", "expired"]]);
  });

  it("flags tokens expiring within 7 days", () => {
    expect(tokenListItem(token({ expiresAt: "2030-03-08T10:00:00Z" }), now).expiresSoon).toBe(true);
    expect(tokenListItem(token({ expiresAt: "2030-03-08T10:00:01Z" }), now).expiresSoon).toBe(false);
    expect(tokenListItem(token({ expiresAt: "2030-03-01T09:00:00Z" }), now).expiresSoon).toBe(false);
  });
});

describe("safeNext", () => {
  it.each([
    ["/settings/tokens", "/settings/tokens"],
    ["/search?q=a b", "/"],
    ["/search?q=a%20b", "/search?q=a%20b"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example", "/"],
    ["", "/"],
    [undefined, "/"],
  ])("%s → %s", (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});
