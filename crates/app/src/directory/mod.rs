//! Organisations and members: details, registration and approval, skills
//! and interests, memberships, and proxy actions.

mod store;

use timecredits_domain::directory::EarnPolicy;

pub use store::DirectoryStore;

use crate::{App, AppError, OrganisationId};

impl App {
    /// The earn partner's own policy (who confirms hours, whether members
    /// may claim), or the default policy if it has not set one.
    pub async fn earn_policy(&self, organisation: OrganisationId) -> Result<EarnPolicy, AppError> {
        Ok(self
            .store
            .earn_policy(organisation)
            .await?
            .unwrap_or_default())
    }
}
