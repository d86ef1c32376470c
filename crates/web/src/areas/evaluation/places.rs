//! Where a member, an organisation or an activity is: LSOA and deprivation decile.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use timecredits_app::OrganisationId;
use timecredits_app::activities::ActivityId;
use timecredits_app::evaluation::eval::imd::Edition;
use timecredits_app::evaluation::{
    ActivityArea, AreaOutcome, AreaResolution, boundary_code, edition_code,
};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::{Bearer, member_ref, parse_uuid};
use crate::error::ApiError;
use crate::openapi::ProblemDoc;

/// The seven domain deciles (1 = most deprived tenth of England).
#[derive(Serialize, ToSchema)]
struct DomainsBody {
    income: u8,
    employment: u8,
    education: u8,
    health: u8,
    crime: u8,
    barriers_to_housing_and_services: u8,
    living_environment: u8,
}

/// The Index of Multiple Deprivation of an LSOA.
#[derive(Serialize, ToSchema)]
struct ImdBody {
    /// 1 is the most deprived LSOA in England.
    rank: u32,
    /// 1 (most deprived tenth) to 10.
    decile: u8,
    /// 1 (most deprived fifth) to 5.
    quintile: u8,
    /// Null when the file loaded had only the overall index.
    domains: Option<DomainsBody>,
}

/// Where a postcode lies, judged by one edition of the indices on its
/// LSOA boundaries.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "postcode": "PE13 2AB", "status": "resolved", "boundary": "lsoa2011", "edition": "iod2019",
    "edition_label": "English Indices of Deprivation 2019", "lsoa": "E01018094", "area_code": null,
    "terminated": false,
    "imd": {"rank": 8132, "decile": 3, "quintile": 2, "domains": {
        "income": 3, "employment": 3, "education": 2, "health": 3, "crime": 5,
        "barriers_to_housing_and_services": 4, "living_environment": 8}}
}))]
pub(super) struct AreaBody {
    postcode: Option<String>,
    /// `resolved`, `no_postcode`, `not_in_lookup`, `outside_england` or `unassigned`.
    status: &'static str,
    /// `lsoa2011` or `lsoa2021`.
    boundary: &'static str,
    edition: &'static str,
    edition_label: &'static str,
    lsoa: Option<String>,
    /// For `outside_england`: the small area of Wales, Scotland or Northern Ireland.
    area_code: Option<String>,
    /// The postcode is no longer in use.
    terminated: bool,
    /// Null unless resolved and the indices are loaded for the LSOA.
    imd: Option<ImdBody>,
}

fn area_body(r: &AreaResolution) -> AreaBody {
    let edition: Edition = r.edition;
    let mut body = AreaBody {
        postcode: r.postcode.clone(),
        status: "resolved",
        boundary: boundary_code(r.boundary),
        edition: edition_code(edition),
        edition_label: edition.label(),
        lsoa: None,
        area_code: None,
        terminated: false,
        imd: None,
    };
    match &r.outcome {
        AreaOutcome::NoPostcode => body.status = "no_postcode",
        AreaOutcome::NotInLookup => body.status = "not_in_lookup",
        AreaOutcome::Unassigned => body.status = "unassigned",
        AreaOutcome::OutsideEngland(code) => {
            body.status = "outside_england";
            body.area_code = Some(code.clone());
        }
        AreaOutcome::Lsoa {
            lsoa,
            terminated,
            deprivation,
        } => {
            body.lsoa = Some(lsoa.to_string());
            body.terminated = *terminated;
            body.imd = deprivation.as_ref().map(|d| ImdBody {
                rank: d.rank,
                decile: d.decile.get(),
                quintile: d.decile.quintile().get(),
                domains: d.domains.map(|x| DomainsBody {
                    income: x.income.get(),
                    employment: x.employment.get(),
                    education: x.education.get(),
                    health: x.health.get(),
                    crime: x.crime.get(),
                    barriers_to_housing_and_services: x.barriers.get(),
                    living_environment: x.living_environment.get(),
                }),
            });
        }
    }
    body
}

/// Where the member lives, from their evaluation profile's postcode: for
/// the member and staff who may act for them, never evaluators.
#[utoipa::path(
    get, path = "/members/{member}/area", operation_id = "get_member_area", tag = "evaluation",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045")),
    responses(
        (status = 200, description = "the area and its deprivation", body = AreaBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such member, or not yours to see", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn member_area(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
) -> Result<Json<AreaBody>, ApiError> {
    let id = member_ref(&state.app, &member).await?;
    let area = state.app.member_area(&actor, id).await?;
    Ok(Json(area_body(&area)))
}

/// Where an organisation is, from its postcode: for its coordinators and
/// the programme's managers and evaluators.
#[utoipa::path(
    get, path = "/organisations/{organisation}/area", operation_id = "get_organisation_area", tag = "evaluation",
    params(("organisation" = uuid::Uuid, Path, description = "organisation id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the area and its deprivation", body = AreaBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "not a coordinator, manager or evaluator of it", body = ProblemDoc),
        (status = 404, description = "no such organisation, or not yours to see", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn organisation_area(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(organisation): Path<String>,
) -> Result<Json<AreaBody>, ApiError> {
    let id = OrganisationId(parse_uuid("organisation id", &organisation)?);
    let area = state.app.organisation_area(&actor, id).await?;
    Ok(Json(area_body(&area)))
}

/// Where an activity happens, and whose postcode says so.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "source": "activity",
    "postcode": "PE14 0RX", "status": "resolved", "boundary": "lsoa2011", "edition": "iod2019",
    "edition_label": "English Indices of Deprivation 2019", "lsoa": "E01018094", "area_code": null,
    "terminated": false, "imd": {"rank": 8132, "decile": 3, "quintile": 2, "domains": null}
}))]
pub(super) struct ActivityAreaBody {
    /// `activity` when the activity has a postcode of its own;
    /// `organisation` when it is taken to happen at its organisation's.
    source: &'static str,
    #[serde(flatten)]
    area: AreaBody,
}

fn activity_area_body(a: &ActivityArea) -> ActivityAreaBody {
    ActivityAreaBody {
        source: a.source.as_str(),
        area: area_body(&a.area),
    }
}

/// Where an activity happens: its own postcode, or else its organisation's.
/// For the organisation's coordinators and the programme's managers and
/// evaluators.
#[utoipa::path(
    get, path = "/activities/{activity}/area", operation_id = "get_activity_area", tag = "evaluation",
    params(("activity" = uuid::Uuid, Path, description = "activity id", example = "01966b4e-7d1a-7c3e-9a55-1f2b3c4d5e6f")),
    responses(
        (status = 200, description = "the area and its deprivation", body = ActivityAreaBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "not a coordinator, manager or evaluator of it", body = ProblemDoc),
        (status = 404, description = "no such activity, or not yours to see", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn activity_area(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(activity): Path<String>,
) -> Result<Json<ActivityAreaBody>, ApiError> {
    let id = ActivityId(parse_uuid("activity id", &activity)?);
    let area = state.app.activity_area(&actor, id).await?;
    Ok(Json(activity_area_body(&area)))
}
