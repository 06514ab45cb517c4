// Opens an existing registry for the commands that must never create one (backup, check, audit).
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.js";
import { createContext, type AppContext } from "../context.js";
import { silentLogger } from "../logger.js";
import { dataDirProblem } from "../ops/data-dir.js";
import { OpsError } from "../ops/errors.js";
import { DATABASE_FILE } from "../db/index.js";
import { CliError } from "./io.js";

/** Opens DATA_DIR's registry, or throws CliError when there is none or the folder is unusable. */
export function openRegistry(config: Config): AppContext {
  const problem = dataDirProblem(config.dataDir);
  if (problem) throw new CliError(problem);
  if (!existsSync(join(config.dataDir, DATABASE_FILE))) {
    throw new CliError(`DATA_DIR ${config.dataDir} holds no registry (no ${DATABASE_FILE}); set DATA_DIR to the server's data folder`);
  }
  return createContext(config, { logger: silentLogger });
}

/** Runs `fn` on the opened registry and closes it; OpsError becomes a CliError (exit 1). */
export async function withRegistry<T>(config: Config, fn: (ctx: AppContext) => Promise<T> | T): Promise<T> {
  const ctx = openRegistry(config);
  try {
    return await fn(ctx);
  } catch (error) {
    throw error instanceof OpsError ? new CliError(error.message) : error;
  } finally {
    ctx.db.close();
  }
}
