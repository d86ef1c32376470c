//! The demo seeder, against the real SQLite store: same seed, same data,
//! sound books, every part of the product present, and sign-ins that work.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use timecredits_app::activities::{ActivityFilter, ClaimFilter};
use timecredits_app::demo::{self, DemoSummary};
use timecredits_app::directory::RegistrationChannel;
use timecredits_app::evaluation::{
    Answer,
    eval::imd::{Boundary, Edition, LsoaAssignment},
};
use timecredits_app::timebank::{ListingQuery, ProposalQuery};
use timecredits_app::{App, FixedClock, MemberId, Store};
use timecredits_domain::activity::SignUpStatus;
use timecredits_domain::contribution::ClaimStatus;
use timecredits_domain::directory::OrganisationStatus;
use timecredits_domain::timebank::{ListingKind, ProposalStatus};
use timecredits_ledger::TransferKind;
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
/// registration, language, balance and every transfer of their statement,
/// ids included (every id written with a posting comes from a seeded key).
#[derive(Debug, PartialEq, Eq)]
struct MemberView {
    number: String,
    name: String,
    joined: DateTime<Utc>,
    registration: String,
    language: String,
    skills: Vec<String>,
    balance: i64,
    lines: Vec<String>,
}

async fn members(store: &dyn Store, summary: &DemoSummary) -> Vec<MemberView> {
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
        let registration = store
            .registration(m.id)
            .await
            .expect("registration")
            .map(|r| format!("{} {}", r.channel.as_str(), r.status.as_str()))
            .unwrap_or_default();
        let profile = store.member_profile(m.id).await.expect("profile");
        out.push(MemberView {
            number: m.number.to_string(),
            name: m.display_name,
            joined: m.created_at,
            registration,
            language: profile
                .as_ref()
                .map(|p| p.language.as_str().to_owned())
                .unwrap_or_default(),
            skills: profile.map(|p| p.skills).unwrap_or_default(),
            balance: state.balance_minutes.unwrap_or(0),
            lines: transfers
                .iter()
                .map(|t| {
                    format!(
                        "{} {} {:?} {} {}",
                        t.id,
                        t.at,
                        t.kind,
                        t.amount.get(),
                        t.reason
                    )
                })
                .collect(),
        });
    }
    out
}

/// How many of each kind of thing the demo made, by name.
async fn census(
    store: &dyn Store,
    summary: &DemoSummary,
    today: DateTime<Utc>,
) -> BTreeMap<String, usize> {
    let programme = summary.programme.id;
    let mut n = BTreeMap::new();
    let mut add = |key: &str, count: usize| {
        *n.entry(key.to_owned()).or_insert(0) += count;
    };

    let versions = store.rule_versions(programme).await.expect("rules");
    add("rule versions", versions.len());
    let partners = store.partners(programme).await.expect("partners");
    add("partners", partners.len());
    for (_, details) in &partners {
        let d = details.clone().unwrap_or_default();
        add(&format!("partner kind {}", d.kind.as_str()), 1);
        add(&format!("partner roles {}", d.roles.as_str()), 1);
        add(
            "partners with a postcode",
            usize::from(d.postcode.is_some()),
        );
        add("partner contacts", d.contacts.len());
        if d.status == OrganisationStatus::Suspended {
            add("suspended partners", 1);
            add(
                "suspensions with a reason",
                usize::from(d.status_change.and_then(|c| c.reason).is_some()),
            );
        }
    }
    for (o, _) in &partners {
        if store.earn_policy(o.id).await.expect("policy").is_some() {
            add("earn policies", 1);
        }
        let (_, pot) = store
            .account_transfers(o.pot_account, None, None, 10_000)
            .await
            .expect("pot");
        add(
            "gifts into a pot",
            pot.iter().filter(|t| t.credit == o.pot_account).count(),
        );
        add(
            "gifts from a pot",
            pot.iter().filter(|t| t.debit == o.pot_account).count(),
        );
    }

    let activities = store
        .activities(&ActivityFilter {
            programme,
            organisation: None,
            level: None,
            mode: None,
            place: None,
            sessions_between: None,
            after: None,
            limit: 1_000,
        })
        .await
        .expect("activities");
    add("activities", activities.len());
    let levels: BTreeSet<_> = activities
        .iter()
        .map(|a| a.details.level.as_str())
        .collect();
    let modes: BTreeSet<_> = activities.iter().map(|a| a.details.mode.as_str()).collect();
    add("co-production levels", levels.len());
    add("co-production modes", modes.len());
    let from = today - Duration::days(400);
    for a in &activities {
        let sessions = store
            .activity_sessions(a.id, from, None, 1_000)
            .await
            .expect("sessions");
        for s in sessions {
            add("sessions", 1);
            if s.starts_at > today {
                add("sessions to come", 1);
            }
            let sign_ups = store.sign_ups(s.id).await.expect("sign-ups");
            let confirmed = sign_ups
                .iter()
                .filter(|u| u.status == SignUpStatus::Confirmed)
                .count();
            let waiting = sign_ups
                .iter()
                .filter(|u| u.status == SignUpStatus::Waiting)
                .count();
            add("sign-ups", confirmed);
            add("waiting", waiting);
            add(
                "promoted from a waiting list",
                sign_ups.iter().filter(|u| u.promoted_at.is_some()).count(),
            );
            if confirmed as i64 == s.capacity && waiting > 0 {
                add("full sessions with a waiting list", 1);
            }
            if store.register(s.id).await.expect("register").is_some() {
                add("registers confirmed", 1);
            }
            for c in store
                .session_contributions(s.id)
                .await
                .expect("contributions")
            {
                add(&format!("contributions {}", c.origin.as_str()), 1);
            }
        }
    }
    for status in [
        ClaimStatus::Pending,
        ClaimStatus::Confirmed,
        ClaimStatus::Rejected,
    ] {
        let claims = store
            .claims(&ClaimFilter {
                member: None,
                organisation: None,
                status: Some(status),
                before: None,
                limit: 100_000,
            })
            .await
            .expect("claims");
        add(&format!("claims {}", status.as_str()), claims.len());
        if status == ClaimStatus::Rejected {
            add(
                "rejections with a reason",
                claims
                    .iter()
                    .filter(|c| c.rejection_reason.is_some())
                    .count(),
            );
        }
    }

    for status in [
        ProposalStatus::Open,
        ProposalStatus::Accepted,
        ProposalStatus::Declined,
        ProposalStatus::Withdrawn,
        ProposalStatus::Expired,
    ] {
        let proposals = store
            .search_exchange_proposals(&ProposalQuery {
                programme,
                member: None,
                status: Some(status),
                now: today,
                before: None,
                limit: 100_000,
            })
            .await
            .expect("proposals");
        add(&format!("proposals {}", status.as_str()), proposals.len());
    }
    let listings = store
        .search_timebank_listings(&ListingQuery {
            programme,
            author: None,
            kind: None,
            category: None,
            place_key: None,
            status: None,
            before: None,
            limit: 100_000,
        })
        .await
        .expect("listings");
    add("listings", listings.len());
    add(
        "listings offering",
        listings
            .iter()
            .filter(|l| l.kind == ListingKind::Offer)
            .count(),
    );
    add(
        "listings requesting",
        listings
            .iter()
            .filter(|l| l.kind == ListingKind::Request)
            .count(),
    );
    add(
        "listing categories",
        listings
            .iter()
            .map(|l| &l.category)
            .collect::<BTreeSet<_>>()
            .len(),
    );
    add(
        "listing places",
        listings
            .iter()
            .map(|l| &l.place)
            .collect::<BTreeSet<_>>()
            .len(),
    );
    add(
        "listings closed",
        listings.iter().filter(|l| l.closed_at.is_some()).count(),
    );

    let pending = store
        .pending_registrations(programme, None, None, 100)
        .await
        .expect("pending");
    add("pending registrations", pending.len());
    let larder = store
        .user_by_email("larder@demo.timecredits.org")
        .await
        .expect("user")
        .expect("the larder's coordinator");
    for m in store.members(programme).await.expect("members") {
        if let Some(r) = store.registration(m.id).await.expect("registration")
            && r.channel == RegistrationChannel::SelfService
        {
            add(&format!("self-registered {}", r.status.as_str()), 1);
        }
        let proxies = store
            .proxy_actions(m.id, None, 1_000)
            .await
            .expect("proxy actions");
        add("proxy actions", proxies.len());
        evaluation_census(store, m.id, &mut add).await;
        add(
            "proxy actions by the larder's coordinator",
            proxies.iter().filter(|p| p.actor == larder.id).count(),
        );
        let (_, transfers) = store
            .account_transfers(m.account, None, None, 10_000)
            .await
            .expect("transfers");
        for t in &transfers {
            add(&format!("member transfers {:?}", t.kind), 1);
            if t.kind == TransferKind::Reverse && t.reason.starts_with("Refund:") {
                add("refunds", 1);
            }
            if t.kind == TransferKind::Reverse && t.reason.starts_with("Corrected:") {
                add("corrections", 1);
            }
        }
    }
    n
}

/// A member's consent, profile, place and survey answers, counted.
async fn evaluation_census(store: &dyn Store, member: MemberId, add: &mut impl FnMut(&str, usize)) {
    for record in store.consent_history(member).await.expect("consent") {
        add(&format!("consents {}", record.decision.as_str()), 1);
        add("consents by proxy", usize::from(record.by_proxy));
    }
    if let Some(p) = store.evaluation_profile(member).await.expect("profile") {
        add("evaluation profiles", 1);
        add(
            "profiles with a prefer-not-to-say",
            usize::from(
                [
                    &p.profile.gender,
                    &p.profile.ethnicity,
                    &p.profile.disability,
                    &p.profile.employment,
                    &p.profile.postcode,
                ]
                .iter()
                .any(|a| **a == Answer::PreferNotToSay),
            ),
        );
        if let Answer::Given(code) = &p.profile.postcode {
            let area = store
                .postcode_area(Boundary::Lsoa2011, code)
                .await
                .expect("lookup");
            if let Some(LsoaAssignment::England(lsoa)) = area.map(|a| a.lsoa) {
                let row = store
                    .imd_area(Edition::Iod2019, lsoa.as_str())
                    .await
                    .expect("imd")
                    .expect("the demo's LSOAs are in the IMD file");
                add(
                    "members in a Fenland LSOA",
                    usize::from(row.local_authority.as_deref() == Some("E07000010")),
                );
                add(&format!("members in IMD decile {}", row.decile.get()), 1);
            }
        }
    }
    for r in store.survey_responses(member).await.expect("responses") {
        add(
            &format!("survey responses wave {} {}", r.wave_months, r.instrument),
            1,
        );
        add("survey responses incomplete", usize::from(!r.complete));
    }
}

/// Checks the census names every part of the product.
fn assert_every_part_is_there(n: &BTreeMap<String, usize>) {
    let at_least = |key: &str, min: usize| {
        let got = n.get(key).copied().unwrap_or(0);
        assert!(got >= min, "{key}: {got}, expected at least {min}");
    };
    // Rules, and a change of them.
    assert_eq!(n["rule versions"], 2);
    // Partners: kinds, postcodes, contacts, roles, policies, one suspended.
    assert_eq!(n["partners"], 10);
    assert_eq!(n["partners with a postcode"], 10);
    at_least("partner contacts", 11);
    for kind in ["community_group", "school", "housing", "health", "library"] {
        at_least(&format!("partner kind {kind}"), 1);
    }
    for roles in ["earn", "spend", "both"] {
        at_least(&format!("partner roles {roles}"), 1);
    }
    assert_eq!(n["earn policies"], 2);
    assert_eq!(n["suspended partners"], 1);
    assert_eq!(n["suspensions with a reason"], 1);
    // Members: registered by staff, or by themselves (approved, one pending).
    assert_eq!(n["self-registered active"], 3);
    assert_eq!(n["self-registered pending"], 1);
    assert_eq!(n["pending registrations"], 1);
    at_least("proxy actions", 50);
    at_least("proxy actions by the larder's coordinator", 5);
    // Activities at every level and in every mode, with sessions.
    assert_eq!(n["activities"], 18);
    assert_eq!(n["co-production levels"], 3);
    assert_eq!(n["co-production modes"], 5);
    at_least("sessions", 400);
    at_least("sessions to come", 10);
    at_least("sign-ups", 1_000);
    at_least("full sessions with a waiting list", 1);
    assert_eq!(n["promoted from a waiting list"], 1);
    at_least("registers confirmed", 300);
    // Credits come from time given: registers, claims, direct records, a correction.
    at_least("contributions register", 1_000);
    at_least("claims confirmed", 20);
    at_least("claims rejected", 2);
    assert_eq!(n["claims rejected"], n["rejections with a reason"]);
    at_least("claims pending", 1);
    assert_eq!(n["corrections"], 1);
    // Spending at the desk (each retired on receipt), a refund, gifts and pots.
    at_least("member transfers Redeem", 500);
    assert_eq!(n["refunds"], 1);
    at_least("member transfers Gift", 100);
    at_least("gifts into a pot", 3);
    at_least("gifts from a pot", 3);
    // The time bank.
    at_least("listings offering", 10);
    at_least("listings requesting", 5);
    at_least("listing categories", 6);
    at_least("listing places", 4);
    at_least("listings closed", 3);
    at_least("proposals accepted", 10);
    at_least("proposals declined", 3);
    at_least("proposals expired", 1);
    at_least("proposals open", 1);
    at_least("member transfers Exchange", 20);
    // Evaluation: most members consent (some through staff), fill a
    // profile in real Fenland LSOAs across deciles, and answer surveys at
    // baseline and six months.
    at_least("consents given", 90);
    at_least("consents by proxy", 50);
    at_least("evaluation profiles", 80);
    at_least("profiles with a prefer-not-to-say", 5);
    at_least("members in a Fenland LSOA", 70);
    let deciles = (1..=10)
        .filter(|d| n.contains_key(&format!("members in IMD decile {d}")))
        .count();
    assert!(deciles >= 6, "members live in {deciles} deciles");
    for instrument in ["swemwbs", "ucla3", "ons_loneliness", "ons4"] {
        at_least(&format!("survey responses wave 0 {instrument}"), 80);
        at_least(&format!("survey responses wave 6 {instrument}"), 25);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeding_is_deterministic_sound_complete_and_signs_in() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut views = Vec::new();
    let mut censuses = Vec::new();
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
        assert_eq!(summary.organisations, 10);
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
            (4_000..=9_000).contains(&summary.transfers),
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

        views.push(members(store.as_ref(), &summary).await);
        censuses.push(census(store.as_ref(), &summary, today()).await);
        summaries.push(summary);
        stores.push(store);
    }
    assert_eq!(
        views[0], views[1],
        "the same seed gave different members, balances or transfers"
    );
    assert_eq!(
        censuses[0], censuses[1],
        "the same seed gave different records"
    );
    assert_eq!(summaries[0].transfers, summaries[1].transfers);
    assert_eq!(summaries[0].evaluation, summaries[1].evaluation);
    println!("{:#?}", summaries[0].evaluation);
    assert_eq!(
        summaries[0].evaluation.imd_rows, 144,
        "the real Fenland and King's Lynn rows"
    );

    // Every part of the product is in the demo.
    println!("{:#?}", censuses[0]);
    assert_every_part_is_there(&censuses[0]);

    // A year of activity ending before `today`, with realistic amounts.
    let members = &views[0];
    let lines: Vec<&String> = members.iter().flat_map(|m| &m.lines).collect();
    assert!(
        members.iter().all(|m| m.balance >= 0),
        "a member balance went below zero"
    );
    assert!(
        members.iter().filter(|m| m.balance > 0).count() > 75,
        "most members should hold some credits"
    );
    for m in members {
        assert!(
            m.joined < today() && m.joined > today() - Duration::days(366),
            "{} joined at {}",
            m.name,
            m.joined
        );
    }
    assert!(members.iter().any(|m| m.language == "pl"));
    assert!(members.iter().any(|m| !m.skills.is_empty()));
    assert!(members.iter().any(|m| m.registration == "on_behalf active"));
    // Credits are only ever issued for time given.
    assert!(
        lines
            .iter()
            .filter(|l| l.contains(" Issue "))
            .all(|l| l.contains("Time given: ")),
        "credits issued for something other than time given"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Swim at Marshfield Leisure Centre")),
        "swims are in the ledger"
    );
    let pending = members
        .iter()
        .find(|m| m.registration == "self pending")
        .expect("a pending registration");
    assert!(pending.lines.is_empty() && pending.balance == 0);

    // Argon2 is slow on purpose: the demo computes at most twelve hashes
    // (each has its own salt, so each distinct string is one computation).
    let store = stores[0].as_ref();
    let mut hashes = BTreeSet::new();
    for s in demo::sign_ins().iter().filter(|s| s.login.contains('@')) {
        let user = store
            .user_by_email(&s.login)
            .await
            .expect("user")
            .expect("staff sign-in");
        hashes.extend(user.password_hash);
    }
    let mut member_sign_ins = 0;
    for m in store
        .members(summaries[0].programme.id)
        .await
        .expect("members")
    {
        if let Some(user) = m.user {
            let user = store.user(user).await.expect("user").expect("exists");
            member_sign_ins += 1;
            hashes.extend(user.pin_hash.into_iter().chain(user.password_hash));
        }
    }
    assert_eq!(
        member_sign_ins, 7,
        "three members with PINs, four who registered online"
    );
    assert!(hashes.len() <= 12, "{} argon2 hashes", hashes.len());

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

/// The CLI seeds with the real date: any day gives a complete demo. This
/// one ends on the night the clocks go back, with another seed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_ending_on_another_day_is_complete_too() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let today = Utc
        .with_ymd_and_hms(2025, 10, 26, 0, 30, 0)
        .single()
        .expect("valid date");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("demo.db")).expect("open SQLite"));
    let summary = demo::seed(store.clone(), 99, today).await.expect("seed");
    let report = store.verify().await.expect("verify");
    assert!(
        report.is_ok(),
        "{:?} {:?}",
        report.mismatches,
        report.problems
    );
    assert_eq!(summary.members, 150);
    assert_every_part_is_there(&census(store.as_ref(), &summary, today).await);
}
