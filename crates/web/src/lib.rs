//! The web layer: server-rendered pages for people and a JSON API under
//! `/api/v1` for programs, over the use cases of [`timecredits_app::App`].
//!
//! It is thin on purpose: parse input into domain types, call a use case,
//! render. Every failure becomes an HTTP answer in one place ([`error`]);
//! storage details are logged, never shown. No handler holds state of its
//! own: everything lives behind the `App`.

mod api;
mod areas;
mod cookies;
mod error;
mod format;
mod health;
mod i18n;
mod openapi;
mod pages;
mod throttle;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, Response, StatusCode, header};
use timecredits_app::{Actor, App, AppError, Member, Statement};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

/// The largest request body accepted: forms and JSON here are tiny.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The largest CSV file the import endpoint accepts (the CLI has no limit).
pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;
/// How long one request may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How the web layer behaves in this deployment.
#[derive(Clone, Copy, Debug)]
pub struct WebConfig {
    /// Mark cookies `Secure` (only sent over HTTPS). Off only for local
    /// development over plain HTTP.
    pub secure_cookies: bool,
}

impl Default for WebConfig {
    /// Safe defaults: cookies only over HTTPS.
    fn default() -> Self {
        Self {
            secure_cookies: true,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) app: App,
    pub(crate) config: Arc<WebConfig>,
    pub(crate) throttle: Arc<throttle::SignInThrottle>,
}

/// Builds the whole application: pages, API, health checks, and the layers
/// every response passes through.
pub fn router(app: App, config: WebConfig) -> Router {
    let state = AppState {
        app,
        config: Arc::new(config),
        throttle: Arc::default(),
    };
    spawn_throttle_sweeper(&state.throttle);
    let (api_routes, api_doc) = api::routes();
    Router::new()
        .merge(health::routes())
        .merge(pages::routes())
        .merge(openapi::routes(api_doc))
        .nest("/api/v1", api_routes)
        .fallback(pages::not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(pages::localise_errors))
        // Layers wrap what is above them; the last added sees a request first.
        // Extractors (JSON, forms, bytes) refuse larger bodies with a 413
        // problem document; CSV imports raise it for their own route.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'",
        ))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::REFERRER_POLICY, "same-origin"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        // Pages and API answers carry personal data: keep them out of caches
        // unless a handler (the stylesheet) says otherwise.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(trace_layer())
}

/// Forgets idle sign-in counters every few minutes, while the server runs.
fn spawn_throttle_sweeper(throttle: &Arc<throttle::SignInThrottle>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let weak = Arc::downgrade(throttle);
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            match weak.upgrade() {
                Some(throttle) => throttle.forget_idle(),
                None => break,
            }
        }
    });
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// Request logs: method, path without its query, status and latency. No
/// headers, so no cookies or tokens; no query strings, so no search terms.
fn trace_layer()
-> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, (), LogResponse> {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_request(())
        .on_response(LogResponse)
}

#[derive(Clone, Copy)]
struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        tracing::info_span!("http.request", http.method = %request.method(), http.path = %request.uri().path())
    }
}

#[derive(Clone, Copy)]
struct LogResponse;

impl<B> OnResponse<B> for LogResponse {
    fn on_response(self, response: &Response<B>, latency: Duration, _span: &Span) {
        let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        tracing::info!(
            http.status = response.status().as_u16(),
            latency_ms,
            "request finished"
        );
    }
}

/// The member behind `actor`, if they are one, with their balance now.
pub(crate) async fn member_summary(
    app: &App,
    actor: &Actor,
) -> Result<Option<(Member, i64)>, AppError> {
    let Some(id) = actor.member else {
        return Ok(None);
    };
    let member = app
        .store()
        .member(id)
        .await?
        .ok_or(AppError::NotFound("member"))?;
    let balance = app.balance(actor, member.account, None).await?;
    Ok(Some((member, balance)))
}

/// A statement as a CSV download.
pub(crate) fn csv_response(statement: &Statement) -> axum::response::Response {
    use axum::response::IntoResponse;
    let disposition = format!(
        "attachment; filename=\"statement-{}.csv\"",
        statement.account
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        format::statement_csv(statement),
    )
        .into_response()
}

/// Serves `router` on `listener` until `shutdown` completes, then lets
/// requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
