// Queries for the versions and version_downloads tables.
import type Database from "better-sqlite3";
import type { IndexDependency } from "../registry/index-entry.js";
import { fromJson } from "./json.js";

export interface Version {
  id: number;
  crateId: number;
  num: string;
  numNoBuild: string;
  deps: IndexDependency[];
  features: Record<string, string[]>;
  links: string | null;
  rustVersion: string | null;
  checksum: string;
  size: number;
  yanked: boolean;
  description: string | null;
  license: string | null;
  licenseFile: string | null;
  homepage: string | null;
  documentation: string | null;
  repository: string | null;
  readme: string | null;
  keywords: string[];
  categories: string[];
  authors: string[];
  publishedBy: number | null;
  publishedWithToken: number | null;
  createdAt: string;
}

export type NewVersion = Omit<Version, "id" | "yanked">;

/** The fields of a version that its sparse-index line is made of. */
export type IndexedVersion = Pick<Version, "num" | "deps" | "features" | "links" | "rustVersion" | "checksum" | "yanked" | "createdAt">;

interface VersionRow {
  id: number;
  crate_id: number;
  num: string;
  num_no_build: string;
  deps: string;
  features: string;
  links: string | null;
  rust_version: string | null;
  checksum: string;
  size: number;
  yanked: number;
  description: string | null;
  license: string | null;
  license_file: string | null;
  homepage: string | null;
  documentation: string | null;
  repository: string | null;
  readme: string | null;
  keywords: string;
  categories: string;
  authors: string;
  published_by: number | null;
  published_with_token: number | null;
  created_at: string;
}

const fromRow = (row: VersionRow): Version => ({
  id: row.id,
  crateId: row.crate_id,
  num: row.num,
  numNoBuild: row.num_no_build,
  deps: fromJson(row.deps),
  features: fromJson(row.features),
  links: row.links,
  rustVersion: row.rust_version,
  checksum: row.checksum,
  size: row.size,
  yanked: row.yanked === 1,
  description: row.description,
  license: row.license,
  licenseFile: row.license_file,
  homepage: row.homepage,
  documentation: row.documentation,
  repository: row.repository,
  readme: row.readme,
  keywords: fromJson(row.keywords),
  categories: fromJson(row.categories),
  authors: fromJson(row.authors),
  publishedBy: row.published_by,
  publishedWithToken: row.published_with_token,
  createdAt: row.created_at,
});

export function versionQueries(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO versions (crate_id, num, num_no_build, deps, features, links, rust_version, checksum, size,
       description, license, license_file, homepage, documentation, repository, readme, keywords, categories, authors,
       published_by, published_with_token, created_at)
     VALUES (@crateId, @num, @numNoBuild, @deps, @features, @links, @rustVersion, @checksum, @size,
       @description, @license, @licenseFile, @homepage, @documentation, @repository, @readme, @keywords, @categories,
       @authors, @publishedBy, @publishedWithToken, @createdAt)`,
  );
  const forCrate = db.prepare(`SELECT * FROM versions WHERE crate_id = ? ORDER BY id`);
  // Only the index columns: the descriptive ones (readme above all) are neither read nor parsed.
  const indexedForCrate = db.prepare(
    `SELECT num, deps, features, links, rust_version, checksum, yanked, created_at FROM versions WHERE crate_id = ? ORDER BY id`,
  );
  const byNum = db.prepare(`SELECT * FROM versions WHERE crate_id = ? AND num = ?`);
  const byNoBuild = db.prepare(`SELECT * FROM versions WHERE crate_id = ? AND num_no_build = ?`);
  const setYanked = db.prepare(`UPDATE versions SET yanked = @yanked WHERE id = @id AND yanked != @yanked`);
  const count = db.prepare(`SELECT count(*) AS n FROM versions`);
  const all = db.prepare(`SELECT v.id, v.num, v.checksum, v.size, c.name AS crate_name FROM versions v JOIN crates c ON c.id = v.crate_id`);
  const countDownload = db.prepare(
    `INSERT INTO version_downloads (version_id, day, downloads) VALUES (?, ?, 1)
     ON CONFLICT (version_id, day) DO UPDATE SET downloads = downloads + 1`,
  );
  const countCrateDownload = db.prepare(`UPDATE crates SET downloads = downloads + 1 WHERE id = ?`);
  // Built once: making a transaction function per download costs more than its two statements.
  const recordDownload = db.transaction((versionId: number, crateId: number, day: string) => {
    countDownload.run(versionId, day);
    countCrateDownload.run(crateId);
  });
  const refByNum = db.prepare(`SELECT id, num FROM versions WHERE crate_id = ? AND num = ?`);
  const refByNoBuild = db.prepare(`SELECT id, num FROM versions WHERE crate_id = ? AND num_no_build = ?`);
  const downloadsByVersion = db.prepare(
    `SELECT v.id AS version_id, coalesce(sum(d.downloads), 0) AS downloads
     FROM versions v LEFT JOIN version_downloads d ON d.version_id = v.id WHERE v.crate_id = ? GROUP BY v.id`,
  );

  return {
    /** Inserts a version and returns its id; the caller has checked that it is not a duplicate. */
    create(v: NewVersion): number {
      return Number(
        insert.run({
          ...v,
          deps: JSON.stringify(v.deps),
          features: JSON.stringify(v.features),
          keywords: JSON.stringify(v.keywords),
          categories: JSON.stringify(v.categories),
          authors: JSON.stringify(v.authors),
        }).lastInsertRowid,
      );
    },
    /** Every version of a crate in publish order. */
    listForCrate(crateId: number): Version[] {
      return (forCrate.all(crateId) as VersionRow[]).map(fromRow);
    },
    /** Every version of a crate in publish order, with only what its index line needs. */
    listIndexedForCrate(crateId: number): IndexedVersion[] {
      const rows = indexedForCrate.all(crateId) as Pick<VersionRow, "num" | "deps" | "features" | "links" | "rust_version" | "checksum" | "yanked" | "created_at">[];
      return rows.map((row) => ({
        num: row.num,
        deps: fromJson(row.deps),
        features: fromJson(row.features),
        links: row.links,
        rustVersion: row.rust_version,
        checksum: row.checksum,
        yanked: row.yanked === 1,
        createdAt: row.created_at,
      }));
    },
    /**
     * Finds a version by its literal number; a number without build metadata also finds the one
     * stored with build metadata (there can be only one).
     */
    findByNum(crateId: number, num: string): Version | undefined {
      const row = (byNum.get(crateId, num) ?? (num.includes("+") ? undefined : byNoBuild.get(crateId, num))) as
        | VersionRow
        | undefined;
      return row && fromRow(row);
    },
    /** `findByNum` with only the id and the number, for the hot download path. */
    findRefByNum(crateId: number, num: string): { id: number; num: string } | undefined {
      return (refByNum.get(crateId, num) ?? (num.includes("+") ? undefined : refByNoBuild.get(crateId, num))) as
        | { id: number; num: string }
        | undefined;
    },
    /** Finds the version that equals `numNoBuild` once build metadata is ignored. */
    findByNumNoBuild(crateId: number, numNoBuild: string): Version | undefined {
      const row = byNoBuild.get(crateId, numNoBuild) as VersionRow | undefined;
      return row && fromRow(row);
    },
    /** Sets the yanked flag; returns false when it already had that value. */
    setYanked(id: number, yanked: boolean): boolean {
      return setYanked.run({ id, yanked: yanked ? 1 : 0 }).changes === 1;
    },
    count(): number {
      return (count.get() as { n: number }).n;
    },
    /** Every version with its crate name, checksum and size (for integrity checks and backups). */
    listAllFiles(): { id: number; num: string; checksum: string; size: number; crateName: string }[] {
      return (all.all() as { id: number; num: string; checksum: string; size: number; crate_name: string }[]).map((r) => ({
        id: r.id,
        num: r.num,
        checksum: r.checksum,
        size: r.size,
        crateName: r.crate_name,
      }));
    },
    /** Counts one download of a version for `day` (YYYY-MM-DD) and of its crate, in one transaction (BEGIN IMMEDIATE). */
    recordDownload(versionId: number, crateId: number, day: string): void {
      recordDownload.immediate(versionId, crateId, day);
    },
    /** Adds one download to a version's count for `day` (YYYY-MM-DD). */
    countDownload(versionId: number, day: string): void {
      countDownload.run(versionId, day);
    },
    /** Total downloads per version id of a crate. */
    downloadsByVersion(crateId: number): Map<number, number> {
      const rows = downloadsByVersion.all(crateId) as { version_id: number; downloads: number }[];
      return new Map(rows.map((r) => [r.version_id, r.downloads]));
    },
  };
}
