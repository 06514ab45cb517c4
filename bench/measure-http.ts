// Throughput under load, side by side: index files (200s), revalidations (304s) and downloads,
// cargohold against nginx, against itself with auth off, and against a bare node:http server.
import { sha256 } from "./crate-files.js";
import { median, send } from "./http.js";
import { fmt, type Row } from "./report.js";
import type { Server } from "./servers.js";
import { runWrk, type WrkResult } from "./wrk.js";

export interface LoadSettings {
  quick: boolean;
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
 * Runs wrk against each contender `rounds` times, alternating the order each round, each run after a
 * short warm-up; returns every run by server name. Any error or non-2xx/3xx response fails the benchmark.
 */
async function runRounds(label: string, contenders: Contender[], s: LoadSettings, opts: { conditional?: boolean; connections?: number } = {}): Promise<Map<string, WrkResult[]>> {
  const runs = new Map<string, WrkResult[]>(contenders.map((c) => [c.server.name, []]));
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
      runs.get(c.server.name)!.push(r);
    }
  }
  return runs;
}

/** `runRounds`, keeping each contender's best round. */
export async function compare(label: string, contenders: Contender[], s: LoadSettings, opts: { conditional?: boolean; connections?: number } = {}): Promise<Map<string, WrkResult>> {
  const runs = await runRounds(label, contenders, s, opts);
  return new Map([...runs].map(([name, list]) => [name, list.reduce((best, r) => (r.rps > best.rps ? r : best))]));
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

/** The servers and data every load phase works with. */
export interface LoadBench {
  nginx: Server;
  ours: Server;
  noauth?: Server;
  floor?: Server;
  token: string;
  /** Index paths to rotate over (`/index/…`). */
  paths: string[];
  settings: LoadSettings;
}

type Targets = Awaited<ReturnType<typeof collectTargets>>;

/** Fetches every index file once from each server (warming caches), and checks they serve identical bytes. */
export async function indexTargets(b: LoadBench): Promise<Map<string, Targets>> {
  const targets = new Map<string, Targets>();
  targets.set("nginx", await collectTargets(b.nginx, b.paths));
  targets.set(b.ours.name, await collectTargets(b.ours, b.paths, b.token));
  for (const other of [b.noauth, b.floor]) if (other) targets.set(other.name, await collectTargets(other, b.paths));
  for (const [name, list] of targets) if (name !== b.ours.name) assertSameBodies({ name: b.ours.name, targets: targets.get(b.ours.name)! }, { name, targets: list });
  return targets;
}

function contenders(b: LoadBench, targets: Map<string, Targets>): Contender[] {
  const list: Contender[] = [{ server: b.nginx, targets: targets.get("nginx")! }, { server: b.ours, targets: targets.get(b.ours.name)!, authorization: b.token }];
  if (b.floor) list.push({ server: b.floor, targets: targets.get(b.floor.name)! });
  return list;
}

const floorRow = (section: string, results: Map<string, WrkResult>): Row[] => {
  const floor = results.get("node:http");
  if (!floor) return [];
  const nginx = results.get("nginx")!;
  return [{ section, measure: "bare node:http server, same files from memory (reference)", value: "", reference: fmt.rps(floor.rps), referenceName: "node:http", ratio: floor.rps / nginx.rps }];
};

/** Index files with 200s: cargohold with a token against nginx, and the node:http reference; then auth on against auth off. */
export async function measureIndex(b: LoadBench, targets: Map<string, Targets>): Promise<Row[]> {
  const results = await compare("index", contenders(b, targets), b.settings);
  const section = `Index files: 200, ${b.settings.connections} connections, ${b.paths.length} files rotated, valid token`;
  const rows = rateRows(section, results.get(b.ours.name)!, results.get("nginx")!, "nginx", 0.5, "rps");
  return [...rows, ...floorRow(section, results), ...(await authOnVersusOff(b, targets, section))];
}

// The two cargohold processes differ by a few per cent, less than this machine's swings from one
// run to the next; so they take many short turns, one after the other, and the medians are compared.
const PAIRED_ROUNDS = 8;

/**
 * Auth on against auth off: alternating runs, ratio of the median rates. Both servers get the same
 * requests, token included (the auth-off one ignores it), so the ratio is the cost of checking it.
 */
async function authOnVersusOff(b: LoadBench, targets: Map<string, Targets>, section: string): Promise<Row[]> {
  if (!b.noauth) return [];
  const pair: Contender[] = [
    { server: b.ours, targets: targets.get(b.ours.name)!, authorization: b.token },
    { server: b.noauth, targets: targets.get(b.noauth.name)!, authorization: b.token },
  ];
  const seconds = Math.max(1, Math.round(b.settings.seconds / 2));
  const runs = await runRounds("auth", pair, { ...b.settings, seconds, rounds: b.settings.quick ? 2 : PAIRED_ROUNDS });
  const rate = (name: string) => median(runs.get(name)!.map((r) => r.rps));
  const on = rate(b.ours.name);
  const off = rate(b.noauth.name);
  const ratio = on / off;
  const measure = `auth on vs auth off (issue 3), same requests, median of ${runs.get(b.ours.name)!.length} alternating ${seconds} s runs`;
  return [{ section, measure, value: fmt.rps(on), reference: fmt.rps(off), referenceName: "cargohold, auth off", ratio, target: "≥ 0.9× auth off", met: ratio >= 0.9 }];
}

/** Revalidation: the same rotation with each file's current ETag in If-None-Match, so every answer is a 304. */
export async function measureRevalidation(b: LoadBench, targets: Map<string, Targets>): Promise<Row[]> {
  const results = await compare("revalidate", contenders(b, targets), b.settings, { conditional: true });
  const section = `Revalidation: 304 for If-None-Match, ${b.settings.connections} connections, valid token`;
  return [...rateRows(section, results.get(b.ours.name)!, results.get("nginx")!, "nginx", 0.5, "rps"), ...floorRow(section, results)];
}

/** One large .crate downloaded over and over, after checking both servers send the same bytes. */
export async function measureDownloads(b: LoadBench, crate: { name: string; vers: string; size: number }): Promise<Row[]> {
  const ourPath = `/api/v1/crates/${crate.name}/${crate.vers}/download`;
  const nginxPath = `/crates/${crate.name}/${crate.name}-${crate.vers}.crate`;
  const [a] = await collectTargets(b.ours, [ourPath], b.token);
  const [c] = await collectTargets(b.nginx, [nginxPath]);
  if (sha256(a!.body) !== sha256(c!.body)) throw new Error("cargohold and nginx serve different .crate bytes");
  const list: Contender[] = [
    { server: b.nginx, targets: [{ path: nginxPath }] },
    { server: b.ours, targets: [{ path: ourPath }], authorization: b.token },
  ];
  if (b.floor) list.push({ server: b.floor, targets: [{ path: nginxPath }] });
  const results = await compare("download", list, b.settings, { connections: b.settings.downloadConnections });
  const section = `Downloads: ${fmt.mib(crate.size)} .crate, ${b.settings.downloadConnections} connections, valid token`;
  const rows = rateRows(section, results.get(b.ours.name)!, results.get("nginx")!, "nginx", 0.7, "mbps");
  const floor = b.floor && results.get(b.floor.name);
  if (floor) {
    const nginx = results.get("nginx")!;
    rows.push({ section, measure: "bare node:http server streaming the same file in 1 MiB reads (reference)", value: "", reference: fmt.mbps(floor.mbps), referenceName: "node:http", ratio: floor.mbps / nginx.mbps });
  }
  return rows;
}
