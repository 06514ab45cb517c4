// DELETE /api/v1/tokens/current: whoever holds a token can revoke it, whatever its scopes, so a
// leaked token can be killed by whoever finds it (crates.io refuses scoped tokens here; we do not).
import type { Request, Response } from "express";
import { authenticateToken } from "../auth/authorize.js";
import type { AppContext } from "../context.js";
import { isoSeconds } from "../time.js";

export function revokeCurrentToken(ctx: AppContext, req: Request, res: Response): void {
  const auth = authenticateToken(ctx, req);
  const now = isoSeconds(ctx.now());
  ctx.db.transaction(() => {
    ctx.db.tokens.revoke(auth.token.id, now);
    ctx.db.audit.record({ action: "token-revoke", userId: auth.user.id, tokenId: auth.token.id, detail: { name: auth.token.name, by: "self" }, createdAt: now });
  });
  res.status(204).end();
}
