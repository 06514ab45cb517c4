// Path traversal and SQL metacharacters in every URL parameter of both faces (the routes are read
// from the route tables): never a 5xx, never a file from outside the registry, nothing changed.
import supertest from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { API_ROUTES } from "../../src/api/routes.js";
import { webRoutes } from "../../src/web/routes.js";
import { publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { loginAs } from "../helpers/web.js";

const HOSTILE = [
  "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
  "..",
  "%2e%2e",
  "foo%00bar",
  "..%5C..%5Cwindows",
  "%252e%252e%252f",
  "foo'%20OR%201%3D1--",
  "%22%3B%20DROP%20TABLE%20crates%3B--",
  "a".repeat(300),
];

let t: TestApp;
let token: string;
let agent: ReturnType<typeof supertest.agent>;
beforeEach(async () => {
  t = createTestApp();
  const root = t.createUser("root", { admin: true });
  token = t.createToken(root).token;
  await publish(t, token, "foo", "1.0.0");
  agent = supertest.agent(t.app);
  await loginAs(agent, "root");
});
afterEach(() => t.close());

function counts() {
  return { ...t.rowCounts(), files: t.storedFiles(), users: t.ctx.db.users.count() };
}

/** Each way of putting `value` into the route's parameters (one parameter at a time). */
function urls(path: string, value: string): string[] {
  const params = path.match(/[:*]\w+/g) ?? [];
  const fill = (p: string, v: string) => path.replace(p, v);
  return params.map((p) => params.filter((q) => q !== p).reduce((u, q) => u.replace(q, q === ":version" ? "1.0.0" : "foo"), fill(p, value)));
}

function expectHarmless(res: supertest.Response, url: string) {
  expect(res.status, url).toBeLessThan(500);
  expect(res.text ?? "", url).not.toContain("root:x:0:0");
}

describe("hostile URL parameters", () => {
  it("on every cargo API route", async () => {
    const before = counts();
    let tried = 0;
    for (const route of API_ROUTES.filter((r) => /[:*]/.test(r.path))) {
      for (const value of HOSTILE) {
        for (const url of urls(route.path, value)) {
          const res = await t.request()[route.method](url).set("Authorization", token).send(route.json ? { users: ["root"] } : undefined);
          expectHarmless(res, `${route.method} ${url}`);
          tried++;
        }
      }
    }
    expect(tried).toBeGreaterThan(50);
    expect(counts()).toEqual(before);
  });

  it("on every page route", async () => {
    const stack = (webRoutes(t.ctx) as unknown as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] }).stack;
    const pages = stack.flatMap((l) => (l.route && l.route.methods.get && /[:*]/.test(l.route.path) ? [l.route.path] : []));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const before = counts();
    for (const path of pages) {
      for (const value of HOSTILE) {
        for (const url of urls(path, value)) expectHarmless(await agent.get(url), url);
      }
    }
    for (const value of HOSTILE) expectHarmless(await agent.get(`/static/${value}`), `/static/${value}`);
    expect(counts()).toEqual(before);
  });
});
