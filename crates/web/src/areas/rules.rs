//! Programme rules (versioned) and the circulation summary.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use timecredits_domain::rules::{
    CreditExpiry, PartnerReceipts, ProgrammeRules, RuleBook, RuleVersion,
};
use timecredits_ledger::ProgrammeId;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, Bearer, parse_uuid};
use crate::error::{ApiError, Problem};
use crate::openapi::ProblemDoc;
use timecredits_app::AppError;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rules, change_rules))
        .routes(routes!(circulation))
        .routes(routes!(run_expiry))
        .routes(routes!(create_programme, list_programmes))
        .routes(routes!(get_programme))
        .routes(routes!(add_programme_staff))
}

/// A programme: one locality's scheme.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182", "name": "Marshfield and Villages Time Credits",
    "locality": "Marshfield, Fenland", "time_zone": "Europe/London", "language": "en",
    "issuance_account": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607183", "community_pot_account": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607184",
    "created_at": "2026-01-05T10:00:00Z"
}))]
struct ProgrammeBody {
    id: String,
    name: String,
    locality: String,
    time_zone: String,
    language: String,
    issuance_account: String,
    community_pot_account: String,
    created_at: String,
}

impl From<&timecredits_app::Programme> for ProgrammeBody {
    fn from(p: &timecredits_app::Programme) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name.clone(),
            locality: p.locality.clone(),
            time_zone: p.time_zone.clone(),
            language: p.language.clone(),
            issuance_account: p.issuance_account.to_string(),
            community_pot_account: p.community_pot_account.to_string(),
            created_at: crate::format::timestamp(p.created_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Marshfield and Villages Time Credits", "locality": "Marshfield, Fenland",
    "time_zone": "Europe/London", "language": "en", "exchange_overdraft_minutes": 120
}))]
struct NewProgrammeBody {
    name: String,
    locality: String,
    /// An IANA time zone such as Europe/London.
    time_zone: String,
    /// The programme's default language, such as en or pl.
    language: String,
    /// How far below zero an exchange may take a member; 0 for none.
    #[serde(default)]
    exchange_overdraft_minutes: i64,
}

#[derive(Serialize, ToSchema)]
struct ProgrammeList {
    items: Vec<ProgrammeBody>,
}

/// Opens a new programme with its accounts and first rules. Administrators only.
#[utoipa::path(
    post, path = "/programmes", operation_id = "create_programme", tag = "programmes",
    request_body = NewProgrammeBody,
    responses(
        (status = 201, description = "the new programme", body = ProgrammeBody),
        (status = 403, description = "not an administrator", body = ProblemDoc),
        (status = 422, description = "a missing name or an unknown time zone", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn create_programme(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiJson(body): ApiJson<NewProgrammeBody>,
) -> Result<(StatusCode, Json<ProgrammeBody>), ApiError> {
    let new = timecredits_app::NewProgramme {
        name: body.name,
        locality: body.locality,
        time_zone: body.time_zone,
        language: body.language,
        exchange_overdraft_minutes: body.exchange_overdraft_minutes,
    };
    let programme = state.app.create_programme(&actor, new).await?;
    Ok((StatusCode::CREATED, Json(ProgrammeBody::from(&programme))))
}

/// The programmes the caller may see: all for an administrator, otherwise
/// those they take part in.
#[utoipa::path(
    get, path = "/programmes", operation_id = "list_programmes", tag = "programmes",
    responses(
        (status = 200, description = "the programmes", body = ProgrammeList),
        (status = 401, description = "not signed in", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn list_programmes(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
) -> Result<Json<ProgrammeList>, ApiError> {
    let items = state
        .app
        .visible_programmes(&actor)
        .await?
        .iter()
        .map(ProgrammeBody::from)
        .collect();
    Ok(Json(ProgrammeList { items }))
}

/// One programme.
#[utoipa::path(
    get, path = "/programmes/{programme}", operation_id = "get_programme", tag = "programmes",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the programme", body = ProgrammeBody),
        (status = 404, description = "no such programme, or not yours", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn get_programme(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
) -> Result<Json<ProgrammeBody>, ApiError> {
    let programme = state
        .app
        .visible_programme(&actor, programme_id(&programme)?)
        .await?;
    Ok(Json(ProgrammeBody::from(&programme)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "email": "manager@example.org", "display_name": "Morgan Manager",
    "password": "a long enough password", "role": "programme_manager"
}))]
struct NewProgrammeStaffBody {
    email: String,
    display_name: String,
    /// At least 10 characters.
    password: String,
    /// `programme_manager` or `evaluator`.
    role: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"user_id": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600009", "display_name": "Eve Evaluator", "role": "evaluator"}))]
struct ProgrammeStaffBody {
    user_id: String,
    display_name: String,
    role: String,
}

/// Creates a programme-wide staff sign-in: a programme manager (by an
/// administrator) or an evaluator (by an administrator or a manager).
#[utoipa::path(
    post, path = "/programmes/{programme}/staff", operation_id = "add_programme_staff", tag = "programmes",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = NewProgrammeStaffBody,
    responses(
        (status = 201, description = "the new sign-in", body = ProgrammeStaffBody),
        (status = 403, description = "not allowed to create that role", body = ProblemDoc),
        (status = 404, description = "no such programme, or not yours", body = ProblemDoc),
        (status = 409, description = "the email is already used", body = ProblemDoc),
        (status = 422, description = "a bad email, password or role", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn add_programme_staff(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
    ApiJson(body): ApiJson<NewProgrammeStaffBody>,
) -> Result<(StatusCode, Json<ProgrammeStaffBody>), ApiError> {
    let programme = state
        .app
        .visible_programme(&actor, programme_id(&programme)?)
        .await?;
    let role = match body.role.as_str() {
        "programme_manager" if actor.is_administrator() => timecredits_app::Role::ProgrammeManager,
        "programme_manager" => return Err(AppError::Forbidden.into()),
        "evaluator" => timecredits_app::Role::Evaluator,
        _ => {
            return Err(AppError::invalid("role", "must be programme_manager or evaluator").into());
        }
    };
    let user = state
        .app
        .create_staff(
            &actor,
            &body.email,
            &body.display_name,
            &body.password,
            role,
            timecredits_app::Scope::Programme(programme.id),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ProgrammeStaffBody {
            user_id: user.id.to_string(),
            display_name: user.display_name,
            role: role.as_str().to_owned(),
        }),
    ))
}

/// What one run of credit expiry did.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"cutoff": "2025-03-21", "members_checked": 150, "members_with_expiry": 12, "minutes_expired": 1830}))]
struct ExpiryRunBody {
    /// Credits received before this day had expired; null when credits never expire.
    cutoff: Option<String>,
    members_checked: usize,
    members_with_expiry: usize,
    minutes_expired: i64,
}

/// Applies credit expiry under the rules in force today: credits still held
/// from before the cutoff expire, oldest first. Running it twice on a day
/// expires nothing more. Managers only.
#[utoipa::path(
    post, path = "/programmes/{programme}/expiry-runs", operation_id = "run_credit_expiry", tag = "rules",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "what expired", body = ExpiryRunBody),
        (status = 403, description = "not a manager of this programme", body = ProblemDoc),
        (status = 404, description = "no such programme", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn run_expiry(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
) -> Result<Json<ExpiryRunBody>, ApiError> {
    let programme = programme_id(&programme)?;
    let run = state.app.expire_credits(&actor, programme).await?;
    Ok(Json(ExpiryRunBody {
        cutoff: run.cutoff.map(|d| d.format("%Y-%m-%d").to_string()),
        members_checked: run.members_checked,
        members_with_expiry: run.members_with_expiry,
        minutes_expired: run.minutes_expired,
    }))
}

/// One version of a programme's rules.
#[derive(Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "effective_from": "2026-04-01",
    "granularity_minutes": 15,
    "daily_cap_minutes": 720,
    "members_may_claim": true,
    "exchange_overdraft_minutes": 0,
    "expiry_months": null,
    "partner_receipts": "retire"
}))]
struct RulesBody {
    /// The first day (in the programme's time zone) these rules apply, as YYYY-MM-DD.
    #[schema(format = Date)]
    effective_from: String,
    granularity_minutes: i64,
    daily_cap_minutes: i64,
    members_may_claim: bool,
    exchange_overdraft_minutes: i64,
    /// Months after which credits still held expire; null: never.
    expiry_months: Option<u32>,
    /// `retire` or `keep_to_reissue`.
    partner_receipts: String,
}

impl From<&RuleVersion> for RulesBody {
    fn from(v: &RuleVersion) -> Self {
        Self {
            effective_from: v.effective_from.format("%Y-%m-%d").to_string(),
            granularity_minutes: v.rules.granularity_minutes,
            daily_cap_minutes: v.rules.daily_cap_minutes,
            members_may_claim: v.rules.members_may_claim,
            exchange_overdraft_minutes: v.rules.exchange_overdraft_minutes,
            expiry_months: match v.rules.expiry {
                CreditExpiry::Never => None,
                CreditExpiry::AfterMonths(m) => Some(m),
            },
            partner_receipts: v.rules.partner_receipts.as_str().to_owned(),
        }
    }
}

impl RulesBody {
    fn into_version(self) -> Result<RuleVersion, AppError> {
        let partner_receipts = PartnerReceipts::parse(&self.partner_receipts).ok_or_else(|| {
            AppError::invalid("partner_receipts", "must be retire or keep_to_reissue")
        })?;
        let effective_from = NaiveDate::parse_from_str(self.effective_from.trim(), "%Y-%m-%d")
            .map_err(|_| {
                AppError::invalid("effective_from", "must be a date such as 2026-04-01")
            })?;
        Ok(RuleVersion {
            effective_from,
            rules: ProgrammeRules {
                granularity_minutes: self.granularity_minutes,
                daily_cap_minutes: self.daily_cap_minutes,
                members_may_claim: self.members_may_claim,
                exchange_overdraft_minutes: self.exchange_overdraft_minutes,
                expiry: self
                    .expiry_months
                    .map_or(CreditExpiry::Never, CreditExpiry::AfterMonths),
                partner_receipts,
            },
        })
    }
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"versions": [{
    "effective_from": "2026-04-01", "granularity_minutes": 15, "daily_cap_minutes": 720,
    "members_may_claim": true, "exchange_overdraft_minutes": 0, "expiry_months": null,
    "partner_receipts": "retire"
}]}))]
struct RuleBookBody {
    /// Every version, oldest first; the last one begun is in force.
    versions: Vec<RulesBody>,
}

fn book_body(book: &RuleBook) -> RuleBookBody {
    RuleBookBody {
        versions: book.versions().iter().map(RulesBody::from).collect(),
    }
}

fn programme_id(value: &str) -> Result<ProgrammeId, AppError> {
    Ok(ProgrammeId(parse_uuid("programme id", value)?))
}

/// The programme's rules, every version.
#[utoipa::path(
    get, path = "/programmes/{programme}/rules", operation_id = "list_programme_rules", tag = "rules",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "every version of the rules", body = RuleBookBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such programme, or not yours", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn list_rules(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
) -> Result<Json<RuleBookBody>, ApiError> {
    let programme = programme_id(&programme)?;
    if !(actor.is_administrator() || state.app.takes_part_in(&actor, programme).await?) {
        return Err(AppError::NotFound("programme").into());
    }
    Ok(Json(book_body(&state.app.rule_book(programme).await?)))
}

/// Records a change of rules from a date (today or later). Managers only.
#[utoipa::path(
    post, path = "/programmes/{programme}/rules", operation_id = "change_programme_rules", tag = "rules",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = RulesBody,
    responses(
        (status = 201, description = "the rules with the new version", body = RuleBookBody),
        (status = 403, description = "not a manager of this programme", body = ProblemDoc),
        (status = 409, description = "a change already starts on or after that date", body = ProblemDoc),
        (status = 422, description = "a value out of range, or a date in the past", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn change_rules(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
    ApiJson(body): ApiJson<RulesBody>,
) -> Result<(StatusCode, Json<RuleBookBody>), ApiError> {
    let programme = programme_id(&programme)?;
    let book = state
        .app
        .change_rules(&actor, programme, body.into_version()?)
        .await?;
    Ok((StatusCode::CREATED, Json(book_body(&book))))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PeriodQuery {
    /// Start of the period (RFC 3339); omitted: from the beginning.
    from: Option<String>,
    /// End of the period, exclusive (RFC 3339); omitted: up to when the
    /// summary was computed (`computed_at`).
    to: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// A programme's credits over a period, in minutes (60 = one credit).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "opening_outstanding_minutes": 12000, "issued_minutes": 3600, "reissued_minutes": 0,
    "redeemed_minutes": 2400, "gifted_minutes": 300, "exchanged_minutes": 120,
    "retired_minutes": 2400, "expired_minutes": 0, "closing_outstanding_minutes": 13200,
    "computed_at": "2026-11-26T14:30:00Z"
}))]
struct CirculationBody {
    opening_outstanding_minutes: i64,
    issued_minutes: i64,
    reissued_minutes: i64,
    redeemed_minutes: i64,
    gifted_minutes: i64,
    exchanged_minutes: i64,
    retired_minutes: i64,
    expired_minutes: i64,
    closing_outstanding_minutes: i64,
    /// When the figures were computed: a summary is served again for a
    /// short while (the server's `report_max_age_seconds`), so what was
    /// recorded since may not be in it yet.
    #[schema(format = DateTime)]
    computed_at: String,
}

/// Issued, redeemed, gifted, exchanged, retired, expired and outstanding
/// credits for a period, reconciled with the ledger.
#[utoipa::path(
    get, path = "/programmes/{programme}/circulation", operation_id = "programme_circulation", tag = "reports",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"), PeriodQuery),
    responses(
        (status = 200, description = "the summary (JSON, or CSV with format=csv)",
            content((CirculationBody = "application/json"),
                (String = "text/csv", example = "measure,minutes\r\nopening_outstanding,12000\r\n"))),
        (status = 404, description = "no such programme, or not yours", body = ProblemDoc),
        (status = 422, description = "a bad date", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn circulation(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query
        .map_err(|r| Problem::new(StatusCode::BAD_REQUEST, "malformed_query", r.body_text()))?;
    let programme = programme_id(&programme)?;
    let from = crate::api::parse_time("from", query.from.as_deref())?;
    let to = crate::api::parse_time("to", query.to.as_deref())?;
    let report = state.app.circulation(&actor, programme, from, to).await?;
    let c = report.summary;
    let body = CirculationBody {
        opening_outstanding_minutes: c.opening_outstanding,
        issued_minutes: c.issued,
        reissued_minutes: c.reissued,
        redeemed_minutes: c.redeemed,
        gifted_minutes: c.gifted,
        exchanged_minutes: c.exchanged,
        retired_minutes: c.retired,
        expired_minutes: c.expired,
        closing_outstanding_minutes: c.closing_outstanding,
        computed_at: crate::format::timestamp(report.computed_at),
    };
    if query.format.as_deref() == Some("csv") {
        let rows = [
            ("opening_outstanding", c.opening_outstanding),
            ("issued", c.issued),
            ("reissued", c.reissued),
            ("redeemed", c.redeemed),
            ("gifted", c.gifted),
            ("exchanged", c.exchanged),
            ("retired", c.retired),
            ("expired", c.expired),
            ("closing_outstanding", c.closing_outstanding),
        ];
        // Minutes are exact; 60 minutes is one credit.
        let mut csv = String::from("measure,minutes\r\n");
        for (name, minutes) in rows {
            csv.push_str(&format!("{name},{minutes}\r\n"));
        }
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response());
    }
    Ok(Json(body).into_response())
}
