// The token JSON API (src/api/me-tokens.ts), mounted here on its own with the cargo face's error
// handler, exactly as src/api/routes.ts mounts it; the session comes from the real login page.
import express from "express";
import supertest from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { meTokenRoutes } from "../../src/api/me-tokens.js";
import { apiErrorHandler } from "../../src/api/error-handler.js";
import { hashToken } from "../../src/auth/tokens.js";
import type { User } from "../../src/db/users.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { sessionFor } from "../helpers/web.js";

const DAY = 24 * 60 * 60 * 1000;
let now: Date;
let t: TestApp;
let alice: User;
let api: () => supertest.Agent;
let cookie: string;
let csrf: string;

beforeEach(async () => {
  now = new Date("2030-03-01T10:00:00Z");
  t = createTestApp({ now: () => now });
  alice = t.createUser("alice");
  const app = express();
  app.use(meTokenRoutes(t.ctx));
  app.use("/api", apiErrorHandler(t.ctx));
  api = () => supertest.agent(app);
  ({ cookie, csrf } = await sessionFor(t.app, "alice"));
});
afterEach(() => t.close());

const at = (days: number) => new Date(now.getTime() + days * DAY);
const put = (body: unknown) => api().put("/api/v1/me/tokens").set("Cookie", cookie).set("X-CSRF-Token", csrf).send(body as object);
const count = () => t.ctx.db.tokens.listForUser(alice.id).length;

describe("PUT /api/v1/me/tokens", () => {
  it("creates a token and returns crates.io's shape with the plaintext, once", async () => {
    const res = await put({ api_token: { name: "ci", endpoint_scopes: ["publish-update"], crate_scopes: ["tokio", "tokio-*"], expired_at: "2030-12-24T12:34:56+05:00" } });
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toEqual({
      api_token: {
        id: expect.any(Number),
        name: "ci",
        created_at: "2030-03-01T10:00:00Z",
        last_used_at: null,
        crate_scopes: ["tokio", "tokio-*"],
        endpoint_scopes: ["publish-update"],
        expired_at: "2030-12-24T07:34:56Z",
        token: expect.stringMatching(/^cargohold_/),
      },
    });
    expect(t.ctx.db.tokens.findByHash(hashToken(res.body.api_token.token))?.id).toBe(res.body.api_token.id);
  });

  it("defaults to every crate and no expiry", async () => {
    const res = await put({ api_token: { name: "laptop", endpoint_scopes: ["yank"] } });
    expect(res.body.api_token).toMatchObject({ crate_scopes: null, expired_at: null });
  });

  it.each([
    ["no api_token", { name: "x" }, 422, "missing field `api_token`"],
    ["an empty name", { api_token: { name: "", endpoint_scopes: ["yank"] } }, 400, "name must have a value"],
    ["no endpoint scope", { api_token: { name: "x" } }, 400, "Please select at least one token scope."],
    ["an unknown scope", { api_token: { name: "x", endpoint_scopes: ["crash"] } }, 400, "Unknown scope `crash`"],
    ["an invalid crate scope", { api_token: { name: "x", endpoint_scopes: ["yank"], crate_scopes: ["", "tokio-*"] } }, 400, "a crate pattern must not be empty"],
    ["crate scopes that are no list", { api_token: { name: "x", endpoint_scopes: ["yank"], crate_scopes: "tokio" } }, 400, "`crate_scopes` must be an array of strings or null"],
    ["an expiry in the past", { api_token: { name: "x", endpoint_scopes: ["yank"], expired_at: "2030-02-01T00:00:00Z" } }, 400, "The expiration date must be in the future."],
    ["an expiry that is no date", { api_token: { name: "x", endpoint_scopes: ["yank"], expired_at: "tomorrow" } }, 400, "`expired_at` must be an RFC 3339 timestamp"],
  ])("refuses %s and creates nothing", async (_case, body, status, detail) => {
    const res = await put(body);
    expect(res.status).toBe(status);
    expect(res.body.errors[0].detail).toContain(detail);
    expect(count()).toBe(0);
  });

  it("refuses an API token, even one with every scope (400)", async () => {
    const { token } = t.createToken(alice);
    const res = await api().put("/api/v1/me/tokens").set("Authorization", token).send({ api_token: { name: "x", endpoint_scopes: ["yank"] } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ detail: "cannot use an API token to create a new API token" }] });
    expect(count()).toBe(1);
  });

  it("needs a browser session (403)", async () => {
    const res = await api().put("/api/v1/me/tokens").send({ api_token: { name: "x", endpoint_scopes: ["yank"] } });
    expect(res.status).toBe(403);
    expect(res.body.errors[0].detail).toMatch(/^this action requires authentication/);
  });

  it("needs the session's CSRF token in X-CSRF-Token (403)", async () => {
    const body = { api_token: { name: "x", endpoint_scopes: ["yank"] } };
    expect((await api().put("/api/v1/me/tokens").set("Cookie", cookie).send(body)).status).toBe(403);
    expect((await api().put("/api/v1/me/tokens").set("Cookie", cookie).set("X-CSRF-Token", "wrong").send(body)).status).toBe(403);
    expect(count()).toBe(0);
  });

  it.each([
    ["Origin", "https://evil.example", "invalid origin header"],
    ["Origin", "null", "invalid origin header"],
    ["Sec-Fetch-Site", "cross-site", "cross-site requests are not allowed here"],
    ["Sec-Fetch-Site", "same-site", "cross-site requests are not allowed here"],
  ])("refuses a cross-site request (%s: %s)", async (header, value, detail) => {
    const res = await api().put("/api/v1/me/tokens").set("Cookie", cookie).set("X-CSRF-Token", csrf).set(header, value).send({ api_token: { name: "x", endpoint_scopes: ["yank"] } });
    expect(res.status).toBe(403);
    expect(res.body.errors[0].detail).toBe(detail);
    expect(count()).toBe(0);
  });

  it("accepts a same-origin browser request", async () => {
    const res = await put({ api_token: { name: "x", endpoint_scopes: ["yank"] } }).set("Origin", "http://registry.test").set("Sec-Fetch-Site", "same-origin");
    expect(res.status).toBe(200);
  });
});

describe("GET /api/v1/me/tokens", () => {
  beforeEach(() => {
    t.createToken(alice, { name: "bar" });
    t.createToken(alice, { name: "baz", scopes: ["publish-update"], crates: ["serde", "serde-*"] });
    t.createToken(alice, { name: "recent", expiresAt: at(-1) });
    t.createToken(alice, { name: "ancient", expiresAt: at(-31) });
    const revoked = t.createToken(alice, { name: "revoked" });
    t.ctx.db.tokens.revoke(revoked.id, "2030-02-01T00:00:00Z");
    t.createToken(t.createUser("bob"), { name: "bobs" });
  });
  const names = (body: { api_tokens: { name: string }[] }) => body.api_tokens.map((tk) => tk.name);

  it("lists usable tokens, newest first, without secrets, uncached", async () => {
    const res = await api().get("/api/v1/me/tokens").set("Cookie", cookie);
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(names(res.body)).toEqual(["baz", "bar"]);
    expect(res.body.api_tokens[0]).toEqual({ id: 2, name: "baz", created_at: "2030-03-01T10:00:00Z", last_used_at: null, crate_scopes: ["serde", "serde-*"], endpoint_scopes: ["publish-update"], expired_at: null });
  });

  it("adds tokens expired within `expired_days`", async () => {
    expect(names((await api().get("/api/v1/me/tokens?expired_days=30").set("Cookie", cookie)).body)).toEqual(["recent", "baz", "bar"]);
    expect(names((await api().get("/api/v1/me/tokens?expired_days=60").set("Cookie", cookie)).body)).toEqual(["ancient", "recent", "baz", "bar"]);
    expect((await api().get("/api/v1/me/tokens?expired_days=soon").set("Cookie", cookie)).status).toBe(400);
  });

  it("refuses API tokens and anonymous callers (403)", async () => {
    const { token } = t.createToken(alice);
    expect((await api().get("/api/v1/me/tokens").set("Authorization", token)).status).toBe(403);
    expect((await api().get("/api/v1/me/tokens")).status).toBe(403);
  });
});

describe("GET and DELETE /api/v1/me/tokens/:id", () => {
  it("returns the user's own token whatever its state, and 404 for anyone else's", async () => {
    const own = t.createToken(alice, { name: "old", expiresAt: at(-31) });
    const bobs = t.createToken(t.createUser("bob"), { name: "bobs" });
    const res = await api().get(`/api/v1/me/tokens/${own.id}`).set("Cookie", cookie);
    expect(res.status).toBe(200);
    expect(res.body.api_token).toMatchObject({ id: own.id, name: "old", expired_at: expect.any(String) });
    expect(res.body.api_token.token).toBeUndefined();
    expect((await api().get(`/api/v1/me/tokens/${bobs.id}`).set("Cookie", cookie)).status).toBe(404);
    expect((await api().get("/api/v1/me/tokens/10086").set("Cookie", cookie)).status).toBe(404);
  });

  it("revokes the user's own token", async () => {
    const own = t.createToken(alice);
    const res = await api().delete(`/api/v1/me/tokens/${own.id}`).set("Cookie", cookie).set("X-CSRF-Token", csrf);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect(t.ctx.db.tokens.findById(own.id)!.revokedAt).not.toBeNull();
  });

  it("answers {} for someone else's or an unknown token, changing nothing", async () => {
    const bobs = t.createToken(t.createUser("bob"));
    expect((await api().delete(`/api/v1/me/tokens/${bobs.id}`).set("Cookie", cookie).set("X-CSRF-Token", csrf)).body).toEqual({});
    expect((await api().delete("/api/v1/me/tokens/5555").set("Cookie", cookie).set("X-CSRF-Token", csrf)).body).toEqual({});
    expect(t.ctx.db.tokens.findById(bobs.id)!.revokedAt).toBeNull();
  });

  it("needs the CSRF header to revoke", async () => {
    const own = t.createToken(alice);
    expect((await api().delete(`/api/v1/me/tokens/${own.id}`).set("Cookie", cookie)).status).toBe(403);
    expect(t.ctx.db.tokens.findById(own.id)!.revokedAt).toBeNull();
  });
});
