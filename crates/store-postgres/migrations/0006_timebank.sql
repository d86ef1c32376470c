-- The time bank: members' offers and requests, and exchanges they propose
-- to each other.

-- A listing leaves the directory when closed; it is kept with who closed
-- it and when.
CREATE TABLE timebank_listings (
    id uuid PRIMARY KEY,
    programme_id uuid NOT NULL REFERENCES programmes(id),
    member_id uuid NOT NULL REFERENCES members(id),
    kind text NOT NULL CHECK (kind IN ('offer', 'request')),
    category text NOT NULL,
    title text NOT NULL,
    description text NOT NULL,
    place text NOT NULL,
    -- The place as searches compare it (lower case, single spaces).
    place_key text NOT NULL,
    status text NOT NULL CHECK (status IN ('open', 'closed')),
    created_at timestamptz NOT NULL,
    closed_by uuid REFERENCES users(id),
    closed_at timestamptz,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    CHECK ((closed_by IS NULL) = (closed_at IS NULL))
);
CREATE INDEX timebank_listings_directory ON timebank_listings(programme_id, status, id);
CREATE INDEX timebank_listings_by_member ON timebank_listings(member_id, id);

CREATE FUNCTION timebank_listing_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'listings are kept; a closed listing stays as it was closed';
END;
$$;
CREATE TRIGGER timebank_listings_stay_closed BEFORE UPDATE ON timebank_listings
    FOR EACH ROW WHEN (OLD.status = 'closed') EXECUTE FUNCTION timebank_listing_kept();
CREATE TRIGGER timebank_listings_are_never_deleted BEFORE DELETE ON timebank_listings
    FOR EACH ROW EXECUTE FUNCTION timebank_listing_kept();

-- A proposal is answered once: accepted (with the transfer that paid it),
-- declined (with an optional reason) or withdrawn, each with who and when.
-- An open proposal past expires_at is shown as expired; it is never
-- rewritten.
CREATE TABLE timebank_proposals (
    id uuid PRIMARY KEY,
    programme_id uuid NOT NULL REFERENCES programmes(id),
    proposer_id uuid NOT NULL REFERENCES members(id),
    counterparty_id uuid NOT NULL REFERENCES members(id),
    direction text NOT NULL CHECK (direction IN ('helper_bills', 'helped_pays')),
    minutes bigint NOT NULL CHECK (minutes > 0),
    note text NOT NULL,
    listing_id uuid REFERENCES timebank_listings(id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'withdrawn')),
    answered_by uuid REFERENCES users(id),
    answered_at timestamptz,
    decline_reason text,
    transfer_id uuid UNIQUE REFERENCES transfers(id),
    CHECK (proposer_id <> counterparty_id),
    CHECK ((status = 'open') = (answered_at IS NULL)),
    CHECK ((answered_by IS NULL) = (answered_at IS NULL)),
    CHECK ((status = 'accepted') = (transfer_id IS NOT NULL)),
    CHECK (decline_reason IS NULL OR status = 'declined')
);
CREATE INDEX timebank_proposals_by_programme ON timebank_proposals(programme_id, id);
CREATE INDEX timebank_proposals_by_proposer ON timebank_proposals(proposer_id, id);
CREATE INDEX timebank_proposals_by_counterparty ON timebank_proposals(counterparty_id, id);

CREATE FUNCTION timebank_proposal_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'proposals are kept; an answered proposal stays as it was answered';
END;
$$;
CREATE TRIGGER timebank_proposals_are_answered_once BEFORE UPDATE ON timebank_proposals
    FOR EACH ROW WHEN (OLD.status <> 'open') EXECUTE FUNCTION timebank_proposal_kept();
CREATE TRIGGER timebank_proposals_are_never_deleted BEFORE DELETE ON timebank_proposals
    FOR EACH ROW EXECUTE FUNCTION timebank_proposal_kept();
