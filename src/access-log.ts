// One log line per request: method, path (never the query string), status, duration, request id,
// and the user and token ids when known. Never a header value: those carry tokens and cookies.
// The same hook feeds the request metrics.
import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { AppContext } from "./context.js";
import { routeLabel } from "./metrics.js";
import { identityOf } from "./request-identity.js";

export const accessLog = (ctx: AppContext) => (req: Request, res: Response, next: NextFunction) => {
  const started = process.hrtime.bigint();
  const requestId = randomUUID();
  res.setHeader("X-Request-Id", requestId);
  res.on("finish", () => {
    const { userId, tokenId, authFailure } = identityOf(req);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = routeLabel(req);
    ctx.metrics.requests.inc({ route, method: req.method, status: String(res.statusCode) });
    ctx.metrics.latency.observe({ route }, seconds);
    if (authFailure) ctx.metrics.authFailures.inc({ reason: authFailure });
    ctx.logger.info("request", {
      requestId,
      method: req.method,
      path: req.originalUrl.split("?")[0],
      status: res.statusCode,
      durationMs: Math.round(seconds * 1e6) / 1e3,
      userId,
      tokenId,
      authFailure,
    });
  });
  next();
};
