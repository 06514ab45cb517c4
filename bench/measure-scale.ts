// Scale: the registry grown to many crates (database rows and index files; no .crate files are
// needed for what is measured), then cold start, search latency, index-file latency on first
// touch (nothing cached yet) against nginx, and the database size.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { indexPath } from "../src/registry/index-path.js";
import { percentile, send } from "./http.js";
import { fmt, type Row } from "./report.js";
import { exportIndexFiles, openRegistry, seedCrates, WORDS, type Shape } from "./seed.js";
import { startCargohold, type Server } from "./servers.js";

export interface ScaleSettings {
  dataDir: string;
  staticRoot: string;
  logDir: string;
  total: number;
  shape: Shape;
  starts: number;
  searches: number;
  indexRequests: number;
  log: (line: string) => void;
}

function latencies(values: number[]) {
  return { p50: percentile(values, 50), p95: percentile(values, 95) };
}

/** Grows the registry to `s.total` crates; returns every crate name. */
function grow(s: ScaleSettings): string[] {
  const ctx = openRegistry(s.dataDir);
  try {
    const started = performance.now();
    const userId = ctx.db.users.findByLogin("bench")!.id;
    const added = seedCrates(ctx, userId, s.total, s.shape, false, 2);
    exportIndexFiles(ctx, s.staticRoot, added);
    s.log(`  grew the registry by ${added.length} crates to ${ctx.db.crates.count()} (${ctx.db.versions.count()} versions) in ${fmt.s(performance.now() - started)}`);
    // Crates made by the publish test have no exported index file; nginx would answer 404.
    return (ctx.db.sqlite.prepare("SELECT name FROM crates WHERE name NOT LIKE 'bench-publish-%'").pluck().all() as string[]);
  } finally {
    ctx.db.close();
  }
}

export async function measureScale(s: ScaleSettings, nginx: Server, token: string): Promise<Row[]> {
  const names = grow(s);
  const section = `Scale (${names.length.toLocaleString("en-US")} crates)`;
  const dbFile = join(s.dataDir, "cargohold.sqlite3");
  const dbBytes = statSync(dbFile).size + (existsSync(`${dbFile}-wal`) ? statSync(`${dbFile}-wal`).size : 0);

  const startTimes: number[] = [];
  let server: Server | undefined;
  try {
    for (let i = 0; i < s.starts; i++) {
      server = await startCargohold({ dataDir: s.dataDir, logDir: s.logDir, authRequired: true, name: "cargohold-scale" });
      startTimes.push(server.startMs);
      if (i < s.starts - 1) await server.stop();
    }
    s.log(`  cold starts: ${startTimes.map(fmt.ms).join(", ")}`);
    const auth = { Authorization: token };

    const searchTimes: number[] = [];
    for (let i = 0; i < s.searches; i++) {
      const words = i % 3 === 0 ? [WORDS[(i * 7) % WORDS.length]!, WORDS[(i * 13) % WORDS.length]!] : [WORDS[(i * 11) % WORDS.length]!];
      const res = await send(`${server!.url}/api/v1/crates?q=${encodeURIComponent(words.join(" "))}&per_page=10`, { headers: auth });
      if (res.status !== 200) throw new Error(`search answered ${res.status}`);
      searchTimes.push(res.ms);
    }

    // The same random crates from both servers, each requested once: cargohold builds every file afresh.
    const sample = Array.from({ length: s.indexRequests }, (_, i) => names[(i * 7919) % names.length]!).map((n) => `/index/${indexPath(n)}`);
    const timesOf = async (target: Server, headers: Record<string, string>) => {
      const times: number[] = [];
      for (const path of sample) {
        const res = await send(`${target.url}${path}`, { headers });
        if (res.status !== 200) throw new Error(`${target.name} answered ${res.status} for ${path}`);
        times.push(res.ms);
      }
      return latencies(times);
    };
    const ours = await timesOf(server!, auth);
    const theirs = await timesOf(nginx, {});
    const search = latencies(searchTimes);
    const start = percentile(startTimes, 50);
    return [
      { section, measure: `search p95 (${s.searches} sequential queries)`, value: fmt.ms(search.p95), target: "≤ 20 ms", met: search.p95 <= 20 },
      { section, measure: "search p50", value: fmt.ms(search.p50) },
      { section, measure: `index file p95, first request per crate (${s.indexRequests} crates)`, value: fmt.ms(ours.p95), reference: fmt.ms(theirs.p95), referenceName: "nginx", ratio: ours.p95 / theirs.p95 },
      { section, measure: "index file p50, first request per crate", value: fmt.ms(ours.p50), reference: fmt.ms(theirs.p50), referenceName: "nginx", ratio: ours.p50 / theirs.p50 },
      { section, measure: "database size", value: fmt.mib(dbBytes) },
      { section, measure: `cold start to first /health 200 (median of ${s.starts})`, value: fmt.ms(start), target: "≤ 2 s", met: start <= 2000 },
    ];
  } finally {
    await server?.stop();
  }
}
