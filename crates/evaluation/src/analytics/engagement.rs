//! Engagement: who is active when, how much time is given where, who stays, and what happens
//! to the credits.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;

use crate::disclosure::{Shown, Threshold, suppress_1d, suppress_2d};

use super::calendar::{Day, Month};
use super::published::{
    MinutesTable, PublishedTable, RawMinutes, ShownMinutes, percent_text, shown_text, single,
};
use super::{AnalyticsError, Contribution, Dataset, Filter, Level, Mode, Scope};

/// The row of time given where the activity's place has no decile.
pub const NO_PLACE_DECILE: &str = "none";

/// The retention horizons reported, in months after joining.
pub const RETENTION_MONTHS: [u32; 3] = [3, 6, 12];

/// Members active in one month: new (their first contribution under the filter's organisation,
/// level and mode falls in this month) and returning (active, and had given before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyMembers {
    pub month: Month,
    pub active: Shown,
    pub new: Shown,
    pub returning: Shown,
}

/// Retention at one horizon of `months`, judged on the day `as_of`.
///
/// - **Eligible**: a participant in scope who joined long enough ago, that is whose day
///   `joined + months` (same day of the month, or the month's last day when it has no such day)
///   is on or before `as_of`.
/// - **Retained**: an eligible participant with at least one contribution matching the filter's
///   organisation, level and mode (the period does not apply: retention follows each member from
///   their own joining) dated from `joined + months` to `as_of`, both included.
///
/// `retained` and `not_retained` are published as a one-way table with `eligible` as its total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    pub months: u32,
    pub eligible: Shown,
    pub retained: Shown,
    pub not_retained: Shown,
}

/// Credits earned, spent and outstanding, summed over participants in scope.
///
/// The totals are the caller's per-member figures for the period ([`super::CreditTotals`]);
/// the filter's organisation, level and mode choose only whose totals are summed. Everything is
/// hidden when fewer members than the threshold stand behind the sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditSummary {
    pub members: Shown,
    pub earned: ShownMinutes,
    pub spent: ShownMinutes,
    pub outstanding: ShownMinutes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engagement {
    /// One row per month of the period (or, without one, from the first to the last month with
    /// a contribution), published as a months x {new, returning} table with its margins.
    pub members_by_month: Vec<MonthlyMembers>,
    /// Margins of that table: distinct new members over the months, and member-months.
    pub new_members: Shown,
    pub returning_member_months: Shown,
    pub active_member_months: Shown,
    pub minutes_by_level: MinutesTable,
    pub minutes_by_mode: MinutesTable,
    pub minutes_by_organisation: MinutesTable,
    /// By the IMD decile of where the activity happens: deciles 1 to 10, then `none`.
    pub minutes_by_place_decile: MinutesTable,
    pub retention: Vec<Retention>,
    pub credits: CreditSummary,
}

/// Engagement of the participants in scope of `filter`; retention is judged on `as_of`.
pub fn engagement(
    data: &Dataset,
    filter: &Filter,
    as_of: Day,
    threshold: Threshold,
) -> Result<Engagement, AnalyticsError> {
    let scope = Scope::new(data, filter)?;
    let in_period: Vec<&Contribution> = scope
        .activity
        .values()
        .flatten()
        .copied()
        .filter(|c| filter.in_period(c.date))
        .collect();

    let (members_by_month, new_members, returning_member_months, active_member_months) =
        members_by_month(&scope, filter, &in_period, threshold)?;

    let mut everyone = Distinct::default();
    for c in &in_period {
        everyone.see(&c.member);
    }
    let everyone = everyone.count;
    let levels = Level::ALL.map(Level::as_str);
    let modes = Mode::ALL.map(Mode::as_str);
    let by_level = minutes_by(&in_period, &levels, |c| c.level.as_str());
    let by_mode = minutes_by(&in_period, &modes, |c| c.mode.as_str());
    let by_org = minutes_by(&in_period, &[], |c| &*c.organisation);
    let by_place = minutes_by(&in_period, &PLACE_DECILES, |c| {
        c.place_decile
            .map_or(NO_PLACE_DECILE, |d| PLACE_DECILES[usize::from(d.get() - 1)])
    });

    Ok(Engagement {
        members_by_month,
        new_members,
        returning_member_months,
        active_member_months,
        minutes_by_level: MinutesTable::suppress(by_level, everyone, threshold)?,
        minutes_by_mode: MinutesTable::suppress(by_mode, everyone, threshold)?,
        minutes_by_organisation: MinutesTable::suppress(by_org, everyone, threshold)?,
        minutes_by_place_decile: MinutesTable::suppress(by_place, everyone, threshold)?,
        retention: retention(&scope, as_of, threshold)?,
        credits: credits(data, &scope, threshold)?,
    })
}

/// The rows of time given by place: deciles 1 to 10, then [`NO_PLACE_DECILE`].
const PLACE_DECILES: [&str; 11] = [
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    NO_PLACE_DECILE,
];

/// Counts distinct members in a stream where each member's records come together, as they do
/// in `in_period` (built member by member from [`Scope::activity`]): a member is new when they
/// differ from the last one seen. Sets of keys cost a comparison of keys per contribution.
#[derive(Default)]
struct Distinct<'a> {
    last: Option<&'a str>,
    count: u64,
}

impl<'a> Distinct<'a> {
    /// Whether `member` is seen here for the first time.
    fn see(&mut self, member: &'a str) -> bool {
        // A member's contributions share one string (`Contribution::member`), so the
        // address usually answers without comparing the text.
        if self
            .last
            .is_some_and(|last| std::ptr::eq(last, member) || last == member)
        {
            return false;
        }
        self.last = Some(member);
        self.count += 1;
        true
    }
}

/// Minutes and distinct contributors per category: the categories of `order` first (listed
/// even when nobody gave to them), then any others in sorted order.
fn minutes_by<'a>(
    in_period: &[&'a Contribution],
    order: &[&str],
    category: impl Fn(&'a Contribution) -> &'a str,
) -> Vec<RawMinutes> {
    // Hashed: this runs once per contribution, and an ordered map compares
    // labels at every level of its tree.
    let mut cells: FxHashMap<&str, (u64, Distinct<'a>)> = FxHashMap::default();
    for c in in_period {
        let cell = cells.entry(category(c)).or_default();
        cell.0 += c.minutes.unsigned_abs();
        cell.1.see(&c.member);
    }
    let mut others: Vec<&str> = cells
        .keys()
        .filter(|k| !order.contains(k))
        .copied()
        .collect();
    others.sort_unstable();
    order
        .iter()
        .copied()
        .chain(others)
        .map(|label| {
            let (minutes, people) = cells.remove(label).unwrap_or_default();
            RawMinutes {
                label: label.to_owned(),
                minutes,
                contributors: people.count,
            }
        })
        .collect()
}

type MonthlyTable = (Vec<MonthlyMembers>, Shown, Shown, Shown);

fn members_by_month(
    scope: &Scope<'_>,
    filter: &Filter,
    in_period: &[&Contribution],
    threshold: Threshold,
) -> Result<MonthlyTable, AnalyticsError> {
    let first = filter
        .from
        .map(Day::month)
        .or_else(|| in_period.iter().map(|c| c.date.month()).min());
    let last = filter
        .to
        .map(Day::month)
        .or_else(|| in_period.iter().map(|c| c.date.month()).max());
    let (Some(first), Some(last)) = (first, last) else {
        // No months to show; the margins would all be zero, which are hidden like any small count.
        return Ok((
            Vec::new(),
            Shown::Suppressed,
            Shown::Suppressed,
            Shown::Suppressed,
        ));
    };
    let mut months = Vec::new();
    let mut m = first;
    while m <= last {
        months.push(m);
        m = m.next();
    }
    // Per month: members active, and how many of them are new (their first
    // contribution under the filter, at any date, falls in it). Member by
    // member, each list in date order, so a member's months come in order.
    let mut active: BTreeMap<Month, (u64, u64)> = BTreeMap::new();
    for list in scope.activity.values() {
        let Some(first) = list.first() else { continue };
        let first_month = first.date.month();
        let mut counted = None;
        for c in list.iter().filter(|c| filter.in_period(c.date)) {
            let month = c.date.month();
            if counted == Some(month) {
                continue;
            }
            counted = Some(month);
            let (all, new) = active.entry(month).or_default();
            *all += 1;
            *new += u64::from(month == first_month);
        }
    }
    let rows: Vec<Vec<u64>> = months
        .iter()
        .map(|month| {
            let (all, new) = active.get(month).copied().unwrap_or_default();
            vec![new, all - new]
        })
        .collect();
    let table = suppress_2d(&rows, threshold)?;
    let members = months
        .iter()
        .enumerate()
        .map(|(i, month)| MonthlyMembers {
            month: *month,
            active: table.row_totals[i],
            new: table.cells[i][0],
            returning: table.cells[i][1],
        })
        .collect();
    Ok((
        members,
        table.column_totals[0],
        table.column_totals[1],
        table.grand_total,
    ))
}

fn retention(
    scope: &Scope<'_>,
    as_of: Day,
    threshold: Threshold,
) -> Result<Vec<Retention>, AnalyticsError> {
    let mut out = Vec::new();
    for months in RETENTION_MONTHS {
        let (mut retained, mut not_retained) = (0u64, 0u64);
        for p in &scope.participants {
            let due = p.joined.add_months(months);
            if due > as_of {
                continue;
            }
            let stayed = scope
                .activity
                .get(p.key.as_str())
                .is_some_and(|list| list.iter().any(|c| c.date >= due && c.date <= as_of));
            if stayed {
                retained += 1;
            } else {
                not_retained += 1;
            }
        }
        let table = suppress_1d(&[retained, not_retained], threshold)?;
        out.push(Retention {
            months,
            eligible: table.total,
            retained: table.cells[0],
            not_retained: table.cells[1],
        });
    }
    Ok(out)
}

fn credits(
    data: &Dataset,
    scope: &Scope<'_>,
    threshold: Threshold,
) -> Result<CreditSummary, AnalyticsError> {
    let in_scope: BTreeSet<&str> = scope.participants.iter().map(|p| p.key.as_str()).collect();
    let (mut members, mut earned, mut spent, mut outstanding) = (0u64, 0i64, 0i64, 0i64);
    for t in data
        .credits()
        .iter()
        .filter(|t| in_scope.contains(t.member.as_str()))
    {
        members += 1;
        earned = earned.saturating_add(t.earned_minutes);
        spent = spent.saturating_add(t.spent_minutes);
        outstanding = outstanding.saturating_add(t.outstanding_minutes);
    }
    let members = single(members, threshold)?;
    let show = |m: i64| match members {
        Shown::Count(_) => ShownMinutes::Minutes(m),
        Shown::Suppressed => ShownMinutes::Suppressed,
    };
    Ok(CreditSummary {
        members,
        earned: show(earned),
        spent: show(spent),
        outstanding: show(outstanding),
    })
}

impl Engagement {
    /// Every table, ready for a page or a CSV download.
    pub fn tables(&self) -> Vec<PublishedTable> {
        let mut months = PublishedTable::new(
            "Active members per month, new and returning",
            &["month", "active", "new", "returning"],
        );
        for r in &self.members_by_month {
            months.rows.push(vec![
                r.month.to_string(),
                shown_text(r.active),
                shown_text(r.new),
                shown_text(r.returning),
            ]);
        }
        months.rows.push(vec![
            "total (member-months)".to_owned(),
            shown_text(self.active_member_months),
            shown_text(self.new_members),
            shown_text(self.returning_member_months),
        ]);
        let mut retention = PublishedTable::new(
            "Retention: still contributing after joining",
            &[
                "months after joining",
                "eligible",
                "retained",
                "not retained",
                "percent retained",
            ],
        );
        for r in &self.retention {
            retention.rows.push(vec![
                r.months.to_string(),
                shown_text(r.eligible),
                shown_text(r.retained),
                shown_text(r.not_retained),
                percent_text(r.retained, r.eligible),
            ]);
        }
        let mut credits = PublishedTable::new(
            "Credits earned, spent and outstanding",
            &["measure", "members", "minutes", "hours"],
        );
        for (label, amount) in [
            ("earned", self.credits.earned),
            ("spent", self.credits.spent),
            ("outstanding", self.credits.outstanding),
        ] {
            let (minutes, hours) = amount.text();
            credits.rows.push(vec![
                label.to_owned(),
                shown_text(self.credits.members),
                minutes,
                hours,
            ]);
        }
        vec![
            months,
            self.minutes_by_level
                .table("Time given by co-production level", "level"),
            self.minutes_by_mode
                .table("Time given by co-production mode", "mode"),
            self.minutes_by_organisation
                .table("Time given by organisation", "organisation"),
            self.minutes_by_place_decile.table(
                "Time given by the IMD decile of where the activity happens",
                "decile",
            ),
            retention,
            credits,
        ]
    }
}
