//! An in-memory ledger: the reference model that storage backends are
//! checked against, and a way to exercise the rules without a database.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::{
    Account, AccountId, AccountState, BatchRejected, Plan, PostingRequest, Snapshot, Transfer,
    TransferId, Verifier, VerifyReport,
};

#[derive(Clone, Debug, Default)]
pub struct MemoryLedger {
    accounts: HashMap<AccountId, AccountState>,
    transfers: Vec<Transfer>,
    by_id: HashMap<TransferId, usize>,
    reversed_by: HashMap<TransferId, TransferId>,
}

impl MemoryLedger {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn open_account(&mut self, account: Account) {
        let balance = account.tracks_balance().then_some(0);
        self.accounts.insert(
            account.id,
            AccountState {
                account,
                balance_minutes: balance,
            },
        );
    }

    pub fn account_mut(&mut self, id: AccountId) -> Option<&mut Account> {
        self.accounts.get_mut(&id).map(|s| &mut s.account)
    }

    /// Posts a batch exactly as a storage backend does: load a snapshot,
    /// plan, then apply the plan.
    pub fn post(
        &mut self,
        requests: &[PostingRequest],
        at: DateTime<Utc>,
    ) -> Result<Plan, BatchRejected> {
        let mut snapshot = Snapshot::new();
        for id in Snapshot::transfer_ids_needed(requests) {
            if let Some(&i) = self.by_id.get(&id) {
                snapshot.add_transfer(self.transfers[i].clone());
            }
            if let Some(&r) = self.reversed_by.get(&id) {
                snapshot.add_reversal(id, r);
            }
        }
        for id in snapshot.account_ids_needed(requests) {
            if let Some(state) = self.accounts.get(&id) {
                snapshot.add_account(state.clone());
            }
        }
        let plan = snapshot.plan(requests, at)?;
        for t in plan.new_transfers() {
            self.by_id.insert(t.id, self.transfers.len());
            if let Some(original) = t.reverses {
                self.reversed_by.insert(original, t.id);
            }
            self.transfers.push(t.clone());
        }
        for &(account, delta) in &plan.balance_changes {
            if let Some(b) = self
                .accounts
                .get_mut(&account)
                .and_then(|s| s.balance_minutes.as_mut())
            {
                *b += delta;
            }
        }
        Ok(plan)
    }

    /// The balance of an account, summing postings for untracked accounts.
    pub fn balance(&self, id: AccountId) -> Option<i64> {
        let state = self.accounts.get(&id)?;
        Some(
            state
                .balance_minutes
                .unwrap_or_else(|| self.transfers.iter().map(|t| t.delta_for(id)).sum()),
        )
    }

    pub fn transfer(&self, id: TransferId) -> Option<&Transfer> {
        self.by_id.get(&id).map(|&i| &self.transfers[i])
    }

    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }

    pub fn accounts(&self) -> impl Iterator<Item = &AccountState> {
        self.accounts.values()
    }

    pub fn verify(&self) -> VerifyReport {
        let mut verifier = Verifier::new(
            self.transfers
                .iter()
                .filter(|t| t.reverses.is_some())
                .cloned(),
        );
        for t in &self.transfers {
            verifier.transfer(t);
        }
        verifier.finish(self.accounts.values().cloned())
    }
}
