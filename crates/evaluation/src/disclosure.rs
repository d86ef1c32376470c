//! Small-number suppression for published counts.
//!
//! **Primary suppression**: every count below the threshold is hidden, zeros included. A shown
//! zero is itself a disclosure ("nobody in this group ..."), and beside hidden cells it narrows what
//! they can be: a row whose hidden cells must sum to zero gives every one of them away. This
//! module has no notion of a structural zero (a combination that cannot occur); a report that has
//! one should leave that row or column out of the table rather than show it.
//!
//! **Secondary suppression** then hides more cells until no hidden count can be worked out from
//! the published ones, by subtraction or by the fact that counts are never negative. For a table
//! with row and column totals the rule "at least two hidden cells in every line" is not enough
//! (a hidden cell can still be the only link between two groups of hidden cells, and hidden
//! zeros can be pinned), so each hidden cell is checked exactly:
//!
//! Write the table with its totals as an (R+1) x (C+1) grid and negate the margins; then every
//! row and column sums to zero. The values the hidden cells could take instead are the
//! circulations on the bipartite graph whose vertices are the grid's rows and columns and whose
//! edges are the hidden cells. A hidden cell can differ from its true value exactly when it lies
//! on a cycle of that graph along which every hidden zero moves upward (a zero can grow but not
//! shrink). Cells that fail get the cheapest path of further cells that closes such a cycle,
//! preferring inner cells to totals and small counts to large ones.
//!
//! The attacker here knows the threshold but not which hidden cells were primary, so upper
//! bounds (a primary cell is below the threshold) are not used; the aim, as in ONS practice, is
//! that no hidden count can be recovered exactly.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use thiserror::Error;

pub const DEFAULT_THRESHOLD: u64 = 10;
pub const MINIMUM_THRESHOLD: u64 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DisclosureError {
    #[error("a suppression threshold of {given} is below the minimum of {minimum}")]
    BelowMinimum { given: u64, minimum: u64 },
    #[error("cell ({row}, {column}) cannot be protected even with every cell hidden")]
    CannotProtect { row: usize, column: usize },
    #[error("the table has no cells")]
    Empty,
    #[error("row {row} has {found} cells where the first row has {expected}")]
    Ragged {
        row: usize,
        expected: usize,
        found: usize,
    },
}

/// The smallest count a report may show (default 10, never below 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold(u64);

impl Threshold {
    pub fn new(value: u64) -> Result<Self, DisclosureError> {
        if value < MINIMUM_THRESHOLD {
            return Err(DisclosureError::BelowMinimum {
                given: value,
                minimum: MINIMUM_THRESHOLD,
            });
        }
        Ok(Threshold(value))
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl Default for Threshold {
    fn default() -> Self {
        Threshold(DEFAULT_THRESHOLD)
    }
}

/// A published cell. Primary and secondary suppression look the same on purpose: telling them
/// apart would say which hidden counts are small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Count(u64),
    Suppressed,
}

impl Shown {
    pub fn count(self) -> Option<u64> {
        match self {
            Shown::Count(n) => Some(n),
            Shown::Suppressed => None,
        }
    }
}

/// A one-way table with its total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table1 {
    pub cells: Vec<Shown>,
    pub total: Shown,
    /// How many entries were hidden for being small, and how many to protect them.
    pub primary: usize,
    pub secondary: usize,
}

/// Suppress a one-way table that is published with its total.
pub fn suppress_1d(cells: &[u64], threshold: Threshold) -> Result<Table1, DisclosureError> {
    if cells.is_empty() {
        return Err(DisclosureError::Empty);
    }
    let t = threshold.get();
    let total: u64 = cells.iter().sum();
    let mut hidden: Vec<bool> = cells.iter().map(|c| *c < t).collect();
    let mut total_hidden = total < t;
    let primary = hidden.iter().filter(|h| **h).count() + usize::from(total_hidden);
    let mut secondary = 0;
    // With the total shown, hidden cells are safe when there are two or more and they do not
    // all have to be zero: each can then move against another.
    while !total_hidden {
        let hidden_sum: u64 = cells
            .iter()
            .zip(&hidden)
            .filter(|(_, h)| **h)
            .map(|(c, _)| c)
            .sum();
        let hidden_count = hidden.iter().filter(|h| **h).count();
        if hidden_count == 0 || (hidden_count >= 2 && hidden_sum > 0) {
            break;
        }
        let smallest_shown = (0..cells.len())
            .filter(|i| !hidden[*i])
            .min_by_key(|i| (cells[*i], *i));
        match smallest_shown {
            Some(i) => hidden[i] = true,
            None => total_hidden = true,
        }
        secondary += 1;
    }
    let show = |value: u64, hide: bool| {
        if hide {
            Shown::Suppressed
        } else {
            Shown::Count(value)
        }
    };
    Ok(Table1 {
        cells: cells
            .iter()
            .zip(&hidden)
            .map(|(c, h)| show(*c, *h))
            .collect(),
        total: show(total, total_hidden),
        primary,
        secondary,
    })
}

/// A two-way table with row totals, column totals and the grand total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table2 {
    pub cells: Vec<Vec<Shown>>,
    pub row_totals: Vec<Shown>,
    pub column_totals: Vec<Shown>,
    pub grand_total: Shown,
    pub primary: usize,
    pub secondary: usize,
}

/// (totals hidden, sum of counts hidden): compared in that order, so totals go last.
type Cost = (u64, u64);
/// (row, column) in the grid.
type Cell = (usize, usize);

/// The table with its margins as one grid: row `r` and column `c` are the totals.
struct Grid {
    r: usize,
    c: usize,
    value: Vec<Vec<u64>>,
    hidden: Vec<Vec<bool>>,
}

impl Grid {
    fn is_margin(&self, i: usize, j: usize) -> bool {
        (i == self.r) != (j == self.c)
    }

    /// Vertices: rows 0..=r, then columns as r+1+j. The arcs along which a hidden cell may move
    /// (a positive cell either way; a zero only the way that raises it), or an open cell with its
    /// cost of hiding.
    fn arcs(&self, from: usize, skip: (usize, usize)) -> Vec<(usize, (u64, u64))> {
        let rows = self.r + 1;
        let mut out = Vec::new();
        let (is_row, k) = if from < rows {
            (true, from)
        } else {
            (false, from - rows)
        };
        let others = if is_row { self.c + 1 } else { rows };
        for o in 0..others {
            let (i, j) = if is_row { (k, o) } else { (o, k) };
            if (i, j) == skip {
                continue;
            }
            let to = if is_row { rows + j } else { i };
            let v = self.value[i][j];
            if !self.hidden[i][j] {
                out.push((to, (u64::from(self.is_margin(i, j)), v)));
            } else if v > 0 || (is_row != self.is_margin(i, j)) {
                // A hidden zero rises when an inner cell is crossed row -> column, or a margin
                // column -> row (margins are negated in the zero-sum grid).
                out.push((to, (0, 0)));
            }
        }
        out
    }

    /// Cheapest path between two vertices that avoids the cell `skip`: the open cells on it.
    fn cheapest_path(
        &self,
        from: usize,
        to: usize,
        skip: (usize, usize),
    ) -> Option<(Cost, Vec<Cell>)> {
        let n = self.r + self.c + 2;
        let mut best = vec![None; n];
        let mut back: Vec<Option<usize>> = vec![None; n];
        let mut heap = BinaryHeap::new();
        best[from] = Some((0, 0));
        heap.push(Reverse(((0u64, 0u64), from)));
        while let Some(Reverse((cost, at))) = heap.pop() {
            if best[at].is_some_and(|b| b < cost) {
                continue;
            }
            if at == to {
                break;
            }
            for (next, (margins, value)) in self.arcs(at, skip) {
                let c = (cost.0 + margins, cost.1 + value);
                if best[next].is_none_or(|b| c < b) {
                    best[next] = Some(c);
                    back[next] = Some(at);
                    heap.push(Reverse((c, next)));
                }
            }
        }
        let cost = best[to]?;
        let rows = self.r + 1;
        let mut cells = Vec::new();
        let mut at = to;
        while let Some(prev) = back[at] {
            let (row, col) = if prev < rows {
                (prev, at - rows)
            } else {
                (at, prev - rows)
            };
            if !self.hidden[row][col] {
                cells.push((row, col));
            }
            at = prev;
            if at == from {
                break;
            }
        }
        Some((cost, cells))
    }

    /// The cells to hide so that `(i, j)` can move; empty when it already can.
    fn protection(&self, i: usize, j: usize) -> Option<Vec<(usize, usize)>> {
        let row = i;
        let col = self.r + 1 + j;
        // Moving the cell up as an inner cell means crossing row -> column and coming back.
        let raises_inner = !self.is_margin(i, j);
        let mut options = Vec::new();
        if self.value[i][j] > 0 || raises_inner {
            options.extend(self.cheapest_path(col, row, (i, j)));
        }
        if self.value[i][j] > 0 || !raises_inner {
            options.extend(self.cheapest_path(row, col, (i, j)));
        }
        options
            .into_iter()
            .min_by_key(|(cost, _)| *cost)
            .map(|(_, cells)| cells)
    }
}

/// Suppress a two-way table published with row, column and grand totals.
pub fn suppress_2d(rows: &[Vec<u64>], threshold: Threshold) -> Result<Table2, DisclosureError> {
    let c = rows.first().map(Vec::len).unwrap_or(0);
    if c == 0 {
        return Err(DisclosureError::Empty);
    }
    if let Some((row, found)) = rows.iter().map(Vec::len).enumerate().find(|(_, l)| *l != c) {
        return Err(DisclosureError::Ragged {
            row,
            expected: c,
            found,
        });
    }
    let r = rows.len();
    let mut value: Vec<Vec<u64>> = rows
        .iter()
        .map(|row| row.iter().copied().chain([row.iter().sum()]).collect())
        .collect();
    value.push(
        (0..=c)
            .map(|j| value.iter().map(|row| row[j]).sum())
            .collect(),
    );
    let t = threshold.get();
    let hidden = value
        .iter()
        .map(|row| row.iter().map(|v| *v < t).collect())
        .collect();
    let mut grid = Grid {
        r,
        c,
        value,
        hidden,
    };
    let primary = grid.hidden.iter().flatten().filter(|h| **h).count();

    let mut changed = true;
    while changed {
        changed = false;
        for i in 0..=r {
            for j in 0..=c {
                if !grid.hidden[i][j] {
                    continue;
                }
                let add = match grid.protection(i, j) {
                    Some(cells) => cells,
                    // Not expected (open cells connect every row to every column), but never
                    // publish an unprotected cell: hide everything and check again.
                    None if grid.hidden.iter().flatten().any(|h| !h) => {
                        grid.hidden.iter_mut().flatten().for_each(|h| *h = true);
                        changed = true;
                        continue;
                    }
                    None => return Err(DisclosureError::CannotProtect { row: i, column: j }),
                };
                for (a, b) in add {
                    grid.hidden[a][b] = true;
                    changed = true;
                }
            }
        }
    }
    let secondary = grid.hidden.iter().flatten().filter(|h| **h).count() - primary;
    let show = |i: usize, j: usize| {
        if grid.hidden[i][j] {
            Shown::Suppressed
        } else {
            Shown::Count(grid.value[i][j])
        }
    };
    Ok(Table2 {
        cells: (0..r)
            .map(|i| (0..c).map(|j| show(i, j)).collect())
            .collect(),
        row_totals: (0..r).map(|i| show(i, c)).collect(),
        column_totals: (0..c).map(|j| show(r, j)).collect(),
        grand_total: show(r, c),
        primary,
        secondary,
    })
}
