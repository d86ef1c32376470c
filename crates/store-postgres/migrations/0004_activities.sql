-- The PostgreSQL twin of crates/store-sqlite/migrations/0004_activities.sql:
-- activities, sessions, sign-ups, registers, claims and contributions.
CREATE TABLE activities (
    id uuid PRIMARY KEY,
    programme_id uuid NOT NULL REFERENCES programmes(id),
    organisation_id uuid NOT NULL REFERENCES organisations(id),
    title text NOT NULL,
    description text NOT NULL,
    level text NOT NULL,
    mode text NOT NULL,
    place text NOT NULL,
    accessibility text NOT NULL,
    usual_duration_minutes bigint NOT NULL CHECK (usual_duration_minutes > 0),
    earns_credits boolean NOT NULL,
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX activities_by_programme ON activities (programme_id, id);

CREATE TABLE activity_sessions (
    id uuid PRIMARY KEY,
    activity_id uuid NOT NULL REFERENCES activities(id),
    programme_id uuid NOT NULL REFERENCES programmes(id),
    organisation_id uuid NOT NULL REFERENCES organisations(id),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    capacity bigint NOT NULL CHECK (capacity > 0),
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX activity_sessions_by_activity ON activity_sessions (activity_id, starts_at, id);
CREATE INDEX activity_sessions_by_start ON activity_sessions (programme_id, starts_at);

-- A sign-up's status changes are kept with who and when; rows are never deleted.
CREATE TABLE session_sign_ups (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id uuid NOT NULL UNIQUE,
    session_id uuid NOT NULL REFERENCES activity_sessions(id),
    member_id uuid NOT NULL REFERENCES members(id),
    status text NOT NULL CHECK (status IN ('confirmed', 'waiting', 'cancelled')),
    signed_up_by uuid NOT NULL,
    signed_up_at timestamptz NOT NULL,
    promoted_at timestamptz,
    cancelled_by uuid,
    cancelled_at timestamptz
);
CREATE UNIQUE INDEX session_sign_ups_live ON session_sign_ups (session_id, member_id) WHERE status <> 'cancelled';
CREATE INDEX session_sign_ups_by_session ON session_sign_ups (session_id, status, seq);

CREATE TABLE session_registers (
    session_id uuid PRIMARY KEY REFERENCES activity_sessions(id),
    idempotency_key uuid NOT NULL UNIQUE,
    confirmed_by uuid NOT NULL,
    confirmed_at timestamptz NOT NULL
);

CREATE TABLE contribution_claims (
    id uuid PRIMARY KEY,
    programme_id uuid NOT NULL REFERENCES programmes(id),
    organisation_id uuid NOT NULL REFERENCES organisations(id),
    activity_id uuid NOT NULL REFERENCES activities(id),
    member_id uuid NOT NULL REFERENCES members(id),
    contribution_date date NOT NULL,
    minutes bigint NOT NULL CHECK (minutes > 0),
    note text NOT NULL,
    claimed_by uuid NOT NULL,
    claimed_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'confirmed', 'rejected')),
    decided_by uuid,
    decided_at timestamptz,
    rejection_reason text,
    contribution_id uuid,
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX contribution_claims_by_member ON contribution_claims (member_id, id);
CREATE INDEX contribution_claims_by_organisation ON contribution_claims (organisation_id, status, id);

-- Append-only: a correction is a new row whose `corrects` names the one it
-- supersedes (UNIQUE: corrected at most once).
CREATE TABLE contributions (
    id uuid PRIMARY KEY,
    programme_id uuid NOT NULL REFERENCES programmes(id),
    organisation_id uuid NOT NULL REFERENCES organisations(id),
    activity_id uuid NOT NULL REFERENCES activities(id),
    session_id uuid REFERENCES activity_sessions(id),
    member_id uuid NOT NULL REFERENCES members(id),
    contribution_date date NOT NULL,
    minutes bigint NOT NULL CHECK (minutes > 0),
    origin text NOT NULL CHECK (origin IN ('register', 'claim', 'direct', 'correction')),
    claim_id uuid REFERENCES contribution_claims(id),
    corrects uuid UNIQUE REFERENCES contributions(id),
    note text NOT NULL,
    transfer_id uuid NOT NULL,
    idempotency_key uuid NOT NULL,
    recorded_by uuid NOT NULL,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX contributions_by_member_day ON contributions (member_id, contribution_date);
CREATE INDEX contributions_by_session ON contributions (session_id, member_id);
CREATE INDEX contributions_by_key ON contributions (idempotency_key);

CREATE FUNCTION refuse_activity_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are kept as history; record a new row instead', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER contributions_are_append_only BEFORE UPDATE OR DELETE ON contributions
    FOR EACH ROW EXECUTE FUNCTION refuse_activity_history_change();
CREATE TRIGGER session_registers_are_append_only BEFORE UPDATE OR DELETE ON session_registers
    FOR EACH ROW EXECUTE FUNCTION refuse_activity_history_change();
CREATE TRIGGER session_sign_ups_are_never_deleted BEFORE DELETE ON session_sign_ups
    FOR EACH ROW EXECUTE FUNCTION refuse_activity_history_change();
CREATE TRIGGER contribution_claims_are_never_deleted BEFORE DELETE ON contribution_claims
    FOR EACH ROW EXECUTE FUNCTION refuse_activity_history_change();
