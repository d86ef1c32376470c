//! The administrator's pages: programmes and staff sign-ins.

use axum::http::StatusCode;

use crate::pages::{session_csrf, sign_in, texts};
use crate::support::{MANAGER_EMAIL, MANAGER_PASSWORD, PIN, TestApp};

const ADMIN_EMAIL: &str = "admin@example.org";
const ADMIN_PASSWORD: &str = "a long admin password";

#[tokio::test]
async fn an_administrator_creates_programmes_and_staff_and_nobody_else_may() {
    let t = TestApp::new().await;
    let admin = sign_in(&t, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let csrf = session_csrf(&t, &admin).await;
    let home = t.get("/home", &[("cookie", &admin)]).await;
    // Only what an administrator can use: no programme's activities.
    assert_eq!(texts(&home.body, "nav a"), ["Home", "Administration"]);
    let page = t.get("/admin", &[("cookie", &admin)]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        texts(&page.body, "#programmes tbody td")[0],
        "Exampleton Time Credits"
    );

    // Mistakes: the summary names the fields, and nothing is created.
    let wrong = t
        .post_form(
            "/admin/programmes",
            &admin,
            &[
                ("csrf", &csrf),
                ("name", ""),
                ("time_zone", "Europe/London"),
                ("language", "en-GB"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&wrong.body, ".error-summary li"),
        ["Enter a name of 1 to 200 characters"]
    );
    let bad_zone = t
        .post_form(
            "/admin/programmes",
            &admin,
            &[
                ("csrf", &csrf),
                ("name", "Otherton Time Credits"),
                ("time_zone", "Mars/Olympus"),
                ("language", "en-GB"),
            ],
        )
        .await;
    assert_eq!(bad_zone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&bad_zone.body, "#time_zone-error").len(), 1);
    let created = t
        .post_form(
            "/admin/programmes",
            &admin,
            &[
                ("csrf", &csrf),
                ("name", "Otherton Time Credits"),
                ("locality", "Otherton"),
                ("time_zone", "Europe/London"),
                ("language", "en-GB"),
                ("exchange_overdraft_minutes", "0"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let page = t.get("/admin", &[("cookie", &admin)]).await;
    assert_eq!(texts(&page.body, "#programmes tbody tr").len(), 2);

    // A manager for the first programme, who can then sign in and manage it.
    let programme = t.programme.id.to_string();
    let short = t
        .post_form(
            "/admin/staff",
            &admin,
            &[
                ("csrf", &csrf),
                ("email", "new.manager@example.org"),
                ("display_name", "Nia New"),
                ("password", "short"),
                ("role", "programme_manager"),
                ("programme", &programme),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&short.body, "#password-error").len(), 1);
    let taken = t
        .post_form(
            "/admin/staff",
            &admin,
            &[
                ("csrf", &csrf),
                ("email", MANAGER_EMAIL),
                ("display_name", "Nia New"),
                ("password", "a long new password"),
                ("role", "programme_manager"),
                ("programme", &programme),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&taken.body, "#email-error").len(), 1);
    let staff = t
        .post_form(
            "/admin/staff",
            &admin,
            &[
                ("csrf", &csrf),
                ("email", "new.manager@example.org"),
                ("display_name", "Nia New"),
                ("password", "a long new password"),
                ("role", "programme_manager"),
                ("programme", &programme),
            ],
        )
        .await;
    assert_eq!(staff.status, StatusCode::SEE_OTHER, "{}", staff.body);
    let nia = sign_in(&t, "new.manager@example.org", "a long new password").await;
    let manage = t
        .get(&format!("/manage/{programme}/members"), &[("cookie", &nia)])
        .await;
    assert_eq!(manage.status, StatusCode::OK);

    // Managers and members may not use these pages.
    let manager = sign_in(&t, MANAGER_EMAIL, MANAGER_PASSWORD).await;
    let manager_csrf = session_csrf(&t, &manager).await;
    let alice = sign_in(&t, &t.alice.number.value().to_string(), PIN).await;
    for who in [&manager, &alice] {
        assert_eq!(
            t.get("/admin", &[("cookie", who)]).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let refused = t
        .post_form(
            "/admin/programmes",
            &manager,
            &[
                ("csrf", &manager_csrf),
                ("name", "Sneaky"),
                ("time_zone", "Europe/London"),
                ("language", "en-GB"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
