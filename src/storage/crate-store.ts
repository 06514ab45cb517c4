// The folder of .crate files. This module owns every on-disk path built from a crate name, and
// checks names and versions before they touch the disk.
import { randomBytes } from "node:crypto";
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { join, relative } from "node:path";
import type { ReadStream } from "node:fs";

// Deliberately stricter than needed: whatever reaches a path is letters, digits, '-', '_' (names)
// and SemVer characters (versions), so '/', '..' and NUL can never appear.
const SAFE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const SAFE_VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,149}$/;

export class CrateStore {
  readonly cratesDir: string;
  readonly tmpDir: string;

  constructor(dataDir: string) {
    this.cratesDir = join(dataDir, "crates");
    this.tmpDir = join(dataDir, "tmp");
    mkdirSync(this.cratesDir, { recursive: true });
    mkdirSync(this.tmpDir, { recursive: true });
  }

  /** Absolute path of a version's file: crates/<lowercase name>/<lowercase name>-<version>.crate. Throws on unsafe input. */
  pathFor(name: string, version: string): string {
    if (!SAFE_NAME.test(name) || !SAFE_VERSION.test(version) || version.includes("..")) {
      throw new Error(`refusing to build a path from crate name ${JSON.stringify(name)} and version ${JSON.stringify(version)}`);
    }
    const lower = name.toLowerCase();
    return join(this.cratesDir, lower, `${lower}-${version}.crate`);
  }

  /** Writes `data` to a new temp file on the same filesystem and fsyncs it; returns its path. */
  async writeTemp(data: Uint8Array): Promise<string> {
    const path = join(this.tmpDir, `${randomBytes(12).toString("hex")}.part`);
    const handle = await open(path, "wx", 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return path;
  }

  /**
   * Moves a temp file to its final place (atomic rename) and fsyncs the folder, so the file is
   * either wholly there or absent. Synchronous: it runs as the last step of the publish transaction.
   */
  commit(tmpPath: string, name: string, version: string): void {
    const finalPath = this.pathFor(name, version);
    const dir = join(finalPath, "..");
    mkdirSync(dir, { recursive: true });
    renameSync(tmpPath, finalPath);
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Removes a temp file that will not be committed; never throws. */
  discard(tmpPath: string): void {
    rmSync(tmpPath, { force: true });
  }

  /** Opens a version's file for streaming, with its size; undefined when the file is missing. */
  openRead(name: string, version: string): { stream: ReadStream; size: number } | undefined {
    const path = this.pathFor(name, version);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return undefined;
    }
    return { stream: createReadStream(path), size };
  }

  /** Deletes temp files left by an interrupted publish (run at start, before serving). */
  removeStaleTempFiles(): number {
    const stale = readdirSync(this.tmpDir);
    for (const file of stale) rmSync(join(this.tmpDir, file), { force: true, recursive: true });
    return stale.length;
  }

  /** Every file under crates/, as paths relative to the crates folder. */
  listFiles(): string[] {
    const files: string[] = [];
    for (const dir of readdirSync(this.cratesDir, { withFileTypes: true })) {
      const full = join(this.cratesDir, dir.name);
      if (!dir.isDirectory()) {
        files.push(dir.name);
        continue;
      }
      for (const file of readdirSync(full)) files.push(relative(this.cratesDir, join(full, file)));
    }
    return files.sort();
  }
}
