// Every cargo API route × every kind of credential, generated from the route table so that a new
// route cannot escape it. Refusals must say why, and must change nothing.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { API_ROUTES, type ApiRoute } from "../../src/api/routes.js";
import { generateToken } from "../../src/auth/tokens.js";
import { revokeApiToken } from "../../src/auth/token-service.js";
import { CrateBuilder } from "../helpers/crate-builder.js";
import { indexUrl, publish } from "../helpers/api.js";
import { ALL_SCOPES, createTestApp, type TestApp } from "../helpers/test-app.js";
import { sessionFor } from "../helpers/web.js";

type Credential = "none" | "malformed" | "unknown" | "expired" | "revoked" | "wrong scope" | "wrong crate" | "non-owner" | "disabled user" | "other user's session" | "right token";
const CREDENTIALS: Credential[] = ["none", "malformed", "unknown", "expired", "revoked", "wrong scope", "wrong crate", "non-owner", "disabled user", "other user's session", "right token"];

let t: TestApp;
let tokens: Record<Credential, string | undefined>;
/** The session cookie of bob, who owns nothing. */
let bobSession: string;

/** The scope a route needs for the crate `foo` (which exists, so publishing it is an update). */
const neededScope = (route: ApiRoute) =>
  route.access.kind !== "scope" ? undefined : route.access.scope === "publish" ? "publish-update" : route.access.scope;

beforeEach(async () => {
  t = createTestApp();
  const alice = t.createUser("alice");
  const bob = t.createUser("bob");
  const carol = t.createUser("carol");
  const dave = t.createUser("dave");
  const owner = t.createToken(alice).token;
  await publish(t, owner, "foo", "1.0.0");
  t.ctx.db.crates.addOwner(1, carol.id, "2026-01-01T00:00:00Z");
  t.ctx.db.crates.addOwner(1, dave.id, "2026-01-01T00:00:00Z");
  const revoked = t.createToken(alice);
  revokeApiToken(t.ctx, t.ctx.db.tokens.findById(revoked.id)!, alice.id);
  const good = t.createToken(alice).token;
  tokens = {
    none: undefined,
    malformed: `${good.slice(0, -1)}${good.endsWith("a") ? "b" : "a"}`,
    unknown: generateToken(),
    expired: t.createToken(alice, { expiresAt: new Date(Date.now() - 3600_000) }).token,
    revoked: revoked.token,
    "wrong scope": "", // set per route: every scope but the one needed
    "wrong crate": t.createToken(alice, { crates: ["bar*"] }).token,
    "non-owner": t.createToken(bob).token,
    "disabled user": t.createToken(dave).token,
    "other user's session": undefined,
    "right token": good,
  };
  t.ctx.db.users.setDisabled(dave.id, "2026-01-01T00:00:00Z");
  bobSession = (await sessionFor(t.app, "bob")).cookie;
});
afterEach(() => t.close());

function url(route: ApiRoute): string {
  return route.path.replace(":crate", "foo").replace(":version", "1.0.0").replace("*path", "3/f/foo");
}

async function call(route: ApiRoute, token: string | undefined, cookie?: string) {
  const req = t.request()[route.method](url(route));
  if (token !== undefined) req.set("Authorization", token);
  if (cookie !== undefined) req.set("Cookie", cookie);
  if (route.path.endsWith("/new")) return req.send(await new CrateBuilder("foo", "2.0.0").publishBody());
  if (route.path.endsWith("/owners") && route.method !== "get") return req.send({ users: ["carol"] });
  return req.send();
}

/** Everything a request could change, to compare before and after a refusal. */
async function snapshot() {
  const index = await t.request().get(indexUrl("foo")).set("Authorization", tokens["right token"]!);
  return {
    files: t.storedFiles(),
    rows: t.rowCounts(),
    versions: t.ctx.db.versions.listForCrate(1).map((v) => [v.num, v.yanked]),
    owners: t.ctx.db.crates.listOwners(1).map((o) => o.login),
    revoked: t.ctx.db.sqlite.prepare("SELECT id FROM api_tokens WHERE revoked_at IS NOT NULL").all(),
    index: [index.text, index.headers.etag],
  };
}

interface Expectation {
  status: number;
  detail?: RegExp;
}

function expected(route: ApiRoute, credential: Credential): Expectation {
  const read = route.access.kind === "read";
  // Reads need any usable token; on failure cargo needs a 401 with the challenge to say "token rejected".
  const unusable = (detail: RegExp): Expectation => ({ status: read ? 401 : 403, detail });
  switch (credential) {
    case "other user's session":
      // A browser session may read a private registry, but cargo's writes take API tokens only.
      return read ? success(route) : { status: 401, detail: /requires an API token/ };
    case "none":
      return { status: 401, detail: read ? /^this registry is private: reading it needs an API token; create one at http:\/\/registry\.test\/settings\/tokens\/new/ : /requires an API token/ };
    case "malformed":
      return { status: 401, detail: /checksum does not match/ };
    case "unknown":
      return unusable(/not known to this registry/);
    case "expired":
      return unusable(/^this token expired on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; create a new one at http:\/\/registry\.test\/settings\/tokens\/new\?from=\d+$/);
    case "revoked":
      return unusable(/^this token was revoked on /);
    case "disabled user":
      return unusable(/account that owns this token is disabled/);
    case "wrong scope":
      return route.access.kind === "scope" ? { status: 403, detail: new RegExp(`lacks the \`${neededScope(route)}\` scope \\(it has: `) } : success(route);
    case "wrong crate":
      return route.access.kind === "scope"
        ? { status: 403, detail: /^this token is limited to crates matching `bar\*`, which does not include `foo`$/ }
        : success(route);
    case "non-owner":
      return route.access.kind === "scope" ? { status: 403, detail: /^you are not an owner of crate `foo`$/ } : success(route);
    case "right token":
      return success(route);
  }
}

const success = (route: ApiRoute): Expectation => ({ status: route.path === "/api/v1/tokens/current" ? 204 : 200 });

describe.each(API_ROUTES.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))("%s", (_name, route) => {
  it.each(CREDENTIALS)("with %s", async (credential) => {
    let token = tokens[credential];
    if (credential === "wrong scope") token = t.createToken(t.ctx.db.users.findByLogin("alice")!, { scopes: ALL_SCOPES.filter((s) => s !== neededScope(route)) }).token;
    const before = await snapshot();
    const res = await call(route, token, credential === "other user's session" ? bobSession : undefined);
    const want = expected(route, credential);
    expect(res.status, JSON.stringify(res.body)).toBe(want.status);
    if (want.status >= 400) {
      expect(res.body.errors[0].detail).toMatch(want.detail!);
      if (token) expect(JSON.stringify(res.body)).not.toContain(token);
      expect(await snapshot()).toEqual(before);
    }
    if (want.status === 401 && route.access.kind === "read") {
      expect(res.headers["www-authenticate"]).toBe('Cargo login_url="http://registry.test/me"');
    }
  });
});

describe("a public registry (AUTH_REQUIRED=false)", () => {
  it("serves reads without credentials and still guards writes", async () => {
    t.close();
    t = createTestApp({ config: { authRequired: false } });
    const alice = t.createUser("alice");
    await publish(t, t.createToken(alice).token, "foo", "1.0.0");
    for (const route of API_ROUTES.filter((r) => r.access.kind === "read")) {
      const res = await t.request().get(url(route));
      expect(res.status, `${route.path}: ${res.text}`).toBe(200);
    }
    const config = await t.request().get("/index/config.json");
    expect(config.body).toEqual({ dl: "http://registry.test/api/v1/crates", api: "http://registry.test" });
    const yank = await t.request().delete("/api/v1/crates/foo/1.0.0/yank");
    expect(yank.status).toBe(401);
  });
});
