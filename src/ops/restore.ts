// `cargohold restore`: verifies a backup completely, then recreates the data folder from it, never
// over an existing registry.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { CrateStore } from "../storage/crate-store.js";
import { OpsError } from "./errors.js";
import { copyDurably, describeFsError, errorCode, folderState, fsyncPath, sha256File } from "./files.js";
import { DATABASE_FILE } from "../db/index.js";
import { MANIFEST_FILE, parseManifest, type BackupManifest, type ManifestFile } from "./manifest.js";

export interface RestoreOptions {
  /** The backup folder (as written by `cargohold backup`). */
  src: string;
  /** The data folder to create; it must be absent or empty. */
  dataDir: string;
  /** The newest schema version this code runs (the number of migrations it ships). */
  knownSchemaVersion: number;
}

export interface RestoreReport {
  dataDir: string;
  manifest: BackupManifest;
  crateBytes: number;
}

/**
 * Restores the backup `src` into `dataDir`. Everything is checked before anything is written: the
 * target must be absent or empty, and every file the manifest lists must be present with its
 * checksum. Throws OpsError naming each problem; on failure `dataDir` is left as it was.
 */
export async function restoreBackup(o: RestoreOptions): Promise<RestoreReport> {
  const src = resolve(o.src);
  const dataDir = resolve(o.dataDir);
  refuseUnusableTarget(dataDir);
  const manifest = readManifest(src);
  if (manifest.schemaVersion > o.knownSchemaVersion) {
    throw new OpsError(
      `backup ${src} was made by a newer cargohold (${manifest.cargoholdVersion}, schema ${manifest.schemaVersion}; this one knows ${o.knownSchemaVersion}); restore it with that version or newer`,
    );
  }
  const entries = [manifest.database, ...manifest.files];
  const problems = await verifyFiles(src, entries);
  if (problems.length > 0) throw cannotRestore(src, problems);
  const staging = stage(dataDir);
  try {
    for (const entry of entries) {
      const target = join(staging.dir, entry.path);
      mkdirSync(dirname(target), { recursive: true });
      // Verified again as copied: the backup could change between the check above and now.
      const copied = await copyDurably(join(src, entry.path), target);
      if (copied.sha256 !== entry.sha256 || copied.size !== entry.size) throw cannotRestore(src, [mismatch(entry, copied.sha256)]);
    }
    const disagreements = crossCheck(staging.dir, manifest);
    if (disagreements.length > 0) throw cannotRestore(src, disagreements);
    for (const dir of new Set(entries.map((e) => dirname(join(staging.dir, e.path))))) fsyncPath(dir);
    staging.finish();
  } catch (error) {
    staging.abandon();
    throw error;
  }
  return { dataDir, manifest, crateBytes: manifest.files.reduce((sum, f) => sum + f.size, 0) };
}

function refuseUnusableTarget(dataDir: string): void {
  const state = folderState(dataDir);
  if (state === "not-a-folder") throw new OpsError(`DATA_DIR ${dataDir} is not a folder`);
  if (state !== "not-empty") return;
  const leftover = readdirSync(dataDir).find((name) => name.startsWith(".restore-"));
  const hint = leftover ? ` (${leftover} is left from an interrupted restore: empty the folder and run restore again)` : "";
  throw new OpsError(`DATA_DIR ${dataDir} is not empty${hint}; restore only into an empty or new folder, never over a registry`);
}

function readManifest(src: string): BackupManifest {
  if (folderState(src) !== "not-empty") throw new OpsError(`backup folder ${src} does not exist, is empty or is not a folder`);
  let text: string;
  try {
    text = readFileSync(join(src, MANIFEST_FILE), "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") {
      throw new OpsError(`${src} is not a complete cargohold backup: ${MANIFEST_FILE} is missing (a backup writes it last)`);
    }
    throw new OpsError(`cannot read ${join(src, MANIFEST_FILE)}: ${describeFsError(error)}`);
  }
  try {
    return parseManifest(text);
  } catch (error) {
    if (error instanceof OpsError) throw new OpsError(`backup ${src} cannot be restored: ${error.message}`);
    throw error;
  }
}

/** One line per listed file that is missing or differs from the manifest. */
async function verifyFiles(src: string, entries: ManifestFile[]): Promise<string[]> {
  const problems: string[] = [];
  for (const entry of entries) {
    try {
      const found = await sha256File(join(src, entry.path));
      if (found.sha256 !== entry.sha256 || found.size !== entry.size) problems.push(mismatch(entry, found.sha256));
    } catch (error) {
      problems.push(errorCode(error) === "ENOENT" ? `missing: ${entry.path}` : `unreadable: ${entry.path} (${describeFsError(error)})`);
    }
  }
  return problems;
}

const mismatch = (entry: ManifestFile, found: string) =>
  `checksum mismatch: ${entry.path} (the manifest records sha256 ${entry.sha256.slice(0, 16)}…, the file has ${found.slice(0, 16)}…)`;

const cannotRestore = (src: string, problems: string[]) =>
  new OpsError(`backup ${src} cannot be restored; nothing was written:\n${problems.map((p) => `  ${p}`).join("\n")}`);

/**
 * Problems between the copied database and the manifest: each version's file must be listed with
 * the checksum the database records, and nothing else may be listed.
 */
function crossCheck(dir: string, manifest: BackupManifest): string[] {
  const db = new Database(join(dir, DATABASE_FILE), { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") return [`${DATABASE_FILE} fails SQLite's quick_check: ${String(check)}`];
    // Plain SQL rather than the current queries: the backup may predate later migrations, and these
    // columns have existed since the first one.
    const versions = db
      .prepare(`SELECT c.name AS crateName, v.num, v.checksum, v.size FROM versions v JOIN crates c ON c.id = v.crate_id`)
      .all() as { crateName: string; num: string; checksum: string; size: number }[];
    const store = new CrateStore(dir);
    const listed = new Map(manifest.files.map((f) => [join(dir, f.path), f]));
    const problems: string[] = [];
    for (const v of versions) {
      const path = store.pathFor(v.crateName, v.num);
      const file = listed.get(path);
      listed.delete(path);
      if (!file) problems.push(`missing: the database records ${v.crateName} ${v.num}, but the manifest lists no file for it`);
      else if (file.sha256 !== v.checksum || file.size !== v.size) problems.push(`checksum mismatch: ${file.path} (the database records another checksum)`);
    }
    for (const file of listed.values()) problems.push(`unexpected: ${file.path} is listed but the database records no such version`);
    return problems;
  } finally {
    db.close();
  }
}

interface Staging {
  dir: string;
  /** Moves the staged files into the data folder. */
  finish(): void;
  /** Removes whatever was staged. */
  abandon(): void;
}

/**
 * A new DATA_DIR is staged in a hidden sibling and renamed into place in one step. An existing empty
 * one may be a mount point (a Docker volume) that no rename can replace, so it is staged inside
 * and the entries are moved up with the database last: a data folder without its database is
 * recognisably unfinished.
 */
function stage(dataDir: string): Staging {
  const absent = folderState(dataDir) === "absent";
  const parent = absent ? dirname(dataDir) : dataDir;
  let dir: string;
  try {
    mkdirSync(parent, { recursive: true });
    dir = mkdtempSync(join(parent, absent ? `.${basename(dataDir)}.restore-` : ".restore-"));
  } catch (error) {
    throw new OpsError(`cannot write into ${parent}: ${describeFsError(error)}; nothing was written`);
  }
  const abandon = () => rmSync(dir, { recursive: true, force: true });
  if (absent) {
    return {
      dir,
      abandon,
      finish() {
        fsyncPath(dir);
        renameSync(dir, dataDir);
        fsyncPath(parent);
      },
    };
  }
  const moved: string[] = [];
  return {
    dir,
    abandon() {
      for (const name of moved) rmSync(join(dataDir, name), { recursive: true, force: true });
      abandon();
    },
    finish() {
      const names = readdirSync(dir).sort((a, b) => Number(a === DATABASE_FILE) - Number(b === DATABASE_FILE));
      for (const name of names) {
        renameSync(join(dir, name), join(dataDir, name));
        moved.push(name);
      }
      rmSync(dir, { recursive: true });
      fsyncPath(dataDir);
    },
  };
}
