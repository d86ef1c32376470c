//! What the timebank use cases need from storage. Each backend implements
//! this trait in its own `timebank` module.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use timecredits_domain::timebank::{ListingKind, ListingStatus, ProposalStatus};
use timecredits_ledger::{Outcome, PostingRequest, ProgrammeId};

use super::{Listing, ListingId, Proposal, ProposalId};
use crate::{MemberId, PostError, StoreResult, UserId};

/// Which listings to read, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingQuery {
    pub programme: ProgrammeId,
    /// Only this member's listings.
    pub author: Option<MemberId>,
    pub kind: Option<ListingKind>,
    pub category: Option<String>,
    /// Listings whose place key (see `timebank::place_key`) contains this.
    pub place_key: Option<String>,
    pub status: Option<ListingStatus>,
    /// Only listings older than this one (the cursor).
    pub before: Option<ListingId>,
    pub limit: u32,
}

/// Whose side of a proposal a member is on, when listing a member's proposals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mailbox {
    /// Proposals made to the member, for them to answer.
    Incoming,
    /// Proposals the member made.
    Outgoing,
    Both,
}

impl Mailbox {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incoming => "incoming",
            Self::Outgoing => "outgoing",
            Self::Both => "all",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "incoming" => Some(Self::Incoming),
            "outgoing" => Some(Self::Outgoing),
            "all" => Some(Self::Both),
            _ => None,
        }
    }
}

/// Which proposals to read, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposalQuery {
    pub programme: ProgrammeId,
    /// Only proposals this member is a party to, on the mailbox's side.
    pub member: Option<(MemberId, Mailbox)>,
    /// As shown at `now`: `Open` excludes, and `Expired` selects, open
    /// proposals whose expiry has passed.
    pub status: Option<ProposalStatus>,
    pub now: DateTime<Utc>,
    /// Only proposals older than this one (the cursor).
    pub before: Option<ProposalId>,
    pub limit: u32,
}

/// Accepting a proposal: the answer and the Exchange transfer it pays.
#[derive(Clone, Debug)]
pub struct Acceptance {
    pub proposal: ProposalId,
    /// The member accepting (checked to be the other party).
    pub by: MemberId,
    pub user: UserId,
    /// The transfer from the one helped to the helper; its id is the
    /// request's idempotency key.
    pub posting: PostingRequest,
    pub at: DateTime<Utc>,
}

/// Declining or withdrawing a proposal.
#[derive(Clone, Debug)]
pub struct Refusing {
    pub proposal: ProposalId,
    /// `Decline` (by the other party) or `Withdraw` (by the proposer).
    pub answer: timecredits_domain::timebank::Answer,
    pub by: MemberId,
    pub user: UserId,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait TimebankStore: Send + Sync {
    async fn create_timebank_listing(&self, listing: &Listing) -> StoreResult<()>;
    /// The listing, with its author's display name.
    async fn timebank_listing(&self, id: ListingId) -> StoreResult<Option<Listing>>;
    /// Closes an open listing, recording who closed it and when. Returns
    /// false (and changes nothing) when it was already closed.
    async fn close_timebank_listing(
        &self,
        id: ListingId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// At most `limit` listings matching the query, newest first.
    async fn search_timebank_listings(&self, query: &ListingQuery) -> StoreResult<Vec<Listing>>;

    async fn create_exchange_proposal(&self, proposal: &Proposal) -> StoreResult<()>;
    async fn exchange_proposal(&self, id: ProposalId) -> StoreResult<Option<Proposal>>;
    /// At most `limit` proposals matching the query, newest first.
    async fn search_exchange_proposals(&self, query: &ProposalQuery) -> StoreResult<Vec<Proposal>>;
    /// In one transaction: checks (under lock) the proposal is open, not
    /// expired and `by` is its other party, marks it accepted and posts the
    /// transfer. A retry with the same transfer id of an acceptance already
    /// made returns the proposal and the original transfer (`Existing`).
    async fn accept_exchange_proposal(
        &self,
        acceptance: Acceptance,
    ) -> Result<(Proposal, Outcome), PostError>;
    /// In one transaction: checks (under lock) the answer is allowed, and
    /// records it with who, when and why.
    async fn refuse_exchange_proposal(&self, refusing: Refusing) -> Result<Proposal, PostError>;
}
