//! `TimebankStore` for PgStore: the timebank area's tables.
//!
//! An answer to a proposal locks the proposal's row (`SELECT … FOR
//! UPDATE`) before checking it, so two answers racing for the same
//! proposal are decided one after the other; an acceptance writes the
//! answer and the Exchange transfer in the same transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Postgres, QueryBuilder, Row};
use timecredits_app::timebank::{
    Acceptance, Listing, ListingId, ListingQuery, Mailbox, Proposal, ProposalId, ProposalQuery,
    Refusing, TimebankStore,
};
use timecredits_app::{MemberId, PostError, StoreError, StoreResult, UserId};
use timecredits_domain::timebank::{
    Answer, ExchangeDirection, ListingKind, ListingStatus, ProposalStatus, check_answer, place_key,
};
use timecredits_ledger::{Outcome, ProgrammeId, TransferId};
use uuid::Uuid;

use crate::error::db_err;
use crate::{Attempt, PgStore};

macro_rules! listing_columns {
    () => {
        "l.id, l.programme_id, l.member_id, m.display_name AS author_name, l.kind, l.category, l.title, l.description, l.place, l.status, l.created_at, l.closed_by, l.closed_at"
    };
}

macro_rules! proposal_columns {
    () => {
        "id, programme_id, proposer_id, counterparty_id, direction, minutes, note, listing_id, created_at, expires_at, status, answered_by, answered_at, decline_reason, transfer_id"
    };
}

fn corrupt(what: &str, raw: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {raw:?}"))
}

fn col<'r, T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>>(
    row: &'r PgRow,
    name: &str,
) -> StoreResult<T> {
    row.try_get(name).map_err(db_err)
}

fn listing(row: &PgRow) -> StoreResult<Listing> {
    let kind: String = col(row, "kind")?;
    let status: String = col(row, "status")?;
    Ok(Listing {
        id: ListingId(col(row, "id")?),
        programme: ProgrammeId(col(row, "programme_id")?),
        author: MemberId(col(row, "member_id")?),
        author_name: col(row, "author_name")?,
        kind: ListingKind::parse(&kind).ok_or_else(|| corrupt("listing kind", &kind))?,
        category: col(row, "category")?,
        title: col(row, "title")?,
        description: col(row, "description")?,
        place: col(row, "place")?,
        status: ListingStatus::parse(&status).ok_or_else(|| corrupt("listing status", &status))?,
        created_at: col(row, "created_at")?,
        closed_by: col::<Option<Uuid>>(row, "closed_by")?.map(UserId),
        closed_at: col(row, "closed_at")?,
    })
}

fn proposal(row: &PgRow) -> StoreResult<Proposal> {
    let direction: String = col(row, "direction")?;
    let status: String = col(row, "status")?;
    let status = ProposalStatus::parse(&status)
        .filter(|s| *s != ProposalStatus::Expired)
        .ok_or_else(|| corrupt("proposal status", &status))?;
    Ok(Proposal {
        id: ProposalId(col(row, "id")?),
        programme: ProgrammeId(col(row, "programme_id")?),
        proposer: MemberId(col(row, "proposer_id")?),
        counterparty: MemberId(col(row, "counterparty_id")?),
        direction: ExchangeDirection::parse(&direction)
            .ok_or_else(|| corrupt("exchange direction", &direction))?,
        minutes: col(row, "minutes")?,
        note: col(row, "note")?,
        listing: col::<Option<Uuid>>(row, "listing_id")?.map(ListingId),
        created_at: col(row, "created_at")?,
        expires_at: col(row, "expires_at")?,
        status,
        answered_by: col::<Option<Uuid>>(row, "answered_by")?.map(UserId),
        answered_at: col(row, "answered_at")?,
        decline_reason: col(row, "decline_reason")?,
        transfer: col::<Option<Uuid>>(row, "transfer_id")?.map(TransferId),
    })
}

/// The proposal, its row locked until the transaction ends.
async fn lock_proposal(conn: &mut PgConnection, id: ProposalId) -> Result<Proposal, Attempt> {
    let row = sqlx::query(concat!(
        "SELECT ",
        proposal_columns!(),
        " FROM timebank_proposals WHERE id = $1 FOR UPDATE"
    ))
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::Corrupt(format!("proposal {id} is missing")))?;
    Ok(proposal(&row)?)
}

async fn reread_proposal(conn: &mut PgConnection, id: ProposalId) -> Result<Proposal, Attempt> {
    let row = sqlx::query(concat!(
        "SELECT ",
        proposal_columns!(),
        " FROM timebank_proposals WHERE id = $1"
    ))
    .bind(id.0)
    .fetch_one(&mut *conn)
    .await?;
    Ok(proposal(&row)?)
}

#[async_trait]
impl TimebankStore for PgStore {
    async fn create_timebank_listing(&self, l: &Listing) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO timebank_listings (id, programme_id, member_id, kind, category, title, description, place, place_key, status, created_at, closed_by, closed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(l.id.0)
        .bind(l.programme.0)
        .bind(l.author.0)
        .bind(l.kind.as_str())
        .bind(&l.category)
        .bind(&l.title)
        .bind(&l.description)
        .bind(&l.place)
        .bind(place_key(&l.place))
        .bind(l.status.as_str())
        .bind(l.created_at)
        .bind(l.closed_by.map(|u| u.0))
        .bind(l.closed_at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn timebank_listing(&self, id: ListingId) -> StoreResult<Option<Listing>> {
        sqlx::query(concat!(
            "SELECT ",
            listing_columns!(),
            " FROM timebank_listings l JOIN members m ON m.id = l.member_id WHERE l.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(listing)
        .transpose()
    }

    async fn close_timebank_listing(
        &self,
        id: ListingId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE timebank_listings SET status = 'closed', closed_by = $2, closed_at = $3 WHERE id = $1 AND status = 'open'",
        )
        .bind(id.0)
        .bind(by.0)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn search_timebank_listings(&self, q: &ListingQuery) -> StoreResult<Vec<Listing>> {
        let mut sql: QueryBuilder<Postgres> = QueryBuilder::new(concat!(
            "SELECT ",
            listing_columns!(),
            " FROM timebank_listings l JOIN members m ON m.id = l.member_id WHERE l.programme_id = "
        ));
        sql.push_bind(q.programme.0);
        if let Some(author) = q.author {
            sql.push(" AND l.member_id = ").push_bind(author.0);
        }
        if let Some(kind) = q.kind {
            sql.push(" AND l.kind = ").push_bind(kind.as_str());
        }
        if let Some(category) = &q.category {
            sql.push(" AND l.category = ").push_bind(category.clone());
        }
        if let Some(place) = &q.place_key {
            sql.push(" AND strpos(l.place_key, ")
                .push_bind(place.clone())
                .push(") > 0");
        }
        if let Some(status) = q.status {
            sql.push(" AND l.status = ").push_bind(status.as_str());
        }
        if let Some(before) = q.before {
            sql.push(" AND l.id < ").push_bind(before.0);
        }
        sql.push(" ORDER BY l.id DESC LIMIT ")
            .push_bind(i64::from(q.limit));
        sql.build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(listing)
            .collect()
    }

    async fn create_exchange_proposal(&self, p: &Proposal) -> StoreResult<()> {
        sqlx::query(concat!(
            "INSERT INTO timebank_proposals (",
            proposal_columns!(),
            ")
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ))
        .bind(p.id.0)
        .bind(p.programme.0)
        .bind(p.proposer.0)
        .bind(p.counterparty.0)
        .bind(p.direction.as_str())
        .bind(p.minutes)
        .bind(&p.note)
        .bind(p.listing.map(|l| l.0))
        .bind(p.created_at)
        .bind(p.expires_at)
        .bind(p.status.as_str())
        .bind(p.answered_by.map(|u| u.0))
        .bind(p.answered_at)
        .bind(&p.decline_reason)
        .bind(p.transfer.map(|t| t.0))
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn exchange_proposal(&self, id: ProposalId) -> StoreResult<Option<Proposal>> {
        sqlx::query(concat!(
            "SELECT ",
            proposal_columns!(),
            " FROM timebank_proposals WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(proposal)
        .transpose()
    }

    async fn search_exchange_proposals(&self, q: &ProposalQuery) -> StoreResult<Vec<Proposal>> {
        let mut sql: QueryBuilder<Postgres> = QueryBuilder::new(concat!(
            "SELECT ",
            proposal_columns!(),
            " FROM timebank_proposals WHERE programme_id = "
        ));
        sql.push_bind(q.programme.0);
        match q.member {
            Some((m, Mailbox::Incoming)) => {
                sql.push(" AND counterparty_id = ").push_bind(m.0);
            }
            Some((m, Mailbox::Outgoing)) => {
                sql.push(" AND proposer_id = ").push_bind(m.0);
            }
            Some((m, Mailbox::Both)) => {
                sql.push(" AND (proposer_id = ")
                    .push_bind(m.0)
                    .push(" OR counterparty_id = ")
                    .push_bind(m.0)
                    .push(")");
            }
            None => {}
        }
        match q.status {
            Some(ProposalStatus::Open) => {
                sql.push(" AND status = 'open' AND expires_at > ")
                    .push_bind(q.now);
            }
            Some(ProposalStatus::Expired) => {
                sql.push(" AND status = 'open' AND expires_at <= ")
                    .push_bind(q.now);
            }
            Some(answered) => {
                sql.push(" AND status = ").push_bind(answered.as_str());
            }
            None => {}
        }
        if let Some(before) = q.before {
            sql.push(" AND id < ").push_bind(before.0);
        }
        sql.push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(q.limit));
        sql.build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(proposal)
            .collect()
    }

    async fn accept_exchange_proposal(
        &self,
        a: Acceptance,
    ) -> Result<(Proposal, Outcome), PostError> {
        let a = &a;
        crate::retrying(move || async move {
            let mut tx = self.pool.begin().await?;
            let current = lock_proposal(&mut tx, a.proposal).await?;
            let retry = current.status == ProposalStatus::Accepted
                && current.transfer == Some(a.posting.id);
            if !retry {
                check_answer(&current.state(), Answer::Accept, a.by.0, a.at)?;
            }
            let mut plan =
                PgStore::plan_and_write(&mut tx, std::slice::from_ref(&a.posting), a.at).await?;
            let outcome = plan.outcomes.remove(0);
            if !retry {
                sqlx::query(
                    "UPDATE timebank_proposals SET status = 'accepted', answered_by = $2, answered_at = $3, transfer_id = $4 WHERE id = $1 AND status = 'open'",
                )
                .bind(a.proposal.0)
                .bind(a.user.0)
                .bind(a.at)
                .bind(a.posting.id.0)
                .execute(&mut *tx)
                .await?;
            }
            let proposal = reread_proposal(&mut tx, a.proposal).await?;
            tx.commit().await?;
            Ok((proposal, outcome))
        })
        .await
    }

    async fn refuse_exchange_proposal(&self, r: Refusing) -> Result<Proposal, PostError> {
        let status = match r.answer {
            Answer::Decline => ProposalStatus::Declined,
            Answer::Withdraw => ProposalStatus::Withdrawn,
            Answer::Accept => {
                return Err(StoreError::Internal(
                    "an acceptance must go through accept_exchange_proposal".into(),
                )
                .into());
            }
        };
        let r = &r;
        crate::retrying(move || async move {
            let mut tx = self.pool.begin().await?;
            let current = lock_proposal(&mut tx, r.proposal).await?;
            check_answer(&current.state(), r.answer, r.by.0, r.at)?;
            sqlx::query(
                "UPDATE timebank_proposals SET status = $2, answered_by = $3, answered_at = $4, decline_reason = $5 WHERE id = $1 AND status = 'open'",
            )
            .bind(r.proposal.0)
            .bind(status.as_str())
            .bind(r.user.0)
            .bind(r.at)
            .bind(&r.reason)
            .execute(&mut *tx)
            .await?;
            let proposal = reread_proposal(&mut tx, r.proposal).await?;
            tx.commit().await?;
            Ok(proposal)
        })
        .await
    }
}
