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
use timecredits_app::fixtures::open_programme;
use timecredits_app::{PostError, Store};
use timecredits_ledger::{
    AccountId, ActorId, Minutes, Movement, PostingRequest, TransferId, TransferKind,
};
use uuid::Uuid;

use crate::cli::LoadArgs;

struct Accounts {
    issuance: AccountId,
    members: Vec<AccountId>,
    organisation: AccountId,
}

async fn set_up(store: &dyn Store, rng: &mut ChaCha8Rng) -> Result<Accounts, String> {
    let first_number = rng.random_range(100_000..=999_999);
    let f = open_programme(
        store,
        &mut Uuid::now_v7,
        "Load",
        24,
        0,
        first_number,
        Utc::now(),
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(Accounts {
        issuance: f.programme.issuance_account,
        members: f.members.iter().map(|m| m.account).collect(),
        organisation: f.organisation.account,
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
                    Err(PostError::Rejected(_) | PostError::Refused(_)) => {}
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
