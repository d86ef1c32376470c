//! Programme rules through the use cases, on both backends: versions,
//! the rules in force on a day, and credit expiry (first in, first out).

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use timecredits_app::{
    App, FixedClock, GiftRequest, NewMember, NewProgramme, Role, Scope, Store, fixtures,
};
use timecredits_conformance::on_both_backends;
use timecredits_domain::rules::{CreditExpiry, ProgrammeRules, RuleVersion};
use timecredits_ledger::TransferId;
use uuid::Uuid;

on_both_backends!(
    expiry_takes_the_oldest_credits_once,
    rules_in_force_follow_their_dates
);

struct World {
    app: App,
    clock: Arc<FixedClock>,
    manager: timecredits_app::Actor,
    programme: timecredits_app::Programme,
}

async fn world(store: Arc<dyn Store>) -> World {
    let start = Utc
        .with_ymd_and_hms(2026, 1, 5, 10, 0, 0)
        .single()
        .expect("valid time");
    let clock = Arc::new(FixedClock::new(start));
    let app = App::new(store, clock.clone());
    let admin = app
        .bootstrap_administrator("admin@example.org", "a long admin password")
        .await
        .expect("admin");
    let admin = app.actor(admin.id).await.expect("actor");
    let programme = app
        .create_programme(
            &admin,
            NewProgramme {
                name: "Rules".into(),
                locality: "Fen".into(),
                time_zone: "Europe/London".into(),
                language: "en".into(),
                exchange_overdraft_minutes: 0,
            },
        )
        .await
        .expect("programme");
    let manager = app
        .create_staff(
            &admin,
            "m@example.org",
            "Manager",
            "a long manager password",
            Role::ProgrammeManager,
            Scope::Programme(programme.id),
        )
        .await
        .expect("manager");
    let manager = app.actor(manager.id).await.expect("actor");
    World {
        app,
        clock,
        manager,
        programme,
    }
}

async fn rules_in_force_follow_their_dates(store: Arc<dyn Store>) {
    let w = world(store).await;
    let opening = w.app.programme_today(&w.programme);
    let stricter = ProgrammeRules {
        daily_cap_minutes: 240,
        ..ProgrammeRules::default()
    };
    let from = opening + Duration::days(10);
    w.app
        .change_rules(
            &w.manager,
            w.programme.id,
            RuleVersion {
                effective_from: from,
                rules: stricter,
            },
        )
        .await
        .expect("change");
    assert_eq!(
        w.app
            .rules_in_force(w.programme.id, opening)
            .await
            .expect("rules")
            .daily_cap_minutes,
        720
    );
    assert_eq!(
        w.app
            .rules_in_force(w.programme.id, from)
            .await
            .expect("rules")
            .daily_cap_minutes,
        240
    );
    let past = RuleVersion {
        effective_from: opening - Duration::days(1),
        rules: ProgrammeRules::default(),
    };
    let err = w
        .app
        .change_rules(&w.manager, w.programme.id, past)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "rules_in_the_past");
    assert_eq!(
        w.app
            .rule_book(w.programme.id)
            .await
            .expect("book")
            .versions()
            .len(),
        2
    );
}

async fn expiry_takes_the_oldest_credits_once(store: Arc<dyn Store>) {
    let w = world(store.clone()).await;
    let opening = w.app.programme_today(&w.programme);
    let member = |name: &str| NewMember {
        programme: w.programme.id,
        display_name: name.into(),
        pin: Some("1234".into()),
        number: None,
    };
    let ann = w
        .app
        .register_member(&w.manager, member("Ann"))
        .await
        .expect("ann");
    let ben = w
        .app
        .register_member(&w.manager, member("Ben"))
        .await
        .expect("ben");
    // Nothing expires while the rules say credits last for ever.
    fixtures::seed_credits(&w.app, ann.id, 120)
        .await
        .expect("issue");
    let never = w
        .app
        .expire_credits(&w.manager, w.programme.id)
        .await
        .expect("run");
    assert_eq!(never.cutoff, None);

    let rules = ProgrammeRules {
        expiry: CreditExpiry::AfterMonths(1),
        ..ProgrammeRules::default()
    };
    w.app
        .change_rules(
            &w.manager,
            w.programme.id,
            RuleVersion {
                effective_from: opening + Duration::days(1),
                rules,
            },
        )
        .await
        .expect("expiry on");
    // Ann spends 30 of her January credits on a gift, and earns 60 more in March.
    w.clock.set(w.clock_now() + Duration::days(10));
    let ann_actor = w
        .app
        .actor(ann.user.expect("ann signs in"))
        .await
        .expect("actor");
    w.app
        .give_gift(
            &ann_actor,
            GiftRequest {
                id: TransferId(Uuid::now_v7()),
                to: ben.id,
                minutes: 30,
                reason: "thanks".into(),
            },
        )
        .await
        .expect("gift");
    w.clock.set(w.clock_now() + Duration::days(60));
    fixtures::seed_credits(&w.app, ann.id, 60)
        .await
        .expect("march");
    w.clock.set(w.clock_now() + Duration::days(5));

    let not_manager = w
        .app
        .expire_credits(&ann_actor, w.programme.id)
        .await
        .unwrap_err();
    assert_eq!(not_manager.code(), "forbidden");
    let run = w
        .app
        .expire_credits(&w.manager, w.programme.id)
        .await
        .expect("run");
    assert!(run.cutoff.is_some());
    // Ann's January 120, less the 30 she gave, expire; March's 60 do not.
    // Ben's 30 arrived in January too, and expire.
    assert_eq!(run.minutes_expired, 90 + 30, "{run:?}");
    assert_eq!(run.members_with_expiry, 2);
    let balance = |account| {
        let store = store.clone();
        async move {
            store
                .account(account)
                .await
                .expect("read")
                .expect("exists")
                .balance_minutes
        }
    };
    assert_eq!(balance(ann.account).await, Some(60));
    assert_eq!(balance(ben.account).await, Some(0));
    assert_eq!(balance(w.programme.expired_account).await, Some(120));
    let again = w
        .app
        .expire_credits(&w.manager, w.programme.id)
        .await
        .expect("second run");
    assert_eq!(
        again.minutes_expired, 0,
        "running twice expires nothing more"
    );
    assert!(store.verify().await.expect("verify").is_ok());
}

impl World {
    fn clock_now(&self) -> chrono::DateTime<Utc> {
        use timecredits_app::Clock;
        self.clock.now()
    }
}
