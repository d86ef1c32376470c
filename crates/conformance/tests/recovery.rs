//! Reset codes on both backends: who may give one, that a code works once,
//! for a day, for its own person only, not after five wrong tries, not
//! after a newer code; and that using one ends the person's sessions.

use std::sync::Arc;

use chrono::Duration;
use timecredits_app::directory::{NewPartner, OnBehalfRegistration};
use timecredits_app::recovery::MAX_FAILED_ATTEMPTS;
use timecredits_app::{Actor, App, AppError, FixedClock, NewProgramme, Role, Scope, Store};
use timecredits_conformance::{on_both_backends, t};
use uuid::Uuid;

on_both_backends!(
    a_coordinator_gives_a_member_a_code_that_works_once,
    codes_expire_wear_out_and_are_superseded,
    only_staff_who_may_act_for_the_member_give_codes,
    an_administrator_resets_a_staff_password,
);

struct World {
    app: App,
    clock: Arc<FixedClock>,
    admin: Actor,
    coordinator: Actor,
    outsider: Actor,
    member_number: String,
    member: timecredits_app::MemberId,
}

fn email(prefix: &str) -> String {
    format!("{prefix}-{}@example.org", Uuid::now_v7().simple())
}

async fn world(store: Arc<dyn Store>, pin: Option<&str>) -> World {
    let clock = Arc::new(FixedClock::new(t(0)));
    let app = App::new(store, clock.clone());
    let admin = app
        .bootstrap_administrator(&email("admin"), "a long admin password")
        .await
        .expect("admin");
    let admin = app.actor(admin.id).await.expect("admin actor");
    let programme = app
        .create_programme(
            &admin,
            NewProgramme {
                name: "Exampleton".into(),
                locality: "Exampleton".into(),
                time_zone: "Europe/London".into(),
                language: "en-GB".into(),
                exchange_overdraft_minutes: 0,
            },
        )
        .await
        .expect("programme");
    let staff = |role, scope| {
        let app = &app;
        let admin = &admin;
        async move {
            let user = app
                .create_staff(
                    admin,
                    &email("staff"),
                    "Staff Person",
                    "a long staff password",
                    role,
                    scope,
                )
                .await
                .expect("staff");
            app.actor(user.id).await.expect("actor")
        }
    };
    let manager = staff(Role::ProgrammeManager, Scope::Programme(programme.id)).await;
    let mut organisations = Vec::new();
    for name in ["Hall", "Other"] {
        let partner = app
            .create_partner(
                &manager,
                NewPartner {
                    programme: programme.id,
                    name: name.into(),
                    kind: "community_group".into(),
                    postcode: None,
                    contacts: Vec::new(),
                    roles: "earn".into(),
                },
            )
            .await
            .expect("partner");
        organisations.push(partner.organisation.id);
    }
    let coordinator = staff(Role::Coordinator, Scope::Organisation(organisations[0])).await;
    let outsider = staff(Role::Coordinator, Scope::Organisation(organisations[1])).await;
    let registered = app
        .register_on_behalf(
            &coordinator,
            OnBehalfRegistration {
                programme: programme.id,
                display_name: "Bea".into(),
                pin: pin.map(str::to_owned),
                number: None,
                organisation: Some(organisations[0]),
                language: None,
                email: None,
                phone: None,
            },
        )
        .await
        .expect("member");
    World {
        app,
        clock,
        admin,
        coordinator,
        outsider,
        member_number: registered.member.number.to_string(),
        member: registered.member.id,
    }
}

#[track_caller]
fn refused<T: std::fmt::Debug>(r: Result<T, AppError>) -> &'static str {
    r.expect_err("should be refused").code()
}

async fn a_coordinator_gives_a_member_a_code_that_works_once(store: Arc<dyn Store>) {
    let w = world(store, Some("4071")).await;
    let user = w
        .app
        .authenticate(&w.member_number, "4071")
        .await
        .expect("old PIN");
    let session = w.app.start_session(&user).await.expect("session");

    let issued = w
        .app
        .issue_member_reset_code(&w.coordinator, w.member)
        .await
        .expect("code");
    assert_eq!(issued.for_name, "Bea");
    assert_eq!(issued.expires_at, t(0) + Duration::hours(24));
    // A bad new PIN is said plainly and does not use up the code.
    assert_eq!(
        refused(
            w.app
                .reset_with_code(&w.member_number, &issued.code, "12")
                .await
        ),
        "invalid_input"
    );
    w.app
        .reset_with_code(&w.member_number, &issued.code, "5555")
        .await
        .expect("reset");
    assert_eq!(
        refused(w.app.authenticate(&w.member_number, "4071").await),
        "bad_credentials"
    );
    w.app
        .authenticate(&w.member_number, "5555")
        .await
        .expect("new PIN");
    assert_eq!(
        refused(w.app.session_actor(&session.secret).await),
        "unauthenticated",
        "the old session ended"
    );
    // Once only.
    assert_eq!(
        refused(
            w.app
                .reset_with_code(&w.member_number, &issued.code, "6666")
                .await
        ),
        "reset_code_not_valid"
    );
    w.app
        .authenticate(&w.member_number, "5555")
        .await
        .expect("unchanged");
}

async fn codes_expire_wear_out_and_are_superseded(store: Arc<dyn Store>) {
    // Registered without a PIN: the code is how Bea chooses her first one.
    let w = world(store, None).await;
    let first = w
        .app
        .issue_member_reset_code(&w.coordinator, w.member)
        .await
        .expect("first");
    let second = w
        .app
        .issue_member_reset_code(&w.coordinator, w.member)
        .await
        .expect("second");
    if first.code != second.code {
        assert_eq!(
            refused(
                w.app
                    .reset_with_code(&w.member_number, &first.code, "1234")
                    .await
            ),
            "reset_code_not_valid",
            "a newer code ends the older one"
        );
    }
    // Wrong tries wear the code out, even for the right code afterwards.
    let wrong = if second.code.starts_with('9') {
        "1111 1111"
    } else {
        "9999 9999"
    };
    for _ in 0..MAX_FAILED_ATTEMPTS {
        assert_eq!(
            refused(w.app.reset_with_code(&w.member_number, wrong, "1234").await),
            "reset_code_not_valid"
        );
    }
    assert_eq!(
        refused(
            w.app
                .reset_with_code(&w.member_number, &second.code, "1234")
                .await
        ),
        "reset_code_not_valid"
    );
    // A fresh code works, typed without its space, but not after a day.
    let third = w
        .app
        .issue_member_reset_code(&w.coordinator, w.member)
        .await
        .expect("third");
    w.clock.set(t(0) + Duration::hours(24));
    assert_eq!(
        refused(
            w.app
                .reset_with_code(&w.member_number, &third.code, "1234")
                .await
        ),
        "reset_code_not_valid"
    );
    let fourth = w
        .app
        .issue_member_reset_code(&w.coordinator, w.member)
        .await
        .expect("fourth");
    w.app
        .reset_with_code(&w.member_number, &fourth.code.replace(' ', ""), "1234")
        .await
        .expect("first PIN chosen");
    w.app
        .authenticate(&w.member_number, "1234")
        .await
        .expect("signs in");
    // An unknown number gets the same answer as a wrong code.
    assert_eq!(
        refused(
            w.app
                .reset_with_code("999 999 9", &fourth.code, "1234")
                .await
        ),
        "reset_code_not_valid"
    );
}

async fn only_staff_who_may_act_for_the_member_give_codes(store: Arc<dyn Store>) {
    let w = world(store, Some("4071")).await;
    assert_eq!(
        refused(w.app.issue_member_reset_code(&w.outsider, w.member).await),
        "not_found"
    );
    let proxy = w
        .app
        .act_for(&w.coordinator, w.member)
        .await
        .expect("proxy");
    assert_eq!(
        refused(w.app.issue_member_reset_code(&proxy, w.member).await),
        "forbidden"
    );
    assert_eq!(
        refused(
            w.app
                .issue_staff_reset_code(&w.coordinator, "x@example.org")
                .await
        ),
        "forbidden"
    );
    w.app
        .authenticate(&w.member_number, "4071")
        .await
        .expect("unchanged");
}

async fn an_administrator_resets_a_staff_password(store: Arc<dyn Store>) {
    let w = world(store, None).await;
    let login = email("cora");
    let cora = w
        .app
        .create_staff(
            &w.admin,
            &login,
            "Cora",
            "the first long password",
            Role::Administrator,
            Scope::Platform,
        )
        .await
        .expect("cora");
    let issued = w
        .app
        .issue_staff_reset_code(&w.admin, &login.to_uppercase())
        .await
        .expect("code");
    assert_eq!(issued.for_name, "Cora");
    assert_eq!(
        refused(w.app.reset_with_code(&login, &issued.code, "short").await),
        "invalid_input"
    );
    let user = w
        .app
        .reset_with_code(&login, &issued.code, "a brand new long password")
        .await
        .expect("reset");
    assert_eq!(user.id, cora.id);
    w.app
        .authenticate(&login, "a brand new long password")
        .await
        .expect("new password");
    assert_eq!(
        refused(
            w.app
                .issue_staff_reset_code(&w.admin, "nobody@example.org")
                .await
        ),
        "not_found"
    );
}
