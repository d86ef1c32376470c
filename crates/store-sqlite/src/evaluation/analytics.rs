//! Whole-programme reads for analytics and research extracts: one query
//! each, never one per member.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, Row, params, params_from_iter};
use timecredits_app::evaluation::eval::imd::{Boundary, Edition};
use timecredits_app::evaluation::{
    ConsentDecision, ContributionRecord, EvaluationMember, EvaluationProfile, MemberCredits,
    SurveyAnswerRecord, boundary_code, edition_code,
};
use timecredits_app::{MemberId, StoreResult};
use timecredits_ledger::ProgrammeId;

use super::{answer, corrupt};
use crate::codec::{blob, get, micros, opt_uuid, time, uuid};
use crate::internal;

fn collect<T>(
    c: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    mut map: impl FnMut(&Row) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = c.prepare_cached(sql).map_err(internal)?;
    let mut rows = stmt.query(params).map_err(internal)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(internal)? {
        out.push(map(row)?);
    }
    Ok(out)
}

pub(super) fn members(
    c: &Connection,
    programme: ProgrammeId,
    boundary: Boundary,
    edition: Edition,
) -> StoreResult<Vec<EvaluationMember>> {
    collect(
        c,
        "SELECT m.id AS member_id, m.created_at,
             (SELECT ec.decision FROM evaluation_consents ec WHERE ec.member_id = m.id
              ORDER BY ec.at DESC, ec.id DESC LIMIT 1) AS consent,
             p.member_id AS profile_member, p.age_band, p.year_of_birth, p.gender, p.ethnicity,
             p.disability, p.employment, p.volunteered_before, p.postcode,
             CASE WHEN pa.area = 'england' THEN pa.area_code END AS lsoa,
             ia.imd_decile, ia.local_authority
         FROM members m
         LEFT JOIN evaluation_profiles p ON p.member_id = m.id
         LEFT JOIN postcode_areas pa ON pa.boundary = ?2 AND pa.postcode = p.postcode
         LEFT JOIN imd_areas ia ON ia.edition = ?3 AND ia.lsoa = pa.area_code AND pa.area = 'england'
         WHERE m.programme_id = ?1
         ORDER BY m.id",
        params![
            blob(programme.0),
            boundary_code(boundary),
            edition_code(edition)
        ],
        |row| {
            let consent: Option<String> = get(row, "consent")?;
            let latest_consent = consent
                .map(|d| ConsentDecision::parse(&d).ok_or_else(|| corrupt("consent decision", &d)))
                .transpose()?;
            let profile = match opt_uuid(row, "profile_member")? {
                None => None,
                Some(_) => Some(EvaluationProfile {
                    age_band: answer(row, "age_band")?,
                    year_of_birth: get(row, "year_of_birth")?,
                    gender: answer(row, "gender")?,
                    ethnicity: answer(row, "ethnicity")?,
                    disability: answer(row, "disability")?,
                    employment: answer(row, "employment")?,
                    volunteered_before: answer(row, "volunteered_before")?,
                    postcode: answer(row, "postcode")?,
                }),
            };
            Ok(EvaluationMember {
                member: MemberId(uuid(row, "member_id")?),
                joined_at: time(get(row, "created_at")?)?,
                latest_consent,
                profile,
                lsoa: get(row, "lsoa")?,
                decile: get(row, "imd_decile")?,
                local_authority: get(row, "local_authority")?,
            })
        },
    )
}

pub(super) fn contributions(
    c: &Connection,
    programme: ProgrammeId,
    boundary: Boundary,
    edition: Edition,
) -> StoreResult<Vec<ContributionRecord>> {
    collect(
        c,
        "SELECT c.member_id, c.contribution_date, c.minutes, a.level, a.mode, c.organisation_id,
                ia.imd_decile AS place_decile
         FROM contributions c JOIN activities a ON a.id = c.activity_id
         LEFT JOIN organisation_details d ON d.organisation_id = a.organisation_id
         LEFT JOIN postcode_areas pa ON pa.boundary = ?2 AND pa.area = 'england'
              AND pa.postcode = COALESCE(a.postcode, d.postcode)
         LEFT JOIN imd_areas ia ON ia.edition = ?3 AND ia.lsoa = pa.area_code
         WHERE c.programme_id = ?1
           AND NOT EXISTS (SELECT 1 FROM contributions s WHERE s.corrects = c.id)
         ORDER BY c.contribution_date, c.id",
        params![
            blob(programme.0),
            boundary_code(boundary),
            edition_code(edition)
        ],
        |row| {
            let date: String = get(row, "contribution_date")?;
            Ok(ContributionRecord {
                member: MemberId(uuid(row, "member_id")?),
                date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                    .map_err(|_| corrupt("contribution date", &date))?,
                minutes: get(row, "minutes")?,
                level: get(row, "level")?,
                mode: get(row, "mode")?,
                organisation: uuid(row, "organisation_id")?,
                place_decile: get(row, "place_decile")?,
            })
        },
    )
}

/// Credits into a member's account count positive, out of it negative; an
/// issue (or the reversal of one) is earning, a redemption (or its
/// reversal) spending.
pub(super) fn credit_totals(
    c: &Connection,
    programme: ProgrammeId,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> StoreResult<Vec<MemberCredits>> {
    let since = since.map_or(i64::MIN, micros);
    let until = until.map_or(i64::MAX, micros);
    collect(
        c,
        "WITH moves AS (
             SELECT m.id AS member_id, t.kind, o.kind AS original_kind, t.at, t.amount_minutes AS amount
             FROM members m JOIN transfers t ON t.credit_account = m.account_id
             LEFT JOIN transfers o ON o.id = t.reverses
             WHERE m.programme_id = ?1 AND t.at < ?3
             UNION ALL
             SELECT m.id, t.kind, o.kind, t.at, -t.amount_minutes
             FROM members m JOIN transfers t ON t.debit_account = m.account_id
             LEFT JOIN transfers o ON o.id = t.reverses
             WHERE m.programme_id = ?1 AND t.at < ?3
         )
         SELECT member_id,
             SUM(CASE WHEN at >= ?2 AND 'issue' IN (kind, original_kind) THEN amount ELSE 0 END) AS earned,
             -SUM(CASE WHEN at >= ?2 AND 'redeem' IN (kind, original_kind) THEN amount ELSE 0 END) AS spent,
             SUM(amount) AS balance
         FROM moves GROUP BY member_id ORDER BY member_id",
        params![blob(programme.0), since, until],
        |row| {
            Ok(MemberCredits {
                member: MemberId(uuid(row, "member_id")?),
                earned_minutes: get(row, "earned")?,
                spent_minutes: get(row, "spent")?,
                balance_minutes: get(row, "balance")?,
            })
        },
    )
}

pub(super) fn survey_answers(
    c: &Connection,
    programme: ProgrammeId,
) -> StoreResult<Vec<SurveyAnswerRecord>> {
    collect(
        c,
        "SELECT r.id, r.member_id, r.wave_months, r.instrument, a.item, a.score
         FROM survey_responses r JOIN survey_answers a ON a.response_id = r.id
         WHERE r.programme_id = ?1
         ORDER BY r.id, a.position",
        [blob(programme.0)],
        |row| {
            Ok(SurveyAnswerRecord {
                response: uuid(row, "id")?,
                member: MemberId(uuid(row, "member_id")?),
                wave_months: get(row, "wave_months")?,
                instrument: get(row, "instrument")?,
                item: get(row, "item")?,
                score: get(row, "score")?,
            })
        },
    )
}

pub(super) fn organisation_local_authorities(
    c: &Connection,
    programme: ProgrammeId,
    boundary: Boundary,
    edition: Edition,
) -> StoreResult<Vec<String>> {
    collect(
        c,
        "SELECT DISTINCT ia.local_authority FROM (
             SELECT d.postcode FROM organisations o
             JOIN organisation_details d ON d.organisation_id = o.id
             WHERE o.programme_id = ?1
             UNION
             SELECT a.postcode FROM activities a WHERE a.programme_id = ?1
         ) places
         JOIN postcode_areas pa ON pa.boundary = ?2 AND pa.postcode = places.postcode AND pa.area = 'england'
         JOIN imd_areas ia ON ia.edition = ?3 AND ia.lsoa = pa.area_code
         WHERE ia.local_authority IS NOT NULL
         ORDER BY 1",
        params![
            blob(programme.0),
            boundary_code(boundary),
            edition_code(edition)
        ],
        |row| get(row, "local_authority"),
    )
}

pub(super) fn lsoa_deciles_in(
    c: &Connection,
    edition: Edition,
    local_authorities: &[String],
) -> StoreResult<Vec<u8>> {
    if local_authorities.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; local_authorities.len()].join(", ");
    let sql = format!(
        "SELECT imd_decile FROM imd_areas WHERE edition = ? AND local_authority IN ({marks}) ORDER BY lsoa"
    );
    let values =
        std::iter::once(edition_code(edition).to_owned()).chain(local_authorities.iter().cloned());
    collect(c, &sql, params_from_iter(values), |row| {
        get(row, "imd_decile")
    })
}
