//! Applying credit expiry: credits a member still holds that many months
//! after receiving them expire, oldest first (first in, first out).

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use timecredits_domain::rules::{expiry_cutoff, minutes_expiring};
use timecredits_ledger::{
    Cause, CauseKind, Minutes, Movement, PostingRequest, ProgrammeId, TransferId, TransferKind,
};
use uuid::Uuid;

use crate::{Actor, App, AppError, Member};

/// What one run of expiry did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpiryRun {
    /// The day before which credits received had expired; `None` when the
    /// programme's credits never expire.
    pub cutoff: Option<NaiveDate>,
    pub members_checked: usize,
    pub members_with_expiry: usize,
    pub minutes_expired: i64,
}

/// The transfer id for a member's expiry at a cutoff: the same on every
/// run, so running twice on a day never expires credits twice.
fn expiry_id(member: &Member, cutoff: NaiveDate) -> TransferId {
    let digest = Sha256::digest(format!("expiry:{}:{cutoff}", member.id).as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    TransferId(Uuid::new_v8(bytes))
}

impl App {
    /// Expires, for every member of the programme, the credits still held
    /// from before the cutoff that the rules in force today set. Managers
    /// run it (or the operator, from the CLI, with a manager's authority).
    pub async fn expire_credits(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
    ) -> Result<ExpiryRun, AppError> {
        let programme = self.programme(programme).await?;
        if !actor.manages(programme.id) {
            return Err(self.refusal_in(actor, programme.id).await);
        }
        let today = self.programme_today(&programme);
        let rules = self.rules_in_force(programme.id, today).await?;
        let Some(cutoff) = expiry_cutoff(rules.expiry, today) else {
            return Ok(ExpiryRun::default());
        };
        let mut run = ExpiryRun {
            cutoff: Some(cutoff),
            ..ExpiryRun::default()
        };
        for member in self.store.members(programme.id).await? {
            run.members_checked += 1;
            let (_, transfers) = self
                .store
                .account_transfers(member.account, None, None, u32::MAX)
                .await?;
            let inflows: Vec<(NaiveDate, i64)> = transfers
                .iter()
                .filter(|t| t.credit == member.account)
                .map(|t| (crate::rules::local_date(&programme, t.at), t.amount.get()))
                .collect();
            let outflows: i64 = transfers
                .iter()
                .filter(|t| t.debit == member.account)
                .map(|t| t.amount.get())
                .sum();
            let minutes = minutes_expiring(&inflows, outflows, cutoff);
            if minutes == 0 {
                continue;
            }
            let id = expiry_id(&member, cutoff);
            let request = PostingRequest {
                id,
                movement: Movement::Move {
                    kind: TransferKind::Expire,
                    debit: member.account,
                    credit: programme.expired_account,
                    amount: Minutes::for_transfer(minutes)?,
                },
                actor: actor.ledger_id(),
                reason: format!("Credits received before {cutoff} expired"),
                cause: Some(Cause {
                    kind: CauseKind::Expiry,
                    id: id.0,
                }),
            };
            let plan = self.store.post(vec![request], self.now()).await?;
            if plan.outcomes.iter().any(|o| o.is_new()) {
                run.members_with_expiry += 1;
                run.minutes_expired += minutes;
            }
        }
        tracing::info!(programme.id = %programme.id, minutes = run.minutes_expired, "credit expiry applied");
        Ok(run)
    }
}
