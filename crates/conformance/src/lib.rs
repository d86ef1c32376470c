//! Fixtures for the storage conformance suite: a fresh store of each
//! backend, and a small programme set up directly through the trait.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use timecredits_app::fixtures::open_programme;
use timecredits_app::{Member, Organisation, Programme, Store};
use timecredits_ledger::{
    AccountId, ActorId, Minutes, Movement, PostingRequest, TransferId, TransferKind,
};
use uuid::Uuid;

/// A store and whatever must live as long as it (a temporary folder).
pub struct Fixture {
    pub store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

pub fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = timecredits_store_sqlite::SqliteStore::open(&dir.path().join("test.db"))
        .expect("open SQLite");
    Fixture {
        store: Arc::new(store),
        _dir: Some(dir),
    }
}

/// A store on a fresh PostgreSQL database, or `None` when PostgreSQL is not
/// reachable outside CI (under `CI=true` that is a failure, not a skip).
pub async fn postgres() -> Option<Fixture> {
    let url = timecredits_store_postgres::fresh_test_database().await?;
    let store = timecredits_store_postgres::PgStore::connect(&url)
        .await
        .expect("connect to the test database");
    Some(Fixture {
        store: Arc::new(store),
        _dir: None,
    })
}

pub fn t(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_735_689_600 + seconds, 0)
        .single()
        .expect("valid time")
}

/// A programme with an organisation and `members` members, written through the trait.
pub struct Setup {
    pub programme: Programme,
    pub organisation: Organisation,
    pub members: Vec<Member>,
}

pub async fn set_up(store: &dyn Store, members: usize, overdraft_minutes: i64) -> Setup {
    let first_number = (Uuid::now_v7().as_u128() % 800_000) as u32 + 100_000;
    let f = open_programme(
        store,
        &mut Uuid::now_v7,
        "Conformance",
        members,
        overdraft_minutes,
        first_number,
        t(0),
    )
    .await
    .expect("open the fixture programme");
    Setup {
        programme: f.programme,
        organisation: f.organisation,
        members: f.members,
    }
}

pub fn request(
    kind: TransferKind,
    debit: AccountId,
    credit: AccountId,
    minutes: i64,
) -> PostingRequest {
    PostingRequest {
        id: TransferId(Uuid::now_v7()),
        movement: Movement::Move {
            kind,
            debit,
            credit,
            amount: Minutes::for_transfer(minutes).expect("positive"),
        },
        actor: ActorId(Uuid::from_u128(1)),
        reason: format!("{} {minutes}", kind.as_str()),
        cause: None,
    }
}

pub fn reversal(original: TransferId) -> PostingRequest {
    PostingRequest {
        id: TransferId(Uuid::now_v7()),
        movement: Movement::Reverse { original },
        actor: ActorId(Uuid::from_u128(1)),
        reason: "correction".into(),
        cause: None,
    }
}

/// Runs each named `async fn(Arc<dyn Store>)` of the calling test file
/// against SQLite and against a fresh PostgreSQL database.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let f = $crate::sqlite();
                    super::$name(f.store.clone()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(f) = $crate::postgres().await else { return };
                    super::$name(f.store.clone()).await;
                }
            )*
        }
    };
}
