// The one authorisation step of the cargo API. Handlers state what they need, e.g.
// `requireToken(ctx, req, { scope: "yank", crate: name })`, and get the user and token or an error
// that says exactly why not (the reason is logged with the token id, never the token).
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { AppContext } from "../context.js";
import type { ApiToken } from "../db/tokens.js";
import type { User } from "../db/users.js";
import { forbidden, HttpError } from "../errors.js";
import { noteIdentity } from "../request-identity.js";
import { isoSeconds } from "../time.js";
import { findSessionUser } from "./sessions.js";
import { crateScopeAllows, endpointScopeAllows, type EndpointScope } from "./scopes.js";
import { hashToken, parseAuthorizationHeader, TOKEN_LENGTH } from "./tokens.js";

export interface TokenAuth {
  kind: "token";
  user: User;
  token: ApiToken;
}
export interface SessionAuth {
  kind: "session";
  user: User;
}
export type Authentication = TokenAuth | SessionAuth;

/** What a cargo API request needs from its token. `crate` is the name the action concerns, if any. */
export interface TokenRequirement {
  scope?: EndpointScope;
  crate?: string;
}

type TokenCheck = { ok: true; auth: TokenAuth } | { ok: false; status: 401 | 403; reason: string; cause: string; tokenId?: number };

/** Resolves the request's token to an active token of an enabled user, or says why not. */
function checkToken(ctx: AppContext, req: IncomingMessage): TokenCheck {
  const raw = req.headers.authorization;
  const now = secondsText(ctx.now());
  // The common case first, as cargo sends it: the header is exactly a token the cache knows by its
  // hash. Only tokens that passed the format and checksum checks below are ever cached, so such a
  // header needs no parsing.
  const rawHash = raw?.length === TOKEN_LENGTH ? hashOnConnection(req, raw) : undefined;
  const cachedRaw = rawHash === undefined ? undefined : ctx.tokenCache.find(rawHash, now);
  if (cachedRaw) return { ok: true, auth: { kind: "token", ...cachedRaw } };
  const header = parseAuthorizationHeader(raw);
  if (header.kind === "missing") {
    return { ok: false, status: 401, cause: "missing", reason: "this action requires an API token; send it in the `Authorization` header" };
  }
  if (header.kind === "malformed") return { ok: false, status: 401, cause: "malformed", reason: header.problem };
  // A bare token was hashed and looked up above; `Bearer <token>` or spaces around it were not.
  const hash = header.token === raw && rawHash !== undefined ? rawHash : hashToken(header.token);
  const cached = hash === rawHash ? undefined : ctx.tokenCache.find(hash, now);
  if (cached) return { ok: true, auth: { kind: "token", ...cached } };
  const token = ctx.db.tokens.useActiveByHash(hash, now);
  if (!token) return explainUnusableToken(ctx, hash);
  const user = ctx.db.users.findById(token.userId);
  if (!user || user.disabledAt) {
    return { ok: false, status: 403, cause: "user-disabled", tokenId: token.id, reason: `the account that owns this token is disabled; ask an administrator` };
  }
  ctx.tokenCache.remember(hash, { token, user });
  return { ok: true, auth: { kind: "token", user, token } };
}

// cargo sends the same token on every request of a keep-alive connection, so each connection
// remembers the last token-sized header it carried and that header's SHA-256: a request with the
// same header needs no new hash (in the server, hashing is half the cost of the check). The token
// is still looked up by its hash on every request, so a revocation applies at once. The headers
// are compared in constant time: behind a proxy, one connection may carry several people's requests.
const LAST_TOKEN = Symbol("cargohold.lastToken");
type RememberingSocket = Socket & { [LAST_TOKEN]?: { header: string; hash: string } };

/** The SHA-256 of `raw`, a header of exactly TOKEN_LENGTH characters. */
function hashOnConnection(req: IncomingMessage, raw: string): string {
  const socket = req.socket as RememberingSocket | null;
  const last = socket?.[LAST_TOKEN];
  if (last && sameInConstantTime(last.header, raw)) return last.hash;
  const hash = hashToken(raw);
  if (socket) socket[LAST_TOKEN] = { header: raw, hash };
  return hash;
}

/** Whether two strings of equal length are equal, in a time that does not depend on where they differ. */
function sameInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

// The current second as text, formatted once per second rather than once per request.
let formattedSecond = NaN;
let formattedText = "";
function secondsText(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== formattedSecond) {
    formattedSecond = second;
    formattedText = isoSeconds(date);
  }
  return formattedText;
}

function explainUnusableToken(ctx: AppContext, hash: string): TokenCheck {
  const token = ctx.db.tokens.findByHash(hash);
  const newTokenUrl = `${ctx.config.publicUrl}/settings/tokens/new`;
  if (!token) {
    return { ok: false, status: 403, cause: "unknown", reason: `this token is not known to this registry; create one at ${newTokenUrl}` };
  }
  if (token.revokedAt) {
    return { ok: false, status: 403, cause: "revoked", tokenId: token.id, reason: `this token was revoked on ${token.revokedAt}; create a new one at ${newTokenUrl}?from=${token.id}` };
  }
  return { ok: false, status: 403, cause: "expired", tokenId: token.id, reason: `this token expired on ${token.expiresAt}; create a new one at ${newTokenUrl}?from=${token.id}` };
}

function refuse(ctx: AppContext, req: IncomingMessage, status: number, reason: string, cause: string, tokenId?: number, headers: Record<string, string> = {}): HttpError {
  noteIdentity(req, { tokenId, authFailure: cause });
  ctx.logger.info("request refused", { cause, tokenId, path: req.url?.split("?")[0] });
  return new HttpError(status, reason, headers);
}

/**
 * Authenticates a cargo write by its API token and checks endpoint and crate scopes.
 * Throws 401 for a missing or malformed token, 403 for an unusable token or one that is too narrow.
 * Ownership is a separate check (`requireOwner`).
 */
export function requireToken(ctx: AppContext, req: IncomingMessage, need: TokenRequirement): TokenAuth {
  const auth = authenticateToken(ctx, req);
  requireScopes(ctx, req, auth, need);
  return auth;
}

/**
 * The first half of `requireToken`, for publish: the token must be usable before the body is read,
 * but the scope it needs depends on the crate named inside the body.
 */
export function authenticateToken(ctx: AppContext, req: IncomingMessage): TokenAuth {
  const check = checkToken(ctx, req);
  if (!check.ok) throw refuse(ctx, req, check.status, check.reason, check.cause, check.tokenId);
  noteIdentity(req, { userId: check.auth.user.id, tokenId: check.auth.token.id });
  return check.auth;
}

/** The second half of `requireToken`: throws 403 naming the missing scope or the patterns that exclude the crate. */
export function requireScopes(ctx: AppContext, req: IncomingMessage, auth: TokenAuth, need: TokenRequirement): void {
  const { token } = auth;
  if (need.scope && !endpointScopeAllows(token.endpointScopes, need.scope)) {
    const has = token.endpointScopes.length ? token.endpointScopes.join(", ") : "none";
    throw refuse(ctx, req, 403, `this token lacks the \`${need.scope}\` scope (it has: ${has})`, "endpoint-scope", token.id);
  }
  if (!crateScopeAllows(token.crateScopes, need.crate)) {
    const patterns = (token.crateScopes ?? []).map((p) => `\`${p}\``).join(", ");
    const reason =
      need.crate === undefined
        ? `this token is limited to crates matching ${patterns}, and this action does not concern a single crate`
        : `this token is limited to crates matching ${patterns}, which does not include \`${need.crate}\``;
    throw refuse(ctx, req, 403, reason, "crate-scope", token.id);
  }
}

/**
 * Authenticates a read (index, download, search, crate info). When the registry is public it
 * returns undefined without looking at credentials; when `AUTH_REQUIRED` is on it needs a usable
 * token (any scopes) or a signed-in browser session, and otherwise throws 401 with cargo's
 * `WWW-Authenticate` challenge and the precise reason, so cargo says "token rejected" and prints why.
 */
export function authenticateRead(ctx: AppContext, req: IncomingMessage): Authentication | undefined {
  if (!ctx.config.authRequired) return undefined;
  if (req.headers.authorization === undefined) {
    const user = findSessionUser(ctx, req);
    if (user) {
      noteIdentity(req, { userId: user.id });
      return { kind: "session", user };
    }
  }
  const check = checkToken(ctx, req);
  if (!check.ok) {
    const reason =
      check.cause === "missing"
        ? `this registry is private: reading it needs an API token; create one at ${ctx.config.publicUrl}/settings/tokens/new and run \`cargo login --registry ${ctx.config.registryName}\``
        : check.reason;
    throw refuse(ctx, req, 401, reason, check.cause, check.tokenId, { "WWW-Authenticate": `Cargo login_url="${ctx.config.publicUrl}/me"` });
  }
  noteIdentity(req, { userId: check.auth.user.id, tokenId: check.auth.token.id });
  return check.auth;
}

/** Throws 403 unless `user` owns the crate. Separate from scopes: a scope never grants what the user could not do. */
export function requireOwner(ctx: AppContext, user: User, crate: { id: number; name: string }): void {
  if (!ctx.db.crates.isOwner(crate.id, user.id)) {
    throw forbidden(`you are not an owner of crate \`${crate.name}\``);
  }
}

