//! Reach, engagement and outcomes as JSON: the same disclosure-controlled
//! tables as the dashboards and `timecredits report`, for evaluators'
//! own tools.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use timecredits_app::AppError;
use timecredits_app::evaluation::eval::analytics::{Day, Filter, Level, Mode};
use timecredits_app::evaluation::{ReportKind, report_day};
use timecredits_ledger::ProgrammeId;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::{Bearer, parse_uuid};
use crate::error::{ApiError, Problem};
use crate::openapi::ProblemDoc;

/// Which people and time a report counts.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ReportQuery {
    /// First day of the period (YYYY-MM-DD, the programme's calendar);
    /// omitted: from the beginning.
    from: Option<String>,
    /// Last day of the period, included (YYYY-MM-DD); omitted: to today.
    to: Option<String>,
    /// Only time given to this organisation (its id).
    organisation: Option<String>,
    /// `individual`, `group` or `collective`.
    level: Option<String>,
    /// `co_design`, `co_delivery`, `co_governance`, `peer_support` or `community_action`.
    mode: Option<String>,
}

/// Which report (for the document; the path is read as text, so an
/// unknown name is a 404 like any missing thing).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub(super) enum ReportName {
    Reach,
    Engagement,
    Outcomes,
}

/// One published table: counts below the programme's threshold, and any
/// that would give one away, read `suppressed`.
#[derive(Serialize, ToSchema)]
pub(super) struct ReportTableBody {
    title: String,
    /// The follow-up wave (months after baseline) an outcomes table is
    /// about; absent for tables not about one wave.
    #[serde(skip_serializing_if = "Option::is_none")]
    wave_months: Option<u32>,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "programme": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182", "report": "reach", "threshold": 10,
    "computed_at": "2026-11-26T14:30:00Z",
    "tables": [{"title": "Participants new to volunteering",
        "columns": ["experience", "participants", "percent"],
        "rows": [["new to volunteering", "41", "56.2"], ["volunteered before", "24", "32.9"],
                 ["not known", "suppressed", "suppressed"], ["total", "73", "100.0"]]}]
}))]
pub(super) struct ReportBody {
    programme: String,
    /// `reach`, `engagement` or `outcomes`.
    report: &'static str,
    /// The smallest count shown.
    threshold: u64,
    /// When the figures were computed: a report is served again for a
    /// short while (the server's `report_max_age_seconds`), so what was
    /// recorded since may not be in it yet.
    #[schema(format = DateTime)]
    computed_at: String,
    tables: Vec<ReportTableBody>,
}

fn day(field: &'static str, raw: Option<&str>) -> Result<Option<Day>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let bad = || AppError::invalid(field, "must be a date such as 2026-03-31");
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| bad())?;
    Ok(Some(report_day(date)))
}

fn code<T: Copy>(
    field: &'static str,
    raw: Option<&str>,
    all: &[T],
    name: fn(T) -> &'static str,
    expected: &str,
) -> Result<Option<T>, AppError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(raw) => all
            .iter()
            .copied()
            .find(|v| name(*v) == raw)
            .map(Some)
            .ok_or_else(|| AppError::invalid(field, format!("must be {expected}"))),
    }
}

impl ReportQuery {
    fn filter(&self) -> Result<Filter, AppError> {
        Ok(Filter {
            from: day("from", self.from.as_deref())?,
            to: day("to", self.to.as_deref())?,
            organisation: self
                .organisation
                .as_deref()
                .filter(|o| !o.trim().is_empty())
                .map(|o| parse_uuid("organisation id", o).map(|id| id.to_string()))
                .transpose()?,
            level: code(
                "level",
                self.level.as_deref(),
                &Level::ALL,
                Level::as_str,
                "individual, group or collective",
            )?,
            mode: code(
                "mode",
                self.mode.as_deref(),
                &Mode::ALL,
                Mode::as_str,
                "co_design, co_delivery, co_governance, peer_support or community_action",
            )?,
        })
    }
}

/// One report of the programme, for its managers and evaluators: only
/// members whose consent stands are counted, every count below the
/// programme's threshold is suppressed (with secondary suppression), and
/// no person is named. Outcomes give each follow-up wave's tables in turn.
#[utoipa::path(
    get, path = "/programmes/{programme}/reports/{report}", operation_id = "get_analytics_report", tag = "reports",
    params(
        ("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("report" = inline(ReportName), Path, description = "`reach`, `engagement` or `outcomes`", example = "reach"),
        ReportQuery,
    ),
    responses(
        (status = 200, description = "the report's tables", body = ReportBody),
        (status = 400, description = "a malformed query", body = ProblemDoc),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such programme, report or organisation, or not yours to see", body = ProblemDoc),
        (status = 422, description = "a bad date or period, organisation id, level or mode", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn analytics_report(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path((programme, report)): Path<(String, String)>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<ReportBody>, ApiError> {
    let Query(query) = query
        .map_err(|r| Problem::new(StatusCode::BAD_REQUEST, "malformed_query", r.body_text()))?;
    let programme = ProgrammeId(parse_uuid("programme id", &programme)?);
    let kind = ReportKind::parse(report.trim()).ok_or(AppError::NotFound("report"))?;
    let filter = query.filter()?;
    let report = state
        .app
        .analytics_report(&actor, programme, kind, &filter)
        .await?;
    Ok(Json(ReportBody {
        programme: report.programme.0.to_string(),
        report: report.kind.as_str(),
        threshold: report.threshold,
        computed_at: crate::format::timestamp(report.computed_at),
        tables: report
            .tables
            .into_iter()
            .zip(report.wave_months)
            .map(|(t, wave_months)| ReportTableBody {
                title: t.title,
                wave_months,
                columns: t.header,
                rows: t.rows,
            })
            .collect(),
    }))
}
