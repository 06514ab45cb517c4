// Applies the numbered SQL files in migrations/ that are newer than `PRAGMA user_version`.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads `NNNN_name.sql` files from `dir`, sorted; throws when numbers are duplicated or not contiguous from 1. */
export function readMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .map((file) => {
      const match = /^(\d{4})_[a-z0-9_-]+\.sql$/.exec(file);
      if (!match) throw new Error(`migration file name must look like 0001_name.sql: ${file}`);
      return { version: Number(match[1]), name: file, sql: readFileSync(join(dir, file), "utf8") };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 0001, 0002, ... without gaps: ${m.name}`);
  });
  return migrations;
}

/**
 * Brings the database up to the newest migration (or to `upTo`), each file in its own transaction
 * with the `user_version` bump inside it. Returns the versions applied.
 */
export function migrate(db: Database.Database, migrations: Migration[], upTo = Infinity): number[] {
  refuseNewerSchema(db, migrations.length);
  const current = db.pragma("user_version", { simple: true }) as number;
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current || m.version > upTo) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}

/** Throws when the database was written by a newer cargohold (its schema is past our last migration). */
export function refuseNewerSchema(db: Database.Database, latest: number): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > latest) {
    throw new Error(`the database is at schema version ${current}, newer than this cargohold (${latest}); upgrade cargohold`);
  }
}
