// Error middleware for /api and /index: every failure becomes cargo's `{"errors":[{"detail"}]}`,
// which cargo prints verbatim. Unexpected errors are logged and answered with a generic 500.
import type { NextFunction, Request, Response } from "express";
import type { AppContext } from "../context.js";
import { cargoErrorBody, HttpError } from "../errors.js";

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

export const apiErrorHandler =
  (ctx: AppContext) =>
  (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const { status, detail, headers } = describe(ctx, error, req);
    // Drain what is left of the body (e.g. an upload refused early) so the client reads our answer.
    if (!req.complete) req.resume();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status).set(headers).json(cargoErrorBody(detail));
  };

function describe(ctx: AppContext, error: unknown, req: Request): { status: number; detail: string; headers: Record<string, string> } {
  if (error instanceof HttpError) return { status: error.status, detail: error.message, headers: error.headers };
  const e = error as BodyParserError;
  if (e?.type === "entity.parse.failed") return { status: 400, detail: `the request body is not valid JSON`, headers: {} };
  if (e?.type === "entity.too.large") return { status: 413, detail: "the request body is too large", headers: {} };
  if (e?.type === "request.aborted") return { status: 400, detail: "the request was interrupted", headers: {} };
  // Any other client error a library raised (a malformed URL encoding, say).
  if (typeof e?.status === "number" && e.status >= 400 && e.status < 500) return { status: e.status, detail: "the request could not be understood", headers: {} };
  ctx.logger.error("unexpected error", { method: req.method, path: req.path, error: e instanceof Error ? e.stack : String(e) });
  return { status: 500, detail: "internal server error; the registry log has the details", headers: {} };
}

/** 404 for unknown /api and /index paths, in cargo's error shape (never an HTML page). */
export function apiNotFound(req: Request, res: Response): void {
  res.status(404).json(cargoErrorBody(`no such API endpoint: ${req.method} ${req.path}`));
}
