import supertest from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { loginAs } from "../helpers/web.js";

let t: TestApp;
let agent: ReturnType<typeof supertest.agent>;
beforeEach(async () => {
  t = createTestApp();
  t.createUser("root", { admin: true });
  const alice = t.createUser("alice");
  const { token, id } = t.createToken(alice, { name: "ci" });
  await publish(t, token, "Foo-Bar", "1.0.0");
  await publish(t, token, "other", "0.1.0");
  await t.request().delete("/api/v1/crates/foo-bar/1.0.0/yank").set("Authorization", token).expect(200);
  expect(id).toBe(1);
  agent = supertest.agent(t.app);
  await loginAs(agent, "root");
});
afterEach(() => t.close());

describe("GET /admin/audit", () => {
  it("lists every action with who did it, with which token and when, newest first", async () => {
    const res = await agent.get("/admin/audit").expect(200);
    const rows = [...res.text.matchAll(/<tr>\s*<td>[^<]*<\/td>\s*<td>([^<]*)<\/td>\s*<td>([^<]*)<\/td>\s*<td>([^<]*)<\/td>/g)].map((m) => m.slice(1));
    expect(rows).toEqual([
      ["yank", "alice", "#1"],
      ["publish", "alice", "#1"],
      ["publish", "alice", "#1"],
    ]);
  });

  it("filters by crate, matching the name canonically", async () => {
    const res = await agent.get("/admin/audit?crate=FOO_bar").expect(200);
    expect(res.text).toContain(">Foo-Bar</a>");
    expect(res.text).not.toContain(">other</a>");
    const none = await agent.get("/admin/audit?crate=%3Cscript%3Ex").expect(200);
    expect(none.text).toContain("No crate is called “&lt;script&gt;x”.");
  });

  it("is for admins only", async () => {
    const alice = supertest.agent(t.app);
    await loginAs(alice, "alice");
    expect((await alice.get("/admin/audit")).status).toBe(403);
    const anonymous = await supertest(t.app).get("/admin/audit");
    expect(anonymous.status).toBe(302);
  });
});
