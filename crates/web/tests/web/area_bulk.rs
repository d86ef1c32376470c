//! Bulk data over the API: CSV imports with a JSON report, and paged CSV
//! exports.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use timecredits_app::NewOrganisation;
use timecredits_domain::activity::{ActivityDetails, CoProductionLevel, CoProductionMode};
use uuid::Uuid;

use crate::support::{TestApp, TestResponse, bearer};

async fn post_csv(
    app: &TestApp,
    path: &str,
    token: &str,
    key: Option<&str>,
    content_type: &str,
    csv: &str,
) -> TestResponse {
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::AUTHORIZATION, token);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    app.send(request.body(Body::from(csv.to_owned())).expect("request"))
        .await
}

fn import_path(app: &TestApp, kind: &str) -> String {
    format!("/api/v1/programmes/{}/imports/{kind}", app.programme.id)
}

fn export_path(app: &TestApp, file: &str) -> String {
    format!("/api/v1/programmes/{}/exports/{file}", app.programme.id)
}

const MEMBERS: &str =
    "display_name,member_number,email\r\nAnn Example,1234566,ann@example.org\r\nBen Example,,\r\n";

#[tokio::test]
async fn a_dry_run_reports_and_an_import_writes_once() {
    let app = TestApp::new().await;
    let manager = bearer(&app.manager_token().await);
    let path = import_path(&app, "members");
    let before = app
        .app
        .store()
        .members(app.programme.id)
        .await
        .expect("members")
        .len();

    let dry = post_csv(
        &app,
        &format!("{path}?dry_run=true"),
        &manager,
        None,
        "text/csv",
        MEMBERS,
    )
    .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    let report = dry.json();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["created"], 2);
    assert_eq!(report["errors"].as_array().expect("errors").len(), 0);
    let count = || async {
        app.app
            .store()
            .members(app.programme.id)
            .await
            .expect("members")
            .len()
    };
    assert_eq!(count().await, before);

    // A real import needs an idempotency key.
    let keyless = post_csv(&app, &path, &manager, None, "text/csv", MEMBERS).await;
    keyless.problem(StatusCode::BAD_REQUEST, "idempotency_key_required");

    let key = Uuid::now_v7().to_string();
    let done = post_csv(&app, &path, &manager, Some(&key), "text/csv", MEMBERS).await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    assert_eq!(done.json()["created"], 2);
    assert_eq!(count().await, before + 2);

    let again = post_csv(&app, &path, &manager, Some(&key), "text/csv", MEMBERS).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.json()["replayed"], true);
    assert_eq!(count().await, before + 2);

    let other = post_csv(
        &app,
        &path,
        &manager,
        Some(&key),
        "text/csv",
        "display_name\r\nSomeone Else\r\n",
    )
    .await;
    other.problem(StatusCode::CONFLICT, "idempotency_conflict");
}

#[tokio::test]
async fn bad_rows_are_reported_by_line_and_nothing_is_written() {
    let app = TestApp::new().await;
    let manager = bearer(&app.manager_token().await);
    let key = Uuid::now_v7().to_string();
    let response = post_csv(
        &app,
        &import_path(&app, "organisations"),
        &manager,
        Some(&key),
        "text/csv; charset=utf-8",
        "name,kind,roles,postcode\nSchool,school,earn,SW1A 1AA\nPool,swimming,spend,\nLibrary,library,both,NOT A POSTCODE\n",
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        response.body
    );
    let report = response.json();
    assert_eq!(report["created"], 0);
    let errors = report["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0]["line"], 3);
    assert_eq!(errors[0]["code"], "organisation_kind_unknown");
    assert_eq!(errors[1]["line"], 4);
    let partners = app
        .app
        .store()
        .organisations(app.programme.id)
        .await
        .expect("organisations");
    assert!(partners.iter().all(|o| o.name != "School"));
}

#[tokio::test]
async fn contributions_are_imported_as_credits() {
    let app = TestApp::new().await;
    let manager = bearer(&app.manager_token().await);
    let hall = app
        .app
        .create_organisation(
            &app.manager,
            NewOrganisation {
                programme: app.programme.id,
                name: "Village Hall".into(),
            },
        )
        .await
        .expect("organisation");
    app.app
        .create_activity(
            &app.manager,
            hall.id,
            ActivityDetails {
                title: "Lunch club".into(),
                description: String::new(),
                level: CoProductionLevel::Group,
                mode: CoProductionMode::CoDelivery,
                place: String::new(),
                postcode: None,
                accessibility: String::new(),
                usual_duration_minutes: 120,
                earns_credits: true,
            },
        )
        .await
        .expect("activity");
    let before = app.balance(&app.bob).await;
    let day = (chrono::Utc::now().date_naive() - chrono::Duration::days(3)).format("%Y-%m-%d");
    let csv = format!(
        "member_number,organisation,activity,date,minutes\n{n},Village Hall,Lunch club,{day},90\n{n},Village Hall,Lunch club,{day},30\n",
        n = app.bob.number.value()
    );
    let key = Uuid::now_v7().to_string();
    let response = post_csv(
        &app,
        &import_path(&app, "contributions"),
        &manager,
        Some(&key),
        "text/csv",
        &csv,
    )
    .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    assert_eq!(response.json()["created"], 2);
    assert_eq!(app.balance(&app.bob).await, before + 120);

    // The ledger export shows both issuances.
    let export = app
        .get(
            &export_path(&app, "transfers.csv"),
            &[("authorization", &manager)],
        )
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    assert!(export.header(header::CONTENT_TYPE).starts_with("text/csv"));
    assert_eq!(
        export
            .body
            .lines()
            .filter(|l| l.contains("Time given (imported)"))
            .count(),
        2
    );
}

#[tokio::test]
async fn exports_are_paged_csv_for_managers_only() {
    let app = TestApp::new().await;
    let manager = bearer(&app.manager_token().await);
    let alice = bearer(&app.alice_token().await);

    let first = app
        .get(
            &format!("{}?limit=1", export_path(&app, "members.csv")),
            &[("authorization", &manager)],
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let lines: Vec<&str> = first.body.lines().collect();
    assert!(lines[0].starts_with("id,member_number,display_name"));
    assert_eq!(lines.len(), 2, "a header and one member");
    let link = first.header(header::LINK).to_owned();
    assert!(link.ends_with("rel=\"next\""), "{link}");
    let next = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .expect("address")
        .to_owned();
    let second = app.get(&next, &[("authorization", &manager)]).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.body.lines().count(), 2);
    assert_ne!(second.body.lines().nth(1), first.body.lines().nth(1));
    assert!(second.headers.get(header::LINK).is_none(), "two members");

    for file in [
        "organisations.csv",
        "activities.csv",
        "contributions.csv",
        "redemptions.csv",
    ] {
        let r = app
            .get(&export_path(&app, file), &[("authorization", &manager)])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{file}: {}", r.body);
    }
    app.get(
        &export_path(&app, "secrets.csv"),
        &[("authorization", &manager)],
    )
    .await
    .problem(StatusCode::NOT_FOUND, "not_found");
    app.get(
        &export_path(&app, "members.csv"),
        &[("authorization", &alice)],
    )
    .await
    .problem(StatusCode::FORBIDDEN, "forbidden");
    let denied = post_csv(
        &app,
        &import_path(&app, "members"),
        &alice,
        Some(&Uuid::now_v7().to_string()),
        "text/csv",
        MEMBERS,
    )
    .await;
    denied.problem(StatusCode::FORBIDDEN, "forbidden");
    let json = post_csv(
        &app,
        &import_path(&app, "members"),
        &manager,
        Some(&Uuid::now_v7().to_string()),
        "application/json",
        "{}",
    )
    .await;
    json.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    assert_eq!(
        app.get(&export_path(&app, "members.csv"), &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
}
