//! What the application hands over: plain records of consenting members only.
//!
//! The application reads the store, keeps only members whose current consent is given, turns
//! its ids into pseudonymous keys and its timestamps into the programme's calendar days, and
//! builds a [`Dataset`]. Checking who may see the results is the application's job too.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rustc_hash::FxHashSet;

use crate::imd::Decile;
use crate::instruments::InstrumentScore;

use super::AnalyticsError;
use super::calendar::Day;

/// A member's key in the analytics: pseudonymous, never a name or an email address.
pub type MemberKey = String;

/// One consenting member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub key: MemberKey,
    pub joined: Day,
    /// From the member's postcode; `None` when none was given or it has no LSOA.
    pub decile: Option<Decile>,
    /// The answer to "have you volunteered before?", turned round: `Some(true)` when they had
    /// not. `None` when not answered or "prefer not to say".
    pub new_to_volunteering: Option<bool>,
    /// Profile answers as (question, category) codes, e.g. `("gender", "woman")` or
    /// `("ethnicity", "prefer_not_to_say")`. A question left out was not answered. Only
    /// categorical answers belong here: never a postcode, a year of birth or free text.
    pub demographics: Vec<(String, String)>,
}

/// The co-production level of the activity a contribution was given to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Individual,
    Group,
    Collective,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Individual, Level::Group, Level::Collective];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Individual => "individual",
            Level::Group => "group",
            Level::Collective => "collective",
        }
    }
}

/// The co-production mode of the activity a contribution was given to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    CoDesign,
    CoDelivery,
    CoGovernance,
    PeerSupport,
    CommunityAction,
}

impl Mode {
    pub const ALL: [Mode; 5] = [
        Mode::CoDesign,
        Mode::CoDelivery,
        Mode::CoGovernance,
        Mode::PeerSupport,
        Mode::CommunityAction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::CoDesign => "co_design",
            Mode::CoDelivery => "co_delivery",
            Mode::CoGovernance => "co_governance",
            Mode::PeerSupport => "peer_support",
            Mode::CommunityAction => "community_action",
        }
    }
}

/// One confirmed contribution as it stands (a corrected one is handed over as corrected).
///
/// The member's key and the organisation are shared (`Arc<str>`) rather than owned: a programme
/// has millions of contributions from thousands of members, and one string each would be most of
/// a report's memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    pub member: Arc<str>,
    pub date: Day,
    /// Whole minutes given; always positive.
    pub minutes: i64,
    pub level: Level,
    pub mode: Mode,
    /// The organisation's key (an id or a pseudonym; organisations are not people).
    pub organisation: Arc<str>,
    /// The IMD decile of where the activity happens (its own postcode, or else its
    /// organisation's); `None` when that has no decile. Places are not people: this is public.
    pub place_decile: Option<Decile>,
}

/// A member's credits over the period the caller chose, in minutes (60 = one credit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditTotals {
    pub member: MemberKey,
    /// Credits issued to the member for time given; not negative.
    pub earned_minutes: i64,
    /// Credits the member spent on offers; not negative.
    pub spent_minutes: i64,
    /// The member's balance at the end of the period (may be negative only under an
    /// exchange overdraft).
    pub outstanding_minutes: i64,
}

/// One member's score on one instrument at one survey wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyScore {
    pub member: MemberKey,
    /// Months after the member's baseline: 0 is the baseline, then 6, 12 ...
    pub wave_months: u32,
    /// The instrument's id, as in [`crate::instruments::Instrument::id`].
    pub instrument: String,
    pub score: InstrumentScore,
}

/// How many LSOAs of the programme's area fall in each IMD decile: public data, the yardstick
/// for reach ("against the area").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AreaDeciles {
    /// Index 0 is decile 1 (most deprived).
    pub lsoas: [u64; 10],
}

impl AreaDeciles {
    /// Count the deciles of the area's LSOAs.
    pub fn from_lsoa_deciles(deciles: impl IntoIterator<Item = Decile>) -> Self {
        let mut lsoas = [0u64; 10];
        for d in deciles {
            lsoas[usize::from(d.get() - 1)] += 1;
        }
        AreaDeciles { lsoas }
    }

    pub fn total(&self) -> u64 {
        self.lsoas.iter().sum()
    }
}

/// Everything one programme's analytics read, checked once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    participants: BTreeMap<MemberKey, Participant>,
    contributions: Vec<Contribution>,
    credits: Vec<CreditTotals>,
    scores: Vec<SurveyScore>,
    area: AreaDeciles,
}

impl Dataset {
    /// Refuses records of anyone who is not a participant (so a member without consent cannot
    /// slip in through their contributions), repeated participants, repeated scores and
    /// minutes or credits that cannot be.
    pub fn new(
        participants: Vec<Participant>,
        contributions: Vec<Contribution>,
        credits: Vec<CreditTotals>,
        scores: Vec<SurveyScore>,
        area: AreaDeciles,
    ) -> Result<Self, AnalyticsError> {
        let mut by_key = BTreeMap::new();
        for p in participants {
            if let Some(old) = by_key.insert(p.key.clone(), p) {
                return Err(AnalyticsError::DuplicateParticipant { key: old.key });
            }
        }
        // Hashed, not the ordered map: this runs once per contribution.
        let keys: FxHashSet<&str> = by_key.keys().map(String::as_str).collect();
        let known = |member: &str| {
            if keys.contains(member) {
                Ok(())
            } else {
                Err(AnalyticsError::NotAParticipant {
                    key: member.to_owned(),
                })
            }
        };
        for c in &contributions {
            known(&c.member)?;
            if c.minutes <= 0 {
                return Err(AnalyticsError::MinutesNotPositive {
                    key: c.member.to_string(),
                    minutes: c.minutes,
                });
            }
        }
        let mut seen = BTreeSet::new();
        for t in &credits {
            known(&t.member)?;
            if t.earned_minutes < 0 || t.spent_minutes < 0 {
                return Err(AnalyticsError::NegativeCredits {
                    key: t.member.clone(),
                });
            }
            if !seen.insert(t.member.as_str()) {
                return Err(AnalyticsError::DuplicateCredits {
                    key: t.member.clone(),
                });
            }
        }
        let mut seen = BTreeSet::new();
        for s in &scores {
            known(&s.member)?;
            if !seen.insert((s.member.as_str(), s.wave_months, s.instrument.as_str())) {
                return Err(AnalyticsError::DuplicateScore {
                    key: s.member.clone(),
                    instrument: s.instrument.clone(),
                    wave_months: s.wave_months,
                });
            }
        }
        drop(keys);
        Ok(Dataset {
            participants: by_key,
            contributions,
            credits,
            scores,
            area,
        })
    }

    /// Participants in key order.
    pub fn participants(&self) -> impl Iterator<Item = &Participant> {
        self.participants.values()
    }

    pub fn contributions(&self) -> &[Contribution] {
        &self.contributions
    }

    pub fn credits(&self) -> &[CreditTotals] {
        &self.credits
    }

    pub fn scores(&self) -> &[SurveyScore] {
        &self.scores
    }

    pub fn area(&self) -> &AreaDeciles {
        &self.area
    }

    pub fn participant(&self, key: &str) -> Option<&Participant> {
        self.participants.get(key)
    }
}
