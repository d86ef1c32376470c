//! Tertiles of time given, with cut points fixed by a rule rather than by the order of input.

use crate::analytics::published::hours_text;

/// Cut points of the minutes given by the people analysed, by the nearest-rank rule.
///
/// With the n values sorted ascending as v(1) <= ... <= v(n), the cut points are
/// `first_up_to = v(ceil(n/3))` and `second_up_to = v(ceil(2n/3))`. A person is in
/// - tertile 1 when their minutes are at most `first_up_to`,
/// - tertile 2 when above it and at most `second_up_to`,
/// - tertile 3 when above `second_up_to`.
///
/// People with equal minutes are always in the same tertile, so with ties the tertiles are
/// unequal, and one can be empty (everyone with the same minutes is all in tertile 1). The
/// result depends only on the multiset of minutes, never on their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoseTertiles {
    pub first_up_to: u64,
    pub second_up_to: u64,
}

impl DoseTertiles {
    /// `None` when there is nobody.
    pub fn of(minutes: &[u64]) -> Option<Self> {
        if minutes.is_empty() {
            return None;
        }
        let mut sorted = minutes.to_vec();
        sorted.sort_unstable();
        let n = sorted.len();
        let at_rank = |rank: usize| sorted[rank.max(1) - 1];
        Some(DoseTertiles {
            first_up_to: at_rank(n.div_ceil(3)),
            second_up_to: at_rank((2 * n).div_ceil(3)),
        })
    }

    /// 1, 2 or 3.
    pub fn tertile(&self, minutes: u64) -> u8 {
        if minutes <= self.first_up_to {
            1
        } else if minutes <= self.second_up_to {
            2
        } else {
            3
        }
    }

    /// How tertile `1..=3` reads, in hours: "up to 2:00", "over 2:00 up to 5:30", "over 5:30".
    pub fn label(&self, tertile: u8) -> String {
        let h = |m: u64| hours_text(i64::try_from(m).unwrap_or(i64::MAX));
        match tertile {
            1 => format!("up to {}", h(self.first_up_to)),
            2 => format!(
                "over {} up to {}",
                h(self.first_up_to),
                h(self.second_up_to)
            ),
            _ => format!("over {}", h(self.second_up_to)),
        }
    }
}
