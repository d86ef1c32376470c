//! What the spending use cases need from storage. Each backend implements
//! this trait in its own `spending` module.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use timecredits_domain::spending::OfferTerms;
use timecredits_ledger::PostingRequest;

use super::model::{
    Offer, OfferFilter, OfferId, Redemption, RedemptionDraft, RedemptionId, RedemptionLine,
    RedemptionOutcome, RefundDraft,
};
use crate::{OrganisationId, PostError, StoreResult, UserId};

#[async_trait]
pub trait SpendingStore: Send + Sync {
    async fn create_spend_offer(&self, offer: &Offer) -> StoreResult<()>;
    async fn spend_offer(&self, id: OfferId) -> StoreResult<Option<Offer>>;
    /// Offers matching the filter, in id order after `filter.after`, at most `filter.limit`.
    async fn spend_offers(&self, filter: &OfferFilter) -> StoreResult<Vec<Offer>>;
    /// Replaces the terms of an offer that is still active (checked in the
    /// same transaction as the write: `offer_withdrawn` otherwise).
    async fn update_spend_offer_terms(
        &self,
        id: OfferId,
        terms: &OfferTerms,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Offer, PostError>;
    /// Marks an active offer withdrawn, with who and when (`offer_withdrawn` if it already was).
    async fn withdraw_spend_offer(
        &self,
        id: OfferId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Offer, PostError>;

    /// In one transaction: answers a retry (a redemption with this id) with
    /// the stored record; otherwise locks the offer, checks it may be
    /// redeemed at `draft.local_at` against the redemptions already made in
    /// its capacity period (`timecredits_domain::spending::check_redeemable`),
    /// posts `requests` and writes the redemption.
    async fn redeem_offer(
        &self,
        draft: RedemptionDraft,
        requests: Vec<PostingRequest>,
        at: DateTime<Utc>,
    ) -> Result<RedemptionOutcome, PostError>;
    async fn spend_redemption(&self, id: RedemptionId) -> StoreResult<Option<Redemption>>;
    /// In one transaction: answers a retry (a refund with this reversal id)
    /// with the stored record, refuses a second refund, otherwise posts the
    /// reversals in `requests` and records the refund.
    async fn refund_redemption(
        &self,
        draft: RefundDraft,
        requests: Vec<PostingRequest>,
        at: DateTime<Utc>,
    ) -> Result<RedemptionOutcome, PostError>;
    /// The organisation's redemptions made on the programme-local `day`, in
    /// id order after `after`, at most `limit`.
    async fn redemptions_on(
        &self,
        organisation: OrganisationId,
        day: NaiveDate,
        after: Option<RedemptionId>,
        limit: u32,
    ) -> StoreResult<Vec<RedemptionLine>>;
}
