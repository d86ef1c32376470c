-- Programme roles (manager, evaluator) given to and taken from existing
-- sign-ins by administrators, append-only (role_grants holds the roles in
-- force). Separate from staff_changes, whose rows name an organisation.
CREATE TABLE programme_staff_changes (
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('added', 'removed')),
    changed_by BLOB NOT NULL REFERENCES users(id),
    changed_at INTEGER NOT NULL
);
CREATE INDEX programme_staff_changes_by_programme ON programme_staff_changes(programme_id, changed_at);
CREATE TRIGGER programme_staff_changes_are_never_updated BEFORE UPDATE ON programme_staff_changes
BEGIN SELECT RAISE(ABORT, 'programme staff changes are append-only'); END;
CREATE TRIGGER programme_staff_changes_are_never_deleted BEFORE DELETE ON programme_staff_changes
BEGIN SELECT RAISE(ABORT, 'programme staff changes are append-only'); END;
