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
                     documents whose `code` names what went wrong. Staff acting for a member who \
                     asked them (a programme manager, or a coordinator of an organisation the \
                     member belongs to) add `On-Behalf-Of: <member id or card number>`: the call \
                     is then made as that member, with none of the staff member's own powers, and \
                     is logged as a proxy action naming both people (see \
                     GET /api/v1/members/{member}/proxy-actions).",
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
    for item in doc.paths.paths.values_mut() {
        let operations = [
            (false, &mut item.get),
            (true, &mut item.put),
            (true, &mut item.post),
            (true, &mut item.delete),
            (true, &mut item.patch),
        ];
        for (writes, operation) in operations {
            if let Some(operation) = operation {
                declare_problems(operation, writes);
            }
        }
    }
    doc
}

/// The media type of every error the API answers.
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// Declares the problems an operation can answer besides those its handler
/// names: every error goes through [`crate::error`], so the statuses follow
/// from what the operation takes (ids, a query, headers, a body, a token).
/// A handler's own description of a status is kept; its problem responses
/// are declared as `application/problem+json`, which is what is sent (an
/// error answered with a body of its own, such as an import's report, keeps
/// its own media type).
fn declare_problems(operation: &mut utoipa::openapi::path::Operation, writes: bool) {
    use utoipa::openapi::RefOr;
    let takes_input = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let has_body = operation.request_body.is_some();
    let signed_in = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let responses = &mut operation.responses.responses;
    for (status, response) in responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if !(status.starts_with('4') || status.starts_with('5')) {
            continue;
        }
        let is_problem = matches!(
            response.content.get("application/json"),
            Some(RefOr::T(content)) if matches!(
                &content.schema,
                Some(RefOr::Ref(r)) if r.ref_location.ends_with("/ProblemDoc")
            )
        );
        if is_problem && let Some(content) = response.content.shift_remove("application/json") {
            response.content.insert(PROBLEM_JSON.to_owned(), content);
        }
    }
    let shared: [(&str, bool, &str); 9] = [
        (
            "400",
            takes_input || has_body,
            "a malformed id, query, header or body (`malformed_id`, `malformed_query`, `malformed_body`, `idempotency_key_required`)",
        ),
        (
            "401",
            signed_in,
            "no valid bearer token (`unauthenticated`)",
        ),
        (
            "403",
            signed_in,
            "the caller's roles do not allow this (`forbidden`)",
        ),
        (
            "404",
            true,
            "no such record, or not one the caller may see (`not_found`)",
        ),
        (
            "409",
            writes,
            "the request clashes with the current state, or reuses an Idempotency-Key for something else",
        ),
        (
            "413",
            has_body,
            "the body is larger than the limit (`payload_too_large`)",
        ),
        (
            "415",
            has_body,
            "the body is not sent as `application/json` (`unsupported_media_type`)",
        ),
        (
            "422",
            takes_input || has_body,
            "a value is missing, of the wrong type or breaks a rule (`invalid_input` and the rule's own code)",
        ),
        (
            "503",
            true,
            "the database is unavailable for a moment; nothing was changed, try again (`unavailable`)",
        ),
    ];
    for (status, applies, description) in shared {
        if applies && !responses.contains_key(status) {
            responses.insert(status.to_owned(), RefOr::T(problem_response(description)));
        }
    }
}

fn problem_response(description: &str) -> utoipa::openapi::Response {
    utoipa::openapi::ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("ProblemDoc")))
                .build(),
        )
        .build()
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
    /// The reference is written in English, for developers.
    l: crate::pages::Layout,
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
        l: crate::pages::Layout::new(&axum::http::HeaderMap::new(), None, "/api/docs"),
        description: doc.info.description.clone().unwrap_or_default(),
        version: doc.info.version.clone(),
        operations: operations(doc),
    };
    page.render().unwrap_or_else(|e| {
        tracing::error!(error.detail = %e, "the API reference failed to render");
        "The API reference could not be shown.".into()
    })
}
