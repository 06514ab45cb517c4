// What every page shares: the layout and navigation, escaping of anything a user typed, static
// assets, the HTML 404 and 500 pages, and the rule that views print raw HTML only where allowed.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import supertest from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { viewsDir } from "../../src/web/render.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { csrfFrom, hiddenField, insertCrate, loginAs, textOf } from "../helpers/web.js";

let t: TestApp;
beforeEach(() => {
  t = createTestApp();
});
afterEach(() => t.close());

const XSS = `<script>alert("x")</script>"'><img src=x onerror=alert(1)>`;

function viewFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? viewFiles(join(dir, f)) : [join(dir, f)]));
}

describe("views", () => {
  it("print unescaped output (<%-) only for includes and the sanitized README", () => {
    const offenders = viewFiles(viewsDir).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/<%-\s*([^%]*)%>/g)]
        .map((m) => m[1]!.trim())
        .filter((code) => !/^include\(/.test(code) && code !== "readmeHtml")
        .map((code) => `${file}: <%- ${code} %>`),
    );
    expect(offenders).toEqual([]);
  });
});

describe("layout", () => {
  it("has the navigation for a signed-in user, with Sign out as a form", async () => {
    t.createUser("alice");
    const agent = supertest.agent(t.app);
    await loginAs(agent, "alice");
    const html = (await agent.get("/settings/tokens")).text;
    for (const link of ['href="/"', 'href="/getting-started"', 'href="/settings/tokens" aria-current="page"', 'href="/settings/profile"']) {
      expect(html).toContain(link);
    }
    expect(html).not.toContain('href="/admin/users"');
    expect(html).toMatch(/<form method="post" action="\/logout"[^>]*>\s*<input type="hidden" name="csrf"/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toMatch(/<link rel="stylesheet" href="\/static\/style\.css\?v=[0-9a-f]{12}">/);
    expect(html).not.toMatch(/<script>|<style>|\sstyle="|\son[a-z]+="/);
  });

  it("puts the CSRF token in every POST form", async () => {
    t.createUser("alice", { admin: true });
    const agent = supertest.agent(t.app);
    await loginAs(agent, "alice");
    t.createToken(t.ctx.db.users.findByLogin("alice")!);
    for (const path of ["/settings/tokens", "/settings/tokens/new", "/settings/profile", "/admin/users", "/admin/users/new", "/admin/users/1/password"]) {
      const html = (await agent.get(path)).text;
      const forms = html.match(/<form method="post"[\s\S]*?<\/form>/g) ?? [];
      expect(forms.length, path).toBeGreaterThan(0);
      for (const form of forms) expect(form, path).toContain('name="csrf"');
    }
  });
});

describe("escaping", () => {
  it("never reflects user input unescaped", async () => {
    const alice = t.createUser("alice");
    t.ctx.db.users.updateProfile(alice.id, XSS, null);
    insertCrate(t.ctx, { name: "demo", owner: alice, description: XSS, versions: [{ num: "1.0.0", license: XSS, homepage: XSS }] });
    t.createToken(alice, { name: XSS, crates: ["demo"] });
    const agent = supertest.agent(t.app);
    const csrf = await loginAs(agent, "alice");
    const pages = [
      await agent.get(`/search?q=${encodeURIComponent(XSS)}`),
      await agent.get(`/crates/${encodeURIComponent(XSS)}`),
      await agent.get("/crates/demo"),
      await agent.get("/"),
      await agent.get("/settings/tokens"),
      await agent.get("/settings/tokens/new?from=1"),
      await agent.get("/settings/profile"),
      await agent.get(`/login?next=${encodeURIComponent(`/x${XSS}`)}`),
      await agent.get(`/nothing/${encodeURIComponent(XSS)}`),
    ];
    const form = await agent.get("/settings/tokens/new");
    pages.push(await agent.post("/settings/tokens").type("form").send({ csrf, nonce: hiddenField(form.text, "nonce"), name: XSS, expiry: "30", scope: "yank", pattern: XSS }));
    const created = await agent.get("/settings/tokens/new");
    pages.push(await agent.post("/settings/tokens").type("form").send({ csrf, nonce: hiddenField(created.text, "nonce"), name: XSS, expiry: "30", scope: "yank" }));
    const visitor = supertest.agent(t.app);
    const login = await visitor.get("/login");
    pages.push(await visitor.post("/login").type("form").send({ csrf: csrfFrom(login.text), login: XSS, password: "x" }));
    pages.forEach((res, i) => {
      expect(res.text, `page ${i}`).not.toContain("<script>alert");
      expect(res.text, `page ${i}`).not.toContain("<img src=x");
    });
    expect(pages.at(-2)!.text).toContain("&lt;script&gt;");
  });
});

describe("static assets", () => {
  it("serves the stylesheet and script with long caching", async () => {
    const css = await t.request().get("/static/style.css").expect(200);
    expect(css.headers["content-type"]).toMatch(/^text\/css/);
    expect(css.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect((await t.request().get("/static/app.js").expect(200)).headers["content-type"]).toMatch(/javascript/);
    expect((await t.request().get("/static/nope.css")).status).toBe(404);
  });
});

describe("error pages", () => {
  it("answers unknown pages with an HTML 404", async () => {
    const res = await t.request().get("/no/such/page");
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(textOf(res.text)).toContain("There is no page at /no/such/page.");
  });

  it("logs an unexpected error without request secrets and shows a 500 page", async () => {
    const lines: string[] = [];
    const broken = createTestApp({ logger: createLogger("json", { write: (l: string) => lines.push(l) } as never) });
    try {
      broken.ctx.db.close();
      const res = await broken.request().get("/settings/tokens").set("Cookie", "cargohold_session=secret-session-id");
      expect(res.status).toBe(500);
      expect(textOf(res.text)).toContain("The registry hit an unexpected error");
      const logged = lines.join("");
      expect(logged).toContain("unexpected error");
      expect(logged).not.toContain("secret-session-id");
    } finally {
      broken.close();
    }
  });
});
