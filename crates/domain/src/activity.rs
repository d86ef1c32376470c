//! Activities (co-production level and mode), their sessions, sign-ups and the waiting list.
//!
//! What an activity is and which values it may hold; when a session is
//! valid; and who gets a place when someone signs up or cancels. Storage
//! asks these rules inside the transaction that writes the answer.

use chrono::{DateTime, Utc};

use crate::Refusal;
use crate::directory::Postcode;

/// The longest title an activity may have.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest description, place or accessibility note.
pub const MAX_TEXT_CHARS: usize = 4000;
/// The longest usual duration of an activity: one day.
pub const MAX_DURATION_MINUTES: i64 = 24 * 60;
/// The largest capacity of one session.
pub const MAX_CAPACITY: i64 = 10_000;

/// How deeply people share in the service: one person with a service, a
/// group with a service, or services with a whole community.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CoProductionLevel {
    Individual,
    Group,
    Collective,
}

impl CoProductionLevel {
    pub const ALL: [Self; 3] = [Self::Individual, Self::Group, Self::Collective];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Individual => "individual",
            Self::Group => "group",
            Self::Collective => "collective",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// What people do together with the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CoProductionMode {
    /// Shaping what the service is.
    CoDesign,
    /// Running it alongside staff.
    CoDelivery,
    /// Deciding how it is run.
    CoGovernance,
    PeerSupport,
    CommunityAction,
}

impl CoProductionMode {
    pub const ALL: [Self; 5] = [
        Self::CoDesign,
        Self::CoDelivery,
        Self::CoGovernance,
        Self::PeerSupport,
        Self::CommunityAction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CoDesign => "co_design",
            Self::CoDelivery => "co_delivery",
            Self::CoGovernance => "co_governance",
            Self::PeerSupport => "peer_support",
            Self::CommunityAction => "community_action",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// What an earn partner says about one of its activities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityDetails {
    pub title: String,
    pub description: String,
    pub level: CoProductionLevel,
    pub mode: CoProductionMode,
    pub place: String,
    /// Where the activity happens, for deprivation reach; when `None`, it
    /// is taken to happen at its organisation's postcode.
    pub postcode: Option<Postcode>,
    pub accessibility: String,
    pub usual_duration_minutes: i64,
    /// Whether time given to it earns credits (some activities are listed
    /// for people to join without earning).
    pub earns_credits: bool,
}

impl ActivityDetails {
    /// Trims the text fields and checks every value; returns the tidy details.
    pub fn checked(self) -> Result<Self, Refusal> {
        let details = Self {
            title: self.title.trim().to_owned(),
            description: self.description.trim().to_owned(),
            place: self.place.trim().to_owned(),
            accessibility: self.accessibility.trim().to_owned(),
            ..self
        };
        if details.title.is_empty() {
            return Err(Refusal::invalid(
                "title_missing",
                "the activity has no title; give it a short name people will recognise",
            ));
        }
        if details.title.chars().count() > MAX_TITLE_CHARS {
            return Err(Refusal::invalid(
                "title_too_long",
                format!(
                    "the title is longer than {MAX_TITLE_CHARS} characters; shorten it and put the rest in the description"
                ),
            ));
        }
        for (field, text) in [
            ("description", &details.description),
            ("place", &details.place),
            ("accessibility notes", &details.accessibility),
        ] {
            if text.chars().count() > MAX_TEXT_CHARS {
                return Err(Refusal::invalid(
                    "text_too_long",
                    format!("the {field} is longer than {MAX_TEXT_CHARS} characters; shorten it"),
                ));
            }
        }
        if !(1..=MAX_DURATION_MINUTES).contains(&details.usual_duration_minutes) {
            return Err(Refusal::invalid(
                "duration_out_of_range",
                format!(
                    "the usual duration must be between 1 and {MAX_DURATION_MINUTES} minutes (got {})",
                    details.usual_duration_minutes
                ),
            ));
        }
        Ok(details)
    }
}

/// Checks a session's times and capacity.
pub fn check_session(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    capacity: i64,
) -> Result<(), Refusal> {
    if ends_at <= starts_at {
        return Err(Refusal::invalid(
            "session_ends_before_it_starts",
            "the session must end after it starts; check the start and end times",
        ));
    }
    if (ends_at - starts_at).num_minutes() > MAX_DURATION_MINUTES {
        return Err(Refusal::invalid(
            "session_too_long",
            "a session may last at most 24 hours; record longer activities as several sessions",
        ));
    }
    if !(1..=MAX_CAPACITY).contains(&capacity) {
        return Err(Refusal::invalid(
            "capacity_out_of_range",
            format!("the capacity must be between 1 and {MAX_CAPACITY} people (got {capacity})"),
        ));
    }
    Ok(())
}

/// The session's length in whole minutes: what an attendee is credited by default.
pub fn session_minutes(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> i64 {
    (ends_at - starts_at).num_minutes()
}

/// Where a sign-up stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignUpStatus {
    /// Has a place.
    Confirmed,
    /// On the waiting list, promoted in turn when a place frees up.
    Waiting,
    Cancelled,
}

impl SignUpStatus {
    pub const ALL: [Self; 3] = [Self::Confirmed, Self::Waiting, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Waiting => "waiting",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Decides where a new sign-up goes, given the session's capacity, how many
/// places are taken, and whether this member already holds a place or a
/// spot on the waiting list.
pub fn place_for_sign_up(
    capacity: i64,
    confirmed: i64,
    already: Option<SignUpStatus>,
) -> Result<SignUpStatus, Refusal> {
    match already {
        Some(SignUpStatus::Confirmed) => Err(Refusal::conflict(
            "already_signed_up",
            "this member already has a place on the session; nothing was changed",
        )),
        Some(SignUpStatus::Waiting) => Err(Refusal::conflict(
            "already_signed_up",
            "this member is already on the session's waiting list; they will get a place when one frees up",
        )),
        Some(SignUpStatus::Cancelled) | None if confirmed < capacity => Ok(SignUpStatus::Confirmed),
        Some(SignUpStatus::Cancelled) | None => Ok(SignUpStatus::Waiting),
    }
}

/// Whether a sign-up may still change: not once the session has started.
pub fn check_not_started(starts_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), Refusal> {
    if now >= starts_at {
        return Err(Refusal::conflict(
            "session_already_started",
            "the session has already started, so sign-ups can no longer change; ask the coordinator",
        ));
    }
    Ok(())
}

/// Who gets a place when `cancelled` is given up: the first on the waiting
/// list (given in sign-up order), but only if a place was actually freed.
pub fn promoted_after_cancel<T: Clone>(
    cancelled: SignUpStatus,
    waiting_in_order: &[T],
) -> Option<T> {
    match cancelled {
        SignUpStatus::Confirmed => waiting_in_order.first().cloned(),
        SignUpStatus::Waiting | SignUpStatus::Cancelled => None,
    }
}

/// Refusal when there is nothing to cancel.
pub fn not_signed_up() -> Refusal {
    Refusal::conflict(
        "not_signed_up",
        "this member is not signed up to the session (or has already cancelled); nothing was changed",
    )
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn details() -> ActivityDetails {
        ActivityDetails {
            title: "  Lunch club  ".into(),
            description: "Help cook and serve lunch".into(),
            level: CoProductionLevel::Group,
            mode: CoProductionMode::CoDelivery,
            place: "Village hall".into(),
            postcode: None,
            accessibility: "Step-free".into(),
            usual_duration_minutes: 120,
            earns_credits: true,
        }
    }

    #[test]
    fn names_round_trip() {
        for l in CoProductionLevel::ALL {
            assert_eq!(CoProductionLevel::parse(l.as_str()), Some(l));
        }
        for m in CoProductionMode::ALL {
            assert_eq!(CoProductionMode::parse(m.as_str()), Some(m));
        }
        for s in SignUpStatus::ALL {
            assert_eq!(SignUpStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CoProductionMode::parse("co-design"), None);
    }

    #[test]
    fn details_are_tidied_and_checked() {
        assert_eq!(details().checked().expect("valid").title, "Lunch club");
        let code = |d: ActivityDetails| d.checked().expect_err("refused").code;
        assert_eq!(
            code(ActivityDetails {
                title: "  ".into(),
                ..details()
            }),
            "title_missing"
        );
        assert_eq!(
            code(ActivityDetails {
                title: "x".repeat(201),
                ..details()
            }),
            "title_too_long"
        );
        assert_eq!(
            code(ActivityDetails {
                place: "x".repeat(4001),
                ..details()
            }),
            "text_too_long"
        );
        assert_eq!(
            code(ActivityDetails {
                usual_duration_minutes: 0,
                ..details()
            }),
            "duration_out_of_range"
        );
    }

    #[test]
    fn sessions_need_an_end_after_the_start_and_a_capacity() {
        let start = Utc.with_ymd_and_hms(2026, 3, 3, 12, 0, 0).unwrap();
        assert!(check_session(start, start + Duration::hours(2), 10).is_ok());
        assert_eq!(session_minutes(start, start + Duration::hours(2)), 120);
        let code = |end, cap| check_session(start, end, cap).expect_err("refused").code;
        assert_eq!(code(start, 10), "session_ends_before_it_starts");
        assert_eq!(code(start + Duration::hours(25), 10), "session_too_long");
        assert_eq!(code(start + Duration::hours(1), 0), "capacity_out_of_range");
    }

    #[test]
    fn a_full_session_puts_people_on_the_waiting_list() {
        assert_eq!(place_for_sign_up(2, 1, None), Ok(SignUpStatus::Confirmed));
        assert_eq!(place_for_sign_up(2, 2, None), Ok(SignUpStatus::Waiting));
        assert_eq!(
            place_for_sign_up(2, 0, Some(SignUpStatus::Cancelled)),
            Ok(SignUpStatus::Confirmed)
        );
        for already in [SignUpStatus::Confirmed, SignUpStatus::Waiting] {
            assert_eq!(
                place_for_sign_up(2, 0, Some(already))
                    .expect_err("twice")
                    .code,
                "already_signed_up"
            );
        }
    }

    #[test]
    fn only_a_freed_place_promotes_the_first_waiting() {
        assert_eq!(
            promoted_after_cancel(SignUpStatus::Confirmed, &[7, 8]),
            Some(7)
        );
        assert_eq!(promoted_after_cancel(SignUpStatus::Waiting, &[7, 8]), None);
        assert_eq!(
            promoted_after_cancel::<u8>(SignUpStatus::Confirmed, &[]),
            None
        );
    }

    #[test]
    fn sign_ups_close_when_the_session_starts() {
        let start = Utc.with_ymd_and_hms(2026, 3, 3, 12, 0, 0).unwrap();
        assert!(check_not_started(start, start - Duration::seconds(1)).is_ok());
        assert_eq!(
            check_not_started(start, start).expect_err("started").code,
            "session_already_started"
        );
    }
}
