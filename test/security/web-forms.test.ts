// Every state-changing page route, found by walking the web route table (so a new form cannot
// escape this test), refuses a request without the session's CSRF token or with a wrong one, and
// changes nothing.
import supertest from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { webRoutes } from "../../src/web/routes.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { loginAs } from "../helpers/web.js";

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every non-GET route of the web face, as [method, path]. */
function stateChangingRoutes(t: TestApp): [string, string][] {
  const stack = (webRoutes(t.ctx) as unknown as { stack: RouteLayer[] }).stack;
  return stack.flatMap((layer) =>
    layer.route ? Object.keys(layer.route.methods).filter((m) => m !== "get" && m !== "head").map((m) => [m, layer.route!.path] as [string, string]) : [],
  );
}

let t: TestApp;
let agent: ReturnType<typeof supertest.agent>;
let bobId: number;
beforeEach(async () => {
  t = createTestApp();
  t.createUser("root", { admin: true });
  bobId = t.createUser("bob").id;
  t.createToken(t.ctx.db.users.findByLogin("root")!, { name: "root token" });
  agent = supertest.agent(t.app);
  await loginAs(agent, "root");
});
afterEach(() => t.close());

/** Everything a form could change. */
function state() {
  const rows = (sql: string) => t.ctx.db.sqlite.prepare(sql).all();
  return {
    users: rows("SELECT login, name, email, password_hash, is_admin, disabled_at FROM users ORDER BY id"),
    tokens: rows("SELECT id, name, revoked_at FROM api_tokens ORDER BY id"),
    sessions: rows("SELECT user_id FROM sessions ORDER BY user_id"),
    audit: rows("SELECT id FROM audit_log"),
  };
}

const concrete = (path: string) => path.replace(":id", String(bobId)).replace(":token", "x".repeat(43));
const body = { login: "root", password: "correct horse battery", name: "changed", email: "x@example.com", scope: "yank", expiry: "30", current: "correct horse battery", confirmation: "another long password", new: "another long password" };

describe("CSRF protection on every form", () => {
  it("covers at least the known forms", () => {
    expect(stateChangingRoutes(t).length).toBeGreaterThanOrEqual(11);
  });

  it.each([
    ["without a CSRF token", undefined],
    ["with a wrong CSRF token", "forged-csrf-token-value"],
  ])("refuses every state-changing route %s and changes nothing", async (_what, csrf) => {
    for (const [method, path] of stateChangingRoutes(t)) {
      const before = state();
      const res = await (agent as unknown as Record<string, (url: string) => supertest.Test>)[method]!(concrete(path))
        .type("form")
        .send(csrf === undefined ? body : { ...body, csrf });
      expect(res.status, `${method.toUpperCase()} ${path}`).toBe(403);
      expect(res.text, `${method.toUpperCase()} ${path}`).toMatch(/form has expired|security token|CSRF/i);
      expect(state(), `${method.toUpperCase()} ${path}`).toEqual(before);
    }
  });
});
