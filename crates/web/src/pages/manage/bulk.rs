//! CSV import and export for a programme's managers.
//!
//! The import form takes a CSV file (multipart upload) or its text pasted
//! into a box; a file, when chosen, wins. A dry run, the default,
//! checks every row and writes nothing; a real run writes the whole file
//! or, when any row has a problem, nothing. Either way every problem is
//! listed with its line. The form carries a UUID made when it was drawn,
//! used as the import's idempotency key, so a double submit imports once.

use askama::Template;
use axum::extract::{Form, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use timecredits_app::bulk::{ExportKind, ImportKind, ImportReport, ImportRequest, key_for_file};
use timecredits_app::{AppError, Programme};
use timecredits_ledger::TransferId;
use uuid::Uuid;

use super::super::forms::FormErrors;
use super::{Choice, Field, FieldKind, base, managed_programme};
use crate::AppState;
use crate::error::PageError;
use crate::i18n::Arg;
use crate::pages::{Layout, SignedIn, form_timed_out, render, render_with};

#[derive(Deserialize, Default)]
pub(crate) struct ImportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    csv: String,
    #[serde(default)]
    dry_run: String,
    /// The uploaded file's bytes (multipart only), kept as bytes: the
    /// importer reports text that is not UTF-8 by line.
    #[serde(skip)]
    file: Vec<u8>,
}

impl ImportForm {
    /// The form as sent: multipart (with a file) from the page, or
    /// url-encoded (text only) from simpler clients.
    async fn read(state: &AppState, request: Request) -> Result<Self, PageError> {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let Form(form) = Form::<ImportForm>::from_request(request, state)
                .await
                .map_err(|_| form_timed_out())?;
            return Ok(form);
        }
        let mut parts = Multipart::from_request(request, state)
            .await
            .map_err(|_| form_timed_out())?;
        let mut form = ImportForm::default();
        while let Some(part) = parts.next_field().await.map_err(|_| form_timed_out())? {
            let name = part.name().unwrap_or_default().to_owned();
            if name == "file" {
                form.file = part.bytes().await.map_err(|_| form_timed_out())?.to_vec();
                continue;
            }
            let text = part.text().await.map_err(|_| form_timed_out())?;
            match name.as_str() {
                "csrf" => form.csrf = text,
                "key" => form.key = text,
                "kind" => form.kind = text,
                "csv" => form.csv = text,
                "dry_run" => form.dry_run = text,
                _ => {}
            }
        }
        Ok(form)
    }
}

struct ProblemRow {
    line: u64,
    message: String,
}

/// What the import did, in words.
struct ReportView {
    summary: String,
    problems: Vec<ProblemRow>,
}

#[derive(Template)]
#[template(path = "manage_import.html")]
struct ImportPage {
    l: Layout,
    errors: FormErrors,
    programme: String,
    action: String,
    key: String,
    fields: Vec<Field>,
    report: Option<ReportView>,
}

fn import_fields(l: &Layout, form: &ImportForm, errors: &FormErrors) -> Vec<Field> {
    let kinds = ImportKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: l.t(&format!("manage-kind-{}", k.as_str())),
        })
        .collect();
    vec![
        Field::new("kind", l.t("manage-import-kind"), FieldKind::Select(kinds)).value(&form.kind),
        Field::new("file", l.t("manage-import-file"), FieldKind::File)
            .hint(l.t("manage-import-file-hint")),
        Field::new("csv", l.t("manage-import-csv"), FieldKind::TextArea)
            .hint(l.t("manage-import-csv-hint"))
            .value(&form.csv),
        Field::new("dry_run", l.t("manage-import-dry-run"), FieldKind::Checkbox)
            .hint(l.t("manage-import-dry-run-hint"))
            .value(&form.dry_run),
    ]
    .into_iter()
    .map(|f| f.errors(errors))
    .collect()
}

fn import_page(
    l: Layout,
    programme: &Programme,
    form: &ImportForm,
    key: String,
    errors: FormErrors,
    report: Option<ReportView>,
) -> ImportPage {
    let fields = import_fields(&l, form, &errors);
    ImportPage {
        errors,
        programme: programme.name.clone(),
        action: format!("{}/import", base(programme)),
        key,
        fields,
        report,
        l,
    }
}

pub(crate) async fn import_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(programme): Path<String>,
) -> Result<Response, PageError> {
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let form = ImportForm {
        kind: ImportKind::Members.as_str().into(),
        dry_run: "on".into(),
        ..ImportForm::default()
    };
    let page = import_page(
        l,
        &programme,
        &form,
        Uuid::now_v7().to_string(),
        FormErrors::default(),
        None,
    );
    Ok(render(&page)?.into_response())
}

fn report_view(l: &Layout, report: &ImportReport) -> ReportView {
    let kind = l.t(&format!("manage-kind-{}", report.kind.as_str()));
    let count = |key: &str, n: usize| {
        l.lang.ta(
            key,
            &[
                ("n", Arg::Int(i64::try_from(n).unwrap_or(i64::MAX))),
                ("kind", Arg::Text(kind.clone())),
            ],
        )
    };
    let summary = if !report.errors.is_empty() {
        count("manage-import-problems", report.errors.len())
    } else if report.dry_run {
        count("manage-import-would-create", report.rows)
    } else if report.replayed {
        count("manage-import-replayed", report.created)
    } else {
        count("manage-import-created", report.created)
    };
    ReportView {
        summary,
        problems: report
            .errors
            .iter()
            .map(|e| ProblemRow {
                line: e.line,
                message: l.lang.refusal(e.code, &e.message),
            })
            .collect(),
    }
}

pub(crate) async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(programme): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let form = ImportForm::read(&state, request).await?;
    signed_in.check_csrf(&form.csrf)?;
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let mut errors = FormErrors::default();
    let kind = ImportKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", l.t("manage-import-error-kind"));
    }
    if form.file.is_empty() && form.csv.trim().is_empty() {
        errors.add("file", l.t("manage-import-error-csv"));
    }
    let dry_run = !form.dry_run.is_empty();
    let typed_key = Uuid::try_parse(&form.key).ok();
    let mut report = None;
    let mut written = false;
    if let (Some(kind), true) = (kind, errors.is_empty()) {
        let csv: &[u8] = if form.file.is_empty() {
            form.csv.as_bytes()
        } else {
            &form.file
        };
        let key = match (typed_key, dry_run) {
            (_, true) => key_for_file(programme.id, kind, csv),
            (Some(key), false) => TransferId(key),
            (None, false) => TransferId(Uuid::now_v7()),
        };
        let request = ImportRequest {
            programme: programme.id,
            kind,
            key,
            csv,
            dry_run,
        };
        match state
            .app
            .import_csv(&signed_in.actor, request, &|_| {})
            .await
        {
            Ok(done) => {
                written = !dry_run && done.errors.is_empty();
                if !done.errors.is_empty() {
                    errors.add("csv", l.t("manage-import-error-rows"));
                }
                report = Some(report_view(&l, &done));
            }
            Err(AppError::Refused(r)) => errors.add("csv", l.lang.refusal(r.code, &r.message)),
            Err(AppError::Conflict(message)) => errors.add("csv", message),
            Err(AppError::Ledger(e)) => errors.add("csv", e.to_string()),
            Err(other) => return Err(other.into()),
        }
    }
    // After a real import a new key, so the next file is a new import.
    let key = match (written, typed_key) {
        (false, Some(key)) => key.to_string(),
        _ => Uuid::now_v7().to_string(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = import_page(l, &programme, &form, key, errors, report);
    Ok(render_with(status, &page))
}

#[derive(Template)]
#[template(path = "manage_export.html")]
struct ExportPage {
    l: Layout,
    programme: String,
    action: String,
    fields: Vec<Field>,
}

pub(crate) async fn export_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(programme): Path<String>,
) -> Result<Response, PageError> {
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let kinds = ExportKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: l.t(&format!("manage-kind-{}", k.as_str())),
        })
        .collect();
    let fields = vec![
        Field::new("kind", l.t("manage-export-kind"), FieldKind::Select(kinds))
            .value(ExportKind::Members.as_str()),
    ];
    Ok(render(&ExportPage {
        programme: programme.name.clone(),
        action: format!("{}/export.csv", base(&programme)),
        fields,
        l,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct ExportQuery {
    #[serde(default)]
    kind: String,
}

/// The whole export as one CSV file: every page of `export_page`, read in
/// turn, with the header row once.
pub(crate) async fn export_csv(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(programme): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, PageError> {
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let kind = ExportKind::parse(query.kind.trim()).ok_or(AppError::NotFound("export"))?;
    let mut body = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = state
            .app
            .export_page(&signed_in.actor, programme.id, kind, after.as_deref(), None)
            .await?;
        body.extend(page.to_csv(after.is_none())?);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let disposition = format!(
        "attachment; filename=\"{}-{}.csv\"",
        kind.as_str(),
        state.app.programme_today(&programme)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
