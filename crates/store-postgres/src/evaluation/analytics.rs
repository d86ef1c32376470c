//! Whole-programme reads for analytics and research extracts: one query
//! each, never one per member.

use chrono::{DateTime, Utc};
use timecredits_app::evaluation::eval::imd::{Boundary, Edition};
use timecredits_app::evaluation::{
    ConsentDecision, ContributionRecord, EvaluationMember, EvaluationProfile, MemberCredits,
    SurveyAnswerRecord, boundary_code, edition_code,
};
use timecredits_app::{MemberId, StoreResult};
use timecredits_domain::activity::{CoProductionLevel, CoProductionMode};
use timecredits_ledger::ProgrammeId;
use uuid::Uuid;

use super::{answer, col, corrupt};
use crate::PgStore;
use crate::error::db_err;

fn small_u8(value: Option<i16>, what: &str) -> StoreResult<Option<u8>> {
    value
        .map(|v| u8::try_from(v).map_err(|_| corrupt(what, &v.to_string())))
        .transpose()
}

pub(super) async fn members(
    store: &PgStore,
    programme: ProgrammeId,
    boundary: Boundary,
    edition: Edition,
) -> StoreResult<Vec<EvaluationMember>> {
    let rows = sqlx::query(
        "SELECT m.id AS member_id, m.created_at,
             (SELECT ec.decision FROM evaluation_consents ec WHERE ec.member_id = m.id
              ORDER BY ec.at DESC, ec.id DESC LIMIT 1) AS consent,
             p.member_id AS profile_member, p.age_band, p.year_of_birth, p.gender, p.ethnicity,
             p.disability, p.employment, p.volunteered_before, p.postcode,
             CASE WHEN pa.area = 'england' THEN pa.area_code END AS lsoa,
             ia.imd_decile, ia.local_authority
         FROM members m
         LEFT JOIN evaluation_profiles p ON p.member_id = m.id
         LEFT JOIN postcode_areas pa ON pa.boundary = $2 AND pa.postcode = p.postcode
         LEFT JOIN imd_areas ia ON ia.edition = $3 AND ia.lsoa = pa.area_code AND pa.area = 'england'
         WHERE m.programme_id = $1
         ORDER BY m.id",
    )
    .bind(programme.0)
    .bind(boundary_code(boundary))
    .bind(edition_code(edition))
    .fetch_all(&store.pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            let consent: Option<String> = col(row, "consent")?;
            let latest_consent = consent
                .map(|d| ConsentDecision::parse(&d).ok_or_else(|| corrupt("consent decision", &d)))
                .transpose()?;
            let profile = match col::<Option<Uuid>>(row, "profile_member")? {
                None => None,
                Some(_) => Some(EvaluationProfile {
                    age_band: answer(row, "age_band")?,
                    year_of_birth: col(row, "year_of_birth")?,
                    gender: answer(row, "gender")?,
                    ethnicity: answer(row, "ethnicity")?,
                    disability: answer(row, "disability")?,
                    employment: answer(row, "employment")?,
                    volunteered_before: answer(row, "volunteered_before")?,
                    postcode: answer(row, "postcode")?,
                }),
            };
            Ok(EvaluationMember {
                member: MemberId(col(row, "member_id")?),
                joined_at: col(row, "created_at")?,
                latest_consent,
                profile,
                lsoa: col(row, "lsoa")?,
                decile: small_u8(col(row, "imd_decile")?, "IMD decile")?,
                local_authority: col(row, "local_authority")?,
            })
        })
        .collect()
}

pub(super) async fn contributions(
    store: &PgStore,
    programme: ProgrammeId,
    boundary: Boundary,
    edition: Edition,
) -> StoreResult<Vec<ContributionRecord>> {
    let rows = sqlx::query(
        "SELECT c.member_id, c.contribution_date, c.minutes, a.level, a.mode, c.organisation_id,
                ia.imd_decile AS place_decile
         FROM contributions c JOIN activities a ON a.id = c.activity_id
         LEFT JOIN organisation_details d ON d.organisation_id = a.organisation_id
         LEFT JOIN postcode_areas pa ON pa.boundary = $2 AND pa.area = 'england'
              AND pa.postcode = COALESCE(a.postcode, d.postcode)
         LEFT JOIN imd_areas ia ON ia.edition = $3 AND ia.lsoa = pa.area_code
         WHERE c.programme_id = $1
           AND NOT EXISTS (SELECT 1 FROM contributions s WHERE s.corrects = c.id)",
    )
    .bind(programme.0)
    .bind(boundary_code(boundary))
    .bind(edition_code(edition))
    .fetch_all(&store.pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok(ContributionRecord {
                member: MemberId(col(row, "member_id")?),
                date: col(row, "contribution_date")?,
                minutes: col(row, "minutes")?,
                level: {
                    let level: String = col(row, "level")?;
                    CoProductionLevel::parse(&level)
                        .ok_or_else(|| corrupt("activity level", &level))?
                },
                mode: {
                    let mode: String = col(row, "mode")?;
                    CoProductionMode::parse(&mode).ok_or_else(|| corrupt("activity mode", &mode))?
                },
                organisation: col(row, "organisation_id")?,
                place_decile: col::<Option<i16>>(row, "place_decile")?
                    .map(|d| u8::try_from(d).map_err(|_| corrupt("decile", &d.to_string())))
                    .transpose()?,
            })
        })
        .collect()
}

/// Credits into a member's account count positive, out of it negative; an
/// issue (or the reversal of one) is earning, a redemption (or its
/// reversal) spending.
pub(super) async fn credit_totals(
    store: &PgStore,
    programme: ProgrammeId,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> StoreResult<Vec<MemberCredits>> {
    let rows = sqlx::query(
        "WITH moves AS (
             SELECT m.id AS member_id, t.kind, o.kind AS original_kind, t.at, t.amount_minutes AS amount
             FROM members m JOIN transfers t ON t.credit_account = m.account_id
             LEFT JOIN transfers o ON o.id = t.reverses
             WHERE m.programme_id = $1 AND ($3::timestamptz IS NULL OR t.at < $3)
             UNION ALL
             SELECT m.id, t.kind, o.kind, t.at, -t.amount_minutes
             FROM members m JOIN transfers t ON t.debit_account = m.account_id
             LEFT JOIN transfers o ON o.id = t.reverses
             WHERE m.programme_id = $1 AND ($3::timestamptz IS NULL OR t.at < $3)
         )
         SELECT member_id,
             COALESCE(SUM(amount) FILTER (WHERE ($2::timestamptz IS NULL OR at >= $2)
                 AND 'issue' IN (kind, original_kind)), 0)::bigint AS earned,
             (-COALESCE(SUM(amount) FILTER (WHERE ($2::timestamptz IS NULL OR at >= $2)
                 AND 'redeem' IN (kind, original_kind)), 0))::bigint AS spent,
             SUM(amount)::bigint AS balance
         FROM moves GROUP BY member_id ORDER BY member_id",
    )
    .bind(programme.0)
    .bind(since)
    .bind(until)
    .fetch_all(&store.pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok(MemberCredits {
                member: MemberId(col(row, "member_id")?),
                earned_minutes: col(row, "earned")?,
                spent_minutes: col(row, "spent")?,
                balance_minutes: col(row, "balance")?,
            })
        })
        .collect()
}

pub(super) async fn survey_answers(
    store: &PgStore,
    programme: ProgrammeId,
) -> StoreResult<Vec<SurveyAnswerRecord>> {
    let rows = sqlx::query(
        "SELECT r.id, r.member_id, r.wave_months, r.instrument, a.item, a.score
         FROM survey_responses r JOIN survey_answers a ON a.response_id = r.id
         WHERE r.programme_id = $1
         ORDER BY r.id, a.position",
    )
    .bind(programme.0)
    .fetch_all(&store.pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            let wave: i32 = col(row, "wave_months")?;
            Ok(SurveyAnswerRecord {
                response: col(row, "id")?,
                member: MemberId(col(row, "member_id")?),
                wave_months: u32::try_from(wave).map_err(|_| corrupt("wave", &wave.to_string()))?,
                instrument: col(row, "instrument")?,
                item: col(row, "item")?,
                score: small_u8(col(row, "score")?, "answer score")?,
            })
        })
        .collect()
}

pub(super) async fn organisation_local_authorities(
    store: &PgStore,
    programme: ProgrammeId,
    boundary: Boundary,
    edition: Edition,
) -> StoreResult<Vec<String>> {
    sqlx::query_scalar(
        "SELECT DISTINCT ia.local_authority FROM (
             SELECT d.postcode FROM organisations o
             JOIN organisation_details d ON d.organisation_id = o.id
             WHERE o.programme_id = $1
             UNION
             SELECT a.postcode FROM activities a WHERE a.programme_id = $1
         ) places
         JOIN postcode_areas pa ON pa.boundary = $2 AND pa.postcode = places.postcode AND pa.area = 'england'
         JOIN imd_areas ia ON ia.edition = $3 AND ia.lsoa = pa.area_code
         WHERE ia.local_authority IS NOT NULL
         ORDER BY 1",
    )
    .bind(programme.0)
    .bind(boundary_code(boundary))
    .bind(edition_code(edition))
    .fetch_all(&store.pool)
    .await
    .map_err(db_err)
}

pub(super) async fn lsoa_deciles_in(
    store: &PgStore,
    edition: Edition,
    local_authorities: &[String],
) -> StoreResult<Vec<u8>> {
    let deciles: Vec<i16> = sqlx::query_scalar(
        "SELECT imd_decile FROM imd_areas WHERE edition = $1 AND local_authority = ANY($2) ORDER BY lsoa",
    )
    .bind(edition_code(edition))
    .bind(local_authorities)
    .fetch_all(&store.pool)
    .await
    .map_err(db_err)?;
    deciles
        .into_iter()
        .map(|d| u8::try_from(d).map_err(|_| corrupt("IMD decile", &d.to_string())))
        .collect()
}
