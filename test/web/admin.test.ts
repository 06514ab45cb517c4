import supertest from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { User } from "../../src/db/users.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { loginAs, PASSWORD, sessionFor, textOf } from "../helpers/web.js";

let t: TestApp;
let admin: User;
let bob: User;
let agent: ReturnType<typeof supertest.agent>;
let csrf: string;

beforeEach(async () => {
  t = createTestApp();
  admin = t.createUser("root", { admin: true });
  bob = t.createUser("bob");
  agent = supertest.agent(t.app);
  csrf = await loginAs(agent, "root");
});
afterEach(() => t.close());

const user = (login: string) => t.ctx.db.users.findByLogin(login);
const sessionsOf = (u: User) => t.ctx.db.sessions.countForUser(u.id);

describe("access", () => {
  it("sends visitors to the login page", async () => {
    const res = await t.request().get("/admin/users");
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/login?next=%2Fadmin%2Fusers");
  });

  it("answers 403 to users who are not administrators, for pages and actions", async () => {
    const bobs = supertest.agent(t.app);
    const bobCsrf = await loginAs(bobs, "bob");
    const page = await bobs.get("/admin/users");
    expect(page.status).toBe(403);
    expect(textOf(page.text)).toContain("This page is only for administrators.");
    expect((await bobs.post(`/admin/users/${admin.id}/disable`).type("form").send({ csrf: bobCsrf })).status).toBe(403);
    expect((await bobs.post("/admin/users").type("form").send({ csrf: bobCsrf, login: "mallory", password: "password 123", confirmation: "password 123", admin: "1" })).status).toBe(403);
    expect(user("root")!.disabledAt).toBeNull();
    expect(user("mallory")).toBeUndefined();
  });

  it("shows the Admin link to administrators only", async () => {
    expect((await agent.get("/settings/profile")).text).toContain('href="/admin/users"');
    const bobs = supertest.agent(t.app);
    await loginAs(bobs, "bob");
    expect((await bobs.get("/settings/profile")).text).not.toContain('href="/admin/users"');
  });
});

describe("GET /admin/users", () => {
  it("lists every user with their status and active tokens", async () => {
    t.createToken(bob);
    const text = textOf((await agent.get("/admin/users").expect(200)).text);
    expect(text).toContain("bob Active Active API tokens: 1");
    expect(text).toContain("root admin");
  });
});

describe("POST /admin/users", () => {
  const fields = { login: "carol", name: "Carol", email: "carol@example.com", password: "carols password", confirmation: "carols password" };

  it("adds a user who can then sign in, and records it", async () => {
    const res = await agent.post("/admin/users").type("form").send({ csrf, ...fields });
    expect(res.status).toBe(303);
    expect(user("carol")).toMatchObject({ name: "Carol", email: "carol@example.com", isAdmin: false });
    expect(t.ctx.db.audit.list()[0]).toMatchObject({ action: "user-create", userId: admin.id, detail: expect.objectContaining({ login: "carol" }) });
    await loginAs(supertest.agent(t.app), "carol", "carols password");
  });

  it("can make an administrator", async () => {
    await agent.post("/admin/users").type("form").send({ csrf, ...fields, admin: "1" });
    expect(user("carol")!.isAdmin).toBe(true);
  });

  it.each([
    ["an existing login", { login: "BOB" }, "A user with the login “BOB” already exists."],
    ["an invalid login", { login: "-x y" }, "Use letters, digits"],
    ["an empty login", { login: "" }, "Please enter a login."],
    ["a short password", { password: "short", confirmation: "short" }, "at least 8 characters"],
    ["mismatched passwords", { confirmation: "something else" }, "The two passwords do not match."],
    ["a bad email", { email: "carol" }, "Please enter an email address"],
  ])("refuses %s with 422, keeping the values and adding no one", async (_case, change, message) => {
    const res = await agent.post("/admin/users").type("form").send({ csrf, ...fields, ...change });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain(message);
    expect(res.text).toContain('value="Carol"');
    expect(res.text).not.toContain("carols password");
    expect(t.ctx.db.users.count()).toBe(2);
  });
});

describe("disabling and enabling", () => {
  it("revokes all tokens and ends all sessions of the user at once", async () => {
    const token = t.createToken(bob);
    const session = await sessionFor(t.app, "bob");
    const res = await agent.post(`/admin/users/${bob.id}/disable`).type("form").send({ csrf });
    expect(res.status).toBe(303);
    expect(user("bob")!.disabledAt).not.toBeNull();
    expect(t.ctx.db.tokens.findById(token.id)!.revokedAt).not.toBeNull();
    expect(sessionsOf(bob)).toBe(0);
    expect((await t.request().get("/settings/tokens").set("Cookie", session.cookie)).status).toBe(302);
    expect(t.ctx.db.audit.list()[0]).toMatchObject({ action: "user-disable", userId: admin.id, detail: { login: "bob", id: bob.id, tokensRevoked: 1 } });
    expect(textOf((await agent.get("/admin/users")).text)).toContain("bob has been disabled: they are signed out and 1 API token was revoked.");
    // The cargo API refuses the token too.
    const api = await t.request().get("/api/v1/crates?q=x").set("Authorization", token.token);
    expect(api.status).toBe(401);
  });

  it("stops the disabled user from signing in", async () => {
    await agent.post(`/admin/users/${bob.id}/disable`).type("form").send({ csrf });
    const bobs = supertest.agent(t.app);
    await expect(loginAs(bobs, "bob")).rejects.toThrow(/failed with 403/);
  });

  it("does not let administrators disable themselves", async () => {
    await agent.post(`/admin/users/${admin.id}/disable`).type("form").send({ csrf });
    expect(user("root")!.disabledAt).toBeNull();
    expect(textOf((await agent.get("/admin/users")).text)).toContain("You cannot disable your own account.");
  });

  it("enables the user again; their old tokens stay revoked", async () => {
    const token = t.createToken(bob);
    await agent.post(`/admin/users/${bob.id}/disable`).type("form").send({ csrf });
    const res = await agent.post(`/admin/users/${bob.id}/enable`).type("form").send({ csrf });
    expect(res.status).toBe(303);
    expect(user("bob")!.disabledAt).toBeNull();
    expect(t.ctx.db.tokens.findById(token.id)!.revokedAt).not.toBeNull();
    expect(t.ctx.db.audit.list()[0]).toMatchObject({ action: "user-enable", userId: admin.id });
    await loginAs(supertest.agent(t.app), "bob");
  });

  it("refuses without the CSRF token", async () => {
    expect((await agent.post(`/admin/users/${bob.id}/disable`).type("form").send({})).status).toBe(403);
    expect(user("bob")!.disabledAt).toBeNull();
  });

  it("answers 404 for an unknown user", async () => {
    expect((await agent.post("/admin/users/999/disable").type("form").send({ csrf })).status).toBe(404);
  });
});

describe("resetting a password", () => {
  it("sets the new password, signs the user out everywhere and records it", async () => {
    const session = await sessionFor(t.app, "bob");
    const token = t.createToken(bob);
    expect((await agent.get(`/admin/users/${bob.id}/password`)).status).toBe(200);
    const res = await agent.post(`/admin/users/${bob.id}/password`).type("form").send({ csrf, password: "brand new pass", confirmation: "brand new pass" });
    expect(res.status).toBe(303);
    expect((await t.request().get("/settings/tokens").set("Cookie", session.cookie)).status).toBe(302);
    expect(t.ctx.db.tokens.findById(token.id)!.revokedAt).toBeNull();
    expect(t.ctx.db.audit.list()[0]).toMatchObject({ action: "password-reset", userId: admin.id, detail: { login: "bob", id: bob.id } });
    await loginAs(supertest.agent(t.app), "bob", "brand new pass");
    await expect(loginAs(supertest.agent(t.app), "bob", PASSWORD)).rejects.toThrow(/422/);
  });

  it("refuses mismatched passwords with 422", async () => {
    const before = user("bob")!.passwordHash;
    const res = await agent.post(`/admin/users/${bob.id}/password`).type("form").send({ csrf, password: "brand new pass", confirmation: "other" });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain("The two passwords do not match.");
    expect(user("bob")!.passwordHash).toBe(before);
  });
});
