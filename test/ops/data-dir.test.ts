// An unusable DATA_DIR gets a sentence naming the folder and the fix, a non-zero exit, and is left
// untouched, for every CLI command.
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dataDirProblem } from "../../src/ops/data-dir.js";
import { createTestApp } from "../helpers/test-app.js";
import { cliProcess, fingerprint, isRoot, removeTempDirs, tempDir } from "./helpers.js";

afterEach(() => removeTempDirs());

// As root every folder is writable, so the commands run as `nobody` there (see cliProcess).
const uid = isRoot ? 65534 : process.getuid!();
const fix = "give that user write access (in Docker: a volume writable by the image's `node` user), or set DATA_DIR to another folder";

describe("a DATA_DIR that is not writable", () => {
  it.each(["token list alice", "check", "audit", "backup /tmp/never-written"])(
    "`cargohold %s` refuses it and leaves it as it was",
    async (command) => {
      const argv = command.split(" ");
      const t = createTestApp();
      t.createUser("alice");
      t.ctx.db.close(); // fingerprint() must not read a database this process holds open
      if (!isRoot) chmodSync(t.dataDir, 0o555);
      const before = fingerprint(t.dataDir);
      const result = await cliProcess(argv, { DATA_DIR: t.dataDir }, { asNobody: true });
      expect(result).toEqual({
        code: 1,
        stdout: "",
        stderr: `cargohold: DATA_DIR ${t.dataDir} is not writable by this user (uid ${uid}); ${fix}\n`,
      });
      expect(fingerprint(t.dataDir)).toEqual(before);
      expect(existsSync("/tmp/never-written")).toBe(false);
      chmodSync(t.dataDir, 0o755);
      t.close();
    },
  );

  it("that does not exist and cannot be created is refused", async () => {
    const parent = tempDir();
    if (!isRoot) chmodSync(parent, 0o555);
    const dataDir = join(parent, "data");
    const result = await cliProcess(["user", "add", "alice", "--password-stdin"], { DATA_DIR: dataDir }, { asNobody: true });
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `cargohold: DATA_DIR ${dataDir} does not exist and cannot be created: ${parent} is not writable by this user (uid ${uid}); ${fix}\n`,
    });
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe("dataDirProblem", () => {
  it("accepts a writable folder and a creatable one, and names a file posing as DATA_DIR", () => {
    const dir = tempDir();
    expect(dataDirProblem(dir)).toBeUndefined();
    expect(dataDirProblem(join(dir, "new/nested"))).toBeUndefined();
    writeFileSync(join(dir, "file"), "");
    expect(dataDirProblem(join(dir, "file"))).toBe(`DATA_DIR ${join(dir, "file")} is not a folder`);
    expect(dataDirProblem(join(dir, "file/data"))).toBe(`DATA_DIR ${join(dir, "file/data")} cannot be created: ${join(dir, "file")} is not a folder`);
  });
});
