//! The directory area's API, end to end over SQLite.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::support::{PIN, TestApp, TestResponse, bearer};

impl TestApp {
    async fn send_json(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> TestResponse {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, bearer(token));
        }
        let body = match body {
            Some(b) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).expect("request")).await
    }
}

#[track_caller]
fn ok(response: &TestResponse, status: StatusCode) -> Value {
    assert_eq!(response.status, status, "body: {}", response.body);
    response.json()
}

/// A partner, a coordinator's token for it, and the manager's token.
pub(crate) async fn with_partner(t: &TestApp) -> (String, String, String) {
    let manager = t.manager_token().await;
    let programme = t.programme.id;
    let created = t
        .send_json(
            "POST",
            &format!("/api/v1/programmes/{programme}/organisations"),
            Some(&manager),
            Some(&json!({
                "name": "Riverside Lunch Club", "kind": "community_group", "postcode": "pe15 8aa",
                "roles": "both", "contacts": [{"name": "Sam Smith", "email": "sam@example.org", "phone": null}]
            })),
        )
        .await;
    let org = ok(&created, StatusCode::CREATED)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let staff = t
        .send_json(
            "POST",
            &format!("/api/v1/organisations/{org}/staff"),
            Some(&manager),
            Some(&json!({"email": "casey@example.org", "display_name": "Casey", "password": "a long enough password", "role": "coordinator"})),
        )
        .await;
    ok(&staff, StatusCode::CREATED);
    let coordinator = t.token("casey@example.org", "a long enough password").await;
    (manager, org, coordinator)
}

#[tokio::test]
async fn organisations_are_created_listed_and_updated() {
    let t = TestApp::new().await;
    let (manager, org, coordinator) = with_partner(&t).await;
    let programme = t.programme.id;
    let got = ok(
        &t.send_json(
            "GET",
            &format!("/api/v1/organisations/{org}"),
            Some(&manager),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(got["postcode"], "PE15 8AA");
    assert_eq!(got["roles"], "both");
    assert_eq!(got["status"], "active");
    assert_eq!(got["contacts"][0]["email"], "sam@example.org");

    let list = ok(
        &t.send_json(
            "GET",
            &format!("/api/v1/programmes/{programme}/organisations?role=earn&status=active"),
            Some(&manager),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
    assert!(list["next_cursor"].is_null());
    let none = ok(
        &t.send_json(
            "GET",
            &format!("/api/v1/programmes/{programme}/organisations?status=suspended"),
            Some(&manager),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert!(none["items"].as_array().expect("items").is_empty());
    t.send_json(
        "GET",
        &format!("/api/v1/programmes/{programme}/organisations?role=both"),
        Some(&manager),
        None,
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    t.send_json(
        "GET",
        &format!("/api/v1/programmes/{programme}/organisations?limit=500"),
        Some(&manager),
        None,
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    t.send_json(
        "GET",
        &format!("/api/v1/programmes/{programme}/organisations?cursor=nope"),
        Some(&manager),
        None,
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");

    // Members see partners, without contact details.
    let alice = t.alice_token().await;
    let seen = ok(
        &t.send_json(
            "GET",
            &format!("/api/v1/organisations/{org}"),
            Some(&alice),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert!(seen["contacts"].as_array().expect("contacts").is_empty());

    let updated = ok(
        &t.send_json(
            "PATCH",
            &format!("/api/v1/organisations/{org}"),
            Some(&coordinator),
            Some(&json!({"postcode": null, "kind": "health"})),
        )
        .await,
        StatusCode::OK,
    );
    assert!(updated["postcode"].is_null());
    assert_eq!(updated["kind"], "health");
    t.send_json(
        "PATCH",
        &format!("/api/v1/organisations/{org}"),
        Some(&coordinator),
        Some(&json!({"roles": "earn"})),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    t.send_json(
        "PATCH",
        &format!("/api/v1/organisations/{org}"),
        Some(&manager),
        Some(&json!({"postcode": "nonsense"})),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "postcode_invalid");
    t.send_json(
        "PATCH",
        &format!("/api/v1/organisations/{org}"),
        Some(&manager),
        Some(&json!({"colour": "red"})),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    t.send_json(
        "POST",
        &format!("/api/v1/programmes/{programme}/organisations"),
        Some(&coordinator),
        Some(&json!({"name": "X", "kind": "other", "roles": "earn"})),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    t.send_json(
        "POST",
        &format!("/api/v1/programmes/{programme}/organisations"),
        Some(&manager),
        Some(&json!({"name": "X", "kind": "pub", "roles": "earn"})),
    )
    .await
    .problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "organisation_kind_unknown",
    );
    t.send_json(
        "GET",
        "/api/v1/organisations/not-a-uuid",
        Some(&manager),
        None,
    )
    .await
    .problem(StatusCode::BAD_REQUEST, "malformed_id");
    t.send_json("GET", &format!("/api/v1/organisations/{org}"), None, None)
        .await
        .problem(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn suspension_policy_and_staff() {
    let t = TestApp::new().await;
    let (manager, org, coordinator) = with_partner(&t).await;
    let suspended = ok(
        &t.send_json(
            "POST",
            &format!("/api/v1/organisations/{org}/suspension"),
            Some(&manager),
            Some(&json!({"reason": "review"})),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(suspended["status"], "suspended");
    assert_eq!(suspended["status_reason"], "review");
    assert!(suspended["status_changed_by"].is_string());
    t.send_json(
        "POST",
        &format!("/api/v1/organisations/{org}/suspension"),
        Some(&manager),
        Some(&json!({})),
    )
    .await
    .problem(StatusCode::CONFLICT, "organisation_already_suspended");
    t.send_json(
        "POST",
        &format!("/api/v1/organisations/{org}/reactivation"),
        Some(&coordinator),
        None,
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    let active = ok(
        &t.send_json(
            "POST",
            &format!("/api/v1/organisations/{org}/reactivation"),
            Some(&manager),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(active["status"], "active");
    t.send_json(
        "POST",
        &format!("/api/v1/organisations/{org}/reactivation"),
        Some(&manager),
        None,
    )
    .await
    .problem(StatusCode::CONFLICT, "organisation_already_active");

    let policy = ok(
        &t.send_json(
            "GET",
            &format!("/api/v1/organisations/{org}/earn-policy"),
            Some(&coordinator),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(
        policy,
        json!({"members_may_claim": true, "hours_confirmed_by": "coordinators"})
    );
    let set = ok(
        &t.send_json(
            "PUT",
            &format!("/api/v1/organisations/{org}/earn-policy"),
            Some(&coordinator),
            Some(&json!({"members_may_claim": false, "hours_confirmed_by": "programme_team"})),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(set["hours_confirmed_by"], "programme_team");
    t.send_json(
        "PUT",
        &format!("/api/v1/organisations/{org}/earn-policy"),
        Some(&coordinator),
        Some(&json!({"members_may_claim": false, "hours_confirmed_by": "anyone"})),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let alice = t.alice_token().await;
    t.send_json(
        "PUT",
        &format!("/api/v1/organisations/{org}/earn-policy"),
        Some(&alice),
        Some(&json!({"members_may_claim": true, "hours_confirmed_by": "coordinators"})),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");

    let staff = ok(
        &t.send_json(
            "GET",
            &format!("/api/v1/organisations/{org}/staff"),
            Some(&coordinator),
            None,
        )
        .await,
        StatusCode::OK,
    );
    let items = staff["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    let user = items[0]["user_id"].as_str().expect("user").to_owned();
    t.send_json(
        "POST",
        &format!("/api/v1/organisations/{org}/staff"),
        Some(&coordinator),
        Some(&json!({"email": "x@example.org", "role": "coordinator"})),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    t.send_json(
        "POST",
        &format!("/api/v1/organisations/{org}/staff"),
        Some(&manager),
        Some(&json!({"email": "new@example.org", "role": "coordinator"})),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "staff_sign_in_needed");
    t.send_json(
        "POST",
        &format!("/api/v1/organisations/{org}/staff"),
        Some(&manager),
        Some(&json!({"email": "casey@example.org", "role": "administrator"})),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let removed = t
        .send_json(
            "DELETE",
            &format!("/api/v1/organisations/{org}/staff/{user}/coordinator"),
            Some(&manager),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    t.send_json(
        "DELETE",
        &format!("/api/v1/organisations/{org}/staff/{user}/coordinator"),
        Some(&manager),
        None,
    )
    .await
    .problem(StatusCode::NOT_FOUND, "not_found");
    // With no role left in the programme, the organisation is out of sight.
    t.send_json(
        "GET",
        &format!("/api/v1/organisations/{org}/staff"),
        Some(&coordinator),
        None,
    )
    .await
    .problem(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn members_are_registered_on_behalf_and_seen_by_their_coordinators() {
    let t = TestApp::new().await;
    let (manager, org, coordinator) = with_partner(&t).await;
    let programme = t.programme.id;
    let reg = ok(
        &t.send_json(
            "POST",
            &format!("/api/v1/programmes/{programme}/members"),
            Some(&coordinator),
            Some(&json!({"display_name": "Bea Brown", "organisation": org, "language": "pl", "phone": "01234 567890"})),
        )
        .await,
        StatusCode::CREATED,
    );
    assert_eq!(reg["status"], "active");
    assert_eq!(reg["channel"], "on_behalf");
    let bea = reg["member_id"].as_str().expect("id").to_owned();
    let number = reg["member_number"].as_str().expect("number").to_owned();
    t.send_json(
        "POST",
        &format!("/api/v1/programmes/{programme}/members"),
        Some(&coordinator),
        Some(&json!({"display_name": "No Org"})),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");

    let members = ok(
        &t.send_json(
            "GET",
            &format!("/api/v1/organisations/{org}/members"),
            Some(&coordinator),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(members["items"][0]["member_id"], bea.as_str());
    assert_eq!(members["items"][0]["phone"], "01234 567890");
    // By number too; coordinators see their members but not others'.
    let profile = ok(
        &t.send_json(
            "GET",
            &format!("/api/v1/members/{number}/profile"),
            Some(&coordinator),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(profile["language"], "pl");
    t.send_json(
        "GET",
        &format!("/api/v1/members/{}/profile", t.alice.id),
        Some(&coordinator),
        None,
    )
    .await
    .problem(StatusCode::NOT_FOUND, "not_found");
    let alice = t.alice_token().await;
    t.send_json(
        "GET",
        &format!("/api/v1/members/{bea}/profile"),
        Some(&alice),
        None,
    )
    .await
    .problem(StatusCode::NOT_FOUND, "not_found");
    t.send_json(
        "GET",
        &format!("/api/v1/organisations/{org}/members"),
        Some(&alice),
        None,
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");

    // Join and leave.
    let joined = ok(
        &t.send_json(
            "PUT",
            &format!("/api/v1/members/{}/organisations/{org}", t.alice.id),
            Some(&manager),
            None,
        )
        .await,
        StatusCode::CREATED,
    );
    assert_eq!(joined["organisation_id"], org.as_str());
    t.send_json(
        "PUT",
        &format!("/api/v1/members/{}/organisations/{org}", t.alice.id),
        Some(&coordinator),
        None,
    )
    .await
    .problem(StatusCode::CONFLICT, "already_a_member");
    let links = ok(
        &t.send_json(
            "GET",
            &format!("/api/v1/members/{}/organisations", t.alice.id),
            Some(&alice),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(links["items"].as_array().expect("items").len(), 1);
    let left = t
        .send_json(
            "DELETE",
            &format!("/api/v1/members/{}/organisations/{org}", t.alice.id),
            Some(&coordinator),
            None,
        )
        .await;
    assert_eq!(left.status, StatusCode::NO_CONTENT, "{}", left.body);
    t.send_json(
        "DELETE",
        &format!("/api/v1/members/{}/organisations/{org}", t.alice.id),
        Some(&coordinator),
        None,
    )
    .await
    .problem(StatusCode::CONFLICT, "not_a_member");
}

#[tokio::test]
async fn self_registration_approval_and_decline() {
    let t = TestApp::new().await;
    let manager = t.manager_token().await;
    let programme = t.programme.id;
    let path = format!("/api/v1/programmes/{programme}/registrations");
    let dana = ok(
        &t.send_json(
            "POST",
            &path,
            None,
            Some(&json!({"display_name": "Dana", "pin": "4071"})),
        )
        .await,
        StatusCode::CREATED,
    );
    assert_eq!(dana["status"], "pending");
    assert_eq!(dana["channel"], "self");
    let number = dana["member_number"].as_str().expect("number").to_owned();
    // Dana can sign in and sees herself as pending.
    let token = t.token(&number, "4071").await;
    let me = ok(
        &t.send_json(
            "GET",
            &format!("/api/v1/members/{number}/profile"),
            Some(&token),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(me["status"], "pending");
    // Strict input.
    t.send_json(
        "POST",
        &path,
        None,
        Some(&json!({"display_name": "X", "pin": "1111"})),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "pin_too_easy");
    t.send_json("POST", &path, None, Some(&json!({"display_name": "X"})))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "sign_in_choice_invalid");
    t.send_json(
        "POST",
        &path,
        None,
        Some(&json!({"display_name": "X", "pin": "4071", "admin": true})),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    t.send_json(
        "POST",
        &path,
        None,
        Some(&json!({"display_name": "", "pin": "4071"})),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "display_name_invalid");
    let eve = ok(
        &t.send_json("POST", &path, None, Some(&json!({"display_name": "Eve", "email": "eve@example.org", "password": "a long enough password"}))).await,
        StatusCode::CREATED,
    );
    t.send_json("POST", &path, None, Some(&json!({"display_name": "Eve 2", "email": "EVE@example.org", "password": "a long enough password"}))).await.problem(StatusCode::CONFLICT, "email_already_registered");

    let pending = ok(
        &t.send_json("GET", &path, Some(&manager), None).await,
        StatusCode::OK,
    );
    assert_eq!(pending["items"].as_array().expect("items").len(), 2);
    let alice = t.alice_token().await;
    t.send_json("GET", &path, Some(&alice), None)
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    t.send_json("GET", &path, None, None)
        .await
        .problem(StatusCode::UNAUTHORIZED, "unauthenticated");

    let approved = ok(
        &t.send_json(
            "POST",
            &format!("/api/v1/members/{number}/registration/approval"),
            Some(&manager),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(approved["status"], "active");
    assert!(approved["decided_by"].is_string());
    t.send_json(
        "POST",
        &format!("/api/v1/members/{number}/registration/approval"),
        Some(&manager),
        None,
    )
    .await
    .problem(StatusCode::CONFLICT, "registration_already_decided");
    let eve_id = eve["member_id"].as_str().expect("id");
    t.send_json(
        "POST",
        &format!("/api/v1/members/{eve_id}/registration/decline"),
        Some(&manager),
        Some(&json!({"reason": " "})),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "decline_reason_required");
    t.send_json(
        "POST",
        &format!("/api/v1/members/{eve_id}/registration/decline"),
        Some(&alice),
        Some(&json!({"reason": "no"})),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    let declined = ok(
        &t.send_json(
            "POST",
            &format!("/api/v1/members/{eve_id}/registration/decline"),
            Some(&manager),
            Some(&json!({"reason": "registered twice"})),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(
        (
            declined["status"].as_str(),
            declined["decline_reason"].as_str()
        ),
        (Some("declined"), Some("registered twice"))
    );

    // Closed: nobody registers online.
    let set = ok(
        &t.send_json(
            "PUT",
            &format!("/api/v1/programmes/{programme}/self-registration"),
            Some(&manager),
            Some(&json!({"self_registration": "closed"})),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(set["self_registration"], "closed");
    t.send_json(
        "POST",
        &path,
        None,
        Some(&json!({"display_name": "Fay", "pin": "4071"})),
    )
    .await
    .problem(StatusCode::CONFLICT, "self_registration_closed");
    t.send_json(
        "PUT",
        &format!("/api/v1/programmes/{programme}/self-registration"),
        Some(&alice),
        Some(&json!({"self_registration": "open"})),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    t.send_json(
        "PUT",
        &format!("/api/v1/programmes/{programme}/self-registration"),
        Some(&manager),
        Some(&json!({"self_registration": "maybe"})),
    )
    .await
    .problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "self_registration_unknown",
    );
    t.send_json(
        "POST",
        &format!("/api/v1/programmes/{}/registrations", uuid::Uuid::now_v7()),
        None,
        Some(&json!({"display_name": "Gus", "pin": "4071"})),
    )
    .await
    .problem(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn profiles_and_the_proxy_log() {
    let t = TestApp::new().await;
    let (manager, org, coordinator) = with_partner(&t).await;
    let alice = t.alice_token().await;
    let a = t.alice.id;
    let updated = ok(
        &t.send_json("PATCH", &format!("/api/v1/members/{a}/profile"), Some(&alice), Some(&json!({"language": "pl", "skills": ["cooking_and_food"], "skills_text": "Polish cooking"}))).await,
        StatusCode::OK,
    );
    assert_eq!(updated["skills"], json!(["cooking_and_food"]));
    assert_eq!(updated["language"], "pl");
    t.send_json(
        "PATCH",
        &format!("/api/v1/members/{a}/profile"),
        Some(&alice),
        Some(&json!({"skills": ["juggling"]})),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "skill_category_unknown");
    t.send_json(
        "PATCH",
        &format!("/api/v1/members/{a}/profile"),
        Some(&alice),
        Some(&json!({"language": "english"})),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "language_invalid");
    t.send_json(
        "PATCH",
        &format!("/api/v1/members/{}/profile", t.bob.id),
        Some(&alice),
        Some(&json!({"language": "en"})),
    )
    .await
    .problem(StatusCode::NOT_FOUND, "not_found");

    // The coordinator of an organisation Alice belongs to edits for her: a proxy action.
    ok(
        &t.send_json(
            "PUT",
            &format!("/api/v1/members/{a}/organisations/{org}"),
            Some(&manager),
            None,
        )
        .await,
        StatusCode::CREATED,
    );
    ok(
        &t.send_json(
            "PATCH",
            &format!("/api/v1/members/{a}/profile"),
            Some(&coordinator),
            Some(&json!({"phone": "07700 900123"})),
        )
        .await,
        StatusCode::OK,
    );
    let log = ok(
        &t.send_json(
            "GET",
            &format!("/api/v1/members/{a}/proxy-actions"),
            Some(&alice),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(log["items"][0]["action"], "update_profile");
    assert_eq!(log["items"][0]["member_id"], a.to_string());
    let by_manager = ok(
        &t.send_json(
            "GET",
            &format!(
                "/api/v1/members/{}/proxy-actions?limit=1",
                t.alice.number.value()
            ),
            Some(&manager),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(by_manager["items"].as_array().expect("items").len(), 1);
    t.send_json(
        "GET",
        &format!("/api/v1/members/{a}/proxy-actions"),
        Some(&coordinator),
        None,
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    let bob = t.token(&t.bob.number.value().to_string(), PIN).await;
    t.send_json(
        "GET",
        &format!("/api/v1/members/{a}/proxy-actions"),
        Some(&bob),
        None,
    )
    .await
    .problem(StatusCode::NOT_FOUND, "not_found");

    let categories = ok(
        &t.send_json("GET", "/api/v1/skill-categories", None, None)
            .await,
        StatusCode::OK,
    );
    assert!(categories["items"].as_array().expect("items").len() > 5);
}

#[tokio::test]
async fn the_openapi_document_describes_the_directory() {
    let t = TestApp::new().await;
    let doc = ok(&t.get("/api/openapi.json", &[]).await, StatusCode::OK);
    for (path, method, id) in [
        (
            "/api/v1/programmes/{programme}/organisations",
            "post",
            "create_organisation",
        ),
        (
            "/api/v1/programmes/{programme}/registrations",
            "post",
            "self_register",
        ),
        (
            "/api/v1/members/{member}/proxy-actions",
            "get",
            "list_proxy_actions",
        ),
        (
            "/api/v1/organisations/{organisation}/earn-policy",
            "put",
            "set_earn_policy",
        ),
    ] {
        assert_eq!(doc["paths"][path][method]["operationId"], id, "{path}");
    }
}
