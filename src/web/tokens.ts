// The token list and revoking: showTokensPage, revokeToken.
import type { Request, Response } from "express";
import { revokeApiToken } from "../auth/token-service.js";
import type { AppContext } from "../context.js";
import type { ApiToken } from "../db/tokens.js";
import type { User } from "../db/users.js";
import { notFound } from "../errors.js";
import { parseId } from "./forms.js";
import { currentUser } from "./locals.js";
import { redirectWithFlash, renderPage } from "./render.js";
import { EXPIRES_SOON_DAYS, listedTokens } from "./token-list.js";

/** The user's own token with this id (revoked and expired ones included), or 404 "Token not found". */
export function findOwnToken(ctx: AppContext, user: User, id: unknown): ApiToken {
  const tokenId = parseId(id);
  const token = tokenId === undefined ? undefined : ctx.db.tokens.findById(tokenId);
  if (!token || token.userId !== user.id) throw notFound("Token not found.");
  return token;
}

export async function showTokensPage(ctx: AppContext, _req: Request, res: Response): Promise<void> {
  const user = currentUser(res);
  const items = listedTokens(ctx.db.tokens.listForUser(user.id), ctx.now());
  await renderPage(res, "tokens/index", {
    title: "API Tokens",
    items,
    expiringSoon: items.filter((i) => i.expiresSoon),
    expiresSoonDays: EXPIRES_SOON_DAYS,
  });
}

export function revokeToken(ctx: AppContext, req: Request, res: Response): void {
  const token = findOwnToken(ctx, currentUser(res), req.params.id);
  const revoked = revokeApiToken(ctx, token, token.userId);
  const text = revoked
    ? `The token “${token.name}” has been revoked. cargo commands using it will now be refused.`
    : `The token “${token.name}” was already revoked.`;
  redirectWithFlash(ctx, res, "/settings/tokens", revoked ? "success" : "info", text);
}
