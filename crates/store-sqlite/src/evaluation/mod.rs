//! `EvaluationStore` for SqliteStore.

use timecredits_app::evaluation::EvaluationStore;

use crate::SqliteStore;

impl EvaluationStore for SqliteStore {}
