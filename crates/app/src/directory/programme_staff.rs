//! Programme roles (managers and evaluators) given to existing sign-ins and
//! taken away again, by administrators only. Every change is logged in the
//! programme's append-only `programme_staff_changes`, so who had access
//! when can be shown later.

use timecredits_domain::Refusal;
use timecredits_ledger::ProgrammeId;

use super::records::{ProgrammeStaffChange, StaffMember};
use crate::identity::normalise_email;
use crate::{Actor, App, AppError, Programme, Role, RoleGrant, Scope, UserId};

/// The roles an administrator may give at a programme.
pub const PROGRAMME_ROLES: [Role; 2] = [Role::ProgrammeManager, Role::Evaluator];

fn check_programme_role(role: Role) -> Result<(), AppError> {
    if PROGRAMME_ROLES.contains(&role) {
        Ok(())
    } else {
        Err(Refusal::invalid(
            "programme_role_invalid",
            "a programme's staff are programme_manager or evaluator",
        )
        .into())
    }
}

impl App {
    /// The programme, if the actor is an administrator; anyone else who
    /// takes part in the programme is forbidden, everyone else gets "not found".
    async fn programme_for_administrator(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
    ) -> Result<Programme, AppError> {
        if !actor.is_administrator() {
            return Err(if self.actor_in_programme(actor, programme).await? {
                AppError::Forbidden
            } else {
                AppError::NotFound("programme")
            });
        }
        self.programme(programme).await
    }

    /// The programme's managers and evaluators. Administrators only.
    pub async fn programme_staff(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
    ) -> Result<Vec<StaffMember>, AppError> {
        let programme = self.programme_for_administrator(actor, programme).await?;
        Ok(self.store.programme_staff(programme.id).await?)
    }

    /// The programme's log of programme roles given and taken away, oldest
    /// first. Administrators only.
    pub async fn programme_staff_changes(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
    ) -> Result<Vec<ProgrammeStaffChange>, AppError> {
        let programme = self.programme_for_administrator(actor, programme).await?;
        Ok(self.store.programme_staff_changes(programme.id).await?)
    }

    /// Gives an existing sign-in, found by email, a programme role (manager
    /// or evaluator). Administrators only.
    pub async fn grant_programme_role(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        email: &str,
        role: Role,
    ) -> Result<StaffMember, AppError> {
        let programme = self.programme_for_administrator(actor, programme).await?;
        check_programme_role(role)?;
        let email = normalise_email(email)?;
        let user = self.store.user_by_email(&email).await?.ok_or_else(|| {
            Refusal::invalid(
                "staff_sign_in_needed",
                "nobody signs in with that email yet; create their staff sign-in first",
            )
        })?;
        let grant = RoleGrant {
            user: user.id,
            role,
            scope: Scope::Programme(programme.id),
        };
        self.store
            .grant_programme_role(grant, actor.user, self.now())
            .await?;
        tracing::info!(programme.id = %programme.id, user.id = %user.id, by = %actor.user, role = role.as_str(), "programme role granted");
        Ok(StaffMember {
            user: user.id,
            display_name: user.display_name,
            email: user.email,
            role,
        })
    }

    /// Takes a programme role away. Administrators only; "not found" when
    /// the person does not hold it.
    pub async fn revoke_programme_role(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        user: UserId,
        role: Role,
    ) -> Result<(), AppError> {
        let programme = self.programme_for_administrator(actor, programme).await?;
        check_programme_role(role)?;
        let grant = RoleGrant {
            user,
            role,
            scope: Scope::Programme(programme.id),
        };
        if !self
            .store
            .revoke_programme_role(grant, actor.user, self.now())
            .await?
        {
            return Err(AppError::NotFound("staff role"));
        }
        tracing::info!(programme.id = %programme.id, user.id = %user, by = %actor.user, role = role.as_str(), "programme role revoked");
        Ok(())
    }
}
