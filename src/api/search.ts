// GET /api/v1/crates?q=&per_page= (cargo search), GET /api/v1/crates/{crate} and .../versions.
// https://doc.rust-lang.org/cargo/reference/registry-web-api.html#search
import type { Request, Response } from "express";
import { authenticateRead } from "../auth/authorize.js";
import type { AppContext } from "../context.js";
import type { Crate } from "../db/crates.js";
import type { Version } from "../db/versions.js";
import { badRequest } from "../errors.js";
import { findCrate } from "./crate-lookup.js";
import { crateJson, versionJson } from "./crate-json.js";
import { param } from "./handler.js";

const MAX_PER_PAGE = 100;
const MAX_WORDS = 10;

/**
 * Searches names, descriptions and keywords. Cargo joins words with `+` (sent as %2B), so words
 * are split on `+` and whitespace. `meta.total` is the number of all matches, not of this page.
 */
export function searchCrates(ctx: AppContext, req: Request, res: Response): void {
  authenticateRead(ctx, req);
  const q = typeof req.query.q === "string" ? req.query.q : "";
  const words = q.toLowerCase().split(/[\s+]+/).filter(Boolean).slice(0, MAX_WORDS);
  const perPage = positiveInt(req.query.per_page, 10, "per_page");
  const page = positiveInt(req.query.page, 1, "page");
  const limit = Math.min(perPage, MAX_PER_PAGE);
  const { crates, total } = ctx.db.crates.search(words, limit, (page - 1) * limit);
  res.json({
    crates: crates.map((c) => crateJson(c, ctx.db.versions.listForCrate(c.id))),
    meta: { total },
  });
}

/** A crate with its versions, newest first. */
export function getCrate(ctx: AppContext, req: Request, res: Response): void {
  authenticateRead(ctx, req);
  const crate = findCrate(ctx, param(req, "crate"));
  const versions = ctx.db.versions.listForCrate(crate.id);
  res.json({ crate: crateJson(crate, versions), versions: versionsJson(ctx, crate, versions) });
}

export function listVersions(ctx: AppContext, req: Request, res: Response): void {
  authenticateRead(ctx, req);
  const crate = findCrate(ctx, param(req, "crate"));
  res.json({ versions: versionsJson(ctx, crate, ctx.db.versions.listForCrate(crate.id)) });
}

/** Versions newest first, with their download counts. */
function versionsJson(ctx: AppContext, crate: Crate, versions: Version[]) {
  const downloads = ctx.db.versions.downloadsByVersion(crate.id);
  return versions
    .slice()
    .reverse()
    .map((v) => versionJson(ctx, crate, v, downloads.get(v.id) ?? 0));
}

function positiveInt(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== "string" || !Number.isInteger(n) || n < 1 || n > 1_000_000) {
    throw badRequest(`\`${name}\` must be a positive whole number`);
  }
  return n;
}
