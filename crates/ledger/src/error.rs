//! Every reason the ledger refuses a request, each with a stable code.

use crate::{AccountId, TransferId};

/// Why the ledger refused a request. Each variant has a stable snake_case
/// [`code`](LedgerError::code) that the API returns, and a message that
/// says what was wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("the amount must be more than zero minutes (got {minutes})")]
    AmountNotPositive { minutes: i64 },
    #[error(
        "the amount of {minutes} minutes is larger than one transfer may move; split it or check for a typing mistake"
    )]
    AmountTooLarge { minutes: i64 },
    #[error("a transfer must move credits between two different accounts")]
    SameAccount,
    #[error("there is no account {0}; check the account id")]
    UnknownAccount(AccountId),
    #[error("account {0} is closed and cannot send or receive credits")]
    AccountClosed(AccountId),
    #[error(
        "account {account} holds {available_minutes} minutes, not enough for {requested_minutes}; nothing was moved"
    )]
    InsufficientCredits {
        account: AccountId,
        available_minutes: i64,
        requested_minutes: i64,
    },
    #[error(
        "the two accounts belong to different programmes; credits cannot move between programmes"
    )]
    ProgrammeMismatch,
    #[error("a {kind} transfer cannot move credits from a {from} account to a {to} account")]
    KindNotAllowed {
        kind: &'static str,
        from: &'static str,
        to: &'static str,
    },
    #[error("there is no transfer {0}; check the transfer id")]
    UnknownTransfer(TransferId),
    #[error("transfer {original} has already been reversed by {reversal}")]
    AlreadyReversed {
        original: TransferId,
        reversal: TransferId,
    },
    #[error(
        "transfer {0} is itself a reversal; post a new transfer instead of reversing a reversal"
    )]
    CannotReverseReversal(TransferId),
    #[error(
        "transfer id {0} was already used for a different request; choose a new id for a new request"
    )]
    IdempotencyConflict(TransferId),
    #[error(
        "the {what} {value:?} is not a valid id; ids are UUIDs such as 0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"
    )]
    MalformedId { what: &'static str, value: String },
    #[error("the reason is {len} characters long; keep it to {max}")]
    ReasonTooLong { len: usize, max: usize },
}

impl LedgerError {
    /// The stable machine-readable name of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AmountNotPositive { .. } => "amount_not_positive",
            Self::AmountTooLarge { .. } => "amount_too_large",
            Self::SameAccount => "same_account",
            Self::UnknownAccount(_) => "unknown_account",
            Self::AccountClosed(_) => "account_closed",
            Self::InsufficientCredits { .. } => "insufficient_credits",
            Self::ProgrammeMismatch => "programme_mismatch",
            Self::KindNotAllowed { .. } => "kind_not_allowed",
            Self::UnknownTransfer(_) => "unknown_transfer",
            Self::AlreadyReversed { .. } => "already_reversed",
            Self::CannotReverseReversal(_) => "cannot_reverse_reversal",
            Self::IdempotencyConflict(_) => "idempotency_conflict",
            Self::MalformedId { .. } => "malformed_id",
            Self::ReasonTooLong { .. } => "reason_too_long",
        }
    }
}
