//! `BulkStore` for SqliteStore: whole-file imports in one writer job (so one
//! transaction: all of the file or none of it), and the id pages exports
//! read.
//!
//! The inserts mirror those of `directory::register_member` and
//! `directory::create_partner`, row for row, for many records at once.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, params, params_from_iter};
use timecredits_app::bulk::{BulkStore, ExportTable, NewPartnerRecord};
use timecredits_app::directory::NewMemberRecord;
use timecredits_app::{Member, MemberId, MemberNumber, StoreError, StoreResult};
use timecredits_domain::directory::{MemberStatus, Postcode};
use timecredits_ledger::{ProgrammeId, Transfer, TransferId};
use uuid::Uuid;

use crate::codec::{TRANSFER_COLUMNS, blob, get, micros, transfer, uuid};
use crate::{SqliteStore, internal};

use crate::directory::{duplicate, insert_accounts, insert_member};

fn insert_partner(c: &Connection, r: &NewPartnerRecord) -> StoreResult<()> {
    insert_accounts(c, &r.accounts)?;
    let o = &r.organisation;
    c.execute(
        "INSERT INTO organisations (id, programme_id, name, account_id, pot_account_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![blob(o.id.0), blob(o.programme.0), o.name, blob(o.account.0), blob(o.pot_account.0), micros(o.created_at)],
    )
    .map_err(duplicate)?;
    let d = &r.details;
    c.execute(
        "INSERT INTO organisation_details (organisation_id, kind, postcode, earns, spends, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            blob(o.id.0),
            d.kind.as_str(),
            d.postcode.as_ref().map(Postcode::as_str),
            d.roles.earn,
            d.roles.spend,
            d.status.as_str(),
        ],
    )
    .map_err(duplicate)?;
    for (i, contact) in d.contacts.iter().enumerate() {
        c.execute(
            "INSERT INTO organisation_contacts (organisation_id, position, name, email, phone) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![blob(o.id.0), i as i64, contact.name, contact.email, contact.phone],
        )
        .map_err(internal)?;
    }
    Ok(())
}

fn ids(
    c: &Connection,
    sql: &str,
    programme: ProgrammeId,
    after: Option<Uuid>,
    limit: u32,
) -> StoreResult<Vec<Uuid>> {
    let after = after.map(blob).unwrap_or([0; 16]);
    let mut stmt = c.prepare_cached(sql).map_err(internal)?;
    let mut rows = stmt
        .query(params![blob(programme.0), after, limit])
        .map_err(internal)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(internal)? {
        let bytes: Vec<u8> = row.get(0).map_err(internal)?;
        out.push(
            Uuid::from_slice(&bytes)
                .map_err(|_| StoreError::Corrupt("an id is not a UUID".into()))?,
        );
    }
    Ok(out)
}

/// The most values one `IN (...)` list binds: well under the smallest
/// limit SQLite builds have on bound parameters (999 before 3.32).
const IN_LIST_CHUNK: usize = 500;

/// `?,?,...` for `n` values, numbered from `first`.
fn marks(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn members_by_numbers(
    c: &Connection,
    numbers: &[MemberNumber],
) -> StoreResult<Vec<(Member, Option<MemberStatus>)>> {
    let mut out = Vec::with_capacity(numbers.len());
    for chunk in numbers.chunks(IN_LIST_CHUNK) {
        let sql = format!(
            "SELECT m.*, r.status AS registration_status FROM members m
             LEFT JOIN member_registrations r ON r.member_id = m.id
             WHERE m.member_number IN ({})",
            marks(1, chunk.len())
        );
        let mut stmt = c.prepare_cached(&sql).map_err(internal)?;
        let mut rows = stmt
            .query(params_from_iter(chunk.iter().map(|n| n.value())))
            .map_err(internal)?;
        while let Some(row) = rows.next().map_err(internal)? {
            let status: Option<String> = get(row, "registration_status")?;
            let status =
                match status {
                    None => None,
                    Some(s) => Some(MemberStatus::parse(&s).ok_or_else(|| {
                        StoreError::Corrupt(format!("unknown member status {s:?}"))
                    })?),
                };
            out.push((crate::store_impl::member(row)?, status));
        }
    }
    Ok(out)
}

fn credited_minutes_on(
    c: &Connection,
    days: &[(MemberId, NaiveDate)],
) -> StoreResult<HashMap<(MemberId, NaiveDate), i64>> {
    let mut out = HashMap::new();
    // Two parameters a pair, within the chunk's bound.
    for chunk in days.chunks(IN_LIST_CHUNK / 2) {
        // The same sum as `credited_minutes`, for each pair asked for; each
        // pair is one probe of the (member, day) index. CROSS JOIN fixes
        // that order: left to itself, SQLite's planner scans the whole
        // contributions table and probes the pairs instead.
        let pairs = (0..chunk.len())
            .map(|i| format!("(?{}, ?{})", 2 * i + 1, 2 * i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "WITH wanted(member_id, day) AS (VALUES {pairs})
             SELECT c.member_id, c.contribution_date, SUM(c.minutes) AS minutes
             FROM wanted w CROSS JOIN contributions c
             WHERE c.member_id = w.member_id AND c.contribution_date = w.day
               AND NOT EXISTS (SELECT 1 FROM contributions s WHERE s.corrects = c.id)
             GROUP BY c.member_id, c.contribution_date"
        );
        let mut stmt = c.prepare_cached(&sql).map_err(internal)?;
        let values = chunk.iter().flat_map(|(m, d)| {
            [
                Value::Blob(blob(m.0).to_vec()),
                Value::Text(d.format("%Y-%m-%d").to_string()),
            ]
        });
        let mut rows = stmt.query(params_from_iter(values)).map_err(internal)?;
        while let Some(row) = rows.next().map_err(internal)? {
            let date: String = get(row, "contribution_date")?;
            let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|_| {
                StoreError::Corrupt(format!("contribution date {date:?} is not a date"))
            })?;
            let minutes: i64 = get(row, "minutes")?;
            out.insert((MemberId(uuid(row, "member_id")?), date), minutes);
        }
    }
    Ok(out)
}

#[async_trait]
impl BulkStore for SqliteStore {
    async fn import_members(&self, records: Vec<NewMemberRecord>) -> StoreResult<()> {
        self.write(move |c| {
            for r in &records {
                insert_member(c, r)?;
            }
            Ok(())
        })
        .await
    }

    async fn import_partners(&self, records: Vec<NewPartnerRecord>) -> StoreResult<()> {
        self.write(move |c| {
            for r in &records {
                insert_partner(c, r)?;
            }
            Ok(())
        })
        .await
    }

    async fn credited_minutes(&self, member: MemberId, date: NaiveDate) -> StoreResult<i64> {
        self.read(move |c| {
            c.query_row(
                "SELECT COALESCE(SUM(minutes), 0) FROM contributions c
                 WHERE member_id = ?1 AND contribution_date = ?2
                   AND NOT EXISTS (SELECT 1 FROM contributions s WHERE s.corrects = c.id)",
                params![blob(member.0), date.format("%Y-%m-%d").to_string()],
                |r| r.get(0),
            )
            .map_err(internal)
        })
        .await
    }

    async fn members_by_numbers(
        &self,
        numbers: &[MemberNumber],
    ) -> StoreResult<Vec<(Member, Option<MemberStatus>)>> {
        let numbers = numbers.to_vec();
        self.read(move |c| members_by_numbers(c, &numbers)).await
    }

    async fn credited_minutes_on(
        &self,
        days: &[(MemberId, NaiveDate)],
    ) -> StoreResult<HashMap<(MemberId, NaiveDate), i64>> {
        // A pair asked for twice would be summed twice by the join.
        let mut days = days.to_vec();
        days.sort_unstable();
        days.dedup();
        self.read(move |c| credited_minutes_on(c, &days)).await
    }

    async fn export_ids(
        &self,
        table: ExportTable,
        programme: ProgrammeId,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<Uuid>> {
        let sql = match table {
            ExportTable::Members => {
                "SELECT id FROM members WHERE programme_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
            }
            ExportTable::Contributions => {
                "SELECT id FROM contributions WHERE programme_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
            }
            ExportTable::Redemptions => {
                "SELECT id FROM redemptions WHERE programme_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
            }
        };
        self.read(move |c| ids(c, sql, programme, after, limit))
            .await
    }

    async fn export_transfers(
        &self,
        programme: ProgrammeId,
        after: Option<TransferId>,
        limit: u32,
    ) -> StoreResult<Vec<Transfer>> {
        self.read(move |c| {
            let sql = format!(
                "SELECT {TRANSFER_COLUMNS} FROM transfers WHERE programme_id = ?1
                   AND seq > COALESCE((SELECT seq FROM transfers WHERE id = ?2), CASE WHEN ?2 IS NULL THEN 0 END)
                 ORDER BY seq LIMIT ?3"
            );
            let mut stmt = c.prepare_cached(&sql).map_err(internal)?;
            let mut rows = stmt
                .query(params![blob(programme.0), after.map(|a| blob(a.0)), limit])
                .map_err(internal)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(internal)? {
                out.push(transfer(row)?);
            }
            Ok(out)
        })
        .await
    }
}
