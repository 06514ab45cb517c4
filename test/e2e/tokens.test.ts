// Token scopes, crate patterns, expiry and revocation as the real cargo sees them, against an
// auth-required cargohold server on loopback. Every step runs cargo and checks its exit code and
// that its output carries the server's exact reason (cargo prints API errors as
// "the remote server responded with an error (status 403 Forbidden): <detail>", and the body of a
// 401 on the index after "token rejected for `local`"). One registry serves the whole file and the
// tests run in order: later ones use the crates the earlier ones published.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EndpointScope } from "../../src/auth/scopes.js";
import { revokeApiToken } from "../../src/auth/token-service.js";
import type { User } from "../../src/db/users.js";
import type { LogFields } from "../../src/logger.js";
import { indexPath } from "../../src/registry/index-path.js";
import { canonicalName } from "../../src/registry/names.js";
import { isoSeconds } from "../../src/time.js";
import {
  cargoEnv,
  cargoVersion,
  describeRun,
  removeTempDirs,
  runCargo,
  startRegistry,
  tempDir,
  writeCrate,
  type CargoEnv,
  type CargoResult,
  type Registry,
} from "./cargo-harness.js";

const version = cargoVersion();
const hasCargo = version !== undefined;
if (!hasCargo) {
  console.warn("test/e2e/tokens.test.ts: SKIPPED, `cargo` is not on PATH (install a Rust toolchain to run the real-cargo tests)");
}

/** Each scenario runs several cargo commands; publishes compile a tiny crate to verify it. */
const STEP_TIMEOUT = 240_000;

const FORBIDDEN = "the remote server responded with an error (status 403 Forbidden): ";
const TOKEN_REJECTED = "token rejected for `local`, please run `cargo login --registry local`";

describe.skipIf(!hasCargo)(`token scopes, crate patterns, expiry and revocation with real cargo (${version ?? "not installed: skipped"})`, () => {
  let reg: Registry;
  let alice: User;
  let bob: User;
  /** alice's token with every scope and no crate limit. */
  let fullToken: string;
  /** Every plaintext token made in this file: none may ever appear in cargo's output. */
  const plaintexts: string[] = [];
  /** Shared build folder: every cargo run in this file reuses it. */
  let targetDir: string;
  /** Everything the server logs, captured to check it names tokens by id and never by secret. */
  const logEntries: ({ level: string; msg: string } & LogFields)[] = [];

  const makeToken = (user: User, opts: { scopes?: EndpointScope[]; crates?: string[] | null; expiresAt?: Date | null; name?: string } = {}) => {
    const t = reg.createToken(user, opts);
    plaintexts.push(t.token);
    return t;
  };
  /** A new CARGO_HOME using `tok`. */
  const envFor = (tok: string) => cargoEnv(reg, tok, { targetDir });
  const cargo = (args: string[], cwd: string, env: CargoEnv) => runCargo(args, { cwd, env });
  /** A consumer crate (never published) in a new folder. */
  const consumer = (name: string, deps: Record<string, string>) => writeCrate(join(tempDir(), name), name, "0.0.0", { deps });
  /** A publishable crate in a new folder. */
  const crateDir = (name: string, vers: string) => writeCrate(join(tempDir(), `${name}-${vers}`), name, vers);
  const versionsOf = (name: string) => {
    const crate = reg.ctx.db.crates.findByCanonicalName(canonicalName(name));
    return crate ? reg.ctx.db.versions.listForCrate(crate.id).map((v) => ({ num: v.num, yanked: v.yanked })) : [];
  };
  const ownersOf = (name: string) => {
    const crate = reg.ctx.db.crates.findByCanonicalName(canonicalName(name))!;
    return reg.ctx.db.crates.listOwners(crate.id).map((o) => o.login);
  };
  /** The crate's index file as a valid token sees it: status, body and ETag. */
  const indexFile = async (name: string) => {
    const res = await fetch(`${reg.url}/index/${indexPath(name)}`, { headers: { Authorization: fullToken } });
    return { status: res.status, etag: res.headers.get("etag"), body: await res.text() };
  };
  /** The registry's state that a refused write must leave alone. */
  const snapshot = () => ({ files: reg.storedFiles(), rows: reg.rowCounts() });

  function expectSuccess(r: CargoResult): void {
    expect(r.timedOut, describeRun(r)).toBe(false);
    expect(r.code, describeRun(r)).toBe(0);
  }

  /** A refused cargo run: non-zero exit, the reason in its output, and no token anywhere in it. */
  function expectRefusal(r: CargoResult, ...expected: string[]): void {
    expect(r.timedOut, describeRun(r)).toBe(false);
    expect(r.code, describeRun(r)).not.toBe(0);
    const output = r.stdout + r.stderr;
    for (const text of expected) expect(output, describeRun(r)).toContain(text);
    for (const secret of plaintexts) expect(output.includes(secret), `a plaintext token appears in the output of\n${describeRun(r)}`).toBe(false);
    expect(output, describeRun(r)).not.toMatch(/cargohold_[A-Za-z0-9]{20,}/);
  }

  beforeAll(async () => {
    reg = await startRegistry();
    // The harness cannot pass a logger; the context's is read on every call, so swap it here.
    const capture = (level: string) => (msg: string, fields: LogFields = {}) => void logEntries.push({ level, msg, ...fields });
    reg.ctx.logger = { debug: capture("debug"), info: capture("info"), warn: capture("warn"), error: capture("error"), flush: () => undefined };
    alice = reg.createUser("alice", { name: "Alice" });
    bob = reg.createUser("bob", { name: "Bob" });
    fullToken = makeToken(alice, { name: "full" }).token;
    targetDir = tempDir("cargohold-e2e-target-");
  });

  afterAll(async () => {
    await reg?.stop();
    removeTempDirs();
  });

  it(
    "a publish-update-only token cannot create a crate, but publishes a new version once the crate exists",
    async () => {
      const updateOnly = makeToken(alice, { name: "update-only", scopes: ["publish-update"] });
      const updateEnv = envFor(updateOnly.token);
      const before = snapshot();

      const refused = await cargo(["publish", "--registry", "local"], crateDir("scoped-new", "0.1.0"), updateEnv);

      expectRefusal(
        refused,
        "failed to publish scoped-new v0.1.0 to registry at",
        `${FORBIDDEN}this token lacks the \`publish-new\` scope (it has: publish-update)`,
      );
      expect(snapshot()).toEqual(before);
      expect(versionsOf("scoped-new")).toEqual([]);

      const first = await cargo(["publish", "--registry", "local"], crateDir("scoped-new", "0.1.0"), envFor(fullToken));
      expectSuccess(first);
      expect(first.stderr, describeRun(first)).toContain("Published scoped-new v0.1.0 at registry `local`");

      const update = await cargo(["publish", "--registry", "local"], crateDir("scoped-new", "0.2.0"), updateEnv);
      expectSuccess(update);
      expect(update.stderr, describeRun(update)).toContain("Published scoped-new v0.2.0 at registry `local`");
      expect(versionsOf("scoped-new")).toEqual([
        { num: "0.1.0", yanked: false },
        { num: "0.2.0", yanked: false },
      ]);
      // The audit entry names the token that published.
      const audit = reg.ctx.db.sqlite
        .prepare(`SELECT token_id AS tokenId FROM audit_log WHERE action = 'publish' AND version = '0.2.0' AND crate_name = 'scoped-new'`)
        .all() as { tokenId: number }[];
      expect(audit).toEqual([{ tokenId: updateOnly.id }]);
    },
    STEP_TIMEOUT,
  );

  it(
    "a token limited to `foo-*` publishes foo-bar and (canonically) foo_qux, but not baz",
    async () => {
      const fooEnv = envFor(makeToken(alice, { name: "foo only", crates: ["foo-*"] }).token);

      const bar = await cargo(["publish", "--registry", "local"], crateDir("foo-bar", "0.1.0"), fooEnv);
      expectSuccess(bar);
      expect(bar.stderr, describeRun(bar)).toContain("Published foo-bar v0.1.0 at registry `local`");

      const before = snapshot();
      const baz = await cargo(["publish", "--registry", "local"], crateDir("baz", "0.1.0"), fooEnv);
      expectRefusal(
        baz,
        "failed to publish baz v0.1.0 to registry at",
        `${FORBIDDEN}this token is limited to crates matching \`foo-*\`, which does not include \`baz\``,
      );
      expect(snapshot()).toEqual(before);
      expect(versionsOf("baz")).toEqual([]);

      // Patterns match canonically: `-` equals `_`.
      const qux = await cargo(["publish", "--registry", "local"], crateDir("foo_qux", "0.1.0"), fooEnv);
      expectSuccess(qux);
      expect(qux.stderr, describeRun(qux)).toContain("Published foo_qux v0.1.0 at registry `local`");
      expect(versionsOf("foo-bar")).toEqual([{ num: "0.1.0", yanked: false }]);
      expect(versionsOf("foo_qux")).toEqual([{ num: "0.1.0", yanked: false }]);
    },
    STEP_TIMEOUT,
  );

  it(
    "an expired token makes cargo publish and cargo build fail, saying when it expired and where to make a new one",
    async () => {
      const expiresAt = new Date(Date.now() - 3600_000);
      const expired = makeToken(alice, { name: "expired", expiresAt });
      const reason = `this token expired on ${isoSeconds(expiresAt)}; create a new one at ${reg.url}/settings/tokens/new?from=${expired.id}`;
      const before = snapshot();

      const publish = await cargo(["publish", "--registry", "local"], crateDir("scoped-new", "0.3.0"), envFor(expired.token));
      // cargo 1.95 reads the index before packaging, so the 401 there (with the reason as its body) stops it.
      expectRefusal(publish, TOKEN_REJECTED, "got 401", reason);
      expect(publish.stderr, describeRun(publish)).not.toContain("Uploading");
      expect(snapshot()).toEqual(before);

      const dir = consumer("use-expired", { "scoped-new": '{ version = "0.2", registry = "local" }' });
      const build = await cargo(["build"], dir, envFor(expired.token));
      expectRefusal(build, TOKEN_REJECTED, "CARGO_REGISTRIES_LOCAL_TOKEN", "got 401", reason);
    },
    STEP_TIMEOUT,
  );

  it(
    "a revoked token stops working on the very next request",
    async () => {
      const doomed = makeToken(alice, { name: "doomed" });
      const env = envFor(doomed.token);
      const dir = consumer("use-revoked", { "scoped-new": '{ version = "0.2", registry = "local" }' });
      expectSuccess(await cargo(["generate-lockfile"], dir, env));
      expectSuccess(await cargo(["fetch"], dir, env));

      expect(revokeApiToken(reg.ctx, reg.ctx.db.tokens.findById(doomed.id)!, alice.id)).toBe(true);
      const revokedAt = reg.ctx.db.tokens.findById(doomed.id)!.revokedAt!;
      const reason = `this token was revoked on ${revokedAt}; create a new one at ${reg.url}/settings/tokens/new?from=${doomed.id}`;
      const indexBefore = await indexFile("scoped-new");

      // The same CARGO_HOME that just worked.
      const yank = await cargo(["yank", "--registry", "local", "scoped-new@0.1.0"], tempDir(), env);
      expectRefusal(yank, reason);
      expect(versionsOf("scoped-new")[0]).toEqual({ num: "0.1.0", yanked: false });
      expect(await indexFile("scoped-new")).toEqual(indexBefore);

      const update = await cargo(["update"], dir, env);
      expectRefusal(update, TOKEN_REJECTED, reason);

      const fresh = consumer("use-revoked-2", { "scoped-new": '{ version = "0.2", registry = "local" }' });
      const lock = await cargo(["generate-lockfile"], fresh, envFor(doomed.token));
      expectRefusal(lock, TOKEN_REJECTED, "got 401", reason);
    },
    STEP_TIMEOUT,
  );

  it(
    "a yank-only token yanks and unyanks but cannot change owners; refused yanks leave the index file and ETag alone",
    async () => {
      const yankEnv = envFor(makeToken(alice, { name: "yank only", scopes: ["yank"] }).token);
      const cwd = tempDir();

      const yank = await cargo(["yank", "--registry", "local", "scoped-new@0.1.0"], cwd, yankEnv);
      expectSuccess(yank);
      expect(yank.stderr, describeRun(yank)).toContain("Yank scoped-new@0.1.0");
      expect(versionsOf("scoped-new")[0]).toEqual({ num: "0.1.0", yanked: true });

      const unyank = await cargo(["yank", "--undo", "--registry", "local", "scoped-new@0.1.0"], cwd, yankEnv);
      expectSuccess(unyank);
      expect(unyank.stderr, describeRun(unyank)).toContain("Unyank scoped-new@0.1.0");
      expect(versionsOf("scoped-new")[0]).toEqual({ num: "0.1.0", yanked: false });

      const owners = await cargo(["owner", "--registry", "local", "--add", "bob", "scoped-new"], cwd, yankEnv);
      expectRefusal(
        owners,
        "failed to invite owners to crate `scoped-new` on registry at",
        `${FORBIDDEN}this token lacks the \`change-owners\` scope (it has: yank)`,
      );
      expect(ownersOf("scoped-new")).toEqual(["alice"]);

      // Refused yanks: wrong endpoint scope, crate outside the token's patterns, not an owner.
      const indexBefore = await indexFile("scoped-new");
      expect(indexBefore.status).toBe(200);
      expect(indexBefore.etag).toBeTruthy();
      const rows = reg.rowCounts();
      const refusals: [CargoEnv, string][] = [
        [envFor(makeToken(alice, { name: "update only 2", scopes: ["publish-update"] }).token), "this token lacks the `yank` scope (it has: publish-update)"],
        [envFor(makeToken(alice, { name: "foo only 2", crates: ["foo-*"] }).token), "this token is limited to crates matching `foo-*`, which does not include `scoped-new`"],
        [envFor(makeToken(bob, { name: "bob" }).token), "you are not an owner of crate `scoped-new`"],
      ];
      for (const [env, detail] of refusals) {
        const r = await cargo(["yank", "--registry", "local", "scoped-new@0.1.0"], cwd, env);
        expectRefusal(r, "failed to yank from the registry at", `${FORBIDDEN}${detail}`);
        expect(await indexFile("scoped-new")).toEqual(indexBefore);
      }
      expect(versionsOf("scoped-new")[0]).toEqual({ num: "0.1.0", yanked: false });
      expect(reg.rowCounts()).toEqual(rows);
    },
    STEP_TIMEOUT,
  );

  it(
    "DELETE /api/v1/tokens/current revokes a crate-scoped yank-only token, which cargo then sees refused",
    async () => {
      const narrow = makeToken(alice, { name: "narrow", scopes: ["yank"], crates: ["foo-bar"] });
      const env = envFor(narrow.token);
      const cwd = tempDir();
      // It works first.
      expectSuccess(await cargo(["yank", "--registry", "local", "foo-bar@0.1.0"], cwd, env));
      expectSuccess(await cargo(["yank", "--undo", "--registry", "local", "foo-bar@0.1.0"], cwd, env));

      const res = await fetch(`${reg.url}/api/v1/tokens/current`, { method: "DELETE", headers: { Authorization: narrow.token } });
      expect(res.status, await res.text()).toBe(204);
      const revokedAt = reg.ctx.db.tokens.findById(narrow.id)!.revokedAt;
      expect(revokedAt).toBeTruthy();
      const reason = `this token was revoked on ${revokedAt}; create a new one at ${reg.url}/settings/tokens/new?from=${narrow.id}`;

      const indexBefore = await indexFile("foo-bar");
      const yank = await cargo(["yank", "--registry", "local", "foo-bar@0.1.0"], cwd, env);
      expectRefusal(yank, reason);
      expect(versionsOf("foo-bar")).toEqual([{ num: "0.1.0", yanked: false }]);
      expect(await indexFile("foo-bar")).toEqual(indexBefore);

      const dir = consumer("use-narrow", { "foo-bar": '{ version = "0.1", registry = "local" }' });
      const lock = await cargo(["generate-lockfile"], dir, envFor(narrow.token));
      expectRefusal(lock, TOKEN_REJECTED, reason);

      // A second self-revocation is refused too (the token is already dead), with the same reason.
      const again = await fetch(`${reg.url}/api/v1/tokens/current`, { method: "DELETE", headers: { Authorization: narrow.token } });
      expect(again.status).toBe(403);
      expect(await again.json()).toEqual({ errors: [{ detail: reason }] });
    },
    STEP_TIMEOUT,
  );

  it(
    "logs each refusal with its cause and token id, and never logs a token",
    () => {
      const logText = JSON.stringify(logEntries);
      for (const secret of plaintexts) expect(logText.includes(secret)).toBe(false);
      expect(logText).not.toMatch(/cargohold_[A-Za-z0-9]{20,}/);
      expect(logEntries.filter((e) => e.level === "error")).toEqual([]);
      const refusals = logEntries.filter((e) => e.msg === "request refused");
      const causes = new Set(refusals.map((e) => e.cause));
      for (const cause of ["endpoint-scope", "crate-scope", "expired", "revoked"]) expect(causes, JSON.stringify(refusals)).toContain(cause);
      // cargo's first config.json request carries no token (it learns auth-required from the 401);
      // every refusal of a token that exists must name it by id.
      for (const e of refusals.filter((r) => r.cause !== "missing")) expect(e.tokenId, JSON.stringify(e)).toEqual(expect.any(Number));
    },
    STEP_TIMEOUT,
  );
});
