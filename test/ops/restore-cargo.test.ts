// The whole backup story with the real pieces: a live registry keeps taking publishes while
// `cargohold backup` runs in its own process; the backup is restored into a new folder, a registry
// starts on it, and the real cargo builds a program from it with a token made before the backup.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseManifest } from "../../src/ops/manifest.js";
import { publish } from "../helpers/api.js";
import {
  cargoEnv,
  cargoVersion,
  describeRun,
  removeTempDirs as removeCargoDirs,
  runCargo,
  startRegistry,
  tempDir as cargoTempDir,
  writeCrate,
  type Registry,
} from "../e2e/cargo-harness.js";
import { cli, cliProcess, removeTempDirs, tempDir } from "./helpers.js";

const version = cargoVersion();
if (!version) console.warn("test/ops/restore-cargo.test.ts: SKIPPED, `cargo` is not on PATH");

const registries: Registry[] = [];

afterAll(async () => {
  for (const reg of registries.splice(0)) await reg.stop();
  removeTempDirs();
  removeCargoDirs();
});

describe.skipIf(!version)("backup while publishing, then restore, then cargo builds from the restored registry", () => {
  it(
    "serves every crate and token of the snapshot, and nothing half-included",
    async () => {
      // 1. The original registry (auth required), a token made before the backup, and a real crate.
      // Publish rate limits off (burst 0): the loop below publishes as fast as it can.
      const unlimited = { burst: 0, refillSeconds: 1 };
      const original = await startRegistry({ config: { publishLimits: { "new-crate": unlimited, "new-version": unlimited } } });
      registries.push(original);
      const { token } = original.createToken(original.createUser("alice"), { name: "made before the backup" });
      const targetDir = cargoTempDir("cargohold-ops-target-");
      const lib = writeCrate(join(cargoTempDir(), "ops-lib"), "ops-lib", "0.1.0", {
        lib: `pub fn greeting() -> &'static str {\n    "hello from the restored registry"\n}\n`,
      });
      const published = await runCargo(["publish", "--registry", "local"], { cwd: lib, env: cargoEnv(original, token, { targetDir }) });
      expect(published.code, describeRun(published)).toBe(0);

      // 2. Publishes keep landing while `cargohold backup` runs as a separate process.
      let stop = false;
      const landed: string[] = [];
      const loop = (async () => {
        for (let i = 0; !stop; i++) {
          await publish(original, token, "busy-crate", `0.0.${i}`);
          landed.push(`0.0.${i}`);
        }
      })();
      const backupDir = join(tempDir(), "backup");
      let backup;
      let landedBefore: number;
      try {
        while (landed.length < 3) await new Promise((r) => setTimeout(r, 10));
        landedBefore = landed.length;
        backup = await cliProcess(["backup", backupDir], { DATA_DIR: original.dataDir });
      } finally {
        stop = true;
        await loop;
      }
      expect(backup.stderr).toBe("");
      expect(backup.code).toBe(0);
      expect(landed.length - landedBefore, "publishes that completed while the backup ran").toBeGreaterThan(0);

      // Exactly the snapshot: ops-lib, a prefix of the busy-crate versions, each with its file.
      const manifest = parseManifest(readFileSync(join(backupDir, "manifest.json"), "utf8"));
      const busy = manifest.files.filter((f) => f.crate === "busy-crate").map((f) => f.version);
      expect(manifest.files.filter((f) => f.crate === "ops-lib").map((f) => f.version)).toEqual(["0.1.0"]);
      expect(busy.length).toBeGreaterThanOrEqual(landedBefore);
      expect(busy).toEqual(landed.slice(0, busy.length));
      expect(busy.length, "publishes that committed after the snapshot are left out").toBeLessThan(landed.length);

      // 3. Restore into a new folder; it checks clean (no missing files, no orphans).
      const dataDir = join(tempDir(), "restored");
      const restored = await cli(["restore", backupDir], { DATA_DIR: dataDir });
      expect(restored.stderr).toBe("");
      expect(restored.code).toBe(0);
      const checked = await cli(["check"], { DATA_DIR: dataDir });
      expect(checked).toEqual({
        code: 0,
        stdout: `checked ${manifest.files.length} versions: every file is present and intact, and there are no orphans\n`,
        stderr: "",
      });

      // 4. A registry on the restored folder, on another port; cargo uses the token from before.
      const copy = await startRegistry({ config: { dataDir } });
      registries.push(copy);
      const download = await fetch(`${copy.url}/api/v1/crates/busy-crate/${busy.at(-1)}/download`, { headers: { Authorization: token } });
      expect(download.status).toBe(200);
      const app = writeCrate(join(cargoTempDir(), "consumer"), "consumer", "0.0.0", {
        deps: { "ops-lib": '{ version = "0.1", registry = "local" }' },
      });
      writeFileSync(join(app, "src", "main.rs"), `fn main() {\n    println!("{}", ops_lib::greeting());\n}\n`);
      const run = await runCargo(["run", "--quiet"], { cwd: app, env: cargoEnv(copy, token, { targetDir }) });
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stdout).toBe("hello from the restored registry\n");
    },
    300_000,
  );
});
