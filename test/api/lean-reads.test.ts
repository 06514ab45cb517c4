import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogFields, Logger } from "../../src/logger.js";
import { indexUrl, publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

// Index files and downloads are answered on the lean path; a query string sends the same request
// through Express's router instead. Both must answer alike in every respect a client can see.

let t: TestApp;
let token: string;
let entries: Array<{ msg: string } & LogFields>;
beforeEach(async () => {
  entries = [];
  const record = (msg: string, fields: LogFields = {}) => void entries.push({ msg, ...fields });
  const logger: Logger = { debug: record, info: record, warn: record, error: record, flush: () => undefined };
  t = createTestApp({ logger });
  token = t.createToken(t.createUser("alice")).token;
  await publish(t, token, "foo", "1.0.0");
});
afterEach(() => t.close());

/** Status, body and headers, without the ones that differ on every response. */
async function answer(path: string, headers: Record<string, string> = {}) {
  const req = t.request().get(path);
  for (const [name, value] of Object.entries(headers)) req.set(name, value);
  const res = await req.buffer(true).parse((r, done) => {
    const chunks: Buffer[] = [];
    r.on("data", (c: Buffer) => chunks.push(c));
    r.on("end", () => done(null, Buffer.concat(chunks)));
  });
  const { date, "x-request-id": requestId, ...rest } = res.headers as Record<string, string>;
  expect(date).toEqual(expect.any(String));
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  return { status: res.status, headers: rest, body: (res.body as Buffer).toString("latin1") };
}

const CASES: Array<[string, string, Record<string, string> | "token"]> = [
  ["an index file", indexUrl("foo"), "token"],
  ["an index file without a token", indexUrl("foo"), {}],
  ["an index file with a bad token", indexUrl("foo"), { Authorization: "cargohold_nope" }],
  ["an unknown crate's index file", indexUrl("nope"), "token"],
  ["another spelling's index file", "/index/3/f/foo", "token"],
  ["a download", "/api/v1/crates/foo/1.0.0/download", "token"],
  ["a download without a token", "/api/v1/crates/foo/1.0.0/download", {}],
  ["a download of an unknown version", "/api/v1/crates/foo/9.9.9/download", "token"],
  ["a download of an unknown crate", "/api/v1/crates/nope/1.0.0/download", "token"],
];

describe("the lean path for index files and downloads", () => {
  it.each(CASES)("answers %s exactly as Express's router does", async (_what, path, headers) => {
    const sent = headers === "token" ? { Authorization: token } : headers;
    const lean = await answer(path, sent);
    const routed = await answer(`${path}?via=express`, sent);
    expect(lean).toEqual(routed);
  });

  it("answers a conditional request alike", async () => {
    const { headers } = await answer(indexUrl("foo"), { Authorization: token });
    const sent = { Authorization: token, "If-None-Match": headers.etag! };
    const lean = await answer(indexUrl("foo"), sent);
    expect(lean.status).toBe(304);
    expect(lean).toEqual(await answer(`${indexUrl("foo")}?via=express`, sent));
  });

  it("logs and counts each request as Express's router does", async () => {
    entries.length = 0;
    await answer(indexUrl("foo"), { Authorization: token });
    await answer(`${indexUrl("foo")}?via=express`, { Authorization: token });
    await answer("/api/v1/crates/foo/1.0.0/download", {});
    await answer("/api/v1/crates/foo/1.0.0/download?via=express", {});
    const requests = entries.filter((e) => e.msg === "request").map(({ requestId, durationMs, path, ...rest }) => {
      expect(requestId).toEqual(expect.any(String));
      expect(durationMs).toEqual(expect.any(Number));
      return { ...rest, path };
    });
    expect(requests).toEqual([
      { msg: "request", method: "GET", path: indexUrl("foo"), status: 200, userId: 1, tokenId: 1, authFailure: undefined },
      { msg: "request", method: "GET", path: indexUrl("foo"), status: 200, userId: 1, tokenId: 1, authFailure: undefined },
      { msg: "request", method: "GET", path: "/api/v1/crates/foo/1.0.0/download", status: 401, userId: undefined, tokenId: undefined, authFailure: "missing" },
      { msg: "request", method: "GET", path: "/api/v1/crates/foo/1.0.0/download", status: 401, userId: undefined, tokenId: undefined, authFailure: "missing" },
    ]);
    const metrics = await t.ctx.metrics.registry.getSingleMetricAsString("cargohold_http_requests_total");
    const count = (labels: string) => metrics.split("\n").find((line) => line.includes(labels))?.split(" ").pop();
    expect(count('route="/index/*path",method="GET",status="200"')).toBe("2");
    expect(count('route="/api/v1/crates/:crate/:version/download",method="GET",status="401"')).toBe("2");
  });

  it("leaves HEAD requests, odd paths and other methods to Express", async () => {
    expect((await t.request().head(indexUrl("foo")).set("Authorization", token)).status).toBe(200);
    expect((await t.request().get(`${indexUrl("foo")}/`).set("Authorization", token)).status).toBe(404);
    expect((await t.request().get("/index/3/f/%66oo").set("Authorization", token)).status).toBe(200);
    expect((await t.request().post(indexUrl("foo")).set("Authorization", token)).status).toBe(404);
  });
});
