// Queries for the api_tokens table. Tokens are found by the SHA-256 of their plaintext.
import type Database from "better-sqlite3";
import { isoSeconds } from "../time.js";
import { fromJson, fromJsonOrNull } from "./json.js";

/** `last_used_at` is kept to the minute: a token used again within a minute is not written again. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Until when (epoch ms) a use of a token last used at `lastUsedAt` need not be recorded again. */
export function lastUseRecentUntil(lastUsedAt: string | null): number {
  return lastUsedAt === null ? -Infinity : Date.parse(lastUsedAt) + LAST_USED_RESOLUTION_MS;
}

/** True when a use at `now` need not be recorded (timestamps as `YYYY-MM-DDTHH:MM:SSZ`). */
export function lastUseIsRecent(lastUsedAt: string | null, now: string): boolean {
  return Date.parse(now) <= lastUseRecentUntil(lastUsedAt);
}

export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  endpointScopes: string[];
  /** Crate patterns, or null when the token covers every crate. */
  crateScopes: string[] | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface NewApiToken {
  userId: number;
  name: string;
  tokenHash: string;
  endpointScopes: string[];
  crateScopes: string[] | null;
  createdAt: string;
  expiresAt: string | null;
}

interface TokenRow {
  id: number;
  user_id: number;
  name: string;
  endpoint_scopes: string;
  crate_scopes: string | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

const fromRow = (row: TokenRow): ApiToken => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  endpointScopes: fromJson<string[]>(row.endpoint_scopes),
  crateScopes: fromJsonOrNull<string[]>(row.crate_scopes),
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
});

export function tokenQueries(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO api_tokens (user_id, name, token_hash, endpoint_scopes, crate_scopes, created_at, expires_at)
     VALUES (@userId, @name, @tokenHash, @endpointScopes, @crateScopes, @createdAt, @expiresAt)`,
  );
  // Whether a token is usable is decided by this one read, on every request, so a revocation or an
  // expiry takes effect on the very next request. Recording the use is a separate write made at most
  // once a minute per token: a write per request would serialise every read of the registry on the
  // database's write lock.
  const findActive = db.prepare(
    `SELECT * FROM api_tokens WHERE token_hash = @hash AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now)`,
  );
  const touch = db.prepare(
    `UPDATE api_tokens SET last_used_at = @now WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @staleBefore)`,
  );
  const byHash = db.prepare(`SELECT * FROM api_tokens WHERE token_hash = ?`);
  const byId = db.prepare(`SELECT * FROM api_tokens WHERE id = ?`);
  const forUser = db.prepare(`SELECT * FROM api_tokens WHERE user_id = ? ORDER BY id DESC`);
  const revoke = db.prepare(`UPDATE api_tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL`);
  const revokeAllOfUser = db.prepare(
    `UPDATE api_tokens SET revoked_at = @now WHERE user_id = @userId AND revoked_at IS NULL`,
  );

  return {
    /** Inserts a token and returns its id. */
    create(t: NewApiToken): number {
      return Number(
        insert.run({
          ...t,
          endpointScopes: JSON.stringify(t.endpointScopes),
          crateScopes: t.crateScopes === null ? null : JSON.stringify(t.crateScopes),
        }).lastInsertRowid,
      );
    },
    /**
     * Returns the active (not revoked, not expired) token with this hash, undefined otherwise, and
     * records `now` (`YYYY-MM-DDTHH:MM:SSZ`) as its last use unless one was recorded in the minute before.
     */
    useActiveByHash(hash: string, now: string): ApiToken | undefined {
      const row = findActive.get({ hash, now }) as TokenRow | undefined;
      if (!row) return undefined;
      if (!lastUseIsRecent(row.last_used_at, now)) {
        touch.run({ id: row.id, now, staleBefore: isoSeconds(new Date(Date.parse(now) - LAST_USED_RESOLUTION_MS)) });
        row.last_used_at = now;
      }
      return fromRow(row);
    },
    /** Returns the token with this hash whatever its state, to explain why it was refused. */
    findByHash(hash: string): ApiToken | undefined {
      const row = byHash.get(hash) as TokenRow | undefined;
      return row && fromRow(row);
    },
    findById(id: number): ApiToken | undefined {
      const row = byId.get(id) as TokenRow | undefined;
      return row && fromRow(row);
    },
    /** Every token of a user, revoked and expired ones included, newest first. */
    listForUser(userId: number): ApiToken[] {
      return (forUser.all(userId) as TokenRow[]).map(fromRow);
    },
    /** Revokes a token; false when it was already revoked or does not exist. */
    revoke(id: number, now: string): boolean {
      return revoke.run({ id, now }).changes === 1;
    },
    /** Revokes every active token of a user; returns how many. */
    revokeAllForUser(userId: number, now: string): number {
      return revokeAllOfUser.run({ userId, now }).changes;
    },
  };
}
