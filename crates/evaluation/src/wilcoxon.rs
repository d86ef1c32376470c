//! The Wilcoxon signed-rank test, two-sided, as `scipy.stats.wilcoxon` computes it with its
//! defaults in scipy 1.17 (`zero_method="wilcox"`, `correction=False`, `method="auto"`).
//!
//! What "auto" does there (read from `scipy/stats/_wilcoxon.py`), where n counts every difference,
//! zeros included:
//! - n > 50: the normal approximation, with the tie correction and without continuity correction;
//! - n <= 50, no zero differences and no tied absolute differences: the exact null distribution;
//! - n <= 13 with zeros or ties: a permutation test over all 2^n sign flips, which is exact;
//! - 14 <= n <= 50 with zeros or ties: the normal approximation.
//!
//! Zero differences are dropped before ranking. Ranks are averaged over ties; they are kept here
//! doubled, as integers, so that every comparison of rank sums is exact.

use statrs::distribution::{ContinuousCDF, Normal};

use crate::stats::NotComputable;

/// Which null distribution gave the p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WilcoxonMethod {
    /// The exact distribution of the signed-rank sum (no ties, no zeros, n <= 50).
    Exact,
    /// Every sign flip enumerated (ties or zeros, n <= 13).
    Permutation,
    /// The normal approximation with tie correction; `z` is (R+ - mean) / se.
    Normal { z: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wilcoxon {
    /// min(R+, R-), the statistic scipy reports for a two-sided test.
    pub statistic: f64,
    /// Sum of the ranks of the positive differences.
    pub r_plus: f64,
    pub p: f64,
    pub method: WilcoxonMethod,
    /// Differences left after dropping zeros.
    pub n_nonzero: usize,
    pub zeros: usize,
}

/// Above this many differences scipy always uses the normal approximation.
const EXACT_MAX_N: usize = 50;
/// Up to this many differences a sign-flip permutation test enumerates every flip (2^13 < 9999).
const PERMUTATION_MAX_N: usize = 13;

pub(crate) fn signed_rank(diffs: &[f64]) -> Result<Wilcoxon, NotComputable> {
    let mut nonzero: Vec<f64> = diffs.iter().copied().filter(|d| *d != 0.0).collect();
    if nonzero.is_empty() {
        return Err(NotComputable::AllDifferencesZero);
    }
    let n = diffs.len();
    let count = nonzero.len();
    nonzero.sort_by(|a, b| a.abs().total_cmp(&b.abs()));

    // Doubled average ranks: a tie group at sorted positions i..j (exclusive) has rank (i+1+j)/2.
    let mut doubled = vec![0u64; count];
    let mut tie_term = 0.0f64;
    let mut has_ties = false;
    let mut i = 0;
    while i < count {
        let mut j = i + 1;
        while j < count && nonzero[j].abs() == nonzero[i].abs() {
            j += 1;
        }
        let t = (j - i) as f64;
        if j - i > 1 {
            has_ties = true;
            tie_term += t * t * t - t;
        }
        doubled[i..j].fill((i + 1 + j) as u64);
        i = j;
    }
    let r_plus2: u64 = nonzero
        .iter()
        .zip(&doubled)
        .filter(|(d, _)| **d > 0.0)
        .map(|(_, r)| r)
        .sum();
    let total2 = (count * (count + 1)) as u64;
    let r_plus = r_plus2 as f64 / 2.0;
    let statistic = r_plus2.min(total2 - r_plus2) as f64 / 2.0;
    let zeros = n - count;

    let (p, method) = if n > EXACT_MAX_N {
        normal(r_plus, count, tie_term)
    } else if !has_ties && zeros == 0 {
        (exact(r_plus2 / 2, count), WilcoxonMethod::Exact)
    } else if n <= PERMUTATION_MAX_N {
        (permutation(&doubled, r_plus2), WilcoxonMethod::Permutation)
    } else {
        normal(r_plus, count, tie_term)
    };
    Ok(Wilcoxon {
        statistic,
        r_plus,
        p,
        method,
        n_nonzero: count,
        zeros,
    })
}

fn normal(r_plus: f64, count: usize, tie_term: f64) -> (f64, WilcoxonMethod) {
    let c = count as f64;
    let mean = c * (c + 1.0) * 0.25;
    let se = ((c * (c + 1.0) * (2.0 * c + 1.0) - tie_term / 2.0) / 24.0).sqrt();
    let z = (r_plus - mean) / se;
    let p = 2.0 * Normal::standard().sf(z.abs());
    (p, WilcoxonMethod::Normal { z })
}

/// Number of ways each sum can be reached by choosing a subset of `weights`.
fn subset_sum_counts(weights: impl Iterator<Item = u64>, max: u64) -> Vec<u64> {
    let mut counts = vec![0u64; max as usize + 1];
    counts[0] = 1;
    let mut reach = 0usize;
    for w in weights {
        let w = w as usize;
        for s in (0..=reach).rev() {
            if counts[s] > 0 {
                counts[s + w] += counts[s];
            }
        }
        reach += w;
    }
    counts
}

/// Two-sided p from the exact distribution of R+ over ranks 1..=count: 2 * min(P(R+ >= r), P(R+ <= r)).
fn exact(r_plus: u64, count: usize) -> f64 {
    let max = (count * (count + 1) / 2) as u64;
    let counts = subset_sum_counts(1..=count as u64, max);
    let r = r_plus as usize;
    let at_most: u64 = counts[..=r].iter().sum();
    let at_least: u64 = counts[r..].iter().sum();
    let outcomes = (1u64 << count) as f64;
    (2.0 * at_most.min(at_least) as f64 / outcomes).min(1.0)
}

/// Two-sided p from every sign flip of the ranked non-zero differences.
fn permutation(doubled_ranks: &[u64], observed2: u64) -> f64 {
    let max: u64 = doubled_ranks.iter().sum();
    let counts = subset_sum_counts(doubled_ranks.iter().copied(), max);
    let o = observed2 as usize;
    let at_most: u64 = counts[..=o].iter().sum();
    let at_least: u64 = counts[o..].iter().sum();
    let outcomes = (1u64 << doubled_ranks.len()) as f64;
    (2.0 * at_most.min(at_least) as f64 / outcomes).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_distribution_by_hand() {
        // n = 3: R+ takes 0..=6 with counts 1,1,1,2,1,1,1 over 8 sign patterns.
        assert_eq!(subset_sum_counts(1..=3, 6), vec![1, 1, 1, 2, 1, 1, 1]);
        // All positive: R+ = 6, P(R+ >= 6) = 1/8, two-sided 1/4.
        let w = signed_rank(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(w.method, WilcoxonMethod::Exact);
        assert_eq!(w.statistic, 0.0);
        assert_eq!(w.p, 0.25);
    }

    #[test]
    fn ties_and_zeros_in_a_small_sample_use_the_permutation_test() {
        // Zeros dropped; |d| = 1, 1, 2 -> ranks 1.5, 1.5, 3; all positive: R+ = 6, 1 of 8 flips.
        let w = signed_rank(&[1.0, 0.0, 1.0, 2.0]).unwrap();
        assert_eq!(w.method, WilcoxonMethod::Permutation);
        assert_eq!((w.zeros, w.n_nonzero), (1, 3));
        assert_eq!(w.r_plus, 6.0);
        assert_eq!(w.p, 0.25);
    }

    #[test]
    fn signs_do_not_change_the_two_sided_p() {
        let up = signed_rank(&[1.0, 2.5, -0.5, 4.0, 3.0]).unwrap();
        let down = signed_rank(&[-1.0, -2.5, 0.5, -4.0, -3.0]).unwrap();
        assert_eq!(up.p, down.p);
        assert_eq!(up.statistic, down.statistic);
    }

    #[test]
    fn more_than_fifty_differences_use_the_normal_approximation() {
        let d: Vec<f64> = (1..=51).map(f64::from).collect();
        let w = signed_rank(&d).unwrap();
        assert!(matches!(w.method, WilcoxonMethod::Normal { z } if z > 6.0));
    }
}
