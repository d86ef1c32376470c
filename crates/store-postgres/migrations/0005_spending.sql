-- The PostgreSQL twin of crates/store-sqlite/migrations/0005_spending.sql:
-- spend partners' offers, redemptions at the desk and their refunds.
-- Days (`date`) are in the programme's time zone.

CREATE TABLE offers (
    id uuid PRIMARY KEY,
    programme_id uuid NOT NULL REFERENCES programmes(id),
    organisation_id uuid NOT NULL REFERENCES organisations(id),
    title text NOT NULL,
    price_minutes bigint NOT NULL CHECK (price_minutes > 0),
    audience text NOT NULL CHECK (audience IN ('adult', 'child', 'family')),
    capacity_limit bigint CHECK (capacity_limit > 0),
    capacity_period text CHECK (capacity_period IN ('day', 'week')),
    -- `mon,tue 09:00-12:00;sat 10:00-11:00`; empty: any time.
    off_peak text NOT NULL,
    valid_from date NOT NULL,
    valid_to date,
    status text NOT NULL CHECK (status IN ('active', 'withdrawn')),
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL,
    updated_by uuid NOT NULL,
    updated_at timestamptz NOT NULL,
    withdrawn_by uuid,
    withdrawn_at timestamptz,
    CHECK ((capacity_limit IS NULL) = (capacity_period IS NULL)),
    CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL))
);
CREATE INDEX offers_by_programme ON offers (programme_id, id);
CREATE INDEX offers_by_organisation ON offers (organisation_id, id);

CREATE TABLE redemptions (
    id uuid PRIMARY KEY REFERENCES transfers(id),
    programme_id uuid NOT NULL REFERENCES programmes(id),
    organisation_id uuid NOT NULL REFERENCES organisations(id),
    offer_id uuid NOT NULL REFERENCES offers(id),
    member_id uuid NOT NULL REFERENCES members(id),
    price_minutes bigint NOT NULL CHECK (price_minutes > 0),
    retire_transfer_id uuid UNIQUE REFERENCES transfers(id),
    local_date date NOT NULL,
    redeemed_by uuid NOT NULL,
    redeemed_at timestamptz NOT NULL
);
CREATE INDEX redemptions_by_offer_day ON redemptions (offer_id, local_date);
CREATE INDEX redemptions_by_organisation_day ON redemptions (organisation_id, local_date, id);

CREATE TABLE redemption_refunds (
    redemption_id uuid PRIMARY KEY REFERENCES redemptions(id),
    redeem_reversal_id uuid NOT NULL UNIQUE REFERENCES transfers(id),
    retire_reversal_id uuid UNIQUE REFERENCES transfers(id),
    refunded_by uuid NOT NULL,
    refunded_at timestamptz NOT NULL,
    reason text NOT NULL
);

-- Redemptions and refunds are history: never updated or deleted; offers are
-- withdrawn, never deleted.
CREATE FUNCTION spending_history_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER redemptions_are_append_only BEFORE UPDATE OR DELETE ON redemptions
    FOR EACH ROW EXECUTE FUNCTION spending_history_is_append_only();
CREATE TRIGGER refunds_are_append_only BEFORE UPDATE OR DELETE ON redemption_refunds
    FOR EACH ROW EXECUTE FUNCTION spending_history_is_append_only();
CREATE TRIGGER offers_are_never_deleted BEFORE DELETE ON offers
    FOR EACH ROW EXECUTE FUNCTION spending_history_is_append_only();
