// DELETE /api/v1/tokens/current: whoever holds a token can revoke it, whatever its scopes, so a
// leaked token can be killed by whoever finds it (crates.io refuses scoped tokens here; we do not).
import type { Request, Response } from "express";
import { authenticateToken } from "../auth/authorize.js";
import type { AppContext } from "../context.js";
import { revokeApiToken } from "../auth/token-service.js";

export function revokeCurrentToken(ctx: AppContext, req: Request, res: Response): void {
  const auth = authenticateToken(ctx, req);
  revokeApiToken(ctx, auth.token, auth.user.id);
  res.status(204).end();
}
