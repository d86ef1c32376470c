//! `BulkStore` for PgStore: whole-file imports in one transaction (all of
//! the file or none of it), and the id pages exports read.
//!
//! The inserts mirror those of `directory::register_member` and
//! `directory::create_partner`, row for row, for many records at once.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::postgres::PgConnection;
use timecredits_app::bulk::{BulkStore, ExportTable, NewPartnerRecord};
use timecredits_app::directory::NewMemberRecord;
use timecredits_app::{Member, MemberId, MemberNumber, StoreError, StoreResult};
use timecredits_domain::directory::{MemberStatus, Postcode};
use timecredits_ledger::{ProgrammeId, Transfer, TransferId};
use uuid::Uuid;

use crate::PgStore;
use crate::error::db_err;
use crate::rows::{self, transfer_columns};

use crate::directory::insert_member;

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

    async fn members_by_numbers(
        &self,
        numbers: &[MemberNumber],
    ) -> StoreResult<Vec<(Member, Option<MemberStatus>)>> {
        // One array parameter, so no limit on how many numbers are asked for.
        let numbers = numbers
            .iter()
            .map(|n| rows::member_number_to_db(*n))
            .collect::<StoreResult<Vec<i32>>>()?;
        let found = sqlx::query(
            "SELECT m.id, m.programme_id, m.member_number, m.display_name, m.account_id, m.user_id, m.created_at,
                    r.status AS registration_status
             FROM members m LEFT JOIN member_registrations r ON r.member_id = m.id
             WHERE m.member_number = ANY($1)",
        )
        .bind(&numbers)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        found
            .iter()
            .map(|row| {
                let status = match rows::get::<Option<String>>(row, "registration_status")? {
                    None => None,
                    Some(s) => Some(MemberStatus::parse(&s).ok_or_else(|| {
                        StoreError::Corrupt(format!("unknown member status {s:?}"))
                    })?),
                };
                Ok((rows::member(row)?, status))
            })
            .collect()
    }

    async fn credited_minutes_on(
        &self,
        days: &[(MemberId, NaiveDate)],
    ) -> StoreResult<HashMap<(MemberId, NaiveDate), i64>> {
        // A pair asked for twice would be summed twice by the join.
        let mut days = days.to_vec();
        days.sort_unstable();
        days.dedup();
        let members: Vec<Uuid> = days.iter().map(|(m, _)| m.0).collect();
        let dates: Vec<NaiveDate> = days.iter().map(|(_, d)| *d).collect();
        // The same sum as `credited_minutes`, for each pair asked for.
        let found: Vec<(Uuid, NaiveDate, i64)> = sqlx::query_as(
            "SELECT c.member_id, c.contribution_date, SUM(c.minutes)::bigint
             FROM unnest($1::uuid[], $2::date[]) AS w(member_id, day)
             JOIN contributions c ON c.member_id = w.member_id AND c.contribution_date = w.day
             WHERE NOT EXISTS (SELECT 1 FROM contributions s WHERE s.corrects = c.id)
             GROUP BY c.member_id, c.contribution_date",
        )
        .bind(&members)
        .bind(&dates)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(found
            .into_iter()
            .map(|(member, date, minutes)| ((MemberId(member), date), minutes))
            .collect())
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
