// `npm run bench`: seeds a registry, starts cargohold, nginx (same bytes, static) and a bare node:http
// server on loopback, measures them side by side, prints the table and writes bench/results.md.
// Every process it starts is stopped at the end, also on failure or Ctrl-C.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { indexPath } from "../src/registry/index-path.js";
import { sha256 } from "./crate-files.js";
import { measureCargo } from "./measure-cargo.js";
import { assertSameBodies, collectTargets, compare, rateRows, type LoadSettings } from "./measure-http.js";
import { measurePublish } from "./measure-publish.js";
import { measureScale } from "./measure-scale.js";
import { parseOptions, type Options } from "./options.js";
import { cpuPlan, freePort, killAllNow, stopAll } from "./procs.js";
import { fmt, table, writeReport, type Row } from "./report.js";
import { exportIndexFiles, openRegistry, seedCargoGraph, seedCrates, seedDownloadCrate, seedUser, writeStaticConfig, type Shape } from "./seed.js";
import { startCargohold, startNginx, startNodeFloor } from "./servers.js";
import { describeMachine, ensureTools, hasCargo } from "./tools.js";

const projectRoot = join(import.meta.dirname, "..");
const log = (line: string) => console.log(line);

interface Dirs {
  work: string;
  data: string;
  static: string;
  logs: string;
  nginx: string;
}

function seed(opts: Options, dirs: Dirs, shape: Shape, nginxUrl: string) {
  const started = performance.now();
  const ctx = openRegistry(dirs.data);
  try {
    const { token, userId } = seedUser(ctx);
    const names = seedCrates(ctx, userId, opts.crates, shape, true);
    const graphRoot = opts.cargo ? seedCargoGraph(ctx, userId, opts.graphCrates) : undefined;
    const download = seedDownloadCrate(ctx, userId, opts.downloadMiB * 1024 ** 2);
    exportIndexFiles(ctx, dirs.static, ctx.db.sqlite.prepare("SELECT name FROM crates").pluck().all() as string[]);
    writeStaticConfig(dirs.static, nginxUrl);
    log(`seeded ${ctx.db.crates.count()} crates, ${ctx.db.versions.count()} versions and their .crate files in ${fmt.s(performance.now() - started)}`);
    return { token, names, graphRoot, download };
  } finally {
    ctx.db.close();
  }
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const opts = parseOptions(process.argv.slice(2), process.env);
  if (!existsSync(join(projectRoot, "dist", "main.js"))) throw new Error("dist/main.js is missing: run `npm run build` first (`npm run bench` does)");
  ensureTools(log);
  if (opts.cargo && !hasCargo()) {
    log("cargo not found: skipping the real-cargo comparison");
    opts.cargo = false;
  }
  const machine = describeMachine();
  log(`${machine.cpu}, ${machine.cores} cores, ${machine.memory}; Node.js ${machine.node}; nginx ${machine.nginx}; ${machine.wrk}`);
  const work = join(projectRoot, "bench", "work", `run-${Date.now()}`);
  const dirs: Dirs = { work, data: join(work, "data"), static: join(work, "static"), logs: join(work, "logs"), nginx: join(work, "nginx") };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const shape: Shape = { versions: opts.versions, bigEvery: opts.bigEvery, bigVersions: opts.bigVersions, bigDeps: opts.bigDeps };
  const rows: Row[] = [];
  try {
    const nginxPort = await freePort();
    const seeded = seed(opts, dirs, shape, `http://127.0.0.1:${nginxPort}`);
    const nginx = await startNginx({ root: dirs.static, cratesDir: join(dirs.data, "crates"), dir: dirs.nginx, port: nginxPort });
    const floor = await startNodeFloor(dirs.static, dirs.logs);
    const ours = await startCargohold({ dataDir: dirs.data, logDir: dirs.logs, authRequired: true });
    const noauth = await startCargohold({ dataDir: dirs.data, logDir: dirs.logs, authRequired: false });
    const load: LoadSettings = { seconds: opts.seconds, warmSeconds: opts.warmSeconds, rounds: opts.rounds, connections: opts.connections, downloadConnections: 8, workDir: dirs.work, log };

    log("index files…");
    const paths = seeded.names.map((n) => `/index/${indexPath(n)}`);
    const t = {
      nginx: await collectTargets(nginx, paths),
      ours: await collectTargets(ours, paths, seeded.token),
      noauth: await collectTargets(noauth, paths),
      floor: await collectTargets(floor, paths),
    };
    assertSameBodies({ name: "cargohold", targets: t.ours }, { name: "nginx", targets: t.nginx });
    assertSameBodies({ name: "cargohold", targets: t.ours }, { name: "node:http", targets: t.floor });
    const contender = (server: typeof ours, targets: typeof t.ours, authorization?: string) => ({ server, targets, authorization });
    const index = await compare("index", [contender(nginx, t.nginx), contender(ours, t.ours, seeded.token), contender(noauth, t.noauth), contender(floor, t.floor)], load);
    const section = `Index files: 200, ${opts.connections} connections, ${paths.length} files rotated`;
    rows.push(...rateRows(`${section}, valid token`, index.get("cargohold")!, index.get("nginx")!, "nginx", 0.5, "rps"));
    const authRatio = index.get("cargohold")!.rps / index.get("cargohold-noauth")!.rps;
    rows.push({ section: `${section}, valid token`, measure: "auth on vs auth off (issue 3)", value: fmt.rps(index.get("cargohold")!.rps), reference: fmt.rps(index.get("cargohold-noauth")!.rps), referenceName: "cargohold, auth off", ratio: authRatio, target: "≥ 0.9× auth off", met: authRatio >= 0.9 });
    rows.push({ section: `${section}, valid token`, measure: "bare node:http server, same files from memory (reference)", value: "", reference: fmt.rps(index.get("node:http")!.rps), referenceName: "node:http", ratio: index.get("node:http")!.rps / index.get("nginx")!.rps });

    log("revalidation…");
    const reval = await compare("revalidate", [contender(nginx, t.nginx), contender(ours, t.ours, seeded.token), contender(floor, t.floor)], load, { conditional: true });
    const revalSection = `Revalidation: 304 for If-None-Match, ${opts.connections} connections, valid token`;
    rows.push(...rateRows(revalSection, reval.get("cargohold")!, reval.get("nginx")!, "nginx", 0.5, "rps"));
    rows.push({ section: revalSection, measure: "bare node:http server (reference)", value: "", reference: fmt.rps(reval.get("node:http")!.rps), referenceName: "node:http", ratio: reval.get("node:http")!.rps / reval.get("nginx")!.rps });

    log("downloads…");
    const d = seeded.download;
    const ourDownload = [{ path: `/api/v1/crates/${d.name}/${d.vers}/download` }];
    const nginxDownload = [{ path: `/crates/${d.name}/${d.name}-${d.vers}.crate` }];
    const [a] = await collectTargets(ours, [ourDownload[0]!.path], seeded.token);
    const [b] = await collectTargets(nginx, [nginxDownload[0]!.path]);
    if (sha256(a!.body) !== sha256(b!.body)) throw new Error("cargohold and nginx serve different .crate bytes");
    const downloads = await compare("download", [{ server: nginx, targets: nginxDownload }, { server: ours, targets: ourDownload, authorization: seeded.token }], load, { connections: load.downloadConnections });
    rows.push(...rateRows(`Downloads: ${fmt.mib(d.size)} .crate, ${load.downloadConnections} connections, valid token`, downloads.get("cargohold")!, downloads.get("nginx")!, "nginx", 0.7, "mbps"));
    await Promise.all([floor.stop(), noauth.stop()]);

    log("publish…");
    rows.push(...(await measurePublish(ours, seeded.token, opts.publishReps, log)));

    if (opts.cargo && seeded.graphRoot) {
      log("real cargo…");
      rows.push(...(await measureCargo({ server: ours, indexUrl: `sparse+${ours.url}/index/`, token: seeded.token }, { server: nginx, indexUrl: `sparse+${nginx.url}/index/` }, seeded.graphRoot, opts.graphCrates, opts.rounds, dirs.work, log)));
    }
    await ours.stop();

    if (opts.scale) {
      log("scale…");
      const scale = { dataDir: dirs.data, staticRoot: dirs.static, logDir: dirs.logs, total: opts.scaleCrates, shape, starts: opts.quick ? 1 : 3, searches: opts.quick ? 100 : 300, indexRequests: opts.quick ? 300 : 1000, log };
      rows.push(...(await measureScale(scale, nginx, seeded.token)));
    }
  } finally {
    await stopAll();
    if (opts.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }

  const settings = [
    `Registry: ${opts.crates} crates with ${opts.versions} versions each, every ${opts.bigEvery}th with ${opts.bigVersions} versions of ${opts.bigDeps} dependencies; plus ${opts.cargo ? `${opts.graphCrates} crates for the cargo test, ` : ""}one ${opts.downloadMiB} MiB crate; seeded through the app's modules`,
    `Load tool: wrk (${machine.wrk}), ${cpuPlan.loadThreads} thread(s), a Lua script rotating over the index paths; ${opts.seconds} s per run after a ${opts.warmSeconds} s warm-up; ${opts.rounds} round(s) in alternating order, best round kept`,
    `CPU: ${cpuPlan.description}`,
    "cargohold: `node dist/main.js`, AUTH_REQUIRED=true (a second process with AUTH_REQUIRED=false for the auth-off figure), JSON access log to a file",
    "nginx: 1 worker process (cargohold is one Node.js process), sendfile, etag, open_file_cache, no gzip, access log to a file",
    "node:http: a bare Node.js server holding the same index files in memory (no framework, auth, database or log): what Node.js itself can do",
  ];
  const notes = [
    "Ratios are cargohold / reference for rates and sizes, and cargohold / nginx for latencies and times.",
    "Scale: crates beyond the main registry are added as database rows and index files only (no .crate files); the index-file p95 is measured on each crate's first request, before anything is cached.",
  ];
  writeReport(join(projectRoot, opts.out), { machine, settings, rows, notes, elapsedMs: performance.now() - startedAt });
  log(`\n${table(rows)}\n\nwritten to ${opts.out} (${fmt.s(performance.now() - startedAt)} in all)`);
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
