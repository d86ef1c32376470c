//! Contributions: time given, turned into credits. Validation against the rules in force.
//!
//! Every check here is judged by the programme's rules in force on the date
//! the time was given, not on the day it is recorded. One hour given is one
//! credit: the minutes credited are always the minutes given.

use chrono::NaiveDate;

use crate::Refusal;
use crate::directory::{EarnPolicy, HoursConfirmedBy};
use crate::rules::ProgrammeRules;

/// The longest note or reason on a claim or correction.
pub const MAX_NOTE_CHARS: usize = 1000;

/// How a contribution came to be recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContributionOrigin {
    /// A session's attendance register, confirmed by a coordinator.
    Register,
    /// A member's claim, confirmed.
    Claim,
    /// Recorded directly by a coordinator.
    Direct,
    /// Replaces an earlier contribution that was wrong.
    Correction,
}

impl ContributionOrigin {
    pub const ALL: [Self; 4] = [Self::Register, Self::Claim, Self::Direct, Self::Correction];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Claim => "claim",
            Self::Direct => "direct",
            Self::Correction => "correction",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// Where a member's claim stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClaimStatus {
    /// Waiting for a decision.
    Pending,
    Confirmed,
    Rejected,
}

impl ClaimStatus {
    pub const ALL: [Self; 3] = [Self::Pending, Self::Confirmed, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// Time cannot be credited before it is given.
pub fn check_not_future(date: NaiveDate, today: NaiveDate) -> Result<(), Refusal> {
    if date > today {
        return Err(Refusal::invalid(
            "future_date",
            format!(
                "{date} is in the future; record time once it has been given (today is {today})"
            ),
        ));
    }
    Ok(())
}

/// Minutes must be positive and a whole number of the programme's steps.
pub fn check_steps(minutes: i64, rules: &ProgrammeRules) -> Result<(), Refusal> {
    let step = rules.granularity_minutes;
    if minutes <= 0 || minutes % step != 0 {
        return Err(Refusal::invalid(
            "not_a_whole_number_of_steps",
            format!(
                "{minutes} minutes is not a whole number of {step}-minute steps; round to the nearest step (for example {})",
                (minutes.max(step) + step / 2) / step * step
            ),
        ));
    }
    Ok(())
}

/// A member can be credited at most the daily cap on one day, counting
/// what they were already credited that day.
pub fn check_daily_cap(
    minutes: i64,
    already_credited_minutes: i64,
    rules: &ProgrammeRules,
) -> Result<(), Refusal> {
    let cap = rules.daily_cap_minutes;
    if already_credited_minutes + minutes > cap {
        let left = (cap - already_credited_minutes).max(0);
        return Err(Refusal::conflict(
            "daily_cap_exceeded",
            format!(
                "this would credit {} minutes on one day, above the daily cap of {cap}; {already_credited_minutes} minutes are already credited that day, so at most {left} more can be",
                already_credited_minutes + minutes
            ),
        ));
    }
    Ok(())
}

/// A new claim must fit in the day beside what is already credited and the
/// member's other claims still waiting, so that confirming them all could
/// not pass the cap. (Confirmation checks the cap again against credits.)
pub fn check_claim_fits_the_day(
    minutes: i64,
    already_credited_minutes: i64,
    pending_claim_minutes: i64,
    rules: &ProgrammeRules,
) -> Result<(), Refusal> {
    let cap = rules.daily_cap_minutes;
    let taken = already_credited_minutes + pending_claim_minutes;
    if taken + minutes > cap {
        let left = (cap - taken).max(0);
        return Err(Refusal::conflict(
            "daily_cap_exceeded",
            format!(
                "this claim would bring the day to {} minutes, above the daily cap of {cap}: {already_credited_minutes} minutes are already credited that day and {pending_claim_minutes} are in claims waiting for a decision, so at most {left} more can be claimed",
                taken + minutes
            ),
        ));
    }
    Ok(())
}

/// Only activities that earn credits can have time credited.
pub fn check_earns(earns_credits: bool) -> Result<(), Refusal> {
    if !earns_credits {
        return Err(Refusal::invalid(
            "activity_does_not_earn",
            "this activity does not earn credits; choose an activity that does, or ask its organisation to change it",
        ));
    }
    Ok(())
}

/// Refusal for a second contribution of a member to the same session.
pub fn duplicate_contribution() -> Refusal {
    Refusal::conflict(
        "duplicate_contribution",
        "this member already has time credited for this session; correct that contribution instead of recording another",
    )
}

/// The checks that do not depend on stored contributions, for one
/// contribution of `minutes` on `date`, judged by the rules in force on `date`.
pub fn check_contribution(
    date: NaiveDate,
    today: NaiveDate,
    minutes: i64,
    earns_credits: bool,
    rules: &ProgrammeRules,
) -> Result<(), Refusal> {
    check_not_future(date, today)?;
    check_earns(earns_credits)?;
    check_steps(minutes, rules)
}

/// Members may claim only where both the programme's rules in force on the
/// date and the organisation's own policy allow it.
pub fn check_claims_allowed(rules: &ProgrammeRules, policy: &EarnPolicy) -> Result<(), Refusal> {
    if !rules.members_may_claim {
        return Err(Refusal::invalid(
            "claims_not_allowed",
            "the programme's rules do not let members claim hours themselves on that date; ask the organisation's coordinator to record your time",
        ));
    }
    if !policy.members_may_claim {
        return Err(Refusal::invalid(
            "claims_not_allowed",
            "this organisation does not take claims from members; ask its coordinator to record your time",
        ));
    }
    Ok(())
}

/// Who may confirm hours for an organisation: its coordinators (when its
/// policy lets them) and the programme team.
pub fn may_confirm_hours(
    policy: &EarnPolicy,
    coordinates_organisation: bool,
    on_programme_team: bool,
) -> bool {
    on_programme_team
        || (coordinates_organisation && policy.hours_confirmed_by == HoursConfirmedBy::Coordinators)
}

/// A claim can be decided once.
pub fn check_claim_pending(status: ClaimStatus) -> Result<(), Refusal> {
    match status {
        ClaimStatus::Pending => Ok(()),
        decided => Err(Refusal::conflict(
            "claim_already_decided",
            format!(
                "this claim was already {}; nothing was changed",
                decided.as_str()
            ),
        )),
    }
}

/// A note or reason: trimmed, not too long, and present when `required`.
pub fn check_note(text: &str, required: bool, what: &str) -> Result<String, Refusal> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(Refusal::invalid(
            "reason_required",
            format!("give a {what}; the member will see it"),
        ));
    }
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(Refusal::invalid(
            "text_too_long",
            format!("the {what} is longer than {MAX_NOTE_CHARS} characters; shorten it"),
        ));
    }
    Ok(text.to_owned())
}

/// A contribution is corrected at most once, and a correction must change it.
pub fn check_correction(
    already_superseded: bool,
    old_minutes: i64,
    new_minutes: i64,
) -> Result<(), Refusal> {
    if already_superseded {
        return Err(Refusal::conflict(
            "contribution_already_corrected",
            "this contribution has already been corrected; correct the newest one instead",
        ));
    }
    if old_minutes == new_minutes {
        return Err(Refusal::invalid(
            "correction_changes_nothing",
            "the corrected minutes are the same as those recorded; nothing needs correcting",
        ));
    }
    Ok(())
}

/// Refusal when a session's register has been confirmed already.
pub fn register_already_confirmed() -> Refusal {
    Refusal::conflict(
        "register_already_confirmed",
        "this session's register was already confirmed; correct individual contributions instead",
    )
}

/// Whether the earning partner issues a contribution of `minutes` from the
/// credits it holds (under `PartnerReceipts::KeepToReissue`), given the
/// `holdings` still unspent in this write; answers the holdings left after
/// it, or `None` when the issuance account issues it instead.
///
/// A contribution is never split between the partner and the issuance
/// account, so it is taken from the holdings only if they cover it whole.
/// A batch (a register, an import) asks in its own order, so its
/// contributions come from the holdings while they last: first come, first
/// covered, and a later, smaller contribution may still fit after a larger
/// one did not.
pub fn reissue_from_holdings(holdings: i64, minutes: i64) -> Option<i64> {
    (minutes > 0 && holdings >= minutes).then(|| holdings - minutes)
}

/// For a batch of contributions in order, which ones the partner's
/// `holdings` issue (see [`reissue_from_holdings`]).
pub fn reissued_in_batch(mut holdings: i64, minutes: &[i64]) -> Vec<bool> {
    minutes
        .iter()
        .map(|&m| match reissue_from_holdings(holdings, m) {
            Some(left) => {
                holdings = left;
                true
            }
            None => false,
        })
        .collect()
}

/// Refusal when a retried request differs from the original.
pub fn idempotency_conflict() -> Refusal {
    Refusal::conflict(
        "idempotency_conflict",
        "this Idempotency-Key was already used for a different request; choose a new key for a new request",
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("valid date")
    }

    fn rules() -> ProgrammeRules {
        ProgrammeRules::default()
    }

    #[test]
    fn names_round_trip() {
        for o in ContributionOrigin::ALL {
            assert_eq!(ContributionOrigin::parse(o.as_str()), Some(o));
        }
        for s in ClaimStatus::ALL {
            assert_eq!(ClaimStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn each_rule_has_its_named_refusal() {
        let code = |r: Result<(), Refusal>| r.expect_err("refused").code;
        assert_eq!(code(check_not_future(day(5), day(4))), "future_date");
        assert!(check_not_future(day(4), day(4)).is_ok());
        assert_eq!(
            code(check_steps(50, &rules())),
            "not_a_whole_number_of_steps"
        );
        assert_eq!(
            code(check_steps(0, &rules())),
            "not_a_whole_number_of_steps"
        );
        assert!(check_steps(45, &rules()).is_ok());
        assert_eq!(
            code(check_daily_cap(60, 700, &rules())),
            "daily_cap_exceeded"
        );
        assert!(check_daily_cap(60, 660, &rules()).is_ok());
        // A claim counts the day's other claims still waiting.
        assert!(check_claim_fits_the_day(60, 600, 60, &rules()).is_ok());
        assert_eq!(
            code(check_claim_fits_the_day(60, 600, 61, &rules())),
            "daily_cap_exceeded"
        );
        assert_eq!(
            code(check_claim_fits_the_day(15, 0, 720, &rules())),
            "daily_cap_exceeded"
        );
        assert_eq!(code(check_earns(false)), "activity_does_not_earn");
        assert_eq!(duplicate_contribution().code, "duplicate_contribution");
        assert_eq!(
            code(check_contribution(day(5), day(4), 60, true, &rules())),
            "future_date"
        );
    }

    #[test]
    fn claims_need_both_the_rules_and_the_policy() {
        let closed = ProgrammeRules {
            members_may_claim: false,
            ..rules()
        };
        let no_claims = EarnPolicy {
            members_may_claim: false,
            ..EarnPolicy::default()
        };
        assert!(check_claims_allowed(&rules(), &EarnPolicy::default()).is_ok());
        assert_eq!(
            check_claims_allowed(&closed, &EarnPolicy::default())
                .expect_err("closed")
                .code,
            "claims_not_allowed"
        );
        assert_eq!(
            check_claims_allowed(&rules(), &no_claims)
                .expect_err("policy")
                .code,
            "claims_not_allowed"
        );
    }

    #[test]
    fn who_confirms_follows_the_policy() {
        let team_only = EarnPolicy {
            hours_confirmed_by: HoursConfirmedBy::ProgrammeTeam,
            ..EarnPolicy::default()
        };
        assert!(may_confirm_hours(&EarnPolicy::default(), true, false));
        assert!(!may_confirm_hours(&team_only, true, false));
        assert!(may_confirm_hours(&team_only, false, true));
        assert!(!may_confirm_hours(&EarnPolicy::default(), false, false));
    }

    #[test]
    fn decisions_and_corrections_happen_once() {
        assert!(check_claim_pending(ClaimStatus::Pending).is_ok());
        assert_eq!(
            check_claim_pending(ClaimStatus::Rejected)
                .expect_err("decided")
                .code,
            "claim_already_decided"
        );
        assert_eq!(
            check_correction(true, 60, 30).expect_err("twice").code,
            "contribution_already_corrected"
        );
        assert_eq!(
            check_correction(false, 60, 60).expect_err("same").code,
            "correction_changes_nothing"
        );
        assert_eq!(
            check_note(" ", true, "reason").expect_err("empty").code,
            "reason_required"
        );
        assert_eq!(check_note(" ok ", true, "reason").expect("fine"), "ok");
    }

    #[test]
    fn holdings_cover_whole_contributions_in_order() {
        assert_eq!(reissue_from_holdings(120, 60), Some(60));
        assert_eq!(reissue_from_holdings(60, 60), Some(0));
        assert_eq!(reissue_from_holdings(60, 90), None);
        assert_eq!(reissue_from_holdings(0, 15), None);
        assert_eq!(reissued_in_batch(120, &[60, 90]), vec![true, false]);
        assert_eq!(
            reissued_in_batch(120, &[90, 60, 30]),
            vec![true, false, true]
        );
        assert_eq!(reissued_in_batch(0, &[15, 30]), vec![false, false]);
        assert!(reissued_in_batch(500, &[]).is_empty());
    }

    proptest! {
        /// Whatever the granularity, exactly the multiples of the step pass.
        #[test]
        fn steps_accept_exactly_the_multiples(step in 1_i64..=240, minutes in -500_i64..2000) {
            let rules = ProgrammeRules { granularity_minutes: step, ..ProgrammeRules::default() };
            prop_assert_eq!(check_steps(minutes, &rules).is_ok(), minutes > 0 && minutes % step == 0);
        }

        /// The holdings never go below zero, and what they issue is whole
        /// contributions: nothing is left that the next refused one would fit.
        #[test]
        fn holdings_never_overdraw(holdings in 0_i64..2000, minutes in proptest::collection::vec(1_i64..500, 0..12)) {
            let taken = reissued_in_batch(holdings, &minutes);
            let mut left = holdings;
            for (m, from_holdings) in minutes.iter().zip(&taken) {
                prop_assert_eq!(*from_holdings, *m <= left);
                if *from_holdings {
                    left -= m;
                }
            }
            prop_assert!(left >= 0);
        }

        /// The cap holds exactly: what was credited plus what is asked never passes it.
        #[test]
        fn the_cap_is_never_passed(cap_steps in 1_i64..=96, already in 0_i64..1500, minutes in 1_i64..1500) {
            let rules = ProgrammeRules { daily_cap_minutes: cap_steps * 15, ..ProgrammeRules::default() };
            prop_assert_eq!(
                check_daily_cap(minutes, already, &rules).is_ok(),
                already + minutes <= cap_steps * 15
            );
        }
    }
}
