// Signing in and out: showLoginPage, login, logout. A failed sign-in never says whether the login
// exists; a disabled account is named only to someone who gave its correct password.
import type { Request, Response } from "express";
import { hashPassword, verifyPassword } from "../auth/passwords.js";
import { randomSecret } from "../auth/sessions.js";
import type { AppContext } from "../context.js";
import { web } from "./locals.js";
import { redirectWithFlash, renderPage } from "./render.js";
import { signIn, signOut } from "./session.js";

// Compared against when the login does not exist, so that case takes as long as a wrong password.
const dummyHashes = new Map<number, Promise<string>>();
function dummyHash(cost: number): Promise<string> {
  let hash = dummyHashes.get(cost);
  if (!hash) dummyHashes.set(cost, (hash = hashPassword(randomSecret(), cost)));
  return hash;
}

/** The local path to go to after sign-in: `next` when it is a path on this site, else `/`. */
export function safeNext(next: unknown): string {
  if (typeof next !== "string" || next.length > 2000) return "/";
  // A path, not "//host" or "/\host" (which browsers treat as another site), and no control characters.
  if (!/^\/(?![/\\])[^\s\x00-\x1f\x7f]*$/.test(next)) return "/";
  return next;
}

export async function renderLoginPage(res: Response, form: { login: string; next?: string; error?: string }): Promise<void> {
  await renderPage(res, "login", { title: "Sign in", login: form.login, next: safeNext(form.next ?? res.req.query.next), formError: form.error });
}

export async function showLoginPage(_ctx: AppContext, req: Request, res: Response): Promise<void> {
  if (web(res).user) return res.redirect(302, safeNext(req.query.next));
  await renderLoginPage(res, { login: "" });
}

export async function login(ctx: AppContext, req: Request, res: Response): Promise<void> {
  const body = req.body as Record<string, unknown>;
  const loginName = typeof body.login === "string" ? body.login.trim() : "";
  const password = typeof body.password === "string" ? body.password : "";
  const next = safeNext(body.next);
  const user = loginName ? ctx.db.users.findByLogin(loginName) : undefined;
  const passwordOk = await verifyPassword(password, user?.passwordHash ?? (await dummyHash(ctx.config.bcryptCost)));
  if (!user || !passwordOk) {
    res.status(422);
    return renderLoginPage(res, { login: loginName, next, error: "Incorrect login or password." });
  }
  if (user.disabledAt) {
    res.status(403);
    return renderLoginPage(res, { login: loginName, next, error: "This account is disabled. Ask an administrator to enable it." });
  }
  signIn(ctx, req, res, user);
  redirectWithFlash(ctx, res, next, "success", `Signed in as ${user.login}.`);
}

export function logout(ctx: AppContext, req: Request, res: Response): void {
  signOut(ctx, req, res);
  redirectWithFlash(ctx, res, "/login", "info", "You have been signed out.");
}
