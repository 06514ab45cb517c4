// Crash consistency: the real server publishes under load and is killed with SIGKILL at random
// moments, then restarted on the same data folder. After every crash: each version row has its exact
// file, nothing partial is visible under crates/, tmp/ is emptied at start, the index served after
// the restart matches the database byte for byte, `cargohold check` finds nothing wrong, every
// publish that got a 200 is there, and every publish cut off by the kill is either there (it
// committed) or succeeds when retried. CARGOHOLD_LONG_TESTS=1 kills it 100 times instead of 20.
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createContext } from "../../src/context.js";
import { silentLogger } from "../../src/logger.js";
import { checkIntegrity } from "../../src/ops/check.js";
import { indexUrl } from "../helpers/api.js";
import { CrateBuilder } from "../helpers/crate-builder.js";
import { startServerProcess, type ServerProcess } from "../helpers/server-process.js";
import { jsonBody, send } from "./http-client.js";
import { checkDataDir, HashCache, sha256, type IntegrityReport } from "./integrity.js";
import { LONG, Random, SEED, seedDataDir, UNLIMITED_PUBLISH_ENV } from "./seed.js";

const KILLS = LONG ? 100 : 20;
const PUBLISHERS = 4;
const MAX_CRATE_BYTES = 300 * 1024;

interface Attempt {
  crate: string;
  vers: string;
  file: Buffer;
  body: Buffer;
  /** ok: got a 200; cut: the connection died with the server; refused: a 4xx/5xx (never expected). */
  outcome: "pending" | "ok" | "cut" | "refused";
  detail?: string;
}

const { dataDir, tokens } = seedDataDir(["alice"]);
const token = tokens[0]!.token;
let server: ServerProcess | undefined;
afterAll(async () => {
  server?.child.kill("SIGKILL");
  if (server) await server.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

const random = new Random(SEED);
const hashes = new HashCache();
const attempts = new Map<string, Attempt>();
const nextVersion = Array.from({ length: PUBLISHERS }, () => 0);
const key = (crate: string, vers: string) => `${crate}@${vers}`;

async function newAttempt(p: number): Promise<Attempt> {
  const crate = `crash-p${p}`;
  const vers = `1.0.${nextVersion[p]!++}`;
  const builder = new CrateBuilder(crate, vers).file("src/lib.rs", `// ${vers}\n`).file("data.bin", random.bytes(Math.ceil(MAX_CRATE_BYTES * random.next() ** 3)));
  const attempt: Attempt = { crate, vers, file: await builder.crateFile(), body: await builder.publishBody(), outcome: "pending" };
  attempts.set(key(crate, vers), attempt);
  return attempt;
}

async function publish(url: string, attempt: Attempt): Promise<void> {
  const res = await send(`${url}/api/v1/crates/new`, { method: "PUT", headers: { Authorization: token }, body: attempt.body });
  if (res.failed) {
    attempt.outcome = "cut";
    attempt.detail = res.error;
  } else if (res.status === 200) {
    attempt.outcome = "ok";
  } else {
    attempt.outcome = "refused";
    attempt.detail = `${res.status} ${res.body.toString("utf8")}`;
  }
}

/** Publishes new versions one after another until a request fails (the server was killed). */
async function publisher(url: string, p: number): Promise<void> {
  for (;;) {
    const attempt = await newAttempt(p);
    await publish(url, attempt);
    if (attempt.outcome !== "ok") return;
  }
}

function start(): Promise<ServerProcess> {
  return startServerProcess({ DATA_DIR: dataDir, LOG_FORMAT: "silent", ...UNLIMITED_PUBLISH_ENV });
}

/** Checks the on-disk state against what the publishers sent; returns the report. */
function verifyDataDir(when: string): IntegrityReport {
  const report = checkDataDir(dataDir, hashes);
  expect(report.problems, `integrity problems ${when}`).toEqual([]);
  for (const v of report.versions) {
    const attempt = attempts.get(key(v.crate, v.num));
    expect(attempt, `${v.crate}@${v.num} is stored but was never sent`).toBeDefined();
    expect(v.checksum, `${v.crate}@${v.num} checksum`).toBe(sha256(attempt!.file));
  }
  // A file no row refers to (a crash between the rename and the commit) must still be a whole upload.
  for (const orphan of report.orphans) {
    const [dir, file] = orphan.path.split("/") as [string, string];
    const attempt = attempts.get(key(dir, file.slice(dir.length + 1, -".crate".length)));
    expect(attempt && sha256(attempt.file), `orphan ${orphan.path} ${when}`).toBe(orphan.sha256);
  }
  const stored = new Set(report.versions.map((v) => key(v.crate, v.num)));
  for (const [k, a] of attempts) if (a.outcome === "ok") expect(stored.has(k), `${k} got a 200 but is not stored (${when})`).toBe(true);
  return report;
}

/**
 * `cargohold check` (src/ops/check.ts) on the data folder, through its own database connection as the
 * CLI does. Orphans are allowed right after a kill: the crash may fall between a rename and its commit.
 */
async function registryCheck(when: string, allowOrphans: boolean): Promise<number> {
  const ctx = createContext(loadConfig({ DATA_DIR: dataDir, LOG_FORMAT: "silent" }), { logger: silentLogger });
  try {
    const report = await checkIntegrity(ctx);
    const problems = report.problems.filter((p) => !(allowOrphans && p.kind === "orphan")).map((p) => p.line);
    expect(problems, `cargohold check ${when}`).toEqual([]);
    return report.versions;
  } finally {
    ctx.db.close();
  }
}

/** The index and downloads served by the running server match the database exactly. */
async function verifyServed(url: string, report: IntegrityReport): Promise<void> {
  for (let p = 0; p < PUBLISHERS; p++) {
    const crate = `crash-p${p}`;
    const expected = report.versions.filter((v) => v.crate === crate).map((v) => `${v.num} ${v.checksum}`);
    const res = await send(`${url}${indexUrl(crate)}`, { headers: { Authorization: token } });
    if (res.failed) throw new Error(res.error);
    if (expected.length === 0) {
      expect(res.status).toBe(404);
      continue;
    }
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe(`"${sha256(res.body)}"`);
    const lines = res.body.toString("utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as { vers: string; cksum: string });
    expect(lines.map((l) => `${l.vers} ${l.cksum}`)).toEqual(expected);
  }
  for (let i = 0; i < 4 && report.versions.length > 0; i++) {
    const v = random.pick(report.versions);
    const res = await send(`${url}/api/v1/crates/${v.crate}/${v.num}/download`, { headers: { Authorization: token } });
    expect(res.failed ? res.error : res.status).toBe(200);
    if (!res.failed) expect(sha256(res.body)).toBe(v.checksum);
  }
}

it(
  `survives ${KILLS} SIGKILLs during concurrent publishes without losing or corrupting a version`,
  async () => {
    const totals = { kills: 0, cutOff: 0, committedUnseen: 0, retried: 0, staleTemp: 0, orphans: 0, verifications: 0 };
    server = await start();
    for (let round = 0; round < KILLS; round++) {
      const url = server.url;
      const loops = Array.from({ length: PUBLISHERS }, (_, p) => publisher(url, p));
      await new Promise((resolve) => setTimeout(resolve, random.int(20, 700)));
      server.child.kill("SIGKILL");
      expect(await server.exited).toBe("SIGKILL");
      await Promise.all(loops);
      totals.kills++;

      const refused = [...attempts.values()].filter((a) => a.outcome === "refused");
      expect(refused.map((a) => `${a.crate}@${a.vers}: ${a.detail}`)).toEqual([]);

      // Before the restart: the crash itself left nothing half-written in crates/.
      const crashed = verifyDataDir(`after kill ${round + 1}`);
      totals.staleTemp += crashed.tmpFiles.length;
      totals.orphans += crashed.orphans.length;
      // Every other round, let the restarted server be the first to open the database after the crash
      // (a read-write connection closing would checkpoint the WAL the server should recover from).
      if (round % 2 === 1) expect(await registryCheck(`after kill ${round + 1}`, true)).toBe(crashed.versions.length);

      server = await start();
      expect(readdirSync(join(dataDir, "tmp")), "tmp/ is emptied at start").toEqual([]);
      const restarted = verifyDataDir(`after restart ${round + 1}`);
      await verifyServed(server.url, restarted);

      // Publishes cut off by the kill: committed, or accepted now.
      const stored = new Set(restarted.versions.map((v) => key(v.crate, v.num)));
      for (const attempt of [...attempts.values()].filter((a) => a.outcome === "cut")) {
        totals.cutOff++;
        if (stored.has(key(attempt.crate, attempt.vers))) {
          totals.committedUnseen++;
          attempt.outcome = "ok";
          continue;
        }
        await publish(server.url, attempt);
        expect(attempt.outcome === "ok" ? "ok" : `${attempt.outcome}: ${attempt.detail}`, `retry of ${attempt.crate}@${attempt.vers}`).toBe("ok");
        totals.retried++;
      }
      const settled = verifyDataDir(`after retries ${round + 1}`);
      expect(settled.orphans, "a retried publish replaces the file a crash left unreferenced").toEqual([]);
      expect(await registryCheck(`after retries ${round + 1}`, false)).toBe(settled.versions.length);
      await verifyServed(server.url, settled);
      totals.verifications += settled.versions.length;
    }

    const final = checkDataDir(dataDir);
    expect(final.versions).toHaveLength(attempts.size);
    const health = await send(`${server.url}/health`);
    expect(health.failed ? health.error : jsonBody(health)).toEqual({ status: "ok" });
    console.log(
      `crash test: ${totals.kills} kills survived, ${final.versions.length} versions verified ` +
        `(${totals.verifications} version checks; ${totals.cutOff} publishes cut off: ${totals.committedUnseen} had committed, ${totals.retried} retried; ` +
        `${totals.staleTemp} stale temp files and ${totals.orphans} unreferenced files seen after kills), seed ${SEED}`,
    );
  },
  LONG ? 60 * 60_000 : 170_000,
);
