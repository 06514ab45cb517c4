// Stored XSS: crate metadata, READMEs, user names and token names full of markup are shown inert
// on every page that displays them.
import supertest from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { loginAs } from "../helpers/web.js";

const SCRIPT = "<script>alert(1)</script>";
const IMG = '<img src=x onerror="alert(2)">';

let t: TestApp;
let agent: ReturnType<typeof supertest.agent>;
beforeEach(async () => {
  t = createTestApp();
  const root = t.createUser("root", { admin: true, name: `Root ${SCRIPT}` });
  const { token } = t.createToken(root, { name: `token ${IMG}` });
  await publish(t, token, "xss-demo", "1.0.0", (b) =>
    b.description(`desc ${SCRIPT}`).license(`MIT ${IMG}`).metadata({
      readme: `# Title ${SCRIPT}\n\n${IMG}\n\n<iframe src="https://evil.example"></iframe>\n\n[click](javascript:alert(3)) <a href="javascript:alert(4)">x</a>\n\n<svg onload=alert(5)></svg>`,
      homepage: "javascript:alert(6)",
      repository: `https://example.com/"><script>alert(7)</script>`,
      documentation: "data:text/html,<script>alert(8)</script>",
      keywords: [`kw${SCRIPT}`],
      authors: [`A ${IMG}`],
    }),
  );
  t.ctx.db.users.updateProfile(root.id, `Root ${SCRIPT}`, `x${IMG}@example.com`);
  agent = supertest.agent(t.app);
  await loginAs(agent, "root");
});
afterEach(() => t.close());

/** No markup from the data may act: no script elements, event handlers, frames, or javascript:/data: links. */
function expectInert(html: string, page: string) {
  expect(html, page).not.toMatch(/<script>alert/i);
  expect(html, page).not.toMatch(/<img[^>]*onerror/i);
  expect(html, page).not.toMatch(/<svg[^>]*onload/i);
  expect(html, page).not.toMatch(/<iframe/i);
  expect(html, page).not.toMatch(/href\s*=\s*["']?\s*(javascript|data):/i);
  expect(html, page).not.toMatch(/src\s*=\s*["']?\s*(javascript|data):text/i);
}

describe("pages showing crate metadata and user input", () => {
  it.each(["/", "/search?q=xss", "/crates/xss-demo", "/admin/audit", "/admin/users", "/settings/tokens", "/settings/profile", `/search?q=${encodeURIComponent(SCRIPT)}`])(
    "render %s inert",
    async (path) => {
      const res = await agent.get(path);
      expect(res.status, path).toBe(200);
      expectInert(res.text, path);
    },
  );

  it("still shows the text itself, escaped", async () => {
    const res = await agent.get("/crates/xss-demo");
    expect(res.text).toContain("desc &lt;script&gt;alert(1)&lt;/script&gt;");
  });
});
