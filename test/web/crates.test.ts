import supertest from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { User } from "../../src/db/users.js";
import { renderReadme } from "../../src/web/readme.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { insertCrate, loginAs, textOf } from "../helpers/web.js";

let t: TestApp;
let alice: User;
let agent: ReturnType<typeof supertest.agent>;

beforeEach(async () => {
  t = createTestApp();
  alice = t.createUser("alice", { name: "Alice A." });
  agent = supertest.agent(t.app);
  await loginAs(agent, "alice");
});
afterEach(() => t.close());

describe("with AUTH_REQUIRED on (the default)", () => {
  it.each(["/", "/search?q=x", "/crates/demo", "/getting-started"])("sends visitors of %s to the login page", async (path) => {
    const res = await t.request().get(path);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
  });
});

describe("with AUTH_REQUIRED off", () => {
  it("shows the crate pages to everyone", async () => {
    const open = createTestApp({ config: { authRequired: false } });
    try {
      insertCrate(open.ctx, { name: "demo", owner: open.createUser("alice") });
      for (const path of ["/", "/search?q=demo", "/crates/demo", "/getting-started"]) {
        expect((await open.request().get(path)).status, path).toBe(200);
      }
      expect((await open.request().get("/")).text).toContain('href="/login"');
      expect((await open.request().get("/settings/tokens")).status).toBe(302);
    } finally {
      open.close();
    }
  });
});

describe("GET /", () => {
  it("has a search box and the recently updated crates", async () => {
    insertCrate(t.ctx, { name: "demo-one", owner: alice, description: "First demo", versions: [{ num: "0.1.0" }, { num: "0.2.0" }] });
    const html = (await agent.get("/").expect(200)).text;
    expect(html).toContain('<form method="get" action="/search"');
    expect(html).toContain('<label for="search-q"');
    expect(textOf(html)).toContain("Recently updated demo-one 0.2.0 First demo");
  });

  it("explains what to do when there are no crates", async () => {
    expect(textOf((await agent.get("/")).text)).toContain("No crates have been published here yet.");
  });
});

describe("GET /search", () => {
  it("finds crates by name and description", async () => {
    insertCrate(t.ctx, { name: "serde-helpers", owner: alice, description: "Helpers" });
    insertCrate(t.ctx, { name: "other", owner: alice, description: "Unrelated" });
    const text = textOf((await agent.get("/search?q=serde").expect(200)).text);
    expect(text).toContain("1 crate found for “serde”.");
    expect(text).toContain("serde-helpers");
    expect(text).not.toContain("Unrelated");
  });
});

describe("GET /crates/:name", () => {
  beforeEach(() => {
    const id = insertCrate(t.ctx, {
      name: "demo-one",
      owner: alice,
      description: "A demo",
      versions: [
        { num: "0.1.0" },
        { num: "0.10.0", yanked: true },
        { num: "0.2.0", readme: "# Demo One\n\nSome **bold** text.", license: "MIT OR Apache-2.0", homepage: "https://example.com/demo", repository: "http://git.example/demo", documentation: "javascript:alert(1)" },
      ],
    });
    const v = t.ctx.db.versions.listForCrate(id).find((x) => x.num === "0.2.0")!;
    for (let i = 0; i < 3; i++) t.ctx.db.versions.countDownload(v.id, "2030-01-01");
    t.ctx.db.crates.countDownload(id);
  });

  it("shows the README, the snippet, owners, license and versions newest first with yanked ones marked", async () => {
    const html = (await agent.get("/crates/demo-one").expect(200)).text;
    expect(html).toContain("<h1>Demo One</h1>");
    expect(html).toContain("<strong>bold</strong>");
    const text = textOf(html);
    expect(text).toContain("cargo add demo-one --registry cargohold");
    expect(text).toContain('demo-one = { version = "0.2.0", registry = "cargohold" }');
    expect(text).toContain("alice (Alice A.)");
    expect(text).toContain("License MIT OR Apache-2.0");
    const versions = [...html.matchAll(/<span class="mono version-num">([^<]+)<\/span>/g)].map((m) => m[1]);
    expect(versions).toEqual(["0.10.0", "0.2.0", "0.1.0"]);
    expect(text).toMatch(/0\.10\.0 yanked/);
    expect(text).toMatch(/0\.2\.0 [A-Z][a-z]+ \d+, \d{4} · 3 downloads/);
  });

  it("links homepage and repository, but never a non-http URL", async () => {
    const html = (await agent.get("/crates/demo-one")).text;
    expect(html).toContain('href="https://example.com/demo"');
    expect(html).toContain('href="http://git.example/demo"');
    expect(html).not.toContain('href="javascript:');
    expect(textOf(html)).toContain("Documentation javascript:alert(1)");
  });

  it("redirects another spelling of the name to the crate's own", async () => {
    const res = await agent.get("/crates/Demo_One");
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe("/crates/demo-one");
  });

  it("answers 404 for an unknown crate", async () => {
    const res = await agent.get("/crates/nope");
    expect(res.status).toBe(404);
    expect(textOf(res.text)).toContain("There is no crate named “nope” in this registry.");
  });
});

describe("README rendering", () => {
  const evil = [
    "<script>alert('script')</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(2)">raw link</a>',
    '<a href="JaVaScRiPt:alert(3)">mixed case</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<div onclick="alert(4)" style="position:fixed">div</div>',
    "<style>body{display:none}</style>",
    '<svg><script>alert(5)</script></svg>',
    '<form action="https://evil.example"><input name="x"></form>',
    '<a href="//evil.example/x">protocol-relative</a>',
  ].join("\n\n");

  it("renders every attack inert on the crate page", async () => {
    insertCrate(t.ctx, { name: "evil", owner: alice, versions: [{ num: "1.0.0", readme: evil }] });
    const html = (await agent.get("/crates/evil").expect(200)).text;
    const readme = html.slice(html.indexOf('<div class="markdown">'), html.indexOf("</section>", html.indexOf('<div class="markdown">')));
    expect(readme).not.toMatch(/<script|<iframe|<style|<svg|<form|<input/i);
    expect(readme).not.toMatch(/\son[a-z]+=/i);
    expect(readme).not.toMatch(/href="\s*javascript:/i);
    expect(readme).not.toMatch(/href="\/\/evil/);
    expect(readme).not.toContain("style=");
    expect(html.match(/<script/g)).toHaveLength(1); // only the page's own app.js
    expect(readme).toContain("raw link");
  });

  it("keeps ordinary Markdown: headings, code, tables, http links and images", () => {
    const html = renderReadme("## Title\n\n```rust\nfn main() {}\n```\n\n| a |\n|---|\n| 1 |\n\n[docs](https://docs.rs/x) ![logo](https://img.example/logo.png)");
    expect(html).toContain("<h2>Title</h2>");
    expect(html).toContain('<code class="language-rust">');
    expect(html).toContain("<table>");
    expect(html).toContain('<a href="https://docs.rs/x" rel="nofollow noopener noreferrer">docs</a>');
    expect(html).toContain('<img src="https://img.example/logo.png" alt="logo" />');
  });
});

describe("GET /getting-started", () => {
  it("shows the consumer configuration, login and publishing", async () => {
    const text = textOf((await agent.get("/getting-started").expect(200)).text);
    expect(text).toContain('[registries.cargohold] index = "sparse+http://registry.test/index/" credential-provider = "cargo:token"');
    expect(text).toContain("cargo login --registry cargohold");
    expect(text).toContain('publish = ["cargohold"]');
    expect(text).toContain("cargo publish --registry cargohold");
    expect(text).toContain("CARGO_REGISTRIES_CARGOHOLD_TOKEN");
  });
});
