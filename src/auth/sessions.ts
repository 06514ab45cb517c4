// Browser sessions: a random id in an HTTP-only cookie, only its SHA-256 in the database. Lives
// beside token lookup because the cargo API and the token JSON API accept a signed-in browser too.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { parseCookie } from "cookie";
import type { AppContext } from "../context.js";
import type { Session } from "../db/sessions.js";
import type { User } from "../db/users.js";
import { isoSeconds } from "../time.js";

export const SESSION_COOKIE = "cargohold_session";

// Why these limits: a session left open on a shared machine dies after two days without use, and
// even a session in daily use is renewed by signing in again every two weeks.
export const SESSION_MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;
export const SESSION_IDLE_MS = 2 * 24 * 60 * 60 * 1000;
// last_seen_at is written at most this often, so reading pages does not mean writing the database.
const TOUCH_EVERY_MS = 60 * 1000;

export interface SignedIn {
  session: Session;
  user: User;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** 32 random bytes, base64url: used for session ids and CSRF tokens. */
export const randomSecret = () => randomBytes(32).toString("base64url");

/** The value of cookie `name` in the request's Cookie header, if any. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  try {
    return parseCookie(header)[name];
  } catch {
    return undefined;
  }
}

/** Starts a session for `user` and returns the id to put in the cookie (never stored as is). */
export function createSession(ctx: AppContext, user: User): { id: string; session: Session } {
  const id = randomSecret();
  const now = ctx.now();
  ctx.db.sessions.deleteStale(isoSeconds(now), isoSeconds(new Date(now.getTime() - SESSION_IDLE_MS)));
  const fields = {
    idHash: sha256(id),
    userId: user.id,
    csrfToken: randomSecret(),
    createdAt: isoSeconds(now),
    expiresAt: isoSeconds(new Date(now.getTime() + SESSION_MAX_AGE_MS)),
  };
  ctx.db.sessions.create(fields);
  return { id, session: { ...fields, lastSeenAt: fields.createdAt } };
}

/**
 * The session named by the request's cookie and its user, when the session is neither past its end
 * nor idle too long and the user is enabled; records the visit. Undefined otherwise.
 */
export function findSession(ctx: AppContext, req: IncomingMessage): SignedIn | undefined {
  const id = readCookie(req, SESSION_COOKIE);
  if (!id) return undefined;
  const now = ctx.now();
  const session = ctx.db.sessions.findActive(sha256(id), isoSeconds(now), isoSeconds(new Date(now.getTime() - SESSION_IDLE_MS)));
  if (!session) return undefined;
  const user = ctx.db.users.findById(session.userId);
  if (!user || user.disabledAt) return undefined;
  if (now.getTime() - Date.parse(session.lastSeenAt) >= TOUCH_EVERY_MS) ctx.db.sessions.touch(session.idHash, isoSeconds(now));
  return { session, user };
}

/** The signed-in user of a browser request, or undefined (for the cargo API's private reads). */
export function findSessionUser(ctx: AppContext, req: IncomingMessage): User | undefined {
  return findSession(ctx, req)?.user;
}

/** Ends the session named by the request's cookie, if any (sign-out, or a new sign-in replacing it). */
export function destroySession(ctx: AppContext, req: IncomingMessage): void {
  const id = readCookie(req, SESSION_COOKIE);
  if (id) ctx.db.sessions.delete(sha256(id));
}

/** SHA-256 hex of a secret (session ids, setup tokens). */
export const hashSecret = sha256;

/** True when `sent` (a form field or header) equals the CSRF token `expected`, compared in constant time. */
export function sameSecret(sent: unknown, expected: string): boolean {
  if (typeof sent !== "string" || sent.length === 0) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
