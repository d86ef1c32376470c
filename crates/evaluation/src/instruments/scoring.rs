//! Turning one person's answers into the instrument's typed score.

use thiserror::Error;

use super::{Instrument, ScoringRule};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScoringError {
    #[error("'{item}' is not an item of {instrument}; answers must use the instrument's item ids")]
    UnknownItem { instrument: String, item: String },
    #[error("{score} is not an answer option of '{item}'")]
    NotAnOption { item: String, score: u8 },
    #[error("'{item}' was answered twice; keep one answer per item")]
    DuplicateAnswer { item: String },
}

/// One item's score and band, for instruments reported item by item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemScore {
    pub item: String,
    /// `None` when the item was not answered (or "prefer not to say").
    pub score: Option<u8>,
    pub band: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstrumentScore {
    /// Every item answered: the raw sum, and the metric score (hundredths) where the instrument
    /// converts it.
    Total {
        raw: u16,
        metric_hundredths: Option<u16>,
    },
    /// Some items unanswered: a summed instrument gives no score at all (no proration).
    Incomplete { missing: Vec<String> },
    /// Instruments with no combined score: each item on its own.
    Items(Vec<ItemScore>),
}

/// Score answers given as `(item id, option score)`; an item left out was not answered.
pub fn score(
    instrument: &Instrument,
    answers: &[(&str, u8)],
) -> Result<InstrumentScore, ScoringError> {
    for (i, (item_id, value)) in answers.iter().enumerate() {
        let item = instrument
            .item(item_id)
            .ok_or_else(|| ScoringError::UnknownItem {
                instrument: instrument.id.clone(),
                item: (*item_id).to_owned(),
            })?;
        if !item.options.iter().any(|o| o.score == *value) {
            return Err(ScoringError::NotAnOption {
                item: item.id.clone(),
                score: *value,
            });
        }
        if answers[..i].iter().any(|(other, _)| other == item_id) {
            return Err(ScoringError::DuplicateAnswer {
                item: item.id.clone(),
            });
        }
    }
    let answer = |id: &str| answers.iter().find(|(i, _)| *i == id).map(|(_, v)| *v);
    Ok(match &instrument.scoring {
        ScoringRule::SumComplete { conversion } => {
            let missing: Vec<String> = instrument
                .items
                .iter()
                .filter(|i| answer(&i.id).is_none())
                .map(|i| i.id.clone())
                .collect();
            if !missing.is_empty() {
                return Ok(InstrumentScore::Incomplete { missing });
            }
            let raw: u16 = answers.iter().map(|(_, v)| u16::from(*v)).sum();
            InstrumentScore::Total {
                raw,
                metric_hundredths: conversion.as_ref().and_then(|t| t.convert(raw)),
            }
        }
        ScoringRule::EachItem => InstrumentScore::Items(
            instrument
                .items
                .iter()
                .map(|item| {
                    let score = answer(&item.id);
                    ItemScore {
                        item: item.id.clone(),
                        score,
                        band: score.and_then(|s| item.band(s)).map(|b| b.label.clone()),
                    }
                })
                .collect(),
        ),
    })
}
