//! What the directory use cases need from storage. Each backend implements
//! this trait in its own `directory` module.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use timecredits_domain::directory::{EarnPolicy, OrganisationStatus, SelfRegistration};
use timecredits_ledger::{Account, ProgrammeId};

use super::records::{
    DirectorySettings, MemberProfile, Membership, NewMemberRecord, OrganisationDetails,
    ProgrammeStaffChange, ProxyAction, Registration, StaffMember,
};
use crate::{
    Member, MemberId, Organisation, OrganisationId, PostError, RoleGrant, StoreResult, UserId,
};

#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// The policy an earn partner has set, if any.
    async fn earn_policy(&self, organisation: OrganisationId) -> StoreResult<Option<EarnPolicy>>;
    /// Sets (or replaces) an earn partner's policy.
    async fn set_earn_policy(
        &self,
        organisation: OrganisationId,
        policy: EarnPolicy,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Writes an organisation, its accounts and its details in one transaction.
    async fn create_partner(
        &self,
        organisation: &Organisation,
        accounts: &[Account],
        details: &OrganisationDetails,
    ) -> StoreResult<()>;
    /// The stored details, or `None` for an organisation that has none
    /// (the defaults apply).
    async fn organisation_details(
        &self,
        organisation: OrganisationId,
    ) -> StoreResult<Option<OrganisationDetails>>;
    /// Every organisation of the programme with its stored details.
    async fn partners(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<(Organisation, Option<OrganisationDetails>)>>;
    /// Renames the organisation and replaces its kind, postcode, contacts
    /// and roles (its status is left alone), in one transaction.
    async fn update_partner(
        &self,
        organisation: OrganisationId,
        name: &str,
        details: &OrganisationDetails,
    ) -> StoreResult<()>;
    /// Suspends or reactivates, checking inside the transaction that this
    /// is a change (`StatusChange` names who, when, why), and closes or
    /// reopens the organisation's holdings account with it.
    async fn change_organisation_status(
        &self,
        organisation: &Organisation,
        to: OrganisationStatus,
        by: UserId,
        at: DateTime<Utc>,
        reason: Option<String>,
    ) -> Result<OrganisationDetails, PostError>;

    /// Grants an organisation role and records who did it.
    async fn add_staff(&self, grant: RoleGrant, by: UserId, at: DateTime<Utc>) -> StoreResult<()>;
    /// Takes an organisation role away and records who did it; `false`
    /// when the person did not hold it.
    async fn remove_staff(
        &self,
        grant: RoleGrant,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Everyone with a role at the organisation.
    async fn staff(&self, organisation: OrganisationId) -> StoreResult<Vec<StaffMember>>;

    /// Grants a programme-scoped role and logs it as added, in one
    /// transaction (granting a role already held only logs it again).
    async fn grant_programme_role(
        &self,
        grant: RoleGrant,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Takes a programme-scoped role away and logs it as removed, in one
    /// transaction; `false` (and nothing logged) when it was not held.
    async fn revoke_programme_role(
        &self,
        grant: RoleGrant,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Everyone with a programme staff role (manager, evaluator) there;
    /// members' own programme grants are not staff.
    async fn programme_staff(&self, programme: ProgrammeId) -> StoreResult<Vec<StaffMember>>;
    /// The programme's log of programme roles given and taken away, oldest first.
    async fn programme_staff_changes(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<ProgrammeStaffChange>>;

    async fn directory_settings(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Option<DirectorySettings>>;
    async fn set_self_registration(
        &self,
        programme: ProgrammeId,
        setting: SelfRegistration,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Writes a member with everything that comes with them (account, sign-in,
    /// roles, registration, profile, organisation link) in one transaction.
    /// Fails with `Duplicate("member number")` or `Duplicate("email")`.
    async fn register_member(&self, record: &NewMemberRecord) -> StoreResult<()>;
    async fn registration(&self, member: MemberId) -> StoreResult<Option<Registration>>;
    /// Approves (`decline_reason: None`) or declines a pending registration,
    /// checking inside the transaction that it is still pending; approving
    /// opens the member's account.
    async fn decide_registration(
        &self,
        member: &Member,
        by: UserId,
        at: DateTime<Utc>,
        decline_reason: Option<String>,
    ) -> Result<Registration, PostError>;
    /// Pending registrations of the programme (only those that came through
    /// `organisation`, if given), by member id after `after`.
    async fn pending_registrations(
        &self,
        programme: ProgrammeId,
        organisation: Option<OrganisationId>,
        after: Option<MemberId>,
        limit: u32,
    ) -> StoreResult<Vec<(Member, Registration)>>;

    async fn member_profile(&self, member: MemberId) -> StoreResult<Option<MemberProfile>>;
    async fn save_member_profile(
        &self,
        member: MemberId,
        profile: &MemberProfile,
    ) -> StoreResult<()>;

    /// The organisations the member belongs to now.
    async fn memberships(&self, member: MemberId) -> StoreResult<Vec<Membership>>;
    /// Links a member to an organisation, refusing (`already_a_member`) a
    /// link that exists.
    async fn join_organisation(&self, link: &Membership) -> Result<(), PostError>;
    /// Ends a link, refusing (`not_a_member`) when there is none.
    async fn leave_organisation(
        &self,
        member: MemberId,
        organisation: OrganisationId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<(), PostError>;
    /// Members who belong to the organisation now, by id after `after`.
    async fn organisation_members(
        &self,
        organisation: OrganisationId,
        after: Option<MemberId>,
        limit: u32,
    ) -> StoreResult<Vec<Member>>;

    async fn record_proxy(&self, action: &ProxyAction) -> StoreResult<()>;
    /// The member's proxy actions, oldest first, by id after `after`.
    async fn proxy_actions(
        &self,
        member: MemberId,
        after: Option<uuid::Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<ProxyAction>>;
}
