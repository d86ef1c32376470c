-- Programme rules, versioned: a change applies from its date. Rows are
-- never updated or deleted; a later version supersedes an earlier one.
CREATE TABLE programme_rule_versions (
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    effective_from TEXT NOT NULL, -- YYYY-MM-DD, in the programme's time zone
    granularity_minutes INTEGER NOT NULL,
    daily_cap_minutes INTEGER NOT NULL,
    members_may_claim INTEGER NOT NULL,
    exchange_overdraft_minutes INTEGER NOT NULL,
    expiry_months INTEGER, -- NULL: credits never expire
    partner_receipts TEXT NOT NULL,
    recorded_by BLOB NOT NULL,
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (programme_id, effective_from)
);
CREATE TRIGGER rule_versions_are_never_updated BEFORE UPDATE ON programme_rule_versions
BEGIN SELECT RAISE(ABORT, 'rule versions are append-only; record a new version'); END;
CREATE TRIGGER rule_versions_are_never_deleted BEFORE DELETE ON programme_rule_versions
BEGIN SELECT RAISE(ABORT, 'rule versions are append-only; record a new version'); END;
