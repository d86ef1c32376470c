//! Small-number suppression, checked by brute force: for every hidden entry there must be another
//! table of non-negative whole counts that agrees with everything published but differs there.

use proptest::prelude::*;
use timecredits_evaluation::disclosure::{
    DisclosureError, Shown, Table2, Threshold, suppress_1d, suppress_2d,
};

fn t(k: u64) -> Threshold {
    Threshold::new(k).unwrap()
}

#[test]
fn threshold_defaults_to_ten_and_is_never_below_five() {
    assert_eq!(Threshold::default().get(), 10);
    assert_eq!(Threshold::new(5).unwrap().get(), 5);
    assert_eq!(
        Threshold::new(4),
        Err(DisclosureError::BelowMinimum {
            given: 4,
            minimum: 5
        })
    );
    assert!(Threshold::new(0).is_err());
}

use Shown::{Count as C, Suppressed as S};

#[test]
fn one_way_primary_and_secondary() {
    // 3 is small; with the total shown it could be recovered, so the next smallest (12) goes too.
    let r = suppress_1d(&[25, 3, 40, 12], t(10)).unwrap();
    assert_eq!(r.cells, [C(25), S, C(40), S]);
    assert_eq!(r.total, C(80));
    assert_eq!((r.primary, r.secondary), (1, 1));
    // Two small cells protect each other.
    let r = suppress_1d(&[25, 3, 40, 4], t(10)).unwrap();
    assert_eq!(r.cells, [C(25), S, C(40), S]);
    assert_eq!(r.secondary, 0);
    // Zeros are hidden, and two hidden zeros would be given away by the total: hide one more.
    let r = suppress_1d(&[0, 0, 40, 30], t(10)).unwrap();
    assert_eq!(r.cells, [S, S, C(40), S]);
    // A single cell cannot be hidden behind its own total: the total goes.
    let r = suppress_1d(&[7], t(10)).unwrap();
    assert_eq!((r.cells[0], r.total), (S, S));
    let r = suppress_1d(&[3, 50], t(10)).unwrap();
    assert_eq!((r.cells.clone(), r.total), (vec![S, S], C(53)));
    assert_eq!(suppress_1d(&[], t(10)), Err(DisclosureError::Empty));
}

#[test]
fn two_way_secondary_suppression_keeps_totals_where_it_can() {
    let table = vec![vec![20, 3, 30], vec![25, 40, 35], vec![50, 60, 45]];
    let r = suppress_2d(&table, t(10)).unwrap();
    // The 3 needs a partner in its row and its column, and those a fourth to close the rectangle;
    // the cheapest inner rectangle is 3, 20 / 40, 25.
    assert_eq!(r.cells[0], [S, S, C(30)]);
    assert_eq!(r.cells[1], [S, S, C(35)]);
    assert_eq!(r.cells[2], [C(50), C(60), C(45)]);
    assert_eq!(r.row_totals, [C(53), C(100), C(155)]);
    assert_eq!(r.grand_total, C(308));
    assert_eq!((r.primary, r.secondary), (1, 3));
    assert_protected(&table, &r);
}

#[test]
fn two_hidden_cells_per_line_is_not_enough_when_a_cell_bridges_two_blocks() {
    // Hidden cells (0,0),(0,1),(1,0),(1,1) and (2,2),(2,3),(3,2),(3,3) are two blocks, each with two
    // per line; a small (1,2) would be the only link between them and could be recovered.
    let table = vec![
        vec![2, 3, 40, 50],
        vec![4, 1, 2, 60],
        vec![45, 55, 3, 4],
        vec![65, 70, 2, 1],
    ];
    let r = suppress_2d(&table, t(5)).unwrap();
    assert_protected(&table, &r);
}

#[test]
fn ragged_and_empty_tables_are_refused() {
    assert_eq!(suppress_2d(&[], t(10)), Err(DisclosureError::Empty));
    assert_eq!(
        suppress_2d(&[vec![1, 2], vec![3]], t(10)),
        Err(DisclosureError::Ragged {
            row: 1,
            expected: 2,
            found: 1
        })
    );
}

/// The published view of a candidate table: its inner cells, and its totals grid.
fn grid(table: &[Vec<u64>]) -> Vec<Vec<u64>> {
    let c = table[0].len();
    let mut g: Vec<Vec<u64>> = table
        .iter()
        .map(|r| r.iter().copied().chain([r.iter().sum()]).collect())
        .collect();
    g.push((0..=c).map(|j| g.iter().map(|r| r[j]).sum()).collect());
    g
}

fn published(r: &Table2) -> Vec<Vec<Shown>> {
    let mut g: Vec<Vec<Shown>> = r
        .cells
        .iter()
        .zip(&r.row_totals)
        .map(|(row, t)| row.iter().copied().chain([*t]).collect())
        .collect();
    g.push(
        r.column_totals
            .iter()
            .copied()
            .chain([r.grand_total])
            .collect(),
    );
    g
}

/// Search the tables within one of the true table in every hidden inner cell: each hidden entry
/// (inner or total) must take another value in some table consistent with the published grid.
fn assert_protected(table: &[Vec<u64>], r: &Table2) {
    let shown = published(r);
    let truth = grid(table);
    let (rows, cols) = (table.len(), table[0].len());
    let hidden_inner: Vec<(usize, usize)> = (0..rows)
        .flat_map(|i| (0..cols).map(move |j| (i, j)))
        .filter(|(i, j)| shown[*i][*j] == Shown::Suppressed)
        .collect();
    // Every small entry is hidden.
    for (i, row) in truth.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            if *v < 5 {
                assert_eq!(shown[i][j], Shown::Suppressed, "small ({i},{j}) shown");
            }
            if let Shown::Count(n) = shown[i][j] {
                assert_eq!(n, *v);
            }
        }
    }
    let mut varies = vec![vec![false; cols + 1]; rows + 1];
    let mut candidate = table.to_vec();
    let combos = 3usize.pow(hidden_inner.len() as u32);
    'outer: for mut code in 0..combos {
        for (i, j) in &hidden_inner {
            let delta = (code % 3) as i64 - 1;
            code /= 3;
            let v = table[*i][*j] as i64 + delta;
            if v < 0 {
                continue 'outer;
            }
            candidate[*i][*j] = v as u64;
        }
        let g = grid(&candidate);
        let consistent = g.iter().zip(&shown).all(|(gr, sr)| {
            gr.iter()
                .zip(sr)
                .all(|(v, s)| s.count().is_none_or(|n| n == *v))
        });
        if consistent {
            for i in 0..=rows {
                for j in 0..=cols {
                    varies[i][j] |= g[i][j] != truth[i][j];
                }
            }
        }
    }
    for i in 0..=rows {
        for j in 0..=cols {
            if shown[i][j] == Shown::Suppressed {
                assert!(
                    varies[i][j],
                    "hidden ({i},{j}) can be recovered from {shown:?} (true {truth:?})"
                );
            }
        }
    }
}

/// Every whole-count table within `bound` in each inner cell, for the smallest tables: the
/// search is exhaustive, not only one step from the truth.
fn assert_protected_exhaustively(table: &[Vec<u64>], r: &Table2, bound: u64) {
    let shown = published(r);
    let truth = grid(table);
    let (rows, cols) = (table.len(), table[0].len());
    let n = rows * cols;
    let mut varies = vec![vec![false; cols + 1]; rows + 1];
    let mut cells = vec![0u64; n];
    loop {
        let candidate: Vec<Vec<u64>> = cells.chunks(cols).map(<[u64]>::to_vec).collect();
        let g = grid(&candidate);
        if g.iter().zip(&shown).all(|(gr, sr)| {
            gr.iter()
                .zip(sr)
                .all(|(v, s)| s.count().is_none_or(|x| x == *v))
        }) {
            for i in 0..=rows {
                for j in 0..=cols {
                    varies[i][j] |= g[i][j] != truth[i][j];
                }
            }
        }
        let mut k = 0;
        while k < n && cells[k] == bound {
            cells[k] = 0;
            k += 1;
        }
        if k == n {
            break;
        }
        cells[k] += 1;
    }
    for i in 0..=rows {
        for j in 0..=cols {
            if shown[i][j] == Shown::Suppressed {
                assert!(
                    varies[i][j],
                    "hidden ({i},{j}) recoverable: {shown:?} (true {truth:?})"
                );
            }
        }
    }
}

fn small_table(
    max_rows: usize,
    max_cols: usize,
    max_value: u64,
) -> impl Strategy<Value = Vec<Vec<u64>>> {
    (1..=max_rows, 1..=max_cols).prop_flat_map(move |(r, c)| {
        prop::collection::vec(prop::collection::vec(0..=max_value, c), r)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_hidden_cell_of_a_two_way_table_is_recoverable(table in small_table(3, 3, 14)) {
        let r = suppress_2d(&table, t(5)).unwrap();
        assert_protected(&table, &r);
    }

    #[test]
    fn wider_tables_too(table in small_table(2, 4, 30)) {
        let r = suppress_2d(&table, t(10)).unwrap();
        assert_protected(&table, &r);
    }

    #[test]
    fn exhaustive_search_on_two_by_two(table in small_table(2, 2, 8)) {
        let r = suppress_2d(&table, t(5)).unwrap();
        assert_protected_exhaustively(&table, &r, 12);
    }

    #[test]
    fn no_hidden_cell_of_a_one_way_table_is_recoverable(cells in prop::collection::vec(0u64..20, 1..6)) {
        // A one-way table is a two-way table of one row whose column totals repeat the cells.
        let r = suppress_1d(&cells, t(5)).unwrap();
        let as_two_way = Table2 {
            cells: vec![r.cells.clone()],
            row_totals: vec![r.total],
            column_totals: r.cells.clone(),
            grand_total: r.total,
            primary: r.primary,
            secondary: r.secondary,
        };
        assert_protected(&[cells], &as_two_way);
    }
}

#[test]
fn report_sized_tables_finish_and_hide_every_small_cell() {
    // Deciles by months of a year: 10 x 12 counts from a fixed generator, many of them small.
    let mut seed = 0x2545_f491_u64;
    let table: Vec<Vec<u64>> = (0..10)
        .map(|_| {
            (0..12)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed % 40
                })
                .collect()
        })
        .collect();
    let r = suppress_2d(&table, Threshold::default()).unwrap();
    for (row, shown) in table.iter().zip(&r.cells) {
        for (v, s) in row.iter().zip(shown) {
            match s {
                Shown::Count(n) => assert!(*n >= 10 && n == v),
                Shown::Suppressed => {}
            }
        }
    }
    assert!(r.primary > 10 && r.secondary > 0);
}
