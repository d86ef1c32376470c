//! The evaluation dashboards: who may see them, tables that agree with
//! their CSV files and with the published report, suppressed cells that
//! never show a raw number, filters that change the figures, charts, and
//! the funder report and its PDF.

use axum::http::{StatusCode, header};
use timecredits_app::evaluation::eval::analytics::{Filter, SUPPRESSED};
use timecredits_app::{NewProgramme, Role, Scope};

use crate::pages::{attr, sign_in, texts};
use crate::report_data::{
    EVALUATOR_EMAIL, EVALUATOR_PASSWORD, OTHER_EVALUATOR_EMAIL, admin, with_evaluation_data,
};
use crate::support::{MANAGER_EMAIL, MANAGER_PASSWORD, PIN, TestApp};

/// A response whose body is not text (a PDF).
async fn get_bytes(
    t: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut request = axum::http::Request::get(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = t
        .router
        .clone()
        .oneshot(request.body(axum::body::Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    (parts.status, parts.headers, bytes.to_vec())
}

fn base(t: &TestApp) -> String {
    format!("/reports/{}", t.programme.id)
}

/// A table's header and rows as the page shows them.
fn html_table(body: &str, id: &str) -> Vec<Vec<String>> {
    let document = scraper::Html::parse_document(body);
    let rows = scraper::Selector::parse(&format!("#{id} tr")).expect("selector");
    let cells = scraper::Selector::parse("th, td").expect("selector");
    document
        .select(&rows)
        .map(|row| {
            row.select(&cells)
                .map(|c| c.text().collect::<String>().trim().to_owned())
                .collect()
        })
        .collect()
}

/// A small CSV reader: quoted fields with doubled quotes, as `csv` writes.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

fn row<'a>(table: &'a [Vec<String>], first: &str) -> &'a [String] {
    table
        .iter()
        .find(|r| r[0] == first)
        .unwrap_or_else(|| panic!("no row {first:?} in {table:?}"))
}

#[tokio::test]
async fn only_the_programmes_managers_and_evaluators_see_its_reports() {
    let t = TestApp::new().await;
    with_evaluation_data(&t).await;
    let admin_actor = admin(&t).await;
    let elsewhere = t
        .app
        .create_programme(
            &admin_actor,
            NewProgramme {
                name: "Elsewhere".into(),
                locality: "Elsewhere".into(),
                time_zone: "Europe/London".into(),
                language: "en-GB".into(),
                exchange_overdraft_minutes: 0,
            },
        )
        .await
        .expect("programme");
    t.app
        .create_staff(
            &admin_actor,
            OTHER_EVALUATOR_EMAIL,
            "Otto Other",
            EVALUATOR_PASSWORD,
            Role::Evaluator,
            Scope::Programme(elsewhere.id),
        )
        .await
        .expect("other evaluator");
    let pages = [
        "",
        "/reach",
        "/engagement",
        "/outcomes",
        "/funder",
        "/reach.csv",
    ];
    for (login, password) in [
        (MANAGER_EMAIL, MANAGER_PASSWORD),
        (EVALUATOR_EMAIL, EVALUATOR_PASSWORD),
    ] {
        let cookie = sign_in(&t, login, password).await;
        let home = t.get("/home", &[("cookie", &cookie)]).await;
        assert!(texts(&home.body, "nav a").contains(&"Reports".to_owned()));
        // Every link of the menu leads to a page.
        let document = scraper::Html::parse_document(&home.body);
        let links = scraper::Selector::parse("nav.site-nav a").expect("selector");
        for a in document.select(&links) {
            let href = a.value().attr("href").expect("href");
            let r = t.get(href, &[("cookie", &cookie)]).await;
            assert!(
                r.status == StatusCode::OK || r.status == StatusCode::SEE_OTHER,
                "{login} {href}: {}",
                r.status
            );
        }
        // With one programme, /reports goes straight to it.
        let overview = t.get("/reports", &[("cookie", &cookie)]).await;
        assert_eq!(overview.status, StatusCode::SEE_OTHER);
        assert_eq!(overview.header(header::LOCATION), base(&t));
        for page in pages {
            let r = t
                .get(&format!("{}{page}", base(&t)), &[("cookie", &cookie)])
                .await;
            assert_eq!(r.status, StatusCode::OK, "{login} {page}: {}", r.body);
            assert!(
                r.body.len() <= 100 * 1024,
                "{page} is {} bytes",
                r.body.len()
            );
        }
    }
    // A member and the administrator hold no reporting role: refused.
    let alice = sign_in(&t, &t.alice.number.value().to_string(), PIN).await;
    let admin = sign_in(&t, "admin@example.org", "a long admin password").await;
    for who in [&alice, &admin] {
        for path in ["/reports".to_owned(), format!("{}/reach", base(&t))] {
            let r = t.get(&path, &[("cookie", who)]).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        }
    }
    // Another programme's evaluator is told there is no such programme.
    let other = sign_in(&t, OTHER_EVALUATOR_EMAIL, EVALUATOR_PASSWORD).await;
    for page in pages {
        let r = t
            .get(&format!("{}{page}", base(&t)), &[("cookie", &other)])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{page}");
    }
    // Signed out: to the sign-in page.
    let r = t.get(&format!("{}/reach", base(&t)), &[]).await;
    assert!(r.status.is_redirection(), "{}", r.status);
}

#[tokio::test]
async fn a_programme_without_evaluation_data_still_has_its_pages() {
    let t = TestApp::new().await;
    let cookie = sign_in(&t, MANAGER_EMAIL, MANAGER_PASSWORD).await;
    for page in ["", "/reach", "/engagement", "/outcomes", "/funder"] {
        let r = t
            .get(&format!("{}{page}", base(&t)), &[("cookie", &cookie)])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{page}: {}", r.body);
    }
    let unknown = t
        .get(&format!("{}/nonsense", base(&t)), &[("cookie", &cookie)])
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn each_table_agrees_with_its_csv_and_suppressed_cells_stay_hidden() {
    let t = TestApp::new().await;
    with_evaluation_data(&t).await;
    let cookie = sign_in(&t, EVALUATOR_EMAIL, EVALUATOR_PASSWORD).await;
    let eve = crate::report_data::evaluator(&t).await;
    for report in ["reach", "engagement", "outcomes"] {
        let page = t
            .get(&format!("{}/{report}", base(&t)), &[("cookie", &cookie)])
            .await;
        assert_eq!(page.status, StatusCode::OK, "{report}: {}", page.body);
        let published = t
            .app
            .analytics_report(
                &eve,
                t.programme.id,
                timecredits_app::evaluation::ReportKind::parse(report).expect("kind"),
                &Filter::default(),
            )
            .await
            .expect("report");
        assert!(!published.tables.is_empty(), "{report}");
        // The outcomes page shows one follow-up wave at a time: the one
        // each table says it is about, as its title does.
        assert_eq!(published.wave_months.len(), published.tables.len());
        for (table, months) in published.tables.iter().zip(&published.wave_months) {
            let titled = table
                .title
                .split_whitespace()
                .collect::<Vec<_>>()
                .windows(2)
                .find(|w| w[1] == "months")
                .and_then(|w| w[0].parse::<u32>().ok());
            assert_eq!(*months, titled, "{report}: {}", table.title);
        }
        let wave = |index: usize| published.wave_months[index].map(|w| w.to_string());
        let mut pages = std::collections::HashMap::new();
        let mut captions = 0;
        for index in 0..published.tables.len() {
            let key = wave(index).filter(|_| report == "outcomes");
            if !pages.contains_key(&key) {
                let body = match &key {
                    Some(w) => {
                        t.get(
                            &format!("{}/{report}?wave={w}", base(&t)),
                            &[("cookie", &cookie)],
                        )
                        .await
                        .body
                    }
                    None => page.body.clone(),
                };
                captions += texts(&body, "table caption").len();
                pages.insert(key.clone(), body);
            }
        }
        if report != "outcomes" {
            assert_eq!(captions, published.tables.len());
        }
        for (index, table) in published.tables.iter().enumerate() {
            let id = format!("{report}-table-{index}");
            let key = wave(index).filter(|_| report == "outcomes");
            let body = &pages[&key];
            let shown = html_table(body, &id);
            // The page shows exactly the published cells, suppression and
            // all; a long table leaves out the rows with no figure in them
            // and says so. The CSV file has every row.
            let all = table.to_rows();
            let expected: Vec<Vec<String>> = if table.rows.len() > 30 {
                let has_figure = |r: &Vec<String>| r[1..].iter().any(|c| is_figure(c));
                let kept: Vec<Vec<String>> =
                    all[1..].iter().filter(|r| has_figure(r)).cloned().collect();
                let note = texts(body, &format!("#{id}-section .hint"));
                let left_out = match table.rows.len() - kept.len() {
                    0 => None,
                    1 => {
                        Some("One row in which every figure is hidden is left out here.".to_owned())
                    }
                    n => Some(format!(
                        "{n} rows in which every figure is hidden are left out here."
                    )),
                };
                let left_out: Vec<String> = left_out
                    .map(|n| format!("{n} The CSV file has every row."))
                    .into_iter()
                    .collect();
                assert_eq!(note, left_out, "{id}");
                std::iter::once(all[0].clone()).chain(kept).collect()
            } else {
                all.clone()
            };
            if expected.len() > 1 {
                assert_eq!(shown, expected, "{id}");
            } else {
                // Nothing to show: no table, only its caption and the note.
                assert!(shown.is_empty(), "{id}");
            }
            let href = attr(body, &format!("#{id}-section .csv-link a"), "href").expect("csv link");
            let csv = t.get(&href, &[("cookie", &cookie)]).await;
            assert_eq!(csv.status, StatusCode::OK, "{href}");
            assert!(csv.header(header::CONTENT_TYPE).starts_with("text/csv"));
            assert_eq!(read_csv(&csv.body), all, "{href}");
        }
    }
    // Five participants live in decile 4 and the zeros are hidden, so that
    // count is suppressed: neither the page nor the file shows the 5.
    let reach = t
        .get(&format!("{}/reach", base(&t)), &[("cookie", &cookie)])
        .await;
    let deciles = html_table(&reach.body, "reach-table-0");
    assert_eq!(row(&deciles, "4")[1], SUPPRESSED);
    assert_eq!(row(&deciles, "3")[1], "6");
    assert_eq!(row(&deciles, "total")[1], "11");
    assert!(!texts(&reach.body, "td.suppressed").is_empty());
    assert!(
        texts(&reach.body, "#disclosure-note")[0].contains("fewer than 5 people"),
        "{:?}",
        texts(&reach.body, "#disclosure-note")
    );
    let computed = &texts(&reach.body, "#computed-at")[0];
    let at = t.app.now().with_timezone(&chrono_tz::Europe::London);
    assert!(
        computed.starts_with("Figures as of") && computed.contains(&at.format("%Y").to_string()),
        "the page says when its figures were computed: {computed}"
    );
    let csv = t
        .get(
            &format!("{}/reach.csv?table=0", base(&t)),
            &[("cookie", &cookie)],
        )
        .await;
    let file = read_csv(&csv.body);
    assert_eq!(row(&file, "4")[1], SUPPRESSED);
    // Charts sit beside the tables, named for screen readers.
    assert!(reach.body.contains("<svg class=\"chart\""));
    assert_eq!(
        attr(&reach.body, "#reach-table-0-chart", "role").as_deref(),
        Some("img")
    );
    let outcomes = t
        .get(&format!("{}/outcomes", base(&t)), &[("cookie", &cookie)])
        .await;
    assert!(outcomes.body.contains("chart-whisker"), "{}", outcomes.body);
    // A table that does not exist is not found.
    let missing = t
        .get(
            &format!("{}/reach.csv?table=99", base(&t)),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn filters_change_the_figures_and_bad_ones_are_explained() {
    let t = TestApp::new().await;
    with_evaluation_data(&t).await;
    let cookie = sign_in(&t, MANAGER_EMAIL, MANAGER_PASSWORD).await;
    let total = |body: &str| row(&html_table(body, "reach-table-0"), "total")[1].clone();
    let all = t
        .get(&format!("{}/reach", base(&t)), &[("cookie", &cookie)])
        .await;
    assert_eq!(total(&all.body), "11");
    // Nobody took part in co-design: nobody is in scope.
    let co_design = t
        .get(
            &format!("{}/reach?mode=co_design", base(&t)),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(co_design.status, StatusCode::OK);
    assert_ne!(total(&co_design.body), "11");
    // The form keeps the choice and the CSV link carries it.
    assert_eq!(
        attr(&co_design.body, "#mode option[selected]", "value").as_deref(),
        Some("co_design")
    );
    let href = attr(&co_design.body, ".csv-link a", "href").expect("csv link");
    assert!(href.contains("mode=co_design"), "{href}");
    let csv = t.get(&href, &[("cookie", &cookie)]).await;
    assert_eq!(
        row(&read_csv(&csv.body), "total")[1],
        total(&co_design.body)
    );
    // The organisation they gave time with keeps them all.
    let organisation = attr(&all.body, "#organisation option:nth-child(2)", "value")
        .expect("an organisation to choose");
    let theirs = t
        .get(
            &format!(
                "{}/reach?organisation={organisation}&mode=co_delivery",
                base(&t)
            ),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(total(&theirs.body), "11");
    // A period that ends before anyone gave time.
    let before = t
        .get(
            &format!("{}/reach?to=2020-01-31", base(&t)),
            &[("cookie", &cookie)],
        )
        .await;
    assert_ne!(total(&before.body), "11");
    // A bad date and a backwards period: errors at the top and by the field.
    let bad = t
        .get(
            &format!("{}/engagement?from=2026-13-01&level=nonsense", base(&t)),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&bad.body, ".error-summary li").len(), 2);
    assert_eq!(texts(&bad.body, "#from-error").len(), 1);
    assert_eq!(texts(&bad.body, "#level-error").len(), 1);
    assert!(texts(&bad.body, "table").is_empty());
    let backwards = t
        .get(
            &format!("{}/reach?from=2026-02-01&to=2026-01-01", base(&t)),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    // In Polish too.
    let polish = t
        .get(
            &format!("{}/reach", base(&t)),
            &[("cookie", &cookie), ("accept-language", "pl")],
        )
        .await;
    assert_eq!(texts(&polish.body, "h1"), ["Zasięg"]);
    assert_eq!(
        texts(&polish.body, ".csv-link a")[0]
            .split(':')
            .next()
            .map(str::trim),
        Some("Pobierz CSV")
    );
}

#[tokio::test]
async fn the_funder_report_renders_for_print() {
    let t = TestApp::new().await;
    with_evaluation_data(&t).await;
    let cookie = sign_in(&t, EVALUATOR_EMAIL, EVALUATOR_PASSWORD).await;
    let funder = t
        .get(
            &format!("{}/funder?from=2020-01-01", base(&t)),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(funder.status, StatusCode::OK, "{}", funder.body);
    assert!(funder.body.len() <= 100 * 1024);
    assert_eq!(texts(&funder.body, "h1"), ["Funder report"]);
    assert_eq!(
        texts(&funder.body, ".funder-programme"),
        ["Exampleton Time Credits"]
    );
    assert_eq!(texts(&funder.body, ".funder-section h2").len(), 3);
    assert!(texts(&funder.body, "#funder-period")[0].contains("2020"));
    let editions = &texts(&funder.body, "#funder-editions")[0];
    assert!(editions.contains("IMD 2019") && editions.contains("LSOA 2011"));
    assert_eq!(texts(&funder.body, "#disclosure-note").len(), 1);
    assert!(texts(&funder.body, "#funder-computed")[0].contains(':'));
    // Reach by decile, active members per month and outcome change, charted.
    assert!(funder.body.matches("<svg class=\"chart\"").count() >= 3);
    let deciles = html_table(&funder.body, "funder-reach-0");
    assert_eq!(row(&deciles, "4")[1], SUPPRESSED);

    // The same report as a PDF, with the same filter, in Polish too.
    let href = attr(&funder.body, "#funder-pdf", "href").expect("pdf link");
    assert!(href.ends_with("/funder.pdf?from=2020-01-01"), "{href}");
    for language in ["en", "pl"] {
        let (status, headers, body) = get_bytes(
            &t,
            &href,
            &[("cookie", &cookie), ("accept-language", language)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{language}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
        assert!(body.starts_with(b"%PDF"), "{language}");
        // The document's title names the programme (a PDF text string in
        // UTF-16BE, written as hex).
        let name: String = "Exampleton Time Credits"
            .encode_utf16()
            .map(|u| format!("{u:04X}"))
            .collect();
        let name = name.as_bytes();
        assert!(body.windows(name.len()).any(|w| w == name), "{language}");
    }
    // Refused like the page.
    let alice = sign_in(&t, &t.alice.number.value().to_string(), PIN).await;
    let refused = t.get(&href, &[("cookie", &alice)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// A number or hours and minutes, as the pages tell a figure from a label.
fn is_figure(text: &str) -> bool {
    text.parse::<f64>().is_ok()
        || text
            .trim_start_matches('-')
            .split_once(':')
            .is_some_and(|(h, m)| {
                !h.is_empty()
                    && m.len() == 2
                    && h.chars().all(|c| c.is_ascii_digit())
                    && m.chars().all(|c| c.is_ascii_digit())
            })
}
