// The programs the benchmark drives (nginx, wrk, cargo), installed from Debian's packages when
// missing, and a description of the machine for the results file.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (r.status !== 0) throw new Error(`\`${cmd} ${args.join(" ")}\` failed with exit code ${r.status}`);
}

/** Installs nginx and wrk with apt-get when they are not on the PATH (needs root, as on the project's machines). */
export function ensureTools(log: (line: string) => void): void {
  const missing = ["nginx", "wrk"].filter((cmd) => !has(cmd));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`${missing.join(" and ")} missing; install them (apt-get install -y ${missing.join(" ")}) or run as root`);
  log(`installing ${missing.join(", ")} from Debian's packages…`);
  run("apt-get", ["update", "-qq"]);
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing]);
  // Debian's package may try to start a system-wide nginx; ours runs from its own config on a free port.
}

/** True when `cargo --version` runs. */
export const hasCargo = () => spawnSync("cargo", ["--version"], { stdio: "ignore" }).status === 0;

const firstLine = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.split("\n").find((l) => l.trim())?.trim() ?? "not found";
};

export interface Machine {
  cores: number;
  memory: string;
  cpu: string;
  kernel: string;
  node: string;
  nginx: string;
  wrk: string;
  cargo: string;
  date: string;
}

export function describeMachine(): Machine {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpu;
  } catch {
    // not Linux
  }
  return {
    cores: cpus().length,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    cpu,
    kernel: firstLine("uname", ["-sr"]),
    node: process.version,
    nginx: firstLine("nginx", ["-v"]).replace(/^nginx version:\s*/, ""),
    wrk: firstLine("wrk", ["-v"]).replace(/\s*\[.*$/, ""),
    cargo: hasCargo() ? firstLine("cargo", ["--version"]) : "not found",
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
}
