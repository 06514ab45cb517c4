// Starts the registry: reads the environment (the only place that does), opens the data folder,
// listens, and shuts down cleanly on SIGTERM/SIGINT.
import { createApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { createContext } from "./context.js";

function main(): void {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`cargohold: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const ctx = createContext(config);
  ctx.store.removeStaleTempFiles();
  const app = createApp(ctx);
  const server = app.listen(config.port, config.host, () => {
    ctx.logger.info("listening", { url: config.publicUrl, host: config.host, port: config.port, dataDir: config.dataDir, authRequired: config.authRequired });
  });
  const shutdown = (signal: string) => {
    ctx.logger.info("shutting down", { signal });
    server.close(() => {
      ctx.db.close();
      process.exit(0);
    });
    setTimeout(() => process.exit(1), 30_000).unref();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main();
