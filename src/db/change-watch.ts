// How in-memory caches learn that rows they were built from have changed: temporary triggers report
// this connection's own writes the moment they happen, whatever code makes them, and
// `PRAGMA data_version` tells that another connection (the CLI, a second server) has committed.
// Temporary triggers belong to this connection only; the schema is not changed.
import type Database from "better-sqlite3";

export interface RowTrigger {
  /** e.g. `UPDATE ON main.versions` or `UPDATE OF name ON main.crates`. */
  event: string;
  /** SQL expressions of the changed row whose values are reported, e.g. `OLD.crate_id`. */
  report: string[];
}

/**
 * Calls `onChange(value)` for each reported value of each row the triggers fire on. `name` must be
 * unique per connection (it names the SQL function and prefixes the triggers). `onChange` runs inside
 * the writing statement: it must not use the database.
 */
export function watchRows(sqlite: Database.Database, name: string, triggers: RowTrigger[], onChange: (value: unknown) => void): void {
  sqlite.function(name, { deterministic: false }, (value: unknown) => {
    onChange(value);
    return null;
  });
  sqlite.exec(
    triggers
      .map((t, i) => `CREATE TEMP TRIGGER IF NOT EXISTS ${name}_${i} AFTER ${t.event} BEGIN ${t.report.map((e) => `SELECT ${name}(${e});`).join(" ")} END;`)
      .join("\n"),
  );
}

/**
 * Counts commits made by other connections, as seen through `PRAGMA data_version`. SQLite is asked
 * at most once per synchronous turn of the event loop (about 2 µs a time, and a request would
 * otherwise ask once per cache): what commits during a turn is seen at the next one, exactly as if
 * it had come a moment later.
 */
export class OtherConnectionCommits {
  private readonly dataVersion: Database.Statement;
  private seen: unknown;
  private count = 0;
  private askedThisTurn = false;
  private readonly endTurn = () => {
    this.askedThisTurn = false;
  };

  constructor(sqlite: Database.Database) {
    this.dataVersion = sqlite.prepare("PRAGMA data_version").pluck();
    this.seen = this.dataVersion.get();
  }

  /** A number that grows each time another connection is found to have committed. */
  generation(): number {
    if (this.askedThisTurn) return this.count;
    this.askedThisTurn = true;
    queueMicrotask(this.endTurn);
    const version = this.dataVersion.get();
    if (version !== this.seen) {
      this.seen = version;
      this.count++;
    }
    return this.count;
  }
}
