//! A coordinator acting for a member in the pages: the banner, the member's
//! menu, actions logged as proxy, stopping, and a changed cookie granting
//! nothing.

use axum::http::{StatusCode, header};
use timecredits_app::MemberId;
use timecredits_app::directory::PageRequest;
use uuid::Uuid;

use crate::area_activities::{COORDINATOR_EMAIL, COORDINATOR_PASSWORD, World, world};
use crate::pages::{attr, session_csrf, sign_in, texts};
use crate::support::PIN;

/// Registers Dora through the members page; returns her id and number.
async fn register_dora(w: &World, cora: &str) -> (MemberId, String) {
    let t = &w.t;
    let token = session_csrf(t, cora).await;
    let done = t
        .post_form(
            "/organisation/members/register",
            cora,
            &[
                ("csrf", &token),
                ("organisation", &w.organisation),
                ("name", "Dora Daly"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "body: {}", done.body);
    let action = attr(&done.body, "#members form", "action").expect("act-for form");
    let id = action
        .trim_start_matches("/members/")
        .trim_end_matches("/act-for");
    let number = texts(&done.body, "#registered-number").remove(0);
    (MemberId(Uuid::try_parse(id).expect("id")), number)
}

#[tokio::test]
async fn a_coordinator_acts_for_a_member_with_a_banner_and_it_is_logged_as_proxy() {
    let w = world().await;
    let t = &w.t;
    let cora = sign_in(t, COORDINATOR_EMAIL, COORDINATOR_PASSWORD).await;
    let (dora, number) = register_dora(&w, &cora).await;
    let lunch = w.activity("Lunch club").await;
    let session = w.session(&lunch, 10).await;
    let token = session_csrf(t, &cora).await;

    // Without the session's token: refused.
    let forged = t
        .post_form(&format!("/members/{dora}/act-for"), &cora, &[("csrf", "x")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let started = t
        .post_form(
            &format!("/members/{dora}/act-for"),
            &cora,
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    assert_eq!(started.header(header::LOCATION), "/home");
    let set = started
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("tc_act_for="))
        .expect("act-for cookie");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Secure"));
    let proxy = format!(
        "{cora}; tc_act_for={}",
        started.cookie("tc_act_for").expect("value")
    );

    // Every page shows the banner, and the member's menu.
    for path in ["/home", "/activities", "/statement"] {
        let page = t.get(path, &[("cookie", &proxy)]).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert_eq!(
            texts(&page.body, "#proxy-banner .proxy-banner-text"),
            [format!("You are acting for Dora Daly ({number})")],
            "{path}"
        );
        assert_eq!(
            texts(&page.body, "#proxy-banner button"),
            ["Stop acting for them"]
        );
    }
    let home = t.get("/home", &[("cookie", &proxy)]).await;
    let menu = texts(&home.body, ".site-nav a");
    assert!(menu.contains(&"Claim hours".to_owned()), "{menu:?}");
    assert!(!menu.contains(&"Members".to_owned()), "{menu:?}");

    // Signing up as Dora: recorded for Dora, logged with Cora as proxy.
    let signed_up = t
        .post_form(
            &format!("/sessions/{session}/sign-up"),
            &proxy,
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(
        signed_up.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_up.body
    );
    let log = t
        .app
        .proxy_log(&t.manager, dora, PageRequest::default())
        .await
        .expect("proxy log");
    let cora_user = t
        .app
        .store()
        .user_by_email(COORDINATOR_EMAIL)
        .await
        .expect("store")
        .expect("coordinator");
    assert_eq!(log.items.len(), 1);
    assert_eq!(log.items[0].actor, cora_user.id);
    assert_eq!(log.items[0].member, dora);
    let sheet = t
        .app
        .register_sheet(
            &t.manager,
            timecredits_app::activities::SessionId(Uuid::try_parse(&session).expect("id")),
        )
        .await
        .expect("sheet");
    assert_eq!(sheet.attendees.len(), 1);
    assert_eq!(sheet.attendees[0].1.id, dora);

    // While acting for Dora, staff pages are not Cora's.
    assert_eq!(
        t.get("/organisation/members", &[("cookie", &proxy)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Stopping clears the cookie and returns to the members page.
    let stopped = t
        .post_form("/act-for/stop", &proxy, &[("csrf", &token)])
        .await;
    assert_eq!(stopped.status, StatusCode::SEE_OTHER);
    assert_eq!(stopped.header(header::LOCATION), "/organisation/members");
    assert!(
        stopped
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("tc_act_for=;") && c.contains("Max-Age=0"))
    );
    let back = t.get("/home", &[("cookie", &cora)]).await;
    assert!(texts(&back.body, "#proxy-banner").is_empty());

    // Signing out clears it too.
    let signed_out = t.post_form("/sign-out", &proxy, &[("csrf", &token)]).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert!(
        signed_out
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("tc_act_for=;") && c.contains("Max-Age=0"))
    );
}

#[tokio::test]
async fn a_tampered_act_for_cookie_grants_nothing() {
    let w = world().await;
    let t = &w.t;
    let cora = sign_in(t, COORDINATOR_EMAIL, COORDINATOR_PASSWORD).await;
    let token = session_csrf(t, &cora).await;
    // Alice is not in Cora's organisation; the others are not members at all.
    for value in [
        t.alice.id.to_string(),
        Uuid::now_v7().to_string(),
        "not-an-id".to_owned(),
    ] {
        let tampered = format!("{cora}; tc_act_for={value}");
        let home = t.get("/home", &[("cookie", &tampered)]).await;
        assert_eq!(home.status, StatusCode::OK, "{value}: {}", home.body);
        assert!(texts(&home.body, "#proxy-banner").is_empty(), "{value}");
        // Cora stays herself: her staff menu, and no member's statement.
        assert!(texts(&home.body, ".site-nav a").contains(&"Members".to_owned()));
        assert_eq!(
            t.get("/statement", &[("cookie", &tampered)]).await.status,
            StatusCode::NOT_FOUND,
            "{value}"
        );
    }
    // Nor can Cora start acting for Alice.
    let refused = t
        .post_form(
            &format!("/members/{}/act-for", t.alice.id),
            &cora,
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(refused.cookie("tc_act_for").is_none());
    // A member naming another member in the cookie is still themself.
    let alice = sign_in(t, &t.alice.number.value().to_string(), PIN).await;
    let as_bob = format!("{alice}; tc_act_for={}", t.bob.id);
    let home = t.get("/home", &[("cookie", &as_bob)]).await;
    assert!(texts(&home.body, "#proxy-banner").is_empty());
    assert!(home.body.contains("Alice Able"));
}
