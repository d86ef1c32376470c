//! Redeeming an offer at the desk, refunding a redemption, and the desk's
//! list of today's redemptions.
//!
//! A redemption debits the member and credits the partner in one atomic
//! batch with its record, within the offer's capacity. When the rules in
//! force retire what partners receive, the same batch retires it from the
//! partner's account. A refund reverses those postings, the retire first,
//! so no balance ever dips below zero on the way.

use timecredits_domain::rules::PartnerReceipts;
use timecredits_domain::spending::{already_refunded, check_refund_reason};
use timecredits_ledger::{
    ActorId, Cause, CauseKind, Minutes, Movement, PostingRequest, TransferId, TransferKind,
};

use super::model::{
    Page, Redemption, RedemptionDraft, RedemptionId, RedemptionLine, RedemptionOutcome, Refund,
    RefundDraft,
};
use super::{MemberLookup, OfferId, bad_cursor, derived_transfer_id, page, page_limit};
use crate::{Actor, App, AppError, OrganisationId};

/// Desk staff redeem an offer for a member. `id` is the Idempotency-Key and
/// becomes the redemption's id and its redeem posting's id.
#[derive(Clone, Debug)]
pub struct RedeemOfferRequest {
    pub id: TransferId,
    pub offer: OfferId,
    pub member: MemberLookup,
}

/// Desk staff or a manager refund a redemption. `id` is the Idempotency-Key
/// and becomes the id of the redeem posting's reversal.
#[derive(Clone, Debug)]
pub struct RefundRequest {
    pub id: TransferId,
    pub redemption: RedemptionId,
    pub reason: String,
}

fn cause(redemption: RedemptionId) -> Option<Cause> {
    Some(Cause {
        kind: CauseKind::Redemption,
        id: redemption.0,
    })
}

impl App {
    pub async fn redeem_offer(
        &self,
        actor: &Actor,
        req: RedeemOfferRequest,
    ) -> Result<RedemptionOutcome, AppError> {
        let offer = self
            .store
            .spend_offer(req.offer)
            .await?
            .ok_or(AppError::NotFound("offer"))?;
        let organisation = self
            .spending_organisation_record(offer.organisation)
            .await?;
        self.spending_check_desk(actor, &organisation, "offer")
            .await?;
        let programme = self.programme(offer.programme).await?;
        let member = self.spending_member_in(req.member, programme.id).await?;
        // A suspended partner or a member still waiting for approval cannot spend.
        self.check_organisation_may_spend(organisation.id).await?;
        self.check_member_may_take_part(member.id).await?;
        let local_at = self.spending_programme_local_now(&programme);
        let rules = self.rules_in_force(programme.id, local_at.date()).await?;
        let price = Minutes::for_transfer(offer.terms.price_minutes)?;
        let id = RedemptionId(req.id.0);
        let ledger_actor: ActorId = actor.ledger_id();
        let mut requests = vec![PostingRequest {
            id: req.id,
            movement: Movement::Move {
                kind: TransferKind::Redeem,
                debit: member.account,
                credit: organisation.account,
                amount: price,
            },
            actor: ledger_actor,
            reason: format!("{} at {}", offer.terms.title, organisation.name),
            cause: cause(id),
        }];
        let retire_transfer = match rules.partner_receipts {
            PartnerReceipts::Retire => {
                let retire = derived_transfer_id(req.id, "redemption-retire");
                requests.push(PostingRequest {
                    id: retire,
                    movement: Movement::Move {
                        kind: TransferKind::Retire,
                        debit: organisation.account,
                        credit: programme.retired_account,
                        amount: price,
                    },
                    actor: ledger_actor,
                    reason: format!("Retired on receipt: {}", offer.terms.title),
                    cause: cause(id),
                });
                Some(retire)
            }
            PartnerReceipts::KeepToReissue => None,
        };
        let draft = RedemptionDraft {
            redemption: Redemption {
                id,
                programme: programme.id,
                organisation: organisation.id,
                offer: offer.id,
                member: member.id,
                price_minutes: price.get(),
                redeem_transfer: req.id,
                retire_transfer,
                local_date: local_at.date(),
                redeemed_by: actor.user,
                redeemed_at: self.now(),
                refund: None,
            },
            local_at,
        };
        let outcome = self.store.redeem_offer(draft, requests, self.now()).await?;
        if outcome.new {
            tracing::info!(redemption.id = %outcome.redemption.id, offer.id = %offer.id, "offer redeemed");
        }
        Ok(outcome)
    }

    /// One redemption, for the desk of its organisation and the managers.
    pub async fn spend_redemption(
        &self,
        actor: &Actor,
        id: RedemptionId,
    ) -> Result<Redemption, AppError> {
        let redemption = self
            .store
            .spend_redemption(id)
            .await?
            .ok_or(AppError::NotFound("redemption"))?;
        let organisation = self
            .spending_organisation_record(redemption.organisation)
            .await?;
        self.spending_check_desk(actor, &organisation, "redemption")
            .await?;
        Ok(redemption)
    }

    pub async fn refund_redemption(
        &self,
        actor: &Actor,
        req: RefundRequest,
    ) -> Result<RedemptionOutcome, AppError> {
        let redemption = self.spend_redemption(actor, req.redemption).await?;
        let reason = check_refund_reason(&req.reason)?;
        if let Some(refund) = &redemption.refund {
            return if refund.redeem_reversal == req.id {
                Ok(RedemptionOutcome {
                    redemption,
                    new: false,
                })
            } else {
                Err(already_refunded().into())
            };
        }
        let ledger_actor = actor.ledger_id();
        let mut requests = Vec::with_capacity(2);
        // The retire is undone first: the partner's account gets the credits
        // back before they go back to the member.
        let retire_reversal = redemption.retire_transfer.map(|original| {
            let id = derived_transfer_id(req.id, "refund-retire-reversal");
            requests.push(PostingRequest {
                id,
                movement: Movement::Reverse { original },
                actor: ledger_actor,
                reason: format!("Refund: {reason}"),
                cause: cause(redemption.id),
            });
            id
        });
        requests.push(PostingRequest {
            id: req.id,
            movement: Movement::Reverse {
                original: redemption.redeem_transfer,
            },
            actor: ledger_actor,
            reason: format!("Refund: {reason}"),
            cause: cause(redemption.id),
        });
        let now = self.now();
        let draft = RefundDraft {
            redemption: redemption.id,
            refund: Refund {
                redeem_reversal: req.id,
                retire_reversal,
                refunded_by: actor.user,
                refunded_at: now,
                reason,
            },
        };
        let outcome = self.store.refund_redemption(draft, requests, now).await?;
        if outcome.new {
            tracing::info!(redemption.id = %redemption.id, "redemption refunded");
        }
        Ok(outcome)
    }

    /// The organisation's redemptions today (in the programme's time zone),
    /// oldest first, for its desk and the managers.
    pub async fn redemptions_today(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<RedemptionLine>, AppError> {
        let limit = page_limit(limit)?;
        let after = cursor
            .map(|c| c.parse::<RedemptionId>().map_err(|_| bad_cursor()))
            .transpose()?;
        let organisation = self.spending_organisation_record(organisation).await?;
        self.spending_check_desk(actor, &organisation, "organisation")
            .await?;
        let programme = self.programme(organisation.programme).await?;
        let today = self.programme_today(&programme);
        let lines = self
            .store
            .redemptions_on(organisation.id, today, after, limit + 1)
            .await?;
        Ok(page(lines, limit, |l: &RedemptionLine| {
            l.redemption.id.to_string()
        }))
    }
}
