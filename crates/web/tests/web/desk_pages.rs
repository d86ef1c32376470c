//! The spend desk's till screen: find, choose, confirm, receipt.

use axum::http::{StatusCode, header};

use crate::area_spending::{DESK_EMAIL, STAFF_PASSWORD, desk, swim};
use crate::pages::{attr, sign_in, texts};
use crate::support::{ALICE_MINUTES, PIN};

#[tokio::test]
async fn desk_staff_find_a_member_take_credits_once_and_print_a_receipt() {
    let d = desk().await;
    let t = &d.t;
    d.publish(&swim(&d.centre)).await;
    let staff = sign_in(t, DESK_EMAIL, STAFF_PASSWORD).await;
    let empty = t.get("/desk", &[("cookie", &staff)]).await;
    assert_eq!(empty.status, StatusCode::OK, "body: {}", empty.body);
    assert_eq!(
        texts(&empty.body, "label[for=member]"),
        ["Member number or card code"]
    );

    // By the code on the member's card.
    let code = format!("TC1:{:07}", t.alice.number.value());
    let found = t
        .get(&format!("/desk?member={code}"), &[("cookie", &staff)])
        .await;
    assert_eq!(found.status, StatusCode::OK, "body: {}", found.body);
    assert_eq!(
        texts(&found.body, "#desk-balance"),
        ["Has 7 Time Credits and 30 minutes (7 hours and 30 minutes)."]
    );
    assert_eq!(
        texts(&found.body, ".offer-buttons button"),
        ["Take 1 Time Credit and 30 minutes for One swim"]
    );
    let form = |name: &str| {
        attr(
            &found.body,
            &format!(".offer-buttons input[name={name}]"),
            "value",
        )
        .expect(name)
    };
    let fields = [
        ("csrf", form("csrf")),
        ("key", form("key")),
        ("member", form("member")),
        ("offer", form("offer")),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut receipt = String::new();
    for _ in 0..2 {
        let spent = t.post_form("/desk/redemptions", &staff, &fields).await;
        assert_eq!(spent.status, StatusCode::SEE_OTHER, "body: {}", spent.body);
        receipt = spent.header(header::LOCATION).to_owned();
    }
    assert!(receipt.starts_with("/desk/receipts/"));
    assert_eq!(t.balance(&t.alice).await, ALICE_MINUTES - 90, "taken once");
    let shown = t.get(&receipt, &[("cookie", &staff)]).await;
    assert_eq!(shown.status, StatusCode::OK, "body: {}", shown.body);
    assert_eq!(texts(&shown.body, "#receipt-balance"), ["6 Time Credits"]);
    let today = t.get("/desk", &[("cookie", &staff)]).await;
    assert_eq!(texts(&today.body, "#today tbody tr").len(), 1);

    // An unknown number is a clear error beside the field.
    let unknown = t.get("/desk?member=1234567", &[("cookie", &staff)]).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&unknown.body, "#member-error").len(), 1);

    // Members have no desk, but see what they can spend on.
    let alice = sign_in(t, &t.alice.number.value().to_string(), PIN).await;
    let offers = t.get("/spend", &[("cookie", &alice)]).await;
    assert_eq!(offers.status, StatusCode::OK, "body: {}", offers.body);
    assert_eq!(texts(&offers.body, "#offers h2"), ["One swim"]);
    assert!(
        texts(&offers.body, "#offers p")[1]
            .starts_with("1 Time Credit and 30 minutes (1 hour and 30 minutes)")
    );
    assert_eq!(
        t.get("/desk", &[("cookie", &alice)]).await.status,
        StatusCode::FORBIDDEN
    );
}
