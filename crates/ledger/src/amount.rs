//! Amounts: whole minutes, never fractions, never floating point.

use std::fmt;

use crate::LedgerError;

/// Sixty minutes given is one Time Credit, whatever the task or skill.
pub const MINUTES_PER_CREDIT: i64 = 60;

/// No single transfer may move more than this (a million hours). It keeps
/// sums far from `i64` overflow and catches typing mistakes.
pub const MAX_TRANSFER_MINUTES: i64 = 60_000_000;

/// A positive number of minutes that a transfer moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Minutes(i64);

impl Minutes {
    /// Parses an amount for a transfer: it must be positive and not absurdly large.
    pub fn for_transfer(minutes: i64) -> Result<Self, LedgerError> {
        if minutes <= 0 {
            return Err(LedgerError::AmountNotPositive { minutes });
        }
        if minutes > MAX_TRANSFER_MINUTES {
            return Err(LedgerError::AmountTooLarge { minutes });
        }
        Ok(Self(minutes))
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Minutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} min", self.0)
    }
}
