//! The activities area's API, end to end over SQLite.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};
use timecredits_app::{NewOrganisation, Role, Scope};
use uuid::Uuid;

use crate::support::{TestApp, TestResponse, bearer};

pub(crate) const COORDINATOR_EMAIL: &str = "coordinator@example.org";
pub(crate) const COORDINATOR_PASSWORD: &str = "a long coordinator password";

/// The test app with an organisation, its coordinator and tokens for all.
pub(crate) struct World {
    pub(crate) t: TestApp,
    pub(crate) organisation: String,
    pub(crate) coordinator: String,
    pub(crate) manager: String,
    pub(crate) alice: String,
    pub(crate) bob: String,
}

pub(crate) async fn world() -> World {
    let t = TestApp::new().await;
    let organisation = t
        .app
        .create_organisation(
            &t.manager,
            NewOrganisation {
                programme: t.programme.id,
                name: "Village Hall".into(),
            },
        )
        .await
        .expect("organisation");
    t.app
        .create_staff(
            &t.manager,
            COORDINATOR_EMAIL,
            "Cora Coordinator",
            COORDINATOR_PASSWORD,
            Role::Coordinator,
            Scope::Organisation(organisation.id),
        )
        .await
        .expect("coordinator");
    let coordinator = t.token(COORDINATOR_EMAIL, COORDINATOR_PASSWORD).await;
    let manager = t.manager_token().await;
    let alice = t.alice_token().await;
    let bob = t
        .token(&t.bob.number.value().to_string(), crate::support::PIN)
        .await;
    World {
        organisation: organisation.id.to_string(),
        t,
        coordinator,
        manager,
        alice,
        bob,
    }
}

fn activity_body(organisation: &str, title: &str) -> Value {
    json!({
        "organisation": organisation,
        "title": title,
        "description": "Cook and serve lunch",
        "level": "group",
        "mode": "co_delivery",
        "place": "Village Hall, High Street",
        "accessibility": "Step-free",
        "usual_duration_minutes": 120,
        "earns_credits": true
    })
}

fn rfc3339(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn today(w: &World) -> String {
    w.t.app.programme_today(&w.t.programme).to_string()
}

fn days_ago(w: &World, days: i64) -> String {
    (w.t.app.programme_today(&w.t.programme) - Duration::days(days)).to_string()
}

impl World {
    async fn post(&self, path: &str, token: &str, body: &Value) -> TestResponse {
        self.t
            .post_json(path, &[("authorization", &bearer(token))], body)
            .await
    }

    async fn post_keyed(&self, path: &str, token: &str, key: &str, body: &Value) -> TestResponse {
        self.t
            .post_json(
                path,
                &[("authorization", &bearer(token)), ("idempotency-key", key)],
                body,
            )
            .await
    }

    async fn get(&self, path: &str, token: &str) -> TestResponse {
        self.t.get(path, &[("authorization", &bearer(token))]).await
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> TestResponse {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, bearer(token))
            .header(header::CONTENT_TYPE, "application/json");
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        self.t.send(request.body(body).expect("request")).await
    }

    pub(crate) async fn activity(&self, title: &str) -> String {
        let r = self
            .post(
                "/api/v1/activities",
                &self.coordinator,
                &activity_body(&self.organisation, title),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
        r.json()["id"].as_str().expect("id").to_owned()
    }

    /// A session starting in a minute (today, so its register can be confirmed).
    pub(crate) async fn session(&self, activity: &str, capacity: i64) -> String {
        let starts = Utc::now() + Duration::minutes(1);
        let r = self
            .post(
                &format!("/api/v1/activities/{activity}/sessions"),
                &self.coordinator,
                &json!({
                    "starts_at": rfc3339(starts),
                    "ends_at": rfc3339(starts + Duration::hours(2)),
                    "capacity": capacity
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
        r.json()["id"].as_str().expect("id").to_owned()
    }
}

#[tokio::test]
async fn activities_and_sessions_are_created_listed_and_updated() {
    let w = world().await;
    let lunch = w.activity("Lunch club").await;
    let mut panel = activity_body(&w.organisation, "Residents' panel");
    panel["level"] = json!("collective");
    panel["mode"] = json!("co_governance");
    panel["place"] = json!("Town library");
    let r = w.post("/api/v1/activities", &w.manager, &panel).await;
    assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
    let panel_id = r.json()["id"].as_str().expect("id").to_owned();

    // Who may not, and what is refused by name.
    w.post(
        "/api/v1/activities",
        &w.alice,
        &activity_body(&w.organisation, "x"),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    w.t.post_json(
        "/api/v1/activities",
        &[],
        &activity_body(&w.organisation, "x"),
    )
    .await
    .problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    let mut bad = activity_body(&w.organisation, "x");
    bad["level"] = json!("team");
    w.post("/api/v1/activities", &w.coordinator, &bad)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    w.post(
        "/api/v1/activities",
        &w.coordinator,
        &activity_body(&w.organisation, "  "),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "title_missing");

    // Members read and filter; pages follow the cursor.
    let r = w.get("/api/v1/activities?level=collective", &w.alice).await;
    assert_eq!(r.status, StatusCode::OK, "body: {}", r.body);
    let items = r.json()["items"].as_array().expect("items").clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], panel_id.as_str());
    let r = w
        .get("/api/v1/activities?place=HIGH%20street", &w.alice)
        .await;
    assert_eq!(r.json()["items"][0]["id"], lunch.as_str());
    let r = w.get("/api/v1/activities?limit=1", &w.alice).await;
    let cursor = r.json()["next_cursor"].as_str().expect("more").to_owned();
    let r = w
        .get(
            &format!("/api/v1/activities?limit=1&cursor={cursor}"),
            &w.alice,
        )
        .await;
    assert_eq!(r.json()["items"][0]["id"], panel_id.as_str());
    assert!(r.json()["next_cursor"].is_null());
    w.get("/api/v1/activities?limit=500", &w.alice)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");

    // Updates replace the details.
    let mut changed = activity_body(&w.organisation, "Lunch club (Tuesdays)");
    changed
        .as_object_mut()
        .expect("object")
        .remove("organisation");
    let r = w
        .send(
            "PUT",
            &format!("/api/v1/activities/{lunch}"),
            &w.coordinator,
            Some(&changed),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "body: {}", r.body);
    let r = w.get(&format!("/api/v1/activities/{lunch}"), &w.bob).await;
    assert_eq!(r.json()["title"], "Lunch club (Tuesdays)");
    w.send(
        "PUT",
        &format!("/api/v1/activities/{lunch}"),
        &w.alice,
        Some(&changed),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    w.get(&format!("/api/v1/activities/{}", Uuid::now_v7()), &w.alice)
        .await
        .problem(StatusCode::NOT_FOUND, "not_found");

    // Sessions: created by staff, listed (upcoming) by anyone, with a day filter.
    let first = w.session(&lunch, 10).await;
    let second = w.session(&lunch, 10).await;
    let r = w
        .get(
            &format!("/api/v1/activities/{lunch}/sessions?limit=1"),
            &w.alice,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "body: {}", r.body);
    assert_eq!(r.json()["items"][0]["id"], first.as_str());
    let cursor = r.json()["next_cursor"].as_str().expect("more").to_owned();
    let r = w
        .get(
            &format!("/api/v1/activities/{lunch}/sessions?limit=1&cursor={cursor}"),
            &w.alice,
        )
        .await;
    assert_eq!(r.json()["items"][0]["id"], second.as_str());
    let r = w
        .get(&format!("/api/v1/activities?day={}", today(&w)), &w.alice)
        .await;
    let ids: Vec<_> = r.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect();
    // The sessions start a minute from now: today, unless it is a minute to midnight.
    assert!(ids.len() <= 1 && !ids.contains(&panel_id));
    let start = rfc3339(Utc::now() + Duration::hours(3));
    w.post(
        &format!("/api/v1/activities/{lunch}/sessions"),
        &w.coordinator,
        &json!({ "starts_at": start, "ends_at": start, "capacity": 5 }),
    )
    .await
    .problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "session_ends_before_it_starts",
    );
    w.post(
        &format!("/api/v1/activities/{lunch}/sessions"),
        &w.alice,
        &json!({ "starts_at": start, "ends_at": rfc3339(Utc::now() + Duration::hours(4)), "capacity": 5 }),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");

    // Every endpoint is described in the OpenAPI document.
    let doc = w.t.get("/api/openapi.json", &[]).await.json();
    for path in [
        "/api/v1/activities",
        "/api/v1/activities/{id}/sessions",
        "/api/v1/sessions/{id}/register/confirmation",
        "/api/v1/claims/pending",
        "/api/v1/contributions/{id}/correction",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
}

#[tokio::test]
async fn a_full_session_has_a_waiting_list_and_cancelling_promotes() {
    let w = world().await;
    let lunch = w.activity("Lunch club").await;
    let session = w.session(&lunch, 1).await;
    let path = format!("/api/v1/sessions/{session}/sign-ups");
    let r = w.post(&path, &w.alice, &json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
    assert_eq!(r.json()["status"], "confirmed");
    let bob_number = w.t.bob.number.value().to_string();
    let r = w
        .post(&path, &w.coordinator, &json!({ "member": bob_number }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
    assert_eq!(r.json()["status"], "waiting");
    w.post(&path, &w.alice, &json!({}))
        .await
        .problem(StatusCode::CONFLICT, "already_signed_up");
    w.post(&path, &w.alice, &json!({ "member": bob_number }))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    let r = w.get(&path, &w.coordinator).await;
    assert_eq!(r.json()["items"].as_array().expect("items").len(), 2);
    w.get(&path, &w.alice)
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");

    let alice = w.t.alice.id.to_string();
    let r = w
        .send("DELETE", &format!("{path}/{alice}"), &w.alice, None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "body: {}", r.body);
    let body = r.json();
    assert_eq!(body["cancelled"]["status"], "cancelled");
    assert_eq!(body["promoted"]["member"], w.t.bob.id.to_string());
    assert_eq!(body["promoted"]["status"], "confirmed");
    w.send("DELETE", &format!("{path}/{alice}"), &w.alice, None)
        .await
        .problem(StatusCode::CONFLICT, "not_signed_up");
    w.send("DELETE", &format!("{path}/{bob_number}"), &w.alice, None)
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn a_register_is_confirmed_once_and_retries_get_the_same_answer() {
    let w = world().await;
    let lunch = w.activity("Lunch club").await;
    let session = w.session(&lunch, 10).await;
    let path = format!("/api/v1/sessions/{session}/sign-ups");
    for token in [&w.alice, &w.bob] {
        let r = w.post(&path, token, &json!({})).await;
        assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
    }
    let r = w
        .get(
            &format!("/api/v1/sessions/{session}/register"),
            &w.coordinator,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "body: {}", r.body);
    let register = r.json();
    assert_eq!(
        register["attendees"].as_array().expect("attendees").len(),
        2
    );
    assert_eq!(register["attendees"][0]["default_minutes"], 120);
    assert!(register["confirmed_at"].is_null());

    let confirm = format!("/api/v1/sessions/{session}/register/confirmation");
    let entries = json!({ "entries": [
        { "member": w.t.alice.number.value().to_string(), "attended": true },
        { "member": w.t.bob.id.to_string(), "attended": true, "minutes": 90 }
    ]});
    w.post(&confirm, &w.coordinator, &entries)
        .await
        .problem(StatusCode::BAD_REQUEST, "idempotency_key_required");
    let key = Uuid::now_v7().to_string();
    w.post_keyed(&confirm, &w.alice, &key, &entries)
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    // Not before the session has begun.
    w.post_keyed(&confirm, &w.coordinator, &key, &entries)
        .await
        .problem(StatusCode::CONFLICT, "session_not_started");
    w.t.advance(Duration::minutes(5));
    let r = w.post_keyed(&confirm, &w.coordinator, &key, &entries).await;
    assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
    let first = r.json();
    assert_eq!(first["contributions"].as_array().expect("list").len(), 2);
    assert_eq!(first["postings"][0]["kind"], "issue");
    let retry = w.post_keyed(&confirm, &w.coordinator, &key, &entries).await;
    assert_eq!(retry.status, StatusCode::OK, "body: {}", retry.body);
    assert_eq!(retry.json()["postings"], first["postings"]);
    w.post_keyed(
        &confirm,
        &w.coordinator,
        &Uuid::now_v7().to_string(),
        &entries,
    )
    .await
    .problem(StatusCode::CONFLICT, "register_already_confirmed");
    assert_eq!(
        w.t.balance(&w.t.alice).await,
        crate::support::ALICE_MINUTES + 120
    );
    assert_eq!(w.t.balance(&w.t.bob).await, 90);
    let r = w
        .get(&format!("/api/v1/sessions/{session}/register"), &w.manager)
        .await;
    assert!(r.json()["confirmed_at"].is_string());
    assert_eq!(r.json()["contributions"].as_array().expect("list").len(), 2);
}

#[tokio::test]
async fn claims_are_confirmed_or_rejected_with_a_reason_the_member_sees() {
    let w = world().await;
    let panel = w.activity("Residents' panel").await;
    let claim = |date: String, minutes: i64| json!({ "activity": panel, "date": date, "minutes": minutes, "note": "Panel meeting" });
    let r = w
        .post("/api/v1/claims", &w.alice, &claim(days_ago(&w, 1), 90))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
    assert_eq!(r.json()["status"], "pending");
    let first = r.json()["id"].as_str().expect("id").to_owned();
    let r = w
        .post("/api/v1/claims", &w.alice, &claim(days_ago(&w, 2), 60))
        .await;
    let second = r.json()["id"].as_str().expect("id").to_owned();
    w.post("/api/v1/claims", &w.alice, &claim(days_ago(&w, -1), 60))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "future_date");
    w.post("/api/v1/claims", &w.alice, &claim(days_ago(&w, 1), 50))
        .await
        .problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_a_whole_number_of_steps",
        );
    w.post(
        "/api/v1/claims",
        &w.coordinator,
        &claim(days_ago(&w, 1), 60),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");

    let pending = format!("/api/v1/claims/pending?organisation={}", w.organisation);
    let r = w.get(&pending, &w.coordinator).await;
    assert_eq!(r.status, StatusCode::OK, "body: {}", r.body);
    assert_eq!(r.json()["items"].as_array().expect("items").len(), 2);
    w.get(&pending, &w.alice)
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    w.get(&format!("/api/v1/claims/{first}"), &w.bob)
        .await
        .problem(StatusCode::NOT_FOUND, "not_found");

    let confirm = format!("/api/v1/claims/{first}/confirmation");
    let key = Uuid::now_v7().to_string();
    w.post_keyed(&confirm, &w.alice, &key, &json!({}))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    let r = w
        .post_keyed(&confirm, &w.coordinator, &key, &json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
    assert_eq!(r.json()["contributions"][0]["origin"], "claim");
    let r = w
        .post_keyed(&confirm, &w.coordinator, &key, &json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "a retry: {}", r.body);
    w.post_keyed(
        &confirm,
        &w.coordinator,
        &Uuid::now_v7().to_string(),
        &json!({}),
    )
    .await
    .problem(StatusCode::CONFLICT, "claim_already_decided");

    let reject = format!("/api/v1/claims/{second}/rejection");
    w.post(&reject, &w.coordinator, &json!({ "reason": " " }))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "reason_required");
    let r = w
        .post(
            &reject,
            &w.coordinator,
            &json!({ "reason": "The panel did not meet that day" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "body: {}", r.body);
    w.post(&reject, &w.coordinator, &json!({ "reason": "again" }))
        .await
        .problem(StatusCode::CONFLICT, "claim_already_decided");

    let r = w.get("/api/v1/claims/mine", &w.alice).await;
    assert_eq!(r.status, StatusCode::OK, "body: {}", r.body);
    let mine = r.json();
    assert_eq!(mine["items"][0]["status"], "rejected");
    assert_eq!(
        mine["items"][0]["rejection_reason"],
        "The panel did not meet that day"
    );
    assert_eq!(mine["items"][1]["status"], "confirmed");
    assert_eq!(
        w.t.balance(&w.t.alice).await,
        crate::support::ALICE_MINUTES + 90
    );
    assert!(
        w.get(&pending, &w.coordinator).await.json()["items"]
            .as_array()
            .expect("items")
            .is_empty()
    );
}

#[tokio::test]
async fn direct_records_are_checked_and_corrections_supersede() {
    let w = world().await;
    let lunch = w.activity("Lunch club").await;
    let bob = w.t.bob.number.value().to_string();
    let record = |minutes: i64| json!({ "member": bob, "activity": lunch, "date": days_ago(&w, 1), "minutes": minutes });
    let key = Uuid::now_v7().to_string();
    let r = w
        .post_keyed("/api/v1/contributions", &w.coordinator, &key, &record(120))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
    let original = r.json()["contributions"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = w
        .post_keyed("/api/v1/contributions", &w.coordinator, &key, &record(120))
        .await;
    assert_eq!(r.status, StatusCode::OK, "a retry: {}", r.body);
    w.post_keyed("/api/v1/contributions", &w.coordinator, &key, &record(60))
        .await
        .problem(StatusCode::CONFLICT, "idempotency_conflict");
    w.post_keyed(
        "/api/v1/contributions",
        &w.coordinator,
        &Uuid::now_v7().to_string(),
        &record(660),
    )
    .await
    .problem(StatusCode::CONFLICT, "daily_cap_exceeded");
    w.post_keyed(
        "/api/v1/contributions",
        &w.bob,
        &Uuid::now_v7().to_string(),
        &record(60),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(w.t.balance(&w.t.bob).await, 120);

    let correct = format!("/api/v1/contributions/{original}/correction");
    let key = Uuid::now_v7().to_string();
    let r = w
        .post_keyed(
            &correct,
            &w.coordinator,
            &key,
            &json!({ "minutes": 90, "reason": "Left early" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
    let body = r.json();
    assert_eq!(body["postings"][0]["kind"], "issue");
    assert_eq!(body["postings"][1]["kind"], "reverse");
    assert_eq!(body["contributions"][0]["corrects"], original.as_str());
    assert_eq!(w.t.balance(&w.t.bob).await, 90);
    let r = w
        .get(&format!("/api/v1/contributions/{original}"), &w.bob)
        .await;
    assert_eq!(r.status, StatusCode::OK, "body: {}", r.body);
    assert_eq!(r.json()["superseded_by"], body["contributions"][0]["id"]);
    assert_eq!(r.json()["minutes"], 120);
    w.post_keyed(
        &correct,
        &w.coordinator,
        &Uuid::now_v7().to_string(),
        &json!({ "minutes": 60, "reason": "again" }),
    )
    .await
    .problem(StatusCode::CONFLICT, "contribution_already_corrected");
    w.get(&format!("/api/v1/contributions/{original}"), &w.alice)
        .await
        .problem(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn an_activity_has_an_optional_postcode_that_places_it() {
    let w = world().await;
    let mut body = activity_body(&w.organisation, "Lunch club, Saltney Fen");
    body["postcode"] = json!("pe14 0rx");
    let r = w.post("/api/v1/activities", &w.coordinator, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
    assert_eq!(r.json()["postcode"], "PE14 0RX");
    let id = r.json()["id"].as_str().expect("id").to_owned();

    // Members find it by postcode; a bad one is refused by name.
    let r = w.get("/api/v1/activities?place=pe14%200rx", &w.alice).await;
    assert_eq!(r.json()["items"][0]["id"], id.as_str());
    body["postcode"] = json!("PE14");
    w.post("/api/v1/activities", &w.coordinator, &body)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "postcode_invalid");
    // Left out, it is null: the activity is where its organisation is.
    let plain = w.activity("Lunch club").await;
    let r = w
        .get(&format!("/api/v1/activities/{plain}"), &w.alice)
        .await;
    assert!(r.json()["postcode"].is_null(), "body: {}", r.body);

    // Where it is: its own postcode (no lookup loaded: not in the lookup).
    let r = w
        .get(&format!("/api/v1/activities/{id}/area"), &w.coordinator)
        .await;
    assert_eq!(r.status, StatusCode::OK, "body: {}", r.body);
    assert_eq!(r.json()["source"], "activity");
    assert_eq!(r.json()["postcode"], "PE14 0RX");
    assert_eq!(r.json()["status"], "not_in_lookup");
    let r = w
        .get(&format!("/api/v1/activities/{plain}/area"), &w.manager)
        .await;
    assert_eq!(r.json()["source"], "organisation");
    assert_eq!(r.json()["status"], "no_postcode");
    w.get(&format!("/api/v1/activities/{id}/area"), &w.alice)
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
}
