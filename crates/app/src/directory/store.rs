//! What the directory use cases need from storage. Each backend implements
//! this trait in its own `directory` module.

use async_trait::async_trait;
use timecredits_domain::directory::EarnPolicy;

use crate::{OrganisationId, StoreResult};

#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// The policy an earn partner has set, if any.
    async fn earn_policy(&self, organisation: OrganisationId) -> StoreResult<Option<EarnPolicy>>;
}
