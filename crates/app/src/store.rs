//! The storage trait. Each backend (SQLite, PostgreSQL) implements it in
//! its own crate with its own migrations; one conformance suite checks both.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use timecredits_ledger::{
    Account, AccountId, AccountState, AccountStatus, BatchRejected, Plan, PostingRequest,
    ProgrammeId, Transfer, TransferId, VerifyReport,
};

use timecredits_domain::Refusal;

use crate::activities::ActivityStore;
use crate::bulk::BulkStore;
use crate::directory::DirectoryStore;
use crate::evaluation::EvaluationStore;
use crate::recovery::RecoveryStore;
use crate::rules::RulesStore;
use crate::spending::SpendingStore;
use crate::timebank::TimebankStore;
use crate::{
    ApiTokenRecord, Member, MemberId, MemberNumber, Organisation, OrganisationId, Programme,
    RoleGrant, SessionRecord, TokenHolder, User, UserId,
};

/// A failure of the storage itself, never of the caller's request. Its
/// text is for logs, not for users.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database cannot be reached or opened: {0}")]
    Unavailable(String),
    #[error("a {0} with that key already exists")]
    Duplicate(&'static str),
    #[error("stored data is not what this version expects: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Internal(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Why a batch of postings (and the records written with it) was not written.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error(transparent)]
    Rejected(#[from] BatchRejected),
    /// A co-production rule checked inside the transaction refused it
    /// (a session or offer full, a proposal no longer open, ...).
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Everything the application needs from storage: the core (programmes,
/// accounts, the ledger, identity) and one trait per area of the product.
/// Each backend implements every part; this blanket impl joins them.
pub trait Store:
    CoreStore
    + RulesStore
    + DirectoryStore
    + ActivityStore
    + SpendingStore
    + TimebankStore
    + BulkStore
    + EvaluationStore
    + RecoveryStore
    + 'static
{
}

impl<T> Store for T where
    T: CoreStore
        + RulesStore
        + DirectoryStore
        + ActivityStore
        + SpendingStore
        + TimebankStore
        + BulkStore
        + EvaluationStore
        + RecoveryStore
        + 'static
{
}

/// Programmes, accounts, the ledger and identity.
#[async_trait]
pub trait CoreStore: Send + Sync + 'static {
    /// "sqlite" or "postgres", for logs and health output.
    fn backend(&self) -> &'static str;
    /// Succeeds only when the database answers a query.
    async fn ping(&self) -> StoreResult<()>;

    // Programmes, organisations, members and their accounts. Each create
    // writes the record and its accounts in one transaction.
    async fn create_programme(
        &self,
        programme: &Programme,
        accounts: &[Account],
    ) -> StoreResult<()>;
    async fn programmes(&self) -> StoreResult<Vec<Programme>>;
    async fn programme(&self, id: ProgrammeId) -> StoreResult<Option<Programme>>;
    async fn create_organisation(
        &self,
        organisation: &Organisation,
        accounts: &[Account],
    ) -> StoreResult<()>;
    async fn organisations(&self, programme: ProgrammeId) -> StoreResult<Vec<Organisation>>;
    async fn organisation(&self, id: OrganisationId) -> StoreResult<Option<Organisation>>;
    /// Fails with `Duplicate("member number")` when the number is taken.
    async fn create_member(&self, member: &Member, account: &Account) -> StoreResult<()>;
    async fn members(&self, programme: ProgrammeId) -> StoreResult<Vec<Member>>;
    async fn member(&self, id: MemberId) -> StoreResult<Option<Member>>;
    async fn member_by_number(&self, number: MemberNumber) -> StoreResult<Option<Member>>;
    async fn link_member_user(&self, member: MemberId, user: UserId) -> StoreResult<()>;

    /// The account with its current balance (summed from postings where the
    /// balance is not tracked on the account).
    async fn account(&self, id: AccountId) -> StoreResult<Option<AccountState>>;
    async fn set_account_status(&self, id: AccountId, status: AccountStatus) -> StoreResult<()>;
    /// Sets how far below its floor an exchange may take the account (the
    /// programme's rules decide; only member accounts carry one). A member
    /// already overdrawn by more keeps that much room, so lowering the limit
    /// never puts an existing balance out of bounds; they cannot go deeper.
    async fn set_exchange_overdraft(&self, id: AccountId, minutes: i64) -> StoreResult<()>;

    /// Posts a batch atomically: every request is decided by the ledger core
    /// against balances read inside the same write transaction, and either
    /// all are written or none. Returns only once the write is durable.
    async fn post(
        &self,
        requests: Vec<PostingRequest>,
        at: DateTime<Utc>,
    ) -> Result<Plan, PostError>;
    async fn transfer(&self, id: TransferId) -> StoreResult<Option<Transfer>>;
    /// The balance from postings made at or before `as_of`.
    async fn balance_as_of(&self, account: AccountId, as_of: DateTime<Utc>) -> StoreResult<i64>;
    /// The balance before `from` and the account's transfers in
    /// `[from, to)`, in posting order, at most `limit` of them.
    async fn account_transfers(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: u32,
    ) -> StoreResult<(i64, Vec<Transfer>)>;
    /// Every transfer of the programme posted before `to`, in posting order.
    async fn programme_transfers(
        &self,
        programme: ProgrammeId,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Transfer>>;
    /// The programme's transfers posted before `to`, summed by
    /// [`timecredits_ledger::circulation::GroupKey`] (one `GROUP BY`, so a
    /// circulation summary never loads every transfer). Must equal
    /// `circulation::group` over `programme_transfers`.
    async fn circulation_groups(
        &self,
        programme: ProgrammeId,
        accounts: timecredits_ledger::circulation::ProgrammeAccounts,
        from: Option<DateTime<Utc>>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<timecredits_ledger::circulation::Group>>;
    /// Recomputes every balance from the postings and checks the invariants.
    async fn verify(&self) -> StoreResult<VerifyReport>;
    async fn transfer_count(&self) -> StoreResult<u64>;

    // Identity.
    async fn create_user(&self, user: &User) -> StoreResult<()>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    async fn set_user_secrets(
        &self,
        id: UserId,
        password_hash: Option<&str>,
        pin_hash: Option<&str>,
    ) -> StoreResult<()>;
    async fn grant_role(&self, grant: &RoleGrant) -> StoreResult<()>;
    async fn roles(&self, user: UserId) -> StoreResult<Vec<RoleGrant>>;
    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()>;
    async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>>;
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    async fn create_api_token(&self, token: &ApiTokenRecord) -> StoreResult<()>;
    /// The token with this hash, its user's member and role grants, as of
    /// one moment (expired or not: the caller judges). `None` when there is
    /// no such token, or no such user. Never cached: a revoked token or
    /// role stops working at once.
    async fn api_token_holder(&self, token_hash: &str) -> StoreResult<Option<TokenHolder>>;
}
