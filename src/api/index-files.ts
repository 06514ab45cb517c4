// Builds a crate's sparse-index file (one JSON line per version, publish order) and its ETag, and
// finds it for a request: from the cache when it is there, else built once and cached.
import { createHash } from "node:crypto";
import type { AppContext } from "../context.js";
import type { Crate } from "../db/crates.js";
import { indexLine } from "../registry/index-entry.js";
import { canonicalName } from "../registry/names.js";
import type { CachedIndexFile } from "./index-cache.js";

export interface IndexFile {
  body: string;
  /** Strong ETag: the SHA-256 of the body, so it changes with every publish and yank. */
  etag: string;
}

/** The index file of a crate as cargo reads it, with a trailing newline. */
export function buildIndexFile(ctx: AppContext, crate: Crate): IndexFile {
  const lines = ctx.db.versions.listIndexedForCrate(crate.id).map((v) =>
    indexLine({
      name: crate.name,
      vers: v.num,
      deps: v.deps,
      cksum: v.checksum,
      features: v.features,
      yanked: v.yanked,
      links: v.links,
      rust_version: v.rustVersion,
      pubtime: v.createdAt,
    }),
  );
  const body = lines.length ? `${lines.join("\n")}\n` : "";
  return { body, etag: `"${createHash("sha256").update(body).digest("hex")}"` };
}

/**
 * The index file for `name`, the lowercased crate name of a request path, or undefined when no crate
 * has exactly that lowercased name (a `-`/`_` variant is another path to cargo, and gets a 404).
 */
export function findIndexFile(ctx: AppContext, name: string): CachedIndexFile | undefined {
  const cached = ctx.indexCache.get(name);
  if (cached) return cached;
  const crate = ctx.db.crates.findByCanonicalName(canonicalName(name));
  if (!crate || crate.name.toLowerCase() !== name) return undefined;
  const { body, etag } = buildIndexFile(ctx, crate);
  const file = { crateId: crate.id, body: Buffer.from(body), etag };
  ctx.indexCache.set(name, file);
  return file;
}
