// The application context: everything a request handler needs, built once from the configuration.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config.js";
import { IndexCache, INDEX_CACHE_BYTES } from "./api/index-cache.js";
import { TokenCache } from "./auth/token-cache.js";
import { OtherConnectionCommits } from "./db/change-watch.js";
import { DATABASE_FILE, openDatabase, type Db } from "./db/index.js";
import { createLogger, type Logger } from "./logger.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { createPublishLimiter, type PublishLimiter } from "./publish-limits.js";
import { CrateFileCache } from "./storage/crate-file-cache.js";
import { CrateStore } from "./storage/crate-store.js";
import { systemClock, type Clock } from "./time.js";

export interface AppContext {
  config: Config;
  db: Db;
  store: CrateStore;
  logger: Logger;
  metrics: Metrics;
  publishLimiter: PublishLimiter;
  /** Built sparse-index files, dropped by the database whenever their crate changes. */
  indexCache: IndexCache;
  /** Usable tokens with their users, dropped by the database whenever either changes. */
  tokenCache: TokenCache;
  /** Recently downloaded .crate files, dropped by the database when their version is deleted. */
  crateFileCache: CrateFileCache;
  now: Clock;
}

/** Opens the database (migrating it) and the crate store under `config.dataDir`. */
export function createContext(config: Config, options: { logger?: Logger; now?: Clock } = {}): AppContext {
  mkdirSync(config.dataDir, { recursive: true });
  const db = openDatabase(join(config.dataDir, DATABASE_FILE));
  const store = new CrateStore(config.dataDir);
  const otherCommits = new OtherConnectionCommits(db.sqlite);
  return {
    config,
    db,
    store,
    logger: options.logger ?? createLogger(config.logFormat),
    metrics: createMetrics(db),
    publishLimiter: createPublishLimiter(config.publishLimits),
    indexCache: new IndexCache(db.sqlite, otherCommits, INDEX_CACHE_BYTES),
    tokenCache: new TokenCache(db.sqlite, otherCommits),
    crateFileCache: new CrateFileCache(db.sqlite, otherCommits),
    now: options.now ?? systemClock,
  };
}
