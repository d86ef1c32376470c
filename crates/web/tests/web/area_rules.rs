//! Programme rules, the circulation summary, and the API's own description.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{TestApp, bearer};

fn rules_path(app: &TestApp) -> String {
    format!("/api/v1/programmes/{}/rules", app.programme.id)
}

fn tomorrow() -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string()
}

fn rules(effective_from: &str, granularity: i64) -> serde_json::Value {
    json!({
        "effective_from": effective_from,
        "granularity_minutes": granularity,
        "daily_cap_minutes": 480,
        "members_may_claim": false,
        "exchange_overdraft_minutes": 60,
        "expiry_months": 12,
        "partner_receipts": "keep_to_reissue"
    })
}

#[tokio::test]
async fn rules_are_versioned_and_only_managers_change_them() {
    let app = TestApp::new().await;
    let manager = bearer(&app.manager_token().await);
    let alice = bearer(&app.alice_token().await);

    let read = app
        .get(&rules_path(&app), &[("authorization", &manager)])
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    let versions = read.json()["versions"]
        .as_array()
        .expect("versions")
        .clone();
    assert_eq!(versions.len(), 1, "a programme opens with one version");
    assert_eq!(versions[0]["granularity_minutes"], 15);
    assert_eq!(versions[0]["daily_cap_minutes"], 720);
    assert_eq!(
        app.get(&rules_path(&app), &[("authorization", &alice)])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&rules_path(&app), &[]).await.status,
        StatusCode::UNAUTHORIZED
    );

    let later = tomorrow();
    let changed = app
        .post_json(
            &rules_path(&app),
            &[("authorization", &manager)],
            &rules(&later, 30),
        )
        .await;
    assert_eq!(changed.status, StatusCode::CREATED, "{}", changed.body);
    let versions = changed.json()["versions"]
        .as_array()
        .expect("versions")
        .clone();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["effective_from"], later.as_str());
    assert_eq!(versions[1]["partner_receipts"], "keep_to_reissue");
    assert_eq!(versions[1]["expiry_months"], 12);

    let auth = [("authorization", manager.as_str())];
    app.post_json(&rules_path(&app), &auth, &rules("2020-01-01", 15))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "rules_in_the_past");
    app.post_json(&rules_path(&app), &auth, &rules(&later, 15))
        .await
        .problem(StatusCode::CONFLICT, "rules_already_changing");
    let far = (chrono::Utc::now().date_naive() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    app.post_json(&rules_path(&app), &auth, &rules(&far, 0))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "granularity_out_of_range");
    app.post_json(&rules_path(&app), &auth, &rules("next tuesday", 15))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    app.post_json(
        &rules_path(&app),
        &[("authorization", &alice)],
        &rules(&far, 15),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    let unchanged = app.get(&rules_path(&app), &auth).await.json();
    assert_eq!(
        unchanged["versions"].as_array().map(Vec::len),
        Some(2),
        "refused changes leave nothing behind"
    );
}

async fn alice_gives_bob_half_an_hour(app: &TestApp, alice: &str) {
    let gift = app
        .post_json(
            "/api/v1/gifts",
            &[
                ("authorization", alice),
                ("idempotency-key", &uuid::Uuid::now_v7().to_string()),
            ],
            &json!({ "to_member": app.bob.id.to_string(), "minutes": 30 }),
        )
        .await;
    assert_eq!(gift.status, StatusCode::CREATED, "{}", gift.body);
}

#[tokio::test]
async fn the_circulation_summary_reconciles_and_is_for_managers() {
    let app = TestApp::new().await;
    let manager = bearer(&app.manager_token().await);
    let alice = bearer(&app.alice_token().await);
    let path = format!("/api/v1/programmes/{}/circulation", app.programme.id);
    alice_gives_bob_half_an_hour(&app, &alice).await;

    let summary = app.get(&path, &[("authorization", &manager)]).await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.body);
    let s = summary.json();
    assert_eq!(s["issued_minutes"], crate::support::ALICE_MINUTES);
    assert_eq!(s["gifted_minutes"], 30);
    assert_eq!(s["opening_outstanding_minutes"], 0);
    assert_eq!(
        s["closing_outstanding_minutes"],
        crate::support::ALICE_MINUTES
    );

    let csv = app
        .get(
            &format!("{path}?format=csv"),
            &[("authorization", &manager)],
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("measure,minutes\r\n"), "{}", csv.body);
    assert!(csv.body.contains("gifted,30\r\n"), "{}", csv.body);

    let later = app
        .get(
            &format!("{path}?from=2999-01-01T00:00:00Z&to=2999-02-01T00:00:00Z"),
            &[("authorization", &manager)],
        )
        .await;
    assert_eq!(
        later.json()["opening_outstanding_minutes"],
        crate::support::ALICE_MINUTES
    );
    assert_eq!(later.json()["issued_minutes"], 0);

    app.get(&path, &[("authorization", &alice)])
        .await
        .problem(StatusCode::NOT_FOUND, "not_found");
    app.get(
        &format!("{path}?from=yesterday"),
        &[("authorization", &manager)],
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
}

/// With a report max age, the summary is computed once and read as kept
/// until it expires: a gift made since shows only in a summary computed
/// after it. Who may see it is still checked on every request.
#[tokio::test]
async fn a_kept_circulation_summary_is_still_checked_and_shows_later_gifts_once_computed_again() {
    let app = TestApp::new()
        .await
        .with_report_max_age(std::time::Duration::from_secs(3600));
    let manager = bearer(&app.manager_token().await);
    let alice = bearer(&app.alice_token().await);
    let path = format!("/api/v1/programmes/{}/circulation", app.programme.id);
    let first = app.get(&path, &[("authorization", &manager)]).await.json();
    assert_eq!(first["gifted_minutes"], 0);
    alice_gives_bob_half_an_hour(&app, &alice).await;
    let kept = app.get(&path, &[("authorization", &manager)]).await.json();
    assert_eq!(kept, first, "read as kept, so the gift is not in it yet");
    app.get(&path, &[("authorization", &alice)])
        .await
        .problem(StatusCode::NOT_FOUND, "not_found");

    let computed = app
        .app
        .clone()
        .with_report_max_age(std::time::Duration::ZERO)
        .circulation(&app.manager, app.programme.id, None, None)
        .await
        .expect("computed again");
    assert_eq!(
        computed.summary.gifted, 30,
        "computed afresh, the gift is there"
    );
    let first_at =
        chrono::DateTime::parse_from_rfc3339(first["computed_at"].as_str().expect("computed_at"))
            .expect("an RFC 3339 time");
    assert!(
        computed.computed_at > first_at,
        "says it was computed later"
    );
}

#[tokio::test]
async fn the_api_describes_itself_in_openapi_3_1_and_a_readable_page() {
    let app = TestApp::new().await;
    let doc = app.get("/api/openapi.json", &[]).await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let mut ids = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, op) in item.as_object().expect("operations") {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            ids.push(id.to_owned());
        }
    }
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids are unique");
    for expected in [
        "create_token",
        "give_gift",
        "change_programme_rules",
        "programme_circulation",
    ] {
        assert!(
            ids.iter().any(|i| i == expected),
            "{expected} is documented"
        );
    }
    let page = app.get("/api/docs", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = scraper::Html::parse_document(&page.body);
    let headings = scraper::Selector::parse("section h2[id]").expect("selector");
    let documented: Vec<String> = html
        .select(&headings)
        .filter_map(|h| h.value().attr("id").map(str::to_owned))
        .collect();
    assert_eq!(
        documented.len(),
        count,
        "every operation has a section on the page"
    );
    assert!(documented.contains(&"give_gift".to_owned()));
}

#[tokio::test]
async fn administrators_open_programmes_and_name_their_managers() {
    let app = TestApp::new().await;
    let admin = bearer(
        &app.token("admin@example.org", "a long admin password")
            .await,
    );
    let manager = bearer(&app.manager_token().await);
    let body = json!({
        "name": "Wisbech Time Credits", "locality": "Wisbech", "time_zone": "Europe/London",
        "language": "en", "exchange_overdraft_minutes": 60
    });
    let created = app
        .post_json("/api/v1/programmes", &[("authorization", &admin)], &body)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    app.post_json("/api/v1/programmes", &[("authorization", &manager)], &body)
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    let bad_zone =
        json!({ "name": "X", "locality": "X", "time_zone": "Mars/Olympus", "language": "en" });
    app.post_json(
        "/api/v1/programmes",
        &[("authorization", &admin)],
        &bad_zone,
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");

    // The administrator sees both programmes; the first programme's manager only theirs.
    let all = app
        .get("/api/v1/programmes", &[("authorization", &admin)])
        .await
        .json();
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));
    let theirs = app
        .get("/api/v1/programmes", &[("authorization", &manager)])
        .await
        .json();
    assert_eq!(theirs["items"].as_array().map(Vec::len), Some(1));
    app.get(
        &format!("/api/v1/programmes/{id}"),
        &[("authorization", &manager)],
    )
    .await
    .problem(StatusCode::NOT_FOUND, "not_found");

    // Its first manager, then that manager adds an evaluator but may not add managers.
    let staff = |email: &str, role: &str| json!({ "email": email, "display_name": "Staff", "password": "a long staff password", "role": role });
    let path = format!("/api/v1/programmes/{id}/staff");
    let made = app
        .post_json(
            &path,
            &[("authorization", &admin)],
            &staff("w@example.org", "programme_manager"),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let wisbech = bearer(&app.token("w@example.org", "a long staff password").await);
    let rules = app
        .get(
            &format!("/api/v1/programmes/{id}/rules"),
            &[("authorization", &wisbech)],
        )
        .await
        .json();
    assert_eq!(rules["versions"][0]["exchange_overdraft_minutes"], 60);
    let evaluator = app
        .post_json(
            &path,
            &[("authorization", &wisbech)],
            &staff("e@example.org", "evaluator"),
        )
        .await;
    assert_eq!(evaluator.status, StatusCode::CREATED, "{}", evaluator.body);
    app.post_json(
        &path,
        &[("authorization", &wisbech)],
        &staff("m2@example.org", "programme_manager"),
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    app.post_json(
        &path,
        &[("authorization", &manager)],
        &staff("x@example.org", "evaluator"),
    )
    .await
    .problem(StatusCode::NOT_FOUND, "not_found");
    app.post_json(
        &path,
        &[("authorization", &admin)],
        &staff("w@example.org", "evaluator"),
    )
    .await
    .problem(StatusCode::CONFLICT, "conflict");
}
