//! Reading rows back into the ledger's and the application's records.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::PgRow;
use timecredits_app::{
    ApiTokenRecord, Member, MemberId, MemberNumber, Organisation, OrganisationId, Programme, Role,
    RoleGrant, Scope, SessionRecord, StoreError, StoreResult, TokenHolder, User, UserId,
};
use timecredits_ledger::{
    Account, AccountId, AccountKind, AccountState, AccountStatus, ActorId, Cause, CauseKind, Floor,
    Minutes, ProgrammeId, Transfer, TransferId, TransferKind,
};
use uuid::Uuid;

use crate::error::db_err;

/// The columns [`transfer`] reads, in a form `concat!` accepts.
macro_rules! transfer_columns {
    () => {
        "id, programme_id, kind, debit_account, credit_account, amount_minutes, actor_id, at, reason, cause_kind, \
         cause_id, reverses"
    };
}
pub(crate) use transfer_columns;

/// The columns [`account_state`] reads (with `balance_minutes`).
macro_rules! account_columns {
    () => {
        "id, programme_id, kind, owner_id, status, floor_minutes, exchange_overdraft_minutes, balance_minutes"
    };
}
pub(crate) use account_columns;

macro_rules! programme_columns {
    () => {
        "id, name, locality, time_zone, language, issuance_account, retired_account, expired_account, \
         community_pot_account, exchange_overdraft_minutes, created_at"
    };
}
pub(crate) use programme_columns;

macro_rules! organisation_columns {
    () => {
        "id, programme_id, name, account_id, pot_account_id, created_at"
    };
}
pub(crate) use organisation_columns;

macro_rules! member_columns {
    () => {
        "id, programme_id, member_number, display_name, account_id, user_id, created_at"
    };
}
pub(crate) use member_columns;

macro_rules! user_columns {
    () => {
        "id, email, display_name, password_hash, pin_hash, member_id, created_at"
    };
}
pub(crate) use user_columns;

pub(crate) fn get<'r, T>(row: &'r PgRow, column: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(column).map_err(db_err)
}

fn corrupt(what: &str, value: impl std::fmt::Debug) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {value:?}"))
}

/// One row of the circulation grouping (see `PgStore::circulation_groups`).
pub(crate) fn circulation_group(
    row: &PgRow,
) -> StoreResult<timecredits_ledger::circulation::Group> {
    let kind: String = get(row, "kind")?;
    let outside: i32 = get(row, "outside")?;
    Ok(timecredits_ledger::circulation::Group {
        key: timecredits_ledger::circulation::GroupKey {
            in_period: get(row, "in_period")?,
            outside: i8::try_from(outside).map_err(|_| corrupt("outside", outside))?,
            kind: TransferKind::parse(&kind).ok_or_else(|| corrupt("transfer kind", &kind))?,
            from_issuance: get(row, "from_issuance")?,
            reversal: get(row, "reversal")?,
        },
        minutes: get(row, "minutes")?,
    })
}

pub(crate) fn transfer(row: &PgRow) -> StoreResult<Transfer> {
    let kind: String = get(row, "kind")?;
    let amount: i64 = get(row, "amount_minutes")?;
    let cause_kind: Option<String> = get(row, "cause_kind")?;
    let cause_id: Option<Uuid> = get(row, "cause_id")?;
    let id = TransferId(get(row, "id")?);
    let cause = match (cause_kind, cause_id) {
        (None, None) => None,
        (Some(k), Some(cause_id)) => Some(Cause {
            kind: CauseKind::parse(&k).ok_or_else(|| corrupt("cause kind", &k))?,
            id: cause_id,
        }),
        _ => {
            return Err(StoreError::Corrupt(format!(
                "transfer {id} has half a cause"
            )));
        }
    };
    Ok(Transfer {
        id,
        programme: ProgrammeId(get(row, "programme_id")?),
        kind: TransferKind::parse(&kind).ok_or_else(|| corrupt("transfer kind", &kind))?,
        debit: AccountId(get(row, "debit_account")?),
        credit: AccountId(get(row, "credit_account")?),
        amount: Minutes::for_transfer(amount)
            .map_err(|e| StoreError::Corrupt(format!("transfer {id} has amount {amount}: {e}")))?,
        actor: ActorId(get(row, "actor_id")?),
        at: get(row, "at")?,
        reason: get(row, "reason")?,
        cause,
        reverses: get::<Option<Uuid>>(row, "reverses")?.map(TransferId),
    })
}

/// An account row with the balance in column `balance_minutes`.
pub(crate) fn account_state(row: &PgRow) -> StoreResult<AccountState> {
    let kind: String = get(row, "kind")?;
    let status: String = get(row, "status")?;
    let floor: Option<i64> = get(row, "floor_minutes")?;
    let account = Account {
        id: AccountId(get(row, "id")?),
        programme: ProgrammeId(get(row, "programme_id")?),
        kind: AccountKind::parse(&kind).ok_or_else(|| corrupt("account kind", &kind))?,
        owner: get(row, "owner_id")?,
        status: AccountStatus::parse(&status).ok_or_else(|| corrupt("account status", &status))?,
        floor: floor.map_or(Floor::Unbounded, Floor::AtLeast),
        exchange_overdraft_minutes: get(row, "exchange_overdraft_minutes")?,
    };
    Ok(AccountState {
        account,
        balance_minutes: get(row, "balance_minutes")?,
    })
}

pub(crate) fn programme(row: &PgRow) -> StoreResult<Programme> {
    Ok(Programme {
        id: ProgrammeId(get(row, "id")?),
        name: get(row, "name")?,
        locality: get(row, "locality")?,
        time_zone: get(row, "time_zone")?,
        language: get(row, "language")?,
        issuance_account: AccountId(get(row, "issuance_account")?),
        retired_account: AccountId(get(row, "retired_account")?),
        expired_account: AccountId(get(row, "expired_account")?),
        community_pot_account: AccountId(get(row, "community_pot_account")?),
        exchange_overdraft_minutes: get(row, "exchange_overdraft_minutes")?,
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn organisation(row: &PgRow) -> StoreResult<Organisation> {
    Ok(Organisation {
        id: OrganisationId(get(row, "id")?),
        programme: ProgrammeId(get(row, "programme_id")?),
        name: get(row, "name")?,
        account: AccountId(get(row, "account_id")?),
        pot_account: AccountId(get(row, "pot_account_id")?),
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn member_number_to_db(number: MemberNumber) -> StoreResult<i32> {
    i32::try_from(number.value())
        .map_err(|_| StoreError::Internal(format!("member number {number} is out of range")))
}

pub(crate) fn member(row: &PgRow) -> StoreResult<Member> {
    let value: i32 = get(row, "member_number")?;
    let number = u32::try_from(value)
        .ok()
        .and_then(|v| MemberNumber::from_base(v / 10).filter(|n| n.value() == v))
        .ok_or_else(|| StoreError::Corrupt(format!("member number {value} does not check out")))?;
    Ok(Member {
        id: MemberId(get(row, "id")?),
        programme: ProgrammeId(get(row, "programme_id")?),
        number,
        display_name: get(row, "display_name")?,
        account: AccountId(get(row, "account_id")?),
        user: get::<Option<Uuid>>(row, "user_id")?.map(UserId),
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn user(row: &PgRow) -> StoreResult<User> {
    Ok(User {
        id: UserId(get(row, "id")?),
        email: get(row, "email")?,
        display_name: get(row, "display_name")?,
        password_hash: get(row, "password_hash")?,
        pin_hash: get(row, "pin_hash")?,
        member: get::<Option<Uuid>>(row, "member_id")?.map(MemberId),
        created_at: get(row, "created_at")?,
    })
}

/// The `(scope_kind, scope_id)` a scope is stored as.
pub(crate) fn scope_to_db(scope: Scope) -> (&'static str, Uuid) {
    match scope {
        Scope::Platform => ("platform", Uuid::nil()),
        Scope::Programme(p) => ("programme", p.0),
        Scope::Organisation(o) => ("organisation", o.0),
    }
}

pub(crate) fn role_grant(row: &PgRow) -> StoreResult<RoleGrant> {
    let role: String = get(row, "role")?;
    let scope_kind: String = get(row, "scope_kind")?;
    let scope_id: Uuid = get(row, "scope_id")?;
    let scope = match scope_kind.as_str() {
        "platform" => Scope::Platform,
        "programme" => Scope::Programme(ProgrammeId(scope_id)),
        "organisation" => Scope::Organisation(OrganisationId(scope_id)),
        other => return Err(corrupt("scope kind", other)),
    };
    Ok(RoleGrant {
        user: UserId(get(row, "user_id")?),
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        scope,
    })
}

pub(crate) fn session(row: &PgRow) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        id_hash: get(row, "id_hash")?,
        user: UserId(get(row, "user_id")?),
        csrf_token: get(row, "csrf_token")?,
        created_at: get::<DateTime<Utc>>(row, "created_at")?,
        expires_at: get(row, "expires_at")?,
    })
}

pub(crate) fn api_token(row: &PgRow) -> StoreResult<ApiTokenRecord> {
    Ok(ApiTokenRecord {
        token_hash: get(row, "token_hash")?,
        user: UserId(get(row, "user_id")?),
        label: get(row, "label")?,
        created_at: get(row, "created_at")?,
        expires_at: get(row, "expires_at")?,
    })
}

/// A token with its holder from the rows of `TOKEN_HOLDER_SELECT`: one per
/// grant, or one with NULL grant columns; no rows, no token.
pub(crate) fn token_holder(rows: &[PgRow]) -> StoreResult<Option<TokenHolder>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut grants = Vec::with_capacity(rows.len());
    for row in rows {
        if get::<Option<String>>(row, "role")?.is_some() {
            grants.push(role_grant(row)?);
        }
    }
    Ok(Some(TokenHolder {
        token: api_token(first)?,
        member: get::<Option<Uuid>>(first, "member_id")?.map(MemberId),
        grants,
    }))
}
