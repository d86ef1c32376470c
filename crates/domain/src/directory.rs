//! Organisations (kinds, earn/spend roles, status, their own policy within
//! the programme rules) and members (registration, approval, skills and
//! interests, preferred language, proxy actions).

/// The skill and interest categories members choose from ("what I can
/// offer"), shared by profiles and the time-bank directory. Codes are
/// stable; labels are for people.
pub const SKILL_CATEGORIES: &[(&str, &str)] = &[
    ("care_and_companionship", "Care and companionship"),
    ("cooking_and_food", "Cooking and food"),
    ("gardening_and_outdoors", "Gardening and outdoors"),
    ("diy_and_repairs", "DIY and repairs"),
    ("transport_and_errands", "Transport and errands"),
    ("digital_and_admin", "Computers, phones and forms"),
    ("teaching_and_tutoring", "Teaching and tutoring"),
    ("arts_and_crafts", "Arts and crafts"),
    ("sport_and_fitness", "Sport and fitness"),
    ("languages_and_translation", "Languages and translation"),
    ("childcare_and_families", "Children and families"),
    ("events_and_community", "Events and community"),
    ("other", "Something else"),
];

/// Whether `code` names one of the [`SKILL_CATEGORIES`].
pub fn is_skill_category(code: &str) -> bool {
    SKILL_CATEGORIES.iter().any(|(c, _)| *c == code)
}

/// Who may confirm hours given to an earn partner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum HoursConfirmedBy {
    /// Any coordinator of the organisation (and the programme team).
    #[default]
    Coordinators,
    /// Only the programme team: for partners that do not confirm hours themselves.
    ProgrammeTeam,
}

impl HoursConfirmedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Coordinators => "coordinators",
            Self::ProgrammeTeam => "programme_team",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "coordinators" => Some(Self::Coordinators),
            "programme_team" => Some(Self::ProgrammeTeam),
            _ => None,
        }
    }
}

/// An earn partner's own policy, within the programme's rules: it can be
/// stricter than the programme, never looser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EarnPolicy {
    /// Members may claim hours themselves for this partner's activities
    /// (only where the programme's rules allow claims at all).
    pub members_may_claim: bool,
    pub hours_confirmed_by: HoursConfirmedBy,
}

impl Default for EarnPolicy {
    fn default() -> Self {
        Self {
            members_may_claim: true,
            hours_confirmed_by: HoursConfirmedBy::Coordinators,
        }
    }
}
