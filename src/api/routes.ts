// The cargo-facing route table: the sparse index and the web API, token-authenticated, JSON errors.
import express, { Router } from "express";
import type { AppContext } from "../context.js";
import { downloadVersion } from "./download.js";
import { apiErrorHandler, apiNotFound } from "./error-handler.js";
import { bindContext } from "./handler.js";
import { addOwners, listOwners, removeOwners } from "./owners.js";
import { publishCrate } from "./publish.js";
import { getCrate, listVersions, searchCrates } from "./search.js";
import { getIndexConfig, getIndexFile } from "./sparse-index.js";
import { revokeCurrentToken } from "./tokens.js";
import { unyankVersion, yankVersion } from "./yank.js";

export function apiRoutes(ctx: AppContext): Router {
  const r = Router();
  const h = bindContext(ctx);
  // Owner changes send JSON; accept it whatever the Content-Type says.
  const json = express.json({ type: () => true, limit: "64kb" });

  // Sparse index — https://doc.rust-lang.org/cargo/reference/registry-index.html#sparse-protocol
  r.get("/index/config.json", h(getIndexConfig));
  r.get("/index/*path", h(getIndexFile));

  // Web API — https://doc.rust-lang.org/cargo/reference/registry-web-api.html
  r.put("/api/v1/crates/new", h(publishCrate)); // body read by the handler: no Content-Type, limit → 413
  r.get("/api/v1/crates", h(searchCrates));
  r.get("/api/v1/crates/:crate", h(getCrate));
  r.get("/api/v1/crates/:crate/versions", h(listVersions));
  r.get("/api/v1/crates/:crate/:version/download", h(downloadVersion));
  r.delete("/api/v1/crates/:crate/:version/yank", h(yankVersion));
  r.put("/api/v1/crates/:crate/:version/unyank", h(unyankVersion));
  r.get("/api/v1/crates/:crate/owners", h(listOwners));
  r.put("/api/v1/crates/:crate/owners", json, h(addOwners));
  r.delete("/api/v1/crates/:crate/owners", json, h(removeOwners));
  r.delete("/api/v1/tokens/current", h(revokeCurrentToken));

  r.use(["/api", "/index"], apiNotFound);
  r.use(["/api", "/index"], apiErrorHandler(ctx));
  return r;
}
