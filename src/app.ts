// Builds the Express application from a context: request ids and access log, the cargo face
// (/api, /index), the health check, and the web pages. No I/O at import.
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { apiRoutes } from "./api/routes.js";
import type { AppContext } from "./context.js";
import { accessLog } from "./access-log.js";
import { webRoutes } from "./web/routes.js";

export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(collapseLeadingSlashes);
  app.use(accessLog(ctx));
  app.get("/health", (_req, res) => {
    ctx.db.sqlite.prepare("SELECT 1").get();
    res.json({ status: "ok" });
  });
  app.use(apiRoutes(ctx));
  app.use(webRoutes(ctx));
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
