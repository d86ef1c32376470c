//! A coordinator's pages: sessions, the register, and deciding claims.

use axum::http::{StatusCode, header};
use serde_json::json;

use crate::area_activities::{COORDINATOR_EMAIL, COORDINATOR_PASSWORD, world};
use crate::pages::{attr, session_csrf, sign_in, texts};
use crate::support::{ALICE_MINUTES, PIN, bearer};

#[tokio::test]
async fn a_coordinator_takes_a_register_and_everyone_who_came_is_credited() {
    let w = world().await;
    let t = &w.t;
    let lunch = w.activity("Lunch club").await;
    let session_id = w.session(&lunch, 10).await;
    for token in [&w.alice, &w.bob] {
        let r = t
            .post_json(
                &format!("/api/v1/sessions/{session_id}/sign-ups"),
                &[("authorization", &bearer(token))],
                &json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
    }
    let cora = sign_in(t, COORDINATOR_EMAIL, COORDINATOR_PASSWORD).await;
    let sessions = t.get("/sessions", &[("cookie", &cora)]).await;
    assert_eq!(sessions.status, StatusCode::OK, "body: {}", sessions.body);
    assert_eq!(texts(&sessions.body, "#sessions-today h3"), ["Lunch club"]);
    assert!(texts(&sessions.body, "#sessions-today p")[1].starts_with("2 of 10 places taken"));
    let register = format!("/sessions/{session_id}/register");
    let early = t.get(&register, &[("cookie", &cora)]).await;
    assert!(early.body.contains("has not started yet"));

    t.advance(chrono::Duration::minutes(5));
    let sheet = t.get(&register, &[("cookie", &cora)]).await;
    assert_eq!(sheet.status, StatusCode::OK, "body: {}", sheet.body);
    assert_eq!(texts(&sheet.body, "#register tbody tr").len(), 2);
    let key = attr(&sheet.body, "#register input[name=key]", "value").expect("key");
    let token = session_csrf(t, &cora).await;
    let alice_id = t.alice.id.to_string();
    let attended = format!("attended-{alice_id}");
    let minutes = format!("minutes-{alice_id}");
    let bob_minutes = format!("minutes-{}", t.bob.id);
    let fields = [
        ("csrf", token.as_str()),
        ("key", key.as_str()),
        (attended.as_str(), "on"),
        (minutes.as_str(), "90"),
        (bob_minutes.as_str(), "120"),
    ];
    // Sent twice (a double click): credited once.
    for _ in 0..2 {
        let done = t.post_form(&register, &cora, &fields).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "body: {}", done.body);
        assert_eq!(done.header(header::LOCATION), register);
    }
    assert_eq!(t.balance(&t.alice).await, ALICE_MINUTES + 90);
    assert_eq!(t.balance(&t.bob).await, 0, "Bob was not ticked");
    let after = t.get(&register, &[("cookie", &cora)]).await;
    assert_eq!(
        texts(&after.body, "#register-done"),
        ["The register is confirmed. Everyone who came has their Time Credits."]
    );
    assert_eq!(
        texts(&after.body, "#recorded tbody tr"),
        ["Alice Able 1 hour and 30 minutes"]
    );
    // Members may not open a register.
    let alice = sign_in(t, &t.alice.number.value().to_string(), PIN).await;
    assert_eq!(
        t.get(&register, &[("cookie", &alice)]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.get("/sessions", &[("cookie", &alice)]).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_coordinator_confirms_one_claim_and_rejects_another_with_a_reason() {
    let w = world().await;
    let t = &w.t;
    let lunch = w.activity("Lunch club").await;
    let today = t.app.programme_today(&t.programme).to_string();
    for minutes in [60, 30] {
        let r = t
            .post_json(
                "/api/v1/claims",
                &[("authorization", &bearer(&w.alice))],
                &json!({ "activity": lunch, "date": today, "minutes": minutes, "note": "Serving" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
    }
    let cora = sign_in(t, COORDINATOR_EMAIL, COORDINATOR_PASSWORD).await;
    let page = t.get("/claims/decide", &[("cookie", &cora)]).await;
    assert_eq!(page.status, StatusCode::OK, "body: {}", page.body);
    assert_eq!(texts(&page.body, "#claims > li").len(), 2);
    let forms: Vec<String> = {
        let doc = scraper::Html::parse_document(&page.body);
        let sel = scraper::Selector::parse("#claims form").expect("selector");
        doc.select(&sel)
            .filter_map(|f| f.value().attr("action").map(str::to_owned))
            .collect()
    };
    let token = session_csrf(t, &cora).await;
    let confirm = forms
        .iter()
        .find(|a| a.ends_with("/confirm"))
        .expect("confirm");
    let claim_id = confirm
        .trim_start_matches("/claims/")
        .trim_end_matches("/confirm");
    let done = t
        .post_form(confirm, &cora, &[("csrf", &token), ("key", claim_id)])
        .await;
    assert_eq!(
        done.header(header::LOCATION),
        "/claims/decide?done=confirmed"
    );
    assert_eq!(
        t.balance(&t.alice).await,
        ALICE_MINUTES + 30,
        "newest first: the 30-minute claim"
    );

    let left = t.get("/claims/decide", &[("cookie", &cora)]).await;
    let reject = {
        let doc = scraper::Html::parse_document(&left.body);
        let sel = scraper::Selector::parse("#claims form[action$=\"/reject\"]").expect("selector");
        doc.select(&sel)
            .next()
            .and_then(|f| f.value().attr("action").map(str::to_owned))
            .expect("reject form")
    };
    let no_reason = t
        .post_form(&reject, &cora, &[("csrf", &token), ("reason", " ")])
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&no_reason.body, ".error-summary li"),
        ["Say why the claim is not accepted, so the member knows"]
    );
    let rejected = t
        .post_form(
            &reject,
            &cora,
            &[
                ("csrf", &token),
                ("reason", "You were not on the rota that day"),
            ],
        )
        .await;
    assert_eq!(
        rejected.header(header::LOCATION),
        "/claims/decide?done=rejected"
    );
    // The member sees the outcome and the reason.
    let alice = sign_in(t, &t.alice.number.value().to_string(), PIN).await;
    let mine = t.get("/claims", &[("cookie", &alice)]).await;
    let rows = texts(&mine.body, "#my-claims tbody tr");
    assert!(rows.iter().any(|r| r.contains("Confirmed")), "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.contains("Not accepted") && r.contains("You were not on the rota that day")),
        "{rows:?}"
    );
}
