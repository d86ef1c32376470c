//! What results publish: suppressed cells, minutes protected by the people behind them, and
//! tables that write themselves as CSV.

use std::io::Write;

use crate::disclosure::{DisclosureError, Shown, Threshold, suppress_1d};

/// How a suppressed cell reads in every table and CSV file.
pub const SUPPRESSED: &str = "suppressed";

/// A table ready to publish: a title, column headers and rows of text. Everything in it has
/// already been through disclosure control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedTable {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl PublishedTable {
    pub(crate) fn new(title: &str, header: &[&str]) -> Self {
        PublishedTable {
            title: title.to_owned(),
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// The header row followed by the rows, as a CSV file holds them.
    pub fn to_rows(&self) -> Vec<Vec<String>> {
        std::iter::once(self.header.clone())
            .chain(self.rows.iter().cloned())
            .collect()
    }

    /// Write the header and rows as CSV into the caller's writer.
    pub fn write_csv(&self, out: impl Write) -> Result<(), csv::Error> {
        let mut writer = csv::Writer::from_writer(out);
        for row in self.to_rows() {
            writer.write_record(&row)?;
        }
        writer.flush()?;
        Ok(())
    }
}

pub(crate) fn shown_text(cell: Shown) -> String {
    match cell {
        Shown::Count(n) => n.to_string(),
        Shown::Suppressed => SUPPRESSED.to_owned(),
    }
}

/// Minutes as hours and minutes, exactly: 90 is "1:30", -75 is "-1:15".
pub(crate) fn hours_text(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.unsigned_abs();
    format!("{sign}{}:{:02}", m / 60, m % 60)
}

pub(crate) fn minutes_text(cell: Shown) -> (String, String) {
    match cell {
        Shown::Count(m) => (
            m.to_string(),
            hours_text(i64::try_from(m).unwrap_or(i64::MAX)),
        ),
        Shown::Suppressed => (SUPPRESSED.to_owned(), SUPPRESSED.to_owned()),
    }
}

/// A single count published on its own (no total beside it): hidden when below the threshold.
pub(crate) fn single(count: u64, threshold: Threshold) -> Result<Shown, DisclosureError> {
    Ok(suppress_1d(&[count], threshold)?.cells[0])
}

/// One category of a table of people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountRow {
    pub label: String,
    pub count: Shown,
}

/// A one-way table of people with its total, through [`suppress_1d`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountTable {
    pub rows: Vec<CountRow>,
    pub total: Shown,
}

impl CountTable {
    /// `None` for a table with no categories at all (nothing to publish).
    pub(crate) fn suppress(
        raw: Vec<(String, u64)>,
        threshold: Threshold,
    ) -> Result<Option<Self>, DisclosureError> {
        if raw.is_empty() {
            return Ok(None);
        }
        let counts: Vec<u64> = raw.iter().map(|(_, n)| *n).collect();
        let table = suppress_1d(&counts, threshold)?;
        Ok(Some(CountTable {
            rows: raw
                .into_iter()
                .zip(table.cells)
                .map(|((label, _), count)| CountRow { label, count })
                .collect(),
            total: table.total,
        }))
    }

    pub(crate) fn table(&self, title: &str, category: &str) -> PublishedTable {
        let mut t = PublishedTable::new(title, &[category, "participants", "percent"]);
        for r in &self.rows {
            t.rows.push(vec![
                r.label.clone(),
                shown_text(r.count),
                percent_text(r.count, self.total),
            ]);
        }
        t.rows.push(vec![
            "total".to_owned(),
            shown_text(self.total),
            percent_text(self.total, self.total),
        ]);
        t
    }
}

/// `count` as a percentage of `of` with one decimal, by integer arithmetic (rounded half up);
/// suppressed when either part is, empty when there is nobody to take a share of.
pub(crate) fn percent_text(count: Shown, of: Shown) -> String {
    match (count, of) {
        (Shown::Count(_), Shown::Count(0)) => String::new(),
        (Shown::Count(c), Shown::Count(o)) => {
            let tenths = (u128::from(c) * 1000 + u128::from(o) / 2) / u128::from(o);
            format!("{}.{}", tenths / 10, tenths % 10)
        }
        _ => SUPPRESSED.to_owned(),
    }
}

/// An amount of credits in minutes that may be negative (a balance), or suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownMinutes {
    Minutes(i64),
    Suppressed,
}

impl ShownMinutes {
    pub(crate) fn text(self) -> (String, String) {
        match self {
            ShownMinutes::Minutes(m) => (m.to_string(), hours_text(m)),
            ShownMinutes::Suppressed => (SUPPRESSED.to_owned(), SUPPRESSED.to_owned()),
        }
    }
}

/// Minutes given to one category, and how many people gave them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesRow {
    pub label: String,
    pub contributors: Shown,
    pub minutes: Shown,
}

/// Minutes given by category, with the total.
///
/// Minutes are not people, but a category with few contributors would show what those few
/// gave, so each row (its contributors and its minutes together) is hidden when its
/// contributors are below the threshold. Then, as [`suppress_1d`] does, more rows are hidden
/// (fewest contributors first) until no hidden row follows from the totals: none hidden, or at
/// least two not all empty. Contributor counts can overlap (one person gives to several
/// categories), so their sum only bounds the total from above; protecting them as if they
/// added up is the cautious choice, and it protects the minutes too, since a row with
/// contributors has minutes. The totals are hidden when everyone behind them is fewer than
/// the threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesTable {
    pub rows: Vec<MinutesRow>,
    pub total_contributors: Shown,
    pub total_minutes: Shown,
}

/// One category before suppression: label, minutes, distinct contributors.
pub(crate) struct RawMinutes {
    pub label: String,
    pub minutes: u64,
    pub contributors: u64,
}

impl MinutesTable {
    pub(crate) fn suppress(
        raw: Vec<RawMinutes>,
        total_contributors: u64,
        threshold: Threshold,
    ) -> Result<Self, DisclosureError> {
        let total_contributors = single(total_contributors, threshold)?;
        let contributors: Vec<u64> = raw.iter().map(|r| r.contributors).collect();
        let mut hidden: Vec<bool> = contributors.iter().map(|c| *c < threshold.get()).collect();
        let total_hidden = total_contributors == Shown::Suppressed;
        if !total_hidden {
            protect_against_total(&contributors, &mut hidden);
        }
        let total_minutes: u64 = raw.iter().map(|r| r.minutes).sum();
        let show = |value: u64, hide: bool| {
            if hide {
                Shown::Suppressed
            } else {
                Shown::Count(value)
            }
        };
        let rows = raw
            .into_iter()
            .zip(hidden)
            .map(|(r, hide)| MinutesRow {
                contributors: show(r.contributors, hide),
                minutes: show(r.minutes, hide),
                label: r.label,
            })
            .collect();
        Ok(MinutesTable {
            rows,
            total_contributors,
            total_minutes: show(total_minutes, total_hidden),
        })
    }

    pub(crate) fn table(&self, title: &str, category: &str) -> PublishedTable {
        let mut t = PublishedTable::new(title, &[category, "contributors", "minutes", "hours"]);
        let mut push = |label: &str, contributors: Shown, minutes: Shown| {
            let (m, h) = minutes_text(minutes);
            t.rows
                .push(vec![label.to_owned(), shown_text(contributors), m, h]);
        };
        for r in &self.rows {
            push(&r.label, r.contributors, r.minutes);
        }
        push("total", self.total_contributors, self.total_minutes);
        t
    }
}

/// With the total shown, hide more cells (the smallest first) until the hidden ones are none, or
/// two or more that are not all zero, so none can be worked out from the total.
fn protect_against_total(values: &[u64], hidden: &mut [bool]) {
    loop {
        let count = hidden.iter().filter(|h| **h).count();
        let sum: u64 = values
            .iter()
            .zip(hidden.iter())
            .filter(|(_, h)| **h)
            .map(|(v, _)| v)
            .sum();
        if count == 0 || (count >= 2 && sum > 0) {
            return;
        }
        let smallest = (0..values.len())
            .filter(|i| !hidden[*i])
            .min_by_key(|i| (values[*i], *i));
        match smallest {
            Some(i) => hidden[i] = true,
            // Everything is hidden and still all zero: then the total is zero too, below any
            // threshold, and the caller hides it.
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_exact() {
        assert_eq!(hours_text(0), "0:00");
        assert_eq!(hours_text(90), "1:30");
        assert_eq!(hours_text(7), "0:07");
        assert_eq!(hours_text(-75), "-1:15");
    }

    #[test]
    fn a_lone_hidden_cell_takes_the_smallest_other_with_it() {
        let mut hidden = vec![false, true, false, false];
        protect_against_total(&[300, 40, 120, 500], &mut hidden);
        assert_eq!(hidden, [false, true, true, false]);
        let mut hidden = vec![true, true, false];
        protect_against_total(&[0, 0, 50], &mut hidden);
        assert_eq!(hidden, [true, true, true]);
    }
}
