//! `SpendingStore` for PgStore: the spending area's tables.

use async_trait::async_trait;
use timecredits_app::spending::SpendingStore;

use crate::PgStore;

#[async_trait]
impl SpendingStore for PgStore {}
