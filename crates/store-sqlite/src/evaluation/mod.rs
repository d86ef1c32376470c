//! `EvaluationStore` for SqliteStore: consent records, evaluation
//! profiles, place data and survey responses.

mod analytics;
mod places;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use timecredits_app::evaluation::eval::imd::{Boundary, Edition, ImdRow, PostcodeArea};
use timecredits_app::evaluation::eval::instruments::Questionnaire;
use timecredits_app::evaluation::{
    Answer, BaselineAt, ConsentDecision, ConsentRecord, ContributionRecord, DataLoad,
    EvaluationMember, EvaluationProfile, EvaluationSettings, EvaluationStore, ItemAnswer,
    LoadError, MemberCredits, PROGRAMME_QUESTIONS, Rows, StoredProfile, StoredQuestionnaire,
    SurveyAnswerRecord, SurveyResponse, decode_questions, encode_questions,
};
use timecredits_app::{MemberId, StoreError, StoreResult, UserId};
use timecredits_ledger::ProgrammeId;

use crate::codec::{blob, get, micros, time, uuid};
use crate::{SqliteStore, internal};

fn corrupt(what: &str, raw: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {raw:?}"))
}

impl SqliteStore {
    /// Reads rows `0..=last` of an append-only table, `last` as `last_row`
    /// finds it now, in the parts of [`analytics::Span::halves`] side by
    /// side, each on a reader connection of its own.
    async fn read_in_halves<T: Send + 'static>(
        &self,
        last_row: fn(&Connection) -> StoreResult<i64>,
        part: impl Fn(&Connection, analytics::Span) -> StoreResult<Vec<T>> + Copy + Send + 'static,
    ) -> StoreResult<[Vec<T>; 2]> {
        let last = self.read(last_row).await?;
        let (first, second) = analytics::Span::halves(last);
        let read = |rows| self.read(move |c| part(c, rows));
        let parts = tokio::try_join!(read(first), async {
            match second {
                Some(rows) => read(rows).await,
                None => Ok(Vec::new()),
            }
        })?;
        Ok(parts.into())
    }
}

fn consent(row: &Row) -> StoreResult<ConsentRecord> {
    let decision: String = get(row, "decision")?;
    Ok(ConsentRecord {
        id: uuid(row, "id")?,
        member: MemberId(uuid(row, "member_id")?),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        decision: ConsentDecision::parse(&decision)
            .ok_or_else(|| corrupt("consent decision", &decision))?,
        wording_version: get(row, "wording_version")?,
        at: time(get(row, "at")?)?,
        recorded_by: UserId(uuid(row, "recorded_by")?),
        by_proxy: get(row, "by_proxy")?,
    })
}

fn answer(row: &Row, col: &str) -> StoreResult<Answer<String>> {
    Ok(Answer::from_code(
        get::<Option<String>>(row, col)?.as_deref(),
    ))
}

fn profile(row: &Row) -> StoreResult<StoredProfile> {
    Ok(StoredProfile {
        member: MemberId(uuid(row, "member_id")?),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        profile: EvaluationProfile {
            age_band: answer(row, "age_band")?,
            year_of_birth: get(row, "year_of_birth")?,
            gender: answer(row, "gender")?,
            ethnicity: answer(row, "ethnicity")?,
            disability: answer(row, "disability")?,
            employment: answer(row, "employment")?,
            volunteered_before: answer(row, "volunteered_before")?,
            postcode: answer(row, "postcode")?,
        },
        updated_at: time(get(row, "updated_at")?)?,
        updated_by: UserId(uuid(row, "updated_by")?),
    })
}

fn months_list(raw: &str) -> StoreResult<Vec<u32>> {
    raw.split(',')
        .filter(|m| !m.is_empty())
        .map(|m| m.parse().map_err(|_| corrupt("follow-up months", raw)))
        .collect()
}

fn settings(row: &Row) -> StoreResult<EvaluationSettings> {
    let baseline: String = get(row, "baseline")?;
    let instruments: String = get(row, "instruments")?;
    Ok(EvaluationSettings {
        programme: ProgrammeId(uuid(row, "programme_id")?),
        swemwbs_licence: get(row, "swemwbs_licence")?,
        instruments: instruments
            .split(',')
            .filter(|i| !i.is_empty())
            .map(str::to_owned)
            .collect(),
        baseline: BaselineAt::parse(&baseline).ok_or_else(|| corrupt("baseline", &baseline))?,
        follow_up_months: months_list(&get::<String>(row, "follow_up_months")?)?,
        disclosure_threshold: get(row, "disclosure_threshold")?,
        updated: Some((
            UserId(uuid(row, "updated_by")?),
            time(get(row, "updated_at")?)?,
        )),
    })
}

fn questionnaire(row: &Row) -> StoreResult<StoredQuestionnaire> {
    let json: String = get(row, "questions")?;
    Ok(StoredQuestionnaire {
        programme: ProgrammeId(uuid(row, "programme_id")?),
        questionnaire: Questionnaire {
            id: PROGRAMME_QUESTIONS.into(),
            version: get(row, "version")?,
            title: get(row, "title")?,
            questions: decode_questions(&json).map_err(|e| corrupt("questions", &e))?,
        },
        created_at: time(get(row, "created_at")?)?,
        created_by: UserId(uuid(row, "created_by")?),
    })
}

fn response(c: &Connection, row: &Row) -> StoreResult<SurveyResponse> {
    let id = uuid(row, "id")?;
    let mut stmt = c
        .prepare_cached(
            "SELECT item, score, text_value FROM survey_answers WHERE response_id = ?1 ORDER BY position",
        )
        .map_err(internal)?;
    let mut answers = Vec::new();
    let mut rows = stmt.query([blob(id)]).map_err(internal)?;
    while let Some(a) = rows.next().map_err(internal)? {
        answers.push(ItemAnswer {
            item: get(a, "item")?,
            score: get(a, "score")?,
            text: get(a, "text_value")?,
        });
    }
    Ok(SurveyResponse {
        id,
        programme: ProgrammeId(uuid(row, "programme_id")?),
        member: MemberId(uuid(row, "member_id")?),
        wave_months: get(row, "wave_months")?,
        instrument: get(row, "instrument")?,
        instrument_version: get(row, "instrument_version")?,
        answers,
        raw_score: get(row, "raw_score")?,
        metric_hundredths: get(row, "metric_hundredths")?,
        complete: get(row, "complete")?,
        completed_at: time(get(row, "completed_at")?)?,
        entered_by: UserId(uuid(row, "entered_by")?),
        by_proxy: get(row, "by_proxy")?,
    })
}

fn join<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[async_trait]
impl EvaluationStore for SqliteStore {
    async fn add_consent_record(&self, r: &ConsentRecord) -> StoreResult<()> {
        let r = r.clone();
        self.write(move |c| {
            c.execute(
                "INSERT INTO evaluation_consents (id, member_id, programme_id, decision, wording_version, at, recorded_by, by_proxy)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    blob(r.id),
                    blob(r.member.0),
                    blob(r.programme.0),
                    r.decision.as_str(),
                    r.wording_version,
                    micros(r.at),
                    blob(r.recorded_by.0),
                    r.by_proxy,
                ],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn consent_history(&self, member: MemberId) -> StoreResult<Vec<ConsentRecord>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT * FROM evaluation_consents WHERE member_id = ?1 ORDER BY at, id",
                )
                .map_err(internal)?;
            let mut rows = stmt.query([blob(member.0)]).map_err(internal)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(internal)? {
                out.push(consent(row)?);
            }
            Ok(out)
        })
        .await
    }

    async fn evaluation_profile(&self, member: MemberId) -> StoreResult<Option<StoredProfile>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached("SELECT * FROM evaluation_profiles WHERE member_id = ?1")
                .map_err(internal)?;
            let mut rows = stmt.query([blob(member.0)]).map_err(internal)?;
            rows.next().map_err(internal)?.map(profile).transpose()
        })
        .await
    }

    async fn save_evaluation_profile(&self, p: &StoredProfile) -> StoreResult<()> {
        let p = p.clone();
        self.write(move |c| {
            let a = &p.profile;
            c.execute(
                "INSERT OR REPLACE INTO evaluation_profiles (member_id, programme_id, age_band, year_of_birth, gender, ethnicity,
                     disability, employment, volunteered_before, postcode, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    blob(p.member.0),
                    blob(p.programme.0),
                    a.age_band.code(),
                    a.year_of_birth,
                    a.gender.code(),
                    a.ethnicity.code(),
                    a.disability.code(),
                    a.employment.code(),
                    a.volunteered_before.code(),
                    a.postcode.code(),
                    micros(p.updated_at),
                    blob(p.updated_by.0),
                ],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn first_contribution_date(&self, member: MemberId) -> StoreResult<Option<NaiveDate>> {
        self.read(move |c| {
            let day: Option<String> = c
                .query_row(
                    "SELECT MIN(contribution_date) FROM contributions c
                     WHERE member_id = ?1
                       AND NOT EXISTS (SELECT 1 FROM contributions s WHERE s.corrects = c.id)",
                    [blob(member.0)],
                    |r| r.get(0),
                )
                .map_err(internal)?;
            day.map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|_| corrupt("contribution date", &d))
            })
            .transpose()
        })
        .await
    }

    async fn replace_postcode_lookup(
        &self,
        load: DataLoad,
        boundary: Boundary,
        rows: Rows<PostcodeArea>,
    ) -> Result<u64, LoadError> {
        self.write(move |c| places::replace_postcodes(c, &load, boundary, rows))
            .await
    }

    async fn replace_imd(
        &self,
        load: DataLoad,
        edition: Edition,
        rows: Rows<ImdRow>,
    ) -> Result<u64, LoadError> {
        self.write(move |c| places::replace_imd(c, &load, edition, rows))
            .await
    }

    async fn postcode_area(
        &self,
        boundary: Boundary,
        postcode: &str,
    ) -> StoreResult<Option<PostcodeArea>> {
        let postcode = postcode.to_owned();
        self.read(move |c| places::postcode_area(c, boundary, &postcode))
            .await
    }

    async fn imd_area(&self, edition: Edition, lsoa: &str) -> StoreResult<Option<ImdRow>> {
        let lsoa = lsoa.to_owned();
        self.read(move |c| places::imd_area(c, edition, &lsoa))
            .await
    }

    async fn data_loads(&self) -> StoreResult<Vec<DataLoad>> {
        self.read(places::data_loads).await
    }

    async fn evaluation_settings(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Option<EvaluationSettings>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached("SELECT * FROM evaluation_settings WHERE programme_id = ?1")
                .map_err(internal)?;
            let mut rows = stmt.query([blob(programme.0)]).map_err(internal)?;
            rows.next().map_err(internal)?.map(settings).transpose()
        })
        .await
    }

    async fn save_evaluation_settings(&self, s: &EvaluationSettings) -> StoreResult<()> {
        let s = s.clone();
        let Some((by, at)) = s.updated else {
            return Err(StoreError::Internal(
                "settings are saved with who changed them".into(),
            ));
        };
        self.write(move |c| {
            c.execute(
                "INSERT OR REPLACE INTO evaluation_settings (programme_id, swemwbs_licence, instruments, baseline, follow_up_months, updated_at, updated_by, disclosure_threshold)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    blob(s.programme.0),
                    s.swemwbs_licence,
                    s.instruments.join(","),
                    s.baseline.as_str(),
                    join(&s.follow_up_months),
                    micros(at),
                    blob(by.0),
                    i64::try_from(s.disclosure_threshold).unwrap_or(i64::MAX),
                ],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn add_questionnaire(&self, q: &StoredQuestionnaire) -> StoreResult<bool> {
        let q = q.clone();
        self.write(move |c| {
            let added = c
                .execute(
                    "INSERT INTO evaluation_questionnaires (programme_id, version, title, questions, created_at, created_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                    params![
                        blob(q.programme.0),
                        q.questionnaire.version,
                        q.questionnaire.title,
                        encode_questions(&q.questionnaire.questions),
                        micros(q.created_at),
                        blob(q.created_by.0),
                    ],
                )
                .map_err(internal)?;
            Ok(added == 1)
        })
        .await
    }

    async fn questionnaire(
        &self,
        programme: ProgrammeId,
        version: Option<u32>,
    ) -> StoreResult<Option<StoredQuestionnaire>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT * FROM evaluation_questionnaires WHERE programme_id = ?1 AND (?2 IS NULL OR version = ?2)
                     ORDER BY version DESC LIMIT 1",
                )
                .map_err(internal)?;
            let mut rows = stmt
                .query(params![blob(programme.0), version])
                .map_err(internal)?;
            rows.next().map_err(internal)?.map(questionnaire).transpose()
        })
        .await
    }

    async fn add_survey_response(&self, r: &SurveyResponse) -> StoreResult<bool> {
        let r = r.clone();
        self.write(move |c| {
            let exists = c
                .query_row(
                    "SELECT 1 FROM survey_responses WHERE member_id = ?1 AND wave_months = ?2 AND instrument = ?3",
                    params![blob(r.member.0), r.wave_months, r.instrument],
                    |_| Ok(()),
                )
                .optional()
                .map_err(internal)?;
            if exists.is_some() {
                return Ok(false);
            }
            c.execute(
                "INSERT INTO survey_responses (id, programme_id, member_id, wave_months, instrument, instrument_version,
                     raw_score, metric_hundredths, complete, completed_at, entered_by, by_proxy)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    blob(r.id),
                    blob(r.programme.0),
                    blob(r.member.0),
                    r.wave_months,
                    r.instrument,
                    r.instrument_version,
                    r.raw_score,
                    r.metric_hundredths,
                    r.complete,
                    micros(r.completed_at),
                    blob(r.entered_by.0),
                    r.by_proxy,
                ],
            )
            .map_err(internal)?;
            for (i, a) in r.answers.iter().enumerate() {
                c.execute(
                    "INSERT INTO survey_answers (response_id, position, item, score, text_value) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![blob(r.id), i as i64, a.item, a.score, a.text],
                )
                .map_err(internal)?;
            }
            Ok(true)
        })
        .await
    }

    async fn survey_responses(&self, member: MemberId) -> StoreResult<Vec<SurveyResponse>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT * FROM survey_responses WHERE member_id = ?1 ORDER BY completed_at, id",
                )
                .map_err(internal)?;
            let mut rows = stmt.query([blob(member.0)]).map_err(internal)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(internal)? {
                out.push(response(c, row)?);
            }
            Ok(out)
        })
        .await
    }

    async fn evaluation_members(
        &self,
        programme: ProgrammeId,
        boundary: Boundary,
        edition: Edition,
    ) -> StoreResult<Vec<EvaluationMember>> {
        self.read(move |c| analytics::members(c, programme, boundary, edition))
            .await
    }

    async fn evaluation_contributions(
        &self,
        programme: ProgrammeId,
        boundary: Boundary,
        edition: Edition,
    ) -> StoreResult<Vec<ContributionRecord>> {
        let [mut all, rest] = self
            .read_in_halves(analytics::last_contribution, move |c, rows| {
                analytics::contributions(c, programme, boundary, edition, rows)
            })
            .await?;
        all.extend(rest);
        Ok(all)
    }

    async fn member_credit_totals(
        &self,
        programme: ProgrammeId,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> StoreResult<Vec<MemberCredits>> {
        let parts = self
            .read_in_halves(analytics::last_transfer, move |c, rows| {
                analytics::credit_totals(c, programme, since, until, rows)
            })
            .await?;
        Ok(analytics::add_up(parts))
    }

    async fn programme_survey_answers(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<SurveyAnswerRecord>> {
        self.read(move |c| analytics::survey_answers(c, programme))
            .await
    }

    async fn organisation_local_authorities(
        &self,
        programme: ProgrammeId,
        boundary: Boundary,
        edition: Edition,
    ) -> StoreResult<Vec<String>> {
        self.read(move |c| {
            analytics::organisation_local_authorities(c, programme, boundary, edition)
        })
        .await
    }

    async fn lsoa_deciles_in(
        &self,
        edition: Edition,
        local_authorities: &[String],
    ) -> StoreResult<Vec<u8>> {
        let local_authorities = local_authorities.to_vec();
        self.read(move |c| analytics::lsoa_deciles_in(c, edition, &local_authorities))
            .await
    }
}
