// Load with faults: 64 keep-alive clients read index files, config.json and downloads from the real
// server for 10 s (60 s with CARGOHOLD_LONG_TESTS=1) while other clients publish, yank and unyank,
// and tokens are revoked (by their holders through the API, and by an administrator through the CLI,
// i.e. another database connection). Asserts: no 5xx and no dropped connection; no request started
// after a revocation returned is served with that token; every index body matches its ETag and
// every download its checksum; the server's memory is stable.
import { rmSync } from "node:fs";
import { Writable } from "node:stream";
import { afterAll, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { indexUrl } from "../helpers/api.js";
import { CrateBuilder } from "../helpers/crate-builder.js";
import { startServerProcess, type ServerProcess } from "../helpers/server-process.js";
import { keepAliveAgent, send, type HttpFailure, type HttpResult } from "./http-client.js";
import { sha256 } from "./integrity.js";
import { LONG, mib, Random, rssBytes, SEED, seedDataDir, UNLIMITED_PUBLISH_ENV, type SeededToken } from "./seed.js";

const CLIENTS = 64;
const DURATION_MS = LONG ? 60_000 : 10_000;
const REVOCATIONS = LONG ? 40 : 16;
/** Tokens that stay valid throughout, so readers always have working credentials too. */
const KEPT = 8;
const MEMORY_GROWTH_LIMIT = 1.5;

const { dataDir, tokens } = seedDataDir(["alice", "bob"], Math.ceil((REVOCATIONS + KEPT) / 2) + 1);
let server: ServerProcess | undefined;
afterAll(async () => {
  server?.child.kill("SIGKILL");
  if (server) await server.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

interface Sample {
  token: SeededToken;
  kind: string;
  start: number;
  status: number;
}

interface Known {
  crate: string;
  vers: string;
  cksum: string;
}

it(
  `serves ${CLIENTS} concurrent clients with publishes, yanks and revocations going on: no 5xx, no revoked token honoured, stable memory`,
  async () => {
    const random = new Random(SEED);
    server = await startServerProcess({ DATA_DIR: dataDir, LOG_FORMAT: "silent", ...UNLIMITED_PUBLISH_ENV });
    const url = server.url;
    const pid = server.child.pid!;
    const alice = tokens.filter((t) => t.login === "alice");
    const publisherToken = alice[0]!;
    const revocable = tokens.filter((t) => t !== publisherToken).slice(0, REVOCATIONS);
    const kept = tokens.filter((t) => t !== publisherToken && !revocable.includes(t));
    expect(kept.length).toBeGreaterThanOrEqual(KEPT - 1);
    const readerTokens = [...revocable, ...kept];
    const revokedAt = new Map<SeededToken, number>();
    const revokedVia = new Map<SeededToken, "api" | "cli">();

    // Something to read: 12 crates with two versions each.
    const known: Known[] = [];
    const writer = keepAliveAgent(8);
    const publishOne = async (crate: string, vers: string, size: number) => {
      const builder = new CrateBuilder(crate, vers).file("data.bin", random.bytes(size));
      const res = await send(`${url}/api/v1/crates/new`, { method: "PUT", headers: { Authorization: publisherToken.token }, body: await builder.publishBody(), agent: writer });
      return { res, entry: { crate, vers, cksum: sha256(await builder.crateFile()) } };
    };
    for (let c = 0; c < 12; c++) {
      for (const vers of ["1.0.0", "1.1.0"]) {
        const { res, entry } = await publishOne(`load-${c}`, vers, random.int(100, 50_000));
        expect(res.status).toBe(200);
        known.push(entry);
      }
    }

    const samples: Sample[] = [];
    const failures: string[] = [];
    const record = (token: SeededToken, kind: string, start: number, res: HttpResult | HttpFailure) => {
      samples.push({ token, kind, start, status: res.status });
      if (res.failed) failures.push(`${kind}: ${res.error}`);
      else if (res.status >= 500) failures.push(`${kind}: ${res.status} ${res.body.toString("utf8").slice(0, 200)}`);
    };
    const inconsistencies: string[] = [];
    const deadline = performance.now() + DURATION_MS;
    let revoking = true;
    // The load lasts the whole duration, and longer if the last revocation is still under way.
    const running = () => revoking || performance.now() < deadline;

    // Readers.
    const readers = keepAliveAgent(CLIENTS);
    const reader = async (id: number) => {
      const r = new Random(SEED + 1000 + id);
      while (running()) {
        const token = r.pick(readerTokens);
        const roll = r.next();
        const headers = { Authorization: token.token };
        const start = performance.now();
        if (roll < 0.5) {
          const crate = `load-${r.int(0, 11)}`;
          const res = await send(`${url}${indexUrl(crate)}`, { headers, agent: readers });
          record(token, "index", start, res);
          if (!res.failed && res.status === 200 && res.headers.etag !== `"${sha256(res.body)}"`) inconsistencies.push(`index ${crate}: ETag ${res.headers.etag} for a body with another hash`);
        } else if (roll < 0.9) {
          const v = r.pick(known);
          const res = await send(`${url}/api/v1/crates/${v.crate}/${v.vers}/download`, { headers, agent: readers });
          record(token, "download", start, res);
          if (!res.failed && res.status === 200 && sha256(res.body) !== v.cksum) inconsistencies.push(`download ${v.crate}@${v.vers}: wrong bytes`);
        } else {
          record(token, "config", start, await send(`${url}/index/config.json`, { headers, agent: readers }));
        }
      }
    };

    // Writers: a publisher (never revoked) and a yanker using alice's revocable tokens.
    const publisher = async () => {
      let n = 0;
      while (running()) {
        const crate = `load-${n % 12}`;
        const start = performance.now();
        const { res, entry } = await publishOne(crate, `2.0.${n++}`, Math.ceil(300 * 1024 * random.next() ** 2));
        record(publisherToken, "publish", start, res);
        if (res.status === 200) known.push(entry);
        else if (!res.failed) failures.push(`publish ${entry.crate}@${entry.vers}: ${res.status} ${res.body.toString("utf8")}`);
      }
    };
    const yankers = alice.filter((t) => revocable.includes(t));
    const yanker = async () => {
      while (running()) {
        const token = random.pick(yankers);
        const v = random.pick(known);
        const yank = random.next() < 0.5;
        const start = performance.now();
        const res = await send(`${url}/api/v1/crates/${v.crate}/${v.vers}/${yank ? "yank" : "unyank"}`, {
          method: yank ? "DELETE" : "PUT",
          headers: { Authorization: token.token },
          agent: writer,
        });
        record(token, "yank", start, res);
      }
    };

    // Revocations, spread over the run: alternately by the token's holder and by an administrator.
    const revokeOne = async (i: number) => {
      const token = revocable[i]!;
      if (i % 2 === 0) {
        const res = await send(`${url}/api/v1/tokens/current`, { method: "DELETE", headers: { Authorization: token.token }, agent: writer });
        expect(res.failed ? res.error : res.status, `revocation of token ${token.tokenId}`).toBe(204);
      } else {
        const out = new Writable({ write: (_c, _e, cb) => cb() });
        const code = await runCli(["token", "revoke", String(token.tokenId)], { stdin: process.stdin, stdout: out, stderr: out, env: { DATA_DIR: dataDir } });
        expect(code, `cargohold token revoke ${token.tokenId}`).toBe(0);
      }
      revokedAt.set(token, performance.now());
      revokedVia.set(token, i % 2 === 0 ? "api" : "cli");
    };
    const revoker = async () => {
      const first = performance.now();
      try {
        for (let i = 0; i < REVOCATIONS; i++) {
          const due = first + ((i + 1) * DURATION_MS * 0.8) / REVOCATIONS;
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
          await revokeOne(i);
        }
      } finally {
        revoking = false;
      }
    };

    // Memory: warm-up after a quarter of the run, then every 250 ms until the end.
    const rss: { at: number; bytes: number }[] = [];
    const sampler = setInterval(() => {
      const bytes = rssBytes(pid);
      if (bytes !== undefined) rss.push({ at: performance.now(), bytes });
    }, 250);

    const begin = performance.now();
    await Promise.all([...Array.from({ length: CLIENTS }, (_, i) => reader(i)), publisher(), yanker(), revoker()]);
    clearInterval(sampler);
    const finalRss = rssBytes(pid);
    readers.destroy();
    writer.destroy();

    // After each revocation returned, nothing with that token succeeds.
    const honoured = samples.filter((s) => {
      const at = revokedAt.get(s.token);
      return at !== undefined && s.start > at && s.status >= 200 && s.status < 300;
    });
    const afterRevocation = samples.filter((s) => {
      const at = revokedAt.get(s.token);
      return at !== undefined && s.start > at;
    });
    const summary = (list: Sample[]) => {
      const counts = new Map<string, number>();
      for (const s of list) {
        const k = `${s.kind} after revocation via ${revokedVia.get(s.token)}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      return [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
    };
    expect(honoured.length, `requests served with a revoked token: ${summary(honoured)}`).toBe(0);
    expect(afterRevocation.every((s) => s.status === 401 || s.status === 403)).toBe(true);

    const served = samples.filter((s) => s.status > 0 && s.status < 500).length;
    const errors = samples.filter((s) => s.status >= 500).length;
    const warm = rss.filter((s) => s.at >= begin + DURATION_MS / 4);
    const warmRss = warm[0]?.bytes ?? rss[0]!.bytes;
    const peakRss = Math.max(...rss.map((s) => s.bytes), finalRss ?? 0);
    const endRss = finalRss ?? rss.at(-1)!.bytes;
    const seconds = (performance.now() - begin) / 1000;
    console.log(
      `load: ${served} requests served, ${errors} errors (5xx), peak RSS ${mib(peakRss)} MiB ` +
        `(${CLIENTS} clients for ${seconds.toFixed(1)} s, ${Math.round(served / seconds)} req/s; ` +
        `${samples.filter((s) => s.kind === "publish" && s.status === 200).length} publishes, ${samples.filter((s) => s.kind === "yank").length} yanks/unyanks, ` +
        `${revokedAt.size} revocations, ${afterRevocation.length} requests with revoked tokens refused; ` +
        `RSS after warm-up ${mib(warmRss)} MiB, at the end ${mib(endRss)} MiB), seed ${SEED}`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(inconsistencies.slice(0, 20)).toEqual([]);
    expect(revokedAt.size).toBe(REVOCATIONS);
    expect(afterRevocation.length).toBeGreaterThan(REVOCATIONS);
    expect(endRss, `RSS grew from ${mib(warmRss)} MiB to ${mib(endRss)} MiB`).toBeLessThanOrEqual(warmRss * MEMORY_GROWTH_LIMIT);
  },
  DURATION_MS + 90_000,
);
