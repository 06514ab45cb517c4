// An independent integrity check of a data folder, for tests that crash or race the server:
// every version row has its file with the recorded size and SHA-256, nothing but whole `.crate`
// files is visible under crates/, and files no row refers to are listed. It only reads: the
// database is opened read-only, so it may run while a server has the folder open.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import Database from "better-sqlite3";

export interface StoredVersion {
  crate: string;
  num: string;
  checksum: string;
  size: number;
  yanked: boolean;
}

export interface IntegrityReport {
  versions: StoredVersion[];
  /** Broken guarantees: a missing or altered file, or a file under crates/ that is not a whole `.crate`. */
  problems: string[];
  /** `.crate` files no version row refers to (allowed after a crash between rename and commit), with their SHA-256. */
  orphans: { path: string; sha256: string }[];
  /** Whatever is in tmp/. */
  tmpFiles: string[];
}

export const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

/** Where a version's file lives: crates/<lowercase name>/<lowercase name>-<version>.crate. */
export function crateFilePath(dataDir: string, crate: string, num: string): string {
  const lower = crate.toLowerCase();
  return join(dataDir, "crates", lower, `${lower}-${num}.crate`);
}

/**
 * Remembers the SHA-256 of files already hashed, keyed by path, inode, size and mtime, so repeated
 * checks of a growing store only read new files (stored files are never rewritten in place).
 */
export class HashCache {
  private readonly known = new Map<string, string>();
  hash(path: string): string {
    const st = statSync(path);
    const id = `${path}\0${st.ino}\0${st.size}\0${st.mtimeMs}`;
    let digest = this.known.get(id);
    if (digest === undefined) {
      digest = sha256(readFileSync(path));
      this.known.set(id, digest);
    }
    return digest;
  }
}

export function checkDataDir(dataDir: string, cache = new HashCache()): IntegrityReport {
  const db = new Database(join(dataDir, "cargohold.sqlite3"), { readonly: true, fileMustExist: true });
  let versions: StoredVersion[];
  try {
    const rows = db
      .prepare(`SELECT c.name AS crate, v.num, v.checksum, v.size, v.yanked FROM versions v JOIN crates c ON c.id = v.crate_id ORDER BY v.id`)
      .all() as { crate: string; num: string; checksum: string; size: number; yanked: number }[];
    versions = rows.map((r) => ({ ...r, yanked: r.yanked === 1 }));
  } finally {
    db.close();
  }

  const problems: string[] = [];
  const referenced = new Set<string>();
  for (const v of versions) {
    const path = crateFilePath(dataDir, v.crate, v.num);
    referenced.add(path);
    if (!existsSync(path)) {
      problems.push(`${v.crate}@${v.num}: file ${relative(dataDir, path)} is missing`);
      continue;
    }
    const size = statSync(path).size;
    if (size !== v.size) problems.push(`${v.crate}@${v.num}: file has ${size} bytes, the database says ${v.size}`);
    const actual = cache.hash(path);
    if (actual !== v.checksum) problems.push(`${v.crate}@${v.num}: file SHA-256 ${actual}, the database says ${v.checksum}`);
  }

  const orphans: { path: string; sha256: string }[] = [];
  const cratesDir = join(dataDir, "crates");
  for (const path of listTree(cratesDir)) {
    const rel = relative(cratesDir, path);
    const [dir, file, ...deeper] = rel.split("/");
    const wellPlaced = deeper.length === 0 && file !== undefined && file.startsWith(`${dir}-`) && file.endsWith(".crate");
    if (!wellPlaced) {
      problems.push(`crates/${rel}: not a committed .crate file (partial or stray)`);
      continue;
    }
    if (!referenced.has(path)) orphans.push({ path: rel, sha256: cache.hash(path) });
  }
  const tmpDir = join(dataDir, "tmp");
  const tmpFiles = existsSync(tmpDir) ? readdirSync(tmpDir) : [];
  return { versions, problems, orphans, tmpFiles };
}

function listTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...listTree(full));
    else out.push(full);
  }
  return out;
}
