// Helpers for the web page tests: signing in through the real login form, reading the CSRF token
// and form fields out of pages, and inserting crates directly for the crate pages.
import supertest from "supertest";
import type { AppContext } from "../../src/context.js";
import type { User } from "../../src/db/users.js";
import type { NewVersion } from "../../src/db/versions.js";
import { canonicalName } from "../../src/registry/names.js";
import { isoSeconds } from "../../src/time.js";

export const PASSWORD = "correct horse battery";

type Agent = ReturnType<typeof supertest.agent>;
type App = Parameters<typeof supertest>[0];

/** The value of the hidden `csrf` field in a page. Throws when the page has none. */
export function csrfFrom(html: string): string {
  return hiddenField(html, "csrf");
}

/** The value of a hidden input named `name`. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden field "${name}" in the page`);
  return match[1]!;
}

/** Signs `agent` in through the login form and returns the session's CSRF token. */
export async function loginAs(agent: Agent, login: string, password = PASSWORD): Promise<string> {
  const page = await agent.get("/login").expect(200);
  const res = await agent.post("/login").type("form").send({ csrf: csrfFrom(page.text), login, password });
  if (res.status !== 303) throw new Error(`sign-in as ${login} failed with ${res.status}`);
  const settings = await agent.get("/settings/profile").expect(200);
  return csrfFrom(settings.text);
}

/**
 * Signs in without an agent and returns the session cookie (as a Cookie header value) and the
 * session's CSRF token, for requests made by hand (other apps, forged or stale cookies).
 */
export async function sessionFor(app: App, login: string, password = PASSWORD): Promise<{ cookie: string; csrf: string }> {
  const page = await supertest(app).get("/login").expect(200);
  const anonymous = setCookieFor(page, "cargohold_csrf")!.split(";")[0]!;
  const res = await supertest(app).post("/login").set("Cookie", anonymous).type("form").send({ csrf: csrfFrom(page.text), login, password });
  const id = sessionCookie(res);
  if (res.status !== 303 || !id) throw new Error(`sign-in as ${login} failed with ${res.status}`);
  const cookie = `cargohold_session=${id}`;
  const settings = await supertest(app).get("/settings/profile").set("Cookie", cookie).expect(200);
  return { cookie, csrf: csrfFrom(settings.text) };
}

/** The value of the session cookie in a response's Set-Cookie headers, if it sets one. */
export function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = (res.headers["set-cookie"] as string[] | undefined) ?? [];
  const match = cookies.map((c) => /^cargohold_session=([^;]*)/.exec(c)).find(Boolean);
  return match?.[1] || undefined;
}

/** The Set-Cookie header for `name`, whole (to check its attributes). */
export function setCookieFor(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  return ((res.headers["set-cookie"] as string[] | undefined) ?? []).find((c) => c.startsWith(`${name}=`));
}

/** Page text with tags removed and whitespace collapsed, for `toContain` checks. */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

export interface CrateFixture {
  name: string;
  owner: User;
  description?: string;
  versions?: { num: string; yanked?: boolean; readme?: string | null; license?: string; homepage?: string | null; repository?: string | null; documentation?: string | null }[];
}

/** Inserts a crate, its versions and its owner straight into the database; returns the crate id. */
export function insertCrate(ctx: AppContext, fixture: CrateFixture): number {
  const now = isoSeconds(ctx.now());
  const id = ctx.db.crates.create({ name: fixture.name, canonicalName: canonicalName(fixture.name), description: fixture.description ?? null, keywords: [], now });
  ctx.db.crates.addOwner(id, fixture.owner.id, now);
  for (const v of fixture.versions ?? [{ num: "1.0.0" }]) {
    const version: NewVersion = {
      crateId: id, num: v.num, numNoBuild: v.num.replace(/\+.*$/, ""), deps: [], features: {}, links: null, rustVersion: null,
      checksum: "0".repeat(64), size: 100, description: fixture.description ?? null, license: v.license ?? "MIT", licenseFile: null,
      homepage: v.homepage ?? null, documentation: v.documentation ?? null, repository: v.repository ?? null, readme: v.readme ?? null,
      keywords: [], categories: [], authors: [], publishedBy: fixture.owner.id, publishedWithToken: null, createdAt: now,
    };
    const versionId = ctx.db.versions.create(version);
    if (v.yanked) ctx.db.versions.setYanked(versionId, true);
  }
  return id;
}
