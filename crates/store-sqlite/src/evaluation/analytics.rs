//! Whole-programme reads for analytics and research extracts: one query
//! each, never one per member.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use rustc_hash::{FxHashMap, FxHashSet};
use timecredits_app::evaluation::eval::imd::{Boundary, Edition};
use timecredits_app::evaluation::{
    ConsentDecision, ContributionRecord, EvaluationMember, EvaluationProfile, MemberCredits,
    SurveyAnswerRecord, boundary_code, edition_code,
};
use timecredits_app::{MemberId, StoreError, StoreResult};
use timecredits_domain::activity::{CoProductionLevel, CoProductionMode};
use timecredits_ledger::ProgrammeId;
use uuid::Uuid;

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

/// A part of a table's rows by rowid (contributions) or `seq` (transfers),
/// both included: one scan of millions of rows is one core's work, so the
/// store reads a large table in parts side by side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Span {
    pub first: i64,
    pub last: i64,
    /// The last row of the whole read this part belongs to.
    pub whole_last: i64,
}

/// Fewer rows than this are read in one part: a second part costs a
/// reader connection and a hop through the blocking pool.
const ROWS_PER_PART: i64 = 250_000;

impl Span {
    /// `0..=last`, in two halves when it is large enough to be worth it.
    pub fn halves(last: i64) -> (Span, Option<Span>) {
        let part = |first, end| Span {
            first,
            last: end,
            whole_last: last,
        };
        if last < 2 * ROWS_PER_PART {
            return (part(0, last), None);
        }
        let middle = last / 2;
        (part(0, middle), Some(part(middle + 1, last)))
    }
}

/// The highest rowid of contributions now. The table is append-only
/// (triggers refuse updates and deletes), so the rows up to it are a fixed
/// set, and parts read by separate connections add up to the rows as they
/// stood at this moment.
pub(super) fn last_contribution(c: &Connection) -> StoreResult<i64> {
    c.query_row("SELECT ifnull(max(rowid), 0) FROM contributions", [], |r| {
        r.get(0)
    })
    .map_err(internal)
}

/// The highest `seq` of transfers now; append-only too.
pub(super) fn last_transfer(c: &Connection) -> StoreResult<i64> {
    c.query_row("SELECT ifnull(max(seq), 0) FROM transfers", [], |r| {
        r.get(0)
    })
    .map_err(internal)
}

/// Three plain reads rather than one joined query: at millions of
/// contributions, joining each to its activity's place and probing the
/// corrections index for each cost several times the scan itself, and no
/// caller needs them in order.
pub(super) fn contributions(
    c: &Connection,
    programme: ProgrammeId,
    boundary: Boundary,
    edition: Edition,
    rows: Span,
) -> StoreResult<Vec<ContributionRecord>> {
    let activities: FxHashMap<Uuid, ActivityKind> = collect(
        c,
        "SELECT a.id, a.level, a.mode, ia.imd_decile AS place_decile
         FROM activities a
         LEFT JOIN organisation_details d ON d.organisation_id = a.organisation_id
         LEFT JOIN postcode_areas pa ON pa.boundary = ?2 AND pa.area = 'england'
              AND pa.postcode = COALESCE(a.postcode, d.postcode)
         LEFT JOIN imd_areas ia ON ia.edition = ?3 AND ia.lsoa = pa.area_code
         WHERE a.programme_id = ?1",
        params![
            blob(programme.0),
            boundary_code(boundary),
            edition_code(edition)
        ],
        |row| {
            let level: String = get(row, "level")?;
            let mode: String = get(row, "mode")?;
            Ok((
                uuid(row, "id")?,
                ActivityKind {
                    level: CoProductionLevel::parse(&level)
                        .ok_or_else(|| corrupt("activity level", &level))?,
                    mode: CoProductionMode::parse(&mode)
                        .ok_or_else(|| corrupt("activity mode", &mode))?,
                    place_decile: get(row, "place_decile")?,
                },
            ))
        },
    )?
    .into_iter()
    .collect();
    // A correction always belongs to the programme of what it corrects.
    // Only corrections within the whole read count: the other part of it
    // may have been read before a later one was written.
    // (The rowid is compared here, not in SQL: there the planner would
    // scan the table by rowid instead of the index of corrections.)
    let corrected: FxHashSet<Uuid> = collect(
        c,
        "SELECT rowid, corrects FROM contributions WHERE corrects IS NOT NULL",
        [],
        |row| {
            let rowid: i64 = row.get(0).map_err(internal)?;
            (rowid <= rows.whole_last)
                .then(|| uuid(row, "corrects"))
                .transpose()
        },
    )?
    .into_iter()
    .flatten()
    .collect();
    // Pushed straight into one vector: a vector of options, flattened
    // after, would copy millions of records once more.
    let mut stmt = c
        .prepare_cached(
            "SELECT id, member_id, contribution_date, minutes, activity_id, organisation_id
             FROM contributions WHERE programme_id = ?1 AND rowid BETWEEN ?2 AND ?3",
        )
        .map_err(internal)?;
    let mut found = stmt
        .query(params![blob(programme.0), rows.first, rows.last])
        .map_err(internal)?;
    let mut out = Vec::new();
    while let Some(row) = found.next().map_err(internal)? {
        // Most programmes have no corrections: their ids are not read.
        if !corrected.is_empty() && corrected.contains(&blob_uuid(row, 0, "id")?) {
            continue;
        }
        let date = match row.get_ref(2).map_err(internal)? {
            ValueRef::Text(text) => iso_date(text)
                .ok_or_else(|| corrupt("contribution date", &String::from_utf8_lossy(text)))?,
            _ => return Err(corrupt("contribution date", "a non-text value")),
        };
        let activity = blob_uuid(row, 4, "activity_id")?;
        let kind = activities
            .get(&activity)
            .ok_or_else(|| corrupt("contribution's activity", &activity.to_string()))?;
        out.push(ContributionRecord {
            member: MemberId(blob_uuid(row, 1, "member_id")?),
            date,
            minutes: row.get(3).map_err(internal)?,
            level: kind.level,
            mode: kind.mode,
            organisation: blob_uuid(row, 5, "organisation_id")?,
            place_decile: kind.place_decile,
        });
    }
    Ok(out)
}

/// A member's side of a reversal, counted once what it reverses is known.
struct Reversal {
    member: MemberId,
    at: i64,
    amount: i64,
    issue: bool,
    redeem: bool,
    original: Uuid,
}

/// What the analytics need of an activity, read once per activity.
struct ActivityKind {
    level: CoProductionLevel,
    mode: CoProductionMode,
    place_decile: Option<u8>,
}

/// A date as the store writes it, `YYYY-MM-DD`, read without chrono's
/// general parser: this runs once per contribution, millions of times.
fn iso_date(text: &[u8]) -> Option<NaiveDate> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *text else {
        return None;
    };
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(number(&[y0, y1, y2, y3])?).ok()?;
    NaiveDate::from_ymd_opt(year, number(&[m0, m1])?, number(&[d0, d1])?)
}

/// A UUID column read by position without copying the blob: the hot loops
/// of whole-programme reads run this millions of times.
fn blob_uuid(row: &Row, index: usize, name: &str) -> StoreResult<Uuid> {
    let bytes = row.get_ref(index).map_err(internal)?;
    let bytes = bytes
        .as_blob()
        .map_err(|_| StoreError::Corrupt(format!("column {name} holds no blob")))?;
    Uuid::from_slice(bytes).map_err(|_| StoreError::Corrupt(format!("column {name} holds no UUID")))
}

/// Credits into a member's account count positive, out of it negative; an
/// issue (or the reversal of one) is earning, a redemption (or its
/// reversal) spending.
///
/// One scan of the programme's transfers summed here, rather than a join
/// from each member to each of their transfers: the ledger keeps every
/// transfer within one programme, and at millions of postings the join's
/// lookups, not the sums, were the cost.
pub(super) fn credit_totals(
    c: &Connection,
    programme: ProgrammeId,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    rows: Span,
) -> StoreResult<Vec<MemberCredits>> {
    let since = since.map_or(i64::MIN, micros);
    let until = until.map_or(i64::MAX, micros);
    let owners: FxHashMap<Uuid, MemberId> = collect(
        c,
        "SELECT id, account_id FROM members WHERE programme_id = ?1",
        [blob(programme.0)],
        |row| Ok((uuid(row, "account_id")?, MemberId(uuid(row, "id")?))),
    )?
    .into_iter()
    .collect();
    let mut totals: FxHashMap<MemberId, MemberCredits> = FxHashMap::default();
    // A move is earning when it or what it reverses is an issue, spending
    // when either is a redemption.
    let mut add = |member: MemberId, at: i64, amount: i64, earning: bool, spending: bool| {
        let t = totals.entry(member).or_insert(MemberCredits {
            member,
            earned_minutes: 0,
            spent_minutes: 0,
            balance_minutes: 0,
        });
        t.balance_minutes += amount;
        if at >= since {
            if earning {
                t.earned_minutes += amount;
            }
            if spending {
                t.spent_minutes -= amount;
            }
        }
    };
    // Reversals are few: what each reverses is looked up once all is read.
    let mut reversals: Vec<Reversal> = Vec::new();
    {
        let mut stmt = c
            .prepare_cached(
                "SELECT credit_account, debit_account, kind, at, amount_minutes, reverses
                 FROM transfers WHERE programme_id = ?1 AND at < ?2 AND seq BETWEEN ?3 AND ?4",
            )
            .map_err(internal)?;
        let mut found = stmt
            .query(params![blob(programme.0), until, rows.first, rows.last])
            .map_err(internal)?;
        while let Some(row) = found.next().map_err(internal)? {
            let credit = owners.get(&blob_uuid(row, 0, "credit_account")?).copied();
            let debit = owners.get(&blob_uuid(row, 1, "debit_account")?).copied();
            if credit.is_none() && debit.is_none() {
                continue;
            }
            let kind = row.get_ref(2).map_err(internal)?;
            let kind = kind
                .as_str()
                .map_err(|_| corrupt("transfer kind", "a non-text value"))?;
            let (issue, redeem) = (kind == "issue", kind == "redeem");
            let at: i64 = row.get(3).map_err(internal)?;
            let amount: i64 = row.get(4).map_err(internal)?;
            let reverses = match row.get_ref(5).map_err(internal)? {
                ValueRef::Null => None,
                _ => Some(blob_uuid(row, 5, "reverses")?),
            };
            for (member, signed) in [(credit, amount), (debit, -amount)] {
                let Some(member) = member else { continue };
                match reverses {
                    None => add(member, at, signed, issue, redeem),
                    Some(original) => reversals.push(Reversal {
                        member,
                        at,
                        amount: signed,
                        issue,
                        redeem,
                        original,
                    }),
                }
            }
        }
    }
    let mut original_kind = c
        .prepare_cached("SELECT kind FROM transfers WHERE id = ?1")
        .map_err(internal)?;
    for r in reversals {
        let kind: Option<String> = original_kind
            .query_row([blob(r.original)], |row| row.get(0))
            .optional()
            .map_err(internal)?;
        let kind = kind.as_deref();
        add(
            r.member,
            r.at,
            r.amount,
            r.issue || kind == Some("issue"),
            r.redeem || kind == Some("redeem"),
        );
    }
    let mut out: Vec<MemberCredits> = totals.into_values().collect();
    out.sort_by_key(|t| t.member.0);
    Ok(out)
}

/// The totals of parts of the transfers added up, in member order.
pub(super) fn add_up(parts: [Vec<MemberCredits>; 2]) -> Vec<MemberCredits> {
    let mut totals: FxHashMap<MemberId, MemberCredits> = FxHashMap::default();
    for t in parts.into_iter().flatten() {
        totals
            .entry(t.member)
            .and_modify(|sum| {
                sum.earned_minutes += t.earned_minutes;
                sum.spent_minutes += t.spent_minutes;
                sum.balance_minutes += t.balance_minutes;
            })
            .or_insert(t);
    }
    let mut out: Vec<MemberCredits> = totals.into_values().collect();
    out.sort_by_key(|t| t.member.0);
    out
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn a_large_read_is_split_in_two_halves_that_cover_it_once() {
        let small = 2 * ROWS_PER_PART - 1;
        assert_eq!(
            Span::halves(small),
            (
                Span {
                    first: 0,
                    last: small,
                    whole_last: small
                },
                None
            )
        );
        let large = 2 * ROWS_PER_PART + 1;
        let (first, second) = Span::halves(large);
        let second = second.expect("two parts");
        assert_eq!((first.first, first.last + 1), (0, second.first));
        assert_eq!(second.last, large);
        assert!(first.last - first.first >= ROWS_PER_PART);
        assert_eq!((first.whole_last, second.whole_last), (large, large));
    }

    /// The demo's year (corrections, their reversals, gifts, spending) read
    /// in two parts, split anywhere, gives what one read gives; and a
    /// corrected contribution is read only as corrected.
    #[tokio::test(flavor = "multi_thread")]
    async fn parts_split_anywhere_add_up_to_the_whole_read() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("demo.db");
        let store = Arc::new(crate::SqliteStore::open(&path).expect("open"));
        let today = Utc
            .with_ymd_and_hms(2026, 6, 30, 12, 0, 0)
            .single()
            .expect("a time");
        let demo = timecredits_app::demo::seed(store, 11, today)
            .await
            .expect("demo data");
        let programme = demo.programme.id;
        let c = crate::open_connection(&path, false).expect("a reader");
        let last_contribution = last_contribution(&c).expect("last contribution");
        let last_transfer = last_transfer(&c).expect("last transfer");
        let (edition, boundary) = (Edition::Iod2019, Edition::Iod2019.boundary());

        let read = |first, last| {
            let rows = Span {
                first,
                last,
                whole_last: last_contribution,
            };
            contributions(&c, programme, boundary, edition, rows).expect("contributions")
        };
        let sorted = |mut v: Vec<ContributionRecord>| {
            v.sort_by_cached_key(|r| format!("{r:?}"));
            v
        };
        let whole = sorted(read(0, last_contribution));
        let (stored, corrections): (usize, usize) = c
            .query_row(
                "SELECT count(*), count(corrects) FROM contributions WHERE programme_id = ?1",
                [blob(programme.0)],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .expect("counts");
        assert!(corrections > 0, "the demo corrects some contributions");
        assert_eq!(whole.len(), stored - corrections);
        let middles = |last: i64| [0, 1, last / 3, last / 2, last - 1, last];
        for middle in middles(last_contribution) {
            let mut parts = read(0, middle);
            parts.extend(read(middle + 1, last_contribution));
            assert_eq!(sorted(parts), whole, "split after row {middle}");
        }

        let totals = |since, until, first, last| {
            let rows = Span {
                first,
                last,
                whole_last: last_transfer,
            };
            credit_totals(&c, programme, since, until, rows).expect("credit totals")
        };
        let (early, late) = (today - Duration::days(250), today - Duration::days(60));
        for (since, until) in [
            (None, None),
            (Some(early), None),
            (None, Some(late)),
            (Some(early), Some(late)),
        ] {
            let whole = totals(since, until, 0, last_transfer);
            assert!(whole.iter().any(|t| t.spent_minutes > 0), "{since:?}");
            for middle in middles(last_transfer) {
                let parts = add_up([
                    totals(since, until, 0, middle),
                    totals(since, until, middle + 1, last_transfer),
                ]);
                assert_eq!(parts, whole, "{since:?} to {until:?}, split after {middle}");
            }
        }
    }

    #[test]
    fn iso_dates_are_read_as_chrono_reads_them_and_nothing_else_is() {
        for text in ["2026-11-27", "2024-02-29", "0999-01-01", "9999-12-31"] {
            assert_eq!(iso_date(text.as_bytes()), text.parse().ok(), "{text}");
        }
        for text in [
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "2026/11/27",
            "2026-11-2x",
            " 2026-11-2",
            "",
        ] {
            assert_eq!(iso_date(text.as_bytes()), None, "{text}");
        }
    }
}
