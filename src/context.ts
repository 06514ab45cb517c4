// The application context: everything a request handler needs, built once from the configuration.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config.js";
import { openDatabase, type Db } from "./db/index.js";
import { createLogger, type Logger } from "./logger.js";
import { CrateStore } from "./storage/crate-store.js";
import { systemClock, type Clock } from "./time.js";

export interface AppContext {
  config: Config;
  db: Db;
  store: CrateStore;
  logger: Logger;
  now: Clock;
}

/** Opens the database (migrating it) and the crate store under `config.dataDir`. */
export function createContext(config: Config, options: { logger?: Logger; now?: Clock } = {}): AppContext {
  mkdirSync(config.dataDir, { recursive: true });
  const db = openDatabase(join(config.dataDir, "cargohold.sqlite3"));
  const store = new CrateStore(config.dataDir);
  return {
    config,
    db,
    store,
    logger: options.logger ?? createLogger(config.logFormat),
    now: options.now ?? systemClock,
  };
}
