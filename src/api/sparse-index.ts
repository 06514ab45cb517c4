// The sparse index: config.json and one file per crate.
// https://doc.rust-lang.org/cargo/reference/registry-index.html#sparse-protocol
import type { Request, Response } from "express";
import { authenticateRead } from "../auth/authorize.js";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { canonicalName } from "../registry/names.js";
import { nameFromIndexPath } from "../registry/index-path.js";
import { buildIndexFile } from "./index-files.js";
import { param } from "./handler.js";

/**
 * GET /index/config.json. Always 200 with the body (cargo never sends conditional headers here and
 * fails on a 304). `api` has no trailing slash, or cargo would request `//api/v1/...`.
 */
export function getIndexConfig(ctx: AppContext, req: Request, res: Response): void {
  authenticateRead(ctx, req);
  const { publicUrl, authRequired } = ctx.config;
  const config: Record<string, unknown> = { dl: `${publicUrl}/api/v1/crates`, api: publicUrl };
  if (authRequired) config["auth-required"] = true;
  // Written directly: res.json would answer `If-None-Match: *` with a 304, which cargo cannot handle here.
  res.set({ "Cache-Control": "no-cache", "Content-Type": "application/json" }).end(JSON.stringify(config));
}

/**
 * GET /index/<prefix>/<name>: the crate's versions, one JSON line each. The path must be the one
 * cargo computes from the lowercased real name; anything else is a 404 (cargo tries `-`/`_` swaps).
 */
export function getIndexFile(ctx: AppContext, req: Request, res: Response): void {
  authenticateRead(ctx, req);
  const name = nameFromIndexPath(param(req, "path"));
  const crate = name === undefined ? undefined : ctx.db.crates.findByCanonicalName(canonicalName(name));
  if (!crate || crate.name.toLowerCase() !== name) throw notFound(`crate \`${name ?? param(req, "path")}\` does not exist`);
  const file = buildIndexFile(ctx, crate);
  res.set({ ETag: file.etag, "Cache-Control": "no-cache", "Content-Type": "text/plain; charset=utf-8" });
  if (req.headers["if-none-match"] === file.etag) {
    res.status(304).end();
    return;
  }
  res.end(file.body);
}
