import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CrateBuilder } from "../helpers/crate-builder.js";
import { indexLines, indexUrl, publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

let t: TestApp;
let token: string;
beforeEach(() => {
  t = createTestApp();
  token = t.createToken(t.createUser("alice", { name: "Alice" })).token;
});
afterEach(() => t.close());

describe("GET /index/config.json", () => {
  it("names the download and API URLs without a trailing slash and says auth is required", async () => {
    const res = await t.request().get("/index/config.json").set("Authorization", token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ dl: "http://registry.test/api/v1/crates", api: "http://registry.test", "auth-required": true });
  });

  it("is always 200, even with a conditional header", async () => {
    const res = await t.request().get("/index/config.json").set("Authorization", token).set("If-None-Match", "*");
    expect(res.status).toBe(200);
  });

  it("challenges cargo with the login URL when no token is sent", async () => {
    const res = await t.request().get("/index/config.json");
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Cargo login_url="http://registry.test/me"');
  });
});

describe("index files", () => {
  it("live at cargo's paths for 1, 2, 3 and 4+ character names", async () => {
    for (const name of ["a", "ab", "abc", "abcd", "MyCrate", "my-crate"]) await publish(t, token, name, "0.1.0");
    for (const [path, name] of [["1/a", "a"], ["2/ab", "ab"], ["3/a/abc", "abc"], ["ab/cd/abcd", "abcd"], ["my/cr/mycrate", "MyCrate"], ["my/-c/my-crate", "my-crate"]]) {
      const res = await t.request().get(`/index/${path}`).set("Authorization", token);
      expect(res.status, path).toBe(200);
      expect(JSON.parse(res.text).name).toBe(name);
      expect(res.text.endsWith("\n")).toBe(true);
    }
  });

  it("answer 404 in cargo's error shape for unknown crates, wrong prefixes and other spellings", async () => {
    await publish(t, token, "my-crate", "0.1.0");
    for (const path of ["no/ne/nonexistent", "my/_c/my_crate", "xx/yy/my-crate", "My/-c/My-crate", "../../etc/passwd"]) {
      const res = await t.request().get(`/index/${path}`).set("Authorization", token);
      expect(res.status, path).toBe(404);
      expect(res.body.errors[0].detail).toEqual(expect.any(String));
    }
  });

  it("have a strong ETag: 304 when unchanged, a new one after a publish and after a yank", async () => {
    await publish(t, token, "foo", "0.1.0");
    const first = await indexLines(t, token, "foo");
    expect(first.etag).toMatch(/^"[0-9a-f]{64}"$/);
    const again = await t.request().get(indexUrl("foo")).set("Authorization", token).set("If-None-Match", first.etag);
    expect(again.status).toBe(304);
    expect(again.text ?? "").toBe("");

    await publish(t, token, "foo", "0.2.0");
    const afterPublish = await t.request().get(indexUrl("foo")).set("Authorization", token).set("If-None-Match", first.etag);
    expect(afterPublish.status).toBe(200);
    expect(afterPublish.headers.etag).not.toBe(first.etag);

    await t.request().delete("/api/v1/crates/foo/0.1.0/yank").set("Authorization", token).expect(200);
    const afterYank = await indexLines(t, token, "foo");
    expect(afterYank.etag).not.toBe(afterPublish.headers.etag);
    expect(afterYank.lines.map((l) => [l.vers, l.yanked])).toEqual([["0.1.0", true], ["0.2.0", false]]);
  });
});

describe("downloads", () => {
  it("stream the exact bytes, without Content-Encoding, also for yanked versions, and count them per day", async () => {
    const builder = new CrateBuilder("foo", "1.0.0+meta").file("src/lib.rs", "pub fn f() {}");
    await publish(t, token, "foo", "1.0.0+meta", () => builder);
    await t.request().delete("/api/v1/crates/foo/1.0.0+meta/yank").set("Authorization", token).expect(200);
    const res = await t.request().get("/api/v1/crates/Foo/1.0.0+meta/download").set("Authorization", token).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers["content-encoding"]).toBeUndefined();
    const expected = await builder.crateFile();
    expect(createHash("sha256").update(res.body as Buffer).digest("hex")).toBe(createHash("sha256").update(expected).digest("hex"));
    const counts = t.ctx.db.sqlite.prepare("SELECT day, downloads FROM version_downloads").all();
    expect(counts).toEqual([{ day: new Date().toISOString().slice(0, 10), downloads: 1 }]);
  });

  it("answer 404 for an unknown version", async () => {
    await publish(t, token, "foo", "1.0.0");
    const res = await t.request().get("/api/v1/crates/foo/9.9.9/download").set("Authorization", token);
    expect(res.status).toBe(404);
    expect(res.body.errors[0].detail).toBe("crate `foo` does not have a version `9.9.9`");
  });
});

describe("yank and unyank", () => {
  it("answer {ok:true}, find the crate canonically and keep +build literal", async () => {
    await publish(t, token, "foo-bar", "1.0.0+meta");
    const yank = await t.request().delete("/api/v1/crates/Foo_Bar/1.0.0+meta/yank").set("Authorization", token);
    expect([yank.status, yank.body]).toEqual([200, { ok: true }]);
    const unyank = await t.request().put("/api/v1/crates/foo_bar/1.0.0+meta/unyank").set("Authorization", token).set("Content-Type", "application/json");
    expect([unyank.status, unyank.body]).toEqual([200, { ok: true }]);
    const again = await t.request().put("/api/v1/crates/foo_bar/1.0.0+meta/unyank").set("Authorization", token);
    expect(again.body).toEqual({ ok: true });
    expect(t.ctx.db.audit.list().map((e) => [e.action, e.version, e.tokenId])).toEqual([
      ["unyank", "1.0.0+meta", 1],
      ["yank", "1.0.0+meta", 1],
      ["publish", "1.0.0+meta", 1],
    ]);
  });

  it("answer 404 naming the missing crate or version", async () => {
    await publish(t, token, "foo", "1.0.0");
    const noVersion = await t.request().delete("/api/v1/crates/foo/9.9.9/yank").set("Authorization", token);
    expect([noVersion.status, noVersion.body.errors[0].detail]).toEqual([404, "crate `foo` does not have a version `9.9.9`"]);
    const noCrate = await t.request().delete("/api/v1/crates/nope/1.0.0/yank").set("Authorization", token);
    expect([noCrate.status, noCrate.body.errors[0].detail]).toEqual([404, "crate `nope` does not exist"]);
  });
});

describe("owners", () => {
  beforeEach(async () => {
    t.createUser("bob", { name: "Bob" });
    await publish(t, token, "foo", "1.0.0");
  });

  it("lists, adds and removes owners with cargo's shapes", async () => {
    const add = await t.request().put("/api/v1/crates/foo/owners").set("Authorization", token).send({ users: ["bob"] });
    expect(add.body).toEqual({ ok: true, msg: "user bob has been added as an owner of crate foo" });
    const list = await t.request().get("/api/v1/crates/foo/owners").set("Authorization", token);
    expect(list.body).toEqual({ users: [{ id: 1, login: "alice", name: "Alice" }, { id: 2, login: "bob", name: "Bob" }] });
    const remove = await t.request().delete("/api/v1/crates/foo/owners").set("Authorization", token).send({ users: ["bob"] });
    expect(remove.body).toEqual({ ok: true, msg: "owners successfully removed" });
    expect(t.ctx.db.crates.listOwners(1).map((o) => o.login)).toEqual(["alice"]);
  });

  it.each([
    ["an unknown login", "put", { users: ["nobody"] }, 404, "could not find user with login `nobody`"],
    ["removing the last owner", "delete", { users: ["alice"] }, 400, "cannot remove every owner of crate `foo`; add another owner first"],
    ["removing a non-owner", "delete", { users: ["bob"] }, 400, "`bob` is not an owner of crate `foo`"],
    ["a body without users", "put", { logins: ["bob"] }, 400, 'the request body must be `{"users": ["login", ...]}` with at least one login'],
  ] as const)("refuse %s and change nothing", async (_what, method, body, status, detail) => {
    const res = await t.request()[method]("/api/v1/crates/foo/owners").set("Authorization", token).send(body);
    expect([res.status, res.body.errors?.[0]?.detail]).toEqual([status, detail]);
    expect(t.ctx.db.crates.listOwners(1).map((o) => o.login)).toEqual(["alice"]);
  });

  it("refuses malformed JSON with a JSON error", async () => {
    const res = await t.request().put("/api/v1/crates/foo/owners").set("Authorization", token).set("Content-Type", "application/json").send("{bad");
    expect([res.status, res.body.errors[0].detail]).toEqual([400, "the request body is not valid JSON"]);
  });
});

describe("search and crate info", () => {
  beforeEach(async () => {
    await publish(t, token, "serde_json", "1.0.0", (b) => b.description("JSON for serde"));
    await publish(t, token, "serde", "1.0.1", (b) => b.description("A serialization framework"));
    await publish(t, token, "json-tools", "0.1.0", (b) => b.description("Tools"));
    await publish(t, token, "other", "0.1.0", (b) => b.metadata({ keywords: ["serde"] }));
  });

  it("puts the exact name first and reports the total number of matches", async () => {
    const res = await t.request().get("/api/v1/crates?q=serde&per_page=2").set("Authorization", token);
    expect(res.body.meta).toEqual({ total: 3 });
    expect(res.body.crates.map((c: { name: string }) => c.name)).toEqual(["serde", "serde_json"]);
    expect(res.body.crates[0]).toMatchObject({ name: "serde", max_version: "1.0.1", description: "A serialization framework" });
  });

  it("splits words on + as cargo sends them, and matches - and _ alike", async () => {
    const res = await t.request().get("/api/v1/crates?q=serde%2Bjson").set("Authorization", token);
    expect(res.body.crates.map((c: { name: string }) => c.name)).toEqual(["serde_json"]);
    const dash = await t.request().get("/api/v1/crates?q=json-tools").set("Authorization", token);
    expect(dash.body.crates.map((c: { name: string }) => c.name)).toEqual(["json-tools"]);
  });

  it("treats SQL and LIKE metacharacters literally", async () => {
    const totals: Record<string, number> = {};
    for (const q of ["%", "_", "'; DROP TABLE crates; --", "\\"]) {
      const res = await t.request().get(`/api/v1/crates?q=${encodeURIComponent(q)}`).set("Authorization", token);
      expect(res.status, q).toBe(200);
      totals[q] = res.body.meta.total;
    }
    // Only the names that really contain `_` (canonically: serde_json, json-tools) match it.
    expect(totals).toEqual({ "%": 0, _: 2, "'; DROP TABLE crates; --": 0, "\\": 0 });
    expect(t.rowCounts().crates).toBe(4);
  });

  it("caps per_page at 100 and refuses nonsense", async () => {
    expect((await t.request().get("/api/v1/crates?q=&per_page=1000").set("Authorization", token)).body.crates).toHaveLength(4);
    const bad = await t.request().get("/api/v1/crates?q=x&per_page=-1").set("Authorization", token);
    expect([bad.status, bad.body.errors[0].detail]).toEqual([400, "`per_page` must be a positive whole number"]);
  });

  it("describes a crate and its versions, newest first", async () => {
    await publish(t, token, "serde", "1.1.0-beta.1");
    const res = await t.request().get("/api/v1/crates/SERDE").set("Authorization", token);
    expect(res.body.crate).toMatchObject({ name: "serde", max_version: "1.1.0-beta.1", max_stable_version: "1.0.1", newest_version: "1.1.0-beta.1" });
    expect(res.body.versions.map((v: { num: string }) => v.num)).toEqual(["1.1.0-beta.1", "1.0.1"]);
    expect(res.body.versions[0]).toMatchObject({ crate: "serde", yanked: false, dl_path: "/api/v1/crates/serde/1.1.0-beta.1/download", published_by: { login: "alice" } });
  });
});

describe("routing", () => {
  it("accepts //api paths (an api URL with a trailing slash) and never redirects", async () => {
    const res = await t.request().get("//api/v1/crates?q=").set("Authorization", token);
    expect(res.status).toBe(200);
  });

  it("answers unknown API paths with a JSON 404", async () => {
    const res = await t.request().get("/api/v1/nothing").set("Authorization", token);
    expect(res.status).toBe(404);
    expect(res.body.errors[0].detail).toMatch(/no such API endpoint/);
  });
});
