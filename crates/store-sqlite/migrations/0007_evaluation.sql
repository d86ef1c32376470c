-- The evaluation area: consent, evaluation profiles, places and
-- deprivation, and surveys. Times are microseconds since the Unix epoch
-- (UTC); ids are 16-byte UUIDs.

-- Consent is given or withdrawn, each time a new row: never changed or
-- deleted, so a member's history is every row, oldest first.
CREATE TABLE evaluation_consents (
    id BLOB PRIMARY KEY,
    member_id BLOB NOT NULL REFERENCES members(id),
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    decision TEXT NOT NULL CHECK (decision IN ('given', 'withdrawn')),
    wording_version TEXT NOT NULL,
    at INTEGER NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES users(id),
    by_proxy INTEGER NOT NULL CHECK (by_proxy IN (0, 1))
);
CREATE INDEX evaluation_consents_by_member ON evaluation_consents(member_id, at, id);
CREATE TRIGGER evaluation_consents_are_kept BEFORE UPDATE ON evaluation_consents
BEGIN SELECT RAISE(ABORT, 'consent records are kept as recorded; add a new one'); END;
CREATE TRIGGER evaluation_consents_are_never_deleted BEFORE DELETE ON evaluation_consents
BEGIN SELECT RAISE(ABORT, 'consent records are kept as recorded; add a new one'); END;

-- One current profile per member. Each answer is NULL (not answered),
-- 'prefer_not_to_say', or a code of the app's lists.
CREATE TABLE evaluation_profiles (
    member_id BLOB PRIMARY KEY REFERENCES members(id),
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    age_band TEXT,
    year_of_birth INTEGER,
    gender TEXT,
    ethnicity TEXT,
    disability TEXT,
    employment TEXT,
    volunteered_before TEXT,
    -- Normalised, e.g. 'PE13 2AB'.
    postcode TEXT,
    updated_at INTEGER NOT NULL,
    updated_by BLOB NOT NULL REFERENCES users(id),
    CHECK (year_of_birth IS NULL OR age_band IS NULL)
);
CREATE INDEX evaluation_profiles_by_programme ON evaluation_profiles(programme_id);

-- Platform-wide place data: one load of each data set is kept.
CREATE TABLE place_data_loads (
    dataset TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    rows INTEGER NOT NULL,
    loaded_at INTEGER NOT NULL,
    loaded_by BLOB NOT NULL REFERENCES users(id)
);

-- Postcode -> LSOA, per boundary vintage ('lsoa2011', 'lsoa2021').
CREATE TABLE postcode_areas (
    boundary TEXT NOT NULL,
    postcode TEXT NOT NULL,
    area TEXT NOT NULL CHECK (area IN ('england', 'outside_england', 'unassigned')),
    -- The LSOA (England) or the other nation's small-area code.
    area_code TEXT,
    terminated INTEGER NOT NULL CHECK (terminated IN (0, 1)),
    PRIMARY KEY (boundary, postcode),
    CHECK ((area = 'unassigned') = (area_code IS NULL))
) WITHOUT ROWID;

-- The Indices of Deprivation per LSOA, per edition ('iod2019'). Domain
-- deciles are NULL when the file loaded had none.
CREATE TABLE imd_areas (
    edition TEXT NOT NULL,
    lsoa TEXT NOT NULL,
    local_authority TEXT,
    imd_rank INTEGER NOT NULL CHECK (imd_rank > 0),
    imd_decile INTEGER NOT NULL CHECK (imd_decile BETWEEN 1 AND 10),
    income_decile INTEGER,
    employment_decile INTEGER,
    education_decile INTEGER,
    health_decile INTEGER,
    crime_decile INTEGER,
    barriers_decile INTEGER,
    living_environment_decile INTEGER,
    PRIMARY KEY (edition, lsoa)
) WITHOUT ROWID;

-- A programme's survey settings; the app's defaults until a manager sets them.
CREATE TABLE evaluation_settings (
    programme_id BLOB PRIMARY KEY REFERENCES programmes(id),
    swemwbs_licence INTEGER NOT NULL CHECK (swemwbs_licence IN (0, 1)),
    -- Instrument ids switched on, comma-separated.
    instruments TEXT NOT NULL,
    baseline TEXT NOT NULL CHECK (baseline IN ('joining', 'first_contribution')),
    -- Months after the baseline, comma-separated, increasing.
    follow_up_months TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by BLOB NOT NULL REFERENCES users(id),
    CHECK (swemwbs_licence = 1 OR ',' || instruments || ',' NOT LIKE '%,swemwbs,%')
);

-- Versions of a programme's own questions, each written once.
CREATE TABLE evaluation_questionnaires (
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    version INTEGER NOT NULL CHECK (version > 0),
    title TEXT NOT NULL,
    -- The questions as JSON (see the app's surveys codec).
    questions TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id),
    PRIMARY KEY (programme_id, version)
);
CREATE TRIGGER evaluation_questionnaires_are_kept BEFORE UPDATE ON evaluation_questionnaires
BEGIN SELECT RAISE(ABORT, 'a version of the questions is kept as written; save a new version'); END;

-- A member's answers to one instrument in one wave (0 = baseline, else
-- months after it), once. Scores are NULL unless every item was answered.
CREATE TABLE survey_responses (
    id BLOB PRIMARY KEY,
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    member_id BLOB NOT NULL REFERENCES members(id),
    wave_months INTEGER NOT NULL CHECK (wave_months >= 0),
    instrument TEXT NOT NULL,
    instrument_version INTEGER NOT NULL,
    raw_score INTEGER,
    metric_hundredths INTEGER,
    complete INTEGER NOT NULL CHECK (complete IN (0, 1)),
    completed_at INTEGER NOT NULL,
    entered_by BLOB NOT NULL REFERENCES users(id),
    by_proxy INTEGER NOT NULL CHECK (by_proxy IN (0, 1)),
    UNIQUE (member_id, wave_months, instrument),
    CHECK (complete = 1 OR (raw_score IS NULL AND metric_hundredths IS NULL))
);
CREATE INDEX survey_responses_by_programme ON survey_responses(programme_id, instrument, wave_months);

-- One row per item answered; items left out were not answered.
CREATE TABLE survey_answers (
    response_id BLOB NOT NULL REFERENCES survey_responses(id),
    position INTEGER NOT NULL,
    item TEXT NOT NULL,
    score INTEGER,
    text_value TEXT,
    PRIMARY KEY (response_id, position),
    UNIQUE (response_id, item),
    CHECK ((score IS NULL) <> (text_value IS NULL))
);

-- Answers are never edited; only erasing a member's data may delete them.
CREATE TRIGGER survey_responses_are_kept BEFORE UPDATE ON survey_responses
BEGIN SELECT RAISE(ABORT, 'survey answers are kept as given'); END;
CREATE TRIGGER survey_answers_are_kept BEFORE UPDATE ON survey_answers
BEGIN SELECT RAISE(ABORT, 'survey answers are kept as given'); END;
