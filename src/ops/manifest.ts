// The backup manifest (`manifest.json`): what a backup folder holds, with a SHA-256 for every file,
// and the rules a manifest read back from disk must follow before restore trusts a path in it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATABASE_FILE } from "../db/index.js";
import { packageRoot } from "../package-root.js";
import { OpsError } from "./errors.js";

export const MANIFEST_FILE = "manifest.json";
/** Bumped when the layout of a backup changes in a way an older restore would misread. */
export const MANIFEST_FORMAT = 1;

export interface ManifestFile {
  /** Relative to the backup folder (and to DATA_DIR), always with `/`. */
  path: string;
  sha256: string;
  size: number;
}

export interface ManifestCrateFile extends ManifestFile {
  crate: string;
  version: string;
}

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  createdAt: string;
  cargoholdVersion: string;
  /** The database's `user_version`: the number of migrations applied. */
  schemaVersion: number;
  database: ManifestFile;
  files: ManifestCrateFile[];
}

/** The `version` field of the package.json shipped with this code. */
export function cargoholdVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}

// Why so strict: a tampered manifest must not be able to make restore write outside DATA_DIR, so
// a crate file path is exactly the shape CrateStore builds: crates/<name>/<name>-<version>.crate.
const CRATE_PATH = /^crates\/[a-z][a-z0-9_-]{0,63}\/[a-z][a-z0-9_-]{0,63}-[0-9A-Za-z][0-9A-Za-z.+-]{0,149}\.crate$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** Parses and validates `manifest.json` text; throws OpsError naming the first thing wrong. */
export function parseManifest(text: string): BackupManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new OpsError(`${MANIFEST_FILE} is not valid JSON`);
  }
  const m = raw as Partial<Record<keyof BackupManifest, unknown>>;
  const fail = (what: string): never => {
    throw new OpsError(`${MANIFEST_FILE} is not a cargohold backup manifest: ${what}`);
  };
  if (typeof m !== "object" || m === null) fail("not a JSON object");
  if (m.format !== MANIFEST_FORMAT) fail(`format ${JSON.stringify(m.format)} is not ${MANIFEST_FORMAT} (made by another cargohold version?)`);
  if (typeof m.createdAt !== "string") fail("createdAt is missing");
  if (typeof m.cargoholdVersion !== "string") fail("cargoholdVersion is missing");
  if (!Number.isSafeInteger(m.schemaVersion) || (m.schemaVersion as number) < 1) fail("schemaVersion is missing");
  const database = fileEntry(m.database, fail);
  if (database.path !== DATABASE_FILE) fail(`the database must be ${DATABASE_FILE}, not ${JSON.stringify(database.path)}`);
  if (!Array.isArray(m.files)) fail("files is missing");
  const seen = new Set<string>();
  const files = (m.files as unknown[]).map((entry) => {
    const file = fileEntry(entry, fail);
    const { crate, version } = entry as { crate?: unknown; version?: unknown };
    if (!CRATE_PATH.test(file.path) || file.path.includes("..")) fail(`unexpected file path ${JSON.stringify(file.path)}`);
    if (seen.has(file.path)) fail(`${file.path} is listed twice`);
    if (typeof crate !== "string" || typeof version !== "string") fail(`${file.path} has no crate name or version`);
    seen.add(file.path);
    return { ...file, crate: crate as string, version: version as string };
  });
  return {
    format: MANIFEST_FORMAT,
    createdAt: m.createdAt as string,
    cargoholdVersion: m.cargoholdVersion as string,
    schemaVersion: m.schemaVersion as number,
    database,
    files,
  };
}

function fileEntry(entry: unknown, fail: (what: string) => never): ManifestFile {
  const e = entry as Partial<Record<keyof ManifestFile, unknown>> | null;
  if (typeof e !== "object" || e === null || typeof e.path !== "string") return fail("a file entry has no path");
  if (typeof e.sha256 !== "string" || !SHA256.test(e.sha256)) return fail(`${e.path} has no valid sha256`);
  if (!Number.isSafeInteger(e.size) || (e.size as number) < 0) return fail(`${e.path} has no valid size`);
  return { path: e.path, sha256: e.sha256, size: e.size as number };
}
