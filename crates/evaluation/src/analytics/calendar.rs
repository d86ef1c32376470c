//! Calendar days and months, just enough for the analytics: no clock, no time zone.
//!
//! The application decides which day an event fell on (in the programme's time zone) and hands
//! over plain days; keeping our own small type spares this pure crate a date library.

use std::fmt;

/// A day of the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    year: i32,
    month: u8,
    day: u8,
}

/// A calendar month, e.g. 2025-03.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u8,
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Day {
    /// `None` for a day that does not exist (month 13, 30 February ...).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        ((1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day))
            .then_some(Day { year, month, day })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month_number(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    pub fn month(self) -> Month {
        Month {
            year: self.year,
            month: self.month,
        }
    }

    /// The same day `months` later; a day the later month lacks becomes its last day
    /// (31 August + 6 months is 28 or 29 February), as people count "six months after".
    pub fn add_months(self, months: u32) -> Day {
        let start = self.month();
        let target = start.add(months);
        Day {
            year: target.year,
            month: target.month,
            day: self.day.min(days_in_month(target.year, target.month)),
        }
    }
}

impl Month {
    pub fn new(year: i32, month: u8) -> Option<Self> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month_number(self) -> u8 {
        self.month
    }

    pub fn next(self) -> Month {
        self.add(1)
    }

    fn add(self, months: u32) -> Month {
        let index = i64::from(self.year) * 12 + i64::from(self.month - 1) + i64::from(months);
        Month {
            year: i32::try_from(index.div_euclid(12)).unwrap_or(i32::MAX),
            month: u8::try_from(index.rem_euclid(12) + 1).unwrap_or(12),
        }
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Day {
        Day::new(y, m, day).unwrap()
    }

    #[test]
    fn only_real_days_exist() {
        assert!(Day::new(2024, 2, 29).is_some());
        assert!(Day::new(2025, 2, 29).is_none());
        assert!(Day::new(1900, 2, 29).is_none());
        assert!(Day::new(2000, 2, 29).is_some());
        assert!(Day::new(2025, 13, 1).is_none());
        assert!(Day::new(2025, 4, 31).is_none());
        assert!(Day::new(2025, 1, 0).is_none());
    }

    #[test]
    fn adding_months_clamps_to_the_end_of_a_shorter_month() {
        assert_eq!(d(2025, 8, 31).add_months(6), d(2026, 2, 28));
        assert_eq!(d(2023, 8, 31).add_months(6), d(2024, 2, 29));
        assert_eq!(d(2025, 1, 15).add_months(12), d(2026, 1, 15));
        assert_eq!(d(2025, 11, 30).add_months(3), d(2026, 2, 28));
        assert_eq!(d(2025, 3, 1).add_months(0), d(2025, 3, 1));
        assert_eq!(Month::new(2025, 12).unwrap().next().to_string(), "2026-01");
        assert_eq!(d(2025, 3, 9).to_string(), "2025-03-09");
    }
}
