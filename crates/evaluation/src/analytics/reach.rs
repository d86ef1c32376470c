//! Reach: who takes part, by deprivation against the area, by experience of volunteering, and
//! by the profile's demographic answers.

use std::collections::BTreeMap;

use crate::disclosure::{Shown, Threshold};

use super::published::{CountTable, PublishedTable, percent_text, shown_text};
use super::{AnalyticsError, Dataset, Filter, Scope};

/// Participants in one IMD decile beside the area's LSOAs in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecileRow {
    /// 1 (most deprived) to 10.
    pub decile: u8,
    pub participants: Shown,
    /// Public data: LSOAs of the programme's area in this decile.
    pub area_lsoas: u64,
}

/// Participants in one IMD quintile beside the area's LSOAs in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuintileRow {
    /// 1 (most deprived) to 5.
    pub quintile: u8,
    pub participants: Shown,
    pub area_lsoas: u64,
}

/// Who takes part.
///
/// The decile table (ten deciles and "no decile", with the total of participants) goes through
/// `suppress_1d`. The quintile table is **derived from the published decile table**: a
/// quintile is shown only when both its deciles are, so the two tables together reveal nothing
/// the decile table hides. The other tables share only the total with it, which follows the
/// same rule everywhere (hidden when below the threshold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub participants: Shown,
    pub by_decile: Vec<DecileRow>,
    pub by_quintile: Vec<QuintileRow>,
    /// Participants without a decile (no postcode, or one outside England).
    pub no_decile: Shown,
    /// `new to volunteering`, `volunteered before`, `not known`.
    pub new_to_volunteering: CountTable,
    /// One table per profile question, in question order; categories in code order, then
    /// `not_answered`.
    pub demographics: Vec<(String, CountTable)>,
}

pub const NOT_ANSWERED: &str = "not_answered";

/// Reach of the participants in scope of `filter` (see [`Filter`]).
pub fn reach(
    data: &Dataset,
    filter: &Filter,
    threshold: Threshold,
) -> Result<Reach, AnalyticsError> {
    let scope = Scope::new(data, filter)?;
    let people = &scope.participants;

    let mut deciles = [0u64; 10];
    let mut no_decile = 0u64;
    let mut experience = [0u64; 3];
    let mut answers: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
    for p in people {
        match p.decile {
            Some(d) => deciles[usize::from(d.get() - 1)] += 1,
            None => no_decile += 1,
        }
        experience[match p.new_to_volunteering {
            Some(true) => 0,
            Some(false) => 1,
            None => 2,
        }] += 1;
        for (question, _) in &p.demographics {
            answers.entry(question).or_default();
        }
    }
    for (question, categories) in answers.iter_mut() {
        for p in people {
            // A question answered twice counts its first answer.
            let answer = p
                .demographics
                .iter()
                .find(|(q, _)| q == question)
                .map_or(NOT_ANSWERED, |(_, c)| c.as_str());
            *categories.entry(answer).or_default() += 1;
        }
    }

    let mut cells: Vec<(String, u64)> = deciles
        .iter()
        .enumerate()
        .map(|(i, n)| ((i + 1).to_string(), *n))
        .collect();
    cells.push(("none".to_owned(), no_decile));
    let decile_table =
        CountTable::suppress(cells, threshold)?.ok_or(crate::disclosure::DisclosureError::Empty)?;
    let area = data.area();
    let by_decile: Vec<DecileRow> = (0..10)
        .map(|i| DecileRow {
            decile: u8::try_from(i + 1).unwrap_or(10),
            participants: decile_table.rows[i].count,
            area_lsoas: area.lsoas[i],
        })
        .collect();
    let by_quintile = (0..5)
        .map(|q| {
            let (a, b) = (&by_decile[2 * q], &by_decile[2 * q + 1]);
            QuintileRow {
                quintile: u8::try_from(q + 1).unwrap_or(5),
                participants: match (a.participants, b.participants) {
                    (Shown::Count(x), Shown::Count(y)) => Shown::Count(x + y),
                    _ => Shown::Suppressed,
                },
                area_lsoas: a.area_lsoas + b.area_lsoas,
            }
        })
        .collect();

    let labels = ["new to volunteering", "volunteered before", "not known"];
    let new_to_volunteering = CountTable::suppress(
        labels
            .iter()
            .zip(experience)
            .map(|(l, n)| ((*l).to_owned(), n))
            .collect(),
        threshold,
    )?
    .ok_or(crate::disclosure::DisclosureError::Empty)?;

    let mut demographics = Vec::new();
    for (question, categories) in answers {
        let mut raw: Vec<(String, u64)> = categories
            .iter()
            .filter(|(c, _)| **c != NOT_ANSWERED)
            .map(|(c, n)| ((*c).to_owned(), *n))
            .collect();
        raw.push((
            NOT_ANSWERED.to_owned(),
            categories.get(NOT_ANSWERED).copied().unwrap_or(0),
        ));
        if let Some(table) = CountTable::suppress(raw, threshold)? {
            demographics.push((question.to_owned(), table));
        }
    }

    Ok(Reach {
        participants: decile_table.total,
        no_decile: decile_table.rows[10].count,
        by_decile,
        by_quintile,
        new_to_volunteering,
        demographics,
    })
}

impl Reach {
    /// Participants with a known decile, when every figure it follows from is published.
    fn with_decile(&self) -> Shown {
        match (self.participants, self.no_decile) {
            (Shown::Count(all), Shown::Count(none)) => Shown::Count(all - none),
            _ => Shown::Suppressed,
        }
    }

    /// Every table, ready for a page or a CSV download. Participant shares are of those with a
    /// known decile; area shares of the area's LSOAs.
    pub fn tables(&self) -> Vec<PublishedTable> {
        let area_total: u64 = self.by_decile.iter().map(|r| r.area_lsoas).sum();
        let area_share = |n: u64| percent_text(Shown::Count(n), Shown::Count(area_total));
        let header = |group: &'static str| {
            [
                group,
                "participants",
                "percent of participants with a decile",
                "area LSOAs",
                "percent of area LSOAs",
            ]
        };
        let known = self.with_decile();
        let mut deciles = PublishedTable::new(
            "Participants by IMD decile (1 = most deprived)",
            &header("decile"),
        );
        for r in &self.by_decile {
            deciles.rows.push(vec![
                r.decile.to_string(),
                shown_text(r.participants),
                percent_text(r.participants, known),
                r.area_lsoas.to_string(),
                area_share(r.area_lsoas),
            ]);
        }
        let mut quintiles = PublishedTable::new(
            "Participants by IMD quintile (1 = most deprived)",
            &header("quintile"),
        );
        for r in &self.by_quintile {
            quintiles.rows.push(vec![
                r.quintile.to_string(),
                shown_text(r.participants),
                percent_text(r.participants, known),
                r.area_lsoas.to_string(),
                area_share(r.area_lsoas),
            ]);
        }
        for table in [&mut deciles, &mut quintiles] {
            table.rows.push(vec![
                "no decile".to_owned(),
                shown_text(self.no_decile),
                String::new(),
                String::new(),
                String::new(),
            ]);
            table.rows.push(vec![
                "total".to_owned(),
                shown_text(self.participants),
                String::new(),
                area_total.to_string(),
                String::new(),
            ]);
        }
        let mut out = vec![
            deciles,
            quintiles,
            self.new_to_volunteering
                .table("Participants new to volunteering", "volunteering before"),
        ];
        for (question, table) in &self.demographics {
            out.push(table.table(&format!("Participants by {question}"), question));
        }
        out
    }
}
