//! The PostgreSQL backend of [`timecredits_app::Store`].
//!
//! The write path ([`Store::post`]) runs in one READ COMMITTED transaction:
//! it loads the transfers a batch names, locks the rows of the *tracked*
//! accounts it touches in id order, lets the ledger core plan the batch, then
//! inserts the new transfers and adjusts the tracked balances in a single
//! statement. Untracked accounts (the issuance account, whose floor is
//! unbounded) are read without a lock and never updated, so no hot row
//! serialises issuance. Races between writers surface as unique violations
//! or deadlocks, and the whole batch is retried: the next attempt sees what
//! the winner committed, so the core answers with the original transfer, an
//! idempotency conflict or "already reversed".

mod activities;
mod bulk;
mod directory;
mod error;
mod evaluation;
mod recovery;
mod rows;
mod rules;
mod spending;
mod testing;
mod timebank;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Row};
use timecredits_app::{
    ApiTokenRecord, CoreStore, Member, MemberId, MemberNumber, Organisation, OrganisationId,
    PostError, Programme, RoleGrant, SessionRecord, StoreError, StoreResult, TokenHolder, User,
    UserId,
};
use timecredits_ledger::{
    Account, AccountId, AccountState, AccountStatus, Floor, Movement, Plan, PostingRequest,
    ProgrammeId, Snapshot, Transfer, TransferId, Verifier, VerifyReport,
};
use uuid::Uuid;

use crate::error::{db_err, describe, is_retryable, migrate_err, redact, secrets_in_url, sqlstate};
use crate::rows::{
    account_columns, member_columns, organisation_columns, programme_columns, transfer_columns,
    user_columns,
};
pub use crate::testing::fresh_test_database;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connections in the pool.
const POOL_SIZE: u32 = 16;
/// How long to wait for the server when connecting or for a free connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How many times a batch is tried when it loses a race with another writer.
const POST_ATTEMPTS: u32 = 6;
/// Transfers read per round trip by `verify`.
const VERIFY_PAGE: i64 = 10_000;

/// The ledger and its records in a PostgreSQL database.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects (a pool of 16) and applies pending migrations. A server that
    /// cannot be reached gives [`StoreError::Unavailable`], naming the host
    /// and database but never the password.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        let store = Self::connect_without_migrating(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating; [`migrate`](Self::migrate) then applies
    /// pending migrations (for the `timecredits migrate` command).
    pub async fn connect_without_migrating(url: &str) -> Result<PgStore, StoreError> {
        let secrets = secrets_in_url(url);
        let options = PgConnectOptions::from_str(url).map_err(|e| {
            StoreError::Unavailable(format!(
                "the PostgreSQL URL is not valid: {}",
                redact(&e.to_string(), &secrets)
            ))
        })?;
        let options = options.application_name("timecredits");
        let target = describe(&options);
        let unavailable = |e: sqlx::Error| {
            StoreError::Unavailable(format!(
                "cannot connect to {target}: {}",
                redact(&e.to_string(), &secrets)
            ))
        };
        // One direct attempt first: the pool would retry a refused
        // connection until its timeout and then report only "timed out".
        let probe = tokio::time::timeout(CONNECT_TIMEOUT, options.connect())
            .await
            .map_err(|_| {
                StoreError::Unavailable(format!(
                    "cannot connect to {target}: no answer within {CONNECT_TIMEOUT:?}"
                ))
            })?
            .map_err(unavailable)?;
        let _ = probe.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(unavailable)?;
        tracing::debug!(%target, "connected to PostgreSQL");
        Ok(PgStore { pool })
    }

    /// Applies the migrations the database does not have yet. Safe to run
    /// from several instances at once (the migrator takes an advisory lock).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await.map_err(migrate_err)
    }

    async fn insert_accounts(conn: &mut PgConnection, accounts: &[Account]) -> StoreResult<()> {
        for a in accounts {
            let floor = match a.floor {
                Floor::Unbounded => None,
                Floor::AtLeast(f) => Some(f),
            };
            sqlx::query(
                "INSERT INTO accounts (id, programme_id, kind, owner_id, status, floor_minutes, \
                 exchange_overdraft_minutes, balance_minutes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(a.id.0)
            .bind(a.programme.0)
            .bind(a.kind.as_str())
            .bind(a.owner)
            .bind(a.status.as_str())
            .bind(floor)
            .bind(a.exchange_overdraft_minutes)
            .bind(floor.map(|_| 0_i64))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
        Ok(())
    }

    /// One attempt at posting a batch, in one transaction.
    ///
    /// The accounts are locked *before* the batch's transfers are read for
    /// the plan: a writer that raced us on a shared account has committed by
    /// the time we hold its lock, so a retried request is answered with its
    /// transfer (not, say, "insufficient credits" for paying twice) and a
    /// second reversal with "already reversed". A writer sharing no tracked
    /// account with us cannot change what we check; if it wrote the same
    /// transfer id or reversed the same transfer, the unique constraints
    /// stop our insert and the batch is tried again.
    async fn try_post(
        &self,
        requests: &[PostingRequest],
        at: DateTime<Utc>,
    ) -> Result<Plan, Attempt> {
        let mut tx = self.pool.begin().await?;
        match Self::plan_and_write(&mut tx, requests, at).await {
            Ok(plan) => {
                tx.commit().await?;
                Ok(plan)
            }
            Err(e) => {
                // Release the row locks now rather than when the pool
                // gets round to it; an error may already have aborted it.
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    /// `at`, or the time of the latest transfer of any tracked (locked)
    /// account among `account_rows` that is in `debited`, if that is later.
    async fn not_before_locked(
        conn: &mut PgConnection,
        account_rows: &[sqlx::postgres::PgRow],
        debited: &[Uuid],
        at: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, Attempt> {
        let mut locked = Vec::new();
        for row in account_rows {
            let state = rows::account_state(row)?;
            if state.account.tracks_balance() && debited.contains(&state.account.id.0) {
                locked.push(state.account.id.0);
            }
        }
        if locked.is_empty() {
            return Ok(at);
        }
        let latest: Option<DateTime<Utc>> = sqlx::query_scalar(
            "SELECT max(latest) FROM unnest($1::uuid[]) AS a(id), LATERAL (
               SELECT (SELECT at FROM transfers WHERE debit_account = a.id ORDER BY at DESC LIMIT 1) AS latest
               UNION ALL
               SELECT (SELECT at FROM transfers WHERE credit_account = a.id ORDER BY at DESC LIMIT 1)
             ) l",
        )
        .bind(&locked)
        .fetch_one(&mut *conn)
        .await?;
        Ok(latest.map_or(at, |latest| latest.max(at)))
    }

    pub(crate) async fn plan_and_write(
        conn: &mut PgConnection,
        requests: &[PostingRequest],
        at: DateTime<Utc>,
    ) -> Result<Plan, Attempt> {
        // 1. Which accounts the batch touches: a reversal's are those of its
        // original, so look the originals up first.
        let mut probe = Snapshot::new();
        let originals: Vec<Uuid> = requests
            .iter()
            .filter_map(|r| match r.movement {
                Movement::Reverse { original } => Some(original.0),
                Movement::Move { .. } => None,
            })
            .collect();
        if !originals.is_empty() {
            let rows = sqlx::query(concat!(
                "SELECT ",
                transfer_columns!(),
                " FROM transfers WHERE id = ANY($1)"
            ))
            .bind(&originals)
            .fetch_all(&mut *conn)
            .await?;
            for row in &rows {
                probe.add_transfer(rows::transfer(row)?);
            }
        }
        let accounts = probe.account_ids_needed(requests);

        // 2. The accounts: tracked ones locked in id order, untracked ones
        // (unbounded floor: the issuance account) read without any lock.
        let account_uuids: Vec<Uuid> = accounts.iter().map(|id| id.0).collect();
        let account_rows = sqlx::query(concat!(
            "WITH locked AS MATERIALIZED (SELECT ",
            account_columns!(),
            " FROM accounts WHERE id = ANY($1) AND floor_minutes IS NOT NULL ORDER BY id FOR NO KEY UPDATE) ",
            "SELECT * FROM locked UNION ALL SELECT ",
            account_columns!(),
            " FROM accounts WHERE id = ANY($1) AND floor_minutes IS NULL"
        ))
        .bind(&account_uuids)
        .fetch_all(&mut *conn)
        .await?;

        // 3. The transfers the batch names, and which of them were reversed,
        // as committed now that we hold the locks.
        let mut snapshot = Snapshot::new();
        let ids: Vec<Uuid> = Snapshot::transfer_ids_needed(requests)
            .into_iter()
            .map(|id| id.0)
            .collect();
        let rows = sqlx::query(concat!(
            "SELECT ",
            transfer_columns!(),
            ", (SELECT r.id FROM transfers r WHERE r.reverses = t.id) AS reversed_by",
            " FROM transfers t WHERE t.id = ANY($1)"
        ))
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            let t = rows::transfer(row)?;
            let reversed_by: Option<Uuid> = row.try_get("reversed_by")?;
            if let Some(reversal) = reversed_by {
                snapshot.add_reversal(t.id, TransferId(reversal));
            }
            snapshot.add_transfer(t);
        }
        // An original that appeared since step 1 names accounts not locked.
        if snapshot
            .account_ids_needed(requests)
            .iter()
            .any(|id| accounts.binary_search(id).is_err())
        {
            return Err(Attempt::Stale);
        }
        for row in &account_rows {
            let mut state = rows::account_state(row)?;
            if !state.account.tracks_balance() {
                state.balance_minutes = None;
            }
            snapshot.add_account(state);
        }

        // 4. The core decides. A transfer that debits a locked account is
        // stamped no earlier than that account's latest transfer: `at` was
        // read before the locks were granted, and statements run in time
        // order, so a debit committed after a credit must not show before
        // it (and below zero).
        let plan = snapshot
            .clone()
            .plan(requests, at)
            .map_err(Attempt::Rejected)?;
        let debited: Vec<Uuid> = plan.new_transfers().map(|t| t.debit.0).collect();
        let later = Self::not_before_locked(conn, &account_rows, &debited, at).await?;
        let plan = if later > at {
            snapshot.plan(requests, later).map_err(Attempt::Rejected)?
        } else {
            plan
        };

        // 5. Write the new transfers and the balance changes in one statement.
        let new: Vec<&Transfer> = plan.new_transfers().collect();
        if !new.is_empty() {
            let (changed, deltas): (Vec<Uuid>, Vec<i64>) =
                plan.balance_changes.iter().map(|&(a, d)| (a.0, d)).unzip();
            sqlx::query(concat!(
                "WITH inserted AS (",
                "INSERT INTO transfers (",
                transfer_columns!(),
                ") SELECT id, programme_id, kind, debit_account, credit_account, amount_minutes, actor_id, at, \
                 reason, cause_kind, cause_id, reverses FROM unnest($1::uuid[], $2::uuid[], $3::text[], \
                 $4::uuid[], $5::uuid[], $6::bigint[], $7::uuid[], $8::timestamptz[], $9::text[], $10::text[], \
                 $11::uuid[], $12::uuid[]) WITH ORDINALITY AS n(id, programme_id, kind, debit_account, \
                 credit_account, amount_minutes, actor_id, at, reason, cause_kind, cause_id, reverses, ord) \
                 ORDER BY ord RETURNING 1) ",
                "UPDATE accounts a SET balance_minutes = a.balance_minutes + c.delta ",
                "FROM unnest($13::uuid[], $14::bigint[]) AS c(id, delta) ",
                "WHERE a.id = c.id AND a.floor_minutes IS NOT NULL"
            ))
            .bind(new.iter().map(|t| t.id.0).collect::<Vec<_>>())
            .bind(new.iter().map(|t| t.programme.0).collect::<Vec<_>>())
            .bind(new.iter().map(|t| t.kind.as_str()).collect::<Vec<_>>())
            .bind(new.iter().map(|t| t.debit.0).collect::<Vec<_>>())
            .bind(new.iter().map(|t| t.credit.0).collect::<Vec<_>>())
            .bind(new.iter().map(|t| t.amount.get()).collect::<Vec<_>>())
            .bind(new.iter().map(|t| t.actor.0).collect::<Vec<_>>())
            .bind(new.iter().map(|t| t.at).collect::<Vec<_>>())
            .bind(new.iter().map(|t| t.reason.clone()).collect::<Vec<_>>())
            .bind(new.iter().map(|t| t.cause.map(|c| c.kind.as_str())).collect::<Vec<_>>())
            .bind(new.iter().map(|t| t.cause.map(|c| c.id)).collect::<Vec<_>>())
            .bind(new.iter().map(|t| t.reverses.map(|r| r.0)).collect::<Vec<_>>())
            .bind(changed)
            .bind(deltas)
            .execute(&mut *conn)
            .await?;
        }
        Ok(plan)
    }

    /// The balance summed from postings made before `bound` (or at it, when
    /// `inclusive`).
    async fn summed_balance(
        conn: &mut PgConnection,
        account: AccountId,
        bound: DateTime<Utc>,
        inclusive: bool,
    ) -> StoreResult<i64> {
        let query = if inclusive {
            "SELECT ((SELECT coalesce(sum(amount_minutes), 0) FROM transfers WHERE credit_account = $1 AND at <= $2) \
             - (SELECT coalesce(sum(amount_minutes), 0) FROM transfers WHERE debit_account = $1 AND at <= $2))::bigint"
        } else {
            "SELECT ((SELECT coalesce(sum(amount_minutes), 0) FROM transfers WHERE credit_account = $1 AND at < $2) \
             - (SELECT coalesce(sum(amount_minutes), 0) FROM transfers WHERE debit_account = $1 AND at < $2))::bigint"
        };
        sqlx::query_scalar(query)
            .bind(account.0)
            .bind(bound)
            .fetch_one(conn)
            .await
            .map_err(db_err)
    }
}

/// Runs one attempt after another until it commits or fails for good:
/// unique violations, deadlocks and serialisation failures are tried again
/// (after a short jittered pause) up to `POST_ATTEMPTS` times. Area stores
/// use it for their own transactions that write records and postings together.
pub(crate) async fn retrying<T, F, Fut>(mut attempt_once: F) -> Result<T, PostError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Attempt>>,
{
    let mut attempt = 1;
    loop {
        match attempt_once().await {
            Ok(value) => return Ok(value),
            Err(Attempt::Rejected(rejected)) => return Err(PostError::Rejected(rejected)),
            Err(Attempt::Refused(refusal)) => return Err(PostError::Refused(refusal)),
            Err(Attempt::Store(e)) => return Err(PostError::Store(e)),
            Err(Attempt::Stale) if attempt < POST_ATTEMPTS => attempt += 1,
            Err(Attempt::Stale) => {
                return Err(PostError::Store(StoreError::Internal(
                    "the batch's transfers kept changing under it; try again".into(),
                )));
            }
            Err(Attempt::Db(e)) if is_retryable(&e) => {
                let code = sqlstate(&e).unwrap_or_default();
                if attempt >= POST_ATTEMPTS {
                    tracing::warn!(attempts = attempt, sqlstate = %code, "write gave up after repeated conflicts");
                    return Err(PostError::Store(StoreError::Internal(format!(
                        "the write kept conflicting with concurrent writes ({attempt} attempts, last SQLSTATE \
                         {code}); try again"
                    ))));
                }
                tracing::debug!(attempt, sqlstate = %code, "write conflicted with a concurrent write; retrying");
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
            Err(Attempt::Db(e)) => return Err(PostError::Store(db_err(e))),
        }
    }
}

/// Why one attempt at a write did not commit.
pub(crate) enum Attempt {
    Rejected(timecredits_ledger::BatchRejected),
    /// A co-production rule checked inside the transaction refused it.
    Refused(timecredits_domain::Refusal),
    Db(sqlx::Error),
    Store(StoreError),
    /// What the batch names changed between our reads; try again at once.
    Stale,
}

impl From<sqlx::Error> for Attempt {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e)
    }
}

impl From<timecredits_domain::Refusal> for Attempt {
    fn from(e: timecredits_domain::Refusal) -> Self {
        Self::Refused(e)
    }
}

impl From<StoreError> for Attempt {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// A short pause before retrying, growing with each attempt and jittered so
/// racing writers do not collide again in lockstep.
fn backoff(attempt: u32) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let base = 1_u64 << attempt.min(6);
    Duration::from_millis(base + u64::from(nanos % 1000) * base / 1000)
}

#[async_trait]
impl CoreStore for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn create_programme(
        &self,
        programme: &Programme,
        accounts: &[Account],
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        sqlx::query(concat!(
            "INSERT INTO programmes (",
            programme_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(programme.id.0)
        .bind(&programme.name)
        .bind(&programme.locality)
        .bind(&programme.time_zone)
        .bind(&programme.language)
        .bind(programme.issuance_account.0)
        .bind(programme.retired_account.0)
        .bind(programme.expired_account.0)
        .bind(programme.community_pot_account.0)
        .bind(programme.exchange_overdraft_minutes)
        .bind(programme.created_at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        Self::insert_accounts(&mut tx, accounts).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn programmes(&self) -> StoreResult<Vec<Programme>> {
        sqlx::query(concat!(
            "SELECT ",
            programme_columns!(),
            " FROM programmes ORDER BY created_at, name, id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(rows::programme)
        .collect()
    }

    async fn programme(&self, id: ProgrammeId) -> StoreResult<Option<Programme>> {
        sqlx::query(concat!(
            "SELECT ",
            programme_columns!(),
            " FROM programmes WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(rows::programme)
        .transpose()
    }

    async fn create_organisation(
        &self,
        organisation: &Organisation,
        accounts: &[Account],
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        // Accounts first: the organisation row refers to them.
        Self::insert_accounts(&mut tx, accounts).await?;
        sqlx::query(concat!(
            "INSERT INTO organisations (",
            organisation_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6)"
        ))
        .bind(organisation.id.0)
        .bind(organisation.programme.0)
        .bind(&organisation.name)
        .bind(organisation.account.0)
        .bind(organisation.pot_account.0)
        .bind(organisation.created_at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn organisations(&self, programme: ProgrammeId) -> StoreResult<Vec<Organisation>> {
        sqlx::query(concat!(
            "SELECT ",
            organisation_columns!(),
            " FROM organisations WHERE programme_id = $1 ORDER BY name, id"
        ))
        .bind(programme.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(rows::organisation)
        .collect()
    }

    async fn organisation(&self, id: OrganisationId) -> StoreResult<Option<Organisation>> {
        sqlx::query(concat!(
            "SELECT ",
            organisation_columns!(),
            " FROM organisations WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(rows::organisation)
        .transpose()
    }

    async fn create_member(&self, member: &Member, account: &Account) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        Self::insert_accounts(&mut tx, std::slice::from_ref(account)).await?;
        sqlx::query(concat!(
            "INSERT INTO members (",
            member_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ))
        .bind(member.id.0)
        .bind(member.programme.0)
        .bind(rows::member_number_to_db(member.number)?)
        .bind(&member.display_name)
        .bind(member.account.0)
        .bind(member.user.map(|u| u.0))
        .bind(member.created_at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn members(&self, programme: ProgrammeId) -> StoreResult<Vec<Member>> {
        sqlx::query(concat!(
            "SELECT ",
            member_columns!(),
            " FROM members WHERE programme_id = $1 ORDER BY display_name, member_number"
        ))
        .bind(programme.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(rows::member)
        .collect()
    }

    async fn member(&self, id: MemberId) -> StoreResult<Option<Member>> {
        sqlx::query(concat!(
            "SELECT ",
            member_columns!(),
            " FROM members WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(rows::member)
        .transpose()
    }

    async fn member_by_number(&self, number: MemberNumber) -> StoreResult<Option<Member>> {
        sqlx::query(concat!(
            "SELECT ",
            member_columns!(),
            " FROM members WHERE member_number = $1"
        ))
        .bind(rows::member_number_to_db(number)?)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(rows::member)
        .transpose()
    }

    async fn link_member_user(&self, member: MemberId, user: UserId) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        sqlx::query("UPDATE members SET user_id = $2 WHERE id = $1")
            .bind(member.0)
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query("UPDATE users SET member_id = $2 WHERE id = $1")
            .bind(user.0)
            .bind(member.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn account(&self, id: AccountId) -> StoreResult<Option<AccountState>> {
        let row = sqlx::query(
            "SELECT id, programme_id, kind, owner_id, status, floor_minutes, exchange_overdraft_minutes, \
             (CASE WHEN a.floor_minutes IS NOT NULL THEN a.balance_minutes ELSE \
               (SELECT coalesce(sum(t.amount_minutes), 0) FROM transfers t WHERE t.credit_account = a.id) \
             - (SELECT coalesce(sum(t.amount_minutes), 0) FROM transfers t WHERE t.debit_account = a.id) \
             END)::bigint AS balance_minutes \
             FROM accounts a WHERE a.id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(rows::account_state).transpose()
    }

    async fn set_account_status(&self, id: AccountId, status: AccountStatus) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET status = $2 WHERE id = $1")
            .bind(id.0)
            .bind(status.as_str())
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn set_exchange_overdraft(&self, id: AccountId, minutes: i64) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET exchange_overdraft_minutes = GREATEST($2, COALESCE(floor_minutes - balance_minutes, 0)) WHERE id = $1")
            .bind(id.0)
            .bind(minutes)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn post(
        &self,
        requests: Vec<PostingRequest>,
        at: DateTime<Utc>,
    ) -> Result<Plan, PostError> {
        if requests.is_empty() {
            return Ok(Snapshot::new().plan(&requests, at)?);
        }
        let requests = &requests;
        retrying(move || self.try_post(requests, at)).await
    }

    async fn transfer(&self, id: TransferId) -> StoreResult<Option<Transfer>> {
        sqlx::query(concat!(
            "SELECT ",
            transfer_columns!(),
            " FROM transfers WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(rows::transfer)
        .transpose()
    }

    async fn balance_as_of(&self, account: AccountId, as_of: DateTime<Utc>) -> StoreResult<i64> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        Self::summed_balance(&mut conn, account, as_of, true).await
    }

    async fn account_transfers(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: u32,
    ) -> StoreResult<(i64, Vec<Transfer>)> {
        // One snapshot for the opening balance and the lines after it.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(db_err)?;
        let opening = match from {
            Some(from) => Self::summed_balance(&mut tx, account, from, false).await?,
            None => 0,
        };
        let rows = sqlx::query(concat!(
            "SELECT * FROM (",
            "(SELECT seq, ",
            transfer_columns!(),
            " FROM transfers WHERE debit_account = $1 AND at >= coalesce($2::timestamptz, '-infinity') \
             AND at < coalesce($3::timestamptz, 'infinity') ORDER BY at, seq LIMIT $4) ",
            "UNION ALL ",
            "(SELECT seq, ",
            transfer_columns!(),
            " FROM transfers WHERE credit_account = $1 AND at >= coalesce($2::timestamptz, '-infinity') \
             AND at < coalesce($3::timestamptz, 'infinity') ORDER BY at, seq LIMIT $4)",
            ") both_sides ORDER BY at, seq LIMIT $4"
        ))
        .bind(account.0)
        .bind(from)
        .bind(to)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let transfers = rows
            .iter()
            .map(rows::transfer)
            .collect::<StoreResult<Vec<_>>>()?;
        tx.commit().await.map_err(db_err)?;
        Ok((opening, transfers))
    }

    async fn verify(&self) -> StoreResult<VerifyReport> {
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(db_err)?;
        let reversals = sqlx::query(concat!(
            "SELECT ",
            transfer_columns!(),
            " FROM transfers WHERE reverses IS NOT NULL ORDER BY seq"
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?
        .iter()
        .map(rows::transfer)
        .collect::<StoreResult<Vec<_>>>()?;
        let mut verifier = Verifier::new(reversals);
        let mut after: i64 = 0;
        loop {
            let page = sqlx::query(concat!(
                "SELECT seq, ",
                transfer_columns!(),
                " FROM transfers WHERE seq > $1 ORDER BY seq LIMIT $2"
            ))
            .bind(after)
            .bind(VERIFY_PAGE)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
            for row in &page {
                verifier.transfer(&rows::transfer(row)?);
                after = row.try_get("seq").map_err(db_err)?;
            }
            if (page.len() as i64) < VERIFY_PAGE {
                break;
            }
        }
        let accounts = sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts ORDER BY id"
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?
        .iter()
        .map(|row| {
            let mut state = rows::account_state(row)?;
            if !state.account.tracks_balance() {
                state.balance_minutes = None;
            }
            Ok(state)
        })
        .collect::<StoreResult<Vec<_>>>()?;
        tx.commit().await.map_err(db_err)?;
        Ok(verifier.finish(accounts))
    }

    async fn programme_transfers(
        &self,
        programme: ProgrammeId,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Transfer>> {
        sqlx::query(concat!(
            "SELECT ",
            transfer_columns!(),
            " FROM transfers WHERE programme_id = $1 AND at < $2 ORDER BY seq"
        ))
        .bind(programme.0)
        .bind(to)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(rows::transfer)
        .collect()
    }

    async fn circulation_groups(
        &self,
        programme: ProgrammeId,
        accounts: timecredits_ledger::circulation::ProgrammeAccounts,
        from: Option<DateTime<Utc>>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<timecredits_ledger::circulation::Group>> {
        sqlx::query(
            "SELECT ($3::timestamptz IS NULL OR t.at >= $3) AS in_period,
                    CASE WHEN t.debit_account IN ($4, $5, $6) AND t.credit_account NOT IN ($4, $5, $6) THEN 1
                         WHEN t.credit_account IN ($4, $5, $6) AND t.debit_account NOT IN ($4, $5, $6) THEN -1
                         ELSE 0 END AS outside,
                    COALESCE(o.kind, t.kind) AS kind,
                    COALESCE(o.debit_account, t.debit_account) = $4 AS from_issuance,
                    o.id IS NOT NULL AS reversal,
                    SUM(t.amount_minutes)::bigint AS minutes
             FROM transfers t
             LEFT JOIN transfers o ON o.id = t.reverses AND o.at < $2
             WHERE t.programme_id = $1 AND t.at < $2
             GROUP BY 1, 2, 3, 4, 5",
        )
        .bind(programme.0)
        .bind(to)
        .bind(from)
        .bind(accounts.issuance.0)
        .bind(accounts.retired.0)
        .bind(accounts.expired.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(rows::circulation_group)
        .collect()
    }

    async fn transfer_count(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM transfers")
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
        u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("transfer count {n}")))
    }

    async fn create_user(&self, user: &User) -> StoreResult<()> {
        sqlx::query(concat!(
            "INSERT INTO users (",
            user_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ))
        .bind(user.id.0)
        .bind(&user.email)
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(&user.pin_hash)
        .bind(user.member.map(|m| m.0))
        .bind(user.created_at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(rows::user)
        .transpose()
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(rows::user)
        .transpose()
    }

    async fn set_user_secrets(
        &self,
        id: UserId,
        password_hash: Option<&str>,
        pin_hash: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE users SET password_hash = coalesce($2, password_hash), pin_hash = coalesce($3, pin_hash) WHERE id = $1")
            .bind(id.0)
            .bind(password_hash)
            .bind(pin_hash)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn grant_role(&self, grant: &RoleGrant) -> StoreResult<()> {
        let (scope_kind, scope_id) = rows::scope_to_db(grant.scope);
        sqlx::query(
            "INSERT INTO role_grants (user_id, role, scope_kind, scope_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(grant.user.0)
        .bind(grant.role.as_str())
        .bind(scope_kind)
        .bind(scope_id)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn roles(&self, user: UserId) -> StoreResult<Vec<RoleGrant>> {
        sqlx::query(
            "SELECT user_id, role, scope_kind, scope_id FROM role_grants WHERE user_id = $1 \
             ORDER BY role, scope_kind, scope_id",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(rows::role_grant)
        .collect()
    }

    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&session.id_hash)
        .bind(session.user.0)
        .bind(&session.csrf_token)
        .bind(session.created_at)
        .bind(session.expires_at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>> {
        sqlx::query("SELECT id_hash, user_id, csrf_token, created_at, expires_at FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(rows::session)
            .transpose()
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn create_api_token(&self, token: &ApiTokenRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO api_tokens (token_hash, user_id, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&token.token_hash)
        .bind(token.user.0)
        .bind(&token.label)
        .bind(token.created_at)
        .bind(token.expires_at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn api_token_holder(&self, token_hash: &str) -> StoreResult<Option<TokenHolder>> {
        // One statement, so one snapshot and one round trip; grants in the
        // order `roles` gives them.
        let rows = sqlx::query(
            "SELECT t.token_hash, t.user_id, t.label, t.created_at, t.expires_at, u.member_id, \
                    g.role, g.scope_kind, g.scope_id \
             FROM api_tokens t \
             JOIN users u ON u.id = t.user_id \
             LEFT JOIN role_grants g ON g.user_id = t.user_id \
             WHERE t.token_hash = $1 \
             ORDER BY g.role, g.scope_kind, g.scope_id",
        )
        .bind(token_hash)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows::token_holder(&rows)
    }
}
