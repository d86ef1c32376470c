//! The application layer: every use case of the platform, shared by the web
//! pages, the JSON API and the CLI, so each business rule exists once.
//!
//! It reaches storage only through the [`Store`] trait and time only through
//! the [`Clock`] trait. It knows nothing of HTTP or SQL.

pub mod activities;
mod actor;
mod app;
pub mod bulk;
mod clock;
pub mod demo;
pub mod directory;
mod error;
pub mod evaluation;
pub mod fixtures;
mod identity;
mod ledger_ops;
mod model;
pub mod recovery;
mod report_cache;
pub mod rules;
mod setup;
pub mod spending;
mod store;
pub mod timebank;
pub mod workload;

pub use actor::Actor;
pub use app::App;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::AppError;
pub use identity::{
    LoginKind, NewSession, PASSWORD_MIN_CHARS, PIN_DIGITS, hash_secret, hash_token,
};
pub use ledger_ops::{CirculationReport, GiftRequest, ReverseRequest, Statement};
pub use model::*;
pub use setup::{NewMember, NewOrganisation, NewProgramme};
pub use store::{CoreStore, PostError, Store, StoreError, StoreResult};
