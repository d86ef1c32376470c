//! What the analytics and the research extract read from storage: one
//! programme's members, contributions, credits, survey answers and places,
//! each in one set-based read (no query per member).
//!
//! These carry every member of the programme, with or without consent; the
//! use cases in `analytics` keep only those whose latest consent is given.

use chrono::{DateTime, NaiveDate, Utc};
use timecredits_domain::activity::{CoProductionLevel, CoProductionMode};
use uuid::Uuid;

use super::model::{ConsentDecision, EvaluationProfile};
use crate::MemberId;

/// A member of the programme with what the evaluation knows of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvaluationMember {
    pub member: MemberId,
    pub joined_at: DateTime<Utc>,
    /// The decision of their latest consent record; `None` when they have
    /// none.
    pub latest_consent: Option<ConsentDecision>,
    pub profile: Option<EvaluationProfile>,
    /// The LSOA their profile's postcode falls in (England only).
    pub lsoa: Option<String>,
    /// That LSOA's IMD decile, 1 (most deprived) to 10.
    pub decile: Option<u8>,
    /// That LSOA's local authority district code.
    pub local_authority: Option<String>,
}

/// A contribution as it stands (not since corrected), with its activity's
/// co-production level and mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContributionRecord {
    pub member: MemberId,
    pub date: NaiveDate,
    pub minutes: i64,
    pub level: CoProductionLevel,
    pub mode: CoProductionMode,
    pub organisation: Uuid,
    /// The IMD decile (1 to 10) of where the activity happens: its own
    /// postcode, or else its organisation's; `None` when neither resolves.
    pub place_decile: Option<u8>,
}

/// A member's credits over a period, in minutes, net of reversals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberCredits {
    pub member: MemberId,
    /// Issued to the member for time given in the period.
    pub earned_minutes: i64,
    /// Spent by the member on offers in the period.
    pub spent_minutes: i64,
    /// The member's balance at the end of the period.
    pub balance_minutes: i64,
}

/// One answered item of one survey response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurveyAnswerRecord {
    pub response: Uuid,
    pub member: MemberId,
    pub wave_months: u32,
    pub instrument: String,
    pub item: String,
    /// `None` for a free-text answer (programmes' own questions).
    pub score: Option<u8>,
}
