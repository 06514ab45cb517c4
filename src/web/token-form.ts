// The New API Token form as data: reading it from a request or an old token (Regenerate),
// validating it field by field, and the texts shown beside the fields. Pure apart from `req`.
import type { Request } from "express";
import { cratePatternProblem, describePattern, ENDPOINT_SCOPES, ENDPOINT_SCOPE_DESCRIPTIONS } from "../auth/scopes.js";
import { EXPIRY_PRESET_DAYS, expiryInDays, normaliseTokenRequest, parseExpiry, tokenRequestProblems, type TokenRequest } from "../auth/token-request.js";
import type { ApiToken } from "../db/tokens.js";
import { isoDay } from "../time.js";
import { checked, field, fields, parseId } from "./forms.js";
import { formatDate } from "./format.js";

export const EXPIRY_CHOICES = [
  { value: "none", label: "No expiration" },
  ...EXPIRY_PRESET_DAYS.map((days) => ({ value: String(days), label: `${days} days` })),
  { value: "custom", label: "Custom…" },
];
export const DEFAULT_EXPIRY = "90";
/** Empty pattern inputs offered below the filled ones (without JavaScript there is no "Add pattern"). */
export const EMPTY_PATTERN_ROWS = 3;

export const SCOPE_CHOICES = ENDPOINT_SCOPES.map((scope) => ({ scope, description: ENDPOINT_SCOPE_DESCRIPTIONS[scope] }));

export interface TokenForm {
  name: string;
  /** "none", a preset number of days, or "custom". */
  expiry: string;
  /** YYYY-MM-DD, used when `expiry` is "custom". */
  expiryDate: string;
  scopes: string[];
  patterns: string[];
  /** The token being regenerated. */
  from?: number;
  revokeOld: boolean;
  nonce: string;
}

export interface TokenFormErrors {
  name?: string;
  expiry?: string;
  scopes?: string;
  /** One entry per non-empty pattern, in order. */
  patterns: (string | undefined)[];
  /** A problem with the form as a whole (e.g. it has expired). */
  form?: string;
}

export function blankTokenForm(): TokenForm {
  return { name: "", expiry: DEFAULT_EXPIRY, expiryDate: "", scopes: [], patterns: [], revokeOld: false, nonce: "" };
}

/** Regenerate: the old token's name, scopes and patterns; the expiry goes back to the default. */
export function formFromToken(token: ApiToken, active: boolean): TokenForm {
  return { ...blankTokenForm(), name: token.name, scopes: [...token.endpointScopes], patterns: [...(token.crateScopes ?? [])], from: token.id, revokeOld: active };
}

export function readTokenForm(req: Request): TokenForm {
  return {
    name: field(req, "name"),
    expiry: field(req, "expiry"),
    expiryDate: field(req, "expiry_date"),
    scopes: fields(req, "scope"),
    patterns: fields(req, "pattern").filter(Boolean),
    from: parseId(field(req, "from")),
    revokeOld: checked(req, "revoke_old"),
    nonce: field(req, "nonce"),
  };
}

/** The chosen expiry: a date, null for "never", or why there is none. */
export function formExpiry(form: TokenForm, now: Date): { date: Date | null } | { problem: string } {
  if (form.expiry === "none") return { date: null };
  if (form.expiry === "custom") {
    if (form.expiryDate === "") return { problem: "Please choose an expiration date." };
    const date = parseExpiry(form.expiryDate, now);
    return date ? { date } : { problem: "The expiration date is not a valid date." };
  }
  const days = Number(form.expiry);
  if ((EXPIRY_PRESET_DAYS as readonly number[]).includes(days)) return { date: expiryInDays(days, now) };
  return { problem: "Please choose an expiration." };
}

/** Every problem of the form, by field; `valid` carries the request when there are none. */
export function checkTokenForm(form: TokenForm, now: Date): { errors: TokenFormErrors; valid?: TokenRequest } {
  const expiry = formExpiry(form, now);
  const expiresAt = "date" in expiry ? expiry.date : null;
  const problems = tokenRequestProblems({ name: form.name, endpointScopes: form.scopes, crateScopes: form.patterns, expiresAt }, now);
  const errors: TokenFormErrors = {
    name: problems.name,
    expiry: "problem" in expiry ? expiry.problem : problems.expiresAt,
    scopes: problems.endpointScopes,
    patterns: form.patterns.map((p) => cratePatternProblem(p)),
  };
  if (errors.name || errors.expiry || errors.scopes || errors.patterns.some(Boolean)) return { errors };
  return { errors, valid: normaliseTokenRequest({ name: form.name, endpointScopes: form.scopes, crateScopes: form.patterns, expiresAt }) };
}

/** "The token will expire on …" / "The token will never expire", for the chosen expiry. */
export function expiryLine(form: TokenForm, now: Date): string {
  const expiry = formExpiry(form, now);
  if (!("date" in expiry)) return form.expiry === "custom" ? "Choose the day the token should expire." : "";
  return expiry.date === null ? "The token will never expire" : `The token will expire on ${formatDate(expiry.date)}`;
}

/** The pattern inputs to show: the filled ones with their description or error, then empty ones. */
export function patternRows(form: TokenForm, errors?: TokenFormErrors): { value: string; help: string; error?: string }[] {
  const filled = form.patterns.map((value, i) => {
    const error = errors?.patterns[i];
    return { value, help: error ? "" : describePattern(value), error };
  });
  const empty = Array.from({ length: EMPTY_PATTERN_ROWS }, () => ({ value: "", help: "" }));
  return [...filled, ...empty];
}

/** The earliest day a custom expiry may be (tomorrow, UTC), for the date input's `min`. */
export function minimumExpiryDay(now: Date): string {
  return isoDay(expiryInDays(1, now));
}
