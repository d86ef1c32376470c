//! The authorisation table: for every API operation and every kind of
//! caller, whether the call is allowed. One test walks the whole table
//! against the running app, checks that every documented operation has a
//! row, and keeps `docs/authorization.md` (the same table, for people)
//! in step with it.
//!
//! "Allowed" means the answer is not 401, 403 or 404: the call got past
//! the checks of who may do what (it may still be refused for its content
//! or the state of things, with 409 or 422). "Denied" means 401, 403 or
//! 404: data the caller may not see is not even admitted to exist.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{Value, json};
use timecredits_app::{IssueRequest, NewOrganisation, NewProgramme, Role, Scope};
use timecredits_ledger::TransferId;
use uuid::Uuid;

use crate::support::{MANAGER_EMAIL, MANAGER_PASSWORD, PIN, TestApp, bearer};

/// Every kind of caller the table has a column for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    Anonymous,
    Member,
    CoordinatorHere,
    CoordinatorElsewhere,
    SpendStaff,
    Manager,
    OtherManager,
    Evaluator,
    Admin,
}

use Who::*;

const EVERYONE: &[Who] = &[
    Anonymous,
    Member,
    CoordinatorHere,
    CoordinatorElsewhere,
    SpendStaff,
    Manager,
    OtherManager,
    Evaluator,
    Admin,
];
const SIGNED_IN: &[Who] = &[
    Member,
    CoordinatorHere,
    CoordinatorElsewhere,
    SpendStaff,
    Manager,
    OtherManager,
    Evaluator,
    Admin,
];
const IN_PROGRAMME: &[Who] = &[
    Member,
    CoordinatorHere,
    CoordinatorElsewhere,
    SpendStaff,
    Manager,
    Evaluator,
];

impl Who {
    fn heading(self) -> &'static str {
        match self {
            Anonymous => "anonymous",
            Member => "member (self)",
            CoordinatorHere => "coordinator of this organisation",
            CoordinatorElsewhere => "coordinator of another organisation",
            SpendStaff => "spend staff",
            Manager => "programme manager",
            OtherManager => "manager of another programme",
            Evaluator => "evaluator",
            Admin => "administrator",
        }
    }
}

/// The ids a row's path and body may name: all in programme A, whose
/// organisation "here" is the coordinator's, the desk's and the member's.
pub struct World {
    pub app: TestApp,
    pub tokens: BTreeMap<Who, String>,
    pub organisation: Uuid,
    pub other_organisation: Uuid,
    pub transfer_to_reverse: TransferId,
}

/// One row of the table.
pub struct Row {
    pub operation_id: &'static str,
    pub method: &'static str,
    /// With `{programme}`, `{organisation}`, `{account}`, `{member}`,
    /// `{transfer}` replaced from the world.
    pub path: &'static str,
    pub body: fn(&World) -> Option<Value>,
    pub allowed: &'static [Who],
}

fn no_body(_: &World) -> Option<Value> {
    None
}

/// The table. Keep one row per API operation.
pub fn table() -> Vec<Row> {
    vec![
        Row {
            operation_id: "create_token",
            method: "POST",
            path: "/api/v1/tokens",
            body: |w| {
                Some(json!({ "login": w.app.alice.number.value().to_string(), "secret": PIN }))
            },
            allowed: EVERYONE,
        },
        Row {
            operation_id: "get_me",
            method: "GET",
            path: "/api/v1/me",
            body: no_body,
            allowed: SIGNED_IN,
        },
        Row {
            operation_id: "get_account_statement",
            method: "GET",
            path: "/api/v1/accounts/{account}/statement",
            body: no_body,
            allowed: &[Member, Manager],
        },
        Row {
            operation_id: "give_gift",
            method: "POST",
            path: "/api/v1/gifts",
            body: |w| Some(json!({ "to_member": w.app.bob.id.to_string(), "minutes": 1 })),
            allowed: &[Member],
        },
        Row {
            operation_id: "issue_credits",
            method: "POST",
            path: "/api/v1/issuances",
            body: |w| {
                Some(
                    json!({ "programme": w.app.programme.id.to_string(), "member": w.app.alice.id.to_string(), "minutes": 15 }),
                )
            },
            allowed: &[Manager],
        },
        Row {
            operation_id: "redeem_minutes",
            method: "POST",
            path: "/api/v1/redemptions",
            body: |w| {
                Some(
                    json!({ "organisation": w.organisation.to_string(), "member": w.app.alice.id.to_string(), "minutes": 1 }),
                )
            },
            allowed: &[SpendStaff, Manager],
        },
        Row {
            operation_id: "reverse_transfer",
            method: "POST",
            path: "/api/v1/transfers/{transfer}/reversal",
            body: |_| Some(json!({ "reason": "entered twice" })),
            allowed: &[Manager],
        },
        Row {
            operation_id: "list_programme_rules",
            method: "GET",
            path: "/api/v1/programmes/{programme}/rules",
            body: no_body,
            allowed: IN_PROGRAMME,
        },
        Row {
            operation_id: "change_programme_rules",
            method: "POST",
            path: "/api/v1/programmes/{programme}/rules",
            body: |_| {
                let day = (chrono::Utc::now().date_naive() + chrono::Duration::days(400))
                    .format("%Y-%m-%d")
                    .to_string();
                Some(json!({
                    "effective_from": day, "granularity_minutes": 15, "daily_cap_minutes": 720,
                    "members_may_claim": true, "exchange_overdraft_minutes": 0, "expiry_months": null,
                    "partner_receipts": "retire"
                }))
            },
            allowed: &[Manager],
        },
        Row {
            operation_id: "programme_circulation",
            method: "GET",
            path: "/api/v1/programmes/{programme}/circulation",
            body: no_body,
            allowed: &[Manager, Evaluator],
        },
        Row {
            operation_id: "run_credit_expiry",
            method: "POST",
            path: "/api/v1/programmes/{programme}/expiry-runs",
            body: no_body,
            allowed: &[Manager],
        },
    ]
}

async fn token(app: &TestApp, login: &str, secret: &str) -> String {
    bearer(&app.token(login, secret).await)
}

pub async fn world() -> World {
    let app = TestApp::new().await;
    let admin = app
        .app
        .store()
        .user_by_email("admin@example.org")
        .await
        .expect("read")
        .expect("admin");
    let admin = app.app.actor(admin.id).await.expect("admin actor");
    let new_org = |name: &str| NewOrganisation {
        programme: app.programme.id,
        name: name.into(),
    };
    let here = app
        .app
        .create_organisation(&app.manager, new_org("Here Hall"))
        .await
        .expect("org");
    let elsewhere = app
        .app
        .create_organisation(&app.manager, new_org("Elsewhere Hub"))
        .await
        .expect("org");
    let password = "a long staff password";
    let staff = |email: &'static str, role: Role, scope: Scope| {
        let app = &app;
        async move {
            app.app
                .create_staff(&app.manager, email, "Staff", password, role, scope)
                .await
                .expect("staff");
        }
    };
    staff(
        "here@example.org",
        Role::Coordinator,
        Scope::Organisation(here.id),
    )
    .await;
    staff(
        "elsewhere@example.org",
        Role::Coordinator,
        Scope::Organisation(elsewhere.id),
    )
    .await;
    staff(
        "desk@example.org",
        Role::SpendStaff,
        Scope::Organisation(here.id),
    )
    .await;
    staff(
        "evaluator@example.org",
        Role::Evaluator,
        Scope::Programme(app.programme.id),
    )
    .await;
    let other = app
        .app
        .create_programme(
            &admin,
            NewProgramme {
                name: "Elsewhere Time Credits".into(),
                locality: "Elsewhere".into(),
                time_zone: "Europe/London".into(),
                language: "en".into(),
                exchange_overdraft_minutes: 0,
            },
        )
        .await
        .expect("other programme");
    app.app
        .create_staff(
            &admin,
            "other@example.org",
            "Other",
            password,
            Role::ProgrammeManager,
            Scope::Programme(other.id),
        )
        .await
        .expect("other manager");
    let transfer = TransferId(Uuid::now_v7());
    app.app
        .issue_credits(
            &app.manager,
            IssueRequest {
                id: transfer,
                programme: app.programme.id,
                member: app.bob.id,
                minutes: 60,
                reason: "to reverse".into(),
            },
        )
        .await
        .expect("issue");
    let mut tokens = BTreeMap::new();
    tokens.insert(
        Member,
        token(&app, &app.alice.number.value().to_string(), PIN).await,
    );
    tokens.insert(
        CoordinatorHere,
        token(&app, "here@example.org", password).await,
    );
    tokens.insert(
        CoordinatorElsewhere,
        token(&app, "elsewhere@example.org", password).await,
    );
    tokens.insert(SpendStaff, token(&app, "desk@example.org", password).await);
    tokens.insert(Manager, token(&app, MANAGER_EMAIL, MANAGER_PASSWORD).await);
    tokens.insert(
        OtherManager,
        token(&app, "other@example.org", password).await,
    );
    tokens.insert(
        Evaluator,
        token(&app, "evaluator@example.org", password).await,
    );
    tokens.insert(
        Admin,
        token(&app, "admin@example.org", "a long admin password").await,
    );
    World {
        app,
        tokens,
        organisation: here.id.0,
        other_organisation: elsewhere.id.0,
        transfer_to_reverse: transfer,
    }
}

fn fill(path: &str, w: &World) -> String {
    path.replace("{programme}", &w.app.programme.id.to_string())
        .replace("{organisation}", &w.organisation.to_string())
        .replace("{account}", &w.app.alice.account.to_string())
        .replace("{member}", &w.app.alice.id.to_string())
        .replace("{transfer}", &w.transfer_to_reverse.to_string())
}

/// The table as Markdown, for `docs/authorization.md`.
fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "# Who may call what\n\nGenerated from the authorisation table in `crates/web/tests/web/authz.rs`, which a \
         test walks against the running app. ✓ allowed, — refused (401, 403, or 404 where the caller may not know \
         the thing exists). \"This organisation\" is the one the row's resource belongs to; every resource is in \
         the caller's programme unless the column says otherwise.\n\n| operation |",
    );
    for who in EVERYONE {
        out.push_str(&format!(" {} |", who.heading()));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(EVERYONE.len()));
    out.push('\n');
    for row in rows {
        out.push_str(&format!(
            "| `{}` {} `{}` |",
            row.operation_id,
            row.method,
            row.path.trim_start_matches("/api/v1")
        ));
        for who in EVERYONE {
            out.push_str(if row.allowed.contains(who) {
                " ✓ |"
            } else {
                " — |"
            });
        }
        out.push('\n');
    }
    out
}

#[tokio::test]
async fn every_operation_is_allowed_exactly_for_the_callers_in_the_table() {
    let w = world().await;
    let rows = table();

    let mut wrong = Vec::new();
    for row in &rows {
        let path = fill(row.path, &w);
        for &who in EVERYONE {
            let mut headers: Vec<(&str, String)> =
                vec![("idempotency-key", Uuid::now_v7().to_string())];
            if let Some(token) = w.tokens.get(&who) {
                headers.push(("authorization", token.clone()));
            }
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = match row.method {
                "GET" => w.app.get(&path, &headers).await,
                "POST" => {
                    w.app
                        .post_json(&path, &headers, &(row.body)(&w).unwrap_or(json!({})))
                        .await
                }
                other => panic!("no test driver for method {other}"),
            };
            let refused = matches!(
                response.status,
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
            );
            let expected = row.allowed.contains(&who);
            if refused == expected || response.status.is_server_error() {
                wrong.push(format!(
                    "{} {} as {:?}: expected {}, got {} {}",
                    row.method,
                    path,
                    who,
                    if expected { "allowed" } else { "refused" },
                    response.status,
                    response.body.chars().take(200).collect::<String>()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the app does not match the table:\n{}",
        wrong.join("\n")
    );

    // Every documented operation has a row, and every row is documented.
    let doc = w.app.get("/api/openapi.json", &[]).await.json();
    let mut documented = Vec::new();
    for item in doc["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("operations").values() {
            documented.push(op["operationId"].as_str().expect("operation id").to_owned());
        }
    }
    documented.sort();
    let mut in_table: Vec<String> = rows.iter().map(|r| r.operation_id.to_owned()).collect();
    in_table.sort();
    assert_eq!(
        in_table, documented,
        "the authorisation table must have exactly one row per API operation"
    );

    // The human-readable table is generated from this one.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/authorization.md");
    let expected = markdown(&rows);
    if std::env::var_os("UPDATE_AUTHZ_DOC").is_some() {
        std::fs::write(&path, &expected).expect("write docs/authorization.md");
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == expected,
        "docs/authorization.md is out of date; regenerate it with UPDATE_AUTHZ_DOC=1 cargo test -p timecredits-web --test web authz"
    );
    let _ = w.other_organisation;
}
