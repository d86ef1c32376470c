//! Movement out of each band of a measure within each deprivation quintile and each tertile of
//! hours given.
//!
//! **What is published.** For band `i` and group `g`: of the group's people in band `i` at
//! baseline (with a band at follow-up), how many were in another band at follow-up ("moved
//! out"), of how many ("of"), and the share.
//!
//! **Why not one `suppress_2d` table per band.** The natural table for band `i`, groups by
//! {moved out, stayed} with its totals, would be safe on its own, but not beside the others:
//! its row totals, the group's counts in band `i`, add up over the bands (with the pairs that
//! have no band) to the group's n, which the change table publishes for the same pairs. Those
//! n's are not the same population as any one band's, but they are the sum of them, so a
//! group's small count in one band would follow from its n less its counts in the others, and a
//! group n that the change table hides would follow from its counts in every band. No two-way
//! table holds both the group-by-band counts and their split into moved out and stayed, so the
//! counts of one breakdown are protected together as a network (see `network`): each group's
//! n flows into its counts in the bands, each of those into moved out and stayed, and these
//! into the overall moved-out and stayed counts of the band.
//!
//! **Linked tables.** A reader holds every other published outcome table, so:
//! - The overall "moved out of band i" and "stayed in band i" (from the transitions table: its
//!   row total less its diagonal cell, and that cell) are known, and never hidden here.
//! - The group n's the change table shows are known; those it hides stay hidden here, with
//!   every count of those groups, and are protected with them, so nothing here narrows them
//!   more than `suppress_1d` allowed.
//! - A band whose diagonal cell or row total the transitions table hides is not broken down:
//!   its people join those with no band in one count per group that is never published (its
//!   groups' moved-out and stayed counts would add up to the hidden overall figures). That
//!   count can be worked out from a group's n and its other bands, so when it is small it is
//!   protected like any other; when it is not, it says only how many of a group were in
//!   bands not broken down, which the transitions table does not narrow by group.
//! - Every other count below the threshold is hidden, and more are hidden until no hidden count
//!   can be worked out from all of the above. If that would take a known figure, the
//!   breakdown is withheld whole.
//! - With the overall moved-out and stayed counts of each band fixed, any transitions table
//!   consistent with what is shown of it fits any split of them by group (per band, a table of
//!   groups by follow-up band with given totals always exists), so the breakdown says nothing
//!   more about hidden transitions. The quintile and dose breakdowns share only those totals
//!   and the overall n, so neither narrows the other for the same reason.
//! - A count whose total is known to be zero (nobody moved out of a band overall) is shown as
//!   the zero it must be: it gives nothing away, and it could not be protected.

mod network;

use crate::analytics::published::PublishedTable;
use crate::disclosure::{Shown, Table2, Threshold};

use super::{Outcomes, count_and_share};
use network::{Network, State};

/// Movement out of each band of one measure within the groups of one breakdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandGroups {
    /// `quintile` or `hours tertile`.
    pub breakdown: String,
    /// The groups, named as in the change table.
    pub groups: Vec<String>,
    /// `cells[i][g]`: group `g` in band `i` at baseline.
    pub cells: Vec<Vec<BandGroupCell>>,
}

/// One group's movement out of one band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BandGroupCell {
    /// In another band at follow-up.
    pub moved_out: Shown,
    /// In the band at baseline, with a band at follow-up.
    pub of: Shown,
}

/// One pair as a breakdown sees it: its group, and its band at baseline and at follow-up.
#[derive(Debug, Clone, Copy)]
pub(super) struct Placed {
    pub group: usize,
    pub from: Option<usize>,
    pub to: Option<usize>,
}

/// The edges of one group's count in one band, and of those who moved out of it.
struct InBand {
    of: usize,
    moved_out: usize,
}

/// `groups` are the labels and the n's the change table publishes for this breakdown;
/// `transitions` is the published overall table of the same pairs.
pub(super) fn band_groups(
    breakdown: &str,
    groups: &[(String, Shown)],
    pairs: &[Placed],
    transitions: &Table2,
    threshold: Threshold,
) -> BandGroups {
    let k = transitions.row_totals.len();
    let m = groups.len();
    let broken_down: Vec<bool> = (0..k)
        .map(|i| {
            transitions.row_totals[i] != Shown::Suppressed
                && transitions.cells[i][i] != Shown::Suppressed
        })
        .collect();
    // Counts: n per group; per band and group, moved out and stayed; the rest per group.
    let mut n = vec![0u64; m];
    let mut moved = vec![vec![[0u64; 2]; m]; k];
    let mut rest = vec![0u64; m];
    for p in pairs {
        n[p.group] += 1;
        match (p.from, p.to) {
            (Some(from), Some(to)) if broken_down[from] => {
                moved[from][p.group][usize::from(from == to)] += 1;
            }
            _ => rest[p.group] += 1,
        }
    }
    let column_total = |i: usize, s: usize| moved[i].iter().map(|c| c[s]).sum::<u64>();
    let rest_total: u64 = rest.iter().sum();

    // Nodes: 0 outside, 1..=m the groups, then per band its moved-out and stayed sinks, then
    // the sink of the rest, then one node per group and band.
    let group_node = |g: usize| 1 + g;
    let sink = |i: usize, s: usize| 1 + m + 2 * i + s;
    let rest_node = 1 + m + 2 * k;
    let mut net = Network {
        nodes: rest_node + 1 + m * k,
        edges: Vec::new(),
    };
    let t = threshold.get();
    let shown_group = |g: usize| groups[g].1 != Shown::Suppressed;
    let state = |g: usize, value: u64| {
        if shown_group(g) && value >= t {
            State::Open
        } else {
            State::Hidden
        }
    };
    for g in 0..m {
        let known = if shown_group(g) {
            State::Known
        } else {
            State::Hidden
        };
        net.add(0, group_node(g), n[g], known);
        // Never published, but small counts of it are protected like any other.
        let rest_state = if rest_total == 0 {
            State::Known
        } else {
            state(g, rest[g])
        };
        net.add(group_node(g), rest_node, rest[g], rest_state);
    }
    // Per band broken down, per group: its edges.
    let mut edges: Vec<Option<Vec<InBand>>> = Vec::new();
    for (i, by_group) in moved.iter().enumerate() {
        if !broken_down[i] {
            edges.push(None);
            continue;
        }
        let mut band = Vec::new();
        for (g, &[out, stay]) in by_group.iter().enumerate() {
            let node = rest_node + 1 + i * m + g;
            let split = |s: usize, value: u64| {
                if column_total(i, s) == 0 {
                    State::Known
                } else {
                    state(g, value)
                }
            };
            let of = net.add(group_node(g), node, out + stay, state(g, out + stay));
            let moved_out = net.add(node, sink(i, 0), out, split(0, out));
            net.add(node, sink(i, 1), stay, split(1, stay));
            band.push(InBand { of, moved_out });
        }
        edges.push(Some(band));
        net.add(sink(i, 0), 0, column_total(i, 0), State::Known);
        net.add(sink(i, 1), 0, column_total(i, 1), State::Known);
    }
    net.add(rest_node, 0, rest_total, State::Known);
    let safe = net.protect();

    // A hidden group stays hidden whole, even where a count is known to be zero.
    let shown = |e: usize, g: usize| {
        let edge = &net.edges[e];
        if safe && shown_group(g) && edge.state != State::Hidden {
            Shown::Count(edge.value)
        } else {
            Shown::Suppressed
        }
    };
    let hidden = BandGroupCell {
        moved_out: Shown::Suppressed,
        of: Shown::Suppressed,
    };
    let cells = edges
        .iter()
        .map(|band| match band {
            None => vec![hidden; m],
            Some(band) => band
                .iter()
                .enumerate()
                .map(|(g, e)| BandGroupCell {
                    moved_out: shown(e.moved_out, g),
                    of: shown(e.of, g),
                })
                .collect(),
        })
        .collect();
    BandGroups {
        breakdown: breakdown.to_owned(),
        groups: groups.iter().map(|(label, _)| label.clone()).collect(),
        cells,
    }
}

const HEADER: [&str; 8] = [
    "instrument",
    "measure",
    "band",
    "breakdown",
    "group",
    "moved out",
    "of (in band at baseline)",
    "percent moved out",
];

/// The breakdowns of every measure with bands, one row per band and group.
pub(super) fn table(outcomes: &Outcomes) -> PublishedTable {
    let mut t = PublishedTable::new(
        &format!(
            "Movement out of each band by deprivation quintile and by hours given, baseline to {} months",
            outcomes.follow_up_months
        ),
        &HEADER,
    );
    for m in &outcomes.measures {
        let Some(bands) = &m.bands else { continue };
        for (i, band) in bands.bands.iter().enumerate() {
            for breakdown in [&bands.by_quintile, &bands.by_dose] {
                for (group, cell) in breakdown.groups.iter().zip(&breakdown.cells[i]) {
                    let mut row = vec![
                        m.instrument.clone(),
                        m.measure.clone(),
                        band.clone(),
                        breakdown.breakdown.clone(),
                        group.clone(),
                    ];
                    row.extend(count_and_share(cell.moved_out, cell.of));
                    t.rows.push(row);
                }
            }
        }
    }
    t
}

#[cfg(test)]
mod tests;
