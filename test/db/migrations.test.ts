// Upgrades: the schema every migration builds (snapshotted, so a change shows up in review), a
// registry created by the first release opened by the current code with nothing lost, and a
// database newer than the code refused.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import supertest from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { generateToken, hashToken } from "../../src/auth/tokens.js";
import { loadConfig } from "../../src/config.js";
import { createContext } from "../../src/context.js";
import { migrationsDir, openDatabase } from "../../src/db/index.js";
import { migrate, readMigrations } from "../../src/db/migrate.js";
import { silentLogger } from "../../src/logger.js";
import { CrateBuilder } from "../helpers/crate-builder.js";
import { cli } from "../ops/helpers.js";

const migrations = readMigrations(migrationsDir);
let dir: string | undefined;

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function newDataDir(): string {
  dir = mkdtempSync(join(tmpdir(), "cargohold-migrations-"));
  return dir;
}

describe("migrations", () => {
  it("build this schema on an empty database", () => {
    const db = new Database(":memory:");
    expect(migrate(db, migrations)).toEqual(migrations.map((m) => m.version));
    expect(db.pragma("user_version", { simple: true })).toBe(migrations.length);
    expect(db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name").all()).toMatchInlineSnapshot(`
      [
        {
          "name": "api_tokens",
          "sql": "CREATE TABLE api_tokens (
        id              INTEGER PRIMARY KEY,
        user_id         INTEGER NOT NULL REFERENCES users (id),
        name            TEXT NOT NULL,
        -- SHA-256 of the plaintext, lowercase hex. The plaintext is never stored.
        token_hash      TEXT NOT NULL UNIQUE,
        -- JSON array of endpoint scopes (publish-new, publish-update, yank, change-owners).
        endpoint_scopes TEXT NOT NULL,
        -- JSON array of crate patterns, or NULL for every crate.
        crate_scopes    TEXT,
        created_at      TEXT NOT NULL,
        last_used_at    TEXT,
        expires_at      TEXT,
        revoked_at      TEXT
      )",
          "type": "table",
        },
        {
          "name": "api_tokens_user",
          "sql": "CREATE INDEX api_tokens_user ON api_tokens (user_id)",
          "type": "index",
        },
        {
          "name": "audit_log",
          "sql": "CREATE TABLE audit_log (
        id         INTEGER PRIMARY KEY,
        -- publish, yank, unyank, owner-add, owner-remove, token-create, token-revoke, ...
        action     TEXT NOT NULL,
        user_id    INTEGER REFERENCES users (id),
        token_id   INTEGER REFERENCES api_tokens (id),
        crate_name TEXT,
        version    TEXT,
        -- JSON object with action-specific details (e.g. the logins added as owners).
        detail     TEXT,
        created_at TEXT NOT NULL
      )",
          "type": "table",
        },
        {
          "name": "audit_log_crate",
          "sql": "CREATE INDEX audit_log_crate ON audit_log (crate_name)",
          "type": "index",
        },
        {
          "name": "crate_owners",
          "sql": "CREATE TABLE crate_owners (
        crate_id   INTEGER NOT NULL REFERENCES crates (id),
        user_id    INTEGER NOT NULL REFERENCES users (id),
        created_at TEXT NOT NULL,
        PRIMARY KEY (crate_id, user_id)
      )",
          "type": "table",
        },
        {
          "name": "crate_owners_user",
          "sql": "CREATE INDEX crate_owners_user ON crate_owners (user_id)",
          "type": "index",
        },
        {
          "name": "crates",
          "sql": "CREATE TABLE crates (
        id             INTEGER PRIMARY KEY,
        -- The name as first published (case and '-'/'_' kept); index files and downloads use it.
        name           TEXT NOT NULL UNIQUE,
        -- lower(name) with '-' replaced by '_': names that differ only so are the same crate.
        canonical_name TEXT NOT NULL UNIQUE,
        -- Copied from the newest published version, for search and listings.
        description    TEXT,
        keywords       TEXT NOT NULL DEFAULT '[]',
        downloads      INTEGER NOT NULL DEFAULT 0,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL
      )",
          "type": "table",
        },
        {
          "name": "form_nonces",
          "sql": "CREATE TABLE form_nonces (
        nonce           TEXT PRIMARY KEY,
        session_id_hash TEXT NOT NULL REFERENCES sessions (id_hash) ON DELETE CASCADE,
        created_at      TEXT NOT NULL,
        -- The token the form created, once it has been submitted.
        token_id        INTEGER REFERENCES api_tokens (id)
      )",
          "type": "table",
        },
        {
          "name": "form_nonces_session",
          "sql": "CREATE INDEX form_nonces_session ON form_nonces (session_id_hash)",
          "type": "index",
        },
        {
          "name": "sessions",
          "sql": "CREATE TABLE sessions (
        -- SHA-256 of the random session id held in the browser's cookie.
        id_hash      TEXT PRIMARY KEY,
        user_id      INTEGER NOT NULL REFERENCES users (id),
        -- Per-session CSRF token, embedded in every form (it only guards forms, so it is kept as is).
        csrf_token   TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        -- Absolute end of the session; the idle limit is applied to last_seen_at.
        expires_at   TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
      )",
          "type": "table",
        },
        {
          "name": "sessions_user",
          "sql": "CREATE INDEX sessions_user ON sessions (user_id)",
          "type": "index",
        },
        {
          "name": "setup_tokens",
          "sql": "CREATE TABLE setup_tokens (
        -- SHA-256 of the token in the setup link printed at start while there are no users.
        token_hash TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
      )",
          "type": "table",
        },
        {
          "name": "sqlite_autoindex_api_tokens_1",
          "sql": null,
          "type": "index",
        },
        {
          "name": "sqlite_autoindex_crate_owners_1",
          "sql": null,
          "type": "index",
        },
        {
          "name": "sqlite_autoindex_crates_1",
          "sql": null,
          "type": "index",
        },
        {
          "name": "sqlite_autoindex_crates_2",
          "sql": null,
          "type": "index",
        },
        {
          "name": "sqlite_autoindex_form_nonces_1",
          "sql": null,
          "type": "index",
        },
        {
          "name": "sqlite_autoindex_sessions_1",
          "sql": null,
          "type": "index",
        },
        {
          "name": "sqlite_autoindex_setup_tokens_1",
          "sql": null,
          "type": "index",
        },
        {
          "name": "sqlite_autoindex_users_1",
          "sql": null,
          "type": "index",
        },
        {
          "name": "sqlite_autoindex_version_downloads_1",
          "sql": null,
          "type": "index",
        },
        {
          "name": "sqlite_autoindex_versions_1",
          "sql": null,
          "type": "index",
        },
        {
          "name": "users",
          "sql": "CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        login         TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name          TEXT,
        email         TEXT,
        password_hash TEXT NOT NULL,
        is_admin      INTEGER NOT NULL DEFAULT 0,
        disabled_at   TEXT,
        created_at    TEXT NOT NULL
      )",
          "type": "table",
        },
        {
          "name": "version_downloads",
          "sql": "CREATE TABLE version_downloads (
        version_id INTEGER NOT NULL REFERENCES versions (id),
        day        TEXT NOT NULL,
        downloads  INTEGER NOT NULL,
        PRIMARY KEY (version_id, day)
      )",
          "type": "table",
        },
        {
          "name": "versions",
          "sql": "CREATE TABLE versions (
        id            INTEGER PRIMARY KEY,
        crate_id      INTEGER NOT NULL REFERENCES crates (id),
        -- The full SemVer string, build metadata included.
        num           TEXT NOT NULL,
        -- The version without build metadata: 1.0.0 and 1.0.0+extra cannot both exist.
        num_no_build  TEXT NOT NULL,
        -- Index form of the dependencies (name/req/package/registry...), JSON array.
        deps          TEXT NOT NULL,
        -- The [features] table as published, JSON object.
        features      TEXT NOT NULL,
        links         TEXT,
        rust_version  TEXT,
        checksum      TEXT NOT NULL,
        size          INTEGER NOT NULL,
        yanked        INTEGER NOT NULL DEFAULT 0,
        -- Descriptive metadata from the publish request, shown on crate pages and in search.
        description   TEXT,
        license       TEXT,
        license_file  TEXT,
        homepage      TEXT,
        documentation TEXT,
        repository    TEXT,
        readme        TEXT,
        keywords      TEXT NOT NULL DEFAULT '[]',
        categories    TEXT NOT NULL DEFAULT '[]',
        authors       TEXT NOT NULL DEFAULT '[]',
        published_by  INTEGER REFERENCES users (id),
        published_with_token INTEGER REFERENCES api_tokens (id),
        created_at    TEXT NOT NULL,
        UNIQUE (crate_id, num_no_build)
      )",
          "type": "table",
        },
      ]
    `);
    db.close();
  });

  it("bring a registry made by the first release up to date without losing a row", async () => {
    const dataDir = newDataDir();
    const file = join(dataDir, "cargohold.sqlite3");
    const crateFile = await new CrateBuilder("Legacy_Lib", "1.0.0").crateFile();
    const crateFile2 = await new CrateBuilder("Legacy_Lib", "1.1.0").crateFile();
    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    const token = generateToken();

    // 1. A data folder as release 1 left it: schema 0001 only, filled the way its code wrote rows.
    const v1 = new Database(file);
    v1.pragma("journal_mode = WAL");
    expect(migrate(v1, migrations, 1)).toEqual([1]);
    v1.exec(V1_ROWS(hashToken(token), [sha(crateFile), crateFile.length], [sha(crateFile2), crateFile2.length]));
    const before = dumpTables(v1, V1_TABLES);
    v1.close();
    mkdirSync(join(dataDir, "crates/legacy_lib"), { recursive: true });
    writeFileSync(join(dataDir, "crates/legacy_lib/legacy_lib-1.0.0.crate"), crateFile);
    writeFileSync(join(dataDir, "crates/legacy_lib/legacy_lib-1.1.0.crate"), crateFile2);

    // 2. The current code opens it: every migration runs, and every release-1 row is still there.
    const ctx = createContext(loadConfig({}, { dataDir, publicUrl: "http://registry.test", logFormat: "silent" }), { logger: silentLogger });
    try {
      expect(ctx.db.sqlite.pragma("user_version", { simple: true })).toBe(migrations.length);
      expect(dumpTables(ctx.db.sqlite, V1_TABLES)).toEqual(before);

      // 3. ...and readable through today's queries.
      expect(ctx.db.users.findByLogin("ALICE")).toMatchObject({ id: 1, login: "alice", name: "Alice", isAdmin: true, disabledAt: null });
      expect(ctx.db.tokens.findByHash(hashToken(token))).toMatchObject({
        id: 1,
        userId: 1,
        name: "laptop",
        endpointScopes: ["publish-new", "publish-update", "yank", "change-owners"],
        crateScopes: ["legacy-*"],
        revokedAt: null,
      });
      const crate = ctx.db.crates.findByCanonicalName("legacy_lib")!;
      expect(crate).toMatchObject({ name: "Legacy_Lib", description: "An old crate" });
      expect(ctx.db.crates.listOwners(crate.id).map((o) => o.login)).toEqual(["alice", "bob"]);
      const versions = ctx.db.versions.listForCrate(crate.id);
      expect(versions.map((v) => [v.num, v.yanked, v.deps.map((d) => d.name), v.features])).toEqual([
        ["1.0.0", false, [], {}],
        ["1.1.0", true, ["serde"], { default: ["std"], std: [] }],
      ]);
      expect([...ctx.db.versions.downloadsByVersion(crate.id).values()]).toEqual([3, 0]);
      expect(ctx.db.audit.list({ crateName: "Legacy_Lib" }).map((e) => [e.action, e.login, e.tokenId, e.version, e.detail])).toEqual([
        ["owner-add", "alice", 1, null, { login: "bob" }],
        ["yank", "alice", 1, "1.1.0", null],
        ["publish", "alice", 1, "1.1.0", null],
        ["publish", "alice", 1, "1.0.0", null],
      ]);

      // 4. The server serves the crate from it, to the token made by release 1.
      const api = supertest(createApp(ctx));
      const index = await api.get("/index/le/ga/legacy_lib").set("Authorization", token);
      expect(index.status).toBe(200);
      expect(index.text.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
        expect.objectContaining({ name: "Legacy_Lib", vers: "1.0.0", yanked: false, pubtime: "2025-01-02T03:04:05Z" }),
        expect.objectContaining({ name: "Legacy_Lib", vers: "1.1.0", yanked: true, features: { default: ["std"], std: [] } }),
      ]);
      const download = await api.get("/api/v1/crates/Legacy_Lib/1.0.0/download").set("Authorization", token).buffer(true);
      expect(download.status).toBe(200);
      expect(Buffer.compare(download.body as Buffer, crateFile)).toBe(0);
    } finally {
      ctx.db.close();
    }
    // 5. The files agree with the migrated database.
    expect(await cli(["check"], { DATA_DIR: dataDir })).toMatchObject({ code: 0, stderr: "" });
  });

  it("refuse a database made by a newer cargohold, with a message saying so", () => {
    const file = join(newDataDir(), "cargohold.sqlite3");
    const newer = new Database(file);
    newer.pragma("journal_mode = WAL");
    migrate(newer, migrations);
    newer.pragma(`user_version = ${migrations.length + 1}`);
    newer.close();
    expect(() => openDatabase(file)).toThrow(
      `the database is at schema version ${migrations.length + 1}, newer than this cargohold (${migrations.length}); upgrade cargohold`,
    );
    const db = new Database(file, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(migrations.length + 1);
    db.close();
  });
});

/** The tables of release 1 (0001_initial.sql). */
const V1_TABLES = ["users", "api_tokens", "crates", "versions", "crate_owners", "version_downloads", "audit_log"];

/**
 * Each table's rows, reading only the columns release 1 had: later migrations may add columns, but
 * must not drop or change what was there.
 */
function dumpTables(db: Database.Database, tables: string[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const columns = V1_COLUMNS[table]!;
    out[table] = db.prepare(`SELECT ${columns.join(", ")} FROM ${table} ORDER BY rowid`).all();
  }
  return out;
}

const V1_COLUMNS: Record<string, string[]> = {
  users: ["id", "login", "name", "email", "password_hash", "is_admin", "disabled_at", "created_at"],
  api_tokens: ["id", "user_id", "name", "token_hash", "endpoint_scopes", "crate_scopes", "created_at", "last_used_at", "expires_at", "revoked_at"],
  crates: ["id", "name", "canonical_name", "description", "keywords", "downloads", "created_at", "updated_at"],
  versions: [
    "id", "crate_id", "num", "num_no_build", "deps", "features", "links", "rust_version", "checksum", "size", "yanked",
    "description", "license", "license_file", "homepage", "documentation", "repository", "readme", "keywords", "categories",
    "authors", "published_by", "published_with_token", "created_at",
  ],
  crate_owners: ["crate_id", "user_id", "created_at"],
  version_downloads: ["version_id", "day", "downloads"],
  audit_log: ["id", "action", "user_id", "token_id", "crate_name", "version", "detail", "created_at"],
};

/** Rows as release 1's code wrote them: JSON text columns, `YYYY-MM-DDTHH:MM:SSZ` times. */
const V1_ROWS = (tokenHash: string, [checksum, size]: [string, number], [checksum2, size2]: [string, number]) => `
  INSERT INTO users (id, login, name, email, password_hash, is_admin, created_at) VALUES
    (1, 'alice', 'Alice', 'alice@example.com', '$2b$04$iQlPgY7MmZMRLGni11h20uqTXR8PtL9qciD8jz38FeO/Gey6GaoRu', 1, '2025-01-01T00:00:00Z'),
    (2, 'bob', NULL, NULL, '$2b$04$iQlPgY7MmZMRLGni11h20uqTXR8PtL9qciD8jz38FeO/Gey6GaoRu', 0, '2025-01-01T00:00:01Z');
  INSERT INTO api_tokens (id, user_id, name, token_hash, endpoint_scopes, crate_scopes, created_at, last_used_at, expires_at) VALUES
    (1, 1, 'laptop', '${tokenHash}', '["publish-new","publish-update","yank","change-owners"]', '["legacy-*"]',
     '2025-01-01T00:01:00Z', '2025-01-02T03:04:00Z', NULL);
  INSERT INTO crates (id, name, canonical_name, description, keywords, downloads, created_at, updated_at) VALUES
    (1, 'Legacy_Lib', 'legacy_lib', 'An old crate', '["old"]', 3, '2025-01-02T03:04:05Z', '2025-01-03T00:00:00Z');
  INSERT INTO versions (id, crate_id, num, num_no_build, deps, features, checksum, size, yanked, description, license,
      keywords, categories, authors, published_by, published_with_token, created_at) VALUES
    (1, 1, '1.0.0', '1.0.0', '[]', '{}', '${checksum}', ${size}, 0, 'An old crate', 'MIT', '["old"]', '[]', '["Alice"]', 1, 1,
     '2025-01-02T03:04:05Z'),
    (2, 1, '1.1.0', '1.1.0',
     '[{"name":"serde","req":"^1","features":[],"optional":false,"default_features":true,"target":null,"kind":"normal","registry":"https://github.com/rust-lang/crates.io-index","package":null}]',
     '{"default":["std"],"std":[]}', '${checksum2}', ${size2}, 1, 'An old crate', 'MIT', '[]', '[]', '[]', 1, 1, '2025-01-03T00:00:00Z');
  INSERT INTO crate_owners (crate_id, user_id, created_at) VALUES (1, 1, '2025-01-02T03:04:05Z'), (1, 2, '2025-01-03T00:00:00Z');
  INSERT INTO version_downloads (version_id, day, downloads) VALUES (1, '2025-01-02', 3);
  INSERT INTO audit_log (action, user_id, token_id, crate_name, version, detail, created_at) VALUES
    ('user-create', 1, NULL, NULL, NULL, '{"login":"alice","admin":true,"via":"cli"}', '2025-01-01T00:00:00Z'),
    ('token-create', 1, 1, NULL, NULL, '{"name":"laptop"}', '2025-01-01T00:01:00Z'),
    ('publish', 1, 1, 'Legacy_Lib', '1.0.0', NULL, '2025-01-02T03:04:05Z'),
    ('publish', 1, 1, 'Legacy_Lib', '1.1.0', NULL, '2025-01-03T00:00:00Z'),
    ('yank', 1, 1, 'Legacy_Lib', '1.1.0', NULL, '2025-01-03T00:00:01Z'),
    ('owner-add', 1, 1, 'Legacy_Lib', NULL, '{"login":"bob"}', '2025-01-03T00:00:02Z');
`;
