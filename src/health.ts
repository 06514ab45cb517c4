// GET /health: 200 when the database answers and the crate store can be written, else 503 naming
// what failed (for load balancers, the Docker HEALTHCHECK and people).
import { accessSync, constants } from "node:fs";
import type { Request, Response } from "express";
import type { AppContext } from "./context.js";

export const healthCheck = (ctx: AppContext) => (_req: Request, res: Response) => {
  const problems: string[] = [];
  try {
    ctx.db.sqlite.prepare("SELECT count(*) FROM crates").get();
  } catch {
    problems.push("the database cannot be read");
  }
  try {
    accessSync(ctx.store.cratesDir, constants.R_OK | constants.W_OK);
    accessSync(ctx.store.tmpDir, constants.R_OK | constants.W_OK);
  } catch {
    problems.push("the crate store is not readable and writable");
  }
  res.set("Cache-Control", "no-store");
  if (problems.length) res.status(503).json({ status: "unavailable", problems });
  else res.json({ status: "ok" });
};
