//! Past one machine, proven on this one: two `timecredits serve` processes
//! on one PostgreSQL database take concurrent issuance (contributions from
//! the one programme issuance account) and spends (desk redemptions) for the
//! same few members. Some requests are retried with the same
//! Idempotency-Key against the *other* instance, some are sent to both at
//! once. Afterwards every member's and the partner's statement is read back
//! and compared with what the clients were told:
//! - no running balance below zero (no account beyond its limit);
//! - every acknowledged transfer present;
//! - nothing else present (so no retry was posted twice);
//! - and `timecredits verify` passes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use clap::Args;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::Common;
use crate::api::{Answer, Api, field};
use crate::naive::mix;
use crate::server::{self, Server, create_admin, fresh_pg_database, verify};
use crate::world::{self, World};

#[derive(Args, Clone, Debug)]
pub struct TwoArgs {
    /// Members sharing the load: few, so spends race for the same balances.
    #[arg(long, default_value_t = 4)]
    pub members: usize,
    /// Concurrent clients per instance.
    #[arg(long, default_value_t = 8)]
    pub clients: usize,
    /// Requests in all (retries not counted).
    #[arg(long, default_value_t = 2_000)]
    pub requests: u64,
    /// Also fail when a statement, in the order it lists lines, shows a
    /// running balance below zero (see `check`).
    #[arg(long)]
    pub strict_statement_order: bool,
}

/// What the clients were told was done.
#[derive(Default)]
struct Ledgered {
    /// Transfer id → (account debited, account credited, minutes).
    transfers: BTreeMap<String, (String, String, i64)>,
    issued: u64,
    redeemed: u64,
    refused: u64,
    retried: u64,
    raced: u64,
}

#[derive(Clone)]
struct Ctx {
    instances: [Api; 2],
    world: Arc<World>,
    accounts: Arc<Vec<String>>,
    organisation_account: Arc<String>,
    done: Arc<Mutex<Ledgered>>,
}

pub async fn run(common: &Common, args: TwoArgs) -> Result<(), String> {
    let bin = server::timecredits_bin(common)?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let url = fresh_pg_database(&common.pg_url, "bench_two_instances").await?;
    create_admin(&bin, &url).await?;
    let a = Server::start(&bin, &url, &dir.path().join("a.log")).await?;
    let b = Server::start(&bin, &url, &dir.path().join("b.log")).await?;
    println!(
        "two instances on one database: {} (pid {:?}) and {} (pid {:?})",
        a.base,
        a.pid(),
        b.base,
        b.pid()
    );
    let api_a = Api::new(&a.base);
    let api_b = api_a.at(&b.base);
    let world = world::set_up(&api_a, args.members, 0).await?;
    let organisation_account = field(
        &api_a
            .get(
                &format!("/organisations/{}", world.organisation),
                &world.manager_token,
            )
            .await?
            .expect(&[200], "read organisation")?,
        "account_id",
    )?;
    let ctx = Ctx {
        instances: [api_a, api_b],
        world: Arc::new(world),
        accounts: Arc::new(Vec::new()),
        organisation_account: Arc::new(organisation_account),
        done: Arc::new(Mutex::new(Ledgered::default())),
    };
    // One contribution each first, through alternate instances: it also
    // tells us each member's account.
    let mut accounts = Vec::new();
    for (i, m) in ctx.world.members.iter().enumerate() {
        let (_, account) = issue(&ctx, i % 2, &m.id, 120, world::new_key()).await?;
        accounts.push(account);
    }
    let ctx = Ctx {
        accounts: Arc::new(accounts),
        ..ctx
    };
    let started = Instant::now();
    let mut tasks = Vec::new();
    let clients = (args.clients * 2) as u64;
    for c in 0..clients {
        let ctx = ctx.clone();
        let requests = args.requests;
        tasks.push(tokio::spawn(async move {
            let mut n = c;
            while n < requests {
                step(&ctx, c as usize, n).await?;
                n += clients;
            }
            Ok::<_, String>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    let elapsed = started.elapsed();
    let result = check(&ctx, args.strict_statement_order).await;
    let floors = floors_in_commit_order(&url, &ctx).await;
    a.stop().await;
    b.stop().await;
    let verified = verify(&bin, &url).await;
    let done = ctx.done.lock().expect("not poisoned");
    println!(
        "{} requests in {:.1} s: {} contributions, {} redemptions, {} refused (insufficient credits), {} retried on the other instance, {} sent to both at once",
        args.requests,
        elapsed.as_secs_f64(),
        done.issued,
        done.redeemed,
        done.refused,
        done.retried,
        done.raced
    );
    drop(done);
    result?;
    floors?;
    let report = verified?;
    println!("{report}");
    println!(
        "two-instance test passed: no account beyond its limit, every acknowledged transfer present once, nothing else, verify ok"
    );
    Ok(())
}

/// One request of the mix; number `n` decides what, for whom, and whether
/// it is retried or raced.
async fn step(ctx: &Ctx, client: usize, n: u64) -> Result<(), String> {
    let r = mix(n);
    let member = (r % ctx.world.members.len() as u64) as usize;
    let key = world::new_key();
    let first = client % 2;
    let raced = r % 20 == 7;
    let retried = r % 5 == 3;
    if (r >> 8) % 10 < 4 {
        let minutes = 15 * (1 + ((r >> 16) % 4) as i64);
        let id = &ctx.world.members[member].id;
        if raced {
            let (x, y) = tokio::join!(
                issue(ctx, first, id, minutes, key),
                issue(ctx, 1 - first, id, minutes, key)
            );
            same("raced contribution", &x?, &y?)?;
            ctx.done.lock().expect("not poisoned").raced += 1;
        } else {
            let x = issue(ctx, first, id, minutes, key).await?;
            if retried {
                let y = issue(ctx, 1 - first, id, minutes, key).await?;
                same("retried contribution", &x, &y)?;
                ctx.done.lock().expect("not poisoned").retried += 1;
            }
        }
    } else {
        let id = &ctx.world.members[member].id;
        if raced {
            let (x, y) = tokio::join!(redeem(ctx, first, id, key), redeem(ctx, 1 - first, id, key));
            if let (Some(x), Some(y)) = (x?, y?) {
                same("raced redemption", &x, &y)?;
            }
            ctx.done.lock().expect("not poisoned").raced += 1;
        } else {
            let x = redeem(ctx, first, id, key).await?;
            if retried {
                let y = redeem(ctx, 1 - first, id, key).await?;
                if let (Some(x), Some(y)) = (&x, &y) {
                    same("retried redemption", x, y)?;
                }
                ctx.done.lock().expect("not poisoned").retried += 1;
            }
        }
    }
    Ok(())
}

/// Two answers to one Idempotency-Key must name the same transfers. A
/// refusal is not stored, so a refused spend may succeed when retried after
/// other credits arrive: only two acknowledgements are compared.
fn same<T: PartialEq + std::fmt::Debug>(what: &str, x: &T, y: &T) -> Result<(), String> {
    if x == y {
        Ok(())
    } else {
        Err(format!(
            "{what}: the two instances answered the same Idempotency-Key differently: {x:?} vs {y:?}"
        ))
    }
}

/// Sends until a definite answer: a failure to connect or a 5xx is retried
/// with the same key on the other instance (so an unknown outcome never
/// remains).
async fn definite(
    ctx: &Ctx,
    mut instance: usize,
    path: &str,
    token: &str,
    key: Uuid,
    body: &Value,
) -> Result<Answer, String> {
    for _ in 0..10 {
        match ctx.instances[instance]
            .post(path, token, Some(key), body)
            .await
        {
            Ok(a) if !a.status.is_server_error() => return Ok(a),
            Ok(_) | Err(_) => instance = 1 - instance,
        }
    }
    Err(format!("{path}: no definite answer after 10 tries"))
}

/// Records a contribution: (transfer id, member account).
async fn issue(
    ctx: &Ctx,
    instance: usize,
    member: &str,
    minutes: i64,
    key: Uuid,
) -> Result<(String, String), String> {
    let day = 1 + (key.as_u128() % 1000) as i64;
    let body: Value =
        serde_json::from_str(&world::contribution_body(&ctx.world, member, day, minutes))
            .map_err(|e| e.to_string())?;
    let token = ctx.world.coordinator_token.clone();
    let a = definite(ctx, instance, "/contributions", &token, key, &body).await?;
    let status = a.status.as_u16();
    let v = a.expect(&[200, 201], "contribution")?;
    let posting = &v["postings"][0];
    let id = field(posting, "id")?;
    let credit = field(posting, "credit")?;
    let amount = posting["amount_minutes"].as_i64().ok_or("no amount")?;
    let mut done = ctx.done.lock().expect("not poisoned");
    if status == 201 {
        done.issued += 1;
    }
    done.transfers.insert(
        id.clone(),
        (field(posting, "debit")?, credit.clone(), amount),
    );
    Ok((id, credit))
}

/// Redeems the offer for a member at the desk. Some((redeem, retire)) when
/// acknowledged, None when refused for want of credits.
async fn redeem(
    ctx: &Ctx,
    instance: usize,
    member: &str,
    key: Uuid,
) -> Result<Option<(String, Option<String>)>, String> {
    let path = format!("/offers/{}/redemptions", ctx.world.offer);
    let token = ctx.world.desk_token.clone();
    let a = definite(
        ctx,
        instance,
        &path,
        &token,
        key,
        &json!({"member": member}),
    )
    .await?;
    if a.status.as_u16() == 409 && a.body["code"] == "insufficient_credits" {
        ctx.done.lock().expect("not poisoned").refused += 1;
        return Ok(None);
    }
    let status = a.status.as_u16();
    let v = a.expect(&[200, 201], "redemption")?;
    let redeem = field(&v, "redeem_transfer")?;
    let retire = v["retire_transfer"].as_str().map(str::to_owned);
    let price = v["price_minutes"].as_i64().ok_or("no price")?;
    let member_account = member_account(ctx, member)?;
    let mut done = ctx.done.lock().expect("not poisoned");
    if status == 201 {
        done.redeemed += 1;
    }
    done.transfers.insert(
        redeem.clone(),
        (member_account, (*ctx.organisation_account).clone(), price),
    );
    if let Some(r) = &retire {
        done.transfers.insert(
            r.clone(),
            ((*ctx.organisation_account).clone(), "retired".into(), price),
        );
    }
    Ok(Some((redeem, retire)))
}

fn member_account(ctx: &Ctx, member: &str) -> Result<String, String> {
    let i = ctx
        .world
        .members
        .iter()
        .position(|m| m.id == member)
        .ok_or("unknown member")?;
    ctx.accounts
        .get(i)
        .cloned()
        .ok_or_else(|| "a member's account is not known yet".into())
}

/// Reads every member's and the partner's statement back and compares.
///
/// A statement lists lines by the time the request was made (`at`, taken
/// before the write waits for its locks), not by commit order; so under
/// contention it can show a running balance below zero that never existed.
/// That is reported, and fails only with `strict`; the floor itself is
/// checked in commit order by `floors_in_commit_order`.
async fn check(ctx: &Ctx, strict: bool) -> Result<(), String> {
    let mut shown_below_zero = 0u64;
    let expected = ctx.done.lock().expect("not poisoned").transfers.clone();
    let mut seen = BTreeSet::new();
    let mut accounts: Vec<String> = (*ctx.accounts).clone();
    accounts.push((*ctx.organisation_account).clone());
    for account in &accounts {
        // Read from the second instance: what the first wrote must be there.
        let s = ctx.instances[1]
            .get(
                &format!("/accounts/{account}/statement"),
                &ctx.world.manager_token,
            )
            .await?
            .expect(&[200], "statement")?;
        let lines = s["lines"].as_array().ok_or("no lines")?;
        let mut computed = 0i64;
        for line in lines {
            let id = field(line, "transfer_id")?;
            let balance = line["balance_minutes"].as_i64().ok_or("no balance")?;
            if balance < 0 {
                shown_below_zero += 1;
                if strict {
                    return Err(format!(
                        "account {account}'s statement shows {balance} minutes at transfer {id}"
                    ));
                }
            }
            let Some((debit, credit, amount)) = expected.get(&id) else {
                return Err(format!(
                    "transfer {id} on account {account} was never acknowledged to any client: a duplicate or a stray"
                ));
            };
            let delta = line["delta_minutes"].as_i64().ok_or("no delta")?;
            let want = if credit == account {
                *amount
            } else if debit == account {
                -amount
            } else {
                return Err(format!(
                    "transfer {id} is on {account} but moved between {debit} and {credit}"
                ));
            };
            if delta != want {
                return Err(format!(
                    "transfer {id} moved {delta} on {account}, acknowledged as {want}"
                ));
            }
            computed += delta;
            seen.insert((id, account.clone()));
        }
        let closing = s["closing_balance_minutes"].as_i64().ok_or("no closing")?;
        if closing != computed {
            return Err(format!(
                "account {account}: closing {closing} ≠ sum of lines {computed}"
            ));
        }
    }
    for (id, (debit, credit, _)) in &expected {
        for side in [debit, credit] {
            if accounts.contains(side) && !seen.contains(&(id.clone(), side.clone())) {
                return Err(format!(
                    "acknowledged transfer {id} is missing from account {side}'s statement"
                ));
            }
        }
    }
    println!(
        "checked {} acknowledged transfers on {} accounts",
        expected.len(),
        accounts.len()
    );
    if shown_below_zero > 0 {
        println!(
            "WARNING: {shown_below_zero} statement line(s) show a running balance below zero: statements order lines by request time, not commit order (the floor held in commit order, checked next)"
        );
    }
    Ok(())
}

/// The floor in commit order: each member account's running balance over
/// its transfers in insertion order (`transfers.seq`; inserts touching a
/// member's account are serialised by the lock on it) never goes below
/// zero. Reads the store's table directly: the API has no commit order.
async fn floors_in_commit_order(url: &str, ctx: &Ctx) -> Result<(), String> {
    let db = sqlx::PgPool::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    let mut accounts: Vec<Uuid> = Vec::new();
    for a in ctx.accounts.iter().chain([&*ctx.organisation_account]) {
        accounts.push(a.parse().map_err(|e| format!("{a}: {e}"))?);
    }
    let rows: Vec<(Uuid, Option<i64>)> = sqlx::query_as(
        "SELECT account, min(running)::bigint FROM (
             SELECT account, sum(delta) OVER (PARTITION BY account ORDER BY seq) AS running
             FROM (SELECT seq, credit_account AS account, amount_minutes AS delta FROM transfers
                   UNION ALL
                   SELECT seq, debit_account, -amount_minutes FROM transfers) legs
             WHERE account = ANY($1)) r
         GROUP BY account",
    )
    .bind(&accounts)
    .fetch_all(&db)
    .await
    .map_err(|e| e.to_string())?;
    db.close().await;
    for (account, lowest) in &rows {
        if lowest.is_some_and(|m| m < 0) {
            return Err(format!(
                "account {account} went to {lowest:?} minutes in commit order: beyond its limit"
            ));
        }
    }
    if rows.len() != accounts.len() {
        return Err(format!(
            "only {} of {} accounts have transfers",
            rows.len(),
            accounts.len()
        ));
    }
    println!("floor held in commit order on all {} accounts", rows.len());
    Ok(())
}
