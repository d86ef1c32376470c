-- One-time codes for choosing a new password or PIN (app/src/recovery).
-- Kept after use as a record of who gave whom a code; never deleted.
CREATE TABLE reset_codes (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id),
    code_hash text NOT NULL,
    issued_by uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    ended_at timestamptz,
    ended_how text CHECK (ended_how IN ('used', 'superseded')),
    CHECK ((ended_at IS NULL) = (ended_how IS NULL))
);
CREATE INDEX reset_codes_by_user ON reset_codes(user_id, created_at);
