-- The PostgreSQL twin of crates/store-sqlite/migrations/0003_directory.sql.
-- An organisation or member without a row here has the defaults (kind
-- 'other', earn and spend partner, active; registered, no profile).

CREATE TABLE organisation_details (
    organisation_id uuid PRIMARY KEY REFERENCES organisations(id),
    kind text NOT NULL,
    postcode text,
    earns boolean NOT NULL,
    spends boolean NOT NULL,
    status text NOT NULL CHECK (status IN ('active', 'suspended')),
    status_changed_by uuid,
    status_changed_at timestamptz,
    status_reason text,
    CHECK (earns OR spends)
);

CREATE TABLE organisation_contacts (
    organisation_id uuid NOT NULL REFERENCES organisations(id),
    position integer NOT NULL,
    name text NOT NULL,
    email text,
    phone text,
    PRIMARY KEY (organisation_id, position),
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);

CREATE FUNCTION directory_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;

CREATE TABLE organisation_status_changes (
    organisation_id uuid NOT NULL REFERENCES organisations(id),
    status text NOT NULL,
    changed_by uuid NOT NULL REFERENCES users(id),
    changed_at timestamptz NOT NULL,
    reason text
);
CREATE INDEX organisation_status_changes_by_org ON organisation_status_changes (organisation_id, changed_at);
CREATE TRIGGER organisation_status_changes_are_append_only BEFORE UPDATE OR DELETE ON organisation_status_changes
    FOR EACH ROW EXECUTE FUNCTION directory_refuse_change();

CREATE TABLE earn_policies (
    organisation_id uuid PRIMARY KEY REFERENCES organisations(id),
    members_may_claim boolean NOT NULL,
    hours_confirmed_by text NOT NULL,
    set_by uuid NOT NULL REFERENCES users(id),
    set_at timestamptz NOT NULL
);

CREATE TABLE staff_changes (
    organisation_id uuid NOT NULL REFERENCES organisations(id),
    user_id uuid NOT NULL REFERENCES users(id),
    role text NOT NULL,
    change text NOT NULL CHECK (change IN ('added', 'removed')),
    changed_by uuid NOT NULL REFERENCES users(id),
    changed_at timestamptz NOT NULL
);
CREATE INDEX staff_changes_by_org ON staff_changes (organisation_id, changed_at);
CREATE TRIGGER staff_changes_are_append_only BEFORE UPDATE OR DELETE ON staff_changes
    FOR EACH ROW EXECUTE FUNCTION directory_refuse_change();

CREATE TABLE directory_settings (
    programme_id uuid PRIMARY KEY REFERENCES programmes(id),
    self_registration text NOT NULL CHECK (self_registration IN ('open', 'needs_approval', 'closed')),
    set_by uuid NOT NULL REFERENCES users(id),
    set_at timestamptz NOT NULL
);

CREATE TABLE member_registrations (
    member_id uuid PRIMARY KEY REFERENCES members(id),
    programme_id uuid NOT NULL REFERENCES programmes(id),
    channel text NOT NULL CHECK (channel IN ('self', 'on_behalf')),
    organisation_id uuid REFERENCES organisations(id),
    registered_by uuid REFERENCES users(id),
    registered_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'active', 'declined')),
    decided_by uuid REFERENCES users(id),
    decided_at timestamptz,
    decline_reason text
);
CREATE INDEX member_registrations_pending ON member_registrations (programme_id, status, member_id);

CREATE TABLE member_profiles (
    member_id uuid PRIMARY KEY REFERENCES members(id),
    language text NOT NULL,
    skills text NOT NULL,
    skills_text text NOT NULL,
    interests text NOT NULL,
    interests_text text NOT NULL,
    email text,
    phone text,
    updated_by uuid REFERENCES users(id),
    updated_at timestamptz NOT NULL
);

CREATE TABLE member_organisations (
    member_id uuid NOT NULL REFERENCES members(id),
    organisation_id uuid NOT NULL REFERENCES organisations(id),
    joined_by uuid REFERENCES users(id),
    joined_at timestamptz NOT NULL,
    left_by uuid REFERENCES users(id),
    left_at timestamptz
);
CREATE UNIQUE INDEX member_organisations_current ON member_organisations (member_id, organisation_id) WHERE left_at IS NULL;
CREATE INDEX member_organisations_by_org ON member_organisations (organisation_id, member_id) WHERE left_at IS NULL;

CREATE TABLE proxy_actions (
    id uuid PRIMARY KEY,
    actor_user uuid NOT NULL REFERENCES users(id),
    member_id uuid NOT NULL REFERENCES members(id),
    action text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX proxy_actions_by_member ON proxy_actions (member_id, id);
CREATE TRIGGER proxy_actions_are_append_only BEFORE UPDATE OR DELETE ON proxy_actions
    FOR EACH ROW EXECUTE FUNCTION directory_refuse_change();
