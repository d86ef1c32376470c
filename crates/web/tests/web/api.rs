//! The JSON API: tokens, the caller, statements and transfers.

use axum::http::{StatusCode, header};
use serde_json::json;
use uuid::Uuid;

use crate::support::{ALICE_MINUTES, MANAGER_EMAIL, PIN, TestApp, bearer};

#[tokio::test]
async fn health_checks_answer() {
    let t = TestApp::new().await;
    let live = t.get("/healthz", &[]).await;
    assert_eq!((live.status, live.body.as_str()), (StatusCode::OK, "ok"));
    let ready = t.get("/readyz", &[]).await;
    assert_eq!(ready.status, StatusCode::OK);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let t = TestApp::new().await;
    for path in ["/healthz", "/", "/sign-in", "/api/v1/me", "/no-such-page"] {
        let response = t.get(path, &[]).await;
        assert_eq!(
            response.header(header::CONTENT_SECURITY_POLICY),
            "default-src 'self'",
            "{path}"
        );
        assert_eq!(
            response.header(header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{path}"
        );
        assert_eq!(
            response.header(header::REFERRER_POLICY),
            "same-origin",
            "{path}"
        );
        assert_eq!(response.header(header::X_FRAME_OPTIONS), "DENY", "{path}");
    }
}

#[tokio::test]
async fn a_member_signs_in_with_number_and_pin_and_sees_their_balance() {
    let t = TestApp::new().await;
    let token = t.alice_token().await;
    assert!(token.starts_with("tc_"));
    let me = t
        .get("/api/v1/me", &[("authorization", &bearer(&token))])
        .await;
    assert_eq!(me.status, StatusCode::OK, "body: {}", me.body);
    let me = me.json();
    assert_eq!(me["display_name"], "Alice Able");
    assert_eq!(me["roles"][0]["role"], "member");
    assert_eq!(
        me["member"]["member_number"],
        t.alice.number.value().to_string()
    );
    assert_eq!(me["member"]["account_id"], t.alice.account.to_string());
    assert_eq!(me["member"]["balance_minutes"], ALICE_MINUTES);
    assert_eq!(me["member"]["balance_credits"], 7);
}

#[tokio::test]
async fn staff_sign_in_with_email_and_password() {
    let t = TestApp::new().await;
    let token = t.manager_token().await;
    let me = t
        .get("/api/v1/me", &[("authorization", &bearer(&token))])
        .await
        .json();
    assert_eq!(me["roles"][0]["role"], "programme_manager");
    assert_eq!(me["roles"][0]["scope_id"], t.programme.id.to_string());
    assert!(me["member"].is_null());
}

#[tokio::test]
async fn wrong_secrets_and_missing_tokens_are_refused() {
    let t = TestApp::new().await;
    let wrong = t
        .post_json(
            "/api/v1/tokens",
            &[],
            &json!({ "login": MANAGER_EMAIL, "secret": "not it at all" }),
        )
        .await;
    wrong.problem(StatusCode::UNAUTHORIZED, "bad_credentials");
    let anonymous = t.get("/api/v1/me", &[]).await;
    anonymous.problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(anonymous.header(header::WWW_AUTHENTICATE), "Bearer");
    let forged = t
        .get("/api/v1/me", &[("authorization", "Bearer tc_forged")])
        .await;
    forged.problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    let garbled = t
        .post_json("/api/v1/tokens", &[], &json!({ "login": MANAGER_EMAIL }))
        .await;
    garbled.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let missing = t.get("/api/v1/nothing-here", &[]).await;
    missing.problem(StatusCode::NOT_FOUND, "not_found");
    let wrong_method = t.get("/api/v1/gifts", &[]).await;
    wrong_method.problem(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn a_retried_gift_is_paid_once_and_answered_with_the_same_body() {
    let t = TestApp::new().await;
    let token = bearer(&t.alice_token().await);
    let key = Uuid::now_v7().to_string();
    let gift = json!({ "to_member": t.bob.id.to_string(), "minutes": 60, "reason": "Thanks for the lift" });
    let headers = [
        ("authorization", token.as_str()),
        ("idempotency-key", key.as_str()),
    ];

    let first = t.post_json("/api/v1/gifts", &headers, &gift).await;
    assert_eq!(first.status, StatusCode::CREATED, "body: {}", first.body);
    let body = first.json();
    assert_eq!(body["id"], key);
    assert_eq!(body["kind"], "gift");
    assert_eq!(body["debit"], t.alice.account.to_string());
    assert_eq!(body["credit"], t.bob.account.to_string());
    assert_eq!(body["amount_minutes"], 60);
    assert_eq!(body["reason"], "Thanks for the lift");
    assert!(body["reverses"].is_null());

    let retry = t.post_json("/api/v1/gifts", &headers, &gift).await;
    assert_eq!(retry.status, StatusCode::OK, "body: {}", retry.body);
    assert_eq!(retry.json(), body);
    assert_eq!(t.balance(&t.alice).await, ALICE_MINUTES - 60);
    assert_eq!(t.balance(&t.bob).await, 60);

    // The same key for a different request is a conflict, not a second payment.
    let changed = json!({ "to_member": t.bob.id.to_string(), "minutes": 30, "reason": "Thanks for the lift" });
    t.post_json("/api/v1/gifts", &headers, &changed)
        .await
        .problem(StatusCode::CONFLICT, "idempotency_conflict");
    assert_eq!(t.balance(&t.bob).await, 60);
}

#[tokio::test]
async fn a_gift_can_name_the_member_by_card_number() {
    let t = TestApp::new().await;
    let token = bearer(&t.alice_token().await);
    let key = Uuid::now_v7().to_string();
    let number = t.bob.number.to_string();
    let gift = json!({ "to_member": number, "minutes": 15 });
    let response = t
        .post_json(
            "/api/v1/gifts",
            &[("authorization", &token), ("idempotency-key", &key)],
            &gift,
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "body: {}",
        response.body
    );
    assert_eq!(t.balance(&t.bob).await, 15);
}

#[tokio::test]
async fn a_gift_above_the_balance_is_refused_whole() {
    let t = TestApp::new().await;
    let token = bearer(&t.alice_token().await);
    let key = Uuid::now_v7().to_string();
    let gift = json!({ "to_member": t.bob.id.to_string(), "minutes": ALICE_MINUTES + 1, "reason": "Too much" });
    let response = t
        .post_json(
            "/api/v1/gifts",
            &[("authorization", &token), ("idempotency-key", &key)],
            &gift,
        )
        .await;
    let problem = response.problem(StatusCode::CONFLICT, "insufficient_credits");
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("not enough")
    );
    assert_eq!(t.balance(&t.alice).await, ALICE_MINUTES);
    assert_eq!(t.balance(&t.bob).await, 0);
}

#[tokio::test]
async fn transfers_need_a_uuid_idempotency_key() {
    let t = TestApp::new().await;
    let token = bearer(&t.alice_token().await);
    let gift = json!({ "to_member": t.bob.id.to_string(), "minutes": 60 });
    let missing = t
        .post_json("/api/v1/gifts", &[("authorization", &token)], &gift)
        .await;
    missing.problem(StatusCode::BAD_REQUEST, "idempotency_key_required");
    let garbled = t
        .post_json(
            "/api/v1/gifts",
            &[("authorization", &token), ("idempotency-key", "twelve")],
            &gift,
        )
        .await;
    garbled.problem(StatusCode::BAD_REQUEST, "malformed_id");
    let bad_amount = json!({ "to_member": t.bob.id.to_string(), "minutes": 0 });
    let key = Uuid::now_v7().to_string();
    let zero = t
        .post_json(
            "/api/v1/gifts",
            &[("authorization", &token), ("idempotency-key", &key)],
            &bad_amount,
        )
        .await;
    zero.problem(StatusCode::UNPROCESSABLE_ENTITY, "amount_not_positive");
    assert_eq!(t.balance(&t.alice).await, ALICE_MINUTES);
}

#[tokio::test]
async fn managers_reverse_a_gift_and_members_may_not() {
    let t = TestApp::new().await;
    let manager = bearer(&t.manager_token().await);
    let member = bearer(&t.alice_token().await);
    let key = Uuid::now_v7().to_string();
    let gift = t
        .post_json(
            "/api/v1/gifts",
            &[("authorization", &member), ("idempotency-key", &key)],
            &json!({ "to_member": t.bob.id.to_string(), "minutes": 120, "reason": "Thanks" }),
        )
        .await;
    assert_eq!(gift.status, StatusCode::CREATED, "body: {}", gift.body);
    assert_eq!(t.balance(&t.bob).await, 120);

    let reversal_key = Uuid::now_v7().to_string();
    let reverse = |who: &str| {
        let who = who.to_owned();
        let path = format!("/api/v1/transfers/{key}/reversal");
        let reversal_key = reversal_key.clone();
        let t = &t;
        async move {
            t.post_json(
                &path,
                &[("authorization", &who), ("idempotency-key", &reversal_key)],
                &json!({ "reason": "Given to the wrong person" }),
            )
            .await
        }
    };
    reverse(&member)
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    let reversed = reverse(&manager).await;
    assert_eq!(
        reversed.status,
        StatusCode::CREATED,
        "body: {}",
        reversed.body
    );
    assert_eq!(reversed.json()["reverses"], key);
    assert_eq!(t.balance(&t.bob).await, 0);
    assert_eq!(t.balance(&t.alice).await, ALICE_MINUTES);
}

#[tokio::test]
async fn the_retired_raw_ledger_routes_are_gone() {
    let t = TestApp::new().await;
    let manager = bearer(&t.manager_token().await);
    for path in ["/api/v1/issuances", "/api/v1/redemptions"] {
        let key = Uuid::now_v7().to_string();
        t.post_json(
            path,
            &[("authorization", &manager), ("idempotency-key", &key)],
            &json!({ "member": t.bob.id.to_string(), "minutes": 60 }),
        )
        .await
        .problem(StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn members_read_their_own_statement_only() {
    let t = TestApp::new().await;
    let token = bearer(&t.alice_token().await);
    let own = t
        .get(
            &format!("/api/v1/accounts/{}/statement", t.alice.account),
            &[("authorization", &token)],
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "body: {}", own.body);
    let own = own.json();
    assert_eq!(own["opening_balance_minutes"], 0);
    assert_eq!(own["closing_balance_minutes"], ALICE_MINUTES);
    assert_eq!(own["lines"][0]["kind"], "issue");
    assert_eq!(own["lines"][0]["delta_minutes"], ALICE_MINUTES);
    assert_eq!(own["lines"][0]["balance_minutes"], ALICE_MINUTES);
    assert_eq!(own["lines"][0]["reason"], "set-up credits");

    let csv = t
        .get(
            &format!("/api/v1/accounts/{}/statement?format=csv", t.alice.account),
            &[("authorization", &token)],
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header(header::CONTENT_TYPE), "text/csv; charset=utf-8");
    let mut rows = csv.body.lines();
    assert_eq!(
        rows.next(),
        Some("transfer_id,kind,at,reason,delta_minutes,balance_minutes")
    );
    assert!(rows.next().expect("a row").contains(",issue,"));

    let future = t
        .get(
            &format!(
                "/api/v1/accounts/{}/statement?from=2999-01-01T00:00:00Z",
                t.alice.account
            ),
            &[("authorization", &token)],
        )
        .await
        .json();
    assert_eq!(future["opening_balance_minutes"], ALICE_MINUTES);
    assert_eq!(future["lines"].as_array().expect("lines").len(), 0);

    let bad_date = t
        .get(
            &format!(
                "/api/v1/accounts/{}/statement?from=yesterday",
                t.alice.account
            ),
            &[("authorization", &token)],
        )
        .await;
    bad_date.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");

    let other = t
        .get(
            &format!("/api/v1/accounts/{}/statement", t.bob.account),
            &[("authorization", &token)],
        )
        .await;
    other.problem(StatusCode::NOT_FOUND, "not_found");
    let garbled = t
        .get(
            "/api/v1/accounts/not-an-id/statement",
            &[("authorization", &token)],
        )
        .await;
    garbled.problem(StatusCode::BAD_REQUEST, "malformed_id");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let t = TestApp::new().await;
    let huge = "x".repeat(timecredits_web::MAX_BODY_BYTES + 1);
    let response = t
        .post_json(
            "/api/v1/tokens",
            &[],
            &json!({ "login": huge, "secret": PIN }),
        )
        .await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn serve_answers_on_a_port_and_shuts_down_gracefully() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let t = TestApp::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(timecredits_web::serve(listener, t.router.clone(), async {
        let _ = stopped.await;
    }));

    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.ends_with("ok"), "{answer}");

    stop.send(()).expect("server still running");
    server
        .await
        .expect("server task")
        .expect("server stopped cleanly");
}
