// Checks that DATA_DIR can hold a registry before anything opens it, so an unusable folder gets a
// sentence naming the folder and the fix instead of a stack trace from deep inside SQLite.
import { accessSync, constants, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { describeFsError, errorCode } from "./files.js";
import { DATABASE_FILE } from "../db/index.js";

/**
 * Returns why `dataDir` cannot be used (it cannot be created, is not a folder, or it or its database
 * is not writable by this process), or undefined. Writes nothing.
 */
export function dataDirProblem(dataDir: string): string | undefined {
  const who = typeof process.getuid === "function" ? ` (uid ${process.getuid()})` : "";
  const fix = "give that user write access (in Docker: a volume writable by the image's `node` user), or set DATA_DIR to another folder";
  try {
    const existing = nearestExisting(dataDir);
    if (existing !== dataDir) {
      if (!statSync(existing).isDirectory()) return `DATA_DIR ${dataDir} cannot be created: ${existing} is not a folder`;
      if (!isWritable(existing)) return `DATA_DIR ${dataDir} does not exist and cannot be created: ${existing} is not writable by this user${who}; ${fix}`;
      return undefined;
    }
    if (!statSync(dataDir).isDirectory()) return `DATA_DIR ${dataDir} is not a folder`;
    if (!isWritable(dataDir)) return `DATA_DIR ${dataDir} is not writable by this user${who}; ${fix}`;
    const database = join(dataDir, DATABASE_FILE);
    if (statSync(database, { throwIfNoEntry: false }) && !isWritable(database)) {
      return `the database ${database} is not writable by this user${who}; ${fix}`;
    }
    return undefined;
  } catch (error) {
    return `cannot use DATA_DIR ${dataDir}: ${describeFsError(error)}`;
  }
}

/** `path` itself when it exists, else its nearest existing ancestor. */
function nearestExisting(path: string): string {
  for (let p = path; ; p = dirname(p)) {
    try {
      statSync(p);
      return p;
    } catch (error) {
      const code = errorCode(error);
      if ((code !== "ENOENT" && code !== "ENOTDIR") || dirname(p) === p) throw error;
    }
  }
}

// Why access(2) rather than a probe file: it answers for this process's user (and a read-only
// mount) without writing anything into a folder that may not be ours.
function isWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
