//! Spend-partner staff manage their offers in the pages; an offer outside
//! its off-peak hours is shown as not available now, not as a choice.

use axum::http::{StatusCode, header};
use chrono::Days;

use crate::area_spending::{DESK_EMAIL, STAFF_PASSWORD, desk};
use crate::pages::{attr, session_csrf, sign_in, texts};
use crate::support::PIN;

#[tokio::test]
async fn desk_staff_publish_edit_and_withdraw_offers_and_off_peak_ones_wait() {
    let d = desk().await;
    let t = &d.t;
    let staff = sign_in(t, DESK_EMAIL, STAFF_PASSWORD).await;
    let empty = t.get("/desk/offers", &[("cookie", &staff)]).await;
    assert_eq!(empty.status, StatusCode::OK, "body: {}", empty.body);
    assert_eq!(texts(&empty.body, "h1"), ["Offers"]);
    let token = session_csrf(t, &staff).await;
    let today = t.app.programme_today(&t.programme);
    let tomorrow = today + Days::new(1);
    let tomorrow_short = tomorrow.format("%a").to_string().to_lowercase();

    // Problems are listed and shown beside their fields, with what was typed.
    let refused = t
        .post_form(
            "/desk/offers",
            &staff,
            &[
                ("csrf", &token),
                ("title", ""),
                ("hours", "1"),
                ("audience", "adult"),
                ("period", "day"),
                ("hours_open", "someday 9-5"),
                ("valid_from", &today.to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&refused.body, ".error-summary a"),
        [
            "Enter what the member gets",
            "Write the hours like mon,tue 09:00-12:00; sat 10:00-11:00"
        ]
    );
    assert_eq!(
        attr(&refused.body, "#hours_open", "value").as_deref(),
        Some("someday 9-5")
    );
    // The use case's own refusal (dates reversed) shows in the summary too.
    let reversed = t
        .post_form(
            "/desk/offers",
            &staff,
            &[
                ("csrf", &token),
                ("title", "One swim"),
                ("hours", "1"),
                ("audience", "adult"),
                ("period", "day"),
                ("valid_from", &tomorrow.to_string()),
                ("valid_to", &today.to_string()),
            ],
        )
        .await;
    assert_eq!(reversed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        attr(&reversed.body, ".error-summary a", "href").as_deref(),
        Some("#valid_to")
    );

    // The second only on tomorrow's weekday: never open today.
    let from = today.to_string();
    for (title, hours_open) in [
        ("Any-time swim", String::new()),
        ("Early swim", format!("{tomorrow_short} 09:00-10:00")),
    ] {
        let done = t
            .post_form(
                "/desk/offers",
                &staff,
                &[
                    ("csrf", &token),
                    ("title", title),
                    ("hours", "1"),
                    ("minutes", "30"),
                    ("audience", "adult"),
                    ("period", "day"),
                    ("hours_open", &hours_open),
                    ("valid_from", &from),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.header(header::LOCATION), "/desk/offers?done=published");
    }
    let list = t.get("/desk/offers", &[("cookie", &staff)]).await;
    assert_eq!(
        texts(&list.body, "#offer-list h2"),
        ["Any-time swim", "Early swim"]
    );

    // At the till, the early swim is not a choice now.
    let till = t
        .get(
            &format!("/desk?member={}", t.alice.number.value()),
            &[("cookie", &staff)],
        )
        .await;
    assert_eq!(till.status, StatusCode::OK, "body: {}", till.body);
    assert_eq!(
        texts(&till.body, ".offer-buttons button"),
        ["Take 1 Time Credit and 30 minutes for Any-time swim"]
    );
    let weekday = tomorrow.format("%A").to_string();
    let waiting = format!("Not available now — available {weekday} 09:00–10:00");
    assert_eq!(
        texts(&till.body, ".offer-buttons .unavailable"),
        [format!(
            "Early swim , 1 Time Credit and 30 minutes: {waiting}"
        )]
    );
    // Nor on the member's spend page.
    let alice = sign_in(t, &t.alice.number.value().to_string(), PIN).await;
    let spend = t.get("/spend", &[("cookie", &alice)]).await;
    assert_eq!(texts(&spend.body, "#offers .unavailable"), [waiting]);

    // Edit the any-time swim.
    let edit = attr(&list.body, "#offer-list a", "href").expect("edit link");
    let form = t.get(&edit, &[("cookie", &staff)]).await;
    assert_eq!(form.status, StatusCode::OK, "body: {}", form.body);
    assert_eq!(
        attr(&form.body, "#title", "value").as_deref(),
        Some("Any-time swim")
    );
    assert_eq!(attr(&form.body, "#minutes", "value").as_deref(), Some("30"));
    let bad_price = t
        .post_form(
            &edit,
            &staff,
            &[
                ("csrf", &token),
                ("title", "Swim"),
                ("hours", "0"),
                ("audience", "adult"),
                ("period", "day"),
                ("valid_from", &today.to_string()),
            ],
        )
        .await;
    assert_eq!(bad_price.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&bad_price.body, ".error-summary a"),
        ["Enter the price in whole hours and minutes"]
    );
    let saved = t
        .post_form(
            &edit,
            &staff,
            &[
                ("csrf", &token),
                ("title", "Swim, any time"),
                ("hours", "2"),
                ("audience", "adult"),
                ("period", "day"),
                ("valid_from", &today.to_string()),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let list = t.get("/desk/offers", &[("cookie", &staff)]).await;
    assert_eq!(
        texts(&list.body, "#offer-list h2"),
        ["Early swim", "Swim, any time"]
    );

    // Withdraw it: it stays listed as withdrawn, and cannot be edited.
    let withdraw = edit.replace("/edit", "/withdraw");
    let forged = t.post_form(&withdraw, &staff, &[("csrf", "no")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let withdrawn = t.post_form(&withdraw, &staff, &[("csrf", &token)]).await;
    assert_eq!(
        withdrawn.status,
        StatusCode::SEE_OTHER,
        "{}",
        withdrawn.body
    );
    let list = t.get("/desk/offers", &[("cookie", &staff)]).await;
    assert_eq!(
        texts(&list.body, "#offer-list .status-rejected"),
        ["Withdrawn"]
    );
    assert_eq!(
        t.get(&edit, &[("cookie", &staff)]).await.status,
        StatusCode::NOT_FOUND
    );

    // Members and the centre's coordinator do not manage offers.
    assert_eq!(
        t.get("/desk/offers", &[("cookie", &alice)]).await.status,
        StatusCode::FORBIDDEN
    );
    let coordinator = sign_in(t, "coordinator@example.org", STAFF_PASSWORD).await;
    assert_eq!(
        t.get("/desk/offers", &[("cookie", &coordinator)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let early_edit = attr(&list.body, "#offer-list a", "href").expect("early swim");
    assert_eq!(
        t.get(&early_edit, &[("cookie", &coordinator)]).await.status,
        StatusCode::FORBIDDEN
    );
}
