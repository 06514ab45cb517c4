// Built sparse-index files kept in memory, so a request costs a map lookup instead of a query, a JSON
// round trip and a SHA-256. Correctness before speed: an entry is dropped by the database itself the
// moment its crate's versions change, whatever code made the change, and the whole cache is dropped
// when another connection (the CLI, a second server process) has committed anything.
import type Database from "better-sqlite3";
import { OtherConnectionCommits, watchRows } from "../db/change-watch.js";
import { LruBytes } from "../lru-bytes.js";

export interface CachedIndexFile {
  crateId: number;
  body: Buffer;
  /** Strong ETag: the quoted SHA-256 of the body. */
  etag: string;
}

/** Memory for cached index files: about 5,000 typical crates, or a few hundred with long histories. */
export const INDEX_CACHE_BYTES = 64 * 1024 * 1024;

export class IndexCache {
  private readonly files: LruBytes<string, CachedIndexFile>;
  private readonly keysOfCrate = new Map<number, string>();
  private seenCommits: number;

  /**
   * Attaches to `sqlite`: any insert, update or delete of a version, or rename or delete of a crate,
   * drops that crate's file; any commit by another connection (`otherCommits`) drops them all.
   */
  constructor(
    private readonly sqlite: Database.Database,
    private readonly otherCommits: OtherConnectionCommits,
    maxBytes = INDEX_CACHE_BYTES,
  ) {
    this.files = new LruBytes(maxBytes, (_name, file) => this.keysOfCrate.delete(file.crateId));
    watchRows(
      sqlite,
      "cargohold_index_changed",
      [
        { event: "INSERT ON main.versions", report: ["NEW.crate_id"] },
        { event: "UPDATE ON main.versions", report: ["OLD.crate_id", "NEW.crate_id"] },
        { event: "DELETE ON main.versions", report: ["OLD.crate_id"] },
        { event: "UPDATE OF name, canonical_name ON main.crates", report: ["OLD.id"] },
        { event: "DELETE ON main.crates", report: ["OLD.id"] },
      ],
      (crateId) => this.invalidate(Number(crateId)),
    );
    this.seenCommits = otherCommits.generation();
  }

  /** The cached file for a lowercased crate name, or undefined. */
  get(name: string): CachedIndexFile | undefined {
    const commits = this.otherCommits.generation();
    if (commits !== this.seenCommits) {
      this.seenCommits = commits;
      this.clear();
    }
    return this.files.get(name);
  }

  /** Stores a file just built from committed rows; ignored inside a transaction, whose rows may still roll back. */
  set(name: string, entry: CachedIndexFile): void {
    if (this.sqlite.inTransaction) return;
    this.invalidate(entry.crateId);
    if (this.files.set(name, entry, entry.body.length)) this.keysOfCrate.set(entry.crateId, name);
  }

  /** Drops the crate's file, if cached. */
  invalidate(crateId: number): void {
    const key = this.keysOfCrate.get(crateId);
    if (key !== undefined) this.files.delete(key);
  }

  clear(): void {
    this.files.clear();
  }

  get size(): { files: number; bytes: number } {
    const { entries, bytes } = this.files.size;
    return { files: entries, bytes };
  }
}
