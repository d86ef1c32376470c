//! The evaluation area's records and the category lists it asks about, as data.

use chrono::{DateTime, NaiveDate, Utc};
use timecredits_ledger::ProgrammeId;
use uuid::Uuid;

use crate::{MemberId, UserId};

/// The consent wording a member agrees to. A change of wording is a new
/// version, so each record says exactly what was agreed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsentWording {
    pub version: &'static str,
    pub text: &'static str,
}

/// The wording shown today.
pub const CONSENT_WORDING: ConsentWording = ConsentWording {
    version: "2026-1",
    text: "I agree that the Time Credits programme may use the answers I give about myself \
(such as my age band, ethnicity and postcode) and my answers to wellbeing and loneliness \
surveys to understand who takes part and what difference it makes. My answers are optional. \
They are only reported as totals for groups large enough that nobody can be picked out, and \
researchers only see them without my name, contact details or postcode. Saying no, or \
changing my mind later, does not change my membership, my credits or anything I can take \
part in. I can withdraw this consent at any time.",
};

/// Every wording ever shown, oldest first; a record names one of these.
pub const CONSENT_WORDINGS: &[ConsentWording] = &[CONSENT_WORDING];

/// Whether a record gives or withdraws consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentDecision {
    Given,
    Withdrawn,
}

impl ConsentDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Given => "given",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "given" => Some(Self::Given),
            "withdrawn" => Some(Self::Withdrawn),
            _ => None,
        }
    }
}

/// One giving or withdrawal of consent. Never changed or deleted: the
/// member's history is every record, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentRecord {
    pub id: Uuid,
    pub member: MemberId,
    pub programme: ProgrammeId,
    pub decision: ConsentDecision,
    /// The wording's version (for a withdrawal, the one withdrawn from).
    pub wording_version: String,
    pub at: DateTime<Utc>,
    /// The member, or the staff member who recorded it for them.
    pub recorded_by: UserId,
    /// True when staff recorded it for the member (in person or on paper).
    pub by_proxy: bool,
}

/// A member's consent now, and how it came to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentState {
    pub member: MemberId,
    /// The latest record is a giving of consent.
    pub given: bool,
    /// Oldest first.
    pub history: Vec<ConsentRecord>,
}

impl ConsentState {
    pub fn from_history(member: MemberId, history: Vec<ConsentRecord>) -> Self {
        let given = history
            .last()
            .is_some_and(|r| r.decision == ConsentDecision::Given);
        Self {
            member,
            given,
            history,
        }
    }

    pub fn latest(&self) -> Option<&ConsentRecord> {
        self.history.last()
    }
}

/// An answer to an optional question: not answered, declined, or given.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Answer<T> {
    #[default]
    NotAnswered,
    PreferNotToSay,
    Given(T),
}

/// The stored and wire form of "prefer not to say".
pub const PREFER_NOT_TO_SAY: &str = "prefer_not_to_say";

impl Answer<String> {
    /// An answer given as a code: `None` or empty is not answered.
    pub fn from_code(code: Option<&str>) -> Self {
        match code.map(str::trim) {
            None | Some("") => Self::NotAnswered,
            Some(PREFER_NOT_TO_SAY) => Self::PreferNotToSay,
            Some(c) => Self::Given(c.to_owned()),
        }
    }
}

impl<T: AsRef<str>> Answer<T> {
    /// The code stored: `None` when not answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::NotAnswered => None,
            Self::PreferNotToSay => Some(PREFER_NOT_TO_SAY),
            Self::Given(v) => Some(v.as_ref()),
        }
    }
}

/// A member's own answers about themself, each optional. Codes are those of
/// the lists below; `year_of_birth` and `age_band` are alternatives.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EvaluationProfile {
    pub age_band: Answer<String>,
    pub year_of_birth: Option<i32>,
    pub gender: Answer<String>,
    pub ethnicity: Answer<String>,
    /// `yes` or `no`.
    pub disability: Answer<String>,
    pub employment: Answer<String>,
    /// `yes` or `no`.
    pub volunteered_before: Answer<String>,
    /// Normalised (`PE13 2AB`).
    pub postcode: Answer<String>,
}

/// A stored profile, with who last changed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredProfile {
    pub member: MemberId,
    pub programme: ProgrammeId,
    pub profile: EvaluationProfile,
    pub updated_at: DateTime<Utc>,
    pub updated_by: UserId,
}

/// A code and the words shown for it.
pub type Choice = (&'static str, &'static str);

/// Ten-year bands, matching the research extract's first rung of coarsening.
pub const AGE_BANDS: &[Choice] = &[
    ("10-19", "10 to 19"),
    ("20-29", "20 to 29"),
    ("30-39", "30 to 39"),
    ("40-49", "40 to 49"),
    ("50-59", "50 to 59"),
    ("60-69", "60 to 69"),
    ("70-79", "70 to 79"),
    ("80+", "80 or over"),
];

pub const GENDERS: &[Choice] = &[
    ("woman", "Woman"),
    ("man", "Man"),
    ("non_binary", "Non-binary"),
    ("another_way", "In another way"),
];

pub const YES_NO: &[Choice] = &[("yes", "Yes"), ("no", "No")];

pub const EMPLOYMENT: &[Choice] = &[
    ("employed_full_time", "Employed full-time"),
    ("employed_part_time", "Employed part-time"),
    ("self_employed", "Self-employed"),
    ("unemployed", "Unemployed and looking for work"),
    ("student", "In education or training"),
    ("retired", "Retired"),
    ("looking_after_home", "Looking after home or family"),
    ("long_term_sick", "Long-term sick or disabled"),
    ("other", "Other"),
];

/// A group of the ONS 2021 census ethnic group question (England).
#[derive(Clone, Copy, Debug)]
pub struct EthnicGroup {
    pub code: &'static str,
    pub label: &'static str,
    pub categories: &'static [Choice],
}

/// The 19 categories of the 2021 Census of England and Wales, in its 5 groups.
pub const ETHNIC_GROUPS: &[EthnicGroup] = &[
    EthnicGroup {
        code: "asian",
        label: "Asian, Asian British or Asian Welsh",
        categories: &[
            ("asian_bangladeshi", "Bangladeshi"),
            ("asian_chinese", "Chinese"),
            ("asian_indian", "Indian"),
            ("asian_pakistani", "Pakistani"),
            ("asian_other", "Any other Asian background"),
        ],
    },
    EthnicGroup {
        code: "black",
        label: "Black, Black British, Black Welsh, Caribbean or African",
        categories: &[
            ("black_african", "African"),
            ("black_caribbean", "Caribbean"),
            (
                "black_other",
                "Any other Black, Black British or Caribbean background",
            ),
        ],
    },
    EthnicGroup {
        code: "mixed",
        label: "Mixed or Multiple ethnic groups",
        categories: &[
            ("mixed_white_asian", "White and Asian"),
            ("mixed_white_black_african", "White and Black African"),
            ("mixed_white_black_caribbean", "White and Black Caribbean"),
            (
                "mixed_other",
                "Any other Mixed or Multiple ethnic background",
            ),
        ],
    },
    EthnicGroup {
        code: "white",
        label: "White",
        categories: &[
            (
                "white_british",
                "English, Welsh, Scottish, Northern Irish or British",
            ),
            ("white_irish", "Irish"),
            ("white_gypsy_traveller", "Gypsy or Irish Traveller"),
            ("white_roma", "Roma"),
            ("white_other", "Any other White background"),
        ],
    },
    EthnicGroup {
        code: "other",
        label: "Other ethnic group",
        categories: &[
            ("other_arab", "Arab"),
            ("other_any", "Any other ethnic group"),
        ],
    },
];

/// The group an ethnicity code belongs to.
pub fn ethnic_group(code: &str) -> Option<&'static EthnicGroup> {
    ETHNIC_GROUPS
        .iter()
        .find(|g| g.categories.iter().any(|(c, _)| *c == code))
}

pub(crate) fn is_choice(list: &[Choice], code: &str) -> bool {
    list.iter().any(|(c, _)| *c == code)
}

/// A date a member's schedule starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberDates {
    pub joined: NaiveDate,
    /// The first day they gave time (a contribution not since corrected).
    pub first_contribution: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_census_list_has_19_categories_in_5_groups_with_unique_codes() {
        assert_eq!(ETHNIC_GROUPS.len(), 5);
        let codes: Vec<&str> = ETHNIC_GROUPS
            .iter()
            .flat_map(|g| g.categories.iter().map(|(c, _)| *c))
            .collect();
        assert_eq!(codes.len(), 19);
        let mut unique = codes.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 19);
        assert_eq!(ethnic_group("white_roma").map(|g| g.code), Some("white"));
        assert!(ethnic_group(PREFER_NOT_TO_SAY).is_none());
    }

    #[test]
    fn answers_round_trip_through_their_codes() {
        assert_eq!(Answer::from_code(None), Answer::NotAnswered);
        assert_eq!(Answer::from_code(Some(" ")), Answer::NotAnswered);
        assert_eq!(
            Answer::from_code(Some(PREFER_NOT_TO_SAY)),
            Answer::PreferNotToSay
        );
        let given = Answer::from_code(Some("man"));
        assert_eq!(given.code(), Some("man"));
        assert_eq!(Answer::<String>::NotAnswered.code(), None);
    }

    #[test]
    fn consent_follows_the_latest_record() {
        let member = MemberId(Uuid::from_u128(1));
        let record = |decision| ConsentRecord {
            id: Uuid::from_u128(2),
            member,
            programme: ProgrammeId(Uuid::from_u128(3)),
            decision,
            wording_version: CONSENT_WORDING.version.into(),
            at: DateTime::UNIX_EPOCH,
            recorded_by: UserId(Uuid::from_u128(4)),
            by_proxy: false,
        };
        assert!(!ConsentState::from_history(member, vec![]).given);
        let given = vec![record(ConsentDecision::Given)];
        assert!(ConsentState::from_history(member, given.clone()).given);
        let mut withdrawn = given;
        withdrawn.push(record(ConsentDecision::Withdrawn));
        assert!(!ConsentState::from_history(member, withdrawn).given);
    }
}
