//! The co-production rules of a Time Credits programme, beside the ledger.
//!
//! Like the ledger, this crate is pure: it does no IO, reads no clock and
//! creates no ids. Use cases in `timecredits-app` load what a rule needs,
//! ask it here, and store the answer.
//!
//! One hour given is one credit: nothing here has a rate, a multiplier or a
//! price per skill.

pub mod activity;
pub mod contribution;
pub mod directory;
mod refusal;
pub mod rules;
pub mod spending;
pub mod timebank;

pub use refusal::{Refusal, RefusalKind};
