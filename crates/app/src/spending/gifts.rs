//! Gifts to and from an organisation's community pot. Gifts between
//! members are `App::give_gift`.

use timecredits_ledger::{
    AccountId, Cause, CauseKind, Minutes, Movement, Outcome, PostingRequest, TransferId,
    TransferKind,
};

use super::MemberLookup;
use crate::{Actor, App, AppError, OrganisationId};

/// A member gives some of their credits to an organisation's community pot.
#[derive(Clone, Debug)]
pub struct PotGiftRequest {
    pub id: TransferId,
    pub organisation: OrganisationId,
    pub minutes: i64,
    pub reason: String,
}

/// An organisation gives credits from its community pot to a member.
#[derive(Clone, Debug)]
pub struct PotPayoutRequest {
    pub id: TransferId,
    pub organisation: OrganisationId,
    pub to: MemberLookup,
    pub minutes: i64,
    pub reason: String,
}

fn or_default(reason: String, default: impl FnOnce() -> String) -> String {
    if reason.trim().is_empty() {
        default()
    } else {
        reason.trim().to_owned()
    }
}

impl App {
    /// Posts a gift whose id is the request's idempotency key.
    async fn spending_post_gift(
        &self,
        actor: &Actor,
        id: TransferId,
        (debit, credit): (AccountId, AccountId),
        amount: Minutes,
        reason: String,
    ) -> Result<Outcome, AppError> {
        let request = PostingRequest {
            id,
            movement: Movement::Move {
                kind: TransferKind::Gift,
                debit,
                credit,
                amount,
            },
            actor: actor.ledger_id(),
            reason,
            cause: Some(Cause {
                kind: CauseKind::Gift,
                id: id.0,
            }),
        };
        let mut plan = self.store.post(vec![request], self.now()).await?;
        Ok(plan.outcomes.remove(0))
    }

    /// Only a member may give to a pot, and only to one of their own programme.
    pub async fn give_to_pot(
        &self,
        actor: &Actor,
        req: PotGiftRequest,
    ) -> Result<Outcome, AppError> {
        let member = actor.member.ok_or(AppError::Forbidden)?;
        let member = self
            .store
            .member(member)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let organisation = self
            .store
            .organisation(req.organisation)
            .await?
            .filter(|o| o.programme == member.programme)
            .ok_or(AppError::NotFound("organisation"))?;
        let amount = Minutes::for_transfer(req.minutes)?;
        let reason = or_default(req.reason, || {
            format!("Gift to the community pot of {}", organisation.name)
        });
        let accounts = (member.account, organisation.pot_account);
        let outcome = self
            .spending_post_gift(actor, req.id, accounts, amount, reason)
            .await?;
        if matches!(outcome, Outcome::Posted(_)) {
            self.log_if_done_for(actor, member.id, "give_to_pot")
                .await?;
        }
        Ok(outcome)
    }

    /// The organisation's coordinators or the programme's managers give from its pot.
    pub async fn give_from_pot(
        &self,
        actor: &Actor,
        req: PotPayoutRequest,
    ) -> Result<Outcome, AppError> {
        let organisation = self.spending_organisation_record(req.organisation).await?;
        if !(actor.coordinates(organisation.id) || actor.manages(organisation.programme)) {
            return Err(
                if self
                    .spending_takes_part_in(actor, organisation.programme)
                    .await?
                {
                    AppError::Forbidden
                } else {
                    AppError::NotFound("organisation")
                },
            );
        }
        let member = self
            .spending_member_in(req.to, organisation.programme)
            .await?;
        let amount = Minutes::for_transfer(req.minutes)?;
        let reason = or_default(req.reason, || {
            format!("Gift from the community pot of {}", organisation.name)
        });
        let accounts = (organisation.pot_account, member.account);
        self.spending_post_gift(actor, req.id, accounts, amount, reason)
            .await
    }
}
