// `cargohold backup DEST`: what a backup holds, that it is a snapshot, and that every refusal leaves
// nothing behind.
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrationsDir } from "../../src/db/index.js";
import { readMigrations } from "../../src/db/migrate.js";
import { createBackup } from "../../src/ops/backup.js";
import { cargoholdVersion, parseManifest } from "../../src/ops/manifest.js";
import { publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { cli, cliProcess, entries, fingerprint, isRoot, NOBODY, removeTempDirs, tempDir } from "./helpers.js";

let t: TestApp;
let token: string;
let out: string;

beforeEach(async () => {
  t = createTestApp();
  token = t.createToken(t.createUser("alice")).token;
  await publish(t, token, "Alpha_Lib", "1.0.0");
  await publish(t, token, "Alpha_Lib", "1.1.0+build.7");
  await publish(t, token, "beta", "0.1.0-rc.1");
  out = tempDir();
});

afterEach(() => {
  t.close();
  removeTempDirs();
});

const backup = (dest: string) => cli(["backup", dest], { DATA_DIR: t.dataDir });

describe("cargohold backup", () => {
  it("writes the database, every crate file and a manifest with checksums, and prints one line", async () => {
    const dest = join(out, "nightly");
    const result = await backup(dest);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^backed up the database \\(\\d+\\.\\d KiB\\) and 3 crate files \\(\\d+(\\.\\d)? (bytes|KiB)\\) to ${dest}\\n$`));
    expect(entries(out)).toEqual(["nightly"]);
    expect(entries(dest)).toEqual(["cargohold.sqlite3", "crates", "manifest.json"]);

    const manifest = parseManifest(readFileSync(join(dest, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({
      format: 1,
      cargoholdVersion: cargoholdVersion(),
      schemaVersion: readMigrations(migrationsDir).length,
      database: { path: "cargohold.sqlite3", size: statSync(join(dest, "cargohold.sqlite3")).size },
    });
    expect(manifest.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const recorded = t.ctx.db.versions.listAllFiles();
    expect(manifest.files.map((f) => [f.path, f.crate, f.version, f.sha256, f.size]).sort()).toEqual(
      [
        ["crates/alpha_lib/alpha_lib-1.0.0.crate", "Alpha_Lib", "1.0.0"],
        ["crates/alpha_lib/alpha_lib-1.1.0+build.7.crate", "Alpha_Lib", "1.1.0+build.7"],
        ["crates/beta/beta-0.1.0-rc.1.crate", "beta", "0.1.0-rc.1"],
      ].map(([path, crate, version]) => {
        const v = recorded.find((r) => r.crateName === crate && r.num === version)!;
        return [path, crate, version, v.checksum, v.size];
      }),
    );
    for (const f of manifest.files) expect(readFileSync(join(dest, f.path))).toEqual(readFileSync(join(t.dataDir, f.path)));
  });

  it("writes a self-contained database file holding the registry's rows", async () => {
    const dest = join(out, "b");
    expect((await backup(dest)).code).toBe(0);
    const db = new Database(join(dest, "cargohold.sqlite3"), { readonly: true });
    try {
      // Rollback-journal mode: the file is the whole database, with no -wal beside it to lose.
      expect(db.pragma("journal_mode", { simple: true })).toBe("delete");
      expect(db.prepare("SELECT count(*) AS n FROM versions").get()).toEqual({ n: 3 });
      expect(db.prepare("SELECT login FROM users").all()).toEqual([{ login: "alice" }]);
    } finally {
      db.close();
    }
    expect(readdirSync(dest).filter((name) => name.includes("-wal") || name.includes("-shm"))).toEqual([]);
  });

  it("copies the files the snapshot records, leaving out a publish that commits after it", async () => {
    const dest = join(out, "snap");
    // A publish lands right after SQLite's backup has taken its snapshot and before the files are copied.
    const sqlite = new Proxy(t.ctx.db.sqlite, {
      get(target, prop) {
        if (prop !== "backup") return Reflect.get(target, prop);
        return async (file: string, options: Parameters<typeof target.backup>[1]) => {
          const result = await target.backup(file, options);
          await publish(t, token, "late", "1.0.0");
          return result;
        };
      },
    });
    const report = await createBackup({ sqlite, store: t.ctx.store, dest, dataDir: t.dataDir, now: new Date(), cargoholdVersion: "test" });
    expect(t.storedFiles()).toContain("late/late-1.0.0.crate");
    expect(report.manifest.files.map((f) => f.crate)).not.toContain("late");
    expect(existsSync(join(dest, "crates/late"))).toBe(false);
  });

  describe("refuses, leaving everything as it was", () => {
    it("when DEST already exists", async () => {
      const dest = join(out, "taken");
      writeFileSync(dest, "not a backup");
      const before = fingerprint(out);
      expect(await backup(dest)).toEqual({
        code: 1,
        stdout: "",
        stderr: `cargohold: backup destination ${dest} already exists; choose a new folder\n`,
      });
      expect(fingerprint(out)).toEqual(before);
    });

    it("when DEST lies inside DATA_DIR", async () => {
      const dest = join(t.dataDir, "backups/b");
      const before = t.storedFiles();
      expect(await backup(dest)).toEqual({
        code: 1,
        stdout: "",
        stderr: `cargohold: backup destination ${dest} is inside DATA_DIR; choose a folder outside it (ideally on another disk)\n`,
      });
      expect(existsSync(join(t.dataDir, "backups"))).toBe(false);
      expect(t.storedFiles()).toEqual(before);
    });

    it("when DEST's parent folder does not exist", async () => {
      const result = await backup(join(out, "no/such/dest"));
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`cargohold: cannot write the backup: its parent folder ${join(out, "no/such")} is unusable (no such file or folder); create it first\n`);
      expect(entries(out)).toEqual([]);
    });

    it("when DEST's parent folder is not writable", async () => {
      // Root ignores permissions, so as root the CLI runs as `nobody`, who owns the data folder
      // (it must open the database) but not the backup's parent.
      const parent = tempDir();
      if (isRoot) chownTree(t.dataDir, NOBODY);
      else chmodSync(parent, 0o555);
      t.ctx.db.close(); // see fingerprint(): this process must not hold the database open
      const before = fingerprint(t.dataDir);
      const result = await cliProcess(["backup", join(parent, "b")], { DATA_DIR: t.dataDir }, { asNobody: true });
      expect(result.stderr).toBe(`cargohold: cannot write the backup into ${parent}: permission denied\n`);
      expect(result.code).toBe(1);
      expect(entries(parent)).toEqual([]);
      expect(fingerprint(t.dataDir)).toEqual(before);
    });

    it("when a crate file is missing, naming it", async () => {
      rmSync(join(t.dataDir, "crates/beta/beta-0.1.0-rc.1.crate"));
      const result = await backup(join(out, "b"));
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        "cargohold: crate file of beta 0.1.0-rc.1 (crates/beta/beta-0.1.0-rc.1.crate) is missing; the backup was not written; run `cargohold check` for a full report\n",
      );
      expect(entries(out)).toEqual([]);
    });

    it("when a crate file does not match its recorded checksum, naming it", async () => {
      writeFileSync(join(t.dataDir, "crates/alpha_lib/alpha_lib-1.0.0.crate"), "tampered");
      const result = await backup(join(out, "b"));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("crate file of Alpha_Lib 1.0.0 (crates/alpha_lib/alpha_lib-1.0.0.crate) does not match the checksum the database records");
      expect(entries(out)).toEqual([]);
    });

    it("when DATA_DIR holds no registry, creating nothing there", async () => {
      const dataDir = join(out, "empty-data");
      const result = await cli(["backup", join(out, "b")], { DATA_DIR: dataDir });
      expect(result).toEqual({
        code: 1,
        stdout: "",
        stderr: `cargohold: DATA_DIR ${dataDir} holds no registry (no cargohold.sqlite3); set DATA_DIR to the server's data folder\n`,
      });
      expect(entries(out)).toEqual([]);
    });

    it("on an unknown flag (exit 2, naming it) or a missing DEST", async () => {
      const unknown = await backup("--fast");
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("'--fast'");
      const missing = await cli(["backup"], { DATA_DIR: t.dataDir });
      expect(missing).toEqual({ code: 2, stdout: "", stderr: "cargohold: usage: cargohold backup DEST   (DEST: a folder that does not exist yet)\n" });
      expect(entries(out)).toEqual([]);
    });
  });
});

function chownTree(path: string, id: number): void {
  chownSync(path, id, id);
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), id);
}
