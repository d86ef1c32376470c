-- The PostgreSQL twin of crates/store-sqlite/migrations/0001_init.sql:
-- same tables, same meaning. Times are timestamptz (microseconds, UTC).
-- Enum-like text columns hold the `as_str()` names of the Rust types.

CREATE TABLE programmes (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    locality text NOT NULL,
    time_zone text NOT NULL,
    language text NOT NULL,
    issuance_account uuid NOT NULL,
    retired_account uuid NOT NULL,
    expired_account uuid NOT NULL,
    community_pot_account uuid NOT NULL,
    exchange_overdraft_minutes bigint NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE accounts (
    id uuid PRIMARY KEY,
    programme_id uuid NOT NULL REFERENCES programmes(id),
    kind text NOT NULL,
    owner_id uuid,
    status text NOT NULL CHECK (status IN ('open', 'closed')),
    -- NULL: no lower limit, and the balance is not tracked on the row (the
    -- issuance account): the write path never reads, locks or updates it.
    floor_minutes bigint,
    exchange_overdraft_minutes bigint NOT NULL DEFAULT 0,
    balance_minutes bigint,
    CONSTRAINT accounts_balance_tracked_iff_floor CHECK ((floor_minutes IS NULL) = (balance_minutes IS NULL)),
    -- Defence in depth: the ledger core refuses anything that would break it.
    CONSTRAINT accounts_balance_within_limit
        CHECK (balance_minutes >= floor_minutes - greatest(exchange_overdraft_minutes, 0))
);

CREATE TABLE transfers (
    -- Posting order.
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id uuid NOT NULL CONSTRAINT transfers_id_key UNIQUE,
    programme_id uuid NOT NULL REFERENCES programmes(id),
    kind text NOT NULL,
    debit_account uuid NOT NULL REFERENCES accounts(id),
    credit_account uuid NOT NULL REFERENCES accounts(id),
    amount_minutes bigint NOT NULL CHECK (amount_minutes > 0),
    actor_id uuid NOT NULL,
    at timestamptz NOT NULL,
    reason text NOT NULL,
    cause_kind text,
    cause_id uuid,
    -- UNIQUE: no transfer is ever reversed twice.
    reverses uuid CONSTRAINT transfers_reverses_key UNIQUE REFERENCES transfers(id),
    CHECK (debit_account <> credit_account),
    CHECK ((cause_kind IS NULL) = (cause_id IS NULL))
);
-- INCLUDE lets balances be summed from the index alone.
CREATE INDEX transfers_by_debit ON transfers (debit_account, at, seq) INCLUDE (amount_minutes);
CREATE INDEX transfers_by_credit ON transfers (credit_account, at, seq) INCLUDE (amount_minutes);

-- Postings are append-only: a mistake is corrected by a reversal.
CREATE FUNCTION transfers_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'transfers are append-only; post a reversal instead';
END;
$$;
CREATE TRIGGER transfers_are_never_updated BEFORE UPDATE ON transfers
    FOR EACH ROW EXECUTE FUNCTION transfers_are_append_only();
CREATE TRIGGER transfers_are_never_deleted BEFORE DELETE ON transfers
    FOR EACH ROW EXECUTE FUNCTION transfers_are_append_only();
CREATE TRIGGER transfers_are_never_truncated BEFORE TRUNCATE ON transfers
    FOR EACH STATEMENT EXECUTE FUNCTION transfers_are_append_only();

CREATE TABLE organisations (
    id uuid PRIMARY KEY,
    programme_id uuid NOT NULL REFERENCES programmes(id),
    name text NOT NULL,
    account_id uuid NOT NULL REFERENCES accounts(id),
    pot_account_id uuid NOT NULL REFERENCES accounts(id),
    created_at timestamptz NOT NULL
);
CREATE INDEX organisations_by_programme ON organisations (programme_id);

CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text CONSTRAINT users_email_key UNIQUE,
    display_name text NOT NULL,
    password_hash text,
    pin_hash text,
    member_id uuid,
    created_at timestamptz NOT NULL
);

CREATE TABLE members (
    id uuid PRIMARY KEY,
    programme_id uuid NOT NULL REFERENCES programmes(id),
    member_number integer NOT NULL CONSTRAINT members_member_number_key UNIQUE,
    display_name text NOT NULL,
    account_id uuid NOT NULL REFERENCES accounts(id),
    user_id uuid REFERENCES users(id),
    created_at timestamptz NOT NULL
);
CREATE INDEX members_by_programme ON members (programme_id);

CREATE TABLE role_grants (
    user_id uuid NOT NULL REFERENCES users(id),
    role text NOT NULL,
    scope_kind text NOT NULL CHECK (scope_kind IN ('platform', 'programme', 'organisation')),
    -- The nil UUID for platform-wide roles.
    scope_id uuid NOT NULL,
    PRIMARY KEY (user_id, role, scope_kind, scope_id)
);

CREATE TABLE sessions (
    id_hash text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id),
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE TABLE api_tokens (
    token_hash text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id),
    label text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
