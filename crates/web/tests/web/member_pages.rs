//! A member's pages in the browser's place: the language switch, the card,
//! finding an activity and signing up, claiming hours, giving credits, and
//! the limit on sign-in attempts.

use axum::http::{StatusCode, header};

use crate::area_activities::world;
use crate::pages::{attr, open_sign_in, session_csrf, sign_in, texts};
use crate::support::{ALICE_MINUTES, PIN, TestApp};

async fn alice_session(t: &TestApp) -> String {
    sign_in(t, &t.alice.number.value().to_string(), PIN).await
}

#[tokio::test]
async fn the_language_switch_works_signed_out_and_is_saved_for_a_member() {
    let t = TestApp::new().await;
    // Signed out: a cookie remembers the choice.
    let switched = t
        .post_form(
            "/language",
            "",
            &[("lang", "pl"), ("back", "/sign-in"), ("csrf", "")],
        )
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.header(header::LOCATION), "/sign-in");
    let cookie = switched.cookie("tc_lang").expect("language cookie");
    assert_eq!(cookie, "pl");
    let page = t.get("/sign-in", &[("cookie", "tc_lang=pl")]).await;
    assert_eq!(texts(&page.body, "h1"), ["Logowanie"]);
    assert_eq!(attr(&page.body, "html", "lang").as_deref(), Some("pl"));
    // The switch offers English, named in English.
    assert_eq!(
        texts(&page.body, "form.language-switch button"),
        ["English"]
    );
    // Never back to another site.
    let away = t
        .post_form(
            "/language",
            "",
            &[("lang", "en"), ("back", "//evil.example/")],
        )
        .await;
    assert_eq!(away.header(header::LOCATION), "/");

    // Signed in, a member's choice is saved and follows them to a new device.
    let session = alice_session(&t).await;
    let token = session_csrf(&t, &session).await;
    let saved = t
        .post_form(
            "/language",
            &session,
            &[("lang", "pl"), ("back", "/home"), ("csrf", &token)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "body: {}", saved.body);
    let home = t
        .get("/home", &[("cookie", &format!("{session}; tc_lang=pl"))])
        .await;
    assert_eq!(
        texts(&home.body, "#balance"),
        ["Masz 7 kredytów czasu i 30 minut."]
    );
    let (cookie, form_token) = open_sign_in(&t).await;
    let again = t
        .post_form(
            "/sign-in",
            &cookie,
            &[
                ("login", &t.alice.number.value().to_string()),
                ("secret", PIN),
                ("csrf", &form_token),
            ],
        )
        .await;
    assert_eq!(again.cookie("tc_lang").as_deref(), Some("pl"));
    // A forged switch (no token) is refused for a signed-in member.
    let forged = t
        .post_form("/language", &session, &[("lang", "en"), ("back", "/home")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_card_shows_the_number_and_a_qr_code() {
    let t = TestApp::new().await;
    let session = alice_session(&t).await;
    let card = t.get("/card", &[("cookie", &session)]).await;
    assert_eq!(card.status, StatusCode::OK, "body: {}", card.body);
    assert_eq!(
        texts(&card.body, "#card-number"),
        [t.alice.number.to_string()]
    );
    assert_eq!(
        attr(&card.body, ".qr", "role").as_deref(),
        Some("img"),
        "the code has a text alternative"
    );
    assert!(
        card.body.contains("<svg"),
        "drawn inline, no request elsewhere"
    );
    // Staff without a member record have no card.
    let manager = sign_in(
        &t,
        crate::support::MANAGER_EMAIL,
        crate::support::MANAGER_PASSWORD,
    )
    .await;
    assert_eq!(
        t.get("/card", &[("cookie", &manager)]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_member_finds_an_activity_signs_up_and_cancels() {
    let w = world().await;
    let t = &w.t;
    let lunch = w.activity("Lunch club").await;
    w.activity("Garden group").await;
    let session_id = w.session(&lunch, 1).await;
    let session = alice_session(t).await;

    let list = t.get("/activities", &[("cookie", &session)]).await;
    assert_eq!(list.status, StatusCode::OK, "body: {}", list.body);
    assert_eq!(texts(&list.body, "#activities h2").len(), 2);
    let filtered = t
        .get(
            "/activities?place=&level=group&mode=co_delivery&organisation=&day=",
            &[("cookie", &session)],
        )
        .await;
    assert_eq!(texts(&filtered.body, "#activities h2").len(), 2);
    let none = t
        .get("/activities?level=individual", &[("cookie", &session)])
        .await;
    assert!(texts(&none.body, "#activities h2").is_empty());

    let page = format!("/activities/{lunch}");
    let shown = t.get(&page, &[("cookie", &session)]).await;
    assert_eq!(shown.status, StatusCode::OK, "body: {}", shown.body);
    assert_eq!(texts(&shown.body, "h1"), ["Lunch club"]);
    assert_eq!(texts(&shown.body, "#sessions p")[0], "1 place left");
    let token = session_csrf(t, &session).await;
    let signed = t
        .post_form(
            &format!("/sessions/{session_id}/sign-up"),
            &session,
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(
        signed.status,
        StatusCode::SEE_OTHER,
        "body: {}",
        signed.body
    );
    assert_eq!(
        signed.header(header::LOCATION),
        format!("{page}?done=signed-up")
    );
    let after = t
        .get(&format!("{page}?done=signed-up"), &[("cookie", &session)])
        .await;
    assert_eq!(
        texts(&after.body, ".notice"),
        ["You are signed up. See you there!"]
    );
    assert!(texts(&after.body, "#sessions strong").contains(&"You have a place.".to_owned()));
    // Home lists it among the next sessions.
    let home = t.get("/home", &[("cookie", &session)]).await;
    assert_eq!(texts(&home.body, "#next-sessions a"), ["Lunch club"]);

    // Bob finds it full and joins the waiting list.
    let bob = sign_in(t, &t.bob.number.value().to_string(), PIN).await;
    let bob_token = session_csrf(t, &bob).await;
    let full = t.get(&page, &[("cookie", &bob)]).await;
    assert_eq!(
        texts(&full.body, "#sessions button"),
        ["Join the waiting list"]
    );
    let waiting = t
        .post_form(
            &format!("/sessions/{session_id}/sign-up"),
            &bob,
            &[("csrf", &bob_token)],
        )
        .await;
    assert_eq!(
        waiting.header(header::LOCATION),
        format!("{page}?done=waiting")
    );

    // Alice cancels; Bob gets the place.
    let cancelled = t
        .post_form(
            &format!("/sessions/{session_id}/cancel"),
            &session,
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(
        cancelled.header(header::LOCATION),
        format!("{page}?done=cancelled")
    );
    let bob_page = t.get(&page, &[("cookie", &bob)]).await;
    assert!(texts(&bob_page.body, "#sessions strong").contains(&"You have a place.".to_owned()));
    // Without the form token, nothing happens.
    let forged = t
        .post_form(&format!("/sessions/{session_id}/sign-up"), &session, &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_member_claims_hours_and_sees_each_problem_beside_its_field() {
    let w = world().await;
    let t = &w.t;
    let lunch = w.activity("Lunch club").await;
    let session = alice_session(t).await;
    let token = session_csrf(t, &session).await;

    let empty = t.post_form("/claims", &session, &[("csrf", &token)]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&empty.body, ".error-summary li a"),
        [
            "Choose the activity you gave time to",
            "Enter a real date, for example 26 11 2026",
            "Enter how long you gave, in hours and minutes"
        ]
    );
    assert_eq!(
        attr(&empty.body, ".error-summary li a", "href").as_deref(),
        Some("#activity")
    );
    assert_eq!(texts(&empty.body, "#activity-error").len(), 1);
    assert!(texts(&empty.body, "title")[0].starts_with("Error:"));

    let today = t.app.programme_today(&t.programme);
    let tomorrow = today + chrono::Duration::days(2);
    let field = |d: chrono::NaiveDate, f: &str| match f {
        "day" => d.format("%-d").to_string(),
        "month" => d.format("%-m").to_string(),
        _ => d.format("%Y").to_string(),
    };
    let future = t
        .post_form(
            "/claims",
            &session,
            &[
                ("csrf", &token),
                ("activity", &lunch),
                ("day", &field(tomorrow, "day")),
                ("month", &field(tomorrow, "month")),
                ("year", &field(tomorrow, "year")),
                ("hours", "1"),
                ("note", "Serving"),
            ],
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&future.body, "#day-error"),
        ["Error: The date is in the future. Enter the date you gave the time."]
    );
    // What was typed is kept.
    assert_eq!(attr(&future.body, "#hours", "value").as_deref(), Some("1"));

    let sent = t
        .post_form(
            "/claims",
            &session,
            &[
                ("csrf", &token),
                ("activity", &lunch),
                ("day", &field(today, "day")),
                ("month", &field(today, "month")),
                ("year", &field(today, "year")),
                ("hours", "1"),
                ("minutes", "30"),
                ("note", "Serving"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "body: {}", sent.body);
    let list = t.get("/claims?sent=1", &[("cookie", &session)]).await;
    assert_eq!(
        texts(&list.body, ".notice"),
        ["Your claim is sent. A coordinator will look at it soon."]
    );
    let rows = texts(&list.body, "#my-claims tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].contains("Lunch club")
            && rows[0].contains("1 hour and 30 minutes")
            && rows[0].contains("Waiting for a decision"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn a_member_gives_credits_once_even_if_the_form_is_sent_twice() {
    let t = TestApp::new().await;
    let session = alice_session(&t).await;
    let form = t.get("/give", &[("cookie", &session)]).await;
    assert_eq!(form.status, StatusCode::OK, "body: {}", form.body);
    let key = attr(&form.body, "input[name=key]", "value").expect("key");
    let token = session_csrf(&t, &session).await;
    let bob = t.bob.number.value().to_string();
    let fields = [
        ("csrf", token.as_str()),
        ("key", key.as_str()),
        ("to", bob.as_str()),
        ("hours", "1"),
        ("minutes", ""),
        ("reason", "Thanks for the lift"),
    ];
    for _ in 0..2 {
        let gave = t.post_form("/give", &session, &fields).await;
        assert_eq!(gave.status, StatusCode::SEE_OTHER, "body: {}", gave.body);
        assert_eq!(gave.header(header::LOCATION), "/give?gave=60");
    }
    assert_eq!(t.balance(&t.bob).await, 60);
    assert_eq!(t.balance(&t.alice).await, ALICE_MINUTES - 60);
    let done = t.get("/give?gave=60", &[("cookie", &session)]).await;
    assert_eq!(texts(&done.body, "#gift-done"), ["You gave 1 Time Credit."]);

    let too_much = t
        .post_form(
            "/give",
            &session,
            &[
                ("csrf", &token),
                ("key", &uuid::Uuid::now_v7().to_string()),
                ("to", &bob),
                ("hours", "100"),
            ],
        )
        .await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&too_much.body, ".error-summary li a"),
        ["You do not have enough Time Credits for this."]
    );
    let nobody = t
        .post_form(
            "/give",
            &session,
            &[
                ("csrf", &token),
                ("key", &uuid::Uuid::now_v7().to_string()),
                ("to", "1234567"),
                ("hours", "1"),
            ],
        )
        .await;
    assert_eq!(
        texts(&nobody.body, "#to-error"),
        ["Error: Enter the 7-digit member number of the person"]
    );
}

#[tokio::test]
async fn repeated_wrong_pins_are_slowed_down() {
    let t = TestApp::new().await;
    let number = t.alice.number.value().to_string();
    for _ in 0..6 {
        let (cookie, token) = open_sign_in(&t).await;
        let wrong = t
            .post_form(
                "/sign-in",
                &cookie,
                &[("login", &number), ("secret", "0000"), ("csrf", &token)],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (cookie, token) = open_sign_in(&t).await;
    let limited = t
        .post_form(
            "/sign-in",
            &cookie,
            &[("login", &number), ("secret", PIN), ("csrf", &token)],
        )
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        texts(&limited.body, "#login-error")[0].starts_with("Error: Too many tries."),
        "even the right PIN waits"
    );
    // Another member is not affected.
    sign_in(&t, &t.bob.number.value().to_string(), PIN).await;
    // The API's tokens share the limit.
    let api = t
        .post_json(
            "/api/v1/tokens",
            &[],
            &serde_json::json!({ "login": number, "secret": PIN }),
        )
        .await;
    api.problem(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
}

#[tokio::test]
async fn a_member_saves_their_details_and_language() {
    let t = TestApp::new().await;
    let session = alice_session(&t).await;
    let token = session_csrf(&t, &session).await;
    let form = t.get("/details", &[("cookie", &session)]).await;
    assert_eq!(form.status, StatusCode::OK, "body: {}", form.body);
    let saved = t
        .post_form(
            "/details",
            &session,
            &[
                ("csrf", &token),
                ("language", "pl"),
                ("skills", "cooking_and_food"),
                ("skills", "gardening_and_outdoors"),
                ("skills_text", "Polish cooking"),
                ("phone", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "body: {}", saved.body);
    assert_eq!(saved.cookie("tc_lang").as_deref(), Some("pl"));
    let page = t
        .get(
            "/details?saved=1",
            &[("cookie", &format!("{session}; tc_lang=pl"))],
        )
        .await;
    assert_eq!(
        texts(&page.body, "#details-saved"),
        ["Twoje dane zostały zapisane."]
    );
    assert_eq!(
        attr(&page.body, "#skill-cooking_and_food", "checked").as_deref(),
        Some("")
    );
    assert_eq!(
        attr(&page.body, "#skills_text", "id").as_deref(),
        Some("skills_text")
    );
    assert_eq!(texts(&page.body, "#skills_text"), ["Polish cooking"]);
}
