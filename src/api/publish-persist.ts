// The commit step of a publish: rows and file together, or neither.
import { requireOwner, type TokenAuth } from "../auth/authorize.js";
import type { AppContext } from "../context.js";
import type { Crate } from "../db/crates.js";
import { badRequest } from "../errors.js";
import { toIndexDependency } from "../registry/index-entry.js";
import type { PublishMetadata } from "../registry/metadata.js";
import { canonicalName } from "../registry/names.js";
import { parseVersion } from "../registry/version.js";
import { isoSeconds } from "../time.js";

export interface VersionToPersist {
  metadata: PublishMetadata;
  checksum: string;
  size: number;
  /** The .crate already written and fsynced to a temp file in the store. */
  tmpPath: string;
  auth: TokenAuth;
  rustVersion?: string;
}

/**
 * In one transaction: create the crate (first publisher becomes its owner) or re-check it, insert the
 * version, record the audit entry, and as the very last statement rename the temp file into place.
 * If an insert throws, nothing was moved; if the rename throws, the transaction rolls back. A crash
 * between the rename and the commit leaves an unreferenced file, which `cargohold check` reports and
 * a retried publish overwrites. The checks run again inside the transaction because concurrent
 * publishes may have raced past the ones made before the upload was inspected.
 */
export function persistVersion(ctx: AppContext, v: VersionToPersist): void {
  const { metadata: m, auth } = v;
  const now = isoSeconds(ctx.now());
  ctx.db.transaction(() => {
    let crate = ctx.db.crates.findByCanonicalName(canonicalName(m.name));
    if (crate) {
      requireSameSpelling(crate, m.name);
      requireOwner(ctx, auth.user, crate);
      refuseDuplicate(ctx, crate, m.vers);
      ctx.db.crates.updateInfo(crate.id, { description: m.description, keywords: m.keywords, now });
    } else {
      const id = ctx.db.crates.create({ name: m.name, canonicalName: canonicalName(m.name), description: m.description, keywords: m.keywords, now });
      ctx.db.crates.addOwner(id, auth.user.id, now);
      crate = ctx.db.crates.findById(id)!;
    }
    ctx.db.versions.create({
      crateId: crate.id,
      num: m.vers,
      numNoBuild: parseVersion(m.vers)?.withoutBuild ?? m.vers,
      deps: m.deps.map(toIndexDependency),
      features: m.features,
      links: m.links,
      rustVersion: m.rust_version ?? v.rustVersion ?? null,
      checksum: v.checksum,
      size: v.size,
      description: m.description,
      license: m.license,
      licenseFile: m.license_file,
      homepage: m.homepage,
      documentation: m.documentation,
      repository: m.repository,
      readme: m.readme,
      keywords: m.keywords,
      categories: m.categories,
      authors: m.authors,
      publishedBy: auth.user.id,
      publishedWithToken: auth.token.id,
      createdAt: now,
    });
    ctx.db.audit.record({ action: "publish", userId: auth.user.id, tokenId: auth.token.id, crateName: crate.name, version: m.vers, createdAt: now });
    ctx.store.commit(v.tmpPath, crate.name, m.vers);
  });
}

/** Versions are immutable, and `1.0.0+a` counts as the same version as `1.0.0`. */
export function refuseDuplicate(ctx: AppContext, crate: Crate, vers: string): void {
  const withoutBuild = parseVersion(vers)?.withoutBuild ?? vers;
  const duplicate = ctx.db.versions.findByNumNoBuild(crate.id, withoutBuild);
  if (duplicate) throw badRequest(`crate version \`${duplicate.num}\` is already uploaded`);
}

/** A new version must use the crate's exact first spelling (crates.io: "crate was previously named"). */
export function requireSameSpelling(crate: Crate, name: string): void {
  if (crate.name !== name) throw badRequest(`crate was previously named \`${crate.name}\`; publish it under that exact name`);
}
