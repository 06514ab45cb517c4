// Throughput under load, side by side: index files (200s), revalidations (304s) and downloads,
// cargohold against nginx, against itself with auth off, and against a bare node:http server.
import { send } from "./http.js";
import { fmt, type Row } from "./report.js";
import type { Server } from "./servers.js";
import { runWrk, type WrkResult } from "./wrk.js";

export interface LoadSettings {
  seconds: number;
  warmSeconds: number;
  rounds: number;
  connections: number;
  downloadConnections: number;
  workDir: string;
  log: (line: string) => void;
}

export interface Contender {
  server: Server;
  authorization?: string;
  targets: { path: string; etag?: string }[];
}

/** GETs every path once (which also warms caches), checks for 200 and returns the paths with their ETags. */
export async function collectTargets(server: Server, paths: string[], authorization?: string): Promise<{ path: string; etag: string; body: Buffer }[]> {
  const out = [];
  for (const path of paths) {
    const res = await send(`${server.url}${path}`, { headers: authorization ? { Authorization: authorization } : {} });
    if (res.status !== 200) throw new Error(`${server.name} answered ${res.status} to GET ${path}: ${res.body.toString().slice(0, 200)}`);
    out.push({ path, etag: String(res.headers.etag ?? ""), body: res.body });
  }
  return out;
}

/** Throws unless the two servers sent byte-identical bodies for the same paths. */
export function assertSameBodies(a: { name: string; targets: { path: string; body: Buffer }[] }, b: { name: string; targets: { body: Buffer }[] }): void {
  a.targets.forEach((t, i) => {
    if (!t.body.equals(b.targets[i]!.body)) throw new Error(`${a.name} and ${b.name} serve different bytes for ${t.path}`);
  });
}

/**
 * Runs wrk against each contender `rounds` times, alternating the order each round, after a short
 * warm-up; keeps each contender's best round. Any error or non-2xx/3xx response fails the benchmark.
 */
export async function compare(label: string, contenders: Contender[], s: LoadSettings, opts: { conditional?: boolean; connections?: number } = {}): Promise<Map<string, WrkResult>> {
  const best = new Map<string, WrkResult>();
  for (let round = 0; round < s.rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const c of order) {
      const run = (seconds: number) =>
        runWrk({
          baseUrl: c.server.url,
          targets: c.targets,
          authorization: c.authorization,
          conditional: opts.conditional,
          connections: opts.connections ?? s.connections,
          seconds,
          workDir: s.workDir,
          label: `${label}-${c.server.name}`,
        });
      if (s.warmSeconds > 0) await run(s.warmSeconds);
      const r = await run(s.seconds);
      if (r.errors > 0 || r.non2xx3xx > 0) {
        throw new Error(`${label} against ${c.server.name}: ${r.errors} socket errors, ${r.non2xx3xx} non-2xx/3xx responses`);
      }
      s.log(`  ${label} ${c.server.name} round ${round + 1}: ${fmt.rps(r.rps)}, ${fmt.mbps(r.mbps)}, p50 ${fmt.us(r.p50Us)}, p99 ${fmt.us(r.p99Us)}`);
      const previous = best.get(c.server.name);
      if (!previous || r.rps > previous.rps) best.set(c.server.name, r);
    }
  }
  return best;
}

/** Rows for one comparison: rate with its ratio and target, then p50 and p99 side by side. */
export function rateRows(section: string, ours: WrkResult, theirs: WrkResult, theirName: string, target: number, unit: "rps" | "mbps"): Row[] {
  const value = unit === "rps" ? ours.rps : ours.mbps;
  const reference = unit === "rps" ? theirs.rps : theirs.mbps;
  const ratio = value / reference;
  return [
    { section, measure: unit === "rps" ? "requests/s" : "throughput", value: fmt[unit](value), reference: fmt[unit](reference), referenceName: theirName, ratio, target: `≥ ${target}× ${theirName}`, met: ratio >= target },
    { section, measure: "latency p50", value: fmt.us(ours.p50Us), reference: fmt.us(theirs.p50Us), referenceName: theirName },
    { section, measure: "latency p99", value: fmt.us(ours.p99Us), reference: fmt.us(theirs.p99Us), referenceName: theirName },
  ];
}
