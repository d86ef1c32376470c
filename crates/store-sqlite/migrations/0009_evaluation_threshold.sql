-- A programme's disclosure threshold: the smallest count its reports and
-- research extracts show (default 10, never below 5).
ALTER TABLE evaluation_settings
    ADD COLUMN disclosure_threshold INTEGER NOT NULL DEFAULT 10 CHECK (disclosure_threshold >= 5);
