// The real cargo (publish, build, yank, owner, search, add, info) against a cargohold server on
// loopback, with auth required (the default). One registry serves the whole file and the tests run
// in order: later ones use the crates the first ones published. The crates depend only on each
// other, so cargo never needs crates.io.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateToken } from "../../src/auth/tokens.js";
import { canonicalName } from "../../src/registry/names.js";
import type { User } from "../../src/db/users.js";
import {
  cargoEnv,
  cargoVersion,
  describeRun,
  removeTempDirs,
  runCargo,
  startRegistry,
  tempDir,
  writeCrate,
  writeWorkspace,
  type CargoEnv,
  type CargoResult,
  type Registry,
} from "./cargo-harness.js";

const version = cargoVersion();
const hasCargo = version !== undefined;
if (!hasCargo) {
  console.warn("test/e2e/cargo.test.ts: SKIPPED, `cargo` is not on PATH (install a Rust toolchain to run the real-cargo tests)");
}

/** Each scenario runs a few cargo commands, some of which compile. */
const STEP_TIMEOUT = 240_000;

function expectSuccess(r: CargoResult): void {
  expect(r.code, describeRun(r)).toBe(0);
}

function expectFailure(r: CargoResult): void {
  expect(r.timedOut, describeRun(r)).toBe(false);
  expect(r.code, describeRun(r)).not.toBe(0);
}

/** Versions of `name` recorded in Cargo.lock (normally one). */
function lockedVersions(projectDir: string, name: string): string[] {
  const lock = readFileSync(join(projectDir, "Cargo.lock"), "utf8");
  return [...lock.matchAll(/\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"/g)].filter((m) => m[1] === name).map((m) => m[2]!);
}

describe.skipIf(!hasCargo)(`real cargo (${version ?? "not installed: skipped"}) against an auth-required registry`, () => {
  let reg: Registry;
  let alice: User;
  let token: string;
  /** Shared build folder: every cargo run in this file reuses it. */
  let targetDir: string;
  /** The publisher's cargo environment (alice's token). */
  let env: CargoEnv;

  /** A new CARGO_HOME; `tok` defaults to alice's token, `null` means no token at all. */
  const freshEnv = (tok: string | null = token) => cargoEnv(reg, tok ?? undefined, { targetDir });
  const cargo = (args: string[], cwd: string, e: CargoEnv = env) => runCargo(args, { cwd, env: e });
  const versionsOf = (name: string) => {
    const crate = reg.ctx.db.crates.findByCanonicalName(canonicalName(name));
    return crate ? reg.ctx.db.versions.listForCrate(crate.id).map((v) => ({ num: v.num, yanked: v.yanked })) : [];
  };
  const ownersOf = (name: string) => {
    const crate = reg.ctx.db.crates.findByCanonicalName(canonicalName(name))!;
    return reg.ctx.db.crates.listOwners(crate.id).map((o) => o.login);
  };
  /** A consumer crate (never published) in a new folder. */
  const consumer = (name: string, deps: Record<string, string>, lib = "") => writeCrate(join(tempDir(), name), name, "0.0.0", { deps, lib });

  beforeAll(async () => {
    reg = await startRegistry();
    alice = reg.createUser("alice", { name: "Alice" });
    reg.createUser("bob", { name: "Bob" });
    token = reg.createToken(alice, { name: "e2e" }).token;
    targetDir = tempDir("cargohold-e2e-target-");
    env = freshEnv();
  });

  afterAll(async () => {
    await reg?.stop();
    removeTempDirs();
  });

  it(
    "publishes a two-crate workspace whose second crate depends on the first under another name",
    async () => {
      const ws = writeWorkspace(tempDir(), ["demo-a", "demo-b"]);
      writeCrate(join(ws, "demo-a"), "demo-a", "0.1.0");
      writeCrate(join(ws, "demo-b"), "demo-b", "0.1.0", {
        // `path` lets cargo package demo-b before demo-a is in the registry; publish strips it.
        deps: { alpha: '{ package = "demo-a", version = "0.1", registry = "local", path = "../demo-a" }' },
        lib: `pub fn demo_b() -> String {\n    format!("b uses {}", alpha::demo_a())\n}\n`,
      });

      const r = await cargo(["publish", "--registry", "local", "--workspace"], ws);

      expectSuccess(r);
      expect(r.stderr, describeRun(r)).toContain("Uploaded demo-a v0.1.0 to registry `local`");
      expect(r.stderr, describeRun(r)).toContain("Uploaded demo-b v0.1.0 to registry `local`");
      // demo-b is uploaded only once cargo sees demo-a in the index (its wait loop polls the index).
      expect(r.stderr, describeRun(r)).toContain("Published demo-a v0.1.0 at registry `local`");
      expect(r.stderr, describeRun(r)).toContain("Published demo-b v0.1.0 at registry `local`");
      expect(r.stderr, describeRun(r)).not.toContain("timed out waiting");
      expect(versionsOf("demo-a")).toEqual([{ num: "0.1.0", yanked: false }]);
      expect(versionsOf("demo-b")).toEqual([{ num: "0.1.0", yanked: false }]);
      expect(reg.storedFiles()).toHaveLength(2);

      // The index line keeps the alias in `name` and the real crate in `package`; same registry → null.
      const res = await fetch(`${reg.url}/index/de/mo/demo-b`, { headers: { Authorization: token } });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const lines = text.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0]!) as { name: string; vers: string; deps: Record<string, unknown>[] };
      expect(line).toMatchObject({ name: "demo-b", vers: "0.1.0" });
      expect(line.deps).toEqual([expect.objectContaining({ name: "alpha", package: "demo-a", req: "^0.1", kind: "normal", registry: null })]);

      // And the index is private.
      const anonymous = await fetch(`${reg.url}/index/de/mo/demo-b`);
      expect(anonymous.status).toBe(401);
    },
    STEP_TIMEOUT,
  );

  it(
    "builds a consumer of demo-b, downloading both crates with a fresh CARGO_HOME",
    async () => {
      const dir = consumer("use-b", { "demo-b": '{ version = "0.1", registry = "local" }' }, `pub fn go() -> String {\n    demo_b::demo_b()\n}\n`);

      const r = await cargo(["build"], dir, freshEnv());

      expectSuccess(r);
      expect(r.stderr, describeRun(r)).toContain("Downloaded demo-a v0.1.0 (registry `local`)");
      expect(r.stderr, describeRun(r)).toContain("Downloaded demo-b v0.1.0 (registry `local`)");
      expect(r.stderr, describeRun(r)).toContain("Compiling demo-b v0.1.0 (registry `local`)");
      expect(lockedVersions(dir, "demo-a")).toEqual(["0.1.0"]);
      expect(reg.ctx.db.crates.findByCanonicalName("demo_a")!.downloads).toBeGreaterThanOrEqual(1);
    },
    STEP_TIMEOUT,
  );

  it(
    "skips a yanked version when resolving, still serves it to existing lockfiles, and picks it again after an unyank",
    async () => {
      const a2 = writeCrate(join(tempDir(), "demo-a"), "demo-a", "0.2.0");
      const published = await cargo(["publish", "--registry", "local"], a2);
      expectSuccess(published);
      expect(published.stderr, describeRun(published)).toContain("Published demo-a v0.2.0 at registry `local`");

      // A lockfile made before the yank keeps working: yanked versions stay downloadable.
      const pinned = consumer("pin-a", { "demo-a": '{ version = "0.2", registry = "local" }' });
      expectSuccess(await cargo(["generate-lockfile"], pinned, freshEnv()));
      expect(lockedVersions(pinned, "demo-a")).toEqual(["0.2.0"]);

      const yank = await cargo(["yank", "--registry", "local", "demo-a@0.2.0"], a2);
      expectSuccess(yank);
      expect(yank.stderr, describeRun(yank)).toContain("Yank demo-a@0.2.0");
      expect(versionsOf("demo-a")).toEqual([
        { num: "0.1.0", yanked: false },
        { num: "0.2.0", yanked: true },
      ]);

      const fetchYanked = await cargo(["fetch"], pinned, freshEnv());
      expectSuccess(fetchYanked);
      expect(fetchYanked.stderr, describeRun(fetchYanked)).toContain("Downloaded demo-a v0.2.0 (registry `local`)");

      // One consumer and one CARGO_HOME for both resolutions: the second must see the index change
      // (a new ETag), not a stale cached copy.
      const consumerEnv = freshEnv();
      const dir = consumer("use-a", { "demo-a": '{ version = ">=0.1", registry = "local" }' });
      const lock1 = await cargo(["generate-lockfile"], dir, consumerEnv);
      expectSuccess(lock1);
      expect(lockedVersions(dir, "demo-a"), describeRun(lock1)).toEqual(["0.1.0"]);

      const unyank = await cargo(["yank", "--undo", "--registry", "local", "demo-a@0.2.0"], a2);
      expectSuccess(unyank);
      expect(unyank.stderr, describeRun(unyank)).toContain("Unyank demo-a@0.2.0");
      expect(versionsOf("demo-a")[1]).toEqual({ num: "0.2.0", yanked: false });

      const lock2 = await cargo(["generate-lockfile"], dir, consumerEnv);
      expectSuccess(lock2);
      expect(lockedVersions(dir, "demo-a"), describeRun(lock2)).toEqual(["0.2.0"]);
    },
    STEP_TIMEOUT,
  );

  it(
    "adds, lists and removes an owner",
    async () => {
      const cwd = tempDir();
      const add = await cargo(["owner", "--registry", "local", "--add", "bob", "demo-a"], cwd);
      expectSuccess(add);
      expect(add.stderr, describeRun(add)).toContain("user bob has been added as an owner of crate demo-a");
      expect(ownersOf("demo-a")).toEqual(["alice", "bob"]);

      const list = await cargo(["owner", "--registry", "local", "--list", "demo-a"], cwd);
      expectSuccess(list);
      expect(list.stdout.split("\n").map((l) => l.trim()), describeRun(list)).toEqual(expect.arrayContaining(["alice (Alice)", "bob (Bob)"]));

      const remove = await cargo(["owner", "--registry", "local", "--remove", "bob", "demo-a"], cwd);
      expectSuccess(remove);
      expect(remove.stderr, describeRun(remove)).toContain('Owner removing ["bob"] from crate demo-a');
      expect(ownersOf("demo-a")).toEqual(["alice"]);

      const list2 = await cargo(["owner", "--registry", "local", "--list", "demo-a"], cwd);
      expectSuccess(list2);
      expect(list2.stdout, describeRun(list2)).toContain("alice (Alice)");
      expect(list2.stdout, describeRun(list2)).not.toContain("bob");
    },
    STEP_TIMEOUT,
  );

  it(
    "searches, and reports how many more matches a --limit hides",
    async () => {
      const cwd = tempDir();
      const all = await cargo(["search", "--registry", "local", "demo"], cwd);
      expectSuccess(all);
      expect(all.stdout, describeRun(all)).toMatch(/^demo-a = "0\.2\.0" +# The demo-a crate, published by the cargohold end-to-end tests$/m);
      expect(all.stdout, describeRun(all)).toMatch(/^demo-b = "0\.1\.0" +# /m);
      expect(all.stdout, describeRun(all)).not.toContain("crates more");

      const one = await cargo(["search", "--registry", "local", "--limit", "1", "demo"], cwd);
      expectSuccess(one);
      expect(one.stdout.match(/^demo-[ab] = /gm), describeRun(one)).toHaveLength(1);
      expect(one.stdout, describeRun(one)).toContain("... and 1 crates more (use --limit N to see more)");
    },
    STEP_TIMEOUT,
  );

  it(
    "cargo add picks the newest version and records the registry",
    async () => {
      const dir = consumer("add-a", {});
      const r = await cargo(["add", "--registry", "local", "demo-a"], dir);
      expectSuccess(r);
      expect(r.stderr, describeRun(r)).toContain("Adding demo-a v0.2.0 to dependencies");
      expect(readFileSync(join(dir, "Cargo.toml"), "utf8")).toContain('demo-a = { version = "0.2.0", registry = "local" }');
    },
    STEP_TIMEOUT,
  );

  it(
    "cargo info shows the description and license from the packaged manifest",
    async () => {
      const r = await cargo(["info", "--registry", "local", "demo-a"], tempDir());
      expectSuccess(r);
      expect(r.stdout, describeRun(r)).toContain("The demo-a crate, published by the cargohold end-to-end tests");
      expect(r.stdout, describeRun(r)).toMatch(/^version: 0\.2\.0/m);
      expect(r.stdout, describeRun(r)).toMatch(/^license: MIT$/m);
    },
    STEP_TIMEOUT,
  );

  it(
    "refuses a publish with an unknown token and stores nothing",
    async () => {
      const dir = writeCrate(join(tempDir(), "wrong-token"), "wrong-token", "0.1.0");
      const files = reg.storedFiles();
      const rows = reg.rowCounts();

      const r = await cargo(["publish", "--registry", "local"], dir, freshEnv(generateToken()));

      expectFailure(r);
      expect(r.stderr, describeRun(r)).toContain("token rejected for `local`, please run `cargo login --registry local`");
      expect(r.stderr, describeRun(r)).toContain("CARGO_REGISTRIES_LOCAL_TOKEN");
      expect(r.stderr, describeRun(r)).toContain("got 401");
      expect(r.stderr, describeRun(r)).toContain("this token is not known to this registry");
      expect(reg.storedFiles()).toEqual(files);
      expect(reg.rowCounts()).toEqual(rows);
    },
    STEP_TIMEOUT,
  );

  it(
    "tells a user with no token to log in",
    async () => {
      const dir = consumer("no-token", { "demo-a": '{ version = "0.1", registry = "local" }' });
      const r = await cargo(["generate-lockfile"], dir, freshEnv(null));
      expectFailure(r);
      expect(r.stderr, describeRun(r)).toContain("no token found for `local`, please run `cargo login --registry local`");
    },
    STEP_TIMEOUT,
  );

  it(
    "rejects re-publishing a yanked version (cargo's own pre-check does not see it)",
    async () => {
      const dir = writeCrate(join(tempDir(), "dup-test"), "dup-test", "1.0.0", { description: "Duplicate-version check" });
      const first = await cargo(["publish", "--registry", "local"], dir);
      expectSuccess(first);
      const yank = await cargo(["yank", "--registry", "local", "dup-test@1.0.0"], dir);
      expectSuccess(yank);
      const files = reg.storedFiles();
      const rows = reg.rowCounts();
      const checksum = reg.ctx.db.versions.listForCrate(reg.ctx.db.crates.findByCanonicalName("dup_test")!.id)[0]!.checksum;

      // A different file for the same version, so an overwrite would show.
      writeCrate(dir, "dup-test", "1.0.0", { description: "Duplicate-version check", lib: "pub fn changed() {}\n" });
      const again = await cargo(["publish", "--registry", "local"], dir);

      expectFailure(again);
      expect(again.stderr, describeRun(again)).toContain("Uploading dup-test v1.0.0");
      expect(again.stderr, describeRun(again)).toContain(
        "the remote server responded with an error (status 400 Bad Request): crate version `1.0.0` is already uploaded",
      );
      expect(reg.storedFiles()).toEqual(files);
      expect(reg.rowCounts()).toEqual(rows);
      expect(versionsOf("dup-test")).toEqual([{ num: "1.0.0", yanked: true }]);
      expect(reg.ctx.db.versions.listForCrate(reg.ctx.db.crates.findByCanonicalName("dup_test")!.id)[0]!.checksum).toBe(checksum);
    },
    STEP_TIMEOUT,
  );

  it(
    "reports a dependency missing from the registry",
    async () => {
      const dir = consumer("want-nope", { nope: '{ version = "1", registry = "local" }' });
      const r = await cargo(["generate-lockfile"], dir);
      expectFailure(r);
      expect(r.stderr, describeRun(r)).toContain("no matching package named `nope` found");
      expect(r.stderr, describeRun(r)).not.toContain("spurious network error");
    },
    STEP_TIMEOUT,
  );
});
