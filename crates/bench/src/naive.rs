//! The naive PostgreSQL ledger, what most time-bank software does: per
//! transfer one transaction that locks both accounts with `SELECT … FOR
//! UPDATE`, inserts the transfer and updates both balance rows in place.
//! A tiny axum front serves it over HTTP so that it is driven exactly like
//! our API (same client, same connections, same JSON-per-request cost),
//! though without authentication or any business rule.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

use crate::load::{Gen, Req};
use crate::server::{free_addr, fresh_pg_database};

/// The issuer: the one hot account every transfer debits.
const ISSUER: i64 = 0;

#[derive(Deserialize)]
struct TransferBody {
    id: Uuid,
    debit: i64,
    credit: i64,
    amount: i64,
}

pub struct Naive {
    pub base: String,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Naive {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Creates `bench_naive` with `members` member accounts and serves it.
pub async fn start(pg_url: &str, members: i64, pool: u32) -> Result<Naive, String> {
    let url = fresh_pg_database(pg_url, "bench_naive").await?;
    let db = PgPoolOptions::new()
        .max_connections(pool)
        .connect(&url)
        .await
        .map_err(|e| e.to_string())?;
    sqlx::raw_sql(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL);
         CREATE TABLE transfers (id uuid PRIMARY KEY,
             debit bigint NOT NULL REFERENCES accounts, credit bigint NOT NULL REFERENCES accounts,
             amount bigint NOT NULL CHECK (amount > 0), at timestamptz NOT NULL DEFAULT now());",
    )
    .execute(&db)
    .await
    .map_err(|e| e.to_string())?;
    sqlx::query("INSERT INTO accounts SELECT g, 0 FROM generate_series(0, $1) g")
        .bind(members)
        .execute(&db)
        .await
        .map_err(|e| e.to_string())?;
    let addr = free_addr()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| e.to_string())?;
    let app = Router::new()
        .route("/transfers", post(transfer))
        .with_state(Arc::new(db));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Naive {
        base: format!("http://{addr}"),
        server,
    })
}

async fn transfer(
    State(db): State<Arc<PgPool>>,
    Json(t): Json<TransferBody>,
) -> Result<StatusCode, (StatusCode, String)> {
    let fail = |e: sqlx::Error| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    let mut tx = db.begin().await.map_err(fail)?;
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, balance FROM accounts WHERE id IN ($1, $2) ORDER BY id FOR UPDATE",
    )
    .bind(t.debit)
    .bind(t.credit)
    .fetch_all(&mut *tx)
    .await
    .map_err(fail)?;
    let debit_balance = rows.iter().find(|(id, _)| *id == t.debit).map(|r| r.1);
    match debit_balance {
        None => return Err((StatusCode::NOT_FOUND, "no such account".into())),
        Some(b) if t.debit != ISSUER && b < t.amount => {
            return Err((StatusCode::CONFLICT, "insufficient_credits".into()));
        }
        Some(_) => {}
    }
    sqlx::query("INSERT INTO transfers (id, debit, credit, amount) VALUES ($1, $2, $3, $4)")
        .bind(t.id)
        .bind(t.debit)
        .bind(t.credit)
        .bind(t.amount)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
    for (account, delta) in [(t.debit, -t.amount), (t.credit, t.amount)] {
        sqlx::query("UPDATE accounts SET balance = balance + $2 WHERE id = $1")
            .bind(account)
            .bind(delta)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
    }
    tx.commit().await.map_err(fail)?;
    Ok(StatusCode::CREATED)
}

/// The same workload as ours: issuance from the one issuer to a member.
pub fn issuance(base: &str, members: i64) -> Gen {
    let url = format!("{base}/transfers");
    Arc::new(move |n| {
        let credit = 1 + (mix(n) % members as u64) as i64;
        let amount = 15 * (1 + (mix(n ^ 0x5555) % 8) as i64);
        Req {
            body: Some(format!(
                r#"{{"id":"{}","debit":{ISSUER},"credit":{credit},"amount":{amount}}}"#,
                Uuid::now_v7()
            )),
            ..Req::post(url.clone())
        }
    })
}

/// A cheap deterministic scramble of a request number (splitmix64).
pub fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Transfers stored, and whether the balances still sum to zero.
pub async fn check(pg_url: &str, expected_at_least: u64) -> Result<(), String> {
    let url = crate::server::pg_database_url(pg_url, "bench_naive");
    let db = PgPool::connect(&url).await.map_err(|e| e.to_string())?;
    let (count, sum): (i64, Option<i64>) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM transfers), (SELECT sum(balance)::bigint FROM accounts)",
    )
    .fetch_one(&db)
    .await
    .map_err(|e| e.to_string())?;
    db.close().await;
    if sum != Some(0) || (count as u64) < expected_at_least {
        return Err(format!(
            "naive ledger inconsistent: {count} transfers (expected at least {expected_at_least}), balances sum to {sum:?}"
        ));
    }
    Ok(())
}
