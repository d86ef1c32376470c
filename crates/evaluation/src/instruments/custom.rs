//! A programme's own questions, beside the validated instruments. Only choices, 0-10 scales and
//! yes/no answers are scored; free text is kept but never scored or aggregated.

use thiserror::Error;

use super::ResponseOption;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionKind {
    SingleChoice {
        options: Vec<ResponseOption>,
    },
    /// 0-10, with the words shown at each end.
    Scale0To10 {
        low_label: String,
        high_label: String,
    },
    YesNo,
    FreeText,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomQuestion {
    pub id: String,
    pub wording: String,
    pub kind: QuestionKind,
}

/// A programme's versioned set of its own questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Questionnaire {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub questions: Vec<CustomQuestion>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomAnswer {
    Choice(u8),
    Scale(u8),
    YesNo(bool),
    Text(String),
}

/// What an answer contributes to analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomValue {
    Score(u8),
    YesNo(bool),
    /// Free text: stored for the programme, never scored.
    Unscored,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CustomError {
    #[error("question ids must be unique; '{id}' appears twice")]
    DuplicateQuestion { id: String },
    #[error("question '{id}' has no wording")]
    EmptyWording { id: String },
    #[error("question '{id}' needs at least two options with distinct scores")]
    BadOptions { id: String },
    #[error("answer to '{id}' does not fit the question's kind")]
    WrongKind { id: String },
    #[error("{value} is not an allowed answer to '{id}'")]
    OutOfRange { id: String, value: u8 },
}

impl Questionnaire {
    /// Check the definition before a programme saves it.
    pub fn validate(&self) -> Result<(), CustomError> {
        for (i, q) in self.questions.iter().enumerate() {
            if self.questions[..i].iter().any(|p| p.id == q.id) {
                return Err(CustomError::DuplicateQuestion { id: q.id.clone() });
            }
            if q.wording.trim().is_empty() {
                return Err(CustomError::EmptyWording { id: q.id.clone() });
            }
            if let QuestionKind::SingleChoice { options } = &q.kind {
                let distinct = options
                    .iter()
                    .enumerate()
                    .all(|(j, o)| options[..j].iter().all(|p| p.score != o.score));
                if options.len() < 2 || !distinct {
                    return Err(CustomError::BadOptions { id: q.id.clone() });
                }
            }
        }
        Ok(())
    }
}

impl CustomQuestion {
    pub fn value(&self, answer: &CustomAnswer) -> Result<CustomValue, CustomError> {
        let wrong = || CustomError::WrongKind {
            id: self.id.clone(),
        };
        let out_of_range = |value| CustomError::OutOfRange {
            id: self.id.clone(),
            value,
        };
        match (&self.kind, answer) {
            (QuestionKind::SingleChoice { options }, CustomAnswer::Choice(v)) => options
                .iter()
                .any(|o| o.score == *v)
                .then_some(CustomValue::Score(*v))
                .ok_or_else(|| out_of_range(*v)),
            (QuestionKind::Scale0To10 { .. }, CustomAnswer::Scale(v)) => (*v <= 10)
                .then_some(CustomValue::Score(*v))
                .ok_or_else(|| out_of_range(*v)),
            (QuestionKind::YesNo, CustomAnswer::YesNo(b)) => Ok(CustomValue::YesNo(*b)),
            (QuestionKind::FreeText, CustomAnswer::Text(_)) => Ok(CustomValue::Unscored),
            _ => Err(wrong()),
        }
    }
}
