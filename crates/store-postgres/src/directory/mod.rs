//! `DirectoryStore` for PgStore: organisations' and members' details,
//! registrations, memberships, staff changes and proxy actions. Guarded
//! changes (a status change, a decision, a link) lock the row they check
//! with `FOR UPDATE` and run under `retrying`, so concurrent requests are
//! decided one after the other.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::{PgConnection, PgRow};
use timecredits_app::directory::{
    Decision, DirectorySettings, DirectoryStore, MemberProfile, Membership, NewMemberRecord,
    OrganisationDetails, ProgrammeStaffChange, ProxyAction, Registration, RegistrationChannel,
    StaffMember, StatusChange,
};
use timecredits_app::{
    Member, MemberId, Organisation, OrganisationId, PostError, Role, RoleGrant, StoreError,
    StoreResult, UserId,
};
use timecredits_domain::directory::{
    Contact, EarnPolicy, HoursConfirmedBy, Language, MemberStatus, OrganisationKind,
    OrganisationStatus, PartnerRoles, Postcode, SelfRegistration, already_a_member, not_a_member,
};
use timecredits_ledger::{Account, ProgrammeId};
use uuid::Uuid;

use crate::error::db_err;
use crate::rows::{self, organisation_columns};
use crate::{Attempt, PgStore, retrying};

mod programme_staff;

pub(super) fn get<'r, T>(row: &'r PgRow, column: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(column).map_err(db_err)
}

pub(super) fn corrupt(what: &str, raw: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {raw:?}"))
}

fn details_row(row: &PgRow) -> StoreResult<OrganisationDetails> {
    let kind: String = get(row, "kind")?;
    let status: String = get(row, "status")?;
    let postcode: Option<String> = get(row, "postcode")?;
    let status = OrganisationStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?;
    let changed_by: Option<Uuid> = get(row, "status_changed_by")?;
    let changed_at: Option<DateTime<Utc>> = get(row, "status_changed_at")?;
    Ok(OrganisationDetails {
        kind: OrganisationKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        postcode: postcode
            .map(|p| Postcode::parse(&p).map_err(|_| corrupt("postcode", &p)))
            .transpose()?,
        contacts: Vec::new(),
        roles: PartnerRoles {
            earn: get(row, "earns")?,
            spend: get(row, "spends")?,
        },
        status,
        status_change: match (changed_by, changed_at) {
            (Some(by), Some(at)) => Some(StatusChange {
                status,
                by: UserId(by),
                at,
                reason: get(row, "status_reason")?,
            }),
            _ => None,
        },
    })
}

async fn details(
    c: &mut PgConnection,
    org: OrganisationId,
    lock: bool,
) -> StoreResult<Option<OrganisationDetails>> {
    let sql = if lock {
        "SELECT * FROM organisation_details WHERE organisation_id = $1 FOR UPDATE"
    } else {
        "SELECT * FROM organisation_details WHERE organisation_id = $1"
    };
    let Some(row) = sqlx::query(sql)
        .bind(org.0)
        .fetch_optional(&mut *c)
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    let details = details_row(&row)?;
    let contacts = sqlx::query(
        "SELECT name, email, phone FROM organisation_contacts WHERE organisation_id = $1 ORDER BY position",
    )
    .bind(org.0)
    .fetch_all(&mut *c)
    .await
    .map_err(db_err)?
    .iter()
    .map(|r| {
        Ok(Contact {
            name: get(r, "name")?,
            email: get(r, "email")?,
            phone: get(r, "phone")?,
        })
    })
    .collect::<StoreResult<_>>()?;
    Ok(Some(OrganisationDetails {
        contacts,
        ..details
    }))
}

async fn write_details(
    c: &mut PgConnection,
    org: OrganisationId,
    d: &OrganisationDetails,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO organisation_details (organisation_id, kind, postcode, earns, spends, status)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (organisation_id) DO UPDATE SET kind = excluded.kind, postcode = excluded.postcode,
             earns = excluded.earns, spends = excluded.spends",
    )
    .bind(org.0)
    .bind(d.kind.as_str())
    .bind(d.postcode.as_ref().map(Postcode::as_str))
    .bind(d.roles.earn)
    .bind(d.roles.spend)
    .bind(d.status.as_str())
    .execute(&mut *c)
    .await
    .map_err(db_err)?;
    sqlx::query("DELETE FROM organisation_contacts WHERE organisation_id = $1")
        .bind(org.0)
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
    for (i, contact) in d.contacts.iter().enumerate() {
        sqlx::query(
            "INSERT INTO organisation_contacts (organisation_id, position, name, email, phone) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org.0)
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

/// The columns [`registration`] reads, from `member_registrations r`.
macro_rules! registration_columns {
    () => {
        "r.member_id, r.programme_id AS reg_programme_id, r.channel, r.organisation_id, r.registered_by, \
         r.registered_at, r.status, r.decided_by, r.decided_at, r.decline_reason"
    };
}

/// The columns `rows::member` reads, from `members m`.
macro_rules! m_columns {
    () => {
        "m.id, m.programme_id, m.member_number, m.display_name, m.account_id, m.user_id, m.created_at"
    };
}

fn registration(row: &PgRow) -> StoreResult<Registration> {
    let channel: String = get(row, "channel")?;
    let status: String = get(row, "status")?;
    let decided_by: Option<Uuid> = get(row, "decided_by")?;
    let decided_at: Option<DateTime<Utc>> = get(row, "decided_at")?;
    Ok(Registration {
        member: MemberId(get(row, "member_id")?),
        programme: ProgrammeId(get(row, "reg_programme_id")?),
        channel: RegistrationChannel::parse(&channel)
            .ok_or_else(|| corrupt("registration channel", &channel))?,
        organisation: get::<Option<Uuid>>(row, "organisation_id")?.map(OrganisationId),
        registered_by: get::<Option<Uuid>>(row, "registered_by")?.map(UserId),
        registered_at: get(row, "registered_at")?,
        status: MemberStatus::parse(&status).ok_or_else(|| corrupt("member status", &status))?,
        decision: match (decided_by, decided_at) {
            (Some(by), Some(at)) => Some(Decision {
                by: UserId(by),
                at,
                decline_reason: get(row, "decline_reason")?,
            }),
            _ => None,
        },
    })
}

async fn read_registration(
    c: &mut PgConnection,
    member: MemberId,
    lock: bool,
) -> StoreResult<Option<Registration>> {
    let sql = if lock {
        concat!(
            "SELECT ",
            registration_columns!(),
            " FROM member_registrations r WHERE r.member_id = $1 FOR UPDATE"
        )
    } else {
        concat!(
            "SELECT ",
            registration_columns!(),
            " FROM member_registrations r WHERE r.member_id = $1"
        )
    };
    sqlx::query(sql)
        .bind(member.0)
        .fetch_optional(&mut *c)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(registration)
        .transpose()
}

fn codes(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn profile(row: &PgRow) -> StoreResult<MemberProfile> {
    let language: String = get(row, "language")?;
    let skills: String = get(row, "skills")?;
    let interests: String = get(row, "interests")?;
    Ok(MemberProfile {
        language: Language::parse(&language).map_err(|_| corrupt("language", &language))?,
        skills: codes(&skills),
        skills_text: get(row, "skills_text")?,
        interests: codes(&interests),
        interests_text: get(row, "interests_text")?,
        email: get(row, "email")?,
        phone: get(row, "phone")?,
        updated_by: get::<Option<Uuid>>(row, "updated_by")?.map(UserId),
        updated_at: get(row, "updated_at")?,
    })
}

/// Writes a new member with everything registered alongside: sign-in,
/// account, roles, registration, profile and organisation link. Used by
/// registration and by CSV import, inside the caller's transaction.
pub(crate) async fn insert_member(c: &mut PgConnection, r: &NewMemberRecord) -> StoreResult<()> {
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
        insert_grant(&mut *c, g).await?;
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
    save_profile(&mut *c, m.id, &r.profile).await?;
    if let Some(link) = &r.membership {
        insert_membership(&mut *c, link).await.map_err(db_err)?;
    }
    Ok(())
}

async fn save_profile(
    c: &mut PgConnection,
    member: MemberId,
    p: &MemberProfile,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO member_profiles (member_id, language, skills, skills_text, interests, interests_text, email, phone, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (member_id) DO UPDATE SET language = excluded.language, skills = excluded.skills,
             skills_text = excluded.skills_text, interests = excluded.interests,
             interests_text = excluded.interests_text, email = excluded.email, phone = excluded.phone,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(member.0)
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
    Ok(())
}

async fn insert_membership(c: &mut PgConnection, link: &Membership) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO member_organisations (member_id, organisation_id, joined_by, joined_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(link.member.0)
    .bind(link.organisation.0)
    .bind(link.joined_by.map(|u| u.0))
    .bind(link.joined_at)
    .execute(&mut *c)
    .await?;
    Ok(())
}

async fn insert_grant(c: &mut PgConnection, grant: &RoleGrant) -> StoreResult<()> {
    let (kind, id) = rows::scope_to_db(grant.scope);
    sqlx::query(
        "INSERT INTO role_grants (user_id, role, scope_kind, scope_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(grant.user.0)
    .bind(grant.role.as_str())
    .bind(kind)
    .bind(id)
    .execute(&mut *c)
    .await
    .map_err(db_err)?;
    Ok(())
}

async fn delete_grant(c: &mut PgConnection, grant: &RoleGrant) -> StoreResult<bool> {
    let (kind, id) = rows::scope_to_db(grant.scope);
    let n = sqlx::query(
        "DELETE FROM role_grants WHERE user_id = $1 AND role = $2 AND scope_kind = $3 AND scope_id = $4",
    )
    .bind(grant.user.0)
    .bind(grant.role.as_str())
    .bind(kind)
    .bind(id)
    .execute(&mut *c)
    .await
    .map_err(db_err)?
    .rows_affected();
    Ok(n > 0)
}

pub(super) fn staff_member(row: &PgRow) -> StoreResult<StaffMember> {
    let role: String = get(row, "role")?;
    Ok(StaffMember {
        user: UserId(get(row, "id")?),
        display_name: get(row, "display_name")?,
        email: get(row, "email")?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
    })
}

async fn staff_change(
    c: &mut PgConnection,
    grant: &RoleGrant,
    change: &str,
    by: UserId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let (_, org) = rows::scope_to_db(grant.scope);
    sqlx::query(
        "INSERT INTO staff_changes (organisation_id, user_id, role, change, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(org)
    .bind(grant.user.0)
    .bind(grant.role.as_str())
    .bind(change)
    .bind(by.0)
    .bind(at)
    .execute(&mut *c)
    .await
    .map_err(db_err)?;
    Ok(())
}

fn membership(row: &PgRow) -> StoreResult<Membership> {
    Ok(Membership {
        member: MemberId(get(row, "member_id")?),
        organisation: OrganisationId(get(row, "organisation_id")?),
        joined_by: get::<Option<Uuid>>(row, "joined_by")?.map(UserId),
        joined_at: get(row, "joined_at")?,
    })
}

fn proxy_action(row: &PgRow) -> StoreResult<ProxyAction> {
    Ok(ProxyAction {
        id: get(row, "id")?,
        actor: UserId(get(row, "actor_user")?),
        member: MemberId(get(row, "member_id")?),
        action: get(row, "action")?,
        at: get(row, "at")?,
    })
}

fn limit(n: u32) -> i64 {
    i64::from(n)
}

#[async_trait]
impl DirectoryStore for PgStore {
    async fn earn_policy(&self, org: OrganisationId) -> StoreResult<Option<EarnPolicy>> {
        let row = sqlx::query(
            "SELECT members_may_claim, hours_confirmed_by FROM earn_policies WHERE organisation_id = $1",
        )
        .bind(org.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.map(|row| {
            let by: String = get(&row, "hours_confirmed_by")?;
            Ok(EarnPolicy {
                members_may_claim: get(&row, "members_may_claim")?,
                hours_confirmed_by: HoursConfirmedBy::parse(&by)
                    .ok_or_else(|| corrupt("hours confirmed by", &by))?,
            })
        })
        .transpose()
    }

    async fn set_earn_policy(
        &self,
        org: OrganisationId,
        policy: EarnPolicy,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO earn_policies (organisation_id, members_may_claim, hours_confirmed_by, set_by, set_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (organisation_id) DO UPDATE SET members_may_claim = excluded.members_may_claim,
                 hours_confirmed_by = excluded.hours_confirmed_by, set_by = excluded.set_by, set_at = excluded.set_at",
        )
        .bind(org.0)
        .bind(policy.members_may_claim)
        .bind(policy.hours_confirmed_by.as_str())
        .bind(by.0)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn create_partner(
        &self,
        o: &Organisation,
        accounts: &[Account],
        d: &OrganisationDetails,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        PgStore::insert_accounts(&mut tx, accounts).await?;
        sqlx::query(
            "INSERT INTO organisations (id, programme_id, name, account_id, pot_account_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(o.id.0)
        .bind(o.programme.0)
        .bind(&o.name)
        .bind(o.account.0)
        .bind(o.pot_account.0)
        .bind(o.created_at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        write_details(&mut tx, o.id, d).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn organisation_details(
        &self,
        org: OrganisationId,
    ) -> StoreResult<Option<OrganisationDetails>> {
        let mut c = self.pool.acquire().await.map_err(db_err)?;
        details(&mut c, org, false).await
    }

    async fn partners(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<(Organisation, Option<OrganisationDetails>)>> {
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(db_err)?;
        let orgs = sqlx::query(concat!(
            "SELECT ",
            organisation_columns!(),
            " FROM organisations WHERE programme_id = $1 ORDER BY id"
        ))
        .bind(programme.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?
        .iter()
        .map(rows::organisation)
        .collect::<StoreResult<Vec<_>>>()?;
        let mut out = Vec::with_capacity(orgs.len());
        for o in orgs {
            let d = details(&mut tx, o.id, false).await?;
            out.push((o, d));
        }
        tx.commit().await.map_err(db_err)?;
        Ok(out)
    }

    async fn update_partner(
        &self,
        org: OrganisationId,
        name: &str,
        d: &OrganisationDetails,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        sqlx::query("UPDATE organisations SET name = $2 WHERE id = $1")
            .bind(org.0)
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        write_details(&mut tx, org, d).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn change_organisation_status(
        &self,
        o: &Organisation,
        to: OrganisationStatus,
        by: UserId,
        at: DateTime<Utc>,
        reason: Option<String>,
    ) -> Result<OrganisationDetails, PostError> {
        let reason = &reason;
        retrying(move || async move {
            let mut tx = self.pool.begin().await?;
            // Make sure there is a row to lock, then decide under the lock.
            sqlx::query(
                "INSERT INTO organisation_details (organisation_id, kind, earns, spends, status)
                 VALUES ($1, 'other', true, true, 'active') ON CONFLICT DO NOTHING",
            )
            .bind(o.id.0)
            .execute(&mut *tx)
            .await?;
            let current = details(&mut tx, o.id, true).await?.unwrap_or_default();
            current.status.change_to(to)?;
            sqlx::query(
                "UPDATE organisation_details SET status = $2, status_changed_by = $3, status_changed_at = $4, status_reason = $5 WHERE organisation_id = $1",
            )
            .bind(o.id.0)
            .bind(to.as_str())
            .bind(by.0)
            .bind(at)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO organisation_status_changes (organisation_id, status, changed_by, changed_at, reason) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(o.id.0)
            .bind(to.as_str())
            .bind(by.0)
            .bind(at)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
            // A suspended partner's holdings account takes no postings.
            let account_status = match to {
                OrganisationStatus::Active => "open",
                OrganisationStatus::Suspended => "closed",
            };
            sqlx::query("UPDATE accounts SET status = $2 WHERE id = $1")
                .bind(o.account.0)
                .bind(account_status)
                .execute(&mut *tx)
                .await?;
            let now = details(&mut tx, o.id, false).await?.unwrap_or_default();
            tx.commit().await?;
            Ok::<_, Attempt>(now)
        })
        .await
    }

    async fn add_staff(&self, grant: RoleGrant, by: UserId, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        insert_grant(&mut tx, &grant).await?;
        staff_change(&mut tx, &grant, "added", by, at).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn remove_staff(
        &self,
        grant: RoleGrant,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        let removed = delete_grant(&mut tx, &grant).await?;
        if removed {
            staff_change(&mut tx, &grant, "removed", by, at).await?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(removed)
    }

    async fn staff(&self, org: OrganisationId) -> StoreResult<Vec<StaffMember>> {
        sqlx::query(
            "SELECT u.id, u.display_name, u.email, g.role FROM role_grants g JOIN users u ON u.id = g.user_id
             WHERE g.scope_kind = 'organisation' AND g.scope_id = $1 ORDER BY u.display_name, u.id, g.role",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(staff_member)
        .collect()
    }

    async fn grant_programme_role(
        &self,
        grant: RoleGrant,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        insert_grant(&mut tx, &grant).await?;
        programme_staff::log(&mut tx, &grant, "added", by, at).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn revoke_programme_role(
        &self,
        grant: RoleGrant,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        let removed = delete_grant(&mut tx, &grant).await?;
        if removed {
            programme_staff::log(&mut tx, &grant, "removed", by, at).await?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(removed)
    }

    async fn programme_staff(&self, programme: ProgrammeId) -> StoreResult<Vec<StaffMember>> {
        programme_staff::staff(&self.pool, programme).await
    }

    async fn programme_staff_changes(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<ProgrammeStaffChange>> {
        programme_staff::changes(&self.pool, programme).await
    }

    async fn directory_settings(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Option<DirectorySettings>> {
        let value: Option<String> = sqlx::query_scalar(
            "SELECT self_registration FROM directory_settings WHERE programme_id = $1",
        )
        .bind(programme.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        value
            .map(|s| {
                Ok(DirectorySettings {
                    self_registration: SelfRegistration::parse(&s)
                        .map_err(|_| corrupt("self registration", &s))?,
                })
            })
            .transpose()
    }

    async fn set_self_registration(
        &self,
        programme: ProgrammeId,
        setting: SelfRegistration,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO directory_settings (programme_id, self_registration, set_by, set_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (programme_id) DO UPDATE SET self_registration = excluded.self_registration,
                 set_by = excluded.set_by, set_at = excluded.set_at",
        )
        .bind(programme.0)
        .bind(setting.as_str())
        .bind(by.0)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn register_member(&self, r: &NewMemberRecord) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        insert_member(&mut tx, r).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn registration(&self, member: MemberId) -> StoreResult<Option<Registration>> {
        let mut c = self.pool.acquire().await.map_err(db_err)?;
        read_registration(&mut c, member, false).await
    }

    async fn decide_registration(
        &self,
        m: &Member,
        by: UserId,
        at: DateTime<Utc>,
        decline_reason: Option<String>,
    ) -> Result<Registration, PostError> {
        let decline_reason = &decline_reason;
        retrying(move || async move {
            let mut tx = self.pool.begin().await?;
            let current = read_registration(&mut tx, m.id, true)
                .await?
                .ok_or_else(|| StoreError::Internal("the registration is gone".into()))?;
            current.status.check_undecided()?;
            let status = if decline_reason.is_some() {
                MemberStatus::Declined
            } else {
                MemberStatus::Active
            };
            sqlx::query(
                "UPDATE member_registrations SET status = $2, decided_by = $3, decided_at = $4, decline_reason = $5 WHERE member_id = $1",
            )
            .bind(m.id.0)
            .bind(status.as_str())
            .bind(by.0)
            .bind(at)
            .bind(decline_reason)
            .execute(&mut *tx)
            .await?;
            if status == MemberStatus::Active {
                sqlx::query("UPDATE accounts SET status = 'open' WHERE id = $1")
                    .bind(m.account.0)
                    .execute(&mut *tx)
                    .await?;
            }
            let decided = read_registration(&mut tx, m.id, false)
                .await?
                .ok_or_else(|| StoreError::Internal("the registration is gone".into()))?;
            tx.commit().await?;
            Ok::<_, Attempt>(decided)
        })
        .await
    }

    async fn pending_registrations(
        &self,
        programme: ProgrammeId,
        organisation: Option<OrganisationId>,
        after: Option<MemberId>,
        n: u32,
    ) -> StoreResult<Vec<(Member, Registration)>> {
        sqlx::query(concat!(
            "SELECT ",
            m_columns!(),
            ", ",
            registration_columns!(),
            " FROM member_registrations r JOIN members m ON m.id = r.member_id \
             WHERE r.programme_id = $1 AND r.status = 'pending' AND ($2::uuid IS NULL OR r.organisation_id = $2) \
             AND r.member_id > $3 ORDER BY r.member_id LIMIT $4"
        ))
            .bind(programme.0)
            .bind(organisation.map(|o| o.0))
            .bind(after.map_or(Uuid::nil(), |a| a.0))
            .bind(limit(n))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(|row| Ok((rows::member(row)?, registration(row)?)))
            .collect()
    }

    async fn member_profile(&self, member: MemberId) -> StoreResult<Option<MemberProfile>> {
        sqlx::query("SELECT * FROM member_profiles WHERE member_id = $1")
            .bind(member.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(profile)
            .transpose()
    }

    async fn save_member_profile(&self, member: MemberId, p: &MemberProfile) -> StoreResult<()> {
        let mut c = self.pool.acquire().await.map_err(db_err)?;
        save_profile(&mut c, member, p).await
    }

    async fn memberships(&self, member: MemberId) -> StoreResult<Vec<Membership>> {
        sqlx::query(
            "SELECT * FROM member_organisations WHERE member_id = $1 AND left_at IS NULL ORDER BY joined_at, organisation_id",
        )
        .bind(member.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(membership)
        .collect()
    }

    async fn join_organisation(&self, link: &Membership) -> Result<(), PostError> {
        retrying(move || async move {
            let mut tx = self.pool.begin().await?;
            // Lock the member so two links for them are decided in turn; a
            // race past the lock meets the unique index and is retried.
            sqlx::query("SELECT 1 FROM members WHERE id = $1 FOR UPDATE")
                .bind(link.member.0)
                .execute(&mut *tx)
                .await?;
            let exists: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM member_organisations WHERE member_id = $1 AND organisation_id = $2 AND left_at IS NULL)",
            )
            .bind(link.member.0)
            .bind(link.organisation.0)
            .fetch_one(&mut *tx)
            .await?;
            if exists {
                return Err(already_a_member().into());
            }
            insert_membership(&mut tx, link).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn leave_organisation(
        &self,
        member: MemberId,
        org: OrganisationId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<(), PostError> {
        let n = sqlx::query(
            "UPDATE member_organisations SET left_by = $3, left_at = $4 WHERE member_id = $1 AND organisation_id = $2 AND left_at IS NULL",
        )
        .bind(member.0)
        .bind(org.0)
        .bind(by.0)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(|e| PostError::Store(db_err(e)))?
        .rows_affected();
        if n == 0 {
            return Err(not_a_member().into());
        }
        Ok(())
    }

    async fn organisation_members(
        &self,
        org: OrganisationId,
        after: Option<MemberId>,
        n: u32,
    ) -> StoreResult<Vec<Member>> {
        sqlx::query(concat!(
            "SELECT ",
            m_columns!(),
            " FROM member_organisations l JOIN members m ON m.id = l.member_id \
             WHERE l.organisation_id = $1 AND l.left_at IS NULL AND m.id > $2 ORDER BY m.id LIMIT $3"
        ))
            .bind(org.0)
            .bind(after.map_or(Uuid::nil(), |a| a.0))
            .bind(limit(n))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(rows::member)
            .collect()
    }

    async fn record_proxy(&self, a: &ProxyAction) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO proxy_actions (id, actor_user, member_id, action, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(a.id)
        .bind(a.actor.0)
        .bind(a.member.0)
        .bind(&a.action)
        .bind(a.at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn proxy_actions(
        &self,
        member: MemberId,
        after: Option<Uuid>,
        n: u32,
    ) -> StoreResult<Vec<ProxyAction>> {
        sqlx::query(
            "SELECT * FROM proxy_actions WHERE member_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(member.0)
        .bind(after.unwrap_or(Uuid::nil()))
        .bind(limit(n))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(proxy_action)
        .collect()
    }
}
