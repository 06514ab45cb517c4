// The web route table: pages for people. Session loading, CSRF checks and security headers apply
// to every route here; requireLogin / requireAdmin / requireReadAccess are set per route.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import express, { Router, type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import type { AppContext } from "../context.js";
import { packageRoot } from "../package-root.js";
import { showAuditPage } from "./admin-audit.js";
import { createUser, showNewUserPage, showUsersPage } from "./admin-users.js";
import { disableUser, enableUser, resetPassword, showResetPasswordPage } from "./admin-actions.js";
import { showCratePage, showGettingStartedPage, showHomePage, showSearchPage } from "./crates.js";
import { verifyCsrf } from "./csrf.js";
import { webErrorHandler, webNotFound } from "./error-handler.js";
import type { Site } from "./locals.js";
import { loginLimiters } from "./login-limit.js";
import { login, logout, showLoginPage } from "./login.js";
import { changePassword, showProfilePage, updateProfile } from "./profile.js";
import { loadSession, requireAdmin, requireLogin, requireReadAccess } from "./session.js";
import { createFirstAdmin, showSetupPage } from "./setup.js";
import { createToken, showNewTokenPage } from "./token-create.js";
import { revokeToken, showTokensPage } from "./tokens.js";

type PageHandler = (ctx: AppContext, req: Request, res: Response) => void | Promise<void>;

const publicDir = join(packageRoot, "public");

/** `/static/<file>?v=<hash of its content>`: the URL changes whenever the file does. */
function assetUrl(file: string): string {
  const hash = createHash("sha256").update(readFileSync(join(publicDir, file))).digest("hex").slice(0, 12);
  return `/static/${file}?v=${hash}`;
}

function securityHeaders(ctx: AppContext) {
  const https = ctx.config.publicUrl.startsWith("https:");
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        // Only on https: on plain http it would make browsers request the page's assets over https.
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https,
    referrerPolicy: { policy: "same-origin" },
  });
}

export function webRoutes(ctx: AppContext): Router {
  const r = Router();
  const h = (handler: PageHandler) => (req: Request, res: Response) => handler(ctx, req, res);
  const site: Site = {
    registryName: ctx.config.registryName,
    publicUrl: ctx.config.publicUrl,
    authRequired: ctx.config.authRequired,
    assets: { css: assetUrl("style.css"), js: assetUrl("app.js") },
  };
  const signedIn = requireLogin(ctx);
  const admin = requireAdmin(ctx);
  const reader = requireReadAccess(ctx);

  r.use((_req: Request, res: Response, next: NextFunction) => {
    res.locals.site = site;
    next();
  });
  r.use(securityHeaders(ctx));
  r.use("/static", express.static(publicDir, { maxAge: "365d", immutable: true, index: false, fallthrough: false }));
  r.use(express.urlencoded({ extended: false, limit: "32kb", parameterLimit: 200 }));
  r.use(loadSession(ctx));
  r.use(verifyCsrf);

  // Crates
  r.get("/", reader, h(showHomePage));
  r.get("/search", reader, h(showSearchPage));
  r.get("/crates/:name", reader, h(showCratePage));
  r.get("/getting-started", reader, h(showGettingStartedPage));

  // Signing in, first-run setup
  r.get("/login", h(showLoginPage));
  r.post("/login", ...loginLimiters(), h(login));
  r.post("/logout", h(logout));
  r.get("/setup/:token", h(showSetupPage));
  r.post("/setup/:token", h(createFirstAdmin));

  // Account and API tokens (`cargo login` prints `<api>/me`)
  r.get("/me", (_req: Request, res: Response) => res.redirect(302, "/settings/tokens"));
  r.get("/settings", (_req: Request, res: Response) => res.redirect(302, "/settings/tokens"));
  r.get("/settings/profile", signedIn, h(showProfilePage));
  r.post("/settings/profile", signedIn, h(updateProfile));
  r.post("/settings/password", signedIn, h(changePassword));
  r.get("/settings/tokens", signedIn, h(showTokensPage));
  r.get("/settings/tokens/new", signedIn, h(showNewTokenPage));
  r.post("/settings/tokens", signedIn, h(createToken));
  r.post("/settings/tokens/:id/revoke", signedIn, h(revokeToken));

  // Administration
  r.get("/admin", (_req: Request, res: Response) => res.redirect(302, "/admin/users"));
  r.get("/admin/users", admin, h(showUsersPage));
  r.get("/admin/users/new", admin, h(showNewUserPage));
  r.post("/admin/users", admin, h(createUser));
  r.post("/admin/users/:id/disable", admin, h(disableUser));
  r.post("/admin/users/:id/enable", admin, h(enableUser));
  r.get("/admin/users/:id/password", admin, h(showResetPasswordPage));
  r.post("/admin/users/:id/password", admin, h(resetPassword));
  r.get("/admin/audit", admin, h(showAuditPage));

  r.use(webNotFound);
  r.use(webErrorHandler(ctx));
  return r;
}
