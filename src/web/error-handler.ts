// Error middleware for pages: an HttpError becomes views/error.ejs with its status and message;
// anything else is logged (method, path and stack, never bodies or headers) and shown as a 500 page.
import type { NextFunction, Request, Response } from "express";
import type { AppContext } from "../context.js";
import { HttpError, notFound } from "../errors.js";
import { renderPage } from "./render.js";

/** Errors from body-parser and serve-static carry a `type` or a client `status`. */
interface LibraryError extends Error {
  type?: string;
  status?: number;
}

const TITLES: Record<number, string> = {
  400: "Bad request",
  403: "Not allowed",
  404: "Page not found",
  413: "Too large",
  500: "Something went wrong",
};

function describe(ctx: AppContext, error: unknown, req: Request): HttpError {
  if (error instanceof HttpError) return error;
  const e = error as LibraryError;
  if (e?.status === 404) return notFound(`There is no page at ${req.path}.`);
  if (e?.type === "entity.too.large") return new HttpError(413, "The form you sent is too large.");
  if (e?.type === "entity.parse.failed" || e?.type === "parameters.too.many") return new HttpError(400, "The form could not be read.");
  // Any other client error a library raised (serve-static refusing `..` in a path, say).
  if (typeof e?.status === "number" && e.status >= 400 && e.status < 500) return new HttpError(e.status, "This address cannot be served.");
  ctx.logger.error("unexpected error", { method: req.method, path: req.path, error: e instanceof Error ? e.stack : String(e) });
  return new HttpError(500, "The registry hit an unexpected error; its log has the details. Please try again.");
}

export const webErrorHandler =
  (ctx: AppContext) =>
  async (error: unknown, req: Request, res: Response, _next: NextFunction): Promise<void> => {
    const { status, message, headers } = describe(ctx, error, req);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status).set(headers);
    try {
      await renderPage(res, "error", { title: TITLES[status] ?? `Error ${status}`, status, message });
    } catch (renderError) {
      ctx.logger.error("error page failed", { error: renderError instanceof Error ? renderError.stack : String(renderError) });
      res.type("text/plain").send(`${message}\n`);
    }
  };

/** HTML 404 for every path no route claimed. */
export function webNotFound(req: Request, _res: Response): void {
  throw notFound(`There is no page at ${req.path}.`);
}
