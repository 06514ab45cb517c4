// The sparse index: config.json and one file per crate.
// https://doc.rust-lang.org/cargo/reference/registry-index.html#sparse-protocol
import type { ServerResponse } from "node:http";
import type { Request, Response } from "express";
import { authenticateRead } from "../auth/authorize.js";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { nameFromIndexPath } from "../registry/index-path.js";
import { findIndexFile } from "./index-files.js";
import { pathParam, type NodeRequest } from "./node-request.js";

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
 * Node's http API only: it also runs on the lean path.
 */
export function getIndexFile(ctx: AppContext, req: NodeRequest, res: ServerResponse): void {
  authenticateRead(ctx, req);
  const path = pathParam(req, "path");
  const name = nameFromIndexPath(path);
  const file = name === undefined ? undefined : findIndexFile(ctx, name);
  if (!file) throw notFound(`crate \`${name ?? path}\` does not exist`);
  res.setHeader("ETag", file.etag);
  res.setHeader("Cache-Control", "no-cache");
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  if (req.headers["if-none-match"] === file.etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.end(file.body);
}
