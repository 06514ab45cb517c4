// Queries for the users table.
import type Database from "better-sqlite3";

export interface User {
  id: number;
  login: string;
  name: string | null;
  email: string | null;
  passwordHash: string;
  isAdmin: boolean;
  disabledAt: string | null;
  createdAt: string;
}

export interface NewUser {
  login: string;
  name: string | null;
  email: string | null;
  passwordHash: string;
  isAdmin: boolean;
  createdAt: string;
}

interface UserRow {
  id: number;
  login: string;
  name: string | null;
  email: string | null;
  password_hash: string;
  is_admin: number;
  disabled_at: string | null;
  created_at: string;
}

const fromRow = (row: UserRow): User => ({
  id: row.id,
  login: row.login,
  name: row.name,
  email: row.email,
  passwordHash: row.password_hash,
  isAdmin: row.is_admin === 1,
  disabledAt: row.disabled_at,
  createdAt: row.created_at,
});

export function userQueries(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO users (login, name, email, password_hash, is_admin, created_at)
     VALUES (@login, @name, @email, @passwordHash, @isAdmin, @createdAt)`,
  );
  const byId = db.prepare(`SELECT * FROM users WHERE id = ?`);
  const byLogin = db.prepare(`SELECT * FROM users WHERE login = ?`);
  const all = db.prepare(`SELECT * FROM users ORDER BY login`);
  const count = db.prepare(`SELECT count(*) AS n FROM users`);
  const setProfile = db.prepare(`UPDATE users SET name = ?, email = ? WHERE id = ?`);
  const setPassword = db.prepare(`UPDATE users SET password_hash = ? WHERE id = ?`);
  const setDisabled = db.prepare(`UPDATE users SET disabled_at = ? WHERE id = ?`);

  return {
    /** Inserts a user and returns its id; throws on a duplicate login (checked by the caller first). */
    create(user: NewUser): number {
      return Number(insert.run({ ...user, isAdmin: user.isAdmin ? 1 : 0 }).lastInsertRowid);
    },
    findById(id: number): User | undefined {
      const row = byId.get(id) as UserRow | undefined;
      return row && fromRow(row);
    },
    /** Finds a user by login, case-insensitively. */
    findByLogin(login: string): User | undefined {
      const row = byLogin.get(login) as UserRow | undefined;
      return row && fromRow(row);
    },
    list(): User[] {
      return (all.all() as UserRow[]).map(fromRow);
    },
    count(): number {
      return (count.get() as { n: number }).n;
    },
    updateProfile(id: number, name: string | null, email: string | null): void {
      setProfile.run(name, email, id);
    },
    updatePassword(id: number, passwordHash: string): void {
      setPassword.run(passwordHash, id);
    },
    /** Disables (a timestamp) or re-enables (null) an account. */
    setDisabled(id: number, disabledAt: string | null): void {
      setDisabled.run(disabledAt, id);
    },
  };
}
