//! The evaluation area: consent, evaluation profiles, places and
//! deprivation, survey instruments and their schedule. (Being built.)

mod store;

pub use store::EvaluationStore;
