//! `TimebankStore` for PgStore: the timebank area's tables.

use async_trait::async_trait;
use timecredits_app::timebank::TimebankStore;

use crate::PgStore;

#[async_trait]
impl TimebankStore for PgStore {}
