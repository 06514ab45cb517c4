// Child processes of a benchmark run: every process started here is remembered and stopped at the
// end, on success, on failure and on Ctrl-C. Servers can be pinned to one CPU and the load tool to
// another, so that each side of a comparison has a core of its own.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus } from "node:os";

const running = new Set<ChildProcess>();

/** CPU sets for servers and for the load generator (none on a one-core machine). */
export const cpuPlan = (() => {
  const n = cpus().length;
  const hasTaskset = spawnSync("taskset", ["--version"]).status === 0;
  if (n < 2 || !hasTaskset) return { server: undefined, load: undefined, loadThreads: Math.max(1, n >> 1), description: "no CPU pinning" };
  const load = n === 2 ? "1" : `1-${n - 1}`;
  return { server: "0", load, loadThreads: n - 1, description: `servers pinned to CPU 0, the load tool to CPU ${load}` };
})();

/** `cmd args` prefixed with `taskset -c cpus` when a CPU set is given. */
export function pinned(cpuSet: string | undefined, cmd: string, args: string[]): [string, string[]] {
  return cpuSet === undefined ? [cmd, args] : ["taskset", ["-c", cpuSet, cmd, ...args]];
}

export interface StartOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** File receiving stdout and stderr (servers log every request). */
  logFile: string;
  cpu?: string;
}

/** Starts a long-running process and tracks it until `stop` or `stopAll`. `taskset` execs, so the pid is the program's. */
export function start(cmd: string, args: string[], opts: StartOptions): ChildProcess {
  const [file, argv] = pinned(opts.cpu, cmd, args);
  // The file itself, not a pipe: the server writes its log as it would in production, and this
  // process spends no CPU relaying it during the measurements.
  const log = openSync(opts.logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(file, argv, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", log, log] });
  } finally {
    closeSync(log);
  }
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/** Stops one process: SIGTERM, then SIGKILL after `graceMs`. Resolves once it has exited. */
export function stop(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      running.delete(child);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Stops every process this run started that is still alive. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stop(child)));
}

/** Synchronous last resort for `process.on("exit")`: kill whatever is left, by pid. */
export function killAllNow(): void {
  for (const child of running) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** A free TCP port on 127.0.0.1 (asks the kernel, then releases it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Polls `url` until it answers 200; resolves with the milliseconds since `since` (a performance.now() value). */
export async function waitForHttp(url: string, child: ChildProcess, since: number, timeoutMs = 15_000): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process for ${url} exited with code ${child.exitCode} before answering`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (performance.now() - since > timeoutMs) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resident set size and its high-water mark of a process, in bytes (Linux /proc). */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib("VmRSS"), hwm: kib("VmHWM") };
}
