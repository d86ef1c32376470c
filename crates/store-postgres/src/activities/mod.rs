//! `ActivityStore` for PgStore: the activities area's tables.

use async_trait::async_trait;
use timecredits_app::activities::ActivityStore;

use crate::PgStore;

#[async_trait]
impl ActivityStore for PgStore {}
