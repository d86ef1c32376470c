//! Secondary suppression for counts linked as flows in a network, the general form of the
//! criterion `disclosure::suppress_2d` applies to a table with its totals.
//!
//! Each count is an edge carrying that many people from one node to another, and at every node
//! as many arrive as leave (a group's n is split among its bands, a band's people into those
//! who moved out and those who stayed). The values the hidden counts could take instead differ
//! from the true ones by a circulation on the hidden edges, so a hidden count can be worked out
//! exactly when it lies on no cycle of hidden edges along which each can move by one: a
//! positive count either way, a zero only up (counts are never negative). Known edges (shown
//! here or published elsewhere) never move. A hidden edge on no such cycle gets the cheapest
//! path of shown edges that closes one (smallest counts first), as `suppress_2d` does.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What the reader knows of an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    /// Published elsewhere (or known to be zero): never hidden to protect another.
    Known,
    /// Shown, unless needed to protect a hidden edge.
    Open,
    Hidden,
}

#[derive(Debug, Clone)]
pub(super) struct Edge {
    pub from: usize,
    pub to: usize,
    pub value: u64,
    pub state: State,
}

pub(super) struct Network {
    pub nodes: usize,
    pub edges: Vec<Edge>,
}

impl Network {
    pub fn add(&mut self, from: usize, to: usize, value: u64, state: State) -> usize {
        self.edges.push(Edge {
            from,
            to,
            value,
            state,
        });
        self.edges.len() - 1
    }

    /// Hide open edges until no hidden edge can be worked out; `false` when some hidden edge
    /// cannot be protected without hiding a known one.
    pub fn protect(&mut self) -> bool {
        let mut changed = true;
        while changed {
            changed = false;
            for e in 0..self.edges.len() {
                if self.edges[e].state != State::Hidden {
                    continue;
                }
                let Some(add) = self.protection(e) else {
                    return false;
                };
                for f in add {
                    self.edges[f].state = State::Hidden;
                    changed = true;
                }
            }
        }
        true
    }

    /// The open edges to hide so that `e` lies on a cycle along which it can move; empty when
    /// it already does, `None` when no such cycle exists.
    fn protection(&self, e: usize) -> Option<Vec<usize>> {
        let edge = &self.edges[e];
        let mut options = Vec::new();
        // Up: cross `e` forward, then come back from its head to its tail.
        options.extend(self.cheapest_path(edge.to, edge.from, e));
        if edge.value > 0 {
            options.extend(self.cheapest_path(edge.from, edge.to, e));
        }
        options
            .into_iter()
            .min_by_key(|(cost, _)| *cost)
            .map(|(_, path)| path)
    }

    /// Steps out of `at` a change may take: over a hidden edge forward, or backward when it
    /// is positive; over an open edge either way (open edges are never zero), at its value.
    fn steps(&self, at: usize, skip: usize) -> impl Iterator<Item = (usize, usize, u64)> + '_ {
        self.edges
            .iter()
            .enumerate()
            .filter(move |(f, _)| *f != skip)
            .filter_map(move |(f, edge)| {
                let next = if edge.from == at {
                    edge.to
                } else if edge.to == at {
                    edge.from
                } else {
                    return None;
                };
                let forward = edge.from == at;
                match edge.state {
                    State::Known => None,
                    State::Hidden if forward || edge.value > 0 => Some((next, f, 0)),
                    State::Hidden => None,
                    State::Open => Some((next, f, edge.value)),
                }
            })
    }

    /// Cheapest path from `from` to `to` avoiding edge `skip`: its cost and its open edges.
    fn cheapest_path(&self, from: usize, to: usize, skip: usize) -> Option<(u64, Vec<usize>)> {
        let mut best: Vec<Option<u64>> = vec![None; self.nodes];
        let mut back: Vec<Option<(usize, usize)>> = vec![None; self.nodes];
        let mut heap = BinaryHeap::new();
        best[from] = Some(0);
        heap.push(Reverse((0u64, from)));
        while let Some(Reverse((cost, at))) = heap.pop() {
            if best[at].is_some_and(|b| b < cost) {
                continue;
            }
            if at == to {
                break;
            }
            for (next, f, step) in self.steps(at, skip) {
                let c = cost + step;
                if best[next].is_none_or(|b| c < b) {
                    best[next] = Some(c);
                    back[next] = Some((at, f));
                    heap.push(Reverse((c, next)));
                }
            }
        }
        let cost = best[to]?;
        let mut open = Vec::new();
        let mut at = to;
        while at != from {
            let (prev, f) = back[at]?;
            if self.edges[f].state == State::Open {
                open.push(f);
            }
            at = prev;
        }
        Some((cost, open))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(edges: &[(usize, usize, u64, State)]) -> Network {
        let mut n = Network {
            nodes: 1 + edges.iter().map(|e| e.0.max(e.1)).max().unwrap_or(0),
            edges: Vec::new(),
        };
        for (from, to, value, state) in edges {
            n.add(*from, *to, *value, *state);
        }
        n
    }

    #[test]
    fn a_lone_hidden_edge_takes_the_cheapest_partners() {
        use State::{Hidden as H, Known as K, Open as O};
        // Groups 1, 2 and 5 (n 20, 20, 30) split between sinks 3 and 4; 1 -> 3 (3) is
        // hidden. Its cycle must leave node 1 by 1 -> 4, and comes back through group 2
        // (9 + 11) rather than group 5 (5 + 25).
        let mut n = network(&[
            (0, 1, 20, K),
            (0, 2, 20, K),
            (1, 3, 3, H),
            (1, 4, 17, O),
            (2, 3, 9, O),
            (2, 4, 11, O),
            (3, 0, 17, K),
            (4, 0, 53, K),
            (0, 5, 30, K),
            (5, 3, 5, O),
            (5, 4, 25, O),
        ]);
        assert!(n.protect());
        let states: Vec<State> = n.edges.iter().map(|e| e.state).collect();
        assert_eq!(states, [K, K, H, H, H, H, K, K, K, O, O]);
    }

    #[test]
    fn a_zero_that_can_only_fall_is_not_protectable() {
        use State::{Hidden as H, Known as K};
        // Node 1 passes on all it gets: 0 -> 1 is known to be zero, so 1 -> 2 must be too.
        let mut n = network(&[(0, 1, 0, K), (1, 2, 0, H), (2, 0, 0, K)]);
        assert!(!n.protect());
    }
}
