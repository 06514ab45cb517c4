// Starts the registry: reads the environment (the only place that does), opens the data folder,
// listens, and shuts down cleanly on SIGTERM/SIGINT.
import type { Server } from "node:http";
import { createApp } from "./app.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { createContext, type AppContext } from "./context.js";
import { dataDirProblem } from "./ops/data-dir.js";
import { createSetupLink } from "./web/setup.js";

function main(): void {
  const config = configOrExit();
  const unusable = dataDirProblem(config.dataDir);
  if (unusable) {
    console.error(`cargohold: ${unusable}`);
    process.exit(1);
  }
  let ctx: AppContext;
  try {
    ctx = createContext(config);
    ctx.store.removeStaleTempFiles();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "EACCES" || code === "EPERM" || code === "EROFS" ? "it is not writable" : (error as Error).message;
    console.error(`cargohold: cannot use the data folder ${config.dataDir}: ${reason}`);
    process.exit(1);
  }
  // Log lines are written once per event-loop turn; whatever is still held back goes out on exit.
  process.on("exit", () => ctx.logger.flush());
  const setupLink = createSetupLink(ctx);
  if (setupLink) {
    // Printed, never logged as JSON: the link is a one-time secret for whoever reads this console.
    console.log(`\ncargohold has no accounts yet. Create the administrator account here (the link works once):\n\n  ${setupLink}\n`);
  }
  const server = createApp(ctx).listen(config.port, config.host, () => {
    ctx.logger.info("listening", { url: config.publicUrl, host: config.host, port: config.port, dataDir: config.dataDir, authRequired: config.authRequired });
  });
  server.on("error", (error: NodeJS.ErrnoException) => {
    console.error(`cargohold: cannot listen on ${config.host}:${config.port}: ${error.code === "EADDRINUSE" ? "the port is in use" : error.message}`);
    process.exit(1);
  });
  process.once("SIGTERM", () => shutdown(ctx, server, "SIGTERM"));
  process.once("SIGINT", () => shutdown(ctx, server, "SIGINT"));
}

function configOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`cargohold: ${error.message}`);
    process.exit(2);
  }
}

/**
 * Stops accepting connections, lets in-flight requests finish (bounded), then closes the database.
 * A publish either commits before this returns or never starts its transaction; its temp file, if
 * any, is removed at the next start.
 */
function shutdown(ctx: AppContext, server: Server, signal: string): void {
  ctx.logger.info("shutting down", { signal });
  // In-flight requests (a publish, a large download) get a bounded time to finish.
  const graceSeconds = ctx.config.shutdownGraceSeconds;
  const timer = setTimeout(() => {
    ctx.logger.warn("in-flight requests did not finish in time; closing their connections", { graceSeconds });
    server.closeAllConnections();
  }, graceSeconds * 1000);
  server.close(() => {
    clearTimeout(timer);
    ctx.db.close();
    ctx.logger.info("stopped");
    process.exit(0);
  });
  server.closeIdleConnections();
}

main();
