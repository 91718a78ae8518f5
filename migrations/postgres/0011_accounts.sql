-- People who sign in to the pages (machines keep their tokens). A person invited but not yet
-- arrived has no password; a revoked one keeps their row (the audit log names them).
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT UNIQUE,
    phone TEXT UNIQUE,
    role TEXT NOT NULL,
    districts TEXT NOT NULL DEFAULT '[]',
    password_hash TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Server-side sessions: only a SHA-256 of the cookie's random id is kept, so a copy of the
-- database signs nobody in. last_seen is in Unix seconds, for the idle expiry.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    last_seen BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- One-time links to set a password, stored as digests; expires_at in Unix seconds.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at TEXT
);

-- Who did what when, written in the transaction of the change itself.
CREATE TABLE audit_log (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT,
    action TEXT NOT NULL,
    subject TEXT,
    detail TEXT
);
