// One log line per request: method, path (never the query string), status, duration, request id,
// and the user and token ids when known. Never a header value: those carry tokens and cookies.
import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { AppContext } from "./context.js";
import { identityOf } from "./request-identity.js";

export const accessLog = (ctx: AppContext) => (req: Request, res: Response, next: NextFunction) => {
  const started = process.hrtime.bigint();
  const requestId = randomUUID();
  res.setHeader("X-Request-Id", requestId);
  res.on("finish", () => {
    const { userId, tokenId, authFailure } = identityOf(req);
    ctx.logger.info("request", {
      requestId,
      method: req.method,
      path: req.originalUrl.split("?")[0],
      status: res.statusCode,
      durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      userId,
      tokenId,
      authFailure,
    });
  });
  next();
};
