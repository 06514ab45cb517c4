// `cargohold audit [--crate NAME] [--limit N]`: the actions the registry records, newest first, with
// who did them, with which token, and when.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { cli } from "./helpers.js";

let t: TestApp;
let env: Record<string, string>;

/** The table's rows as cells, without the TIME column (checked separately). */
function rows(stdout: string): string[][] {
  const [header, ...lines] = stdout.trimEnd().split("\n");
  expect(header!.split(/\s{2,}/)).toEqual(["TIME", "ACTION", "USER", "TOKEN", "CRATE", "VERSION", "DETAIL"]);
  return lines.map((line) => {
    const cells = line.split(/\s{2,}/);
    expect(cells[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    return cells.slice(1);
  });
}

beforeEach(async () => {
  t = createTestApp();
  env = { DATA_DIR: t.dataDir };
  const alice = t.createUser("alice");
  const { token } = t.createToken(alice); // token id 1; bob's, made below, is 2
  expect((await cli(["user", "add", "bob", "--password-stdin"], env, "a long enough password\n")).code).toBe(0);
  await publish(t, token, "Alpha_Lib", "1.0.0");
  await publish(t, token, "beta", "0.1.0");
  const auth = { Authorization: token };
  expect((await t.request().delete("/api/v1/crates/Alpha_Lib/1.0.0/yank").set(auth)).status).toBe(200);
  expect((await t.request().put("/api/v1/crates/Alpha_Lib/1.0.0/unyank").set(auth)).status).toBe(200);
  expect((await t.request().put("/api/v1/crates/Alpha_Lib/owners").set(auth).send({ users: ["bob"] })).status).toBe(200);
  const created = await cli(["token", "create", "bob", "--name", "ci"], env);
  const bobToken = t.ctx.db.tokens.listForUser(t.ctx.db.users.findByLogin("bob")!.id)[0]!;
  expect(created.code).toBe(0);
  expect((await cli(["token", "revoke", String(bobToken.id)], env)).code).toBe(0);
});

afterEach(() => t.close());

describe("cargohold audit", () => {
  it("lists every recorded action, newest first, with user, token, crate, version and detail", async () => {
    const result = await cli(["audit"], env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(rows(result.stdout)).toEqual([
      ["token-revoke", "-", "2", "-", "-", "name=ci"],
      ["token-create", "bob", "2", "-", "-", "name=ci"],
      ["owner-add", "alice", "1", "Alpha_Lib", "-", "login=bob"],
      ["unyank", "alice", "1", "Alpha_Lib", "1.0.0", "-"],
      ["yank", "alice", "1", "Alpha_Lib", "1.0.0", "-"],
      ["publish", "alice", "1", "beta", "0.1.0", "-"],
      ["publish", "alice", "1", "Alpha_Lib", "1.0.0", "-"],
      ["user-create", "bob", "-", "-", "-", "login=bob admin=false via=cli"],
    ]);
  });

  it("--crate finds the crate whatever the case and `-`/`_` spelling", async () => {
    const result = await cli(["audit", "--crate", "alpha-LIB"], env);
    expect(result.code).toBe(0);
    expect(rows(result.stdout).map((r) => r[0])).toEqual(["owner-add", "unyank", "yank", "publish"]);
    expect(rows(result.stdout).every((r) => r[3] === "Alpha_Lib")).toBe(true);
  });

  it("--limit shows the newest N and says there may be more", async () => {
    const result = await cli(["audit", "--limit", "2"], env);
    expect(rows(result.stdout).map((r) => r[0])).toEqual(["token-revoke", "token-create"]);
    expect(result.stderr).toBe("showing the newest 2 entries; use --limit N to see more\n");
    expect(result.code).toBe(0);
  });

  it("refuses a crate that does not exist", async () => {
    expect(await cli(["audit", "--crate", "nope"], env)).toEqual({ code: 1, stdout: "", stderr: 'cargohold: no crate named "nope"\n' });
  });

  it.each([
    [["--limit", "0"], `--limit must be a whole number from 1 to 1000000 (got "0")`],
    [["--limit", "ten"], `--limit must be a whole number from 1 to 1000000 (got "ten")`],
    [["extra"], "usage: cargohold audit [--crate NAME] [--limit N]"],
  ])("refuses %j with exit 2", async (args, message) => {
    expect(await cli(["audit", ...args], env)).toEqual({ code: 2, stdout: "", stderr: `cargohold: ${message}\n` });
  });

  it("refuses an unknown flag, naming it", async () => {
    const result = await cli(["audit", "--user", "alice"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("'--user'");
  });
});
