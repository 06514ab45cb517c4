// Recently downloaded .crate files kept in memory. A file never changes once its version is
// published, so an entry stays right for as long as its version row exists: it is dropped the
// moment that row is deleted, and the whole cache when another connection (the CLI, a second
// server) commits anything. Served from memory, a download is one write to the socket instead of
// a round of file reads through the thread pool: in the benchmark, about twice the throughput.
import type Database from "better-sqlite3";
import { OtherConnectionCommits, watchRows } from "../db/change-watch.js";
import { LruBytes } from "../lru-bytes.js";

/** Memory for cached .crate files. */
export const CRATE_FILE_CACHE_BYTES = 128 * 1024 * 1024;
/** Larger files are always streamed from disk, so a few big crates cannot push out all the others. */
export const CRATE_FILE_CACHE_MAX_FILE = 16 * 1024 * 1024;

export class CrateFileCache {
  private readonly files: LruBytes<number, Buffer>;
  private seenCommits: number;

  constructor(
    sqlite: Database.Database,
    private readonly otherCommits: OtherConnectionCommits,
    maxBytes = CRATE_FILE_CACHE_BYTES,
    readonly maxFileBytes = CRATE_FILE_CACHE_MAX_FILE,
  ) {
    this.files = new LruBytes(maxBytes);
    watchRows(sqlite, "cargohold_crate_file_gone", [{ event: "DELETE ON main.versions", report: ["OLD.id"] }], (versionId) =>
      this.files.delete(Number(versionId)),
    );
    this.seenCommits = otherCommits.generation();
  }

  /** The file of the version with this id, if cached. */
  get(versionId: number): Buffer | undefined {
    const commits = this.otherCommits.generation();
    if (commits !== this.seenCommits) {
      this.seenCommits = commits;
      this.files.clear();
    }
    return this.files.get(versionId);
  }

  /** Remembers a version's file just read from the store (files over `maxFileBytes` are not kept). */
  set(versionId: number, body: Buffer): void {
    if (body.length <= this.maxFileBytes) this.files.set(versionId, body, body.length);
  }

  get size(): { files: number; bytes: number } {
    const { entries, bytes } = this.files.size;
    return { files: entries, bytes };
  }
}
