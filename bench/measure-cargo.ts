// The real client: `cargo generate-lockfile` + `cargo fetch` with a cold CARGO_HOME for a package
// that depends (transitively) on the seeded graph crates, against cargohold (auth on, token) and
// against nginx serving the same sparse index and .crate files (auth off).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fmt, type Row } from "./report.js";
import { start, stop } from "./procs.js";
import type { Server } from "./servers.js";

// Only what cargo needs to run; nothing that could send it elsewhere (CARGO_*, proxies).
const KEEP = ["PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN"];

function cargo(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("cargo", args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** One cold run: a fresh CARGO_HOME and project; returns the wall time and the number of locked packages. */
async function coldFetch(server: Server, indexUrl: string, root: string, token: string | undefined, dir: string): Promise<{ ms: number; packages: number }> {
  rmSync(dir, { recursive: true, force: true });
  const home = join(dir, "cargo-home");
  const project = join(dir, "app");
  mkdirSync(home, { recursive: true });
  mkdirSync(join(project, "src"), { recursive: true });
  writeFileSync(
    join(home, "config.toml"),
    `[registries.local]\nindex = "${indexUrl}"\ncredential-provider = "cargo:token"\n\n[registry]\nglobal-credential-providers = ["cargo:token"]\n`,
  );
  writeFileSync(join(project, "Cargo.toml"), `[package]\nname = "bench-app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n${root} = { version = "1", registry = "local" }\n`);
  writeFileSync(join(project, "src", "lib.rs"), "");
  const env: Record<string, string> = { CARGO_HOME: home, CARGO_TARGET_DIR: join(dir, "target"), CARGO_TERM_COLOR: "never", NO_PROXY: "*", no_proxy: "*" };
  for (const key of KEEP) if (process.env[key] !== undefined) env[key] = process.env[key]!;
  if (token) env.CARGO_REGISTRIES_LOCAL_TOKEN = token;
  const started = performance.now();
  for (const args of [["generate-lockfile"], ["fetch"]]) {
    const r = await cargo(args, project, env);
    if (r.code !== 0) throw new Error(`cargo ${args.join(" ")} against ${server.name} failed (${r.code}):\n${r.stderr}`);
  }
  const ms = performance.now() - started;
  const packages = (readFileSync(join(project, "Cargo.lock"), "utf8").match(/^\[\[package\]\]/gm) ?? []).length - 1;
  return { ms, packages };
}

export interface CargoTarget {
  server: Server;
  indexUrl: string;
  token?: string;
}

/**
 * Alternates cold runs against the two servers and compares the fastest run of each; then does the
 * same with every CPU kept from idling (see `keepCpusAwake`), as a reference that separates the
 * servers' own time from the cost of waking an idle CPU on this machine.
 */
export async function measureCargo(ours: CargoTarget, theirs: CargoTarget, root: string, expected: number, rounds: number, workDir: string, log: (line: string) => void): Promise<Row[]> {
  // cargo writes a few thousand files per run; in memory, the disk's hiccups stay out of the figures.
  const scratch = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/cargohold-bench-") : workDir;
  const section = `Real cargo, cold CARGO_HOME (${expected} crates)`;
  const compare = async (label: string): Promise<{ a: number; b: number }> => {
    const times = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      for (const t of round % 2 === 0 ? [ours, theirs] : [theirs, ours]) {
        const r = await coldFetch(t.server, t.indexUrl, root, t.token, join(scratch, `cargo-${t.server.name}`));
        if (r.packages !== expected) throw new Error(`cargo locked ${r.packages} registry packages from ${t.server.name}, expected ${expected}`);
        log(`  cargo${label} against ${t.server.name} round ${round + 1}: ${fmt.s(r.ms)} (${r.packages} crates)`);
        times.set(t.server.name, [...(times.get(t.server.name) ?? []), r.ms]);
      }
    }
    return { a: Math.min(...times.get(ours.server.name)!), b: Math.min(...times.get(theirs.server.name)!) };
  };
  try {
    const plain = await compare("");
    const rows: Row[] = [
      { section, measure: "generate-lockfile + fetch (best run)", value: fmt.s(plain.a), reference: fmt.s(plain.b), referenceName: theirs.server.name, ratio: plain.a / plain.b, target: `≤ 1.3× ${theirs.server.name}`, met: plain.a / plain.b <= 1.3 },
    ];
    const release = keepCpusAwake();
    if (release) {
      try {
        const awake = await compare(" (CPUs kept awake)");
        rows.push({ section, measure: "the same with idle CPUs kept from halting (reference)", value: fmt.s(awake.a), reference: fmt.s(awake.b), referenceName: theirs.server.name, ratio: awake.a / awake.b });
      } finally {
        await release();
      }
    }
    return rows;
  } finally {
    if (scratch !== workDir) rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Starts one busy loop per CPU at the SCHED_IDLE policy, which any other process preempts at once:
 * no work is slowed, but no CPU ever halts. cargo fetches crates one after the other over one
 * HTTP/1.1 connection, and on a virtual machine that does not poll before halting
 * (`haltpoll.guest_halt_poll_ns=0` here) every response that takes longer than nginx's few
 * microseconds finds cargo's CPU halted and pays the wake-up (1–3 ms measured) on top. Returns a
 * function that stops the loops, or undefined when `chrt` or `taskset` is missing.
 */
function keepCpusAwake(): (() => Promise<void>) | undefined {
  if (spawnSync("chrt", ["--version"]).status !== 0 || spawnSync("taskset", ["--version"]).status !== 0) return undefined;
  // Started like the servers, so that they are stopped with them if the benchmark fails.
  const loops = cpus().map((_, cpu) => start("chrt", ["--idle", "0", "sh", "-c", "while :; do :; done"], { cpu: String(cpu), logFile: "/dev/null" }));
  return async () => {
    await Promise.all(loops.map((loop) => stop(loop)));
  };
}
