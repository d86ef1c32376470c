//! A programme manager's pages: the overview, organisations and their
//! staff, members and registrations, rules, circulation, CSV import and
//! export, and the reports entry. Each is refused to other roles.

use axum::http::{StatusCode, header};
use timecredits_app::directory::SelfRegistrationRequest;
use timecredits_app::{MemberId, NewProgramme};

use crate::pages::{attr, session_csrf, sign_in, texts};
use crate::support::{MANAGER_EMAIL, MANAGER_PASSWORD, PIN, TestApp, TestResponse};

const ADMIN_EMAIL: &str = "admin@example.org";
const ADMIN_PASSWORD: &str = "a long admin password";

async fn manager(t: &TestApp) -> (String, String) {
    let cookie = sign_in(t, MANAGER_EMAIL, MANAGER_PASSWORD).await;
    let csrf = session_csrf(t, &cookie).await;
    (cookie, csrf)
}

fn base(t: &TestApp) -> String {
    format!("/manage/{}", t.programme.id)
}

/// The hrefs the error summary links to.
fn summary_links(body: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(body);
    let selector = scraper::Selector::parse(".error-summary a").expect("selector");
    document
        .select(&selector)
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_manager_reaches_every_page_from_the_overview_and_others_are_refused() {
    let t = TestApp::new().await;
    let (cookie, _) = manager(&t).await;
    let home = t.get("/home", &[("cookie", &cookie)]).await;
    assert!(texts(&home.body, "nav a").contains(&"Manage programme".to_owned()));
    let overview = t.get("/manage", &[("cookie", &cookie)]).await;
    assert_eq!(overview.status, StatusCode::OK, "body: {}", overview.body);
    assert_eq!(
        attr(&overview.body, "#programmes a", "href"),
        Some(base(&t))
    );
    let programme = t.get(&base(&t), &[("cookie", &cookie)]).await;
    assert_eq!(programme.status, StatusCode::OK);
    let links = texts(&programme.body, "#manage-links a");
    assert_eq!(links.len(), 7, "{links:?}");
    for path in [
        "organisations",
        "members",
        "rules",
        "circulation",
        "import",
        "export",
        "reports",
    ] {
        let page = t
            .get(&format!("{}/{path}", base(&t)), &[("cookie", &cookie)])
            .await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert_eq!(attr(&page.body, "html", "lang").as_deref(), Some("en"));
    }
    // In Polish too.
    let polish = t
        .get(
            &format!("{}/rules", base(&t)),
            &[("cookie", &cookie), ("accept-language", "pl")],
        )
        .await;
    assert_eq!(texts(&polish.body, "h1"), ["Zasady"]);

    // A member, and an administrator who manages nothing, are refused.
    let alice = sign_in(&t, &t.alice.number.value().to_string(), PIN).await;
    let admin = sign_in(&t, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for who in [&alice, &admin] {
        for path in [
            "/manage".to_owned(),
            base(&t),
            format!("{}/organisations", base(&t)),
            format!("{}/members", base(&t)),
            format!("{}/rules", base(&t)),
            format!("{}/export.csv?kind=members", base(&t)),
        ] {
            let page = t.get(&path, &[("cookie", who)]).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        }
    }
    // Another programme is not this manager's to see.
    let other = t
        .get(
            "/manage/00000000-0000-7000-8000-000000000000/rules",
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // Nobody signed in is sent to sign in.
    let anonymous = t.get("/manage", &[]).await;
    assert_ne!(anonymous.status, StatusCode::OK);
}

#[tokio::test]
async fn organisations_are_created_edited_suspended_and_staffed() {
    let t = TestApp::new().await;
    let (cookie, csrf) = manager(&t).await;
    let list = format!("{}/organisations", base(&t));
    // A form with mistakes: summary at the top, message beside the field.
    let wrong = t
        .post_form(
            &list,
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", " "),
                ("kind", "school"),
                ("roles", "both"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(summary_links(&wrong.body), ["#name"]);
    assert_eq!(texts(&wrong.body, "#name-error").len(), 1);
    // Without the form token, nothing happens.
    let forged = t
        .post_form(&list, &cookie, &[("name", "Forged"), ("kind", "school")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let created = t
        .post_form(
            &list,
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", "Lunch Club"),
                ("kind", "community_group"),
                ("roles", "earn"),
                ("contact_name", "Pat"),
                ("contact_email", "pat@example.org"),
            ],
        )
        .await;
    assert_eq!(
        created.status,
        StatusCode::SEE_OTHER,
        "body: {}",
        created.body
    );
    let org_page = created
        .header(header::LOCATION)
        .split('?')
        .next()
        .expect("path")
        .to_owned();
    let shown = t.get(&list, &[("cookie", &cookie)]).await;
    assert_eq!(
        texts(&shown.body, "#organisations tbody tr"),
        ["Lunch Club Community group Gives credits for time (earn partner) Active"]
    );

    // Edit.
    let saved = t
        .post_form(
            &org_page,
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", "Tuesday Lunch Club"),
                ("kind", "community_group"),
                ("roles", "both"),
                ("contact_name", "Pat"),
                ("contact_email", "pat@example.org"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "body: {}", saved.body);
    let page = t.get(&org_page, &[("cookie", &cookie)]).await;
    assert_eq!(texts(&page.body, "h1"), ["Tuesday Lunch Club"]);

    // Suspend with a reason; the filter finds it; reactivate.
    let status = format!("{org_page}/status");
    let suspended = t
        .post_form(
            &status,
            &cookie,
            &[
                ("csrf", &csrf),
                ("action", "suspend"),
                ("reason", "Closed for the summer"),
            ],
        )
        .await;
    assert_eq!(
        suspended.status,
        StatusCode::SEE_OTHER,
        "{}",
        suspended.body
    );
    let page = t.get(&org_page, &[("cookie", &cookie)]).await;
    assert_eq!(
        texts(&page.body, "#status"),
        ["Status: Suspended (Closed for the summer)"]
    );
    let only_suspended = t
        .get(&format!("{list}?status=suspended"), &[("cookie", &cookie)])
        .await;
    assert_eq!(
        texts(&only_suspended.body, "#organisations tbody tr").len(),
        1
    );
    let only_active = t
        .get(&format!("{list}?status=active"), &[("cookie", &cookie)])
        .await;
    assert_eq!(texts(&only_active.body, "#no-organisations").len(), 1);
    let again = t
        .post_form(
            &status,
            &cookie,
            &[("csrf", &csrf), ("action", "reactivate")],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let page = t.get(&org_page, &[("cookie", &cookie)]).await;
    assert_eq!(texts(&page.body, "#status"), ["Status: Active"]);

    // Staff: a new sign-in needs a name and a password.
    let staff = format!("{org_page}/staff");
    let missing = t
        .post_form(
            &staff,
            &cookie,
            &[
                ("csrf", &csrf),
                ("email", "cora@example.org"),
                ("role", "coordinator"),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(summary_links(&missing.body), ["#display_name"]);
    let added = t
        .post_form(
            &staff,
            &cookie,
            &[
                ("csrf", &csrf),
                ("email", "cora@example.org"),
                ("display_name", "Cora Coordinator"),
                ("password", "a long coordinator password"),
                ("role", "coordinator"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "body: {}", added.body);
    let page = t.get(&org_page, &[("cookie", &cookie)]).await;
    assert_eq!(
        texts(&page.body, "#staff li p"),
        ["Cora Coordinator · Coordinator · cora@example.org"]
    );
    // The coordinator signs in, and may not use the manager's pages.
    let cora = sign_in(&t, "cora@example.org", "a long coordinator password").await;
    assert_eq!(
        t.get(&org_page, &[("cookie", &cora)]).await.status,
        StatusCode::FORBIDDEN
    );
    let user = attr(&page.body, "#staff input[name=user]", "value").expect("user");
    let removed = t
        .post_form(
            &format!("{staff}/remove"),
            &cookie,
            &[("csrf", &csrf), ("user", &user), ("role", "coordinator")],
        )
        .await;
    assert_eq!(
        removed.status,
        StatusCode::SEE_OTHER,
        "body: {}",
        removed.body
    );
    let page = t.get(&org_page, &[("cookie", &cookie)]).await;
    assert_eq!(texts(&page.body, "#no-staff").len(), 1);

    // A member may not create organisations.
    let alice = sign_in(&t, &t.alice.number.value().to_string(), PIN).await;
    let alice_csrf = session_csrf(&t, &alice).await;
    let refused = t
        .post_form(
            &list,
            &alice,
            &[
                ("csrf", &alice_csrf),
                ("name", "Nope"),
                ("kind", "school"),
                ("roles", "both"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn members_are_found_and_registrations_decided() {
    let t = TestApp::new().await;
    let (cookie, csrf) = manager(&t).await;
    let members = format!("{}/members", base(&t));
    let all = t.get(&members, &[("cookie", &cookie)]).await;
    assert_eq!(texts(&all.body, "#members tbody tr").len(), 2);
    let found = t
        .get(&format!("{members}?q=ali"), &[("cookie", &cookie)])
        .await;
    assert_eq!(
        texts(&found.body, "#members tbody tr"),
        [format!("{} Alice Able Active", t.alice.number.value())]
    );
    let number = t.bob.number.value().to_string();
    let by_number = t
        .get(&format!("{members}?q={number}"), &[("cookie", &cookie)])
        .await;
    assert_eq!(texts(&by_number.body, "#members tbody td")[1], "Bob Baker");

    // Two people register themselves and wait.
    let mut waiting: Vec<MemberId> = Vec::new();
    for name in ["Carol Cook", "Dan Drew"] {
        let registered = t
            .app
            .self_register(SelfRegistrationRequest {
                programme: t.programme.id,
                display_name: name.into(),
                pin: Some("7392".into()),
                email: None,
                password: None,
                language: None,
                organisation: None,
            })
            .await
            .expect("registered");
        waiting.push(registered.member.id);
    }
    let page = t.get(&members, &[("cookie", &cookie)]).await;
    assert_eq!(texts(&page.body, "#pending-list h3").len(), 2);
    let approve = format!("{members}/{}/approve", waiting[0]);
    let approved = t.post_form(&approve, &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    // Declining needs a reason.
    let decline = format!("{members}/{}/decline", waiting[1]);
    let no_reason = t.post_form(&decline, &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&no_reason.body, ".error-summary li"),
        ["Say why the registration is declined"]
    );
    let declined = t
        .post_form(
            &decline,
            &cookie,
            &[("csrf", &csrf), ("reason", "Lives outside the area")],
        )
        .await;
    assert_eq!(declined.status, StatusCode::SEE_OTHER);
    let page = t.get(&members, &[("cookie", &cookie)]).await;
    assert_eq!(texts(&page.body, "#no-pending").len(), 1);
    let carol = t
        .get(&format!("{members}?q=carol"), &[("cookie", &cookie)])
        .await;
    assert!(texts(&carol.body, "#members tbody tr")[0].ends_with("Carol Cook Active"));
    let dan = t
        .get(&format!("{members}?q=dan"), &[("cookie", &cookie)])
        .await;
    assert!(texts(&dan.body, "#members tbody tr")[0].ends_with("Dan Drew Declined"));
}

async fn change_rules(
    t: &TestApp,
    cookie: &str,
    csrf: &str,
    from: &str,
    granularity: &str,
) -> TestResponse {
    t.post_form(
        &format!("{}/rules", base(t)),
        cookie,
        &[
            ("csrf", csrf),
            ("effective_from", from),
            ("granularity_minutes", granularity),
            ("daily_cap_minutes", "480"),
            ("members_may_claim", "on"),
            ("exchange_overdraft_minutes", "120"),
            ("expiry_months", "12"),
            ("partner_receipts", "retire"),
        ],
    )
    .await
}

#[tokio::test]
async fn rules_are_shown_and_changed_from_a_future_date() {
    let t = TestApp::new().await;
    let (cookie, csrf) = manager(&t).await;
    let rules = format!("{}/rules", base(&t));
    let page = t.get(&rules, &[("cookie", &cookie)]).await;
    assert_eq!(texts(&page.body, "#history tbody tr").len(), 1);
    assert!(
        texts(&page.body, "#in-force dd").contains(&"12 hours".to_owned()),
        "{:?}",
        texts(&page.body, "#in-force dd")
    );
    let today = t.app.programme_today(&t.programme);
    let tomorrow = today.succ_opt().expect("tomorrow").to_string();
    let yesterday = today.pred_opt().expect("yesterday").to_string();
    // The past is refused, with the refusal in the summary.
    let past = change_rules(&t, &cookie, &csrf, &yesterday, "15").await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(summary_links(&past.body), ["#effective_from"]);
    // So is a value out of range, and a value that is not a number.
    let zero = change_rules(&t, &cookie, &csrf, &tomorrow, "0").await;
    assert_eq!(zero.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(summary_links(&zero.body), ["#granularity_minutes"]);
    let words = change_rules(&t, &cookie, &csrf, &tomorrow, "fifteen").await;
    assert_eq!(summary_links(&words.body), ["#granularity_minutes"]);
    assert_eq!(
        attr(&words.body, "#granularity_minutes", "value").as_deref(),
        Some("fifteen"),
        "what was typed is kept"
    );
    let changed = change_rules(&t, &cookie, &csrf, &tomorrow, "15").await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let page = t.get(&rules, &[("cookie", &cookie)]).await;
    let history = texts(&page.body, "#history tbody tr");
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(history[0].contains("8 hours"), "{history:?}");
    assert!(
        history[0].contains("2 Time Credits (2 hours)"),
        "{history:?}"
    );
    assert!(history[0].contains("After 12 months"), "{history:?}");
    assert!(history[1].contains("in force"), "{history:?}");
}

#[tokio::test]
async fn circulation_is_shown_in_credits_and_hours_and_reports_link_to_it() {
    let t = TestApp::new().await;
    let (cookie, _) = manager(&t).await;
    let circulation = format!("{}/circulation", base(&t));
    let page = t.get(&circulation, &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        texts(&page.body, "#figure-closing"),
        ["Held at the end 7 Time Credits and 30 minutes 7 hours and 30 minutes"]
    );
    assert!(
        texts(&page.body, "#computed-at")[0].starts_with("Figures as of"),
        "{:?}",
        texts(&page.body, "#computed-at")
    );
    let bad = t
        .get(
            &format!("{circulation}?from=2026-13-01&to=2026-01-01"),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(summary_links(&bad.body), ["#from"]);
    let reversed = t
        .get(
            &format!("{circulation}?from=2026-02-01&to=2026-01-01"),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(summary_links(&reversed.body), ["#from"]);

    let reports = t
        .get(&format!("{}/reports", base(&t)), &[("cookie", &cookie)])
        .await;
    let links: Vec<String> = ["circulation", "export"]
        .iter()
        .map(|p| format!("{}/{p}", base(&t)))
        .collect();
    let document = scraper::Html::parse_document(&reports.body);
    let selector = scraper::Selector::parse("#reports a").expect("selector");
    let hrefs: Vec<String> = document
        .select(&selector)
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert_eq!(hrefs, links);
    // The evaluation dashboards are linked from here.
    let evaluation = texts(&reports.body, "#evaluation-reports a");
    assert_eq!(evaluation.len(), 4, "{evaluation:?}");
}

#[tokio::test]
async fn an_import_is_tried_first_then_made_and_an_export_downloads_everything() {
    let t = TestApp::new().await;
    let (cookie, csrf) = manager(&t).await;
    let import = format!("{}/import", base(&t));
    let form = t.get(&import, &[("cookie", &cookie)]).await;
    assert_eq!(
        attr(&form.body, "#dry_run", "checked").as_deref(),
        Some(""),
        "a trial run is the default"
    );
    let key = attr(&form.body, "#import input[name=key]", "value").expect("key");
    let export = format!("{}/export.csv?kind=members", base(&t));
    let before = t.get(&export, &[("cookie", &cookie)]).await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(before.header(header::CONTENT_TYPE).starts_with("text/csv"));
    assert!(
        before
            .header(header::CONTENT_DISPOSITION)
            .starts_with("attachment")
    );
    assert_eq!(before.body.lines().count(), 3, "a header and two members");

    let bad = "display_name,language\r\nErin Evans,en\r\n,en\r\n,pl\r\n";
    let tried = t
        .post_form(
            &import,
            &cookie,
            &[
                ("csrf", &csrf),
                ("key", &key),
                ("kind", "members"),
                ("csv", bad),
                ("dry_run", "on"),
            ],
        )
        .await;
    assert_eq!(
        tried.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        tried.body
    );
    let lines: Vec<String> = texts(&tried.body, "#problems tbody tr")
        .iter()
        .map(|row| row.split(' ').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        lines,
        ["3", "4"],
        "{:?}",
        texts(&tried.body, "#problems tbody tr")
    );
    assert_eq!(summary_links(&tried.body), ["#csv"]);
    let after_try = t.get(&export, &[("cookie", &cookie)]).await;
    assert_eq!(after_try.body, before.body, "a trial run writes nothing");

    // A good file: tried, then imported for real (twice: once).
    let good = "display_name,language\r\nErin Evans,en\r\nFrank Ford,pl\r\n";
    let tried = t
        .post_form(
            &import,
            &cookie,
            &[
                ("csrf", &csrf),
                ("key", &key),
                ("kind", "members"),
                ("csv", good),
                ("dry_run", "on"),
            ],
        )
        .await;
    assert_eq!(tried.status, StatusCode::OK, "{}", tried.body);
    assert_eq!(
        texts(&tried.body, "#report-summary"),
        ["The file is fine: 2 rows would be imported (Members). Nothing was written."]
    );
    assert_eq!(
        t.get(&export, &[("cookie", &cookie)]).await.body,
        before.body
    );
    for expected in [
        "Imported 2 rows (Members).",
        "This file was already imported (2 rows). Nothing new was written.",
    ] {
        let done = t
            .post_form(
                &import,
                &cookie,
                &[
                    ("csrf", &csrf),
                    ("key", &key),
                    ("kind", "members"),
                    ("csv", good),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(texts(&done.body, "#report-summary"), [expected]);
    }
    let after = t.get(&export, &[("cookie", &cookie)]).await;
    assert_eq!(after.body.lines().count(), 5);
    assert!(after.body.contains("Erin Evans") && after.body.contains("Frank Ford"));
    // A kind that does not exist.
    let unknown = t
        .get(
            &format!("{}/export.csv?kind=secrets", base(&t)),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_manager_of_two_programmes_chooses_between_them() {
    let t = TestApp::new().await;
    let admin = t
        .app
        .actor(
            t.app
                .store()
                .user_by_email(ADMIN_EMAIL)
                .await
                .expect("read")
                .expect("admin")
                .id,
        )
        .await
        .expect("admin actor");
    let second = t
        .app
        .create_programme(
            &admin,
            NewProgramme {
                name: "Otherton Time Credits".into(),
                locality: "Otherton".into(),
                time_zone: "Europe/London".into(),
                language: "en-GB".into(),
                exchange_overdraft_minutes: 0,
            },
        )
        .await
        .expect("second programme");
    t.app
        .store()
        .grant_role(&timecredits_app::RoleGrant {
            user: t.manager.user,
            role: timecredits_app::Role::ProgrammeManager,
            scope: timecredits_app::Scope::Programme(second.id),
        })
        .await
        .expect("grant");
    let (cookie, _) = manager(&t).await;
    let overview = t.get("/manage", &[("cookie", &cookie)]).await;
    let mut names = texts(&overview.body, "#programmes a");
    names.sort();
    assert_eq!(names, ["Exampleton Time Credits", "Otherton Time Credits"]);
    let rules = t
        .get(
            &format!("/manage/{}/rules", second.id),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(rules.status, StatusCode::OK);
    assert!(rules.body.contains("Otherton Time Credits"));
}

#[tokio::test]
async fn a_csv_file_is_uploaded_and_its_problems_name_their_lines() {
    let t = TestApp::new().await;
    let (cookie, csrf) = manager(&t).await;
    let import = format!("{}/import", base(&t));
    let form = t.get(&import, &[("cookie", &cookie)]).await;
    assert_eq!(
        attr(&form.body, "#import", "enctype").as_deref(),
        Some("multipart/form-data")
    );
    assert_eq!(attr(&form.body, "#file", "type").as_deref(), Some("file"));
    let boundary = "----tc-test-boundary";
    let mut body = String::new();
    for (name, value) in [
        ("csrf", csrf.as_str()),
        ("kind", "members"),
        ("dry_run", "on"),
        ("csv", ""),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    // Made on Windows: CRLF line ends, and a blank name on line 3.
    let file = "display_name,language\r\nGwen Green,en\r\n,pl\r\n";
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"members.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
    ));
    let request = axum::http::Request::post(&import)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, &cookie)
        .body(axum::body::Body::from(body))
        .expect("request");
    let tried = t.send(request).await;
    assert_eq!(
        tried.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        tried.body
    );
    let rows = texts(&tried.body, "#problems tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].starts_with("3 "), "{rows:?}");
    // Nothing chosen and nothing pasted: said beside the file control.
    let empty = t
        .post_form(
            &import,
            &cookie,
            &[
                ("csrf", &csrf),
                ("kind", "members"),
                ("csv", ""),
                ("dry_run", "on"),
            ],
        )
        .await;
    assert_eq!(summary_links(&empty.body), ["#file"]);
}
