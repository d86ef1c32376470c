//! `RulesStore` for PgStore: the versions of each programme's rules.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use timecredits_app::rules::RulesStore;
use timecredits_app::{StoreError, StoreResult, UserId};
use timecredits_domain::rules::{CreditExpiry, PartnerReceipts, ProgrammeRules, RuleVersion};
use timecredits_ledger::ProgrammeId;

use crate::PgStore;
use crate::error::db_err;

fn version(row: &sqlx::postgres::PgRow) -> StoreResult<RuleVersion> {
    let receipts: String = row.try_get("partner_receipts").map_err(db_err)?;
    let expiry: Option<i32> = row.try_get("expiry_months").map_err(db_err)?;
    Ok(RuleVersion {
        effective_from: row
            .try_get::<NaiveDate, _>("effective_from")
            .map_err(db_err)?,
        rules: ProgrammeRules {
            granularity_minutes: row.try_get("granularity_minutes").map_err(db_err)?,
            daily_cap_minutes: row.try_get("daily_cap_minutes").map_err(db_err)?,
            members_may_claim: row.try_get("members_may_claim").map_err(db_err)?,
            exchange_overdraft_minutes: row
                .try_get("exchange_overdraft_minutes")
                .map_err(db_err)?,
            expiry: expiry.map_or(CreditExpiry::Never, |m| {
                CreditExpiry::AfterMonths(m.unsigned_abs())
            }),
            partner_receipts: PartnerReceipts::parse(&receipts)
                .ok_or_else(|| StoreError::Corrupt(format!("partner receipts {receipts:?}")))?,
        },
    })
}

#[async_trait]
impl RulesStore for PgStore {
    async fn rule_versions(&self, programme: ProgrammeId) -> StoreResult<Vec<RuleVersion>> {
        sqlx::query(
            "SELECT * FROM programme_rule_versions WHERE programme_id = $1 ORDER BY effective_from",
        )
        .bind(programme.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(version)
        .collect()
    }

    async fn add_rule_version(
        &self,
        programme: ProgrammeId,
        v: &RuleVersion,
        recorded_by: UserId,
        recorded_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let expiry = match v.rules.expiry {
            CreditExpiry::Never => None,
            CreditExpiry::AfterMonths(m) => Some(i32::try_from(m).unwrap_or(i32::MAX)),
        };
        sqlx::query(
            "INSERT INTO programme_rule_versions (programme_id, effective_from, granularity_minutes, daily_cap_minutes, members_may_claim, exchange_overdraft_minutes, expiry_months, partner_receipts, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(programme.0)
        .bind(v.effective_from)
        .bind(v.rules.granularity_minutes)
        .bind(v.rules.daily_cap_minutes)
        .bind(v.rules.members_may_claim)
        .bind(v.rules.exchange_overdraft_minutes)
        .bind(expiry)
        .bind(v.rules.partner_receipts.as_str())
        .bind(recorded_by.0)
        .bind(recorded_at)
        .execute(&self.pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.code().as_deref() == Some("23505") => StoreError::Duplicate("rule version"),
            _ => db_err(e),
        })?;
        Ok(())
    }
}
