-- Where an activity happens, for deprivation reach: a normalised UK
-- postcode, or NULL when it happens at its organisation's postcode.
ALTER TABLE activities ADD COLUMN postcode TEXT;
