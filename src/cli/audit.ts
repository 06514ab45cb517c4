// `cargohold audit [--crate NAME] [--limit N]`: who published, yanked, changed owners or managed
// tokens and users, with which token, and when; newest first.
import { parseArgs } from "node:util";
import type { Config } from "../config.js";
import type { AuditEntry } from "../db/audit.js";
import { canonicalName } from "../registry/names.js";
import { CliError, table, type CliIo } from "./io.js";
import { withRegistry } from "./open-registry.js";

const USAGE = "usage: cargohold audit [--crate NAME] [--limit N]";
const DEFAULT_LIMIT = 100;

/** Prints the audit log as a table; `--crate` matches the name canonically (case, `-` = `_`). */
export async function auditCommand(config: Config, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { crate: { type: "string" }, limit: { type: "string" } },
  });
  if (positionals.length !== 0) throw new CliError(USAGE, 2);
  const limit = parseLimit(values.limit);
  await withRegistry(config, (ctx) => {
    let crateName: string | undefined;
    if (values.crate !== undefined) {
      // Entries store the crate's name as first published, so look that name up first.
      const crate = ctx.db.crates.findByCanonicalName(canonicalName(values.crate));
      if (!crate) throw new CliError(`no crate named "${values.crate}"`);
      crateName = crate.name;
    }
    const entries = ctx.db.audit.list({ crateName, limit });
    if (entries.length === 0) {
      io.stdout.write(crateName ? `no audit entries for crate ${crateName}\n` : "the audit log is empty\n");
      return;
    }
    io.stdout.write(table(["TIME", "ACTION", "USER", "TOKEN", "CRATE", "VERSION", "DETAIL"], entries.map(auditRow)));
    if (entries.length === limit) io.stderr.write(`showing the newest ${limit} entries; use --limit N to see more\n`);
  });
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1_000_000) {
    throw new CliError(`--limit must be a whole number from 1 to 1000000 (got "${raw}")`, 2);
  }
  return Number(raw);
}

/** One table row; a user id whose account is gone shows as `#id`. */
export function auditRow(e: AuditEntry): string[] {
  return [
    e.createdAt,
    e.action,
    e.login ?? (e.userId === null ? "-" : `#${e.userId}`),
    e.tokenId === null ? "-" : String(e.tokenId),
    e.crateName ?? "-",
    e.version ?? "-",
    formatDetail(e.detail),
  ];
}

/** `{ login: "bob", admin: true }` → `login=bob admin=true`. */
export function formatDetail(detail: Record<string, unknown> | null): string {
  if (!detail || Object.keys(detail).length === 0) return "-";
  return Object.entries(detail)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
}
