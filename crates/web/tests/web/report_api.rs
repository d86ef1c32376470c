//! The reports' JSON API: the same tables as the published report, for the
//! programme's managers and evaluators only, with bad filters named.

use axum::http::StatusCode;
use timecredits_app::evaluation::ReportKind;
use timecredits_app::evaluation::eval::analytics::{Filter, SUPPRESSED};

use crate::report_data::{
    EVALUATOR_EMAIL, EVALUATOR_PASSWORD, evaluator, in_person, with_evaluation_data,
};
use crate::support::{TestApp, bearer};

#[tokio::test]
async fn reports_come_as_json_with_the_published_tables() {
    let t = TestApp::new().await;
    with_evaluation_data(&t).await;
    let token = t.token(EVALUATOR_EMAIL, EVALUATOR_PASSWORD).await;
    let auth = bearer(&token);
    let base = format!("/api/v1/programmes/{}/reports", t.programme.id);
    let eve = evaluator(&t).await;

    for kind in ReportKind::ALL {
        let r = t
            .get(
                &format!("{base}/{}", kind.as_str()),
                &[("authorization", &auth)],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "body: {}", r.body);
        let body = r.json();
        assert_eq!(body["report"], kind.as_str());
        assert_eq!(body["threshold"], 5);
        let published = t
            .app
            .analytics_report(&eve, t.programme.id, kind, &Filter::default())
            .await
            .expect("report");
        let tables = body["tables"].as_array().expect("tables");
        assert_eq!(tables.len(), published.tables.len());
        for ((json, table), wave) in tables
            .iter()
            .zip(&published.tables)
            .zip(&published.wave_months)
        {
            assert_eq!(json["title"], table.title.as_str());
            assert_eq!(
                json["wave_months"],
                serde_json::json!(wave),
                "{}",
                table.title
            );
            assert_eq!(json["columns"], serde_json::json!(table.header));
            assert_eq!(json["rows"], serde_json::json!(table.rows));
        }
    }
    // As on the dashboard, a hidden count reads as the marker.
    let reach = t
        .get(&format!("{base}/reach"), &[("authorization", &auth)])
        .await
        .json();
    let text = reach.to_string();
    assert!(text.contains(SUPPRESSED), "{text}");

    // Filters narrow it; bad ones are named.
    let r = t
        .get(
            &format!("{base}/engagement?from=2020-01-01&to=2020-01-31&level=group"),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "body: {}", r.body);
    for (query, field) in [
        ("level=team", "level"),
        ("mode=cooking", "mode"),
        ("from=31/01/2026", "from"),
        ("from=2026-02-01&to=2026-01-01", "from"),
    ] {
        let problem = t
            .get(
                &format!("{base}/reach?{query}"),
                &[("authorization", &auth)],
            )
            .await
            .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert!(problem.to_string().contains(field), "{query}: {problem}");
    }
    t.get(&format!("{base}/wellbeing"), &[("authorization", &auth)])
        .await
        .problem(StatusCode::NOT_FOUND, "not_found");

    // A member, and nobody signed in, get nothing.
    let alice = t.alice_token().await;
    t.get(
        &format!("{base}/reach"),
        &[("authorization", &bearer(&alice))],
    )
    .await
    .problem(StatusCode::NOT_FOUND, "not_found");
    t.get(&format!("{base}/reach"), &[])
        .await
        .problem(StatusCode::UNAUTHORIZED, "unauthenticated");
}

/// A report is computed once and served again (saying when it was
/// computed) until it is too old, but a consent withdrawn drops it at once:
/// the next report leaves that member out.
#[tokio::test]
async fn a_kept_report_is_served_again_until_a_consent_changes() {
    let t = TestApp::new()
        .await
        .with_report_max_age(std::time::Duration::from_secs(3600));
    with_evaluation_data(&t).await;
    let token = t.token(EVALUATOR_EMAIL, EVALUATOR_PASSWORD).await;
    let auth = bearer(&token);
    let url = format!("/api/v1/programmes/{}/reports/reach", t.programme.id);
    let first = t.get(&url, &[("authorization", &auth)]).await.json();
    let computed_at = first["computed_at"]
        .as_str()
        .expect("computed_at")
        .to_owned();
    chrono::DateTime::parse_from_rfc3339(&computed_at).expect("an RFC 3339 time");
    let again = t.get(&url, &[("authorization", &auth)]).await.json();
    assert_eq!(again, first, "served again, with its first computed time");

    let members = t
        .app
        .store()
        .members(t.programme.id)
        .await
        .expect("members");
    let member = members
        .iter()
        .find(|m| m.display_name == "Member 0")
        .expect("a consenting member");
    let me = in_person(&t, member).await;
    t.app
        .withdraw_evaluation_consent(&me, member.id)
        .await
        .expect("withdraw");

    let after = t.get(&url, &[("authorization", &auth)]).await.json();
    assert_ne!(after["computed_at"], first["computed_at"], "computed again");
    assert_ne!(after["tables"], first["tables"], "one participant fewer");
    let eve = evaluator(&t).await;
    let fresh = t
        .app
        .clone()
        .with_report_max_age(std::time::Duration::ZERO)
        .analytics_report(&eve, t.programme.id, ReportKind::Reach, &Filter::default())
        .await
        .expect("report");
    let tables = after["tables"].as_array().expect("tables");
    assert_eq!(tables.len(), fresh.tables.len());
    for (json, table) in tables.iter().zip(&fresh.tables) {
        assert_eq!(
            json["rows"],
            serde_json::json!(table.rows),
            "{}",
            table.title
        );
    }
}
