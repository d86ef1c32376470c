//! `RulesStore` for SqliteStore: the versions of each programme's rules.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;
use timecredits_app::rules::RulesStore;
use timecredits_app::{StoreError, StoreResult, UserId};
use timecredits_domain::rules::{CreditExpiry, PartnerReceipts, ProgrammeRules, RuleVersion};
use timecredits_ledger::ProgrammeId;

use crate::codec::{blob, get, micros};
use crate::{SqliteStore, internal};

fn version(row: &rusqlite::Row) -> StoreResult<RuleVersion> {
    let day: String = get(row, "effective_from")?;
    let receipts: String = get(row, "partner_receipts")?;
    let expiry: Option<u32> = get(row, "expiry_months")?;
    Ok(RuleVersion {
        effective_from: NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            .map_err(|_| StoreError::Corrupt(format!("rule date {day:?}")))?,
        rules: ProgrammeRules {
            granularity_minutes: get(row, "granularity_minutes")?,
            daily_cap_minutes: get(row, "daily_cap_minutes")?,
            members_may_claim: get(row, "members_may_claim")?,
            exchange_overdraft_minutes: get(row, "exchange_overdraft_minutes")?,
            expiry: expiry.map_or(CreditExpiry::Never, CreditExpiry::AfterMonths),
            partner_receipts: PartnerReceipts::parse(&receipts)
                .ok_or_else(|| StoreError::Corrupt(format!("partner receipts {receipts:?}")))?,
        },
    })
}

#[async_trait]
impl RulesStore for SqliteStore {
    async fn rule_versions(&self, programme: ProgrammeId) -> StoreResult<Vec<RuleVersion>> {
        self.read_point(move |c| {
            let mut stmt = c
                .prepare_cached("SELECT * FROM programme_rule_versions WHERE programme_id = ?1 ORDER BY effective_from")
                .map_err(internal)?;
            let mut rows = stmt.query([blob(programme.0)]).map_err(internal)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(internal)? {
                out.push(version(row)?);
            }
            Ok(out)
        })
        .await
    }

    async fn add_rule_version(
        &self,
        programme: ProgrammeId,
        v: &RuleVersion,
        recorded_by: UserId,
        recorded_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let v = *v;
        self.write(move |c| {
            let expiry = match v.rules.expiry {
                CreditExpiry::Never => None,
                CreditExpiry::AfterMonths(m) => Some(m),
            };
            c.execute(
                "INSERT INTO programme_rule_versions (programme_id, effective_from, granularity_minutes, daily_cap_minutes, members_may_claim, exchange_overdraft_minutes, expiry_months, partner_receipts, recorded_by, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    blob(programme.0),
                    v.effective_from.format("%Y-%m-%d").to_string(),
                    v.rules.granularity_minutes,
                    v.rules.daily_cap_minutes,
                    v.rules.members_may_claim,
                    v.rules.exchange_overdraft_minutes,
                    expiry,
                    v.rules.partner_receipts.as_str(),
                    blob(recorded_by.0),
                    micros(recorded_at),
                ],
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Duplicate("rule version"),
                _ => internal(e),
            })?;
            Ok(())
        })
        .await
    }
}
