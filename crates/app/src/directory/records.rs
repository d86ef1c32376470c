//! The directory's own records, kept beside the core `Organisation` and
//! `Member` records and keyed by their ids.

use chrono::{DateTime, Utc};
use timecredits_domain::directory::{
    Contact, Language, MemberStatus, OrganisationKind, OrganisationStatus, PartnerRoles, Postcode,
    SelfRegistration,
};
use timecredits_ledger::{Account, ProgrammeId};
use uuid::Uuid;

use crate::{Member, MemberId, Organisation, OrganisationId, Role, RoleGrant, User, UserId};

/// A partner's details. An organisation without stored details has
/// [`OrganisationDetails::default`]: kind other, earn and spend, active.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct OrganisationDetails {
    pub kind: OrganisationKind,
    pub postcode: Option<Postcode>,
    pub contacts: Vec<Contact>,
    pub roles: PartnerRoles,
    pub status: OrganisationStatus,
    /// Who last suspended or reactivated it, when, and why.
    pub status_change: Option<StatusChange>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusChange {
    pub status: OrganisationStatus,
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// An organisation with its details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partner {
    pub organisation: Organisation,
    pub details: OrganisationDetails,
}

/// How a member came to be registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationChannel {
    /// The person registered themself online.
    SelfService,
    /// Staff registered them on their behalf.
    OnBehalf,
}

impl RegistrationChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SelfService => "self",
            Self::OnBehalf => "on_behalf",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "self" => Some(Self::SelfService),
            "on_behalf" => Some(Self::OnBehalf),
            _ => None,
        }
    }
}

/// A member's registration and the decision on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub member: MemberId,
    pub programme: ProgrammeId,
    pub channel: RegistrationChannel,
    /// The organisation they registered through, if any.
    pub organisation: Option<OrganisationId>,
    /// Staff who registered them (`None` when they registered themself).
    pub registered_by: Option<UserId>,
    pub registered_at: DateTime<Utc>,
    pub status: MemberStatus,
    pub decision: Option<Decision>,
}

/// Who approved or declined a registration, when, and why it was declined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub decline_reason: Option<String>,
}

/// What a member says about themself, and how to reach them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberProfile {
    pub language: Language,
    pub skills: Vec<String>,
    pub skills_text: String,
    pub interests: Vec<String>,
    pub interests_text: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub updated_by: Option<UserId>,
    pub updated_at: DateTime<Utc>,
}

/// A member's link to an organisation they belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub member: MemberId,
    pub organisation: OrganisationId,
    pub joined_by: Option<UserId>,
    pub joined_at: DateTime<Utc>,
}

/// Something staff did for a member who asked them to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyAction {
    pub id: Uuid,
    /// The staff member who acted.
    pub actor: UserId,
    pub member: MemberId,
    pub action: String,
    pub at: DateTime<Utc>,
}

/// A person with a staff role at an organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    pub user: UserId,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
}

/// One line of a programme's append-only log of programme roles given and
/// taken away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeStaffChange {
    pub programme: ProgrammeId,
    pub user: UserId,
    pub role: Role,
    /// `true` when the role was given, `false` when it was taken away.
    pub added: bool,
    pub changed_by: UserId,
    pub changed_at: DateTime<Utc>,
}

/// Everything written when a member is registered, in one transaction.
#[derive(Clone, Debug)]
pub struct NewMemberRecord {
    pub member: Member,
    /// Opened closed while the registration waits for approval.
    pub account: Account,
    pub user: Option<User>,
    pub grants: Vec<RoleGrant>,
    pub registration: Registration,
    pub profile: MemberProfile,
    pub membership: Option<Membership>,
}

/// The programme's directory settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct DirectorySettings {
    pub self_registration: SelfRegistration,
}

/// One page of a list, and the cursor for the next page if there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Where a page starts and how long it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// The id of the last item of the previous page.
    pub after: Option<Uuid>,
    pub limit: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            after: None,
            limit: 50,
        }
    }
}
