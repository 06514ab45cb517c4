// Account settings: showProfilePage, updateProfile (display name, email), changePassword.
import type { Request, Response } from "express";
import { hashPassword, verifyPassword } from "../auth/passwords.js";
import type { AppContext } from "../context.js";
import { displayNameProblem, emailProblem, field, hasErrors, newPasswordErrors, orNull, type FieldErrors } from "./forms.js";
import { currentSession, currentUser } from "./locals.js";
import { redirectWithFlash, renderPage } from "./render.js";

interface ProfilePage {
  profile?: { name: string; email: string };
  profileErrors?: FieldErrors;
  passwordErrors?: FieldErrors;
}

async function renderProfilePage(res: Response, page: ProfilePage = {}): Promise<void> {
  const user = currentUser(res);
  await renderPage(res, "profile", {
    title: "Account settings",
    profile: page.profile ?? { name: user.name ?? "", email: user.email ?? "" },
    profileErrors: page.profileErrors ?? {},
    passwordErrors: page.passwordErrors ?? {},
  });
}

export async function showProfilePage(_ctx: AppContext, _req: Request, res: Response): Promise<void> {
  await renderProfilePage(res);
}

export async function updateProfile(ctx: AppContext, req: Request, res: Response): Promise<void> {
  const user = currentUser(res);
  const profile = { name: field(req, "name"), email: field(req, "email") };
  const errors = { name: displayNameProblem(profile.name), email: emailProblem(profile.email) };
  if (hasErrors(errors)) {
    res.status(422);
    return renderProfilePage(res, { profile, profileErrors: errors });
  }
  ctx.db.users.updateProfile(user.id, orNull(profile.name), orNull(profile.email));
  redirectWithFlash(ctx, res, "/settings/profile", "success", "Your profile has been saved.");
}

/** Needs the current password; keeps this session and signs out every other one. */
export async function changePassword(ctx: AppContext, req: Request, res: Response): Promise<void> {
  const user = currentUser(res);
  const current = field(req, "current_password", true);
  const password = field(req, "password", true);
  const confirmation = field(req, "confirmation", true);
  const errors: FieldErrors = current === "" ? { current_password: "Please enter your current password." } : {};
  if (!errors.current_password && !(await verifyPassword(current, user.passwordHash))) {
    errors.current_password = "The current password is not correct.";
  }
  Object.assign(errors, newPasswordErrors(password, confirmation));
  if (hasErrors(errors)) {
    res.status(422);
    return renderProfilePage(res, { passwordErrors: errors });
  }
  const passwordHash = await hashPassword(password, ctx.config.bcryptCost);
  ctx.db.transaction(() => {
    ctx.db.users.updatePassword(user.id, passwordHash);
    ctx.db.sessions.deleteOthersOfUser(user.id, currentSession(res).idHash);
  });
  redirectWithFlash(ctx, res, "/settings/profile", "success", "Your password has been changed. Other browsers signed in to your account have been signed out.");
}
