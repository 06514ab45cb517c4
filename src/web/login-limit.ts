// Limits failed sign-ins, per account and per network address, so passwords cannot be guessed at
// speed. Only failures count (a successful sign-in is not held against anyone), and the same limit
// applies whether or not the login exists, so the message reveals nothing about accounts.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { rateLimit, type Options } from "express-rate-limit";
import { renderLoginPage } from "./login.js";

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_LOGIN = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

function minutesLeft(req: Request): number {
  const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
  const ms = reset ? reset.getTime() - Date.now() : LOGIN_WINDOW_MS;
  return Math.max(1, Math.ceil(ms / 60_000));
}

function refuse(what: string) {
  return async (req: Request, res: Response, _next: NextFunction, _options: Options): Promise<void> => {
    const minutes = minutesLeft(req);
    const error = `Too many failed sign-in attempts ${what}; try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
    res.status(429);
    await renderLoginPage(res, { login: String((req.body as { login?: unknown })?.login ?? ""), error });
  };
}

/** The two limiters to put before the login handler: per address, then per login name. */
export function loginLimiters(): RequestHandler[] {
  const common = {
    windowMs: LOGIN_WINDOW_MS,
    skipSuccessfulRequests: true,
    standardHeaders: "draft-8" as const,
    legacyHeaders: false,
  };
  return [
    rateLimit({ ...common, limit: MAX_FAILURES_PER_ADDRESS, identifier: "login-address", handler: refuse("from your network address") }),
    rateLimit({
      ...common,
      limit: MAX_FAILURES_PER_LOGIN,
      identifier: "login-account",
      keyGenerator: (req) => `login:${String((req.body as { login?: unknown })?.login ?? "").trim().toLowerCase()}`,
      handler: refuse("for this account"),
    }),
  ];
}
