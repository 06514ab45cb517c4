// File helpers shared by backup, restore and the integrity check: hashing, durable copies, and
// what a folder holds.
import { createHash } from "node:crypto";
import { closeSync, constants, createReadStream, fsyncSync, openSync, readdirSync, statSync } from "node:fs";
import { copyFile } from "node:fs/promises";

export interface FileDigest {
  sha256: string;
  size: number;
}

/** SHA-256 (lowercase hex) and size of a file; rejects when it cannot be read. */
export async function sha256File(path: string): Promise<FileDigest> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}

/**
 * Copies `from` to a new file `to` (refusing to overwrite), flushes it to disk and returns the
 * digest of the copy. Why hash the copy rather than the source: what must be right is what was
 * written.
 */
export async function copyDurably(from: string, to: string): Promise<FileDigest> {
  await copyFile(from, to, constants.COPYFILE_EXCL);
  fsyncPath(to);
  return sha256File(to);
}

/** Flushes a file or a folder (its list of entries) to disk. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export type FolderState = "absent" | "empty" | "not-empty" | "not-a-folder";

/** Whether `path` is missing, an empty folder, a folder with entries, or something else. */
export function folderState(path: string): FolderState {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (error) {
    if (errorCode(error) === "ENOENT") return "absent";
    throw error;
  }
  if (!isDir) return "not-a-folder";
  return readdirSync(path).length === 0 ? "empty" : "not-empty";
}

/** The `code` of a Node.js system error (ENOENT, EACCES, ...), or undefined. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

/** A short human reason for a file system error: "permission denied", "read-only file system", ... */
export function describeFsError(error: unknown): string {
  const reasons: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOENT: "no such file or folder",
    ENOTDIR: "a part of the path is not a folder",
    ENOSPC: "no space left on the device",
    EEXIST: "it already exists",
  };
  const code = errorCode(error);
  return (code && reasons[code]) ?? (error instanceof Error ? error.message : String(error));
}
