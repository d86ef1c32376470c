-- The time bank: members' offers and requests, and exchanges they propose
-- to each other. Times are microseconds since the Unix epoch (UTC); ids
-- are 16-byte UUIDs.

-- A listing leaves the directory when closed; it is kept with who closed
-- it and when.
CREATE TABLE timebank_listings (
    id BLOB PRIMARY KEY,
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    member_id BLOB NOT NULL REFERENCES members(id),
    kind TEXT NOT NULL CHECK (kind IN ('offer', 'request')),
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    place TEXT NOT NULL,
    -- The place as searches compare it (lower case, single spaces).
    place_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    created_at INTEGER NOT NULL,
    closed_by BLOB REFERENCES users(id),
    closed_at INTEGER,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    CHECK ((closed_by IS NULL) = (closed_at IS NULL))
);
CREATE INDEX timebank_listings_directory ON timebank_listings(programme_id, status, id);
CREATE INDEX timebank_listings_by_member ON timebank_listings(member_id, id);

-- A listing once closed stays closed, and none is ever deleted.
CREATE TRIGGER timebank_listings_stay_closed BEFORE UPDATE ON timebank_listings
WHEN OLD.status = 'closed'
BEGIN SELECT RAISE(ABORT, 'a closed listing is kept as it was closed'); END;
CREATE TRIGGER timebank_listings_are_never_deleted BEFORE DELETE ON timebank_listings
BEGIN SELECT RAISE(ABORT, 'listings are kept; close them instead'); END;

-- A proposal is answered once: accepted (with the transfer that paid it),
-- declined (with an optional reason) or withdrawn, each with who and when.
-- An open proposal past expires_at is shown as expired; it is never
-- rewritten.
CREATE TABLE timebank_proposals (
    id BLOB PRIMARY KEY,
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    proposer_id BLOB NOT NULL REFERENCES members(id),
    counterparty_id BLOB NOT NULL REFERENCES members(id),
    direction TEXT NOT NULL CHECK (direction IN ('helper_bills', 'helped_pays')),
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    note TEXT NOT NULL,
    listing_id BLOB REFERENCES timebank_listings(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'withdrawn')),
    answered_by BLOB REFERENCES users(id),
    answered_at INTEGER,
    decline_reason TEXT,
    transfer_id BLOB UNIQUE REFERENCES transfers(id),
    CHECK (proposer_id <> counterparty_id),
    CHECK ((status = 'open') = (answered_at IS NULL)),
    CHECK ((answered_by IS NULL) = (answered_at IS NULL)),
    CHECK ((status = 'accepted') = (transfer_id IS NOT NULL)),
    CHECK (decline_reason IS NULL OR status = 'declined')
);
CREATE INDEX timebank_proposals_by_programme ON timebank_proposals(programme_id, id);
CREATE INDEX timebank_proposals_by_proposer ON timebank_proposals(proposer_id, id);
CREATE INDEX timebank_proposals_by_counterparty ON timebank_proposals(counterparty_id, id);

CREATE TRIGGER timebank_proposals_are_answered_once BEFORE UPDATE ON timebank_proposals
WHEN OLD.status <> 'open'
BEGIN SELECT RAISE(ABORT, 'an answered proposal is kept as it was answered'); END;
CREATE TRIGGER timebank_proposals_are_never_deleted BEFORE DELETE ON timebank_proposals
BEGIN SELECT RAISE(ABORT, 'proposals are kept; withdraw or decline them instead'); END;
