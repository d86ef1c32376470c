//! A coordinator's organisation pages: members (register someone, decide
//! registrations, print a card), activities and sessions, the statement.

use axum::http::{StatusCode, header};
use timecredits_app::directory::SelfRegistrationRequest;
use timecredits_app::{MemberId, OrganisationId};
use timecredits_domain::directory::MemberStatus;
use uuid::Uuid;

use crate::area_activities::{COORDINATOR_EMAIL, COORDINATOR_PASSWORD, world};
use crate::pages::{attr, session_csrf, sign_in, texts};
use crate::support::{MANAGER_EMAIL, MANAGER_PASSWORD, PIN};

#[tokio::test]
async fn a_coordinator_registers_someone_who_can_then_sign_in_and_prints_their_card() {
    let w = world().await;
    let t = &w.t;
    let cora = sign_in(t, COORDINATOR_EMAIL, COORDINATOR_PASSWORD).await;
    let page = t.get("/organisation/members", &[("cookie", &cora)]).await;
    assert_eq!(page.status, StatusCode::OK, "body: {}", page.body);
    assert_eq!(texts(&page.body, "h1"), ["Members"]);
    assert_eq!(texts(&page.body, "label[for=name]"), ["Their name"]);
    let token = session_csrf(t, &cora).await;

    // No name: the error is in the summary and beside the field.
    let blank = t
        .post_form(
            "/organisation/members/register",
            &cora,
            &[
                ("csrf", &token),
                ("organisation", &w.organisation),
                ("name", " "),
            ],
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&blank.body, ".error-summary a"),
        ["Enter the person’s name"]
    );
    assert_eq!(
        attr(&blank.body, ".error-summary a", "href").as_deref(),
        Some("#name")
    );
    assert!(texts(&blank.body, "#name-error")[0].ends_with("Enter the person’s name"));

    // A bad email is kept and explained beside its field.
    let bad_email = t
        .post_form(
            "/organisation/members/register",
            &cora,
            &[
                ("csrf", &token),
                ("organisation", &w.organisation),
                ("name", "Dora Daly"),
                ("email", "not an email"),
            ],
        )
        .await;
    assert_eq!(bad_email.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&bad_email.body, "#email-error").len(), 1);
    assert_eq!(
        attr(&bad_email.body, "#name", "value").as_deref(),
        Some("Dora Daly")
    );

    let done = t
        .post_form(
            "/organisation/members/register",
            &cora,
            &[
                ("csrf", &token),
                ("organisation", &w.organisation),
                ("name", "Dora Daly"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "body: {}", done.body);
    assert_eq!(done.header(header::CACHE_CONTROL), "no-store");
    let number = texts(&done.body, "#registered-number").remove(0);
    let pin = texts(&done.body, "#registered-pin").remove(0);
    assert!(pin.len() == 4 && pin.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(texts(&done.body, "#members td:first-child"), ["Dora Daly"]);
    let card = attr(&done.body, "#registered a", "href").expect("card link");
    // The number and PIN shown work for signing in.
    let dora = sign_in(t, &number.replace(' ', ""), &pin).await;
    // Shown once: the members page does not show the PIN again.
    let again = t.get("/organisation/members", &[("cookie", &cora)]).await;
    assert!(texts(&again.body, "#registered-pin").is_empty());

    let printed = t.get(&card, &[("cookie", &cora)]).await;
    assert_eq!(printed.status, StatusCode::OK, "body: {}", printed.body);
    assert_eq!(texts(&printed.body, "#card-number"), [number.as_str()]);
    assert_eq!(texts(&printed.body, "#card-name"), ["Dora Daly"]);
    assert!(printed.body.contains("<svg"));
    // The same code as on Dora's own card.
    let own = t.get("/card", &[("cookie", &dora)]).await;
    let qr = |html: &str| {
        let start = html.find("<svg").expect("svg");
        let end = html[start..].find("</svg>").expect("end") + start;
        html[start..end].to_owned()
    };
    assert_eq!(qr(&own.body), qr(&printed.body));
    // The programme's manager may print it too; members may not.
    let manager = sign_in(t, MANAGER_EMAIL, MANAGER_PASSWORD).await;
    assert_eq!(
        t.get(&card, &[("cookie", &manager)]).await.status,
        StatusCode::OK
    );
    let alice = sign_in(t, &t.alice.number.value().to_string(), PIN).await;
    assert_eq!(
        t.get(&card, &[("cookie", &alice)]).await.status,
        StatusCode::NOT_FOUND
    );
    // Alice is not in Cora's organisation: no card for her either.
    assert_eq!(
        t.get(
            &format!("/members/{}/card", t.alice.id),
            &[("cookie", &cora)]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get("/organisation/members", &[("cookie", &alice)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Another organisation's id is not Cora's to choose.
    let elsewhere = format!("/organisation/members?organisation={}", Uuid::now_v7());
    assert_eq!(
        t.get(&elsewhere, &[("cookie", &cora)]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_coordinator_approves_one_registration_and_declines_another_with_a_reason() {
    let w = world().await;
    let t = &w.t;
    let organisation = OrganisationId(Uuid::try_parse(&w.organisation).expect("id"));
    let mut pending = Vec::new();
    for name in ["Evan Early", "Fay Field"] {
        let made = t
            .app
            .self_register(SelfRegistrationRequest {
                programme: t.programme.id,
                display_name: name.into(),
                pin: Some("4071".into()),
                email: None,
                password: None,
                language: None,
                organisation: Some(organisation),
            })
            .await
            .expect("registered");
        pending.push(made.member.id);
    }
    let cora = sign_in(t, COORDINATOR_EMAIL, COORDINATOR_PASSWORD).await;
    let page = t.get("/organisation/members", &[("cookie", &cora)]).await;
    assert_eq!(texts(&page.body, "#pending-list h3").len(), 2);
    let token = session_csrf(t, &cora).await;
    let fields = [("csrf", token.as_str()), ("organisation", &w.organisation)];
    let approve = |m: MemberId| format!("/organisation/registrations/{m}/approve");
    let decline = |m: MemberId| format!("/organisation/registrations/{m}/decline");

    let approved = t.post_form(&approve(pending[0]), &cora, &fields).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let back = approved.header(header::LOCATION).to_owned();
    let shown = t.get(&back, &[("cookie", &cora)]).await;
    assert_eq!(
        texts(&shown.body, "#members-done"),
        ["The registration is approved. They can take part now."]
    );
    assert_eq!(texts(&shown.body, "#pending-list h3").len(), 1);

    // Declining needs a reason.
    let no_reason = t.post_form(&decline(pending[1]), &cora, &fields).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&no_reason.body, ".error-summary a"),
        ["Say why the registration is declined"]
    );
    assert_eq!(
        attr(&no_reason.body, ".error-summary a", "href").as_deref(),
        Some("#decline-reason")
    );
    assert!(
        texts(&no_reason.body, "#decline-reason-error")[0]
            .ends_with("Say why the registration is declined")
    );
    let with_reason = [
        ("csrf", token.as_str()),
        ("organisation", &w.organisation),
        ("reason", "Lives outside the area"),
    ];
    let declined = t.post_form(&decline(pending[1]), &cora, &with_reason).await;
    assert_eq!(declined.status, StatusCode::SEE_OTHER, "{}", declined.body);
    let after = t.get("/organisation/members", &[("cookie", &cora)]).await;
    assert!(texts(&after.body, "#pending-list h3").is_empty());
    assert_eq!(
        t.app.member_status(pending[0]).await.expect("status"),
        MemberStatus::Active
    );
    assert_eq!(
        t.app.member_status(pending[1]).await.expect("status"),
        MemberStatus::Declined
    );
    // Without the session's token nothing is decided.
    let forged = t
        .post_form(&approve(pending[1]), &cora, &[("csrf", "0")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_coordinator_creates_and_edits_an_activity_and_adds_a_session() {
    let w = world().await;
    let t = &w.t;
    let cora = sign_in(t, COORDINATOR_EMAIL, COORDINATOR_PASSWORD).await;
    let list = t
        .get("/organisation/activities", &[("cookie", &cora)])
        .await;
    assert_eq!(list.status, StatusCode::OK, "body: {}", list.body);
    let token = session_csrf(t, &cora).await;
    let activity = |title: &'static str, hours: &'static str| {
        vec![
            ("csrf", token.clone()),
            ("organisation", w.organisation.clone()),
            ("title", title.to_owned()),
            ("description", "Cook and serve".to_owned()),
            ("level", "group".to_owned()),
            ("mode", "co_delivery".to_owned()),
            ("hours", hours.to_owned()),
            ("minutes", "".to_owned()),
            ("earns", "on".to_owned()),
        ]
    };
    let send = |fields: &Vec<(&'static str, String)>| {
        fields
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<_>>()
    };

    let missing = send(&activity("", "two"));
    let missing: Vec<(&str, &str)> = missing.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = t
        .post_form("/organisation/activities", &cora, &missing)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&refused.body, ".error-summary a"),
        [
            "Enter the activity’s name",
            "Enter the usual length in whole hours and minutes"
        ]
    );
    assert_eq!(
        attr(&refused.body, "#hours", "value").as_deref(),
        Some("two")
    );

    let good = send(&activity("Lunch club", "2"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let created = t.post_form("/organisation/activities", &cora, &good).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let edit = created
        .header(header::LOCATION)
        .trim_end_matches("?done=created")
        .to_owned();
    let page = t.get(&edit, &[("cookie", &cora)]).await;
    assert_eq!(page.status, StatusCode::OK, "body: {}", page.body);
    assert_eq!(texts(&page.body, "h1"), ["Lunch club"]);
    assert_eq!(attr(&page.body, "#hours", "value").as_deref(), Some("2"));

    // Renamed through the edit form.
    let renamed = send(&activity("Tuesday lunch club", "2"));
    let renamed: Vec<(&str, &str)> = renamed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = t.post_form(&edit, &cora, &renamed).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let list = t
        .get("/organisation/activities", &[("cookie", &cora)])
        .await;
    assert_eq!(
        texts(&list.body, "#activity-list h2"),
        ["Tuesday lunch club"]
    );

    // Where it happens: a postcode that is not one is refused beside its
    // field; a good one is kept in its normal form.
    let mut elsewhere = activity("Tuesday lunch club", "2");
    elsewhere.push(("postcode", "PE14".to_owned()));
    let fields = send(&elsewhere);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = t.post_form(&edit, &cora, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&refused.body, "#postcode-error"),
        ["Error: Enter a UK postcode like PE15 8AA, or leave it empty"]
    );
    elsewhere.last_mut().expect("postcode").1 = "pe14 0rx".to_owned();
    let fields = send(&elsewhere);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = t.post_form(&edit, &cora, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = t.get(&edit, &[("cookie", &cora)]).await;
    assert_eq!(
        attr(&page.body, "#postcode", "value").as_deref(),
        Some("PE14 0RX")
    );

    // A session that ends before it starts is refused by the use case.
    let sessions = edit.replace("/edit", "/sessions");
    let tomorrow = (t.app.programme_today(&t.programme) + chrono::Days::new(1)).to_string();
    let backwards = t
        .post_form(
            &sessions,
            &cora,
            &[
                ("csrf", &token),
                ("date", &tomorrow),
                ("start", "12:00"),
                ("end", "10:00"),
                ("places", "12"),
            ],
        )
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&backwards.body, ".error-summary a").len(), 1);
    assert_eq!(
        attr(&backwards.body, ".error-summary a", "href").as_deref(),
        Some("#end")
    );
    assert_eq!(
        attr(&backwards.body, "#start", "value").as_deref(),
        Some("12:00")
    );
    let added = t
        .post_form(
            &sessions,
            &cora,
            &[
                ("csrf", &token),
                ("date", &tomorrow),
                ("start", "10:00"),
                ("end", "12:00"),
                ("places", "12"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = t.get(&edit, &[("cookie", &cora)]).await;
    assert_eq!(texts(&page.body, "#session-list li").len(), 1);
    assert!(texts(&page.body, "#session-list li")[0].ends_with("Places: 12"));

    // Members may not manage activities.
    let alice = sign_in(t, &t.alice.number.value().to_string(), PIN).await;
    assert_eq!(
        t.get("/organisation/activities", &[("cookie", &alice)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.get(&edit, &[("cookie", &alice)]).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_organisation_statement_shows_the_balance_in_hours_and_downloads() {
    let w = world().await;
    let t = &w.t;
    let cora = sign_in(t, COORDINATOR_EMAIL, COORDINATOR_PASSWORD).await;
    let page = t.get("/organisation/statement", &[("cookie", &cora)]).await;
    assert_eq!(page.status, StatusCode::OK, "body: {}", page.body);
    assert_eq!(
        texts(&page.body, "#balance"),
        ["The organisation holds 0 Time Credits (0 minutes)."]
    );
    let csv_link = attr(&page.body, "a[download]", "href").expect("csv link");
    let csv = t.get(&csv_link, &[("cookie", &cora)]).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header(header::CONTENT_TYPE).starts_with("text/csv"));
    let alice = sign_in(t, &t.alice.number.value().to_string(), PIN).await;
    for path in ["/organisation/statement", "/organisation/statement.csv"] {
        assert_eq!(
            t.get(path, &[("cookie", &alice)]).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn a_long_list_of_members_comes_in_pages() {
    let w = world().await;
    let t = &w.t;
    let organisation = OrganisationId(Uuid::parse_str(&w.organisation).expect("id"));
    let manager = t.app.actor(t.manager.user).await.expect("manager");
    for i in 0..201 {
        t.app
            .register_on_behalf(
                &manager,
                timecredits_app::directory::OnBehalfRegistration {
                    programme: t.programme.id,
                    display_name: format!("Member {i:03}"),
                    pin: None,
                    number: None,
                    organisation: Some(organisation),
                    language: None,
                    email: None,
                    phone: None,
                },
            )
            .await
            .expect("registered");
    }
    let cora = sign_in(t, COORDINATOR_EMAIL, COORDINATOR_PASSWORD).await;
    let first = t.get("/organisation/members", &[("cookie", &cora)]).await;
    assert_eq!(texts(&first.body, "#members tbody tr").len(), 200);
    let next = attr(&first.body, "#members-next", "href").expect("a next page");
    let second = t.get(&next, &[("cookie", &cora)]).await;
    assert_eq!(second.status, StatusCode::OK, "body: {}", second.body);
    let rest = texts(&second.body, "#members tbody tr");
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert!(attr(&second.body, "#members-next", "href").is_none());
    let mut everyone: Vec<String> = texts(&first.body, "#members td:first-child");
    everyone.extend(texts(&second.body, "#members td:first-child"));
    everyone.sort();
    everyone.dedup();
    assert_eq!(everyone.len(), 201, "each member on exactly one page");
}
