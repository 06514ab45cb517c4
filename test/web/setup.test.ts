import supertest from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSetupLink } from "../../src/web/setup.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { csrfFrom, sessionCookie, textOf } from "../helpers/web.js";

let t: TestApp;
beforeEach(() => {
  t = createTestApp();
});
afterEach(() => t.close());

const pathOf = (link: string) => new URL(link).pathname;
const admin = { login: "admin", name: "The Admin", email: "admin@example.com", password: "first admin pass", confirmation: "first admin pass" };

async function submit(path: string, fields: Record<string, string>) {
  const agent = supertest.agent(t.app);
  const page = await agent.get(path);
  const res = await agent.post(path).type("form").send({ csrf: csrfFrom(page.text), ...fields });
  return { agent, res };
}

describe("createSetupLink", () => {
  it("returns a one-time link under PUBLIC_URL while there are no users, storing only its hash", () => {
    const link = createSetupLink(t.ctx)!;
    expect(link).toMatch(/^http:\/\/registry\.test\/setup\/[A-Za-z0-9_-]{43}$/);
    const stored = t.ctx.db.sqlite.prepare("SELECT token_hash FROM setup_tokens").all() as { token_hash: string }[];
    expect(stored).toHaveLength(1);
    expect(link).not.toContain(stored[0]!.token_hash);
  });

  it("returns nothing once a user exists", () => {
    t.createUser("someone");
    expect(createSetupLink(t.ctx)).toBeUndefined();
  });
});

describe("the setup page", () => {
  it("creates the administrator, signs them in, records it, and then stops working", async () => {
    const path = pathOf(createSetupLink(t.ctx)!);
    expect((await t.request().get(path)).status).toBe(200);
    const { agent, res } = await submit(path, admin);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/settings/tokens");
    expect(sessionCookie(res)).toBeDefined();
    expect(t.ctx.db.users.findByLogin("admin")).toMatchObject({ isAdmin: true, name: "The Admin", email: "admin@example.com" });
    expect(t.ctx.db.audit.list()[0]).toMatchObject({ action: "user-create", detail: { login: "admin", admin: true, via: "setup" } });
    expect(textOf((await agent.get("/settings/tokens")).text)).toContain("Welcome, admin!");
    const again = await t.request().get(path);
    expect(again.status).toBe(404);
    expect(textOf(again.text)).toContain("This setup link is not valid");
  });

  it("answers 404 to a wrong token", async () => {
    createSetupLink(t.ctx);
    expect((await t.request().get("/setup/not-the-token")).status).toBe(404);
  });

  it("only accepts the newest link", async () => {
    const first = pathOf(createSetupLink(t.ctx)!);
    const second = pathOf(createSetupLink(t.ctx)!);
    expect((await t.request().get(first)).status).toBe(404);
    expect((await t.request().get(second)).status).toBe(200);
  });

  it("re-renders invalid input with 422 and creates no one", async () => {
    const path = pathOf(createSetupLink(t.ctx)!);
    const { res } = await submit(path, { ...admin, confirmation: "different" });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain("The two passwords do not match.");
    expect(res.text).toContain('value="admin"');
    expect(t.ctx.db.users.count()).toBe(0);
  });

  it("refuses a missing CSRF token", async () => {
    const path = pathOf(createSetupLink(t.ctx)!);
    expect((await t.request().post(path).type("form").send(admin)).status).toBe(403);
    expect(t.ctx.db.users.count()).toBe(0);
  });
});
