//! The research extract: a pseudonymised dataset of one programme's
//! consenting members for outside evaluators.
//!
//! - `participation.csv`: one row per member, with their quasi-identifiers
//!   (age band, gender, ethnic group, LSOA, IMD decile) and what they gave
//!   and received;
//! - `surveys.csv`: one row per member per survey wave, with each measure;
//! - `data_dictionary.csv` and `README.md`.
//!
//! Ids are keyed hashes under a secret drawn here, used once and never
//! kept, so two extracts cannot be linked and an id cannot be reversed.
//! No name, contact detail, member number, postcode, year of birth or
//! stored id is written. Every combination of quasi-identifiers is shared
//! by at least the programme's threshold of members: columns are coarsened
//! (LSOA to local authority, 10-year to 20-year age bands, decile to
//! quintile, then withheld) and, past that, rows are withheld; the README
//! says which.

use std::collections::BTreeMap;

use chrono::Datelike;
use timecredits_evaluation::analytics::Filter;
use timecredits_evaluation::instruments::{Instrument, InstrumentScore, ScoringRule};
use timecredits_evaluation::pseudonym::{
    ExtractKey, QuasiColumn, Step, WITHHELD, age_ladder, coarsen, decile_ladder,
};
use timecredits_ledger::ProgrammeId;

use super::analytics::{
    ConsentingRecords, RecordsNeeded, ethnicity_group, member_key, new_to_volunteering,
    programme_instruments,
};
use super::model::{Answer, EvaluationProfile};
use super::records::EvaluationMember;
use crate::{Actor, App, AppError, StoreError};

mod documents;
use documents::{dictionary, readme};

/// One file of the extract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtractFile {
    pub name: String,
    pub contents: Vec<u8>,
}

/// The extract's files, and what the disclosure check did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResearchExtract {
    pub files: Vec<ExtractFile>,
    /// Members in the extract (after any were withheld).
    pub members: usize,
    /// Members withheld because their combination stayed too rare.
    pub withheld: usize,
    pub threshold: u64,
}

const NOT_KNOWN: &str = "not known";
const PREFER_NOT: &str = "prefer not to say";

/// The quasi-identifiers, in the order they are coarsened when they tie.
fn quasi_columns() -> Vec<QuasiColumn> {
    let column = |name: &str, levels: &[&str]| QuasiColumn {
        name: name.to_owned(),
        levels: levels.iter().map(|l| (*l).to_owned()).collect(),
    };
    vec![
        column("lsoa", &["LSOA", "local authority", WITHHELD]),
        column(
            "age_band",
            &["age band (10 years)", "age band (20 years)", WITHHELD],
        ),
        column("deprivation", &["IMD decile", "IMD quintile", WITHHELD]),
        column("ethnic_group", &["census ethnic group", WITHHELD]),
        column("gender", &["gender", WITHHELD]),
    ]
}

fn unknown_ladder(answer_declined: bool, levels: usize) -> Vec<String> {
    let shown = if answer_declined {
        PREFER_NOT
    } else {
        NOT_KNOWN
    };
    let mut ladder = vec![shown.to_owned(); levels - 1];
    ladder.push(WITHHELD.to_owned());
    ladder
}

/// A 10-year band chosen in the profile ("30-39", "80+"), then its 20-year band.
fn chosen_band_ladder(code: &str) -> Vec<String> {
    let from: Option<u16> = code.split(['-', '+']).next().and_then(|f| f.parse().ok());
    let twenty = match from {
        Some(f) if f >= 80 => "80+".to_owned(),
        Some(f) => format!("{}-{}", f / 20 * 20, (f / 20 * 20 + 19).min(79)),
        None => NOT_KNOWN.to_owned(),
    };
    vec![code.to_owned(), twenty, WITHHELD.to_owned()]
}

fn age_values(profile: Option<&EvaluationProfile>, this_year: u16) -> Vec<String> {
    let Some(p) = profile else {
        return unknown_ladder(false, 3);
    };
    if let Some(year) = p.year_of_birth.and_then(|y| u16::try_from(y).ok())
        && let Ok(ladder) = age_ladder(year, this_year)
    {
        return ladder;
    }
    match &p.age_band {
        Answer::Given(code) => chosen_band_ladder(code),
        Answer::PreferNotToSay => unknown_ladder(true, 3),
        Answer::NotAnswered => unknown_ladder(false, 3),
    }
}

fn category_values(answer: Option<&Answer<String>>, shown: Option<String>) -> Vec<String> {
    match (answer, shown) {
        (Some(Answer::PreferNotToSay), _) => unknown_ladder(true, 2),
        (_, Some(code)) => vec![code, WITHHELD.to_owned()],
        _ => unknown_ladder(false, 2),
    }
}

fn quasi_values(m: &EvaluationMember, this_year: u16) -> Vec<Vec<String>> {
    let profile = m.profile.as_ref();
    let lsoa = match (&m.lsoa, &m.local_authority) {
        (Some(lsoa), la) => vec![
            lsoa.clone(),
            la.clone().unwrap_or_else(|| NOT_KNOWN.to_owned()),
            WITHHELD.to_owned(),
        ],
        (None, _) => unknown_ladder(false, 3),
    };
    let decile = decile_ladder(m.decile.and_then(timecredits_evaluation::imd::Decile::new));
    let ethnic = category_values(
        profile.map(|p| &p.ethnicity),
        profile.and_then(|p| ethnicity_group(&p.ethnicity)),
    );
    let gender = category_values(
        profile.map(|p| &p.gender),
        profile.and_then(|p| p.gender.code().map(str::to_owned)),
    );
    vec![lsoa, age_values(profile, this_year), decile, ethnic, gender]
}

/// The measure columns of the programme's instruments: a summed score
/// (and its metric where it converts), or each item.
fn measure_columns(instruments: &[Instrument]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for i in instruments {
        match &i.scoring {
            ScoringRule::SumComplete { conversion } => {
                out.push((
                    i.id.clone(),
                    format!("{}_raw", i.id),
                    format!("{}: raw total, only when every item was answered", i.title),
                ));
                if conversion.is_some() {
                    out.push((
                        i.id.clone(),
                        format!("{}_metric", i.id),
                        format!(
                            "{}: metric score from the published conversion table",
                            i.title
                        ),
                    ));
                }
            }
            ScoringRule::EachItem => {
                for item in &i.items {
                    out.push((
                        i.id.clone(),
                        item.id.clone(),
                        format!("{}: {}", i.title, item.wording),
                    ));
                }
            }
        }
    }
    out
}

fn measure_value(score: &InstrumentScore, column: &str) -> String {
    match score {
        InstrumentScore::Total {
            raw,
            metric_hundredths,
        } => {
            if column.ends_with("_raw") {
                raw.to_string()
            } else {
                metric_hundredths
                    .map_or_else(String::new, |h| format!("{}.{:02}", h / 100, h % 100))
            }
        }
        InstrumentScore::Incomplete { .. } => String::new(),
        InstrumentScore::Items(items) => items
            .iter()
            .find(|s| s.item == column)
            .and_then(|s| s.score)
            .map_or_else(String::new, |s| s.to_string()),
    }
}

fn csv_file(name: &str, rows: &[Vec<String>]) -> Result<ExtractFile, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row)
            .map_err(|e| StoreError::Internal(format!("writing {name}: {e}")))?;
    }
    let contents = writer
        .into_inner()
        .map_err(|e| StoreError::Internal(format!("writing {name}: {e}")))?;
    Ok(ExtractFile {
        name: name.to_owned(),
        contents,
    })
}

impl App {
    /// The programme's research extract, for its managers and evaluators;
    /// anyone else is told the programme does not exist.
    pub async fn research_extract(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
    ) -> Result<ResearchExtract, AppError> {
        let programme = self.evaluation_programme(actor, programme).await?;
        let records = self
            .consenting_records(&programme, &Filter::default(), RecordsNeeded::ALL)
            .await?;
        // A fresh secret for each extract, forgotten when this returns.
        let key = ExtractKey::new(&rand::random::<[u8; 32]>())
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        let today = self.programme_today(&programme);
        let this_year = u16::try_from(today.year()).unwrap_or(u16::MAX);
        let extract = build(&records, &key, this_year)?;
        tracing::info!(
            programme.id = %programme.id,
            actor.user = %actor.user,
            members = extract.members,
            withheld = extract.withheld,
            "research extract made"
        );
        let readme = readme(&records, &extract.steps, extract.members, today.to_string());
        let mut files = extract.files;
        files.push(ExtractFile {
            name: "README.md".into(),
            contents: readme.into_bytes(),
        });
        Ok(ResearchExtract {
            files,
            members: extract.members,
            withheld: extract.withheld,
            threshold: records.threshold.get(),
        })
    }
}

struct Built {
    files: Vec<ExtractFile>,
    steps: Vec<Step>,
    members: usize,
    withheld: usize,
}

fn build(records: &ConsentingRecords, key: &ExtractKey, this_year: u16) -> Result<Built, AppError> {
    let columns = quasi_columns();
    let ladders: Vec<Vec<Vec<String>>> = records
        .members
        .iter()
        .map(|m| quasi_values(m, this_year))
        .collect();
    // Up to one member in twenty may be withheld before a column is coarsened further.
    let coarsened = coarsen(
        &columns,
        &ladders,
        records.threshold,
        records.members.len() / 20,
    )
    .map_err(|e| StoreError::Internal(e.to_string()))?;

    let mut given: BTreeMap<&str, (u64, i64)> = BTreeMap::new();
    for c in &records.contributions {
        let entry = given.entry(&c.member).or_default();
        entry.0 += 1;
        entry.1 += c.minutes;
    }
    let credits: BTreeMap<String, (i64, i64, i64)> = records
        .credits
        .iter()
        .map(|c| {
            (
                member_key(c.member),
                (c.earned_minutes, c.spent_minutes, c.balance_minutes),
            )
        })
        .collect();
    let instruments = programme_instruments(&records.settings);
    let measures = measure_columns(&instruments);

    let mut participation = Vec::new();
    let mut surveys = Vec::new();
    let mut withheld = 0;
    for (m, values) in records.members.iter().zip(&coarsened.rows) {
        let Some(values) = values else {
            withheld += 1;
            continue;
        };
        let key_of = member_key(m.member);
        let pid = key.pseudonym(&key_of);
        let (contributions, minutes) = given.get(key_of.as_str()).copied().unwrap_or_default();
        let (earned, spent, balance) = credits.get(&key_of).copied().unwrap_or_default();
        let mut row = vec![pid.clone()];
        row.extend(values.iter().cloned());
        row.push(
            match m.profile.as_ref().and_then(new_to_volunteering) {
                Some(true) => "yes",
                Some(false) => "no",
                None => NOT_KNOWN,
            }
            .to_owned(),
        );
        row.extend([
            contributions.to_string(),
            minutes.to_string(),
            format!("{}:{:02}", minutes / 60, minutes % 60),
            earned.to_string(),
            spent.to_string(),
            balance.to_string(),
        ]);
        participation.push(row);

        let mut waves: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        for s in records.scores.iter().filter(|s| s.member == key_of) {
            let cells = waves
                .entry(s.wave_months)
                .or_insert_with(|| vec![String::new(); measures.len()]);
            for (i, (instrument, column, _)) in measures.iter().enumerate() {
                if *instrument == s.instrument {
                    cells[i] = measure_value(&s.score, column);
                }
            }
        }
        for (wave, cells) in waves {
            let mut row = vec![pid.clone(), wave.to_string()];
            row.extend(cells);
            surveys.push(row);
        }
    }
    // Row order by pseudonym, so it says nothing about when members joined.
    participation.sort();
    surveys.sort();
    let members = participation.len();

    let mut header = vec!["pid".to_owned()];
    header.extend(columns.iter().map(|c| c.name.clone()));
    header.extend(
        [
            "new_to_volunteering",
            "contributions",
            "minutes_given",
            "hours_given",
            "credits_earned_minutes",
            "credits_spent_minutes",
            "credits_balance_minutes",
        ]
        .map(str::to_owned),
    );
    participation.insert(0, header);
    let mut header = vec!["pid".to_owned(), "wave_months".to_owned()];
    header.extend(measures.iter().map(|(_, c, _)| c.clone()));
    surveys.insert(0, header);

    let dictionary = dictionary(&columns, &coarsened.levels, &measures);
    Ok(Built {
        files: vec![
            csv_file("participation.csv", &participation)?,
            csv_file("surveys.csv", &surveys)?,
            csv_file("data_dictionary.csv", &dictionary)?,
        ],
        steps: coarsened.steps,
        members,
        withheld,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_band_coarsens_to_its_twenty_year_band() {
        assert_eq!(chosen_band_ladder("30-39"), ["30-39", "20-39", WITHHELD]);
        assert_eq!(chosen_band_ladder("60-69"), ["60-69", "60-79", WITHHELD]);
        assert_eq!(chosen_band_ladder("80+"), ["80+", "80+", WITHHELD]);
    }

    #[test]
    fn every_quasi_identifier_has_a_value_at_every_level() {
        let columns = quasi_columns();
        let member = EvaluationMember {
            member: crate::MemberId(uuid::Uuid::from_u128(1)),
            joined_at: chrono::DateTime::UNIX_EPOCH,
            latest_consent: None,
            profile: Some(EvaluationProfile {
                year_of_birth: Some(1961),
                gender: Answer::PreferNotToSay,
                ..EvaluationProfile::default()
            }),
            lsoa: Some("E01018094".into()),
            decile: Some(3),
            local_authority: Some("E07000010".into()),
        };
        let values = quasi_values(&member, 2026);
        for (column, ladder) in columns.iter().zip(&values) {
            assert_eq!(ladder.len(), column.levels.len(), "{}", column.name);
            assert_eq!(ladder.last().map(String::as_str), Some(WITHHELD));
        }
        assert_eq!(values[0], ["E01018094", "E07000010", WITHHELD]);
        assert_eq!(values[1], ["60-69", "60-79", WITHHELD]);
        assert_eq!(values[4], [PREFER_NOT, WITHHELD]);
    }

    #[test]
    fn metric_scores_read_in_hundredths() {
        let score = InstrumentScore::Total {
            raw: 23,
            metric_hundredths: Some(2103),
        };
        assert_eq!(measure_value(&score, "swemwbs_raw"), "23");
        assert_eq!(measure_value(&score, "swemwbs_metric"), "21.03");
    }
}
