// The web face's side of sessions: reading the cookie into res.locals on each request, signing in
// and out, and the guards pages put in front of their handlers.
import type { NextFunction, Request, Response } from "express";
import { createSession, destroySession, findSession, randomSecret, readCookie, SESSION_COOKIE, SESSION_MAX_AGE_MS } from "../auth/sessions.js";
import type { AppContext } from "../context.js";
import type { User } from "../db/users.js";
import { forbidden } from "../errors.js";
import { noteIdentity } from "../request-identity.js";
import { web } from "./locals.js";
import { cookieOptions, setFlash } from "./render.js";

/** Holds the CSRF token of a visitor who is not signed in (login and setup forms). */
export const ANON_CSRF_COOKIE = "cargohold_csrf";

/** Puts the signed-in user, session and CSRF token on res.locals (every web request). */
export const loadSession = (ctx: AppContext) => (req: Request, res: Response, next: NextFunction): void => {
  const locals = web(res);
  const signedIn = findSession(ctx, req);
  if (signedIn) {
    locals.user = signedIn.user;
    locals.session = signedIn.session;
    locals.csrfToken = signedIn.session.csrfToken;
    noteIdentity(req, { userId: signedIn.user.id });
    return next();
  }
  if (readCookie(req, SESSION_COOKIE) !== undefined) {
    locals.staleSession = true;
    res.clearCookie(SESSION_COOKIE, { path: "/" });
  }
  let anonymous = readCookie(req, ANON_CSRF_COOKIE);
  if (!anonymous || !/^[A-Za-z0-9_-]{43}$/.test(anonymous)) {
    anonymous = randomSecret();
    res.cookie(ANON_CSRF_COOKIE, anonymous, cookieOptions(ctx));
  }
  locals.csrfToken = anonymous;
  next();
};

/** Replaces any current session with a new one for `user` (a fresh id at every sign-in). */
export function signIn(ctx: AppContext, req: Request, res: Response, user: User): void {
  destroySession(ctx, req);
  const { id } = createSession(ctx, user);
  res.cookie(SESSION_COOKIE, id, { ...cookieOptions(ctx), maxAge: SESSION_MAX_AGE_MS });
}

/** Deletes the session server-side and clears the cookie. */
export function signOut(ctx: AppContext, req: Request, res: Response): void {
  destroySession(ctx, req);
  res.clearCookie(SESSION_COOKIE, { path: "/" });
}

/** Sends visitors who are not signed in to the login page, back here afterwards. */
export const requireLogin = (ctx: AppContext) => (req: Request, res: Response, next: NextFunction): void => {
  if (web(res).user) return next();
  if (web(res).staleSession) setFlash(ctx, res, "info", "Your session has expired. Please sign in again.");
  res.redirect(302, `/login?next=${encodeURIComponent(req.originalUrl)}`);
};

/** Admin pages: sign in first, then 403 for everyone but administrators. */
export const requireAdmin = (ctx: AppContext) => (req: Request, res: Response, next: NextFunction): void => {
  requireLogin(ctx)(req, res, () => {
    if (!web(res).user?.isAdmin) throw forbidden("This page is only for administrators.");
    next();
  });
};

/** Crate pages: public unless AUTH_REQUIRED is on. */
export const requireReadAccess = (ctx: AppContext) => (req: Request, res: Response, next: NextFunction): void => {
  if (!ctx.config.authRequired) return next();
  requireLogin(ctx)(req, res, next);
};
