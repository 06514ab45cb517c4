// API token format: `cargohold_` + 32 random base62 characters + a 6-character base62 CRC-32 of them.
// The prefix lets people and secret scanners recognise a token; the checksum lets a mistyped or
// truncated token be refused without a database lookup. Only the SHA-256 is ever stored.
import { hash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";

export const TOKEN_PREFIX = "cargohold_";
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const TOKEN_LENGTH = TOKEN_PREFIX.length + RANDOM_LENGTH + CHECKSUM_LENGTH;

/** `length` base62 characters from the CSPRNG, without modulo bias (bytes ≥ 248 are redrawn). */
function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

function checksum(random: string): string {
  let n = crc32(random);
  let out = "";
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** Makes a new token plaintext. Show it once; store only `hashToken(plaintext)`. */
export function generateToken(): string {
  const random = randomBase62(RANDOM_LENGTH);
  return `${TOKEN_PREFIX}${random}${checksum(random)}`;
}

/**
 * SHA-256 of the plaintext, lowercase hex: the only form a token is stored or compared in.
 * (The one-shot `hash` allocates no Hash object: it runs on every authenticated request.)
 */
export function hashToken(plaintext: string): string {
  return hash("sha256", plaintext, "hex");
}

/** Why `text` cannot be a cargohold token, or undefined when its format and checksum are right. */
export function tokenFormatProblem(text: string): string | undefined {
  if (!text.startsWith(TOKEN_PREFIX)) {
    return `this is not a cargohold API token (they start with \`${TOKEN_PREFIX}\`)`;
  }
  const body = text.slice(TOKEN_PREFIX.length);
  if (body.length !== RANDOM_LENGTH + CHECKSUM_LENGTH || !/^[0-9A-Za-z]+$/.test(body)) {
    return `this API token is malformed: it should be \`${TOKEN_PREFIX}\` followed by ${RANDOM_LENGTH + CHECKSUM_LENGTH} letters and digits; was it truncated?`;
  }
  const random = body.slice(0, RANDOM_LENGTH);
  if (checksum(random) !== body.slice(RANDOM_LENGTH)) {
    return "this API token's checksum does not match: it was mistyped or changed";
  }
  return undefined;
}

export type AuthorizationHeader =
  | { kind: "missing" }
  | { kind: "malformed"; problem: string }
  | { kind: "token"; token: string };

const MAX_HEADER_LENGTH = 1024;

/**
 * Reads cargo's `Authorization` header: the raw token, or `Bearer <token>` (crates.io accepts both).
 * The token itself is never part of a returned problem message.
 */
export function parseAuthorizationHeader(header: string | undefined): AuthorizationHeader {
  if (header === undefined) return { kind: "missing" };
  const value = header.trim();
  if (value === "") return { kind: "malformed", problem: "the `Authorization` header is empty" };
  if (value.length > MAX_HEADER_LENGTH) return { kind: "malformed", problem: "the `Authorization` header is too long" };
  if (!/^[\x20-\x7e\t]*$/.test(value)) {
    return { kind: "malformed", problem: "the `Authorization` header contains non-ASCII characters" };
  }
  const parts = value.split(/\s+/);
  let token: string;
  if (parts.length === 1) token = parts[0]!;
  else if (parts.length === 2 && parts[0]!.toLowerCase() === "bearer") token = parts[1]!;
  else {
    // The scheme is not echoed: with `Basic`, say, what follows it is a secret.
    return { kind: "malformed", problem: "the `Authorization` header must hold the token alone or `Bearer <token>`" };
  }
  const problem = tokenFormatProblem(token);
  return problem ? { kind: "malformed", problem } : { kind: "token", token };
}
