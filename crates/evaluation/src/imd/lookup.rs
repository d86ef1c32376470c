//! Streaming reader for postcode -> LSOA lookups in the ONS column layouts.
//!
//! Columns are found by name (any case), so the many editions all read:
//! - postcode: `pcds` (one space, preferred), else `pcd`, `pcd7`, `pcd8` or `pcd2`;
//! - 2011 LSOA: `lsoa11` (NSPL/ONSPD) or `lsoa11cd` (the best-fit PCD_OA_LSOA_MSOA_LAD lookups);
//! - 2021 LSOA: `lsoa21` or `lsoa21cd`;
//! - `doterm` (date of termination), when present, marks postcodes no longer in use.
//!
//! The boundary vintage is chosen by the caller, because a directory may carry both and the IMD
//! edition fixes which one its deciles are on.

use std::io::Read;

use super::source::Source;
use super::{ImportError, LsoaCode, Problem};
use crate::postcode::Postcode;

/// Which LSOA boundaries an area code refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Boundary {
    Lsoa2011,
    Lsoa2021,
}

impl Boundary {
    fn columns(self) -> [&'static str; 2] {
        match self {
            Boundary::Lsoa2011 => ["lsoa11cd", "lsoa11"],
            Boundary::Lsoa2021 => ["lsoa21cd", "lsoa21"],
        }
    }
}

const POSTCODE_COLUMNS: [&str; 5] = ["pcds", "pcd", "pcd7", "pcd8", "pcd2"];

/// Where a postcode's small area lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LsoaAssignment {
    England(LsoaCode),
    /// A Welsh LSOA, Scottish data zone or Northern Irish area: outside the English indices.
    OutsideEngland(String),
    /// Blank, or a pseudo code such as `E99999999` or `L99999999` (Channel Islands).
    Unassigned,
}

impl LsoaAssignment {
    fn parse(value: &str) -> Option<Self> {
        if value.is_empty() || value.ends_with("99999999") {
            return Some(LsoaAssignment::Unassigned);
        }
        if let Some(code) = LsoaCode::parse(value) {
            return Some(LsoaAssignment::England(code));
        }
        let plausible = value.len() >= 6 && value.bytes().all(|b| b.is_ascii_alphanumeric());
        (plausible && !value.starts_with('E'))
            .then(|| LsoaAssignment::OutsideEngland(value.to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostcodeArea {
    pub postcode: Postcode,
    pub lsoa: LsoaAssignment,
    /// The directory gives a date of termination.
    pub terminated: bool,
}

/// Yields one [`PostcodeArea`] per line without holding the file; stops after the first error.
pub struct PostcodeLookupReader<R> {
    source: Source<R>,
    postcode: usize,
    lsoa: usize,
    doterm: Option<usize>,
    done: bool,
}

impl<R: Read> PostcodeLookupReader<R> {
    pub fn new(reader: R, boundary: Boundary) -> Result<Self, ImportError> {
        let source = Source::open(reader)?;
        let names = &source.names;
        let find = |candidates: &[&str]| {
            candidates
                .iter()
                .find_map(|c| names.iter().position(|n| n.eq_ignore_ascii_case(c)))
        };
        let missing = |wanted: &[&str]| ImportError {
            line: 1,
            column: Some(wanted.join(" or ")),
            problem: Problem::MissingColumn,
        };
        let postcode = find(&POSTCODE_COLUMNS).ok_or_else(|| missing(&POSTCODE_COLUMNS))?;
        let lsoa = find(&boundary.columns()).ok_or_else(|| missing(&boundary.columns()))?;
        let doterm = find(&["doterm"]);
        Ok(PostcodeLookupReader {
            source,
            postcode,
            lsoa,
            doterm,
            done: false,
        })
    }

    fn next_row(&mut self) -> Result<Option<PostcodeArea>, ImportError> {
        let Some(line) = self.source.next_record()? else {
            return Ok(None);
        };
        let field = |i: usize| self.source.field(i);
        let fail = |i: usize, problem| ImportError {
            line,
            column: Some(self.source.names[i].clone()),
            problem,
        };
        let text = field(self.postcode);
        let postcode = Postcode::parse(text).map_err(|e| {
            fail(
                self.postcode,
                Problem::BadPostcode {
                    value: text.to_owned(),
                    reason: e.to_string(),
                },
            )
        })?;
        let area = field(self.lsoa);
        let lsoa = LsoaAssignment::parse(area)
            .ok_or_else(|| fail(self.lsoa, Problem::BadArea(area.to_owned())))?;
        Ok(Some(PostcodeArea {
            postcode,
            lsoa,
            terminated: self.doterm.is_some_and(|i| !field(i).is_empty()),
        }))
    }
}

impl<R: Read> Iterator for PostcodeLookupReader<R> {
    type Item = Result<PostcodeArea, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.next_row();
        self.done = !matches!(next, Ok(Some(_)));
        next.transpose()
    }
}
