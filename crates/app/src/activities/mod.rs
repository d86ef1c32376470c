//! Activities, sessions, sign-ups and the waiting list; contributions (register, claim, direct record) and their confirmation into credits.

mod store;

pub use store::ActivityStore;
