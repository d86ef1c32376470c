//! Staff acting for a member who asks them: `On-Behalf-Of`, and the proxy
//! log that names both people.

use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::area_directory::with_partner;
use crate::support::{ALICE_MINUTES, TestApp, bearer};

async fn proxy_log(t: &TestApp, token: &str) -> Vec<Value> {
    let log = t
        .get(
            &format!("/api/v1/members/{}/proxy-actions", t.alice.id),
            &[("authorization", token)],
        )
        .await;
    assert_eq!(log.status, StatusCode::OK, "body: {}", log.body);
    log.json()["items"].as_array().expect("items").clone()
}

#[tokio::test]
async fn a_coordinator_acts_for_a_member_of_their_organisation_and_it_is_logged() {
    let t = TestApp::new().await;
    let (manager, org, coordinator) = with_partner(&t).await;
    let (manager, coordinator) = (bearer(&manager), bearer(&coordinator));
    let alice = bearer(&t.alice_token().await);
    let alice_number = t.alice.number.value().to_string();
    let gift =
        json!({ "to_member": t.bob.id.to_string(), "minutes": 30, "reason": "For the lift" });

    // Not yet: Alice does not belong to the coordinator's organisation.
    let key = Uuid::now_v7().to_string();
    let as_alice = [
        ("authorization", coordinator.as_str()),
        ("on-behalf-of", alice_number.as_str()),
        ("idempotency-key", key.as_str()),
    ];
    t.post_json("/api/v1/gifts", &as_alice, &gift)
        .await
        .problem(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(t.balance(&t.bob).await, 0);

    let joined = t
        .send(
            axum::http::Request::put(format!(
                "/api/v1/members/{}/organisations/{org}",
                t.alice.id
            ))
            .header("authorization", &manager)
            .body(axum::body::Body::empty())
            .expect("request"),
        )
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "body: {}", joined.body);

    // Now the gift is made from Alice's account, once, and a retry is not logged again.
    let made = t.post_json("/api/v1/gifts", &as_alice, &gift).await;
    assert_eq!(made.status, StatusCode::CREATED, "body: {}", made.body);
    let again = t.post_json("/api/v1/gifts", &as_alice, &gift).await;
    assert_eq!(again.status, StatusCode::OK, "body: {}", again.body);
    assert_eq!(t.balance(&t.alice).await, ALICE_MINUTES - 30);
    assert_eq!(t.balance(&t.bob).await, 30);

    // A time-bank listing, posted for her.
    let listed = t
        .post_json(
            "/api/v1/timebank/listings",
            &as_alice[..2],
            &json!({ "kind": "offer", "category": "cooking_and_food", "title": "Batch cooking", "place": "March" }),
        )
        .await;
    assert_eq!(listed.status, StatusCode::CREATED, "body: {}", listed.body);
    assert_eq!(listed.json()["member_id"], t.alice.id.to_string());

    // Acting for a member carries none of the coordinator's own powers.
    t.get(
        &format!("/api/v1/organisations/{org}/staff"),
        &as_alice[..2],
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");

    // What Alice does in person is not proxy.
    let own_key = Uuid::now_v7().to_string();
    let own = t
        .post_json(
            "/api/v1/gifts",
            &[("authorization", &alice), ("idempotency-key", &own_key)],
            &json!({ "to_member": t.bob.id.to_string(), "minutes": 15 }),
        )
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "body: {}", own.body);

    let log = proxy_log(&t, &alice).await;
    let actions: Vec<&str> = log
        .iter()
        .map(|a| a["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, ["give_gift", "post_listing"], "in the order done");
    let me = t
        .get("/api/v1/me", &[("authorization", coordinator.as_str())])
        .await
        .json();
    for entry in &log {
        assert_eq!(
            entry["actor_user_id"], me["user_id"],
            "names the coordinator"
        );
        assert_eq!(entry["member_id"], t.alice.id.to_string(), "and the member");
    }
}

#[tokio::test]
async fn on_behalf_of_is_refused_to_members_and_for_strangers() {
    let t = TestApp::new().await;
    let bob_number = t.bob.number.value().to_string();
    let alice = bearer(&t.alice_token().await);
    // A member cannot act for another member.
    t.get(
        "/api/v1/me",
        &[("authorization", &alice), ("on-behalf-of", &bob_number)],
    )
    .await
    .problem(StatusCode::NOT_FOUND, "not_found");
    // A manager may act for any member of their programme; a malformed
    // member is a clear error.
    let manager = bearer(&t.manager_token().await);
    let me = t
        .get(
            "/api/v1/me",
            &[("authorization", &manager), ("on-behalf-of", &bob_number)],
        )
        .await;
    assert_eq!(me.status, StatusCode::OK, "body: {}", me.body);
    assert_eq!(me.json()["member"]["member_id"], t.bob.id.to_string());
    t.get(
        "/api/v1/me",
        &[("authorization", &manager), ("on-behalf-of", "someone")],
    )
    .await
    .problem(StatusCode::BAD_REQUEST, "malformed_id");
}
