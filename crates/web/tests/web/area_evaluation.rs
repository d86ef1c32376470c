//! The evaluation area's API, end to end: consent, the evaluation profile,
//! areas and deprivation, and surveys.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use timecredits_app::Actor;
use timecredits_app::evaluation::eval::imd::{Boundary, Edition};
use timecredits_app::evaluation::{BytesFile, LoadPhase, Progress};

use crate::support::{PIN, TestApp, TestResponse, bearer};

async fn put_json(t: &TestApp, path: &str, token: &str, body: &Value) -> TestResponse {
    let request = Request::put(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, token)
        .body(Body::from(body.to_string()))
        .expect("request");
    t.send(request).await
}

async fn post(t: &TestApp, path: &str, headers: &[(&str, &str)], body: &Value) -> TestResponse {
    t.post_json(path, headers, body).await
}

fn auth(token: &str) -> [(&str, &str); 1] {
    [("authorization", token)]
}

async fn admin(t: &TestApp) -> Actor {
    let user = t
        .app
        .store()
        .user_by_email("admin@example.org")
        .await
        .expect("read")
        .expect("admin");
    t.app.actor(user.id).await.expect("admin actor")
}

async fn consent(t: &TestApp, member: &str, token: &str) {
    let wording = t
        .get("/api/v1/evaluation/consent-wording", &[])
        .await
        .json();
    let r = post(
        t,
        &format!("/api/v1/members/{member}/evaluation-consent"),
        &auth(token),
        &json!({ "wording_version": wording["version"] }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
}

#[tokio::test]
async fn consent_and_the_profile_over_the_api() {
    let t = TestApp::new().await;
    let alice = bearer(&t.alice_token().await);
    let manager = bearer(&t.manager_token().await);
    let me = t.alice.id.to_string();

    let wording = t.get("/api/v1/evaluation/consent-wording", &[]).await;
    assert_eq!(wording.status, StatusCode::OK);
    let wording = wording.json();
    assert!(
        wording["text"]
            .as_str()
            .is_some_and(|s| s.contains("withdraw"))
    );
    let options = t
        .get("/api/v1/evaluation/profile-options", &[])
        .await
        .json();
    let categories: usize = options["ethnic_groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g["categories"].as_array().expect("categories").len())
        .sum();
    assert_eq!(categories, 19);
    assert_eq!(options["prefer_not_to_say"], "prefer_not_to_say");

    let consent_path = format!("/api/v1/members/{me}/evaluation-consent");
    let state = t.get(&consent_path, &auth(&alice)).await.json();
    assert_eq!(state["given"], false);
    let profile_path = format!("/api/v1/members/{me}/evaluation-profile");
    let profile = json!({
        "age_band": "30-39", "gender": "prefer_not_to_say", "ethnicity": "asian_bangladeshi",
        "disability": "no", "employment": "student", "volunteered_before": "yes",
        "postcode": "pe13 2ab"
    });
    put_json(&t, &profile_path, &alice, &profile)
        .await
        .problem(StatusCode::CONFLICT, "evaluation_consent_required");
    post(
        &t,
        &consent_path,
        &auth(&alice),
        &json!({ "wording_version": "0.1" }),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "consent_wording_outdated");
    consent(&t, &me, &alice).await;
    post(
        &t,
        &consent_path,
        &auth(&alice),
        &json!({ "wording_version": wording["version"] }),
    )
    .await
    .problem(StatusCode::CONFLICT, "evaluation_consent_already_given");

    let saved = put_json(&t, &profile_path, &alice, &profile).await;
    assert_eq!(saved.status, StatusCode::OK, "body: {}", saved.body);
    let saved = saved.json();
    assert_eq!(saved["postcode"], "PE13 2AB");
    assert_eq!(saved["gender"], "prefer_not_to_say");
    assert_eq!(saved["year_of_birth"], Value::Null);
    assert_eq!(t.get(&profile_path, &auth(&manager)).await.json(), saved);
    put_json(&t, &profile_path, &alice, &json!({ "ethnicity": "asian" }))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    put_json(&t, &profile_path, &alice, &json!({ "postcode": "PE13" }))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY, "postcode_invalid");

    // Bob may not see Alice's profile; an evaluator never sees one person's.
    let bob = bearer(&t.token(&t.bob.number.value().to_string(), PIN).await);
    t.get(&profile_path, &auth(&bob))
        .await
        .problem(StatusCode::NOT_FOUND, "not_found");

    let withdrawn = post(
        &t,
        &format!("{consent_path}/withdrawal"),
        &auth(&alice),
        &json!({}),
    )
    .await;
    assert_eq!(
        withdrawn.status,
        StatusCode::CREATED,
        "body: {}",
        withdrawn.body
    );
    assert_eq!(withdrawn.json()["decision"], "withdrawn");
    let state = t.get(&consent_path, &auth(&alice)).await.json();
    assert_eq!(state["given"], false);
    assert_eq!(state["history"].as_array().map(Vec::len), Some(2));
    put_json(&t, &profile_path, &alice, &profile)
        .await
        .problem(StatusCode::CONFLICT, "evaluation_consent_required");
}

#[tokio::test]
async fn staff_enter_a_paper_survey_for_a_member_as_proxy() {
    let t = TestApp::new().await;
    let alice = bearer(&t.alice_token().await);
    let manager = bearer(&t.manager_token().await);
    let me = t.alice.id.to_string();
    let programme = t.programme.id.to_string();
    let settings_path = format!("/api/v1/programmes/{programme}/evaluation-settings");

    let defaults = t.get(&settings_path, &auth(&manager)).await.json();
    assert_eq!(
        defaults["instruments"],
        json!(["ucla3", "ons_loneliness", "ons4"])
    );
    assert_eq!(defaults["follow_up_months"], json!([6, 12]));
    let with = |licence: bool| {
        json!({
            "swemwbs_licence": licence, "instruments": ["swemwbs", "ucla3"],
            "baseline": "joining", "follow_up_months": [6, 12]
        })
    };
    put_json(&t, &settings_path, &manager, &with(false))
        .await
        .problem(StatusCode::CONFLICT, "swemwbs_licence_required");
    put_json(&t, &settings_path, &alice, &with(true))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
    let saved = put_json(&t, &settings_path, &manager, &with(true)).await;
    assert_eq!(saved.status, StatusCode::OK, "body: {}", saved.body);
    assert_eq!(saved.json()["swemwbs_licence"], true);

    let set = t
        .get(
            &format!("/api/v1/programmes/{programme}/survey-instruments"),
            &auth(&alice),
        )
        .await
        .json();
    let swemwbs = &set["instruments"][0];
    assert_eq!(swemwbs["id"], "swemwbs");
    assert_eq!(swemwbs["scoring"], "sum");
    assert_eq!(swemwbs["items"].as_array().map(Vec::len), Some(7));
    assert_eq!(
        swemwbs["items"][0]["wording"],
        "I've been feeling optimistic about the future"
    );
    assert!(
        swemwbs["copyright"]
            .as_str()
            .is_some_and(|c| c.contains("Warwick"))
    );

    let due_path = format!("/api/v1/members/{me}/due-surveys");
    let due = t.get(&due_path, &auth(&alice)).await.json();
    assert_eq!(
        (due["consent_given"].clone(), due["due"].clone()),
        (json!(false), json!([]))
    );
    consent(&t, &me, &alice).await;
    let due = t.get(&due_path, &auth(&alice)).await.json();
    assert_eq!(due["due"][0]["wave_months"], 0);
    assert_eq!(
        due["due"][0]["instruments"].as_array().map(Vec::len),
        Some(2)
    );

    // The coordinator's paper form, entered by the manager for Alice.
    let responses = format!("/api/v1/members/{me}/survey-responses");
    let items: Vec<Value> = (1..=7)
        .map(|i| json!({ "item": format!("swemwbs_{i}"), "score": 4 }))
        .collect();
    let paper = json!({ "wave_months": 0, "instrument": "swemwbs", "answers": items });
    let number = t.alice.number.value().to_string();
    let r = post(
        &t,
        &responses,
        &[
            ("authorization", manager.as_str()),
            ("on-behalf-of", number.as_str()),
        ],
        &paper,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "body: {}", r.body);
    let r = r.json();
    assert_eq!(
        (r["raw_score"].clone(), r["metric_score"].clone()),
        (json!(28), json!("25.03"))
    );
    assert_eq!(r["by_proxy"], true);
    post(&t, &responses, &auth(&alice), &paper)
        .await
        .problem(StatusCode::CONFLICT, "survey_already_answered");
    let partial = json!({ "wave_months": 0, "instrument": "ucla3", "answers": [{ "item": "ucla3_2", "score": 3 }] });
    let r = post(&t, &responses, &auth(&alice), &partial).await.json();
    assert_eq!(
        (r["complete"].clone(), r["raw_score"].clone()),
        (json!(false), Value::Null)
    );
    post(
        &t,
        &responses,
        &auth(&alice),
        &json!({ "wave_months": 6, "instrument": "ucla3", "answers": [{ "item": "ucla3_1", "score": 1 }] }),
    )
    .await
    .problem(StatusCode::CONFLICT, "survey_wave_not_open");
    post(
        &t,
        &responses,
        &auth(&alice),
        &json!({ "wave_months": 0, "instrument": "ons4", "answers": [{ "item": "ons4_1", "score": 1 }] }),
    )
    .await
    .problem(StatusCode::CONFLICT, "instrument_not_enabled");

    let mine = t.get(&responses, &auth(&alice)).await.json();
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(2));
    let due = t.get(&due_path, &auth(&alice)).await.json();
    assert_eq!(due["due"], json!([]), "both answered");
    let log = t
        .get(
            &format!("/api/v1/members/{me}/proxy-actions"),
            &auth(&alice),
        )
        .await
        .json();
    assert!(log.to_string().contains("submit_survey_response"), "{log}");
}

#[tokio::test]
async fn programme_questions_are_set_and_rendered() {
    let t = TestApp::new().await;
    let manager = bearer(&t.manager_token().await);
    let alice = bearer(&t.alice_token().await);
    let programme = t.programme.id.to_string();
    let path = format!("/api/v1/programmes/{programme}/survey-questions");
    let questions = json!({
        "title": "About Time Credits",
        "questions": [
            { "id": "how_did_you_hear", "wording": "How did you hear about us?", "kind": "single_choice",
              "options": [{ "score": 1, "label": "A friend" }, { "score": 2, "label": "A poster" }] },
            { "id": "confidence", "wording": "How confident do you feel?", "kind": "scale_0_10",
              "low_label": "Not at all", "high_label": "Completely" }
        ]
    });
    let r = put_json(&t, &path, &manager, &questions).await;
    assert_eq!(r.status, StatusCode::OK, "body: {}", r.body);
    assert_eq!(r.json()["version"], 1);
    put_json(
        &t,
        &path,
        &manager,
        &json!({ "title": "Bad", "questions": [{ "id": "x", "wording": "?", "kind": "slider" }] }),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    put_json(
        &t,
        &path,
        &manager,
        &json!({ "title": "Bad", "questions": [] }),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY, "custom_questions_invalid");
    let set = t
        .get(
            &format!("/api/v1/programmes/{programme}/survey-instruments"),
            &auth(&alice),
        )
        .await
        .json();
    assert_eq!(set["programme_questions"]["id"], "programme_questions");
    assert_eq!(
        set["programme_questions"]["questions"][1]["kind"],
        "scale_0_10"
    );
    assert_eq!(
        set["programme_questions"]["questions"][1]["high_label"],
        "Completely"
    );
}

const FENLAND: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../evaluation/tests/fixtures/imd2019_lsoa_fenland_and_kings_lynn_west_norfolk.csv"
);

#[tokio::test]
async fn members_and_organisations_resolve_to_an_area_and_its_decile() {
    let t = TestApp::new().await;
    let admin = admin(&t).await;
    let quiet: Progress = Arc::new(|_: LoadPhase, _: u64| {});
    let imd = std::fs::read(FENLAND).expect("fixture");
    t.app
        .import_imd(
            &admin,
            Arc::new(BytesFile {
                name: "fenland.csv".into(),
                bytes: imd.into(),
            }),
            Edition::Iod2019,
            quiet.clone(),
        )
        .await
        .expect("imd");
    let lookup = "pcds,lsoa11\nPE13 2AB,E01018094\nPE14 8AA,E01033477\n";
    t.app
        .import_postcode_lookup(
            &admin,
            Arc::new(BytesFile {
                name: "lookup.csv".into(),
                bytes: lookup.as_bytes().into(),
            }),
            Boundary::Lsoa2011,
            quiet,
        )
        .await
        .expect("lookup");
    let alice = bearer(&t.alice_token().await);
    let manager = bearer(&t.manager_token().await);
    let me = t.alice.id.to_string();
    let area_path = format!("/api/v1/members/{me}/area");
    let none = t.get(&area_path, &auth(&alice)).await.json();
    assert_eq!(none["status"], "no_postcode");
    consent(&t, &me, &alice).await;
    put_json(
        &t,
        &format!("/api/v1/members/{me}/evaluation-profile"),
        &alice,
        &json!({ "postcode": "PE132AB" }),
    )
    .await;
    let area = t.get(&area_path, &auth(&alice)).await;
    assert_eq!(area.status, StatusCode::OK, "body: {}", area.body);
    let area = area.json();
    assert_eq!(area["status"], "resolved");
    assert_eq!(area["lsoa"], "E01018094");
    assert_eq!(area["boundary"], "lsoa2011");
    assert_eq!(area["edition"], "iod2019");
    assert_eq!(area["imd"]["rank"], 8132);
    assert_eq!(area["imd"]["decile"], 3);
    assert_eq!(area["imd"]["quintile"], 2);
    assert_eq!(area["imd"]["domains"]["living_environment"], 8);

    let org = t
        .post_json(
            &format!("/api/v1/programmes/{}/organisations", t.programme.id),
            &auth(&manager),
            &json!({ "name": "King's Lynn Hub", "kind": "community_group", "roles": "both", "postcode": "PE14 8AA" }),
        )
        .await;
    assert_eq!(org.status, StatusCode::CREATED, "body: {}", org.body);
    let org = org.json()["id"].as_str().expect("id").to_owned();
    let area = t
        .get(
            &format!("/api/v1/organisations/{org}/area"),
            &auth(&manager),
        )
        .await
        .json();
    assert_eq!(
        (area["status"].clone(), area["lsoa"].clone()),
        (json!("resolved"), json!("E01033477"))
    );
    t.get(&format!("/api/v1/organisations/{org}/area"), &auth(&alice))
        .await
        .problem(StatusCode::FORBIDDEN, "forbidden");
}
