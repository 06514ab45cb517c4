// Which tokens the token list shows, in what order, and what it says about each. Pure.
import { describePattern, ENDPOINT_SCOPE_DESCRIPTIONS, isEndpointScope } from "../auth/scopes.js";
import { tokenState } from "../auth/token-service.js";
import type { ApiToken } from "../db/tokens.js";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Expired tokens stay listed this long (as on crates.io), so people see why cargo stopped working. */
export const EXPIRED_LISTED_DAYS = 30;
/** Tokens expiring this soon are flagged. */
export const EXPIRES_SOON_DAYS = 7;

export interface TokenListItem {
  token: ApiToken;
  state: "active" | "expired";
  expiresSoon: boolean;
  scopes: { scope: string; description: string }[];
  /** null: every crate. */
  crates: { pattern: string; description: string }[] | null;
}

export function tokenListItem(token: ApiToken, now: Date): TokenListItem {
  const state = tokenState(token, now) === "active" ? "active" : "expired";
  const expiresIn = token.expiresAt ? Date.parse(token.expiresAt) - now.getTime() : Infinity;
  return {
    token,
    state,
    expiresSoon: state === "active" && expiresIn <= EXPIRES_SOON_DAYS * DAY_MS,
    scopes: token.endpointScopes.map((scope) => ({ scope, description: isEndpointScope(scope) ? ENDPOINT_SCOPE_DESCRIPTIONS[scope] : scope })),
    crates: token.crateScopes?.length ? token.crateScopes.map((pattern) => ({ pattern, description: describePattern(pattern) })) : null,
  };
}

/**
 * The tokens to list: not revoked, and either usable or expired less than 30 days ago; usable
 * ones first, then newest first.
 */
export function listedTokens(tokens: ApiToken[], now: Date): TokenListItem[] {
  const oldestListed = now.getTime() - EXPIRED_LISTED_DAYS * DAY_MS;
  return tokens
    .filter((t) => t.revokedAt === null && (t.expiresAt === null || Date.parse(t.expiresAt) > oldestListed))
    .map((t) => tokenListItem(t, now))
    .sort((a, b) => Number(a.state === "expired") - Number(b.state === "expired") || b.token.createdAt.localeCompare(a.token.createdAt) || b.token.id - a.token.id);
}
