// GET /api/v1/crates/{crate}/{version}/download: the exact stored bytes, streamed.
// https://doc.rust-lang.org/cargo/reference/registry-index.html#dl
import type { Request, Response } from "express";
import { pipeline } from "node:stream/promises";
import { authenticateRead } from "../auth/authorize.js";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { isoDay } from "../time.js";
import { findVersion } from "./crate-lookup.js";
import { param } from "./handler.js";

/**
 * Streams a version's .crate. Yanked versions stay downloadable (existing lockfiles use them). No
 * Content-Encoding: curl would decode the gzip and cargo's checksum would then fail.
 */
export async function downloadVersion(ctx: AppContext, req: Request, res: Response): Promise<void> {
  authenticateRead(ctx, req);
  const { crate, version } = findVersion(ctx, param(req, "crate"), param(req, "version"));
  const file = ctx.store.openRead(crate.name, version.num);
  if (!file) {
    ctx.logger.error("crate file missing", { crate: crate.name, version: version.num });
    throw notFound(`the file of \`${crate.name}\` ${version.num} is missing on the server; tell the registry administrator`);
  }
  ctx.db.transaction(() => {
    ctx.db.versions.countDownload(version.id, isoDay(ctx.now()));
    ctx.db.crates.countDownload(crate.id);
  });
  res.set({
    "Content-Type": "application/octet-stream",
    "Content-Length": String(file.size),
    "Content-Disposition": `attachment; filename="${crate.name}-${version.num}.crate"`,
    "Cache-Control": "private, max-age=31536000, immutable",
  });
  await pipeline(file.stream, res);
}
