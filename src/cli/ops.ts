// `cargohold backup DEST`, `cargohold restore SRC` and `cargohold check [--repair]`.
import { parseArgs } from "node:util";
import type { Config } from "../config.js";
import { migrationsDir } from "../db/index.js";
import { readMigrations } from "../db/migrate.js";
import { backupDestinationProblem, createBackup } from "../ops/backup.js";
import { checkIntegrity } from "../ops/check.js";
import { OpsError } from "../ops/errors.js";
import { cargoholdVersion } from "../ops/manifest.js";
import { restoreBackup } from "../ops/restore.js";
import { CliError, type CliIo } from "./io.js";
import { withRegistry } from "./open-registry.js";

/** Writes a consistent backup of the running registry into the new folder DEST. */
export async function backupCommand(config: Config, args: string[], io: CliIo): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new CliError("usage: cargohold backup DEST   (DEST: a folder that does not exist yet)", 2);
  // Checked before the registry is opened, so a bad DEST touches nothing.
  const problem = backupDestinationProblem(positionals[0]!, config.dataDir);
  if (problem) throw new CliError(problem);
  const report = await withRegistry(config, (ctx) =>
    createBackup({ sqlite: ctx.db.sqlite, store: ctx.store, dest: positionals[0]!, dataDir: config.dataDir, now: ctx.now(), cargoholdVersion: cargoholdVersion() }),
  );
  const { files, database } = report.manifest;
  io.stdout.write(
    `backed up the database (${formatBytes(database.size)}) and ${plural(files.length, "crate file")} (${formatBytes(report.crateBytes)}) to ${report.dest}\n`,
  );
}

/** Recreates DATA_DIR (absent or empty) from the backup folder SRC, after verifying all of it. */
export async function restoreCommand(config: Config, args: string[], io: CliIo): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new CliError("usage: cargohold restore SRC   (SRC: a folder written by cargohold backup)", 2);
  try {
    const report = await restoreBackup({
      src: positionals[0]!,
      dataDir: config.dataDir,
      knownSchemaVersion: readMigrations(migrationsDir).length,
    });
    const { manifest } = report;
    io.stdout.write(
      `restored the backup of ${manifest.createdAt} (cargohold ${manifest.cargoholdVersion}): the database and ${plural(manifest.files.length, "crate file")} (${formatBytes(report.crateBytes)}) into ${report.dataDir}\n`,
    );
  } catch (error) {
    throw error instanceof OpsError ? new CliError(error.message) : error;
  }
}

/** Prints one line per disagreement between database and files; exits 1 when any remain. */
export async function checkCommand(config: Config, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { repair: { type: "boolean" } } });
  if (positionals.length !== 0) throw new CliError("usage: cargohold check [--repair]", 2);
  const report = await withRegistry(config, (ctx) => checkIntegrity(ctx, { repair: values.repair ?? false }));
  for (const path of report.removed) io.stdout.write(`removed: ${path}\n`);
  for (const problem of report.problems) io.stdout.write(`${problem.line}\n`);
  const checked = `checked ${plural(report.versions, "version")}`;
  if (report.problems.length === 0) {
    io.stdout.write(`${checked}: every file is present and intact${report.removed.length ? "" : ", and there are no orphans"}\n`);
    return;
  }
  const fixable = report.problems.some((p) => p.kind === "orphan" || p.kind === "temp leftover");
  const hint = fixable && !values.repair ? "; `cargohold check --repair` removes orphans and temp leftovers" : "";
  throw new CliError(`${checked}: ${plural(report.problems.length, "problem")} found${hint}`);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
