import supertest from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashToken } from "../../src/auth/tokens.js";
import type { User } from "../../src/db/users.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { hiddenField, loginAs, textOf } from "../helpers/web.js";

const DAY = 24 * 60 * 60 * 1000;
let now: Date;
let t: TestApp;
let alice: User;
let agent: ReturnType<typeof supertest.agent>;
let csrf: string;

beforeEach(async () => {
  now = new Date("2030-03-01T10:00:00Z");
  t = createTestApp({ now: () => now });
  alice = t.createUser("alice");
  agent = supertest.agent(t.app);
  csrf = await loginAs(agent, "alice");
});
afterEach(() => t.close());

const tokenCount = () => t.ctx.db.tokens.listForUser(alice.id).length;
const PLAINTEXT = /cargohold_[0-9A-Za-z]{38}/g;

/** Opens the form (for its nonce) and posts it with `fields`. */
async function submit(fields: Record<string, string | string[]>, path = "/settings/tokens/new") {
  const form = await agent.get(path).expect(200);
  const nonce = hiddenField(form.text, "nonce");
  return agent.post("/settings/tokens").type("form").send({ csrf, nonce, ...fields });
}

const valid = { name: "ci", expiry: "30", scope: ["publish-new", "publish-update"], pattern: ["demo-*", "", ""] };

describe("GET /settings/tokens/new", () => {
  it("offers a name, the expiry presets (90 days by default) with the resulting date, scopes and crate patterns", async () => {
    const html = (await agent.get("/settings/tokens/new").expect(200)).text;
    expect(html).toContain('<label for="f-name">Name</label>');
    expect(html).toContain('<label for="f-expiry">Expiration</label>');
    const options = [...html.matchAll(/<option value="([^"]+)"( selected)?>([^<]+)<\/option>/g)].map((m) => `${m[1]}${m[2] ? "*" : ""}=${m[3]}`);
    expect(options).toEqual(["none=No expiration", "7=7 days", "30=30 days", "60=60 days", "90*=90 days", "365=365 days", "custom=Custom…"]);
    expect(textOf(html)).toContain("The token will expire on May 30, 2030");
    expect(html).toContain('<label for="f-expiry_date">Custom expiration date</label>');
    expect(html).toContain('min="2030-03-02"');
    const text = textOf(html);
    expect(text).toContain("publish-new Publish new crates");
    expect(text).toContain("publish-update Publish new versions of existing crates");
    expect(text).toContain("yank Yank and unyank crate versions");
    expect(text).toContain("change-owners Invite new crate owners or remove existing ones");
    expect(html.match(/name="pattern"/g)).toHaveLength(3);
    expect(html.match(/<label for="f-pattern-\d">Crate pattern \d<\/label>/g)).toHaveLength(3);
    expect(text).toContain("Unrestricted – this token can be used for all of your crates.");
    expect(hiddenField(html, "nonce")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("gives every control a visible label", async () => {
    const html = (await agent.get("/settings/tokens/new")).text;
    const ids = [...html.matchAll(/<(?:input|select)\b(?![^>]*type="hidden")[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(4);
    for (const id of ids) expect(html, id).toContain(`<label for="${id}">`);
    expect(html.match(/<label class="choice">\s*<input type="checkbox" name="scope"/g)).toHaveLength(4);
  });
});

describe("POST /settings/tokens", () => {
  it("creates the token and shows it once, with how to use it, uncached", async () => {
    const res = await submit(valid);
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const [plaintext] = [...new Set(res.text.match(PLAINTEXT))];
    expect(plaintext).toBeDefined();
    const token = t.ctx.db.tokens.listForUser(alice.id)[0]!;
    expect(t.ctx.db.tokens.findByHash(hashToken(plaintext!))?.id).toBe(token.id);
    expect(token).toMatchObject({ name: "ci", endpointScopes: ["publish-new", "publish-update"], crateScopes: ["demo-*"], expiresAt: "2030-03-31T10:00:00Z" });
    const text = textOf(res.text);
    expect(text).toContain("Make sure to copy your API token now. You won't be able to see it again!");
    expect(text).toContain("cargo login --registry cargohold");
    expect(text).toContain(`export CARGO_REGISTRIES_CARGOHOLD_TOKEN=${plaintext}`);
    expect(text).toContain('index = "sparse+http://registry.test/index/" credential-provider = "cargo:token"');
    expect(text).toContain("Expires on March 31, 2030 at 10:00 UTC");
    expect(res.text).toMatch(/<textarea id="new-token"[^>]*readonly/);
  });

  it("never shows the token again: not on the list, not on any page", async () => {
    const plaintext = (await submit(valid)).text.match(PLAINTEXT)![0];
    for (const path of ["/settings/tokens", "/settings/tokens/new", `/settings/tokens/new?from=1`, "/"]) {
      const res = await agent.get(path);
      expect(res.text, path).not.toContain(plaintext);
    }
    expect(textOf((await agent.get("/settings/tokens")).text)).toContain("ci Scopes: publish-new and publish-update Crates: demo-*");
  });

  it("refuses a re-submitted form (a reload of the created page) without making a second token", async () => {
    const form = await agent.get("/settings/tokens/new");
    const fields = { csrf, nonce: hiddenField(form.text, "nonce"), ...valid };
    expect((await agent.post("/settings/tokens").type("form").send(fields)).status).toBe(200);
    const again = await agent.post("/settings/tokens").type("form").send(fields);
    expect(again.status).toBe(409);
    expect(textOf(again.text)).toContain("This token was already created");
    expect(again.text).not.toMatch(PLAINTEXT);
    expect(tokenCount()).toBe(1);
  });

  it("asks to submit again when the form's nonce is unknown, keeping the values", async () => {
    const res = await agent.post("/settings/tokens").type("form").send({ csrf, nonce: "made-up", ...valid });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain("This form had expired, so no token was created.");
    expect(res.text).toContain('value="ci"');
    expect(tokenCount()).toBe(0);
  });

  it("names the environment variable after the registry (uppercase, - as _)", async () => {
    const other = createTestApp({ config: { registryName: "acme-internal" } });
    try {
      other.createUser("alice");
      const a = supertest.agent(other.app);
      const token = await loginAs(a, "alice");
      const form = await a.get("/settings/tokens/new");
      const res = await a.post("/settings/tokens").type("form").send({ csrf: token, nonce: hiddenField(form.text, "nonce"), ...valid });
      expect(textOf(res.text)).toContain("export CARGO_REGISTRIES_ACME_INTERNAL_TOKEN=");
      expect(textOf(res.text)).toContain("cargo login --registry acme-internal");
    } finally {
      other.close();
    }
  });

  it("accepts no expiry and a custom date in the future", async () => {
    await submit({ ...valid, name: "forever", expiry: "none" });
    await submit({ ...valid, name: "custom", expiry: "custom", expiry_date: "2030-06-15" });
    const byName = Object.fromEntries(t.ctx.db.tokens.listForUser(alice.id).map((tk) => [tk.name, tk.expiresAt]));
    expect(byName).toEqual({ forever: null, custom: "2030-06-15T10:00:00Z" });
  });

  it("ignores empty pattern boxes and repeated patterns; none means every crate", async () => {
    await submit({ ...valid, name: "all", pattern: ["", "", ""] });
    await submit({ ...valid, name: "dups", pattern: ["serde", "", "serde"] });
    const byName = Object.fromEntries(t.ctx.db.tokens.listForUser(alice.id).map((tk) => [tk.name, tk.crateScopes]));
    expect(byName).toEqual({ all: null, dups: ["serde"] });
  });

  describe("re-renders the form with status 422, the values kept and an error beside the field", () => {
    it.each([
      ["an empty name", { name: "  " }, "f-name", "Please enter a name for this token."],
      ["no scope", { scope: [] as string[] }, "scopes", "Please select at least one token scope."],
      ["an unknown scope", { scope: ["publish-everything"] }, "scopes", "Unknown scope publish-everything"],
      ["an invalid crate pattern", { pattern: ["te*st", "serde"] }, "f-pattern-0", "te*st is not a valid crate pattern"],
      ["a custom expiry in the past", { expiry: "custom", expiry_date: "2030-02-01" }, "f-expiry_date", "The expiration date must be in the future."],
      ["a custom expiry of today", { expiry: "custom", expiry_date: "2030-03-01" }, "f-expiry_date", "The expiration date must be in the future."],
      ["a custom expiry without a date", { expiry: "custom", expiry_date: "" }, "f-expiry_date", "Please choose an expiration date."],
      ["a custom expiry that is no date", { expiry: "custom", expiry_date: "2030-02-31" }, "f-expiry_date", "The expiration date is not a valid date."],
      ["an unknown expiry", { expiry: "1000" }, "f-expiry_date", "Please choose an expiration."],
    ])("for %s", async (_case, change, fieldId, message) => {
      const res = await submit({ ...valid, name: "kept name", ...change } as Record<string, string | string[]>);
      expect(res.status).toBe(422);
      expect(textOf(res.text)).toContain(message);
      expect(res.text).toContain(`id="${fieldId}-error"`);
      expect(res.text).toMatch(new RegExp(`aria-describedby="[^"]*${fieldId}-error`));
      if (!("name" in change)) expect(res.text).toContain('value="kept name"');
      expect(res.text).toContain("The token was not created.");
      expect(tokenCount()).toBe(0);
    });

    it("keeps the chosen scopes, patterns and expiry", async () => {
      const res = await submit({ name: "", expiry: "custom", expiry_date: "2030-05-05", scope: ["yank"], pattern: ["serde-*"] });
      expect(res.text).toMatch(/value="yank" checked/);
      expect(res.text).not.toMatch(/value="publish-new" checked/);
      expect(res.text).toContain('value="serde-*"');
      expect(textOf(res.text)).toContain("Matches all crates starting with serde-");
      expect(res.text).toContain('<option value="custom" selected>');
      expect(res.text).toContain('value="2030-05-05"');
      expect(textOf(res.text)).toContain("The token will expire on May 5, 2030");
    });
  });

  it("refuses a missing or wrong CSRF token (403) and creates nothing", async () => {
    const form = await agent.get("/settings/tokens/new");
    const nonce = hiddenField(form.text, "nonce");
    expect((await agent.post("/settings/tokens").type("form").send({ nonce, ...valid })).status).toBe(403);
    expect((await agent.post("/settings/tokens").type("form").send({ csrf: csrf.replace(/.$/, "x"), nonce, ...valid })).status).toBe(403);
    expect(tokenCount()).toBe(0);
  });
});

describe("Regenerate (?from=ID)", () => {
  it("pre-fills name, scopes and patterns but not the expiry, and offers to revoke the old token", async () => {
    const old = t.createToken(alice, { name: "deploy", scopes: ["publish-update", "yank"], crates: ["serde", "serde-*"], expiresAt: new Date(now.getTime() + 2 * DAY) });
    const html = (await agent.get(`/settings/tokens/new?from=${old.id}`).expect(200)).text;
    expect(html).toContain('id="f-name" name="name" type="text" value="deploy"');
    expect(html).toMatch(/value="publish-update" checked/);
    expect(html).toMatch(/value="yank" checked/);
    expect(html).not.toMatch(/value="publish-new" checked/);
    expect(html).toContain('value="serde"');
    expect(html).toContain('value="serde-*"');
    expect(html).toContain('<option value="90" selected>');
    expect(html).toMatch(/name="revoke_old" value="1" checked/);
    expect(textOf(html)).toContain("Revoke the old token “deploy” once the new one is created");
    expect(hiddenField(html, "from")).toBe(String(old.id));
  });

  it("revokes the old token once the new one is created, when asked", async () => {
    const old = t.createToken(alice, { name: "deploy", scopes: ["yank"] });
    const res = await submit({ name: "deploy", expiry: "90", scope: ["yank"], from: String(old.id), revoke_old: "1" }, `/settings/tokens/new?from=${old.id}`);
    expect(res.status).toBe(200);
    expect(textOf(res.text)).toContain("The old token “deploy” has been revoked.");
    expect(t.ctx.db.tokens.findById(old.id)!.revokedAt).not.toBeNull();
    expect(tokenCount()).toBe(2);
  });

  it("keeps the old token when the box is unchecked", async () => {
    const old = t.createToken(alice, { name: "deploy", scopes: ["yank"] });
    await submit({ name: "deploy 2", expiry: "90", scope: ["yank"], from: String(old.id) });
    expect(t.ctx.db.tokens.findById(old.id)!.revokedAt).toBeNull();
  });

  it("pre-fills from a revoked or expired token without offering to revoke it", async () => {
    const old = t.createToken(alice, { name: "gone", expiresAt: new Date(now.getTime() - DAY) });
    const html = (await agent.get(`/settings/tokens/new?from=${old.id}`).expect(200)).text;
    expect(html).toContain('value="gone"');
    expect(html).not.toContain('name="revoke_old"');
  });

  it.each([
    ["someone else's token", "other"],
    ["an unknown id", "999"],
    ["an id that is not a number", "abc"],
  ])("answers 404 “Token not found” for %s", async (_case, which) => {
    const bob = t.createUser("bob");
    const bobs = t.createToken(bob, { name: "bobs" });
    const res = await agent.get(`/settings/tokens/new?from=${which === "other" ? bobs.id : which}`);
    expect(res.status).toBe(404);
    expect(textOf(res.text)).toContain("Token not found.");
    expect(res.text).not.toContain("bobs");
  });

  it("refuses to create from, or revoke, someone else's token", async () => {
    const bob = t.createUser("bob");
    const bobs = t.createToken(bob, { name: "bobs" });
    const res = await submit({ ...valid, from: String(bobs.id), revoke_old: "1" });
    expect(res.status).toBe(404);
    expect(tokenCount()).toBe(0);
    expect(t.ctx.db.tokens.findById(bobs.id)!.revokedAt).toBeNull();
  });
});
