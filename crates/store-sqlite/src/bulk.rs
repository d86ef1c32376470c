//! `BulkStore` for SqliteStore: whole-file imports in one writer job (so one
//! transaction: all of the file or none of it), and the id pages exports
//! read.
//!
//! The inserts mirror those of `directory::register_member` and
//! `directory::create_partner`, row for row, for many records at once.

use async_trait::async_trait;
use chrono::NaiveDate;
use rusqlite::{Connection, params};
use timecredits_app::bulk::{BulkStore, ExportTable, NewPartnerRecord};
use timecredits_app::directory::NewMemberRecord;
use timecredits_app::{MemberId, StoreError, StoreResult};
use timecredits_domain::directory::Postcode;
use timecredits_ledger::{ProgrammeId, Transfer, TransferId};
use uuid::Uuid;

use crate::codec::{TRANSFER_COLUMNS, blob, micros, transfer};
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
