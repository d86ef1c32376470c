//! `DirectoryStore` for SqliteStore: organisations' and members' details,
//! registrations, memberships, staff changes and proxy actions.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, params};
use timecredits_app::directory::{
    Decision, DirectorySettings, DirectoryStore, MemberProfile, Membership, NewMemberRecord,
    OrganisationDetails, ProgrammeStaffChange, ProxyAction, Registration, RegistrationChannel,
    StaffMember, StatusChange,
};
use timecredits_app::{
    Member, MemberId, MemberNumber, Organisation, OrganisationId, PostError, Role, RoleGrant,
    Scope, StoreError, StoreResult, UserId,
};
use timecredits_domain::directory::{
    Contact, EarnPolicy, HoursConfirmedBy, Language, MemberStatus, OrganisationKind,
    OrganisationStatus, PartnerRoles, Postcode, SelfRegistration, already_a_member, not_a_member,
};
use timecredits_ledger::{Account, AccountId, ProgrammeId};
use uuid::Uuid;

use crate::codec::{blob, floor_minutes, get, micros, opt_uuid, time, uuid};
use crate::{SqliteStore, internal};

mod programme_staff;

pub(super) fn corrupt(what: &str, raw: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {raw:?}"))
}

/// Maps a uniqueness violation to `Duplicate`, naming the member number or
/// the email by the constraint that failed.
pub(crate) fn duplicate(e: rusqlite::Error) -> StoreError {
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

pub(crate) fn insert_accounts(c: &Connection, accounts: &[Account]) -> StoreResult<()> {
    for a in accounts {
        let floor = floor_minutes(a);
        c.execute(
            "INSERT INTO accounts (id, programme_id, kind, owner_id, status, floor_minutes, exchange_overdraft_minutes, balance_minutes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                blob(a.id.0),
                blob(a.programme.0),
                a.kind.as_str(),
                a.owner.map(blob),
                a.status.as_str(),
                floor,
                a.exchange_overdraft_minutes,
                floor.map(|_| 0i64),
            ],
        )
        .map_err(duplicate)?;
    }
    Ok(())
}

/// Writes a new member with everything registered alongside: sign-in,
/// account, roles, registration, profile and organisation link. Used by
/// registration and by CSV import, inside the caller's transaction.
pub(crate) fn insert_member(c: &Connection, r: &NewMemberRecord) -> StoreResult<()> {
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
    .and_then(|mut stmt| {
        stmt.execute(params![blob(m.id.0), blob(m.programme.0), m.number.value(), m.display_name, blob(m.account.0), m.user.map(|u| blob(u.0)), micros(m.created_at)])
    })
    .map_err(duplicate)?;
    for g in &r.grants {
        insert_grant(c, g)?;
    }
    let g = &r.registration;
    c.prepare_cached(
        "INSERT INTO member_registrations (member_id, programme_id, channel, organisation_id, registered_by, registered_at, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![blob(m.id.0), blob(g.programme.0), g.channel.as_str(), g.organisation.map(|o| blob(o.0)), g.registered_by.map(|u| blob(u.0)), micros(g.registered_at), g.status.as_str()])
    })
    .map_err(internal)?;
    save_profile(c, m.id, &r.profile)?;
    if let Some(link) = &r.membership {
        insert_membership(c, link)?;
    }
    Ok(())
}

fn organisation(row: &Row) -> StoreResult<Organisation> {
    Ok(Organisation {
        id: OrganisationId(uuid(row, "id")?),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        name: get(row, "name")?,
        account: AccountId(uuid(row, "account_id")?),
        pot_account: AccountId(uuid(row, "pot_account_id")?),
        created_at: time(get(row, "created_at")?)?,
    })
}

fn member(row: &Row) -> StoreResult<Member> {
    let number: u32 = get(row, "member_number")?;
    Ok(Member {
        id: MemberId(uuid(row, "id")?),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        number: MemberNumber::from_base(number / 10)
            .filter(|n| n.value() == number)
            .ok_or_else(|| StoreError::Corrupt(format!("member number {number}")))?,
        display_name: get(row, "display_name")?,
        account: AccountId(uuid(row, "account_id")?),
        user: opt_uuid(row, "user_id")?.map(UserId),
        created_at: time(get(row, "created_at")?)?,
    })
}

const MEMBER_COLUMNS: &str =
    "m.id, m.programme_id, m.member_number, m.display_name, m.account_id, m.user_id, m.created_at";

/// The details row of an organisation, with its contacts.
fn details(c: &Connection, org: OrganisationId) -> StoreResult<Option<OrganisationDetails>> {
    // Cached, like every statement on the path of recording hours.
    let row = c
        .prepare_cached("SELECT * FROM organisation_details WHERE organisation_id = ?1")
        .and_then(|mut stmt| {
            stmt.query_row([blob(org.0)], |row| Ok(details_row(row)))
                .optional()
        })
        .map_err(internal)?;
    let Some(details) = row.transpose()? else {
        return Ok(None);
    };
    Ok(Some(OrganisationDetails {
        contacts: contacts(c, org)?,
        ..details
    }))
}

fn details_row(row: &Row) -> StoreResult<OrganisationDetails> {
    let kind: String = get(row, "kind")?;
    let status: String = get(row, "status")?;
    let postcode: Option<String> = get(row, "postcode")?;
    let status = OrganisationStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?;
    let changed_by = opt_uuid(row, "status_changed_by")?;
    let changed_at: Option<i64> = get(row, "status_changed_at")?;
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
                at: time(at)?,
                reason: get(row, "status_reason")?,
            }),
            _ => None,
        },
    })
}

fn contacts(c: &Connection, org: OrganisationId) -> StoreResult<Vec<Contact>> {
    let mut stmt = c
        .prepare_cached(
            "SELECT name, email, phone FROM organisation_contacts WHERE organisation_id = ?1 ORDER BY position",
        )
        .map_err(internal)?;
    let rows = stmt
        .query_map([blob(org.0)], |row| {
            Ok(Contact {
                name: row.get(0)?,
                email: row.get(1)?,
                phone: row.get(2)?,
            })
        })
        .map_err(internal)?;
    rows.collect::<Result<_, _>>().map_err(internal)
}

/// Writes the details (all but the status), creating the row if needed.
fn write_details(c: &Connection, org: OrganisationId, d: &OrganisationDetails) -> StoreResult<()> {
    c.execute(
        "INSERT INTO organisation_details (organisation_id, kind, postcode, earns, spends, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (organisation_id) DO UPDATE SET kind = excluded.kind, postcode = excluded.postcode,
             earns = excluded.earns, spends = excluded.spends",
        params![
            blob(org.0),
            d.kind.as_str(),
            d.postcode.as_ref().map(Postcode::as_str),
            d.roles.earn,
            d.roles.spend,
            d.status.as_str(),
        ],
    )
    .map_err(internal)?;
    c.execute(
        "DELETE FROM organisation_contacts WHERE organisation_id = ?1",
        [blob(org.0)],
    )
    .map_err(internal)?;
    for (i, contact) in d.contacts.iter().enumerate() {
        c.execute(
            "INSERT INTO organisation_contacts (organisation_id, position, name, email, phone) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![blob(org.0), i as i64, contact.name, contact.email, contact.phone],
        )
        .map_err(internal)?;
    }
    Ok(())
}

fn registration(row: &Row) -> StoreResult<Registration> {
    let channel: String = get(row, "channel")?;
    let status: String = get(row, "status")?;
    let decided_by = opt_uuid(row, "decided_by")?;
    let decided_at: Option<i64> = get(row, "decided_at")?;
    Ok(Registration {
        member: MemberId(uuid(row, "member_id")?),
        programme: ProgrammeId(uuid(row, "reg_programme_id")?),
        channel: RegistrationChannel::parse(&channel)
            .ok_or_else(|| corrupt("registration channel", &channel))?,
        organisation: opt_uuid(row, "organisation_id")?.map(OrganisationId),
        registered_by: opt_uuid(row, "registered_by")?.map(UserId),
        registered_at: time(get(row, "registered_at")?)?,
        status: MemberStatus::parse(&status).ok_or_else(|| corrupt("member status", &status))?,
        decision: match (decided_by, decided_at) {
            (Some(by), Some(at)) => Some(Decision {
                by: UserId(by),
                at: time(at)?,
                decline_reason: get(row, "decline_reason")?,
            }),
            _ => None,
        },
    })
}

const REGISTRATION_COLUMNS: &str = "r.member_id, r.programme_id AS reg_programme_id, r.channel, r.organisation_id, r.registered_by, r.registered_at, r.status, r.decided_by, r.decided_at, r.decline_reason";

fn read_registration(c: &Connection, member: MemberId) -> StoreResult<Option<Registration>> {
    c.prepare_cached(&format!(
        "SELECT {REGISTRATION_COLUMNS} FROM member_registrations r WHERE r.member_id = ?1"
    ))
    .and_then(|mut stmt| {
        stmt.query_row([blob(member.0)], |row| Ok(registration(row)))
            .optional()
    })
    .map_err(internal)?
    .transpose()
}

fn codes(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn profile(row: &Row) -> StoreResult<MemberProfile> {
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
        updated_by: opt_uuid(row, "updated_by")?.map(UserId),
        updated_at: time(get(row, "updated_at")?)?,
    })
}

fn save_profile(c: &Connection, member: MemberId, p: &MemberProfile) -> StoreResult<()> {
    c.execute(
        "INSERT INTO member_profiles (member_id, language, skills, skills_text, interests, interests_text, email, phone, updated_by, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (member_id) DO UPDATE SET language = excluded.language, skills = excluded.skills,
             skills_text = excluded.skills_text, interests = excluded.interests,
             interests_text = excluded.interests_text, email = excluded.email, phone = excluded.phone,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        params![
            blob(member.0),
            p.language.as_str(),
            p.skills.join(","),
            p.skills_text,
            p.interests.join(","),
            p.interests_text,
            p.email,
            p.phone,
            p.updated_by.map(|u| blob(u.0)),
            micros(p.updated_at),
        ],
    )
    .map_err(internal)?;
    Ok(())
}

fn insert_membership(c: &Connection, link: &Membership) -> StoreResult<()> {
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
    Ok(())
}

fn grant_parts(grant: &RoleGrant) -> StoreResult<(&'static str, Uuid)> {
    Ok(match grant.scope {
        Scope::Platform => ("platform", Uuid::nil()),
        Scope::Programme(p) => ("programme", p.0),
        Scope::Organisation(o) => ("organisation", o.0),
    })
}

fn insert_grant(c: &Connection, grant: &RoleGrant) -> StoreResult<()> {
    let (kind, id) = grant_parts(grant)?;
    c.execute(
        "INSERT OR IGNORE INTO role_grants (user_id, role, scope_kind, scope_id) VALUES (?1, ?2, ?3, ?4)",
        params![blob(grant.user.0), grant.role.as_str(), kind, blob(id)],
    )
    .map_err(internal)?;
    Ok(())
}

fn staff_change(
    c: &Connection,
    grant: &RoleGrant,
    change: &str,
    by: UserId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let (_, org) = grant_parts(grant)?;
    c.execute(
        "INSERT INTO staff_changes (organisation_id, user_id, role, change, changed_by, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![blob(org), blob(grant.user.0), grant.role.as_str(), change, blob(by.0), micros(at)],
    )
    .map_err(internal)?;
    Ok(())
}

pub(super) fn delete_grant(c: &Connection, grant: &RoleGrant) -> StoreResult<bool> {
    let (kind, id) = grant_parts(grant)?;
    let n = c
        .execute(
            "DELETE FROM role_grants WHERE user_id = ?1 AND role = ?2 AND scope_kind = ?3 AND scope_id = ?4",
            params![blob(grant.user.0), grant.role.as_str(), kind, blob(id)],
        )
        .map_err(internal)?;
    Ok(n > 0)
}

pub(super) fn staff_member(row: &Row) -> StoreResult<StaffMember> {
    let role: String = get(row, "role")?;
    Ok(StaffMember {
        user: UserId(uuid(row, "id")?),
        display_name: get(row, "display_name")?,
        email: get(row, "email")?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
    })
}

fn proxy_action(row: &Row) -> StoreResult<ProxyAction> {
    Ok(ProxyAction {
        id: uuid(row, "id")?,
        actor: UserId(uuid(row, "actor_user")?),
        member: MemberId(uuid(row, "member_id")?),
        action: get(row, "action")?,
        at: time(get(row, "at")?)?,
    })
}

/// Collects every row of a prepared query.
pub(super) fn collect<T>(
    c: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl Fn(&Row) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = c.prepare_cached(sql).map_err(internal)?;
    let mut rows = stmt.query(params).map_err(internal)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(internal)? {
        out.push(map(row)?);
    }
    Ok(out)
}

/// The smallest id, for a page that starts at the beginning.
fn after_blob(after: Option<Uuid>) -> [u8; 16] {
    blob(after.unwrap_or(Uuid::nil()))
}

#[async_trait]
impl DirectoryStore for SqliteStore {
    async fn earn_policy(&self, org: OrganisationId) -> StoreResult<Option<EarnPolicy>> {
        self.read_point(move |c| {
            c.prepare_cached(
                "SELECT members_may_claim, hours_confirmed_by FROM earn_policies WHERE organisation_id = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([blob(org.0)], |row| {
                    Ok((row.get::<_, bool>(0)?, row.get::<_, String>(1)?))
                })
                .optional()
            })
            .map_err(internal)?
            .map(|(members_may_claim, by)| {
                Ok(EarnPolicy {
                    members_may_claim,
                    hours_confirmed_by: HoursConfirmedBy::parse(&by)
                        .ok_or_else(|| corrupt("hours confirmed by", &by))?,
                })
            })
            .transpose()
        })
        .await
    }

    async fn set_earn_policy(
        &self,
        org: OrganisationId,
        policy: EarnPolicy,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.write(move |c| {
            c.execute(
                "INSERT INTO earn_policies (organisation_id, members_may_claim, hours_confirmed_by, set_by, set_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (organisation_id) DO UPDATE SET members_may_claim = excluded.members_may_claim,
                     hours_confirmed_by = excluded.hours_confirmed_by, set_by = excluded.set_by, set_at = excluded.set_at",
                params![blob(org.0), policy.members_may_claim, policy.hours_confirmed_by.as_str(), blob(by.0), micros(at)],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn create_partner(
        &self,
        o: &Organisation,
        accounts: &[Account],
        d: &OrganisationDetails,
    ) -> StoreResult<()> {
        let (o, accounts, d) = (o.clone(), accounts.to_vec(), d.clone());
        self.write(move |c| {
            insert_accounts(c, &accounts)?;
            c.execute(
                "INSERT INTO organisations (id, programme_id, name, account_id, pot_account_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![blob(o.id.0), blob(o.programme.0), o.name, blob(o.account.0), blob(o.pot_account.0), micros(o.created_at)],
            )
            .map_err(duplicate)?;
            write_details(c, o.id, &d)
        })
        .await
    }

    async fn organisation_details(
        &self,
        org: OrganisationId,
    ) -> StoreResult<Option<OrganisationDetails>> {
        self.read_point(move |c| details(c, org)).await
    }

    async fn partners(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<(Organisation, Option<OrganisationDetails>)>> {
        self.read(move |c| {
            let orgs = collect(
                c,
                "SELECT * FROM organisations WHERE programme_id = ?1 ORDER BY id",
                [blob(programme.0)],
                organisation,
            )?;
            orgs.into_iter()
                .map(|o| {
                    let d = details(c, o.id)?;
                    Ok((o, d))
                })
                .collect()
        })
        .await
    }

    async fn update_partner(
        &self,
        org: OrganisationId,
        name: &str,
        d: &OrganisationDetails,
    ) -> StoreResult<()> {
        let (name, d) = (name.to_owned(), d.clone());
        self.write(move |c| {
            c.execute(
                "UPDATE organisations SET name = ?2 WHERE id = ?1",
                params![blob(org.0), name],
            )
            .map_err(internal)?;
            write_details(c, org, &d)
        })
        .await
    }

    async fn change_organisation_status(
        &self,
        o: &Organisation,
        to: OrganisationStatus,
        by: UserId,
        at: DateTime<Utc>,
        reason: Option<String>,
    ) -> Result<OrganisationDetails, PostError> {
        let o = o.clone();
        self.write(move |c| {
            let current = details(c, o.id)?.unwrap_or_default();
            current.status.change_to(to)?;
            write_details(c, o.id, &current)?;
            c.execute(
                "UPDATE organisation_details SET status = ?2, status_changed_by = ?3, status_changed_at = ?4, status_reason = ?5 WHERE organisation_id = ?1",
                params![blob(o.id.0), to.as_str(), blob(by.0), micros(at), reason],
            )
            .map_err(internal)?;
            c.execute(
                "INSERT INTO organisation_status_changes (organisation_id, status, changed_by, changed_at, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![blob(o.id.0), to.as_str(), blob(by.0), micros(at), reason],
            )
            .map_err(internal)?;
            // A suspended partner's holdings account takes no postings.
            let account_status = match to {
                OrganisationStatus::Active => "open",
                OrganisationStatus::Suspended => "closed",
            };
            c.execute(
                "UPDATE accounts SET status = ?2 WHERE id = ?1",
                params![blob(o.account.0), account_status],
            )
            .map_err(internal)?;
            Ok(details(c, o.id)?.unwrap_or_default())
        })
        .await
    }

    async fn add_staff(&self, grant: RoleGrant, by: UserId, at: DateTime<Utc>) -> StoreResult<()> {
        self.write(move |c| {
            insert_grant(c, &grant)?;
            staff_change(c, &grant, "added", by, at)
        })
        .await
    }

    async fn remove_staff(
        &self,
        grant: RoleGrant,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.write(move |c| {
            let removed = delete_grant(c, &grant)?;
            if removed {
                staff_change(c, &grant, "removed", by, at)?;
            }
            Ok(removed)
        })
        .await
    }

    async fn staff(&self, org: OrganisationId) -> StoreResult<Vec<StaffMember>> {
        self.read(move |c| {
            collect(
                c,
                "SELECT u.id, u.display_name, u.email, g.role FROM role_grants g JOIN users u ON u.id = g.user_id
                 WHERE g.scope_kind = 'organisation' AND g.scope_id = ?1 ORDER BY u.display_name, u.id, g.role",
                [blob(org.0)],
                staff_member,
            )
        })
        .await
    }

    async fn grant_programme_role(
        &self,
        grant: RoleGrant,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.write(move |c| {
            insert_grant(c, &grant)?;
            programme_staff::log(c, &grant, "added", by, at)
        })
        .await
    }

    async fn revoke_programme_role(
        &self,
        grant: RoleGrant,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.write(move |c| {
            let removed = delete_grant(c, &grant)?;
            if removed {
                programme_staff::log(c, &grant, "removed", by, at)?;
            }
            Ok(removed)
        })
        .await
    }

    async fn programme_staff(&self, programme: ProgrammeId) -> StoreResult<Vec<StaffMember>> {
        self.read(move |c| programme_staff::staff(c, programme))
            .await
    }

    async fn programme_staff_changes(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<ProgrammeStaffChange>> {
        self.read(move |c| programme_staff::changes(c, programme))
            .await
    }

    async fn directory_settings(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Option<DirectorySettings>> {
        self.read(move |c| {
            c.query_row(
                "SELECT self_registration FROM directory_settings WHERE programme_id = ?1",
                [blob(programme.0)],
                |row| row.get::<_, String>(0),
            )
            .optional()
            .map_err(internal)?
            .map(|s| {
                Ok(DirectorySettings {
                    self_registration: SelfRegistration::parse(&s)
                        .map_err(|_| corrupt("self registration", &s))?,
                })
            })
            .transpose()
        })
        .await
    }

    async fn set_self_registration(
        &self,
        programme: ProgrammeId,
        setting: SelfRegistration,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.write(move |c| {
            c.execute(
                "INSERT INTO directory_settings (programme_id, self_registration, set_by, set_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (programme_id) DO UPDATE SET self_registration = excluded.self_registration,
                     set_by = excluded.set_by, set_at = excluded.set_at",
                params![blob(programme.0), setting.as_str(), blob(by.0), micros(at)],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn register_member(&self, record: &NewMemberRecord) -> StoreResult<()> {
        let r = record.clone();
        self.write(move |c| insert_member(c, &r)).await
    }

    async fn registration(&self, member: MemberId) -> StoreResult<Option<Registration>> {
        self.read_point(move |c| read_registration(c, member)).await
    }

    async fn decide_registration(
        &self,
        m: &Member,
        by: UserId,
        at: DateTime<Utc>,
        decline_reason: Option<String>,
    ) -> Result<Registration, PostError> {
        let m = m.clone();
        self.write(move |c| {
            let current = read_registration(c, m.id)?
                .ok_or_else(|| StoreError::Internal("the registration is gone".into()))?;
            current.status.check_undecided()?;
            let status = if decline_reason.is_some() {
                MemberStatus::Declined
            } else {
                MemberStatus::Active
            };
            c.execute(
                "UPDATE member_registrations SET status = ?2, decided_by = ?3, decided_at = ?4, decline_reason = ?5 WHERE member_id = ?1",
                params![blob(m.id.0), status.as_str(), blob(by.0), micros(at), decline_reason],
            )
            .map_err(internal)?;
            if status == MemberStatus::Active {
                c.execute(
                    "UPDATE accounts SET status = 'open' WHERE id = ?1",
                    [blob(m.account.0)],
                )
                .map_err(internal)?;
            }
            Ok(read_registration(c, m.id)?
                .ok_or_else(|| StoreError::Internal("the registration is gone".into()))?)
        })
        .await
    }

    async fn pending_registrations(
        &self,
        programme: ProgrammeId,
        organisation: Option<OrganisationId>,
        after: Option<MemberId>,
        limit: u32,
    ) -> StoreResult<Vec<(Member, Registration)>> {
        self.read(move |c| {
            collect(
                c,
                &format!(
                    "SELECT {MEMBER_COLUMNS}, {REGISTRATION_COLUMNS} FROM member_registrations r JOIN members m ON m.id = r.member_id
                     WHERE r.programme_id = ?1 AND r.status = 'pending' AND (?2 IS NULL OR r.organisation_id = ?2) AND r.member_id > ?3
                     ORDER BY r.member_id LIMIT ?4"
                ),
                params![blob(programme.0), organisation.map(|o| blob(o.0)), after_blob(after.map(|a| a.0)), limit],
                |row| Ok((member(row)?, registration(row)?)),
            )
        })
        .await
    }

    async fn member_profile(&self, member: MemberId) -> StoreResult<Option<MemberProfile>> {
        self.read(move |c| {
            c.query_row(
                "SELECT * FROM member_profiles WHERE member_id = ?1",
                [blob(member.0)],
                |row| Ok(profile(row)),
            )
            .optional()
            .map_err(internal)?
            .transpose()
        })
        .await
    }

    async fn save_member_profile(&self, member: MemberId, p: &MemberProfile) -> StoreResult<()> {
        let p = p.clone();
        self.write(move |c| save_profile(c, member, &p)).await
    }

    async fn memberships(&self, member: MemberId) -> StoreResult<Vec<Membership>> {
        self.read(move |c| {
            collect(
                c,
                "SELECT * FROM member_organisations WHERE member_id = ?1 AND left_at IS NULL ORDER BY joined_at, organisation_id",
                [blob(member.0)],
                |row| {
                    Ok(Membership {
                        member: MemberId(uuid(row, "member_id")?),
                        organisation: OrganisationId(uuid(row, "organisation_id")?),
                        joined_by: opt_uuid(row, "joined_by")?.map(UserId),
                        joined_at: time(get(row, "joined_at")?)?,
                    })
                },
            )
        })
        .await
    }

    async fn join_organisation(&self, link: &Membership) -> Result<(), PostError> {
        let link = link.clone();
        self.write(move |c| {
            let exists: bool = c
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM member_organisations WHERE member_id = ?1 AND organisation_id = ?2 AND left_at IS NULL)",
                    params![blob(link.member.0), blob(link.organisation.0)],
                    |row| row.get(0),
                )
                .map_err(internal)?;
            if exists {
                return Err(already_a_member().into());
            }
            insert_membership(c, &link)?;
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
        self.write(move |c| {
            let n = c
                .execute(
                    "UPDATE member_organisations SET left_by = ?3, left_at = ?4 WHERE member_id = ?1 AND organisation_id = ?2 AND left_at IS NULL",
                    params![blob(member.0), blob(org.0), blob(by.0), micros(at)],
                )
                .map_err(internal)?;
            if n == 0 {
                return Err(not_a_member().into());
            }
            Ok(())
        })
        .await
    }

    async fn organisation_members(
        &self,
        org: OrganisationId,
        after: Option<MemberId>,
        limit: u32,
    ) -> StoreResult<Vec<Member>> {
        self.read(move |c| {
            collect(
                c,
                &format!(
                    "SELECT {MEMBER_COLUMNS} FROM member_organisations l JOIN members m ON m.id = l.member_id
                     WHERE l.organisation_id = ?1 AND l.left_at IS NULL AND m.id > ?2 ORDER BY m.id LIMIT ?3"
                ),
                params![blob(org.0), after_blob(after.map(|a| a.0)), limit],
                member,
            )
        })
        .await
    }

    async fn record_proxy(&self, a: &ProxyAction) -> StoreResult<()> {
        let a = a.clone();
        self.write(move |c| {
            c.execute(
                "INSERT INTO proxy_actions (id, actor_user, member_id, action, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![blob(a.id), blob(a.actor.0), blob(a.member.0), a.action, micros(a.at)],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn proxy_actions(
        &self,
        member: MemberId,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<ProxyAction>> {
        self.read(move |c| {
            collect(
                c,
                "SELECT * FROM proxy_actions WHERE member_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                params![blob(member.0), after_blob(after), limit],
                proxy_action,
            )
        })
        .await
    }
}
