//! `BulkStore` for SqliteStore: whole-file imports in one writer job (so one
//! transaction: all of the file or none of it), and the id pages exports
//! read.
//!
//! The inserts mirror those of `directory::register_member` and
//! `directory::create_partner`, row for row, for many records at once.

use async_trait::async_trait;
use chrono::NaiveDate;
use rusqlite::{Connection, ErrorCode, params};
use timecredits_app::bulk::{BulkStore, ExportTable, NewPartnerRecord};
use timecredits_app::directory::NewMemberRecord;
use timecredits_app::{MemberId, StoreError, StoreResult};
use timecredits_domain::directory::Postcode;
use timecredits_ledger::{Account, ProgrammeId, Transfer, TransferId};
use uuid::Uuid;

use crate::codec::{TRANSFER_COLUMNS, blob, floor_minutes, micros, transfer};
use crate::{SqliteStore, internal};

/// Maps a uniqueness violation to `Duplicate`, naming the member number or
/// the email by the constraint that failed.
fn duplicate(e: rusqlite::Error) -> StoreError {
    let text = e.to_string();
    match e.sqlite_error_code() {
        Some(ErrorCode::ConstraintViolation) if text.contains("UNIQUE") => {
            if text.contains("users.email") {
                StoreError::Duplicate("email")
            } else if text.contains("member_number") {
                StoreError::Duplicate("member number")
            } else {
                StoreError::Duplicate("record")
            }
        }
        _ => internal(e),
    }
}

fn insert_accounts(c: &Connection, accounts: &[Account]) -> StoreResult<()> {
    let mut stmt = c
        .prepare_cached(
            "INSERT INTO accounts (id, programme_id, kind, owner_id, status, floor_minutes, exchange_overdraft_minutes, balance_minutes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(internal)?;
    for a in accounts {
        let floor = floor_minutes(a);
        stmt.execute(params![
            blob(a.id.0),
            blob(a.programme.0),
            a.kind.as_str(),
            a.owner.map(blob),
            a.status.as_str(),
            floor,
            a.exchange_overdraft_minutes,
            floor.map(|_| 0i64),
        ])
        .map_err(duplicate)?;
    }
    Ok(())
}

fn insert_member(c: &Connection, r: &NewMemberRecord) -> StoreResult<()> {
    if let Some(u) = &r.user {
        c.execute(
            "INSERT INTO users (id, email, display_name, password_hash, pin_hash, member_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![blob(u.id.0), u.email, u.display_name, u.password_hash, u.pin_hash, u.member.map(|m| blob(m.0)), micros(u.created_at)],
        )
        .map_err(duplicate)?;
    }
    insert_accounts(c, std::slice::from_ref(&r.account))?;
    let m = &r.member;
    c.prepare_cached(
        "INSERT INTO members (id, programme_id, member_number, display_name, account_id, user_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut s| {
        s.execute(params![
            blob(m.id.0),
            blob(m.programme.0),
            m.number.value(),
            m.display_name,
            blob(m.account.0),
            m.user.map(|u| blob(u.0)),
            micros(m.created_at)
        ])
    })
    .map_err(duplicate)?;
    for g in &r.grants {
        let (kind, id) = match g.scope {
            timecredits_app::Scope::Platform => ("platform", Uuid::nil()),
            timecredits_app::Scope::Programme(p) => ("programme", p.0),
            timecredits_app::Scope::Organisation(o) => ("organisation", o.0),
        };
        c.execute(
            "INSERT OR IGNORE INTO role_grants (user_id, role, scope_kind, scope_id) VALUES (?1, ?2, ?3, ?4)",
            params![blob(g.user.0), g.role.as_str(), kind, blob(id)],
        )
        .map_err(internal)?;
    }
    let g = &r.registration;
    c.prepare_cached(
        "INSERT INTO member_registrations (member_id, programme_id, channel, organisation_id, registered_by, registered_at, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut s| {
        s.execute(params![
            blob(m.id.0),
            blob(g.programme.0),
            g.channel.as_str(),
            g.organisation.map(|o| blob(o.0)),
            g.registered_by.map(|u| blob(u.0)),
            micros(g.registered_at),
            g.status.as_str()
        ])
    })
    .map_err(internal)?;
    let p = &r.profile;
    c.prepare_cached(
        "INSERT INTO member_profiles (member_id, language, skills, skills_text, interests, interests_text, email, phone, updated_by, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .and_then(|mut s| {
        s.execute(params![
            blob(m.id.0),
            p.language.as_str(),
            p.skills.join(","),
            p.skills_text,
            p.interests.join(","),
            p.interests_text,
            p.email,
            p.phone,
            p.updated_by.map(|u| blob(u.0)),
            micros(p.updated_at),
        ])
    })
    .map_err(internal)?;
    if let Some(link) = &r.membership {
        c.execute(
            "INSERT INTO member_organisations (member_id, organisation_id, joined_by, joined_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                blob(link.member.0),
                blob(link.organisation.0),
                link.joined_by.map(|u| blob(u.0)),
                micros(link.joined_at),
            ],
        )
        .map_err(duplicate)?;
    }
    Ok(())
}

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
