//! What the recovery area needs from storage.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{ResetCodeId, ResetCodeRecord};
use crate::{StoreResult, UserId};

#[async_trait]
pub trait RecoveryStore: Send + Sync + 'static {
    /// Writes a new code and ends, as superseded, every code the person
    /// had that was still open, in one transaction: only the newest code
    /// a person was given can ever work.
    async fn create_reset_code(&self, code: &ResetCodeRecord) -> StoreResult<()>;

    /// The person's open code (not used, superseded or worn out by wrong
    /// tries), if it has not expired by `now`.
    async fn live_reset_code(
        &self,
        user: UserId,
        now: DateTime<Utc>,
        max_failed_attempts: u32,
    ) -> StoreResult<Option<ResetCodeRecord>>;

    /// Counts one wrong try against the code.
    async fn count_failed_reset_attempt(&self, code: ResetCodeId) -> StoreResult<()>;

    /// In one transaction: marks the code used (only if it was still open),
    /// replaces the password or PIN hash given, and ends every session and
    /// API token of the person. Returns false, changing nothing, when the
    /// code was no longer open (used by a request racing this one).
    async fn finish_reset(
        &self,
        code: ResetCodeId,
        user: UserId,
        now: DateTime<Utc>,
        password_hash: Option<&str>,
        pin_hash: Option<&str>,
    ) -> StoreResult<bool>;
}
