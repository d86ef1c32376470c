//! The ledger's SQL: posting a batch, reading balances and statements,
//! and verifying everything from the postings.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use timecredits_app::{PostError, StoreResult};
use timecredits_ledger::{
    AccountId, AccountState, Plan, PostingRequest, Snapshot, Transfer, TransferId, Verifier,
    VerifyReport,
};

use crate::codec::{
    ACCOUNT_COLUMNS, TRANSFER_COLUMNS, account_state, blob, micros, transfer, transfer_kind,
};
use crate::internal;
use timecredits_ledger::circulation::{Group, GroupKey, ProgrammeAccounts};

/// Decides and writes one batch. Runs on the writer thread inside the
/// request's savepoint, so the checks and the writes are one atomic step.
pub(crate) fn post(
    conn: &Connection,
    requests: &[PostingRequest],
    at: DateTime<Utc>,
) -> Result<Plan, PostError> {
    let mut snapshot = Snapshot::new();
    for id in Snapshot::transfer_ids_needed(requests) {
        if let Some(t) = transfer_by_id(conn, id)? {
            snapshot.add_transfer(t);
        }
        let mut stmt = conn
            .prepare_cached("SELECT id FROM transfers WHERE reverses = ?1")
            .map_err(internal)?;
        let reversal: Option<Vec<u8>> = stmt
            .query_row([blob(id.0)], |r| r.get(0))
            .optional()
            .map_err(internal)?;
        if let Some(r) = reversal.and_then(|b| uuid::Uuid::from_slice(&b).ok()) {
            snapshot.add_reversal(id, TransferId(r));
        }
    }
    let mut tracked = Vec::new();
    for id in snapshot.account_ids_needed(requests) {
        if let Some(state) = account_row(conn, id)? {
            if state.account.tracks_balance() {
                tracked.push(id);
            }
            snapshot.add_account(state);
        }
    }
    // A transfer that debits an account with a limit is stamped no earlier
    // than that account's latest transfer: `at` was read before the request
    // reached the writer, and statements run in time order, so a debit
    // committed after a credit must not show before it (and below zero).
    let plan = snapshot.clone().plan(requests, at)?;
    let debited: Vec<AccountId> = plan
        .new_transfers()
        .map(|t| t.debit)
        .filter(|a| tracked.contains(a))
        .collect();
    let later = not_before_latest(conn, &debited, at)?;
    let plan = if later > at {
        snapshot.plan(requests, later)?
    } else {
        plan
    };
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO transfers (id, programme_id, kind, debit_account, credit_account, amount_minutes, actor_id, at, reason, cause_kind, cause_id, reverses)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .map_err(internal)?;
    for t in plan.new_transfers() {
        insert
            .execute(params![
                blob(t.id.0),
                blob(t.programme.0),
                t.kind.as_str(),
                blob(t.debit.0),
                blob(t.credit.0),
                t.amount.get(),
                blob(t.actor.0),
                micros(t.at),
                t.reason,
                t.cause.map(|c| c.kind.as_str()),
                t.cause.map(|c| blob(c.id)),
                t.reverses.map(|r| blob(r.0)),
            ])
            .map_err(internal)?;
    }
    let mut update = conn
        .prepare_cached("UPDATE accounts SET balance_minutes = balance_minutes + ?2 WHERE id = ?1")
        .map_err(internal)?;
    for (account, delta) in &plan.balance_changes {
        update
            .execute(params![blob(account.0), delta])
            .map_err(internal)?;
    }
    Ok(plan)
}

pub(crate) fn transfer_by_id(conn: &Connection, id: TransferId) -> StoreResult<Option<Transfer>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {TRANSFER_COLUMNS} FROM transfers WHERE id = ?1"
        ))
        .map_err(internal)?;
    let mut rows = stmt.query([blob(id.0)]).map_err(internal)?;
    match rows.next().map_err(internal)? {
        Some(row) => Ok(Some(transfer(row)?)),
        None => Ok(None),
    }
}

/// The account row as stored (balance `None` when untracked).
fn not_before_latest(
    conn: &Connection,
    accounts: &[AccountId],
    at: DateTime<Utc>,
) -> StoreResult<DateTime<Utc>> {
    let mut latest = micros(at);
    let mut stmt = conn
        .prepare_cached(
            "SELECT max(at) FROM (
               SELECT max(at) AS at FROM transfers WHERE debit_account = ?1
               UNION ALL SELECT max(at) FROM transfers WHERE credit_account = ?1)",
        )
        .map_err(internal)?;
    for id in accounts {
        let found: Option<i64> = stmt
            .query_row([blob(id.0)], |r| r.get(0))
            .map_err(internal)?;
        latest = latest.max(found.unwrap_or(latest));
    }
    crate::codec::time(latest)
}

pub(crate) fn account_row(conn: &Connection, id: AccountId) -> StoreResult<Option<AccountState>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"
        ))
        .map_err(internal)?;
    let mut rows = stmt.query([blob(id.0)]).map_err(internal)?;
    match rows.next().map_err(internal)? {
        Some(row) => Ok(Some(account_state(row)?)),
        None => Ok(None),
    }
}

/// The sum of postings to `account` made before `before` (or all).
pub(crate) fn summed_balance(
    conn: &Connection,
    account: AccountId,
    before: Option<i64>,
) -> StoreResult<i64> {
    let bound = before.unwrap_or(i64::MAX);
    let mut stmt = conn
        .prepare_cached(
            "SELECT (SELECT COALESCE(SUM(amount_minutes), 0) FROM transfers WHERE credit_account = ?1 AND at < ?2)
                  - (SELECT COALESCE(SUM(amount_minutes), 0) FROM transfers WHERE debit_account = ?1 AND at < ?2)",
        )
        .map_err(internal)?;
    stmt.query_row(params![blob(account.0), bound], |r| r.get(0))
        .map_err(internal)
}

/// The account with a balance filled in even where it is not tracked.
pub(crate) fn account_with_balance(
    conn: &Connection,
    id: AccountId,
) -> StoreResult<Option<AccountState>> {
    let Some(mut state) = account_row(conn, id)? else {
        return Ok(None);
    };
    if state.balance_minutes.is_none() {
        state.balance_minutes = Some(summed_balance(conn, id, None)?);
    }
    Ok(Some(state))
}

pub(crate) fn account_transfers(
    conn: &Connection,
    account: AccountId,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    limit: u32,
) -> StoreResult<(i64, Vec<Transfer>)> {
    let opening = match from {
        Some(f) => summed_balance(conn, account, Some(micros(f)))?,
        None => 0,
    };
    let lo = from.map_or(i64::MIN, micros);
    let hi = to.map_or(i64::MAX, micros);
    let sql = format!(
        "SELECT {TRANSFER_COLUMNS} FROM (
            SELECT seq, {TRANSFER_COLUMNS} FROM transfers WHERE debit_account = ?1 AND at >= ?2 AND at < ?3
            UNION ALL
            SELECT seq, {TRANSFER_COLUMNS} FROM transfers WHERE credit_account = ?1 AND at >= ?2 AND at < ?3
         ) ORDER BY at, seq LIMIT ?4"
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(internal)?;
    let mut rows = stmt
        .query(params![blob(account.0), lo, hi, limit])
        .map_err(internal)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(internal)? {
        out.push(transfer(row)?);
    }
    Ok((opening, out))
}

/// Streams every posting through the verifier inside one read transaction,
/// so the check sees a single consistent state.
pub(crate) fn verify(conn: &Connection) -> StoreResult<VerifyReport> {
    conn.execute_batch("BEGIN").map_err(internal)?;
    let result = verify_in_transaction(conn);
    let _ = conn.execute_batch("COMMIT");
    result
}

fn verify_in_transaction(conn: &Connection) -> StoreResult<VerifyReport> {
    let reversals = collect(
        conn,
        &format!("SELECT {TRANSFER_COLUMNS} FROM transfers WHERE reverses IS NOT NULL"),
        transfer,
    )?;
    let mut verifier = Verifier::new(reversals);
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {TRANSFER_COLUMNS} FROM transfers ORDER BY seq"
        ))
        .map_err(internal)?;
    let mut rows = stmt.query([]).map_err(internal)?;
    while let Some(row) = rows.next().map_err(internal)? {
        verifier.transfer(&transfer(row)?);
    }
    let accounts = collect(
        conn,
        &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts"),
        account_state,
    )?;
    Ok(verifier.finish(accounts))
}

pub(crate) fn collect<T>(
    conn: &Connection,
    sql: &str,
    map: impl Fn(&rusqlite::Row) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql).map_err(internal)?;
    let mut rows = stmt.query([]).map_err(internal)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(internal)? {
        out.push(map(row)?);
    }
    Ok(out)
}

pub(crate) fn programme_transfers(
    conn: &Connection,
    programme: timecredits_ledger::ProgrammeId,
    to: DateTime<Utc>,
) -> StoreResult<Vec<Transfer>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {TRANSFER_COLUMNS} FROM transfers WHERE programme_id = ?1 AND at < ?2 ORDER BY seq"
        ))
        .map_err(internal)?;
    let mut rows = stmt
        .query(params![blob(programme.0), micros(to)])
        .map_err(internal)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(internal)? {
        out.push(transfer(row)?);
    }
    Ok(out)
}

/// A circulation summary's sums, grouped in SQL (see `circulation::group`,
/// the reference this must equal).
pub(crate) fn circulation_groups(
    conn: &Connection,
    programme: timecredits_ledger::ProgrammeId,
    accounts: ProgrammeAccounts,
    from: Option<DateTime<Utc>>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<Group>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT (?3 IS NULL OR t.at >= ?3) AS in_period,
                    CASE WHEN t.debit_account IN (?4, ?5, ?6) AND t.credit_account NOT IN (?4, ?5, ?6) THEN 1
                         WHEN t.credit_account IN (?4, ?5, ?6) AND t.debit_account NOT IN (?4, ?5, ?6) THEN -1
                         ELSE 0 END AS outside,
                    COALESCE(o.kind, t.kind) AS kind,
                    COALESCE(o.debit_account, t.debit_account) = ?4 AS from_issuance,
                    o.id IS NOT NULL AS reversal,
                    SUM(t.amount_minutes) AS minutes
             FROM transfers t
             LEFT JOIN transfers o ON o.id = t.reverses AND o.at < ?2
             WHERE t.programme_id = ?1 AND t.at < ?2
             GROUP BY 1, 2, 3, 4, 5",
        )
        .map_err(internal)?;
    let mut rows = stmt
        .query(params![
            blob(programme.0),
            micros(to),
            from.map(micros),
            blob(accounts.issuance.0),
            blob(accounts.retired.0),
            blob(accounts.expired.0),
        ])
        .map_err(internal)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(internal)? {
        let kind: String = row.get("kind").map_err(internal)?;
        out.push(Group {
            key: GroupKey {
                in_period: row.get("in_period").map_err(internal)?,
                outside: row.get("outside").map_err(internal)?,
                kind: transfer_kind(&kind)?,
                from_issuance: row.get("from_issuance").map_err(internal)?,
                reversal: row.get("reversal").map_err(internal)?,
            },
            minutes: row.get("minutes").map_err(internal)?,
        });
    }
    Ok(out)
}
