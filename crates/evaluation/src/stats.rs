//! Paired outcome statistics: baseline and follow-up scores of the same people.
//!
//! These are survey scores, not money, so `f64` is right here. The numbers match
//! `scipy.stats.ttest_rel` and `scipy.stats.wilcoxon` (scipy 1.17 defaults) to 1e-9; the fixtures
//! in `tests/fixtures/stats_oracle.json` come from `tools/stats-oracle/oracle.py`.
//!
//! A difference is always `follow_up - baseline`, so a positive mean change is a rise in score.
//! Where a statistic does not exist for the data (too few pairs, no variation, nothing but zero
//! differences) the result says why, instead of letting a NaN reach a report.

use std::collections::BTreeMap;

use statrs::distribution::{ContinuousCDF, StudentsT};
use thiserror::Error;

use crate::wilcoxon::{self, Wilcoxon};

/// Why a paired analysis cannot start at all.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StatsError {
    #[error("no pairs: an outcome needs at least one person answered at baseline and at follow-up")]
    NoPairs,
    #[error("pair {index} holds a value that is not a finite number; drop or correct that answer")]
    NonFinite { index: usize },
}

/// Why one statistic was not computed for otherwise valid data.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum NotComputable {
    #[error("{n} pair(s): at least {needed} are needed")]
    TooFewPairs { n: usize, needed: usize },
    #[error("every difference is {difference}: with no variation there is no standard deviation")]
    NoVariation { difference: f64 },
    #[error("every difference is zero: there is nothing to rank")]
    AllDifferencesZero,
}

/// The paired t-test and what follows from the standard deviation of the differences.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedT {
    /// Sample standard deviation of the differences (n - 1 in the denominator).
    pub sd: f64,
    pub t: f64,
    pub df: u32,
    /// Two-sided p-value.
    pub p: f64,
    /// 95% confidence interval of the mean change (t distribution).
    pub ci_low: f64,
    pub ci_high: f64,
    /// Cohen's d_z: the mean change divided by the standard deviation of the changes.
    pub cohens_dz: f64,
}

/// Everything the outcome report shows for one instrument and one group of people.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedChange {
    pub n: usize,
    pub mean_change: f64,
    pub t_test: Result<PairedT, NotComputable>,
    pub wilcoxon: Result<Wilcoxon, NotComputable>,
}

/// The confidence level of [`PairedT`]'s interval.
pub const CONFIDENCE: f64 = 0.95;

/// Analyse paired `(baseline, follow_up)` scores.
pub fn paired_change(pairs: &[(f64, f64)]) -> Result<PairedChange, StatsError> {
    if pairs.is_empty() {
        return Err(StatsError::NoPairs);
    }
    if let Some(index) = pairs
        .iter()
        .position(|(b, f)| !b.is_finite() || !f.is_finite())
    {
        return Err(StatsError::NonFinite { index });
    }
    let diffs: Vec<f64> = pairs.iter().map(|(b, f)| f - b).collect();
    let n = diffs.len();
    let mean = diffs.iter().sum::<f64>() / n as f64;
    Ok(PairedChange {
        n,
        mean_change: mean,
        t_test: paired_t(&diffs, mean),
        wilcoxon: wilcoxon::signed_rank(&diffs),
    })
}

fn paired_t(diffs: &[f64], mean: f64) -> Result<PairedT, NotComputable> {
    let n = diffs.len();
    if n < 2 {
        return Err(NotComputable::TooFewPairs { n, needed: 2 });
    }
    if diffs.iter().all(|d| *d == diffs[0]) {
        return Err(NotComputable::NoVariation {
            difference: diffs[0],
        });
    }
    // Two passes, as numpy does, rather than the cancellation-prone sum of squares.
    let ss: f64 = diffs.iter().map(|d| (d - mean) * (d - mean)).sum();
    let sd = (ss / (n - 1) as f64).sqrt();
    let se = sd / (n as f64).sqrt();
    let df = n - 1;
    let dist = StudentsT::new(0.0, 1.0, df as f64).expect("df >= 1 is a valid Student's t");
    let t = mean / se;
    let p = (2.0 * dist.sf(t.abs())).min(1.0);
    let crit = t_quantile(&dist, 0.5 + CONFIDENCE / 2.0);
    Ok(PairedT {
        sd,
        t,
        df: u32::try_from(df).unwrap_or(u32::MAX),
        p,
        ci_low: mean - crit * se,
        ci_high: mean + crit * se,
        cohens_dz: mean / sd,
    })
}

/// statrs inverts the t distribution through an incomplete-beta inverse (measured here: within
/// about 1e-11 of scipy); two Newton steps on its CDF bring the interval to about 1e-14, leaving
/// the 1e-9 oracle check a wide margin.
fn t_quantile(dist: &StudentsT, prob: f64) -> f64 {
    use statrs::distribution::Continuous;
    let mut x = dist.inverse_cdf(prob);
    for _ in 0..2 {
        let density = dist.pdf(x);
        if density > 0.0 {
            x -= (dist.cdf(x) - prob) / density;
        }
    }
    x
}

/// How many people moved between bands from baseline to follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandMovement<B: Ord> {
    /// (band at baseline, band at follow-up) -> number of people.
    pub transitions: BTreeMap<(B, B), usize>,
}

/// A share as whole counts, so suppression can be applied to both parts before any division.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub count: usize,
    pub of: usize,
}

impl Share {
    /// `None` when there is nobody to take a share of.
    pub fn fraction(self) -> Option<f64> {
        (self.of > 0).then(|| self.count as f64 / self.of as f64)
    }
}

impl<B: Ord + Clone> BandMovement<B> {
    /// Tabulate the bands of each pair, for example ONS loneliness "Often/always" or SWEMWBS bands.
    pub fn tabulate<T>(pairs: &[(T, T)], band: impl Fn(&T) -> B) -> Self {
        let mut transitions = BTreeMap::new();
        for (before, after) in pairs {
            *transitions.entry((band(before), band(after))).or_insert(0) += 1;
        }
        BandMovement { transitions }
    }

    /// Of those in `band` at baseline, how many were in another band at follow-up.
    pub fn moved_out_of(&self, band: &B) -> Share {
        self.share(|(from, _)| from == band, |(_, to)| to != band)
    }

    /// Of those not in `band` at baseline, how many were in it at follow-up.
    pub fn moved_into(&self, band: &B) -> Share {
        self.share(|(from, _)| from != band, |(_, to)| to == band)
    }

    fn share(&self, base: impl Fn(&(B, B)) -> bool, hit: impl Fn(&(B, B)) -> bool) -> Share {
        let mut share = Share { count: 0, of: 0 };
        for (key, n) in self.transitions.iter().filter(|(k, _)| base(k)) {
            share.of += n;
            if hit(key) {
                share.count += n;
            }
        }
        share
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_non_finite_input_are_refused() {
        assert_eq!(paired_change(&[]), Err(StatsError::NoPairs));
        assert_eq!(
            paired_change(&[(1.0, 2.0), (f64::NAN, 1.0)]),
            Err(StatsError::NonFinite { index: 1 })
        );
        assert_eq!(
            paired_change(&[(1.0, f64::INFINITY)]),
            Err(StatsError::NonFinite { index: 0 })
        );
    }

    #[test]
    fn one_pair_has_a_mean_but_no_t_test() {
        let r = paired_change(&[(10.0, 14.0)]).unwrap();
        assert_eq!(r.mean_change, 4.0);
        assert_eq!(
            r.t_test,
            Err(NotComputable::TooFewPairs { n: 1, needed: 2 })
        );
    }

    #[test]
    fn constant_change_has_no_t_test_but_a_wilcoxon() {
        let r = paired_change(&[(1.0, 3.0), (2.0, 4.0), (5.0, 7.0)]).unwrap();
        assert_eq!(
            r.t_test,
            Err(NotComputable::NoVariation { difference: 2.0 })
        );
        assert!(r.wilcoxon.is_ok());
    }

    #[test]
    fn no_change_at_all_computes_neither_test() {
        let r = paired_change(&[(1.0, 1.0), (2.0, 2.0)]).unwrap();
        assert_eq!(r.mean_change, 0.0);
        assert_eq!(
            r.t_test,
            Err(NotComputable::NoVariation { difference: 0.0 })
        );
        assert_eq!(r.wilcoxon, Err(NotComputable::AllDifferencesZero));
    }

    #[test]
    fn hand_computed_t_test() {
        // d = 1, 2, 3: mean 2, sd 1, se 1/sqrt(3), t = 2*sqrt(3).
        let r = paired_change(&[(0.0, 1.0), (0.0, 2.0), (0.0, 3.0)])
            .unwrap()
            .t_test
            .unwrap();
        assert!((r.sd - 1.0).abs() < 1e-15);
        assert!((r.t - 2.0 * 3f64.sqrt()).abs() < 1e-12);
        assert_eq!(r.df, 2);
        assert!((r.cohens_dz - 2.0).abs() < 1e-15);
        // t(0.975, 2) = 4.302652729749464.
        let half = 4.302_652_729_749_464 / 3f64.sqrt();
        assert!((r.ci_low - (2.0 - half)).abs() < 1e-12);
        assert!((r.ci_high - (2.0 + half)).abs() < 1e-12);
    }

    #[test]
    fn band_movement_counts_people_leaving_and_entering_a_band() {
        // ONS direct loneliness: true = "Often/always" (chronic).
        let pairs = [(1u8, 2u8), (1, 1), (1, 3), (4, 1), (5, 5)];
        let m = BandMovement::tabulate(&pairs, |code| *code == 1);
        assert_eq!(m.moved_out_of(&true), Share { count: 2, of: 3 });
        assert_eq!(m.moved_into(&true), Share { count: 1, of: 2 });
        assert_eq!(m.moved_out_of(&true).fraction(), Some(2.0 / 3.0));
        assert_eq!(Share { count: 0, of: 0 }.fraction(), None);
        assert_eq!(m.transitions[&(true, false)], 2);
    }
}
