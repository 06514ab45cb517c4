// Validation of a new token's name, scopes, crate patterns and expiry. Pure: shared by the CLI, the
// New API Token page and the token JSON API, which each report the problems in their own way.
import { cratePatternProblem, ENDPOINT_SCOPES, isEndpointScope, type EndpointScope } from "./scopes.js";

export interface TokenRequest {
  name: string;
  endpointScopes: EndpointScope[];
  /** null: every crate. */
  crateScopes: string[] | null;
  expiresAt: Date | null;
}

export type TokenRequestProblems = Partial<Record<"name" | "endpointScopes" | "crateScopes" | "expiresAt", string>>;

export const MAX_TOKEN_NAME_LENGTH = 100;
export const EXPIRY_PRESET_DAYS = [7, 30, 60, 90, 365] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Checks a token request field by field; an empty object means it is valid. */
export function tokenRequestProblems(
  input: { name: string; endpointScopes: string[]; crateScopes: string[] | null; expiresAt: Date | null },
  now: Date,
): TokenRequestProblems {
  const problems: TokenRequestProblems = {};
  const name = input.name.trim();
  if (name === "") problems.name = "Please enter a name for this token.";
  else if (/[\x00-\x1f\x7f]/.test(name)) problems.name = "The name must not contain control characters such as line breaks.";
  else if (name.length > MAX_TOKEN_NAME_LENGTH) problems.name = `The name must be at most ${MAX_TOKEN_NAME_LENGTH} characters.`;

  const unknown = input.endpointScopes.filter((s) => !isEndpointScope(s));
  if (unknown.length) {
    problems.endpointScopes = `Unknown scope ${unknown.map((s) => `\`${s}\``).join(", ")}; the scopes are ${ENDPOINT_SCOPES.join(", ")}.`;
  } else if (input.endpointScopes.length === 0) {
    problems.endpointScopes = "Please select at least one token scope.";
  }

  const badPattern = (input.crateScopes ?? []).map(cratePatternProblem).find(Boolean);
  if (badPattern) problems.crateScopes = badPattern;

  if (input.expiresAt !== null) {
    if (Number.isNaN(input.expiresAt.getTime())) problems.expiresAt = "The expiration date is not a valid date.";
    else if (input.expiresAt.getTime() <= now.getTime()) problems.expiresAt = "The expiration date must be in the future.";
  }
  return problems;
}

/** Normalises a valid request: trimmed name, scopes deduplicated in canonical order, empty pattern list → null. */
export function normaliseTokenRequest(input: { name: string; endpointScopes: string[]; crateScopes: string[] | null; expiresAt: Date | null }): TokenRequest {
  const patterns = [...new Set((input.crateScopes ?? []).map((p) => p.trim()).filter(Boolean))];
  return {
    name: input.name.trim(),
    endpointScopes: ENDPOINT_SCOPES.filter((s) => input.endpointScopes.includes(s)),
    crateScopes: patterns.length ? patterns : null,
    expiresAt: input.expiresAt,
  };
}

/** `days` from now, at the same time of day (the presets of the New API Token page). */
export function expiryInDays(days: number, now: Date): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

/**
 * Reads an expiry given as an RFC 3339 timestamp (`2027-01-31T12:00:00Z`, any offset) or a plain
 * date (`2027-01-31`, which means that day at the current UTC time, as on crates.io). Undefined
 * when the text is neither.
 */
export function parseExpiry(text: string, now: Date): Date | undefined {
  const trimmed = text.trim();
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  if (dateOnly) {
    const date = new Date(`${trimmed}T${now.toISOString().slice(11, 19)}Z`);
    return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== trimmed ? undefined : date;
  }
  const stamp = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(trimmed);
  if (!stamp) return undefined;
  const [y, mo, d, h, mi, sec] = stamp.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  // Date.UTC rolls 2027-02-30 over into March; a real timestamp must keep its fields.
  if (local.getUTCFullYear() !== y || local.getUTCMonth() !== mo - 1 || local.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) return undefined;
  const fractionMs = Math.floor(Number(`0${stamp[7] ?? ""}`) * 1000);
  const offsetMinutes = stamp[8] ? 0 : (stamp[9] === "-" ? -1 : 1) * (Number(stamp[10]) * 60 + Number(stamp[11]));
  return new Date(local.getTime() + fractionMs - offsetMinutes * 60_000);
}
