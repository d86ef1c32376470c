//! The storage conformance suite: every test runs against SQLite and
//! against PostgreSQL (a fresh database each).

use std::sync::Arc;

use timecredits_app::workload::{self, WorkloadConfig};
use timecredits_app::{PostError, Store, StoreError};
use timecredits_conformance::on_both_backends;
use timecredits_conformance::*;
use timecredits_ledger::{AccountStatus, Outcome, TransferKind};

on_both_backends!(
    issue_spend_and_balances,
    retries_return_the_original_and_conflicts_are_named,
    refused_batches_leave_nothing_behind,
    reversals_restore_and_cannot_repeat,
    closed_accounts_refuse_postings,
    concurrent_spends_never_overdraw,
    concurrent_retries_post_once,
    statements_and_balances_as_of,
    records_round_trip,
    seeded_workload_matches_the_reference_model,
    regression_seeds_still_pass,
    rule_versions_round_trip_and_never_repeat_a_date,
    exchange_overdraft_follows_the_account_limit,
    circulation_reconciles_after_a_random_workload,
    a_transfer_is_never_stamped_before_one_it_committed_after,
    a_token_holder_is_read_whole_and_never_stale,
);

fn code(e: PostError) -> &'static str {
    match e {
        PostError::Rejected(r) => r.error.code(),
        PostError::Refused(r) => r.code,
        PostError::Store(s) => panic!("storage failed: {s}"),
    }
}

async fn issue_spend_and_balances(store: Arc<dyn Store>) {
    let s = set_up(store.as_ref(), 2, 0).await;
    let m = &s.members[0];
    let issue = request(
        TransferKind::Issue,
        s.programme.issuance_account,
        m.account,
        150,
    );
    let plan = store.post(vec![issue.clone()], t(10)).await.expect("issue");
    assert!(plan.outcomes[0].is_new());
    let redeem = request(TransferKind::Redeem, m.account, s.organisation.account, 60);
    store.post(vec![redeem], t(20)).await.expect("redeem");
    let member = store
        .account(m.account)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(member.balance_minutes, Some(90));
    let issuance = store
        .account(s.programme.issuance_account)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        issuance.balance_minutes,
        Some(-150),
        "issuance balance is minus the credits in circulation"
    );
    let org = store
        .account(s.organisation.account)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(org.balance_minutes, Some(60));
    let stored = store
        .transfer(issue.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        &stored,
        plan.outcomes[0].transfer(),
        "a transfer reads back exactly as posted"
    );
    let report = store.verify().await.expect("verify");
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.transfers, 2);
}

async fn retries_return_the_original_and_conflicts_are_named(store: Arc<dyn Store>) {
    let s = set_up(store.as_ref(), 1, 0).await;
    let issue = request(
        TransferKind::Issue,
        s.programme.issuance_account,
        s.members[0].account,
        60,
    );
    let first = store.post(vec![issue.clone()], t(1)).await.expect("first");
    let again = store.post(vec![issue.clone()], t(99)).await.expect("retry");
    assert!(
        matches!(&again.outcomes[0], Outcome::Existing(t) if t == first.outcomes[0].transfer())
    );
    let mut changed = issue.clone();
    changed.reason = "something else".into();
    assert_eq!(
        code(store.post(vec![changed], t(100)).await.unwrap_err()),
        "idempotency_conflict"
    );
    assert_eq!(store.transfer_count().await.expect("count"), 1);
    assert_eq!(
        store
            .account(s.members[0].account)
            .await
            .expect("read")
            .expect("exists")
            .balance_minutes,
        Some(60)
    );
}

async fn refused_batches_leave_nothing_behind(store: Arc<dyn Store>) {
    let s = set_up(store.as_ref(), 2, 0).await;
    let (a, b) = (s.members[0].account, s.members[1].account);
    let ok = request(TransferKind::Issue, s.programme.issuance_account, a, 60);
    let too_much = request(TransferKind::Gift, a, b, 61);
    let err = store.post(vec![ok, too_much], t(1)).await.unwrap_err();
    assert_eq!(code(err), "insufficient_credits");
    let unknown = request(
        TransferKind::Gift,
        a,
        timecredits_ledger::AccountId(uuid::Uuid::now_v7()),
        1,
    );
    assert_eq!(
        code(store.post(vec![unknown], t(2)).await.unwrap_err()),
        "unknown_account"
    );
    let same = request(TransferKind::Gift, a, a, 1);
    assert_eq!(
        code(store.post(vec![same], t(3)).await.unwrap_err()),
        "same_account"
    );
    let wrong = request(TransferKind::Redeem, s.programme.issuance_account, a, 1);
    assert_eq!(
        code(store.post(vec![wrong], t(4)).await.unwrap_err()),
        "kind_not_allowed"
    );
    assert_eq!(
        store.transfer_count().await.expect("count"),
        0,
        "nothing half-written"
    );
    for m in &s.members {
        assert_eq!(
            store
                .account(m.account)
                .await
                .expect("read")
                .expect("exists")
                .balance_minutes,
            Some(0)
        );
    }
    assert!(store.verify().await.expect("verify").is_ok());
}

async fn reversals_restore_and_cannot_repeat(store: Arc<dyn Store>) {
    let s = set_up(store.as_ref(), 1, 0).await;
    let m = s.members[0].account;
    let issue = request(TransferKind::Issue, s.programme.issuance_account, m, 120);
    store.post(vec![issue.clone()], t(1)).await.expect("issue");
    let spend = request(TransferKind::Redeem, m, s.organisation.account, 45);
    store.post(vec![spend.clone()], t(2)).await.expect("spend");
    let refund = reversal(spend.id);
    let plan = store
        .post(vec![refund.clone()], t(3))
        .await
        .expect("refund");
    assert_eq!(plan.outcomes[0].transfer().reverses, Some(spend.id));
    assert_eq!(
        store
            .account(m)
            .await
            .expect("read")
            .expect("exists")
            .balance_minutes,
        Some(120)
    );
    assert_eq!(
        store
            .account(s.organisation.account)
            .await
            .expect("read")
            .expect("exists")
            .balance_minutes,
        Some(0)
    );
    assert_eq!(
        code(
            store
                .post(vec![reversal(spend.id)], t(4))
                .await
                .unwrap_err()
        ),
        "already_reversed"
    );
    assert_eq!(
        code(
            store
                .post(vec![reversal(refund.id)], t(4))
                .await
                .unwrap_err()
        ),
        "cannot_reverse_reversal"
    );
    // A correction: the new issuance first, then the reversal, in one batch.
    let corrected = request(TransferKind::Issue, s.programme.issuance_account, m, 90);
    store
        .post(vec![corrected, reversal(issue.id)], t(5))
        .await
        .expect("correction");
    assert_eq!(
        store
            .account(m)
            .await
            .expect("read")
            .expect("exists")
            .balance_minutes,
        Some(90)
    );
    assert!(store.verify().await.expect("verify").is_ok());
}

async fn closed_accounts_refuse_postings(store: Arc<dyn Store>) {
    let s = set_up(store.as_ref(), 1, 0).await;
    let m = s.members[0].account;
    store
        .set_account_status(m, AccountStatus::Closed)
        .await
        .expect("close");
    let issue = request(TransferKind::Issue, s.programme.issuance_account, m, 60);
    assert_eq!(
        code(store.post(vec![issue], t(1)).await.unwrap_err()),
        "account_closed"
    );
}

async fn concurrent_spends_never_overdraw(store: Arc<dyn Store>) {
    let s = set_up(store.as_ref(), 1, 0).await;
    let m = s.members[0].account;
    // Ten hours, and 32 desks each try to take one hour at the same moment.
    store
        .post(
            vec![request(
                TransferKind::Issue,
                s.programme.issuance_account,
                m,
                600,
            )],
            t(1),
        )
        .await
        .expect("issue");
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let store = store.clone();
        let spend = request(TransferKind::Redeem, m, s.organisation.account, 60);
        tasks.push(tokio::spawn(
            async move { store.post(vec![spend], t(2)).await },
        ));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(code(e), "insufficient_credits"),
        }
    }
    assert_eq!(ok, 10, "exactly the affordable spends succeed");
    assert_eq!(
        store
            .account(m)
            .await
            .expect("read")
            .expect("exists")
            .balance_minutes,
        Some(0)
    );
    assert!(store.verify().await.expect("verify").is_ok());
}

async fn concurrent_retries_post_once(store: Arc<dyn Store>) {
    let s = set_up(store.as_ref(), 1, 0).await;
    let issue = request(
        TransferKind::Issue,
        s.programme.issuance_account,
        s.members[0].account,
        60,
    );
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let store = store.clone();
        let issue = issue.clone();
        tasks.push(tokio::spawn(
            async move { store.post(vec![issue], t(1)).await },
        ));
    }
    let mut new = 0;
    for task in tasks {
        let plan = task.await.expect("task").expect("every retry is answered");
        new += usize::from(plan.outcomes[0].is_new());
    }
    assert_eq!(
        new, 1,
        "the same request posts once however often it arrives"
    );
    assert_eq!(store.transfer_count().await.expect("count"), 1);
}

async fn statements_and_balances_as_of(store: Arc<dyn Store>) {
    let s = set_up(store.as_ref(), 2, 0).await;
    let (a, b) = (s.members[0].account, s.members[1].account);
    let iss = s.programme.issuance_account;
    store
        .post(vec![request(TransferKind::Issue, iss, a, 60)], t(100))
        .await
        .expect("1");
    store
        .post(vec![request(TransferKind::Issue, iss, a, 30)], t(200))
        .await
        .expect("2");
    store
        .post(vec![request(TransferKind::Gift, a, b, 45)], t(300))
        .await
        .expect("3");
    assert_eq!(store.balance_as_of(a, t(99)).await.expect("as of"), 0);
    assert_eq!(
        store.balance_as_of(a, t(100)).await.expect("as of"),
        60,
        "a posting at the moment counts"
    );
    assert_eq!(store.balance_as_of(a, t(250)).await.expect("as of"), 90);
    assert_eq!(store.balance_as_of(a, t(300)).await.expect("as of"), 45);
    assert_eq!(store.balance_as_of(iss, t(250)).await.expect("as of"), -90);
    let (opening, lines) = store
        .account_transfers(a, Some(t(150)), Some(t(400)), 100)
        .await
        .expect("statement");
    assert_eq!(opening, 60);
    let deltas: Vec<i64> = lines.iter().map(|l| l.delta_for(a)).collect();
    assert_eq!(deltas, vec![30, -45]);
    let statement = timecredits_ledger::running_statement(a, opening, lines);
    assert_eq!(statement.last().map(|l| l.balance_minutes), Some(45));
    let (_, limited) = store
        .account_transfers(a, None, None, 2)
        .await
        .expect("limited");
    assert_eq!(limited.len(), 2);
}

async fn records_round_trip(store: Arc<dyn Store>) {
    use timecredits_app::{ApiTokenRecord, Role, RoleGrant, Scope, SessionRecord, User, UserId};
    let s = set_up(store.as_ref(), 1, 30).await;
    assert_eq!(
        store.programme(s.programme.id).await.expect("read"),
        Some(s.programme.clone())
    );
    assert!(
        store
            .programmes()
            .await
            .expect("list")
            .contains(&s.programme)
    );
    assert_eq!(
        store.organisations(s.programme.id).await.expect("list"),
        vec![s.organisation.clone()]
    );
    let m = &s.members[0];
    assert_eq!(
        store
            .member_by_number(m.number)
            .await
            .expect("read")
            .as_ref(),
        Some(m)
    );
    let member_account = store
        .account(m.account)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(member_account.account.exchange_overdraft_minutes, 30);
    // A second member with the same number is refused.
    let mut twin = m.clone();
    twin.id = timecredits_app::MemberId(uuid::Uuid::now_v7());
    let twin_account = timecredits_ledger::Account::new(
        timecredits_ledger::AccountId(uuid::Uuid::now_v7()),
        s.programme.id,
        timecredits_ledger::AccountKind::Member,
        None,
    );
    twin.account = twin_account.id;
    assert!(matches!(
        store.create_member(&twin, &twin_account).await,
        Err(StoreError::Duplicate(_))
    ));
    assert!(
        store
            .account(twin_account.id)
            .await
            .expect("read")
            .is_none(),
        "nothing half-written"
    );

    let user = User {
        id: UserId(uuid::Uuid::now_v7()),
        email: Some(format!("{}@example.org", uuid::Uuid::now_v7().simple())),
        display_name: "Pat".into(),
        password_hash: Some("$argon2id$hash".into()),
        pin_hash: None,
        member: None,
        created_at: t(5),
    };
    store.create_user(&user).await.expect("user");
    assert!(matches!(
        store
            .create_user(&User {
                id: UserId(uuid::Uuid::now_v7()),
                ..user.clone()
            })
            .await,
        Err(StoreError::Duplicate(_))
    ));
    assert_eq!(
        store
            .user_by_email(user.email.as_deref().expect("email"))
            .await
            .expect("read"),
        Some(user.clone())
    );
    store.link_member_user(m.id, user.id).await.expect("link");
    assert_eq!(
        store.member(m.id).await.expect("read").and_then(|m| m.user),
        Some(user.id)
    );
    let grants = [
        RoleGrant {
            user: user.id,
            role: Role::ProgrammeManager,
            scope: Scope::Programme(s.programme.id),
        },
        RoleGrant {
            user: user.id,
            role: Role::Coordinator,
            scope: Scope::Organisation(s.organisation.id),
        },
        RoleGrant {
            user: user.id,
            role: Role::Administrator,
            scope: Scope::Platform,
        },
    ];
    for g in &grants {
        store.grant_role(g).await.expect("grant");
    }
    store
        .grant_role(&grants[0])
        .await
        .expect("granting twice is harmless");
    let mut got = store.roles(user.id).await.expect("roles");
    got.sort_by_key(|g| g.role.as_str());
    assert_eq!(got.len(), 3);
    let session = SessionRecord {
        id_hash: "abc".into(),
        user: user.id,
        csrf_token: "csrf".into(),
        created_at: t(1),
        expires_at: t(2),
    };
    store.create_session(&session).await.expect("session");
    assert_eq!(store.session("abc").await.expect("read"), Some(session));
    store.delete_session("abc").await.expect("delete");
    assert_eq!(store.session("abc").await.expect("read"), None);
    let token = ApiTokenRecord {
        token_hash: "def".into(),
        user: user.id,
        label: "cli".into(),
        created_at: t(1),
        expires_at: t(2),
    };
    store.create_api_token(&token).await.expect("token");
    let holder = store
        .api_token_holder("def")
        .await
        .expect("read")
        .expect("the token is there");
    assert_eq!(holder.token, token);
    assert_eq!(store.api_token_holder("nope").await.expect("read"), None);
    store.ping().await.expect("ping");
}

fn workload_operations() -> usize {
    std::env::var("TIMECREDITS_WORKLOAD_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

async fn seeded_workload_matches_the_reference_model(store: Arc<dyn Store>) {
    // PostgreSQL answers each batch over a socket; a smaller run keeps CI quick.
    let ops = if store.backend() == "postgres" {
        workload_operations() / 4
    } else {
        workload_operations()
    };
    let report = workload::run(store.as_ref(), WorkloadConfig::new(20261126, ops))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        report.transfers_posted > (ops as u64) / 4,
        "the workload mostly posts: {report:?}"
    );
    assert!(
        report.refused_by_code.contains_key("insufficient_credits"),
        "{report:?}"
    );
    assert!(
        report.refused_by_code.contains_key("idempotency_conflict"),
        "{report:?}"
    );
    assert!(report.retries_answered > 0, "{report:?}");
}

/// Seeds that once found a bug. Each line of the file is `seed operations`.
async fn regression_seeds_still_pass(store: Arc<dyn Store>) {
    let seeds = include_str!("regression-seeds.txt");
    for line in seeds
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let mut parts = line.split_whitespace();
        let seed: u64 = parts.next().and_then(|s| s.parse().ok()).expect("a seed");
        let ops: usize = parts.next().and_then(|s| s.parse().ok()).unwrap_or(2_000);
        workload::run(store.as_ref(), WorkloadConfig::new(seed, ops))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

async fn rule_versions_round_trip_and_never_repeat_a_date(store: Arc<dyn Store>) {
    use timecredits_domain::rules::{CreditExpiry, PartnerReceipts, ProgrammeRules, RuleVersion};
    let s = set_up(store.as_ref(), 0, 0).await;
    let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 4, d).expect("valid date");
    let first = RuleVersion {
        effective_from: day(1),
        rules: ProgrammeRules::default(),
    };
    let second = RuleVersion {
        effective_from: day(20),
        rules: ProgrammeRules {
            granularity_minutes: 30,
            daily_cap_minutes: 480,
            members_may_claim: false,
            exchange_overdraft_minutes: 120,
            expiry: CreditExpiry::AfterMonths(12),
            partner_receipts: PartnerReceipts::KeepToReissue,
        },
    };
    let who = timecredits_app::UserId(uuid::Uuid::now_v7());
    store
        .add_rule_version(s.programme.id, &second, who, t(2))
        .await
        .expect("second");
    store
        .add_rule_version(s.programme.id, &first, who, t(1))
        .await
        .expect("first");
    assert_eq!(
        store.rule_versions(s.programme.id).await.expect("read"),
        vec![first, second]
    );
    let again = store
        .add_rule_version(s.programme.id, &first, who, t(3))
        .await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
}

async fn exchange_overdraft_follows_the_account_limit(store: Arc<dyn Store>) {
    let s = set_up(store.as_ref(), 2, 0).await;
    let (a, b) = (s.members[0].account, s.members[1].account);
    let pay = |minutes| request(TransferKind::Exchange, a, b, minutes);
    assert_eq!(
        code(store.post(vec![pay(30)], t(1)).await.unwrap_err()),
        "insufficient_credits"
    );
    store.set_exchange_overdraft(a, 60).await.expect("raise");
    store
        .post(vec![pay(45)], t(2))
        .await
        .expect("within the overdraft");
    assert_eq!(
        code(store.post(vec![pay(30)], t(3)).await.unwrap_err()),
        "insufficient_credits"
    );
    // Lowering the limit below what is already owed keeps the debt allowed
    // but gives no more room.
    store.set_exchange_overdraft(a, 0).await.expect("lower");
    let account = store.account(a).await.expect("read").expect("exists");
    assert_eq!(account.account.exchange_overdraft_minutes, 45);
    assert_eq!(
        code(store.post(vec![pay(1)], t(4)).await.unwrap_err()),
        "insufficient_credits"
    );
    assert!(store.verify().await.expect("verify").is_ok());
}

async fn circulation_reconciles_after_a_random_workload(store: Arc<dyn Store>) {
    use timecredits_ledger::circulation::{ProgrammeAccounts, summarise, summarise_groups};
    workload::run(store.as_ref(), WorkloadConfig::new(77, 4_000))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let programme = store
        .programmes()
        .await
        .expect("list")
        .pop()
        .expect("the workload's programme");
    let end = workload::epoch() + chrono::Duration::days(1);
    let transfers = store
        .programme_transfers(programme.id, end)
        .await
        .expect("transfers");
    assert_eq!(
        transfers.len() as u64,
        store.transfer_count().await.expect("count")
    );
    let accounts = ProgrammeAccounts {
        issuance: programme.issuance_account,
        retired: programme.retired_account,
        expired: programme.expired_account,
    };
    let balance = |id| {
        let store = store.clone();
        async move {
            store
                .account(id)
                .await
                .expect("read")
                .expect("exists")
                .balance_minutes
                .expect("balance")
        }
    };
    let (issuance, retired, expired) = (
        balance(accounts.issuance).await,
        balance(accounts.retired).await,
        balance(accounts.expired).await,
    );
    let whole = summarise(&transfers, accounts, None, end);
    assert!(whole.reconciles(), "{whole:?}");
    assert_eq!(whole.closing_outstanding, -issuance - retired - expired);
    assert_eq!(whole.retired, retired);
    assert_eq!(whole.expired, expired);
    assert!(
        whole.issued > 0 && whole.redeemed > 0 && whole.gifted > 0 && whole.exchanged > 0,
        "{whole:?}"
    );
    // Any split into two periods adds up to the whole.
    let mid = workload::epoch() + chrono::Duration::seconds(2_000);
    let first = summarise(&transfers, accounts, None, mid);
    let second = summarise(&transfers, accounts, Some(mid), end);
    assert!(first.reconciles() && second.reconciles());
    assert_eq!(first.closing_outstanding, second.opening_outstanding);
    assert_eq!(first.issued + second.issued, whole.issued);
    assert_eq!(first.redeemed + second.redeemed, whole.redeemed);
    // The store's grouped sums give the same figures for every period.
    for (from, to, expected) in [
        (None, end, &whole),
        (None, mid, &first),
        (Some(mid), end, &second),
    ] {
        let groups = store
            .circulation_groups(programme.id, accounts, from, to)
            .await
            .expect("groups");
        assert_eq!(
            &summarise_groups(&groups),
            expected,
            "from {from:?} to {to}"
        );
    }
}

/// A request's time is read before it waits for its accounts; one that
/// commits later must not carry an earlier time, or a statement (in time
/// order) would show a balance the account never had.
async fn a_transfer_is_never_stamped_before_one_it_committed_after(store: Arc<dyn Store>) {
    let s = set_up(store.as_ref(), 1, 0).await;
    let m = &s.members[0];
    let issue = request(
        TransferKind::Issue,
        s.programme.issuance_account,
        m.account,
        60,
    );
    store.post(vec![issue], t(20)).await.expect("issue");
    // Read at t(10), committed after the issue: a spend of what was issued.
    let spend = request(TransferKind::Redeem, m.account, s.organisation.account, 60);
    let plan = store.post(vec![spend.clone()], t(10)).await.expect("spend");
    assert_eq!(plan.outcomes[0].transfer().at, t(20), "stamped no earlier");
    let (_, lines) = store
        .account_transfers(m.account, None, None, 100)
        .await
        .expect("statement");
    let statement = timecredits_ledger::running_statement(m.account, 0, lines);
    let balances: Vec<i64> = statement.iter().map(|l| l.balance_minutes).collect();
    assert_eq!(balances, [60, 0], "the statement never dips below zero");
    // A credit keeps the time it was read at: showing it earlier cannot
    // make a statement dip.
    let other = request(
        TransferKind::Issue,
        s.programme.issuance_account,
        s.organisation.account,
        15,
    );
    let plan = store.post(vec![other], t(5)).await.expect("issue");
    assert_eq!(plan.outcomes[0].transfer().at, t(5));
}

/// What a bearer request learns of the token's holder in one read: the
/// token, the member, every grant in the order `roles` gives them; and a
/// grant taken away shows at the very next read.
async fn a_token_holder_is_read_whole_and_never_stale(store: Arc<dyn Store>) {
    use timecredits_app::{ApiTokenRecord, Role, RoleGrant, Scope, TokenHolder, User, UserId};
    let s = set_up(store.as_ref(), 1, 0).await;
    let m = &s.members[0];
    let user = |member| User {
        id: UserId(uuid::Uuid::now_v7()),
        email: None,
        display_name: "Sam".into(),
        password_hash: None,
        pin_hash: None,
        member,
        created_at: t(1),
    };
    let token = |hash: &str, user: UserId| ApiTokenRecord {
        token_hash: hash.into(),
        user,
        label: "bench".into(),
        created_at: t(1),
        expires_at: t(2),
    };
    assert_eq!(store.api_token_holder("none").await.expect("read"), None);

    // No grants: one row with empty grant columns still names the holder.
    let member_user = user(Some(m.id));
    store.create_user(&member_user).await.expect("user");
    let member_token = token("member-token", member_user.id);
    store.create_api_token(&member_token).await.expect("token");
    assert_eq!(
        store.api_token_holder("member-token").await.expect("read"),
        Some(TokenHolder {
            token: member_token,
            member: Some(m.id),
            grants: vec![],
        })
    );

    let staff = user(None);
    store.create_user(&staff).await.expect("user");
    let staff_token = token("staff-token", staff.id);
    store.create_api_token(&staff_token).await.expect("token");
    let coordinator = RoleGrant {
        user: staff.id,
        role: Role::Coordinator,
        scope: Scope::Organisation(s.organisation.id),
    };
    for g in [
        RoleGrant {
            user: staff.id,
            role: Role::ProgrammeManager,
            scope: Scope::Programme(s.programme.id),
        },
        coordinator,
        RoleGrant {
            user: staff.id,
            role: Role::Administrator,
            scope: Scope::Platform,
        },
    ] {
        store.grant_role(&g).await.expect("grant");
    }
    let holder = store
        .api_token_holder("staff-token")
        .await
        .expect("read")
        .expect("the token");
    assert_eq!(holder.token, staff_token);
    assert_eq!(holder.member, None);
    assert_eq!(holder.grants.len(), 3, "one row per grant, each once");
    assert_eq!(holder.grants, store.roles(staff.id).await.expect("roles"));

    assert!(
        store
            .remove_staff(coordinator, staff.id, t(3))
            .await
            .expect("remove")
    );
    let holder = store
        .api_token_holder("staff-token")
        .await
        .expect("read")
        .expect("the token");
    assert_eq!(holder.grants.len(), 2);
    assert!(!holder.grants.contains(&coordinator), "not a stale grant");
    assert_eq!(
        store
            .api_token_holder("member-token")
            .await
            .expect("read")
            .map(|h| h.grants.len()),
        Some(0),
        "another holder's grants are not mixed in"
    );
}
