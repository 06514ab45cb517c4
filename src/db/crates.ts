// Queries for the crates and crate_owners tables.
import type Database from "better-sqlite3";
import { fromJson } from "./json.js";

export interface Crate {
  id: number;
  name: string;
  canonicalName: string;
  description: string | null;
  keywords: string[];
  downloads: number;
  createdAt: string;
  updatedAt: string;
}

export interface Owner {
  id: number;
  login: string;
  name: string | null;
}

interface CrateRow {
  id: number;
  name: string;
  canonical_name: string;
  description: string | null;
  keywords: string;
  downloads: number;
  created_at: string;
  updated_at: string;
}

const fromRow = (row: CrateRow): Crate => ({
  id: row.id,
  name: row.name,
  canonicalName: row.canonical_name,
  description: row.description,
  keywords: fromJson<string[]>(row.keywords),
  downloads: row.downloads,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Escapes LIKE wildcards so user text matches literally (used with `ESCAPE '\'`). */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export function crateQueries(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO crates (name, canonical_name, description, keywords, created_at, updated_at)
     VALUES (@name, @canonicalName, @description, @keywords, @now, @now)`,
  );
  const byCanonical = db.prepare(`SELECT * FROM crates WHERE canonical_name = ?`);
  const byId = db.prepare(`SELECT * FROM crates WHERE id = ?`);
  const updateInfo = db.prepare(
    `UPDATE crates SET description = @description, keywords = @keywords, updated_at = @now WHERE id = @id`,
  );
  const touch = db.prepare(`UPDATE crates SET updated_at = ? WHERE id = ?`);
  const addDownload = db.prepare(`UPDATE crates SET downloads = downloads + 1 WHERE id = ?`);
  const recent = db.prepare(`SELECT * FROM crates ORDER BY updated_at DESC, id DESC LIMIT ?`);
  const count = db.prepare(`SELECT count(*) AS n FROM crates`);
  const ownedBy = db.prepare(
    `SELECT c.* FROM crates c JOIN crate_owners o ON o.crate_id = c.id WHERE o.user_id = ? ORDER BY c.name`,
  );
  // Search: every word must appear in the name, the description or a keyword; an exact
  // (canonical) name match sorts first, then prefix matches, then the most downloaded. LIKE ignores
  // ASCII case by itself (and SQLite's lower() folds nothing else), so the columns are not lowered.
  const wordCondition = (i: number) =>
    `(canonical_name LIKE @c${i} ESCAPE '\\' OR description LIKE @p${i} ESCAPE '\\' OR keywords LIKE @p${i} ESCAPE '\\')`;
  const whereAll = (words: number) => Array.from({ length: words }, (_, i) => wordCondition(i)).join(" AND ") || "1";
  // The total comes with the page (a window count), so one scan of the table answers both.
  const searchPage = (words: number) =>
    db.prepare(
      `SELECT *, count(*) OVER () AS total FROM crates WHERE ${whereAll(words)}
       ORDER BY canonical_name = @exact DESC, canonical_name LIKE @prefix ESCAPE '\\' DESC, downloads DESC, canonical_name
       LIMIT @limit OFFSET @offset`,
    );
  const searchCount = (words: number) => db.prepare(`SELECT count(*) AS n FROM crates WHERE ${whereAll(words)}`);
  const searchStatements = new Map<number, { page: Database.Statement; count: Database.Statement }>();

  const ownersOf = db.prepare(
    `SELECT u.id, u.login, u.name FROM crate_owners o JOIN users u ON u.id = o.user_id
     WHERE o.crate_id = ? ORDER BY o.created_at, u.id`,
  );
  const isOwner = db.prepare(`SELECT 1 FROM crate_owners WHERE crate_id = ? AND user_id = ?`);
  const addOwner = db.prepare(
    `INSERT INTO crate_owners (crate_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const removeOwner = db.prepare(`DELETE FROM crate_owners WHERE crate_id = ? AND user_id = ?`);

  return {
    /** Inserts a crate and returns its id. */
    create(c: { name: string; canonicalName: string; description: string | null; keywords: string[]; now: string }): number {
      return Number(insert.run({ ...c, keywords: JSON.stringify(c.keywords) }).lastInsertRowid);
    },
    /** Finds a crate by canonical name (lowercase, '-' as '_'). */
    findByCanonicalName(canonicalName: string): Crate | undefined {
      const row = byCanonical.get(canonicalName) as CrateRow | undefined;
      return row && fromRow(row);
    },
    findById(id: number): Crate | undefined {
      const row = byId.get(id) as CrateRow | undefined;
      return row && fromRow(row);
    },
    /** Records the descriptive fields of the newest publish. */
    updateInfo(id: number, info: { description: string | null; keywords: string[]; now: string }): void {
      updateInfo.run({ id, ...info, keywords: JSON.stringify(info.keywords) });
    },
    touch(id: number, now: string): void {
      touch.run(now, id);
    },
    countDownload(id: number): void {
      addDownload.run(id);
    },
    listRecentlyUpdated(limit: number): Crate[] {
      return (recent.all(limit) as CrateRow[]).map(fromRow);
    },
    count(): number {
      return (count.get() as { n: number }).n;
    },
    listOwnedBy(userId: number): Crate[] {
      return (ownedBy.all(userId) as CrateRow[]).map(fromRow);
    },
    /** Crates matching every word (lowercase), best matches first, with the total number of matches. */
    search(words: string[], limit: number, offset: number): { crates: Crate[]; total: number } {
      let statements = searchStatements.get(words.length);
      if (!statements) {
        statements = { page: searchPage(words.length), count: searchCount(words.length) };
        searchStatements.set(words.length, statements);
      }
      const params: Record<string, string | number> = {};
      words.forEach((w, i) => {
        params[`p${i}`] = `%${likeLiteral(w)}%`;
        params[`c${i}`] = `%${likeLiteral(w.replaceAll("-", "_"))}%`;
      });
      const joined = words.join("_").replaceAll("-", "_");
      const rows = statements.page.all({ ...params, exact: joined, prefix: `${likeLiteral(joined)}%`, limit, offset }) as (CrateRow & { total: number })[];
      // A page past the last match has no row to carry the total; only then is it counted apart.
      const total = rows[0]?.total ?? (offset > 0 ? (statements.count.get(params) as { n: number }).n : 0);
      return { crates: rows.map(fromRow), total };
    },
    listOwners(crateId: number): Owner[] {
      return ownersOf.all(crateId) as Owner[];
    },
    isOwner(crateId: number, userId: number): boolean {
      return isOwner.get(crateId, userId) !== undefined;
    },
    /** Adds an owner; false when the user already was one. */
    addOwner(crateId: number, userId: number, now: string): boolean {
      return addOwner.run(crateId, userId, now).changes === 1;
    },
    /** Removes an owner; false when the user was not one. */
    removeOwner(crateId: number, userId: number): boolean {
      return removeOwner.run(crateId, userId).changes === 1;
    },
  };
}
