// Performs one Dockerfile stage in a host folder standing in for the stage's WORKDIR: COPY from the
// build context (minus .dockerignore) or from an earlier stage, RUN through `sh -c`, and the rest
// recorded for the test to check. No Docker engine is needed.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, statSync } from "node:fs";
import { basename, join, posix, relative } from "node:path";
import { instructions, parseCopy, parseEnv, parseExecForm, healthcheckCommand, type Stage } from "./dockerfile.js";

export interface StageResult {
  workdir: string;
  /** The host folder that stands in for `workdir`. */
  dir: string;
  env: Record<string, string>;
  user: string | undefined;
  volumes: string[];
  exposed: string[];
  cmd: string[] | undefined;
  healthcheck: string | undefined;
  /** Top-level entries COPY put into the WORKDIR, in order. */
  copied: string[];
  /** RUN lines not executed, with the reason. */
  skipped: string[];
}

export interface StageOptions {
  contextDir: string;
  hostDir: string;
  ignored: (path: string) => boolean;
  previous: Map<string, StageResult>;
  /** Environment for RUN lines besides the stage's ENV (PATH, HOME, proxies). */
  baseEnv: Record<string, string>;
}

/** Performs `stage` into `opts.hostDir` and returns what it declared. */
export async function performStage(stage: Stage, opts: StageOptions): Promise<StageResult> {
  mkdirSync(opts.hostDir, { recursive: true });
  const result: StageResult = {
    workdir: "/",
    dir: opts.hostDir,
    env: {},
    user: undefined,
    volumes: instructions(stage, "VOLUME").flatMap((i) => i.args.split(/\s+/)),
    exposed: [],
    cmd: undefined,
    healthcheck: undefined,
    copied: [],
    skipped: [],
  };
  for (const { op, args } of stage.instructions) {
    if (op === "WORKDIR") {
      if (result.copied.length > 0 || !posix.isAbsolute(args)) throw new Error(`unsupported WORKDIR ${args}`);
      result.workdir = args;
    } else if (op === "ENV") Object.assign(result.env, parseEnv(args));
    else if (op === "COPY") copy(parseCopy(args), result, opts);
    else if (op === "RUN") await run(args, result, opts);
    else if (op === "USER") result.user = args;
    else if (op === "EXPOSE") result.exposed.push(...args.split(/\s+/));
    else if (op === "CMD") result.cmd = parseExecForm(args);
    else if (op === "HEALTHCHECK") result.healthcheck = healthcheckCommand(args);
    else if (op !== "VOLUME") throw new Error(`the recipe test does not know ${op}; teach test/docker/recipe.ts`);
  }
  return result;
}

/** Docker's COPY: a folder's contents go into DEST; files go into DEST/ (or become DEST). */
function copy(c: ReturnType<typeof parseCopy>, into: StageResult, opts: StageOptions): void {
  const from = c.from === undefined ? undefined : opts.previous.get(c.from);
  if (c.from !== undefined && !from) throw new Error(`COPY --from=${c.from}: no such stage performed`);
  const dest = hostPath(into, c.dest);
  for (const source of c.sources) {
    const src = from ? hostPath(from, source) : join(opts.contextDir, source);
    const isDir = statSync(src).isDirectory();
    const target = isDir || !(c.dest.endsWith("/") || c.sources.length > 1) ? dest : join(dest, basename(src));
    // verbatimSymlinks: node_modules/.bin holds relative links that must stay relative.
    cpSync(src, target, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (path) => from !== undefined || !opts.ignored(relative(opts.contextDir, path).split("\\").join("/")),
    });
    const top = relative(into.dir, target).split("/")[0]!;
    if (top && !into.copied.includes(top)) into.copied.push(top);
  }
}

/** Maps a path inside the stage's image (absolute, or relative to WORKDIR) to the host folder. */
function hostPath(stage: StageResult, path: string): string {
  const inImage = posix.resolve(stage.workdir, path);
  const rel = posix.relative(stage.workdir, inImage);
  if (rel.startsWith("..")) throw new Error(`${path} is outside WORKDIR ${stage.workdir}; the recipe test maps only WORKDIR`);
  return join(stage.dir, rel);
}

async function run(command: string, stage: StageResult, opts: StageOptions): Promise<void> {
  if (/^apt-get\b/.test(command)) {
    // System packages cannot be installed here; the machine must already have their commands.
    const packages = /apt-get install ([^&]+)/.exec(command)?.[1]?.split(/\s+/).filter((w) => w && !w.startsWith("-")) ?? [];
    const missing = packages.filter((p) => spawnSync("sh", ["-c", `command -v ${p}`]).status !== 0);
    if (missing.length) throw new Error(`the build stage installs ${missing.join(", ")} with apt-get; install them here to run the recipe test`);
    stage.skipped.push(`${command} (its commands are present)`);
    return;
  }
  const absolute = command.match(/(?<=^|\s)\/[^\s;&|]*/g) ?? [];
  if (absolute.length > 0) {
    // Preparing the VOLUME folder is replaced by the test's temporary DATA_DIR; anything else outside
    // WORKDIR would change this machine, so the test refuses it rather than run it.
    if (absolute.every((p) => stage.volumes.includes(p))) return void stage.skipped.push(`${command} (prepares the volume)`);
    throw new Error(`RUN ${command} touches paths outside WORKDIR; teach test/docker/recipe.ts how to perform it`);
  }
  const env = { ...opts.baseEnv, ...stage.env };
  const { code, output } = await exec("sh", ["-c", command], { cwd: stage.dir, env, timeoutMs: 15 * 60_000 });
  if (code !== 0) throw new Error(`RUN ${command} failed with exit code ${code}:\n${output.slice(-4000)}`);
}

export interface ExecOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  uid?: number;
  gid?: number;
  input?: string;
}

export interface ExecResult {
  code: number | null;
  /** stdout and stderr, interleaved. */
  output: string;
  stdout: string;
}

/** Starts a command, collecting its output; kills it after the timeout. */
export function start(file: string, args: string[], opts: ExecOptions): { child: ChildProcess; done: Promise<ExecResult> } {
  const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, uid: opts.uid, gid: opts.gid, stdio: ["pipe", "pipe", "pipe"] });
  const done = new Promise<ExecResult>((resolve, reject) => {
    let output = "";
    let stdout = "";
    child.stdout!.on("data", (d: Buffer) => ((output += d), (stdout += d)));
    child.stderr!.on("data", (d: Buffer) => (output += d));
    child.stdin!.end(opts.input ?? "");
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, stdout });
    });
  });
  return { child, done };
}

/** Runs a command to its end (see `start`). */
export const exec = (file: string, args: string[], opts: ExecOptions): Promise<ExecResult> => start(file, args, opts).done;
