// `cargohold backup`: a consistent snapshot of a live registry (database + crate files + manifest)
// taken while the server keeps serving and publishing.
import { mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import Database from "better-sqlite3";
import { versionQueries } from "../db/versions.js";
import type { CrateStore } from "../storage/crate-store.js";
import { isoSeconds } from "../time.js";
import { OpsError } from "./errors.js";
import { copyDurably, describeFsError, errorCode, fsyncPath, sha256File } from "./files.js";
import { DATABASE_FILE } from "../db/index.js";
import { MANIFEST_FILE, MANIFEST_FORMAT, type BackupManifest, type ManifestCrateFile } from "./manifest.js";

export interface BackupOptions {
  /** A connection to the live database; SQLite's online backup API reads through it. */
  sqlite: Database.Database;
  /** The live crate store the files are copied from. */
  store: CrateStore;
  /** The folder to create; it must not exist yet, nor lie inside the data folder. */
  dest: string;
  dataDir: string;
  now: Date;
  cargoholdVersion: string;
}

export interface BackupReport {
  dest: string;
  manifest: BackupManifest;
  /** Total size of the crate files copied. */
  crateBytes: number;
}

/**
 * Returns why `dest` cannot receive a new backup (it exists, lies inside the data folder, or its
 * parent is unusable), or undefined.
 */
export function backupDestinationProblem(dest: string, dataDir?: string): string | undefined {
  const target = resolve(dest);
  if (dataDir !== undefined && (target + sep).startsWith(resolve(dataDir) + sep)) {
    return `backup destination ${target} is inside DATA_DIR; choose a folder outside it (ideally on another disk)`;
  }
  try {
    statSync(target);
    return `backup destination ${target} already exists; choose a new folder`;
  } catch (error) {
    if (errorCode(error) !== "ENOENT") return `cannot use backup destination ${target}: ${describeFsError(error)}`;
  }
  const parent = dirname(target);
  try {
    if (!statSync(parent).isDirectory()) return `cannot write the backup: ${parent} is not a folder`;
  } catch (error) {
    return `cannot write the backup: its parent folder ${parent} is unusable (${describeFsError(error)}); create it first`;
  }
  return undefined;
}

/**
 * Writes a backup of the registry into the new folder `dest` and returns what it holds. Everything
 * is written into a hidden sibling folder that is renamed to `dest` only once complete, so an
 * interrupted backup never leaves a folder that looks like a backup. Throws OpsError when `dest` is
 * unusable or a crate file is missing or does not match its recorded checksum (nothing is left).
 */
export async function createBackup(o: BackupOptions): Promise<BackupReport> {
  const dest = resolve(o.dest);
  const problem = backupDestinationProblem(dest, o.dataDir);
  if (problem) throw new OpsError(problem);
  const staging = makeStagingFolder(dest);
  try {
    const dbPath = join(staging, DATABASE_FILE);
    // Why one step for all pages: SQLite restarts a multi-step backup whenever another connection
    // writes in between, which a busy registry could do forever. One step reads one consistent
    // snapshot, and in WAL mode it does not block writers.
    await o.sqlite.backup(dbPath, { progress: () => 0x7fffffff });
    const snapshot = readSnapshot(dbPath);
    const files: ManifestCrateFile[] = [];
    // The list comes from the snapshot, not the live database: a publish that commits after the
    // snapshot is left out entirely. Files of committed versions never change, so copying them now
    // gives exactly the bytes the snapshot recorded.
    for (const v of snapshot.versions) files.push(await copyCrateFile(o.store, staging, v));
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      createdAt: isoSeconds(o.now),
      cargoholdVersion: o.cargoholdVersion,
      schemaVersion: snapshot.schemaVersion,
      database: { path: DATABASE_FILE, ...(await sha256File(dbPath)) },
      files,
    };
    writeFileSync(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    fsyncPath(join(staging, MANIFEST_FILE));
    for (const dir of new Set(files.map((f) => dirname(join(staging, f.path))))) fsyncPath(dir);
    fsyncPath(staging);
    moveIntoPlace(staging, dest);
    return { dest, manifest, crateBytes: files.reduce((sum, f) => sum + f.size, 0) };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

function makeStagingFolder(dest: string): string {
  try {
    return mkdtempSync(join(dirname(dest), `.${basename(dest)}.incomplete-`));
  } catch (error) {
    throw new OpsError(`cannot write the backup into ${dirname(dest)}: ${describeFsError(error)}`);
  }
}

/**
 * Turns the copied database into a self-contained file (rollback journal instead of WAL, so it is
 * one file with nothing beside it), checks it, and reads the versions it records.
 */
function readSnapshot(dbPath: string) {
  const db = new Database(dbPath);
  try {
    db.pragma("journal_mode = DELETE");
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new OpsError(`the database copy failed SQLite's quick_check (${String(check)}); the backup was not written`);
    return {
      schemaVersion: db.pragma("user_version", { simple: true }) as number,
      versions: versionQueries(db).listAllFiles(),
    };
  } finally {
    db.close();
  }
}

async function copyCrateFile(
  store: CrateStore,
  staging: string,
  v: { crateName: string; num: string; checksum: string; size: number },
): Promise<ManifestCrateFile> {
  const source = store.pathFor(v.crateName, v.num);
  const path = ["crates", ...relative(store.cratesDir, source).split(sep)].join("/");
  const target = join(staging, path);
  const what = `${v.crateName} ${v.num} (${path})`;
  const advice = "the backup was not written; run `cargohold check` for a full report";
  let copied;
  try {
    await mkdir(dirname(target), { recursive: true });
    copied = await copyDurably(source, target);
  } catch (error) {
    if (errorCode(error) === "ENOENT") throw new OpsError(`crate file of ${what} is missing; ${advice}`);
    throw new OpsError(`cannot copy the crate file of ${what}: ${describeFsError(error)}`);
  }
  if (copied.sha256 !== v.checksum || copied.size !== v.size) {
    throw new OpsError(`crate file of ${what} does not match the checksum the database records; ${advice}`);
  }
  return { path, sha256: copied.sha256, size: copied.size, crate: v.crateName, version: v.num };
}

/** Renames the finished staging folder to `dest`, refusing if something appeared there meanwhile. */
function moveIntoPlace(staging: string, dest: string): void {
  const problem = backupDestinationProblem(dest);
  if (problem) throw new OpsError(problem);
  renameSync(staging, dest);
  fsyncPath(dirname(dest));
}
