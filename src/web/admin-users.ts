// Admin pages for accounts: showUsersPage, showNewUserPage, createUser.
import type { Request, Response } from "express";
import { hashPassword } from "../auth/passwords.js";
import { tokenState } from "../auth/token-service.js";
import type { AppContext } from "../context.js";
import { isoSeconds } from "../time.js";
import { checked, displayNameProblem, emailProblem, field, hasErrors, loginProblem, newPasswordErrors, orNull, type FieldErrors } from "./forms.js";
import { currentUser } from "./locals.js";
import { redirectWithFlash, renderPage } from "./render.js";

export async function showUsersPage(ctx: AppContext, _req: Request, res: Response): Promise<void> {
  const now = ctx.now();
  const users = ctx.db.users.list().map((user) => ({
    user,
    activeTokens: ctx.db.tokens.listForUser(user.id).filter((t) => tokenState(t, now) === "active").length,
  }));
  await renderPage(res, "admin/users", { title: "Users", users, me: currentUser(res) });
}

interface NewUserForm {
  login: string;
  name: string;
  email: string;
  password: string;
  confirmation: string;
  admin: boolean;
}

async function renderNewUserPage(res: Response, form: NewUserForm, errors: FieldErrors = {}): Promise<void> {
  await renderPage(res, "admin/new-user", { title: "Add a user", form: { ...form, password: "", confirmation: "" }, errors });
}

export async function showNewUserPage(_ctx: AppContext, _req: Request, res: Response): Promise<void> {
  await renderNewUserPage(res, { login: "", name: "", email: "", password: "", confirmation: "", admin: false });
}

export async function createUser(ctx: AppContext, req: Request, res: Response): Promise<void> {
  const form: NewUserForm = {
    login: field(req, "login"),
    name: field(req, "name"),
    email: field(req, "email"),
    password: field(req, "password", true),
    confirmation: field(req, "confirmation", true),
    admin: checked(req, "admin"),
  };
  const errors: FieldErrors = {
    login: loginProblem(form.login) ?? (ctx.db.users.findByLogin(form.login) ? `A user with the login “${form.login}” already exists.` : undefined),
    name: displayNameProblem(form.name),
    email: emailProblem(form.email),
    ...newPasswordErrors(form.password, form.confirmation),
  };
  if (hasErrors(errors)) {
    res.status(422);
    return renderNewUserPage(res, form, errors);
  }
  const passwordHash = await hashPassword(form.password, ctx.config.bcryptCost);
  const now = isoSeconds(ctx.now());
  const admin = currentUser(res);
  ctx.db.transaction(() => {
    const id = ctx.db.users.create({ login: form.login, name: orNull(form.name), email: orNull(form.email), passwordHash, isAdmin: form.admin, createdAt: now });
    ctx.db.audit.record({ action: "user-create", userId: admin.id, tokenId: null, detail: { login: form.login, id, admin: form.admin, via: "web" }, createdAt: now });
  });
  redirectWithFlash(ctx, res, "/admin/users", "success", `The user ${form.login} has been added. Give them their password; they can change it under Account.`);
}
