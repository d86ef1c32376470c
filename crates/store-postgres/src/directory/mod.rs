//! `DirectoryStore` for PgStore: organisations' and members' details.

use async_trait::async_trait;
use timecredits_app::directory::DirectoryStore;
use timecredits_app::{OrganisationId, StoreResult};
use timecredits_domain::directory::EarnPolicy;

use crate::PgStore;

#[async_trait]
impl DirectoryStore for PgStore {
    // Policies are not stored yet: every partner has the default policy
    // until the directory tables land (migration 0003).
    async fn earn_policy(&self, _organisation: OrganisationId) -> StoreResult<Option<EarnPolicy>> {
        Ok(None)
    }
}
