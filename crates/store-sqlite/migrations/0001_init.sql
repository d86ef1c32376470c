-- Times are microseconds since the Unix epoch (UTC). Ids are 16-byte UUIDs.
CREATE TABLE programmes (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    locality TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    language TEXT NOT NULL,
    issuance_account BLOB NOT NULL,
    retired_account BLOB NOT NULL,
    expired_account BLOB NOT NULL,
    community_pot_account BLOB NOT NULL,
    exchange_overdraft_minutes INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE accounts (
    id BLOB PRIMARY KEY,
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    kind TEXT NOT NULL,
    owner_id BLOB,
    status TEXT NOT NULL,
    -- NULL: no lower limit, and the balance is not tracked on the row.
    floor_minutes INTEGER,
    exchange_overdraft_minutes INTEGER NOT NULL DEFAULT 0,
    balance_minutes INTEGER,
    CHECK ((floor_minutes IS NULL) = (balance_minutes IS NULL))
);

CREATE TABLE transfers (
    seq INTEGER PRIMARY KEY,
    id BLOB NOT NULL UNIQUE,
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    kind TEXT NOT NULL,
    debit_account BLOB NOT NULL REFERENCES accounts(id),
    credit_account BLOB NOT NULL REFERENCES accounts(id),
    amount_minutes INTEGER NOT NULL CHECK (amount_minutes > 0),
    actor_id BLOB NOT NULL,
    at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    cause_kind TEXT,
    cause_id BLOB,
    -- UNIQUE: no transfer is ever reversed twice.
    reverses BLOB UNIQUE REFERENCES transfers(id),
    CHECK (debit_account <> credit_account)
);
CREATE INDEX transfers_by_debit ON transfers(debit_account, at, seq);
CREATE INDEX transfers_by_credit ON transfers(credit_account, at, seq);

-- Postings are append-only: a mistake is corrected by a reversal.
CREATE TRIGGER transfers_are_never_updated BEFORE UPDATE ON transfers
BEGIN SELECT RAISE(ABORT, 'transfers are append-only; post a reversal instead'); END;
CREATE TRIGGER transfers_are_never_deleted BEFORE DELETE ON transfers
BEGIN SELECT RAISE(ABORT, 'transfers are append-only; post a reversal instead'); END;

CREATE TABLE organisations (
    id BLOB PRIMARY KEY,
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    name TEXT NOT NULL,
    account_id BLOB NOT NULL REFERENCES accounts(id),
    pot_account_id BLOB NOT NULL REFERENCES accounts(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX organisations_by_programme ON organisations(programme_id);

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    email TEXT UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    pin_hash TEXT,
    member_id BLOB,
    created_at INTEGER NOT NULL
);

CREATE TABLE members (
    id BLOB PRIMARY KEY,
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    member_number INTEGER NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    account_id BLOB NOT NULL REFERENCES accounts(id),
    user_id BLOB REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX members_by_programme ON members(programme_id);

CREATE TABLE role_grants (
    user_id BLOB NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    -- The nil UUID for platform-wide roles.
    scope_id BLOB NOT NULL,
    PRIMARY KEY (user_id, role, scope_kind, scope_id)
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id),
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
