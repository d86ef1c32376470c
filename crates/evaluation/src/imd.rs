//! Areas and deprivation: LSOA codes, IMD deciles and quintiles, and streaming readers for the
//! English Indices of Deprivation files and the ONS postcode directories.
//!
//! Readers take any `impl Read` and yield one typed row at a time, so a file of any size streams.
//! A reader stops at its first error, which names the 1-based line, the column and what to do;
//! a caller that stores rows only after the whole stream has read cleanly never half-loads a file.

use std::fmt;

use thiserror::Error;

mod lookup;
mod reader;
mod source;

pub use lookup::{Boundary, LsoaAssignment, PostcodeArea, PostcodeLookupReader};
pub use reader::{ImdReader, Layout};

/// A 2011 or 2021 Lower-layer Super Output Area in England: `E01` and six digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LsoaCode(String);

impl LsoaCode {
    pub fn parse(value: &str) -> Option<Self> {
        let b = value.as_bytes();
        (b.len() == 9 && b.starts_with(b"E01") && b[3..].iter().all(u8::is_ascii_digit))
            .then(|| LsoaCode(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LsoaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 1 = the most deprived tenth of LSOAs in England, 10 = the least deprived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decile(u8);

impl Decile {
    pub fn new(value: u8) -> Option<Self> {
        (1..=10).contains(&value).then_some(Decile(value))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// Deciles 1-2 are quintile 1 (most deprived fifth), ..., 9-10 quintile 5.
    pub fn quintile(self) -> Quintile {
        Quintile(self.0.div_ceil(2))
    }
}

/// 1 = the most deprived fifth, 5 = the least deprived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quintile(u8);

impl Quintile {
    pub fn get(self) -> u8 {
        self.0
    }
}

/// Which Indices of Deprivation, and so which LSOA boundaries and how many LSOAs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Edition {
    Iod2019,
}

impl Edition {
    pub fn label(self) -> &'static str {
        match self {
            Edition::Iod2019 => "English Indices of Deprivation 2019",
        }
    }

    pub fn boundary(self) -> Boundary {
        match self {
            Edition::Iod2019 => Boundary::Lsoa2011,
        }
    }

    /// Ranks run from 1 (most deprived) to this number.
    pub fn lsoa_count(self) -> u32 {
        match self {
            Edition::Iod2019 => 32_844,
        }
    }
}

/// The seven domain deciles of the Index of Multiple Deprivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainDeciles {
    pub income: Decile,
    pub employment: Decile,
    pub education: Decile,
    pub health: Decile,
    pub crime: Decile,
    /// Barriers to Housing and Services.
    pub barriers: Decile,
    pub living_environment: Decile,
}

/// One LSOA's deprivation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImdRow {
    pub lsoa: LsoaCode,
    /// Local authority district code, where the file has one.
    pub local_authority: Option<String>,
    pub rank: u32,
    pub decile: Decile,
    pub domains: Option<DomainDeciles>,
}

/// What went wrong in a file, and where.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}{}: {problem}. {}", column_text(.column), .problem.hint())]
pub struct ImportError {
    /// 1-based; the header is line 1.
    pub line: u64,
    pub column: Option<String>,
    pub problem: Problem,
}

fn column_text(column: &Option<String>) -> String {
    column
        .as_ref()
        .map(|c| format!(", column '{c}'"))
        .unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Problem {
    #[error("the file could not be read as CSV: {0}")]
    Csv(String),
    #[error("the header is not a layout this importer knows (it has: {found})")]
    UnknownLayout { found: String },
    #[error("the header has no such column")]
    MissingColumn,
    #[error("'{0}' is not an LSOA code in England (E01 and six digits)")]
    BadLsoaCode(String),
    #[error("'{0}' is not a whole number")]
    BadNumber(String),
    #[error("rank {rank} is outside 1..={max}")]
    RankOutOfRange { rank: u32, max: u32 },
    #[error("'{0}' is not a decile (1-10)")]
    BadDecile(String),
    #[error("LSOA {lsoa} already appeared on line {first_line}")]
    DuplicateLsoa { lsoa: String, first_line: u64 },
    #[error("'{value}' is not a valid postcode: {reason}")]
    BadPostcode { value: String, reason: String },
    #[error("'{0}' is not an area code this importer knows")]
    BadArea(String),
}

impl Problem {
    fn hint(&self) -> &'static str {
        match self {
            Problem::Csv(_) => {
                "Check the file is the CSV as published, not a spreadsheet saved another way"
            }
            Problem::UnknownLayout { .. } | Problem::MissingColumn => {
                "Use the published file unchanged, or rename the columns to a supported layout"
            }
            Problem::DuplicateLsoa { .. } => "Each LSOA must appear once; remove the repeated row",
            Problem::BadPostcode { .. } | Problem::BadArea(_) => {
                "Check the file is an ONS Postcode Directory or NSPL CSV, unchanged"
            }
            _ => "Correct or remove that row and import the file again; nothing was loaded",
        }
    }
}
