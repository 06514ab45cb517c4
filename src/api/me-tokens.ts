// The token JSON API with crates.io's shapes: PUT /api/v1/me/tokens, GET /api/v1/me/tokens
// [?expired_days=N], GET|DELETE /api/v1/me/tokens/:id. For a signed-in browser only: cross-site
// requests are refused, writes need the session's CSRF token in `X-CSRF-Token`, and an API token can
// never create (or list, or revoke) tokens.
import express, { Router, type Request, type Response } from "express";
import { tokenRequestProblems, normaliseTokenRequest, parseExpiry } from "../auth/token-request.js";
import { createApiToken, revokeApiToken } from "../auth/token-service.js";
import { findSession, sameSecret, type SignedIn } from "../auth/sessions.js";
import type { AppContext } from "../context.js";
import type { ApiToken } from "../db/tokens.js";
import { badRequest, forbidden, notFound, unprocessable } from "../errors.js";
import { noteIdentity } from "../request-identity.js";
import { bindContext, param } from "./handler.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export function meTokenRoutes(ctx: AppContext): Router {
  const r = Router();
  const h = bindContext(ctx);
  const json = express.json({ type: () => true, limit: "16kb" });
  r.put("/api/v1/me/tokens", json, h(createMeToken));
  r.get("/api/v1/me/tokens", h(listMeTokens));
  r.get("/api/v1/me/tokens/:id", h(getMeToken));
  r.delete("/api/v1/me/tokens/:id", h(deleteMeToken));
  return r;
}

/** crates.io's token shape; the plaintext is added only in the create response. */
function tokenJson(t: ApiToken) {
  return {
    id: t.id,
    name: t.name,
    created_at: t.createdAt,
    last_used_at: t.lastUsedAt,
    crate_scopes: t.crateScopes,
    endpoint_scopes: t.endpointScopes,
    expired_at: t.expiresAt,
  };
}

/**
 * The signed-in browser behind the request. Throws 403 for a cross-site request, an API token,
 * no session, or (for writes) a missing or wrong `X-CSRF-Token`; 400 for an API token on create.
 */
function requireBrowserSession(ctx: AppContext, req: Request): SignedIn {
  const ownOrigin = new URL(ctx.config.publicUrl).origin;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== ownOrigin) throw forbidden("invalid origin header");
  const fetchSite = req.headers["sec-fetch-site"];
  if (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none") throw forbidden("cross-site requests are not allowed here");
  if (req.headers.authorization !== undefined) {
    if (req.method === "PUT") throw badRequest("cannot use an API token to create a new API token");
    throw forbidden(`API tokens cannot manage API tokens; sign in at ${ctx.config.publicUrl}/login and use the token pages`);
  }
  const signedIn = findSession(ctx, req);
  if (!signedIn) throw forbidden(`this action requires authentication: sign in at ${ctx.config.publicUrl}/login`);
  noteIdentity(req, { userId: signedIn.user.id });
  if (req.method !== "GET" && req.method !== "HEAD" && !sameSecret(req.headers["x-csrf-token"], signedIn.session.csrfToken)) {
    throw forbidden("missing or invalid `X-CSRF-Token` header (the value is in the `csrf-token` meta tag of every page)");
  }
  return signedIn;
}

function stringList(value: unknown, field: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw badRequest(`\`${field}\` must be an array of strings or null`);
  return value;
}

/** PUT /api/v1/me/tokens `{"api_token":{"name","endpoint_scopes","crate_scopes","expired_at"}}`. */
export function createMeToken(ctx: AppContext, req: Request, res: Response): void {
  const { user } = requireBrowserSession(ctx, req);
  const body = req.body as { api_token?: Record<string, unknown> } | undefined;
  const t = body?.api_token;
  if (typeof t !== "object" || t === null || Array.isArray(t)) throw unprocessable("missing field `api_token`: send {\"api_token\":{\"name\":…,\"endpoint_scopes\":[…]}}");
  if (typeof t.name !== "string" || t.name.trim() === "") throw badRequest("name must have a value");
  const now = ctx.now();
  let expiresAt: Date | null = null;
  if (t.expired_at !== undefined && t.expired_at !== null) {
    const parsed = typeof t.expired_at === "string" ? parseExpiry(t.expired_at, now) : undefined;
    if (!parsed) throw badRequest("`expired_at` must be an RFC 3339 timestamp such as 2027-01-31T12:00:00Z, or null");
    expiresAt = parsed;
  }
  const input = { name: t.name, endpointScopes: stringList(t.endpoint_scopes, "endpoint_scopes") ?? [], crateScopes: stringList(t.crate_scopes, "crate_scopes"), expiresAt };
  const problems = tokenRequestProblems(input, now);
  const problem = problems.name ?? problems.endpointScopes ?? problems.crateScopes ?? problems.expiresAt;
  if (problem) throw badRequest(problem);
  const { token, plaintext } = createApiToken(ctx, user.id, normaliseTokenRequest(input));
  res.set("Cache-Control", "no-store").json({ api_token: { ...tokenJson(token), token: plaintext } });
}

/** GET /api/v1/me/tokens: active tokens, newest first; `expired_days=N` adds those expired in the last N days. */
export function listMeTokens(ctx: AppContext, req: Request, res: Response): void {
  const { user } = requireBrowserSession(ctx, req);
  const raw = req.query.expired_days;
  if (raw !== undefined && (typeof raw !== "string" || !/^\d{1,5}$/.test(raw))) throw badRequest("`expired_days` must be a whole number of days");
  const cutoff = ctx.now().getTime() - Number(raw ?? 0) * DAY_MS;
  const tokens = ctx.db.tokens
    .listForUser(user.id)
    .filter((t) => t.revokedAt === null && (t.expiresAt === null || Date.parse(t.expiresAt) > cutoff));
  res.set("Cache-Control", "no-store").json({ api_tokens: tokens.map(tokenJson) });
}

function findOwn(ctx: AppContext, req: Request, userId: number): ApiToken | undefined {
  const id = param(req, "id");
  const token = /^\d{1,15}$/.test(id) ? ctx.db.tokens.findById(Number(id)) : undefined;
  return token && token.userId === userId ? token : undefined;
}

/** GET /api/v1/me/tokens/:id: the user's token whatever its state; 404 for anyone else's. */
export function getMeToken(ctx: AppContext, req: Request, res: Response): void {
  const { user } = requireBrowserSession(ctx, req);
  const token = findOwn(ctx, req, user.id);
  if (!token) throw notFound("Not Found");
  res.set("Cache-Control", "no-store").json({ api_token: tokenJson(token) });
}

/** DELETE /api/v1/me/tokens/:id: revokes the user's token; answers `{}` whatever the id, revealing nothing. */
export function deleteMeToken(ctx: AppContext, req: Request, res: Response): void {
  const { user } = requireBrowserSession(ctx, req);
  const token = findOwn(ctx, req, user.id);
  if (token) revokeApiToken(ctx, token, user.id);
  res.json({});
}
