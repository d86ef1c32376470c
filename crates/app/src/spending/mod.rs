//! Spend partners' offers, redemptions at the desk, refunds, and gifts to and from community pots.

mod store;

pub use store::SpendingStore;
