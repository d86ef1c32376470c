use std::collections::VecDeque;

use proptest::prelude::*;

use super::*;
use crate::disclosure::{suppress_1d, suppress_2d};

use Shown::{Count as C, Suppressed as S};

fn t(k: u64) -> Threshold {
    Threshold::new(k).unwrap()
}

/// `(group, from, to, people)` as pairs.
fn expand(blocks: &[(usize, Option<usize>, Option<usize>, usize)]) -> Vec<Placed> {
    blocks
        .iter()
        .flat_map(|(group, from, to, n)| {
            std::iter::repeat_n(
                Placed {
                    group: *group,
                    from: *from,
                    to: *to,
                },
                *n,
            )
        })
        .collect()
}

/// What `measure_outcome` publishes beside the breakdown: the group n's through `suppress_1d`
/// and the transitions through `suppress_2d`. `None` when the overall n is hidden (then
/// nothing about bands is published).
struct Published {
    groups: Vec<(String, Shown)>,
    transitions: Table2,
    breakdown: BandGroups,
}

fn publish(
    pairs: &[Placed],
    groups: usize,
    bands: usize,
    threshold: Threshold,
) -> Option<Published> {
    let mut n = vec![0u64; groups];
    let mut cells = vec![vec![0u64; bands]; bands];
    for p in pairs {
        n[p.group] += 1;
        if let (Some(from), Some(to)) = (p.from, p.to) {
            cells[from][to] += 1;
        }
    }
    let one_way = suppress_1d(&n, threshold).unwrap();
    one_way.total.count()?;
    let groups: Vec<(String, Shown)> = one_way
        .cells
        .iter()
        .enumerate()
        .map(|(g, shown)| (format!("group {g}"), *shown))
        .collect();
    let transitions = suppress_2d(&cells, threshold).unwrap();
    let breakdown = band_groups("test", &groups, pairs, &transitions, threshold);
    Some(Published {
        groups,
        transitions,
        breakdown,
    })
}

/// What a reader knows, as a network of counts (built here apart from the code under test):
/// node 0 is the outside; each group's n flows from it to the group, on to the group's count in
/// each band broken down ("of") and its count of the rest, then into moved out and stayed, and
/// back to the outside through the overall moved-out, stayed and rest counts, which are known.
/// An edge is `(from, to, value, hidden)`. The counts of the rest are never published, but
/// one of at least the threshold for a shown group need not be protected (it could be shown):
/// those are `exempt`.
struct Knowledge {
    nodes: usize,
    edges: Vec<(usize, usize, u64, bool)>,
    exempt: Vec<usize>,
}

fn knowledge(pairs: &[Placed], p: &Published) -> Knowledge {
    let t = &p.transitions;
    let k = t.row_totals.len();
    let m = p.groups.len();
    let broken_down: Vec<bool> = (0..k)
        .map(|i| t.row_totals[i] != S && t.cells[i][i] != S)
        .collect();
    let mut n = vec![0u64; m];
    let mut split = vec![vec![[0u64; 2]; m]; k];
    let mut rest = vec![0u64; m];
    for q in pairs {
        n[q.group] += 1;
        match (q.from, q.to) {
            (Some(f), Some(to)) if broken_down[f] => split[f][q.group][usize::from(f != to)] += 1,
            _ => rest[q.group] += 1,
        }
    }
    let stayed_total = |i: usize| split[i].iter().map(|c| c[0]).sum::<u64>();
    let out_total = |i: usize| split[i].iter().map(|c| c[1]).sum::<u64>();
    // The overall figures are the transitions table's.
    for i in (0..k).filter(|i| broken_down[*i]) {
        assert_eq!(t.cells[i][i], C(stayed_total(i)));
        assert_eq!(t.row_totals[i], C(stayed_total(i) + out_total(i)));
    }
    let rest_total: u64 = rest.iter().sum();
    // Nodes: 0, groups 1..=m, band-group nodes, then stayed / moved-out sinks and the rest.
    let band_node = |i: usize, g: usize| 1 + m + i * m + g;
    let sink = |i: usize, out: bool| 1 + m + k * m + 2 * i + usize::from(out);
    let rest_node = 1 + m + k * m + 2 * k;
    let mut edges = Vec::new();
    let mut exempt = Vec::new();
    for g in 0..m {
        assert_eq!(p.groups[g].1 == S, p.groups[g].1 != C(n[g]));
        edges.push((0, 1 + g, n[g], p.groups[g].1 == S));
        if p.groups[g].1 != S && rest[g] >= 5 {
            exempt.push(edges.len());
        }
        edges.push((1 + g, rest_node, rest[g], rest_total > 0));
    }
    for i in (0..k).filter(|i| broken_down[*i]) {
        for (g, &[stay, out]) in split[i].iter().enumerate() {
            let cell = p.breakdown.cells[i][g];
            assert!(cell.moved_out == S || cell.moved_out == C(out));
            assert!(cell.of == S || cell.of == C(out + stay));
            let out_hidden = cell.moved_out == S && out_total(i) > 0;
            edges.push((1 + g, band_node(i, g), out + stay, cell.of == S));
            edges.push((band_node(i, g), sink(i, true), out, out_hidden));
            // Stayed is "of" less "moved out": known when both are.
            edges.push((
                band_node(i, g),
                sink(i, false),
                stay,
                cell.of == S || out_hidden,
            ));
        }
    }
    Knowledge {
        nodes: rest_node + 1,
        edges,
        exempt,
    }
}

/// Hidden edges whose value a reader can work out: those on no cycle of hidden edges along
/// which each can change by one (forward always, backward only when positive).
fn recoverable(k: &Knowledge) -> Vec<usize> {
    let reaches = |from: usize, to: usize, skip: usize| {
        let mut seen = vec![false; k.nodes];
        let mut queue = VecDeque::from([from]);
        seen[from] = true;
        while let Some(at) = queue.pop_front() {
            if at == to {
                return true;
            }
            for (f, (a, b, value, hidden)) in k.edges.iter().enumerate() {
                if f == skip || !hidden {
                    continue;
                }
                let next = if *a == at {
                    Some(*b)
                } else if *b == at && *value > 0 {
                    Some(*a)
                } else {
                    None
                };
                if let Some(next) = next.filter(|n| !seen[*n]) {
                    seen[next] = true;
                    queue.push_back(next);
                }
            }
        }
        false
    };
    (0..k.edges.len())
        .filter(|e| {
            let (a, b, value, hidden) = k.edges[*e];
            hidden
                && !k.exempt.contains(e)
                && !(reaches(b, a, *e) || (value > 0 && reaches(a, b, *e)))
        })
        .collect()
}

/// The check the published tables invite: no line (a node's edges) with exactly one hidden
/// count that must be protected. Every node conserves its people, so such a count is its
/// known edges' difference.
fn lone_hidden_counts(k: &Knowledge) -> Vec<usize> {
    (0..k.nodes)
        .filter(|node| {
            let hidden: Vec<usize> = (0..k.edges.len())
                .filter(|e| {
                    let (a, b, _, hidden) = k.edges[*e];
                    hidden && (a == *node || b == *node)
                })
                .collect();
            hidden.len() == 1 && !k.exempt.contains(&hidden[0])
        })
        .collect()
}

fn assert_safe(pairs: &[Placed], p: &Published) {
    let k = knowledge(pairs, p);
    assert_eq!(recoverable(&k), Vec::<usize>::new(), "{:?}", p.breakdown);
    assert_eq!(lone_hidden_counts(&k), Vec::<usize>::new());
}

#[test]
fn the_checker_finds_pinned_counts() {
    // Groups 1 and 2 (n known) split between sinks 3 and 4 (totals known); the four inner
    // counts hidden.
    let network = |first: u64, split: [u64; 4], hidden: [bool; 4]| Knowledge {
        nodes: 5,
        exempt: vec![],
        edges: vec![
            (0, 1, first, false),
            (0, 2, 20 - first, false),
            (1, 3, split[0], hidden[0]),
            (1, 4, split[1], hidden[1]),
            (2, 3, split[2], hidden[2]),
            (2, 4, split[3], hidden[3]),
            (3, 0, split[0] + split[2], false),
            (4, 0, split[1] + split[3], false),
        ],
    };
    // 4 / 6 and 6 / 4: each lies on the cycle 1 -> 3 <- 2 -> 4 <- 1. So do zeros that can
    // rise against positive counts.
    let k = network(10, [4, 6, 6, 4], [true; 4]);
    assert_eq!(recoverable(&k), Vec::<usize>::new());
    assert_eq!(lone_hidden_counts(&k), Vec::<usize>::new());
    assert_eq!(
        recoverable(&network(10, [0, 10, 10, 0], [true; 4])),
        Vec::<usize>::new()
    );
    // A group known to be empty pins its zeros, and through them the other group's split.
    let k = network(0, [0, 0, 10, 10], [true; 4]);
    assert_eq!(recoverable(&k), [2, 3, 4, 5]);
    assert_eq!(lone_hidden_counts(&k), Vec::<usize>::new());
    // One hidden count beside known ones is their difference.
    let k = network(10, [4, 6, 6, 4], [true, false, false, false]);
    assert_eq!(recoverable(&k), [2]);
    assert_eq!(lone_hidden_counts(&k), [1, 3]);
}

fn cell(moved_out: Shown, of: Shown) -> BandGroupCell {
    BandGroupCell { moved_out, of }
}

/// Group 0: 5 stay in band 0, 7 leave it, 6 leave band 1, 8 stay; group 1: 6, 5, 5, 8.
const NOTHING_SMALL: [(usize, Option<usize>, Option<usize>, usize); 8] = [
    (0, Some(0), Some(0), 5),
    (0, Some(0), Some(1), 7),
    (0, Some(1), Some(0), 6),
    (0, Some(1), Some(1), 8),
    (1, Some(0), Some(0), 6),
    (1, Some(0), Some(1), 5),
    (1, Some(1), Some(0), 5),
    (1, Some(1), Some(1), 8),
];

#[test]
fn counts_by_group_when_nothing_is_small() {
    let pairs = expand(&NOTHING_SMALL);
    let p = publish(&pairs, 2, 2, t(5)).unwrap();
    assert_eq!(p.groups[0].1, C(26));
    assert_eq!(
        p.breakdown.cells,
        [
            [cell(C(7), C(12)), cell(C(5), C(11))],
            [cell(C(6), C(14)), cell(C(5), C(13))]
        ]
    );
    assert_safe(&pairs, &p);
}

#[test]
fn a_zero_is_hidden_with_the_cheapest_partners() {
    // As above, but nobody in group 0 leaves band 1. The zero (with the overall 5 known)
    // needs a cycle: group 1's 5 moving out of band 1 and the two 8s who stay (21 in all)
    // are cheaper than any way through band 0.
    let pairs = expand(&[
        (0, Some(0), Some(0), 5),
        (0, Some(0), Some(1), 7),
        (0, Some(1), Some(1), 8),
        (1, Some(0), Some(0), 6),
        (1, Some(0), Some(1), 5),
        (1, Some(1), Some(0), 5),
        (1, Some(1), Some(1), 8),
    ]);
    let p = publish(&pairs, 2, 2, t(5)).unwrap();
    assert!(p.transitions.cells.iter().flatten().all(|c| *c != S));
    assert_eq!(
        p.breakdown.cells,
        [
            [cell(C(7), C(12)), cell(C(5), C(11))],
            [cell(S, C(8)), cell(S, C(13))]
        ]
    );
    assert_safe(&pairs, &p);
}

#[test]
fn a_small_count_in_one_band_is_protected_against_the_group_n() {
    // Group 0 has 3 in band 0 and 37 in band 1. A table for band 0 alone would hide the 3
    // and a table for band 1 would show the 37; with group 0's n (40) published, 40 - 37
    // gives the 3 back. So the 37 is hidden too, and to protect it a path back through
    // another group: group 2, whose counts (8 + 17 + 20 + 9) are the smallest.
    let pairs = expand(&[
        (0, Some(0), Some(0), 2),
        (0, Some(0), Some(1), 1),
        (0, Some(1), Some(1), 30),
        (0, Some(1), Some(0), 7),
        (1, Some(0), Some(0), 20),
        (1, Some(0), Some(1), 10),
        (1, Some(1), Some(1), 15),
        (1, Some(1), Some(0), 6),
        (2, Some(0), Some(0), 9),
        (2, Some(0), Some(1), 8),
        (2, Some(1), Some(1), 11),
        (2, Some(1), Some(0), 9),
    ]);
    let p = publish(&pairs, 3, 2, t(5)).unwrap();
    assert_eq!(p.groups[0].1, C(40));
    assert!(p.transitions.cells.iter().flatten().all(|c| *c != S));
    assert_eq!(
        p.breakdown.cells,
        [
            [cell(S, S), cell(C(10), C(30)), cell(S, S)],
            [cell(S, S), cell(C(6), C(21)), cell(S, S)]
        ]
    );
    assert_safe(&pairs, &p);
}

#[test]
fn a_band_hidden_overall_is_not_broken_down() {
    // Three bands. Overall, 3 stay in band 0, so its diagonal is hidden (with partners in
    // band 1's row, not on the diagonal): band 0's moved-out and stayed counts by group
    // would add up to the hidden figures, however large they are.
    let mut blocks = Vec::new();
    for g in 0..2 {
        let stay0 = if g == 0 { 1 } else { 2 };
        for (from, to, n) in [
            (0, 0, stay0),
            (0, 1, 10),
            (0, 2, 5),
            (1, 0, 5),
            (1, 1, 20),
            (1, 2, 5),
            (2, 0, 5),
            (2, 1, 5),
            (2, 2, 20 + 5 * g),
        ] {
            blocks.push((g, Some(from), Some(to), n));
        }
    }
    let pairs = expand(&blocks);
    let p = publish(&pairs, 2, 3, t(5)).unwrap();
    let diagonal: Vec<Shown> = (0..3).map(|i| p.transitions.cells[i][i]).collect();
    assert_eq!(diagonal, [S, C(40), C(45)]);
    assert_eq!(p.breakdown.cells[0], [cell(S, S), cell(S, S)]);
    // Band 0's people are a count per group that is never published (16 and 17: not small,
    // so nothing more is hidden for them). Bands 1 and 2 are shown whole.
    assert_eq!(
        p.breakdown.cells[1..],
        [
            [cell(C(10), C(30)), cell(C(10), C(30))],
            [cell(C(10), C(30)), cell(C(10), C(35))]
        ]
    );
    assert_safe(&pairs, &p);
}

#[test]
fn groups_hidden_in_the_change_table_stay_hidden() {
    // Group 2 has 4 pairs, so the change table hides it and, to protect it, group 1 (the
    // smallest shown). Neither is published here, and they protect each other, so group 0
    // is shown whole.
    let pairs = expand(&[
        (0, Some(0), Some(0), 30),
        (0, Some(0), Some(1), 30),
        (0, Some(1), Some(1), 30),
        (0, Some(1), Some(0), 30),
        (1, Some(0), Some(0), 10),
        (1, Some(0), Some(1), 10),
        (1, Some(1), Some(1), 10),
        (1, Some(1), Some(0), 10),
        (2, Some(0), Some(0), 3),
        (2, Some(1), Some(1), 1),
    ]);
    let p = publish(&pairs, 3, 2, t(5)).unwrap();
    let n: Vec<Shown> = p.groups.iter().map(|g| g.1).collect();
    assert_eq!(n, [C(120), S, S]);
    let band = [cell(C(30), C(60)), cell(S, S), cell(S, S)];
    assert_eq!(p.breakdown.cells, [band, band]);
    assert_safe(&pairs, &p);
}

#[test]
fn the_table_reads_one_row_per_band_and_group() {
    use crate::analytics::outcomes::{BandChange, GroupOutcome, MeasureOutcome, Outcome};
    let p = publish(&expand(&NOTHING_SMALL), 2, 2, t(5)).unwrap();
    let outcomes = Outcomes {
        follow_up_months: 6,
        measures: vec![MeasureOutcome {
            instrument: "ons_loneliness".into(),
            measure: "ons_lonely".into(),
            overall: GroupOutcome {
                group: "all".into(),
                n: C(44),
                outcome: Outcome::BandsOnly,
            },
            by_quintile: vec![],
            by_dose: vec![],
            dose_tertiles: None,
            bands: Some(BandChange {
                bands: vec!["chronic loneliness".into(), "not chronic".into()],
                transitions: p.transitions.clone(),
                by_quintile: p.breakdown.clone(),
                by_dose: BandGroups {
                    breakdown: "hours tertile".into(),
                    groups: vec!["hours tertile 1".into(), "hours tertile 2".into()],
                    cells: vec![vec![cell(S, S); 2]; 2],
                },
            }),
        }],
    };
    let table = table(&outcomes);
    assert_eq!(
        table.title,
        "Movement out of each band by deprivation quintile and by hours given, baseline to 6 months"
    );
    assert_eq!(table.header, HEADER);
    let row = |cells: [&str; 8]| cells.map(str::to_owned).to_vec();
    let lonely = ["ons_loneliness", "ons_lonely"];
    let [i, m] = lonely;
    assert_eq!(
        table.rows,
        [
            row([
                i,
                m,
                "chronic loneliness",
                "test",
                "group 0",
                "7",
                "12",
                "58.3"
            ]),
            row([
                i,
                m,
                "chronic loneliness",
                "test",
                "group 1",
                "5",
                "11",
                "45.5"
            ]),
            row([
                i,
                m,
                "chronic loneliness",
                "hours tertile",
                "hours tertile 1",
                HIDDEN,
                HIDDEN,
                HIDDEN
            ]),
            row([
                i,
                m,
                "chronic loneliness",
                "hours tertile",
                "hours tertile 2",
                HIDDEN,
                HIDDEN,
                HIDDEN
            ]),
            row([i, m, "not chronic", "test", "group 0", "6", "14", "42.9"]),
            row([i, m, "not chronic", "test", "group 1", "5", "13", "38.5"]),
            row([
                i,
                m,
                "not chronic",
                "hours tertile",
                "hours tertile 1",
                HIDDEN,
                HIDDEN,
                HIDDEN
            ]),
            row([
                i,
                m,
                "not chronic",
                "hours tertile",
                "hours tertile 2",
                HIDDEN,
                HIDDEN,
                HIDDEN
            ]),
        ]
    );
}

const HIDDEN: &str = crate::analytics::published::SUPPRESSED;

/// A pair: group, band at baseline and at follow-up (none now and then).
fn pair(groups: usize, bands: usize) -> impl Strategy<Value = Placed> {
    let band = prop_oneof![9 => (0..bands).prop_map(Some), 1 => Just(None)];
    (0..groups, band.clone(), band).prop_map(|(group, from, to)| Placed { group, from, to })
}

fn case() -> impl Strategy<Value = (usize, usize, Vec<Placed>)> {
    (
        prop_oneof![Just(3usize), Just(6)],
        prop_oneof![Just(2usize), Just(4)],
    )
        .prop_flat_map(|(groups, bands)| {
            (
                Just(groups),
                Just(bands),
                prop::collection::vec(pair(groups, bands), 0..160),
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_hidden_count_follows_from_what_is_published((groups, bands, pairs) in case()) {
        let Some(p) = publish(&pairs, groups, bands, t(5)) else {
            return Ok(());
        };
        let k = knowledge(&pairs, &p);
        prop_assert_eq!(recoverable(&k), Vec::<usize>::new());
        prop_assert_eq!(lone_hidden_counts(&k), Vec::<usize>::new());
        // Every shown count is at least the threshold, or a zero the transitions table gives.
        for (i, band) in p.breakdown.cells.iter().enumerate() {
            for cell in band {
                for shown in [cell.moved_out, cell.of] {
                    if let C(n) = shown {
                        let known_zero = n == 0
                            && p.transitions.row_totals[i] == p.transitions.cells[i][i];
                        prop_assert!(n >= 5 || known_zero);
                    }
                }
            }
        }
    }
}
