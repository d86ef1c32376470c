//! Recomputing the ledger from its postings and checking every invariant.

use std::collections::HashMap;

use crate::{AccountId, AccountState, Floor, Transfer, TransferId, TransferKind};

/// A stored balance that does not equal the sum of its postings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalanceMismatch {
    pub account: AccountId,
    pub stored_minutes: i64,
    pub computed_minutes: i64,
}

/// What `verify` found. The ledger is sound when [`is_ok`](Self::is_ok).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub transfers: u64,
    pub accounts: u64,
    /// The sum of every posting: zero in a sound ledger.
    pub sum_of_postings_minutes: i128,
    pub mismatches: Vec<BalanceMismatch>,
    /// Any other broken invariant, in words.
    pub problems: Vec<String>,
    /// Each account's balance recomputed from postings.
    pub computed: HashMap<AccountId, i64>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.sum_of_postings_minutes == 0 && self.mismatches.is_empty() && self.problems.is_empty()
    }
}

struct ReversalInfo {
    reversal: TransferId,
    debit: AccountId,
    credit: AccountId,
    amount: i64,
    seen_original: bool,
}

/// Streams every transfer once, keeping only per-account sums and the
/// (few) reversals in memory, so it scales to very large ledgers.
pub struct Verifier {
    report: VerifyReport,
    reversals: HashMap<TransferId, ReversalInfo>,
}

impl Verifier {
    /// Starts a check. `reversals` are every transfer that reverses another,
    /// given first so their originals can be checked as they stream past.
    pub fn new(reversals: impl IntoIterator<Item = Transfer>) -> Self {
        let mut report = VerifyReport::default();
        let mut map = HashMap::new();
        for r in reversals {
            let Some(original) = r.reverses else {
                report.problems.push(format!(
                    "transfer {} was listed as a reversal but reverses nothing",
                    r.id
                ));
                continue;
            };
            let info = ReversalInfo {
                reversal: r.id,
                debit: r.debit,
                credit: r.credit,
                amount: r.amount.get(),
                seen_original: false,
            };
            if let Some(first) = map.insert(original, info) {
                report.problems.push(format!(
                    "transfer {original} is reversed twice, by {} and by {}",
                    first.reversal, r.id
                ));
            }
        }
        Self {
            report,
            reversals: map,
        }
    }

    /// Adds one transfer's postings.
    pub fn transfer(&mut self, t: &Transfer) {
        self.report.transfers += 1;
        let amount = t.amount.get();
        if amount <= 0 {
            self.report.problems.push(format!(
                "transfer {} has a non-positive amount {amount}",
                t.id
            ));
        }
        if (t.kind == TransferKind::Reverse) != t.reverses.is_some() {
            self.report.problems.push(format!(
                "transfer {} has kind {} but reverses {:?}",
                t.id,
                t.kind.as_str(),
                t.reverses
            ));
        }
        *self.report.computed.entry(t.debit).or_default() -= amount;
        *self.report.computed.entry(t.credit).or_default() += amount;
        if let Some(info) = self.reversals.get_mut(&t.id) {
            info.seen_original = true;
            if info.debit != t.credit || info.credit != t.debit || info.amount != amount {
                self.report.problems.push(format!(
                    "reversal {} does not mirror transfer {} (accounts or amount differ)",
                    info.reversal, t.id
                ));
            }
            if t.reverses.is_some() {
                self.report.problems.push(format!(
                    "reversal {} reverses another reversal {}",
                    info.reversal, t.id
                ));
            }
        }
    }

    /// Compares stored balances with the recomputed ones and checks limits.
    ///
    /// The sum of postings is taken over the accounts as stored: a tracked
    /// account contributes its stored balance, an untracked one its
    /// recomputed balance. So a balance row that drifted from its postings
    /// shows both as a mismatch and as a non-zero sum.
    pub fn finish(mut self, accounts: impl IntoIterator<Item = AccountState>) -> VerifyReport {
        for (original, info) in &self.reversals {
            if !info.seen_original {
                self.report.problems.push(format!(
                    "reversal {} points at missing transfer {original}",
                    info.reversal
                ));
            }
        }
        let mut unseen: std::collections::HashSet<AccountId> =
            self.report.computed.keys().copied().collect();
        let mut sum: i128 = 0;
        for state in accounts {
            self.report.accounts += 1;
            let id = state.account.id;
            unseen.remove(&id);
            let computed = self.report.computed.get(&id).copied().unwrap_or(0);
            sum += i128::from(state.balance_minutes.unwrap_or(computed));
            if let Some(stored) = state.balance_minutes
                && stored != computed
            {
                self.report.mismatches.push(BalanceMismatch {
                    account: id,
                    stored_minutes: stored,
                    computed_minutes: computed,
                });
            }
            if let Floor::AtLeast(floor) = state.account.floor {
                let limit = floor - state.account.exchange_overdraft_minutes.max(0);
                if computed < limit {
                    self.report.problems.push(format!(
                        "account {id} holds {computed} minutes, below its limit of {limit}"
                    ));
                }
            }
        }
        for id in unseen {
            self.report
                .problems
                .push(format!("postings name account {id}, which does not exist"));
            sum += i128::from(self.report.computed[&id]);
        }
        self.report.sum_of_postings_minutes = sum;
        self.report
    }
}
