// One way to answer with a page: renderPage(res, view, locals) adds the user, the CSRF token, the
// title, the site values and the pending flash message, and marks every page uncacheable.
import { join } from "node:path";
import ejs from "ejs";
import type { CookieOptions, Response } from "express";
import type { AppContext } from "../context.js";
import { readCookie } from "../auth/sessions.js";
import { packageRoot } from "../package-root.js";
import { viewHelpers } from "./format.js";
import { web } from "./locals.js";

export const viewsDir = join(packageRoot, "views");

const FLASH_COOKIE = "cargohold_flash";

export type FlashKind = "success" | "error" | "info";
export interface Flash {
  kind: FlashKind;
  text: string;
}

export interface PageLocals {
  title: string;
  [key: string]: unknown;
}

/** Cookie attributes shared by every cookie we set: HttpOnly, SameSite=Lax, Secure on https. */
export function cookieOptions(ctx: AppContext): CookieOptions {
  return { httpOnly: true, sameSite: "lax", path: "/", secure: ctx.config.publicUrl.startsWith("https:") };
}

/** Renders `views/<view>.ejs` inside the layout and sends it with the status already set on `res`. */
export async function renderPage(res: Response, view: string, locals: PageLocals): Promise<void> {
  const { site, user, csrfToken } = web(res);
  const data = { ...viewHelpers, site, user, csrfToken, flash: takeFlash(res), path: res.req.path, ...locals };
  const html = await ejs.renderFile(join(viewsDir, `${view}.ejs`), data, { views: [viewsDir], cache: true });
  // Pages show account data (and once, a token): never keep them in a cache or the back/forward cache.
  res.set("Cache-Control", "no-store").type("html").send(html);
}

/** Remembers a message for the next page rendered for this browser (post/redirect/get). */
export function setFlash(ctx: AppContext, res: Response, kind: FlashKind, text: string): void {
  res.cookie(FLASH_COOKIE, JSON.stringify({ kind, text }), { ...cookieOptions(ctx), maxAge: 5 * 60 * 1000 });
}

/** Sets a flash message and redirects with 303, so a reload does not repeat the POST. */
export function redirectWithFlash(ctx: AppContext, res: Response, location: string, kind: FlashKind, text: string): void {
  setFlash(ctx, res, kind, text);
  res.redirect(303, location);
}

function takeFlash(res: Response): Flash | undefined {
  const raw = readCookie(res.req, FLASH_COOKIE);
  if (raw === undefined) return undefined;
  res.clearCookie(FLASH_COOKIE, { path: "/" });
  try {
    const value = JSON.parse(raw) as Partial<Flash>;
    const kind = value.kind === "success" || value.kind === "error" ? value.kind : "info";
    return typeof value.text === "string" ? { kind, text: value.text.slice(0, 500) } : undefined;
  } catch {
    return undefined;
  }
}
