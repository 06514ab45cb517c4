// The lean path for the two reads cargo makes by the hundred: index files and downloads. Express's
// per-request setup (it swaps the prototypes of the request and response objects, which makes every
// later property access on them slow) costs more than the rest of such a request, so these requests
// skip Express: the same handler functions from the route table run on Node's own request and
// response, after the same access log, and their errors are answered by the same API error handler.
// Anything not matched exactly here (HEAD, query strings, %-escapes, odd slashes) goes through Express.
import type { IncomingMessage, ServerResponse } from "node:http";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { accessLog } from "../access-log.js";
import type { AppContext } from "../context.js";
import { downloadVersion } from "./download.js";
import { apiErrorHandler } from "./error-handler.js";
import type { Handler } from "./handler.js";
import type { NodeRequest } from "./node-request.js";
import { API_ROUTES } from "./routes.js";
import { getIndexFile } from "./sparse-index.js";

type NodeHandler = (ctx: AppContext, req: NodeRequest, res: ServerResponse) => void | Promise<void>;

interface LeanRoute {
  /** The route table's path, which the access log and metrics report. */
  path: string;
  /** The URLs served here: plain characters only, so the parameters need no decoding. */
  pattern: RegExp;
  params: string[];
  handler: NodeHandler;
}

const LEAN_ROUTES: LeanRoute[] = [
  { path: "/index/*path", pattern: /^\/index\/([0-9a-z_-]+(?:\/[0-9a-z_-]+)*)$/, params: ["path"], handler: getIndexFile },
  {
    path: "/api/v1/crates/:crate/:version/download",
    pattern: /^\/api\/v1\/crates\/([A-Za-z0-9_-]+)\/([0-9A-Za-z.+-]+)\/download$/,
    params: ["crate", "version"],
    handler: downloadVersion,
  },
];

// The lean path must never serve a route differently from the table: same path, same handler.
for (const lean of LEAN_ROUTES) {
  const listed = API_ROUTES.find((r) => r.method === "get" && r.path === lean.path);
  if (listed?.handler !== (lean.handler as Handler)) throw new Error(`lean route ${lean.path} is not the route table's`);
}

/** What Express would have set on the request for the access log and metrics (`originalUrl`, `baseUrl`, `route`). */
type LoggedRequest = NodeRequest & { originalUrl: string; baseUrl: string; route: { path: string } };

/**
 * Returns a function that answers a request on the lean path and returns true, or returns false
 * (having touched nothing) when the request is not one it serves.
 */
export function leanReads(ctx: AppContext, app: Express): (req: IncomingMessage, res: ServerResponse) => boolean {
  const log = accessLog(ctx);
  const noop = () => undefined;
  // Errors are answered by the API error handler itself, in an app with the main app's settings
  // (no X-Powered-By, no ETag on error bodies), so every refusal and 404 reads exactly the same.
  const failed = new WeakMap<IncomingMessage, unknown>();
  const errors = express();
  for (const setting of ["x-powered-by", "etag", "json replacer", "json spaces", "json escape", "trust proxy"]) errors.set(setting, app.get(setting));
  errors.use((req: Request, _res: Response, next: NextFunction) => next(failed.get(req)));
  errors.use(apiErrorHandler(ctx));
  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    failed.set(req, error);
    try {
      errors(req as Request, res as Response);
    } catch {
      res.destroy();
    }
  };

  return (req, res) => {
    if (req.method !== "GET" || req.url === undefined) return false;
    const url = req.url;
    for (const route of LEAN_ROUTES) {
      const match = route.pattern.exec(url);
      if (!match) continue;
      const lean = req as LoggedRequest;
      lean.params = Object.fromEntries(route.params.map((name, i) => [name, match[i + 1]!]));
      lean.originalUrl = url;
      lean.baseUrl = "";
      lean.route = { path: route.path };
      log(lean as unknown as Request, res as Response, noop);
      try {
        const done = route.handler(ctx, lean, res);
        if (done) done.catch((error: unknown) => fail(req, res, error));
      } catch (error) {
        fail(req, res, error);
      }
      return true;
    }
    return false;
  };
}

type Handle = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** Makes `app` try the lean path before its own routing (Express calls `app.handle` for every request). */
export function serveLeanReadsFirst(app: Express, ctx: AppContext): void {
  const lean = leanReads(ctx, app);
  const routed = app as unknown as { handle: Handle };
  const handle = routed.handle.bind(app);
  routed.handle = (req, res, next) => {
    if (!lean(req, res)) handle(req, res, next);
  };
}
