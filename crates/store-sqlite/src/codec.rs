//! Turning rows into domain records and back. Ids are 16-byte blobs, times
//! are microseconds since the epoch, enums are their `as_str` names.

use chrono::{DateTime, Utc};
use rusqlite::Row;
use timecredits_app::{StoreError, StoreResult};
use timecredits_ledger::{
    Account, AccountId, AccountKind, AccountState, AccountStatus, ActorId, Cause, CauseKind, Floor,
    Minutes, ProgrammeId, Transfer, TransferId, TransferKind,
};
use uuid::Uuid;

pub(crate) fn blob(id: Uuid) -> [u8; 16] {
    *id.as_bytes()
}

pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn time(us: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us)
        .ok_or_else(|| StoreError::Corrupt(format!("time {us} is out of range")))
}

pub(crate) fn uuid(row: &Row, col: &str) -> StoreResult<Uuid> {
    let bytes: Vec<u8> = row.get(col).map_err(crate::internal)?;
    Uuid::from_slice(&bytes).map_err(|_| StoreError::Corrupt(format!("column {col} holds no UUID")))
}

pub(crate) fn opt_uuid(row: &Row, col: &str) -> StoreResult<Option<Uuid>> {
    let bytes: Option<Vec<u8>> = row.get(col).map_err(crate::internal)?;
    bytes
        .map(|b| {
            Uuid::from_slice(&b)
                .map_err(|_| StoreError::Corrupt(format!("column {col} holds no UUID")))
        })
        .transpose()
}

pub(crate) fn get<T: rusqlite::types::FromSql>(row: &Row, col: &str) -> StoreResult<T> {
    row.get(col).map_err(crate::internal)
}

fn parsed<T>(value: Option<T>, what: &str, raw: &str) -> StoreResult<T> {
    value.ok_or_else(|| StoreError::Corrupt(format!("unknown {what} {raw:?}")))
}

pub(crate) const ACCOUNT_COLUMNS: &str = "id, programme_id, kind, owner_id, status, floor_minutes, exchange_overdraft_minutes, balance_minutes";

/// An account row as stored: the balance is `None` when untracked.
pub(crate) fn account_state(row: &Row) -> StoreResult<AccountState> {
    let kind: String = get(row, "kind")?;
    let status: String = get(row, "status")?;
    let floor: Option<i64> = get(row, "floor_minutes")?;
    Ok(AccountState {
        account: Account {
            id: AccountId(uuid(row, "id")?),
            programme: ProgrammeId(uuid(row, "programme_id")?),
            kind: parsed(AccountKind::parse(&kind), "account kind", &kind)?,
            owner: opt_uuid(row, "owner_id")?,
            status: parsed(AccountStatus::parse(&status), "account status", &status)?,
            floor: floor.map_or(Floor::Unbounded, Floor::AtLeast),
            exchange_overdraft_minutes: get(row, "exchange_overdraft_minutes")?,
        },
        balance_minutes: get(row, "balance_minutes")?,
    })
}

pub(crate) fn floor_minutes(a: &Account) -> Option<i64> {
    match a.floor {
        Floor::Unbounded => None,
        Floor::AtLeast(f) => Some(f),
    }
}

pub(crate) const TRANSFER_COLUMNS: &str = "id, programme_id, kind, debit_account, credit_account, amount_minutes, actor_id, at, reason, cause_kind, cause_id, reverses";

pub(crate) fn transfer_kind(raw: &str) -> StoreResult<TransferKind> {
    parsed(TransferKind::parse(raw), "transfer kind", raw)
}

pub(crate) fn transfer(row: &Row) -> StoreResult<Transfer> {
    let kind: String = get(row, "kind")?;
    let cause_kind: Option<String> = get(row, "cause_kind")?;
    let cause = match (cause_kind, opt_uuid(row, "cause_id")?) {
        (Some(k), Some(id)) => Some(Cause {
            kind: parsed(CauseKind::parse(&k), "cause kind", &k)?,
            id,
        }),
        _ => None,
    };
    let amount: i64 = get(row, "amount_minutes")?;
    Ok(Transfer {
        id: TransferId(uuid(row, "id")?),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        kind: parsed(TransferKind::parse(&kind), "transfer kind", &kind)?,
        debit: AccountId(uuid(row, "debit_account")?),
        credit: AccountId(uuid(row, "credit_account")?),
        amount: Minutes::for_transfer(amount).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        actor: ActorId(uuid(row, "actor_id")?),
        at: time(get(row, "at")?)?,
        reason: get(row, "reason")?,
        cause,
        reverses: opt_uuid(row, "reverses")?.map(TransferId),
    })
}
