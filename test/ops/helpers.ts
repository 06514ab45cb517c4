// Helpers for the operations tests: running the CLI (in this process or as another user in a child
// process), throwaway folders, and fingerprints of a folder to prove a command left it untouched.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { runCli } from "../../src/cli/main.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function collector() {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += Buffer.from(chunk).toString("utf8");
      callback();
    },
  });
  return { stream, text: () => text };
}

/** Runs the CLI in this process with `env` as its whole environment. */
export async function cli(argv: string[], env: Record<string, string>, stdin = ""): Promise<CliResult> {
  const stdout = collector();
  const stderr = collector();
  const code = await runCli(argv, {
    stdin: Readable.from(stdin === "" ? [] : [stdin]),
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { BCRYPT_COST: "4", ...env },
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The uid/gid of `nobody`, used to run the CLI without root's power to write anywhere. */
export const NOBODY = 65534;
/** True when this process runs as root, which file permissions do not stop. */
export const isRoot = process.getuid?.() === 0;

/**
 * Runs the CLI in a child process; `asNobody` (root only) drops to uid/gid 65534 so that
 * permission checks apply as they do for a normal user.
 */
export function cliProcess(argv: string[], env: Record<string, string>, opts: { asNobody?: boolean } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "test/ops/cli-process.ts"), ...argv], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", BCRYPT_COST: "4", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      ...(opts.asNobody && isRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

const made: string[] = [];

/** A new folder under the OS temp dir (readable by every user), removed by `removeTempDirs()`. */
export function tempDir(prefix = "cargohold-ops-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // Other users (nobody, in the permission tests) must be able to reach what is inside.
  chmodSync(dir, 0o755);
  made.push(dir);
  return dir;
}

/** Removes every folder made by `tempDir()`. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Every entry below `dir` with its type, mode and (for files) SHA-256 and mtime: equal fingerprints
 * mean nothing was added, removed, changed or rewritten. Undefined when `dir` does not exist.
 * Never use it on a database this process holds open: closing any descriptor of a file drops all of
 * the process's POSIX locks on it, so SQLite elsewhere would think the database unused.
 */
export function fingerprint(dir: string): Record<string, string> | undefined {
  try {
    lstatSync(dir);
  } catch {
    return undefined;
  }
  const out: Record<string, string> = {};
  const walk = (path: string) => {
    const st = lstatSync(path);
    const key = relative(dir, path) || ".";
    if (st.isDirectory()) {
      out[key] = `dir ${st.mode.toString(8)}`;
      for (const name of readdirSync(path)) walk(join(path, name));
    } else {
      const sha = createHash("sha256").update(readFileSync(path)).digest("hex");
      out[key] = `file ${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${sha}`;
    }
  };
  walk(dir);
  return out;
}

/** Names of the entries of `dir` (sorted), to show nothing stray was left beside a target. */
export function entries(dir: string): string[] {
  return readdirSync(dir).sort();
}
