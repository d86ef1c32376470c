//! `SpendingStore` for PgStore: the spending area's tables.
//!
//! A redemption runs in one transaction: the offer's row is locked
//! (`FOR UPDATE`) before the retry check and the capacity count, so two
//! desks redeeming the last place cannot both pass, then the postings and
//! the record are written together. A refund locks its redemption's row
//! the same way. Lost races (unique violations, deadlocks) retry the whole
//! transaction, which then answers with what the winner wrote.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::postgres::{PgConnection, PgRow};
use timecredits_app::spending::{
    Offer, OfferFilter, OfferId, Redemption, RedemptionDraft, RedemptionId, RedemptionLine,
    RedemptionOutcome, Refund, RefundDraft, SpendingStore,
};
use timecredits_app::{
    MemberId, MemberNumber, OrganisationId, PostError, StoreError, StoreResult, UserId,
};
use timecredits_domain::Refusal;
use timecredits_domain::spending::{
    Audience, Capacity, CapacityPeriod, OfferStatus, OfferTerms, already_refunded,
    check_not_withdrawn, check_redeemable, decode_windows, encode_windows,
};
use timecredits_ledger::{BatchRejected, LedgerError, PostingRequest, ProgrammeId, TransferId};
use uuid::Uuid;

use crate::error::db_err;
use crate::{Attempt, PgStore, retrying};

macro_rules! offer_columns {
    () => {
        "id, programme_id, organisation_id, title, price_minutes, audience, capacity_limit, capacity_period, \
         off_peak, valid_from, valid_to, status, created_by, created_at, updated_by, updated_at, withdrawn_by, \
         withdrawn_at"
    };
}

macro_rules! redemption_columns {
    () => {
        "r.id, r.programme_id, r.organisation_id, r.offer_id, r.member_id, r.price_minutes, r.retire_transfer_id, \
         r.local_date, r.redeemed_by, r.redeemed_at, f.redeem_reversal_id, f.retire_reversal_id, f.refunded_by, \
         f.refunded_at, f.reason FROM redemptions r LEFT JOIN redemption_refunds f ON f.redemption_id = r.id"
    };
}

fn get<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(
    row: &'r PgRow,
    col: &str,
) -> StoreResult<T> {
    row.try_get(col).map_err(db_err)
}

fn corrupt(what: &str, raw: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {raw:?}"))
}

fn offer(row: &PgRow) -> StoreResult<Offer> {
    let audience: String = get(row, "audience")?;
    let status: String = get(row, "status")?;
    let limit: Option<i64> = get(row, "capacity_limit")?;
    let period: Option<String> = get(row, "capacity_period")?;
    let capacity = match (limit, period) {
        (Some(limit), Some(p)) => Some(Capacity {
            limit: u32::try_from(limit).map_err(|_| corrupt("capacity", &limit.to_string()))?,
            period: CapacityPeriod::parse(&p).ok_or_else(|| corrupt("capacity period", &p))?,
        }),
        _ => None,
    };
    let windows: String = get(row, "off_peak")?;
    Ok(Offer {
        id: OfferId(get(row, "id")?),
        programme: ProgrammeId(get(row, "programme_id")?),
        organisation: OrganisationId(get(row, "organisation_id")?),
        terms: OfferTerms {
            title: get(row, "title")?,
            price_minutes: get(row, "price_minutes")?,
            audience: Audience::parse(&audience).ok_or_else(|| corrupt("audience", &audience))?,
            capacity,
            off_peak: decode_windows(&windows).map_err(|e| StoreError::Corrupt(e.message))?,
            valid_from: get(row, "valid_from")?,
            valid_to: get(row, "valid_to")?,
        },
        status: OfferStatus::parse(&status).ok_or_else(|| corrupt("offer status", &status))?,
        created_by: UserId(get(row, "created_by")?),
        created_at: get(row, "created_at")?,
        updated_by: UserId(get(row, "updated_by")?),
        updated_at: get(row, "updated_at")?,
        withdrawn_by: get::<Option<Uuid>>(row, "withdrawn_by")?.map(UserId),
        withdrawn_at: get(row, "withdrawn_at")?,
    })
}

fn redemption(row: &PgRow) -> StoreResult<Redemption> {
    let id: Uuid = get(row, "id")?;
    let refund = match get::<Option<Uuid>>(row, "redeem_reversal_id")? {
        Some(reversal) => Some(Refund {
            redeem_reversal: TransferId(reversal),
            retire_reversal: get::<Option<Uuid>>(row, "retire_reversal_id")?.map(TransferId),
            refunded_by: UserId(get(row, "refunded_by")?),
            refunded_at: get(row, "refunded_at")?,
            reason: get(row, "reason")?,
        }),
        None => None,
    };
    Ok(Redemption {
        id: RedemptionId(id),
        programme: ProgrammeId(get(row, "programme_id")?),
        organisation: OrganisationId(get(row, "organisation_id")?),
        offer: OfferId(get(row, "offer_id")?),
        member: MemberId(get(row, "member_id")?),
        price_minutes: get(row, "price_minutes")?,
        redeem_transfer: TransferId(id),
        retire_transfer: get::<Option<Uuid>>(row, "retire_transfer_id")?.map(TransferId),
        local_date: get(row, "local_date")?,
        redeemed_by: UserId(get(row, "redeemed_by")?),
        redeemed_at: get(row, "redeemed_at")?,
        refund,
    })
}

fn member_number(value: i32) -> StoreResult<MemberNumber> {
    u32::try_from(value)
        .ok()
        .and_then(|v| MemberNumber::from_base(v / 10).filter(|n| n.value() == v))
        .ok_or_else(|| StoreError::Corrupt(format!("member number {value} does not check out")))
}

async fn redemption_by_id(
    conn: &mut PgConnection,
    id: RedemptionId,
) -> Result<Option<Redemption>, Attempt> {
    let row = sqlx::query(concat!(
        "SELECT ",
        redemption_columns!(),
        " WHERE r.id = $1"
    ))
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.as_ref().map(redemption).transpose()?)
}

async fn locked_offer(conn: &mut PgConnection, id: OfferId) -> Result<Offer, Attempt> {
    let row = sqlx::query(concat!(
        "SELECT ",
        offer_columns!(),
        " FROM offers WHERE id = $1 FOR UPDATE"
    ))
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::Internal(format!("offer {id} vanished")))?;
    Ok(offer(&row)?)
}

fn offer_changed() -> Refusal {
    Refusal::conflict(
        "offer_changed",
        "the offer's price changed while it was being redeemed; look at the offer again and redeem it with a new key",
    )
}

impl PgStore {
    async fn try_redeem(
        &self,
        draft: &RedemptionDraft,
        requests: &[PostingRequest],
        at: DateTime<Utc>,
    ) -> Result<RedemptionOutcome, Attempt> {
        let r = &draft.redemption;
        let mut tx = self.pool.begin().await?;
        // The offer's lock serialises every redemption of it, retries included.
        let offer = locked_offer(&mut tx, r.offer).await?;
        if let Some(existing) = redemption_by_id(&mut tx, r.id).await? {
            return if existing.offer == r.offer && existing.member == r.member {
                Ok(RedemptionOutcome {
                    redemption: existing,
                    new: false,
                })
            } else {
                Err(Attempt::Rejected(BatchRejected {
                    index: 0,
                    error: LedgerError::IdempotencyConflict(r.redeem_transfer),
                }))
            };
        }
        if offer.terms.price_minutes != r.price_minutes {
            return Err(offer_changed().into());
        }
        let redeemed = match offer.terms.capacity {
            Some(c) => {
                let (from, to) = c.period.bounds(draft.local_at.date());
                let n: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM redemptions r WHERE r.offer_id = $1 AND r.local_date >= $2 \
                     AND r.local_date < $3 AND NOT EXISTS (SELECT 1 FROM redemption_refunds f WHERE f.redemption_id = r.id)",
                )
                .bind(offer.id.0)
                .bind(from)
                .bind(to)
                .fetch_one(&mut *tx)
                .await?;
                u32::try_from(n).unwrap_or(u32::MAX)
            }
            None => 0,
        };
        check_redeemable(&offer.terms, offer.status, draft.local_at, redeemed)?;
        PgStore::plan_and_write(&mut tx, requests, at).await?;
        sqlx::query(
            "INSERT INTO redemptions (id, programme_id, organisation_id, offer_id, member_id, price_minutes, \
             retire_transfer_id, local_date, redeemed_by, redeemed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(r.id.0)
        .bind(r.programme.0)
        .bind(r.organisation.0)
        .bind(r.offer.0)
        .bind(r.member.0)
        .bind(r.price_minutes)
        .bind(r.retire_transfer.map(|t| t.0))
        .bind(r.local_date)
        .bind(r.redeemed_by.0)
        .bind(r.redeemed_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(RedemptionOutcome {
            redemption: r.clone(),
            new: true,
        })
    }

    async fn try_refund(
        &self,
        draft: &RefundDraft,
        requests: &[PostingRequest],
        at: DateTime<Utc>,
    ) -> Result<RedemptionOutcome, Attempt> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT 1 FROM redemptions WHERE id = $1 FOR UPDATE")
            .bind(draft.redemption.0)
            .fetch_optional(&mut *tx)
            .await?;
        let existing = redemption_by_id(&mut tx, draft.redemption)
            .await?
            .ok_or_else(|| {
                StoreError::Internal(format!("redemption {} vanished", draft.redemption))
            })?;
        if let Some(refund) = &existing.refund {
            return if refund.redeem_reversal == draft.refund.redeem_reversal {
                Ok(RedemptionOutcome {
                    redemption: existing,
                    new: false,
                })
            } else {
                Err(already_refunded().into())
            };
        }
        PgStore::plan_and_write(&mut tx, requests, at).await?;
        let f = &draft.refund;
        sqlx::query(
            "INSERT INTO redemption_refunds (redemption_id, redeem_reversal_id, retire_reversal_id, refunded_by, \
             refunded_at, reason) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(draft.redemption.0)
        .bind(f.redeem_reversal.0)
        .bind(f.retire_reversal.map(|t| t.0))
        .bind(f.refunded_by.0)
        .bind(f.refunded_at)
        .bind(&f.reason)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(RedemptionOutcome {
            redemption: Redemption {
                refund: Some(f.clone()),
                ..existing
            },
            new: true,
        })
    }

    async fn try_change_offer(&self, id: OfferId, change: &OfferChange) -> Result<Offer, Attempt> {
        let mut tx = self.pool.begin().await?;
        let current = locked_offer(&mut tx, id).await?;
        check_not_withdrawn(current.status)?;
        match change {
            OfferChange::Terms(t, by, at) => {
                sqlx::query(
                    "UPDATE offers SET title = $2, price_minutes = $3, audience = $4, capacity_limit = $5, \
                     capacity_period = $6, off_peak = $7, valid_from = $8, valid_to = $9, updated_by = $10, \
                     updated_at = $11 WHERE id = $1",
                )
                .bind(id.0)
                .bind(&t.title)
                .bind(t.price_minutes)
                .bind(t.audience.as_str())
                .bind(t.capacity.map(|c| i64::from(c.limit)))
                .bind(t.capacity.map(|c| c.period.as_str()))
                .bind(encode_windows(&t.off_peak))
                .bind(t.valid_from)
                .bind(t.valid_to)
                .bind(by.0)
                .bind(*at)
                .execute(&mut *tx)
                .await?;
            }
            OfferChange::Withdraw(by, at) => {
                sqlx::query(
                    "UPDATE offers SET status = 'withdrawn', withdrawn_by = $2, withdrawn_at = $3 WHERE id = $1",
                )
                .bind(id.0)
                .bind(by.0)
                .bind(*at)
                .execute(&mut *tx)
                .await?;
            }
        }
        let changed = locked_offer(&mut tx, id).await?;
        tx.commit().await?;
        Ok(changed)
    }
}

enum OfferChange {
    Terms(OfferTerms, UserId, DateTime<Utc>),
    Withdraw(UserId, DateTime<Utc>),
}

#[async_trait]
impl SpendingStore for PgStore {
    async fn create_spend_offer(&self, o: &Offer) -> StoreResult<()> {
        sqlx::query(concat!(
            "INSERT INTO offers (",
            offer_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        ))
        .bind(o.id.0)
        .bind(o.programme.0)
        .bind(o.organisation.0)
        .bind(&o.terms.title)
        .bind(o.terms.price_minutes)
        .bind(o.terms.audience.as_str())
        .bind(o.terms.capacity.map(|c| i64::from(c.limit)))
        .bind(o.terms.capacity.map(|c| c.period.as_str()))
        .bind(encode_windows(&o.terms.off_peak))
        .bind(o.terms.valid_from)
        .bind(o.terms.valid_to)
        .bind(o.status.as_str())
        .bind(o.created_by.0)
        .bind(o.created_at)
        .bind(o.updated_by.0)
        .bind(o.updated_at)
        .bind(o.withdrawn_by.map(|u| u.0))
        .bind(o.withdrawn_at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn spend_offer(&self, id: OfferId) -> StoreResult<Option<Offer>> {
        sqlx::query(concat!(
            "SELECT ",
            offer_columns!(),
            " FROM offers WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(offer)
        .transpose()
    }

    async fn spend_offers(&self, f: &OfferFilter) -> StoreResult<Vec<Offer>> {
        sqlx::query(concat!(
            "SELECT ",
            offer_columns!(),
            " FROM offers WHERE programme_id = $1 AND ($2::uuid IS NULL OR organisation_id = $2) \
             AND ($3::text IS NULL OR audience = $3) AND ($4::text IS NULL OR status = $4) \
             AND ($5::date IS NULL OR (valid_from <= $5 AND (valid_to IS NULL OR valid_to >= $5))) \
             AND ($6::uuid IS NULL OR id > $6) ORDER BY id LIMIT $7"
        ))
        .bind(f.programme.0)
        .bind(f.organisation.map(|o| o.0))
        .bind(f.audience.map(Audience::as_str))
        .bind(f.status.map(OfferStatus::as_str))
        .bind(f.available_on)
        .bind(f.after.map(|a| a.0))
        .bind(i64::from(f.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(offer)
        .collect()
    }

    async fn update_spend_offer_terms(
        &self,
        id: OfferId,
        terms: &OfferTerms,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Offer, PostError> {
        let change = OfferChange::Terms(terms.clone(), by, at);
        let change = &change;
        retrying(move || self.try_change_offer(id, change)).await
    }

    async fn withdraw_spend_offer(
        &self,
        id: OfferId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Offer, PostError> {
        let change = OfferChange::Withdraw(by, at);
        let change = &change;
        retrying(move || self.try_change_offer(id, change)).await
    }

    async fn redeem_offer(
        &self,
        draft: RedemptionDraft,
        requests: Vec<PostingRequest>,
        at: DateTime<Utc>,
    ) -> Result<RedemptionOutcome, PostError> {
        let (draft, requests) = (&draft, &requests);
        retrying(move || self.try_redeem(draft, requests, at)).await
    }

    async fn spend_redemption(&self, id: RedemptionId) -> StoreResult<Option<Redemption>> {
        sqlx::query(concat!(
            "SELECT ",
            redemption_columns!(),
            " WHERE r.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(redemption)
        .transpose()
    }

    async fn refund_redemption(
        &self,
        draft: RefundDraft,
        requests: Vec<PostingRequest>,
        at: DateTime<Utc>,
    ) -> Result<RedemptionOutcome, PostError> {
        let (draft, requests) = (&draft, &requests);
        retrying(move || self.try_refund(draft, requests, at)).await
    }

    async fn redemptions_on(
        &self,
        organisation: OrganisationId,
        on: NaiveDate,
        after: Option<RedemptionId>,
        limit: u32,
    ) -> StoreResult<Vec<RedemptionLine>> {
        let rows = sqlx::query(concat!(
            "SELECT m.display_name AS member_name, m.member_number, o.title AS offer_title, ",
            redemption_columns!(),
            " JOIN members m ON m.id = r.member_id JOIN offers o ON o.id = r.offer_id \
             WHERE r.organisation_id = $1 AND r.local_date = $2 \
             AND ($3::uuid IS NULL OR (r.redeemed_at, r.id) > (SELECT c.redeemed_at, c.id FROM redemptions c WHERE c.id = $3)) \
             ORDER BY r.redeemed_at, r.id LIMIT $4"
        ))
        .bind(organisation.0)
        .bind(on)
        .bind(after.map(|a| a.0))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(RedemptionLine {
                    redemption: redemption(row)?,
                    member_name: get(row, "member_name")?,
                    member_number: member_number(get(row, "member_number")?)?,
                    offer_title: get(row, "offer_title")?,
                })
            })
            .collect()
    }
}
