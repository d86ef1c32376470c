//! A seeded random workload with a checker. It drives a [`Store`] and the
//! in-memory reference ledger with the same requests and fails on the first
//! difference, naming the seed and step so the failure reproduces.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use timecredits_ledger::memory::MemoryLedger;
use timecredits_ledger::{
    AccountId, ActorId, Minutes, Movement, PostingRequest, TransferId, TransferKind,
};
use uuid::Uuid;

use crate::fixtures::open_programme;
use crate::{PostError, Store};

#[derive(Clone, Copy, Debug)]
pub struct WorkloadConfig {
    pub seed: u64,
    pub operations: usize,
    pub members: usize,
    /// Largest batch of requests posted in one call.
    pub batch_max: usize,
    /// Exchange overdraft granted to members.
    pub overdraft_minutes: i64,
}

impl WorkloadConfig {
    pub fn new(seed: u64, operations: usize) -> Self {
        Self {
            seed,
            operations,
            members: 12,
            batch_max: 4,
            overdraft_minutes: 60,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct WorkloadReport {
    pub batches: u64,
    pub transfers_posted: u64,
    pub retries_answered: u64,
    pub refused_by_code: BTreeMap<&'static str, u64>,
}

#[derive(Debug, thiserror::Error)]
#[error("workload seed {seed} diverged at step {step}: {message}")]
pub struct WorkloadFailure {
    pub seed: u64,
    pub step: usize,
    pub message: String,
}

struct Accounts {
    issuance: AccountId,
    members: Vec<AccountId>,
    organisation: AccountId,
    pot: AccountId,
    retired: AccountId,
    expired: AccountId,
}

/// Runs the workload and checks every result against the reference model.
pub async fn run(
    store: &dyn Store,
    config: WorkloadConfig,
) -> Result<WorkloadReport, WorkloadFailure> {
    let fail = |step: usize, message: String| WorkloadFailure {
        seed: config.seed,
        step,
        message,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut model = MemoryLedger::new();
    // The store may already hold other programmes' transfers: count only ours.
    let transfers_before = store
        .transfer_count()
        .await
        .map_err(|e| fail(0, e.to_string()))?;
    let accounts = set_up(store, &mut model, &mut rng, config)
        .await
        .map_err(|e| fail(0, e))?;
    let mut report = WorkloadReport::default();
    let mut sent: Vec<PostingRequest> = Vec::new();
    let start = epoch();
    let mut step = 0;
    while step < config.operations {
        let size = rng
            .random_range(1..=config.batch_max.max(1))
            .min(config.operations - step);
        let at = start + Duration::seconds(step as i64);
        let mut batch = Vec::with_capacity(size);
        for _ in 0..size {
            batch.push(next_request(&mut rng, &accounts, &model, &sent));
        }
        step += size;
        let expected = model.post(&batch, at);
        let actual = store.post(batch.clone(), at).await;
        report.batches += 1;
        match (expected, actual) {
            (Ok(want), Ok(got)) => {
                if want != got {
                    return Err(fail(
                        step,
                        format!("plans differ:\n model {want:?}\n store {got:?}"),
                    ));
                }
                report.transfers_posted += want.new_transfers().count() as u64;
                report.retries_answered +=
                    want.outcomes.iter().filter(|o| !o.is_new()).count() as u64;
                sent.extend(batch);
            }
            (Err(want), Err(PostError::Rejected(got))) => {
                if want != got {
                    return Err(fail(
                        step,
                        format!("refusals differ: model {want}, store {got}"),
                    ));
                }
                *report.refused_by_code.entry(want.error.code()).or_default() += 1;
            }
            (want, got) => {
                return Err(fail(
                    step,
                    format!("model said {want:?}, store said {got:?}"),
                ));
            }
        }
        if report.batches % 500 == 0 {
            compare_balances(store, &model, &accounts)
                .await
                .map_err(|e| fail(step, e))?;
        }
    }
    compare_balances(store, &model, &accounts)
        .await
        .map_err(|e| fail(step, e))?;
    let verify = store
        .verify()
        .await
        .map_err(|e| fail(step, e.to_string()))?;
    if !verify.is_ok() {
        return Err(fail(
            step,
            format!(
                "verify failed: {:?} {:?}",
                verify.mismatches, verify.problems
            ),
        ));
    }
    let count = store
        .transfer_count()
        .await
        .map_err(|e| fail(step, e.to_string()))?;
    if count - transfers_before != model.transfers().len() as u64 {
        let added = count - transfers_before;
        return Err(fail(
            step,
            format!(
                "store gained {added} transfers, model {}",
                model.transfers().len()
            ),
        ));
    }
    Ok(report)
}

async fn set_up(
    store: &dyn Store,
    model: &mut MemoryLedger,
    rng: &mut ChaCha8Rng,
    config: WorkloadConfig,
) -> Result<Accounts, String> {
    let mut next_id = || Uuid::from_u128(rng.random());
    let first_number = 100_000 + (config.seed % 800_000) as u32;
    let name = format!("Workload {}", config.seed);
    let f = open_programme(
        store,
        &mut next_id,
        &name,
        config.members,
        config.overdraft_minutes,
        first_number,
        epoch(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let (p, o) = (&f.programme, &f.organisation);
    let members: Vec<AccountId> = f.members.iter().map(|m| m.account).collect();
    let all = [
        p.issuance_account,
        p.retired_account,
        p.expired_account,
        p.community_pot_account,
        o.account,
        o.pot_account,
    ];
    for id in all.into_iter().chain(members.iter().copied()) {
        let state = store
            .account(id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("a fixture account is missing")?;
        model.open_account(state.account);
    }
    Ok(Accounts {
        issuance: p.issuance_account,
        members,
        organisation: o.account,
        pot: o.pot_account,
        retired: p.retired_account,
        expired: p.expired_account,
    })
}

fn next_request(
    rng: &mut ChaCha8Rng,
    a: &Accounts,
    model: &MemoryLedger,
    sent: &[PostingRequest],
) -> PostingRequest {
    let member = |rng: &mut ChaCha8Rng| a.members[rng.random_range(0..a.members.len())];
    let id = TransferId(Uuid::from_u128(rng.random()));
    let actor = ActorId(Uuid::from_u128(7));
    let amount = Minutes::for_transfer(rng.random_range(1..=240)).expect("positive");
    let mv = |kind, debit, credit| Movement::Move {
        kind,
        debit,
        credit,
        amount,
    };
    let roll = rng.random_range(0..100);
    let movement = match roll {
        0..=29 => mv(TransferKind::Issue, a.issuance, member(rng)),
        30..=44 => mv(TransferKind::Redeem, member(rng), a.organisation),
        45..=54 => mv(TransferKind::Gift, member(rng), member(rng)),
        55..=59 => mv(TransferKind::Gift, member(rng), a.pot),
        60..=69 => mv(TransferKind::Exchange, member(rng), member(rng)),
        70..=72 => mv(TransferKind::Expire, member(rng), a.expired),
        73..=75 => mv(TransferKind::Retire, a.organisation, a.retired),
        76..=77 => mv(TransferKind::Redeem, a.issuance, member(rng)),
        78 => mv(
            TransferKind::Gift,
            member(rng),
            AccountId(Uuid::from_u128(rng.random())),
        ),
        79..=86 if !model.transfers().is_empty() => {
            let original = model.transfers()[rng.random_range(0..model.transfers().len())].id;
            Movement::Reverse { original }
        }
        87..=99 if !sent.is_empty() => {
            let mut again = sent[rng.random_range(0..sent.len())].clone();
            if roll >= 97 {
                again.reason.push_str(" (altered)");
            }
            return again;
        }
        _ => mv(TransferKind::Issue, a.issuance, member(rng)),
    };
    PostingRequest {
        id,
        movement,
        actor,
        reason: format!("workload {roll}"),
        cause: None,
    }
}

async fn compare_balances(
    store: &dyn Store,
    model: &MemoryLedger,
    a: &Accounts,
) -> Result<(), String> {
    let all =
        a.members
            .iter()
            .chain([&a.issuance, &a.organisation, &a.pot, &a.retired, &a.expired]);
    for &id in all {
        let want = model.balance(id).unwrap_or(0);
        let got = store
            .account(id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("account missing")?;
        let got_balance = got.balance_minutes.unwrap_or(i64::MIN);
        if got_balance != want {
            return Err(format!(
                "account {id}: store has {got_balance}, model {want}"
            ));
        }
    }
    Ok(())
}

/// When the workload's programme opens; postings follow a second apart.
pub fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("valid date")
}
