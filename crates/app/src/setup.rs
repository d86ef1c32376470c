//! Setting a programme up: the programme and its accounts, organisations,
//! members and staff.

use timecredits_domain::rules::{ProgrammeRules, RuleVersion};
use timecredits_ledger::{AccountId, ProgrammeId};
use uuid::Uuid;

use crate::directory::OnBehalfRegistration;
use crate::identity::{check_password, hash_secret, normalise_email};
use crate::{
    Actor, App, AppError, Member, MemberNumber, Organisation, OrganisationId, Programme, Role,
    RoleGrant, Scope, User, UserId,
};

#[derive(Clone, Debug)]
pub struct NewProgramme {
    pub name: String,
    pub locality: String,
    pub time_zone: String,
    pub language: String,
    pub exchange_overdraft_minutes: i64,
}

#[derive(Clone, Debug)]
pub struct NewOrganisation {
    pub programme: ProgrammeId,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct NewMember {
    pub programme: ProgrammeId,
    pub display_name: String,
    /// A PIN lets the member sign in with their number; without one they
    /// can still earn and spend at the desk.
    pub pin: Option<String>,
    /// Keep an existing card number (an import, or the demo); otherwise a
    /// free one is chosen at random.
    pub number: Option<MemberNumber>,
}

pub(crate) fn name(field: &'static str, value: &str) -> Result<String, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::invalid(field, "is empty; enter a name"));
    }
    if value.chars().count() > 200 {
        return Err(AppError::invalid(field, "is longer than 200 characters"));
    }
    Ok(value.to_owned())
}

fn new_account_id() -> AccountId {
    AccountId(Uuid::now_v7())
}

impl App {
    pub async fn create_programme(
        &self,
        actor: &Actor,
        new: NewProgramme,
    ) -> Result<Programme, AppError> {
        if !actor.is_administrator() {
            return Err(AppError::Forbidden);
        }
        if new.exchange_overdraft_minutes < 0 {
            return Err(AppError::invalid(
                "exchange_overdraft_minutes",
                "cannot be negative; use 0 for no overdraft",
            ));
        }
        let details = NewProgramme {
            name: name("name", &new.name)?,
            locality: new.locality.trim().to_owned(),
            ..new
        };
        let account_ids = [
            new_account_id(),
            new_account_id(),
            new_account_id(),
            new_account_id(),
        ];
        let (programme, accounts) = Programme::open(
            ProgrammeId(Uuid::now_v7()),
            &details,
            account_ids,
            self.now(),
        );
        crate::rules::check_time_zone(&programme.time_zone)?;
        self.store.create_programme(&programme, &accounts).await?;
        // The rules in force from the day the programme opens: the defaults,
        // with the overdraft it was opened with.
        let first = RuleVersion {
            effective_from: crate::rules::local_date(&programme, programme.created_at),
            rules: ProgrammeRules {
                exchange_overdraft_minutes: programme.exchange_overdraft_minutes,
                ..ProgrammeRules::default()
            },
        };
        first.rules.check()?;
        self.store
            .add_rule_version(programme.id, &first, actor.user, programme.created_at)
            .await?;
        tracing::info!(programme.id = %programme.id, "programme created");
        Ok(programme)
    }

    pub async fn programme(&self, id: ProgrammeId) -> Result<Programme, AppError> {
        self.store
            .programme(id)
            .await?
            .ok_or(AppError::NotFound("programme"))
    }

    pub async fn create_organisation(
        &self,
        actor: &Actor,
        new: NewOrganisation,
    ) -> Result<Organisation, AppError> {
        if !actor.manages(new.programme) {
            return Err(AppError::Forbidden);
        }
        self.programme(new.programme).await?;
        let (organisation, accounts) = Organisation::open(
            OrganisationId(Uuid::now_v7()),
            new.programme,
            name("name", &new.name)?,
            [new_account_id(), new_account_id()],
            self.now(),
        );
        self.store
            .create_organisation(&organisation, &accounts)
            .await?;
        Ok(organisation)
    }

    /// Registers a member on their behalf (by a manager). Needs no email or
    /// phone; a PIN is optional. See [`App::register_on_behalf`] for
    /// registration by coordinators, with an organisation and contact details.
    pub async fn register_member(&self, actor: &Actor, new: NewMember) -> Result<Member, AppError> {
        if !actor.manages(new.programme) {
            return Err(AppError::Forbidden);
        }
        let registered = self
            .register_on_behalf(
                actor,
                OnBehalfRegistration {
                    programme: new.programme,
                    display_name: new.display_name,
                    pin: new.pin,
                    number: new.number,
                    organisation: None,
                    language: None,
                    email: None,
                    phone: None,
                },
            )
            .await?;
        Ok(registered.member)
    }

    /// Creates a staff sign-in with one role. Administrators create staff of
    /// any programme; a programme manager, staff of their own programme.
    pub async fn create_staff(
        &self,
        actor: &Actor,
        email: &str,
        display_name: &str,
        password: &str,
        role: Role,
        scope: Scope,
    ) -> Result<User, AppError> {
        let programme_of_scope = match scope {
            Scope::Platform => None,
            Scope::Programme(p) => Some(p),
            Scope::Organisation(o) => Some(
                self.store
                    .organisation(o)
                    .await?
                    .ok_or(AppError::NotFound("organisation"))?
                    .programme,
            ),
        };
        let allowed = actor.is_administrator()
            || (role != Role::Administrator
                && programme_of_scope.is_some_and(|p| actor.manages(p)));
        if !allowed {
            return Err(AppError::Forbidden);
        }
        let email = normalise_email(email)?;
        check_password(password)?;
        if self.store.user_by_email(&email).await?.is_some() {
            return Err(AppError::Conflict(format!(
                "a user with email {email} already exists"
            )));
        }
        let user = User {
            id: UserId(Uuid::now_v7()),
            email: Some(email),
            display_name: name("display_name", display_name)?,
            password_hash: Some(hash_secret(password)?),
            pin_hash: None,
            member: None,
            created_at: self.now(),
        };
        self.store.create_user(&user).await?;
        self.store
            .grant_role(&RoleGrant {
                user: user.id,
                role,
                scope,
            })
            .await?;
        Ok(user)
    }
}
