//! The circulation summary: what happened to a programme's credits in a
//! period, reconciled exactly with the ledger.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::{AccountId, Transfer, TransferId, TransferKind};

/// A programme's credits over `[from, to)`, all in minutes, each movement
/// net of the reversals posted in the period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Circulation {
    /// Credits held by members, organisations and pots at `from`.
    pub opening_outstanding: i64,
    /// Created for time given: issued from the programme's issuance account.
    pub issued: i64,
    /// Issued again by partners from credits they had received.
    pub reissued: i64,
    pub redeemed: i64,
    pub gifted: i64,
    pub exchanged: i64,
    pub retired: i64,
    pub expired: i64,
    /// Credits held by members, organisations and pots at `to`.
    pub closing_outstanding: i64,
}

impl Circulation {
    /// Credits are created only by issuance and destroyed only by
    /// retirement or expiry: the closing figure must follow from the
    /// opening one. Anything else means the summary or the ledger is wrong.
    pub fn reconciles(&self) -> bool {
        self.opening_outstanding + self.issued - self.retired - self.expired
            == self.closing_outstanding
    }
}

/// The programme's own accounts, which hold no circulating credits.
#[derive(Clone, Copy, Debug)]
pub struct ProgrammeAccounts {
    pub issuance: AccountId,
    pub retired: AccountId,
    pub expired: AccountId,
}

/// Summarises every transfer of one programme posted before `to` (in any
/// order of posting). Transfers before `from` only set the opening figure.
pub fn summarise(
    transfers: &[Transfer],
    accounts: ProgrammeAccounts,
    from: Option<DateTime<Utc>>,
    to: DateTime<Utc>,
) -> Circulation {
    let kinds: HashMap<TransferId, (TransferKind, AccountId)> = transfers
        .iter()
        .map(|t| (t.id, (t.kind, t.debit)))
        .collect();
    // Credits in circulation are minus what the three programme accounts
    // hold together: the issuance account goes negative as credits go out,
    // retired and expired hold what came back.
    let outside = |t: &Transfer| -> i64 {
        let held =
            |a: AccountId| a == accounts.issuance || a == accounts.retired || a == accounts.expired;
        match (held(t.debit), held(t.credit)) {
            (true, false) => t.amount.get(),
            (false, true) => -t.amount.get(),
            _ => 0,
        }
    };
    let mut c = Circulation::default();
    for t in transfers.iter().filter(|t| t.at < to) {
        let in_period = from.is_none_or(|f| t.at >= f);
        if !in_period {
            c.opening_outstanding += outside(t);
            continue;
        }
        c.closing_outstanding += outside(t);
        // A reversal counts against the kind it undoes.
        let (kind, debit, sign) = match t.reverses.and_then(|o| kinds.get(&o)) {
            Some(&(kind, debit)) => (kind, debit, -1),
            None => (t.kind, t.debit, 1),
        };
        let amount = sign * t.amount.get();
        match kind {
            TransferKind::Issue if debit == accounts.issuance => c.issued += amount,
            TransferKind::Issue => c.reissued += amount,
            TransferKind::Redeem => c.redeemed += amount,
            TransferKind::Gift => c.gifted += amount,
            TransferKind::Exchange => c.exchanged += amount,
            TransferKind::Retire => c.retired += amount,
            TransferKind::Expire => c.expired += amount,
            TransferKind::Reverse => {}
        }
    }
    c.closing_outstanding += c.opening_outstanding;
    c
}
