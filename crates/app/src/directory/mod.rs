//! Organisations and members: details, registration and approval, skills
//! and interests, memberships, and proxy actions.
//!
//! Who sees what: a programme's managers see all of it; coordinators see
//! their own organisations and the members who belong to them; members see
//! themselves and the programme's partners (without contact details).
//! Nothing is visible across programmes: what the caller may not see is
//! answered "not found".

mod members;
mod programme_staff;
mod records;
mod store;

use timecredits_domain::Refusal;
use timecredits_domain::directory::{
    Contact, EarnPolicy, MAX_CONTACTS, OrganisationKind, OrganisationStatus, PartnerRoles, Postcode,
};
use timecredits_ledger::{AccountId, ProgrammeId};
use uuid::Uuid;

pub use members::{OnBehalfRegistration, ProfileUpdate, RegisteredMember, SelfRegistrationRequest};
pub use programme_staff::PROGRAMME_ROLES;
pub use records::{
    Decision, DirectorySettings, MemberProfile, Membership, NewMemberRecord, OrganisationDetails,
    Page, PageRequest, Partner, ProgrammeStaffChange, ProxyAction, Registration,
    RegistrationChannel, StaffMember, StatusChange,
};
pub use store::DirectoryStore;

use crate::identity::{check_password, hash_secret, normalise_email};
use crate::{
    Actor, App, AppError, MemberId, Organisation, OrganisationId, Role, RoleGrant, Scope, User,
    UserId,
};

/// Details of a new partner organisation.
#[derive(Clone, Debug)]
pub struct NewPartner {
    pub programme: ProgrammeId,
    pub name: String,
    pub kind: String,
    pub postcode: Option<String>,
    pub contacts: Vec<ContactInput>,
    /// `earn`, `spend` or `both`.
    pub roles: String,
}

/// A contact person as entered.
#[derive(Clone, Debug, Default)]
pub struct ContactInput {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Changes to a partner; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct PartnerUpdate {
    pub name: Option<String>,
    pub kind: Option<String>,
    /// `Some(None)` removes the postcode.
    pub postcode: Option<Option<String>>,
    pub contacts: Option<Vec<ContactInput>>,
    /// Only the programme's managers may change the roles.
    pub roles: Option<String>,
}

/// Which partners to list.
#[derive(Clone, Copy, Debug, Default)]
pub struct PartnerFilter {
    /// Only earn partners.
    pub earn: bool,
    /// Only spend partners.
    pub spend: bool,
    pub status: Option<OrganisationStatus>,
}

/// A staff member to add: an existing sign-in (by email) or a new one.
#[derive(Clone, Debug)]
pub struct NewStaff {
    pub email: String,
    /// Needed only for a new sign-in.
    pub display_name: Option<String>,
    /// Needed only for a new sign-in.
    pub password: Option<String>,
    pub role: Role,
}

pub(crate) fn organisation_name(raw: &str) -> Result<String, AppError> {
    let value = raw.trim();
    if value.is_empty() || value.chars().count() > 200 || value.chars().any(char::is_control) {
        return Err(AppError::invalid("name", "must be 1 to 200 characters"));
    }
    Ok(value.to_owned())
}

fn contacts(input: &[ContactInput]) -> Result<Vec<Contact>, AppError> {
    if input.len() > MAX_CONTACTS {
        return Err(Refusal::invalid(
            "too_many_contacts",
            format!("give at most {MAX_CONTACTS} contacts"),
        )
        .into());
    }
    Ok(input
        .iter()
        .map(|c| Contact::new(&c.name, c.email.as_deref(), c.phone.as_deref()))
        .collect::<Result<_, _>>()?)
}

fn postcode(raw: Option<&str>) -> Result<Option<Postcode>, AppError> {
    Ok(raw
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(Postcode::parse)
        .transpose()?)
}

/// Keeps only the `limit` items after `after` (by id), and the cursor for
/// the next page. `items` must be sorted by id.
pub(crate) fn page_of<T>(mut items: Vec<T>, limit: u32, id: impl Fn(&T) -> Uuid) -> Page<T> {
    let limit = limit as usize;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|i| id(i).to_string())
    } else {
        None
    };
    Page { items, next_cursor }
}

impl App {
    /// The earn partner's own policy (who confirms hours, whether members
    /// may claim), or the default policy if it has not set one.
    pub async fn earn_policy(&self, organisation: OrganisationId) -> Result<EarnPolicy, AppError> {
        Ok(self
            .store
            .earn_policy(organisation)
            .await?
            .unwrap_or_default())
    }

    /// The organisation's details (the defaults if it has none stored).
    /// For other areas' rules; it checks no actor.
    pub async fn organisation_details(
        &self,
        organisation: OrganisationId,
    ) -> Result<OrganisationDetails, AppError> {
        Ok(self
            .store
            .organisation_details(organisation)
            .await?
            .unwrap_or_default())
    }

    /// Whether the organisation is active (not suspended).
    pub async fn organisation_is_active(
        &self,
        organisation: OrganisationId,
    ) -> Result<bool, AppError> {
        Ok(self.organisation_details(organisation).await?.status == OrganisationStatus::Active)
    }

    /// Refuses unless the organisation is an active earn partner: for
    /// recording or confirming hours given to it.
    pub async fn check_organisation_may_earn(
        &self,
        organisation: OrganisationId,
    ) -> Result<(), AppError> {
        let details = self.organisation_details(organisation).await?;
        check_active(&details)?;
        if !details.roles.earn {
            return Err(Refusal::conflict(
                "not_an_earn_partner",
                "this organisation does not give credits for time; the programme team can make it an earn partner",
            )
            .into());
        }
        Ok(())
    }

    /// Refuses unless the organisation is an active spend partner: for
    /// offers and redemptions.
    pub async fn check_organisation_may_spend(
        &self,
        organisation: OrganisationId,
    ) -> Result<(), AppError> {
        let details = self.organisation_details(organisation).await?;
        check_active(&details)?;
        if !details.roles.spend {
            return Err(Refusal::conflict(
                "not_a_spend_partner",
                "this organisation does not accept credits; the programme team can make it a spend partner",
            )
            .into());
        }
        Ok(())
    }

    /// Whether the actor takes part in the programme in any role.
    pub(crate) async fn actor_in_programme(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
    ) -> Result<bool, AppError> {
        if actor.is_administrator() || actor.manages(programme) || actor.evaluates(programme) {
            return Ok(true);
        }
        self.member_or_staff_in(actor, programme).await
    }

    /// Whether the actor is a member of the programme or staff of one of
    /// its organisations, reading no more than it takes to find out.
    pub(crate) async fn member_or_staff_in(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
    ) -> Result<bool, AppError> {
        if let Some(member) = actor.member
            && let Some(m) = self.store.member(member).await?
            && m.programme == programme
        {
            return Ok(true);
        }
        for grant in &actor.grants {
            if let Scope::Organisation(o) = grant.scope
                && let Some(org) = self.store.organisation(o).await?
                && org.programme == programme
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The organisation, if the actor may see it at all.
    async fn visible_organisation(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
    ) -> Result<Organisation, AppError> {
        let org = self
            .store
            .organisation(organisation)
            .await?
            .ok_or(AppError::NotFound("organisation"))?;
        if !self.actor_in_programme(actor, org.programme).await? {
            return Err(AppError::NotFound("organisation"));
        }
        Ok(org)
    }

    /// The organisation, if the actor manages its programme (or, with
    /// `coordinators`, coordinates it); not found if they may not even see it.
    async fn organisation_for_staff_work(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        coordinators: bool,
    ) -> Result<Organisation, AppError> {
        let org = self.visible_organisation(actor, organisation).await?;
        if actor.manages(org.programme) || (coordinators && actor.coordinates(org.id)) {
            Ok(org)
        } else {
            Err(AppError::Forbidden)
        }
    }

    fn with_visible_contacts(
        actor: &Actor,
        organisation: Organisation,
        mut details: OrganisationDetails,
    ) -> Partner {
        let staff = actor.manages(organisation.programme)
            || actor.coordinates(organisation.id)
            || actor.serves_desk(organisation.id);
        if !staff {
            details.contacts.clear();
            details.status_change = None;
        }
        Partner {
            organisation,
            details,
        }
    }

    /// Creates a partner organisation with its details. Managers only.
    pub async fn create_partner(
        &self,
        actor: &Actor,
        new: NewPartner,
    ) -> Result<Partner, AppError> {
        if !actor.manages(new.programme) {
            return Err(if self.actor_in_programme(actor, new.programme).await? {
                AppError::Forbidden
            } else {
                AppError::NotFound("programme")
            });
        }
        self.programme(new.programme).await?;
        let details = OrganisationDetails {
            kind: OrganisationKind::parse_or_refuse(&new.kind)?,
            postcode: postcode(new.postcode.as_deref())?,
            contacts: contacts(&new.contacts)?,
            roles: PartnerRoles::parse(&new.roles)?,
            status: OrganisationStatus::Active,
            status_change: None,
        };
        let (organisation, accounts) = Organisation::open(
            OrganisationId(Uuid::now_v7()),
            new.programme,
            organisation_name(&new.name)?,
            [AccountId(Uuid::now_v7()), AccountId(Uuid::now_v7())],
            self.now(),
        );
        self.store
            .create_partner(&organisation, &accounts, &details)
            .await?;
        tracing::info!(organisation.id = %organisation.id, "partner created");
        Ok(Partner {
            organisation,
            details,
        })
    }

    /// One partner; contact details only for its staff and the programme team.
    pub async fn partner(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
    ) -> Result<Partner, AppError> {
        let org = self.visible_organisation(actor, organisation).await?;
        let details = self.organisation_details(org.id).await?;
        Ok(Self::with_visible_contacts(actor, org, details))
    }

    /// The programme's partners, by id, filtered by role and status.
    pub async fn partners(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        filter: PartnerFilter,
        page: PageRequest,
    ) -> Result<Page<Partner>, AppError> {
        if !self.actor_in_programme(actor, programme).await? {
            return Err(AppError::NotFound("programme"));
        }
        let mut all = self.store.partners(programme).await?;
        all.sort_by_key(|(o, _)| o.id);
        let items: Vec<Partner> = all
            .into_iter()
            .filter(|(o, _)| page.after.is_none_or(|a| o.id.0 > a))
            .map(|(o, d)| (o, d.unwrap_or_default()))
            .filter(|(_, d)| {
                (!filter.earn || d.roles.earn)
                    && (!filter.spend || d.roles.spend)
                    && filter.status.is_none_or(|s| s == d.status)
            })
            .take(page.limit as usize + 1)
            .map(|(o, d)| Self::with_visible_contacts(actor, o, d))
            .collect();
        Ok(page_of(items, page.limit, |p| p.organisation.id.0))
    }

    /// Updates a partner's details. Managers, or the organisation's
    /// coordinators (who may not change its roles).
    pub async fn update_partner(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        update: PartnerUpdate,
    ) -> Result<Partner, AppError> {
        let mut org = self
            .organisation_for_staff_work(actor, organisation, true)
            .await?;
        let mut details = self.organisation_details(org.id).await?;
        if let Some(name) = &update.name {
            org.name = organisation_name(name)?;
        }
        if let Some(kind) = &update.kind {
            details.kind = OrganisationKind::parse_or_refuse(kind)?;
        }
        if let Some(p) = &update.postcode {
            details.postcode = postcode(p.as_deref())?;
        }
        if let Some(c) = &update.contacts {
            details.contacts = contacts(c)?;
        }
        if let Some(roles) = &update.roles {
            let roles = PartnerRoles::parse(roles)?;
            if roles != details.roles && !actor.manages(org.programme) {
                return Err(AppError::Forbidden);
            }
            details.roles = roles;
        }
        self.store
            .update_partner(org.id, &org.name, &details)
            .await?;
        Ok(Partner {
            organisation: org,
            details,
        })
    }

    /// Suspends a partner: it can no longer give or accept credits, and its
    /// holdings account is closed. Managers only.
    pub async fn suspend_partner(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        reason: Option<String>,
    ) -> Result<Partner, AppError> {
        self.change_partner_status(actor, organisation, OrganisationStatus::Suspended, reason)
            .await
    }

    /// Reactivates a suspended partner. Managers only.
    pub async fn reactivate_partner(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
    ) -> Result<Partner, AppError> {
        self.change_partner_status(actor, organisation, OrganisationStatus::Active, None)
            .await
    }

    async fn change_partner_status(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        to: OrganisationStatus,
        reason: Option<String>,
    ) -> Result<Partner, AppError> {
        let org = self
            .organisation_for_staff_work(actor, organisation, false)
            .await?;
        let reason = reason
            .map(|r| timecredits_domain::directory::free_text(&r))
            .transpose()?
            .filter(|r| !r.is_empty());
        let details = self
            .store
            .change_organisation_status(&org, to, actor.user, self.now(), reason)
            .await?;
        tracing::info!(organisation.id = %org.id, status = to.as_str(), "partner status changed");
        Ok(Partner {
            organisation: org,
            details,
        })
    }

    /// Sets an earn partner's own policy, within the programme's rules in
    /// force today. Managers or the organisation's coordinators.
    pub async fn set_earn_policy(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        policy: EarnPolicy,
    ) -> Result<EarnPolicy, AppError> {
        let org = self
            .organisation_for_staff_work(actor, organisation, true)
            .await?;
        let details = self.organisation_details(org.id).await?;
        if !details.roles.earn {
            return Err(Refusal::conflict(
                "not_an_earn_partner",
                "only an earn partner has an earn policy; the programme team can make it an earn partner first",
            )
            .into());
        }
        let programme = self.programme(org.programme).await?;
        let rules = self
            .rules_in_force(programme.id, self.programme_today(&programme))
            .await?;
        policy.check_within(rules.members_may_claim)?;
        self.store
            .set_earn_policy(org.id, policy, actor.user, self.now())
            .await?;
        Ok(policy)
    }

    /// Gives someone a staff role at an organisation: an existing sign-in
    /// found by email, or a new one. Managers of the programme only.
    pub async fn add_staff(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        new: NewStaff,
    ) -> Result<StaffMember, AppError> {
        let org = self
            .organisation_for_staff_work(actor, organisation, false)
            .await?;
        if !matches!(new.role, Role::Coordinator | Role::SpendStaff) {
            return Err(Refusal::invalid(
                "staff_role_invalid",
                "an organisation's staff are coordinators or spend_staff",
            )
            .into());
        }
        let email = normalise_email(&new.email)?;
        let user = match self.store.user_by_email(&email).await? {
            Some(user) => user,
            None => {
                let (Some(display_name), Some(password)) = (&new.display_name, &new.password)
                else {
                    return Err(Refusal::invalid(
                        "staff_sign_in_needed",
                        "nobody signs in with that email yet; give a display_name and a password to create their sign-in",
                    )
                    .into());
                };
                check_password(password)?;
                let user = User {
                    id: UserId(Uuid::now_v7()),
                    email: Some(email),
                    display_name: crate::setup::name("display_name", display_name)?,
                    password_hash: Some(hash_secret(password)?),
                    pin_hash: None,
                    member: None,
                    created_at: self.now(),
                };
                self.store.create_user(&user).await?;
                user
            }
        };
        let grant = RoleGrant {
            user: user.id,
            role: new.role,
            scope: Scope::Organisation(org.id),
        };
        self.store.add_staff(grant, actor.user, self.now()).await?;
        tracing::info!(organisation.id = %org.id, user.id = %user.id, role = new.role.as_str(), "staff added");
        Ok(StaffMember {
            user: user.id,
            display_name: user.display_name,
            email: user.email,
            role: new.role,
        })
    }

    /// Takes a staff role at an organisation away. Managers only.
    pub async fn remove_staff(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        user: UserId,
        role: Role,
    ) -> Result<(), AppError> {
        let org = self
            .organisation_for_staff_work(actor, organisation, false)
            .await?;
        let grant = RoleGrant {
            user,
            role,
            scope: Scope::Organisation(org.id),
        };
        if !self
            .store
            .remove_staff(grant, actor.user, self.now())
            .await?
        {
            return Err(AppError::NotFound("staff role"));
        }
        tracing::info!(organisation.id = %org.id, user.id = %user, role = role.as_str(), "staff removed");
        Ok(())
    }

    /// The organisation's staff. Managers and the organisation's coordinators.
    pub async fn staff(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
    ) -> Result<Vec<StaffMember>, AppError> {
        let org = self
            .organisation_for_staff_work(actor, organisation, true)
            .await?;
        Ok(self.store.staff(org.id).await?)
    }

    /// Records that `actor` did `action` on the member's behalf, after
    /// checking they may act for them: a programme manager, or a
    /// coordinator of an active organisation the member belongs to. Other
    /// areas call this for every proxy action.
    pub async fn record_proxy(
        &self,
        actor: &Actor,
        member: MemberId,
        action: &str,
    ) -> Result<ProxyAction, AppError> {
        let action = timecredits_domain::directory::proxy_action_name(action)?;
        self.check_may_act_for(actor, member).await?;
        self.write_proxy(actor, member, action).await
    }

    async fn write_proxy(
        &self,
        actor: &Actor,
        member: MemberId,
        action: &str,
    ) -> Result<ProxyAction, AppError> {
        let record = ProxyAction {
            id: Uuid::now_v7(),
            actor: actor.user,
            member,
            action: action.to_owned(),
            at: self.now(),
        };
        self.store.record_proxy(&record).await?;
        tracing::info!(member.id = %member, user.id = %actor.user, action, "proxy action recorded");
        Ok(record)
    }

    /// A staff member starts acting for a member who asked them to (at a
    /// desk, on the phone, for someone without a device). The actor returned
    /// is the member, as far as member-only use cases can tell, with no
    /// staff grants; each use case it is passed to logs what it did as a
    /// proxy action naming both people. Refused (as not found) unless the
    /// staff member may act for this member, see [`record_proxy`](Self::record_proxy).
    pub async fn act_for(&self, staff: &Actor, member: MemberId) -> Result<Actor, AppError> {
        if staff.proxy {
            return Err(AppError::invalid(
                "on_behalf_of",
                "is already set; act for one member at a time",
            ));
        }
        self.check_may_act_for(staff, member).await?;
        Ok(Actor {
            user: staff.user,
            member: Some(member),
            grants: Vec::new(),
            proxy: true,
        })
    }

    /// Logs `action` as proxy when `actor` did it for `member` rather than
    /// the member in person: a proxy actor, or staff doing a member's action
    /// for them. Called once the action has succeeded; the action's own
    /// records (and any ledger posting) also name the staff member.
    pub(crate) async fn log_if_done_for(
        &self,
        actor: &Actor,
        member: MemberId,
        action: &'static str,
    ) -> Result<(), AppError> {
        if !actor.is_member_in_person(member) {
            self.write_proxy(actor, member, action).await?;
        }
        Ok(())
    }

    /// Whether the actor may act for the member as proxy (see [`record_proxy`](Self::record_proxy)).
    pub async fn may_act_for(&self, actor: &Actor, member: MemberId) -> Result<bool, AppError> {
        let Some(m) = self.store.member(member).await? else {
            return Ok(false);
        };
        if actor.manages(m.programme) {
            return Ok(true);
        }
        for link in self.store.memberships(member).await? {
            if actor.coordinates(link.organisation)
                && self.organisation_is_active(link.organisation).await?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub(crate) async fn check_may_act_for(
        &self,
        actor: &Actor,
        member: MemberId,
    ) -> Result<(), AppError> {
        if self.may_act_for(actor, member).await? {
            Ok(())
        } else {
            Err(AppError::NotFound("member"))
        }
    }
}

fn check_active(details: &OrganisationDetails) -> Result<(), Refusal> {
    match details.status {
        OrganisationStatus::Active => Ok(()),
        OrganisationStatus::Suspended => Err(Refusal::conflict(
            "organisation_suspended",
            "this organisation is suspended and cannot give or accept credits; the programme team can reactivate it",
        )),
    }
}
