//! Getting back in with a reset code: staff give one, the person chooses a
//! new PIN or password with it and is signed in; the old one and the old
//! sessions stop working.

use axum::http::{StatusCode, header};
use timecredits_app::{Role, Scope};

use crate::pages::{attr, session_csrf, sign_in, texts};
use crate::support::{MANAGER_EMAIL, MANAGER_PASSWORD, PIN, TestApp};

/// Opens the reset form; returns the cookie to send back and the form's token.
async fn open_reset(t: &TestApp) -> (String, String) {
    let form = t.get("/reset", &[]).await;
    assert_eq!(form.status, StatusCode::OK, "body: {}", form.body);
    let cookie = form.cookie("tc_csrf").expect("csrf cookie");
    let field = attr(
        &form.body,
        "form[action=\"/reset\"] input[name=csrf]",
        "value",
    )
    .expect("csrf field");
    (format!("tc_csrf={cookie}"), field)
}

/// Asks for a code for Alice as `staff`; returns the code as shown.
async fn give_code(t: &TestApp, staff: &str) -> String {
    let path = format!("/members/{}/reset-code", t.alice.id);
    let form = t.get(&path, &[("cookie", staff)]).await;
    assert_eq!(form.status, StatusCode::OK, "body: {}", form.body);
    assert!(form.body.contains("Alice"), "names the member");
    let token = session_csrf(t, staff).await;
    let shown = t.post_form(&path, staff, &[("csrf", &token)]).await;
    assert_eq!(shown.status, StatusCode::OK, "body: {}", shown.body);
    let code = texts(&shown.body, "#reset-code").pop().expect("code shown");
    assert_eq!(code.len(), 9, "8 digits in two groups: {code}");
    code
}

#[tokio::test]
async fn a_member_chooses_a_new_pin_with_a_code_from_staff() {
    let t = TestApp::new().await;
    let number = t.alice.number.value().to_string();
    let alice_before = sign_in(&t, &number, PIN).await;
    let manager = sign_in(&t, MANAGER_EMAIL, MANAGER_PASSWORD).await;
    let code = give_code(&t, &manager).await;

    let sign_in_page = t.get("/sign-in", &[]).await;
    assert_eq!(
        attr(&sign_in_page.body, "a#forgotten", "href").as_deref(),
        Some("/reset")
    );

    // Mistakes are listed at the top and beside their fields.
    let (cookie, csrf) = open_reset(&t).await;
    let mismatch = t
        .post_form(
            "/reset",
            &cookie,
            &[
                ("csrf", &csrf),
                ("login", &number),
                ("code", &code),
                ("secret", "2468"),
                ("again", "2469"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&mismatch.body, ".error-summary a").len(), 1);
    assert!(attr(&mismatch.body, "#again", "aria-invalid").is_some());
    let short = t
        .post_form(
            "/reset",
            &cookie,
            &[
                ("csrf", &csrf),
                ("login", &number),
                ("code", &code),
                ("secret", "24"),
                ("again", "24"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(texts(&short.body, "#secret-error")[0].contains("4 to 6 digits"));
    let wrong_code = t
        .post_form(
            "/reset",
            &cookie,
            &[
                ("csrf", &csrf),
                ("login", &number),
                ("code", "0000 0001"),
                ("secret", "2468"),
                ("again", "2468"),
            ],
        )
        .await;
    assert_eq!(wrong_code.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(texts(&wrong_code.body, "#code-error")[0].contains("does not work"));

    // The right code signs her in with the new PIN.
    let done = t
        .post_form(
            "/reset",
            &cookie,
            &[
                ("csrf", &csrf),
                ("login", &number),
                ("code", &code),
                ("secret", "2468"),
                ("again", "2468"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "body: {}", done.body);
    assert_eq!(done.header(header::LOCATION), "/home");
    let session = format!("tc_session={}", done.cookie("tc_session").expect("session"));
    assert_eq!(
        t.get("/home", &[("cookie", &session)]).await.status,
        StatusCode::OK
    );
    // Her old session ended; her old PIN no longer works; the new one does.
    let old = t.get("/home", &[("cookie", &alice_before)]).await;
    assert_eq!(old.status, StatusCode::SEE_OTHER, "the old session ended");
    assert!(t.app.authenticate(&number, PIN).await.is_err());
    sign_in(&t, &number, "2468").await;
    // The code worked once.
    let again = t
        .post_form(
            "/reset",
            &cookie,
            &[
                ("csrf", &csrf),
                ("login", &number),
                ("code", &code),
                ("secret", "1357"),
                ("again", "1357"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_reset_form_needs_its_token_and_is_throttled() {
    let t = TestApp::new().await;
    let number = t.alice.number.value().to_string();
    let (cookie, _) = open_reset(&t).await;
    let forged = t
        .post_form(
            "/reset",
            &cookie,
            &[
                ("csrf", "not-the-token"),
                ("login", &number),
                ("code", "1234 5678"),
                ("secret", "2468"),
                ("again", "2468"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let (cookie, csrf) = open_reset(&t).await;
    let mut last = StatusCode::OK;
    for _ in 0..12 {
        last = t
            .post_form(
                "/reset",
                &cookie,
                &[
                    ("csrf", &csrf),
                    ("login", &number),
                    ("code", "1234 5678"),
                    ("secret", "2468"),
                    ("again", "2468"),
                ],
            )
            .await
            .status;
    }
    assert_eq!(
        last,
        StatusCode::TOO_MANY_REQUESTS,
        "guessing codes is slowed down"
    );
}

#[tokio::test]
async fn only_staff_who_may_act_for_a_member_give_codes() {
    let t = TestApp::new().await;
    let number = t.alice.number.value().to_string();
    let bob = sign_in(&t, &t.bob.number.value().to_string(), PIN).await;
    let path = format!("/members/{}/reset-code", t.alice.id);
    assert_eq!(
        t.get(&path, &[("cookie", &bob)]).await.status,
        StatusCode::NOT_FOUND
    );
    let token = session_csrf(&t, &bob).await;
    let refused = t.post_form(&path, &bob, &[("csrf", &token)]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.get("/admin/reset-code", &[("cookie", &bob)]).await.status,
        StatusCode::FORBIDDEN
    );
    // Nothing changed for Alice.
    sign_in(&t, &number, PIN).await;
    let anonymous = t.get(&path, &[]).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "sent to sign in");
}

#[tokio::test]
async fn an_administrator_gives_a_staff_member_a_code_for_a_new_password() {
    let t = TestApp::new().await;
    let admin = t
        .app
        .bootstrap_administrator("root@example.org", "a long root password")
        .await
        .expect("admin");
    let admin_actor = t.app.actor(admin.id).await.expect("actor");
    t.app
        .create_staff(
            &admin_actor,
            "cora@example.org",
            "Cora",
            "the first long password",
            Role::ProgrammeManager,
            Scope::Programme(t.programme.id),
        )
        .await
        .expect("cora");
    let admin = sign_in(&t, "root@example.org", "a long root password").await;
    let token = session_csrf(&t, &admin).await;
    let unknown = t
        .post_form(
            "/admin/reset-code",
            &admin,
            &[("csrf", &token), ("email", "nobody@example.org")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(attr(&unknown.body, "#email", "aria-invalid").is_some());
    let shown = t
        .post_form(
            "/admin/reset-code",
            &admin,
            &[("csrf", &token), ("email", "Cora@Example.org")],
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK, "body: {}", shown.body);
    let code = texts(&shown.body, "#reset-code").pop().expect("code");
    let (cookie, csrf) = open_reset(&t).await;
    let new_password = "a new long password for cora";
    let done = t
        .post_form(
            "/reset",
            &cookie,
            &[
                ("csrf", &csrf),
                ("login", "cora@example.org"),
                ("code", &code),
                ("secret", new_password),
                ("again", new_password),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "body: {}", done.body);
    sign_in(&t, "cora@example.org", new_password).await;
}

#[tokio::test]
async fn the_reset_pages_speak_polish() {
    let t = TestApp::new().await;
    let page = t.get("/reset", &[("accept-language", "pl")]).await;
    assert_eq!(texts(&page.body, "h1"), ["Wybierz nowy PIN lub hasło"]);
}

/// Keeps what would have been emailed.
#[derive(Default)]
struct Outbox(std::sync::Mutex<Vec<timecredits_app::recovery::Mail>>);

#[async_trait::async_trait]
impl timecredits_app::recovery::Mailer for Outbox {
    async fn send(&self, mail: &timecredits_app::recovery::Mail) -> Result<(), String> {
        self.0.lock().expect("outbox").push(mail.clone());
        Ok(())
    }
}

#[tokio::test]
async fn with_smtp_a_code_is_emailed_and_unknown_addresses_get_the_same_answer() {
    let without = TestApp::new().await;
    let page = without.get("/reset", &[]).await;
    assert!(
        texts(&page.body, "#by-email").is_empty(),
        "no email form without SMTP"
    );

    let outbox = std::sync::Arc::new(Outbox::default());
    let t = TestApp::new().await.with_mailer(outbox.clone());
    let (cookie, csrf) = open_reset(&t).await;
    assert_eq!(
        texts(&t.get("/reset", &[]).await.body, "#by-email"),
        ["Get a code by email"]
    );
    let unknown = t
        .post_form(
            "/reset/email",
            &cookie,
            &[("csrf", &csrf), ("email", "nobody@example.org")],
        )
        .await;
    let known = t
        .post_form(
            "/reset/email",
            &cookie,
            &[("csrf", &csrf), ("email", MANAGER_EMAIL)],
        )
        .await;
    assert_eq!(
        (unknown.status, known.status),
        (StatusCode::OK, StatusCode::OK)
    );
    let said = |r: &crate::support::TestResponse| {
        texts(&r.body, "#email-sent")[0].replace("nobody@example.org", MANAGER_EMAIL)
    };
    assert_eq!(
        said(&unknown),
        said(&known),
        "the answer does not reveal who has an account"
    );
    let mail = {
        let sent = outbox.0.lock().expect("outbox");
        assert_eq!(sent.len(), 1, "only the real account gets an email");
        sent[0].clone()
    };
    assert_eq!(mail.to, MANAGER_EMAIL);
    let code = mail
        .body
        .split("code is: ")
        .nth(1)
        .and_then(|rest| rest.get(..9))
        .expect("the code in the email")
        .to_owned();
    let new_password = "a new long password for morgan";
    let done = t
        .post_form(
            "/reset",
            &cookie,
            &[
                ("csrf", &csrf),
                ("login", MANAGER_EMAIL),
                ("code", &code),
                ("secret", new_password),
                ("again", new_password),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "body: {}", done.body);
    sign_in(&t, MANAGER_EMAIL, new_password).await;
    let bad = t
        .post_form(
            "/reset/email",
            &cookie,
            &[("csrf", &csrf), ("email", "not an address")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}
