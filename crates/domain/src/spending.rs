//! Spending: spend partners' offers (price, audience, capacity, off-peak windows, validity) and redemptions.
//!
//! An offer is what a spend partner gives for credits ("one swim = 1 credit").
//! Its price is whole minutes (60 = one credit). Whether it may be redeemed
//! at a moment is decided here from the offer, the programme-local time and
//! how many redemptions of it were already made in the capacity period;
//! storage asks these questions inside the same transaction as the write.
//!
//! Members are found at the desk by the number on their card or by the QR
//! payload on their card or phone: `TC1:<7 digits>` (see [`card_payload`]).

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::Refusal;

/// The longest title an offer may have.
pub const MAX_TITLE_CHARS: usize = 120;
/// The most minutes one offer may cost (100 credits): a price above it is a typing slip.
pub const MAX_PRICE_MINUTES: i64 = 100 * 60;
/// The most redemptions an offer may allow per period.
pub const MAX_CAPACITY: u32 = 100_000;
/// The most off-peak windows one offer may have.
pub const MAX_WINDOWS: usize = 14;

/// Who an offer is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    Adult,
    Child,
    Family,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Self::Adult, Self::Child, Self::Family];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Adult => "adult",
            Self::Child => "child",
            Self::Family => "family",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// The period an offer's capacity counts over, in the programme's calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CapacityPeriod {
    Day,
    /// Monday to Sunday.
    Week,
}

impl CapacityPeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "day" => Some(Self::Day),
            "week" => Some(Self::Week),
            _ => None,
        }
    }

    /// The first day of the period `day` falls in, and the first day after it.
    pub fn bounds(self, day: NaiveDate) -> (NaiveDate, NaiveDate) {
        let start = match self {
            Self::Day => day,
            Self::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
        };
        let length = match self {
            Self::Day => 1,
            Self::Week => 7,
        };
        (start, start + Days::new(length))
    }
}

/// At most `limit` redemptions of the offer per `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capacity {
    pub limit: u32,
    pub period: CapacityPeriod,
}

/// Days of the week and a local time range `[from, to)` during which an
/// offer may be redeemed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffPeakWindow {
    pub days: Vec<Weekday>,
    pub from: NaiveTime,
    pub to: NaiveTime,
}

impl OffPeakWindow {
    pub fn contains(&self, at: NaiveDateTime) -> bool {
        self.days.contains(&at.weekday()) && self.from <= at.time() && at.time() < self.to
    }
}

/// The three-letter English name of a weekday, as the API and storage write it.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

/// Reads `mon` … `sun` (any case; the full English name also works).
pub fn parse_weekday(s: &str) -> Result<Weekday, Refusal> {
    s.trim().parse::<Weekday>().map_err(|_| {
        Refusal::invalid(
            "off_peak_window_invalid",
            format!("{s:?} is not a day of the week; write mon, tue, wed, thu, fri, sat or sun"),
        )
    })
}

/// Reads a local time written `HH:MM`.
pub fn parse_time_of_day(s: &str) -> Result<NaiveTime, Refusal> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| {
        Refusal::invalid(
            "off_peak_window_invalid",
            format!("{s:?} is not a time of day; write it as HH:MM, for example 09:30"),
        )
    })
}

/// Writes windows as storage keeps them: `mon,tue 09:00-12:00;sat 10:00-11:00`.
pub fn encode_windows(windows: &[OffPeakWindow]) -> String {
    windows
        .iter()
        .map(|w| {
            let days: Vec<&str> = w.days.iter().map(|d| weekday_name(*d)).collect();
            format!(
                "{} {}-{}",
                days.join(","),
                w.from.format("%H:%M"),
                w.to.format("%H:%M")
            )
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// Reads what [`encode_windows`] wrote.
pub fn decode_windows(s: &str) -> Result<Vec<OffPeakWindow>, Refusal> {
    let bad = || Refusal::invalid("off_peak_window_invalid", format!("stored windows {s:?}"));
    s.split(';')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (days, times) = part.trim().split_once(' ').ok_or_else(bad)?;
            let (from, to) = times.split_once('-').ok_or_else(bad)?;
            Ok(OffPeakWindow {
                days: days
                    .split(',')
                    .map(parse_weekday)
                    .collect::<Result<_, _>>()?,
                from: parse_time_of_day(from)?,
                to: parse_time_of_day(to)?,
            })
        })
        .collect()
}

/// What a spend partner says about an offer: everything that can be updated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferTerms {
    pub title: String,
    pub price_minutes: i64,
    pub audience: Audience,
    pub capacity: Option<Capacity>,
    /// Empty: any time of any day.
    pub off_peak: Vec<OffPeakWindow>,
    pub valid_from: NaiveDate,
    /// `None`: until withdrawn.
    pub valid_to: Option<NaiveDate>,
}

impl OfferTerms {
    /// Checks the terms can be published, and tidies the title.
    pub fn checked(mut self) -> Result<Self, Refusal> {
        self.title = self.title.trim().to_owned();
        if self.title.is_empty() || self.title.chars().count() > MAX_TITLE_CHARS {
            return Err(Refusal::invalid(
                "offer_title_invalid",
                format!(
                    "the title must say what the member gets in 1 to {MAX_TITLE_CHARS} characters, such as \"One swim\""
                ),
            ));
        }
        if !(1..=MAX_PRICE_MINUTES).contains(&self.price_minutes) {
            return Err(Refusal::invalid(
                "offer_price_invalid",
                format!(
                    "the price must be a positive whole number of minutes, at most {MAX_PRICE_MINUTES} (got {}); 60 minutes is one credit, 90 is one and a half",
                    self.price_minutes
                ),
            ));
        }
        if let Some(c) = self.capacity
            && !(1..=MAX_CAPACITY).contains(&c.limit)
        {
            return Err(Refusal::invalid(
                "offer_capacity_invalid",
                format!(
                    "the capacity must be between 1 and {MAX_CAPACITY} redemptions per {}; leave it out for no limit",
                    c.period.as_str()
                ),
            ));
        }
        if self.off_peak.len() > MAX_WINDOWS {
            return Err(Refusal::invalid(
                "off_peak_window_invalid",
                format!("an offer may have at most {MAX_WINDOWS} off-peak windows"),
            ));
        }
        for w in &mut self.off_peak {
            w.days.sort_by_key(|d| d.num_days_from_monday());
            w.days.dedup();
            if w.days.is_empty() || w.from >= w.to {
                return Err(Refusal::invalid(
                    "off_peak_window_invalid",
                    "each off-peak window needs at least one day and a start time before its end time (windows cannot cross midnight; use two)",
                ));
            }
        }
        if let Some(to) = self.valid_to
            && to < self.valid_from
        {
            return Err(Refusal::invalid(
                "offer_dates_reversed",
                format!(
                    "the offer cannot end ({to}) before it starts ({}); swap the dates",
                    self.valid_from
                ),
            ));
        }
        Ok(self)
    }

    /// Whether the offer runs on `day`.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }
}

/// Whether an offer is still published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfferStatus {
    Active,
    Withdrawn,
}

impl OfferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "withdrawn" => Some(Self::Withdrawn),
            _ => None,
        }
    }
}

/// Refuses a change to a withdrawn offer.
pub fn check_not_withdrawn(status: OfferStatus) -> Result<(), Refusal> {
    match status {
        OfferStatus::Active => Ok(()),
        OfferStatus::Withdrawn => Err(Refusal::conflict(
            "offer_withdrawn",
            "this offer has been withdrawn by the spend partner; choose another offer, or publish it again as a new offer",
        )),
    }
}

/// Decides whether the offer may be redeemed at the programme-local moment
/// `at`, given how many redemptions of it (not refunded) were already made
/// in its capacity period. The order of the checks is the order a person at
/// the desk would want to hear them.
pub fn check_redeemable(
    terms: &OfferTerms,
    status: OfferStatus,
    at: NaiveDateTime,
    redeemed_in_period: u32,
) -> Result<(), Refusal> {
    check_not_withdrawn(status)?;
    let day = at.date();
    if !terms.valid_on(day) {
        let until = terms
            .valid_to
            .map_or_else(String::new, |to| format!(" to {to}"));
        return Err(Refusal::conflict(
            "offer_not_valid_today",
            format!(
                "this offer runs from {}{until}, not on {day}; choose an offer that runs today",
                terms.valid_from
            ),
        ));
    }
    if !terms.off_peak.is_empty() && !terms.off_peak.iter().any(|w| w.contains(at)) {
        return Err(Refusal::conflict(
            "outside_off_peak_hours",
            format!(
                "this offer can only be used at off-peak times ({}); come back then",
                describe_windows(&terms.off_peak)
            ),
        ));
    }
    if let Some(c) = terms.capacity
        && redeemed_in_period >= c.limit
    {
        let period = match c.period {
            CapacityPeriod::Day => "today",
            CapacityPeriod::Week => "this week",
        };
        return Err(Refusal::conflict(
            "offer_capacity_reached",
            format!(
                "all {} places of this offer {period} have been taken; try again {}",
                c.limit,
                match c.period {
                    CapacityPeriod::Day => "tomorrow",
                    CapacityPeriod::Week => "next week",
                }
            ),
        ));
    }
    Ok(())
}

fn describe_windows(windows: &[OffPeakWindow]) -> String {
    windows
        .iter()
        .map(|w| {
            let days: Vec<&str> = w.days.iter().map(|d| weekday_name(*d)).collect();
            format!(
                "{} {} to {}",
                days.join(", "),
                w.from.format("%H:%M"),
                w.to.format("%H:%M")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A refund must say why.
pub fn check_refund_reason(reason: &str) -> Result<String, Refusal> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Refusal::invalid(
            "refund_reason_required",
            "say in 1 to 500 characters why the redemption is refunded (for example \"the class was cancelled\")",
        ));
    }
    Ok(reason.to_owned())
}

/// Refuses a second refund of the same redemption.
pub fn already_refunded() -> Refusal {
    Refusal::conflict(
        "redemption_already_refunded",
        "this redemption has already been refunded; nothing more was moved",
    )
}

/// The prefix of the QR payload on a member's card or phone.
pub const CARD_PAYLOAD_PREFIX: &str = "TC1:";

/// The QR payload for a member number (its 7 digits): `TC1:1234567`.
pub fn card_payload(member_number_digits: u32) -> String {
    format!("{CARD_PAYLOAD_PREFIX}{member_number_digits:07}")
}

/// Reads the member number out of a QR payload `TC1:<7 digits>`. The check
/// digit is the caller's to verify (the member number type does it).
pub fn parse_card_payload(payload: &str) -> Result<u32, Refusal> {
    let bad = || {
        Refusal::invalid(
            "bad_card_payload",
            "this code is not a Time Credits member card (expected TC1: and the 7 digits of the member number); scan again, or type the number printed on the card",
        )
    };
    let payload = payload.trim();
    let prefix = payload.get(..CARD_PAYLOAD_PREFIX.len()).ok_or_else(bad)?;
    if !prefix.eq_ignore_ascii_case(CARD_PAYLOAD_PREFIX) {
        return Err(bad());
    }
    let digits = &payload[CARD_PAYLOAD_PREFIX.len()..];
    if digits.len() != 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    digits.parse().map_err(|_| bad())
}

/// Whether desk input was meant as a QR payload rather than a typed number
/// or an id: it starts with `TC` or holds a colon (neither ever does), so a
/// damaged or foreign code gets `bad_card_payload`, not a number error.
pub fn is_card_payload(input: &str) -> bool {
    let input = input.trim();
    input.contains(':') || input.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("TC"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn at(d: NaiveDate, h: u32, min: u32) -> NaiveDateTime {
        d.and_hms_opt(h, min, 0).expect("valid time")
    }

    fn swim() -> OfferTerms {
        OfferTerms {
            title: "  One swim ".into(),
            price_minutes: 60,
            audience: Audience::Adult,
            capacity: Some(Capacity {
                limit: 2,
                period: CapacityPeriod::Day,
            }),
            off_peak: vec![OffPeakWindow {
                days: vec![Weekday::Tue, Weekday::Mon, Weekday::Mon],
                from: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
                to: NaiveTime::from_hms_opt(12, 0, 0).expect("time"),
            }],
            valid_from: day(2026, 3, 1),
            valid_to: Some(day(2026, 3, 31)),
        }
    }

    #[test]
    fn terms_are_checked_and_tidied() {
        let ok = swim().checked().expect("valid");
        assert_eq!(ok.title, "One swim");
        assert_eq!(ok.off_peak[0].days, vec![Weekday::Mon, Weekday::Tue]);
        let code = |t: OfferTerms| t.checked().expect_err("refused").code;
        assert_eq!(
            code(OfferTerms {
                title: " ".into(),
                ..swim()
            }),
            "offer_title_invalid"
        );
        assert_eq!(
            code(OfferTerms {
                price_minutes: 0,
                ..swim()
            }),
            "offer_price_invalid"
        );
        assert_eq!(
            code(OfferTerms {
                capacity: Some(Capacity {
                    limit: 0,
                    period: CapacityPeriod::Week
                }),
                ..swim()
            }),
            "offer_capacity_invalid"
        );
        let mut backwards = swim();
        backwards.off_peak[0].to = NaiveTime::from_hms_opt(8, 0, 0).expect("time");
        assert_eq!(code(backwards), "off_peak_window_invalid");
        assert_eq!(
            code(OfferTerms {
                valid_to: Some(day(2026, 2, 1)),
                ..swim()
            }),
            "offer_dates_reversed"
        );
    }

    #[test]
    fn redemption_is_refused_with_the_reason_a_desk_needs() {
        let terms = swim().checked().expect("valid");
        let monday = day(2026, 3, 2);
        assert!(check_redeemable(&terms, OfferStatus::Active, at(monday, 10, 0), 1).is_ok());
        let code = |status, when, n| {
            check_redeemable(&terms, status, when, n)
                .expect_err("refused")
                .code
        };
        assert_eq!(
            code(OfferStatus::Withdrawn, at(monday, 10, 0), 0),
            "offer_withdrawn"
        );
        assert_eq!(
            code(OfferStatus::Active, at(day(2026, 4, 6), 10, 0), 0),
            "offer_not_valid_today"
        );
        assert_eq!(
            code(OfferStatus::Active, at(day(2026, 2, 23), 10, 0), 0),
            "offer_not_valid_today"
        );
        assert_eq!(
            code(OfferStatus::Active, at(monday, 12, 0), 0),
            "outside_off_peak_hours"
        );
        assert_eq!(
            code(OfferStatus::Active, at(day(2026, 3, 4), 10, 0), 0),
            "outside_off_peak_hours"
        );
        assert_eq!(
            code(OfferStatus::Active, at(monday, 9, 0), 2),
            "offer_capacity_reached"
        );
        let open = OfferTerms {
            off_peak: vec![],
            capacity: None,
            valid_to: None,
            ..terms.clone()
        };
        assert!(
            check_redeemable(
                &open,
                OfferStatus::Active,
                at(day(2030, 1, 1), 23, 59),
                1_000
            )
            .is_ok()
        );
    }

    #[test]
    fn capacity_periods_follow_the_local_calendar() {
        let wednesday = day(2026, 3, 4);
        assert_eq!(
            CapacityPeriod::Day.bounds(wednesday),
            (wednesday, day(2026, 3, 5))
        );
        assert_eq!(
            CapacityPeriod::Week.bounds(wednesday),
            (day(2026, 3, 2), day(2026, 3, 9))
        );
        let sunday = day(2026, 3, 8);
        assert_eq!(CapacityPeriod::Week.bounds(sunday).0, day(2026, 3, 2));
    }

    #[test]
    fn windows_round_trip_through_their_stored_form() {
        let windows = swim().checked().expect("valid").off_peak;
        let text = encode_windows(&windows);
        assert_eq!(text, "mon,tue 09:00-12:00");
        assert_eq!(decode_windows(&text).expect("decodes"), windows);
        assert_eq!(decode_windows("").expect("empty"), vec![]);
        assert!(decode_windows("someday 9-5").is_err());
        assert_eq!(parse_weekday("Saturday").expect("full name"), Weekday::Sat);
        assert_eq!(
            parse_time_of_day("25:00").expect_err("bad").code,
            "off_peak_window_invalid"
        );
    }

    #[test]
    fn card_payloads_are_read_strictly() {
        assert_eq!(card_payload(1_234_567), "TC1:1234567");
        assert_eq!(parse_card_payload(" tc1:1234567 ").expect("ok"), 1_234_567);
        for bad in [
            "",
            "TC1:",
            "TC1:123456",
            "TC1:12345678",
            "TC2:1234567",
            "TC1:12a4567",
            "1234567",
            "TC1:१२३४५६७",
        ] {
            assert_eq!(
                parse_card_payload(bad).expect_err(bad).code,
                "bad_card_payload",
                "{bad}"
            );
        }
        assert!(is_card_payload("TC1:1"));
        assert!(is_card_payload("TC9:0000000"));
        assert!(is_card_payload("https://example.org/x"));
        assert!(!is_card_payload("123 456 7"));
        assert!(!is_card_payload("0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"));
    }

    #[test]
    fn refunds_need_a_reason() {
        assert_eq!(
            check_refund_reason("  ").expect_err("empty").code,
            "refund_reason_required"
        );
        assert_eq!(check_refund_reason(" cancelled ").expect("ok"), "cancelled");
        assert_eq!(already_refunded().code, "redemption_already_refunded");
    }

    proptest! {
        #[test]
        fn every_day_lies_in_its_own_period(offset in 0u64..20_000, weekly in any::<bool>()) {
            let d = day(2000, 1, 1) + Days::new(offset);
            let period = if weekly { CapacityPeriod::Week } else { CapacityPeriod::Day };
            let (start, end) = period.bounds(d);
            prop_assert!(start <= d && d < end);
            prop_assert_eq!(period.bounds(start), (start, end));
            if weekly {
                prop_assert_eq!(start.weekday(), Weekday::Mon);
            }
        }

        #[test]
        fn payloads_of_any_number_read_back(n in 0u32..10_000_000) {
            prop_assert_eq!(parse_card_payload(&card_payload(n)).expect("reads back"), n);
        }
    }
}
