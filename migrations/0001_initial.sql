-- The registry core: accounts, API tokens, crates, versions, owners, download counts, audit log.
-- Timestamps are UTC text `YYYY-MM-DDTHH:MM:SSZ`; JSON columns hold arrays or objects as text.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  login         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name          TEXT,
  email         TEXT,
  password_hash TEXT NOT NULL,
  is_admin      INTEGER NOT NULL DEFAULT 0,
  disabled_at   TEXT,
  created_at    TEXT NOT NULL
);

CREATE TABLE api_tokens (
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
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE crates (
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
);

CREATE TABLE versions (
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
);

CREATE TABLE crate_owners (
  crate_id   INTEGER NOT NULL REFERENCES crates (id),
  user_id    INTEGER NOT NULL REFERENCES users (id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (crate_id, user_id)
);
CREATE INDEX crate_owners_user ON crate_owners (user_id);

CREATE TABLE version_downloads (
  version_id INTEGER NOT NULL REFERENCES versions (id),
  day        TEXT NOT NULL,
  downloads  INTEGER NOT NULL,
  PRIMARY KEY (version_id, day)
);

CREATE TABLE audit_log (
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
);
CREATE INDEX audit_log_crate ON audit_log (crate_name);
