//! `ActivityStore` for SqliteStore: the activities area's tables.
//!
//! Every write that checks a rule against stored rows (capacity, waiting
//! list, duplicates, the daily cap, a claim still pending) runs on the
//! single writer thread inside one savepoint, so the check and the write
//! are one atomic step and concurrent requests are serialised. That holds
//! for the choice of a partner's holdings as a contribution's source too,
//! and a retry answers from the transfers stored.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use timecredits_app::activities::{
    Activity, ActivityFilter, ActivityId, ActivityStore, BatchKind, Cancellation, Claim,
    ClaimFilter, ClaimId, Contribution, ContributionBatch, ContributionId, DayMinutes, Recorded,
    RegisterRecord, Session, SessionId, SignUp, SignUpCounts, SignUpId, pair_with_members,
};
use timecredits_app::{
    Member, MemberId, OrganisationId, PostError, StoreError, StoreResult, UserId,
};
use timecredits_domain::activity::{
    self as activity_rules, ActivityDetails, CoProductionLevel, CoProductionMode, SignUpStatus,
};
use timecredits_domain::contribution::{self as rules, ClaimStatus, ContributionOrigin};
use timecredits_domain::directory::Postcode;
use timecredits_ledger::{PostingRequest, ProgrammeId, TransferId};
use uuid::Uuid;

use crate::codec::{blob, get, micros, opt_uuid, time, uuid};
use crate::{SqliteStore, internal};

fn corrupt(what: &str, raw: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {raw:?}"))
}

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn day(row: &Row, col: &str) -> StoreResult<NaiveDate> {
    let raw: String = get(row, col)?;
    NaiveDate::parse_from_str(&raw, "%Y-%m-%d").map_err(|_| corrupt("date", &raw))
}

fn opt_time(row: &Row, col: &str) -> StoreResult<Option<DateTime<Utc>>> {
    get::<Option<i64>>(row, col)?.map(time).transpose()
}

fn activity(row: &Row) -> StoreResult<Activity> {
    let level: String = get(row, "level")?;
    let mode: String = get(row, "mode")?;
    Ok(Activity {
        id: ActivityId(uuid(row, "id")?),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        organisation: OrganisationId(uuid(row, "organisation_id")?),
        details: ActivityDetails {
            title: get(row, "title")?,
            description: get(row, "description")?,
            level: CoProductionLevel::parse(&level).ok_or_else(|| corrupt("level", &level))?,
            mode: CoProductionMode::parse(&mode).ok_or_else(|| corrupt("mode", &mode))?,
            place: get(row, "place")?,
            postcode: get::<Option<String>>(row, "postcode")?
                .map(|p| Postcode::parse(&p).map_err(|_| corrupt("postcode", &p)))
                .transpose()?,
            accessibility: get(row, "accessibility")?,
            usual_duration_minutes: get(row, "usual_duration_minutes")?,
            earns_credits: get(row, "earns_credits")?,
        },
        created_by: UserId(uuid(row, "created_by")?),
        created_at: time(get(row, "created_at")?)?,
        updated_at: time(get(row, "updated_at")?)?,
    })
}

fn session(row: &Row) -> StoreResult<Session> {
    Ok(Session {
        id: SessionId(uuid(row, "id")?),
        activity: ActivityId(uuid(row, "activity_id")?),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        organisation: OrganisationId(uuid(row, "organisation_id")?),
        starts_at: time(get(row, "starts_at")?)?,
        ends_at: time(get(row, "ends_at")?)?,
        capacity: get(row, "capacity")?,
        created_by: UserId(uuid(row, "created_by")?),
        created_at: time(get(row, "created_at")?)?,
    })
}

fn sign_up(row: &Row) -> StoreResult<SignUp> {
    let status: String = get(row, "status")?;
    Ok(SignUp {
        id: SignUpId(uuid(row, "id")?),
        session: SessionId(uuid(row, "session_id")?),
        member: MemberId(uuid(row, "member_id")?),
        status: SignUpStatus::parse(&status).ok_or_else(|| corrupt("sign-up status", &status))?,
        signed_up_by: UserId(uuid(row, "signed_up_by")?),
        signed_up_at: time(get(row, "signed_up_at")?)?,
        promoted_at: opt_time(row, "promoted_at")?,
        cancelled_by: opt_uuid(row, "cancelled_by")?.map(UserId),
        cancelled_at: opt_time(row, "cancelled_at")?,
    })
}

const CONTRIBUTION_SELECT: &str = "SELECT c.*, (SELECT s.id FROM contributions s WHERE s.corrects = c.id) AS superseded_by FROM contributions c";

fn contribution(row: &Row) -> StoreResult<Contribution> {
    let origin: String = get(row, "origin")?;
    Ok(Contribution {
        id: ContributionId(uuid(row, "id")?),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        organisation: OrganisationId(uuid(row, "organisation_id")?),
        activity: ActivityId(uuid(row, "activity_id")?),
        session: opt_uuid(row, "session_id")?.map(SessionId),
        member: MemberId(uuid(row, "member_id")?),
        date: day(row, "contribution_date")?,
        minutes: get(row, "minutes")?,
        origin: ContributionOrigin::parse(&origin).ok_or_else(|| corrupt("origin", &origin))?,
        claim: opt_uuid(row, "claim_id")?.map(ClaimId),
        corrects: opt_uuid(row, "corrects")?.map(ContributionId),
        superseded_by: opt_uuid(row, "superseded_by")?.map(ContributionId),
        note: get(row, "note")?,
        transfer: TransferId(uuid(row, "transfer_id")?),
        key: TransferId(uuid(row, "idempotency_key")?),
        recorded_by: UserId(uuid(row, "recorded_by")?),
        recorded_at: time(get(row, "recorded_at")?)?,
    })
}

fn claim(row: &Row) -> StoreResult<Claim> {
    let status: String = get(row, "status")?;
    Ok(Claim {
        id: ClaimId(uuid(row, "id")?),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        organisation: OrganisationId(uuid(row, "organisation_id")?),
        activity: ActivityId(uuid(row, "activity_id")?),
        member: MemberId(uuid(row, "member_id")?),
        date: day(row, "contribution_date")?,
        minutes: get(row, "minutes")?,
        note: get(row, "note")?,
        claimed_by: UserId(uuid(row, "claimed_by")?),
        claimed_at: time(get(row, "claimed_at")?)?,
        status: ClaimStatus::parse(&status).ok_or_else(|| corrupt("claim status", &status))?,
        decided_by: opt_uuid(row, "decided_by")?.map(UserId),
        decided_at: opt_time(row, "decided_at")?,
        rejection_reason: get(row, "rejection_reason")?,
        contribution: opt_uuid(row, "contribution_id")?.map(ContributionId),
    })
}

/// Runs `sql` with `params` and maps every row.
fn rows<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl Fn(&Row) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql).map_err(internal)?;
    let mut rows = stmt.query(params).map_err(internal)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(internal)? {
        out.push(map(row)?);
    }
    Ok(out)
}

fn one<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl Fn(&Row) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    Ok(rows(conn, sql, params, map)?.into_iter().next())
}

fn write_activity(conn: &Connection, a: &Activity, insert: bool) -> StoreResult<()> {
    let d = &a.details;
    let sql = if insert {
        "INSERT INTO activities (id, programme_id, organisation_id, title, description, level, mode, place, accessibility, usual_duration_minutes, earns_credits, created_by, created_at, updated_at, postcode)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
    } else {
        "UPDATE activities SET title = ?4, description = ?5, level = ?6, mode = ?7, place = ?8, accessibility = ?9, usual_duration_minutes = ?10, earns_credits = ?11, updated_at = ?14, postcode = ?15
         WHERE id = ?1 AND programme_id = ?2 AND organisation_id = ?3 AND created_by = ?12 AND created_at = ?13"
    };
    let changed = conn
        .execute(
            sql,
            params![
                blob(a.id.0),
                blob(a.programme.0),
                blob(a.organisation.0),
                d.title,
                d.description,
                d.level.as_str(),
                d.mode.as_str(),
                d.place,
                d.accessibility,
                d.usual_duration_minutes,
                d.earns_credits,
                blob(a.created_by.0),
                micros(a.created_at),
                micros(a.updated_at),
                d.postcode.as_ref().map(Postcode::as_str),
            ],
        )
        .map_err(internal)?;
    if changed != 1 {
        return Err(StoreError::Internal(format!(
            "activity {} was not written",
            a.id
        )));
    }
    Ok(())
}

fn sign_up_of(
    conn: &Connection,
    session: SessionId,
    member: MemberId,
) -> StoreResult<Option<SignUp>> {
    one(
        conn,
        "SELECT * FROM session_sign_ups WHERE session_id = ?1 AND member_id = ?2 AND status <> 'cancelled'",
        params![blob(session.0), blob(member.0)],
        sign_up,
    )
}

fn contributions_with_key(conn: &Connection, key: TransferId) -> StoreResult<Vec<Contribution>> {
    rows(
        conn,
        &format!("{CONTRIBUTION_SELECT} WHERE c.idempotency_key = ?1 ORDER BY c.id"),
        [blob(key.0)],
        contribution,
    )
}

fn contribution_by_id(conn: &Connection, id: ContributionId) -> StoreResult<Option<Contribution>> {
    one(
        conn,
        &format!("{CONTRIBUTION_SELECT} WHERE c.id = ?1"),
        [blob(id.0)],
        contribution,
    )
}

/// Minutes already credited to a member on a day, by contributions not
/// superseded (leaving out `except`, the one being corrected).
fn credited_minutes(
    conn: &Connection,
    member: MemberId,
    date: NaiveDate,
    except: Option<ContributionId>,
) -> StoreResult<i64> {
    let except = except.map(|c| blob(c.0).to_vec()).unwrap_or_default();
    conn.prepare_cached(
        "SELECT COALESCE(SUM(minutes), 0) FROM contributions c
         WHERE member_id = ?1 AND contribution_date = ?2 AND id <> ?3
           AND NOT EXISTS (SELECT 1 FROM contributions s WHERE s.corrects = c.id)",
    )
    .and_then(|mut stmt| {
        stmt.query_row(params![blob(member.0), day_text(date), except], |r| {
            r.get(0)
        })
    })
    .map_err(internal)
}

/// Whether a member already has time credited for a session (not superseded).
fn has_session_contribution(
    conn: &Connection,
    member: MemberId,
    session: SessionId,
    except: Option<ContributionId>,
) -> StoreResult<bool> {
    let except = except.map(|c| blob(c.0).to_vec()).unwrap_or_default();
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM contributions c
         WHERE member_id = ?1 AND session_id = ?2 AND id <> ?3
           AND NOT EXISTS (SELECT 1 FROM contributions s WHERE s.corrects = c.id))",
    )
    .and_then(|mut stmt| {
        stmt.query_row(params![blob(member.0), blob(session.0), except], |r| {
            r.get(0)
        })
    })
    .map_err(internal)
}

fn insert_contribution(conn: &Connection, c: &Contribution) -> StoreResult<()> {
    // Prepared once per connection: a batch inserts thousands.
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO contributions (id, programme_id, organisation_id, activity_id, session_id, member_id, contribution_date, minutes, origin, claim_id, corrects, note, transfer_id, idempotency_key, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )
        .map_err(internal)?;
    stmt.execute(params![
        blob(c.id.0),
        blob(c.programme.0),
        blob(c.organisation.0),
        blob(c.activity.0),
        c.session.map(|s| blob(s.0)),
        blob(c.member.0),
        day_text(c.date),
        c.minutes,
        c.origin.as_str(),
        c.claim.map(|s| blob(s.0)),
        c.corrects.map(|s| blob(s.0)),
        c.note,
        blob(c.transfer.0),
        blob(c.key.0),
        blob(c.recorded_by.0),
        micros(c.recorded_at),
    ])
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Duplicate("contribution"),
        _ => internal(e),
    })?;
    Ok(())
}

/// The batch's postings, issuing from the partners' holdings what they
/// cover: decided against the balances read here, on the writer thread
/// inside the batch's savepoint, so no concurrent write can change them
/// before the postings are written.
fn postings_from_holdings(
    conn: &Connection,
    batch: &ContributionBatch,
) -> StoreResult<Vec<PostingRequest>> {
    let accounts = batch.reissue_accounts();
    if accounts.is_empty() {
        return Ok(batch.postings.clone());
    }
    let mut holdings = HashMap::with_capacity(accounts.len());
    for account in accounts {
        let balance = crate::ledger::account_row(conn, account)?
            .and_then(|a| a.balance_minutes)
            .unwrap_or(0);
        holdings.insert(account, balance);
    }
    Ok(batch.postings_from_holdings(&holdings))
}

/// The whole of `record_contributions`, on the writer thread.
fn record(conn: &Connection, batch: &ContributionBatch) -> Result<Recorded, PostError> {
    // A retry: the key already recorded something.
    let existing = contributions_with_key(conn, batch.key)?;
    let register = match &batch.kind {
        BatchKind::Register { session, .. } => one(
            conn,
            "SELECT idempotency_key FROM session_registers WHERE session_id = ?1",
            [blob(session.0)],
            |r| uuid(r, "idempotency_key"),
        )?,
        _ => None,
    };
    let key_register: Option<Uuid> = conn
        .prepare_cached("SELECT session_id FROM session_registers WHERE idempotency_key = ?1")
        .and_then(|mut stmt| {
            stmt.query_row([blob(batch.key.0)], |r| r.get::<_, Vec<u8>>(0))
                .optional()
        })
        .map_err(internal)?
        .and_then(|b| Uuid::from_slice(&b).ok());
    if !existing.is_empty() || register == Some(batch.key.0) || key_register.is_some() {
        // By id (unique), not searched for each: a retried import holds thousands.
        let by_id: HashMap<_, _> = existing.iter().map(|c| (c.id, c)).collect();
        let same = register.is_none_or(|k| k == batch.key.0)
            && match &batch.kind {
                BatchKind::Register { session, .. } => key_register == Some(session.0),
                _ => key_register.is_none(),
            }
            && existing.len() == batch.contributions.len()
            && batch.contributions.iter().all(|new| {
                by_id
                    .get(&new.record.id)
                    .is_some_and(|old| old.same_request(&new.record))
            });
        if !same {
            return Err(rules::idempotency_conflict().into());
        }
        // Answer from what was written: the debits were chosen then, against
        // the partner's holdings of that moment, not of now.
        let mut stored = Vec::with_capacity(batch.postings.len());
        for p in &batch.postings {
            stored.extend(crate::ledger::transfer_by_id(conn, p.id)?);
        }
        return batch.replayed(existing, &stored);
    }
    let except = match &batch.kind {
        BatchKind::Register {
            session,
            confirmed_by,
        } => {
            if register.is_some() {
                return Err(rules::register_already_confirmed().into());
            }
            conn.execute(
                "INSERT INTO session_registers (session_id, idempotency_key, confirmed_by, confirmed_at) VALUES (?1, ?2, ?3, ?4)",
                params![blob(session.0), blob(batch.key.0), blob(confirmed_by.0), micros(batch.at)],
            )
            .map_err(internal)?;
            None
        }
        BatchKind::Direct => None,
        BatchKind::ConfirmClaim { claim: id, .. } => {
            let status: Option<String> = conn
                .query_row(
                    "SELECT status FROM contribution_claims WHERE id = ?1",
                    [blob(id.0)],
                    |r| r.get(0),
                )
                .optional()
                .map_err(internal)?;
            let status = status.ok_or(StoreError::Internal(format!("claim {id} is missing")))?;
            rules::check_claim_pending(
                ClaimStatus::parse(&status).ok_or_else(|| corrupt("claim status", &status))?,
            )?;
            None
        }
        BatchKind::Correction { original } => {
            let old = contribution_by_id(conn, *original)?.ok_or(StoreError::Internal(format!(
                "contribution {original} is missing"
            )))?;
            let minutes = batch.contributions.first().map_or(0, |c| c.record.minutes);
            rules::check_correction(old.superseded_by.is_some(), old.minutes, minutes)?;
            Some(*original)
        }
    };
    let mut in_batch: HashMap<(MemberId, NaiveDate), i64> = HashMap::new();
    for new in &batch.contributions {
        let c = &new.record;
        if let Some(session) = c.session
            && has_session_contribution(conn, c.member, session, except)?
        {
            return Err(rules::duplicate_contribution().into());
        }
        let earlier = in_batch.entry((c.member, c.date)).or_insert(0);
        let credited = credited_minutes(conn, c.member, c.date, except)? + *earlier;
        rules::check_daily_cap(
            c.minutes,
            credited,
            &timecredits_domain::rules::ProgrammeRules {
                daily_cap_minutes: new.daily_cap_minutes,
                ..Default::default()
            },
        )?;
        *earlier += c.minutes;
    }
    if let BatchKind::ConfirmClaim { claim, decided_by } = &batch.kind {
        let contribution = batch.contributions.first().map(|c| blob(c.record.id.0));
        conn.execute(
            "UPDATE contribution_claims SET status = 'confirmed', decided_by = ?2, decided_at = ?3, contribution_id = ?4 WHERE id = ?1 AND status = 'pending'",
            params![blob(claim.0), blob(decided_by.0), micros(batch.at), contribution],
        )
        .map_err(internal)?;
    }
    for new in &batch.contributions {
        insert_contribution(conn, &new.record)?;
    }
    let plan = crate::ledger::post(conn, &postings_from_holdings(conn, batch)?, batch.at)?;
    // Read back in one query rather than one per contribution: the key
    // had recorded nothing before this batch, so what it holds now is the
    // batch (any contribution stored under another key is read by id).
    let mut written: HashMap<ContributionId, Contribution> =
        contributions_with_key(conn, batch.key)?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
    let mut contributions = Vec::with_capacity(batch.contributions.len());
    for new in &batch.contributions {
        let id = new.record.id;
        match written.remove(&id) {
            Some(c) => contributions.push(c),
            None => contributions.extend(contribution_by_id(conn, id)?),
        }
    }
    Ok(Recorded {
        contributions,
        plan,
        replayed: false,
    })
}

#[async_trait]
impl ActivityStore for SqliteStore {
    async fn create_activity(&self, a: &Activity) -> StoreResult<()> {
        let a = a.clone();
        self.write(move |c| write_activity(c, &a, true)).await
    }

    async fn update_activity(&self, a: &Activity) -> StoreResult<()> {
        let a = a.clone();
        self.write(move |c| write_activity(c, &a, false)).await
    }

    async fn activity(&self, id: ActivityId) -> StoreResult<Option<Activity>> {
        self.read_point(move |c| {
            one(
                c,
                "SELECT * FROM activities WHERE id = ?1",
                [blob(id.0)],
                activity,
            )
        })
        .await
    }

    async fn activities(&self, f: &ActivityFilter) -> StoreResult<Vec<Activity>> {
        let f = f.clone();
        self.read(move |c| {
            let (from, to) = f
                .sessions_between
                .map_or((None, None), |(a, b)| (Some(micros(a)), Some(micros(b))));
            rows(
                c,
                "SELECT * FROM activities a
                 WHERE programme_id = ?1
                   AND (?2 IS NULL OR organisation_id = ?2)
                   AND (?3 IS NULL OR level = ?3)
                   AND (?4 IS NULL OR mode = ?4)
                   AND (?5 IS NULL OR instr(lower(place), lower(?5)) > 0 OR instr(lower(coalesce(postcode, '')), lower(?5)) > 0)
                   AND (?6 IS NULL OR EXISTS (SELECT 1 FROM activity_sessions s
                        WHERE s.activity_id = a.id AND s.starts_at >= ?6 AND s.starts_at < ?7))
                   AND (?8 IS NULL OR id > ?8)
                 ORDER BY id LIMIT ?9",
                params![
                    blob(f.programme.0),
                    f.organisation.map(|o| blob(o.0)),
                    f.level.map(|l| l.as_str()),
                    f.mode.map(|m| m.as_str()),
                    f.place,
                    from,
                    to,
                    f.after.map(|a| blob(a.0)),
                    f.limit,
                ],
                activity,
            )
        })
        .await
    }

    async fn create_activity_session(&self, s: &Session) -> StoreResult<()> {
        let s = s.clone();
        self.write(move |c| {
            c.execute(
                "INSERT INTO activity_sessions (id, activity_id, programme_id, organisation_id, starts_at, ends_at, capacity, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    blob(s.id.0),
                    blob(s.activity.0),
                    blob(s.programme.0),
                    blob(s.organisation.0),
                    micros(s.starts_at),
                    micros(s.ends_at),
                    s.capacity,
                    blob(s.created_by.0),
                    micros(s.created_at),
                ],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn activity_session(&self, id: SessionId) -> StoreResult<Option<Session>> {
        self.read_point(move |c| {
            one(
                c,
                "SELECT * FROM activity_sessions WHERE id = ?1",
                [blob(id.0)],
                session,
            )
        })
        .await
    }

    async fn activity_sessions(
        &self,
        activity: ActivityId,
        from: DateTime<Utc>,
        after: Option<(DateTime<Utc>, SessionId)>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        self.read(move |c| {
            let (after_at, after_id) =
                after.map_or((None, None), |(t, id)| (Some(micros(t)), Some(blob(id.0))));
            rows(
                c,
                "SELECT * FROM activity_sessions
                 WHERE activity_id = ?1 AND starts_at >= ?2
                   AND (?3 IS NULL OR starts_at > ?3 OR (starts_at = ?3 AND id > ?4))
                 ORDER BY starts_at, id LIMIT ?5",
                params![blob(activity.0), micros(from), after_at, after_id, limit],
                session,
            )
        })
        .await
    }

    async fn sign_up(&self, s: &SignUp) -> Result<SignUp, PostError> {
        let s = s.clone();
        self.write(move |c| {
            let capacity: i64 = c
                .query_row(
                    "SELECT capacity FROM activity_sessions WHERE id = ?1",
                    [blob(s.session.0)],
                    |r| r.get(0),
                )
                .map_err(internal)?;
            let confirmed: i64 = c
                .query_row(
                    "SELECT COUNT(*) FROM session_sign_ups WHERE session_id = ?1 AND status = 'confirmed'",
                    [blob(s.session.0)],
                    |r| r.get(0),
                )
                .map_err(internal)?;
            let already = sign_up_of(c, s.session, s.member)?.map(|s| s.status);
            let status = activity_rules::place_for_sign_up(capacity, confirmed, already)?;
            c.execute(
                "INSERT INTO session_sign_ups (id, session_id, member_id, status, signed_up_by, signed_up_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    blob(s.id.0),
                    blob(s.session.0),
                    blob(s.member.0),
                    status.as_str(),
                    blob(s.signed_up_by.0),
                    micros(s.signed_up_at),
                ],
            )
            .map_err(internal)?;
            Ok(SignUp { status, ..s })
        })
        .await
    }

    async fn cancel_sign_up(
        &self,
        session: SessionId,
        member: MemberId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Cancellation, PostError> {
        self.write(move |c| {
            let current = sign_up_of(c, session, member)?.ok_or_else(activity_rules::not_signed_up)?;
            c.execute(
                "UPDATE session_sign_ups SET status = 'cancelled', cancelled_by = ?2, cancelled_at = ?3 WHERE id = ?1",
                params![blob(current.id.0), blob(by.0), micros(at)],
            )
            .map_err(internal)?;
            let waiting = rows(
                c,
                "SELECT * FROM session_sign_ups WHERE session_id = ?1 AND status = 'waiting' ORDER BY seq LIMIT 1",
                [blob(session.0)],
                sign_up,
            )?;
            let promoted = match activity_rules::promoted_after_cancel(current.status, &waiting) {
                Some(next) => {
                    c.execute(
                        "UPDATE session_sign_ups SET status = 'confirmed', promoted_at = ?2 WHERE id = ?1",
                        params![blob(next.id.0), micros(at)],
                    )
                    .map_err(internal)?;
                    Some(SignUp {
                        status: SignUpStatus::Confirmed,
                        promoted_at: Some(at),
                        ..next
                    })
                }
                None => None,
            };
            Ok(Cancellation {
                cancelled: SignUp {
                    status: SignUpStatus::Cancelled,
                    cancelled_by: Some(by),
                    cancelled_at: Some(at),
                    ..current
                },
                promoted,
            })
        })
        .await
    }

    async fn sign_ups(&self, session: SessionId) -> StoreResult<Vec<SignUp>> {
        self.read(move |c| {
            rows(
                c,
                "SELECT * FROM session_sign_ups WHERE session_id = ?1 AND status <> 'cancelled'
                 ORDER BY CASE status WHEN 'confirmed' THEN 0 ELSE 1 END, seq",
                [blob(session.0)],
                sign_up,
            )
        })
        .await
    }

    async fn attendees(&self, session: SessionId) -> StoreResult<Vec<(SignUp, Member)>> {
        self.read(move |c| {
            let sign_ups = rows(
                c,
                "SELECT * FROM session_sign_ups WHERE session_id = ?1 AND status = 'confirmed'
                 ORDER BY seq",
                [blob(session.0)],
                sign_up,
            )?;
            let members = rows(
                c,
                "SELECT * FROM members WHERE id IN
                   (SELECT member_id FROM session_sign_ups
                    WHERE session_id = ?1 AND status = 'confirmed')",
                [blob(session.0)],
                crate::store_impl::member,
            )?;
            pair_with_members(sign_ups, members)
        })
        .await
    }

    async fn sign_up_counts(
        &self,
        sessions: &[SessionId],
    ) -> StoreResult<HashMap<SessionId, SignUpCounts>> {
        let sessions = sessions.to_vec();
        self.read(move |c| {
            // One probe of the (session, status) index per session, all in
            // one hop to the reader.
            let mut stmt = c
                .prepare_cached(
                    "SELECT count(*) FILTER (WHERE status = 'confirmed'),
                            count(*) FILTER (WHERE status = 'waiting')
                     FROM session_sign_ups WHERE session_id = ?1 AND status <> 'cancelled'",
                )
                .map_err(internal)?;
            let mut out = HashMap::new();
            for session in sessions {
                let (taken, waiting): (i64, i64) = stmt
                    .query_row([blob(session.0)], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(internal)?;
                if taken + waiting > 0 {
                    out.insert(session, SignUpCounts { taken, waiting });
                }
            }
            Ok(out)
        })
        .await
    }

    async fn member_sign_ups(
        &self,
        member: MemberId,
        from: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<SignUp>> {
        self.read(move |c| {
            rows(
                c,
                "SELECT u.* FROM session_sign_ups u JOIN activity_sessions s ON s.id = u.session_id
                 WHERE u.member_id = ?1 AND u.status <> 'cancelled' AND s.starts_at >= ?2
                 ORDER BY s.starts_at, s.id LIMIT ?3",
                params![blob(member.0), micros(from), limit],
                sign_up,
            )
        })
        .await
    }

    async fn register(&self, session: SessionId) -> StoreResult<Option<RegisterRecord>> {
        self.read(move |c| {
            one(
                c,
                "SELECT * FROM session_registers WHERE session_id = ?1",
                [blob(session.0)],
                |r| {
                    Ok(RegisterRecord {
                        session: SessionId(uuid(r, "session_id")?),
                        key: TransferId(uuid(r, "idempotency_key")?),
                        confirmed_by: UserId(uuid(r, "confirmed_by")?),
                        confirmed_at: time(get(r, "confirmed_at")?)?,
                    })
                },
            )
        })
        .await
    }

    async fn record_contributions(&self, batch: ContributionBatch) -> Result<Recorded, PostError> {
        self.write(move |c| record(c, &batch)).await
    }

    async fn contribution(&self, id: ContributionId) -> StoreResult<Option<Contribution>> {
        self.read_point(move |c| contribution_by_id(c, id)).await
    }

    async fn session_contributions(&self, session: SessionId) -> StoreResult<Vec<Contribution>> {
        self.read(move |c| {
            rows(
                c,
                &format!(
                    "{CONTRIBUTION_SELECT} WHERE c.session_id = ?1 ORDER BY c.recorded_at, c.id"
                ),
                [blob(session.0)],
                contribution,
            )
        })
        .await
    }

    async fn create_claim(&self, cl: &Claim) -> StoreResult<()> {
        let cl = cl.clone();
        self.write(move |c| {
            c.execute(
                "INSERT INTO contribution_claims (id, programme_id, organisation_id, activity_id, member_id, contribution_date, minutes, note, claimed_by, claimed_at, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    blob(cl.id.0),
                    blob(cl.programme.0),
                    blob(cl.organisation.0),
                    blob(cl.activity.0),
                    blob(cl.member.0),
                    day_text(cl.date),
                    cl.minutes,
                    cl.note,
                    blob(cl.claimed_by.0),
                    micros(cl.claimed_at),
                    cl.status.as_str(),
                ],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn minutes_on_day(&self, member: MemberId, date: NaiveDate) -> StoreResult<DayMinutes> {
        self.read(move |c| {
            let credited = credited_minutes(c, member, date, None)?;
            let pending_claims = c
                .query_row(
                    "SELECT COALESCE(SUM(minutes), 0) FROM contribution_claims
                     WHERE member_id = ?1 AND contribution_date = ?2 AND status = 'pending'",
                    params![blob(member.0), day_text(date)],
                    |r| r.get(0),
                )
                .map_err(internal)?;
            Ok(DayMinutes {
                credited,
                pending_claims,
            })
        })
        .await
    }

    async fn claim(&self, id: ClaimId) -> StoreResult<Option<Claim>> {
        self.read(move |c| {
            one(
                c,
                "SELECT * FROM contribution_claims WHERE id = ?1",
                [blob(id.0)],
                claim,
            )
        })
        .await
    }

    async fn claims(&self, f: &ClaimFilter) -> StoreResult<Vec<Claim>> {
        let f = f.clone();
        self.read(move |c| {
            rows(
                c,
                "SELECT * FROM contribution_claims
                 WHERE (?1 IS NULL OR member_id = ?1)
                   AND (?2 IS NULL OR organisation_id = ?2)
                   AND (?3 IS NULL OR status = ?3)
                   AND (?4 IS NULL OR id < ?4)
                 ORDER BY id DESC LIMIT ?5",
                params![
                    f.member.map(|m| blob(m.0)),
                    f.organisation.map(|o| blob(o.0)),
                    f.status.map(|s| s.as_str()),
                    f.before.map(|b| blob(b.0)),
                    f.limit,
                ],
                claim,
            )
        })
        .await
    }

    async fn reject_claim(
        &self,
        id: ClaimId,
        by: UserId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<Claim, PostError> {
        let reason = reason.to_owned();
        self.write(move |c| {
            let current = one(
                c,
                "SELECT * FROM contribution_claims WHERE id = ?1",
                [blob(id.0)],
                claim,
            )?
            .ok_or(StoreError::Internal(format!("claim {id} is missing")))?;
            rules::check_claim_pending(current.status)?;
            c.execute(
                "UPDATE contribution_claims SET status = 'rejected', decided_by = ?2, decided_at = ?3, rejection_reason = ?4 WHERE id = ?1",
                params![blob(id.0), blob(by.0), micros(at), reason],
            )
            .map_err(internal)?;
            Ok(Claim {
                status: ClaimStatus::Rejected,
                decided_by: Some(by),
                decided_at: Some(at),
                rejection_reason: Some(reason),
                ..current
            })
        })
        .await
    }
}
