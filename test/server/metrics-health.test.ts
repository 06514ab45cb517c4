import { chmodSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

let t: TestApp;
afterEach(() => {
  chmodSync(t.ctx.store.cratesDir, 0o755);
  t.close();
});

describe("GET /health", () => {
  it("answers 200 when the database and the crate store are usable", async () => {
    t = createTestApp();
    const res = await t.request().get("/health");
    expect([res.status, res.body]).toEqual([200, { status: "ok" }]);
  });

  it.skipIf(process.getuid?.() === 0)("answers 503 naming the crate store when it cannot be written", async () => {
    t = createTestApp();
    chmodSync(t.ctx.store.cratesDir, 0o500);
    const res = await t.request().get("/health");
    expect([res.status, res.body]).toEqual([503, { status: "unavailable", problems: ["the crate store is not readable and writable"] }]);
  });

  it("answers 503 when the database is gone", async () => {
    t = createTestApp();
    t.ctx.db.sqlite.exec("DROP TABLE crate_owners; DROP TABLE version_downloads; DROP TABLE versions; DROP TABLE crates");
    const res = await t.request().get("/health");
    expect([res.status, res.body.problems]).toEqual([503, ["the database cannot be read"]]);
  });
});

describe("GET /metrics", () => {
  const secret = "s3cret-metrics-token";

  it("is disabled unless a bearer secret is configured", async () => {
    t = createTestApp();
    expect((await t.request().get("/metrics")).status).toBe(404);
  });

  it("refuses a missing or wrong secret", async () => {
    t = createTestApp({ config: { metricsToken: secret } });
    expect((await t.request().get("/metrics")).status).toBe(401);
    expect((await t.request().get("/metrics").set("Authorization", "Bearer wrong-secret-value")).status).toBe(401);
  });

  it("counts requests by route pattern, publishes, downloads, auth failures and crates", async () => {
    t = createTestApp({ config: { metricsToken: secret } });
    const token = t.createToken(t.createUser("alice")).token;
    await publish(t, token, "foo", "1.0.0");
    await t.request().get("/api/v1/crates/foo/1.0.0/download").set("Authorization", token).expect(200);
    await t.request().get("/index/3/f/foo").expect(401);
    await t.request().get("/index/3/f/foo").set("Authorization", `${token.slice(0, -1)}x`).expect(401);
    const res = await t.request().get("/metrics").set("Authorization", `Bearer ${secret}`);
    expect(res.status).toBe(200);
    const text = res.text;
    expect(text).toContain('cargohold_http_requests_total{route="/api/v1/crates/:crate/:version/download",method="GET",status="200"} 1');
    expect(text).toContain('cargohold_http_requests_total{route="/index/*path",method="GET",status="401"} 2');
    expect(text).toContain("cargohold_publishes_total 1");
    expect(text).toContain("cargohold_downloads_total 1");
    expect(text).toContain('cargohold_auth_failures_total{reason="missing"} 1');
    expect(text).toContain('cargohold_auth_failures_total{reason="malformed"} 1');
    expect(text).toContain("cargohold_crates 1");
    expect(text).toContain("cargohold_versions 1");
    expect(text).toMatch(/cargohold_http_request_duration_seconds_bucket\{le="0.1",route="\/api\/v1\/crates\/new"\} 1/);
    expect(text).not.toContain(token);
  });
});
