// Builds a fresh registry on a throwaway data folder for each test, with helpers to make users and
// tokens directly in the database (the CLI and web tests cover the real flows).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import supertest from "supertest";
import { createApp } from "../../src/app.js";
import { generateToken, hashToken } from "../../src/auth/tokens.js";
import { loadConfig, type Config } from "../../src/config.js";
import { createContext } from "../../src/context.js";
import type { User } from "../../src/db/users.js";
import { silentLogger, type Logger } from "../../src/logger.js";
import { isoSeconds } from "../../src/time.js";
import type { EndpointScope } from "../../src/auth/scopes.js";

export interface TestAppOptions {
  config?: Partial<Config>;
  logger?: Logger;
  /** A fixed or moving clock; defaults to the real time. */
  now?: () => Date;
}

export interface TokenOptions {
  name?: string;
  scopes?: EndpointScope[];
  crates?: string[] | null;
  expiresAt?: Date | null;
}

export const ALL_SCOPES: EndpointScope[] = ["publish-new", "publish-update", "yank", "change-owners"];

export function createTestApp(options: TestAppOptions = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "cargohold-test-"));
  const config = loadConfig({}, { dataDir, publicUrl: "http://registry.test", bcryptCost: 4, logFormat: "silent", ...options.config });
  const ctx = createContext(config, { logger: options.logger ?? silentLogger, now: options.now });
  const app = createApp(ctx);
  let users = 0;

  return {
    app,
    ctx,
    dataDir,
    config,
    request: () => supertest(app),
    /** Inserts a user (password "correct horse battery") and returns it. */
    createUser(login = `user${++users}`, opts: { admin?: boolean; name?: string } = {}): User {
      // bcrypt hash of "correct horse battery" at cost 4, to keep tests fast.
      const passwordHash = "$2b$04$iQlPgY7MmZMRLGni11h20uqTXR8PtL9qciD8jz38FeO/Gey6GaoRu";
      const id = ctx.db.users.create({ login, name: opts.name ?? null, email: null, passwordHash, isAdmin: opts.admin ?? false, createdAt: isoSeconds(new Date()) });
      return ctx.db.users.findById(id)!;
    },
    /** Inserts a token for `user` and returns its plaintext and id. Defaults: all scopes, all crates, no expiry. */
    createToken(user: User, opts: TokenOptions = {}): { token: string; id: number } {
      const token = generateToken();
      const id = ctx.db.tokens.create({
        userId: user.id,
        name: opts.name ?? "test token",
        tokenHash: hashToken(token),
        endpointScopes: opts.scopes ?? ALL_SCOPES,
        crateScopes: opts.crates ?? null,
        createdAt: isoSeconds(ctx.now()),
        expiresAt: opts.expiresAt ? isoSeconds(opts.expiresAt) : null,
      });
      return { token, id };
    },
    /** Relative paths of every stored .crate file, sorted. */
    storedFiles: () => ctx.store.listFiles(),
    /** Row counts of the tables a publish writes to. */
    rowCounts() {
      const count = (table: string) => (ctx.db.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      return { crates: count("crates"), versions: count("versions"), owners: count("crate_owners"), audit: count("audit_log") };
    },
    close() {
      ctx.db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestApp = ReturnType<typeof createTestApp>;
