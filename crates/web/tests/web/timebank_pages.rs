//! Two members make a time-bank exchange through the pages.

use axum::http::{StatusCode, header};

use crate::pages::{attr, session_csrf, sign_in, texts};
use crate::support::{ALICE_MINUTES, PIN, TestApp};

#[tokio::test]
async fn two_members_list_propose_and_accept_an_exchange() {
    let t = TestApp::new().await;
    let alice = sign_in(&t, &t.alice.number.value().to_string(), PIN).await;
    let bob = sign_in(&t, &t.bob.number.value().to_string(), PIN).await;
    let (alice_token, bob_token) = (session_csrf(&t, &alice).await, session_csrf(&t, &bob).await);

    // A listing without a kind or title is refused, field by field.
    let bad = t
        .post_form(
            "/timebank/listings",
            &alice,
            &[("csrf", &alice_token), ("category", "other")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&bad.body, ".error-summary li").len(), 2);
    let listed = t
        .post_form(
            "/timebank/listings",
            &alice,
            &[
                ("csrf", &alice_token),
                ("kind", "request"),
                ("category", "gardening_and_outdoors"),
                ("title", "Help mowing the lawn"),
                ("place", "March"),
            ],
        )
        .await;
    assert_eq!(listed.header(header::LOCATION), "/timebank?done=listed");

    // Bob finds it by category and place, and proposes: he helped, Alice pays.
    let found = t
        .get(
            "/timebank?kind=request&category=gardening_and_outdoors&place=march",
            &[("cookie", &bob)],
        )
        .await;
    assert_eq!(texts(&found.body, "#listings h3"), ["Help mowing the lawn"]);
    let href = attr(&found.body, "#listings a", "href").expect("propose link");
    let form = t.get(&href, &[("cookie", &bob)]).await;
    assert_eq!(form.status, StatusCode::OK, "body: {}", form.body);
    assert_eq!(
        attr(&form.body, "#to", "value"),
        Some(t.alice.number.value().to_string()),
        "the listing's author is filled in"
    );
    let listing = attr(&form.body, "input[name=listing]", "value").expect("listing");
    let proposed = t
        .post_form(
            "/timebank/propose",
            &bob,
            &[
                ("csrf", &bob_token),
                ("listing", &listing),
                ("to", &t.alice.number.value().to_string()),
                ("direction", "helper_bills"),
                ("hours", "1"),
                ("note", "Front lawn"),
            ],
        )
        .await;
    assert_eq!(proposed.header(header::LOCATION), "/timebank?done=proposed");
    assert_eq!(t.balance(&t.bob).await, 0, "nothing moves before an answer");

    // Alice sees it, and accepts; a second tap pays once.
    let page = t.get("/timebank", &[("cookie", &alice)]).await;
    assert_eq!(
        texts(&page.body, "#proposal-list p")[0],
        "Bob Baker helped you for 1 hour."
    );
    let accept = attr(&page.body, "form[action$=\"/accept\"]", "action").expect("accept");
    for _ in 0..2 {
        let done = t
            .post_form(&accept, &alice, &[("csrf", &alice_token)])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "body: {}", done.body);
    }
    assert_eq!(t.balance(&t.alice).await, ALICE_MINUTES - 60);
    assert_eq!(t.balance(&t.bob).await, 60);
    let bob_view = t.get("/timebank", &[("cookie", &bob)]).await;
    assert!(
        texts(&bob_view.body, "#proposal-list .hint").contains(&"Accepted and paid".to_owned())
    );
}
