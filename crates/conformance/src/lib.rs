//! Fixtures for the storage conformance suite: a fresh store of each
//! backend, and a small programme set up directly through the trait.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use timecredits_app::{
    Member, MemberId, MemberNumber, Organisation, OrganisationId, Programme, Store,
};
use timecredits_ledger::{
    Account, AccountId, AccountKind, ActorId, Minutes, Movement, PostingRequest, ProgrammeId,
    TransferId, TransferKind,
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
    let programme_id = ProgrammeId(Uuid::now_v7());
    let acct = |kind| Account::new(AccountId(Uuid::now_v7()), programme_id, kind, None);
    let accounts = [
        acct(AccountKind::Issuance),
        acct(AccountKind::Retired),
        acct(AccountKind::Expired),
        acct(AccountKind::CommunityPot),
    ];
    let programme = Programme {
        id: programme_id,
        name: "Conformance".into(),
        locality: "Testshire".into(),
        time_zone: "Europe/London".into(),
        language: "en".into(),
        issuance_account: accounts[0].id,
        retired_account: accounts[1].id,
        expired_account: accounts[2].id,
        community_pot_account: accounts[3].id,
        exchange_overdraft_minutes: overdraft_minutes,
        created_at: t(0),
    };
    store
        .create_programme(&programme, &accounts)
        .await
        .expect("create programme");
    let org_accounts = [
        acct(AccountKind::Organisation),
        acct(AccountKind::OrganisationPot),
    ];
    let organisation = Organisation {
        id: OrganisationId(Uuid::now_v7()),
        programme: programme_id,
        name: "Village Hall".into(),
        account: org_accounts[0].id,
        pot_account: org_accounts[1].id,
        created_at: t(0),
    };
    store
        .create_organisation(&organisation, &org_accounts)
        .await
        .expect("create organisation");
    let mut list = Vec::new();
    let base = (Uuid::now_v7().as_u128() % 800_000) as u32 + 100_000;
    for i in 0..members {
        let mut account = acct(AccountKind::Member);
        account.exchange_overdraft_minutes = overdraft_minutes;
        let member = Member {
            id: MemberId(Uuid::now_v7()),
            programme: programme_id,
            number: MemberNumber::from_base(100_000 + (base - 100_000 + i as u32) % 900_000)
                .expect("in range"),
            display_name: format!("Member {i}"),
            account: account.id,
            user: None,
            created_at: t(0),
        };
        store
            .create_member(&member, &account)
            .await
            .expect("create member");
        list.push(member);
    }
    Setup {
        programme,
        organisation,
        members: list,
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
