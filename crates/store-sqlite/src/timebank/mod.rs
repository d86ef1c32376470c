//! `TimebankStore` for SqliteStore: the timebank area's tables.

use async_trait::async_trait;
use timecredits_app::timebank::TimebankStore;

use crate::SqliteStore;

#[async_trait]
impl TimebankStore for SqliteStore {}
