//! Time banking: members' offers and requests, and exchanges proposed, accepted or declined.

mod store;

pub use store::TimebankStore;
