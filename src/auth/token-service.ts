// Creating and revoking API tokens, with their audit entries. Used by the CLI, the web pages and the
// token JSON API, after they have validated the request (token-request.ts).
import type { AppContext } from "../context.js";
import type { ApiToken } from "../db/tokens.js";
import { isoSeconds } from "../time.js";
import type { TokenRequest } from "./token-request.js";
import { generateToken, hashToken } from "./tokens.js";

/** Stores a new token for `userId` and returns it with its plaintext, which is never available again. */
export function createApiToken(ctx: AppContext, userId: number, request: TokenRequest): { token: ApiToken; plaintext: string } {
  const plaintext = generateToken();
  const now = isoSeconds(ctx.now());
  const id = ctx.db.transaction(() => {
    const id = ctx.db.tokens.create({
      userId,
      name: request.name,
      tokenHash: hashToken(plaintext),
      endpointScopes: request.endpointScopes,
      crateScopes: request.crateScopes,
      createdAt: now,
      // Stored to the second, like every timestamp; round up so the token never expires early.
      expiresAt: request.expiresAt ? isoSeconds(new Date(Math.ceil(request.expiresAt.getTime() / 1000) * 1000)) : null,
    });
    ctx.db.audit.record({ action: "token-create", userId, tokenId: id, detail: { name: request.name }, createdAt: now });
    return id;
  });
  return { token: ctx.db.tokens.findById(id)!, plaintext };
}

/** Revokes a token (soft delete); false when it was already revoked. `byUserId` is who asked. */
export function revokeApiToken(ctx: AppContext, token: ApiToken, byUserId: number | null): boolean {
  const now = isoSeconds(ctx.now());
  return ctx.db.transaction(() => {
    const revoked = ctx.db.tokens.revoke(token.id, now);
    if (revoked) ctx.db.audit.record({ action: "token-revoke", userId: byUserId, tokenId: token.id, detail: { name: token.name }, createdAt: now });
    return revoked;
  });
}

/** The state of a token at `now`, for listings. */
export function tokenState(token: ApiToken, now: Date): "active" | "expired" | "revoked" {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && token.expiresAt <= isoSeconds(now)) return "expired";
  return "active";
}
