//! Members: registration (by staff on their behalf, or by themselves with
//! approval where the programme asks for it), profiles, the organisations
//! they belong to, and the log of what staff did for them as proxy.

use rand::Rng;
use timecredits_domain::Refusal;
use timecredits_domain::directory::{self as rules, Language, MemberStatus, SelfRegistration};
use timecredits_ledger::{AccountId, AccountStatus, ProgrammeId};
use uuid::Uuid;

use super::page_of;
use super::records::{
    DirectorySettings, MemberProfile, Membership, NewMemberRecord, Page, PageRequest, ProxyAction,
    Registration, RegistrationChannel,
};
use crate::identity::{check_password, check_pin, hash_secret};
use crate::{
    Actor, App, AppError, Member, MemberId, MemberNumber, OrganisationId, Programme, Role,
    RoleGrant, Scope, StoreError, User, UserId,
};

/// A member registered by staff on their behalf. Needs no email or phone.
#[derive(Clone, Debug)]
pub struct OnBehalfRegistration {
    pub programme: ProgrammeId,
    pub display_name: String,
    /// A PIN lets the member sign in with their card number.
    pub pin: Option<String>,
    /// Keep an existing card number; otherwise a free one is chosen.
    pub number: Option<MemberNumber>,
    /// The organisation registering them (required for a coordinator);
    /// the member is linked to it.
    pub organisation: Option<OrganisationId>,
    pub language: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Someone registering themself online: a display name and either a PIN
/// (they sign in with the card number they are given) or an email and password.
#[derive(Clone, Debug)]
pub struct SelfRegistrationRequest {
    pub programme: ProgrammeId,
    pub display_name: String,
    pub pin: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub language: Option<String>,
    /// The organisation they came through, whose coordinators may approve them.
    pub organisation: Option<OrganisationId>,
}

/// A member just registered, with their registration.
#[derive(Clone, Debug)]
pub struct RegisteredMember {
    pub member: Member,
    pub registration: Registration,
}

/// Changes to a profile; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct ProfileUpdate {
    pub language: Option<String>,
    pub skills: Option<Vec<String>>,
    pub skills_text: Option<String>,
    pub interests: Option<Vec<String>>,
    pub interests_text: Option<String>,
    /// `Some(None)` removes it.
    pub phone: Option<Option<String>>,
    /// `Some(None)` removes it.
    pub email: Option<Option<String>>,
}

/// How much of a member the actor may see and change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    Own,
    Manager,
    /// A coordinator of an organisation the member belongs to.
    Coordinator,
}

/// What a new member's sign-in will be.
enum SignIn {
    None,
    Pin(String),
    Password { email: String, hash: String },
}

fn default_profile(programme: &Programme, at: chrono::DateTime<chrono::Utc>) -> MemberProfile {
    MemberProfile {
        language: Language::parse(&programme.language)
            .or_else(|_| Language::parse("en"))
            .unwrap_or_else(|_| unreachable!("en is a language")),
        skills: Vec::new(),
        skills_text: String::new(),
        interests: Vec::new(),
        interests_text: String::new(),
        email: None,
        phone: None,
        updated_by: None,
        updated_at: at,
    }
}

fn opt_email(raw: Option<&str>) -> Result<Option<String>, Refusal> {
    raw.map(str::trim)
        .filter(|e| !e.is_empty())
        .map(rules::normalise_email)
        .transpose()
}

fn opt_phone(raw: Option<&str>) -> Result<Option<String>, Refusal> {
    raw.map(str::trim)
        .filter(|p| !p.is_empty())
        .map(rules::normalise_phone)
        .transpose()
}

impl App {
    /// The programme's directory settings (defaults if none are stored).
    pub async fn directory_settings(
        &self,
        programme: ProgrammeId,
    ) -> Result<DirectorySettings, AppError> {
        Ok(self
            .store
            .directory_settings(programme)
            .await?
            .unwrap_or_default())
    }

    /// Sets whether people may register themselves. Managers only.
    pub async fn set_self_registration(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        setting: SelfRegistration,
    ) -> Result<DirectorySettings, AppError> {
        if !actor.manages(programme) {
            return Err(self.refusal_in(actor, programme).await);
        }
        self.programme(programme).await?;
        self.store
            .set_self_registration(programme, setting, actor.user, self.now())
            .await?;
        Ok(DirectorySettings {
            self_registration: setting,
        })
    }

    /// A member's status (active if their registration needed no decision).
    /// For other areas' rules; it checks no actor.
    pub async fn member_status(&self, member: MemberId) -> Result<MemberStatus, AppError> {
        Ok(self
            .store
            .registration(member)
            .await?
            .map_or(MemberStatus::Active, |r| r.status))
    }

    /// Refuses a member who may not earn or spend (pending or declined).
    pub async fn check_member_may_take_part(&self, member: MemberId) -> Result<(), AppError> {
        Ok(self.member_status(member).await?.check_may_take_part()?)
    }

    /// Registers a member on their behalf: by a programme manager, or by a
    /// coordinator of an active organisation (which the member is linked to).
    pub async fn register_on_behalf(
        &self,
        actor: &Actor,
        new: OnBehalfRegistration,
    ) -> Result<RegisteredMember, AppError> {
        let programme = self
            .programme(new.programme)
            .await
            .map_err(|_| AppError::NotFound("programme"))?;
        let organisation = match new.organisation {
            Some(o) => {
                let org = self
                    .store
                    .organisation(o)
                    .await?
                    .filter(|org| org.programme == programme.id)
                    .ok_or(AppError::NotFound("organisation"))?;
                Some(org)
            }
            None => None,
        };
        let allowed = actor.manages(programme.id)
            || organisation
                .as_ref()
                .is_some_and(|o| actor.coordinates(o.id));
        if !allowed {
            return Err(self.refusal_in(actor, programme.id).await);
        }
        if let Some(org) = &organisation
            && !self.organisation_is_active(org.id).await?
        {
            return Err(Refusal::conflict(
                "organisation_suspended",
                "this organisation is suspended and cannot register members; the programme team can reactivate it",
            )
            .into());
        }
        let display_name = rules::display_name(&new.display_name)?;
        let sign_in = match &new.pin {
            Some(pin) => {
                check_pin(pin)?;
                SignIn::Pin(hash_secret(pin)?)
            }
            None => SignIn::None,
        };
        let now = self.now();
        let mut profile = default_profile(&programme, now);
        if let Some(l) = &new.language {
            profile.language = Language::parse(l)?;
        }
        profile.email = opt_email(new.email.as_deref())?;
        profile.phone = opt_phone(new.phone.as_deref())?;
        profile.updated_by = Some(actor.user);
        let registration = Registration {
            member: MemberId(Uuid::nil()),
            programme: programme.id,
            channel: RegistrationChannel::OnBehalf,
            organisation: organisation.as_ref().map(|o| o.id),
            registered_by: Some(actor.user),
            registered_at: now,
            status: MemberStatus::Active,
            decision: None,
        };
        let link = organisation.map(|o| (o.id, actor.user));
        self.write_new_member(
            &programme,
            display_name,
            new.number,
            sign_in,
            registration,
            profile,
            link,
        )
        .await
    }

    /// Someone registers themself. Depending on the programme's setting they
    /// take part at once, wait for approval (their account stays closed
    /// until then), or are refused. Needs no signed-in actor.
    pub async fn self_register(
        &self,
        new: SelfRegistrationRequest,
    ) -> Result<RegisteredMember, AppError> {
        let programme = self.programme(new.programme).await?;
        let status = self
            .directory_settings(programme.id)
            .await?
            .self_registration
            .starting_status()?;
        if let Some(o) = new.organisation {
            self.store
                .organisation(o)
                .await?
                .filter(|org| org.programme == programme.id)
                .ok_or(AppError::NotFound("organisation"))?;
            if !self.organisation_is_active(o).await? {
                return Err(AppError::NotFound("organisation"));
            }
        }
        let display_name = rules::display_name(&new.display_name)?;
        let sign_in = match (&new.pin, &new.email, &new.password) {
            (Some(pin), None, None) => {
                rules::check_chosen_pin(pin)?;
                SignIn::Pin(hash_secret(pin)?)
            }
            (None, Some(email), Some(password)) => {
                let email = rules::normalise_email(email)?;
                check_password(password)?;
                SignIn::Password {
                    email,
                    hash: hash_secret(password)?,
                }
            }
            _ => {
                return Err(Refusal::invalid(
                    "sign_in_choice_invalid",
                    "choose one way to sign in: a PIN, or an email address and a password",
                )
                .into());
            }
        };
        let now = self.now();
        let mut profile = default_profile(&programme, now);
        if let Some(l) = &new.language {
            profile.language = Language::parse(l)?;
        }
        if let SignIn::Password { email, .. } = &sign_in {
            profile.email = Some(email.clone());
        }
        let registration = Registration {
            member: MemberId(Uuid::nil()),
            programme: programme.id,
            channel: RegistrationChannel::SelfService,
            organisation: new.organisation,
            registered_by: None,
            registered_at: now,
            status,
            decision: None,
        };
        let registered = self
            .write_new_member(
                &programme,
                display_name,
                None,
                sign_in,
                registration,
                profile,
                None,
            )
            .await?;
        tracing::info!(member.id = %registered.member.id, status = status.as_str(), "member registered themself");
        Ok(registered)
    }

    /// Writes a new member and everything that comes with them, choosing a
    /// free card number unless one is given.
    #[allow(clippy::too_many_arguments)]
    async fn write_new_member(
        &self,
        programme: &Programme,
        display_name: String,
        number: Option<MemberNumber>,
        sign_in: SignIn,
        mut registration: Registration,
        profile: MemberProfile,
        link: Option<(OrganisationId, UserId)>,
    ) -> Result<RegisteredMember, AppError> {
        let id = MemberId(Uuid::now_v7());
        let account_id = AccountId(Uuid::now_v7());
        let now = registration.registered_at;
        registration.member = id;
        let user = match sign_in {
            SignIn::None => None,
            SignIn::Pin(hash) => Some((None, None, Some(hash))),
            SignIn::Password { email, hash } => Some((Some(email), Some(hash), None)),
        }
        .map(|(email, password_hash, pin_hash)| User {
            id: UserId(Uuid::now_v7()),
            email,
            display_name: display_name.clone(),
            password_hash,
            pin_hash,
            member: Some(id),
            created_at: now,
        });
        // A clash of random numbers is rare; try a few before giving up.
        let attempts = if number.is_some() { 1 } else { 20 };
        for _ in 0..attempts {
            let chosen = match number {
                Some(n) => n,
                None => MemberNumber::from_base(rand::rng().random_range(100_000..=999_999))
                    .ok_or_else(|| AppError::invalid("number", "is out of range"))?,
            };
            let (mut member, mut account) =
                Member::open(id, programme, chosen, display_name.clone(), account_id, now);
            if registration.status != MemberStatus::Active {
                account.status = AccountStatus::Closed;
            }
            member.user = user.as_ref().map(|u| u.id);
            let record = NewMemberRecord {
                member: member.clone(),
                account,
                grants: user
                    .iter()
                    .map(|u| RoleGrant {
                        user: u.id,
                        role: Role::Member,
                        scope: Scope::Programme(programme.id),
                    })
                    .collect(),
                user: user.clone(),
                registration: registration.clone(),
                profile: profile.clone(),
                membership: link.map(|(organisation, by)| Membership {
                    member: id,
                    organisation,
                    joined_by: Some(by),
                    joined_at: now,
                }),
            };
            match self.store.register_member(&record).await {
                Ok(()) => {
                    return Ok(RegisteredMember {
                        member,
                        registration,
                    });
                }
                Err(StoreError::Duplicate("email")) => {
                    return Err(Refusal::conflict(
                        "email_already_registered",
                        "someone already signs in with that email address; sign in, or use another address",
                    )
                    .into());
                }
                Err(StoreError::Duplicate(_)) if number.is_some() => {
                    return Err(AppError::Conflict(format!(
                        "member number {chosen} is already in use"
                    )));
                }
                Err(StoreError::Duplicate(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict(
            "no free member number was found; try again".into(),
        ))
    }

    /// Pending self-registrations: all of the programme's for its managers;
    /// for a coordinator, those that came through `organisation`.
    pub async fn pending_registrations(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        organisation: Option<OrganisationId>,
        page: PageRequest,
    ) -> Result<Page<(Member, Registration)>, AppError> {
        if !self.actor_in_programme(actor, programme).await? {
            return Err(AppError::NotFound("programme"));
        }
        if let Some(o) = organisation
            && self
                .store
                .organisation(o)
                .await?
                .is_none_or(|org| org.programme != programme)
        {
            return Err(AppError::NotFound("organisation"));
        }
        let allowed =
            actor.manages(programme) || organisation.is_some_and(|o| actor.coordinates(o));
        if !allowed {
            return Err(AppError::Forbidden);
        }
        let items = self
            .store
            .pending_registrations(
                programme,
                organisation,
                page.after.map(MemberId),
                page.limit + 1,
            )
            .await?;
        Ok(page_of(items, page.limit, |(m, _)| m.id.0))
    }

    /// Approves a pending registration: the member can take part from now.
    pub async fn approve_registration(
        &self,
        actor: &Actor,
        member: MemberId,
    ) -> Result<Registration, AppError> {
        self.decide(actor, member, None).await
    }

    /// Declines a pending registration, keeping the reason.
    pub async fn decline_registration(
        &self,
        actor: &Actor,
        member: MemberId,
        reason: &str,
    ) -> Result<Registration, AppError> {
        let reason = rules::decline_reason(reason)?;
        self.decide(actor, member, Some(reason)).await
    }

    /// Managers decide any registration of their programme; coordinators
    /// those that came through their (active) organisation.
    async fn decide(
        &self,
        actor: &Actor,
        member: MemberId,
        decline_reason: Option<String>,
    ) -> Result<Registration, AppError> {
        let m = self
            .store
            .member(member)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let registration = self
            .store
            .registration(member)
            .await?
            .ok_or(AppError::NotFound("registration"))?;
        let via = registration.organisation.filter(|o| actor.coordinates(*o));
        let allowed = actor.manages(m.programme)
            || match via {
                Some(o) => self.organisation_is_active(o).await?,
                None => false,
            };
        if !allowed {
            return Err(if self.actor_in_programme(actor, m.programme).await? {
                AppError::Forbidden
            } else {
                AppError::NotFound("registration")
            });
        }
        let approved = decline_reason.is_none();
        let decided = self
            .store
            .decide_registration(&m, actor.user, self.now(), decline_reason)
            .await?;
        tracing::info!(member.id = %member, approved, "registration decided");
        Ok(decided)
    }

    /// How much of the member the actor may see; not found when nothing.
    async fn member_access(
        &self,
        actor: &Actor,
        member: MemberId,
    ) -> Result<(Member, Access), AppError> {
        let m = self
            .store
            .member(member)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        if actor.is_member(m.id) {
            return Ok((m, Access::Own));
        }
        if actor.manages(m.programme) {
            return Ok((m, Access::Manager));
        }
        let links = self.store.memberships(m.id).await?;
        if links.iter().any(|l| actor.coordinates(l.organisation)) {
            return Ok((m, Access::Coordinator));
        }
        Err(AppError::NotFound("member"))
    }

    /// A member's profile: for the member, the programme's managers and
    /// coordinators of organisations the member belongs to.
    pub async fn member_profile(
        &self,
        actor: &Actor,
        member: MemberId,
    ) -> Result<(Member, MemberStatus, MemberProfile), AppError> {
        let (m, _) = self.member_access(actor, member).await?;
        let programme = self.programme(m.programme).await?;
        let profile = self
            .store
            .member_profile(m.id)
            .await?
            .unwrap_or_else(|| default_profile(&programme, m.created_at));
        let status = self.member_status(m.id).await?;
        Ok((m, status, profile))
    }

    /// Updates a profile: by the member, a manager, or a coordinator of an
    /// organisation they belong to (recorded as a proxy action).
    pub async fn update_member_profile(
        &self,
        actor: &Actor,
        member: MemberId,
        update: ProfileUpdate,
    ) -> Result<MemberProfile, AppError> {
        let (_, _, mut profile) = self.member_profile(actor, member).await?;
        if let Some(l) = &update.language {
            profile.language = Language::parse(l)?;
        }
        if let Some(s) = &update.skills {
            profile.skills = rules::skill_codes(s)?;
        }
        if let Some(t) = &update.skills_text {
            profile.skills_text = rules::free_text(t)?;
        }
        if let Some(s) = &update.interests {
            profile.interests = rules::skill_codes(s)?;
        }
        if let Some(t) = &update.interests_text {
            profile.interests_text = rules::free_text(t)?;
        }
        if let Some(p) = &update.phone {
            profile.phone = opt_phone(p.as_deref())?;
        }
        if let Some(e) = &update.email {
            profile.email = opt_email(e.as_deref())?;
        }
        profile.updated_by = Some(actor.user);
        profile.updated_at = self.now();
        if !actor.is_member(member) {
            // Staff change a profile only when the member asks them to.
            self.record_proxy(actor, member, "update_profile").await?;
        }
        self.store.save_member_profile(member, &profile).await?;
        if actor.proxy {
            self.log_if_done_for(actor, member, "update_profile")
                .await?;
        }
        Ok(profile)
    }

    /// The organisations the member belongs to now.
    pub async fn member_organisations(
        &self,
        actor: &Actor,
        member: MemberId,
    ) -> Result<Vec<Membership>, AppError> {
        let (m, access) = self.member_access(actor, member).await?;
        let links = self.store.memberships(m.id).await?;
        Ok(match access {
            Access::Own | Access::Manager => links,
            // A coordinator sees only the links to their own organisations.
            Access::Coordinator => links
                .into_iter()
                .filter(|l| actor.coordinates(l.organisation))
                .collect(),
        })
    }

    /// Checks a link change: the organisation is in the member's programme
    /// and the actor manages the programme or coordinates the organisation.
    async fn check_link_change(
        &self,
        actor: &Actor,
        member: MemberId,
        organisation: OrganisationId,
    ) -> Result<Member, AppError> {
        let m = self
            .store
            .member(member)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let org = self
            .store
            .organisation(organisation)
            .await?
            .filter(|o| o.programme == m.programme)
            .ok_or(AppError::NotFound("organisation"))?;
        if actor.manages(m.programme) || actor.coordinates(org.id) {
            return Ok(m);
        }
        Err(if self.actor_in_programme(actor, m.programme).await? {
            AppError::Forbidden
        } else {
            AppError::NotFound("member")
        })
    }

    /// Links a member to an (active) organisation. Managers, or the
    /// organisation's coordinators.
    pub async fn join_organisation(
        &self,
        actor: &Actor,
        member: MemberId,
        organisation: OrganisationId,
    ) -> Result<Membership, AppError> {
        self.check_link_change(actor, member, organisation).await?;
        if !self.organisation_is_active(organisation).await? {
            return Err(Refusal::conflict(
                "organisation_suspended",
                "this organisation is suspended and cannot take new members; the programme team can reactivate it",
            )
            .into());
        }
        let link = Membership {
            member,
            organisation,
            joined_by: Some(actor.user),
            joined_at: self.now(),
        };
        self.store.join_organisation(&link).await?;
        Ok(link)
    }

    /// Ends a member's link to an organisation. Managers, or the
    /// organisation's coordinators.
    pub async fn leave_organisation(
        &self,
        actor: &Actor,
        member: MemberId,
        organisation: OrganisationId,
    ) -> Result<(), AppError> {
        self.check_link_change(actor, member, organisation).await?;
        self.store
            .leave_organisation(member, organisation, actor.user, self.now())
            .await?;
        Ok(())
    }

    /// The organisation's members with their contact details: for its
    /// coordinators and the programme's managers.
    pub async fn organisation_members(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        page: PageRequest,
    ) -> Result<Page<(Member, Option<MemberProfile>)>, AppError> {
        let org = self
            .organisation_for_staff_work(actor, organisation, true)
            .await?;
        let members = self
            .store
            .organisation_members(org.id, page.after.map(MemberId), page.limit + 1)
            .await?;
        let mut items = Vec::with_capacity(members.len());
        for m in members {
            let profile = self.store.member_profile(m.id).await?;
            items.push((m, profile));
        }
        Ok(page_of(items, page.limit, |(m, _)| m.id.0))
    }

    /// What staff did for the member as proxy: for the member themself and
    /// the programme's managers.
    pub async fn proxy_log(
        &self,
        actor: &Actor,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<ProxyAction>, AppError> {
        let (m, access) = self.member_access(actor, member).await?;
        if access == Access::Coordinator {
            return Err(AppError::Forbidden);
        }
        let items = self
            .store
            .proxy_actions(m.id, page.after, page.limit + 1)
            .await?;
        Ok(page_of(items, page.limit, |a| a.id))
    }
}
