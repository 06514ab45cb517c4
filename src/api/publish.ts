// PUT /api/v1/crates/new: cargo publish.
// https://doc.rust-lang.org/cargo/reference/registry-web-api.html#publish
import { createHash } from "node:crypto";
import type { Request, Response } from "express";
import { authenticateToken, requireOwner, requireScopes, type TokenAuth } from "../auth/authorize.js";
import type { AppContext } from "../context.js";
import type { Crate } from "../db/crates.js";
import { tooManyRequests } from "../errors.js";
import type { PublishKind } from "../publish-limits.js";
import { isoSeconds } from "../time.js";
import { inspectCrateFile } from "../registry/crate-file.js";
import { parsePublishMetadata, type PublishMetadata } from "../registry/metadata.js";
import { canonicalName } from "../registry/names.js";
import { splitPublishBody } from "../registry/publish-body.js";
import { persistVersion, refuseDuplicate, requireSameSpelling } from "./publish-persist.js";
import { readBody } from "./read-body.js";

/**
 * Publishes a crate version. Steps: a usable token → read and split the body → validate the
 * metadata → scopes (publish-new or publish-update) and ownership → inspect the .crate → write it
 * to a temp file → one transaction that inserts the rows and moves the file into place. Any
 * failure before the commit leaves no row and no file.
 */
export async function publishCrate(ctx: AppContext, req: Request, res: Response): Promise<void> {
  const auth = authenticateToken(ctx, req);
  const { maxUploadBytes, maxMetadataBytes, maxUnpackedBytes } = ctx.config;
  const body = await readBody(req, maxUploadBytes + maxMetadataBytes + 8, `max upload size is: ${maxUploadBytes}`);
  const { metadataJson, crateFile } = splitPublishBody(body, { maxMetadataBytes, maxCrateBytes: maxUploadBytes });
  const metadata = parsePublishMetadata(metadataJson);

  const existing = ctx.db.crates.findByCanonicalName(canonicalName(metadata.name));
  authorizePublish(ctx, req, auth, metadata, existing);
  if (existing) refuseDuplicate(ctx, existing, metadata.vers);
  const kind = existing ? "new-version" : "new-crate";
  refuseOverLimit(ctx, auth.user.id, kind);

  const inspected = await inspectCrateFile(crateFile, { name: metadata.name, vers: metadata.vers }, { maxUnpackedBytes });
  const checksum = createHash("sha256").update(crateFile).digest("hex");
  const tmpPath = await ctx.store.writeTemp(crateFile);
  try {
    persistVersion(ctx, { metadata, checksum, size: crateFile.length, tmpPath, auth, rustVersion: inspected.manifest.rustVersion });
  } catch (error) {
    ctx.store.discard(tmpPath);
    throw error;
  }
  ctx.publishLimiter.consume(auth.user.id, kind, ctx.now());
  ctx.metrics.publishes.inc();
  ctx.logger.info("published", { crate: metadata.name, version: metadata.vers, userId: auth.user.id, tokenId: auth.token.id });
  res.json({ warnings: { invalid_categories: [], invalid_badges: [], other: [] } });
}

/** publish-new when no crate of that canonical name exists, else publish-update plus ownership. */
function authorizePublish(ctx: AppContext, req: Request, auth: TokenAuth, metadata: PublishMetadata, existing: Crate | undefined): void {
  requireScopes(ctx, req, auth, { scope: existing ? "publish-update" : "publish-new", crate: metadata.name });
  if (!existing) return;
  requireOwner(ctx, auth.user, existing);
  requireSameSpelling(existing, metadata.name);
}

/** 429 with Retry-After when the user has used up their burst (cargo prints the message). */
function refuseOverLimit(ctx: AppContext, userId: number, kind: PublishKind): void {
  const now = ctx.now();
  const wait = ctx.publishLimiter.waitSeconds(userId, kind, now);
  if (wait === 0) return;
  const what = kind === "new-crate" ? "new crates" : "versions";
  const until = isoSeconds(new Date(now.getTime() + wait * 1000));
  throw tooManyRequests(`you have published too many ${what} in a short time; try again after ${until} (in ${wait} s) or ask an administrator to raise the limit`, wait);
}
