// Admin actions on one account: disableUser (its tokens and sessions stop at once), enableUser,
// showResetPasswordPage, resetPassword.
import type { Request, Response } from "express";
import { hashPassword } from "../auth/passwords.js";
import type { AppContext } from "../context.js";
import type { User } from "../db/users.js";
import { notFound } from "../errors.js";
import { isoSeconds } from "../time.js";
import { field, hasErrors, newPasswordErrors, parseId, pathParam } from "./forms.js";
import { currentSession, currentUser } from "./locals.js";
import { redirectWithFlash, renderPage } from "./render.js";

function findUser(ctx: AppContext, req: Request): User {
  const id = parseId(pathParam(req, "id"));
  const user = id === undefined ? undefined : ctx.db.users.findById(id);
  if (!user) throw notFound("User not found.");
  return user;
}

/** Disables the account, revokes all its tokens and ends all its sessions, in one transaction. */
export function disableUser(ctx: AppContext, req: Request, res: Response): void {
  const user = findUser(ctx, req);
  const admin = currentUser(res);
  if (user.id === admin.id) {
    return redirectWithFlash(ctx, res, "/admin/users", "error", "You cannot disable your own account.");
  }
  if (user.disabledAt) return redirectWithFlash(ctx, res, "/admin/users", "info", `${user.login} was already disabled.`);
  const now = isoSeconds(ctx.now());
  const revoked = ctx.db.transaction(() => {
    ctx.db.users.setDisabled(user.id, now);
    const count = ctx.db.tokens.revokeAllForUser(user.id, now);
    ctx.db.sessions.deleteForUser(user.id);
    ctx.db.audit.record({ action: "user-disable", userId: admin.id, tokenId: null, detail: { login: user.login, id: user.id, tokensRevoked: count }, createdAt: now });
    return count;
  });
  const tokens = revoked === 1 ? "1 API token was" : `${revoked} API tokens were`;
  redirectWithFlash(ctx, res, "/admin/users", "success", `${user.login} has been disabled: they are signed out and ${tokens} revoked.`);
}

export function enableUser(ctx: AppContext, req: Request, res: Response): void {
  const user = findUser(ctx, req);
  if (!user.disabledAt) return redirectWithFlash(ctx, res, "/admin/users", "info", `${user.login} was already enabled.`);
  const now = isoSeconds(ctx.now());
  ctx.db.transaction(() => {
    ctx.db.users.setDisabled(user.id, null);
    ctx.db.audit.record({ action: "user-enable", userId: currentUser(res).id, tokenId: null, detail: { login: user.login, id: user.id }, createdAt: now });
  });
  redirectWithFlash(ctx, res, "/admin/users", "success", `${user.login} has been enabled. Their old API tokens stay revoked; they can sign in and create new ones.`);
}

export async function showResetPasswordPage(ctx: AppContext, req: Request, res: Response): Promise<void> {
  await renderPage(res, "admin/password", { title: "Reset a password", target: findUser(ctx, req), errors: {} });
}

/** Sets a new password and ends the user's sessions; their API tokens keep working. */
export async function resetPassword(ctx: AppContext, req: Request, res: Response): Promise<void> {
  const user = findUser(ctx, req);
  const password = field(req, "password", true);
  const errors = newPasswordErrors(password, field(req, "confirmation", true));
  if (hasErrors(errors)) {
    res.status(422);
    return renderPage(res, "admin/password", { title: "Reset a password", target: user, errors });
  }
  const passwordHash = await hashPassword(password, ctx.config.bcryptCost);
  const now = isoSeconds(ctx.now());
  const admin = currentUser(res);
  ctx.db.transaction(() => {
    ctx.db.users.updatePassword(user.id, passwordHash);
    // An administrator resetting their own password stays signed in here.
    if (user.id === admin.id) ctx.db.sessions.deleteOthersOfUser(user.id, currentSession(res).idHash);
    else ctx.db.sessions.deleteForUser(user.id);
    ctx.db.audit.record({ action: "password-reset", userId: admin.id, tokenId: null, detail: { login: user.login, id: user.id }, createdAt: now });
  });
  redirectWithFlash(ctx, res, "/admin/users", "success", `The password of ${user.login} has been reset and they have been signed out everywhere.`);
}
