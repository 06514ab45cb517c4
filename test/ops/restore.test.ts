// `cargohold restore SRC`: a verified backup becomes a working data folder; anything incomplete,
// tampered with or aimed at an existing registry is refused before a byte is written.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createContext } from "../../src/context.js";
import { silentLogger } from "../../src/logger.js";
import type { BackupManifest } from "../../src/ops/manifest.js";
import { publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { cli, entries, fingerprint, removeTempDirs, tempDir } from "./helpers.js";

let original: TestApp;
/** A pristine backup of `original`; tests that alter a backup work on a copy. */
let pristine: string;
let out: string;
let src: string;

beforeAll(async () => {
  original = createTestApp();
  const alice = original.createUser("alice");
  const token = original.createToken(alice).token;
  await publish(original, token, "Alpha_Lib", "1.0.0");
  await publish(original, token, "Alpha_Lib", "1.1.0+build.7");
  await publish(original, token, "beta", "0.1.0-rc.1");
  pristine = join(tempDir(), "pristine");
  const made = await cli(["backup", pristine], { DATA_DIR: original.dataDir });
  expect(made.code, made.stderr).toBe(0);
});

afterAll(() => {
  original.close();
  removeTempDirs();
});

beforeEach(() => {
  out = tempDir();
  src = join(out, "backup");
  cpSync(pristine, src, { recursive: true });
});

const restore = (dataDir: string, from = src) => cli(["restore", from], { DATA_DIR: dataDir });
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as BackupManifest;
const writeManifest = (dir: string, m: BackupManifest) => writeFileSync(join(dir, "manifest.json"), JSON.stringify(m));

/** The rows and files a registry holds, to compare a restored one with the original. */
function contents(dataDir: string) {
  const ctx = createContext(loadConfig({}, { dataDir, logFormat: "silent" }), { logger: silentLogger });
  try {
    const all = (sql: string) => ctx.db.sqlite.prepare(sql).all();
    return {
      users: all("SELECT * FROM users ORDER BY id"),
      tokens: all("SELECT * FROM api_tokens ORDER BY id"),
      crates: all("SELECT * FROM crates ORDER BY id"),
      versions: all("SELECT * FROM versions ORDER BY id"),
      owners: all("SELECT * FROM crate_owners ORDER BY crate_id, user_id"),
      audit: all("SELECT * FROM audit_log ORDER BY id"),
      files: ctx.store.listFiles().map((f) => [f, readFileSync(join(ctx.store.cratesDir, f)).toString("base64")]),
    };
  } finally {
    ctx.db.close();
  }
}

describe("cargohold restore", () => {
  it("recreates a new DATA_DIR holding the same rows and files, in one rename", async () => {
    const dataDir = join(out, "restored");
    const result = await restore(dataDir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const { createdAt } = manifestOf(src);
    expect(result.stdout).toMatch(
      new RegExp(`^restored the backup of ${createdAt} \\(cargohold \\S+\\): the database and 3 crate files \\(.+\\) into ${dataDir}\\n$`),
    );
    expect(entries(out)).toEqual(["backup", "restored"]);
    expect(contents(dataDir)).toEqual(contents(original.dataDir));
    expect(await cli(["check"], { DATA_DIR: dataDir })).toMatchObject({ code: 0, stderr: "" });
  });

  it("fills an existing empty DATA_DIR (such as a Docker volume), leaving no staging folder", async () => {
    const dataDir = join(out, "volume");
    mkdirSync(dataDir);
    expect((await restore(dataDir)).code).toBe(0);
    expect(entries(dataDir).filter((name) => name.startsWith("."))).toEqual([]);
    expect(contents(dataDir)).toEqual(contents(original.dataDir));
  });

  describe("refuses before writing anything", () => {
    it("into a DATA_DIR that is not empty, leaving it byte-for-byte as it was", async () => {
      const other = createTestApp();
      await publish(other, other.createToken(other.createUser("carol")).token, "gamma", "2.0.0");
      other.ctx.db.close(); // fingerprint() must not read a database this process holds open
      const before = fingerprint(other.dataDir);
      const result = await restore(other.dataDir);
      expect(result).toEqual({
        code: 1,
        stdout: "",
        stderr: `cargohold: DATA_DIR ${other.dataDir} is not empty; restore only into an empty or new folder, never over a registry\n`,
      });
      expect(fingerprint(other.dataDir)).toEqual(before);
      other.close();
    });

    it("a backup without its manifest (an interrupted or partial copy)", async () => {
      rmSync(join(src, "manifest.json"));
      const dataDir = join(out, "data");
      expect(await restore(dataDir)).toEqual({
        code: 1,
        stdout: "",
        stderr: `cargohold: ${src} is not a complete cargohold backup: manifest.json is missing (a backup writes it last)\n`,
      });
      expect(entries(out)).toEqual(["backup"]);
    });

    it("an incomplete backup, naming every missing file", async () => {
      rmSync(join(src, "crates/beta/beta-0.1.0-rc.1.crate"));
      rmSync(join(src, "crates/alpha_lib/alpha_lib-1.0.0.crate"));
      const before = fingerprint(out);
      expect(await restore(join(out, "data"))).toEqual({
        code: 1,
        stdout: "",
        stderr: [
          `cargohold: backup ${src} cannot be restored; nothing was written:`,
          "  missing: crates/alpha_lib/alpha_lib-1.0.0.crate",
          "  missing: crates/beta/beta-0.1.0-rc.1.crate",
          "",
        ].join("\n"),
      });
      expect(fingerprint(out)).toEqual(before);
    });

    it("a tampered crate file or database, naming it", async () => {
      writeFileSync(join(src, "crates/beta/beta-0.1.0-rc.1.crate"), "evil");
      const db = readFileSync(join(src, "cargohold.sqlite3"));
      db.writeUInt8(db.readUInt8(db.length - 1) ^ 0xff, db.length - 1);
      writeFileSync(join(src, "cargohold.sqlite3"), db);
      const result = await restore(join(out, "data"));
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^cargohold: backup .* cannot be restored; nothing was written:\n/);
      expect(result.stderr).toMatch(/\n {2}checksum mismatch: cargohold\.sqlite3 \(the manifest records sha256 [0-9a-f]{16}…, the file has [0-9a-f]{16}…\)\n/);
      expect(result.stderr).toMatch(/\n {2}checksum mismatch: crates\/beta\/beta-0\.1\.0-rc\.1\.crate \(/);
      expect(entries(out)).toEqual(["backup"]);
    });

    it("a manifest that points outside the backup", async () => {
      const m = manifestOf(src);
      m.files[0]!.path = "crates/../../../etc/evil.crate";
      writeManifest(src, m);
      const result = await restore(join(out, "data"));
      expect(result.stderr).toBe(
        `cargohold: backup ${src} cannot be restored: manifest.json is not a cargohold backup manifest: unexpected file path "crates/../../../etc/evil.crate"\n`,
      );
      expect(result.code).toBe(1);
      expect(entries(out)).toEqual(["backup"]);
    });

    it("a manifest that disagrees with the backup's database, removing what it staged", async () => {
      // Consistent checksums, but one version's file is dropped from the list and a stray one added.
      const m = manifestOf(src);
      const dropped = m.files.find((f) => f.crate === "beta")!;
      m.files = m.files.filter((f) => f !== dropped);
      writeFileSync(join(src, "crates/beta/beta-9.9.9.crate"), readFileSync(join(src, dropped.path)));
      m.files.push({ ...dropped, path: "crates/beta/beta-9.9.9.crate", version: "9.9.9" });
      writeManifest(src, m);
      const result = await restore(join(out, "data"));
      expect(result.stderr).toBe(
        [
          `cargohold: backup ${src} cannot be restored; nothing was written:`,
          "  missing: the database records beta 0.1.0-rc.1, but the manifest lists no file for it",
          "  unexpected: crates/beta/beta-9.9.9.crate is listed but the database records no such version",
          "",
        ].join("\n"),
      );
      expect(entries(out)).toEqual(["backup"]);
    });

    it("a backup made by a newer cargohold", async () => {
      writeManifest(src, { ...manifestOf(src), schemaVersion: 999, cargoholdVersion: "9.0.0" });
      const result = await restore(join(out, "data"));
      expect(result.stderr).toMatch(/^cargohold: backup .* was made by a newer cargohold \(9\.0\.0, schema 999; this one knows \d+\); restore it with that version or newer\n$/);
      expect(result.code).toBe(1);
      expect(entries(out)).toEqual(["backup"]);
    });

    it("a SRC that does not exist", async () => {
      const missing = join(out, "nope");
      expect(await restore(join(out, "data"), missing)).toEqual({
        code: 1,
        stdout: "",
        stderr: `cargohold: backup folder ${missing} does not exist, is empty or is not a folder\n`,
      });
      expect(entries(out)).toEqual(["backup"]);
    });

    it("an unknown flag (exit 2, naming it)", async () => {
      const result = await cli(["restore", "--force", src], { DATA_DIR: join(out, "data") });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("'--force'");
      expect(entries(out)).toEqual(["backup"]);
    });
  });
});
