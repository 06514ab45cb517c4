// The real client: `cargo generate-lockfile` + `cargo fetch` with a cold CARGO_HOME for a package
// that depends (transitively) on the seeded graph crates, against cargohold (auth on, token) and
// against nginx serving the same sparse index and .crate files (auth off).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fmt, type Row } from "./report.js";
import { cpuPlan, pinned } from "./procs.js";
import type { Server } from "./servers.js";

// Only what cargo needs to run; nothing that could send it elsewhere (CARGO_*, proxies).
const KEEP = ["PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN"];

function cargo(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    // On the load tool's CPUs, like wrk: a client on another machine never waits for the server's CPU.
    const [file, argv] = pinned(cpuPlan.load, "cargo", args);
    const child = spawn(file, argv, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
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

/** Alternates cold runs against the two servers; compares the fastest run of each. */
export async function measureCargo(ours: CargoTarget, theirs: CargoTarget, root: string, expected: number, rounds: number, workDir: string, log: (line: string) => void): Promise<Row[]> {
  // cargo writes a few thousand files per run; in memory, the disk's hiccups stay out of the figures.
  const scratch = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/cargohold-bench-") : workDir;
  try {
    const times = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      for (const t of round % 2 === 0 ? [ours, theirs] : [theirs, ours]) {
        const r = await coldFetch(t.server, t.indexUrl, root, t.token, join(scratch, `cargo-${t.server.name}`));
        if (r.packages !== expected) throw new Error(`cargo locked ${r.packages} registry packages from ${t.server.name}, expected ${expected}`);
        log(`  cargo against ${t.server.name} round ${round + 1}: ${fmt.s(r.ms)} (${r.packages} crates)`);
        times.set(t.server.name, [...(times.get(t.server.name) ?? []), r.ms]);
      }
    }
    const a = Math.min(...times.get(ours.server.name)!);
    const b = Math.min(...times.get(theirs.server.name)!);
    const ratio = a / b;
    return [
      {
        section: `Real cargo, cold CARGO_HOME (${expected} crates)`,
        measure: "generate-lockfile + fetch (best run)",
        value: fmt.s(a),
        reference: fmt.s(b),
        referenceName: theirs.server.name,
        ratio,
        target: `≤ 1.3× ${theirs.server.name}`,
        met: ratio <= 1.3,
      },
    ];
  } finally {
    if (scratch !== workDir) rmSync(scratch, { recursive: true, force: true });
  }
}
