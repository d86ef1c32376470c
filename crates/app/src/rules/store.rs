//! What the rules use cases need from storage. Each backend implements
//! this trait in its own `rules` module.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use timecredits_domain::rules::RuleVersion;
use timecredits_ledger::ProgrammeId;

use crate::{StoreResult, UserId};

#[async_trait]
pub trait RulesStore: Send + Sync {
    /// Every version of the programme's rules, in any order.
    async fn rule_versions(&self, programme: ProgrammeId) -> StoreResult<Vec<RuleVersion>>;
    /// Records a new version, with who recorded it and when. Versions are
    /// never edited or deleted; a later version supersedes an earlier one.
    async fn add_rule_version(
        &self,
        programme: ProgrammeId,
        version: &RuleVersion,
        recorded_by: UserId,
        recorded_at: DateTime<Utc>,
    ) -> StoreResult<()>;
}
