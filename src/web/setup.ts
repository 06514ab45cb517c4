// First run: while there are no users, the server prints a one-time link whose page creates the
// first administrator. Only the link's hash is stored; the link dies once any user exists.
import type { Request, Response } from "express";
import { hashPassword } from "../auth/passwords.js";
import { hashSecret, randomSecret } from "../auth/sessions.js";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { isoSeconds } from "../time.js";
import { displayNameProblem, emailProblem, field, hasErrors, loginProblem, newPasswordErrors, orNull, pathParam, type FieldErrors } from "./forms.js";
import { redirectWithFlash, renderPage } from "./render.js";
import { signIn } from "./session.js";

const INVALID_LINK = "This setup link is not valid: it was already used, or the server has printed a newer one since.";

/**
 * When the registry has no users, makes a new one-time setup token (replacing any earlier one) and
 * returns the link to print; undefined when users exist.
 */
export function createSetupLink(ctx: AppContext): string | undefined {
  if (ctx.db.users.count() > 0) {
    ctx.db.sessions.deleteSetupTokens();
    return undefined;
  }
  const token = randomSecret();
  ctx.db.sessions.replaceSetupToken(hashSecret(token), isoSeconds(ctx.now()));
  return `${ctx.config.publicUrl}/setup/${token}`;
}

function requireValidLink(ctx: AppContext, req: Request): void {
  if (ctx.db.users.count() > 0 || !ctx.db.sessions.hasSetupToken(hashSecret(pathParam(req, "token")))) throw notFound(INVALID_LINK);
}

interface SetupForm {
  login: string;
  name: string;
  email: string;
  password: string;
  confirmation: string;
}

async function renderSetupPage(res: Response, form: SetupForm, errors: FieldErrors = {}): Promise<void> {
  await renderPage(res, "setup", { title: "Create the administrator account", form: { ...form, password: "", confirmation: "" }, errors });
}

export async function showSetupPage(ctx: AppContext, req: Request, res: Response): Promise<void> {
  requireValidLink(ctx, req);
  await renderSetupPage(res, { login: "", name: "", email: "", password: "", confirmation: "" });
}

export async function createFirstAdmin(ctx: AppContext, req: Request, res: Response): Promise<void> {
  requireValidLink(ctx, req);
  const form: SetupForm = {
    login: field(req, "login"),
    name: field(req, "name"),
    email: field(req, "email"),
    password: field(req, "password", true),
    confirmation: field(req, "confirmation", true),
  };
  const errors: FieldErrors = {
    login: loginProblem(form.login),
    name: displayNameProblem(form.name),
    email: emailProblem(form.email),
    ...newPasswordErrors(form.password, form.confirmation),
  };
  if (hasErrors(errors)) {
    res.status(422);
    return renderSetupPage(res, form, errors);
  }
  const passwordHash = await hashPassword(form.password, ctx.config.bcryptCost);
  const now = isoSeconds(ctx.now());
  const userId = ctx.db.transaction(() => {
    // Checked again inside the transaction: two people may have opened the link at once.
    requireValidLink(ctx, req);
    const id = ctx.db.users.create({ login: form.login, name: orNull(form.name), email: orNull(form.email), passwordHash, isAdmin: true, createdAt: now });
    ctx.db.audit.record({ action: "user-create", userId: id, tokenId: null, detail: { login: form.login, admin: true, via: "setup" }, createdAt: now });
    ctx.db.sessions.deleteSetupTokens();
    return id;
  });
  signIn(ctx, req, res, ctx.db.users.findById(userId)!);
  redirectWithFlash(ctx, res, "/settings/tokens", "success", `Welcome, ${form.login}! Your administrator account is ready. Next, create an API token for cargo.`);
}
