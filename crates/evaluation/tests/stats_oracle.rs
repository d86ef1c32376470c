//! The paired statistics against scipy and numpy (fixtures from tools/stats-oracle/oracle.py).
//!
//! Tolerance: a value passes when |ours - scipy| <= 1e-9 * max(1, |scipy|), that is an absolute
//! 1e-9 for values below 1 and a relative 1e-9 above. P-values are in addition held to a relative
//! 1e-9, so that a tiny p (1e-31 in `large_effect_n60`) cannot hide behind the absolute bound.
//! (Measured: t-test values agree to about 1e-13 relative; the normal-approximation Wilcoxon p to
//! about 1e-10, the accuracy of statrs's erfc.)

use serde_json::Value;
use timecredits_evaluation::stats::{NotComputable, paired_change};
use timecredits_evaluation::wilcoxon::WilcoxonMethod;

const TOLERANCE: f64 = 1e-9;

fn num(v: &Value) -> Option<f64> {
    v.as_str()
        .map(|s| s.parse().expect("fixture numbers are decimal strings"))
}

fn close(name: &str, what: &str, ours: f64, theirs: f64) {
    let diff = (ours - theirs).abs();
    assert!(
        diff <= TOLERANCE * theirs.abs().max(1.0),
        "{name}: {what} = {ours:e}, scipy {theirs:e} (difference {diff:e})"
    );
}

fn close_p(name: &str, what: &str, ours: f64, theirs: f64) {
    close(name, what, ours, theirs);
    assert!(
        (ours - theirs).abs() <= TOLERANCE * theirs,
        "{name}: {what} = {ours:e}, scipy {theirs:e} (relative)"
    );
}

#[test]
fn every_fixture_matches_scipy() {
    let text = include_str!("fixtures/stats_oracle.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    assert!(
        doc["scipy"].as_str().unwrap().starts_with("1.17"),
        "fixtures from another scipy"
    );
    let sets = doc["datasets"].as_array().unwrap();
    assert!(sets.len() >= 10);
    let mut methods = [0usize; 3];
    for set in sets {
        let name = set["name"].as_str().unwrap();
        let base: Vec<f64> = set["baseline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| num(v).unwrap())
            .collect();
        let follow: Vec<f64> = set["follow_up"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| num(v).unwrap())
            .collect();
        let pairs: Vec<(f64, f64)> = base.into_iter().zip(follow).collect();
        let e = &set["expected"];
        let r = paired_change(&pairs).unwrap();
        assert_eq!(r.n as u64, e["n"].as_u64().unwrap(), "{name}: n");
        close(
            name,
            "mean change",
            r.mean_change,
            num(&e["mean_change"]).unwrap(),
        );

        match (num(&e["t"]), &r.t_test) {
            (Some(t), Ok(ours)) => {
                close(name, "sd", ours.sd, num(&e["sd"]).unwrap());
                close(name, "t", ours.t, t);
                assert_eq!(u64::from(ours.df), e["df"].as_u64().unwrap(), "{name}: df");
                close_p(name, "t-test p", ours.p, num(&e["t_p"]).unwrap());
                close(name, "CI low", ours.ci_low, num(&e["ci_low"]).unwrap());
                close(name, "CI high", ours.ci_high, num(&e["ci_high"]).unwrap());
                close(
                    name,
                    "Cohen's d_z",
                    ours.cohens_dz,
                    num(&e["cohens_dz"]).unwrap(),
                );
            }
            (None, Err(NotComputable::TooFewPairs { .. } | NotComputable::NoVariation { .. })) => {}
            (expected, ours) => panic!("{name}: t-test expected {expected:?}, got {ours:?}"),
        }

        match (num(&e["wilcoxon_p"]), &r.wilcoxon) {
            (Some(p), Ok(w)) => {
                close(
                    name,
                    "Wilcoxon statistic",
                    w.statistic,
                    num(&e["wilcoxon_statistic"]).unwrap(),
                );
                close_p(name, "Wilcoxon p", w.p, p);
                let (expected_method, slot) = match w.method {
                    WilcoxonMethod::Exact => ("exact", 0),
                    WilcoxonMethod::Permutation => ("permutation", 1),
                    WilcoxonMethod::Normal { .. } => ("normal", 2),
                };
                assert_eq!(
                    e["wilcoxon_method"].as_str(),
                    Some(expected_method),
                    "{name}: method"
                );
                methods[slot] += 1;
            }
            (None, Err(NotComputable::AllDifferencesZero)) => {}
            (expected, ours) => panic!("{name}: Wilcoxon expected {expected:?}, got {ours:?}"),
        }
    }
    assert!(
        methods.iter().all(|m| *m >= 2),
        "every branch of scipy's 'auto' is exercised: {methods:?}"
    );
}
