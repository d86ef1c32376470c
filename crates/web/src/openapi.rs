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

/// An RFC 9457 problem document, as every error is answered.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "type": "about:blank", "title": "Conflict", "status": 409, "code": "insufficient_credits",
    "detail": "account … holds 30 minutes, not enough for 60; nothing was moved"
}))]
pub(crate) struct ProblemDoc {
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    /// The stable name of what went wrong, e.g. `insufficient_credits`.
    code: String,
    /// What was wrong and what to do, in words.
    detail: String,
}

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
    let doc = document(paths);
    let json: Arc<str> = doc.to_pretty_json().unwrap_or_else(|_| "{}".into()).into();
    let html: Arc<str> = docs_page(&doc).into();
    Router::new()
        .route(
            "/api/openapi.json",
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        json.to_string(),
                    )
                        .into_response()
                }
            }),
        )
        .route(
            "/api/docs",
            get(move || {
                let html = html.clone();
                async move { axum::response::Html(html.to_string()) }
            }),
        )
}

/// One operation, as the reference page shows it.
struct OperationView {
    method: &'static str,
    path: String,
    operation_id: String,
    summary: String,
    description: String,
    tags: String,
    needs_token: bool,
    parameters: Vec<ParameterView>,
    request_example: Option<String>,
    responses: Vec<(String, String)>,
}

struct ParameterView {
    name: String,
    location: &'static str,
    required: bool,
    description: String,
}

#[derive(askama::Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    sign_out_csrf: Option<String>,
    description: String,
    version: String,
    operations: Vec<OperationView>,
}

fn operations(doc: &OpenApi) -> Vec<OperationView> {
    use utoipa::openapi::path::ParameterIn;
    let mut out = Vec::new();
    for (path, item) in &doc.paths.paths {
        let methods = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in methods {
            let Some(op) = op else { continue };
            let parameters = op
                .parameters
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    utoipa::openapi::RefOr::T(p) => Some(p),
                    utoipa::openapi::RefOr::Ref(_) => None,
                })
                .map(|p| ParameterView {
                    name: p.name.clone(),
                    location: match p.parameter_in {
                        ParameterIn::Path => "path",
                        ParameterIn::Query | ParameterIn::QueryString => "query",
                        ParameterIn::Header => "header",
                        ParameterIn::Cookie => "cookie",
                    },
                    required: matches!(p.required, utoipa::openapi::Required::True),
                    description: p.description.clone().unwrap_or_default(),
                })
                .collect();
            let request_example = op.request_body.as_ref().and_then(|body| {
                let utoipa::openapi::RefOr::T(body) = body else {
                    return None;
                };
                body.content.values().find_map(|content| {
                    let utoipa::openapi::RefOr::T(content) = content else {
                        return None;
                    };
                    let example = content
                        .example
                        .clone()
                        .or_else(|| schema_example(doc, &content.schema))?;
                    serde_json::to_string_pretty(&example).ok()
                })
            });
            out.push(OperationView {
                method,
                path: path.clone(),
                operation_id: op.operation_id.clone().unwrap_or_default(),
                summary: op.summary.clone().unwrap_or_default(),
                description: op.description.clone().unwrap_or_default(),
                tags: op.tags.clone().unwrap_or_default().join(", "),
                needs_token: op.security.as_ref().is_some_and(|s| !s.is_empty()),
                parameters,
                request_example,
                responses: op
                    .responses
                    .responses
                    .iter()
                    .map(|(status, r)| {
                        let meaning = match r {
                            utoipa::openapi::RefOr::T(r) => r.description.clone(),
                            utoipa::openapi::RefOr::Ref(r) => r.ref_location.clone(),
                        };
                        (status.clone(), meaning)
                    })
                    .collect(),
            });
        }
    }
    out.sort_by(|a, b| (a.path.as_str(), a.method).cmp(&(b.path.as_str(), b.method)));
    out
}

/// The example of a `$ref`-erenced schema, from the components.
fn schema_example(
    doc: &OpenApi,
    schema: &Option<utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>>,
) -> Option<serde_json::Value> {
    let utoipa::openapi::RefOr::Ref(reference) = schema.as_ref()? else {
        return None;
    };
    let name = reference.ref_location.rsplit('/').next()?;
    let schema = doc.components.as_ref()?.schemas.get(name)?;
    let value = serde_json::to_value(schema).ok()?;
    value
        .get("example")
        .cloned()
        .or_else(|| value.get("examples")?.get(0).cloned())
}

pub(crate) fn docs_page(doc: &OpenApi) -> String {
    use askama::Template;
    let page = ApiDocsPage {
        sign_out_csrf: None,
        description: doc.info.description.clone().unwrap_or_default(),
        version: doc.info.version.clone(),
        operations: operations(doc),
    };
    page.render().unwrap_or_else(|e| {
        tracing::error!(error.detail = %e, "the API reference failed to render");
        "The API reference could not be shown.".into()
    })
}
