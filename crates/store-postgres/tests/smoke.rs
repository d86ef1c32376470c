//! Smoke tests of the PostgreSQL store against a real server. Each test
//! gets its own fresh database; without a server they are skipped (loudly),
//! except on CI where they fail.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use timecredits_app::fixtures::open_programme;
use timecredits_app::workload::{self, WorkloadConfig};
use timecredits_app::{
    CoreStore, Member, MemberId, Organisation, PostError, Programme, StoreError, User, UserId,
};
use timecredits_ledger::{
    Account, AccountId, AccountKind, ActorId, Cause, CauseKind, LedgerError, Minutes, Movement,
    Outcome, PostingRequest, TransferId, TransferKind,
};
use timecredits_store_postgres::{PgStore, fresh_test_database};
use uuid::Uuid;

async fn store() -> Option<(PgStore, String)> {
    let url = fresh_test_database().await?;
    let store = PgStore::connect(&url)
        .await
        .expect("connect to the fresh database");
    Some((store, url))
}

fn new_id() -> Uuid {
    Uuid::now_v7()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0)
        .single()
        .expect("valid date")
}

struct World {
    programme: Programme,
    organisation: Organisation,
    member: Member,
}

async fn set_up(store: &PgStore, member_base: u32) -> World {
    let f = open_programme(store, &mut new_id, "Smoketown", 1, 0, member_base, t0())
        .await
        .expect("open the fixture programme");
    let member = f.members.into_iter().next().expect("one member");
    World {
        programme: f.programme,
        organisation: f.organisation,
        member,
    }
}

fn request(
    kind: TransferKind,
    debit: AccountId,
    credit: AccountId,
    minutes: i64,
) -> PostingRequest {
    PostingRequest {
        id: TransferId(new_id()),
        movement: Movement::Move {
            kind,
            debit,
            credit,
            amount: Minutes::for_transfer(minutes).expect("valid amount"),
        },
        actor: ActorId(Uuid::from_u128(1)),
        reason: format!("{} {minutes}", kind.as_str()),
        cause: Some(Cause {
            kind: CauseKind::Contribution,
            id: Uuid::from_u128(2),
        }),
    }
}

fn refusal_code(result: Result<timecredits_ledger::Plan, PostError>) -> &'static str {
    match result {
        Err(PostError::Rejected(r)) => r.error.code(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn balance(store: &PgStore, account: AccountId) -> i64 {
    store
        .account(account)
        .await
        .expect("read account")
        .expect("account exists")
        .balance_minutes
        .expect("balance")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_redeem_retry_reverse_and_verify() {
    let Some((store, _)) = store().await else {
        return;
    };
    store.ping().await.expect("ping");
    assert_eq!(store.backend(), "postgres");
    let w = set_up(&store, 123_456).await;
    let issuance = w.programme.issuance_account;
    let member = w.member.account;
    let org = w.organisation.account;

    // Records read back as written.
    assert_eq!(
        store.programme(w.programme.id).await.expect("read"),
        Some(w.programme.clone())
    );
    assert_eq!(
        store.programmes().await.expect("read"),
        vec![w.programme.clone()]
    );
    assert_eq!(
        store.organisations(w.programme.id).await.expect("read"),
        vec![w.organisation.clone()]
    );
    assert_eq!(
        store.member_by_number(w.member.number).await.expect("read"),
        Some(w.member.clone())
    );
    assert_eq!(
        store.members(w.programme.id).await.expect("read"),
        vec![w.member.clone()]
    );

    // Issue two hours, at a time with microseconds.
    let at = t0() + Duration::microseconds(123_456);
    let issue = request(TransferKind::Issue, issuance, member, 120);
    let plan = store.post(vec![issue.clone()], at).await.expect("issue");
    assert!(plan.outcomes[0].is_new());
    let issued = plan.outcomes[0].transfer().clone();
    assert_eq!(
        store.transfer(issue.id).await.expect("read"),
        Some(issued.clone())
    );
    assert_eq!(balance(&store, member).await, 120);
    assert_eq!(
        balance(&store, issuance).await,
        -120,
        "untracked balance is summed from postings"
    );
    let issuance_state = store
        .account(issuance)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        issuance_state.account.floor,
        timecredits_ledger::Floor::Unbounded
    );

    // Spending more than the balance is refused whole.
    let too_much = request(TransferKind::Redeem, member, org, 180);
    assert_eq!(
        refusal_code(store.post(vec![too_much], at).await),
        "insufficient_credits"
    );
    // A batch with one bad request writes nothing.
    let ok = request(TransferKind::Redeem, member, org, 60);
    let bad = request(TransferKind::Redeem, member, org, 61);
    assert_eq!(
        refusal_code(store.post(vec![ok, bad], at).await),
        "insufficient_credits"
    );
    assert_eq!(balance(&store, member).await, 120);

    // A retry answers with the original transfer.
    let redeem = request(TransferKind::Redeem, member, org, 60);
    let later = at + Duration::seconds(5);
    let first = store
        .post(vec![redeem.clone()], later)
        .await
        .expect("redeem");
    let again = store
        .post(vec![redeem.clone()], later + Duration::seconds(30))
        .await
        .expect("retry");
    assert_eq!(
        again.outcomes,
        vec![Outcome::Existing(first.outcomes[0].transfer().clone())]
    );
    let mut altered = redeem.clone();
    altered.reason.push('!');
    assert_eq!(
        refusal_code(store.post(vec![altered], later).await),
        "idempotency_conflict"
    );
    assert_eq!(balance(&store, member).await, 60);
    assert_eq!(balance(&store, org).await, 60);

    // Reversal, once.
    let reverse = PostingRequest {
        id: TransferId(new_id()),
        movement: Movement::Reverse {
            original: redeem.id,
        },
        actor: ActorId(Uuid::from_u128(1)),
        reason: "wrong desk".into(),
        cause: None,
    };
    store
        .post(vec![reverse.clone()], later + Duration::seconds(60))
        .await
        .expect("reverse");
    let mut twice = reverse.clone();
    twice.id = TransferId(new_id());
    assert_eq!(
        refusal_code(store.post(vec![twice], later + Duration::seconds(61)).await),
        "already_reversed"
    );
    assert_eq!(balance(&store, member).await, 120);
    assert_eq!(balance(&store, org).await, 0);

    // Balances in time and statements.
    assert_eq!(
        store
            .balance_as_of(member, at - Duration::microseconds(1))
            .await
            .expect("as of"),
        0
    );
    assert_eq!(store.balance_as_of(member, at).await.expect("as of"), 120);
    assert_eq!(store.balance_as_of(member, later).await.expect("as of"), 60);
    assert_eq!(
        store.balance_as_of(issuance, later).await.expect("as of"),
        -120
    );
    let (opening, lines) = store
        .account_transfers(member, None, None, 100)
        .await
        .expect("statement");
    assert_eq!(opening, 0);
    assert_eq!(
        lines.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![issue.id, redeem.id, reverse.id]
    );
    assert_eq!(lines[0], issued);
    let (opening, lines) = store
        .account_transfers(
            member,
            Some(later),
            Some(later + Duration::seconds(60)),
            100,
        )
        .await
        .expect("statement");
    assert_eq!((opening, lines.len()), (120, 1));
    let (_, lines) = store
        .account_transfers(member, None, None, 2)
        .await
        .expect("statement");
    assert_eq!(lines.len(), 2);

    let report = store.verify().await.expect("verify");
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.transfers, 3);
    assert_eq!(store.transfer_count().await.expect("count"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_identity_and_append_only() {
    let Some((store, url)) = store().await else {
        return;
    };
    let w = set_up(&store, 222_222).await;

    // A taken member number.
    let id = MemberId(new_id());
    let account = Account::new(
        AccountId(new_id()),
        w.programme.id,
        AccountKind::Member,
        Some(id.0),
    );
    let clash = Member {
        id,
        account: account.id,
        ..w.member.clone()
    };
    assert!(matches!(
        store.create_member(&clash, &account).await,
        Err(StoreError::Duplicate("member number"))
    ));
    assert!(
        store.account(account.id).await.expect("read").is_none(),
        "the account was rolled back too"
    );

    // Users, roles, sessions, tokens.
    let user = User {
        id: UserId(new_id()),
        email: Some("ada@example.org".into()),
        display_name: "Ada".into(),
        password_hash: Some("$argon2id$x".into()),
        pin_hash: None,
        member: None,
        created_at: t0(),
    };
    store.create_user(&user).await.expect("create user");
    let same_email = User {
        id: UserId(new_id()),
        ..user.clone()
    };
    assert!(matches!(
        store.create_user(&same_email).await,
        Err(StoreError::Duplicate("email"))
    ));
    assert_eq!(
        store.user_by_email("ada@example.org").await.expect("read"),
        Some(user.clone())
    );
    store
        .link_member_user(w.member.id, user.id)
        .await
        .expect("link");
    assert_eq!(
        store
            .member(w.member.id)
            .await
            .expect("read")
            .expect("exists")
            .user,
        Some(user.id)
    );
    assert_eq!(
        store
            .user(user.id)
            .await
            .expect("read")
            .expect("exists")
            .member,
        Some(w.member.id)
    );
    store
        .set_user_secrets(user.id, None, Some("$argon2id$pin"))
        .await
        .expect("secrets");
    let read = store.user(user.id).await.expect("read").expect("exists");
    assert_eq!(
        (read.password_hash.as_deref(), read.pin_hash.as_deref()),
        (Some("$argon2id$x"), Some("$argon2id$pin")),
        "None leaves a secret as it is"
    );

    use timecredits_app::{ApiTokenRecord, Role, RoleGrant, Scope, SessionRecord};
    let grants = [
        RoleGrant {
            user: user.id,
            role: Role::Administrator,
            scope: Scope::Platform,
        },
        RoleGrant {
            user: user.id,
            role: Role::Member,
            scope: Scope::Programme(w.programme.id),
        },
        RoleGrant {
            user: user.id,
            role: Role::Coordinator,
            scope: Scope::Organisation(w.organisation.id),
        },
    ];
    for g in &grants {
        store.grant_role(g).await.expect("grant");
    }
    store
        .grant_role(&grants[0])
        .await
        .expect("granting twice is harmless");
    let roles = store.roles(user.id).await.expect("roles");
    assert_eq!(roles.len(), 3);
    for g in &grants {
        assert!(roles.contains(g), "{g:?} missing from {roles:?}");
    }
    let session = SessionRecord {
        id_hash: "abc".into(),
        user: user.id,
        csrf_token: "csrf".into(),
        created_at: t0(),
        expires_at: t0() + Duration::hours(8),
    };
    store.create_session(&session).await.expect("session");
    assert_eq!(store.session("abc").await.expect("read"), Some(session));
    store.delete_session("abc").await.expect("delete");
    assert_eq!(store.session("abc").await.expect("read"), None);
    let token = ApiTokenRecord {
        token_hash: "def".into(),
        user: user.id,
        label: "till".into(),
        created_at: t0(),
        expires_at: t0() + Duration::days(30),
    };
    store.create_api_token(&token).await.expect("token");
    let holder = store
        .api_token_holder("def")
        .await
        .expect("read")
        .expect("the token is there");
    assert_eq!(holder.token, token);
    assert_eq!(store.api_token_holder("nope").await.expect("read"), None);

    // Closed accounts neither send nor receive.
    store
        .set_account_status(w.member.account, timecredits_ledger::AccountStatus::Closed)
        .await
        .expect("close");
    let issue = request(
        TransferKind::Issue,
        w.programme.issuance_account,
        w.member.account,
        60,
    );
    assert_eq!(
        refusal_code(store.post(vec![issue], t0()).await),
        "account_closed"
    );

    // Postings cannot be edited or deleted, even with raw SQL.
    let org = w.organisation.account;
    store
        .post(
            vec![request(
                TransferKind::Issue,
                w.programme.issuance_account,
                org,
                60,
            )],
            t0(),
        )
        .await
        .expect("issue");
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .expect("raw connection");
    for sql in [
        "UPDATE transfers SET amount_minutes = 1",
        "DELETE FROM transfers",
        "TRUNCATE transfers CASCADE",
    ] {
        let err = sqlx::raw_sql(sql)
            .execute(&mut conn)
            .await
            .expect_err("append-only");
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert!(store.verify().await.expect("verify").is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_workload_matches_the_reference_model() {
    let Some((store, _)) = store().await else {
        return;
    };
    let report = workload::run(&store, WorkloadConfig::new(7, 3000))
        .await
        .expect("workload");
    assert!(report.transfers_posted > 500, "{report:?}");
    assert!(report.retries_answered > 0, "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_spends_never_overdraw() {
    let Some((store, _)) = store().await else {
        return;
    };
    let store = Arc::new(store);
    let w = set_up(&store, 333_333).await;
    let member = w.member.account;
    let org = w.organisation.account;
    store
        .post(
            vec![request(
                TransferKind::Issue,
                w.programme.issuance_account,
                member,
                600,
            )],
            t0(),
        )
        .await
        .expect("issue");

    let barrier = Arc::new(tokio::sync::Barrier::new(32));
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let store = Arc::clone(&store);
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                store
                    .post(vec![request(TransferKind::Redeem, member, org, 60)], t0())
                    .await
            })
        })
        .collect();
    let mut posted = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(plan) => {
                assert!(plan.outcomes[0].is_new());
                posted += 1;
            }
            Err(PostError::Rejected(r)) => assert_eq!(r.error.code(), "insufficient_credits"),
            Err(e) => panic!("unexpected store error {e}"),
        }
    }
    assert_eq!(posted, 10);
    assert_eq!(balance(&store, member).await, 0);
    assert_eq!(balance(&store, org).await, 600);
    let report = store.verify().await.expect("verify");
    assert!(report.is_ok(), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_retries_and_reversals_are_decided_once() {
    let Some((store, _)) = store().await else {
        return;
    };
    let store = Arc::new(store);
    let w = set_up(&store, 444_444).await;
    let issuance = w.programme.issuance_account;
    let member = w.member.account;

    // The same request sent 16 times at once is posted once.
    let issue = request(TransferKind::Issue, issuance, member, 90);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = Arc::clone(&store);
            let issue = issue.clone();
            tokio::spawn(async move { store.post(vec![issue], t0()).await })
        })
        .collect();
    let mut new = 0;
    for task in tasks {
        let plan = task.await.expect("task").expect("posted or answered");
        assert_eq!(plan.outcomes[0].transfer().id, issue.id);
        new += usize::from(plan.outcomes[0].is_new());
    }
    assert_eq!(new, 1);

    // Sixteen different reversals of one transfer: exactly one wins.
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = Arc::clone(&store);
            let reverse = PostingRequest {
                id: TransferId(new_id()),
                movement: Movement::Reverse { original: issue.id },
                actor: ActorId(Uuid::from_u128(1)),
                reason: "entered twice".into(),
                cause: None,
            };
            tokio::spawn(async move { store.post(vec![reverse], t0()).await })
        })
        .collect();
    let mut reversed = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => reversed += 1,
            Err(PostError::Rejected(r)) => {
                assert!(
                    matches!(r.error, LedgerError::AlreadyReversed { .. }),
                    "{r}"
                )
            }
            Err(e) => panic!("unexpected store error {e}"),
        }
    }
    assert_eq!(reversed, 1);
    assert_eq!(balance(&store, member).await, 0);
    assert_eq!(balance(&store, issuance).await, 0);

    // A spend of the whole balance sent 16 times at once: the copies that
    // lose the race are answered with the transfer, not "insufficient".
    store
        .post(
            vec![request(TransferKind::Issue, issuance, member, 60)],
            t0(),
        )
        .await
        .expect("issue");
    let org = w.organisation.account;
    let spend = request(TransferKind::Redeem, member, org, 60);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = Arc::clone(&store);
            let spend = spend.clone();
            tokio::spawn(async move { store.post(vec![spend], t0()).await })
        })
        .collect();
    let mut new = 0;
    for task in tasks {
        let plan = task.await.expect("task").expect("posted or answered");
        new += usize::from(plan.outcomes[0].is_new());
    }
    assert_eq!(new, 1);
    assert_eq!(balance(&store, member).await, 0);

    // Many issuances from the one issuance account at once all succeed.
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .post(
                        vec![request(TransferKind::Issue, issuance, member, 30)],
                        t0(),
                    )
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("issued");
    }
    assert_eq!(balance(&store, member).await, 32 * 30);
    assert_eq!(balance(&store, issuance).await, -32 * 30 - 60);
    assert_eq!(store.transfer_count().await.expect("count"), 36);
    assert!(store.verify().await.expect("verify").is_ok());
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable_and_the_password_stays_secret() {
    let err = PgStore::connect("postgres://alice:hunter2secret@127.0.0.1:1/ledger")
        .await
        .expect_err("nothing listens");
    let text = err.to_string();
    assert!(matches!(err, StoreError::Unavailable(_)), "{text}");
    assert!(
        text.contains("127.0.0.1:1") && text.contains("ledger"),
        "{text}"
    );
    assert!(!text.contains("hunter2secret"), "{text}");
}

#[tokio::test]
async fn migrating_twice_is_harmless() {
    let Some(url) = fresh_test_database().await else {
        return;
    };
    let store = PgStore::connect_without_migrating(&url)
        .await
        .expect("connect");
    store.ping().await.expect("ping");
    assert!(
        store.transfer_count().await.is_err(),
        "no tables before migrating"
    );
    store.migrate().await.expect("migrate");
    store.migrate().await.expect("migrate again");
    let again = PgStore::connect(&url).await.expect("connect and migrate");
    assert_eq!(again.transfer_count().await.expect("count"), 0);
    assert!(again.verify().await.expect("verify").is_ok());
}
