//! `ActivityStore` for SqliteStore: the activities area's tables.

use async_trait::async_trait;
use timecredits_app::activities::ActivityStore;

use crate::SqliteStore;

#[async_trait]
impl ActivityStore for SqliteStore {}
