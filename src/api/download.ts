// GET /api/v1/crates/{crate}/{version}/download: the exact stored bytes, streamed.
// https://doc.rust-lang.org/cargo/reference/registry-index.html#dl
import type { ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { authenticateRead } from "../auth/authorize.js";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { isoDay } from "../time.js";
import { findVersion } from "./crate-lookup.js";
import { pathParam, type NodeRequest } from "./node-request.js";

/**
 * Streams a version's .crate. Yanked versions stay downloadable (existing lockfiles use them). No
 * Content-Encoding: curl would decode the gzip and cargo's checksum would then fail. Node's http API
 * only: it also runs on the lean path.
 */
export async function downloadVersion(ctx: AppContext, req: NodeRequest, res: ServerResponse): Promise<void> {
  authenticateRead(ctx, req);
  const { crate, version } = findVersion(ctx, pathParam(req, "crate"), pathParam(req, "version"));
  const file = ctx.store.openRead(crate.name, version.num);
  if (!file) {
    ctx.logger.error("crate file missing", { crate: crate.name, version: version.num });
    throw notFound(`the file of \`${crate.name}\` ${version.num} is missing on the server; tell the registry administrator`);
  }
  ctx.db.transaction(() => {
    ctx.db.versions.countDownload(version.id, isoDay(ctx.now()));
    ctx.db.crates.countDownload(crate.id);
  });
  res.setHeader("Content-Type", "application/octet-stream");
  res.setHeader("Content-Length", String(file.size));
  res.setHeader("Content-Disposition", `attachment; filename="${crate.name}-${version.num}.crate"`);
  res.setHeader("Cache-Control", "private, max-age=31536000, immutable");
  ctx.metrics.downloads.inc();
  await pipeline(file.stream, res);
}
