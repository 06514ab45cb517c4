import supertest from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { User } from "../../src/db/users.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { csrfFrom, loginAs, textOf } from "../helpers/web.js";

const DAY = 24 * 60 * 60 * 1000;
let now: Date;
let t: TestApp;
let alice: User;
let bob: User;
let agent: ReturnType<typeof supertest.agent>;
let csrf: string;

beforeEach(async () => {
  now = new Date("2030-03-01T10:00:00Z");
  t = createTestApp({ now: () => now });
  alice = t.createUser("alice");
  bob = t.createUser("bob");
  agent = supertest.agent(t.app);
  csrf = await loginAs(agent, "alice");
});
afterEach(() => t.close());

const at = (offsetDays: number) => new Date(now.getTime() + offsetDays * DAY);

describe("GET /me and /settings/tokens when signed out", () => {
  it("sends cargo's /me link to the token page through the login page", async () => {
    const me = await t.request().get("/me");
    expect(me.status).toBe(302);
    expect(me.headers.location).toBe("/settings/tokens");
    const list = await t.request().get("/settings/tokens");
    expect(list.status).toBe(302);
    expect(list.headers.location).toBe("/login?next=%2Fsettings%2Ftokens");
    const login = await t.request().get(list.headers.location!);
    expect(login.text).toContain('name="next" value="/settings/tokens"');
  });

  it("goes straight to the token page when signed in", async () => {
    expect((await agent.get("/me")).headers.location).toBe("/settings/tokens");
    expect((await agent.get("/settings/tokens")).status).toBe(200);
  });
});

describe("GET /settings/tokens", () => {
  it("explains tokens and offers to create the first one when there are none", async () => {
    const text = textOf((await agent.get("/settings/tokens").expect(200)).text);
    expect(text).toContain("You have no API tokens yet.");
    expect(text).toContain("cargo login --registry cargohold");
    expect(text).toContain("CARGO_REGISTRIES_CARGOHOLD_TOKEN");
  });

  it("describes each token: scopes, crates, use, creation and expiry", async () => {
    t.createToken(alice, { name: "release", scopes: ["publish-new", "publish-update", "yank"], crates: ["serde", "serde-*"], expiresAt: at(40) });
    t.createToken(alice, { name: "laptop", scopes: ["change-owners"] });
    t.ctx.db.sqlite.prepare("UPDATE api_tokens SET last_used_at = '2030-02-27T08:30:00Z' WHERE name = 'laptop'").run();
    const text = textOf((await agent.get("/settings/tokens")).text);
    expect(text).toContain("release Scopes: publish-new, publish-update and yank Crates: serde and serde-* Never used Created March 1, 2030 Expires on April 10, 2030 at 10:00 UTC");
    expect(text).toContain("laptop Scopes: change-owners Crates: all of your crates Last used February 27, 2030 at 08:30 UTC Created March 1, 2030 Never expires");
  });

  it("lists usable tokens first, newest first, then recently expired ones; hides revoked, old and others' tokens", async () => {
    t.createToken(alice, { name: "expired-recently", expiresAt: at(-1) });
    now = at(-40);
    t.createToken(alice, { name: "expired-long-ago", expiresAt: at(10) });
    now = at(40);
    t.createToken(alice, { name: "older" });
    now = at(1);
    t.createToken(alice, { name: "newer" });
    const revoked = t.createToken(alice, { name: "revoked" });
    t.ctx.db.tokens.revoke(revoked.id, "2030-03-02T00:00:00Z");
    t.createToken(bob, { name: "bobs-token" });
    const html = (await agent.get("/settings/tokens")).text;
    const names = [...html.matchAll(/<h2 class="token-name">([^<]*)<\/h2>/g)].map((m) => m[1]);
    expect(names).toEqual(["newer", "older", "expired-recently"]);
    expect(textOf(html)).toContain("expired-recently Expired Scopes");
    expect(textOf(html)).toMatch(/Expired on February \d+, 2030/);
  });

  it("flags tokens that expire within 7 days and says so at the top", async () => {
    t.createToken(alice, { name: "ci", expiresAt: at(3) });
    t.createToken(alice, { name: "far", expiresAt: at(30) });
    const html = (await agent.get("/settings/tokens")).text;
    expect(textOf(html)).toContain("1 token expires within 7 days: “ci”. Regenerate it before then to keep cargo working.");
    expect(html.match(/Expires soon/g)).toHaveLength(1);
  });

  it("offers Regenerate for every token and Revoke (with a confirmation) for usable ones", async () => {
    const active = t.createToken(alice, { name: "active" });
    const expired = t.createToken(alice, { name: "expired", expiresAt: at(-2) });
    const html = (await agent.get("/settings/tokens")).text;
    expect(html).toContain(`href="/settings/tokens/new?from=${active.id}"`);
    expect(html).toContain(`href="/settings/tokens/new?from=${expired.id}"`);
    expect(html).toContain(`action="/settings/tokens/${active.id}/revoke"`);
    expect(html).not.toContain(`action="/settings/tokens/${expired.id}/revoke"`);
    expect(html).toMatch(/<details class="confirm">\s*<summary[^>]*>Revoke…<\/summary>/);
  });
});

describe("POST /settings/tokens/:id/revoke", () => {
  it("revokes the token, records it, and says so on the list", async () => {
    const { id } = t.createToken(alice, { name: "laptop" });
    const res = await agent.post(`/settings/tokens/${id}/revoke`).type("form").send({ csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/settings/tokens");
    expect(t.ctx.db.tokens.findById(id)!.revokedAt).toBe("2030-03-01T10:00:00Z");
    expect(t.ctx.db.audit.list()[0]).toMatchObject({ action: "token-revoke", userId: alice.id, tokenId: id });
    const text = textOf((await agent.get("/settings/tokens")).text);
    expect(text).toContain("The token “laptop” has been revoked.");
    expect(text).toContain("You have no API tokens yet.");
  });

  it("refuses without the CSRF token and leaves the token usable", async () => {
    const { id } = t.createToken(alice);
    expect((await agent.post(`/settings/tokens/${id}/revoke`).type("form").send({})).status).toBe(403);
    expect((await agent.post(`/settings/tokens/${id}/revoke`).type("form").send({ csrf: "forged" })).status).toBe(403);
    expect(t.ctx.db.tokens.findById(id)!.revokedAt).toBeNull();
  });

  it("answers 404 for someone else's token and leaves it alone", async () => {
    const { id } = t.createToken(bob);
    const res = await agent.post(`/settings/tokens/${id}/revoke`).type("form").send({ csrf });
    expect(res.status).toBe(404);
    expect(textOf(res.text)).toContain("Token not found.");
    expect(t.ctx.db.tokens.findById(id)!.revokedAt).toBeNull();
    expect(t.rowCounts().audit).toBe(0);
  });

  it.each(["999", "abc", "1.5", "-1"])("answers 404 for the id %s", async (id) => {
    expect((await agent.post(`/settings/tokens/${id}/revoke`).type("form").send({ csrf })).status).toBe(404);
  });

  it("says so when the token was already revoked", async () => {
    const { id } = t.createToken(alice, { name: "twice" });
    await agent.post(`/settings/tokens/${id}/revoke`).type("form").send({ csrf });
    await agent.get("/settings/tokens");
    await agent.post(`/settings/tokens/${id}/revoke`).type("form").send({ csrf });
    expect(textOf((await agent.get("/settings/tokens")).text)).toContain("The token “twice” was already revoked.");
  });

  it("sends a visitor who is not signed in to the login page", async () => {
    const { id } = t.createToken(alice);
    const visitor = supertest.agent(t.app);
    const page = await visitor.get("/login");
    const res = await visitor.post(`/settings/tokens/${id}/revoke`).type("form").send({ csrf: csrfFrom(page.text) });
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^\/login\?next=/);
    expect(t.ctx.db.tokens.findById(id)!.revokedAt).toBeNull();
  });
});
