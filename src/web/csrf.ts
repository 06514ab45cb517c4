// CSRF protection for every form: each page embeds the session's token (or, before sign-in, the
// token of the visitor's cookie) in a hidden `csrf` field, and every POST must send it back.
import type { NextFunction, Request, Response } from "express";
import { sameSecret } from "../auth/sessions.js";
import { forbidden } from "../errors.js";
import { web } from "./locals.js";

export const CSRF_MESSAGE =
  "This form could not be verified: its security token is missing or out of date. " +
  "The page may have been open for a long time, or you may have signed in or out elsewhere. " +
  "Go back, reload the page and try again.";

/** Refuses (403) any state-changing request whose `csrf` field does not match. */
export function verifyCsrf(req: Request, res: Response, next: NextFunction): void {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
  // Signing out when already signed out (an expired session) changes nothing: no token needed.
  if (req.path === "/logout" && !web(res).user) return next();
  const body = req.body as Record<string, unknown> | undefined;
  if (!sameSecret(body?.csrf, web(res).csrfToken)) throw forbidden(CSRF_MESSAGE);
  next();
}
