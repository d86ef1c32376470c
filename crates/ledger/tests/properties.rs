//! Property tests: random sequences of requests against the reference
//! ledger, checking the invariants that never bend after every step.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use timecredits_ledger::memory::MemoryLedger;
use timecredits_ledger::*;
use uuid::Uuid;

const MEMBERS: usize = 4;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

struct World {
    ledger: MemoryLedger,
    issuance: AccountId,
    members: Vec<AccountId>,
    org: AccountId,
    pot: AccountId,
    retired: AccountId,
    expired: AccountId,
    sent: Vec<PostingRequest>,
    next_id: u128,
}

fn world(overdraft: i64) -> World {
    let programme = ProgrammeId(id(1));
    let mut ledger = MemoryLedger::new();
    let mut open = |n: u128, kind: AccountKind| {
        let mut a = Account::new(AccountId(id(n)), programme, kind, None);
        if kind == AccountKind::Member {
            a.exchange_overdraft_minutes = overdraft;
        }
        ledger.open_account(a);
        AccountId(id(n))
    };
    let issuance = open(10, AccountKind::Issuance);
    let members = (0..MEMBERS as u128)
        .map(|i| open(20 + i, AccountKind::Member))
        .collect();
    let org = open(30, AccountKind::Organisation);
    let pot = open(31, AccountKind::OrganisationPot);
    let retired = open(40, AccountKind::Retired);
    let expired = open(41, AccountKind::Expired);
    World {
        ledger,
        issuance,
        members,
        org,
        pot,
        retired,
        expired,
        sent: vec![],
        next_id: 1_000,
    }
}

#[derive(Clone, Debug)]
enum Op {
    Issue {
        to: usize,
        minutes: i64,
    },
    Redeem {
        from: usize,
        minutes: i64,
    },
    Gift {
        from: usize,
        to: usize,
        minutes: i64,
    },
    GiftToPot {
        from: usize,
        minutes: i64,
    },
    Exchange {
        from: usize,
        to: usize,
        minutes: i64,
    },
    Expire {
        from: usize,
        minutes: i64,
    },
    Retire {
        minutes: i64,
    },
    Reverse {
        nth: usize,
    },
    Retry {
        nth: usize,
    },
    ConflictingRetry {
        nth: usize,
    },
    Batch {
        to: usize,
        minutes: i64,
        spend: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let m = 0..MEMBERS;
    let amt = -30i64..400;
    prop_oneof![
        3 => (m.clone(), amt.clone()).prop_map(|(to, minutes)| Op::Issue { to, minutes }),
        2 => (m.clone(), amt.clone()).prop_map(|(from, minutes)| Op::Redeem { from, minutes }),
        2 => (m.clone(), m.clone(), amt.clone()).prop_map(|(from, to, minutes)| Op::Gift { from, to, minutes }),
        1 => (m.clone(), amt.clone()).prop_map(|(from, minutes)| Op::GiftToPot { from, minutes }),
        2 => (m.clone(), m.clone(), amt.clone()).prop_map(|(from, to, minutes)| Op::Exchange { from, to, minutes }),
        1 => (m.clone(), amt.clone()).prop_map(|(from, minutes)| Op::Expire { from, minutes }),
        1 => amt.clone().prop_map(|minutes| Op::Retire { minutes }),
        2 => any::<usize>().prop_map(|nth| Op::Reverse { nth }),
        2 => any::<usize>().prop_map(|nth| Op::Retry { nth }),
        1 => any::<usize>().prop_map(|nth| Op::ConflictingRetry { nth }),
        1 => (m, amt.clone(), amt).prop_map(|(to, minutes, spend)| Op::Batch { to, minutes, spend }),
    ]
}

fn at(step: usize) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + step as i64 * 60, 0)
        .single()
        .expect("valid time")
}

impl World {
    fn request(
        &mut self,
        kind: TransferKind,
        debit: AccountId,
        credit: AccountId,
        minutes: i64,
    ) -> Option<PostingRequest> {
        let amount = Minutes::for_transfer(minutes).ok()?;
        self.next_id += 1;
        Some(PostingRequest {
            id: TransferId(id(self.next_id)),
            movement: Movement::Move {
                kind,
                debit,
                credit,
                amount,
            },
            actor: ActorId(id(2)),
            reason: format!("{} of {minutes}", kind.as_str()),
            cause: None,
        })
    }

    fn requests_for(&mut self, op: &Op) -> Vec<PostingRequest> {
        use TransferKind as K;
        let m = self.members.clone();
        let one = |r: Option<PostingRequest>| r.into_iter().collect::<Vec<_>>();
        match *op {
            Op::Issue { to, minutes } => one(self.request(K::Issue, self.issuance, m[to], minutes)),
            Op::Redeem { from, minutes } => {
                one(self.request(K::Redeem, m[from], self.org, minutes))
            }
            Op::Gift { from, to, minutes } => one(self.request(K::Gift, m[from], m[to], minutes)),
            Op::GiftToPot { from, minutes } => {
                one(self.request(K::Gift, m[from], self.pot, minutes))
            }
            Op::Exchange { from, to, minutes } => {
                one(self.request(K::Exchange, m[from], m[to], minutes))
            }
            Op::Expire { from, minutes } => {
                one(self.request(K::Expire, m[from], self.expired, minutes))
            }
            Op::Retire { minutes } => one(self.request(K::Retire, self.org, self.retired, minutes)),
            Op::Reverse { nth } => {
                let posted = self.ledger.transfers();
                if posted.is_empty() {
                    return vec![];
                }
                let original = posted[nth % posted.len()].id;
                self.next_id += 1;
                vec![PostingRequest {
                    id: TransferId(id(self.next_id)),
                    movement: Movement::Reverse { original },
                    actor: ActorId(id(2)),
                    reason: "correction".into(),
                    cause: None,
                }]
            }
            Op::Retry { nth } | Op::ConflictingRetry { nth } => {
                if self.sent.is_empty() {
                    return vec![];
                }
                let mut r = self.sent[nth % self.sent.len()].clone();
                if matches!(op, Op::ConflictingRetry { .. }) {
                    r.reason.push_str(" (changed)");
                }
                vec![r]
            }
            Op::Batch { to, minutes, spend } => {
                let mut v = one(self.request(K::Issue, self.issuance, m[to], minutes));
                v.extend(self.request(K::Redeem, m[to], self.org, spend));
                v
            }
        }
    }
}

fn check_invariants(w: &World) -> Result<(), TestCaseError> {
    let report = w.ledger.verify();
    prop_assert!(report.is_ok(), "verify failed: {report:?}");
    prop_assert_eq!(report.sum_of_postings_minutes, 0);
    for state in w.ledger.accounts() {
        let summed: i64 = w
            .ledger
            .transfers()
            .iter()
            .map(|t| t.delta_for(state.account.id))
            .sum();
        prop_assert_eq!(w.ledger.balance(state.account.id), Some(summed));
        if let Floor::AtLeast(floor) = state.account.floor {
            prop_assert!(summed >= floor - state.account.exchange_overdraft_minutes);
        }
    }
    Ok(())
}

fn run(ops: Vec<Op>, overdraft: i64) -> Result<(), TestCaseError> {
    let mut w = world(overdraft);
    for (step, op) in ops.iter().enumerate() {
        let requests = w.requests_for(op);
        if requests.is_empty() {
            continue;
        }
        let before_count = w.ledger.transfers().len();
        let before: Vec<(AccountId, i64)> = w
            .ledger
            .accounts()
            .map(|s| (s.account.id, w.ledger.balance(s.account.id).unwrap_or(0)))
            .collect();
        let result = w.ledger.post(&requests, at(step));
        match (op, &result) {
            (Op::Retry { .. }, Ok(plan)) => {
                prop_assert!(
                    plan.outcomes.iter().all(|o| !o.is_new()),
                    "a retry posted again"
                );
                prop_assert_eq!(w.ledger.transfers().len(), before_count);
            }
            (Op::Retry { .. }, Err(e)) => prop_assert!(false, "a faithful retry was refused: {e}"),
            (Op::ConflictingRetry { .. }, r) => {
                prop_assert_eq!(
                    r.as_ref().err().map(|e| e.error.code()),
                    Some("idempotency_conflict")
                );
            }
            (Op::Reverse { .. }, Ok(plan)) => {
                let reversal = plan.outcomes[0].transfer();
                let original = w
                    .ledger
                    .transfer(reversal.reverses.expect("reverses"))
                    .expect("original")
                    .clone();
                for (account, balance) in &before {
                    let expected = balance - original.delta_for(*account);
                    prop_assert_eq!(
                        w.ledger.balance(*account),
                        Some(expected),
                        "reversal did not undo the original"
                    );
                }
            }
            _ => {}
        }
        match result {
            Ok(_) => {
                if !matches!(op, Op::Retry { .. }) {
                    w.sent.extend(requests);
                }
            }
            Err(_) => {
                // Refused whole: nothing changed.
                prop_assert_eq!(w.ledger.transfers().len(), before_count);
                for (account, balance) in &before {
                    prop_assert_eq!(w.ledger.balance(*account), Some(*balance));
                }
            }
        }
        check_invariants(&w)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_without_overdraft(ops in proptest::collection::vec(op(), 1..80)) {
        run(ops, 0)?;
    }

    #[test]
    fn invariants_hold_with_exchange_overdraft(ops in proptest::collection::vec(op(), 1..80)) {
        run(ops, 120)?;
    }

    #[test]
    fn the_circulation_summary_reconciles_with_the_ledger(ops in proptest::collection::vec(op(), 1..80), split in 0usize..80) {
        let mut w = world(60);
        for (step, op) in ops.iter().enumerate() {
            let requests = w.requests_for(op);
            if !requests.is_empty() && w.ledger.post(&requests, at(step)).is_ok() && !matches!(op, Op::Retry { .. }) {
                w.sent.extend(requests);
            }
        }
        let accounts = circulation::ProgrammeAccounts { issuance: w.issuance, retired: w.retired, expired: w.expired };
        let end = at(ops.len() + 1);
        let c = circulation::summarise(w.ledger.transfers(), accounts, Some(at(split)), end);
        prop_assert!(c.reconciles(), "{c:?}");
        // Grouped sums (what a store computes in SQL) give the same summary.
        let groups = circulation::group(w.ledger.transfers(), accounts, Some(at(split)), end);
        prop_assert_eq!(&circulation::summarise_groups(&groups), &c);
        // A key split over several rows (as a store may return) sums the same.
        let repeated: Vec<circulation::Group> = groups
            .iter()
            .flat_map(|g| {
                let half = g.minutes / 2;
                [
                    circulation::Group { key: g.key, minutes: half },
                    circulation::Group { key: g.key, minutes: g.minutes - half },
                ]
            })
            .collect();
        prop_assert_eq!(&circulation::summarise_groups(&repeated), &c);
        // Outstanding is exactly what members, organisations and pots hold.
        let held: i64 = w.ledger.accounts()
            .filter(|s| ![w.issuance, w.retired, w.expired].contains(&s.account.id))
            .map(|s| w.ledger.balance(s.account.id).unwrap_or(0))
            .sum();
        prop_assert_eq!(c.closing_outstanding, held);
        prop_assert_eq!(c.closing_outstanding, -w.ledger.balance(w.issuance).unwrap_or(0)
            - w.ledger.balance(w.retired).unwrap_or(0) - w.ledger.balance(w.expired).unwrap_or(0));
        // The whole history from the start opens at zero.
        let all = circulation::summarise(w.ledger.transfers(), accounts, None, end);
        prop_assert_eq!(all.opening_outstanding, 0);
        prop_assert_eq!(all.closing_outstanding, held);
        prop_assert_eq!(all.retired, w.ledger.balance(w.retired).unwrap_or(0));
        prop_assert_eq!(all.expired, w.ledger.balance(w.expired).unwrap_or(0));
    }

    #[test]
    fn reversal_right_after_a_transfer_restores_every_balance(minutes in 1i64..500, spend in 1i64..500) {
        let mut w = world(0);
        let issue = w.request(TransferKind::Issue, w.issuance, w.members[0], minutes).expect("valid");
        w.ledger.post(&[issue], at(0)).expect("issue");
        let before: Vec<_> = w.ledger.accounts().map(|s| (s.account.id, w.ledger.balance(s.account.id))).collect();
        let Some(redeem) = w.request(TransferKind::Redeem, w.members[0], w.org, spend) else { return Ok(()) };
        let original = redeem.id;
        if w.ledger.post(&[redeem], at(1)).is_ok() {
            let reversal = PostingRequest { id: TransferId(id(9_999)), movement: Movement::Reverse { original }, actor: ActorId(id(2)), reason: "refund".into(), cause: None };
            w.ledger.post(&[reversal], at(2)).expect("reversal of a redemption is always possible");
            for (account, balance) in before {
                prop_assert_eq!(w.ledger.balance(account), balance);
            }
        } else {
            prop_assert!(spend > minutes);
        }
    }
}

#[test]
fn named_errors_for_bad_requests() {
    let mut w = world(0);
    assert_eq!(
        Minutes::for_transfer(0).unwrap_err().code(),
        "amount_not_positive"
    );
    assert_eq!(
        Minutes::for_transfer(-5).unwrap_err().code(),
        "amount_not_positive"
    );
    assert_eq!(
        "not-a-uuid".parse::<TransferId>().unwrap_err().code(),
        "malformed_id"
    );

    let m0 = w.members[0];
    let same = w
        .request(TransferKind::Gift, m0, m0, 10)
        .expect("valid amount");
    assert_eq!(
        w.ledger.post(&[same], at(0)).unwrap_err().error.code(),
        "same_account"
    );

    let unknown = w
        .request(TransferKind::Gift, m0, AccountId(id(777)), 10)
        .expect("valid amount");
    assert_eq!(
        w.ledger.post(&[unknown], at(0)).unwrap_err().error.code(),
        "unknown_account"
    );

    let overdraft = w
        .request(TransferKind::Redeem, m0, w.org, 10)
        .expect("valid amount");
    let err = w.ledger.post(&[overdraft], at(0)).unwrap_err().error;
    assert_eq!(err.code(), "insufficient_credits");
    assert!(err.to_string().contains("nothing was moved"));

    let wrong_kind = w
        .request(TransferKind::Redeem, w.issuance, m0, 10)
        .expect("valid amount");
    assert_eq!(
        w.ledger
            .post(&[wrong_kind], at(0))
            .unwrap_err()
            .error
            .code(),
        "kind_not_allowed"
    );

    w.ledger.account_mut(m0).expect("member").status = AccountStatus::Closed;
    let closed = w
        .request(TransferKind::Issue, w.issuance, m0, 10)
        .expect("valid amount");
    assert_eq!(
        w.ledger.post(&[closed], at(0)).unwrap_err().error.code(),
        "account_closed"
    );
    assert!(w.ledger.transfers().is_empty(), "nothing half-written");
}

#[test]
fn a_batch_is_refused_whole_when_one_request_fails() {
    let mut w = world(0);
    let m = w.members.clone();
    let ok = w
        .request(TransferKind::Issue, w.issuance, m[0], 60)
        .expect("valid");
    let too_much = w
        .request(TransferKind::Redeem, m[0], w.org, 61)
        .expect("valid");
    let err = w.ledger.post(&[ok, too_much], at(0)).unwrap_err();
    assert_eq!(err.index, 1);
    assert_eq!(err.error.code(), "insufficient_credits");
    assert!(w.ledger.transfers().is_empty());
    assert_eq!(w.ledger.balance(m[0]), Some(0));
}

#[test]
fn reversals_cannot_be_repeated_or_reversed() {
    let mut w = world(0);
    let issue = w
        .request(TransferKind::Issue, w.issuance, w.members[0], 60)
        .expect("valid");
    let original = issue.id;
    w.ledger.post(&[issue], at(0)).expect("issue");
    let reverse = |n: u128, original| PostingRequest {
        id: TransferId(id(n)),
        movement: Movement::Reverse { original },
        actor: ActorId(id(2)),
        reason: "mistake".into(),
        cause: None,
    };
    w.ledger
        .post(&[reverse(50_000, original)], at(1))
        .expect("first reversal");
    assert_eq!(
        w.ledger
            .post(&[reverse(50_001, original)], at(2))
            .unwrap_err()
            .error
            .code(),
        "already_reversed"
    );
    let reversal = TransferId(id(50_000));
    assert_eq!(
        w.ledger
            .post(&[reverse(50_002, reversal)], at(2))
            .unwrap_err()
            .error
            .code(),
        "cannot_reverse_reversal"
    );
    assert_eq!(
        w.ledger
            .post(&[reverse(50_003, TransferId(id(1)))], at(2))
            .unwrap_err()
            .error
            .code(),
        "unknown_transfer"
    );
    assert!(w.ledger.verify().is_ok());
}

#[test]
fn a_drifted_balance_is_reported() {
    let mut w = world(0);
    let issue = w
        .request(TransferKind::Issue, w.issuance, w.members[0], 60)
        .expect("valid");
    w.ledger.post(&[issue], at(0)).expect("issue");
    let mut accounts: Vec<AccountState> = w.ledger.accounts().cloned().collect();
    for a in &mut accounts {
        if a.account.id == w.members[0] {
            a.balance_minutes = Some(120);
        }
    }
    let mut v = Verifier::new(std::iter::empty());
    for t in w.ledger.transfers() {
        v.transfer(t);
    }
    let report = v.finish(accounts);
    assert!(!report.is_ok());
    assert_eq!(report.mismatches.len(), 1);
    assert_eq!(report.sum_of_postings_minutes, 60);
}
