-- The directory: organisations' details, status and policy; members'
-- registration, profile and organisations; staff history; proxy actions.
-- An organisation or member without a row here has the defaults (kind
-- 'other', earn and spend partner, active; registered, no profile).

CREATE TABLE organisation_details (
    organisation_id BLOB PRIMARY KEY REFERENCES organisations(id),
    kind TEXT NOT NULL,
    postcode TEXT,
    earns INTEGER NOT NULL,
    spends INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
    -- Who last changed the status, when and why; every change is also in
    -- organisation_status_changes.
    status_changed_by BLOB,
    status_changed_at INTEGER,
    status_reason TEXT,
    CHECK (earns OR spends)
);

CREATE TABLE organisation_contacts (
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    PRIMARY KEY (organisation_id, position),
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);

-- Every suspension and reactivation, append-only.
CREATE TABLE organisation_status_changes (
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    status TEXT NOT NULL,
    changed_by BLOB NOT NULL REFERENCES users(id),
    changed_at INTEGER NOT NULL,
    reason TEXT
);
CREATE INDEX organisation_status_changes_by_org ON organisation_status_changes(organisation_id, changed_at);
CREATE TRIGGER organisation_status_changes_are_never_updated BEFORE UPDATE ON organisation_status_changes
BEGIN SELECT RAISE(ABORT, 'status changes are append-only'); END;
CREATE TRIGGER organisation_status_changes_are_never_deleted BEFORE DELETE ON organisation_status_changes
BEGIN SELECT RAISE(ABORT, 'status changes are append-only'); END;

CREATE TABLE earn_policies (
    organisation_id BLOB PRIMARY KEY REFERENCES organisations(id),
    members_may_claim INTEGER NOT NULL,
    hours_confirmed_by TEXT NOT NULL,
    set_by BLOB NOT NULL REFERENCES users(id),
    set_at INTEGER NOT NULL
);

-- Staff roles given and taken away, append-only (role_grants holds the
-- roles in force).
CREATE TABLE staff_changes (
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('added', 'removed')),
    changed_by BLOB NOT NULL REFERENCES users(id),
    changed_at INTEGER NOT NULL
);
CREATE INDEX staff_changes_by_org ON staff_changes(organisation_id, changed_at);
CREATE TRIGGER staff_changes_are_never_updated BEFORE UPDATE ON staff_changes
BEGIN SELECT RAISE(ABORT, 'staff changes are append-only'); END;
CREATE TRIGGER staff_changes_are_never_deleted BEFORE DELETE ON staff_changes
BEGIN SELECT RAISE(ABORT, 'staff changes are append-only'); END;

CREATE TABLE directory_settings (
    programme_id BLOB PRIMARY KEY REFERENCES programmes(id),
    self_registration TEXT NOT NULL CHECK (self_registration IN ('open', 'needs_approval', 'closed')),
    set_by BLOB NOT NULL REFERENCES users(id),
    set_at INTEGER NOT NULL
);

-- How a member came to be registered, and the decision on a
-- self-registration that needed approval (made once, never undone).
CREATE TABLE member_registrations (
    member_id BLOB PRIMARY KEY REFERENCES members(id),
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    channel TEXT NOT NULL CHECK (channel IN ('self', 'on_behalf')),
    organisation_id BLOB REFERENCES organisations(id),
    registered_by BLOB REFERENCES users(id),
    registered_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'declined')),
    decided_by BLOB REFERENCES users(id),
    decided_at INTEGER,
    decline_reason TEXT
);
CREATE INDEX member_registrations_pending ON member_registrations(programme_id, status, member_id);

CREATE TABLE member_profiles (
    member_id BLOB PRIMARY KEY REFERENCES members(id),
    language TEXT NOT NULL,
    -- Category codes, comma-separated.
    skills TEXT NOT NULL,
    skills_text TEXT NOT NULL,
    interests TEXT NOT NULL,
    interests_text TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    updated_by BLOB REFERENCES users(id),
    updated_at INTEGER NOT NULL
);

-- Member <-> organisation links. Leaving sets left_*; joining again adds a row.
CREATE TABLE member_organisations (
    member_id BLOB NOT NULL REFERENCES members(id),
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    joined_by BLOB REFERENCES users(id),
    joined_at INTEGER NOT NULL,
    left_by BLOB REFERENCES users(id),
    left_at INTEGER
);
CREATE UNIQUE INDEX member_organisations_current ON member_organisations(member_id, organisation_id) WHERE left_at IS NULL;
CREATE INDEX member_organisations_by_org ON member_organisations(organisation_id, member_id) WHERE left_at IS NULL;

-- What staff did on a member's behalf, append-only.
CREATE TABLE proxy_actions (
    id BLOB PRIMARY KEY,
    actor_user BLOB NOT NULL REFERENCES users(id),
    member_id BLOB NOT NULL REFERENCES members(id),
    action TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX proxy_actions_by_member ON proxy_actions(member_id, id);
CREATE TRIGGER proxy_actions_are_never_updated BEFORE UPDATE ON proxy_actions
BEGIN SELECT RAISE(ABORT, 'proxy actions are append-only'); END;
CREATE TRIGGER proxy_actions_are_never_deleted BEFORE DELETE ON proxy_actions
BEGIN SELECT RAISE(ABORT, 'proxy actions are append-only'); END;
