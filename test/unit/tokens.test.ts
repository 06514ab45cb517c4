import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  generateToken,
  hashToken,
  parseAuthorizationHeader,
  TOKEN_LENGTH,
  TOKEN_PREFIX,
  tokenFormatProblem,
} from "../../src/auth/tokens.js";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const NOT_A_TOKEN = "this is not a cargohold API token (they start with `cargohold_`)";
const MALFORMED =
  "this API token is malformed: it should be `cargohold_` followed by 38 letters and digits; was it truncated?";
const BAD_CHECKSUM = "this API token's checksum does not match: it was mistyped or changed";
const EMPTY_HEADER = "the `Authorization` header is empty";
const LONG_HEADER = "the `Authorization` header is too long";
const NON_ASCII_HEADER = "the `Authorization` header contains non-ASCII characters";
const BAD_SCHEME = "the `Authorization` header must hold the token alone or `Bearer <token>`";

/** A valid token, made once so the tables below can be built from it. */
const TOKEN = generateToken();
const BODY = TOKEN.slice(TOKEN_PREFIX.length);

/** `token` with the character at `index` replaced by `char`. */
const withCharAt = (token: string, index: number, char: string) => token.slice(0, index) + char + token.slice(index + 1);

/** `token` with its last character changed, so only the checksum is wrong. */
const withBadChecksum = (token: string) => withCharAt(token, token.length - 1, token.endsWith("A") ? "B" : "A");

describe("token format constants", () => {
  it("uses the recognisable `cargohold_` prefix", () => {
    expect(TOKEN_PREFIX).toBe("cargohold_");
  });

  it("is the prefix, 32 random characters and a 6-character checksum long", () => {
    expect(TOKEN_LENGTH).toBe(10 + 32 + 6);
  });
});

describe("generateToken", () => {
  it("starts with the prefix and has TOKEN_LENGTH characters", () => {
    for (let i = 0; i < 200; i++) {
      const token = generateToken();
      expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
      expect(token).toHaveLength(TOKEN_LENGTH);
    }
  });

  it("uses only base62 characters after the prefix", () => {
    for (let i = 0; i < 500; i++) {
      expect(generateToken().slice(TOKEN_PREFIX.length)).toMatch(/^[0-9A-Za-z]{38}$/);
    }
  });

  it("makes tokens that pass its own format check", () => {
    for (let i = 0; i < 500; i++) {
      expect(tokenFormatProblem(generateToken())).toBeUndefined();
    }
  });

  it("never repeats a token over 10,000 draws", () => {
    const tokens = new Set(Array.from({ length: 10_000 }, generateToken));
    expect(tokens.size).toBe(10_000);
  });

  it("draws every base62 character about equally often (no modulo bias)", () => {
    // 5,000 tokens × 32 random characters: about 2,580 of each character, standard deviation about 50.
    // A 10% band is more than 5 standard deviations wide, yet a plain `byte % 62` (which makes
    // `0`–`7` 25% more likely) falls far outside it.
    const counts = new Map<string, number>();
    const draws = 5_000;
    for (let i = 0; i < draws; i++) {
      for (const char of generateToken().slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + 32)) {
        counts.set(char, (counts.get(char) ?? 0) + 1);
      }
    }
    const expected = (draws * 32) / 62;
    expect([...counts.keys()].sort().join("")).toBe([...BASE62].sort().join(""));
    for (const char of BASE62) {
      const count = counts.get(char) ?? 0;
      expect(Math.abs(count - expected) / expected, `character ${char} drawn ${count} times`).toBeLessThan(0.1);
    }
  });

  it("varies every random position (no fixed characters)", () => {
    const tokens = Array.from({ length: 2_000 }, generateToken);
    for (let position = TOKEN_PREFIX.length; position < TOKEN_PREFIX.length + 32; position++) {
      const seen = new Set(tokens.map((t) => t[position]));
      expect(seen.size, `position ${position}`).toBeGreaterThanOrEqual(55);
    }
  });
});

describe("hashToken", () => {
  it("is the lowercase hex SHA-256 of the plaintext", () => {
    expect(hashToken(TOKEN)).toBe(createHash("sha256").update(TOKEN).digest("hex"));
    expect(hashToken(TOKEN)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("matches the published SHA-256 test vector", () => {
    expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("gives different hashes for different tokens", () => {
    expect(hashToken(TOKEN)).not.toBe(hashToken(withBadChecksum(TOKEN)));
  });
});

describe("tokenFormatProblem", () => {
  it("accepts a generated token", () => {
    expect(tokenFormatProblem(TOKEN)).toBeUndefined();
  });

  it.each([
    ["an empty string", ""],
    ["crates.io's prefix", `cio${BODY.slice(0, 32)}`],
    ["an upper-case prefix", `CARGOHOLD_${BODY}`],
    ["the prefix without its underscore", `cargohold${BODY}`],
    ["a leading space", ` ${TOKEN}`],
    ["random text", "oldtoken"],
  ])("refuses %s as not a cargohold token", (_label, text) => {
    expect(tokenFormatProblem(text)).toBe(NOT_A_TOKEN);
  });

  it.each([
    ["the prefix alone", TOKEN_PREFIX],
    ["a body with a `-`", withCharAt(TOKEN, 20, "-")],
    ["a body with a `_`", withCharAt(TOKEN, 20, "_")],
    ["a trailing newline", `${TOKEN}\n`],
    ["a trailing space", `${TOKEN} `],
    ["a non-ASCII letter", withCharAt(TOKEN, 20, "é")],
  ])("refuses %s as malformed", (_label, text) => {
    expect(tokenFormatProblem(text)).toBe(MALFORMED);
  });

  it("refuses every truncation as malformed", () => {
    for (let length = TOKEN_PREFIX.length; length < TOKEN.length; length++) {
      expect(tokenFormatProblem(TOKEN.slice(0, length)), `first ${length} characters`).toBe(MALFORMED);
    }
  });

  it("refuses every one-character extension as malformed", () => {
    for (const char of BASE62) {
      expect(tokenFormatProblem(TOKEN + char)).toBe(MALFORMED);
      expect(tokenFormatProblem(TOKEN_PREFIX + char + BODY)).toBe(MALFORMED);
    }
  });

  it("refuses every single-character change of the random part or checksum by its checksum", () => {
    for (let index = TOKEN_PREFIX.length; index < TOKEN.length; index++) {
      for (const char of BASE62) {
        if (char === TOKEN[index]) continue;
        const changed = withCharAt(TOKEN, index, char);
        expect(tokenFormatProblem(changed), `${char} at ${index}`).toBe(BAD_CHECKSUM);
      }
    }
  });

  it("refuses a change of case in the random part by its checksum", () => {
    const index = [...BODY].findIndex((c) => /[A-Za-z]/.test(c));
    // 38 base62 characters with no letter at all is practically impossible, but say so if it happens.
    expect(index).toBeGreaterThanOrEqual(0);
    const char = BODY[index]!;
    const flipped = char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase();
    expect(tokenFormatProblem(withCharAt(TOKEN, TOKEN_PREFIX.length + index, flipped))).toBe(BAD_CHECKSUM);
  });

  it("never repeats the text it was given", () => {
    const candidates = [
      withBadChecksum(TOKEN),
      TOKEN.slice(0, -3),
      `${TOKEN}xyz`,
      `cio${BODY}`,
      withCharAt(TOKEN, 25, "!"),
    ];
    for (const text of candidates) {
      const problem = tokenFormatProblem(text);
      expect(problem).toBeDefined();
      expect(problem).not.toContain(text);
      expect(problem).not.toContain(BODY.slice(0, 8));
    }
  });
});

describe("parseAuthorizationHeader", () => {
  it("reports a missing header as missing", () => {
    expect(parseAuthorizationHeader(undefined)).toEqual({ kind: "missing" });
  });

  it.each([
    ["the raw token", TOKEN],
    ["`Bearer <token>`", `Bearer ${TOKEN}`],
    ["a lower-case scheme", `bearer ${TOKEN}`],
    ["an upper-case scheme with two spaces", `BEARER  ${TOKEN}`],
    ["a tab after the scheme", `Bearer\t${TOKEN}`],
    ["surrounding whitespace", `  Bearer ${TOKEN}  `],
    ["a raw token with surrounding whitespace", ` ${TOKEN}\t`],
  ])("accepts %s", (_label, header) => {
    expect(parseAuthorizationHeader(header)).toEqual({ kind: "token", token: TOKEN });
  });

  it.each([
    ["an empty header", "", EMPTY_HEADER, ""],
    ["a header of spaces", "   ", EMPTY_HEADER, ""],
    ["the `Basic` scheme", "Basic dXNlcjpzM2NyZXQ=", BAD_SCHEME, "dXNlcjpzM2NyZXQ="],
    ["a `Token` scheme with a real token", `Token ${TOKEN}`, BAD_SCHEME, BODY],
    ["`Bearer` with two values", `Bearer ${TOKEN} extra`, BAD_SCHEME, BODY],
    ["`Bearer` alone", "Bearer", NOT_A_TOKEN, "Bearer"],
    ["a non-ASCII token", `Bearer ${withCharAt(TOKEN, 30, "ü")}`, NON_ASCII_HEADER, BODY.slice(0, 10)],
    ["a control character", `Bearer ${TOKEN}\u0000`, NON_ASCII_HEADER, BODY],
    ["more than 1024 characters", `Bearer ${"a".repeat(1018)}`, LONG_HEADER, "aaaaaaaa"],
    ["a valid-looking token with a bad checksum", `Bearer ${withBadChecksum(TOKEN)}`, BAD_CHECKSUM, BODY.slice(0, 32)],
    ["a raw token with a bad checksum", withBadChecksum(TOKEN), BAD_CHECKSUM, BODY.slice(0, 32)],
    ["a truncated token", `Bearer ${TOKEN.slice(0, -1)}`, MALFORMED, BODY.slice(0, 32)],
    ["a token with the wrong prefix", `Bearer cio${BODY}`, NOT_A_TOKEN, BODY],
    ["crates.io's old garbage", "Bearer invalid-token", NOT_A_TOKEN, "invalid-token"],
  ])("refuses %s, without echoing its secret", (_label, header, problem, secret) => {
    const parsed = parseAuthorizationHeader(header);
    expect(parsed).toEqual({ kind: "malformed", problem });
    if (parsed.kind === "malformed" && secret !== "") expect(parsed.problem).not.toContain(secret);
  });

  it("does not name another scheme's credentials or the scheme's parameters", () => {
    for (const header of ["Basic YWxpY2U6aHVudGVyMg==", "Token abc123secret", "Digest username=alice", `token ${TOKEN}`]) {
      const parsed = parseAuthorizationHeader(header);
      expect(parsed.kind).toBe("malformed");
      const after = header.slice(header.indexOf(" ") + 1);
      if (parsed.kind === "malformed") expect(parsed.problem).not.toContain(after);
    }
  });

  it("accepts a header of exactly 1024 characters (then judges the token)", () => {
    const header = "a".repeat(1024);
    expect(parseAuthorizationHeader(header)).toEqual({ kind: "malformed", problem: NOT_A_TOKEN });
  });

  it("measures the length after trimming", () => {
    expect(parseAuthorizationHeader(`${" ".repeat(2000)}${TOKEN}`)).toEqual({ kind: "token", token: TOKEN });
  });
});
