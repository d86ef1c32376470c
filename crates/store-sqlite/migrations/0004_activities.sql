-- Activities, their sessions and sign-ups; contributions (time given,
-- credited), members' claims and confirmed registers. Times are
-- microseconds since the Unix epoch (UTC); dates are YYYY-MM-DD in the
-- programme's time zone; ids are 16-byte UUIDs.
CREATE TABLE activities (
    id BLOB PRIMARY KEY,
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    level TEXT NOT NULL,
    mode TEXT NOT NULL,
    place TEXT NOT NULL,
    accessibility TEXT NOT NULL,
    usual_duration_minutes INTEGER NOT NULL CHECK (usual_duration_minutes > 0),
    earns_credits INTEGER NOT NULL,
    created_by BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX activities_by_programme ON activities(programme_id, id);

CREATE TABLE activity_sessions (
    id BLOB PRIMARY KEY,
    activity_id BLOB NOT NULL REFERENCES activities(id),
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    created_by BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX activity_sessions_by_activity ON activity_sessions(activity_id, starts_at, id);
CREATE INDEX activity_sessions_by_start ON activity_sessions(programme_id, starts_at);

-- A sign-up's status changes (waiting -> confirmed -> cancelled) are kept
-- with who and when; rows are never deleted.
CREATE TABLE session_sign_ups (
    seq INTEGER PRIMARY KEY,
    id BLOB NOT NULL UNIQUE,
    session_id BLOB NOT NULL REFERENCES activity_sessions(id),
    member_id BLOB NOT NULL REFERENCES members(id),
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'waiting', 'cancelled')),
    signed_up_by BLOB NOT NULL,
    signed_up_at INTEGER NOT NULL,
    promoted_at INTEGER,
    cancelled_by BLOB,
    cancelled_at INTEGER
);
-- One live sign-up per member and session.
CREATE UNIQUE INDEX session_sign_ups_live ON session_sign_ups(session_id, member_id) WHERE status <> 'cancelled';
CREATE INDEX session_sign_ups_by_session ON session_sign_ups(session_id, status, seq);
CREATE TRIGGER session_sign_ups_are_never_deleted BEFORE DELETE ON session_sign_ups
BEGIN SELECT RAISE(ABORT, 'sign-ups are kept; cancel instead'); END;

CREATE TABLE session_registers (
    session_id BLOB PRIMARY KEY REFERENCES activity_sessions(id),
    idempotency_key BLOB NOT NULL UNIQUE,
    confirmed_by BLOB NOT NULL,
    confirmed_at INTEGER NOT NULL
);
CREATE TRIGGER session_registers_are_never_updated BEFORE UPDATE ON session_registers
BEGIN SELECT RAISE(ABORT, 'registers are append-only'); END;
CREATE TRIGGER session_registers_are_never_deleted BEFORE DELETE ON session_registers
BEGIN SELECT RAISE(ABORT, 'registers are append-only'); END;

CREATE TABLE contribution_claims (
    id BLOB PRIMARY KEY,
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    activity_id BLOB NOT NULL REFERENCES activities(id),
    member_id BLOB NOT NULL REFERENCES members(id),
    contribution_date TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    note TEXT NOT NULL,
    claimed_by BLOB NOT NULL,
    claimed_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'rejected')),
    decided_by BLOB,
    decided_at INTEGER,
    rejection_reason TEXT,
    contribution_id BLOB,
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX contribution_claims_by_member ON contribution_claims(member_id, id);
CREATE INDEX contribution_claims_by_organisation ON contribution_claims(organisation_id, status, id);
CREATE TRIGGER contribution_claims_are_never_deleted BEFORE DELETE ON contribution_claims
BEGIN SELECT RAISE(ABORT, 'claims are kept; reject instead'); END;

-- Contributions are append-only: a correction is a new row whose
-- `corrects` names the one it supersedes (UNIQUE: corrected at most once).
CREATE TABLE contributions (
    id BLOB PRIMARY KEY,
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    activity_id BLOB NOT NULL REFERENCES activities(id),
    session_id BLOB REFERENCES activity_sessions(id),
    member_id BLOB NOT NULL REFERENCES members(id),
    contribution_date TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    origin TEXT NOT NULL CHECK (origin IN ('register', 'claim', 'direct', 'correction')),
    claim_id BLOB REFERENCES contribution_claims(id),
    corrects BLOB UNIQUE REFERENCES contributions(id),
    note TEXT NOT NULL,
    transfer_id BLOB NOT NULL,
    idempotency_key BLOB NOT NULL,
    recorded_by BLOB NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX contributions_by_member_day ON contributions(member_id, contribution_date);
CREATE INDEX contributions_by_session ON contributions(session_id, member_id);
CREATE INDEX contributions_by_key ON contributions(idempotency_key);
CREATE TRIGGER contributions_are_never_updated BEFORE UPDATE ON contributions
BEGIN SELECT RAISE(ABORT, 'contributions are append-only; record a correction'); END;
CREATE TRIGGER contributions_are_never_deleted BEFORE DELETE ON contributions
BEGIN SELECT RAISE(ABORT, 'contributions are append-only; record a correction'); END;
