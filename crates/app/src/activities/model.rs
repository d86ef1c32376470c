//! The records of the activities area: activities, sessions, sign-ups,
//! contributions, claims and confirmed registers.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use timecredits_domain::activity::{
    ActivityDetails, CoProductionLevel, CoProductionMode, SignUpStatus,
};
use timecredits_domain::contribution::{ClaimStatus, ContributionOrigin};
use timecredits_ledger::{ProgrammeId, TransferId};
use uuid::Uuid;

use crate::{AppError, MemberId, OrganisationId, UserId};

macro_rules! area_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
        impl FromStr for $name {
            type Err = AppError;
            fn from_str(s: &str) -> Result<Self, AppError> {
                Uuid::try_parse(s.trim())
                    .map(Self)
                    .map_err(|_| AppError::invalid($what, "is not a valid id"))
            }
        }
    };
}

area_id!(
    /// An activity an organisation offers.
    ActivityId, "activity"
);
area_id!(
    /// One scheduled session of an activity.
    SessionId, "session"
);
area_id!(
    /// A member's sign-up to a session.
    SignUpId, "sign_up"
);
area_id!(
    /// A contribution: time given, credited.
    ContributionId, "contribution"
);
area_id!(
    /// A member's claim for time given.
    ClaimId, "claim"
);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    pub id: ActivityId,
    pub programme: ProgrammeId,
    pub organisation: OrganisationId,
    pub details: ActivityDetails,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Which activities to list. `programme` is always set: nobody lists
/// across programmes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityFilter {
    pub programme: ProgrammeId,
    pub organisation: Option<OrganisationId>,
    pub level: Option<CoProductionLevel>,
    pub mode: Option<CoProductionMode>,
    /// Text the place contains, ignoring case.
    pub place: Option<String>,
    /// Only activities with a session starting in `[from, to)`.
    pub sessions_between: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub after: Option<ActivityId>,
    pub limit: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub activity: ActivityId,
    pub programme: ProgrammeId,
    pub organisation: OrganisationId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i64,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignUp {
    pub id: SignUpId,
    pub session: SessionId,
    pub member: MemberId,
    pub status: SignUpStatus,
    pub signed_up_by: UserId,
    pub signed_up_at: DateTime<Utc>,
    /// When the member moved from the waiting list to a place.
    pub promoted_at: Option<DateTime<Utc>>,
    pub cancelled_by: Option<UserId>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// How many of a session's live sign-ups hold a place and how many wait.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignUpCounts {
    pub taken: i64,
    pub waiting: i64,
}

/// Time a member gave to an activity on a date, credited by `transfer`.
/// Never edited: a correction is a new contribution that supersedes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    pub id: ContributionId,
    pub programme: ProgrammeId,
    pub organisation: OrganisationId,
    pub activity: ActivityId,
    pub session: Option<SessionId>,
    pub member: MemberId,
    pub date: NaiveDate,
    /// Minutes given, which are the minutes credited.
    pub minutes: i64,
    pub origin: ContributionOrigin,
    pub claim: Option<ClaimId>,
    /// The contribution this one corrects.
    pub corrects: Option<ContributionId>,
    /// The contribution that corrected this one (read from storage).
    pub superseded_by: Option<ContributionId>,
    pub note: String,
    /// The issuance posting.
    pub transfer: TransferId,
    /// The idempotency key of the request that recorded it.
    pub key: TransferId,
    pub recorded_by: UserId,
    pub recorded_at: DateTime<Utc>,
}

impl Contribution {
    /// Whether `other` records the same thing (for answering retries).
    pub fn same_request(&self, other: &Contribution) -> bool {
        self.id == other.id
            && self.programme == other.programme
            && self.organisation == other.organisation
            && self.activity == other.activity
            && self.session == other.session
            && self.member == other.member
            && self.date == other.date
            && self.minutes == other.minutes
            && self.origin == other.origin
            && self.claim == other.claim
            && self.corrects == other.corrects
            && self.note == other.note
            && self.transfer == other.transfer
            && self.key == other.key
            && self.recorded_by == other.recorded_by
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub id: ClaimId,
    pub programme: ProgrammeId,
    pub organisation: OrganisationId,
    pub activity: ActivityId,
    pub member: MemberId,
    pub date: NaiveDate,
    pub minutes: i64,
    pub note: String,
    pub claimed_by: UserId,
    pub claimed_at: DateTime<Utc>,
    pub status: ClaimStatus,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected; the member sees it.
    pub rejection_reason: Option<String>,
    /// The contribution its confirmation recorded.
    pub contribution: Option<ContributionId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimFilter {
    pub member: Option<MemberId>,
    pub organisation: Option<OrganisationId>,
    pub status: Option<ClaimStatus>,
    /// Claims older than this one (the list is newest first).
    pub before: Option<ClaimId>,
    pub limit: u32,
}

/// A session's confirmed attendance register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterRecord {
    pub session: SessionId,
    pub key: TransferId,
    pub confirmed_by: UserId,
    pub confirmed_at: DateTime<Utc>,
}
