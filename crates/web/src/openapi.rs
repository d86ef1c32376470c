//! The OpenAPI 3.1 description of the JSON API, served at
//! `/api/openapi.json`. It is assembled from the `#[utoipa::path]`
//! annotations on the handlers themselves.

use std::sync::Arc;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::AppState;

/// The document: the areas' paths under `/api/v1`, with the bearer scheme.
pub(crate) fn document(paths: OpenApi) -> OpenApi {
    let mut doc = utoipa::openapi::OpenApiBuilder::new()
        .info(
            utoipa::openapi::InfoBuilder::new()
                .title("Time Credits API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Run a Time Credits programme: one hour given is one credit. Sign in with \
                     POST /api/v1/tokens and send the token as `Authorization: Bearer …`. Every \
                     request that moves credits needs an `Idempotency-Key` header (a UUID); a retry \
                     with the same key returns the original result. Errors are RFC 9457 problem \
                     documents whose `code` names what went wrong.",
                ))
                .build(),
        )
        .build()
        .nest("/api/v1", paths);
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    doc
}

pub(crate) fn routes(paths: OpenApi) -> Router<AppState> {
    let json = Arc::new(
        document(paths)
            .to_pretty_json()
            .unwrap_or_else(|_| "{}".into()),
    );
    Router::new().route(
        "/api/openapi.json",
        get(move || {
            let json = json.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    json.as_str().to_owned(),
                )
                    .into_response()
            }
        }),
    )
}
