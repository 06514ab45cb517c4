// DELETE /api/v1/crates/{crate}/{version}/yank and PUT .../unyank.
// https://doc.rust-lang.org/cargo/reference/registry-web-api.html#yank
import type { Request, Response } from "express";
import { authenticateToken, requireOwner, requireScopes } from "../auth/authorize.js";
import type { AppContext } from "../context.js";
import { isoSeconds } from "../time.js";
import { findVersion } from "./crate-lookup.js";
import { param } from "./handler.js";

export const yankVersion = (ctx: AppContext, req: Request, res: Response) => setYanked(ctx, req, res, true);
export const unyankVersion = (ctx: AppContext, req: Request, res: Response) => setYanked(ctx, req, res, false);

/**
 * Flips the yanked flag, which changes the index line and its ETag. Repeating a yank or an unyank
 * succeeds (as on crates.io). Cargo needs `{"ok":true}`: an empty body or `ok:false` breaks it.
 */
function setYanked(ctx: AppContext, req: Request, res: Response, yanked: boolean): void {
  const auth = authenticateToken(ctx, req);
  const { crate, version } = findVersion(ctx, param(req, "crate"), param(req, "version"));
  requireScopes(ctx, req, auth, { scope: "yank", crate: crate.name });
  requireOwner(ctx, auth.user, crate);
  const now = isoSeconds(ctx.now());
  ctx.db.transaction(() => {
    if (!ctx.db.versions.setYanked(version.id, yanked)) return;
    ctx.db.crates.touch(crate.id, now);
    ctx.db.audit.record({
      action: yanked ? "yank" : "unyank",
      userId: auth.user.id,
      tokenId: auth.token.id,
      crateName: crate.name,
      version: version.num,
      createdAt: now,
    });
  });
  res.json({ ok: true });
}
