//! Outcomes: paired change from the baseline survey to a follow-up, for each measure of each
//! instrument, overall, by deprivation quintile (inequalities) and by tertile of time given
//! (dose), with movement between bands overall and, out of each band, by quintile and by tertile
//! (see `band_groups` for how those tables are kept safe together).

use std::collections::BTreeMap;

use crate::disclosure::{Shown, Table2, Threshold, suppress_1d, suppress_2d};
use crate::instruments::{Instrument, InstrumentScore, ScoringRule, ons_loneliness};
use crate::stats::{PairedChange, paired_change};

use super::published::{PublishedTable, SUPPRESSED, percent_text, shown_text};
use super::{AnalyticsError, Dataset, Filter, Scope};
use band_groups::{Placed, band_groups};

mod band_groups;
mod render;
mod tertiles;

pub use band_groups::{BandGroupCell, BandGroups};
pub use tertiles::DoseTertiles;

/// What a group's row publishes.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Fewer people than the threshold (or hidden to protect another group): not computed.
    Suppressed,
    /// The measure is a code, not a scale (the ONS direct loneliness question): only its bands
    /// are reported, never a mean.
    BandsOnly,
    Computed(PairedChange),
}

/// One group's change: everyone, a quintile, or a tertile of time given.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupOutcome {
    pub group: String,
    pub n: Shown,
    pub outcome: Outcome,
}

/// People moving between the bands of a measure from baseline to follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandChange {
    /// Band labels in the instrument's order: the rows (baseline) and columns (follow-up).
    pub bands: Vec<String>,
    /// Baseline band x follow-up band, through `suppress_2d`.
    pub transitions: Table2,
    /// Movement out of each band by quintile and by tertile of time given, protected together
    /// with `transitions` and the group n's of the change table. A band whose diagonal cell or
    /// row total `transitions` hides has every group's cells hidden: they would add up to it.
    pub by_quintile: BandGroups,
    pub by_dose: BandGroups,
}

impl BandChange {
    /// Of those in band `i` at baseline, how many were in another band at follow-up, and of how
    /// many: shown only when the published cells give both.
    pub fn moved_out_of(&self, i: usize) -> (Shown, Shown) {
        let of = self.transitions.row_totals[i];
        (difference(of, self.transitions.cells[i][i]), of)
    }

    /// Of those not in band `i` at baseline, how many were in it at follow-up, and of how many.
    pub fn moved_into(&self, i: usize) -> (Shown, Shown) {
        let into = difference(
            self.transitions.column_totals[i],
            self.transitions.cells[i][i],
        );
        (
            into,
            difference(self.transitions.grand_total, self.transitions.row_totals[i]),
        )
    }
}

fn difference(a: Shown, b: Shown) -> Shown {
    match (a, b) {
        (Shown::Count(a), Shown::Count(b)) => Shown::Count(a.saturating_sub(b)),
        _ => Shown::Suppressed,
    }
}

/// The change of one measure: an instrument's combined score, or one of its items.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureOutcome {
    pub instrument: String,
    /// `metric score` (SWEMWBS), `total` (UCLA-3), or the item's id (ONS4, ONS loneliness).
    pub measure: String,
    pub overall: GroupOutcome,
    /// Quintiles 1 to 5, then `no decile`. Their n's are one table through `suppress_1d`
    /// whose total is the overall n.
    pub by_quintile: Vec<GroupOutcome>,
    /// Tertiles 1 to 3 of minutes given, one table the same way.
    pub by_dose: Vec<GroupOutcome>,
    /// The cut points, published only with the overall n.
    pub dose_tertiles: Option<DoseTertiles>,
    /// For measures with bands, when the overall n is published.
    pub bands: Option<BandChange>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcomes {
    pub follow_up_months: u32,
    pub measures: Vec<MeasureOutcome>,
}

/// One person's pair on a measure, with what splits them.
struct Pair {
    baseline: u16,
    follow_up: u16,
    quintile: Option<u8>,
    minutes: u64,
}

/// How a measure reads a score: its value in the measure's units (hundredths for SWEMWBS's
/// metric score, whole points otherwise) and the item whose bands apply.
enum Reading<'a> {
    Metric,
    Raw,
    Item(&'a crate::instruments::Item),
}

impl Reading<'_> {
    fn value(&self, score: &InstrumentScore) -> Option<u16> {
        match (self, score) {
            (
                Reading::Metric,
                InstrumentScore::Total {
                    metric_hundredths, ..
                },
            ) => *metric_hundredths,
            (Reading::Raw, InstrumentScore::Total { raw, .. }) => Some(*raw),
            (Reading::Item(item), InstrumentScore::Items(items)) => items
                .iter()
                .find(|s| s.item == item.id)
                .and_then(|s| s.score)
                .map(u16::from),
            _ => None,
        }
    }

    /// Divide by this to give the score in its published units.
    fn scale(&self) -> f64 {
        match self {
            Reading::Metric => 100.0,
            _ => 1.0,
        }
    }
}

fn measures(instrument: &Instrument) -> Vec<(String, Reading<'_>)> {
    match &instrument.scoring {
        ScoringRule::SumComplete {
            conversion: Some(_),
        } => vec![("metric score".to_owned(), Reading::Metric)],
        ScoringRule::SumComplete { conversion: None } => {
            vec![("total".to_owned(), Reading::Raw)]
        }
        ScoringRule::EachItem => instrument
            .items
            .iter()
            .map(|item| (item.id.clone(), Reading::Item(item)))
            .collect(),
    }
}

/// The ONS direct question's stored score is the answer's position, a code and not a scale.
fn is_code(instrument: &Instrument) -> bool {
    instrument.id == ons_loneliness().id
}

/// Paired change from the baseline (wave 0) to the wave `follow_up_months` after it, for the
/// participants in scope of `filter` who have a score on the measure at both. Instruments are
/// those the programme uses, e.g. [`crate::instruments::catalogue`]; scores of other
/// instruments are not read. Minutes given (for the dose tertiles) are those under `filter`.
pub fn outcomes(
    data: &Dataset,
    filter: &Filter,
    instruments: &[Instrument],
    follow_up_months: u32,
    threshold: Threshold,
) -> Result<Outcomes, AnalyticsError> {
    let mut at = outcomes_at(data, filter, instruments, &[follow_up_months], threshold)?;
    Ok(at.remove(0))
}

/// [`outcomes`] at each of several follow-up waves, in their order: who is in scope and how
/// much time each gave are worked out once for all of them (that is a pass over every
/// contribution).
pub fn outcomes_at(
    data: &Dataset,
    filter: &Filter,
    instruments: &[Instrument],
    waves: &[u32],
    threshold: Threshold,
) -> Result<Vec<Outcomes>, AnalyticsError> {
    if waves.contains(&0) {
        return Err(AnalyticsError::FollowUpIsBaseline);
    }
    let scope = Scope::new(data, filter)?;
    let minutes: Vec<u64> = scope
        .participants
        .iter()
        .map(|p| scope.minutes_given(&p.key, filter))
        .collect();
    let index: BTreeMap<(&str, u32, &str), &InstrumentScore> = data
        .scores()
        .iter()
        .map(|s| {
            (
                (s.member.as_str(), s.wave_months, s.instrument.as_str()),
                &s.score,
            )
        })
        .collect();
    let mut all = Vec::with_capacity(waves.len());
    for &follow_up_months in waves {
        let mut out = Vec::new();
        for instrument in instruments {
            let score_of =
                |key: &str, wave: u32| index.get(&(key, wave, instrument.id.as_str())).copied();
            for (measure, reading) in measures(instrument) {
                let pairs: Vec<Pair> = scope
                    .participants
                    .iter()
                    .zip(&minutes)
                    .filter_map(|(p, &minutes)| {
                        let baseline = reading.value(score_of(&p.key, 0)?)?;
                        let follow_up = reading.value(score_of(&p.key, follow_up_months)?)?;
                        Some(Pair {
                            baseline,
                            follow_up,
                            quintile: p.decile.map(|d| d.quintile().get()),
                            minutes,
                        })
                    })
                    .collect();
                out.push(measure_outcome(
                    instrument, measure, &reading, &pairs, threshold,
                )?);
            }
        }
        all.push(Outcomes {
            follow_up_months,
            measures: out,
        });
    }
    Ok(all)
}

fn measure_outcome(
    instrument: &Instrument,
    measure: String,
    reading: &Reading<'_>,
    pairs: &[Pair],
    threshold: Threshold,
) -> Result<MeasureOutcome, AnalyticsError> {
    let code = is_code(instrument);
    let compute = |n: Shown, members: &[&Pair]| -> Result<Outcome, AnalyticsError> {
        Ok(match n {
            Shown::Suppressed => Outcome::Suppressed,
            Shown::Count(_) if code => Outcome::BandsOnly,
            Shown::Count(_) => {
                let scale = reading.scale();
                let values: Vec<(f64, f64)> = members
                    .iter()
                    .map(|p| {
                        (
                            f64::from(p.baseline) / scale,
                            f64::from(p.follow_up) / scale,
                        )
                    })
                    .collect();
                Outcome::Computed(paired_change(&values)?)
            }
        })
    };
    let groups = |labels: Vec<String>,
                  members: Vec<Vec<&Pair>>|
     -> Result<(Vec<GroupOutcome>, Shown), AnalyticsError> {
        let counts: Vec<u64> = members.iter().map(|m| m.len() as u64).collect();
        let table = suppress_1d(&counts, threshold)?;
        let mut rows = Vec::new();
        for ((group, list), n) in labels.into_iter().zip(&members).zip(table.cells) {
            rows.push(GroupOutcome {
                group,
                n,
                outcome: compute(n, list)?,
            });
        }
        Ok((rows, table.total))
    };

    let quintile_of = |p: &Pair| p.quintile.map_or(5, |q| usize::from(q - 1));
    let mut by_quintile: Vec<Vec<&Pair>> = vec![Vec::new(); 6];
    for p in pairs {
        by_quintile[quintile_of(p)].push(p);
    }
    let labels = (1..=5)
        .map(|q| format!("quintile {q}"))
        .chain(["no decile".to_owned()])
        .collect();
    let (by_quintile, n) = groups(labels, by_quintile)?;

    let minutes: Vec<u64> = pairs.iter().map(|p| p.minutes).collect();
    let tertiles = DoseTertiles::of(&minutes);
    let dose_of = |p: &Pair| tertiles.map_or(0, |t| usize::from(t.tertile(p.minutes) - 1));
    let mut by_dose: Vec<Vec<&Pair>> = vec![Vec::new(); 3];
    for p in pairs {
        by_dose[dose_of(p)].push(p);
    }
    let labels = (1..=3).map(|t| format!("hours tertile {t}")).collect();
    let (by_dose, _) = groups(labels, by_dose)?;

    let everyone: Vec<&Pair> = pairs.iter().collect();
    let published = n != Shown::Suppressed;
    let bands = match reading {
        Reading::Item(item) if published && !item.bands.is_empty() => {
            let band_of = |score: u16| {
                u8::try_from(score)
                    .ok()
                    .and_then(|s| item.bands.iter().position(|b| (b.min..=b.max).contains(&s)))
            };
            let k = item.bands.len();
            let mut cells = vec![vec![0u64; k]; k];
            for p in pairs {
                if let (Some(from), Some(to)) = (band_of(p.baseline), band_of(p.follow_up)) {
                    cells[from][to] += 1;
                }
            }
            let transitions = whole_or_nothing(suppress_2d(&cells, threshold)?);
            let breakdown = |name: &str, rows: &[GroupOutcome], group: &dyn Fn(&Pair) -> usize| {
                let placed: Vec<Placed> = pairs
                    .iter()
                    .map(|p| Placed {
                        group: group(p),
                        from: band_of(p.baseline),
                        to: band_of(p.follow_up),
                    })
                    .collect();
                let groups: Vec<(String, Shown)> =
                    rows.iter().map(|g| (g.group.clone(), g.n)).collect();
                band_groups(name, &groups, &placed, &transitions, threshold)
            };
            Some(BandChange {
                bands: item.bands.iter().map(|b| b.label.clone()).collect(),
                by_quintile: breakdown("quintile", &by_quintile, &quintile_of),
                by_dose: breakdown("hours tertile", &by_dose, &dose_of),
                transitions,
            })
        }
        _ => None,
    };
    Ok(MeasureOutcome {
        instrument: instrument.id.clone(),
        measure,
        overall: GroupOutcome {
            group: "all".to_owned(),
            n,
            outcome: compute(n, &everyone)?,
        },
        by_quintile,
        by_dose,
        dose_tertiles: tertiles.filter(|_| published),
        bands,
    })
}

/// The transitions add up to the pairs with a band at both waves: for an item whose bands cover
/// every answer (as the catalogue's do), the overall n the change table publishes. Since
/// `suppress_2d` protects a hidden grand total as if it were unknown, a table that hides it
/// would give a hidden row or column total back as n less the others; it is hidden whole.
fn whole_or_nothing(table: Table2) -> Table2 {
    if table.grand_total != Shown::Suppressed {
        return table;
    }
    let hide = |line: &[Shown]| vec![Shown::Suppressed; line.len()];
    let entries = (table.row_totals.len() + 1) * (table.column_totals.len() + 1);
    Table2 {
        cells: table.cells.iter().map(|row| hide(row)).collect(),
        row_totals: hide(&table.row_totals),
        column_totals: hide(&table.column_totals),
        grand_total: Shown::Suppressed,
        primary: table.primary,
        secondary: entries - table.primary,
    }
}

impl Outcomes {
    /// Every table, ready for a page or a CSV download.
    pub fn tables(&self) -> Vec<PublishedTable> {
        render::tables(self)
    }
}

/// Shared with `render`: how a shown count and a share read.
pub(super) fn count_and_share(count: Shown, of: Shown) -> [String; 3] {
    [shown_text(count), shown_text(of), percent_text(count, of)]
}

pub(super) const NOT_SHOWN: &str = SUPPRESSED;
