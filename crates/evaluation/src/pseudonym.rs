//! Pseudonymised research extracts: keyed-hash ids, age bands, and k-anonymity with coarsening.
//!
//! Ids are HMAC-SHA256 of the member id under a secret the caller makes new for each extract, so
//! ids cannot be linked across extracts or reversed by hashing guessed ids. The whole 256-bit tag
//! is kept (64 hex characters): truncating to 64 bits would leave collisions plausible at scale
//! and saves nothing worth having.

use std::collections::BTreeMap;
use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

use crate::disclosure::Threshold;
use crate::imd::Decile;

/// The shortest extract secret accepted, in bytes (the HMAC-SHA256 block would take up to 64).
pub const MINIMUM_KEY_BYTES: usize = 32;

/// The value shown where a quasi-identifier is withheld.
pub const WITHHELD: &str = "withheld";

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PseudonymError {
    #[error("the extract secret has {len} bytes; at least {minimum} random bytes are needed")]
    KeyTooShort { len: usize, minimum: usize },
    #[error("a year of birth of {year_of_birth} is after the reference year {reference_year}")]
    BornAfterReference {
        year_of_birth: u16,
        reference_year: u16,
    },
    #[error("an age of {age} is not plausible; check the year of birth")]
    ImplausibleAge { age: u16 },
    #[error("row {row} gives {found} levels for '{column}', which has {expected}")]
    LadderMismatch {
        row: usize,
        column: String,
        expected: usize,
        found: usize,
    },
}

/// The secret of one extract. Its bytes never appear in `Debug` output.
#[derive(Clone)]
pub struct ExtractKey(Vec<u8>);

impl fmt::Debug for ExtractKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExtractKey(<redacted>)")
    }
}

impl ExtractKey {
    pub fn new(secret: &[u8]) -> Result<Self, PseudonymError> {
        if secret.len() < MINIMUM_KEY_BYTES {
            return Err(PseudonymError::KeyTooShort {
                len: secret.len(),
                minimum: MINIMUM_KEY_BYTES,
            });
        }
        Ok(ExtractKey(secret.to_vec()))
    }

    /// The pseudonym of one id: 64 lower-case hex characters.
    pub fn pseudonym(&self, id: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts a key of any length");
        mac.update(id.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// An age band such as "20-29", or an open top band such as "80+".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgeBand {
    pub from: u16,
    /// `None` for the open top band.
    pub to: Option<u16>,
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to {
            Some(to) => write!(f, "{}-{}", self.from, to),
            None => write!(f, "{}+", self.from),
        }
    }
}

/// Bands start at 0; everyone aged `top` or over shares one open band (few people are that old,
/// so finer bands there would single them out).
const TOP_BAND: u16 = 80;
const OLDEST_PLAUSIBLE: u16 = 120;

/// The band of the age reached during `reference_year` (without a birthday, a person may still
/// be a year younger on a given day of that year).
pub fn age_band(
    year_of_birth: u16,
    reference_year: u16,
    width: u16,
) -> Result<AgeBand, PseudonymError> {
    let age =
        reference_year
            .checked_sub(year_of_birth)
            .ok_or(PseudonymError::BornAfterReference {
                year_of_birth,
                reference_year,
            })?;
    if age > OLDEST_PLAUSIBLE {
        return Err(PseudonymError::ImplausibleAge { age });
    }
    let width = width.max(1);
    if age >= TOP_BAND {
        return Ok(AgeBand {
            from: TOP_BAND,
            to: None,
        });
    }
    let from = age / width * width;
    Ok(AgeBand {
        from,
        to: Some((from + width - 1).min(TOP_BAND - 1)),
    })
}

/// Age as 10-year bands, then 20-year bands, then withheld.
pub fn age_ladder(year_of_birth: u16, reference_year: u16) -> Result<Vec<String>, PseudonymError> {
    Ok(vec![
        age_band(year_of_birth, reference_year, 10)?.to_string(),
        age_band(year_of_birth, reference_year, 20)?.to_string(),
        WITHHELD.to_owned(),
    ])
}

/// Deprivation as the decile, then the quintile, then withheld.
pub fn decile_ladder(decile: Option<Decile>) -> Vec<String> {
    match decile {
        Some(d) => vec![
            format!("decile {}", d.get()),
            format!("quintile {}", d.quintile().get()),
            WITHHELD.to_owned(),
        ],
        None => vec!["not known".into(), "not known".into(), WITHHELD.into()],
    }
}

/// A combination of quasi-identifier values shared by fewer than k rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmallGroup {
    pub values: Vec<String>,
    pub rows: usize,
}

/// The combinations of values held by fewer than `k` rows.
pub fn groups_below(rows: &[Vec<String>], k: Threshold) -> Vec<SmallGroup> {
    let mut counts: BTreeMap<&[String], usize> = BTreeMap::new();
    for row in rows {
        *counts.entry(row.as_slice()).or_insert(0) += 1;
    }
    counts
        .into_iter()
        .filter(|(_, n)| (*n as u64) < k.get())
        .map(|(values, rows)| SmallGroup {
            values: values.to_vec(),
            rows,
        })
        .collect()
}

/// A quasi-identifier and the names of its levels, finest first (e.g. "age band (10 years)",
/// "age band (20 years)", "withheld").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuasiColumn {
    pub name: String,
    pub levels: Vec<String>,
}

/// One thing the coarsening did, for the extract's notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Coarsened { column: String, to: String },
    Withheld { rows: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coarsened {
    /// The level used for each column, as an index into its levels.
    pub levels: Vec<usize>,
    /// Each input row's values at those levels, or `None` when the row is withheld.
    pub rows: Vec<Option<Vec<String>>>,
    pub steps: Vec<Step>,
}

/// Coarsen whole columns (the same level for every row, so the extract stays consistent) until
/// every combination has at least `k` rows, or until at most `max_withheld` rows fall short, and
/// withhold the rows that still do. Each step raises the column that leaves the fewest rows short;
/// ties go to the earlier column, so list columns in the order you would rather coarsen them.
///
/// `rows[i][c]` is row i's ladder for column c: its value at each of the column's levels.
pub fn coarsen(
    columns: &[QuasiColumn],
    rows: &[Vec<Vec<String>>],
    k: Threshold,
    max_withheld: usize,
) -> Result<Coarsened, PseudonymError> {
    for (r, row) in rows.iter().enumerate() {
        for (column, ladder) in columns.iter().zip(row) {
            if ladder.len() != column.levels.len() {
                return Err(PseudonymError::LadderMismatch {
                    row: r,
                    column: column.name.clone(),
                    expected: column.levels.len(),
                    found: ladder.len(),
                });
            }
        }
    }
    let view = |levels: &[usize]| -> Vec<Vec<String>> {
        rows.iter()
            .map(|row| {
                row.iter()
                    .zip(levels)
                    .map(|(l, lv)| l[*lv].clone())
                    .collect()
            })
            .collect()
    };
    let short_rows =
        |levels: &[usize]| -> usize { groups_below(&view(levels), k).iter().map(|g| g.rows).sum() };
    let mut levels = vec![0; columns.len()];
    let mut steps = Vec::new();
    loop {
        let short = short_rows(&levels);
        if short <= max_withheld {
            break;
        }
        let best = (0..columns.len())
            .filter(|c| levels[*c] + 1 < columns[*c].levels.len())
            .min_by_key(|c| {
                let mut trial = levels.clone();
                trial[*c] += 1;
                (short_rows(&trial), *c)
            });
        let Some(c) = best else { break };
        levels[c] += 1;
        steps.push(Step::Coarsened {
            column: columns[c].name.clone(),
            to: columns[c].levels[levels[c]].clone(),
        });
    }
    let values = view(&levels);
    let small = groups_below(&values, k);
    let withheld = small.iter().map(|g| g.rows).sum::<usize>();
    if withheld > 0 {
        steps.push(Step::Withheld { rows: withheld });
    }
    let rows = values
        .into_iter()
        .map(|v| (!small.iter().any(|g| g.values == v)).then_some(v))
        .collect();
    Ok(Coarsened {
        levels,
        rows,
        steps,
    })
}
