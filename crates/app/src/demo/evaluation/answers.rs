//! The demo members' answers: profiles that go with who they are, and
//! survey answers from a small model of how they feel.

use chrono::Datelike;
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use super::Participant;
use crate::evaluation::{Answer, EvaluationProfile, ItemAnswerInput, PREFER_NOT_TO_SAY};

/// Roughly normal noise (the sum of three uniforms), mean 0.
pub(super) fn noise(rng: &mut ChaCha8Rng, sd: f64) -> f64 {
    let sum: f64 = (0..3).map(|_| rng.random::<f64>()).sum();
    (sum - 1.5) * 2.0 * sd
}

fn pick<'a>(rng: &mut ChaCha8Rng, weighted: &[(&'a str, u32)]) -> &'a str {
    weighted.choose_weighted(rng, |c| c.1).expect("weights").0
}

fn answer(code: &str) -> Answer<String> {
    match code {
        "" => Answer::NotAnswered,
        PREFER_NOT_TO_SAY => Answer::PreferNotToSay,
        c => Answer::Given(c.to_owned()),
    }
}

pub(super) fn profile(
    rng: &mut ChaCha8Rng,
    p: &Participant,
    postcode: Option<&str>,
) -> EvaluationProfile {
    let ethnicity = match p.language {
        "en" => pick(
            rng,
            &[
                ("white_british", 84),
                ("white_irish", 2),
                ("white_gypsy_traveller", 3),
                ("mixed_white_black_caribbean", 2),
                ("asian_indian", 2),
                ("black_african", 2),
                (PREFER_NOT_TO_SAY, 4),
                ("", 1),
            ],
        ),
        "ro" => pick(
            rng,
            &[
                ("white_other", 85),
                ("white_roma", 10),
                (PREFER_NOT_TO_SAY, 5),
            ],
        ),
        _ => pick(rng, &[("white_other", 94), (PREFER_NOT_TO_SAY, 6)]),
    };
    let bands = [
        ("20-29", 10),
        ("30-39", 15),
        ("40-49", 16),
        ("50-59", 17),
        ("60-69", 18),
        ("70-79", 14),
        ("80+", 5),
        (PREFER_NOT_TO_SAY, 5),
    ];
    let band = pick(rng, &bands);
    // A few give a year of birth instead of a band.
    let (age_band, year_of_birth) = match band.split_once('-') {
        Some((from, _)) if rng.random_bool(0.15) => {
            let from: i32 = from.parse().expect("bands start with a number");
            let year = p.joined_at.year();
            (
                Answer::NotAnswered,
                Some(year - from - rng.random_range(0..10)),
            )
        }
        _ => (answer(band), None),
    };
    let retired = matches!(band, "70-79" | "80+");
    let employment = if retired {
        "retired"
    } else {
        pick(
            rng,
            &[
                ("employed_full_time", 22),
                ("employed_part_time", 18),
                ("self_employed", 6),
                ("unemployed", 12),
                ("looking_after_home", 11),
                ("long_term_sick", 9),
                ("retired", 12),
                ("student", 3),
                ("other", 2),
                (PREFER_NOT_TO_SAY, 5),
            ],
        )
    };
    EvaluationProfile {
        age_band,
        year_of_birth,
        gender: answer(pick(
            rng,
            &[
                ("woman", 58),
                ("man", 37),
                ("non_binary", 1),
                (PREFER_NOT_TO_SAY, 3),
                ("", 1),
            ],
        )),
        ethnicity: answer(ethnicity),
        disability: answer(pick(
            rng,
            &[("yes", 24), ("no", 68), (PREFER_NOT_TO_SAY, 8)],
        )),
        employment: answer(employment),
        volunteered_before: answer(pick(
            rng,
            &[("yes", 42), ("no", 52), (PREFER_NOT_TO_SAY, 4), ("", 2)],
        )),
        postcode: postcode.map_or(Answer::PreferNotToSay, answer),
    }
}

/// How a member feels: SWEMWBS-style wellbeing on the items' 1..5 scale
/// and UCLA-3-style loneliness on its 1..3 scale.
#[derive(Clone, Copy)]
pub(super) struct State {
    pub wellbeing: f64,
    pub loneliness: f64,
}

fn scale(value: f64, min: u8, max: u8) -> u8 {
    // In range by construction; the use case checks ranges too.
    value.round().clamp(f64::from(min), f64::from(max)) as u8
}

/// One member's answers to one instrument. A few leave an item out (the
/// instrument then gives no total: no proration).
pub(super) fn answers(rng: &mut ChaCha8Rng, instrument: &str, s: State) -> Vec<ItemAnswerInput> {
    let item = |id: String, score: u8| ItemAnswerInput {
        item: id,
        score: Some(score),
        text: None,
    };
    let mut out: Vec<ItemAnswerInput> = match instrument {
        "swemwbs" => (1..=7)
            .map(|i| {
                item(
                    format!("swemwbs_{i}"),
                    scale(s.wellbeing + noise(rng, 0.6), 1, 5),
                )
            })
            .collect(),
        "ucla3" => (1..=3)
            .map(|i| {
                item(
                    format!("ucla3_{i}"),
                    scale(s.loneliness + noise(rng, 0.45), 1, 3),
                )
            })
            .collect(),
        // 1 is "often/always" lonely, 5 "never".
        "ons_loneliness" => {
            let value = 5.0 - (s.loneliness - 1.0) * 2.0 + noise(rng, 0.6);
            vec![item("ons_lonely".into(), scale(value, 1, 5))]
        }
        _ => {
            let good = (s.wellbeing - 1.0) * 2.5;
            let mut items: Vec<ItemAnswerInput> = (1..=3)
                .map(|i| item(format!("ons4_{i}"), scale(good + noise(rng, 1.2), 0, 10)))
                .collect();
            let anxious = 9.0 - good * 0.9 + noise(rng, 1.6);
            items.push(item("ons4_4".into(), scale(anxious, 0, 10)));
            items
        }
    };
    if out.len() > 1 && rng.random_bool(0.03) {
        let left_out = rng.random_range(0..out.len());
        out.remove(left_out);
    }
    out
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    const INSTRUMENTS: [&str; 4] = ["swemwbs", "ucla3", "ons_loneliness", "ons4"];

    #[test]
    fn answers_stay_in_each_instruments_range() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for (wellbeing, loneliness) in [(0.0, 4.0), (6.0, 0.0), (3.0, 2.0)] {
            let s = State {
                wellbeing,
                loneliness,
            };
            for instrument in INSTRUMENTS {
                let (min, max) = match instrument {
                    "swemwbs" | "ons_loneliness" => (1, 5),
                    "ucla3" => (1, 3),
                    _ => (0, 10),
                };
                for a in answers(&mut rng, instrument, s) {
                    let score = a.score.expect("scored");
                    assert!((min..=max).contains(&score), "{instrument} {score}");
                }
            }
        }
    }
}
