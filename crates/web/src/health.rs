//! Health checks for the process supervisor and the load balancer.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use crate::AppState;

/// How long the readiness check waits for the database.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// The process is up and answering.
async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve requests: its database answers.
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match tokio::time::timeout(PING_TIMEOUT, state.app.store().ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        Ok(Err(error)) => {
            tracing::warn!(error.detail = %error, "readiness check: database did not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: the database did not answer",
            )
        }
        Err(_) => {
            tracing::warn!(
                timeout_ms = PING_TIMEOUT.as_millis() as u64,
                "readiness check: database timed out"
            );
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: the database is too slow to answer",
            )
        }
    }
}
