// crates.io-like JSON shapes for crates and versions, shared by search and the crate info routes.
import type { AppContext } from "../context.js";
import type { Crate } from "../db/crates.js";
import type { Version } from "../db/versions.js";
import { compareVersions } from "../registry/version.js";

/** Highest version by SemVer precedence among `versions`, ignoring yanked ones ("0.0.0" when all are yanked, as crates.io). */
export function maxVersion(versions: Version[], options: { stableOnly?: boolean } = {}): string | null {
  const candidates = versions.filter((v) => !v.yanked && (!options.stableOnly || !v.num.replace(/\+.*$/, "").includes("-")));
  if (candidates.length === 0) return options.stableOnly ? null : "0.0.0";
  return candidates.map((v) => v.num).sort(compareVersions).at(-1)!;
}

export function crateJson(crate: Crate, versions: Version[]) {
  const newest = versions.at(-1);
  return {
    id: crate.name,
    name: crate.name,
    description: crate.description,
    keywords: crate.keywords,
    max_version: maxVersion(versions),
    max_stable_version: maxVersion(versions, { stableOnly: true }),
    newest_version: newest?.num ?? null,
    downloads: crate.downloads,
    homepage: newest?.homepage ?? null,
    documentation: newest?.documentation ?? null,
    repository: newest?.repository ?? null,
    created_at: crate.createdAt,
    updated_at: crate.updatedAt,
  };
}

export function versionJson(ctx: AppContext, crate: Crate, version: Version, downloads: number) {
  const publisher = version.publishedBy === null ? undefined : ctx.db.users.findById(version.publishedBy);
  return {
    id: version.id,
    crate: crate.name,
    num: version.num,
    yanked: version.yanked,
    checksum: version.checksum,
    crate_size: version.size,
    license: version.license,
    rust_version: version.rustVersion,
    features: version.features,
    downloads,
    created_at: version.createdAt,
    dl_path: `/api/v1/crates/${crate.name}/${version.num}/download`,
    published_by: publisher ? { id: publisher.id, login: publisher.login, name: publisher.name } : null,
  };
}
