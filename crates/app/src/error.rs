//! The one error type of the application layer. Each variant has a stable
//! code; web and CLI map it to their own form in one place each.

use timecredits_domain::Refusal;
use timecredits_ledger::LedgerError;

use crate::{PostError, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The ledger refused the request; its code is the ledger error's name.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("{field} {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("no such {0}, or you may not see it")]
    NotFound(&'static str),
    #[error("sign in first")]
    Unauthenticated,
    #[error("the email, member number, password or PIN is not right; check them and try again")]
    BadCredentials,
    #[error("you are signed in, but your role does not allow this")]
    Forbidden,
    #[error("{0}")]
    Conflict(String),
    /// A co-production rule refused the request; its code names the rule.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Storage failed. The detail is logged, never shown to users.
    #[error("something went wrong on our side; nothing was changed, please try again")]
    Store(#[from] StoreError),
}

impl AppError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }

    /// The stable machine-readable name of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Ledger(e) => e.code(),
            Self::Invalid { .. } => "invalid_input",
            Self::NotFound(_) => "not_found",
            Self::Unauthenticated => "unauthenticated",
            Self::BadCredentials => "bad_credentials",
            Self::Forbidden => "forbidden",
            Self::Conflict(_) => "conflict",
            Self::Refused(r) => r.code,
            Self::Store(StoreError::Unavailable(_)) => "unavailable",
            Self::Store(_) => "internal",
        }
    }
}

impl From<PostError> for AppError {
    fn from(e: PostError) -> Self {
        match e {
            PostError::Rejected(r) => Self::Ledger(r.error),
            PostError::Refused(r) => Self::Refused(r),
            PostError::Store(s) => Self::Store(s),
        }
    }
}
