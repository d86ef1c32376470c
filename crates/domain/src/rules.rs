//! Programme rules and their versions: recording granularity, daily cap,
//! claims, exchange overdraft, credit expiry, and what happens to credits
//! spend partners receive. A change applies from its date; history is
//! judged by the rules in force at the time.

use chrono::{Months, NaiveDate};

use crate::Refusal;

/// How long credits last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreditExpiry {
    Never,
    /// Credits still held this many months after they were received expire,
    /// oldest first.
    AfterMonths(u32),
}

/// What happens to the credits a spend partner receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartnerReceipts {
    /// They are retired to the programme at once.
    Retire,
    /// The partner keeps them to issue again when it is also an earn partner.
    KeepToReissue,
}

impl PartnerReceipts {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Retire => "retire",
            Self::KeepToReissue => "keep_to_reissue",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "retire" => Some(Self::Retire),
            "keep_to_reissue" => Some(Self::KeepToReissue),
            _ => None,
        }
    }
}

/// One version of a programme's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgrammeRules {
    /// Time is recorded in whole steps of this many minutes.
    pub granularity_minutes: i64,
    /// The most minutes one member can be credited on one day.
    pub daily_cap_minutes: i64,
    /// Whether members may claim hours themselves (an earn partner may
    /// still say no for its own activities).
    pub members_may_claim: bool,
    /// How far below zero an exchange may take a member.
    pub exchange_overdraft_minutes: i64,
    pub expiry: CreditExpiry,
    pub partner_receipts: PartnerReceipts,
}

impl Default for ProgrammeRules {
    fn default() -> Self {
        Self {
            granularity_minutes: 15,
            daily_cap_minutes: 12 * 60,
            members_may_claim: true,
            exchange_overdraft_minutes: 0,
            expiry: CreditExpiry::Never,
            partner_receipts: PartnerReceipts::Retire,
        }
    }
}

impl ProgrammeRules {
    /// Checks every value is one a programme can run with.
    pub fn check(&self) -> Result<(), Refusal> {
        if !(1..=240).contains(&self.granularity_minutes) {
            return Err(Refusal::invalid(
                "granularity_out_of_range",
                format!(
                    "the recording granularity must be between 1 and 240 minutes (got {}); 15 is usual",
                    self.granularity_minutes
                ),
            ));
        }
        if !(self.granularity_minutes..=24 * 60).contains(&self.daily_cap_minutes)
            || self.daily_cap_minutes % self.granularity_minutes != 0
        {
            return Err(Refusal::invalid(
                "daily_cap_out_of_range",
                format!(
                    "the daily cap must be a whole number of {}-minute steps, at most 24 hours (got {} minutes)",
                    self.granularity_minutes, self.daily_cap_minutes
                ),
            ));
        }
        if !(0..=100 * 60).contains(&self.exchange_overdraft_minutes) {
            return Err(Refusal::invalid(
                "overdraft_out_of_range",
                "the exchange overdraft must be between 0 and 6000 minutes (100 hours)",
            ));
        }
        if let CreditExpiry::AfterMonths(m) = self.expiry
            && !(1..=120).contains(&m)
        {
            return Err(Refusal::invalid(
                "expiry_out_of_range",
                "credits may expire after 1 to 120 months, or never",
            ));
        }
        Ok(())
    }
}

/// Rules that apply from a date (in the programme's own time zone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleVersion {
    pub effective_from: NaiveDate,
    pub rules: ProgrammeRules,
}

/// Every version of a programme's rules, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RuleBook {
    versions: Vec<RuleVersion>,
}

impl RuleBook {
    pub fn new(mut versions: Vec<RuleVersion>) -> Self {
        versions.sort_by_key(|v| v.effective_from);
        Self { versions }
    }

    pub fn versions(&self) -> &[RuleVersion] {
        &self.versions
    }

    /// The rules in force on `day`: the latest version that started on or
    /// before it. Before the first version (or with none), the defaults.
    pub fn in_force(&self, day: NaiveDate) -> ProgrammeRules {
        self.versions
            .iter()
            .rev()
            .find(|v| v.effective_from <= day)
            .map(|v| v.rules)
            .unwrap_or_default()
    }

    /// Checks a new version may be added on `today`: its rules are valid and
    /// it does not rewrite the past (it starts today or later, and after
    /// the latest version already recorded).
    pub fn check_new(&self, version: &RuleVersion, today: NaiveDate) -> Result<(), Refusal> {
        version.rules.check()?;
        if version.effective_from < today {
            return Err(Refusal::invalid(
                "rules_in_the_past",
                format!(
                    "a rule change cannot start in the past ({}); history is judged by the rules in force at the time, so choose today or a later date",
                    version.effective_from
                ),
            ));
        }
        if let Some(last) = self.versions.last()
            && version.effective_from <= last.effective_from
            && last.effective_from >= today
        {
            return Err(Refusal::conflict(
                "rules_already_changing",
                format!(
                    "a change already starts on {}; a new change must start after it",
                    last.effective_from
                ),
            ));
        }
        Ok(())
    }
}

/// How many minutes of a member's credits expire at `cutoff` under
/// first-in, first-out: every outflow so far (spends, gifts, earlier
/// expiries) used the oldest credits first, so what is left of the credits
/// received before `cutoff` is what expires.
pub fn minutes_expiring(
    inflows: &[(NaiveDate, i64)],
    total_outflow_minutes: i64,
    cutoff: NaiveDate,
) -> i64 {
    let old: i64 = inflows
        .iter()
        .filter(|(day, _)| *day < cutoff)
        .map(|(_, m)| m)
        .sum();
    (old - total_outflow_minutes).max(0)
}

/// The day before which credits received have expired, on `today`.
pub fn expiry_cutoff(expiry: CreditExpiry, today: NaiveDate) -> Option<NaiveDate> {
    match expiry {
        CreditExpiry::Never => None,
        CreditExpiry::AfterMonths(m) => today.checked_sub_months(Months::new(m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn the_rules_in_force_are_those_of_the_latest_version_begun() {
        let strict = ProgrammeRules {
            daily_cap_minutes: 240,
            ..ProgrammeRules::default()
        };
        let book = RuleBook::new(vec![
            RuleVersion {
                effective_from: day(2026, 6, 1),
                rules: strict,
            },
            RuleVersion {
                effective_from: day(2026, 1, 1),
                rules: ProgrammeRules::default(),
            },
        ]);
        assert_eq!(book.in_force(day(2025, 12, 31)), ProgrammeRules::default());
        assert_eq!(book.in_force(day(2026, 5, 31)).daily_cap_minutes, 720);
        assert_eq!(book.in_force(day(2026, 6, 1)).daily_cap_minutes, 240);
    }

    #[test]
    fn changes_cannot_rewrite_history_and_values_are_checked() {
        let book = RuleBook::new(vec![RuleVersion {
            effective_from: day(2026, 1, 1),
            rules: ProgrammeRules::default(),
        }]);
        let today = day(2026, 3, 1);
        let past = RuleVersion {
            effective_from: day(2026, 2, 1),
            rules: ProgrammeRules::default(),
        };
        assert_eq!(
            book.check_new(&past, today).unwrap_err().code,
            "rules_in_the_past"
        );
        let bad = RuleVersion {
            effective_from: today,
            rules: ProgrammeRules {
                granularity_minutes: 0,
                ..ProgrammeRules::default()
            },
        };
        assert_eq!(
            book.check_new(&bad, today).unwrap_err().code,
            "granularity_out_of_range"
        );
        let odd_cap = RuleVersion {
            effective_from: today,
            rules: ProgrammeRules {
                daily_cap_minutes: 100,
                ..ProgrammeRules::default()
            },
        };
        assert_eq!(
            book.check_new(&odd_cap, today).unwrap_err().code,
            "daily_cap_out_of_range"
        );
        let ok = RuleVersion {
            effective_from: today,
            rules: ProgrammeRules::default(),
        };
        assert!(book.check_new(&ok, today).is_ok());
    }

    #[test]
    fn expiry_takes_the_oldest_credits_still_held() {
        let inflows = [
            (day(2025, 1, 10), 120),
            (day(2025, 3, 1), 60),
            (day(2025, 9, 1), 180),
        ];
        // 150 minutes spent: the January 120 and 30 of March's 60 are gone.
        assert_eq!(minutes_expiring(&inflows, 150, day(2025, 6, 1)), 30);
        assert_eq!(minutes_expiring(&inflows, 150, day(2025, 2, 1)), 0);
        assert_eq!(minutes_expiring(&inflows, 0, day(2026, 1, 1)), 360);
        assert_eq!(
            expiry_cutoff(CreditExpiry::AfterMonths(12), day(2026, 3, 31)),
            Some(day(2025, 3, 31))
        );
        assert_eq!(expiry_cutoff(CreditExpiry::Never, day(2026, 3, 31)), None);
    }
}
