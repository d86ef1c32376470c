//! Deciding a batch of posting requests against a snapshot of the accounts
//! it touches. Storage loads the snapshot and writes the plan inside one
//! transaction, so every check here is atomic with the write.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::{
    AccountId, AccountKind, AccountState, AccountStatus, Floor, LedgerError, Movement,
    PostingRequest, Transfer, TransferId, TransferKind,
};

/// The longest reason a transfer may carry.
pub const MAX_REASON_CHARS: usize = 500;

/// The result for one request of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new transfer, to be written.
    Posted(Transfer),
    /// The request was a retry of this transfer; nothing new is written.
    Existing(Transfer),
}

impl Outcome {
    pub fn transfer(&self) -> &Transfer {
        match self {
            Self::Posted(t) | Self::Existing(t) => t,
        }
    }
    pub fn is_new(&self) -> bool {
        matches!(self, Self::Posted(_))
    }
}

/// A batch is all or nothing: the first refused request refuses it whole.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("request {index} of the batch was refused: {error}")]
pub struct BatchRejected {
    pub index: usize,
    pub error: LedgerError,
}

/// What storage must write for an accepted batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub outcomes: Vec<Outcome>,
    /// Net change per account whose balance is tracked, in first-touched order.
    pub balance_changes: Vec<(AccountId, i64)>,
}

impl Plan {
    pub fn new_transfers(&self) -> impl Iterator<Item = &Transfer> {
        self.outcomes
            .iter()
            .filter(|o| o.is_new())
            .map(Outcome::transfer)
    }
}

/// The part of the ledger a batch needs: its accounts with balances, the
/// transfers it names (by its own ids, or as reversal targets), and which of
/// those targets were already reversed.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    accounts: HashMap<AccountId, AccountState>,
    transfers: HashMap<TransferId, Transfer>,
    reversed_by: HashMap<TransferId, TransferId>,
}

impl Snapshot {
    pub fn new() -> Self {
        Self::default()
    }

    /// The transfer ids storage must look up before planning: each request's
    /// own id (for idempotency) and each reversal's original.
    pub fn transfer_ids_needed(requests: &[PostingRequest]) -> Vec<TransferId> {
        let mut ids = Vec::with_capacity(requests.len());
        for r in requests {
            ids.push(r.id);
            if let Movement::Reverse { original } = r.movement {
                ids.push(original);
            }
        }
        ids.sort();
        ids.dedup();
        ids
    }

    /// The accounts storage must load, once the named transfers are in.
    pub fn account_ids_needed(&self, requests: &[PostingRequest]) -> Vec<AccountId> {
        let mut ids = Vec::with_capacity(requests.len() * 2);
        for r in requests {
            match r.movement {
                Movement::Move { debit, credit, .. } => ids.extend([debit, credit]),
                Movement::Reverse { original } => {
                    if let Some(t) = self.transfers.get(&original) {
                        ids.extend([t.debit, t.credit]);
                    }
                }
            }
        }
        ids.sort();
        ids.dedup();
        ids
    }

    pub fn add_account(&mut self, state: AccountState) {
        self.accounts.insert(state.account.id, state);
    }

    pub fn add_transfer(&mut self, transfer: Transfer) {
        self.transfers.insert(transfer.id, transfer);
    }

    /// Records that `original` was reversed by `reversal`.
    pub fn add_reversal(&mut self, original: TransferId, reversal: TransferId) {
        self.reversed_by.insert(original, reversal);
    }

    pub fn account(&self, id: AccountId) -> Option<&AccountState> {
        self.accounts.get(&id)
    }

    /// Decides every request in order, as if each were applied before the
    /// next. Either all are accepted or the batch is refused whole.
    pub fn plan(
        mut self,
        requests: &[PostingRequest],
        at: DateTime<Utc>,
    ) -> Result<Plan, BatchRejected> {
        let mut outcomes = Vec::with_capacity(requests.len());
        let mut changes: Vec<(AccountId, i64)> = Vec::new();
        for (index, request) in requests.iter().enumerate() {
            let outcome = self
                .decide(request, at)
                .map_err(|error| BatchRejected { index, error })?;
            if let Outcome::Posted(t) = &outcome {
                for (account, delta) in [(t.debit, -t.amount.get()), (t.credit, t.amount.get())] {
                    if self.accounts[&account].balance_minutes.is_some() {
                        match changes.iter_mut().find(|(a, _)| *a == account) {
                            Some((_, total)) => *total += delta,
                            None => changes.push((account, delta)),
                        }
                    }
                }
            }
            outcomes.push(outcome);
        }
        Ok(Plan {
            outcomes,
            balance_changes: changes,
        })
    }

    fn decide(
        &mut self,
        request: &PostingRequest,
        at: DateTime<Utc>,
    ) -> Result<Outcome, LedgerError> {
        if let Some(existing) = self.transfers.get(&request.id) {
            return if existing.answers(request) {
                Ok(Outcome::Existing(existing.clone()))
            } else {
                Err(LedgerError::IdempotencyConflict(request.id))
            };
        }
        let reason_len = request.reason.chars().count();
        if reason_len > MAX_REASON_CHARS {
            return Err(LedgerError::ReasonTooLong {
                len: reason_len,
                max: MAX_REASON_CHARS,
            });
        }
        let (kind, debit, credit, amount, reverses) = match request.movement {
            Movement::Move {
                kind,
                debit,
                credit,
                amount,
            } => {
                if kind == TransferKind::Reverse {
                    return Err(LedgerError::KindNotAllowed {
                        kind: "reverse",
                        from: "any",
                        to: "any",
                    });
                }
                (kind, debit, credit, amount, None)
            }
            Movement::Reverse { original } => {
                let t = self.reversible(original)?;
                (
                    TransferKind::Reverse,
                    t.credit,
                    t.debit,
                    t.amount,
                    Some(original),
                )
            }
        };
        if debit == credit {
            return Err(LedgerError::SameAccount);
        }
        let from = self.open_account(debit)?;
        let to = self.open_account(credit)?;
        if from.account.programme != to.account.programme {
            return Err(LedgerError::ProgrammeMismatch);
        }
        let programme = from.account.programme;
        // A reversal undoes what was allowed before; only the floor is checked again.
        if reverses.is_none() && !kind_allows(kind, from.account.kind, to.account.kind) {
            return Err(LedgerError::KindNotAllowed {
                kind: kind.as_str(),
                from: from.account.kind.as_str(),
                to: to.account.kind.as_str(),
            });
        }
        let overdraft_applies = match reverses {
            Some(original) => self.transfers[&original].kind == TransferKind::Exchange,
            None => kind == TransferKind::Exchange,
        };
        check_floor(from, amount.get(), overdraft_applies)?;

        let transfer = Transfer {
            id: request.id,
            programme,
            kind,
            debit,
            credit,
            amount,
            actor: request.actor,
            at,
            reason: request.reason.clone(),
            cause: request.cause,
            reverses,
        };
        self.apply(&transfer);
        Ok(Outcome::Posted(transfer))
    }

    fn reversible(&self, original: TransferId) -> Result<&Transfer, LedgerError> {
        let t = self
            .transfers
            .get(&original)
            .ok_or(LedgerError::UnknownTransfer(original))?;
        if t.reverses.is_some() {
            return Err(LedgerError::CannotReverseReversal(original));
        }
        if let Some(&reversal) = self.reversed_by.get(&original) {
            return Err(LedgerError::AlreadyReversed { original, reversal });
        }
        Ok(t)
    }

    fn open_account(&self, id: AccountId) -> Result<&AccountState, LedgerError> {
        let state = self
            .accounts
            .get(&id)
            .ok_or(LedgerError::UnknownAccount(id))?;
        if state.account.status == AccountStatus::Closed {
            return Err(LedgerError::AccountClosed(id));
        }
        Ok(state)
    }

    fn apply(&mut self, t: &Transfer) {
        for (account, delta) in [(t.debit, -t.amount.get()), (t.credit, t.amount.get())] {
            if let Some(balance) = self
                .accounts
                .get_mut(&account)
                .and_then(|s| s.balance_minutes.as_mut())
            {
                *balance += delta;
            }
        }
        if let Some(original) = t.reverses {
            self.reversed_by.insert(original, t.id);
        }
        self.transfers.insert(t.id, t.clone());
    }
}

fn check_floor(
    from: &AccountState,
    amount: i64,
    overdraft_applies: bool,
) -> Result<(), LedgerError> {
    let Floor::AtLeast(floor) = from.account.floor else {
        return Ok(());
    };
    let overdraft = if overdraft_applies {
        from.account.exchange_overdraft_minutes.max(0)
    } else {
        0
    };
    let limit = floor - overdraft;
    // A tracked account always has its balance loaded; treat a missing one as empty.
    let balance = from.balance_minutes.unwrap_or(0);
    if balance - amount < limit {
        return Err(LedgerError::InsufficientCredits {
            account: from.account.id,
            available_minutes: (balance - limit).max(0),
            requested_minutes: amount,
        });
    }
    Ok(())
}

/// Which account kinds each transfer kind may move credits between.
fn kind_allows(kind: TransferKind, from: AccountKind, to: AccountKind) -> bool {
    use AccountKind as A;
    match kind {
        TransferKind::Issue => {
            matches!(
                (from, to),
                (A::Issuance, A::Member | A::Organisation) | (A::Organisation, A::Member)
            )
        }
        TransferKind::Redeem => from == A::Member && to == A::Organisation,
        TransferKind::Gift => {
            matches!(from, A::Member | A::OrganisationPot | A::CommunityPot)
                && matches!(to, A::Member | A::OrganisationPot | A::CommunityPot)
        }
        TransferKind::Exchange => from == A::Member && to == A::Member,
        TransferKind::Retire => {
            matches!(from, A::Organisation | A::OrganisationPot | A::CommunityPot)
                && to == A::Retired
        }
        TransferKind::Expire => from == A::Member && to == A::Expired,
        TransferKind::Reverse => false,
    }
}
