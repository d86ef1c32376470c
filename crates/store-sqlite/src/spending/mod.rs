//! `SpendingStore` for SqliteStore: the spending area's tables.
//!
//! Redemptions and refunds run in one closure on the writer thread: the
//! retry check, the offer's rules and capacity, the postings and the record
//! are one atomic step, and the single writer serialises them.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, Row, params};
use timecredits_app::spending::{
    Offer, OfferFilter, OfferId, Redemption, RedemptionDraft, RedemptionId, RedemptionLine,
    RedemptionOutcome, Refund, RefundDraft, SpendingStore,
};
use timecredits_app::{
    MemberId, MemberNumber, OrganisationId, PostError, StoreError, StoreResult, UserId,
};
use timecredits_domain::spending::{
    Audience, Capacity, CapacityPeriod, OfferStatus, OfferTerms, check_not_withdrawn,
    check_redeemable, decode_windows, encode_windows,
};
use timecredits_ledger::{BatchRejected, LedgerError, ProgrammeId, TransferId};

use crate::codec::{blob, get, micros, opt_uuid, time, uuid};
use crate::{SqliteStore, internal};

const DAY: &str = "%Y-%m-%d";

fn day_text(d: NaiveDate) -> String {
    d.format(DAY).to_string()
}

fn day(row: &Row, col: &str) -> StoreResult<NaiveDate> {
    let text: String = get(row, col)?;
    NaiveDate::parse_from_str(&text, DAY)
        .map_err(|_| StoreError::Corrupt(format!("{col} {text:?} is not a date")))
}

fn corrupt(what: &str, raw: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {raw:?}"))
}

const OFFER_COLUMNS: &str = "id, programme_id, organisation_id, title, price_minutes, audience, capacity_limit, capacity_period, off_peak, valid_from, valid_to, status, created_by, created_at, updated_by, updated_at, withdrawn_by, withdrawn_at";

fn offer(row: &Row) -> StoreResult<Offer> {
    let audience: String = get(row, "audience")?;
    let status: String = get(row, "status")?;
    let limit: Option<u32> = get(row, "capacity_limit")?;
    let period: Option<String> = get(row, "capacity_period")?;
    let capacity = match (limit, period) {
        (Some(limit), Some(p)) => Some(Capacity {
            limit,
            period: CapacityPeriod::parse(&p).ok_or_else(|| corrupt("capacity period", &p))?,
        }),
        _ => None,
    };
    let windows: String = get(row, "off_peak")?;
    let valid_to: Option<String> = get(row, "valid_to")?;
    Ok(Offer {
        id: OfferId(uuid(row, "id")?),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        organisation: OrganisationId(uuid(row, "organisation_id")?),
        terms: OfferTerms {
            title: get(row, "title")?,
            price_minutes: get(row, "price_minutes")?,
            audience: Audience::parse(&audience).ok_or_else(|| corrupt("audience", &audience))?,
            capacity,
            off_peak: decode_windows(&windows).map_err(|e| StoreError::Corrupt(e.message))?,
            valid_from: day(row, "valid_from")?,
            valid_to: valid_to
                .map(|t| NaiveDate::parse_from_str(&t, DAY).map_err(|_| corrupt("valid_to", &t)))
                .transpose()?,
        },
        status: OfferStatus::parse(&status).ok_or_else(|| corrupt("offer status", &status))?,
        created_by: UserId(uuid(row, "created_by")?),
        created_at: time(get(row, "created_at")?)?,
        updated_by: UserId(uuid(row, "updated_by")?),
        updated_at: time(get(row, "updated_at")?)?,
        withdrawn_by: opt_uuid(row, "withdrawn_by")?.map(UserId),
        withdrawn_at: get::<Option<i64>>(row, "withdrawn_at")?
            .map(time)
            .transpose()?,
    })
}

fn offer_by_id(conn: &Connection, id: OfferId) -> StoreResult<Option<Offer>> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {OFFER_COLUMNS} FROM offers WHERE id = ?1"))
        .map_err(internal)?;
    let mut rows = stmt.query([blob(id.0)]).map_err(internal)?;
    match rows.next().map_err(internal)? {
        Some(row) => Ok(Some(offer(row)?)),
        None => Ok(None),
    }
}

fn existing_offer(conn: &Connection, id: OfferId) -> StoreResult<Offer> {
    offer_by_id(conn, id)?.ok_or_else(|| StoreError::Internal(format!("offer {id} vanished")))
}

const REDEMPTION_COLUMNS: &str = "r.id, r.programme_id, r.organisation_id, r.offer_id, r.member_id, r.price_minutes, r.retire_transfer_id, r.local_date, r.redeemed_by, r.redeemed_at, f.redeem_reversal_id, f.retire_reversal_id, f.refunded_by, f.refunded_at, f.reason";
const REDEMPTION_FROM: &str =
    "redemptions r LEFT JOIN redemption_refunds f ON f.redemption_id = r.id";

fn redemption(row: &Row) -> StoreResult<Redemption> {
    let id = uuid(row, "id")?;
    let refund = match opt_uuid(row, "redeem_reversal_id")? {
        Some(reversal) => Some(Refund {
            redeem_reversal: TransferId(reversal),
            retire_reversal: opt_uuid(row, "retire_reversal_id")?.map(TransferId),
            refunded_by: UserId(uuid(row, "refunded_by")?),
            refunded_at: time(get(row, "refunded_at")?)?,
            reason: get(row, "reason")?,
        }),
        None => None,
    };
    Ok(Redemption {
        id: RedemptionId(id),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        organisation: OrganisationId(uuid(row, "organisation_id")?),
        offer: OfferId(uuid(row, "offer_id")?),
        member: MemberId(uuid(row, "member_id")?),
        price_minutes: get(row, "price_minutes")?,
        redeem_transfer: TransferId(id),
        retire_transfer: opt_uuid(row, "retire_transfer_id")?.map(TransferId),
        local_date: day(row, "local_date")?,
        redeemed_by: UserId(uuid(row, "redeemed_by")?),
        redeemed_at: time(get(row, "redeemed_at")?)?,
        refund,
    })
}

fn redemption_by_id(conn: &Connection, id: RedemptionId) -> StoreResult<Option<Redemption>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {REDEMPTION_COLUMNS} FROM {REDEMPTION_FROM} WHERE r.id = ?1"
        ))
        .map_err(internal)?;
    let mut rows = stmt.query([blob(id.0)]).map_err(internal)?;
    match rows.next().map_err(internal)? {
        Some(row) => Ok(Some(redemption(row)?)),
        None => Ok(None),
    }
}

/// Redemptions of the offer not refunded, made on days in `[from, to)`.
fn redeemed_between(
    conn: &Connection,
    offer: OfferId,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<u32> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT count(*) FROM redemptions r WHERE r.offer_id = ?1 AND r.local_date >= ?2 AND r.local_date < ?3
             AND NOT EXISTS (SELECT 1 FROM redemption_refunds f WHERE f.redemption_id = r.id)",
        )
        .map_err(internal)?;
    stmt.query_row(params![blob(offer.0), day_text(from), day_text(to)], |r| {
        r.get(0)
    })
    .map_err(internal)
}

fn conflict(id: TransferId) -> PostError {
    PostError::Rejected(BatchRejected {
        index: 0,
        error: LedgerError::IdempotencyConflict(id),
    })
}

fn redeem_in_transaction(
    conn: &Connection,
    draft: &RedemptionDraft,
    requests: &[timecredits_ledger::PostingRequest],
    at: DateTime<Utc>,
) -> Result<RedemptionOutcome, PostError> {
    let r = &draft.redemption;
    if let Some(existing) = redemption_by_id(conn, r.id)? {
        // A retry: the same key for the same offer and member is answered
        // with the original; anything else reused the key.
        return if existing.offer == r.offer && existing.member == r.member {
            Ok(RedemptionOutcome {
                redemption: existing,
                new: false,
            })
        } else {
            Err(conflict(r.redeem_transfer))
        };
    }
    let offer = existing_offer(conn, r.offer)?;
    if offer.terms.price_minutes != r.price_minutes {
        return Err(offer_changed());
    }
    let redeemed = match offer.terms.capacity {
        Some(c) => {
            let (from, to) = c.period.bounds(draft.local_at.date());
            redeemed_between(conn, offer.id, from, to)?
        }
        None => 0,
    };
    check_redeemable(&offer.terms, offer.status, draft.local_at, redeemed)?;
    crate::ledger::post(conn, requests, at)?;
    conn.execute(
        "INSERT INTO redemptions (id, programme_id, organisation_id, offer_id, member_id, price_minutes, retire_transfer_id, local_date, redeemed_by, redeemed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            blob(r.id.0),
            blob(r.programme.0),
            blob(r.organisation.0),
            blob(r.offer.0),
            blob(r.member.0),
            r.price_minutes,
            r.retire_transfer.map(|t| blob(t.0)),
            day_text(r.local_date),
            blob(r.redeemed_by.0),
            micros(r.redeemed_at),
        ],
    )
    .map_err(internal)?;
    Ok(RedemptionOutcome {
        redemption: r.clone(),
        new: true,
    })
}

pub(crate) fn offer_changed() -> PostError {
    PostError::Refused(timecredits_domain::Refusal::conflict(
        "offer_changed",
        "the offer's price changed while it was being redeemed; look at the offer again and redeem it with a new key",
    ))
}

fn refund_in_transaction(
    conn: &Connection,
    draft: &RefundDraft,
    requests: &[timecredits_ledger::PostingRequest],
    at: DateTime<Utc>,
) -> Result<RedemptionOutcome, PostError> {
    let existing = redemption_by_id(conn, draft.redemption)?
        .ok_or_else(|| StoreError::Internal(format!("redemption {} vanished", draft.redemption)))?;
    if let Some(refund) = &existing.refund {
        return if refund.redeem_reversal == draft.refund.redeem_reversal {
            Ok(RedemptionOutcome {
                redemption: existing,
                new: false,
            })
        } else {
            Err(PostError::Refused(
                timecredits_domain::spending::already_refunded(),
            ))
        };
    }
    crate::ledger::post(conn, requests, at)?;
    let f = &draft.refund;
    conn.execute(
        "INSERT INTO redemption_refunds (redemption_id, redeem_reversal_id, retire_reversal_id, refunded_by, refunded_at, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            blob(draft.redemption.0),
            blob(f.redeem_reversal.0),
            f.retire_reversal.map(|t| blob(t.0)),
            blob(f.refunded_by.0),
            micros(f.refunded_at),
            f.reason,
        ],
    )
    .map_err(internal)?;
    Ok(RedemptionOutcome {
        redemption: Redemption {
            refund: Some(f.clone()),
            ..existing
        },
        new: true,
    })
}

fn member_number(value: i64) -> StoreResult<MemberNumber> {
    u32::try_from(value)
        .ok()
        .and_then(|v| MemberNumber::from_base(v / 10).filter(|n| n.value() == v))
        .ok_or_else(|| StoreError::Corrupt(format!("member number {value} does not check out")))
}

#[async_trait]
impl SpendingStore for SqliteStore {
    async fn create_spend_offer(&self, o: &Offer) -> StoreResult<()> {
        let o = o.clone();
        self.write(move |c| {
            c.execute(
                &format!("INSERT INTO offers ({OFFER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"),
                params![
                    blob(o.id.0),
                    blob(o.programme.0),
                    blob(o.organisation.0),
                    o.terms.title,
                    o.terms.price_minutes,
                    o.terms.audience.as_str(),
                    o.terms.capacity.map(|c| c.limit),
                    o.terms.capacity.map(|c| c.period.as_str()),
                    encode_windows(&o.terms.off_peak),
                    day_text(o.terms.valid_from),
                    o.terms.valid_to.map(day_text),
                    o.status.as_str(),
                    blob(o.created_by.0),
                    micros(o.created_at),
                    blob(o.updated_by.0),
                    micros(o.updated_at),
                    o.withdrawn_by.map(|u| blob(u.0)),
                    o.withdrawn_at.map(micros),
                ],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn spend_offer(&self, id: OfferId) -> StoreResult<Option<Offer>> {
        self.read(move |c| offer_by_id(c, id)).await
    }

    async fn spend_offers(&self, f: &OfferFilter) -> StoreResult<Vec<Offer>> {
        let f = f.clone();
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {OFFER_COLUMNS} FROM offers WHERE programme_id = ?1
                     AND (?2 IS NULL OR organisation_id = ?2)
                     AND (?3 IS NULL OR audience = ?3)
                     AND (?4 IS NULL OR status = ?4)
                     AND (?5 IS NULL OR (valid_from <= ?5 AND (valid_to IS NULL OR valid_to >= ?5)))
                     AND (?6 IS NULL OR id > ?6)
                     ORDER BY id LIMIT ?7"
                ))
                .map_err(internal)?;
            let mut rows = stmt
                .query(params![
                    blob(f.programme.0),
                    f.organisation.map(|o| blob(o.0)),
                    f.audience.map(Audience::as_str),
                    f.status.map(OfferStatus::as_str),
                    f.available_on.map(day_text),
                    f.after.map(|a| blob(a.0)),
                    f.limit,
                ])
                .map_err(internal)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(internal)? {
                out.push(offer(row)?);
            }
            Ok(out)
        })
        .await
    }

    async fn update_spend_offer_terms(
        &self,
        id: OfferId,
        terms: &OfferTerms,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Offer, PostError> {
        let t = terms.clone();
        self.write(move |c| {
            let current = existing_offer(c, id)?;
            check_not_withdrawn(current.status)?;
            c.execute(
                "UPDATE offers SET title = ?2, price_minutes = ?3, audience = ?4, capacity_limit = ?5, capacity_period = ?6,
                 off_peak = ?7, valid_from = ?8, valid_to = ?9, updated_by = ?10, updated_at = ?11 WHERE id = ?1",
                params![
                    blob(id.0),
                    t.title,
                    t.price_minutes,
                    t.audience.as_str(),
                    t.capacity.map(|c| c.limit),
                    t.capacity.map(|c| c.period.as_str()),
                    encode_windows(&t.off_peak),
                    day_text(t.valid_from),
                    t.valid_to.map(day_text),
                    blob(by.0),
                    micros(at),
                ],
            )
            .map_err(internal)?;
            Ok(existing_offer(c, id)?)
        })
        .await
    }

    async fn withdraw_spend_offer(
        &self,
        id: OfferId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Offer, PostError> {
        self.write(move |c| {
            let current = existing_offer(c, id)?;
            check_not_withdrawn(current.status)?;
            c.execute(
                "UPDATE offers SET status = 'withdrawn', withdrawn_by = ?2, withdrawn_at = ?3 WHERE id = ?1",
                params![blob(id.0), blob(by.0), micros(at)],
            )
            .map_err(internal)?;
            Ok(existing_offer(c, id)?)
        })
        .await
    }

    async fn redeem_offer(
        &self,
        draft: RedemptionDraft,
        requests: Vec<timecredits_ledger::PostingRequest>,
        at: DateTime<Utc>,
    ) -> Result<RedemptionOutcome, PostError> {
        self.write(move |c| redeem_in_transaction(c, &draft, &requests, at))
            .await
    }

    async fn spend_redemption(&self, id: RedemptionId) -> StoreResult<Option<Redemption>> {
        self.read(move |c| redemption_by_id(c, id)).await
    }

    async fn refund_redemption(
        &self,
        draft: RefundDraft,
        requests: Vec<timecredits_ledger::PostingRequest>,
        at: DateTime<Utc>,
    ) -> Result<RedemptionOutcome, PostError> {
        self.write(move |c| refund_in_transaction(c, &draft, &requests, at))
            .await
    }

    async fn redemptions_on(
        &self,
        organisation: OrganisationId,
        on: NaiveDate,
        after: Option<RedemptionId>,
        limit: u32,
    ) -> StoreResult<Vec<RedemptionLine>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {REDEMPTION_COLUMNS}, m.display_name AS member_name, m.member_number, o.title AS offer_title
                     FROM {REDEMPTION_FROM} JOIN members m ON m.id = r.member_id JOIN offers o ON o.id = r.offer_id
                     WHERE r.organisation_id = ?1 AND r.local_date = ?2
                     AND (?3 IS NULL OR (r.redeemed_at, r.id) > (SELECT c.redeemed_at, c.id FROM redemptions c WHERE c.id = ?3))
                     ORDER BY r.redeemed_at, r.id LIMIT ?4"
                ))
                .map_err(internal)?;
            let mut rows = stmt
                .query(params![
                    blob(organisation.0),
                    day_text(on),
                    after.map(|a| blob(a.0)),
                    limit
                ])
                .map_err(internal)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(internal)? {
                out.push(RedemptionLine {
                    redemption: redemption(row)?,
                    member_name: get(row, "member_name")?,
                    member_number: member_number(get(row, "member_number")?)?,
                    offer_title: get(row, "offer_title")?,
                });
            }
            Ok(out)
        })
        .await
    }
}
