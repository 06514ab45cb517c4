// Crate pages: showHomePage, showSearchPage, showCratePage, showGettingStartedPage.
import type { Request, Response } from "express";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { canonicalName } from "../registry/names.js";
import { compareVersions } from "../registry/version.js";
import { pathParam } from "./forms.js";
import { renderPage } from "./render.js";
import { httpUrl, renderReadme } from "./readme.js";

const RECENT_CRATES = 10;
const SEARCH_PAGE_SIZE = 20;
const MAX_SEARCH_WORDS = 10;

/** The newest version that is not yanked (by SemVer), else the newest of all. */
function latestVersion<T extends { num: string; yanked: boolean }>(newestFirst: T[]): T | undefined {
  return newestFirst.find((v) => !v.yanked) ?? newestFirst[0];
}

function summaries(ctx: AppContext, crates: ReturnType<AppContext["db"]["crates"]["listRecentlyUpdated"]>) {
  return crates.map((crate) => {
    const versions = ctx.db.versions.listForCrate(crate.id).sort((a, b) => compareVersions(b.num, a.num));
    return { crate, latest: latestVersion(versions)?.num };
  });
}

export async function showHomePage(ctx: AppContext, _req: Request, res: Response): Promise<void> {
  const recent = summaries(ctx, ctx.db.crates.listRecentlyUpdated(RECENT_CRATES));
  await renderPage(res, "home", { title: "Crates", recent, total: ctx.db.crates.count() });
}

export async function showSearchPage(ctx: AppContext, req: Request, res: Response): Promise<void> {
  const q = typeof req.query.q === "string" ? req.query.q.trim().slice(0, 200) : "";
  const page = Math.max(1, Math.min(10_000, Number.parseInt(String(req.query.page ?? "1"), 10) || 1));
  const words = q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, MAX_SEARCH_WORDS);
  const { crates, total } = words.length
    ? ctx.db.crates.search(words, SEARCH_PAGE_SIZE, (page - 1) * SEARCH_PAGE_SIZE)
    : { crates: [], total: 0 };
  await renderPage(res, "search", {
    title: q ? `Search: ${q}` : "Search",
    q,
    page,
    total,
    results: summaries(ctx, crates),
    hasNext: page * SEARCH_PAGE_SIZE < total,
  });
}

export async function showCratePage(ctx: AppContext, req: Request, res: Response): Promise<void> {
  const name = pathParam(req, "name");
  const crate = ctx.db.crates.findByCanonicalName(canonicalName(name));
  if (!crate) throw notFound(`There is no crate named “${name}” in this registry.`);
  if (crate.name !== name) return res.redirect(301, `/crates/${encodeURIComponent(crate.name)}`);
  const downloads = ctx.db.versions.downloadsByVersion(crate.id);
  const versions = ctx.db.versions
    .listForCrate(crate.id)
    .sort((a, b) => compareVersions(b.num, a.num))
    .map((v) => ({ version: v, downloads: downloads.get(v.id) ?? 0 }));
  const latest = latestVersion(versions.map((v) => v.version));
  const links = [
    { label: "Homepage", url: latest?.homepage },
    { label: "Repository", url: latest?.repository },
    { label: "Documentation", url: latest?.documentation },
  ].map((l) => {
    const href = httpUrl(l.url);
    // Shown without the scheme, so long links fit the sidebar.
    return { ...l, href, text: href ? href.replace(/^https?:\/\//, "").replace(/\/$/, "") : l.url };
  });
  await renderPage(res, "crate", {
    title: crate.name,
    crate,
    latest,
    versions,
    owners: ctx.db.crates.listOwners(crate.id),
    links: links.filter((l) => l.url),
    readmeHtml: latest?.readme ? renderReadme(latest.readme) : undefined,
  });
}

export async function showGettingStartedPage(_ctx: AppContext, _req: Request, res: Response): Promise<void> {
  await renderPage(res, "getting-started", { title: "Getting started" });
}
