//! The Time Credits ledger: amounts, accounts, transfers and the rules that
//! never bend.
//!
//! This crate is the pure core. It does no IO, reads no clock and creates no
//! ids: timestamps and ids arrive as arguments. Storage backends load a
//! [`Snapshot`] of the accounts a batch touches, ask [`Snapshot::plan`] to
//! decide the batch, and write what it returns inside one transaction.

mod account;
mod amount;
pub mod circulation;
mod error;
mod ids;
pub mod memory;
mod plan;
mod statement;
mod transfer;
mod verify;

pub use account::{Account, AccountKind, AccountState, AccountStatus, Floor};
pub use amount::{MAX_TRANSFER_MINUTES, MINUTES_PER_CREDIT, Minutes};
pub use error::LedgerError;
pub use ids::{AccountId, ActorId, ProgrammeId, TransferId};
pub use plan::{BatchRejected, Outcome, Plan, Snapshot};
pub use statement::{StatementLine, running_statement};
pub use transfer::{Cause, CauseKind, Movement, PostingRequest, Transfer, TransferKind};
pub use verify::{BalanceMismatch, Verifier, VerifyReport};
