// The web route table: pages for people, HTML errors.
import { Router, type Request, type Response } from "express";
import type { AppContext } from "../context.js";

export function webRoutes(ctx: AppContext): Router {
  const r = Router();
  r.get("/me", (_req: Request, res: Response) => {
    res.type("text/plain").send(
      `To get an API token for ${ctx.config.publicUrl}, ask an administrator to run:\n\n` +
        `  npx cargohold token create YOUR-LOGIN --name laptop\n\nthen run: cargo login --registry ${ctx.config.registryName}\n`,
    );
  });
  r.use((_req: Request, res: Response) => {
    res.status(404).type("text/plain").send("not found\n");
  });
  return r;
}
