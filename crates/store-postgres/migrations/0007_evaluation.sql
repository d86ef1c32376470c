-- The evaluation area: consent, evaluation profiles, places and
-- deprivation, and surveys.

-- Consent is given or withdrawn, each time a new row: never changed or
-- deleted, so a member's history is every row, oldest first.
CREATE TABLE evaluation_consents (
    id uuid PRIMARY KEY,
    member_id uuid NOT NULL REFERENCES members(id),
    programme_id uuid NOT NULL REFERENCES programmes(id),
    decision text NOT NULL CHECK (decision IN ('given', 'withdrawn')),
    wording_version text NOT NULL,
    at timestamptz NOT NULL,
    recorded_by uuid NOT NULL REFERENCES users(id),
    by_proxy boolean NOT NULL
);
CREATE INDEX evaluation_consents_by_member ON evaluation_consents(member_id, at, id);

CREATE FUNCTION refuse_evaluation_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are kept as recorded; add a new one instead', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER evaluation_consents_are_kept BEFORE UPDATE OR DELETE ON evaluation_consents
    FOR EACH ROW EXECUTE FUNCTION refuse_evaluation_record_change();

-- One current profile per member. Each answer is NULL (not answered),
-- 'prefer_not_to_say', or a code of the app's lists.
CREATE TABLE evaluation_profiles (
    member_id uuid PRIMARY KEY REFERENCES members(id),
    programme_id uuid NOT NULL REFERENCES programmes(id),
    age_band text,
    year_of_birth integer,
    gender text,
    ethnicity text,
    disability text,
    employment text,
    volunteered_before text,
    -- Normalised, e.g. 'PE13 2AB'.
    postcode text,
    updated_at timestamptz NOT NULL,
    updated_by uuid NOT NULL REFERENCES users(id),
    CHECK (year_of_birth IS NULL OR age_band IS NULL)
);
CREATE INDEX evaluation_profiles_by_programme ON evaluation_profiles(programme_id);

-- Platform-wide place data: one load of each data set is kept.
CREATE TABLE place_data_loads (
    dataset text PRIMARY KEY,
    source text NOT NULL,
    rows bigint NOT NULL,
    loaded_at timestamptz NOT NULL,
    loaded_by uuid NOT NULL REFERENCES users(id)
);

-- Postcode -> LSOA, per boundary vintage ('lsoa2011', 'lsoa2021').
CREATE TABLE postcode_areas (
    boundary text NOT NULL,
    postcode text NOT NULL,
    area text NOT NULL CHECK (area IN ('england', 'outside_england', 'unassigned')),
    -- The LSOA (England) or the other nation's small-area code.
    area_code text,
    terminated boolean NOT NULL,
    PRIMARY KEY (boundary, postcode),
    CHECK ((area = 'unassigned') = (area_code IS NULL))
);

-- The Indices of Deprivation per LSOA, per edition ('iod2019'). Domain
-- deciles are NULL when the file loaded had none.
CREATE TABLE imd_areas (
    edition text NOT NULL,
    lsoa text NOT NULL,
    local_authority text,
    imd_rank integer NOT NULL CHECK (imd_rank > 0),
    imd_decile smallint NOT NULL CHECK (imd_decile BETWEEN 1 AND 10),
    income_decile smallint,
    employment_decile smallint,
    education_decile smallint,
    health_decile smallint,
    crime_decile smallint,
    barriers_decile smallint,
    living_environment_decile smallint,
    PRIMARY KEY (edition, lsoa)
);

-- A programme's survey settings; the app's defaults until a manager sets them.
CREATE TABLE evaluation_settings (
    programme_id uuid PRIMARY KEY REFERENCES programmes(id),
    swemwbs_licence boolean NOT NULL,
    -- Instrument ids switched on.
    instruments text[] NOT NULL,
    baseline text NOT NULL CHECK (baseline IN ('joining', 'first_contribution')),
    -- Months after the baseline, increasing.
    follow_up_months integer[] NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by uuid NOT NULL REFERENCES users(id),
    CHECK (swemwbs_licence OR NOT ('swemwbs' = ANY (instruments)))
);

-- Versions of a programme's own questions, each written once.
CREATE TABLE evaluation_questionnaires (
    programme_id uuid NOT NULL REFERENCES programmes(id),
    version integer NOT NULL CHECK (version > 0),
    title text NOT NULL,
    -- The questions as JSON (see the app's surveys codec).
    questions text NOT NULL,
    created_at timestamptz NOT NULL,
    created_by uuid NOT NULL REFERENCES users(id),
    PRIMARY KEY (programme_id, version)
);
CREATE TRIGGER evaluation_questionnaires_are_kept BEFORE UPDATE OR DELETE ON evaluation_questionnaires
    FOR EACH ROW EXECUTE FUNCTION refuse_evaluation_record_change();

-- A member's answers to one instrument in one wave (0 = baseline, else
-- months after it), once. Scores are NULL unless every item was answered.
CREATE TABLE survey_responses (
    id uuid PRIMARY KEY,
    programme_id uuid NOT NULL REFERENCES programmes(id),
    member_id uuid NOT NULL REFERENCES members(id),
    wave_months integer NOT NULL CHECK (wave_months >= 0),
    instrument text NOT NULL,
    instrument_version integer NOT NULL,
    raw_score integer,
    metric_hundredths integer,
    complete boolean NOT NULL,
    completed_at timestamptz NOT NULL,
    entered_by uuid NOT NULL REFERENCES users(id),
    by_proxy boolean NOT NULL,
    CONSTRAINT survey_responses_once_per_wave UNIQUE (member_id, wave_months, instrument),
    CHECK (complete OR (raw_score IS NULL AND metric_hundredths IS NULL))
);
CREATE INDEX survey_responses_by_programme ON survey_responses(programme_id, instrument, wave_months);

-- One row per item answered; items left out were not answered.
CREATE TABLE survey_answers (
    response_id uuid NOT NULL REFERENCES survey_responses(id),
    position integer NOT NULL,
    item text NOT NULL,
    score smallint,
    text_value text,
    PRIMARY KEY (response_id, position),
    UNIQUE (response_id, item),
    CHECK ((score IS NULL) <> (text_value IS NULL))
);
-- Answers are never edited; only erasing a member's data may delete them.
CREATE TRIGGER survey_responses_are_kept BEFORE UPDATE ON survey_responses
    FOR EACH ROW EXECUTE FUNCTION refuse_evaluation_record_change();
CREATE TRIGGER survey_answers_are_kept BEFORE UPDATE ON survey_answers
    FOR EACH ROW EXECUTE FUNCTION refuse_evaluation_record_change();
