//! The pages, checked with CSS selectors: start, sign in and out, home.

use axum::http::{StatusCode, header};
use scraper::{Html, Selector};

use crate::support::{MANAGER_EMAIL, MANAGER_PASSWORD, PIN, TestApp, TestResponse};

/// The text of every element matching `selector`, its pieces joined by
/// single spaces.
pub(crate) fn texts(html: &str, selector: &str) -> Vec<String> {
    let document = Html::parse_document(html);
    let selector = Selector::parse(selector).expect("valid selector");
    document
        .select(&selector)
        .map(|e| {
            e.text()
                .collect::<Vec<_>>()
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

pub(crate) fn attr(html: &str, selector: &str, name: &str) -> Option<String> {
    let document = Html::parse_document(html);
    let selector = Selector::parse(selector).expect("valid selector");
    document
        .select(&selector)
        .next()
        .and_then(|e| e.value().attr(name))
        .map(str::to_owned)
}

/// Opens the sign-in form; returns the cookie header to send back and the form's token.
pub(crate) async fn open_sign_in(t: &TestApp) -> (String, String) {
    let form = t.get("/sign-in", &[]).await;
    assert_eq!(form.status, StatusCode::OK);
    let cookie = form.cookie("tc_csrf").expect("csrf cookie");
    let field = attr(
        &form.body,
        "form[action=\"/sign-in\"] input[name=csrf]",
        "value",
    )
    .expect("csrf field");
    assert_eq!(cookie, field);
    (format!("tc_csrf={cookie}"), field)
}

/// The signed-in session's form token, read from its sign-out form.
pub(crate) async fn session_csrf(t: &TestApp, session: &str) -> String {
    let home = t.get("/home", &[("cookie", session)]).await;
    attr(&home.body, "form.sign-out input[name=csrf]", "value").expect("token")
}

/// Signs in through the form; returns the session cookie header.
pub(crate) async fn sign_in(t: &TestApp, login: &str, secret: &str) -> String {
    let (cookie, csrf) = open_sign_in(t).await;
    let response = t
        .post_form(
            "/sign-in",
            &cookie,
            &[("login", login), ("secret", secret), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "body: {}",
        response.body
    );
    assert_eq!(response.header(header::LOCATION), "/home");
    format!(
        "tc_session={}",
        response.cookie("tc_session").expect("session cookie")
    )
}

fn assert_page_basics(page: &TestResponse) {
    assert_eq!(attr(&page.body, "html", "lang").as_deref(), Some("en"));
    assert_eq!(
        attr(&page.body, "a.skip-link", "href").as_deref(),
        Some("#main")
    );
    assert!(
        attr(&page.body, "link[rel=stylesheet]", "href")
            .expect("stylesheet")
            .starts_with("/static/app.css")
    );
}

#[tokio::test]
async fn the_start_page_explains_and_links_to_sign_in() {
    let t = TestApp::new().await;
    let page = t.get("/", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_page_basics(&page);
    assert_eq!(texts(&page.body, "h1"), ["Time Credits"]);
    assert_eq!(
        attr(&page.body, "main a.button", "href").as_deref(),
        Some("/sign-in")
    );
}

#[tokio::test]
async fn every_sign_in_control_has_a_label() {
    let t = TestApp::new().await;
    let page = t.get("/sign-in", &[]).await;
    assert_page_basics(&page);
    assert_eq!(
        texts(&page.body, "label[for=login]"),
        ["Email or member number"]
    );
    assert_eq!(texts(&page.body, "label[for=secret]"), ["Password or PIN"]);
    assert_eq!(
        attr(&page.body, "input#secret", "type").as_deref(),
        Some("password")
    );
    assert!(texts(&page.body, ".error-summary").is_empty());
}

#[tokio::test]
async fn a_wrong_pin_shows_the_error_summary_and_the_field_error() {
    let t = TestApp::new().await;
    let (cookie, csrf) = open_sign_in(&t).await;
    let number = t.alice.number.value().to_string();
    let page = t
        .post_form(
            "/sign-in",
            &cookie,
            &[("login", &number), ("secret", "9999"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.cookie("tc_session").is_none());
    assert_eq!(
        texts(&page.body, ".error-summary h2"),
        ["There is a problem"]
    );
    let summary = texts(&page.body, ".error-summary a");
    assert_eq!(summary.len(), 1);
    assert!(summary[0].contains("not right"));
    assert_eq!(
        attr(&page.body, ".error-summary a", "href").as_deref(),
        Some("#login")
    );
    assert!(texts(&page.body, "#login-error")[0].contains("not right"));
    assert_eq!(
        attr(&page.body, "input#login", "value").as_deref(),
        Some(number.as_str())
    );
    assert!(texts(&page.body, "title")[0].starts_with("Error:"));
}

#[tokio::test]
async fn empty_fields_are_named() {
    let t = TestApp::new().await;
    let (cookie, csrf) = open_sign_in(&t).await;
    let page = t
        .post_form(
            "/sign-in",
            &cookie,
            &[("login", ""), ("secret", ""), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&page.body, ".error-summary a").len(), 2);
    assert_eq!(
        texts(&page.body, "#secret-error"),
        ["Error: Enter your password or PIN"]
    );
}

#[tokio::test]
async fn a_sign_in_without_the_form_token_is_refused() {
    let t = TestApp::new().await;
    let number = t.alice.number.value().to_string();
    let page = t
        .post_form(
            "/sign-in",
            "tc_csrf=",
            &[("login", &number), ("secret", PIN), ("csrf", "forged")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.cookie("tc_session").is_none());
    assert_eq!(
        texts(&page.body, ".error-summary h2"),
        ["There is a problem"]
    );
}

#[tokio::test]
async fn a_member_signs_in_and_sees_their_balance_and_statement() {
    let t = TestApp::new().await;
    let (cookie, csrf) = open_sign_in(&t).await;
    let number = t.alice.number.to_string();
    let response = t
        .post_form(
            "/sign-in",
            &cookie,
            &[("login", &number), ("secret", PIN), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let set = response.set_cookies();
    let session = set
        .iter()
        .find(|c| c.starts_with("tc_session="))
        .expect("session cookie");
    for part in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"] {
        assert!(
            session.split("; ").any(|p| p == part),
            "{part} missing from {session}"
        );
    }
    let session = format!(
        "tc_session={}",
        response.cookie("tc_session").expect("session")
    );

    let home = t.get("/home", &[("cookie", &session)]).await;
    assert_eq!(home.status, StatusCode::OK, "body: {}", home.body);
    assert_page_basics(&home);
    assert_eq!(
        texts(&home.body, "#balance"),
        ["You have 7 Time Credits and 30 minutes."]
    );
    assert!(
        home.body
            .contains("That is 7 hours and 30 minutes of time given.")
    );
    let rows = texts(&home.body, "#statement tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].contains("Credits for time given") && rows[0].contains("set-up credits"),
        "{rows:?}"
    );
    assert_eq!(
        texts(&home.body, "#statement tbody td.num"),
        ["7 credits 30 min", "", "7 credits 30 min"]
    );
    assert_eq!(
        attr(&home.body, "a[href=\"/statement\"]", "href").as_deref(),
        Some("/statement"),
        "the whole statement is a link away"
    );
    let statement = t.get("/statement", &[("cookie", &session)]).await;
    assert_eq!(statement.status, StatusCode::OK, "body: {}", statement.body);
    assert_eq!(texts(&statement.body, "#statement tbody tr").len(), 1);
    assert_eq!(
        attr(&statement.body, "a[download]", "href").as_deref(),
        Some("/home/statement.csv")
    );

    let csv = t.get("/home/statement.csv", &[("cookie", &session)]).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header(header::CONTENT_TYPE), "text/csv; charset=utf-8");
    assert_eq!(csv.body.lines().count(), 2);

    // Signed in, the start page and the form lead home.
    assert_eq!(
        t.get("/", &[("cookie", &session)])
            .await
            .header(header::LOCATION),
        "/home"
    );
    assert_eq!(
        t.get("/sign-in", &[("cookie", &session)])
            .await
            .header(header::LOCATION),
        "/home"
    );
}

#[tokio::test]
async fn home_needs_a_session() {
    let t = TestApp::new().await;
    let response = t.get("/home", &[]).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.header(header::LOCATION), "/sign-in");
    let forged = t.get("/home", &[("cookie", "tc_session=forged")]).await;
    assert_eq!(forged.header(header::LOCATION), "/sign-in");
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let t = TestApp::new().await;
    let session = sign_in(&t, &t.alice.number.value().to_string(), PIN).await;
    let home = t.get("/home", &[("cookie", &session)]).await;
    let csrf = attr(&home.body, "form.sign-out input[name=csrf]", "value").expect("sign-out token");

    let forged = t
        .post_form("/sign-out", &session, &[("csrf", "forged")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.get("/home", &[("cookie", &session)]).await.status,
        StatusCode::OK
    );

    let out = t.post_form("/sign-out", &session, &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.header(header::LOCATION), "/");
    assert_eq!(out.cookie("tc_session").as_deref(), Some(""));
    assert_eq!(
        t.get("/home", &[("cookie", &session)])
            .await
            .header(header::LOCATION),
        "/sign-in"
    );
}

#[tokio::test]
async fn a_programme_manager_sees_roles_and_members() {
    let t = TestApp::new().await;
    let session = sign_in(&t, MANAGER_EMAIL, MANAGER_PASSWORD).await;
    let home = t.get("/home", &[("cookie", &session)]).await;
    assert_eq!(home.status, StatusCode::OK, "body: {}", home.body);
    assert_eq!(texts(&home.body, "h1"), ["Hello, Morgan Manager"]);
    assert_eq!(
        texts(&home.body, "#roles li"),
        ["Programme manager of Exampleton Time Credits"]
    );
    let rows = texts(&home.body, "table.members tbody tr");
    assert_eq!(
        rows,
        [
            format!("{} Alice Able 7 credits 30 min", t.alice.number),
            format!("{} Bob Baker 0 credits", t.bob.number),
        ]
    );
    assert!(texts(&home.body, "#balance").is_empty());
}

#[tokio::test]
async fn the_stylesheet_is_cached_for_long() {
    let t = TestApp::new().await;
    let css = t.get("/static/app.css", &[]).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header(header::CONTENT_TYPE), "text/css; charset=utf-8");
    assert!(
        css.header(header::CACHE_CONTROL)
            .contains("max-age=31536000")
    );
    assert!(css.body.contains(":focus-visible"));
    assert_eq!(
        t.get("/home", &[]).await.header(header::CACHE_CONTROL),
        "no-store"
    );
}

#[tokio::test]
async fn unknown_pages_are_404_pages() {
    let t = TestApp::new().await;
    let page = t.get("/nowhere", &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(texts(&page.body, "h1"), ["Page not found"]);
    // In the language the browser asks for.
    let polish = t
        .get("/nowhere", &[("accept-language", "pl,en;q=0.5")])
        .await;
    assert_eq!(polish.status, StatusCode::NOT_FOUND);
    assert_eq!(texts(&polish.body, "h1"), ["Nie znaleziono strony"]);
    assert_eq!(attr(&polish.body, "html", "lang").as_deref(), Some("pl"));
}
