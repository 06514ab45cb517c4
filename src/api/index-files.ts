// Builds a crate's sparse-index file (one JSON line per version, publish order) and its ETag.
import { createHash } from "node:crypto";
import type { AppContext } from "../context.js";
import type { Crate } from "../db/crates.js";
import { indexLine } from "../registry/index-entry.js";

export interface IndexFile {
  body: string;
  /** Strong ETag: the SHA-256 of the body, so it changes with every publish and yank. */
  etag: string;
}

/** The index file of a crate as cargo reads it, with a trailing newline. */
export function buildIndexFile(ctx: AppContext, crate: Crate): IndexFile {
  const lines = ctx.db.versions.listForCrate(crate.id).map((v) =>
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
