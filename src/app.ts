// Builds the Express application from a context: request ids and access log, the cargo face
// (/api, /index), the health check, and the web pages. No I/O at import.
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { serveLeanReadsFirst } from "./api/lean-reads.js";
import { apiRoutes } from "./api/routes.js";
import type { AppContext } from "./context.js";
import { accessLog } from "./access-log.js";
import { healthCheck } from "./health.js";
import { metricsEndpoint } from "./metrics.js";
import { webRoutes } from "./web/routes.js";

export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  // Behind a reverse proxy, the client address comes from X-Forwarded-For (login rate limits use it).
  app.set("trust proxy", ctx.config.trustProxy ? 1 : false);
  app.use(collapseLeadingSlashes);
  app.use(accessLog(ctx));
  app.get("/health", healthCheck(ctx));
  app.get("/metrics", metricsEndpoint(ctx.metrics, ctx.config.metricsToken));
  app.use(apiRoutes(ctx));
  app.use(webRoutes(ctx));
  // Index files and downloads skip Express's per-request setup (see api/lean-reads.ts).
  serveLeanReadsFirst(app, ctx);
  return app;
}

/**
 * cargo builds API URLs as `{api}/api/v1/...` verbatim, so an `api` ending in `/` (a proxy, an old
 * config) yields `//api/v1/...`, which Express would not route. We never emit one, and we accept it.
 */
function collapseLeadingSlashes(req: Request, _res: Response, next: NextFunction): void {
  if (req.url.startsWith("//")) req.url = req.url.replace(/^\/{2,}/, "/");
  next();
}
