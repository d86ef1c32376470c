//! Survey instruments as versioned data: wording, response options, scoring rule, bands, licence.
//!
//! The wording of a validated scale must be used exactly as published (see
//! `data/instruments.md`); pages render it from here and never carry their own copy.
//! A change of wording or scoring is a new `version`, so answers stay tied to what was asked.

/// One answer option: the label shown and the score stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseOption {
    pub score: u8,
    pub label: String,
}

/// A named range of scores of one item, both ends included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    pub label: String,
    pub min: u8,
    pub max: u8,
}

/// One question of an instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Stable within the instrument, e.g. `swemwbs_3`.
    pub id: String,
    pub wording: String,
    pub options: Vec<ResponseOption>,
    /// Bands of this item's own score (ONS4, the ONS direct loneliness question); often empty.
    pub bands: Vec<Band>,
}

/// How an instrument's answers become a score.
#[derive(Debug, Clone, PartialEq)]
pub enum ScoringRule {
    /// The sum of every item; any item unanswered means no score (no proration). With a
    /// conversion table, the raw sum is looked up to give the metric score.
    SumComplete { conversion: Option<ConversionTable> },
    /// Each item is reported on its own, in its own bands; there is no combined score.
    EachItem,
}

/// Raw total -> metric score in hundredths (SWEMWBS 16.88 is 1688), so scores compare exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionTable {
    pub name: String,
    pub rows: Vec<(u16, u16)>,
}

impl ConversionTable {
    pub fn convert(&self, raw: u16) -> Option<u16> {
        self.rows.iter().find(|(r, _)| *r == raw).map(|(_, m)| *m)
    }
}

/// A validated instrument, or a programme's own set of questions.
#[derive(Debug, Clone, PartialEq)]
pub struct Instrument {
    pub id: String,
    pub version: u32,
    pub title: String,
    /// Shown above the items, when the instrument has one.
    pub preamble: Option<String>,
    pub items: Vec<Item>,
    pub scoring: ScoringRule,
    /// The line that must be shown wherever the instrument is used.
    pub copyright: Option<String>,
    /// When true the instrument stays switched off unless the programme records a licence.
    pub licence_required: bool,
}

impl Instrument {
    /// Whether a programme may use the instrument.
    pub fn available(&self, programme_holds_licence: bool) -> bool {
        !self.licence_required || programme_holds_licence
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
}

/// Builds items that share one set of options.
pub(crate) fn items(prefix: &str, wordings: &[&str], options: &[(u8, &str)]) -> Vec<Item> {
    wordings
        .iter()
        .enumerate()
        .map(|(i, w)| Item {
            id: format!("{prefix}_{}", i + 1),
            wording: (*w).to_owned(),
            options: option_list(options),
            bands: Vec::new(),
        })
        .collect()
}

pub(crate) fn option_list(options: &[(u8, &str)]) -> Vec<ResponseOption> {
    options
        .iter()
        .map(|(score, label)| ResponseOption {
            score: *score,
            label: (*label).to_owned(),
        })
        .collect()
}

pub(crate) fn bands(list: &[(&str, u8, u8)]) -> Vec<Band> {
    list.iter()
        .map(|(label, min, max)| Band {
            label: (*label).to_owned(),
            min: *min,
            max: *max,
        })
        .collect()
}

impl Item {
    /// The band a score of this item falls in.
    pub fn band(&self, score: u8) -> Option<&Band> {
        self.bands.iter().find(|b| (b.min..=b.max).contains(&score))
    }
}

mod catalogue;
mod custom;
mod scoring;

pub use catalogue::{
    ONS_CHRONIC_LONELINESS, SWEMWBS_COPYRIGHT, catalogue, ons_loneliness, ons4, swemwbs, ucla3,
};
pub use custom::{
    CustomAnswer, CustomError, CustomQuestion, CustomValue, QuestionKind, Questionnaire,
};
pub use scoring::{InstrumentScore, ItemScore, ScoringError, score};
