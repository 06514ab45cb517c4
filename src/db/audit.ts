// Queries for the audit_log table: who did what to which crate, with which token, when.
import type Database from "better-sqlite3";
import { fromJsonOrNull } from "./json.js";

export type AuditAction =
  | "publish"
  | "yank"
  | "unyank"
  | "owner-add"
  | "owner-remove"
  | "token-create"
  | "token-revoke"
  | "user-create"
  | "user-disable"
  | "user-enable"
  | "password-reset";

export interface AuditEntry {
  id: number;
  action: AuditAction;
  userId: number | null;
  login: string | null;
  tokenId: number | null;
  crateName: string | null;
  version: string | null;
  detail: Record<string, unknown> | null;
  createdAt: string;
}

export interface NewAuditEntry {
  action: AuditAction;
  userId: number | null;
  tokenId: number | null;
  crateName?: string | null;
  version?: string | null;
  detail?: Record<string, unknown> | null;
  createdAt: string;
}

interface AuditRow {
  id: number;
  action: AuditAction;
  user_id: number | null;
  login: string | null;
  token_id: number | null;
  crate_name: string | null;
  version: string | null;
  detail: string | null;
  created_at: string;
}

export function auditQueries(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO audit_log (action, user_id, token_id, crate_name, version, detail, created_at)
     VALUES (@action, @userId, @tokenId, @crateName, @version, @detail, @createdAt)`,
  );
  const select = `SELECT a.*, u.login FROM audit_log a LEFT JOIN users u ON u.id = a.user_id`;
  const recent = db.prepare(`${select} ORDER BY a.id DESC LIMIT ?`);
  const forCrate = db.prepare(`${select} WHERE a.crate_name = ? ORDER BY a.id DESC LIMIT ?`);

  const fromRow = (row: AuditRow): AuditEntry => ({
    id: row.id,
    action: row.action,
    userId: row.user_id,
    login: row.login,
    tokenId: row.token_id,
    crateName: row.crate_name,
    version: row.version,
    detail: fromJsonOrNull(row.detail),
    createdAt: row.created_at,
  });

  return {
    record(entry: NewAuditEntry): void {
      insert.run({
        ...entry,
        crateName: entry.crateName ?? null,
        version: entry.version ?? null,
        detail: entry.detail ? JSON.stringify(entry.detail) : null,
      });
    },
    /** The newest entries first, optionally only those about one crate (its stored name). */
    list(options: { crateName?: string; limit?: number } = {}): AuditEntry[] {
      const limit = options.limit ?? 1000;
      const rows = options.crateName ? forCrate.all(options.crateName, limit) : recent.all(limit);
      return (rows as AuditRow[]).map(fromRow);
    },
  };
}
