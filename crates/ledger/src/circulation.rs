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
    /// Adds a movement to the figure of the kind that counts (a reversal
    /// passes a negative amount against its original's kind).
    fn count(&mut self, kind: TransferKind, from_issuance: bool, amount: i64) {
        match kind {
            TransferKind::Issue if from_issuance => self.issued += amount,
            TransferKind::Issue => self.reissued += amount,
            TransferKind::Redeem => self.redeemed += amount,
            TransferKind::Gift => self.gifted += amount,
            TransferKind::Exchange => self.exchanged += amount,
            TransferKind::Retire => self.retired += amount,
            TransferKind::Expire => self.expired += amount,
            TransferKind::Reverse => {}
        }
    }

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

/// Transfers summed by everything the summary asks of each one. A store
/// computes these with one `GROUP BY` instead of handing over every
/// transfer; [`group`] is the same grouping in Rust, the reference it is
/// tested against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GroupKey {
    /// Posted in `[from, to)`; otherwise before `from`, setting the opening figure.
    pub in_period: bool,
    /// +1 when credits leave the programme's own accounts, -1 when they come
    /// back, 0 when neither or both sides are the programme's.
    pub outside: i8,
    /// The kind that counts: a reversal's original kind.
    pub kind: TransferKind,
    /// The counted transfer's debit is the issuance account (an issue from
    /// there is new credit; from a partner it is reissued).
    pub from_issuance: bool,
    /// A reversal, which counts against the kind it undoes.
    pub reversal: bool,
}

/// The summed minutes of one group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Group {
    pub key: GroupKey,
    pub minutes: i64,
}

/// The reference grouping of every transfer posted before `to` (a reversal
/// whose original is not among them counts as its own kind, `Reverse`,
/// which no figure takes).
pub fn group(
    transfers: &[Transfer],
    accounts: ProgrammeAccounts,
    from: Option<DateTime<Utc>>,
    to: DateTime<Utc>,
) -> Vec<Group> {
    let kinds: HashMap<TransferId, (TransferKind, AccountId)> = transfers
        .iter()
        .map(|t| (t.id, (t.kind, t.debit)))
        .collect();
    let held =
        |a: AccountId| a == accounts.issuance || a == accounts.retired || a == accounts.expired;
    let mut sums: HashMap<GroupKey, i64> = HashMap::new();
    for t in transfers.iter().filter(|t| t.at < to) {
        let original = t.reverses.and_then(|o| kinds.get(&o));
        let (kind, debit) = original.copied().unwrap_or((t.kind, t.debit));
        let key = GroupKey {
            in_period: from.is_none_or(|f| t.at >= f),
            outside: match (held(t.debit), held(t.credit)) {
                (true, false) => 1,
                (false, true) => -1,
                _ => 0,
            },
            kind,
            from_issuance: debit == accounts.issuance,
            reversal: original.is_some(),
        };
        *sums.entry(key).or_default() += t.amount.get();
    }
    sums.into_iter()
        .map(|(key, minutes)| Group { key, minutes })
        .collect()
}

/// The summary from grouped sums (in any order, a key possibly repeated).
pub fn summarise_groups(groups: &[Group]) -> Circulation {
    let mut c = Circulation::default();
    for g in groups {
        let k = g.key;
        let outside = i64::from(k.outside) * g.minutes;
        if !k.in_period {
            c.opening_outstanding += outside;
            continue;
        }
        c.closing_outstanding += outside;
        let amount = if k.reversal { -g.minutes } else { g.minutes };
        c.count(k.kind, k.from_issuance, amount);
    }
    c.closing_outstanding += c.opening_outstanding;
    c
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
        c.count(kind, debit == accounts.issuance, sign * t.amount.get());
    }
    c.closing_outstanding += c.opening_outstanding;
    c
}
