// Opens the SQLite database, brings its schema up to date and builds the query objects.
import { join } from "node:path";
import Database from "better-sqlite3";
import { packageRoot } from "../package-root.js";
import { auditQueries } from "./audit.js";
import { crateQueries } from "./crates.js";
import { migrate, readMigrations, refuseNewerSchema } from "./migrate.js";
import { sessionQueries } from "./sessions.js";
import { tokenQueries } from "./tokens.js";
import { userQueries } from "./users.js";
import { versionQueries } from "./versions.js";

export const migrationsDir = join(packageRoot, "migrations");
/** The database's file name inside DATA_DIR. */
export const DATABASE_FILE = "cargohold.sqlite3";

export type Db = ReturnType<typeof openDatabase>;

/** Opens (creating if needed) the database file, applies pending migrations and prepares every query. */
export function openDatabase(file: string) {
  const sqlite = new Database(file);
  const migrations = readMigrations(migrationsDir);
  try {
    // Checked before anything changes the file (even the journal mode): a newer schema is refused untouched.
    refuseNewerSchema(sqlite, migrations.length);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  sqlite.pragma("journal_mode = WAL");
  // WAL + NORMAL: a commit survives a process crash; only a power cut may lose the last commits.
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  migrate(sqlite, migrations);
  return {
    sqlite,
    users: userQueries(sqlite),
    tokens: tokenQueries(sqlite),
    crates: crateQueries(sqlite),
    versions: versionQueries(sqlite),
    audit: auditQueries(sqlite),
    sessions: sessionQueries(sqlite),
    /** Runs `fn` in a transaction (BEGIN IMMEDIATE). `fn` must be synchronous. */
    transaction<T>(fn: () => T): T {
      return sqlite.transaction(fn).immediate();
    },
    close(): void {
      sqlite.close();
    },
  };
}
