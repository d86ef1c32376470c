//! `SpendingStore` for SqliteStore: the spending area's tables.

use async_trait::async_trait;
use timecredits_app::spending::SpendingStore;

use crate::SqliteStore;

#[async_trait]
impl SpendingStore for SqliteStore {}
