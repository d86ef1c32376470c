//! `TimebankStore` for SqliteStore: the timebank area's tables.
//!
//! Answers to proposals run on the writer thread: the proposal is read,
//! checked and updated, and (for an acceptance) the transfer posted, all in
//! the request's own savepoint, so no two answers can both pass.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, params, params_from_iter};
use timecredits_app::timebank::{
    Acceptance, Listing, ListingId, ListingQuery, Mailbox, Proposal, ProposalId, ProposalQuery,
    Refusing, TimebankStore,
};
use timecredits_app::{MemberId, PostError, StoreError, StoreResult, UserId};
use timecredits_domain::timebank::{
    Answer, ExchangeDirection, ListingKind, ListingStatus, ProposalStatus, check_answer, place_key,
};
use timecredits_ledger::{Outcome, ProgrammeId, TransferId};

use crate::codec::{blob, get, micros, opt_uuid, time, uuid};
use crate::{SqliteStore, internal};

const LISTING_COLUMNS: &str = "l.id, l.programme_id, l.member_id, m.display_name AS author_name, l.kind, l.category, l.title, l.description, l.place, l.status, l.created_at, l.closed_by, l.closed_at";

const PROPOSAL_COLUMNS: &str = "id, programme_id, proposer_id, counterparty_id, direction, minutes, note, listing_id, created_at, expires_at, status, answered_by, answered_at, decline_reason, transfer_id";

fn corrupt(what: &str, raw: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {raw:?}"))
}

fn opt_time(row: &Row, col: &str) -> StoreResult<Option<DateTime<Utc>>> {
    get::<Option<i64>>(row, col)?.map(time).transpose()
}

fn listing(row: &Row) -> StoreResult<Listing> {
    let kind: String = get(row, "kind")?;
    let status: String = get(row, "status")?;
    Ok(Listing {
        id: ListingId(uuid(row, "id")?),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        author: MemberId(uuid(row, "member_id")?),
        author_name: get(row, "author_name")?,
        kind: ListingKind::parse(&kind).ok_or_else(|| corrupt("listing kind", &kind))?,
        category: get(row, "category")?,
        title: get(row, "title")?,
        description: get(row, "description")?,
        place: get(row, "place")?,
        status: ListingStatus::parse(&status).ok_or_else(|| corrupt("listing status", &status))?,
        created_at: time(get(row, "created_at")?)?,
        closed_by: opt_uuid(row, "closed_by")?.map(UserId),
        closed_at: opt_time(row, "closed_at")?,
    })
}

fn proposal(row: &Row) -> StoreResult<Proposal> {
    let direction: String = get(row, "direction")?;
    let status: String = get(row, "status")?;
    let status = ProposalStatus::parse(&status)
        .filter(|s| *s != ProposalStatus::Expired)
        .ok_or_else(|| corrupt("proposal status", &status))?;
    Ok(Proposal {
        id: ProposalId(uuid(row, "id")?),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        proposer: MemberId(uuid(row, "proposer_id")?),
        counterparty: MemberId(uuid(row, "counterparty_id")?),
        direction: ExchangeDirection::parse(&direction)
            .ok_or_else(|| corrupt("exchange direction", &direction))?,
        minutes: get(row, "minutes")?,
        note: get(row, "note")?,
        listing: opt_uuid(row, "listing_id")?.map(ListingId),
        created_at: time(get(row, "created_at")?)?,
        expires_at: time(get(row, "expires_at")?)?,
        status,
        answered_by: opt_uuid(row, "answered_by")?.map(UserId),
        answered_at: opt_time(row, "answered_at")?,
        decline_reason: get(row, "decline_reason")?,
        transfer: opt_uuid(row, "transfer_id")?.map(TransferId),
    })
}

fn read_listing(c: &Connection, id: ListingId) -> StoreResult<Option<Listing>> {
    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT {LISTING_COLUMNS} FROM timebank_listings l JOIN members m ON m.id = l.member_id WHERE l.id = ?1"
        ))
        .map_err(internal)?;
    let mut rows = stmt.query([blob(id.0)]).map_err(internal)?;
    rows.next().map_err(internal)?.map(listing).transpose()
}

fn read_proposal(c: &Connection, id: ProposalId) -> StoreResult<Option<Proposal>> {
    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT {PROPOSAL_COLUMNS} FROM timebank_proposals WHERE id = ?1"
        ))
        .map_err(internal)?;
    let mut rows = stmt.query([blob(id.0)]).map_err(internal)?;
    rows.next().map_err(internal)?.map(proposal).transpose()
}

/// The proposal inside a write, or NotFound-like corruption if it vanished
/// (proposals are never deleted, so it cannot).
fn locked_proposal(c: &Connection, id: ProposalId) -> Result<Proposal, PostError> {
    read_proposal(c, id)?
        .ok_or_else(|| StoreError::Corrupt(format!("proposal {id} is missing")).into())
}

fn bytes(id: uuid::Uuid) -> Value {
    Value::Blob(blob(id).to_vec())
}

#[async_trait]
impl TimebankStore for SqliteStore {
    async fn create_timebank_listing(&self, l: &Listing) -> StoreResult<()> {
        let l = l.clone();
        self.write(move |c| {
            c.execute(
                "INSERT INTO timebank_listings (id, programme_id, member_id, kind, category, title, description, place, place_key, status, created_at, closed_by, closed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    blob(l.id.0),
                    blob(l.programme.0),
                    blob(l.author.0),
                    l.kind.as_str(),
                    l.category,
                    l.title,
                    l.description,
                    l.place,
                    place_key(&l.place),
                    l.status.as_str(),
                    micros(l.created_at),
                    l.closed_by.map(|u| blob(u.0)),
                    l.closed_at.map(micros),
                ],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn timebank_listing(&self, id: ListingId) -> StoreResult<Option<Listing>> {
        self.read(move |c| read_listing(c, id)).await
    }

    async fn close_timebank_listing(
        &self,
        id: ListingId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.write(move |c| {
            let changed = c
                .execute(
                    "UPDATE timebank_listings SET status = 'closed', closed_by = ?2, closed_at = ?3 WHERE id = ?1 AND status = 'open'",
                    params![blob(id.0), blob(by.0), micros(at)],
                )
                .map_err(internal)?;
            Ok(changed == 1)
        })
        .await
    }

    async fn search_timebank_listings(&self, q: &ListingQuery) -> StoreResult<Vec<Listing>> {
        let q = q.clone();
        self.read(move |c| {
            let mut sql = format!(
                "SELECT {LISTING_COLUMNS} FROM timebank_listings l JOIN members m ON m.id = l.member_id WHERE l.programme_id = ?1"
            );
            let mut args: Vec<Value> = vec![bytes(q.programme.0)];
            let mut and = |clause: &str, value: Value| {
                args.push(value);
                sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
            };
            if let Some(author) = q.author {
                and(" AND l.member_id = ?", bytes(author.0));
            }
            if let Some(kind) = q.kind {
                and(" AND l.kind = ?", Value::Text(kind.as_str().into()));
            }
            if let Some(category) = &q.category {
                and(" AND l.category = ?", Value::Text(category.clone()));
            }
            if let Some(place) = &q.place_key {
                and(" AND instr(l.place_key, ?) > 0", Value::Text(place.clone()));
            }
            if let Some(status) = q.status {
                and(" AND l.status = ?", Value::Text(status.as_str().into()));
            }
            if let Some(before) = q.before {
                and(" AND l.id < ?", bytes(before.0));
            }
            and(" ORDER BY l.id DESC LIMIT ?", Value::Integer(i64::from(q.limit)));
            let mut stmt = c.prepare(&sql).map_err(internal)?;
            let mut rows = stmt.query(params_from_iter(args)).map_err(internal)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(internal)? {
                out.push(listing(row)?);
            }
            Ok(out)
        })
        .await
    }

    async fn create_exchange_proposal(&self, p: &Proposal) -> StoreResult<()> {
        let p = p.clone();
        self.write(move |c| {
            c.execute(
                &format!(
                    "INSERT INTO timebank_proposals ({PROPOSAL_COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
                ),
                params![
                    blob(p.id.0),
                    blob(p.programme.0),
                    blob(p.proposer.0),
                    blob(p.counterparty.0),
                    p.direction.as_str(),
                    p.minutes,
                    p.note,
                    p.listing.map(|l| blob(l.0)),
                    micros(p.created_at),
                    micros(p.expires_at),
                    p.status.as_str(),
                    p.answered_by.map(|u| blob(u.0)),
                    p.answered_at.map(micros),
                    p.decline_reason,
                    p.transfer.map(|t| blob(t.0)),
                ],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn exchange_proposal(&self, id: ProposalId) -> StoreResult<Option<Proposal>> {
        self.read(move |c| read_proposal(c, id)).await
    }

    async fn search_exchange_proposals(&self, q: &ProposalQuery) -> StoreResult<Vec<Proposal>> {
        let q = q.clone();
        self.read(move |c| {
            let mut sql = format!(
                "SELECT {PROPOSAL_COLUMNS} FROM timebank_proposals WHERE programme_id = ?1"
            );
            let mut args: Vec<Value> = vec![bytes(q.programme.0)];
            let mut and = |clause: &str, value: Value| {
                args.push(value);
                sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
            };
            match q.member {
                Some((m, Mailbox::Incoming)) => and(" AND counterparty_id = ?", bytes(m.0)),
                Some((m, Mailbox::Outgoing)) => and(" AND proposer_id = ?", bytes(m.0)),
                Some((m, Mailbox::Both)) => {
                    and(" AND (proposer_id = ? OR counterparty_id = ?)", bytes(m.0));
                }
                None => {}
            }
            let now = Value::Integer(micros(q.now));
            match q.status {
                Some(ProposalStatus::Open) => and(" AND status = 'open' AND expires_at > ?", now),
                Some(ProposalStatus::Expired) => {
                    and(" AND status = 'open' AND expires_at <= ?", now);
                }
                Some(answered) => and(" AND status = ?", Value::Text(answered.as_str().into())),
                None => {}
            }
            if let Some(before) = q.before {
                and(" AND id < ?", bytes(before.0));
            }
            and(
                " ORDER BY id DESC LIMIT ?",
                Value::Integer(i64::from(q.limit)),
            );
            let mut stmt = c.prepare(&sql).map_err(internal)?;
            let mut rows = stmt.query(params_from_iter(args)).map_err(internal)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(internal)? {
                out.push(proposal(row)?);
            }
            Ok(out)
        })
        .await
    }

    async fn accept_exchange_proposal(
        &self,
        a: Acceptance,
    ) -> Result<(Proposal, Outcome), PostError> {
        self.write(move |c| {
            let current = locked_proposal(c, a.proposal)?;
            let retry = current.status == ProposalStatus::Accepted
                && current.transfer == Some(a.posting.id);
            if !retry {
                check_answer(&current.state(), Answer::Accept, a.by.0, a.at)?;
            }
            let mut plan = crate::ledger::post(c, std::slice::from_ref(&a.posting), a.at)?;
            let outcome = plan.outcomes.remove(0);
            if !retry {
                c.execute(
                    "UPDATE timebank_proposals SET status = 'accepted', answered_by = ?2, answered_at = ?3, transfer_id = ?4 WHERE id = ?1 AND status = 'open'",
                    params![blob(a.proposal.0), blob(a.user.0), micros(a.at), blob(a.posting.id.0)],
                )
                .map_err(internal)?;
            }
            Ok((locked_proposal(c, a.proposal)?, outcome))
        })
        .await
    }

    async fn refuse_exchange_proposal(&self, r: Refusing) -> Result<Proposal, PostError> {
        self.write(move |c| {
            let current = locked_proposal(c, r.proposal)?;
            check_answer(&current.state(), r.answer, r.by.0, r.at)?;
            let status = match r.answer {
                Answer::Decline => ProposalStatus::Declined,
                Answer::Withdraw => ProposalStatus::Withdrawn,
                Answer::Accept => {
                    return Err(StoreError::Internal(
                        "an acceptance must go through accept_proposal".into(),
                    )
                    .into());
                }
            };
            c.execute(
                "UPDATE timebank_proposals SET status = ?2, answered_by = ?3, answered_at = ?4, decline_reason = ?5 WHERE id = ?1 AND status = 'open'",
                params![
                    blob(r.proposal.0),
                    status.as_str(),
                    blob(r.user.0),
                    micros(r.at),
                    r.reason,
                ],
            )
            .map_err(internal)?;
            locked_proposal(c, r.proposal)
        })
        .await
    }
}
