-- Programme rules, versioned: a change applies from its date. Rows are
-- never updated or deleted; a later version supersedes an earlier one.
CREATE TABLE programme_rule_versions (
    programme_id uuid NOT NULL REFERENCES programmes(id),
    effective_from date NOT NULL, -- in the programme's time zone
    granularity_minutes bigint NOT NULL,
    daily_cap_minutes bigint NOT NULL,
    members_may_claim boolean NOT NULL,
    exchange_overdraft_minutes bigint NOT NULL,
    expiry_months integer, -- NULL: credits never expire
    partner_receipts text NOT NULL,
    recorded_by uuid NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (programme_id, effective_from)
);

CREATE FUNCTION refuse_rule_version_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rule versions are append-only; record a new version';
END;
$$;
CREATE TRIGGER rule_versions_are_append_only BEFORE UPDATE OR DELETE ON programme_rule_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_rule_version_change();
