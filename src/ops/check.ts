// `cargohold check`: do the database and the crate files agree? Every version's file must exist with
// the recorded size and SHA-256; files no version refers to (orphans) and old temp files are reported.
import { readdirSync, rmSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { AppContext } from "../context.js";
import { describeFsError, errorCode, sha256File } from "./files.js";

/** Temp files younger than this may belong to a publish in progress and are not reported. */
export const TEMP_FILE_GRACE_MS = 60 * 60 * 1000;

export type ProblemKind = "missing" | "checksum mismatch" | "unreadable" | "orphan" | "temp leftover";

export interface Problem {
  kind: ProblemKind;
  /** Relative to DATA_DIR, with `/`. */
  path: string;
  /** The report line, e.g. `missing: foo 1.0.0 (crates/foo/foo-1.0.0.crate)`. */
  line: string;
}

export interface CheckReport {
  versions: number;
  problems: Problem[];
  /** Paths (relative to DATA_DIR) that `repair` deleted. */
  removed: string[];
}

/**
 * Compares the database with the crate store. With `repair`, deletes orphans and old temp files,
 * never a file a version refers to; the problems it fixed are left out of `problems`.
 */
export async function checkIntegrity(ctx: AppContext, options: { repair?: boolean } = {}): Promise<CheckReport> {
  const { store } = ctx;
  const dataDir = ctx.config.dataDir;
  const rel = (path: string) => relative(dataDir, path).split(sep).join("/");
  // Why inside a write transaction: a publish renames its file into crates/ just before it commits,
  // under the same lock. Holding the lock while listing both sides means no file is caught between
  // its rename and its commit (it would look like an orphan). Hashing happens after, unlocked.
  const { versions, onDisk, temps } = ctx.db.transaction(() => ({
    versions: ctx.db.versions.listAllFiles(),
    onDisk: new Set(listFilesUnder(store.cratesDir)),
    temps: listFilesUnder(store.tmpDir),
  }));
  const problems: Problem[] = [];
  for (const v of versions) {
    const path = store.pathFor(v.crateName, v.num);
    const what = `${v.crateName} ${v.num} (${rel(path)})`;
    const problem = onDisk.delete(path) ? await verifyFile(path, v, what) : { kind: "missing" as const, line: `missing: ${what}` };
    if (problem) problems.push({ ...problem, path: rel(path) });
  }
  for (const path of onDisk) problems.push({ kind: "orphan", path: rel(path), line: `orphan: ${rel(path)} (no version refers to it)` });
  const now = ctx.now().getTime();
  for (const path of temps) {
    const modified = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
    if (modified === undefined) continue; // a publish finished with it meanwhile
    const age = now - modified;
    if (age < TEMP_FILE_GRACE_MS) continue;
    problems.push({ kind: "temp leftover", path: rel(path), line: `temp leftover: ${rel(path)} (from an interrupted publish, ${hours(age)} old)` });
  }
  const removed = options.repair ? repair(ctx, problems, dataDir) : [];
  return { versions: versions.length, problems: problems.filter((p) => !removed.includes(p.path)), removed };
}

/** Why a version's file does not match the database (size and SHA-256), or undefined when it does. */
async function verifyFile(
  path: string,
  v: { checksum: string; size: number },
  what: string,
): Promise<{ kind: ProblemKind; line: string } | undefined> {
  try {
    const found = await sha256File(path);
    if (found.sha256 === v.checksum && found.size === v.size) return undefined;
    const line = `checksum mismatch: ${what}: recorded sha256 ${short(v.checksum)} (${v.size} bytes), found ${short(found.sha256)} (${found.size} bytes)`;
    return { kind: "checksum mismatch", line };
  } catch (error) {
    if (errorCode(error) === "ENOENT") return { kind: "missing", line: `missing: ${what}` };
    return { kind: "unreadable", line: `unreadable: ${what}: ${describeFsError(error)}` };
  }
}

/**
 * Deletes the orphans and temp leftovers among `problems`. Each deletion happens inside a write
 * transaction that first re-reads the versions: a publish retried since the listing may have put a
 * real file at an orphan's path, and that file must survive.
 */
function repair(ctx: AppContext, problems: Problem[], dataDir: string): string[] {
  const removable = problems.filter((p) => p.kind === "orphan" || p.kind === "temp leftover");
  if (removable.length === 0) return [];
  return ctx.db.transaction(() => {
    const referenced = new Set(ctx.db.versions.listAllFiles().map((v) => ctx.store.pathFor(v.crateName, v.num)));
    const removed: string[] = [];
    for (const p of removable) {
      const path = join(dataDir, p.path);
      if (referenced.has(path)) continue;
      rmSync(path, { force: true });
      removed.push(p.path);
    }
    return removed;
  });
}

/** Every file (anything but a folder) below `dir`, as sorted absolute paths; empty when `dir` does not exist. */
function listFilesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === "ENOENT") return [];
    throw error;
  }
  return entries.flatMap((e) => (e.isDirectory() ? listFilesUnder(join(dir, e.name)) : [join(dir, e.name)])).sort();
}

const short = (sha: string) => `${sha.slice(0, 16)}…`;

function hours(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  return h < 48 ? `${h} h` : `${Math.floor(h / 24)} days`;
}
