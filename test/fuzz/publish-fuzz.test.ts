// Property tests for PUT /api/v1/crates/new: generated and mutated publish bodies against a real
// HTTP server. Every refused request gets a 4xx with cargo's error body and leaves no row, no file
// and no temp file behind; the server keeps working; valid requests store exactly one version.
// Fixed seed; CARGOHOLD_LONG_TESTS=1 runs ten times as many cases, CARGOHOLD_TEST_SEED picks another seed.
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../../src/logger.js";
import { indexUrl } from "../helpers/api.js";
import { CrateBuilder } from "../helpers/crate-builder.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { listen, type ListeningApp } from "../reliability/app-server.js";
import { jsonBody, keepAliveAgent, send, type HttpResult } from "../reliability/http-client.js";
import { crateFilePath, sha256 } from "../reliability/integrity.js";
import { LONG, SEED } from "../reliability/seed.js";
import { buildCase, FUZZ_LIMITS, mixedCase, prepareBombs, rejectCase, SEEDED, type BuiltCase, type MixedCase, type RejectCase } from "./publish-cases.js";

const SCALE = LONG ? 10 : 1;
const REJECT_RUNS = 1500 * SCALE;
const MIXED_RUNS = 500 * SCALE;
/** A known-good publish after every this many cases (and after each property) proves the server still works. */
const PROBE_EVERY = 25;
const TIMEOUT = LONG ? 60 * 60_000 : 180_000;

const OFF = { burst: 0, refillSeconds: 1 };
const OK_BODY = { warnings: { invalid_categories: [], invalid_badges: [], other: [] } };

interface Fuzzed {
  t: TestApp;
  server: ListeningApp;
  url: string;
  token: string;
  agent: ReturnType<typeof keepAliveAgent>;
  /** Error-level log entries (an unexpected error is logged before its 500). */
  errors: string[];
  counter: number;
}

async function startFuzzed(): Promise<Fuzzed> {
  const errors: string[] = [];
  const ignore = () => {};
  const logger: Logger = { debug: ignore, info: ignore, warn: ignore, error: (msg, fields) => errors.push(`${msg} ${JSON.stringify(fields)}`), flush: ignore };
  const t = createTestApp({ logger, config: { ...FUZZ_LIMITS, publishLimits: { "new-crate": OFF, "new-version": OFF } } });
  const token = t.createToken(t.createUser("alice")).token;
  const other = t.createToken(t.createUser("bob")).token;
  const server = await listen(t.app);
  const f: Fuzzed = { t, server, url: server.url, token, agent: keepAliveAgent(4), errors, counter: 0 };
  await publishOk(f, other, new CrateBuilder(SEEDED.othersCrate, "1.0.0"));
  await publishOk(f, token, new CrateBuilder(SEEDED.ownCrate, SEEDED.ownVersion));
  return f;
}

async function stopFuzzed(f: Fuzzed): Promise<void> {
  f.agent.destroy();
  await f.server.close();
  f.t.close();
}

function put(f: Fuzzed, body: Buffer, token = f.token) {
  return send(`${f.url}/api/v1/crates/new`, { method: "PUT", headers: { Authorization: token, Accept: "application/json" }, body, agent: f.agent });
}

async function publishOk(f: Fuzzed, token: string, builder: CrateBuilder): Promise<void> {
  const res = await put(f, await builder.publishBody(), token);
  expect(res.failed ? res.error : res.status, `publish of ${builder.name}@${builder.vers}`).toBe(200);
}

function snapshot(f: Fuzzed) {
  return { rows: f.t.rowCounts(), files: f.t.storedFiles(), tmp: readdirSync(f.t.ctx.store.tmpDir) };
}

/** Cargo's error body, exactly: `{"errors":[{"detail":"<non-empty text>"}]}`. */
function expectCargoError(res: HttpResult): void {
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  const body = jsonBody(res) as { errors?: { detail?: unknown }[] } | undefined;
  expect(body && Object.keys(body)).toEqual(["errors"]);
  expect(body!.errors).toHaveLength(1);
  expect(Object.keys(body!.errors![0]!)).toEqual(["detail"]);
  const detail = body!.errors![0]!.detail;
  expect(typeof detail).toBe("string");
  expect((detail as string).trim()).not.toBe("");
  // A message quotes an excerpt of the input, never the whole of a huge field.
  expect((detail as string).length).toBeLessThanOrEqual(2048);
}

interface IndexLine {
  name: string;
  vers: string;
  cksum: string;
  yanked: boolean;
  features: Record<string, string[]>;
  features2?: Record<string, string[]>;
  deps: { name: string; package: string | null; req: string; kind: string }[];
}

const byKey = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Sends one case and checks everything the registry promises about it; returns what happened. */
async function runCase(f: Fuzzed, built: BuiltCase): Promise<"accepted" | "refused"> {
  const before = snapshot(f);
  const res = await put(f, built.body);
  if (res.failed) throw new Error(`the connection failed: ${res.error}`);
  const after = snapshot(f);
  expect(f.errors, "error-level log entries").toEqual([]);
  expect(f.t.ctx.db.sqlite.inTransaction, "a transaction was left open").toBe(false);
  expect(after.tmp, "temp files left in tmp/").toEqual([]);
  expect(res.status, `status (body: ${res.body.toString("utf8").slice(0, 300)})`).toBeLessThan(500);

  if (res.status === 200) {
    expect(built.expect, "an invalid publish was accepted").not.toBe("reject");
    expect(jsonBody(res)).toEqual(OK_BODY);
    const { name, vers, file } = built.crate!;
    expect(after.rows).toEqual({
      crates: before.rows.crates + 1,
      versions: before.rows.versions + 1,
      owners: before.rows.owners + 1,
      audit: before.rows.audit + 1,
    });
    expect(after.files).toHaveLength(before.files.length + 1);
    expect(readFileSync(crateFilePath(f.t.dataDir, name, vers)).equals(file), "stored bytes equal the uploaded .crate").toBe(true);
    const index = await send(`${f.url}${indexUrl(name)}`, { headers: { Authorization: f.token }, agent: f.agent });
    if (index.failed) throw new Error(index.error);
    expect(index.status).toBe(200);
    const lines = index.body.toString("utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as IndexLine);
    expect(lines).toEqual([expect.objectContaining({ name, vers, cksum: sha256(file), yanked: false })]);
    if (built.indexed) {
      const line = lines[0]!;
      const features = [...Object.entries(line.features), ...Object.entries(line.features2 ?? {})].sort(byKey);
      expect(features).toEqual([...built.indexed.features].sort(byKey));
      expect(line.deps.map((d) => ({ name: d.name, package: d.package, req: d.req, kind: d.kind }))).toEqual(built.indexed.deps);
    }
    return "accepted";
  }

  expect(res.status).toBeGreaterThanOrEqual(400);
  expectCargoError(res);
  expect(built.expect, `a valid publish was refused: ${res.body.toString("utf8").slice(0, 300)}`).not.toBe("accept");
  expect(after.rows, "rows left behind").toEqual(before.rows);
  expect(after.files, "files left behind").toEqual(before.files);
  return "refused";
}

async function probe(f: Fuzzed): Promise<void> {
  await publishOk(f, f.token, new CrateBuilder(`probe-${++f.counter}`, "0.1.0").file("src/lib.rs", "pub fn ok() {}\n"));
}

function kindOf(c: RejectCase | MixedCase): string {
  if (c.kind === "framing") return `framing/${c.framing.op}`;
  if (c.kind === "json") return `json/${c.json.op}`;
  if (c.kind === "tar") return `tar/${c.attack.op}`;
  return c.kind;
}

/** Runs a property, prints its one-line summary and fails with fast-check's report (seed and path to replay). */
async function runProperty<T extends RejectCase | MixedCase>(label: string, f: Fuzzed, arb: fc.Arbitrary<T>, numRuns: number, tally: Map<string, number>) {
  let cases = 0;
  const property = fc.asyncProperty(arb, async (c) => {
    cases++;
    const outcome = await runCase(f, await buildCase(c, ++f.counter));
    const key = `${kindOf(c)}:${outcome}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    if (cases % PROBE_EVERY === 0) await probe(f);
  });
  const details = await fc.check(property, { seed: SEED, numRuns, endOnFailure: false });
  await probe(f);
  const failures = details.failed ? 1 : 0;
  console.log(`publish fuzz (${label}): ${cases} cases, ${failures} failures, seed ${SEED}`);
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`${await fc.asyncDefaultReportMessage(details)}\n\nCause: ${cause}`);
  }
}

describe("publish fuzzing", () => {
  beforeAll(prepareBombs, 60_000);

  it(
    "refuses every malformed or hostile publish with a 4xx cargo error and leaves nothing behind",
    async () => {
      const f = await startFuzzed();
      const tally = new Map<string, number>();
      try {
        await runProperty("always refused", f, rejectCase, REJECT_RUNS, tally);
        expect([...tally.keys()].filter((k) => k.endsWith(":accepted"))).toEqual([]);
        // The generator reached every family.
        const families = new Set([...tally.keys()].map((k) => k.split(/[/:]/)[0]));
        expect([...families].sort()).toEqual(["collision", "dep", "feature", "field-type", "framing", "json", "name", "tar", "vers"]);
      } finally {
        await stopFuzzed(f);
      }
    },
    TIMEOUT,
  );

  it(
    "stores exactly one version for each valid publish and nothing for each refused one",
    async () => {
      const f = await startFuzzed();
      const tally = new Map<string, number>();
      try {
        await runProperty("mixed valid and mutated", f, mixedCase, MIXED_RUNS, tally);
        const accepted = [...tally].filter(([k]) => k.endsWith(":accepted")).reduce((n, [, v]) => n + v, 0);
        console.log(`publish fuzz (mixed valid and mutated): ${accepted} accepted, ${MIXED_RUNS - accepted} refused`);
        expect(tally.get("valid:accepted") ?? 0).toBeGreaterThan(MIXED_RUNS / 5);
      } finally {
        await stopFuzzed(f);
      }
    },
    TIMEOUT,
  );
});

describe("oversized and interrupted uploads", () => {
  let f: Fuzzed;
  beforeAll(async () => {
    f = await startFuzzed();
  });
  afterAll(() => stopFuzzed(f));

  /** Sends headers and `first` bytes of a body that is never finished; resolves with the response. */
  function partialUpload(headers: Record<string, string | number>, first: Buffer) {
    return new Promise<{ status: number; body: string; destroy: () => void }>((resolve, reject) => {
      const req = request(`${f.url}/api/v1/crates/new`, { method: "PUT", headers: { Authorization: f.token, ...headers } }, (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode!, body: text, destroy: () => req.destroy() }));
      });
      req.on("error", reject);
      req.write(first);
    });
  }

  it("answers a declared Content-Length over the limit with 413 before the body arrives", async () => {
    const before = snapshot(f);
    const res = await partialUpload({ "Content-Length": 40 * 1024 * 1024 * 1024 }, Buffer.alloc(1024));
    res.destroy();
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ errors: [{ detail: `max upload size is: ${FUZZ_LIMITS.maxUploadBytes}` }] });
    expect(snapshot(f)).toEqual(before);
    await probe(f);
  });

  it("answers a chunked body that grows past the limit with 413", async () => {
    const before = snapshot(f);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${f.url}/api/v1/crates/new`, { method: "PUT", headers: { Authorization: f.token, "Transfer-Encoding": "chunked" } }, (r) => {
        let text = "";
        r.on("data", (d) => (text += d));
        r.on("end", () => resolve({ status: r.statusCode!, body: text }));
      });
      req.on("error", reject);
      const chunk = Buffer.alloc(256 * 1024, 7);
      for (let i = 0; i < 16; i++) req.write(chunk);
      req.end();
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).errors[0].detail).toBe(`max upload size is: ${FUZZ_LIMITS.maxUploadBytes}`);
    expect(snapshot(f)).toEqual(before);
    await probe(f);
  });

  it("leaves nothing behind when the client disconnects in the middle of an upload", async () => {
    const before = snapshot(f);
    const body = await new CrateBuilder("cut-off", "1.0.0").file("big.bin", Buffer.alloc(200_000, 1)).publishBody();
    const req = request(`${f.url}/api/v1/crates/new`, { method: "PUT", headers: { Authorization: f.token, "Content-Length": body.length } });
    req.on("error", () => {});
    req.write(body.subarray(0, body.length / 2));
    await new Promise((r) => setTimeout(r, 100));
    req.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect(snapshot(f)).toEqual(before);
    expect(f.errors).toEqual([]);
    await probe(f);
  });
});
