-- One-time codes for choosing a new password or PIN (app/src/recovery).
-- Kept after use as a record of who gave whom a code; never deleted.
CREATE TABLE reset_codes (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    issued_by BLOB NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    ended_at INTEGER,
    ended_how TEXT CHECK (ended_how IN ('used', 'superseded')),
    CHECK ((ended_at IS NULL) = (ended_how IS NULL))
);
CREATE INDEX reset_codes_by_user ON reset_codes(user_id, created_at);
