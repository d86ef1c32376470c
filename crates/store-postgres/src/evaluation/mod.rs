//! `EvaluationStore` for PgStore: consent records, evaluation profiles,
//! place data and survey responses.

mod analytics;
mod places;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, Row};
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
use uuid::Uuid;

use crate::PgStore;
use crate::error::db_err;

fn corrupt(what: &str, raw: &str) -> StoreError {
    StoreError::Corrupt(format!("bad {what} {raw:?}"))
}

fn col<'r, T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>>(
    row: &'r PgRow,
    name: &str,
) -> StoreResult<T> {
    row.try_get(name).map_err(db_err)
}

/// A non-negative integer column as the narrower type the app uses.
fn small<T: TryFrom<i32>>(row: &PgRow, name: &str) -> StoreResult<T> {
    let value: i32 = col(row, name)?;
    T::try_from(value).map_err(|_| corrupt(name, &value.to_string()))
}

fn opt_small<T: TryFrom<i32>>(row: &PgRow, name: &str) -> StoreResult<Option<T>> {
    col::<Option<i32>>(row, name)?
        .map(|v| T::try_from(v).map_err(|_| corrupt(name, &v.to_string())))
        .transpose()
}

fn consent(row: &PgRow) -> StoreResult<ConsentRecord> {
    let decision: String = col(row, "decision")?;
    Ok(ConsentRecord {
        id: col(row, "id")?,
        member: MemberId(col(row, "member_id")?),
        programme: ProgrammeId(col(row, "programme_id")?),
        decision: ConsentDecision::parse(&decision)
            .ok_or_else(|| corrupt("consent decision", &decision))?,
        wording_version: col(row, "wording_version")?,
        at: col(row, "at")?,
        recorded_by: UserId(col(row, "recorded_by")?),
        by_proxy: col(row, "by_proxy")?,
    })
}

fn answer(row: &PgRow, name: &str) -> StoreResult<Answer<String>> {
    Ok(Answer::from_code(
        col::<Option<String>>(row, name)?.as_deref(),
    ))
}

fn profile(row: &PgRow) -> StoreResult<StoredProfile> {
    Ok(StoredProfile {
        member: MemberId(col(row, "member_id")?),
        programme: ProgrammeId(col(row, "programme_id")?),
        profile: EvaluationProfile {
            age_band: answer(row, "age_band")?,
            year_of_birth: col(row, "year_of_birth")?,
            gender: answer(row, "gender")?,
            ethnicity: answer(row, "ethnicity")?,
            disability: answer(row, "disability")?,
            employment: answer(row, "employment")?,
            volunteered_before: answer(row, "volunteered_before")?,
            postcode: answer(row, "postcode")?,
        },
        updated_at: col(row, "updated_at")?,
        updated_by: UserId(col(row, "updated_by")?),
    })
}

fn settings(row: &PgRow) -> StoreResult<EvaluationSettings> {
    let baseline: String = col(row, "baseline")?;
    let months: Vec<i32> = col(row, "follow_up_months")?;
    Ok(EvaluationSettings {
        programme: ProgrammeId(col(row, "programme_id")?),
        swemwbs_licence: col(row, "swemwbs_licence")?,
        instruments: col(row, "instruments")?,
        baseline: BaselineAt::parse(&baseline).ok_or_else(|| corrupt("baseline", &baseline))?,
        follow_up_months: months
            .iter()
            .map(|m| u32::try_from(*m).map_err(|_| corrupt("follow-up months", &m.to_string())))
            .collect::<StoreResult<_>>()?,
        disclosure_threshold: small(row, "disclosure_threshold")?,
        updated: Some((UserId(col(row, "updated_by")?), col(row, "updated_at")?)),
    })
}

fn questionnaire(row: &PgRow) -> StoreResult<StoredQuestionnaire> {
    let json: String = col(row, "questions")?;
    Ok(StoredQuestionnaire {
        programme: ProgrammeId(col(row, "programme_id")?),
        questionnaire: Questionnaire {
            id: PROGRAMME_QUESTIONS.into(),
            version: small(row, "version")?,
            title: col(row, "title")?,
            questions: decode_questions(&json).map_err(|e| corrupt("questions", &e))?,
        },
        created_at: col(row, "created_at")?,
        created_by: UserId(col(row, "created_by")?),
    })
}

fn response(row: &PgRow, answers: Vec<ItemAnswer>) -> StoreResult<SurveyResponse> {
    Ok(SurveyResponse {
        id: col(row, "id")?,
        programme: ProgrammeId(col(row, "programme_id")?),
        member: MemberId(col(row, "member_id")?),
        wave_months: small(row, "wave_months")?,
        instrument: col(row, "instrument")?,
        instrument_version: small(row, "instrument_version")?,
        answers,
        raw_score: opt_small(row, "raw_score")?,
        metric_hundredths: opt_small(row, "metric_hundredths")?,
        complete: col(row, "complete")?,
        completed_at: col(row, "completed_at")?,
        entered_by: UserId(col(row, "entered_by")?),
        by_proxy: col(row, "by_proxy")?,
    })
}

fn int(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

#[async_trait]
impl EvaluationStore for PgStore {
    async fn add_consent_record(&self, r: &ConsentRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO evaluation_consents (id, member_id, programme_id, decision, wording_version, at, recorded_by, by_proxy)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(r.id)
        .bind(r.member.0)
        .bind(r.programme.0)
        .bind(r.decision.as_str())
        .bind(&r.wording_version)
        .bind(r.at)
        .bind(r.recorded_by.0)
        .bind(r.by_proxy)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn consent_history(&self, member: MemberId) -> StoreResult<Vec<ConsentRecord>> {
        let rows =
            sqlx::query("SELECT * FROM evaluation_consents WHERE member_id = $1 ORDER BY at, id")
                .bind(member.0)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
        rows.iter().map(consent).collect()
    }

    async fn evaluation_profile(&self, member: MemberId) -> StoreResult<Option<StoredProfile>> {
        let row = sqlx::query("SELECT * FROM evaluation_profiles WHERE member_id = $1")
            .bind(member.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(profile).transpose()
    }

    async fn save_evaluation_profile(&self, p: &StoredProfile) -> StoreResult<()> {
        let a = &p.profile;
        sqlx::query(
            "INSERT INTO evaluation_profiles (member_id, programme_id, age_band, year_of_birth, gender, ethnicity,
                 disability, employment, volunteered_before, postcode, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (member_id) DO UPDATE SET age_band = EXCLUDED.age_band, year_of_birth = EXCLUDED.year_of_birth,
                 gender = EXCLUDED.gender, ethnicity = EXCLUDED.ethnicity, disability = EXCLUDED.disability,
                 employment = EXCLUDED.employment, volunteered_before = EXCLUDED.volunteered_before,
                 postcode = EXCLUDED.postcode, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by",
        )
        .bind(p.member.0)
        .bind(p.programme.0)
        .bind(a.age_band.code())
        .bind(a.year_of_birth)
        .bind(a.gender.code())
        .bind(a.ethnicity.code())
        .bind(a.disability.code())
        .bind(a.employment.code())
        .bind(a.volunteered_before.code())
        .bind(a.postcode.code())
        .bind(p.updated_at)
        .bind(p.updated_by.0)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn first_contribution_date(&self, member: MemberId) -> StoreResult<Option<NaiveDate>> {
        sqlx::query_scalar(
            "SELECT MIN(contribution_date) FROM contributions c
             WHERE member_id = $1
               AND NOT EXISTS (SELECT 1 FROM contributions s WHERE s.corrects = c.id)",
        )
        .bind(member.0)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)
    }

    async fn replace_postcode_lookup(
        &self,
        load: DataLoad,
        boundary: Boundary,
        rows: Rows<PostcodeArea>,
    ) -> Result<u64, LoadError> {
        places::replace_postcodes(self, &load, boundary, rows).await
    }

    async fn replace_imd(
        &self,
        load: DataLoad,
        edition: Edition,
        rows: Rows<ImdRow>,
    ) -> Result<u64, LoadError> {
        places::replace_imd(self, &load, edition, rows).await
    }

    async fn postcode_area(
        &self,
        boundary: Boundary,
        postcode: &str,
    ) -> StoreResult<Option<PostcodeArea>> {
        places::postcode_area(self, boundary, postcode).await
    }

    async fn imd_area(&self, edition: Edition, lsoa: &str) -> StoreResult<Option<ImdRow>> {
        places::imd_area(self, edition, lsoa).await
    }

    async fn data_loads(&self) -> StoreResult<Vec<DataLoad>> {
        places::data_loads(self).await
    }

    async fn evaluation_settings(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Option<EvaluationSettings>> {
        let row = sqlx::query("SELECT * FROM evaluation_settings WHERE programme_id = $1")
            .bind(programme.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(settings).transpose()
    }

    async fn save_evaluation_settings(&self, s: &EvaluationSettings) -> StoreResult<()> {
        let Some((by, at)) = s.updated else {
            return Err(StoreError::Internal(
                "settings are saved with who changed them".into(),
            ));
        };
        let months: Vec<i32> = s.follow_up_months.iter().map(|m| int(*m)).collect();
        sqlx::query(
            "INSERT INTO evaluation_settings (programme_id, swemwbs_licence, instruments, baseline, follow_up_months, updated_at, updated_by, disclosure_threshold)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (programme_id) DO UPDATE SET swemwbs_licence = EXCLUDED.swemwbs_licence,
                 instruments = EXCLUDED.instruments, baseline = EXCLUDED.baseline,
                 follow_up_months = EXCLUDED.follow_up_months, updated_at = EXCLUDED.updated_at,
                 updated_by = EXCLUDED.updated_by, disclosure_threshold = EXCLUDED.disclosure_threshold",
        )
        .bind(s.programme.0)
        .bind(s.swemwbs_licence)
        .bind(&s.instruments)
        .bind(s.baseline.as_str())
        .bind(&months)
        .bind(at)
        .bind(by.0)
        .bind(i32::try_from(s.disclosure_threshold).unwrap_or(i32::MAX))
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn add_questionnaire(&self, q: &StoredQuestionnaire) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO evaluation_questionnaires (programme_id, version, title, questions, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(q.programme.0)
        .bind(int(q.questionnaire.version))
        .bind(&q.questionnaire.title)
        .bind(encode_questions(&q.questionnaire.questions))
        .bind(q.created_at)
        .bind(q.created_by.0)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn questionnaire(
        &self,
        programme: ProgrammeId,
        version: Option<u32>,
    ) -> StoreResult<Option<StoredQuestionnaire>> {
        let row = sqlx::query(
            "SELECT * FROM evaluation_questionnaires WHERE programme_id = $1 AND ($2::integer IS NULL OR version = $2)
             ORDER BY version DESC LIMIT 1",
        )
        .bind(programme.0)
        .bind(version.map(int))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(questionnaire).transpose()
    }

    async fn add_survey_response(&self, r: &SurveyResponse) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        let done = sqlx::query(
            "INSERT INTO survey_responses (id, programme_id, member_id, wave_months, instrument, instrument_version,
                 raw_score, metric_hundredths, complete, completed_at, entered_by, by_proxy)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT ON CONSTRAINT survey_responses_once_per_wave DO NOTHING",
        )
        .bind(r.id)
        .bind(r.programme.0)
        .bind(r.member.0)
        .bind(int(r.wave_months))
        .bind(&r.instrument)
        .bind(int(r.instrument_version))
        .bind(r.raw_score.map(i32::from))
        .bind(r.metric_hundredths.map(i32::from))
        .bind(r.complete)
        .bind(r.completed_at)
        .bind(r.entered_by.0)
        .bind(r.by_proxy)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        for (i, a) in r.answers.iter().enumerate() {
            sqlx::query(
                "INSERT INTO survey_answers (response_id, position, item, score, text_value) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(r.id)
            .bind(i32::try_from(i).unwrap_or(i32::MAX))
            .bind(&a.item)
            .bind(a.score.map(i16::from))
            .bind(&a.text)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(true)
    }

    async fn survey_responses(&self, member: MemberId) -> StoreResult<Vec<SurveyResponse>> {
        let rows = sqlx::query(
            "SELECT * FROM survey_responses WHERE member_id = $1 ORDER BY completed_at, id",
        )
        .bind(member.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let answers = sqlx::query(
            "SELECT a.response_id, a.item, a.score, a.text_value FROM survey_answers a
             JOIN survey_responses r ON r.id = a.response_id
             WHERE r.member_id = $1 ORDER BY a.response_id, a.position",
        )
        .bind(member.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let id: Uuid = col(row, "id")?;
                let mine = answers
                    .iter()
                    .filter(|a| a.try_get::<Uuid, _>("response_id").ok() == Some(id))
                    .map(|a| {
                        let score: Option<i16> = col(a, "score")?;
                        Ok(ItemAnswer {
                            item: col(a, "item")?,
                            score: score
                                .map(|s| {
                                    u8::try_from(s).map_err(|_| corrupt("score", &s.to_string()))
                                })
                                .transpose()?,
                            text: col(a, "text_value")?,
                        })
                    })
                    .collect::<StoreResult<Vec<_>>>()?;
                response(row, mine)
            })
            .collect()
    }

    async fn evaluation_members(
        &self,
        programme: ProgrammeId,
        boundary: Boundary,
        edition: Edition,
    ) -> StoreResult<Vec<EvaluationMember>> {
        analytics::members(self, programme, boundary, edition).await
    }

    async fn evaluation_contributions(
        &self,
        programme: ProgrammeId,
        boundary: Boundary,
        edition: Edition,
    ) -> StoreResult<Vec<ContributionRecord>> {
        analytics::contributions(self, programme, boundary, edition).await
    }

    async fn member_credit_totals(
        &self,
        programme: ProgrammeId,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> StoreResult<Vec<MemberCredits>> {
        analytics::credit_totals(self, programme, since, until).await
    }

    async fn programme_survey_answers(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<SurveyAnswerRecord>> {
        analytics::survey_answers(self, programme).await
    }

    async fn organisation_local_authorities(
        &self,
        programme: ProgrammeId,
        boundary: Boundary,
        edition: Edition,
    ) -> StoreResult<Vec<String>> {
        analytics::organisation_local_authorities(self, programme, boundary, edition).await
    }

    async fn lsoa_deciles_in(
        &self,
        edition: Edition,
        local_authorities: &[String],
    ) -> StoreResult<Vec<u8>> {
        analytics::lsoa_deciles_in(self, edition, local_authorities).await
    }
}
