// Built sparse-index files kept in memory, so a request costs a map lookup instead of a query, a JSON
// round trip and a SHA-256. Correctness before speed: an entry is dropped by the database itself the
// moment its crate's versions change, whatever code made the change, and the whole cache is dropped
// when another connection (the CLI, a second server process) has committed anything.
import type Database from "better-sqlite3";

export interface CachedIndexFile {
  crateId: number;
  body: Buffer;
  /** Strong ETag: the quoted SHA-256 of the body. */
  etag: string;
}

const INVALIDATE_FN = "cargohold_index_changed";

/** Memory for cached index files: about 5,000 typical crates, or a few hundred with long histories. */
export const INDEX_CACHE_BYTES = 64 * 1024 * 1024;

export class IndexCache {
  // Map order is recency order: a hit moves its entry to the end; eviction takes from the front.
  private readonly entries = new Map<string, CachedIndexFile>();
  private readonly keysOfCrate = new Map<number, string>();
  private bytes = 0;
  private readonly dataVersion: Database.Statement;
  private seenDataVersion: unknown;

  /**
   * Attaches to `sqlite`: temporary triggers (this connection only, no schema change) call back on
   * every insert, update or delete of a version and every rename or delete of a crate.
   */
  constructor(
    private readonly sqlite: Database.Database,
    private readonly maxBytes: number,
  ) {
    sqlite.function(INVALIDATE_FN, { deterministic: false, varargs: false }, (crateId: unknown) => {
      this.invalidate(Number(crateId));
      return null;
    });
    const trigger = (name: string, event: string, ids: string[]) =>
      `CREATE TEMP TRIGGER IF NOT EXISTS ${name} AFTER ${event} BEGIN ${ids.map((id) => `SELECT ${INVALIDATE_FN}(${id});`).join(" ")} END;`;
    sqlite.exec(
      [
        trigger("cargohold_index_version_insert", "INSERT ON main.versions", ["NEW.crate_id"]),
        trigger("cargohold_index_version_update", "UPDATE ON main.versions", ["OLD.crate_id", "NEW.crate_id"]),
        trigger("cargohold_index_version_delete", "DELETE ON main.versions", ["OLD.crate_id"]),
        trigger("cargohold_index_crate_rename", "UPDATE OF name, canonical_name ON main.crates", ["OLD.id"]),
        trigger("cargohold_index_crate_delete", "DELETE ON main.crates", ["OLD.id"]),
      ].join("\n"),
    );
    this.dataVersion = sqlite.prepare("PRAGMA data_version").pluck();
    this.seenDataVersion = this.dataVersion.get();
  }

  /** The cached file for a lowercased crate name, or undefined. */
  get(name: string): CachedIndexFile | undefined {
    this.dropIfChangedElsewhere();
    const entry = this.entries.get(name);
    if (entry) {
      this.entries.delete(name);
      this.entries.set(name, entry);
    }
    return entry;
  }

  /** Stores a file just built from committed rows; ignored inside a transaction, whose rows may still roll back. */
  set(name: string, entry: CachedIndexFile): void {
    if (this.sqlite.inTransaction || entry.body.length > this.maxBytes) return;
    const previous = this.entries.get(name);
    if (previous) this.remove(name, previous);
    this.invalidate(entry.crateId);
    this.entries.set(name, entry);
    this.keysOfCrate.set(entry.crateId, name);
    this.bytes += entry.body.length;
    for (const [key, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(key, old);
    }
  }

  /** Drops the crate's file, if cached. */
  invalidate(crateId: number): void {
    const key = this.keysOfCrate.get(crateId);
    const entry = key === undefined ? undefined : this.entries.get(key);
    if (key !== undefined && entry) this.remove(key, entry);
  }

  clear(): void {
    this.entries.clear();
    this.keysOfCrate.clear();
    this.bytes = 0;
  }

  get size(): { files: number; bytes: number } {
    return { files: this.entries.size, bytes: this.bytes };
  }

  // PRAGMA data_version changes when another connection commits; our own commits go through the triggers.
  private dropIfChangedElsewhere(): void {
    const version = this.dataVersion.get();
    if (version === this.seenDataVersion) return;
    this.seenDataVersion = version;
    this.clear();
  }

  private remove(key: string, entry: CachedIndexFile): void {
    this.entries.delete(key);
    this.keysOfCrate.delete(entry.crateId);
    this.bytes -= entry.body.length;
  }
}
