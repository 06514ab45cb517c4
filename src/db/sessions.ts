// Queries for the tables of web sign-in: sessions, the one-time nonces of the New API Token form,
// and the first-run setup token. Ids and tokens arrive here already hashed.
import type Database from "better-sqlite3";

export interface Session {
  idHash: string;
  userId: number;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
}

export interface FormNonce {
  nonce: string;
  sessionIdHash: string;
  createdAt: string;
  /** The token the form created, once submitted. */
  tokenId: number | null;
}

interface SessionRow {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

const fromRow = (row: SessionRow): Session => ({
  idHash: row.id_hash,
  userId: row.user_id,
  csrfToken: row.csrf_token,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastSeenAt: row.last_seen_at,
});

export function sessionQueries(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at)
     VALUES (@idHash, @userId, @csrfToken, @createdAt, @expiresAt, @createdAt)`,
  );
  const active = db.prepare(
    `SELECT * FROM sessions WHERE id_hash = @idHash AND expires_at > @now AND last_seen_at > @idleCutoff`,
  );
  const touch = db.prepare(`UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`);
  const remove = db.prepare(`DELETE FROM sessions WHERE id_hash = ?`);
  const removeForUser = db.prepare(`DELETE FROM sessions WHERE user_id = ?`);
  const removeOthersOfUser = db.prepare(`DELETE FROM sessions WHERE user_id = ? AND id_hash != ?`);
  const removeStale = db.prepare(`DELETE FROM sessions WHERE expires_at <= @now OR last_seen_at <= @idleCutoff`);
  const countForUser = db.prepare(`SELECT count(*) AS n FROM sessions WHERE user_id = ?`);

  const insertNonce = db.prepare(`INSERT INTO form_nonces (nonce, session_id_hash, created_at) VALUES (?, ?, ?)`);
  const nonceOf = db.prepare(`SELECT * FROM form_nonces WHERE nonce = ? AND session_id_hash = ?`);
  const useNonce = db.prepare(`UPDATE form_nonces SET token_id = ? WHERE nonce = ? AND token_id IS NULL`);
  const removeOldNonces = db.prepare(`DELETE FROM form_nonces WHERE created_at < ?`);

  const insertSetup = db.prepare(`INSERT INTO setup_tokens (token_hash, created_at) VALUES (?, ?)`);
  const setupByHash = db.prepare(`SELECT 1 FROM setup_tokens WHERE token_hash = ?`);
  const removeSetup = db.prepare(`DELETE FROM setup_tokens`);

  return {
    create(s: { idHash: string; userId: number; csrfToken: string; createdAt: string; expiresAt: string }): void {
      insert.run(s);
    },
    /** The session with this id hash unless it has passed its absolute end or been idle since `idleCutoff`. */
    findActive(idHash: string, now: string, idleCutoff: string): Session | undefined {
      const row = active.get({ idHash, now, idleCutoff }) as SessionRow | undefined;
      return row && fromRow(row);
    },
    touch(idHash: string, now: string): void {
      touch.run(now, idHash);
    },
    delete(idHash: string): void {
      remove.run(idHash);
    },
    /** Ends every session of a user (disabled account, password reset). */
    deleteForUser(userId: number): void {
      removeForUser.run(userId);
    },
    /** Ends every session of a user but `keepIdHash` (after a password change in that session). */
    deleteOthersOfUser(userId: number, keepIdHash: string): void {
      removeOthersOfUser.run(userId, keepIdHash);
    },
    /** Removes sessions that can no longer be used (their nonces go with them). */
    deleteStale(now: string, idleCutoff: string): void {
      removeStale.run({ now, idleCutoff });
    },
    countForUser(userId: number): number {
      return (countForUser.get(userId) as { n: number }).n;
    },

    issueNonce(nonce: string, sessionIdHash: string, now: string): void {
      insertNonce.run(nonce, sessionIdHash, now);
    },
    /** The nonce if it was issued to this session, used or not. */
    findNonce(nonce: string, sessionIdHash: string): FormNonce | undefined {
      const row = nonceOf.get(nonce, sessionIdHash) as
        | { nonce: string; session_id_hash: string; created_at: string; token_id: number | null }
        | undefined;
      return row && { nonce: row.nonce, sessionIdHash: row.session_id_hash, createdAt: row.created_at, tokenId: row.token_id };
    },
    /** Marks a nonce used by the token it created; false when it already was. */
    useNonce(nonce: string, tokenId: number): boolean {
      return useNonce.run(tokenId, nonce).changes === 1;
    },
    deleteNoncesBefore(before: string): void {
      removeOldNonces.run(before);
    },

    /** Replaces any earlier setup token: only the newest printed link works. */
    replaceSetupToken(tokenHash: string, now: string): void {
      removeSetup.run();
      insertSetup.run(tokenHash, now);
    },
    hasSetupToken(tokenHash: string): boolean {
      return setupByHash.get(tokenHash) !== undefined;
    },
    deleteSetupTokens(): void {
      removeSetup.run();
    },
  };
}
