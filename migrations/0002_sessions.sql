-- Web sign-in: browser sessions, one-time form nonces (a reloaded "create token" form must not make a
-- second token), and the first-run setup link. Secrets are stored only as their SHA-256 (hex).

CREATE TABLE sessions (
  -- SHA-256 of the random session id held in the browser's cookie.
  id_hash      TEXT PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users (id),
  -- Per-session CSRF token, embedded in every form (it only guards forms, so it is kept as is).
  csrf_token   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  -- Absolute end of the session; the idle limit is applied to last_seen_at.
  expires_at   TEXT NOT NULL,
  last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE form_nonces (
  nonce           TEXT PRIMARY KEY,
  session_id_hash TEXT NOT NULL REFERENCES sessions (id_hash) ON DELETE CASCADE,
  created_at      TEXT NOT NULL,
  -- The token the form created, once it has been submitted.
  token_id        INTEGER REFERENCES api_tokens (id)
);
CREATE INDEX form_nonces_session ON form_nonces (session_id_hash);

CREATE TABLE setup_tokens (
  -- SHA-256 of the token in the setup link printed at start while there are no users.
  token_hash TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);
