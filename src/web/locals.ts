// What the web face keeps on `res.locals` for one request: the signed-in user and session (if any),
// the CSRF token forms must carry, and the site-wide values every page shows.
import type { Response } from "express";
import type { Session } from "../db/sessions.js";
import type { User } from "../db/users.js";

export interface Site {
  registryName: string;
  publicUrl: string;
  authRequired: boolean;
  /** URLs of the stylesheet and script, with a content hash so they can be cached for long. */
  assets: { css: string; js: string };
}

export interface WebLocals {
  site: Site;
  user?: User;
  session?: Session;
  /** The session's CSRF token, or the signed-out visitor's (double-submit cookie). */
  csrfToken: string;
  /** The request carried a session cookie that no longer names a usable session. */
  staleSession?: boolean;
}

export const web = (res: Response): WebLocals => res.locals as WebLocals;

/** The signed-in user; only call behind `requireLogin`. */
export function currentUser(res: Response): User {
  const { user } = web(res);
  if (!user) throw new Error("currentUser() called on a route without requireLogin");
  return user;
}

/** The signed-in session; only call behind `requireLogin`. */
export function currentSession(res: Response): Session {
  const { session } = web(res);
  if (!session) throw new Error("currentSession() called on a route without requireLogin");
  return session;
}
