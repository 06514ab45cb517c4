// Runs the real `cargo` against a cargohold server listening on loopback, in a fully isolated
// environment (its own CARGO_HOME, config and token), for the end-to-end tests in cargo.test.ts.
// The server runs in this process, so cargo is always spawned asynchronously.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Config } from "../../src/config.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

// ---------------------------------------------------------------------------------------------
// Temporary folders

const tempDirs: string[] = [];

/** A new empty folder under the OS temp dir, removed by `removeTempDirs()`. */
export function tempDir(prefix = "cargohold-e2e-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes every folder made by `tempDir()` (call it in afterAll). */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Cargo detection

/** `cargo --version` output, or undefined when cargo cannot run here. */
export function cargoVersion(): string | undefined {
  try {
    const r = spawnSync("cargo", ["--version"], { encoding: "utf8", timeout: 30_000 });
    return r.status === 0 ? r.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The registry

export interface StartRegistryOptions {
  config?: Partial<Config>;
  now?: () => Date;
}

export type Registry = TestApp & {
  /** `http://127.0.0.1:<port>`, also the registry's publicUrl. */
  url: string;
  port: number;
  /** The index URL as a consumer configures it: `sparse+http://127.0.0.1:<port>/index/`. */
  indexUrl: string;
  server: Server;
  /** Closes the server (dropping keep-alive connections) and removes the data folder. */
  stop(): Promise<void>;
};

/**
 * Listens on a free loopback port first, then builds the app with `publicUrl` pointing at that
 * port (config.json must name the real address), then attaches the app to the server.
 */
export async function startRegistry(opts: StartRegistryOptions = {}): Promise<Registry> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let t: TestApp;
  try {
    t = createTestApp({ config: { publicUrl: url, ...opts.config }, now: opts.now });
  } catch (error) {
    server.close();
    throw error;
  }
  server.on("request", t.app);
  return Object.assign(t, {
    url,
    port,
    indexUrl: `sparse+${url}/index/`,
    server,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      t.close();
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Cargo's environment

export interface CargoEnvOptions {
  /** Shared build folder (speeds up builds); defaults to one inside the new CARGO_HOME's folder. */
  targetDir?: string;
  /** Extra lines appended to $CARGO_HOME/config.toml. */
  extraConfig?: string;
}

export interface CargoEnv {
  /** The environment to pass to `runCargo`. */
  vars: Record<string, string>;
  cargoHome: string;
}

// Variables kept from the parent environment: enough to find and run rustup's cargo and rustc,
// and nothing that could send cargo elsewhere (CARGO_*, proxies, wrappers).
const KEEP = ["PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "TERM", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN", "RUSTUP_AUTO_INSTALL"];

/**
 * A fresh, isolated cargo environment for `registry`: a new CARGO_HOME whose config.toml names the
 * registry `local` (sparse index, `cargo:token` provider, which auth-required registries need),
 * and the token (if any) in CARGO_REGISTRIES_LOCAL_TOKEN.
 */
export function cargoEnv(registry: Pick<Registry, "indexUrl">, token: string | undefined, opts: CargoEnvOptions = {}): CargoEnv {
  const root = tempDir("cargohold-e2e-home-");
  const cargoHome = join(root, "cargo-home");
  mkdirSync(cargoHome, { recursive: true });
  writeFileSync(
    join(cargoHome, "config.toml"),
    [
      `[registries.local]`,
      `index = "${registry.indexUrl}"`,
      `credential-provider = "cargo:token"`,
      ``,
      `[registry]`,
      `global-credential-providers = ["cargo:token"]`,
      ``,
      opts.extraConfig ?? "",
    ].join("\n"),
  );
  const vars: Record<string, string> = {};
  for (const key of KEEP) {
    const value = process.env[key];
    if (value !== undefined) vars[key] = value;
  }
  Object.assign(vars, {
    CARGO_HOME: cargoHome,
    CARGO_TARGET_DIR: opts.targetDir ?? join(root, "target"),
    CARGO_TERM_COLOR: "never",
    CARGO_TERM_PROGRESS_WHEN: "never",
    // Loopback only: never go through a proxy, even if one is configured for the machine.
    NO_PROXY: "*",
    no_proxy: "*",
  });
  if (token !== undefined) vars.CARGO_REGISTRIES_LOCAL_TOKEN = token;
  return { vars, cargoHome };
}

// ---------------------------------------------------------------------------------------------
// Running cargo

export interface CargoResult {
  args: string[];
  cwd: string;
  /** Exit code, or null when cargo was killed (see `timedOut`). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export interface RunCargoOptions {
  cwd: string;
  env: CargoEnv;
  input?: string;
  timeoutMs?: number;
}

/** Runs cargo asynchronously (the server shares this process) and kills it after the timeout. */
export function runCargo(args: string[], opts: RunCargoOptions): Promise<CargoResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("cargo", args, {
      cwd: opts.cwd,
      env: opts.env.vars,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 120_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const result = { args, cwd: opts.cwd, code, stdout, stderr, timedOut, ms: Date.now() - started };
      // CARGOHOLD_E2E_VERBOSE=1 prints every cargo run, to see cargo's real wording.
      if (process.env.CARGOHOLD_E2E_VERBOSE) console.log(describeRun(result));
      resolve(result);
    });
  });
}

/** A readable account of a cargo run, for assertion messages. */
export function describeRun(r: CargoResult): string {
  const status = r.timedOut ? `was killed after ${r.ms} ms (timeout)` : `exited with ${r.code} after ${r.ms} ms`;
  return [`\`cargo ${r.args.join(" ")}\` (in ${r.cwd}) ${status}`, `--- stdout ---`, r.stdout, `--- stderr ---`, r.stderr].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Writing crates

export interface CrateOptions {
  /** Dependency key → TOML value, e.g. `{ alpha: '{ package = "demo-a", version = "0.1", registry = "local" }' }`. */
  deps?: Record<string, string>;
  /** Contents of src/lib.rs. */
  lib?: string;
  description?: string;
  /** Appended to Cargo.toml after the [dependencies] table. */
  extraToml?: string;
}

/** Writes `dir/Cargo.toml` (publishable only to `local`) and `dir/src/lib.rs`; returns `dir`. */
export function writeCrate(dir: string, name: string, version: string, opts: CrateOptions = {}): string {
  mkdirSync(join(dir, "src"), { recursive: true });
  const deps = Object.entries(opts.deps ?? {}).map(([key, value]) => `${key} = ${value}`);
  const toml = [
    `[package]`,
    `name = "${name}"`,
    `version = "${version}"`,
    `edition = "2021"`,
    `description = ${JSON.stringify(opts.description ?? `The ${name} crate, published by the cargohold end-to-end tests`)}`,
    `license = "MIT"`,
    `publish = ["local"]`,
    ``,
    `[dependencies]`,
    ...deps,
    ``,
    opts.extraToml ?? "",
  ].join("\n");
  writeFileSync(join(dir, "Cargo.toml"), toml);
  const fnName = name.replace(/-/g, "_");
  writeFileSync(join(dir, "src", "lib.rs"), opts.lib ?? `pub fn ${fnName}() -> &'static str {\n    "${name} ${version}"\n}\n`);
  return dir;
}

/** Writes a virtual workspace manifest at `dir/Cargo.toml` with the given member folders. */
export function writeWorkspace(dir: string, members: string[]): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "Cargo.toml"), [`[workspace]`, `members = ${JSON.stringify(members)}`, `resolver = "2"`, ``].join("\n"));
  return dir;
}

/** Writes a file, creating its folders. */
export function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
