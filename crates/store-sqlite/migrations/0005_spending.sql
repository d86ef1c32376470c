-- Spending: spend partners' offers, redemptions at the desk and their refunds.
-- Times are microseconds since the Unix epoch (UTC); days are YYYY-MM-DD in
-- the programme's time zone. Ids are 16-byte UUIDs.

-- An offer's terms may be changed while it is active; redemptions keep the
-- price they were made at. Withdrawal is recorded with who and when.
CREATE TABLE offers (
    id BLOB PRIMARY KEY,
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    title TEXT NOT NULL,
    price_minutes INTEGER NOT NULL CHECK (price_minutes > 0),
    audience TEXT NOT NULL CHECK (audience IN ('adult', 'child', 'family')),
    capacity_limit INTEGER CHECK (capacity_limit > 0),
    capacity_period TEXT CHECK (capacity_period IN ('day', 'week')),
    -- `mon,tue 09:00-12:00;sat 10:00-11:00`; empty: any time.
    off_peak TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'withdrawn')),
    created_by BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by BLOB NOT NULL,
    updated_at INTEGER NOT NULL,
    withdrawn_by BLOB,
    withdrawn_at INTEGER,
    CHECK ((capacity_limit IS NULL) = (capacity_period IS NULL)),
    CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL))
);
CREATE INDEX offers_by_programme ON offers(programme_id, id);
CREATE INDEX offers_by_organisation ON offers(organisation_id, id);

-- A redemption's id is its redeem posting's id (the desk's idempotency key).
CREATE TABLE redemptions (
    id BLOB PRIMARY KEY REFERENCES transfers(id),
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    offer_id BLOB NOT NULL REFERENCES offers(id),
    member_id BLOB NOT NULL REFERENCES members(id),
    price_minutes INTEGER NOT NULL CHECK (price_minutes > 0),
    retire_transfer_id BLOB UNIQUE REFERENCES transfers(id),
    local_date TEXT NOT NULL,
    redeemed_by BLOB NOT NULL,
    redeemed_at INTEGER NOT NULL
);
CREATE INDEX redemptions_by_offer_day ON redemptions(offer_id, local_date);
CREATE INDEX redemptions_by_organisation_day ON redemptions(organisation_id, local_date, id);

-- A refund, at most one per redemption, made of reversals of its postings.
CREATE TABLE redemption_refunds (
    redemption_id BLOB PRIMARY KEY REFERENCES redemptions(id),
    redeem_reversal_id BLOB NOT NULL UNIQUE REFERENCES transfers(id),
    retire_reversal_id BLOB UNIQUE REFERENCES transfers(id),
    refunded_by BLOB NOT NULL,
    refunded_at INTEGER NOT NULL,
    reason TEXT NOT NULL
);

-- Redemptions and refunds are history: never updated or deleted.
CREATE TRIGGER redemptions_are_never_updated BEFORE UPDATE ON redemptions
BEGIN SELECT RAISE(ABORT, 'redemptions are append-only; refund instead'); END;
CREATE TRIGGER redemptions_are_never_deleted BEFORE DELETE ON redemptions
BEGIN SELECT RAISE(ABORT, 'redemptions are append-only; refund instead'); END;
CREATE TRIGGER refunds_are_never_updated BEFORE UPDATE ON redemption_refunds
BEGIN SELECT RAISE(ABORT, 'refunds are append-only'); END;
CREATE TRIGGER refunds_are_never_deleted BEFORE DELETE ON redemption_refunds
BEGIN SELECT RAISE(ABORT, 'refunds are append-only'); END;
CREATE TRIGGER offers_are_never_deleted BEFORE DELETE ON offers
BEGIN SELECT RAISE(ABORT, 'offers are kept; withdraw them instead'); END;
