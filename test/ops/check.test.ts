// `cargohold check [--repair]`: a clean registry passes; missing, altered, orphaned and stale temp
// files are each reported on one line; --repair deletes only what no version refers to.
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { publish } from "../helpers/api.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { cli, fingerprint, removeTempDirs, tempDir } from "./helpers.js";

let t: TestApp;

beforeEach(async () => {
  t = createTestApp();
  const token = t.createToken(t.createUser("alice")).token;
  await publish(t, token, "Alpha_Lib", "1.0.0");
  await publish(t, token, "Alpha_Lib", "1.1.0");
  await publish(t, token, "beta", "0.1.0");
});

afterEach(() => {
  t.close();
  removeTempDirs();
});

const check = (...args: string[]) => cli(["check", ...args], { DATA_DIR: t.dataDir });
const file = (rel: string) => join(t.dataDir, rel);
const HOUR = 3_600_000;

/** Breaks the registry in every way check knows about; returns the fingerprint of the referenced files. */
function breakEverything() {
  rmSync(file("crates/beta/beta-0.1.0.crate"));
  writeFileSync(file("crates/alpha_lib/alpha_lib-1.1.0.crate"), "altered");
  mkdirSync(file("crates/zeta"));
  writeFileSync(file("crates/zeta/zeta-1.0.0.crate"), "orphan");
  writeFileSync(file("crates/alpha_lib/alpha_lib-0.9.0.crate"), "orphan");
  const stale = new Date(Date.now() - 3 * HOUR);
  writeFileSync(file("tmp/0123abcd.part"), "interrupted publish");
  utimesSync(file("tmp/0123abcd.part"), stale, stale);
  // A fresh temp file may be a publish in progress: neither reported nor removed.
  writeFileSync(file("tmp/fresh.part"), "uploading");
  return fingerprint(file("crates/alpha_lib/alpha_lib-1.1.0.crate"));
}

describe("cargohold check", () => {
  it("exits 0 with one summary line when database and files agree", async () => {
    expect(await check()).toEqual({
      code: 0,
      stdout: "checked 3 versions: every file is present and intact, and there are no orphans\n",
      stderr: "",
    });
  });

  it("reports each problem on its own line and exits 1", async () => {
    breakEverything();
    const result = await check();
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(
      /^checksum mismatch: Alpha_Lib 1\.1\.0 \(crates\/alpha_lib\/alpha_lib-1\.1\.0\.crate\): recorded sha256 [0-9a-f]{16}… \(\d+ bytes\), found [0-9a-f]{16}… \(7 bytes\)$/,
    );
    expect(lines.slice(1)).toEqual([
      "missing: beta 0.1.0 (crates/beta/beta-0.1.0.crate)",
      "orphan: crates/alpha_lib/alpha_lib-0.9.0.crate (no version refers to it)",
      "orphan: crates/zeta/zeta-1.0.0.crate (no version refers to it)",
      "temp leftover: tmp/0123abcd.part (from an interrupted publish, 3 h old)",
    ]);
    expect(result.stderr).toBe(
      "cargohold: checked 3 versions: 5 problems found; `cargohold check --repair` removes orphans and temp leftovers\n",
    );
  });

  it("--repair removes orphans and temp leftovers only, says so, and still fails on the rest", async () => {
    const referenced = breakEverything();
    const result = await check("--repair");
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n").filter((l) => !l.startsWith("checksum mismatch"))).toEqual([
      "removed: crates/alpha_lib/alpha_lib-0.9.0.crate",
      "removed: crates/zeta/zeta-1.0.0.crate",
      "removed: tmp/0123abcd.part",
      "missing: beta 0.1.0 (crates/beta/beta-0.1.0.crate)",
      "",
    ]);
    expect(result.stderr).toBe("cargohold: checked 3 versions: 2 problems found\n");
    // The altered file is still referenced: repair never deletes it, nor the fresh temp file.
    expect(fingerprint(file("crates/alpha_lib/alpha_lib-1.1.0.crate"))).toEqual(referenced);
    expect(existsSync(file("tmp/fresh.part"))).toBe(true);
    expect(t.storedFiles()).toEqual(["alpha_lib/alpha_lib-1.0.0.crate", "alpha_lib/alpha_lib-1.1.0.crate"]);
  });

  it("--repair exits 0 once only orphans were wrong", async () => {
    writeFileSync(file("crates/beta/beta-0.0.1.crate"), "orphan");
    const before = readFileSync(file("crates/beta/beta-0.1.0.crate"));
    expect(await check("--repair")).toEqual({
      code: 0,
      stdout: "removed: crates/beta/beta-0.0.1.crate\nchecked 3 versions: every file is present and intact\n",
      stderr: "",
    });
    expect(readFileSync(file("crates/beta/beta-0.1.0.crate"))).toEqual(before);
    expect((await check()).code).toBe(0);
  });

  it("refuses an unknown flag (exit 2, naming it) and removes nothing", async () => {
    writeFileSync(file("crates/beta/beta-0.0.1.crate"), "orphan");
    const result = await check("--fix");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("'--fix'");
    expect(existsSync(file("crates/beta/beta-0.0.1.crate"))).toBe(true);
  });

  it("refuses a DATA_DIR without a registry and creates nothing there", async () => {
    const dataDir = join(tempDir(), "absent");
    expect(await cli(["check"], { DATA_DIR: dataDir })).toEqual({
      code: 1,
      stdout: "",
      stderr: `cargohold: DATA_DIR ${dataDir} holds no registry (no cargohold.sqlite3); set DATA_DIR to the server's data folder\n`,
    });
    expect(existsSync(dataDir)).toBe(false);
  });
});
