//! `EvaluationStore` for PgStore.

use timecredits_app::evaluation::EvaluationStore;

use crate::PgStore;

impl EvaluationStore for PgStore {}
