//! The timebank area's API, end to end over SQLite.

use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{ALICE_MINUTES, PIN, TestApp, bearer};

async fn bob_token(t: &TestApp) -> String {
    bearer(&t.token(&t.bob.number.value().to_string(), PIN).await)
}

fn listing(kind: &str, category: &str, title: &str, place: &str) -> Value {
    json!({ "kind": kind, "category": category, "title": title, "place": place })
}

#[tokio::test]
async fn members_post_search_and_close_listings() {
    let t = TestApp::new().await;
    let alice = bearer(&t.alice_token().await);
    let bob = bob_token(&t).await;
    let manager = bearer(&t.manager_token().await);
    let post = |token: String, body: Value| {
        let t = &t;
        async move {
            t.post_json(
                "/api/v1/timebank/listings",
                &[("authorization", token.as_str())],
                &body,
            )
            .await
        }
    };

    let mowing = post(
        alice.clone(),
        listing(
            "offer",
            "gardening_and_outdoors",
            "Mowing",
            "Little Exampleton",
        ),
    )
    .await;
    assert_eq!(mowing.status, StatusCode::CREATED, "body: {}", mowing.body);
    let mowing = mowing.json();
    assert_eq!(mowing["status"], "open");
    assert_eq!(mowing["member_name"], "Alice Able");
    assert_eq!(mowing["member_id"], t.alice.id.to_string());
    let lift = post(
        bob.clone(),
        listing(
            "request",
            "transport_and_errands",
            "Lift",
            "Upper Exampleton",
        ),
    )
    .await
    .json();
    let hedge = post(
        bob.clone(),
        listing(
            "offer",
            "gardening_and_outdoors",
            "Hedges",
            "Upper Exampleton",
        ),
    )
    .await
    .json();
    post(alice.clone(), listing("offer", "plumbing", "Taps", ""))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown_category");
    post(alice.clone(), listing("swap", "other", "Taps", ""))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    post(manager.clone(), listing("offer", "other", "Staff", ""))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    t.post_json(
        "/api/v1/timebank/listings",
        &[],
        &listing("offer", "other", "x", ""),
    )
    .await
    .problem(StatusCode::UNAUTHORIZED, "unauthenticated");

    let search = |token: String, query: &'static str| {
        let t = &t;
        async move {
            let headers = [("authorization", token.as_str())];
            let r = t
                .get(&format!("/api/v1/timebank/listings{query}"), &headers)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
            r.json()
        }
    };
    let titles = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|l| l["title"].as_str().expect("title").to_owned())
            .collect()
    };
    let all = search(alice.clone(), "").await;
    assert_eq!(titles(&all), ["Hedges", "Lift", "Mowing"]);
    assert!(all["next_cursor"].is_null());
    assert_eq!(
        titles(&search(alice.clone(), "?kind=offer&category=gardening_and_outdoors").await),
        ["Hedges", "Mowing"]
    );
    assert_eq!(
        titles(&search(alice.clone(), "?place=upper%20exampleton&kind=request").await),
        ["Lift"]
    );
    let first = search(alice.clone(), "?limit=2").await;
    assert_eq!(titles(&first), ["Hedges", "Lift"]);
    assert_eq!(first["next_cursor"], lift["id"]);
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let r = t
        .get(
            &format!("/api/v1/timebank/listings?limit=2&cursor={cursor}"),
            &[("authorization", alice.as_str())],
        )
        .await;
    assert_eq!(titles(&r.json()), ["Mowing"]);
    assert!(r.json()["next_cursor"].is_null());
    let bad = t
        .get(
            "/api/v1/timebank/listings?limit=500",
            &[("authorization", alice.as_str())],
        )
        .await;
    bad.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let bad = t
        .get(
            "/api/v1/timebank/listings?cursor=nope",
            &[("authorization", alice.as_str())],
        )
        .await;
    bad.problem(StatusCode::BAD_REQUEST, "malformed_id");

    // Closing: the author or a manager; once.
    let close = |token: String, id: &Value| {
        let t = &t;
        let path = format!(
            "/api/v1/timebank/listings/{}/close",
            id.as_str().expect("id")
        );
        async move {
            t.post_json(&path, &[("authorization", token.as_str())], &json!({}))
                .await
        }
    };
    close(bob.clone(), &mowing["id"])
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    let closed = close(alice.clone(), &mowing["id"]).await;
    assert_eq!(closed.status, StatusCode::OK, "body: {}", closed.body);
    assert_eq!(closed.json()["status"], "closed");
    assert!(closed.json()["closed_at"].is_string());
    close(alice.clone(), &mowing["id"])
        .await
        .problem(StatusCode::CONFLICT, "listing_already_closed");
    let gone = t
        .get(
            &format!(
                "/api/v1/timebank/listings/{}",
                mowing["id"].as_str().expect("id")
            ),
            &[("authorization", bob.as_str())],
        )
        .await;
    gone.problem(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(titles(&search(bob.clone(), "").await), ["Hedges", "Lift"]);
    assert_eq!(
        titles(&search(manager.clone(), "?status=closed").await),
        ["Mowing"]
    );
    let mine = t
        .get(
            "/api/v1/timebank/listings/mine",
            &[("authorization", alice.as_str())],
        )
        .await;
    assert_eq!(mine.status, StatusCode::OK, "body: {}", mine.body);
    assert_eq!(titles(&mine.json()), ["Mowing"]);
    let own = t
        .get(
            &format!(
                "/api/v1/timebank/listings/{}",
                hedge["id"].as_str().expect("id")
            ),
            &[("authorization", alice.as_str())],
        )
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.json()["title"], "Hedges");
    assert_eq!(
        close(manager.clone(), &hedge["id"]).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_exchange_is_proposed_accepted_and_paid_once() {
    let t = TestApp::new().await;
    let alice = bearer(&t.alice_token().await);
    let bob = bob_token(&t).await;
    // Bob helped Alice for an hour and bills her, naming her by card number.
    let proposal = t
        .post_json(
            "/api/v1/timebank/proposals",
            &[("authorization", bob.as_str())],
            &json!({
                "member": t.alice.number.value().to_string(),
                "direction": "helper_bills",
                "minutes": 60,
                "note": "Put up shelves"
            }),
        )
        .await;
    assert_eq!(
        proposal.status,
        StatusCode::CREATED,
        "body: {}",
        proposal.body
    );
    let proposal = proposal.json();
    assert_eq!(proposal["status"], "open");
    assert_eq!(proposal["helper"], t.bob.id.to_string());
    assert_eq!(proposal["helped"], t.alice.id.to_string());
    assert!(proposal["transfer_id"].is_null());
    assert_eq!(
        t.balance(&t.alice).await,
        ALICE_MINUTES,
        "nothing moved yet"
    );
    let id = proposal["id"].as_str().expect("id");
    let accept = format!("/api/v1/timebank/proposals/{id}/accept");

    t.post_json(&accept, &[("authorization", alice.as_str())], &json!({}))
        .await
        .problem(StatusCode::BAD_REQUEST, "idempotency_key_required");
    let key = Uuid::now_v7().to_string();
    let headers = [
        ("authorization", alice.as_str()),
        ("idempotency-key", key.as_str()),
    ];
    let first = t.post_json(&accept, &headers, &json!({})).await;
    assert_eq!(first.status, StatusCode::CREATED, "body: {}", first.body);
    let body = first.json();
    assert_eq!(body["proposal"]["status"], "accepted");
    assert_eq!(body["proposal"]["transfer_id"], key);
    assert_eq!(body["transfer"]["id"], key);
    assert_eq!(body["transfer"]["kind"], "exchange");
    assert_eq!(body["transfer"]["amount_minutes"], 60);
    assert_eq!(body["transfer"]["debit"], t.alice.account.to_string());
    assert_eq!(body["transfer"]["credit"], t.bob.account.to_string());
    assert_eq!(
        body["transfer"]["reason"],
        "Time bank exchange: Put up shelves"
    );

    let retry = t.post_json(&accept, &headers, &json!({})).await;
    assert_eq!(retry.status, StatusCode::OK, "body: {}", retry.body);
    assert_eq!(retry.json(), body, "a retry answers with the same body");
    let other_key = Uuid::now_v7().to_string();
    t.post_json(
        &accept,
        &[
            ("authorization", alice.as_str()),
            ("idempotency-key", other_key.as_str()),
        ],
        &json!({}),
    )
    .await
    .problem(StatusCode::CONFLICT, "proposal_already_answered");
    assert_eq!(t.balance(&t.alice).await, ALICE_MINUTES - 60);
    assert_eq!(t.balance(&t.bob).await, 60);

    let seen = t
        .get(
            &format!("/api/v1/timebank/proposals/{id}"),
            &[("authorization", bob.as_str())],
        )
        .await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.json()["status"], "accepted");
}

#[tokio::test]
async fn proposals_are_refused_by_name_and_answered_only_by_the_other_member() {
    let t = TestApp::new().await;
    let alice = bearer(&t.alice_token().await);
    let bob = bob_token(&t).await;
    let manager = bearer(&t.manager_token().await);
    let propose = |token: String, body: Value| {
        let t = &t;
        async move {
            t.post_json(
                "/api/v1/timebank/proposals",
                &[("authorization", token.as_str())],
                &body,
            )
            .await
        }
    };
    let to_bob = |minutes: i64| json!({ "member": t.bob.id.to_string(), "direction": "helped_pays", "minutes": minutes });
    propose(alice.clone(), to_bob(50))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "minutes_off_granularity");
    propose(alice.clone(), to_bob(0))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "minutes_not_positive");
    propose(
        alice.clone(),
        json!({ "member": t.alice.id.to_string(), "direction": "helped_pays", "minutes": 15 }),
    )
    .await
    .problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "cannot_exchange_with_yourself",
    );
    propose(
        alice.clone(),
        json!({ "member": t.bob.id.to_string(), "direction": "sideways", "minutes": 15 }),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    propose(
        alice.clone(),
        json!({ "member": Uuid::now_v7().to_string(), "direction": "helped_pays", "minutes": 15 }),
    )
    .await
    .problem(StatusCode::NOT_FOUND, "not_found");
    propose(manager.clone(), to_bob(15))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");

    let made = propose(alice.clone(), to_bob(30)).await;
    assert_eq!(made.status, StatusCode::CREATED, "body: {}", made.body);
    let id = made.json()["id"].as_str().expect("id").to_owned();
    let path = |action: &str| format!("/api/v1/timebank/proposals/{id}/{action}");
    let key = Uuid::now_v7().to_string();
    let with_key = |token: &str| {
        [
            ("authorization", token.to_owned()),
            ("idempotency-key", key.clone()),
        ]
    };
    let send = |action: &'static str, token: String| {
        let t = &t;
        let path = path(action);
        let headers = with_key(&token);
        async move {
            let headers = headers.each_ref().map(|(k, v)| (*k, v.as_str()));
            t.post_json(&path, &headers, &json!({})).await
        }
    };
    send("accept", alice.clone())
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "not_your_proposal");
    send("accept", manager.clone())
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    send("withdraw", bob.clone())
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "not_your_proposal");

    // Lists: Bob's incoming, Alice's outgoing, the manager's programme view.
    let list = |token: String, query: String| {
        let t = &t;
        async move {
            let r = t
                .get(
                    &format!("/api/v1/timebank/proposals{query}"),
                    &[("authorization", token.as_str())],
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
            r.json()["items"].as_array().expect("items").len()
        }
    };
    assert_eq!(
        list(bob.clone(), "?box=incoming&status=open".into()).await,
        1
    );
    assert_eq!(list(bob.clone(), "?box=outgoing".into()).await, 0);
    assert_eq!(list(alice.clone(), "?box=outgoing".into()).await, 1);
    assert_eq!(list(manager.clone(), String::new()).await, 1);
    assert_eq!(
        list(
            manager.clone(),
            format!("?programme={}&member={}", t.programme.id, t.alice.id)
        )
        .await,
        1
    );
    let bad = t
        .get(
            "/api/v1/timebank/proposals?box=sideways",
            &[("authorization", bob.as_str())],
        )
        .await;
    bad.problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");

    let declined = t
        .post_json(
            &path("decline"),
            &[("authorization", bob.as_str())],
            &json!({ "reason": "That was a favour, no credits needed" }),
        )
        .await;
    assert_eq!(declined.status, StatusCode::OK, "body: {}", declined.body);
    assert_eq!(declined.json()["status"], "declined");
    assert_eq!(
        declined.json()["decline_reason"],
        "That was a favour, no credits needed"
    );
    send("accept", bob.clone())
        .await
        .problem(StatusCode::CONFLICT, "proposal_already_answered");
    assert_eq!(list(bob.clone(), "?status=declined".into()).await, 1);
    assert_eq!(t.balance(&t.bob).await, 0, "nothing was paid");

    let again = propose(alice.clone(), to_bob(15)).await.json();
    let withdrawn = t
        .post_json(
            &format!(
                "/api/v1/timebank/proposals/{}/withdraw",
                again["id"].as_str().expect("id")
            ),
            &[("authorization", alice.as_str())],
            &json!({}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "body: {}", withdrawn.body);
    assert_eq!(withdrawn.json()["status"], "withdrawn");
}

#[tokio::test]
async fn the_timebank_endpoints_are_documented() {
    let t = TestApp::new().await;
    let doc = t.get("/api/openapi.json", &[]).await.json();
    let text = doc.to_string();
    for operation in [
        "create_timebank_listing",
        "search_timebank_listings",
        "list_my_timebank_listings",
        "get_timebank_listing",
        "close_timebank_listing",
        "propose_timebank_exchange",
        "list_timebank_proposals",
        "get_timebank_proposal",
        "accept_timebank_proposal",
        "decline_timebank_proposal",
        "withdraw_timebank_proposal",
    ] {
        assert!(
            text.contains(&format!("\"operationId\":\"{operation}\"")),
            "{operation} is missing"
        );
    }
    assert!(doc["paths"]["/api/v1/timebank/proposals/{id}/accept"]["post"].is_object());
}
