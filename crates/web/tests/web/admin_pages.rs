//! The administrator's pages: programmes and staff sign-ins.

use axum::http::StatusCode;

use crate::pages::{attr, session_csrf, sign_in, texts};
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

#[tokio::test]
async fn an_administrator_grants_and_revokes_programme_roles() {
    let t = TestApp::new().await;
    let admin = sign_in(&t, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let csrf = session_csrf(&t, &admin).await;
    let programme = t.programme.id.to_string();
    let path = format!("/admin/programmes/{programme}/staff");
    // Each programme row on /admin links to its staff page.
    let overview = t.get("/admin", &[("cookie", &admin)]).await;
    assert_eq!(
        attr(&overview.body, "#programmes a.programme-staff", "href").as_deref(),
        Some(path.as_str())
    );
    let page = t.get(&path, &[("cookie", &admin)]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        texts(&page.body, "#staff .staff-role"),
        ["Programme manager"]
    );
    let csrf_field = attr(&page.body, "#grant-role input[name=csrf]", "value");
    assert_eq!(csrf_field.as_deref(), Some(csrf.as_str()));
    assert!(attr(&page.body, "#staff form input[name=csrf]", "value").is_some());

    // Mistakes: the summary and the field say what is wrong; nothing changes.
    let unknown = t
        .post_form(
            &path,
            &admin,
            &[
                ("csrf", &csrf),
                ("email", "nobody@example.org"),
                ("role", "evaluator"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&unknown.body, ".error-summary li").len(), 1);
    assert_eq!(texts(&unknown.body, "#email-error").len(), 1);
    assert_eq!(
        attr(&unknown.body, "#email", "value").as_deref(),
        Some("nobody@example.org")
    );
    let no_role = t
        .post_form(
            &path,
            &admin,
            &[
                ("csrf", &csrf),
                ("email", MANAGER_EMAIL),
                ("role", "administrator"),
            ],
        )
        .await;
    assert_eq!(no_role.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(texts(&no_role.body, "#role-error").len(), 1);

    // The manager is also made an evaluator, then loses the manager's role.
    let granted = t
        .post_form(
            &path,
            &admin,
            &[
                ("csrf", &csrf),
                ("email", MANAGER_EMAIL),
                ("role", "evaluator"),
            ],
        )
        .await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.body);
    let page = t
        .get(&format!("{path}?done=granted"), &[("cookie", &admin)])
        .await;
    assert_eq!(texts(&page.body, "#done"), ["The role is given."]);
    let mut roles = texts(&page.body, "#staff .staff-role");
    roles.sort();
    assert_eq!(roles, ["Evaluator", "Programme manager"]);
    let user = attr(&page.body, "#staff input[name=user]", "value").expect("user");

    let manager = sign_in(&t, MANAGER_EMAIL, MANAGER_PASSWORD).await;
    let members = format!("/manage/{programme}/members");
    assert_eq!(
        t.get(&members, &[("cookie", &manager)]).await.status,
        StatusCode::OK
    );
    // Without the form's token nothing is revoked.
    let forged = t
        .post_form(
            &format!("{path}/revoke"),
            &admin,
            &[
                ("csrf", "wrong"),
                ("user", &user),
                ("role", "programme_manager"),
            ],
        )
        .await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER);
    let revoked = t
        .post_form(
            &format!("{path}/revoke"),
            &admin,
            &[
                ("csrf", &csrf),
                ("user", &user),
                ("role", "programme_manager"),
            ],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    let page = t.get(&path, &[("cookie", &admin)]).await;
    assert_eq!(texts(&page.body, "#staff .staff-role"), ["Evaluator"]);
    assert_ne!(
        t.get(&members, &[("cookie", &manager)]).await.status,
        StatusCode::OK,
        "a revoked manager no longer manages"
    );

    // Nobody but an administrator sees or uses the page.
    let alice = sign_in(&t, &t.alice.number.value().to_string(), PIN).await;
    assert_eq!(
        t.get(&path, &[("cookie", &alice)]).await.status,
        StatusCode::FORBIDDEN
    );
    let manager_csrf = session_csrf(&t, &manager).await;
    let refused = t
        .post_form(
            &path,
            &manager,
            &[
                ("csrf", &manager_csrf),
                ("email", MANAGER_EMAIL),
                ("role", "programme_manager"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
