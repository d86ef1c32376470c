//! What the activities use cases need from storage. Each backend implements
//! this trait in its own `activities` module.
//!
//! Writes whose rules depend on what is stored (a full session, a waiting
//! list, a claim already decided, a duplicate or a daily cap) check those
//! rules inside the same transaction as the write, by asking the pure rules
//! in `timecredits_domain`, so concurrent requests cannot both pass.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use timecredits_domain::contribution as rules;
use timecredits_ledger::{
    AccountId, Movement, Outcome, Plan, PostingRequest, ProgrammeId, Transfer, TransferId,
    TransferKind,
};

use super::model::{
    Activity, ActivityFilter, ActivityId, Claim, ClaimFilter, ClaimId, Contribution,
    ContributionId, RegisterRecord, Session, SessionId, SignUp, SignUpCounts,
};
use crate::{Member, MemberId, PostError, StoreError, StoreResult, UserId};

/// What [`ActivityStore::attendees`] answers, from its two reads: each
/// sign-up, in the order given, with its member. Members are never
/// deleted, so a sign-up without one is a corrupt store.
pub fn pair_with_members(
    sign_ups: Vec<SignUp>,
    members: impl IntoIterator<Item = Member>,
) -> StoreResult<Vec<(SignUp, Member)>> {
    let mut members: HashMap<MemberId, Member> = members.into_iter().map(|m| (m.id, m)).collect();
    sign_ups
        .into_iter()
        .map(|s| {
            let member = members
                .remove(&s.member)
                .ok_or_else(|| StoreError::Corrupt(format!("sign-up {} has no member", s.id)))?;
            Ok((s, member))
        })
        .collect()
}

/// A contribution to record, with the daily cap of the rules in force on its date.
#[derive(Clone, Debug)]
pub struct NewContribution {
    pub record: Contribution,
    pub daily_cap_minutes: i64,
    /// The earning partner's account, when the rules in force on the
    /// contribution's date keep what partners receive to issue again
    /// (`PartnerReceipts::KeepToReissue`). Storage then issues the
    /// contribution from that account instead of the issuance account if,
    /// inside the write, the partner's holdings cover it whole (see
    /// [`ContributionBatch::postings_from_holdings`]).
    pub reissue_from: Option<AccountId>,
}

/// What else a batch of contributions does, besides issuing credits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchKind {
    /// Confirms a session's register (once per session).
    Register {
        session: SessionId,
        confirmed_by: UserId,
    },
    /// A coordinator records time directly.
    Direct,
    /// Confirms a member's pending claim.
    ConfirmClaim { claim: ClaimId, decided_by: UserId },
    /// Replaces `original`, which must not be corrected already.
    Correction { original: ContributionId },
}

/// Contributions and the postings that issue their credits, written in one
/// transaction. `key` is the request's idempotency key: a retry with the
/// same key and the same contributions answers with what was recorded.
///
/// Each contribution's issuance posting (id `record.transfer`) is built
/// debiting the programme's issuance account; storage swaps in the
/// partner's account for those its holdings cover, deciding against the
/// balance it reads inside the write.
#[derive(Clone, Debug)]
pub struct ContributionBatch {
    pub key: TransferId,
    pub programme: ProgrammeId,
    pub kind: BatchKind,
    pub contributions: Vec<NewContribution>,
    pub postings: Vec<PostingRequest>,
    pub at: DateTime<Utc>,
}

impl ContributionBatch {
    /// The partners' accounts the batch may issue from, in id order (the
    /// order to lock them in).
    pub fn reissue_accounts(&self) -> Vec<AccountId> {
        let mut accounts: Vec<AccountId> = self
            .contributions
            .iter()
            .filter_map(|c| c.reissue_from)
            .collect();
        accounts.sort();
        accounts.dedup();
        accounts
    }

    /// The batch's postings, with the issuance of each contribution whose
    /// partner keeps what it receives debited to the partner's account when
    /// `holdings` (the balances read inside the write; a missing one counts
    /// as empty) cover it whole. Contributions are served in the batch's
    /// order while the holdings last; a contribution is never split, so its
    /// `transfer` stays one posting. Whatever the holdings do not cover is
    /// issued new from the issuance account, as requested.
    pub fn postings_from_holdings(
        &self,
        holdings: &HashMap<AccountId, i64>,
    ) -> Vec<PostingRequest> {
        let mut left = holdings.clone();
        let mut postings = self.postings.clone();
        for new in &self.contributions {
            let Some(partner) = new.reissue_from else {
                continue;
            };
            let Some(posting) = postings.iter_mut().find(|p| p.id == new.record.transfer) else {
                continue;
            };
            if let Movement::Move {
                kind: TransferKind::Issue,
                debit,
                amount,
                ..
            } = &mut posting.movement
            {
                let held = left.entry(partner).or_insert(0);
                if let Some(rest) = rules::reissue_from_holdings(*held, amount.get()) {
                    *held = rest;
                    *debit = partner;
                }
            }
        }
        postings
    }

    /// What a retry answers: the contributions recorded under the key and
    /// the transfers stored for the batch's postings, as they were written
    /// (`stored` holds them, in any order). The debit of an issuance is
    /// the one chosen by the original write, so it is not compared: it may
    /// be the issuance account or the partner's account whatever the
    /// partner holds now. Everything else must be the same request.
    pub fn replayed(
        &self,
        mut contributions: Vec<Contribution>,
        stored: &[Transfer],
    ) -> Result<Recorded, PostError> {
        // Looked up by id, not searched for each of them: a retried import
        // holds thousands (each map keeps the first, as a search finds).
        let mut position = HashMap::with_capacity(self.contributions.len());
        let mut partner_of = HashMap::with_capacity(self.contributions.len());
        for (i, n) in self.contributions.iter().enumerate() {
            position.entry(n.record.id).or_insert(i);
            partner_of
                .entry(n.record.transfer)
                .or_insert(n.reissue_from);
        }
        let mut stored_by_id = HashMap::with_capacity(stored.len());
        for t in stored {
            stored_by_id.entry(t.id).or_insert(t);
        }
        // In the batch's order, as the original write answered.
        contributions.sort_by_key(|c| position.get(&c.id).copied().unwrap_or(usize::MAX));
        let mut outcomes = Vec::with_capacity(self.postings.len());
        for request in &self.postings {
            let t = stored_by_id.get(&request.id).copied().ok_or_else(|| {
                StoreError::Internal(format!(
                    "transfer {} of a recorded batch is missing",
                    request.id
                ))
            })?;
            let same = match request.movement {
                Movement::Move {
                    kind,
                    debit,
                    credit,
                    amount,
                } => {
                    let partner = partner_of.get(&request.id).copied().flatten();
                    t.reverses.is_none()
                        && t.kind == kind
                        && t.credit == credit
                        && t.amount == amount
                        && (t.debit == debit || Some(t.debit) == partner)
                }
                Movement::Reverse { original } => t.reverses == Some(original),
            };
            if !same || t.cause != request.cause {
                return Err(rules::idempotency_conflict().into());
            }
            outcomes.push(Outcome::Existing(t.clone()));
        }
        Ok(Recorded {
            contributions,
            plan: Plan {
                outcomes,
                balance_changes: Vec::new(),
            },
            replayed: true,
        })
    }
}

/// What a batch wrote (or, for a retry, had written).
#[derive(Clone, Debug)]
pub struct Recorded {
    pub contributions: Vec<Contribution>,
    pub plan: Plan,
    /// True when this was a retry of a batch already recorded.
    pub replayed: bool,
}

/// A member's minutes on one day, for the daily cap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DayMinutes {
    pub credited: i64,
    pub pending_claims: i64,
}

/// The result of a cancellation: the cancelled sign-up, and who got the
/// place it freed (if anyone was waiting).
#[derive(Clone, Debug)]
pub struct Cancellation {
    pub cancelled: SignUp,
    pub promoted: Option<SignUp>,
}

#[async_trait]
pub trait ActivityStore: Send + Sync {
    async fn create_activity(&self, activity: &Activity) -> StoreResult<()>;
    /// Replaces the details and `updated_at` of an existing activity.
    async fn update_activity(&self, activity: &Activity) -> StoreResult<()>;
    async fn activity(&self, id: ActivityId) -> StoreResult<Option<Activity>>;
    /// Activities matching the filter, in id order, after the cursor.
    async fn activities(&self, filter: &ActivityFilter) -> StoreResult<Vec<Activity>>;

    async fn create_activity_session(&self, session: &Session) -> StoreResult<()>;
    async fn activity_session(&self, id: SessionId) -> StoreResult<Option<Session>>;
    /// The activity's sessions starting at or after `from`, in start order,
    /// after the `(starts_at, id)` cursor.
    async fn activity_sessions(
        &self,
        activity: ActivityId,
        from: DateTime<Utc>,
        after: Option<(DateTime<Utc>, SessionId)>,
        limit: u32,
    ) -> StoreResult<Vec<Session>>;

    /// Signs a member up: a place while the session has room, the waiting
    /// list once it is full. Refuses a member already signed up. The
    /// capacity is checked inside the write.
    async fn sign_up(&self, sign_up: &SignUp) -> Result<SignUp, PostError>;
    /// Cancels the member's sign-up and, in the same transaction, gives the
    /// freed place to the first on the waiting list.
    async fn cancel_sign_up(
        &self,
        session: SessionId,
        member: MemberId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Cancellation, PostError>;
    /// The session's sign-ups that are not cancelled: places first, then the
    /// waiting list, each in sign-up order.
    async fn sign_ups(&self, session: SessionId) -> StoreResult<Vec<SignUp>>;
    /// The session's confirmed sign-ups in sign-up order, each with its
    /// member: what a register lists, in one read rather than one per
    /// attendee.
    async fn attendees(&self, session: SessionId) -> StoreResult<Vec<(SignUp, Member)>>;
    /// For each of these sessions that has live sign-ups, how many hold a
    /// place and how many wait: a page of sessions in one read.
    async fn sign_up_counts(
        &self,
        sessions: &[SessionId],
    ) -> StoreResult<HashMap<SessionId, SignUpCounts>>;
    async fn register(&self, session: SessionId) -> StoreResult<Option<RegisterRecord>>;
    /// A member's live sign-ups (places and waiting) to sessions starting
    /// at or after `from`, soonest first, at most `limit`.
    async fn member_sign_ups(
        &self,
        member: MemberId,
        from: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<SignUp>>;

    /// Records contributions and issues their credits in one transaction.
    async fn record_contributions(&self, batch: ContributionBatch) -> Result<Recorded, PostError>;
    async fn contribution(&self, id: ContributionId) -> StoreResult<Option<Contribution>>;
    /// Contributions recorded for a session (including superseded ones), in id order.
    async fn session_contributions(&self, session: SessionId) -> StoreResult<Vec<Contribution>>;

    /// What a member already has on one day: minutes credited (leaving out
    /// superseded contributions), and minutes in claims still pending.
    async fn minutes_on_day(&self, member: MemberId, date: NaiveDate) -> StoreResult<DayMinutes>;

    async fn create_claim(&self, claim: &Claim) -> StoreResult<()>;
    async fn claim(&self, id: ClaimId) -> StoreResult<Option<Claim>>;
    /// Claims matching the filter, newest first, after the cursor.
    async fn claims(&self, filter: &ClaimFilter) -> StoreResult<Vec<Claim>>;
    /// Rejects a pending claim with a reason the member sees.
    async fn reject_claim(
        &self,
        claim: ClaimId,
        by: UserId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<Claim, PostError>;
}
