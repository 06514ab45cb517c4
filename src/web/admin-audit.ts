// Admin page for the audit log: publishes, yanks, owner changes, token and account actions, with
// who did them, with which token, and when; newest first, optionally for one crate.
import type { Request, Response } from "express";
import type { AppContext } from "../context.js";
import { canonicalName } from "../registry/names.js";
import { field } from "./forms.js";
import { renderPage } from "./render.js";

const PAGE_SIZE = 200;

export async function showAuditPage(ctx: AppContext, req: Request, res: Response): Promise<void> {
  const query = typeof req.query.crate === "string" ? req.query.crate.trim() : field(req, "crate");
  const crate = query ? ctx.db.crates.findByCanonicalName(canonicalName(query)) : undefined;
  const entries = query && !crate ? [] : ctx.db.audit.list({ crateName: crate?.name, limit: PAGE_SIZE });
  await renderPage(res, "admin/audit", { title: "Audit log", query, crate, entries, pageSize: PAGE_SIZE });
}
