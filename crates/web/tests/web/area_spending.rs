//! The spending area's API, end to end over SQLite.

use axum::http::StatusCode;
use serde_json::{Value, json};
use timecredits_app::{NewOrganisation, Organisation, Role, Scope};
use uuid::Uuid;

use crate::support::{ALICE_MINUTES, TestApp, bearer};

pub(crate) const DESK_EMAIL: &str = "desk@example.org";
const COORDINATOR_EMAIL: &str = "coordinator@example.org";
pub(crate) const STAFF_PASSWORD: &str = "a long staff password";

/// The test app with a leisure centre, its desk and its coordinator.
pub(crate) struct Desk {
    pub(crate) t: TestApp,
    pub(crate) centre: Organisation,
    pub(crate) desk: String,
    coordinator: String,
    alice: String,
    manager: String,
}

pub(crate) async fn desk() -> Desk {
    let t = TestApp::new().await;
    let centre = t
        .app
        .create_organisation(
            &t.manager,
            NewOrganisation {
                programme: t.programme.id,
                name: "Leisure Centre".into(),
            },
        )
        .await
        .expect("centre");
    for (email, role) in [
        (DESK_EMAIL, Role::SpendStaff),
        (COORDINATOR_EMAIL, Role::Coordinator),
    ] {
        t.app
            .create_staff(
                &t.manager,
                email,
                email,
                STAFF_PASSWORD,
                role,
                Scope::Organisation(centre.id),
            )
            .await
            .expect("staff");
    }
    let desk = bearer(&t.token(DESK_EMAIL, STAFF_PASSWORD).await);
    let coordinator = bearer(&t.token(COORDINATOR_EMAIL, STAFF_PASSWORD).await);
    let alice = bearer(&t.alice_token().await);
    let manager = bearer(&t.manager_token().await);
    Desk {
        t,
        centre,
        desk,
        coordinator,
        alice,
        manager,
    }
}

pub(crate) fn swim(organisation: &Organisation) -> Value {
    json!({
        "organisation": organisation.id.to_string(),
        "title": "One swim",
        "price_minutes": 90,
        "audience": "adult",
        "valid_from": "2020-01-01"
    })
}

impl Desk {
    async fn post(
        &self,
        path: &str,
        token: &str,
        key: Option<&str>,
        body: &Value,
    ) -> crate::support::TestResponse {
        let mut headers = vec![("authorization", token)];
        if let Some(key) = key {
            headers.push(("idempotency-key", key));
        }
        self.t.post_json(path, &headers, body).await
    }

    async fn get(&self, path: &str, token: &str) -> crate::support::TestResponse {
        self.t.get(path, &[("authorization", token)]).await
    }

    pub(crate) async fn publish(&self, body: &Value) -> String {
        let created = self.post("/api/v1/offers", &self.desk, None, body).await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "body: {}",
            created.body
        );
        created.json()["id"].as_str().expect("id").to_owned()
    }

    async fn redeem(&self, offer: &str, member: &str, key: &str) -> crate::support::TestResponse {
        self.post(
            &format!("/api/v1/offers/{offer}/redemptions"),
            &self.desk,
            Some(key),
            &json!({ "member": member }),
        )
        .await
    }
}

fn new_key() -> String {
    Uuid::now_v7().to_string()
}

#[tokio::test]
async fn offers_are_published_listed_changed_and_withdrawn() {
    let d = desk().await;
    let first = d.publish(&swim(&d.centre)).await;
    let mut family = swim(&d.centre);
    family["title"] = json!("Family swim");
    family["audience"] = json!("family");
    family["capacity"] = json!({ "limit": 20, "period": "week" });
    family["off_peak"] = json!([{ "days": ["sat", "sun"], "from": "08:00", "to": "10:30" }]);
    let second = d.publish(&family).await;

    let got = d.get(&format!("/api/v1/offers/{second}"), &d.alice).await;
    assert_eq!(got.status, StatusCode::OK, "body: {}", got.body);
    let got = got.json();
    assert_eq!(got["title"], "Family swim");
    assert_eq!(got["capacity"], json!({ "limit": 20, "period": "week" }));
    assert_eq!(
        got["off_peak"],
        json!([{ "days": ["sat", "sun"], "from": "08:00", "to": "10:30" }])
    );
    assert_eq!(got["status"], "active");

    let page = d
        .get(
            &format!("/api/v1/offers?organisation={}&limit=1", d.centre.id),
            &d.alice,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "body: {}", page.body);
    let page = page.json();
    assert_eq!(page["items"][0]["id"], first);
    let cursor = page["next_cursor"].as_str().expect("more").to_owned();
    let next = d
        .get(&format!("/api/v1/offers?limit=1&cursor={cursor}"), &d.alice)
        .await
        .json();
    assert_eq!(next["items"][0]["id"], second);
    assert!(next["next_cursor"].is_null());
    let families = d
        .get("/api/v1/offers?audience=family", &d.alice)
        .await
        .json();
    assert_eq!(families["items"].as_array().expect("items").len(), 1);

    let mut cheaper = swim(&d.centre);
    cheaper
        .as_object_mut()
        .expect("object")
        .remove("organisation");
    cheaper["price_minutes"] = json!(60);
    let request = axum::http::Request::put(format!("/api/v1/offers/{first}"))
        .header("content-type", "application/json")
        .header("authorization", d.desk.as_str())
        .body(axum::body::Body::from(cheaper.to_string()))
        .expect("request");
    let updated = d.t.send(request).await;
    assert_eq!(updated.status, StatusCode::OK, "body: {}", updated.body);
    assert_eq!(updated.json()["price_minutes"], 60);

    let withdrawn = d
        .post(
            &format!("/api/v1/offers/{first}/withdrawal"),
            &d.desk,
            None,
            &json!({}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "body: {}", withdrawn.body);
    assert_eq!(withdrawn.json()["status"], "withdrawn");
    d.post(
        &format!("/api/v1/offers/{first}/withdrawal"),
        &d.desk,
        None,
        &json!({}),
    )
    .await
    .problem(StatusCode::CONFLICT, "offer_withdrawn");
    d.get(&format!("/api/v1/offers/{first}"), &d.alice)
        .await
        .problem(StatusCode::NOT_FOUND, "not_found");
    let staff = d
        .get(
            &format!("/api/v1/offers?organisation={}&status=all", d.centre.id),
            &d.desk,
        )
        .await
        .json();
    assert_eq!(staff["items"].as_array().expect("items").len(), 2);

    // Refusals, each named.
    let mut free = swim(&d.centre);
    free["price_minutes"] = json!(0);
    d.post("/api/v1/offers", &d.desk, None, &free)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "offer_price_invalid");
    let mut odd = swim(&d.centre);
    odd["audience"] = json!("pets");
    d.post("/api/v1/offers", &d.desk, None, &odd)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let mut late = swim(&d.centre);
    late["off_peak"] = json!([{ "days": ["someday"], "from": "08:00", "to": "09:00" }]);
    d.post("/api/v1/offers", &d.desk, None, &late)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "off_peak_window_invalid");
    d.post("/api/v1/offers", &d.alice, None, &swim(&d.centre))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    d.post("/api/v1/offers", &d.coordinator, None, &swim(&d.centre))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    d.get("/api/v1/offers?limit=500", &d.alice)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    d.t.get("/api/v1/offers", &[])
        .await
        .problem(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn the_desk_finds_a_member_by_card_and_redeems_once() {
    let d = desk().await;
    let offer = d.publish(&swim(&d.centre)).await;
    let payload = format!("TC1:{}", d.t.alice.number.value());

    let found = d
        .get(
            &format!(
                "/api/v1/desk/members?organisation={}&q={payload}",
                d.centre.id
            ),
            &d.desk,
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "body: {}", found.body);
    let found = found.json();
    let mut keys: Vec<&str> = found
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "balance_credits",
            "balance_minutes",
            "card_payload",
            "display_name",
            "member_number"
        ],
        "name, number and balance: nothing more"
    );
    assert_eq!(found["display_name"], "Alice Able");
    assert_eq!(found["balance_minutes"], ALICE_MINUTES);
    assert_eq!(found["card_payload"], payload);
    d.get(
        &format!("/api/v1/desk/members?organisation={}&q=TC1:12", d.centre.id),
        &d.desk,
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "bad_card_payload");
    d.get(
        &format!(
            "/api/v1/desk/members?organisation={}&q={payload}",
            d.centre.id
        ),
        &d.alice,
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");

    d.post(
        &format!("/api/v1/offers/{offer}/redemptions"),
        &d.desk,
        None,
        &json!({ "member": payload }),
    )
    .await
    .problem(StatusCode::BAD_REQUEST, "idempotency_key_required");
    let key = new_key();
    let made = d.redeem(&offer, &payload, &key).await;
    assert_eq!(made.status, StatusCode::CREATED, "body: {}", made.body);
    let body = made.json();
    assert_eq!(body["id"], key);
    assert_eq!(body["redeem_transfer"], key);
    assert_eq!(body["price_minutes"], 90);
    assert!(body["retire_transfer"].is_string());
    assert_eq!(body["member"], d.t.alice.id.to_string());
    let again = d.redeem(&offer, &payload, &key).await;
    assert_eq!(again.status, StatusCode::OK, "body: {}", again.body);
    assert_eq!(again.json(), body, "a retry answers with the same body");
    d.redeem(&offer, &d.t.bob.number.value().to_string(), &key)
        .await
        .problem(StatusCode::CONFLICT, "idempotency_conflict");
    assert_eq!(d.t.balance(&d.t.alice).await, ALICE_MINUTES - 90);

    let today = d
        .get(
            &format!("/api/v1/desk/redemptions?organisation={}", d.centre.id),
            &d.desk,
        )
        .await;
    assert_eq!(today.status, StatusCode::OK, "body: {}", today.body);
    let today = today.json();
    assert_eq!(today["items"].as_array().expect("items").len(), 1);
    assert_eq!(today["items"][0]["member_name"], "Alice Able");
    assert_eq!(today["items"][0]["offer_title"], "One swim");
    assert!(today["next_cursor"].is_null());
    d.get(
        &format!("/api/v1/desk/redemptions?organisation={}", d.centre.id),
        &d.coordinator,
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn redemption_refusals_name_the_rule_and_move_nothing() {
    let d = desk().await;
    let mut limited = swim(&d.centre);
    limited["capacity"] = json!({ "limit": 1, "period": "day" });
    limited["price_minutes"] = json!(30);
    let limited = d.publish(&limited).await;
    let mut future = swim(&d.centre);
    future["valid_from"] = json!("2999-01-01");
    let future = d.publish(&future).await;
    let mut dear = swim(&d.centre);
    dear["price_minutes"] = json!(ALICE_MINUTES + 30);
    let dear = d.publish(&dear).await;
    let alice = d.t.alice.number.value().to_string();

    let made = d.redeem(&limited, &alice, &new_key()).await;
    assert_eq!(made.status, StatusCode::CREATED, "body: {}", made.body);
    d.redeem(&limited, &alice, &new_key())
        .await
        .problem(StatusCode::CONFLICT, "offer_capacity_reached");
    d.redeem(&future, &alice, &new_key())
        .await
        .problem(StatusCode::CONFLICT, "offer_not_valid_today");
    d.redeem(&dear, &alice, &new_key())
        .await
        .problem(StatusCode::CONFLICT, "insufficient_credits");
    d.post(
        &format!("/api/v1/offers/{dear}/withdrawal"),
        &d.manager,
        None,
        &json!({}),
    )
    .await;
    d.redeem(&dear, &alice, &new_key())
        .await
        .problem(StatusCode::CONFLICT, "offer_withdrawn");
    d.redeem(&limited, "TC9:0000000", &new_key())
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "bad_card_payload");
    d.redeem(&Uuid::now_v7().to_string(), &alice, &new_key())
        .await
        .problem(StatusCode::NOT_FOUND, "not_found");
    d.post(
        &format!("/api/v1/offers/{limited}/redemptions"),
        &d.alice,
        Some(&new_key()),
        &json!({ "member": alice }),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(d.t.balance(&d.t.alice).await, ALICE_MINUTES - 30);
    let today = d
        .get(
            &format!("/api/v1/desk/redemptions?organisation={}", d.centre.id),
            &d.manager,
        )
        .await
        .json();
    assert_eq!(today["items"].as_array().expect("items").len(), 1);
}

#[tokio::test]
async fn a_refund_reverses_the_redemption_once() {
    let d = desk().await;
    let offer = d.publish(&swim(&d.centre)).await;
    let made = d
        .redeem(&offer, &d.t.alice.id.to_string(), &new_key())
        .await
        .json();
    let id = made["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/redemptions/{id}/refund");
    let key = new_key();
    d.post(&path, &d.desk, Some(&key), &json!({ "reason": " " }))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "refund_reason_required");
    let refunded = d
        .post(
            &path,
            &d.desk,
            Some(&key),
            &json!({ "reason": "Pool closed" }),
        )
        .await;
    assert_eq!(
        refunded.status,
        StatusCode::CREATED,
        "body: {}",
        refunded.body
    );
    let body = refunded.json();
    assert_eq!(body["refund"]["redeem_reversal"], key);
    assert_eq!(body["refund"]["reason"], "Pool closed");
    assert!(body["refund"]["retire_reversal"].is_string());
    assert_eq!(d.t.balance(&d.t.alice).await, ALICE_MINUTES);
    let again = d
        .post(
            &path,
            &d.desk,
            Some(&key),
            &json!({ "reason": "Pool closed" }),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json(), body);
    d.post(
        &path,
        &d.manager,
        Some(&new_key()),
        &json!({ "reason": "Twice" }),
    )
    .await
    .problem(StatusCode::CONFLICT, "redemption_already_refunded");
    d.post(
        &path,
        &d.alice,
        Some(&new_key()),
        &json!({ "reason": "Mine" }),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    let got = d.get(&format!("/api/v1/redemptions/{id}"), &d.desk).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json(), body);
    assert_eq!(d.t.balance(&d.t.alice).await, ALICE_MINUTES);
}

#[tokio::test]
async fn gifts_go_to_and_come_from_the_community_pot() {
    let d = desk().await;
    let to_pot = format!("/api/v1/pots/{}/gifts", d.centre.id);
    let key = new_key();
    let given = d
        .post(
            &to_pot,
            &d.alice,
            Some(&key),
            &json!({ "minutes": 60, "reason": "For the club" }),
        )
        .await;
    assert_eq!(given.status, StatusCode::CREATED, "body: {}", given.body);
    let body = given.json();
    assert_eq!(body["id"], key);
    assert_eq!(body["kind"], "gift");
    assert_eq!(body["credit"], d.centre.pot_account.to_string());
    let again = d
        .post(
            &to_pot,
            &d.alice,
            Some(&key),
            &json!({ "minutes": 60, "reason": "For the club" }),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json(), body);
    d.post(&to_pot, &d.alice, None, &json!({ "minutes": 60 }))
        .await
        .problem(StatusCode::BAD_REQUEST, "idempotency_key_required");
    d.post(
        &to_pot,
        &d.alice,
        Some(&new_key()),
        &json!({ "minutes": 0 }),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "amount_not_positive");
    assert_eq!(d.t.balance(&d.t.alice).await, ALICE_MINUTES - 60);

    let from_pot = format!("/api/v1/pots/{}/gifts-to-members", d.centre.id);
    let gift = json!({ "to_member": d.t.bob.number.value().to_string(), "minutes": 45 });
    let out = d
        .post(&from_pot, &d.coordinator, Some(&new_key()), &gift)
        .await;
    assert_eq!(out.status, StatusCode::CREATED, "body: {}", out.body);
    assert_eq!(out.json()["debit"], d.centre.pot_account.to_string());
    d.post(&from_pot, &d.desk, Some(&new_key()), &gift)
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    d.post(&from_pot, &d.manager, Some(&new_key()), &gift)
        .await
        .problem(StatusCode::CONFLICT, "insufficient_credits");
    assert_eq!(d.t.balance(&d.t.bob).await, 45);
}

#[tokio::test]
async fn the_openapi_document_describes_the_spending_endpoints() {
    let d = desk().await;
    let doc = d.t.get("/api/openapi.json", &[]).await.json();
    let paths = &doc["paths"];
    for (path, method, operation) in [
        ("/api/v1/offers", "post", "create_offer"),
        ("/api/v1/offers", "get", "list_offers"),
        ("/api/v1/offers/{id}", "get", "get_offer"),
        ("/api/v1/offers/{id}", "put", "update_offer"),
        ("/api/v1/offers/{id}/withdrawal", "post", "withdraw_offer"),
        ("/api/v1/offers/{id}/redemptions", "post", "redeem_offer"),
        ("/api/v1/redemptions/{id}", "get", "get_redemption"),
        (
            "/api/v1/redemptions/{id}/refund",
            "post",
            "refund_redemption",
        ),
        ("/api/v1/desk/members", "get", "find_member_at_desk"),
        ("/api/v1/desk/redemptions", "get", "todays_redemptions"),
        (
            "/api/v1/pots/{organisation_id}/gifts",
            "post",
            "give_to_pot",
        ),
        (
            "/api/v1/pots/{organisation_id}/gifts-to-members",
            "post",
            "give_from_pot",
        ),
    ] {
        let op = &paths[path][method];
        assert_eq!(op["operationId"], operation, "{method} {path}");
        assert_eq!(op["tags"][0], "spending", "{method} {path}");
        assert!(op["security"].is_array(), "{method} {path}");
    }
    assert!(doc["components"]["schemas"]["OfferBody"]["example"].is_object());
}
