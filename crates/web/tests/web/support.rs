//! `TestApp`: a fresh database with a programme, its manager and two
//! members, and helpers to send requests to the router in-process.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use timecredits_app::{
    Actor, App, Clock, Member, NewMember, NewProgramme, Programme, Role, Scope, SystemClock,
};
use timecredits_app::{Store, fixtures};
use timecredits_store_postgres::PgStore;
use timecredits_store_sqlite::SqliteStore;
use timecredits_web::{WebConfig, router};
use tower::ServiceExt;

pub const MANAGER_EMAIL: &str = "manager@example.org";
pub const MANAGER_PASSWORD: &str = "a long manager password";
pub const PIN: &str = "1234";
/// What Alice holds after set-up: seven and a half credits.
pub const ALICE_MINUTES: i64 = 450;

/// The system clock moved on by however much a test asks, so a test can
/// reach a session's start without waiting for it.
#[derive(Default)]
pub struct ShiftedClock(std::sync::Mutex<chrono::Duration>);

impl Clock for ShiftedClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        SystemClock.now() + *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct TestApp {
    _dir: tempfile::TempDir,
    pub clock: Arc<ShiftedClock>,
    pub app: App,
    pub router: Router,
    pub programme: Programme,
    pub manager: Actor,
    pub alice: Member,
    pub bob: Member,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .map(|v| v.to_str().expect("ascii header"))
            .unwrap_or("")
    }

    /// Every `Set-Cookie` value.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().expect("ascii cookie").to_owned())
            .collect()
    }

    /// The value of a cookie set by this response.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            let pair = c.split(';').next()?;
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
    }

    /// Asserts that this is a problem document with `code`, and returns it.
    #[track_caller]
    pub fn problem(&self, status: StatusCode, code: &str) -> Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(
            self.header(header::CONTENT_TYPE),
            "application/problem+json"
        );
        let body = self.json();
        assert_eq!(body["code"], code, "body: {}", self.body);
        assert_eq!(body["status"], status.as_u16());
        assert!(
            body["title"].is_string() && body["detail"].is_string() && body["type"].is_string()
        );
        body
    }
}

/// The store the web tests run on: SQLite in `dir`, or a fresh PostgreSQL
/// database when `TIMECREDITS_WEB_TEST_BACKEND=postgres` (CI runs the web
/// tests both ways, so every API flow is exercised on both backends).
async fn store(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    match std::env::var("TIMECREDITS_WEB_TEST_BACKEND").as_deref() {
        Ok("postgres") => {
            let url = timecredits_store_postgres::fresh_test_database()
                .await
                .expect("PostgreSQL is required when TIMECREDITS_WEB_TEST_BACKEND=postgres");
            Arc::new(
                PgStore::connect(&url)
                    .await
                    .expect("connect to the test database"),
            )
        }
        Ok("sqlite") | Err(_) => {
            Arc::new(SqliteStore::open(&dir.path().join("timecredits.db")).expect("open store"))
        }
        Ok(other) => {
            panic!("TIMECREDITS_WEB_TEST_BACKEND must be sqlite or postgres, not {other:?}")
        }
    }
}

impl TestApp {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(ShiftedClock::default());
        let app = App::new(store(&dir).await, clock.clone());
        let admin = app
            .bootstrap_administrator("admin@example.org", "a long admin password")
            .await
            .expect("admin");
        let admin = app.actor(admin.id).await.expect("admin actor");
        let programme = app
            .create_programme(
                &admin,
                NewProgramme {
                    name: "Exampleton Time Credits".into(),
                    locality: "Exampleton".into(),
                    time_zone: "Europe/London".into(),
                    language: "en-GB".into(),
                    exchange_overdraft_minutes: 0,
                },
            )
            .await
            .expect("programme");
        let manager = app
            .create_staff(
                &admin,
                MANAGER_EMAIL,
                "Morgan Manager",
                MANAGER_PASSWORD,
                Role::ProgrammeManager,
                Scope::Programme(programme.id),
            )
            .await
            .expect("manager");
        let manager = app.actor(manager.id).await.expect("manager actor");
        let member = |name: &str| NewMember {
            programme: programme.id,
            display_name: name.into(),
            pin: Some(PIN.into()),
            number: None,
        };
        let alice = app
            .register_member(&manager, member("Alice Able"))
            .await
            .expect("alice");
        let bob = app
            .register_member(&manager, member("Bob Baker"))
            .await
            .expect("bob");
        fixtures::seed_credits(&app, alice.id, ALICE_MINUTES)
            .await
            .expect("opening credits");
        let router = router(
            app.clone(),
            WebConfig {
                secure_cookies: true,
            },
        );
        Self {
            _dir: dir,
            clock,
            app,
            router,
            programme,
            manager,
            alice,
            bob,
        }
    }

    /// The same store and people, served by `app`.
    fn serving(mut self, app: App) -> Self {
        self.router = router(
            app.clone(),
            WebConfig {
                secure_cookies: true,
            },
        );
        self.app = app;
        self
    }

    /// The same app, able to email reset codes through `mailer`.
    pub fn with_mailer(self, mailer: Arc<dyn timecredits_app::recovery::Mailer>) -> Self {
        let app = self.app.clone().with_mailer(mailer);
        self.serving(app)
    }

    /// The same app, serving a computed report again for up to `max_age`.
    pub fn with_report_max_age(self, max_age: std::time::Duration) -> Self {
        let app = self.app.clone().with_report_max_age(max_age);
        self.serving(app)
    }

    /// Moves the app's clock on.
    pub fn advance(&self, by: chrono::Duration) {
        *self.clock.0.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).expect("utf-8 body"),
        }
    }

    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut request = Request::get(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::empty()).expect("request"))
            .await
    }

    pub async fn post_json(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> TestResponse {
        let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::from(body.to_string())).expect("request"))
            .await
    }

    pub async fn post_form(
        &self,
        path: &str,
        cookie: &str,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", form_encode(v)))
            .collect();
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie)
            .body(Body::from(body.join("&")))
            .expect("request");
        self.send(request).await
    }

    /// A bearer token for `login`, through the API.
    pub async fn token(&self, login: &str, secret: &str) -> String {
        let response = self
            .post_json(
                "/api/v1/tokens",
                &[],
                &serde_json::json!({ "login": login, "secret": secret }),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "body: {}",
            response.body
        );
        response.json()["token"].as_str().expect("token").to_owned()
    }

    pub async fn alice_token(&self) -> String {
        self.token(&self.alice.number.value().to_string(), PIN)
            .await
    }

    pub async fn manager_token(&self) -> String {
        self.token(MANAGER_EMAIL, MANAGER_PASSWORD).await
    }

    /// A member's balance, read straight from the application.
    pub async fn balance(&self, member: &Member) -> i64 {
        self.app
            .balance(&self.manager, member.account, None)
            .await
            .expect("balance")
    }
}

fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}
