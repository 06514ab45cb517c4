import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authenticateToken } from "../../src/auth/authorize.js";
import { verifyPassword } from "../../src/auth/passwords.js";
import { ENDPOINT_SCOPES } from "../../src/auth/scopes.js";
import { generateToken, hashToken, tokenFormatProblem } from "../../src/auth/tokens.js";
import { cli as runInProcess } from "../ops/helpers.js";
import { loadConfig } from "../../src/config.js";
import { createContext, type AppContext } from "../../src/context.js";
import { silentLogger } from "../../src/logger.js";
import { isoSeconds } from "../../src/time.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "cargohold-cli-test-"));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs the CLI in this process on this test's data folder, with `stdin` as standard input. */
const cli = (argv: string[], stdin = "") => runInProcess(argv, { DATA_DIR: dataDir }, stdin);

/** Opens the data folder the CLI used, runs `fn` and closes it again. */
function withContext<T>(fn: (ctx: AppContext) => T): T {
  const ctx = createContext(loadConfig({ DATA_DIR: dataDir }), { logger: silentLogger });
  try {
    return fn(ctx);
  } finally {
    ctx.db.close();
  }
}

const userId = (login: string) => withContext((ctx) => ctx.db.users.findByLogin(login)!.id);
const tokensOf = (login: string) => withContext((ctx) => ctx.db.tokens.listForUser(ctx.db.users.findByLogin(login)!.id));

async function addAlice() {
  const result = await cli(["user", "add", "alice", "--name", "Alice", "--password-stdin"], "password\n");
  expect(result).toEqual({ code: 0, stdout: "created user alice\n", stderr: "" });
}

/** Creates a token through the CLI and returns its plaintext. */
async function createToken(args: string[]): Promise<string> {
  const result = await cli(["token", "create", ...args]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout.trim();
}

/** The `token list` table as objects keyed by its header. Cells are separated by two or more spaces. */
function parseTable(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trimEnd().split("\n");
  const columns = header!.split(/ {2,}/);
  return lines.map((line) => Object.fromEntries(line.split(/ {2,}/).map((cell, i) => [columns[i]!, cell])));
}

/** A request carrying `token` the way cargo sends it. */
const requestWith = (token: string) => ({ headers: { authorization: token }, url: "/api/v1/crates/new" }) as unknown as IncomingMessage;

describe("runCli", () => {
  it("prints the usage on stderr and exits 2 without a command", async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^usage: cargohold <command>\n/);
  });

  it("prints the usage on stdout for --help", async () => {
    const result = await cli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("token create LOGIN --name NAME");
    expect(result.stderr).toBe("");
  });

  it("exits 2 naming an unknown command", async () => {
    const result = await cli(["frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^cargohold: unknown command "frobnicate"\n\nusage: cargohold <command>/);
  });

  it("exits 2 for an unknown subcommand", async () => {
    const result = await cli(["token", "frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^cargohold: usage:\n  cargohold token create/);
  });
});

describe("user add", () => {
  it("creates the user with the password read from stdin", async () => {
    await addAlice();
    const user = withContext((ctx) => ctx.db.users.findByLogin("alice"));
    expect(user).toMatchObject({ login: "alice", name: "Alice", email: null, isAdmin: false, disabledAt: null });
    expect(user!.createdAt).toMatch(ISO_SECONDS);
    // The trailing newline of `echo password |` is not part of the password.
    expect(await verifyPassword("password", user!.passwordHash)).toBe(true);
    expect(await verifyPassword("password\n", user!.passwordHash)).toBe(false);
  });

  it("creates an admin with an email address", async () => {
    const result = await cli(["user", "add", "root", "--admin", "--email", "root@example.com", "--password-stdin"], "correct horse\r\n");
    expect(result).toEqual({ code: 0, stdout: "created user root (admin)\n", stderr: "" });
    const user = withContext((ctx) => ctx.db.users.findByLogin("root"));
    expect(user).toMatchObject({ login: "root", name: null, email: "root@example.com", isAdmin: true });
    expect(await verifyPassword("correct horse", user!.passwordHash)).toBe(true);
  });

  it("records the creation in the audit log", async () => {
    await addAlice();
    const actions = withContext((ctx) => ctx.db.sqlite.prepare("SELECT action FROM audit_log").all());
    expect(actions).toEqual([{ action: "user-create" }]);
  });

  it.each(["alice", "ALICE"])("refuses a duplicate login (%s)", async (login) => {
    await addAlice();
    const result = await cli(["user", "add", login, "--password-stdin"], "password2\n");
    expect(result).toEqual({ code: 1, stdout: "", stderr: `cargohold: a user with login "${login}" already exists\n` });
    expect(withContext((ctx) => ctx.db.users.count())).toBe(1);
  });

  it("refuses a password shorter than 8 characters", async () => {
    const result = await cli(["user", "add", "alice", "--password-stdin"], "short\n");
    expect(result).toEqual({ code: 1, stdout: "", stderr: "cargohold: the password must be at least 8 characters long\n" });
    expect(withContext((ctx) => ctx.db.users.count())).toBe(0);
  });

  it("refuses an empty stdin", async () => {
    const result = await cli(["user", "add", "alice", "--password-stdin"], "");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("cargohold: the password must be at least 8 characters long\n");
    expect(withContext((ctx) => ctx.db.users.count())).toBe(0);
  });

  it("exits 2 without --password-stdin", async () => {
    const result = await cli(["user", "add", "alice"], "password\n");
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "cargohold: give the password on standard input with --password-stdin (never as an argument)\n",
    });
    expect(withContext((ctx) => ctx.db.users.count())).toBe(0);
  });

  it("exits 2 naming an unknown flag", async () => {
    const result = await cli(["user", "add", "alice", "--bogus", "--password-stdin"], "password\n");
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^cargohold: Unknown option '--bogus'/);
    expect(withContext((ctx) => ctx.db.users.count())).toBe(0);
  });

  it("exits 2 without a login", async () => {
    const result = await cli(["user", "add", "--password-stdin"], "password\n");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("cargohold: usage: cargohold user add LOGIN [--admin] [--name NAME] [--email EMAIL] --password-stdin\n");
  });

  it("refuses an invalid login, naming it", async () => {
    const result = await cli(["user", "add", "-x", "--password-stdin"], "password\n");
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("-x");
  });
});

describe("token create", () => {
  beforeEach(addAlice);

  it("prints the token alone, on one line, and nothing else", async () => {
    const result = await cli(["token", "create", "alice", "--name", "ci"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^[^\n]+\n$/);
    expect(tokenFormatProblem(result.stdout.slice(0, -1))).toBeUndefined();
  });

  it("stores only the hash, with every scope, every crate and no expiry by default", async () => {
    const before = isoSeconds(new Date());
    const token = await createToken(["alice", "--name", "ci"]);
    const after = isoSeconds(new Date(Date.now() + 1000));
    const stored = withContext((ctx) => ctx.db.tokens.findByHash(hashToken(token)));
    expect(stored).toMatchObject({
      userId: userId("alice"),
      name: "ci",
      endpointScopes: [...ENDPOINT_SCOPES],
      crateScopes: null,
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(stored!.createdAt >= before && stored!.createdAt <= after).toBe(true);
    const plaintextColumns = withContext((ctx) => ctx.db.sqlite.prepare("SELECT * FROM api_tokens WHERE instr(token_hash, ?) > 0").all(token));
    expect(plaintextColumns).toEqual([]);
  });

  it("makes a token that authenticates as its user", async () => {
    const token = await createToken(["alice", "--name", "ci"]);
    const auth = withContext((ctx) => authenticateToken(ctx, requestWith(`Bearer ${token}`)));
    expect(auth.user.login).toBe("alice");
    expect(auth.token.name).toBe("ci");
  });

  it("stores scopes (in canonical order), crate patterns and --expires-in", async () => {
    const before = Date.now();
    const token = await createToken([
      "alice", "--name", "deploy", "--scope", "yank", "--scope", "publish-update", "--crate", "serde-*", "--expires-in", "30",
    ]);
    const after = Date.now();
    const stored = withContext((ctx) => ctx.db.tokens.findByHash(hashToken(token)))!;
    expect(stored).toMatchObject({ name: "deploy", endpointScopes: ["publish-update", "yank"], crateScopes: ["serde-*"] });
    expect(stored.expiresAt).toMatch(ISO_SECONDS);
    const expires = Date.parse(stored.expiresAt!);
    // Stored to the second, rounded up.
    expect(expires).toBeGreaterThanOrEqual(before + 30 * DAY_MS);
    expect(expires).toBeLessThanOrEqual(after + 30 * DAY_MS + 1000);
  });

  it("stores several crate patterns in the order given", async () => {
    const token = await createToken(["alice", "--name", "ci", "--crate", "tokio", "--crate", "tokio-*"]);
    expect(withContext((ctx) => ctx.db.tokens.findByHash(hashToken(token)))!.crateScopes).toEqual(["tokio", "tokio-*"]);
  });

  it("stores --expires-at in UTC", async () => {
    const token = await createToken(["alice", "--name", "ci", "--expires-at", "2099-01-31T12:00:00+05:00"]);
    expect(withContext((ctx) => ctx.db.tokens.findByHash(hashToken(token)))!.expiresAt).toBe("2099-01-31T07:00:00Z");
  });

  it("finds the user case-insensitively", async () => {
    const token = await createToken(["ALICE", "--name", "ci"]);
    expect(withContext((ctx) => ctx.db.tokens.findByHash(hashToken(token)))!.userId).toBe(userId("alice"));
  });

  it("records the creation in the audit log without the token", async () => {
    const token = await createToken(["alice", "--name", "ci"]);
    const rows = withContext((ctx) => ctx.db.sqlite.prepare("SELECT action, detail FROM audit_log WHERE action = 'token-create'").all()) as {
      detail: string;
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.detail).not.toContain(token);
  });

  describe("refused requests: a clear message, nothing on stdout, no token", () => {
    it.each([
      [["--expires-at", "2020-01-01"], 1, "cargohold: The expiration date must be in the future.\n"],
      [["--expires-at", "2020-01-01T00:00:00Z"], 1, "cargohold: The expiration date must be in the future.\n"],
      [
        ["--expires-at", "garbage"],
        1,
        'cargohold: --expires-at must be a date (2027-01-31) or an RFC 3339 timestamp (2027-01-31T12:00:00Z); got "garbage"\n',
      ],
      [
        ["--expires-at", "2099-02-30T12:00:00Z"],
        1,
        'cargohold: --expires-at must be a date (2027-01-31) or an RFC 3339 timestamp (2027-01-31T12:00:00Z); got "2099-02-30T12:00:00Z"\n',
      ],
      [["--scope", "nope"], 1, "cargohold: Unknown scope `nope`; the scopes are publish-new, publish-update, yank, change-owners.\n"],
      [
        ["--scope", "yank", "--scope", "legacy"],
        1,
        "cargohold: Unknown scope `legacy`; the scopes are publish-new, publish-update, yank, change-owners.\n",
      ],
      [
        ["--crate", "1bad"],
        1,
        "cargohold: `1bad` is not a valid crate pattern: use a crate name, a name followed by `*`, or `*` alone (the name `1bad` cannot be used as a crate name, the name cannot start with a digit)\n",
      ],
      [["--crate", ""], 1, "cargohold: a crate pattern must not be empty\n"],
      [["--expires-in", "30", "--expires-at", "2099-01-01"], 2, "cargohold: give either --expires-in or --expires-at, not both\n"],
      [["--expires-in", "0"], 1, 'cargohold: --expires-in must be a number of days from 1 to 3650 (got "0")\n'],
      [["--expires-in=-5"], 1, 'cargohold: --expires-in must be a number of days from 1 to 3650 (got "-5")\n'],
      [["--expires-in", "thirty"], 1, 'cargohold: --expires-in must be a number of days from 1 to 3650 (got "thirty")\n'],
      [["--expires-in", "3651"], 1, 'cargohold: --expires-in must be a number of days from 1 to 3650 (got "3651")\n'],
    ])("refuses %j", async (extra, code, stderr) => {
      const result = await cli(["token", "create", "alice", "--name", "ci", ...extra]);
      expect(result).toEqual({ code, stdout: "", stderr });
      expect(tokensOf("alice")).toEqual([]);
    });

    it("reports every problem of the request together", async () => {
      const result = await cli(["token", "create", "alice", "--name", " ", "--scope", "nope", "--crate", "1bad"]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(
        [
          "cargohold: Please enter a name for this token.",
          "Unknown scope `nope`; the scopes are publish-new, publish-update, yank, change-owners.",
          "`1bad` is not a valid crate pattern: use a crate name, a name followed by `*`, or `*` alone (the name `1bad` cannot be used as a crate name, the name cannot start with a digit)",
        ].join("\n") + "\n",
      );
      expect(tokensOf("alice")).toEqual([]);
    });

    it("exits 2 naming an unknown flag", async () => {
      const result = await cli(["token", "create", "alice", "--name", "ci", "--bogus"]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^cargohold: Unknown option '--bogus'/);
      expect(tokensOf("alice")).toEqual([]);
    });

    it("exits 2 with the usage without --name", async () => {
      const result = await cli(["token", "create", "alice"]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^cargohold: usage:\n {2}cargohold token create LOGIN --name NAME/);
      expect(tokensOf("alice")).toEqual([]);
    });

    it("refuses an unknown login with a hint to create it", async () => {
      const result = await cli(["token", "create", "bob", "--name", "ci"]);
      expect(result).toEqual({
        code: 1,
        stdout: "",
        stderr: 'cargohold: no user with login "bob"; create one with: cargohold user add bob --password-stdin\n',
      });
      expect(withContext((ctx) => ctx.db.sqlite.prepare("SELECT count(*) AS n FROM api_tokens").get())).toEqual({ n: 0 });
    });
  });
});

describe("token list", () => {
  beforeEach(addAlice);

  it("says when the user has no tokens", async () => {
    expect(await cli(["token", "list", "alice"])).toEqual({ code: 0, stdout: "alice has no tokens\n", stderr: "" });
  });

  it("shows every token, newest first, with scopes, patterns, dates and state", async () => {
    const ci = await createToken(["alice", "--name", "ci"]);
    await createToken(["alice", "--name", "deploy", "--scope", "yank", "--scope", "publish-update", "--crate", "serde-*", "--crate", "tokio", "--expires-at", "2099-01-31T12:00:00Z"]);
    await createToken(["alice", "--name", "gone"]);
    const goneId = tokensOf("alice").find((t) => t.name === "gone")!.id;
    expect((await cli(["token", "revoke", String(goneId)])).code).toBe(0);
    withContext((ctx) =>
      ctx.db.tokens.create({
        userId: userId("alice"),
        name: "old",
        tokenHash: hashToken(generateToken()),
        endpointScopes: ["yank"],
        crateScopes: null,
        createdAt: "2019-12-01T00:00:00Z",
        expiresAt: "2020-01-01T00:00:00Z",
      }),
    );

    const result = await cli(["token", "list", "alice"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).not.toContain(ci);
    const [header] = result.stdout.split("\n");
    expect(header!.split(/ {2,}/)).toEqual(["ID", "NAME", "SCOPES", "CRATES", "CREATED", "LAST USED", "EXPIRES", "STATE"]);

    const rows = parseTable(result.stdout);
    expect(rows.map((r) => r.NAME)).toEqual(["old", "gone", "deploy", "ci"]);
    const [old, gone, deploy, first] = rows;
    expect(first).toMatchObject({
      SCOPES: "publish-new,publish-update,yank,change-owners",
      CRATES: "*",
      "LAST USED": "never",
      EXPIRES: "never",
      STATE: "active",
    });
    expect(first!.CREATED).toMatch(ISO_SECONDS);
    expect(deploy).toMatchObject({
      SCOPES: "publish-update,yank",
      CRATES: "serde-*,tokio",
      "LAST USED": "never",
      EXPIRES: "2099-01-31T12:00:00Z",
      STATE: "active",
    });
    expect(gone!.STATE).toMatch(/^revoked \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(gone!.EXPIRES).toBe("never");
    expect(old).toMatchObject({
      SCOPES: "yank",
      CREATED: "2019-12-01T00:00:00Z",
      "LAST USED": "never",
      EXPIRES: "expired 2020-01-01T00:00:00Z",
      STATE: "expired",
    });
    expect(rows.map((r) => r.ID)).toEqual(tokensOf("alice").map((t) => String(t.id)));
  });

  it("shows when a token was last used", async () => {
    const token = await createToken(["alice", "--name", "ci"]);
    withContext((ctx) => authenticateToken(ctx, requestWith(token)));
    const [row] = parseTable((await cli(["token", "list", "alice"])).stdout);
    expect(row!["LAST USED"]).toMatch(ISO_SECONDS);
  });

  it("lists only the given user's tokens", async () => {
    expect((await cli(["user", "add", "bob", "--password-stdin"], "password\n")).code).toBe(0);
    await createToken(["bob", "--name", "bobs"]);
    expect(await cli(["token", "list", "alice"])).toEqual({ code: 0, stdout: "alice has no tokens\n", stderr: "" });
  });

  it("refuses an unknown login with a hint to create it", async () => {
    expect(await cli(["token", "list", "bob"])).toEqual({
      code: 1,
      stdout: "",
      stderr: 'cargohold: no user with login "bob"; create one with: cargohold user add bob --password-stdin\n',
    });
  });
});

describe("token revoke", () => {
  let token: string;
  let id: number;

  beforeEach(async () => {
    await addAlice();
    token = await createToken(["alice", "--name", "ci"]);
    id = tokensOf("alice")[0]!.id;
  });

  it("revokes the token, which then no longer authenticates", async () => {
    expect(await cli(["token", "revoke", String(id)])).toEqual({ code: 0, stdout: `revoked token ${id} ("ci")\n`, stderr: "" });
    const stored = tokensOf("alice")[0]!;
    expect(stored.revokedAt).toMatch(ISO_SECONDS);
    expect(withContext((ctx) => ctx.db.tokens.useActiveByHash(hashToken(token), isoSeconds(new Date())))).toBeUndefined();
    const [row] = parseTable((await cli(["token", "list", "alice"])).stdout);
    expect(row!.STATE).toBe(`revoked ${stored.revokedAt}`);
  });

  it("records the revocation in the audit log", async () => {
    await cli(["token", "revoke", String(id)]);
    const rows = withContext((ctx) => ctx.db.sqlite.prepare("SELECT action, token_id FROM audit_log WHERE action = 'token-revoke'").all());
    expect(rows).toEqual([{ action: "token-revoke", token_id: id }]);
  });

  it("refuses to revoke a token twice, saying when it was revoked", async () => {
    await cli(["token", "revoke", String(id)]);
    const revokedAt = tokensOf("alice")[0]!.revokedAt;
    expect(await cli(["token", "revoke", String(id)])).toEqual({
      code: 1,
      stdout: "",
      stderr: `cargohold: token ${id} ("ci") was already revoked on ${revokedAt}\n`,
    });
  });

  it("refuses an unknown id", async () => {
    expect(await cli(["token", "revoke", "999"])).toEqual({ code: 1, stdout: "", stderr: "cargohold: no token with id 999\n" });
    expect(tokensOf("alice")[0]!.revokedAt).toBeNull();
  });

  it.each([["abc"], ["1.5"], ["-1"]])("exits 2 for the id %j", async (bad) => {
    const result = await cli(["token", "revoke", bad]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(tokensOf("alice")[0]!.revokedAt).toBeNull();
  });

  it("exits 2 without an id", async () => {
    const result = await cli(["token", "revoke"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^cargohold: usage:/);
  });
});
