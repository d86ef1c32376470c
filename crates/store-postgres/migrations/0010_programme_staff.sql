-- Programme roles (manager, evaluator) given to and taken from existing
-- sign-ins by administrators, append-only (role_grants holds the roles in
-- force). Separate from staff_changes, whose rows name an organisation.
CREATE TABLE programme_staff_changes (
    programme_id uuid NOT NULL REFERENCES programmes(id),
    user_id uuid NOT NULL REFERENCES users(id),
    role text NOT NULL,
    change text NOT NULL CHECK (change IN ('added', 'removed')),
    changed_by uuid NOT NULL REFERENCES users(id),
    changed_at timestamptz NOT NULL
);
CREATE INDEX programme_staff_changes_by_programme ON programme_staff_changes (programme_id, changed_at);
CREATE TRIGGER programme_staff_changes_are_append_only BEFORE UPDATE OR DELETE ON programme_staff_changes
    FOR EACH ROW EXECUTE FUNCTION directory_refuse_change();
