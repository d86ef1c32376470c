//! Transfers: the one kind of ledger posting, and the requests that make them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{AccountId, ActorId, Minutes, ProgrammeId, TransferId};

/// What a transfer does, in the programme's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransferKind {
    /// Credits created for confirmed time given (or re-issued by a partner).
    Issue,
    /// A member spends credits at a spend partner.
    Redeem,
    /// A member or organisation gives credits away.
    Gift,
    /// One member pays another for time given (time banking).
    Exchange,
    /// Credits taken out of circulation by the programme.
    Retire,
    /// Credits that expired under the programme's rules.
    Expire,
    /// The exact undoing of an earlier transfer.
    Reverse,
}

impl TransferKind {
    pub const ALL: [TransferKind; 7] = [
        Self::Issue,
        Self::Redeem,
        Self::Gift,
        Self::Exchange,
        Self::Retire,
        Self::Expire,
        Self::Reverse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issue => "issue",
            Self::Redeem => "redeem",
            Self::Gift => "gift",
            Self::Exchange => "exchange",
            Self::Retire => "retire",
            Self::Expire => "expire",
            Self::Reverse => "reverse",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What kind of thing caused a transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CauseKind {
    Contribution,
    Redemption,
    Gift,
    Exchange,
    Note,
    Expiry,
    Retirement,
    Correction,
    Import,
}

impl CauseKind {
    pub const ALL: [CauseKind; 9] = [
        Self::Contribution,
        Self::Redemption,
        Self::Gift,
        Self::Exchange,
        Self::Note,
        Self::Expiry,
        Self::Retirement,
        Self::Correction,
        Self::Import,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contribution => "contribution",
            Self::Redemption => "redemption",
            Self::Gift => "gift",
            Self::Exchange => "exchange",
            Self::Note => "note",
            Self::Expiry => "expiry",
            Self::Retirement => "retirement",
            Self::Correction => "correction",
            Self::Import => "import",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The link from a transfer to the record that caused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cause {
    pub kind: CauseKind,
    pub id: Uuid,
}

/// What a request asks the ledger to move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Movement {
    /// Move `amount` from `debit` to `credit`.
    Move {
        kind: TransferKind,
        debit: AccountId,
        credit: AccountId,
        amount: Minutes,
    },
    /// Undo an earlier transfer exactly: same amount, accounts swapped.
    Reverse { original: TransferId },
}

/// A request to post one transfer. The id is chosen by the client and is
/// the idempotency key: a retry with the same body gets the original result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostingRequest {
    pub id: TransferId,
    pub movement: Movement,
    pub actor: ActorId,
    /// Why, in words a person reading the statement will understand.
    pub reason: String,
    pub cause: Option<Cause>,
}

/// A posted transfer: immutable once written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub id: TransferId,
    pub programme: ProgrammeId,
    pub kind: TransferKind,
    pub debit: AccountId,
    pub credit: AccountId,
    pub amount: Minutes,
    pub actor: ActorId,
    pub at: DateTime<Utc>,
    pub reason: String,
    pub cause: Option<Cause>,
    /// For a reversal, the transfer it undoes.
    pub reverses: Option<TransferId>,
}

impl Transfer {
    /// The change this transfer makes to `account`'s balance.
    pub fn delta_for(&self, account: AccountId) -> i64 {
        if account == self.credit {
            self.amount.get()
        } else if account == self.debit {
            -self.amount.get()
        } else {
            0
        }
    }

    /// Whether `request` is the same request that produced this transfer.
    /// Time is not part of the body: a retry arrives later.
    pub fn answers(&self, request: &PostingRequest) -> bool {
        let same_movement = match request.movement {
            Movement::Move {
                kind,
                debit,
                credit,
                amount,
            } => {
                self.reverses.is_none()
                    && kind == self.kind
                    && debit == self.debit
                    && credit == self.credit
                    && amount == self.amount
            }
            Movement::Reverse { original } => self.reverses == Some(original),
        };
        same_movement
            && self.id == request.id
            && self.actor == request.actor
            && self.reason == request.reason
            && self.cause == request.cause
    }
}
