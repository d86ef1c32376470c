//! Accounts and the balance limits that are their properties.

use uuid::Uuid;

use crate::{AccountId, ProgrammeId};

/// What an account is for. The kind decides which transfers may touch it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccountKind {
    /// A member's own credits.
    Member,
    /// An organisation's holdings: credits it received at its spend desk.
    Organisation,
    /// An organisation's community pot, filled by gifts.
    OrganisationPot,
    /// The programme's issuance account. Its negative balance is the
    /// credits in circulation.
    Issuance,
    /// Credits the programme has retired.
    Retired,
    /// Credits that expired under the programme's rules.
    Expired,
    /// The programme's own community pot.
    CommunityPot,
}

impl AccountKind {
    pub const ALL: [AccountKind; 7] = [
        Self::Member,
        Self::Organisation,
        Self::OrganisationPot,
        Self::Issuance,
        Self::Retired,
        Self::Expired,
        Self::CommunityPot,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Organisation => "organisation",
            Self::OrganisationPot => "organisation_pot",
            Self::Issuance => "issuance",
            Self::Retired => "retired",
            Self::Expired => "expired",
            Self::CommunityPot => "community_pot",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Accounts owned by the programme itself rather than a member or organisation.
    pub fn is_programme_owned(self) -> bool {
        matches!(
            self,
            Self::Issuance | Self::Retired | Self::Expired | Self::CommunityPot
        )
    }

    /// The limit an account of this kind gets unless told otherwise.
    pub fn default_floor(self) -> Floor {
        match self {
            Self::Issuance => Floor::Unbounded,
            _ => Floor::AtLeast(0),
        }
    }
}

/// How low a balance may go. Limits belong to the account, and are checked
/// atomically with each write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Floor {
    /// No lower limit (only the issuance account). Such balances are never
    /// read on the write path, so no hot row serialises issuance.
    Unbounded,
    /// The balance may not go below this many minutes.
    AtLeast(i64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountStatus {
    Open,
    Closed,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// An account as stored: who owns it and what limits it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub programme: ProgrammeId,
    pub kind: AccountKind,
    /// The member or organisation that owns it; `None` for programme accounts.
    pub owner: Option<Uuid>,
    pub status: AccountStatus,
    pub floor: Floor,
    /// How far below the floor an *exchange* may take this account. Only the
    /// programme's rules grant it, and only to member accounts.
    pub exchange_overdraft_minutes: i64,
}

impl Account {
    /// A new open account with the default limits for its kind.
    pub fn new(
        id: AccountId,
        programme: ProgrammeId,
        kind: AccountKind,
        owner: Option<Uuid>,
    ) -> Self {
        Self {
            id,
            programme,
            kind,
            owner,
            status: AccountStatus::Open,
            floor: kind.default_floor(),
            exchange_overdraft_minutes: 0,
        }
    }

    /// Whether the balance must be known on the write path.
    pub fn tracks_balance(&self) -> bool {
        matches!(self.floor, Floor::AtLeast(_))
    }
}

/// An account with its balance, as the planner needs it. `balance` is
/// `None` for unbounded accounts, whose balance the write path never reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountState {
    pub account: Account,
    pub balance_minutes: Option<i64>,
}
