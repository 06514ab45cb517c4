import supertest from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { csrfFrom, loginAs, PASSWORD, sessionFor, textOf } from "../helpers/web.js";

let t: TestApp;
let agent: ReturnType<typeof supertest.agent>;
let csrf: string;

beforeEach(async () => {
  t = createTestApp();
  t.createUser("alice", { name: "Alice" });
  agent = supertest.agent(t.app);
  csrf = await loginAs(agent, "alice");
});
afterEach(() => t.close());

const alice = () => t.ctx.db.users.findByLogin("alice")!;

describe("GET /settings/profile", () => {
  it("shows the profile and password forms", async () => {
    const html = (await agent.get("/settings/profile").expect(200)).text;
    expect(html).toContain('id="f-name" name="name" type="text" value="Alice"');
    for (const label of ["Display name", "Email", "Current password", "New password", "New password again"]) {
      expect(html).toMatch(new RegExp(`<label for="f-[a-z_]+">${label}`));
    }
  });

  it("needs a signed-in user", async () => {
    const res = await t.request().get("/settings/profile");
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/login?next=%2Fsettings%2Fprofile");
  });
});

describe("POST /settings/profile", () => {
  it("saves the display name and email", async () => {
    const res = await agent.post("/settings/profile").type("form").send({ csrf, name: "Alice Liddell", email: "alice@example.com" });
    expect(res.status).toBe(303);
    expect(alice()).toMatchObject({ name: "Alice Liddell", email: "alice@example.com" });
    expect(textOf((await agent.get("/settings/profile")).text)).toContain("Your profile has been saved.");
  });

  it("clears empty fields", async () => {
    await agent.post("/settings/profile").type("form").send({ csrf, name: "", email: "" });
    expect(alice()).toMatchObject({ name: null, email: null });
  });

  it("re-renders an invalid email with 422 and changes nothing", async () => {
    const res = await agent.post("/settings/profile").type("form").send({ csrf, name: "New", email: "not-an-email" });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain("Please enter an email address");
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toMatch(/aria-describedby="f-email-error" aria-invalid="true"/);
    expect(alice()).toMatchObject({ name: "Alice", email: null });
  });

  it("refuses a missing CSRF token", async () => {
    expect((await agent.post("/settings/profile").type("form").send({ name: "X" })).status).toBe(403);
    expect(alice().name).toBe("Alice");
  });
});

describe("POST /settings/password", () => {
  const change = (fields: Record<string, string>) => agent.post("/settings/password").type("form").send({ csrf, ...fields });

  it.each([
    ["a missing current password", { current_password: "", password: "new password 1", confirmation: "new password 1" }, "Please enter your current password."],
    ["a wrong current password", { current_password: "wrong", password: "new password 1", confirmation: "new password 1" }, "The current password is not correct."],
    ["a short new password", { current_password: PASSWORD, password: "short", confirmation: "short" }, "The password must be at least 8 characters long."],
    ["a mismatched confirmation", { current_password: PASSWORD, password: "new password 1", confirmation: "new password 2" }, "The two passwords do not match."],
  ])("refuses %s with 422 and keeps the old password", async (_case, fields, message) => {
    const before = alice().passwordHash;
    const res = await change(fields);
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain(message);
    expect(alice().passwordHash).toBe(before);
  });

  it("changes the password, keeps this session and signs out the others", async () => {
    const other = await sessionFor(t.app, "alice");
    const res = await change({ current_password: PASSWORD, password: "new password 1", confirmation: "new password 1" });
    expect(res.status).toBe(303);
    expect((await agent.get("/settings/profile")).status).toBe(200);
    expect((await t.request().get("/settings/profile").set("Cookie", other.cookie)).status).toBe(302);
    const fresh = supertest.agent(t.app);
    await loginAs(fresh, "alice", "new password 1");
    const stale = supertest.agent(t.app);
    const page = await stale.get("/login");
    const old = await stale.post("/login").type("form").send({ csrf: csrfFrom(page.text), login: "alice", password: PASSWORD });
    expect(old.status).toBe(422);
  });
});
