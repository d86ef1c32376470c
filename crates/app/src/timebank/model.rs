//! The time bank's records: listings in the directory and exchange proposals.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use timecredits_domain::timebank::{
    ExchangeDirection, ListingKind, ListingStatus, ProposalState, ProposalStatus,
};
use timecredits_ledger::{ProgrammeId, TransferId};
use uuid::Uuid;

use crate::{AppError, MemberId, UserId};

macro_rules! timebank_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
        impl FromStr for $name {
            type Err = AppError;
            fn from_str(s: &str) -> Result<Self, AppError> {
                Uuid::try_parse(s.trim())
                    .map(Self)
                    .map_err(|_| AppError::invalid("id", "is not a valid id"))
            }
        }
    };
}

timebank_id!(
    /// An offer or request in the time-bank directory.
    ListingId
);
timebank_id!(
    /// A proposed exchange between two members.
    ProposalId
);

/// "I can help with…" or "I need…", posted by a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub id: ListingId,
    pub programme: ProgrammeId,
    pub author: MemberId,
    /// The author's display name (read with the listing; not stored on it).
    pub author_name: String,
    pub kind: ListingKind,
    /// One of `timecredits_domain::directory::SKILL_CATEGORIES`.
    pub category: String,
    pub title: String,
    pub description: String,
    /// Free text: a village, town or area.
    pub place: String,
    pub status: ListingStatus,
    pub created_at: DateTime<Utc>,
    pub closed_by: Option<UserId>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A proposed exchange of time, and its answer once given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub id: ProposalId,
    pub programme: ProgrammeId,
    pub proposer: MemberId,
    /// The other party: the one who may accept or decline.
    pub counterparty: MemberId,
    pub direction: ExchangeDirection,
    pub minutes: i64,
    pub note: String,
    pub listing: Option<ListingId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// As stored: open, accepted, declined or withdrawn (never expired;
    /// see [`Proposal::status_at`]).
    pub status: ProposalStatus,
    pub answered_by: Option<UserId>,
    pub answered_at: Option<DateTime<Utc>>,
    pub decline_reason: Option<String>,
    /// The Exchange transfer that paid it, once accepted.
    pub transfer: Option<TransferId>,
}

impl Proposal {
    /// The member who gave the time, and is paid.
    pub fn helper(&self) -> MemberId {
        MemberId(
            self.direction
                .parties(self.proposer.0, self.counterparty.0)
                .helper,
        )
    }

    /// The member who was helped, and pays.
    pub fn helped(&self) -> MemberId {
        MemberId(
            self.direction
                .parties(self.proposer.0, self.counterparty.0)
                .helped,
        )
    }

    /// The status as shown at `now` (an open proposal past expiry is expired).
    pub fn status_at(&self, now: DateTime<Utc>) -> ProposalStatus {
        self.status.as_of(self.expires_at, now)
    }

    /// What the domain's answer check needs.
    pub fn state(&self) -> ProposalState {
        ProposalState {
            proposer: self.proposer.0,
            counterparty: self.counterparty.0,
            status: self.status,
            expires_at: self.expires_at,
        }
    }
}

/// One page of a list, and the cursor for the next page if there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<Uuid>,
}

/// Items per page unless the caller asks for another number.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The most items one page may hold.
pub const MAX_PAGE_SIZE: u32 = 200;

/// Checks a requested page size.
pub fn page_size(limit: Option<u32>) -> Result<u32, AppError> {
    match limit.unwrap_or(DEFAULT_PAGE_SIZE) {
        n @ 1..=MAX_PAGE_SIZE => Ok(n),
        _ => Err(AppError::invalid(
            "limit",
            format!("must be between 1 and {MAX_PAGE_SIZE}"),
        )),
    }
}

/// Builds a page from up to `limit + 1` items read newest first.
pub(crate) fn page<T>(mut items: Vec<T>, limit: u32, id: impl Fn(&T) -> Uuid) -> Page<T> {
    let limit = limit as usize;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(id)
    } else {
        None
    };
    Page { items, next_cursor }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_carry_a_cursor_only_when_more_remain() {
        let full = page(vec![5_u128, 4, 3], 2, |n| Uuid::from_u128(*n));
        assert_eq!(full.items, vec![5, 4]);
        assert_eq!(full.next_cursor, Some(Uuid::from_u128(4)));
        let last = page(vec![2_u128, 1], 2, |n| Uuid::from_u128(*n));
        assert_eq!(last.next_cursor, None);
        assert_eq!(page_size(None).expect("default"), 50);
        assert!(page_size(Some(0)).is_err());
        assert!(page_size(Some(201)).is_err());
    }
}
