//! Time banking: members' offers and requests, and exchange proposals between members.
//!
//! A member posts a *listing*: an offer ("I can help with…") or a request
//! ("I need…"). Two members agree an *exchange*: one proposes N minutes,
//! either as the helper ("I helped you for N minutes") or as the one helped
//! ("you helped me for N minutes"), and nothing moves until the other party
//! accepts. One minute given is one minute paid: there is no rate here.

use chrono::{DateTime, Duration, Utc};
use timecredits_ledger::Minutes;
use uuid::Uuid;

use crate::Refusal;
use crate::directory::is_skill_category;
use crate::rules::ProgrammeRules;

/// The longest listing title, in characters.
pub const MAX_TITLE_CHARS: usize = 120;
/// The longest listing description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// The longest place name, in characters.
pub const MAX_PLACE_CHARS: usize = 100;
/// The longest note on a proposal, in characters (it becomes part of the
/// transfer's reason, which the ledger keeps to 500).
pub const MAX_NOTE_CHARS: usize = 300;
/// The longest reason given for declining a proposal.
pub const MAX_DECLINE_REASON_CHARS: usize = 500;
/// How long a proposal waits for an answer unless its proposer says otherwise.
pub const DEFAULT_PROPOSAL_DAYS: i64 = 14;
/// The longest a proposal may wait for an answer.
pub const MAX_PROPOSAL_DAYS: i64 = 90;

/// Whether a listing offers help or asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListingKind {
    /// "I can help with…": its author would be the helper.
    Offer,
    /// "I need…": its author would be the one helped.
    Request,
}

impl ListingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offer => "offer",
            Self::Request => "request",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "offer" => Some(Self::Offer),
            "request" => Some(Self::Request),
            _ => None,
        }
    }
}

/// Whether a listing still shows in the directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListingStatus {
    Open,
    /// Closed by its author or a programme manager; kept, but no longer listed.
    Closed,
}

impl ListingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// A listing's details, checked and trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingDetails {
    pub kind: ListingKind,
    pub category: String,
    pub title: String,
    pub description: String,
    pub place: String,
}

fn too_long(value: &str, max: usize) -> bool {
    value.chars().count() > max
}

impl ListingDetails {
    /// Checks and trims what a member typed for a listing.
    pub fn parse(
        kind: ListingKind,
        category: &str,
        title: &str,
        description: &str,
        place: &str,
    ) -> Result<Self, Refusal> {
        let category = category.trim();
        if !is_skill_category(category) {
            return Err(Refusal::invalid(
                "unknown_category",
                format!(
                    "{category:?} is not one of the skill categories; choose one of the listed codes, or \"other\""
                ),
            ));
        }
        let title = title.trim();
        if title.is_empty() {
            return Err(Refusal::invalid(
                "title_missing",
                "the listing has no title; say in a few words what you offer or need",
            ));
        }
        if too_long(title, MAX_TITLE_CHARS) {
            return Err(Refusal::invalid(
                "title_too_long",
                format!(
                    "the title is longer than {MAX_TITLE_CHARS} characters; shorten it and put the detail in the description"
                ),
            ));
        }
        let description = description.trim();
        if too_long(description, MAX_DESCRIPTION_CHARS) {
            return Err(Refusal::invalid(
                "description_too_long",
                format!(
                    "the description is longer than {MAX_DESCRIPTION_CHARS} characters; shorten it"
                ),
            ));
        }
        let place = place.trim();
        if too_long(place, MAX_PLACE_CHARS) {
            return Err(Refusal::invalid(
                "place_too_long",
                format!(
                    "the place is longer than {MAX_PLACE_CHARS} characters; give just the village, town or area"
                ),
            ));
        }
        Ok(Self {
            kind,
            category: category.to_owned(),
            title: title.to_owned(),
            description: description.to_owned(),
            place: place.to_owned(),
        })
    }
}

/// The form of a place name that searches compare: lower case, with runs of
/// white space made single spaces, so "Little  Exampleton" finds "little exampleton".
pub fn place_key(place: &str) -> String {
    place
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Which side the proposer of an exchange is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExchangeDirection {
    /// "I helped you for N minutes": the proposer is the helper and bills
    /// the other party, who pays on accepting.
    HelperBills,
    /// "You helped me for N minutes": the proposer is the one helped and
    /// pays the other party once they accept.
    HelpedPays,
}

impl ExchangeDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HelperBills => "helper_bills",
            Self::HelpedPays => "helped_pays",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "helper_bills" => Some(Self::HelperBills),
            "helped_pays" => Some(Self::HelpedPays),
            _ => None,
        }
    }

    /// The helper and the one helped, given the proposer and the other party.
    pub fn parties(self, proposer: Uuid, counterparty: Uuid) -> Parties {
        match self {
            Self::HelperBills => Parties {
                helper: proposer,
                helped: counterparty,
            },
            Self::HelpedPays => Parties {
                helper: counterparty,
                helped: proposer,
            },
        }
    }
}

/// Who gave the time (and is paid) and who received it (and pays).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parties {
    pub helper: Uuid,
    pub helped: Uuid,
}

/// Where a proposal stands. `Expired` is never stored: it is an open
/// proposal whose time to answer has passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProposalStatus {
    Open,
    Accepted,
    Declined,
    Withdrawn,
    Expired,
}

impl ProposalStatus {
    pub const ALL: [ProposalStatus; 5] = [
        Self::Open,
        Self::Accepted,
        Self::Declined,
        Self::Withdrawn,
        Self::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
            Self::Expired => "expired",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The status as shown at `now`: an open proposal past its expiry is expired.
    pub fn as_of(self, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        if self == Self::Open && now >= expires_at {
            Self::Expired
        } else {
            self
        }
    }
}

/// Checks the minutes of a proposed exchange against the rules in force.
pub fn check_exchange_minutes(minutes: i64, rules: &ProgrammeRules) -> Result<(), Refusal> {
    if minutes <= 0 {
        return Err(Refusal::invalid(
            "minutes_not_positive",
            "an exchange must be for some time; give the minutes spent helping, such as 60 for an hour",
        ));
    }
    if Minutes::for_transfer(minutes).is_err() {
        return Err(Refusal::invalid(
            "minutes_too_many",
            "that is more time than one exchange can be for; split it into the real sessions of help",
        ));
    }
    let step = rules.granularity_minutes;
    if minutes % step != 0 {
        let down = minutes - minutes % step;
        return Err(Refusal::invalid(
            "minutes_off_granularity",
            format!(
                "time is recorded in steps of {step} minutes in this programme; use {down} or {} instead of {minutes}",
                down + step
            ),
        ));
    }
    Ok(())
}

/// When a proposal made at `created_at` stops waiting for an answer.
pub fn proposal_expiry(
    created_at: DateTime<Utc>,
    days: Option<i64>,
) -> Result<DateTime<Utc>, Refusal> {
    let days = days.unwrap_or(DEFAULT_PROPOSAL_DAYS);
    if !(1..=MAX_PROPOSAL_DAYS).contains(&days) {
        return Err(Refusal::invalid(
            "expiry_days_out_of_range",
            format!(
                "a proposal may wait 1 to {MAX_PROPOSAL_DAYS} days for an answer; leave it out for {DEFAULT_PROPOSAL_DAYS}"
            ),
        ));
    }
    Ok(created_at + Duration::days(days))
}

/// Checks a note or a decline reason: trimmed, at most `max` characters.
pub fn check_text(
    code: &'static str,
    what: &str,
    value: &str,
    max: usize,
) -> Result<String, Refusal> {
    let value = value.trim();
    if too_long(value, max) {
        return Err(Refusal::invalid(
            code,
            format!("the {what} is longer than {max} characters; shorten it and try again"),
        ));
    }
    Ok(value.to_owned())
}

/// Checks the two members of a proposed exchange are two people.
pub fn check_parties(proposer: Uuid, counterparty: Uuid) -> Result<(), Refusal> {
    if proposer == counterparty {
        return Err(Refusal::invalid(
            "cannot_exchange_with_yourself",
            "an exchange is between two members; name the member you helped or who helped you",
        ));
    }
    Ok(())
}

/// Checks a listing referenced by a proposal fits it: the listing's author
/// is one of the two parties, on the side the listing says (the author of
/// an offer is the helper, of a request the one helped).
pub fn check_listing_fits(
    kind: ListingKind,
    author: Uuid,
    parties: Parties,
) -> Result<(), Refusal> {
    let fits = match kind {
        ListingKind::Offer => author == parties.helper,
        ListingKind::Request => author == parties.helped,
    };
    if !fits {
        return Err(Refusal::invalid(
            "listing_does_not_fit",
            "the listing is not between you two in this direction: an offer's author is the helper, a request's author the one helped; leave the listing out or pick the right one",
        ));
    }
    Ok(())
}

/// An answer to a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The other party agrees: the exchange is paid.
    Accept,
    /// The other party says no.
    Decline,
    /// The proposer takes it back.
    Withdraw,
}

/// What deciding an answer needs to know about a proposal, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProposalState {
    pub proposer: Uuid,
    pub counterparty: Uuid,
    /// The stored status: open, accepted, declined or withdrawn.
    pub status: ProposalStatus,
    pub expires_at: DateTime<Utc>,
}

/// Checks member `by` may give `answer` to the proposal at `now`. Storage
/// calls this inside the transaction that records the answer, so two
/// answers cannot both pass.
pub fn check_answer(
    proposal: &ProposalState,
    answer: Answer,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let allowed = match answer {
        Answer::Accept | Answer::Decline => proposal.counterparty,
        Answer::Withdraw => proposal.proposer,
    };
    if by != allowed {
        let message = match answer {
            Answer::Accept | Answer::Decline => {
                "you made this proposal, so only the other member can accept or decline it; you can withdraw it instead"
            }
            Answer::Withdraw => {
                "only the member who made a proposal can withdraw it; you can decline it instead"
            }
        };
        return Err(Refusal::invalid("not_your_proposal", message));
    }
    match proposal.status.as_of(proposal.expires_at, now) {
        ProposalStatus::Open => Ok(()),
        ProposalStatus::Expired => Err(Refusal::conflict(
            "proposal_expired",
            "this proposal waited too long for an answer and has expired; propose the exchange again",
        )),
        answered => Err(Refusal::conflict(
            "proposal_already_answered",
            format!(
                "this proposal was already {}; nothing more can be done with it",
                answered.as_str()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, day, 12, 0, 0)
            .single()
            .expect("valid")
    }

    const ALICE: Uuid = Uuid::from_u128(1);
    const BOB: Uuid = Uuid::from_u128(2);
    const CAROL: Uuid = Uuid::from_u128(3);

    fn open_proposal() -> ProposalState {
        ProposalState {
            proposer: ALICE,
            counterparty: BOB,
            status: ProposalStatus::Open,
            expires_at: at(15),
        }
    }

    #[test]
    fn listings_are_checked_and_trimmed() {
        let ok = ListingDetails::parse(
            ListingKind::Offer,
            " gardening_and_outdoors ",
            "  Weeding and mowing ",
            "Saturdays",
            " Little Exampleton ",
        )
        .expect("valid");
        assert_eq!(ok.category, "gardening_and_outdoors");
        assert_eq!(ok.title, "Weeding and mowing");
        assert_eq!(ok.place, "Little Exampleton");
        let code = |c: &str, t: &str, d: &str, p: &str| {
            ListingDetails::parse(ListingKind::Request, c, t, d, p)
                .expect_err("refused")
                .code
        };
        assert_eq!(code("plumbing", "Fix a tap", "", ""), "unknown_category");
        assert_eq!(code("other", "  ", "", ""), "title_missing");
        assert_eq!(
            code("other", &"x".repeat(MAX_TITLE_CHARS + 1), "", ""),
            "title_too_long"
        );
        assert_eq!(
            code("other", "t", &"x".repeat(MAX_DESCRIPTION_CHARS + 1), ""),
            "description_too_long"
        );
        assert_eq!(
            code("other", "t", "", &"x".repeat(MAX_PLACE_CHARS + 1)),
            "place_too_long"
        );
    }

    #[test]
    fn notes_are_trimmed_and_bounded() {
        assert_eq!(
            check_text("note_too_long", "note", " hi ", 5).expect("ok"),
            "hi"
        );
        let e = check_text("note_too_long", "note", "too long", 5).expect_err("long");
        assert_eq!(e.code, "note_too_long");
        assert!(e.message.contains("note"));
    }

    #[test]
    fn place_keys_ignore_case_and_spacing() {
        assert_eq!(place_key("  Little   Exampleton "), "little exampleton");
        assert_eq!(place_key("ÉCOLE"), "école");
    }

    #[test]
    fn the_direction_says_who_helped_whom() {
        assert_eq!(
            ExchangeDirection::HelperBills.parties(ALICE, BOB),
            Parties {
                helper: ALICE,
                helped: BOB
            }
        );
        assert_eq!(
            ExchangeDirection::HelpedPays.parties(ALICE, BOB),
            Parties {
                helper: BOB,
                helped: ALICE
            }
        );
        for d in [
            ExchangeDirection::HelperBills,
            ExchangeDirection::HelpedPays,
        ] {
            assert_eq!(ExchangeDirection::parse(d.as_str()), Some(d));
        }
    }

    #[test]
    fn minutes_follow_the_granularity() {
        let rules = ProgrammeRules::default();
        assert!(check_exchange_minutes(45, &rules).is_ok());
        assert_eq!(
            check_exchange_minutes(0, &rules).expect_err("zero").code,
            "minutes_not_positive"
        );
        assert_eq!(
            check_exchange_minutes(-15, &rules)
                .expect_err("negative")
                .code,
            "minutes_not_positive"
        );
        let off = check_exchange_minutes(50, &rules).expect_err("off");
        assert_eq!(off.code, "minutes_off_granularity");
        assert!(off.message.contains("45 or 60"), "{}", off.message);
        assert_eq!(
            check_exchange_minutes(i64::MAX, &rules)
                .expect_err("huge")
                .code,
            "minutes_too_many"
        );
    }

    #[test]
    fn proposals_expire_after_fourteen_days_by_default() {
        assert_eq!(proposal_expiry(at(1), None).expect("default"), at(15));
        assert_eq!(proposal_expiry(at(1), Some(2)).expect("two"), at(3));
        for days in [0, -1, MAX_PROPOSAL_DAYS + 1] {
            assert_eq!(
                proposal_expiry(at(1), Some(days)).expect_err("range").code,
                "expiry_days_out_of_range"
            );
        }
        assert_eq!(
            ProposalStatus::Open.as_of(at(15), at(15)),
            ProposalStatus::Expired
        );
        assert_eq!(
            ProposalStatus::Open.as_of(at(15), at(14)),
            ProposalStatus::Open
        );
        assert_eq!(
            ProposalStatus::Declined.as_of(at(15), at(20)),
            ProposalStatus::Declined
        );
    }

    #[test]
    fn only_the_right_party_may_answer() {
        let p = open_proposal();
        assert!(check_answer(&p, Answer::Accept, BOB, at(2)).is_ok());
        assert!(check_answer(&p, Answer::Decline, BOB, at(2)).is_ok());
        assert!(check_answer(&p, Answer::Withdraw, ALICE, at(2)).is_ok());
        for (answer, by) in [
            (Answer::Accept, ALICE),
            (Answer::Decline, ALICE),
            (Answer::Withdraw, BOB),
            (Answer::Accept, CAROL),
        ] {
            assert_eq!(
                check_answer(&p, answer, by, at(2)).expect_err("wrong").code,
                "not_your_proposal"
            );
        }
    }

    #[test]
    fn an_answered_or_expired_proposal_cannot_be_answered() {
        let expired = check_answer(&open_proposal(), Answer::Accept, BOB, at(15));
        assert_eq!(expired.expect_err("expired").code, "proposal_expired");
        for status in [
            ProposalStatus::Accepted,
            ProposalStatus::Declined,
            ProposalStatus::Withdrawn,
        ] {
            let p = ProposalState {
                status,
                ..open_proposal()
            };
            let e = check_answer(&p, Answer::Accept, BOB, at(2)).expect_err("answered");
            assert_eq!(e.code, "proposal_already_answered");
            assert!(e.message.contains(status.as_str()));
        }
    }

    #[test]
    fn listings_fit_only_between_the_parties() {
        let parties = ExchangeDirection::HelperBills.parties(ALICE, BOB);
        assert!(check_listing_fits(ListingKind::Offer, ALICE, parties).is_ok());
        assert!(check_listing_fits(ListingKind::Request, BOB, parties).is_ok());
        for (kind, author) in [
            (ListingKind::Offer, BOB),
            (ListingKind::Request, ALICE),
            (ListingKind::Offer, CAROL),
        ] {
            assert_eq!(
                check_listing_fits(kind, author, parties)
                    .expect_err("does not fit")
                    .code,
                "listing_does_not_fit"
            );
        }
        assert_eq!(
            check_parties(ALICE, ALICE).expect_err("self").code,
            "cannot_exchange_with_yourself"
        );
    }

    proptest! {
        #[test]
        fn accepted_minutes_are_whole_steps(minutes in -1000_i64..5000, step in 1_i64..=240) {
            let rules = ProgrammeRules { granularity_minutes: step, ..ProgrammeRules::default() };
            let ok = check_exchange_minutes(minutes, &rules).is_ok();
            prop_assert_eq!(ok, minutes > 0 && minutes % step == 0);
        }

        #[test]
        fn at_most_one_answer_passes_for_any_party(by in 0_u128..4, day in 1_u32..28) {
            let by = Uuid::from_u128(by);
            let p = open_proposal();
            let passes = [Answer::Accept, Answer::Decline, Answer::Withdraw]
                .into_iter()
                .filter(|a| check_answer(&p, *a, by, at(day)).is_ok())
                .count();
            let expected = if day >= 15 { 0 } else if by == BOB { 2 } else if by == ALICE { 1 } else { 0 };
            prop_assert_eq!(passes, expected);
        }
    }
}
