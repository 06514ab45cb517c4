// The cargo-facing route table: the sparse index and the web API, token-authenticated, JSON errors.
// It is data as well as wiring: the security tests walk it, so a new route cannot escape them.
import express, { Router, type RequestHandler } from "express";
import type { AppContext } from "../context.js";
import { downloadVersion } from "./download.js";
import { apiErrorHandler, apiNotFound } from "./error-handler.js";
import { bindContext, type Handler } from "./handler.js";
import { addOwners, listOwners, removeOwners } from "./owners.js";
import { publishCrate } from "./publish.js";
import { meTokenRoutes } from "./me-tokens.js";
import { getCrate, listVersions, searchCrates } from "./search.js";
import { getIndexConfig, getIndexFile } from "./sparse-index.js";
import { revokeCurrentToken } from "./tokens.js";
import { unyankVersion, yankVersion } from "./yank.js";

/**
 * Who may call a route: `read` — anyone on a public registry, any usable token or a signed-in
 * session on a private one; `token` — any usable token; `scope` — a token with that endpoint scope,
 * covering the crate in the path, held by an owner of the crate.
 */
export type RouteAccess = { kind: "read" } | { kind: "token" } | { kind: "scope"; scope: "publish" | "yank" | "change-owners" };

export interface ApiRoute {
  method: "get" | "put" | "delete";
  path: string;
  handler: Handler;
  access: RouteAccess;
  /** Body parser for routes that take JSON; publish reads its own body. */
  json?: boolean;
}

const read = { kind: "read" } as const;

export const API_ROUTES: ApiRoute[] = [
  // Sparse index — https://doc.rust-lang.org/cargo/reference/registry-index.html#sparse-protocol
  { method: "get", path: "/index/config.json", handler: getIndexConfig, access: read },
  { method: "get", path: "/index/*path", handler: getIndexFile, access: read },

  // Web API — https://doc.rust-lang.org/cargo/reference/registry-web-api.html
  { method: "put", path: "/api/v1/crates/new", handler: publishCrate, access: { kind: "scope", scope: "publish" } },
  { method: "get", path: "/api/v1/crates", handler: searchCrates, access: read },
  { method: "get", path: "/api/v1/crates/:crate", handler: getCrate, access: read },
  { method: "get", path: "/api/v1/crates/:crate/versions", handler: listVersions, access: read },
  { method: "get", path: "/api/v1/crates/:crate/:version/download", handler: downloadVersion, access: read },
  { method: "delete", path: "/api/v1/crates/:crate/:version/yank", handler: yankVersion, access: { kind: "scope", scope: "yank" } },
  { method: "put", path: "/api/v1/crates/:crate/:version/unyank", handler: unyankVersion, access: { kind: "scope", scope: "yank" } },
  { method: "get", path: "/api/v1/crates/:crate/owners", handler: listOwners, access: read },
  { method: "put", path: "/api/v1/crates/:crate/owners", handler: addOwners, access: { kind: "scope", scope: "change-owners" }, json: true },
  { method: "delete", path: "/api/v1/crates/:crate/owners", handler: removeOwners, access: { kind: "scope", scope: "change-owners" }, json: true },
  { method: "delete", path: "/api/v1/tokens/current", handler: revokeCurrentToken, access: { kind: "token" } },
];

export function apiRoutes(ctx: AppContext): Router {
  const r = Router();
  const bind = bindContext(ctx);
  // cargo sends JSON without a reliable Content-Type (unyank: none at all), so accept any.
  const json = express.json({ type: () => true, limit: "64kb" });
  for (const route of API_ROUTES) {
    const handlers: RequestHandler[] = route.json ? [json, bind(route.handler)] : [bind(route.handler)];
    r[route.method](route.path, ...handlers);
  }
  // The token JSON API answers browser sessions only; its own tests cover it (test/web/me-tokens.test.ts).
  r.use(meTokenRoutes(ctx));
  r.use(["/api", "/index"], apiNotFound);
  r.use(["/api", "/index"], apiErrorHandler(ctx));
  return r;
}
