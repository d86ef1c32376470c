//! The crash test's driver: concurrent transfers through the real storage
//! layer, each id printed only after the store has acknowledged it (that
//! is, after its commit is durable).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Utc;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use timecredits_app::{
    Member, MemberId, MemberNumber, Organisation, OrganisationId, PostError, Programme, Store,
};
use timecredits_ledger::{
    Account, AccountId, AccountKind, ActorId, Minutes, Movement, PostingRequest, ProgrammeId,
    TransferId, TransferKind,
};
use uuid::Uuid;

use crate::cli::LoadArgs;

struct Accounts {
    issuance: AccountId,
    members: Vec<AccountId>,
    organisation: AccountId,
}

async fn set_up(store: &dyn Store, rng: &mut ChaCha8Rng) -> Result<Accounts, String> {
    let programme = ProgrammeId(Uuid::now_v7());
    let now = Utc::now();
    let account = |kind| Account::new(AccountId(Uuid::now_v7()), programme, kind, None);
    let accounts = [
        account(AccountKind::Issuance),
        account(AccountKind::Retired),
        account(AccountKind::Expired),
        account(AccountKind::CommunityPot),
    ];
    let record = Programme {
        id: programme,
        name: "Load".into(),
        locality: "Loadshire".into(),
        time_zone: "Europe/London".into(),
        language: "en".into(),
        issuance_account: accounts[0].id,
        retired_account: accounts[1].id,
        expired_account: accounts[2].id,
        community_pot_account: accounts[3].id,
        exchange_overdraft_minutes: 0,
        created_at: now,
    };
    store
        .create_programme(&record, &accounts)
        .await
        .map_err(|e| e.to_string())?;
    let org_accounts = [
        account(AccountKind::Organisation),
        account(AccountKind::OrganisationPot),
    ];
    let org = Organisation {
        id: OrganisationId(Uuid::now_v7()),
        programme,
        name: "Load Hall".into(),
        account: org_accounts[0].id,
        pot_account: org_accounts[1].id,
        created_at: now,
    };
    store
        .create_organisation(&org, &org_accounts)
        .await
        .map_err(|e| e.to_string())?;
    let mut members = Vec::new();
    for i in 0..24 {
        let a = account(AccountKind::Member);
        let base = rng.random_range(100_000..=999_999);
        let m = Member {
            id: MemberId(Uuid::now_v7()),
            programme,
            number: MemberNumber::from_base(base).ok_or("member number")?,
            display_name: format!("Load member {i}"),
            account: a.id,
            user: None,
            created_at: now,
        };
        // A clash with an earlier run's number only costs this member.
        if store.create_member(&m, &a).await.is_ok() {
            members.push(a.id);
        }
    }
    Ok(Accounts {
        issuance: record.issuance_account,
        members,
        organisation: org.account,
    })
}

pub(crate) async fn run(store: Arc<dyn Store>, args: LoadArgs) -> Result<ExitCode, String> {
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let accounts = Arc::new(set_up(store.as_ref(), &mut rng).await?);
    println!("ready");
    std::io::stdout().flush().ok();
    let remaining = Arc::new(AtomicU64::new(args.transfers));
    let mut tasks = Vec::new();
    for worker in 0..args.concurrency {
        let (store, accounts, remaining) = (store.clone(), accounts.clone(), remaining.clone());
        let mut rng =
            ChaCha8Rng::seed_from_u64(args.seed.wrapping_mul(1_000).wrapping_add(worker as u64));
        tasks.push(tokio::spawn(async move {
            while remaining
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                let request = next(&mut rng, &accounts);
                let id = request.id;
                match store.post(vec![request], Utc::now()).await {
                    Ok(_) => {
                        // Printed only after the durable commit was acknowledged.
                        let mut out = std::io::stdout().lock();
                        let _ = writeln!(out, "ack {id}");
                        let _ = out.flush();
                    }
                    Err(PostError::Rejected(_)) => {}
                    Err(PostError::Store(e)) => return Err(e.to_string()),
                }
            }
            Ok(())
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    println!("done");
    Ok(ExitCode::SUCCESS)
}

fn next(rng: &mut ChaCha8Rng, a: &Accounts) -> PostingRequest {
    let member = |rng: &mut ChaCha8Rng| a.members[rng.random_range(0..a.members.len())];
    let amount = Minutes::for_transfer(rng.random_range(1..=8) * 15).expect("positive");
    let (kind, debit, credit) = match rng.random_range(0..10) {
        0..=3 => (TransferKind::Issue, a.issuance, member(rng)),
        4..=6 => (TransferKind::Gift, member(rng), member(rng)),
        _ => (TransferKind::Redeem, member(rng), a.organisation),
    };
    PostingRequest {
        id: TransferId(Uuid::now_v7()),
        movement: Movement::Move {
            kind,
            debit,
            credit,
            amount,
        },
        actor: ActorId(Uuid::from_u128(1)),
        reason: "load".into(),
        cause: None,
    }
}
