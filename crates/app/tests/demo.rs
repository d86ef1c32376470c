//! The demo seeder, against the real SQLite store: same seed, same data.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use timecredits_app::demo::{self, DemoSummary};
use timecredits_app::{App, FixedClock, Store};
use timecredits_store_sqlite::SqliteStore;

fn send<T: Send>(value: T) -> T {
    value
}

fn today() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
        .single()
        .expect("valid date")
}

/// One member as anyone could see them: number, name, joining time,
/// balance and every transfer of their statement.
type MemberView = (String, String, DateTime<Utc>, i64, Vec<String>);

async fn view(store: &dyn Store, summary: &DemoSummary) -> Vec<MemberView> {
    let mut members = store.members(summary.programme.id).await.expect("members");
    members.sort_by_key(|m| m.number.value());
    let mut out = Vec::new();
    for m in members {
        let state = store
            .account(m.account)
            .await
            .expect("account")
            .expect("exists");
        let (_, transfers) = store
            .account_transfers(m.account, None, None, 10_000)
            .await
            .expect("transfers");
        let lines = transfers
            .iter()
            .map(|t| {
                format!(
                    "{} {} {:?} {} {}",
                    t.id.0,
                    t.at,
                    t.kind,
                    t.amount.get(),
                    t.reason
                )
            })
            .collect();
        out.push((
            m.number.to_string(),
            m.display_name,
            m.created_at,
            state.balance_minutes.expect("tracked"),
            lines,
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeding_is_deterministic_sound_and_signs_in() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut views = Vec::new();
    let mut summaries = Vec::new();
    let mut stores: Vec<Arc<dyn Store>> = Vec::new();
    for run in 0..2 {
        let store: Arc<dyn Store> = Arc::new(
            SqliteStore::open(&dir.path().join(format!("demo-{run}.db"))).expect("open SQLite"),
        );
        assert!(!demo::is_seeded(store.as_ref()).await.expect("is_seeded"));
        let started = Instant::now();
        // Send, so a server may seed from a spawned task.
        let summary = send(demo::seed(store.clone(), demo::DEFAULT_SEED, today()))
            .await
            .expect("seed");
        println!(
            "seeding run {run}: {:?} for {} members, {} organisations, {} transfers",
            started.elapsed(),
            summary.members,
            summary.organisations,
            summary.transfers
        );
        assert!(demo::is_seeded(store.as_ref()).await.expect("is_seeded"));

        assert_eq!(summary.programme.name, demo::PROGRAMME_NAME);
        assert_eq!(summary.programme.time_zone, "Europe/London");
        assert_eq!(summary.programme.exchange_overdraft_minutes, 120);
        assert!(
            (7..=10).contains(&summary.organisations),
            "{} organisations",
            summary.organisations
        );
        assert_eq!(
            store
                .organisations(summary.programme.id)
                .await
                .expect("organisations")
                .len(),
            summary.organisations
        );
        assert_eq!(summary.members, 150);
        assert!(
            (3_000..=6_000).contains(&summary.transfers),
            "{} transfers",
            summary.transfers
        );
        assert_eq!(
            store.transfer_count().await.expect("count"),
            summary.transfers
        );

        let report = store.verify().await.expect("verify");
        assert!(
            report.is_ok(),
            "{:?} {:?}",
            report.mismatches,
            report.problems
        );
        assert_eq!(report.transfers, summary.transfers);

        views.push(view(store.as_ref(), &summary).await);
        summaries.push(summary);
        stores.push(store);
    }
    assert_eq!(
        views[0], views[1],
        "the same seed gave different members, balances or transfers"
    );
    assert_eq!(summaries[0].transfers, summaries[1].transfers);

    // A year of activity ending before `today`, with realistic amounts.
    let members = &views[0];
    let lines: Vec<&String> = members.iter().flat_map(|m| &m.4).collect();
    assert!(
        members.iter().all(|m| m.3 >= 0),
        "a member balance went below zero"
    );
    assert!(
        members.iter().filter(|m| m.3 > 0).count() > 75,
        "most members should hold some credits"
    );
    for m in members {
        assert!(
            m.2 < today() && m.2 > today() - Duration::days(366),
            "{} joined at {}",
            m.1,
            m.2
        );
    }
    assert!(
        lines.iter().any(|l| l.contains("Reverse")),
        "a correction is in the ledger"
    );
    assert!(
        lines.iter().any(|l| l.contains("Gift")),
        "gifts are in the ledger"
    );
    assert!(
        lines.iter().any(|l| l.contains("Swim, Leisure Centre")),
        "swims are in the ledger"
    );

    // Seeding the same database again is refused.
    let again = demo::seed(stores[0].clone(), demo::DEFAULT_SEED, today()).await;
    assert!(again.is_err(), "seeding twice should be refused");

    // Every printed sign-in works, and the fixed list matches the summary.
    assert_eq!(summaries[0].sign_ins, demo::sign_ins());
    let roles: Vec<&str> = summaries[0].sign_ins.iter().map(|s| s.role).collect();
    for role in [
        "administrator",
        "programme_manager",
        "coordinator",
        "spend_staff",
        "evaluator",
        "member",
    ] {
        assert!(roles.contains(&role), "no {role} sign-in");
    }
    let app = App::new(stores[0].clone(), Arc::new(FixedClock::new(today())));
    for s in &summaries[0].sign_ins {
        let user = app
            .authenticate(&s.login, &s.secret)
            .await
            .unwrap_or_else(|e| panic!("{} {}: {e}", s.role, s.login));
        let actor = app.actor(user.id).await.expect("actor");
        assert!(!actor.grants.is_empty(), "{} has no role", s.login);
        if s.role == "member" {
            assert!(actor.member.is_some());
        }
    }
    assert!(
        app.authenticate(&summaries[0].sign_ins[0].login, "not the password")
            .await
            .is_err()
    );
}
