//! `ActivityStore` for PgStore: the activities area's tables.
//!
//! Writes that check a rule against stored rows lock the parent row first
//! (the session for sign-ups and registers, the claim for its decision, the
//! members for contributions, in id order), then read and decide under that
//! lock, so concurrent requests cannot both pass. Contributions and their
//! postings are written in one transaction, retried whole on conflicts.
//! When a partner may issue from its holdings, the accounts the batch
//! touches are locked (in id order) before its balance is read and the
//! debits chosen. A retry answers from the transfers stored.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::postgres::{PgConnection, PgRow};
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
use timecredits_domain::rules::ProgrammeRules;
use timecredits_ledger::{AccountId, Movement, PostingRequest, ProgrammeId, TransferId};
use uuid::Uuid;

use crate::error::db_err;
use crate::rows::{member_columns, transfer_columns};
use crate::{Attempt, PgStore, retrying};

fn corrupt(what: &str, raw: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {raw:?}"))
}

fn col<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(
    row: &'r PgRow,
    name: &str,
) -> StoreResult<T> {
    row.try_get(name).map_err(db_err)
}

fn activity(row: &PgRow) -> StoreResult<Activity> {
    let level: String = col(row, "level")?;
    let mode: String = col(row, "mode")?;
    Ok(Activity {
        id: ActivityId(col(row, "id")?),
        programme: ProgrammeId(col(row, "programme_id")?),
        organisation: OrganisationId(col(row, "organisation_id")?),
        details: ActivityDetails {
            title: col(row, "title")?,
            description: col(row, "description")?,
            level: CoProductionLevel::parse(&level).ok_or_else(|| corrupt("level", &level))?,
            mode: CoProductionMode::parse(&mode).ok_or_else(|| corrupt("mode", &mode))?,
            place: col(row, "place")?,
            postcode: col::<Option<String>>(row, "postcode")?
                .map(|p| Postcode::parse(&p).map_err(|_| corrupt("postcode", &p)))
                .transpose()?,
            accessibility: col(row, "accessibility")?,
            usual_duration_minutes: col(row, "usual_duration_minutes")?,
            earns_credits: col(row, "earns_credits")?,
        },
        created_by: UserId(col(row, "created_by")?),
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

fn session(row: &PgRow) -> StoreResult<Session> {
    Ok(Session {
        id: SessionId(col(row, "id")?),
        activity: ActivityId(col(row, "activity_id")?),
        programme: ProgrammeId(col(row, "programme_id")?),
        organisation: OrganisationId(col(row, "organisation_id")?),
        starts_at: col(row, "starts_at")?,
        ends_at: col(row, "ends_at")?,
        capacity: col(row, "capacity")?,
        created_by: UserId(col(row, "created_by")?),
        created_at: col(row, "created_at")?,
    })
}

fn sign_up(row: &PgRow) -> StoreResult<SignUp> {
    let status: String = col(row, "status")?;
    Ok(SignUp {
        id: SignUpId(col(row, "id")?),
        session: SessionId(col(row, "session_id")?),
        member: MemberId(col(row, "member_id")?),
        status: SignUpStatus::parse(&status).ok_or_else(|| corrupt("sign-up status", &status))?,
        signed_up_by: UserId(col(row, "signed_up_by")?),
        signed_up_at: col(row, "signed_up_at")?,
        promoted_at: col(row, "promoted_at")?,
        cancelled_by: col::<Option<Uuid>>(row, "cancelled_by")?.map(UserId),
        cancelled_at: col(row, "cancelled_at")?,
    })
}

/// Contributions with the id of the one that superseded each, if any.
macro_rules! contribution_select {
    () => {
        "SELECT c.*, (SELECT s.id FROM contributions s WHERE s.corrects = c.id) AS superseded_by FROM contributions c"
    };
}

fn contribution(row: &PgRow) -> StoreResult<Contribution> {
    let origin: String = col(row, "origin")?;
    Ok(Contribution {
        id: ContributionId(col(row, "id")?),
        programme: ProgrammeId(col(row, "programme_id")?),
        organisation: OrganisationId(col(row, "organisation_id")?),
        activity: ActivityId(col(row, "activity_id")?),
        session: col::<Option<Uuid>>(row, "session_id")?.map(SessionId),
        member: MemberId(col(row, "member_id")?),
        date: col(row, "contribution_date")?,
        minutes: col(row, "minutes")?,
        origin: ContributionOrigin::parse(&origin).ok_or_else(|| corrupt("origin", &origin))?,
        claim: col::<Option<Uuid>>(row, "claim_id")?.map(ClaimId),
        corrects: col::<Option<Uuid>>(row, "corrects")?.map(ContributionId),
        superseded_by: col::<Option<Uuid>>(row, "superseded_by")?.map(ContributionId),
        note: col(row, "note")?,
        transfer: TransferId(col(row, "transfer_id")?),
        key: TransferId(col(row, "idempotency_key")?),
        recorded_by: UserId(col(row, "recorded_by")?),
        recorded_at: col(row, "recorded_at")?,
    })
}

fn claim(row: &PgRow) -> StoreResult<Claim> {
    let status: String = col(row, "status")?;
    Ok(Claim {
        id: ClaimId(col(row, "id")?),
        programme: ProgrammeId(col(row, "programme_id")?),
        organisation: OrganisationId(col(row, "organisation_id")?),
        activity: ActivityId(col(row, "activity_id")?),
        member: MemberId(col(row, "member_id")?),
        date: col(row, "contribution_date")?,
        minutes: col(row, "minutes")?,
        note: col(row, "note")?,
        claimed_by: UserId(col(row, "claimed_by")?),
        claimed_at: col(row, "claimed_at")?,
        status: ClaimStatus::parse(&status).ok_or_else(|| corrupt("claim status", &status))?,
        decided_by: col::<Option<Uuid>>(row, "decided_by")?.map(UserId),
        decided_at: col(row, "decided_at")?,
        rejection_reason: col(row, "rejection_reason")?,
        contribution: col::<Option<Uuid>>(row, "contribution_id")?.map(ContributionId),
    })
}

async fn contribution_by_id(
    conn: &mut PgConnection,
    id: ContributionId,
) -> Result<Option<Contribution>, Attempt> {
    let row = sqlx::query(concat!(contribution_select!(), " WHERE c.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.as_ref().map(contribution).transpose()?)
}

async fn live_sign_up(
    conn: &mut PgConnection,
    session: SessionId,
    member: MemberId,
) -> Result<Option<SignUp>, Attempt> {
    let row = sqlx::query(
        "SELECT * FROM session_sign_ups WHERE session_id = $1 AND member_id = $2 AND status <> 'cancelled'",
    )
    .bind(session.0)
    .bind(member.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.as_ref().map(sign_up).transpose()?)
}

fn attempt(e: PostError) -> Attempt {
    match e {
        PostError::Rejected(r) => Attempt::Rejected(r),
        PostError::Refused(r) => Attempt::Refused(r),
        PostError::Store(e) => Attempt::Store(e),
    }
}

/// The batch's postings, issuing from the partners' holdings what they
/// cover. The tracked accounts the batch will touch (its members', the
/// partners') are locked here in id order, as `plan_and_write` would lock
/// them, and the partners' balances are read under those locks: a
/// concurrent redemption or confirmation at the same partner waits for this
/// transaction, so the holdings cannot change between the choice and the
/// write.
async fn postings_from_holdings(
    conn: &mut PgConnection,
    batch: &ContributionBatch,
) -> Result<Vec<PostingRequest>, Attempt> {
    let partners = batch.reissue_accounts();
    if partners.is_empty() {
        return Ok(batch.postings.clone());
    }
    let mut touched: Vec<Uuid> = partners.iter().map(|a| a.0).collect();
    for p in &batch.postings {
        if let Movement::Move { debit, credit, .. } = p.movement {
            touched.extend([debit.0, credit.0]);
        }
    }
    touched.sort();
    touched.dedup();
    let rows = sqlx::query(
        "SELECT id, balance_minutes FROM accounts
         WHERE id = ANY($1) AND floor_minutes IS NOT NULL ORDER BY id FOR NO KEY UPDATE",
    )
    .bind(&touched)
    .fetch_all(&mut *conn)
    .await?;
    let mut holdings = HashMap::with_capacity(partners.len());
    for row in &rows {
        let id = AccountId(row.try_get("id")?);
        if partners.contains(&id) {
            let balance: Option<i64> = row.try_get("balance_minutes")?;
            holdings.insert(id, balance.unwrap_or(0));
        }
    }
    Ok(batch.postings_from_holdings(&holdings))
}

/// One attempt at `record_contributions`, in `tx`.
async fn record(conn: &mut PgConnection, batch: &ContributionBatch) -> Result<Recorded, Attempt> {
    // Lock the parent rows first: the session or claim, then the members in id order.
    match &batch.kind {
        BatchKind::Register { session, .. } => {
            sqlx::query("SELECT id FROM activity_sessions WHERE id = $1 FOR NO KEY UPDATE")
                .bind(session.0)
                .execute(&mut *conn)
                .await?;
        }
        BatchKind::ConfirmClaim { claim, .. } => {
            sqlx::query("SELECT id FROM contribution_claims WHERE id = $1 FOR UPDATE")
                .bind(claim.0)
                .execute(&mut *conn)
                .await?;
        }
        BatchKind::Direct | BatchKind::Correction { .. } => {}
    }
    let mut members: Vec<Uuid> = batch
        .contributions
        .iter()
        .map(|c| c.record.member.0)
        .collect();
    members.sort();
    members.dedup();
    sqlx::query("SELECT id FROM members WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE")
        .bind(&members)
        .execute(&mut *conn)
        .await?;

    // A retry: the key already recorded something.
    let existing = sqlx::query(concat!(
        contribution_select!(),
        " WHERE c.idempotency_key = $1 ORDER BY c.id"
    ))
    .bind(batch.key.0)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(contribution)
    .collect::<StoreResult<Vec<_>>>()?;
    let register: Option<Uuid> = match &batch.kind {
        BatchKind::Register { session, .. } => {
            sqlx::query_scalar(
                "SELECT idempotency_key FROM session_registers WHERE session_id = $1",
            )
            .bind(session.0)
            .fetch_optional(&mut *conn)
            .await?
        }
        _ => None,
    };
    let key_register: Option<Uuid> =
        sqlx::query_scalar("SELECT session_id FROM session_registers WHERE idempotency_key = $1")
            .bind(batch.key.0)
            .fetch_optional(&mut *conn)
            .await?;
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
        let ids: Vec<Uuid> = batch.postings.iter().map(|p| p.id.0).collect();
        let stored = sqlx::query(concat!(
            "SELECT ",
            transfer_columns!(),
            " FROM transfers WHERE id = ANY($1)"
        ))
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(crate::rows::transfer)
        .collect::<StoreResult<Vec<_>>>()?;
        return batch.replayed(existing, &stored).map_err(attempt);
    }

    let except = match &batch.kind {
        BatchKind::Register {
            session,
            confirmed_by,
        } => {
            if register.is_some() {
                return Err(rules::register_already_confirmed().into());
            }
            sqlx::query(
                "INSERT INTO session_registers (session_id, idempotency_key, confirmed_by, confirmed_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(session.0)
            .bind(batch.key.0)
            .bind(confirmed_by.0)
            .bind(batch.at)
            .execute(&mut *conn)
            .await?;
            None
        }
        BatchKind::Direct => None,
        BatchKind::ConfirmClaim { claim, .. } => {
            let status: Option<String> =
                sqlx::query_scalar("SELECT status FROM contribution_claims WHERE id = $1")
                    .bind(claim.0)
                    .fetch_optional(&mut *conn)
                    .await?;
            let status =
                status.ok_or_else(|| StoreError::Internal(format!("claim {claim} is missing")))?;
            rules::check_claim_pending(
                ClaimStatus::parse(&status).ok_or_else(|| corrupt("claim status", &status))?,
            )?;
            None
        }
        BatchKind::Correction { original } => {
            let old = contribution_by_id(&mut *conn, *original)
                .await?
                .ok_or_else(|| {
                    StoreError::Internal(format!("contribution {original} is missing"))
                })?;
            let minutes = batch.contributions.first().map_or(0, |c| c.record.minutes);
            rules::check_correction(old.superseded_by.is_some(), old.minutes, minutes)?;
            Some(original.0)
        }
    };

    let mut in_batch: HashMap<(MemberId, NaiveDate), i64> = HashMap::new();
    for new in &batch.contributions {
        let c = &new.record;
        if let Some(session) = c.session {
            let duplicate: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM contributions c
                 WHERE member_id = $1 AND session_id = $2 AND id IS DISTINCT FROM $3
                   AND NOT EXISTS (SELECT 1 FROM contributions s WHERE s.corrects = c.id))",
            )
            .bind(c.member.0)
            .bind(session.0)
            .bind(except)
            .fetch_one(&mut *conn)
            .await?;
            if duplicate {
                return Err(rules::duplicate_contribution().into());
            }
        }
        let credited: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(minutes), 0)::bigint FROM contributions c
             WHERE member_id = $1 AND contribution_date = $2 AND id IS DISTINCT FROM $3
               AND NOT EXISTS (SELECT 1 FROM contributions s WHERE s.corrects = c.id)",
        )
        .bind(c.member.0)
        .bind(c.date)
        .bind(except)
        .fetch_one(&mut *conn)
        .await?;
        let earlier = in_batch.entry((c.member, c.date)).or_insert(0);
        rules::check_daily_cap(
            c.minutes,
            credited + *earlier,
            &ProgrammeRules {
                daily_cap_minutes: new.daily_cap_minutes,
                ..ProgrammeRules::default()
            },
        )?;
        *earlier += c.minutes;
    }

    if let BatchKind::ConfirmClaim { claim, decided_by } = &batch.kind {
        sqlx::query(
            "UPDATE contribution_claims SET status = 'confirmed', decided_by = $2, decided_at = $3, contribution_id = $4 WHERE id = $1 AND status = 'pending'",
        )
        .bind(claim.0)
        .bind(decided_by.0)
        .bind(batch.at)
        .bind(batch.contributions.first().map(|c| c.record.id.0))
        .execute(&mut *conn)
        .await?;
    }
    for new in &batch.contributions {
        let c = &new.record;
        sqlx::query(
            "INSERT INTO contributions (id, programme_id, organisation_id, activity_id, session_id, member_id, contribution_date, minutes, origin, claim_id, corrects, note, transfer_id, idempotency_key, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(c.id.0)
        .bind(c.programme.0)
        .bind(c.organisation.0)
        .bind(c.activity.0)
        .bind(c.session.map(|s| s.0))
        .bind(c.member.0)
        .bind(c.date)
        .bind(c.minutes)
        .bind(c.origin.as_str())
        .bind(c.claim.map(|s| s.0))
        .bind(c.corrects.map(|s| s.0))
        .bind(&c.note)
        .bind(c.transfer.0)
        .bind(c.key.0)
        .bind(c.recorded_by.0)
        .bind(c.recorded_at)
        .execute(&mut *conn)
        .await?;
    }
    let postings = postings_from_holdings(&mut *conn, batch).await?;
    let plan = PgStore::plan_and_write(&mut *conn, &postings, batch.at).await?;
    let mut contributions = Vec::with_capacity(batch.contributions.len());
    for new in &batch.contributions {
        contributions.extend(contribution_by_id(&mut *conn, new.record.id).await?);
    }
    Ok(Recorded {
        contributions,
        plan,
        replayed: false,
    })
}

impl PgStore {
    async fn write_activity(&self, a: &Activity, insert: bool) -> StoreResult<()> {
        let d = &a.details;
        let sql = if insert {
            "INSERT INTO activities (id, programme_id, organisation_id, title, description, level, mode, place, accessibility, usual_duration_minutes, earns_credits, created_by, created_at, updated_at, postcode)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        } else {
            "UPDATE activities SET title = $4, description = $5, level = $6, mode = $7, place = $8, accessibility = $9, usual_duration_minutes = $10, earns_credits = $11, updated_at = $14, postcode = $15
             WHERE id = $1 AND programme_id = $2 AND organisation_id = $3 AND created_by = $12 AND created_at = $13"
        };
        let done = sqlx::query(sql)
            .bind(a.id.0)
            .bind(a.programme.0)
            .bind(a.organisation.0)
            .bind(&d.title)
            .bind(&d.description)
            .bind(d.level.as_str())
            .bind(d.mode.as_str())
            .bind(&d.place)
            .bind(&d.accessibility)
            .bind(d.usual_duration_minutes)
            .bind(d.earns_credits)
            .bind(a.created_by.0)
            .bind(a.created_at)
            .bind(a.updated_at)
            .bind(d.postcode.as_ref().map(Postcode::as_str))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Internal(format!(
                "activity {} was not written",
                a.id
            )));
        }
        Ok(())
    }
}

#[async_trait]
impl ActivityStore for PgStore {
    async fn create_activity(&self, a: &Activity) -> StoreResult<()> {
        self.write_activity(a, true).await
    }

    async fn update_activity(&self, a: &Activity) -> StoreResult<()> {
        self.write_activity(a, false).await
    }

    async fn activity(&self, id: ActivityId) -> StoreResult<Option<Activity>> {
        sqlx::query("SELECT * FROM activities WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(activity)
            .transpose()
    }

    async fn activities(&self, f: &ActivityFilter) -> StoreResult<Vec<Activity>> {
        let (from, to) = f
            .sessions_between
            .map_or((None, None), |(a, b)| (Some(a), Some(b)));
        sqlx::query(
            "SELECT * FROM activities a
             WHERE programme_id = $1
               AND ($2::uuid IS NULL OR organisation_id = $2)
               AND ($3::text IS NULL OR level = $3)
               AND ($4::text IS NULL OR mode = $4)
               AND ($5::text IS NULL OR strpos(lower(place), lower($5)) > 0 OR strpos(lower(coalesce(postcode, '')), lower($5)) > 0)
               AND ($6::timestamptz IS NULL OR EXISTS (SELECT 1 FROM activity_sessions s
                    WHERE s.activity_id = a.id AND s.starts_at >= $6 AND s.starts_at < $7))
               AND ($8::uuid IS NULL OR id > $8)
             ORDER BY id LIMIT $9",
        )
        .bind(f.programme.0)
        .bind(f.organisation.map(|o| o.0))
        .bind(f.level.map(|l| l.as_str()))
        .bind(f.mode.map(|m| m.as_str()))
        .bind(f.place.as_deref())
        .bind(from)
        .bind(to)
        .bind(f.after.map(|a| a.0))
        .bind(i64::from(f.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(activity)
        .collect()
    }

    async fn create_activity_session(&self, s: &Session) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO activity_sessions (id, activity_id, programme_id, organisation_id, starts_at, ends_at, capacity, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(s.id.0)
        .bind(s.activity.0)
        .bind(s.programme.0)
        .bind(s.organisation.0)
        .bind(s.starts_at)
        .bind(s.ends_at)
        .bind(s.capacity)
        .bind(s.created_by.0)
        .bind(s.created_at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn activity_session(&self, id: SessionId) -> StoreResult<Option<Session>> {
        sqlx::query("SELECT * FROM activity_sessions WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(session)
            .transpose()
    }

    async fn activity_sessions(
        &self,
        activity: ActivityId,
        from: DateTime<Utc>,
        after: Option<(DateTime<Utc>, SessionId)>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        sqlx::query(
            "SELECT * FROM activity_sessions
             WHERE activity_id = $1 AND starts_at >= $2
               AND ($3::timestamptz IS NULL OR (starts_at, id) > ($3, $4::uuid))
             ORDER BY starts_at, id LIMIT $5",
        )
        .bind(activity.0)
        .bind(from)
        .bind(after.map(|(t, _)| t))
        .bind(after.map(|(_, id)| id.0))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(session)
        .collect()
    }

    async fn sign_up(&self, s: &SignUp) -> Result<SignUp, PostError> {
        let s = &s.clone();
        retrying(move || async move {
            let mut tx = self.pool.begin().await?;
            let capacity: i64 = sqlx::query_scalar(
                "SELECT capacity FROM activity_sessions WHERE id = $1 FOR NO KEY UPDATE",
            )
            .bind(s.session.0)
            .fetch_one(&mut *tx)
            .await?;
            let confirmed: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM session_sign_ups WHERE session_id = $1 AND status = 'confirmed'",
            )
            .bind(s.session.0)
            .fetch_one(&mut *tx)
            .await?;
            let already = live_sign_up(&mut tx, s.session, s.member)
                .await?
                .map(|s| s.status);
            let status = activity_rules::place_for_sign_up(capacity, confirmed, already)?;
            sqlx::query(
                "INSERT INTO session_sign_ups (id, session_id, member_id, status, signed_up_by, signed_up_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(s.id.0)
            .bind(s.session.0)
            .bind(s.member.0)
            .bind(status.as_str())
            .bind(s.signed_up_by.0)
            .bind(s.signed_up_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(SignUp {
                status,
                ..s.clone()
            })
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
        retrying(move || async move {
            let mut tx = self.pool.begin().await?;
            sqlx::query("SELECT id FROM activity_sessions WHERE id = $1 FOR NO KEY UPDATE")
                .bind(session.0)
                .execute(&mut *tx)
                .await?;
            let current = live_sign_up(&mut tx, session, member)
                .await?
                .ok_or_else(activity_rules::not_signed_up)?;
            sqlx::query(
                "UPDATE session_sign_ups SET status = 'cancelled', cancelled_by = $2, cancelled_at = $3 WHERE id = $1",
            )
            .bind(current.id.0)
            .bind(by.0)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            let waiting = sqlx::query(
                "SELECT * FROM session_sign_ups WHERE session_id = $1 AND status = 'waiting' ORDER BY seq LIMIT 1",
            )
            .bind(session.0)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(sign_up)
            .collect::<StoreResult<Vec<_>>>()?;
            let promoted = match activity_rules::promoted_after_cancel(current.status, &waiting) {
                Some(next) => {
                    sqlx::query(
                        "UPDATE session_sign_ups SET status = 'confirmed', promoted_at = $2 WHERE id = $1",
                    )
                    .bind(next.id.0)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                    Some(SignUp {
                        status: SignUpStatus::Confirmed,
                        promoted_at: Some(at),
                        ..next
                    })
                }
                None => None,
            };
            tx.commit().await?;
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
        sqlx::query(
            "SELECT * FROM session_sign_ups WHERE session_id = $1 AND status <> 'cancelled'
             ORDER BY CASE status WHEN 'confirmed' THEN 0 ELSE 1 END, seq",
        )
        .bind(session.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(sign_up)
        .collect()
    }

    async fn attendees(&self, session: SessionId) -> StoreResult<Vec<(SignUp, Member)>> {
        let sign_ups: Vec<SignUp> = sqlx::query(
            "SELECT * FROM session_sign_ups WHERE session_id = $1 AND status = 'confirmed'
             ORDER BY seq",
        )
        .bind(session.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(sign_up)
        .collect::<StoreResult<_>>()?;
        let ids: Vec<Uuid> = sign_ups.iter().map(|s| s.member.0).collect();
        let members: Vec<Member> = sqlx::query(concat!(
            "SELECT ",
            member_columns!(),
            " FROM members WHERE id = ANY($1)"
        ))
        .bind(&ids)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(crate::rows::member)
        .collect::<StoreResult<_>>()?;
        pair_with_members(sign_ups, members)
    }

    async fn sign_up_counts(
        &self,
        sessions: &[SessionId],
    ) -> StoreResult<HashMap<SessionId, SignUpCounts>> {
        let ids: Vec<Uuid> = sessions.iter().map(|s| s.0).collect();
        sqlx::query(
            "SELECT session_id,
                    count(*) FILTER (WHERE status = 'confirmed') AS taken,
                    count(*) FILTER (WHERE status = 'waiting') AS waiting
             FROM session_sign_ups WHERE session_id = ANY($1) AND status <> 'cancelled'
             GROUP BY session_id",
        )
        .bind(&ids)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|row| {
            let counts = SignUpCounts {
                taken: col(row, "taken")?,
                waiting: col(row, "waiting")?,
            };
            Ok((SessionId(col(row, "session_id")?), counts))
        })
        .collect()
    }

    async fn member_sign_ups(
        &self,
        member: MemberId,
        from: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<SignUp>> {
        sqlx::query(
            "SELECT u.* FROM session_sign_ups u JOIN activity_sessions s ON s.id = u.session_id
             WHERE u.member_id = $1 AND u.status <> 'cancelled' AND s.starts_at >= $2
             ORDER BY s.starts_at, s.id LIMIT $3",
        )
        .bind(member.0)
        .bind(from)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(sign_up)
        .collect()
    }

    async fn register(&self, session: SessionId) -> StoreResult<Option<RegisterRecord>> {
        sqlx::query("SELECT * FROM session_registers WHERE session_id = $1")
            .bind(session.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(|r| {
                Ok(RegisterRecord {
                    session: SessionId(col(r, "session_id")?),
                    key: TransferId(col(r, "idempotency_key")?),
                    confirmed_by: UserId(col(r, "confirmed_by")?),
                    confirmed_at: col(r, "confirmed_at")?,
                })
            })
            .transpose()
    }

    async fn record_contributions(&self, batch: ContributionBatch) -> Result<Recorded, PostError> {
        let batch = &batch;
        retrying(move || async move {
            let mut tx = self.pool.begin().await?;
            match record(&mut tx, batch).await {
                Ok(recorded) => {
                    tx.commit().await?;
                    Ok(recorded)
                }
                Err(e) => {
                    let _ = tx.rollback().await;
                    Err(e)
                }
            }
        })
        .await
    }

    async fn contribution(&self, id: ContributionId) -> StoreResult<Option<Contribution>> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        contribution_by_id(&mut conn, id)
            .await
            .map_err(|e| match e {
                Attempt::Db(e) => db_err(e),
                Attempt::Store(e) => e,
                _ => StoreError::Internal("reading a contribution failed".into()),
            })
    }

    async fn session_contributions(&self, session: SessionId) -> StoreResult<Vec<Contribution>> {
        sqlx::query(concat!(
            contribution_select!(),
            " WHERE c.session_id = $1 ORDER BY c.recorded_at, c.id"
        ))
        .bind(session.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(contribution)
        .collect()
    }

    async fn create_claim(&self, c: &Claim) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO contribution_claims (id, programme_id, organisation_id, activity_id, member_id, contribution_date, minutes, note, claimed_by, claimed_at, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(c.id.0)
        .bind(c.programme.0)
        .bind(c.organisation.0)
        .bind(c.activity.0)
        .bind(c.member.0)
        .bind(c.date)
        .bind(c.minutes)
        .bind(&c.note)
        .bind(c.claimed_by.0)
        .bind(c.claimed_at)
        .bind(c.status.as_str())
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn minutes_on_day(&self, member: MemberId, date: NaiveDate) -> StoreResult<DayMinutes> {
        let (credited, pending_claims): (i64, i64) = sqlx::query_as(
            "SELECT
               (SELECT COALESCE(SUM(minutes), 0)::bigint FROM contributions c
                 WHERE member_id = $1 AND contribution_date = $2
                   AND NOT EXISTS (SELECT 1 FROM contributions s WHERE s.corrects = c.id)),
               (SELECT COALESCE(SUM(minutes), 0)::bigint FROM contribution_claims
                 WHERE member_id = $1 AND contribution_date = $2 AND status = 'pending')",
        )
        .bind(member.0)
        .bind(date)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(DayMinutes {
            credited,
            pending_claims,
        })
    }

    async fn claim(&self, id: ClaimId) -> StoreResult<Option<Claim>> {
        sqlx::query("SELECT * FROM contribution_claims WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(claim)
            .transpose()
    }

    async fn claims(&self, f: &ClaimFilter) -> StoreResult<Vec<Claim>> {
        sqlx::query(
            "SELECT * FROM contribution_claims
             WHERE ($1::uuid IS NULL OR member_id = $1)
               AND ($2::uuid IS NULL OR organisation_id = $2)
               AND ($3::text IS NULL OR status = $3)
               AND ($4::uuid IS NULL OR id < $4)
             ORDER BY id DESC LIMIT $5",
        )
        .bind(f.member.map(|m| m.0))
        .bind(f.organisation.map(|o| o.0))
        .bind(f.status.map(|s| s.as_str()))
        .bind(f.before.map(|b| b.0))
        .bind(i64::from(f.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(claim)
        .collect()
    }

    async fn reject_claim(
        &self,
        id: ClaimId,
        by: UserId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<Claim, PostError> {
        retrying(move || async move {
            let mut tx = self.pool.begin().await?;
            let row = sqlx::query("SELECT * FROM contribution_claims WHERE id = $1 FOR UPDATE")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
            let current = row
                .as_ref()
                .map(claim)
                .transpose()?
                .ok_or_else(|| StoreError::Internal(format!("claim {id} is missing")))?;
            rules::check_claim_pending(current.status)?;
            sqlx::query(
                "UPDATE contribution_claims SET status = 'rejected', decided_by = $2, decided_at = $3, rejection_reason = $4 WHERE id = $1",
            )
            .bind(id.0)
            .bind(by.0)
            .bind(at)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Claim {
                status: ClaimStatus::Rejected,
                decided_by: Some(by),
                decided_at: Some(at),
                rejection_reason: Some(reason.to_owned()),
                ..current
            })
        })
        .await
    }
}
