// GET /api/v1/crates/{crate}/{version}/download: the exact stored bytes, from memory or streamed from disk.
// https://doc.rust-lang.org/cargo/reference/registry-index.html#dl
import { createReadStream, readFileSync, statSync, type ReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { authenticateRead } from "../auth/authorize.js";
import type { AppContext } from "../context.js";
import { crateNotFound, notFound, versionNotFound } from "../errors.js";
import { canonicalName } from "../registry/names.js";
import { isoDay } from "../time.js";
import { pathParam, type NodeRequest } from "./node-request.js";

// Why small files are read in one synchronous call: most crates weigh a few KiB to a few hundred,
// and reading one that way takes tens of microseconds, while an asynchronous read makes three trips
// through the thread pool (open, read, close) that add most of the latency cargo sees per download.
const WHOLE_FILE_BYTES = 256 * 1024;
// Why 1 MiB reads when streaming files too large to keep in memory, rather than the stream default
// of 64 KiB: a large crate then takes far fewer rounds through the thread pool and the event loop;
// measured, that cut the server's user CPU time per download about fourfold.
const READ_BYTES = 1024 * 1024;

/**
 * Sends a version's .crate. Yanked versions stay downloadable (existing lockfiles use them). No
 * Content-Encoding: curl would decode the gzip and cargo's checksum would then fail. Node's http API
 * only: it also runs on the lean path.
 */
export async function downloadVersion(ctx: AppContext, req: NodeRequest, res: ServerResponse): Promise<void> {
  authenticateRead(ctx, req);
  const { crate, version } = findDownload(ctx, pathParam(req, "crate"), pathParam(req, "version"));
  const file = await crateFile(ctx, crate.name, version);
  if (!file) {
    ctx.logger.error("crate file missing", { crate: crate.name, version: version.num });
    throw notFound(`the file of \`${crate.name}\` ${version.num} is missing on the server; tell the registry administrator`);
  }
  ctx.db.versions.recordDownload(version.id, crate.id, isoDay(ctx.now()));
  res.setHeader("Content-Type", "application/octet-stream");
  res.setHeader("Content-Length", String(file.size));
  res.setHeader("Content-Disposition", `attachment; filename="${crate.name}-${version.num}.crate"`);
  res.setHeader("Cache-Control", "private, max-age=31536000, immutable");
  ctx.metrics.downloads.inc();
  if ("body" in file) res.end(file.body);
  else await streamTo(file.stream, res);
}

/** Pipes a file to the response; a client that goes away before the end is not an error. */
async function streamTo(stream: ReadStream, res: ServerResponse): Promise<void> {
  try {
    await pipeline(stream, res);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_STREAM_PREMATURE_CLOSE") throw error;
  }
}

/** The crate and version named in the path, as `findVersion` finds them (and with its 404s), reading only what a download needs. */
function findDownload(ctx: AppContext, name: string, num: string): { crate: { id: number; name: string }; version: { id: number; num: string } } {
  const crate = ctx.db.crates.findByCanonicalName(canonicalName(name));
  if (!crate) throw crateNotFound(name);
  const version = ctx.db.versions.findRefByNum(crate.id, num);
  if (!version) throw versionNotFound(crate.name, num);
  return { crate, version };
}

type CrateFile = { size: number; body: Buffer } | { size: number; stream: ReadStream };

/**
 * The version's file (its path is the store's), from memory when cached; else read whole and
 * cached when small enough, or opened for streaming; undefined when missing.
 */
async function crateFile(ctx: AppContext, name: string, version: { id: number; num: string }): Promise<CrateFile | undefined> {
  const cached = ctx.crateFileCache.get(version.id);
  if (cached) return { size: cached.length, body: cached };
  const path = ctx.store.pathFor(name, version.num);
  try {
    const { size } = statSync(path);
    if (size > ctx.crateFileCache.maxFileBytes) return { size, stream: createReadStream(path, { highWaterMark: READ_BYTES }) };
    const body = size <= WHOLE_FILE_BYTES ? readFileSync(path) : await readFile(path);
    ctx.crateFileCache.set(version.id, body);
    return { size: body.length, body };
  } catch {
    return undefined;
  }
}
