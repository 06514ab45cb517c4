// `npm run bench`: seeds a registry, starts cargohold, nginx (same bytes, static) and a bare node:http
// server on loopback, measures them side by side, prints the table and writes bench/results.md.
// Every process it starts is stopped at the end, also on failure or Ctrl-C.
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { indexPath } from "../src/registry/index-path.js";
import { measureCargo } from "./measure-cargo.js";
import { indexTargets, measureDownloads, measureIndex, measureRevalidation, type LoadBench } from "./measure-http.js";
import { measurePublish } from "./measure-publish.js";
import { measureScale } from "./measure-scale.js";
import { profileIndex } from "./profile.js";
import { parseOptions, type Options } from "./options.js";
import { cpuPlan, freePort, killAllNow, stopAll } from "./procs.js";
import { fmt, table, writeReport, type Row } from "./report.js";
import { exportIndexFiles, openRegistry, seedCargoGraph, seedCrates, seedDownloadCrate, seedUser, writeStaticConfig, type Shape } from "./seed.js";
import { startCargohold, startNginx, startNodeFloor, type Server } from "./servers.js";
import { describeMachine, ensureTools, hasCargo, type Machine } from "./tools.js";

const projectRoot = join(import.meta.dirname, "..");
const log = (line: string) => console.log(line);

interface Dirs {
  work: string;
  data: string;
  /** A copy of the database for the auth-off server, so neither sees the other's writes (which would empty its caches). */
  dataNoAuth: string;
  static: string;
  logs: string;
  nginx: string;
}

type Seeded = ReturnType<typeof seed>;

function seed(opts: Options, dirs: Dirs, shape: Shape, nginxUrl: string) {
  const started = performance.now();
  const ctx = openRegistry(dirs.data);
  try {
    const { token, userId } = seedUser(ctx);
    const names = seedCrates(ctx, userId, opts.crates, shape, true);
    const graphRoot = opts.only.includes("cargo") ? seedCargoGraph(ctx, userId, opts.graphCrates) : undefined;
    const download = seedDownloadCrate(ctx, userId, opts.downloadMiB * 1024 ** 2);
    exportIndexFiles(ctx, dirs.static, ctx.db.sqlite.prepare("SELECT name FROM crates").pluck().all() as string[]);
    writeStaticConfig(dirs.static, nginxUrl);
    log(`seeded ${ctx.db.crates.count()} crates, ${ctx.db.versions.count()} versions and their .crate files in ${fmt.s(performance.now() - started)}`);
    return { token, names, graphRoot, download };
  } finally {
    ctx.db.close();
  }
}

interface Outcome {
  rows: Row[];
  /** Summary of a CPU profile of cargohold serving index files, as Markdown lines. */
  profile?: string[];
}

/** Index files, revalidation, downloads and the profile, under load; the extra servers are stopped afterwards. */
async function loadPhases(opts: Options, dirs: Dirs, seeded: Seeded, nginx: Server, ours: Server): Promise<Outcome> {
  const wants = (phase: string) => opts.only.includes(phase);
  const needIndex = wants("index") || wants("revalidate");
  let profile: string[] | undefined;
  const noauth = wants("index") ? await startCargohold({ dataDir: dirs.dataNoAuth, logDir: dirs.logs, authRequired: false }) : undefined;
  const floor = needIndex || wants("download") ? await startNodeFloor(dirs.static, join(dirs.data, "crates"), dirs.logs) : undefined;
  const settings = { quick: opts.quick, seconds: opts.seconds, warmSeconds: opts.warmSeconds, rounds: opts.rounds, connections: opts.connections, downloadConnections: 8, workDir: dirs.work, log };
  const b: LoadBench = { nginx, ours, noauth, floor, token: seeded.token, paths: seeded.names.map((n) => `/index/${indexPath(n)}`), settings };
  const rows: Row[] = [];
  try {
    const targets = needIndex ? await indexTargets(b) : new Map();
    if (wants("index")) {
      log("index files…");
      rows.push(...(await measureIndex(b, targets)));
    }
    if (wants("revalidate")) {
      log("revalidation…");
      rows.push(...(await measureRevalidation(b, targets)));
    }
    if (wants("download")) {
      log("downloads…");
      rows.push(...(await measureDownloads(b, seeded.download)));
    }
    if (wants("profile")) {
      log("profile of index files under load…");
      profile = await profileIndex(b, dirs.data, dirs.logs, join(dirs.work, "profile"));
    }
  } finally {
    await Promise.all([floor?.stop(), noauth?.stop()]);
  }
  return { rows, profile };
}

async function run(opts: Options, dirs: Dirs): Promise<Outcome> {
  const shape: Shape = { versions: opts.versions, bigEvery: opts.bigEvery, bigVersions: opts.bigVersions, bigDeps: opts.bigDeps };
  const wants = (phase: string) => opts.only.includes(phase);
  const nginxPort = await freePort();
  const seeded = seed(opts, dirs, shape, `http://127.0.0.1:${nginxPort}`);
  copyFileSync(join(dirs.data, "cargohold.sqlite3"), join(dirs.dataNoAuth, "cargohold.sqlite3"));
  const nginx = await startNginx({ root: dirs.static, cratesDir: join(dirs.data, "crates"), dir: dirs.nginx, port: nginxPort });
  const ours = await startCargohold({ dataDir: dirs.data, logDir: dirs.logs, authRequired: true });
  const { rows, profile } = await loadPhases(opts, dirs, seeded, nginx, ours);
  if (wants("publish")) {
    log("publish…");
    rows.push(...(await measurePublish(ours, seeded.token, opts.publishReps, log)));
  }
  if (wants("cargo") && seeded.graphRoot) {
    log("real cargo…");
    const a = { server: ours, indexUrl: `sparse+${ours.url}/index/`, token: seeded.token };
    rows.push(...(await measureCargo(a, { server: nginx, indexUrl: `sparse+${nginx.url}/index/` }, seeded.graphRoot, opts.graphCrates, opts.cargoRounds, dirs.work, log)));
  }
  await ours.stop();
  if (wants("scale")) {
    log("scale…");
    const quick = opts.quick;
    const scale = { dataDir: dirs.data, staticRoot: dirs.static, logDir: dirs.logs, total: opts.scaleCrates, shape, starts: quick ? 1 : 3, searches: quick ? 100 : 300, indexRequests: quick ? 300 : 1000, log };
    rows.push(...(await measureScale(scale, nginx, seeded.token)));
  }
  return { rows, profile };
}

function describeSettings(opts: Options, machine: Machine): string[] {
  return [
    `Registry: ${opts.crates} crates with ${opts.versions} versions each, every ${opts.bigEvery}th with ${opts.bigVersions} versions of ${opts.bigDeps} dependencies; plus ${opts.graphCrates} crates for the cargo test and one ${opts.downloadMiB} MiB crate; seeded through the app's modules`,
    `Load tool: wrk (${machine.wrk}), ${cpuPlan.loadThreads} thread(s), a Lua script rotating over the index paths; ${opts.seconds} s per run after a ${opts.warmSeconds} s warm-up; ${opts.rounds} round(s) in alternating order, best round kept`,
    `CPU: ${cpuPlan.description}; real cargo runs on the load tool's CPUs too (a client elsewhere never waits for the server's CPU), ${opts.cargoRounds} cold run(s) against each server in alternating order, best kept, its CARGO_HOME in /dev/shm`,
    "cargohold: `node dist/main.js`, AUTH_REQUIRED=true (for the auth-off figure, a second process with AUTH_REQUIRED=false on a copy of the database), JSON access log to a file",
    "nginx: 1 worker process (cargohold is one Node.js process), sendfile, etag, open_file_cache, no gzip, access log to a file",
    "node:http: a bare Node.js server holding the same index files in memory (no framework, auth, database or log): what Node.js itself can do",
    `Phases run: ${opts.only.join(", ")}`,
  ];
}

const NOTES = [
  "Ratios are cargohold / reference for rates and sizes, and cargohold / nginx for latencies and times.",
  "Scale: crates beyond the main registry are added as database rows and index files only (no .crate files); the index-file p95 is measured on each crate's first request, before anything is cached.",
];

async function main(): Promise<void> {
  const startedAt = performance.now();
  const opts = parseOptions(process.argv.slice(2), process.env);
  if (!existsSync(join(projectRoot, "dist", "main.js"))) throw new Error("dist/main.js is missing: run `npm run build` first (`npm run bench` does)");
  ensureTools(log);
  if (opts.only.includes("cargo") && !hasCargo()) {
    log("cargo not found: the real-cargo comparison is skipped");
    opts.only = opts.only.filter((phase) => phase !== "cargo");
  }
  const machine = describeMachine();
  log(`${machine.cpu}, ${machine.cores} cores, ${machine.memory}; Node.js ${machine.node}; nginx ${machine.nginx}; ${machine.wrk}`);
  const work = join(projectRoot, "bench", "work", `run-${Date.now()}`);
  const dirs: Dirs = { work, data: join(work, "data"), dataNoAuth: join(work, "data-noauth"), static: join(work, "static"), logs: join(work, "logs"), nginx: join(work, "nginx") };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  let outcome: Outcome;
  try {
    outcome = await run(opts, dirs);
  } finally {
    await stopAll();
    if (opts.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  const elapsedMs = performance.now() - startedAt;
  const { rows, profile } = outcome;
  writeReport(resolve(projectRoot, opts.out), { machine, settings: describeSettings(opts, machine), rows, notes: NOTES, profile, elapsedMs });
  log(`\n${table(rows)}\n${profile ? `\n${profile.join("\n")}\n` : ""}\nwritten to ${opts.out} (${fmt.s(elapsedMs)} in all)`);
}

process.on("exit", killAllNow);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void stopAll().finally(() => process.exit(130));
  });
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  await stopAll();
  process.exitCode = 1;
});
