//! The bulk-data API: CSV imports and exports, for programme managers.
//!
//! An import is a `text/csv` body (within the API's body size limit),
//! checked whole: the answer lists every problem with its CSV line, and
//! when there is any, nothing is written. An export is served a page at a
//! time; a `Link: <…>; rel="next"` header names the next page.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use timecredits_app::AppError;
use timecredits_app::bulk::{ExportKind, ImportKind, ImportReport, ImportRequest, key_for_file};
use timecredits_ledger::{ProgrammeId, TransferId};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{Bearer, parse_uuid};
use crate::error::{ApiError, Problem};
use crate::openapi::ProblemDoc;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_csv))
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::MAX_IMPORT_BYTES,
        ))
        .routes(routes!(export_csv))
}

fn programme_id(value: &str) -> Result<ProgrammeId, AppError> {
    Ok(ProgrammeId(parse_uuid("programme id", value)?))
}

fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query
        .map(|Query(q)| q)
        .map_err(|r| Problem::new(StatusCode::BAD_REQUEST, "malformed_query", r.body_text()).into())
}

/// One problem with one row of an imported file.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"line": 7, "code": "member_number_invalid", "message": "member_number: member_number does not check out; look again at the number on the card"}))]
struct RowErrorBody {
    /// The CSV line the row starts on; the header is line 1.
    line: u64,
    /// The stable name of the problem.
    code: String,
    message: String,
}

/// What an import did, or for a dry run would do. When `errors` is not
/// empty nothing was written and `created` is 0.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"kind": "members", "dry_run": false, "rows": 2, "created": 2, "replayed": false, "errors": []}))]
struct ImportReportBody {
    /// `members`, `organisations` or `contributions`.
    kind: String,
    dry_run: bool,
    /// Data rows in the file.
    rows: usize,
    /// Records created (that would be created, for a dry run).
    created: usize,
    /// True when this Idempotency-Key had already imported this file.
    replayed: bool,
    errors: Vec<RowErrorBody>,
}

impl From<ImportReport> for ImportReportBody {
    fn from(r: ImportReport) -> Self {
        Self {
            kind: r.kind.as_str().to_owned(),
            dry_run: r.dry_run,
            rows: r.rows,
            created: r.created,
            replayed: r.replayed,
            errors: r
                .errors
                .into_iter()
                .map(|e| RowErrorBody {
                    line: e.line,
                    code: e.code.to_owned(),
                    message: e.message,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    /// Check the file and report what would be created, writing nothing.
    dry_run: Option<bool>,
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<TransferId>, AppError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or_default();
    let key = value.trim().trim_matches('"');
    Ok(Some(TransferId(parse_uuid("Idempotency-Key", key)?)))
}

/// Imports a CSV file of members, organisations or historic contributions
/// into the programme. Every row is checked first; the report lists every
/// problem with its line (the header is line 1) and, if there is any,
/// nothing is written: the file is imported whole or not at all. With
/// `dry_run=true` nothing is written either way. A retry with the same
/// Idempotency-Key imports nothing twice. Managers only.
///
/// Columns — members: `display_name`, `member_number`, `email`, `phone`,
/// `language`; organisations: `name`, `kind`, `roles`, `postcode`,
/// `contact_name`, `contact_email`, `contact_phone`; contributions:
/// `member_number`, `organisation`, `activity`, `date`, `minutes`, `note`
/// (activities must exist; an import does not create them).
#[utoipa::path(
    post, path = "/programmes/{programme}/imports/{kind}", operation_id = "import_csv", tag = "bulk",
    params(
        ("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("kind" = String, Path, description = "`members`, `organisations` or `contributions`", example = "members"),
        ("Idempotency-Key" = Option<uuid::Uuid>, Header, description = "a new UUID per import, the same one on a retry; required unless dry_run", example = "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c"),
        ImportQuery,
    ),
    request_body(
        content = String, content_type = "text/csv",
        description = "the CSV file, UTF-8, with a header row",
        example = "display_name,member_number,email\r\nAnn Example,1234566,ann@example.org\r\nBob Example,,\r\n"
    ),
    responses(
        (status = 200, description = "a dry run, or a retry of an import already made", body = ImportReportBody),
        (status = 201, description = "the file was imported", body = ImportReportBody),
        (status = 400, description = "no or a malformed Idempotency-Key, or a malformed query", body = ProblemDoc),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "not a manager of this programme", body = ProblemDoc),
        (status = 404, description = "no such programme or kind", body = ProblemDoc),
        (status = 409, description = "idempotency_conflict: the key was used for another file", body = ProblemDoc),
        (status = 413, description = "the file is larger than the API accepts", body = ProblemDoc),
        (status = 415, description = "the body is not text/csv", body = ProblemDoc),
        (status = 422, description = "some rows are wrong: nothing was written", body = ImportReportBody,
            example = json!({"kind": "members", "dry_run": false, "rows": 2, "created": 0, "replayed": false,
                "errors": [{"line": 3, "code": "member_number_invalid", "message": "member_number: member_number does not check out; look again at the number on the card"}]})),
    ),
    security(("bearer" = []))
)]
async fn import_csv(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path((programme, kind)): Path<(String, String)>,
    q: Result<Query<ImportQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let programme = programme_id(&programme)?;
    let q = query(q)?;
    let kind = ImportKind::parse(kind.trim()).ok_or(AppError::NotFound("kind of import"))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !content_type.starts_with("text/csv") {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the file as the body with Content-Type: text/csv",
        )
        .into());
    }
    let dry_run = q.dry_run.unwrap_or(false);
    let key = match (idempotency_key(&headers)?, dry_run) {
        (Some(key), _) => key,
        (None, true) => key_for_file(programme, kind, &body),
        (None, false) => {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_required",
                "send an Idempotency-Key header with a new UUID for each new import, and the same one when you retry it",
            )
            .into());
        }
    };
    let report = state
        .app
        .import_csv(
            &actor,
            ImportRequest {
                programme,
                kind,
                key,
                csv: &body,
                dry_run,
            },
            &|_| {},
        )
        .await?;
    let status = if !report.errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if dry_run || report.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(ImportReportBody::from(report))).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    /// The cursor of the next page, from the previous page's `Link` header.
    after: Option<String>,
    /// Rows per page, 1 to 5000 (default 1000).
    limit: Option<u32>,
}

/// One page of a CSV export of the programme: `members.csv`,
/// `organisations.csv`, `activities.csv`, `contributions.csv`,
/// `redemptions.csv` or `transfers.csv` (the ledger, in posting order).
/// Each page is a whole CSV file with its header row; when more rows
/// follow, a `Link: <…>; rel="next"` header gives the next page's address.
/// Managers only.
#[utoipa::path(
    get, path = "/programmes/{programme}/exports/{file}", operation_id = "export_csv", tag = "bulk",
    params(
        ("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("file" = String, Path, description = "`members.csv`, `organisations.csv`, `activities.csv`, `contributions.csv`, `redemptions.csv` or `transfers.csv`", example = "members.csv"),
        ExportQuery,
    ),
    responses(
        (status = 200, description = "one page of the export", content_type = "text/csv", body = String,
            example = "id,name,kind,roles,status,postcode,contact_name,contact_email,contact_phone,created_at\r\n0190f5a2-0000-7000-8000-000000000001,Lunch Club,community_group,both,active,,,,,2025-03-14T10:00:00.000000Z\r\n"),
        (status = 400, description = "a malformed query", body = ProblemDoc),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "not a manager of this programme", body = ProblemDoc),
        (status = 404, description = "no such programme or export", body = ProblemDoc),
        (status = 422, description = "a bad cursor or limit", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn export_csv(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path((programme, file)): Path<(String, String)>,
    q: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let programme_text = programme;
    let programme = programme_id(&programme_text)?;
    let q = query(q)?;
    let kind = file
        .strip_suffix(".csv")
        .and_then(ExportKind::parse)
        .ok_or(AppError::NotFound("export"))?;
    let page = state
        .app
        .export_page(&actor, programme, kind, q.after.as_deref(), q.limit)
        .await?;
    let csv = page.to_csv(true)?;
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{}.csv\"", kind.as_str()))
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        csv,
    )
        .into_response();
    if let Some(next) = &page.next {
        let mut link = format!(
            "</api/v1/programmes/{}/exports/{}.csv?after={next}",
            programme.0,
            kind.as_str()
        );
        if let Some(limit) = q.limit {
            link.push_str(&format!("&limit={limit}"));
        }
        link.push_str(">; rel=\"next\"");
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}
