//! `BulkStore` for PgStore: whole-file imports in one transaction (all of
//! the file or none of it), and the id pages exports read.
//!
//! The inserts mirror those of `directory::register_member` and
//! `directory::create_partner`, row for row, for many records at once.

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::postgres::PgConnection;
use timecredits_app::bulk::{BulkStore, ExportTable, NewPartnerRecord};
use timecredits_app::directory::NewMemberRecord;
use timecredits_app::{MemberId, StoreResult};
use timecredits_domain::directory::Postcode;
use timecredits_ledger::{ProgrammeId, Transfer, TransferId};
use uuid::Uuid;

use crate::PgStore;
use crate::error::db_err;
use crate::rows::{self, transfer_columns};

async fn insert_member(c: &mut PgConnection, r: &NewMemberRecord) -> StoreResult<()> {
    if let Some(u) = &r.user {
        sqlx::query(
            "INSERT INTO users (id, email, display_name, password_hash, pin_hash, member_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(u.id.0)
        .bind(&u.email)
        .bind(&u.display_name)
        .bind(&u.password_hash)
        .bind(&u.pin_hash)
        .bind(u.member.map(|m| m.0))
        .bind(u.created_at)
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
    }
    PgStore::insert_accounts(&mut *c, std::slice::from_ref(&r.account)).await?;
    let m = &r.member;
    sqlx::query(
        "INSERT INTO members (id, programme_id, member_number, display_name, account_id, user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(m.id.0)
    .bind(m.programme.0)
    .bind(rows::member_number_to_db(m.number)?)
    .bind(&m.display_name)
    .bind(m.account.0)
    .bind(m.user.map(|u| u.0))
    .bind(m.created_at)
    .execute(&mut *c)
    .await
    .map_err(db_err)?;
    for g in &r.grants {
        let (kind, id) = rows::scope_to_db(g.scope);
        sqlx::query(
            "INSERT INTO role_grants (user_id, role, scope_kind, scope_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(g.user.0)
        .bind(g.role.as_str())
        .bind(kind)
        .bind(id)
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
    }
    let g = &r.registration;
    sqlx::query(
        "INSERT INTO member_registrations (member_id, programme_id, channel, organisation_id, registered_by, registered_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(m.id.0)
    .bind(g.programme.0)
    .bind(g.channel.as_str())
    .bind(g.organisation.map(|o| o.0))
    .bind(g.registered_by.map(|u| u.0))
    .bind(g.registered_at)
    .bind(g.status.as_str())
    .execute(&mut *c)
    .await
    .map_err(db_err)?;
    let p = &r.profile;
    sqlx::query(
        "INSERT INTO member_profiles (member_id, language, skills, skills_text, interests, interests_text, email, phone, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(m.id.0)
    .bind(p.language.as_str())
    .bind(p.skills.join(","))
    .bind(&p.skills_text)
    .bind(p.interests.join(","))
    .bind(&p.interests_text)
    .bind(&p.email)
    .bind(&p.phone)
    .bind(p.updated_by.map(|u| u.0))
    .bind(p.updated_at)
    .execute(&mut *c)
    .await
    .map_err(db_err)?;
    if let Some(link) = &r.membership {
        sqlx::query(
            "INSERT INTO member_organisations (member_id, organisation_id, joined_by, joined_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(link.member.0)
        .bind(link.organisation.0)
        .bind(link.joined_by.map(|u| u.0))
        .bind(link.joined_at)
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

async fn insert_partner(c: &mut PgConnection, r: &NewPartnerRecord) -> StoreResult<()> {
    PgStore::insert_accounts(&mut *c, &r.accounts).await?;
    let o = &r.organisation;
    sqlx::query(
        "INSERT INTO organisations (id, programme_id, name, account_id, pot_account_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(o.id.0)
    .bind(o.programme.0)
    .bind(&o.name)
    .bind(o.account.0)
    .bind(o.pot_account.0)
    .bind(o.created_at)
    .execute(&mut *c)
    .await
    .map_err(db_err)?;
    let d = &r.details;
    sqlx::query(
        "INSERT INTO organisation_details (organisation_id, kind, postcode, earns, spends, status)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(o.id.0)
    .bind(d.kind.as_str())
    .bind(d.postcode.as_ref().map(Postcode::as_str))
    .bind(d.roles.earn)
    .bind(d.roles.spend)
    .bind(d.status.as_str())
    .execute(&mut *c)
    .await
    .map_err(db_err)?;
    for (i, contact) in d.contacts.iter().enumerate() {
        sqlx::query(
            "INSERT INTO organisation_contacts (organisation_id, position, name, email, phone) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(o.id.0)
        .bind(i32::try_from(i).unwrap_or(i32::MAX))
        .bind(&contact.name)
        .bind(&contact.email)
        .bind(&contact.phone)
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

#[async_trait]
impl BulkStore for PgStore {
    async fn import_members(&self, records: Vec<NewMemberRecord>) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        for r in &records {
            insert_member(&mut tx, r).await?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn import_partners(&self, records: Vec<NewPartnerRecord>) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        for r in &records {
            insert_partner(&mut tx, r).await?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn credited_minutes(&self, member: MemberId, date: NaiveDate) -> StoreResult<i64> {
        sqlx::query_scalar(
            "SELECT COALESCE(SUM(minutes), 0)::bigint FROM contributions c
             WHERE member_id = $1 AND contribution_date = $2
               AND NOT EXISTS (SELECT 1 FROM contributions s WHERE s.corrects = c.id)",
        )
        .bind(member.0)
        .bind(date)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)
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
                "SELECT id FROM members WHERE programme_id = $1 AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3"
            }
            ExportTable::Contributions => {
                "SELECT id FROM contributions WHERE programme_id = $1 AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3"
            }
            ExportTable::Redemptions => {
                "SELECT id FROM redemptions WHERE programme_id = $1 AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3"
            }
        };
        sqlx::query_scalar(sql)
            .bind(programme.0)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn export_transfers(
        &self,
        programme: ProgrammeId,
        after: Option<TransferId>,
        limit: u32,
    ) -> StoreResult<Vec<Transfer>> {
        sqlx::query(concat!(
            "SELECT ",
            transfer_columns!(),
            " FROM transfers WHERE programme_id = $1 AND seq > \
             COALESCE((SELECT seq FROM transfers WHERE id = $2), CASE WHEN $2::uuid IS NULL THEN 0 END) \
             ORDER BY seq LIMIT $3"
        ))
        .bind(programme.0)
        .bind(after.map(|a| a.0))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(rows::transfer)
        .collect()
    }
}
