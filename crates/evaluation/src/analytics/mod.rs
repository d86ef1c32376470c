//! Reach, engagement and outcomes of one programme (issue 5, sections 6 and 7), from plain
//! records of consenting members that the application hands over ([`Dataset`]).
//!
//! - [`reach()`]: participants by IMD decile and quintile beside the area's LSOAs, the share new to
//!   volunteering, demographics.
//! - [`engagement()`]: active, new and returning members per month, minutes given by level, mode
//!   and organisation, retention at 3, 6 and 12 months, credits earned, spent and outstanding.
//! - [`outcomes()`]: paired baseline-to-follow-up change per instrument measure, overall, by
//!   deprivation quintile and by tertile of minutes given, with movement between bands overall
//!   and, out of each band, by quintile and by tertile.
//!
//! **Disclosure.** Results hold only what may be published: counts are
//! [`Shown`](crate::disclosure::Shown) cells that went through
//! [`suppress_1d`](crate::disclosure::suppress_1d) or [`suppress_2d`](crate::disclosure::suppress_2d)
//! with the programme's [`Threshold`](crate::disclosure::Threshold), and statistics of a group
//! whose count is suppressed are never computed. The raw counts are dropped inside each
//! function, so a caller cannot publish them by mistake. Every result renders as
//! [`PublishedTable`]s, which write CSV.
//!
//! **Scope of a filter.** See [`Filter`]: contributions count when they match every criterion;
//! a participant is in scope when they took part under the filter.
//!
//! Credits are whole minutes (`i64`/`u64`) throughout; `f64` appears only in survey statistics.

mod calendar;
mod engagement;
mod input;
mod outcomes;
mod published;
mod reach;

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;
use thiserror::Error;

use crate::disclosure::DisclosureError;
use crate::stats::StatsError;

pub use calendar::{Day, Month};
pub use engagement::{CreditSummary, Engagement, MonthlyMembers, Retention, engagement};
pub use input::{
    AreaDeciles, Contribution, CreditTotals, Dataset, Level, MemberKey, Mode, Participant,
    SurveyScore,
};
pub use outcomes::{
    BandChange, BandGroupCell, BandGroups, DoseTertiles, GroupOutcome, MeasureOutcome, Outcome,
    Outcomes, outcomes, outcomes_at,
};
pub use published::{
    CountRow, CountTable, MinutesRow, MinutesTable, PublishedTable, SUPPRESSED, ShownMinutes,
};
pub use reach::{DecileRow, QuintileRow, Reach, reach};

#[derive(Debug, Clone, PartialEq, Error)]
pub enum AnalyticsError {
    #[error("participant '{key}' is listed twice")]
    DuplicateParticipant { key: String },
    #[error("'{key}' is not a consenting participant; leave out every record of them")]
    NotAParticipant { key: String },
    #[error("a contribution of '{key}' has {minutes} minutes; minutes given are always positive")]
    MinutesNotPositive { key: String, minutes: i64 },
    #[error("the credits of '{key}' are negative; earned and spent minutes never are")]
    NegativeCredits { key: String },
    #[error("the credits of '{key}' are listed twice")]
    DuplicateCredits { key: String },
    #[error("'{key}' has two scores on {instrument} at {wave_months} months; keep one")]
    DuplicateScore {
        key: String,
        instrument: String,
        wave_months: u32,
    },
    #[error("the period starts on {from}, after it ends on {to}")]
    PeriodBackwards { from: Day, to: Day },
    #[error("a follow-up is at least one month after the baseline")]
    FollowUpIsBaseline,
    #[error(transparent)]
    Disclosure(#[from] DisclosureError),
    #[error(transparent)]
    Stats(#[from] StatsError),
}

/// Which part of the programme to look at. Every criterion left `None` lets everything through.
///
/// A contribution counts when it matches every criterion. A participant is **in scope** when:
/// - the filter names an organisation, level or mode: they made at least one contribution
///   matching every criterion, period included (joining is programme-wide, so it says nothing
///   about an organisation);
/// - otherwise, with a period: they joined in it or made a contribution in it;
/// - with no criteria at all: always.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// First day of the period, included.
    pub from: Option<Day>,
    /// Last day of the period, included.
    pub to: Option<Day>,
    pub organisation: Option<String>,
    pub level: Option<Level>,
    pub mode: Option<Mode>,
}

impl Filter {
    pub fn check(&self) -> Result<(), AnalyticsError> {
        match (self.from, self.to) {
            (Some(from), Some(to)) if from > to => {
                Err(AnalyticsError::PeriodBackwards { from, to })
            }
            _ => Ok(()),
        }
    }

    pub fn in_period(&self, day: Day) -> bool {
        self.from.is_none_or(|from| day >= from) && self.to.is_none_or(|to| day <= to)
    }

    /// Organisation, level and mode match, whatever the date.
    pub fn matches_activity(&self, c: &Contribution) -> bool {
        self.organisation
            .as_ref()
            .is_none_or(|o| o.as_str() == &*c.organisation)
            && self.level.is_none_or(|l| l == c.level)
            && self.mode.is_none_or(|m| m == c.mode)
    }

    /// Every criterion matches, the period included.
    pub fn matches(&self, c: &Contribution) -> bool {
        self.matches_activity(c) && self.in_period(c.date)
    }

    /// Whether any criterion is set: without one, everyone is in scope and no contribution
    /// needs to be looked at to say so.
    pub fn narrows(&self) -> bool {
        self.from.is_some() || self.to.is_some() || self.has_activity_criteria()
    }

    fn has_activity_criteria(&self) -> bool {
        self.organisation.is_some() || self.level.is_some() || self.mode.is_some()
    }
}

/// Who and what a filter lets through (the rule is on [`Filter`]).
pub(crate) struct Scope<'a> {
    pub participants: Vec<&'a Participant>,
    /// Per participant in scope, their contributions matching organisation, level and mode, at
    /// any date, in date order.
    pub activity: BTreeMap<&'a str, Vec<&'a Contribution>>,
}

impl<'a> Scope<'a> {
    pub fn new(data: &'a Dataset, filter: &Filter) -> Result<Self, AnalyticsError> {
        filter.check()?;
        // Grouped in a hash map, then ordered once per member rather than
        // once per contribution: programmes have millions of contributions.
        let mut grouped: FxHashMap<&str, Vec<&Contribution>> = FxHashMap::default();
        for c in data
            .contributions()
            .iter()
            .filter(|c| filter.matches_activity(c))
        {
            grouped.entry(&*c.member).or_default().push(c);
        }
        let mut activity: BTreeMap<&str, Vec<&Contribution>> = grouped.into_iter().collect();
        for list in activity.values_mut() {
            list.sort_by_key(|c| c.date);
        }
        let any_in_period = |key: &str| {
            activity
                .get(key)
                .is_some_and(|l| l.iter().any(|c| filter.in_period(c.date)))
        };
        let participants: Vec<&Participant> = data
            .participants()
            .filter(|p| {
                if filter.has_activity_criteria() {
                    any_in_period(&p.key)
                } else if filter.from.is_some() || filter.to.is_some() {
                    filter.in_period(p.joined) || any_in_period(&p.key)
                } else {
                    true
                }
            })
            .collect();
        let in_scope: BTreeSet<&str> = participants.iter().map(|p| p.key.as_str()).collect();
        activity.retain(|key, _| in_scope.contains(key));
        Ok(Scope {
            participants,
            activity,
        })
    }

    /// Minutes the participant gave under the filter, period included.
    pub fn minutes_given(&self, key: &str, filter: &Filter) -> u64 {
        self.activity.get(key).map_or(0, |list| {
            list.iter()
                .filter(|c| filter.in_period(c.date))
                .map(|c| c.minutes.unsigned_abs())
                .sum()
        })
    }
}
