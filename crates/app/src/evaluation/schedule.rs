//! When each survey wave is open, counted from a member's baseline day.

use chrono::{Months, NaiveDate};

/// How long the last wave stays open, in months.
pub const LAST_WAVE_OPEN_MONTHS: u32 = 6;

/// One wave: the baseline (0 months) or a follow-up, open from `opens`
/// until the day before `closes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wave {
    pub months: u32,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
}

impl Wave {
    pub fn is_open(&self, day: NaiveDate) -> bool {
        self.opens <= day && day < self.closes
    }
}

fn add_months(day: NaiveDate, months: u32) -> NaiveDate {
    // Month ends clamp (31 March + 6 months is 30 September); only dates
    // near the end of chrono's range could fail, and those are not members'.
    day.checked_add_months(Months::new(months)).unwrap_or(day)
}

/// The baseline and the follow-ups (months after it, increasing). A wave
/// stays open until the next one opens, so a late answer still counts for
/// the wave it belongs to; the last stays open [`LAST_WAVE_OPEN_MONTHS`].
pub fn waves(baseline: NaiveDate, follow_up_months: &[u32]) -> Vec<Wave> {
    let starts: Vec<u32> = std::iter::once(0)
        .chain(follow_up_months.iter().copied())
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, months)| {
            let end = starts
                .get(i + 1)
                .copied()
                .unwrap_or(months + LAST_WAVE_OPEN_MONTHS);
            Wave {
                months: *months,
                opens: add_months(baseline, *months),
                closes: add_months(baseline, end),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn default_waves_follow_each_other_without_gaps() {
        let w = waves(d(2025, 3, 31), &[6, 12]);
        assert_eq!(w.len(), 3);
        assert_eq!(
            (w[0].months, w[0].opens, w[0].closes),
            (0, d(2025, 3, 31), d(2025, 9, 30))
        );
        assert_eq!((w[1].opens, w[1].closes), (d(2025, 9, 30), d(2026, 3, 31)));
        assert_eq!(
            (w[2].months, w[2].opens, w[2].closes),
            (12, d(2026, 3, 31), d(2026, 9, 30))
        );
        assert!(w[0].is_open(d(2025, 9, 29)));
        assert!(!w[0].is_open(d(2025, 9, 30)));
        assert!(w[1].is_open(d(2025, 9, 30)));
        assert!(!w[2].is_open(d(2026, 9, 30)));
    }

    #[test]
    fn a_baseline_alone_stays_open_six_months() {
        let w = waves(d(2025, 1, 15), &[]);
        assert_eq!(
            w,
            vec![Wave {
                months: 0,
                opens: d(2025, 1, 15),
                closes: d(2025, 7, 15)
            }]
        );
    }
}
