#!/usr/bin/env python3
"""Expected values for crates/evaluation's paired outcome statistics, computed by scipy and numpy.

Regenerate (from the repository root):
    python3 -m venv /tmp/oracle-venv && /tmp/oracle-venv/bin/pip install scipy numpy
    /tmp/oracle-venv/bin/python tools/stats-oracle/oracle.py
This rewrites crates/evaluation/tests/fixtures/stats_oracle.json; commit it with this script.
The Rust test crates/evaluation/tests/stats_oracle.rs checks every value to 1e-9.

Every number is written as a string holding Python's shortest round-trip repr, so the Rust side
parses exactly the same binary64 value (no JSON float parser in between). The datasets are fixed
by a seeded numpy generator, and the inputs themselves are written out too, so the Rust test
never depends on numpy's generator.
"""

import json
import pathlib
import sys

import numpy as np
import scipy
from scipy import stats

OUT = pathlib.Path(__file__).resolve().parents[2] / "crates/evaluation/tests/fixtures/stats_oracle.json"


def num(x):
    """A float as its shortest round-trip string; None (JSON null) for NaN, which scipy returns
    where the Rust side reports a named 'not computable' outcome instead."""
    x = float(x)
    return None if np.isnan(x) else repr(x)


def auto_method(d):
    """Which branch scipy.stats.wilcoxon(method='auto') takes in this scipy version (1.17):
    more than 50 differences (zeros included): normal approximation; otherwise, no ties and no
    zeros: exact null distribution; ties or zeros with at most 13 differences: an exact
    permutation (sign-flip) test; ties or zeros with 14-50: normal approximation."""
    nonzero = np.abs(d[d != 0])
    if len(d) > 50:
        return "normal"
    if len(np.unique(nonzero)) == len(nonzero) and len(nonzero) == len(d):
        return "exact"
    if len(d) <= 13:
        return "permutation"
    return "normal"


def expected(baseline, follow_up):
    a = np.asarray(follow_up, dtype=np.float64)
    b = np.asarray(baseline, dtype=np.float64)
    d = a - b
    n = len(d)
    out = {"n": n, "mean_change": num(np.mean(d))}
    sd = np.std(d, ddof=1) if n >= 2 else float("nan")
    if n >= 2 and sd > 0:
        tt = stats.ttest_rel(a, b)
        ci = tt.confidence_interval(0.95)
        out.update(
            sd=num(sd),
            t=num(tt.statistic),
            df=int(tt.df),
            t_p=num(tt.pvalue),
            ci_low=num(ci.low),
            ci_high=num(ci.high),
            cohens_dz=num(np.mean(d) / sd),
        )
    else:
        out.update(sd=num(sd) if n >= 2 else None, t=None, df=None, t_p=None, ci_low=None,
                   ci_high=None, cohens_dz=None)
    if np.any(d != 0):
        w = stats.wilcoxon(a, b)  # scipy defaults: zero_method='wilcox', correction=False, method='auto'
        out.update(wilcoxon_statistic=num(w.statistic), wilcoxon_p=num(w.pvalue),
                   wilcoxon_method=auto_method(d))
    else:
        out.update(wilcoxon_statistic=None, wilcoxon_p=None, wilcoxon_method=None)
    return out


def datasets():
    rng = np.random.default_rng(20240605)
    sets = []

    def add(name, description, baseline, follow_up):
        sets.append({"name": name, "description": description,
                     "baseline": [num(x) for x in baseline],
                     "follow_up": [num(x) for x in follow_up]})

    # Small n, distinct non-zero differences: scipy's exact null distribution.
    add("exact_small", "n=8, distinct non-zero differences (exact Wilcoxon distribution)",
        [20.0, 22.5, 19.0, 25.0, 18.0, 21.0, 23.0, 24.0],
        [21.0, 25.0, 18.5, 29.0, 21.25, 22.75, 29.0, 31.5])
    # Likert-like totals with ties and zeros, n <= 13: scipy's exact sign-flip permutation test.
    add("likert_ties_zeros_n12", "UCLA-3 totals (3-9), n=12, ties and zero differences (permutation test)",
        [7, 6, 9, 5, 8, 6, 7, 4, 9, 6, 5, 8],
        [5, 6, 7, 5, 6, 4, 6, 4, 8, 5, 5, 6])
    # The last n still decided by permutation, and the first decided by the normal approximation.
    base13 = rng.integers(7, 36, 13)
    add("ties_n13", "SWEMWBS raw scores, n=13 with ties (permutation boundary)",
        base13, np.clip(base13 + np.array([2, 2, -1, 3, 0, 2, 1, -1, 4, 2, 1, 3, 2]), 7, 35))
    base14 = rng.integers(7, 36, 14)
    add("ties_n14", "SWEMWBS raw scores, n=14 with ties (normal approximation boundary)",
        base14, np.clip(base14 + np.array([2, 2, -1, 3, 0, 2, 1, -1, 4, 2, 1, 3, 2, 5]), 7, 35))
    # SWEMWBS metric scores (two decimals), mostly negative changes, distinct: exact, n=20.
    table = [7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36, 16.88, 17.43, 17.98,
             18.59, 19.25, 19.98, 20.73, 21.54, 22.35, 23.21, 24.11, 25.03, 26.02, 27.03, 28.13,
             29.31, 30.70, 32.55, 35.00]
    raw_b = [30, 28, 33, 27, 25, 31, 29, 26, 24, 35, 32, 22, 30, 28, 27, 34, 29, 31, 23, 33]
    raw_f = [26, 27, 29, 20, 24, 22, 28, 19, 24, 30, 31, 21, 23, 25, 30, 29, 17, 28, 23, 27]
    add("metric_negative_n20", "SWEMWBS metric scores, n=20, mostly negative changes, some ties in |d|",
        [table[r - 7] for r in raw_b], [table[r - 7] for r in raw_f])
    distinct_b = np.round(rng.normal(22, 4, 20), 3)
    distinct_f = distinct_b - np.round(rng.uniform(0.01, 3, 20), 3) * rng.choice([1, 1, 1, -1], 20)
    add("negative_distinct_n20", "n=20 distinct differences, mostly negative (exact)", distinct_b, distinct_f)
    # The exact/normal boundary at 50 for distinct differences.
    for n in (50, 51):
        b = np.round(rng.normal(23, 5, n), 2)
        f = b + np.round(rng.normal(0.8, 2.5, n), 2)
        while len(np.unique(np.abs(f - b))) < n or np.any(f == b):
            f = b + np.round(rng.normal(0.8, 2.5, n), 2)
        add(f"distinct_n{n}", f"n={n} distinct differences ({'exact' if n == 50 else 'normal approximation'})", b, f)
    # Larger samples of integer scores: ties and zeros, normal approximation with tie correction.
    b = rng.integers(7, 36, 120)
    f = np.clip(b + rng.integers(-3, 6, 120), 7, 35)
    add("swemwbs_raw_n120", "SWEMWBS raw scores, n=120, many ties and zeros", b, f)
    b = rng.integers(3, 10, 64)
    f = np.clip(b + rng.integers(-3, 2, 64), 3, 9)
    add("ucla_n64", "UCLA-3 totals, n=64, loneliness mostly falling, ties and zeros", b, f)
    b = rng.integers(0, 11, 35)
    f = np.clip(b + rng.integers(-2, 4, 35), 0, 10)
    add("ons4_n35", "ONS4 life satisfaction 0-10, n=35, ties and zeros (normal approximation)", b, f)
    # A change large enough that every p-value is tiny.
    b = rng.integers(7, 20, 60)
    add("large_effect_n60", "n=60, every change positive and large: tiny p-values", b, b + rng.integers(3, 12, 60))
    # Degenerate and tiny cases.
    add("n2", "n=2, the smallest sample with a standard deviation", [10, 12], [13, 12.5])
    add("n1", "n=1: no standard deviation, so no t-test", [10], [14])
    add("constant_change", "every difference is +2: sd is zero, so no t-test; Wilcoxon still defined",
        [10, 11, 12, 13, 14], [12, 13, 14, 15, 16])
    add("all_zero", "every difference is zero: neither test is defined", [5, 6, 7, 8], [5, 6, 7, 8])
    return sets


def main():
    sets = datasets()
    for s in sets:
        s["expected"] = expected([float(x) for x in s["baseline"]], [float(x) for x in s["follow_up"]])
    doc = {
        "generator": "tools/stats-oracle/oracle.py",
        "python": sys.version.split()[0],
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "notes": "difference = follow_up - baseline; t-test: scipy.stats.ttest_rel(follow_up, baseline) "
                 "with confidence_interval(0.95); Wilcoxon: scipy.stats.wilcoxon(follow_up, baseline) with "
                 "its defaults; sd: numpy.std(ddof=1); cohens_dz = mean/sd. null = not computable.",
        "datasets": sets,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {len(sets)} datasets to {OUT}")


if __name__ == "__main__":
    main()
