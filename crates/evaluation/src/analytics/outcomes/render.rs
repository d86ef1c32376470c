//! Outcomes as published tables.

use crate::disclosure::Shown;
use crate::stats::{NotComputable, PairedChange};

use super::{GroupOutcome, MeasureOutcome, NOT_SHOWN, Outcome, Outcomes, count_and_share};
use crate::analytics::published::{PublishedTable, shown_text};

const CHANGE_HEADER: [&str; 12] = [
    "instrument",
    "measure",
    "group",
    "hours given",
    "n",
    "mean change",
    "95% CI low",
    "95% CI high",
    "paired t-test p",
    "Wilcoxon signed-rank p",
    "Cohen's d_z",
    "note",
];

pub(super) fn tables(outcomes: &Outcomes) -> Vec<PublishedTable> {
    let months = outcomes.follow_up_months;
    let mut change = PublishedTable::new(
        &format!("Change from baseline to {months} months"),
        &CHANGE_HEADER,
    );
    let mut moves = PublishedTable::new(
        &format!("Movement between bands from baseline to {months} months"),
        &[
            "instrument",
            "measure",
            "band",
            "moved out",
            "of (in band at baseline)",
            "percent moved out",
            "moved in",
            "of (not in band at baseline)",
            "percent moved in",
        ],
    );
    let mut out = Vec::new();
    for m in &outcomes.measures {
        change.rows.push(change_row(m, &m.overall, ""));
        for g in &m.by_quintile {
            change.rows.push(change_row(m, g, ""));
        }
        for (i, g) in m.by_dose.iter().enumerate() {
            let label = m
                .dose_tertiles
                .map(|t| t.label(u8::try_from(i + 1).unwrap_or(3)))
                .unwrap_or_default();
            change.rows.push(change_row(m, g, &label));
        }
        let Some(bands) = &m.bands else { continue };
        let mut grid = PublishedTable::new(
            &format!(
                "{} {}: band at baseline (rows) and at {months} months (columns)",
                m.instrument, m.measure
            ),
            &[],
        );
        grid.header = std::iter::once("band at baseline".to_owned())
            .chain(bands.bands.iter().cloned())
            .chain(["total".to_owned()])
            .collect();
        let t = &bands.transitions;
        for (i, label) in bands.bands.iter().enumerate() {
            let mut row = vec![label.clone()];
            row.extend(t.cells[i].iter().map(|c| shown_text(*c)));
            row.push(shown_text(t.row_totals[i]));
            grid.rows.push(row);
            let (out_count, out_of) = bands.moved_out_of(i);
            let (in_count, in_of) = bands.moved_into(i);
            let mut r = vec![m.instrument.clone(), m.measure.clone(), label.clone()];
            r.extend(count_and_share(out_count, out_of));
            r.extend(count_and_share(in_count, in_of));
            moves.rows.push(r);
        }
        let mut total = vec!["total".to_owned()];
        total.extend(t.column_totals.iter().map(|c| shown_text(*c)));
        total.push(shown_text(t.grand_total));
        grid.rows.push(total);
        out.push(grid);
    }
    let mut all = vec![change, moves, super::band_groups::table(outcomes)];
    all.extend(out);
    all
}

fn change_row(m: &MeasureOutcome, g: &GroupOutcome, hours: &str) -> Vec<String> {
    let mut row = vec![
        m.instrument.clone(),
        m.measure.clone(),
        g.group.clone(),
        hours.to_owned(),
        shown_text(g.n),
    ];
    match &g.outcome {
        Outcome::Suppressed => {
            row.extend(std::iter::repeat_n(String::new(), 6));
            row.push(NOT_SHOWN.to_owned());
        }
        Outcome::BandsOnly => {
            row.extend(std::iter::repeat_n(String::new(), 6));
            row.push("a code, not a scale: see the band movement".to_owned());
        }
        Outcome::Computed(c) => row.extend(statistics(c)),
    }
    debug_assert!(g.n != Shown::Suppressed || g.outcome == Outcome::Suppressed);
    row
}

fn number(x: f64) -> String {
    format!("{x:.4}")
}

fn p_value(p: f64) -> String {
    if p < 0.0001 {
        format!("{p:.2e}")
    } else {
        format!("{p:.4}")
    }
}

fn statistics(c: &PairedChange) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    let mut note = |e: &NotComputable, what: &str| notes.push(format!("{what}: {e}"));
    let (low, high, t_p, dz) = match &c.t_test {
        Ok(t) => (
            number(t.ci_low),
            number(t.ci_high),
            p_value(t.p),
            number(t.cohens_dz),
        ),
        Err(e) => {
            note(e, "no t-test");
            (String::new(), String::new(), String::new(), String::new())
        }
    };
    let w_p = match &c.wilcoxon {
        Ok(w) => p_value(w.p),
        Err(e) => {
            note(e, "no Wilcoxon test");
            String::new()
        }
    };
    vec![
        number(c.mean_change),
        low,
        high,
        t_p,
        w_p,
        dz,
        notes.join("; "),
    ]
}
