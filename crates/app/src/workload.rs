//! A seeded random workload with a checker. It drives a [`Store`] and the
//! in-memory reference ledger with the same requests and fails on the first
//! difference, naming the seed and step so the failure reproduces.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use timecredits_ledger::memory::MemoryLedger;
use timecredits_ledger::{
    Account, AccountId, AccountKind, ActorId, Minutes, Movement, PostingRequest, ProgrammeId,
    TransferId, TransferKind,
};
use uuid::Uuid;

use crate::{PostError, Programme, Store};

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
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("valid date");
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
    let mut id = || Uuid::from_u128(rng.random());
    let programme = ProgrammeId(id());
    let account = |kind: AccountKind, id: Uuid| {
        let mut a = Account::new(AccountId(id), programme, kind, None);
        if kind == AccountKind::Member {
            a.exchange_overdraft_minutes = config.overdraft_minutes;
        }
        a
    };
    let programme_accounts: Vec<Account> = [
        AccountKind::Issuance,
        AccountKind::Retired,
        AccountKind::Expired,
        AccountKind::CommunityPot,
    ]
    .into_iter()
    .map(|k| account(k, id()))
    .collect();
    let record = Programme {
        id: programme,
        name: format!("Workload {}", config.seed),
        locality: "Testshire".into(),
        time_zone: "Europe/London".into(),
        language: "en".into(),
        issuance_account: programme_accounts[0].id,
        retired_account: programme_accounts[1].id,
        expired_account: programme_accounts[2].id,
        community_pot_account: programme_accounts[3].id,
        exchange_overdraft_minutes: config.overdraft_minutes,
        created_at: Utc
            .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
            .single()
            .expect("valid date"),
    };
    store
        .create_programme(&record, &programme_accounts)
        .await
        .map_err(|e| e.to_string())?;
    let org = crate::Organisation {
        id: crate::OrganisationId(id()),
        programme,
        name: "Workload Hall".into(),
        account: AccountId(id()),
        pot_account: AccountId(id()),
        created_at: record.created_at,
    };
    let org_accounts = [
        account(AccountKind::Organisation, org.account.0),
        account(AccountKind::OrganisationPot, org.pot_account.0),
    ];
    store
        .create_organisation(&org, &org_accounts)
        .await
        .map_err(|e| e.to_string())?;
    let mut members = Vec::new();
    for i in 0..config.members {
        let member_account = account(AccountKind::Member, id());
        let member = crate::Member {
            id: crate::MemberId(id()),
            programme,
            number: crate::MemberNumber::from_base(
                100_000 + (config.seed as u32 % 800_000) + i as u32,
            )
            .ok_or("member number out of range")?,
            display_name: format!("Member {i}"),
            account: member_account.id,
            user: None,
            created_at: record.created_at,
        };
        store
            .create_member(&member, &member_account)
            .await
            .map_err(|e| e.to_string())?;
        members.push(member_account);
    }
    for a in programme_accounts
        .into_iter()
        .chain(org_accounts)
        .chain(members.iter().cloned())
    {
        model.open_account(a);
    }
    Ok(Accounts {
        issuance: record.issuance_account,
        members: members.iter().map(|a| a.id).collect(),
        organisation: org.account,
        pot: org.pot_account,
        retired: record.retired_account,
        expired: record.expired_account,
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

/// The default time for workload postings, exposed for tests that mix in their own.
pub fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("valid date")
}
