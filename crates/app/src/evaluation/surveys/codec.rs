//! A programme's own questions as stored: one JSON document per version,
//! since a version is written once and always read whole.

use serde::{Deserialize, Serialize};
use timecredits_evaluation::instruments::{CustomQuestion, QuestionKind, ResponseOption};

#[derive(Serialize, Deserialize)]
struct StoredOption {
    score: u8,
    label: String,
}

#[derive(Serialize, Deserialize)]
struct StoredQuestion {
    id: String,
    wording: String,
    /// `single_choice`, `scale_0_10`, `yes_no` or `free_text`.
    kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    options: Vec<StoredOption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    low_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    high_label: Option<String>,
}

/// The kind's stored and wire name.
pub fn kind_name(kind: &QuestionKind) -> &'static str {
    match kind {
        QuestionKind::SingleChoice { .. } => "single_choice",
        QuestionKind::Scale0To10 { .. } => "scale_0_10",
        QuestionKind::YesNo => "yes_no",
        QuestionKind::FreeText => "free_text",
    }
}

pub fn encode_questions(questions: &[CustomQuestion]) -> String {
    let stored: Vec<StoredQuestion> = questions
        .iter()
        .map(|q| {
            let (options, low, high) = match &q.kind {
                QuestionKind::SingleChoice { options } => (
                    options
                        .iter()
                        .map(|o| StoredOption {
                            score: o.score,
                            label: o.label.clone(),
                        })
                        .collect(),
                    None,
                    None,
                ),
                QuestionKind::Scale0To10 {
                    low_label,
                    high_label,
                } => (
                    Vec::new(),
                    Some(low_label.clone()),
                    Some(high_label.clone()),
                ),
                QuestionKind::YesNo | QuestionKind::FreeText => (Vec::new(), None, None),
            };
            StoredQuestion {
                id: q.id.clone(),
                wording: q.wording.clone(),
                kind: kind_name(&q.kind).to_owned(),
                options,
                low_label: low,
                high_label: high,
            }
        })
        .collect();
    // Plain strings and numbers always serialise.
    serde_json::to_string(&stored).unwrap_or_else(|_| "[]".to_owned())
}

/// Builds a question's kind from its name and parts, as entered or stored.
pub fn question_kind(
    name: &str,
    options: Vec<(u8, String)>,
    low_label: Option<String>,
    high_label: Option<String>,
) -> Result<QuestionKind, String> {
    Ok(match name {
        "single_choice" => QuestionKind::SingleChoice {
            options: options
                .into_iter()
                .map(|(score, label)| ResponseOption { score, label })
                .collect(),
        },
        "scale_0_10" => QuestionKind::Scale0To10 {
            low_label: low_label.unwrap_or_default(),
            high_label: high_label.unwrap_or_default(),
        },
        "yes_no" => QuestionKind::YesNo,
        "free_text" => QuestionKind::FreeText,
        other => {
            return Err(format!(
                "'{other}' is not a question kind; use single_choice, scale_0_10, yes_no or free_text"
            ));
        }
    })
}

pub fn decode_questions(json: &str) -> Result<Vec<CustomQuestion>, String> {
    let stored: Vec<StoredQuestion> = serde_json::from_str(json).map_err(|e| e.to_string())?;
    stored
        .into_iter()
        .map(|q| {
            Ok(CustomQuestion {
                kind: question_kind(
                    &q.kind,
                    q.options.into_iter().map(|o| (o.score, o.label)).collect(),
                    q.low_label,
                    q.high_label,
                )?,
                id: q.id,
                wording: q.wording,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips() {
        let questions = vec![
            CustomQuestion {
                id: "heard".into(),
                wording: "How did you hear about us?".into(),
                kind: question_kind(
                    "single_choice",
                    vec![(1, "Friend".into()), (2, "Poster".into())],
                    None,
                    None,
                )
                .expect("kind"),
            },
            CustomQuestion {
                id: "confidence".into(),
                wording: "How confident do you feel?".into(),
                kind: question_kind(
                    "scale_0_10",
                    vec![],
                    Some("Not at all".into()),
                    Some("Very".into()),
                )
                .expect("kind"),
            },
            CustomQuestion {
                id: "again".into(),
                wording: "Would you do it again?".into(),
                kind: QuestionKind::YesNo,
            },
            CustomQuestion {
                id: "story".into(),
                wording: "Tell us more".into(),
                kind: QuestionKind::FreeText,
            },
        ];
        let json = encode_questions(&questions);
        assert_eq!(decode_questions(&json).expect("decode"), questions);
        assert!(question_kind("slider", vec![], None, None).is_err());
    }
}
