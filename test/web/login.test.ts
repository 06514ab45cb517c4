import { createHash } from "node:crypto";
import supertest from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { csrfFrom, loginAs, PASSWORD, sessionCookie, sessionFor, setCookieFor, textOf } from "../helpers/web.js";

let t: TestApp;
beforeEach(() => {
  t = createTestApp();
  t.createUser("alice");
});
afterEach(() => t.close());

const sessionRows = () => t.ctx.db.sqlite.prepare("SELECT * FROM sessions").all() as { id_hash: string; user_id: number }[];

async function postLogin(agent: ReturnType<typeof supertest.agent>, fields: Record<string, string>) {
  const page = await agent.get("/login");
  return agent.post("/login").type("form").send({ csrf: csrfFrom(page.text), ...fields });
}

describe("GET /login", () => {
  it("shows a form with labelled fields and a CSRF token", async () => {
    const res = await t.request().get("/login").expect(200);
    expect(res.text).toContain('<label for="f-login">Login</label>');
    expect(res.text).toContain('<label for="f-password">Password</label>');
    expect(csrfFrom(res.text)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("sets security headers with a CSP that allows only this site", async () => {
    const res = await t.request().get("/login");
    expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(res.headers["content-security-policy"]).not.toContain("upgrade-insecure-requests");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
  });
});

describe("POST /login", () => {
  it("signs in, stores only the hash of the session id, and sets a HttpOnly SameSite=Lax cookie", async () => {
    const agent = supertest.agent(t.app);
    const res = await postLogin(agent, { login: "alice", password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/");
    const cookie = setCookieFor(res, "cargohold_session")!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/; Secure/);
    const id = sessionCookie(res)!;
    expect(sessionRows()).toEqual([expect.objectContaining({ id_hash: createHash("sha256").update(id).digest("hex") })]);
    const page = await agent.get("/settings/tokens").expect(200);
    expect(textOf(page.text)).toContain("Signed in as alice.");
  });

  it("marks cookies Secure when PUBLIC_URL is https", async () => {
    const https = createTestApp({ config: { publicUrl: "https://registry.test" } });
    try {
      https.createUser("alice");
      const page = await https.request().get("/login");
      expect(setCookieFor(page, "cargohold_csrf")).toMatch(/; Secure/);
      const anonymous = setCookieFor(page, "cargohold_csrf")!.split(";")[0]!;
      const res = await https.request().post("/login").set("Cookie", anonymous).type("form").send({ csrf: csrfFrom(page.text), login: "alice", password: PASSWORD });
      expect(res.status).toBe(303);
      expect(setCookieFor(res, "cargohold_session")).toMatch(/; HttpOnly; Secure; SameSite=Lax|; Secure/);
      expect(page.headers["strict-transport-security"]).toBeDefined();
    } finally {
      https.close();
    }
  });

  it("goes to a local `next` path, and to / for anything else", async () => {
    for (const [next, expected] of [
      ["/settings/tokens", "/settings/tokens"],
      ["/crates/serde?x=1", "/crates/serde?x=1"],
      ["//evil.example/", "/"],
      ["https://evil.example/", "/"],
      ["/\\evil.example", "/"],
      ["javascript:alert(1)", "/"],
    ]) {
      const res = await postLogin(supertest.agent(t.app), { login: "alice", password: PASSWORD, next: next! });
      expect(res.headers.location, next).toBe(expected);
    }
  });

  it.each([
    ["a wrong password", "alice", "wrong password"],
    ["an unknown login", "nobody", PASSWORD],
  ])("refuses %s with the same message, keeping the login and creating no session", async (_case, login, password) => {
    const res = await postLogin(supertest.agent(t.app), { login, password });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain("Incorrect login or password.");
    expect(res.text).toContain(`value="${login}"`);
    expect(res.text).toContain('aria-invalid="true"');
    expect(sessionCookie(res)).toBeUndefined();
    expect(sessionRows()).toHaveLength(0);
  });

  it("refuses a disabled account", async () => {
    t.ctx.db.users.setDisabled(t.ctx.db.users.findByLogin("alice")!.id, "2026-01-01T00:00:00Z");
    const res = await postLogin(supertest.agent(t.app), { login: "alice", password: PASSWORD });
    expect(res.status).toBe(403);
    expect(textOf(res.text)).toContain("This account is disabled");
    expect(sessionRows()).toHaveLength(0);
  });

  it.each([
    ["missing", undefined],
    ["wrong", "x".repeat(43)],
  ])("answers 403 to a %s CSRF token and signs nobody in", async (_case, csrf) => {
    const agent = supertest.agent(t.app);
    await agent.get("/login");
    const res = await agent.post("/login").type("form").send({ ...(csrf ? { csrf } : {}), login: "alice", password: PASSWORD });
    expect(res.status).toBe(403);
    expect(textOf(res.text)).toContain("This form could not be verified");
    expect(sessionRows()).toHaveLength(0);
  });

  it("gives a new session id at each sign-in and ends the old session", async () => {
    const agent = supertest.agent(t.app);
    const first = sessionCookie(await postLogin(agent, { login: "alice", password: PASSWORD }))!;
    // Signed in, the login page redirects; a sign-in form posted anyway carries the session's token.
    const csrf = csrfFrom((await agent.get("/settings/profile")).text);
    const second = sessionCookie(await agent.post("/login").type("form").send({ csrf, login: "alice", password: PASSWORD }))!;
    expect(second).not.toBe(first);
    expect(sessionRows()).toHaveLength(1);
    const old = await t.request().get("/settings/tokens").set("Cookie", `cargohold_session=${first}`);
    expect(old.status).toBe(302);
    expect(old.headers.location).toBe("/login?next=%2Fsettings%2Ftokens");
  });
});

describe("login rate limit", () => {
  it("stops an account after 5 failures, even with the right password, and says for how long", async () => {
    for (let i = 0; i < 5; i++) expect((await postLogin(supertest.agent(t.app), { login: "alice", password: "nope nope" })).status).toBe(422);
    const res = await postLogin(supertest.agent(t.app), { login: "alice", password: PASSWORD });
    expect(res.status).toBe(429);
    expect(textOf(res.text)).toContain("Too many failed sign-in attempts for this account; try again in 15 minutes.");
    expect(sessionRows()).toHaveLength(0);
  });

  it("treats unknown logins the same, so the limit reveals nothing", async () => {
    for (let i = 0; i < 5; i++) await postLogin(supertest.agent(t.app), { login: "nobody", password: "nope nope" });
    const res = await postLogin(supertest.agent(t.app), { login: "nobody", password: "nope nope" });
    expect(res.status).toBe(429);
    expect(textOf(res.text)).toContain("for this account");
    expect((await postLogin(supertest.agent(t.app), { login: "alice", password: PASSWORD })).status).toBe(303);
  });

  it("stops an address after 20 failures across logins", async () => {
    for (let i = 0; i < 20; i++) await postLogin(supertest.agent(t.app), { login: `guess${i}`, password: "nope nope" });
    const res = await postLogin(supertest.agent(t.app), { login: "alice", password: PASSWORD });
    expect(res.status).toBe(429);
    expect(textOf(res.text)).toContain("Too many failed sign-in attempts from your network address");
  });

  it("does not count successful sign-ins", async () => {
    for (let i = 0; i < 8; i++) expect((await postLogin(supertest.agent(t.app), { login: "alice", password: PASSWORD })).status).toBe(303);
  });
});

describe("POST /logout", () => {
  it("deletes the session server-side, so the old cookie stops working", async () => {
    const { cookie } = await sessionFor(t.app, "alice");
    const agent = supertest.agent(t.app);
    const csrf = await loginAs(agent, "alice");
    expect(sessionRows()).toHaveLength(2);
    const res = await agent.post("/logout").type("form").send({ csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/login");
    expect(setCookieFor(res, "cargohold_session")).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(sessionRows()).toHaveLength(1);
    expect((await agent.get("/settings/tokens")).status).toBe(302);
    // The other browser's session is untouched.
    expect((await t.request().get("/settings/tokens").set("Cookie", cookie)).status).toBe(200);
  });

  it("keeps the session when the CSRF token is missing", async () => {
    const agent = supertest.agent(t.app);
    await loginAs(agent, "alice");
    expect((await agent.post("/logout").type("form").send({})).status).toBe(403);
    expect(sessionRows()).toHaveLength(1);
    expect((await agent.get("/settings/tokens")).status).toBe(200);
  });
});

describe("session expiry", () => {
  let now: Date;
  let clocked: TestApp;
  beforeEach(() => {
    now = new Date("2030-01-01T12:00:00Z");
    clocked = createTestApp({ now: () => now });
    clocked.createUser("alice");
  });
  afterEach(() => clocked.close());
  const days = (n: number) => (now = new Date(now.getTime() + n * 24 * 60 * 60 * 1000));

  it("ends a session left unused for 2 days and says so on the login page", async () => {
    const agent = supertest.agent(clocked.app);
    await loginAs(agent, "alice");
    days(1.9);
    expect((await agent.get("/settings/tokens")).status).toBe(200);
    days(2.1);
    const res = await agent.get("/settings/tokens");
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/login?next=%2Fsettings%2Ftokens");
    expect(textOf((await agent.get(res.headers.location!)).text)).toContain("Your session has expired. Please sign in again.");
  });

  it("ends every session 14 days after sign-in, however much it is used", async () => {
    const agent = supertest.agent(clocked.app);
    await loginAs(agent, "alice");
    for (let i = 0; i < 13; i++) {
      days(1);
      expect((await agent.get("/settings/profile")).status).toBe(200);
    }
    days(1.1);
    expect((await agent.get("/settings/profile")).status).toBe(302);
  });

  it("refuses a form posted with an expired session and changes nothing", async () => {
    const agent = supertest.agent(clocked.app);
    const csrf = await loginAs(agent, "alice");
    days(3);
    const res = await agent.post("/settings/profile").type("form").send({ csrf, name: "Changed", email: "" });
    expect(res.status).toBe(403);
    expect(clocked.ctx.db.users.findByLogin("alice")!.name).toBeNull();
  });
});

describe("signing out after the session expired", () => {
  it("just goes to the login page", async () => {
    const { cookie, csrf } = await sessionFor(t.app, "alice");
    t.ctx.db.sqlite.prepare("DELETE FROM sessions").run();
    const res = await t.request().post("/logout").set("Cookie", cookie).type("form").send({ csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/login");
  });
});
