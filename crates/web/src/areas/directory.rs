//! The directory area's JSON API: partner organisations (details, status,
//! earn policy, staff, members) and members (registration on their behalf
//! or by themselves, approval, profile, organisations, proxy log).
//!
//! Lists are paged by cursor: `?limit=` (default 50, at most 200) and
//! `?cursor=` (the `next_cursor` of the page before).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use timecredits_app::directory::{
    ContactInput, MemberProfile, Membership, NewPartner, NewStaff, OnBehalfRegistration, Page,
    PageRequest, Partner, PartnerFilter, PartnerUpdate, ProfileUpdate, ProxyAction, Registration,
    SelfRegistrationRequest, StaffMember,
};
use timecredits_app::{AppError, Member, MemberId, OrganisationId, Role, UserId};
use timecredits_domain::directory::{
    EarnPolicy, HoursConfirmedBy, MemberStatus, OrganisationStatus, SKILL_CATEGORIES,
    SelfRegistration,
};
use timecredits_ledger::ProgrammeId;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiJson, Bearer, member_ref, parse_uuid};
use crate::error::{ApiError, Problem};
use crate::format::timestamp;
use crate::openapi::ProblemDoc;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_organisations, create_organisation))
        .routes(routes!(get_organisation, update_organisation))
        .routes(routes!(suspend_organisation))
        .routes(routes!(reactivate_organisation))
        .routes(routes!(get_earn_policy, set_earn_policy))
        .routes(routes!(list_staff, add_staff))
        .routes(routes!(remove_staff))
        .routes(routes!(list_organisation_members))
        .routes(routes!(set_self_registration))
        .routes(routes!(register_member))
        .routes(routes!(list_pending_registrations, self_register))
        .routes(routes!(approve_registration))
        .routes(routes!(decline_registration))
        .routes(routes!(get_member_profile, update_member_profile))
        .routes(routes!(list_member_organisations))
        .routes(routes!(join_organisation, leave_organisation))
        .routes(routes!(list_proxy_actions))
        .routes(routes!(list_skill_categories))
}

// ---------------------------------------------------------------------------
// Parsing helpers

/// Reads a present field, `null` included, as `Some(None)`; an absent one
/// is `None` by `#[serde(default)]`.
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

fn programme_id(value: &str) -> Result<ProgrammeId, AppError> {
    Ok(ProgrammeId(parse_uuid("programme id", value)?))
}

fn organisation_id(value: &str) -> Result<OrganisationId, AppError> {
    Ok(OrganisationId(parse_uuid("organisation id", value)?))
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(q)| q)
        .map_err(|r| Problem::new(StatusCode::BAD_REQUEST, "malformed_query", r.body_text()).into())
}

/// `?limit=` and `?cursor=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// How many items (1 to 200; default 50).
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

fn page_request(limit: Option<u32>, cursor: Option<&str>) -> Result<PageRequest, AppError> {
    let limit = limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::invalid("limit", "must be from 1 to 200"));
    }
    let after = cursor
        .filter(|c| !c.is_empty())
        .map(|c| {
            Uuid::try_parse(c)
                .map_err(|_| AppError::invalid("cursor", "is not a cursor this API gave out"))
        })
        .transpose()?;
    Ok(PageRequest { after, limit })
}

fn time(t: DateTime<Utc>) -> String {
    timestamp(t)
}

// ---------------------------------------------------------------------------
// Organisations

#[derive(Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Sam Smith", "email": "sam@example.org", "phone": "01234 567890"}))]
struct ContactBody {
    name: String,
    email: Option<String>,
    phone: Option<String>,
}

impl From<ContactBody> for ContactInput {
    fn from(c: ContactBody) -> Self {
        Self {
            name: c.name,
            email: c.email,
            phone: c.phone,
        }
    }
}

/// A new partner organisation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Riverside Lunch Club", "kind": "community_group", "postcode": "pe15 8aa",
    "roles": "both", "contacts": [{"name": "Sam Smith", "email": "sam@example.org", "phone": null}]
}))]
struct NewOrganisationBody {
    name: String,
    /// community_group, school, housing, health, social_care, library,
    /// sports_and_leisure, arts_and_culture or other.
    kind: String,
    /// A UK postcode; it is normalised (`pe15 8aa` → `PE15 8AA`).
    #[serde(default)]
    postcode: Option<String>,
    /// `earn`, `spend` or `both`.
    roles: String,
    #[serde(default)]
    contacts: Vec<ContactBody>,
}

/// A partner organisation. Contacts and who changed the status are shown
/// only to its staff and the programme team.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01890a5d-ac96-774b-bcce-b302099a8057", "programme": "01890a5d-ac96-774b-bcce-b302099a8000",
    "name": "Riverside Lunch Club", "kind": "community_group", "postcode": "PE15 8AA", "roles": "both",
    "status": "active", "contacts": [{"name": "Sam Smith", "email": "sam@example.org", "phone": null}],
    "status_changed_by": null, "status_changed_at": null, "status_reason": null,
    "account_id": "01890a5d-ac96-774b-bcce-b302099a8058", "created_at": "2026-03-01T10:00:00Z"
}))]
struct OrganisationBody {
    id: String,
    programme: String,
    name: String,
    kind: &'static str,
    postcode: Option<String>,
    roles: &'static str,
    status: &'static str,
    contacts: Vec<ContactBody>,
    status_changed_by: Option<String>,
    status_changed_at: Option<String>,
    status_reason: Option<String>,
    account_id: String,
    created_at: String,
}

impl From<Partner> for OrganisationBody {
    fn from(p: Partner) -> Self {
        let change = p.details.status_change;
        Self {
            id: p.organisation.id.to_string(),
            programme: p.organisation.programme.to_string(),
            name: p.organisation.name,
            kind: p.details.kind.as_str(),
            postcode: p.details.postcode.map(|c| c.as_str().to_owned()),
            roles: p.details.roles.as_str(),
            status: p.details.status.as_str(),
            contacts: p
                .details
                .contacts
                .into_iter()
                .map(|c| ContactBody {
                    name: c.name,
                    email: c.email,
                    phone: c.phone,
                })
                .collect(),
            status_changed_by: change.as_ref().map(|c| c.by.to_string()),
            status_changed_at: change.as_ref().map(|c| time(c.at)),
            status_reason: change.and_then(|c| c.reason),
            account_id: p.organisation.account.to_string(),
            created_at: time(p.organisation.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct OrganisationPage {
    items: Vec<OrganisationBody>,
    next_cursor: Option<String>,
}

fn page_body<T, B>(page: Page<T>, f: impl Fn(T) -> B) -> (Vec<B>, Option<String>) {
    (page.items.into_iter().map(f).collect(), page.next_cursor)
}

/// Creates a partner organisation. Managers of the programme only.
#[utoipa::path(
    post, path = "/programmes/{programme}/organisations", operation_id = "create_organisation", tag = "directory",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = NewOrganisationBody,
    responses(
        (status = 201, description = "the new organisation", body = OrganisationBody),
        (status = 403, description = "not a manager of this programme", body = ProblemDoc),
        (status = 404, description = "no such programme, or not yours", body = ProblemDoc),
        (status = 422, description = "a bad kind, role, postcode or contact", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn create_organisation(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
    ApiJson(body): ApiJson<NewOrganisationBody>,
) -> Result<(StatusCode, Json<OrganisationBody>), ApiError> {
    let new = NewPartner {
        programme: programme_id(&programme)?,
        name: body.name,
        kind: body.kind,
        postcode: body.postcode,
        contacts: body.contacts.into_iter().map(Into::into).collect(),
        roles: body.roles,
    };
    let partner = state.app.create_partner(&actor, new).await?;
    Ok((StatusCode::CREATED, Json(partner.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct OrganisationQuery {
    /// Only `earn` or only `spend` partners.
    role: Option<String>,
    /// Only `active` or only `suspended` partners.
    status: Option<String>,
    /// How many items (1 to 200; default 50).
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The programme's partner organisations, for anyone taking part in it.
#[utoipa::path(
    get, path = "/programmes/{programme}/organisations", operation_id = "list_organisations", tag = "directory",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"), OrganisationQuery),
    responses(
        (status = 200, description = "a page of organisations", body = OrganisationPage),
        (status = 404, description = "no such programme, or not yours", body = ProblemDoc),
        (status = 422, description = "a bad filter or page", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn list_organisations(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
    q: Result<Query<OrganisationQuery>, QueryRejection>,
) -> Result<Json<OrganisationPage>, ApiError> {
    let q = query(q)?;
    let programme = programme_id(&programme)?;
    let mut filter = PartnerFilter::default();
    match q.role.as_deref() {
        None | Some("") => {}
        Some("earn") => filter.earn = true,
        Some("spend") => filter.spend = true,
        Some(_) => return Err(AppError::invalid("role", "must be earn or spend").into()),
    }
    filter.status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            OrganisationStatus::parse(s)
                .ok_or_else(|| AppError::invalid("status", "must be active or suspended"))?,
        ),
    };
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let page = state.app.partners(&actor, programme, filter, page).await?;
    let (items, next_cursor) = page_body(page, OrganisationBody::from);
    Ok(Json(OrganisationPage { items, next_cursor }))
}

/// One partner organisation.
#[utoipa::path(
    get, path = "/organisations/{organisation}", operation_id = "get_organisation", tag = "directory",
    params(("organisation" = uuid::Uuid, Path, description = "organisation id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the organisation", body = OrganisationBody),
        (status = 404, description = "no such organisation, or not yours", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn get_organisation(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(organisation): Path<String>,
) -> Result<Json<OrganisationBody>, ApiError> {
    let organisation = organisation_id(&organisation)?;
    Ok(Json(state.app.partner(&actor, organisation).await?.into()))
}

/// Changes to an organisation; absent fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"postcode": "PE15 8AB", "contacts": [{"name": "Jo Bloggs", "email": null, "phone": "01234 567890"}]}))]
struct UpdateOrganisationBody {
    name: Option<String>,
    kind: Option<String>,
    /// `null` removes the postcode.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    postcode: Option<Option<String>>,
    /// Replaces every contact.
    contacts: Option<Vec<ContactBody>>,
    /// `earn`, `spend` or `both`; managers only.
    roles: Option<String>,
}

/// Updates an organisation's details. Managers, or its coordinators (who
/// may not change its roles).
#[utoipa::path(
    patch, path = "/organisations/{organisation}", operation_id = "update_organisation", tag = "directory",
    params(("organisation" = uuid::Uuid, Path, description = "organisation id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = UpdateOrganisationBody,
    responses(
        (status = 200, description = "the organisation as it is now", body = OrganisationBody),
        (status = 403, description = "neither a manager nor its coordinator", body = ProblemDoc),
        (status = 404, description = "no such organisation, or not yours", body = ProblemDoc),
        (status = 422, description = "a bad value", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn update_organisation(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(organisation): Path<String>,
    ApiJson(body): ApiJson<UpdateOrganisationBody>,
) -> Result<Json<OrganisationBody>, ApiError> {
    let organisation = organisation_id(&organisation)?;
    let update = PartnerUpdate {
        name: body.name,
        kind: body.kind,
        postcode: body.postcode,
        contacts: body
            .contacts
            .map(|c| c.into_iter().map(Into::into).collect()),
        roles: body.roles,
    };
    Ok(Json(
        state
            .app
            .update_partner(&actor, organisation, update)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "safeguarding review"}))]
struct SuspendBody {
    /// Why, for the record.
    #[serde(default)]
    reason: Option<String>,
}

/// Suspends a partner: it can no longer give or accept credits. Managers only.
#[utoipa::path(
    post, path = "/organisations/{organisation}/suspension", operation_id = "suspend_organisation", tag = "directory",
    params(("organisation" = uuid::Uuid, Path, description = "organisation id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = SuspendBody,
    responses(
        (status = 200, description = "the organisation, suspended", body = OrganisationBody),
        (status = 403, description = "not a manager of its programme", body = ProblemDoc),
        (status = 404, description = "no such organisation, or not yours", body = ProblemDoc),
        (status = 409, description = "organisation_already_suspended", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn suspend_organisation(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(organisation): Path<String>,
    ApiJson(body): ApiJson<SuspendBody>,
) -> Result<Json<OrganisationBody>, ApiError> {
    let organisation = organisation_id(&organisation)?;
    Ok(Json(
        state
            .app
            .suspend_partner(&actor, organisation, body.reason)
            .await?
            .into(),
    ))
}

/// Reactivates a suspended partner. Managers only.
#[utoipa::path(
    post, path = "/organisations/{organisation}/reactivation", operation_id = "reactivate_organisation", tag = "directory",
    params(("organisation" = uuid::Uuid, Path, description = "organisation id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the organisation, active", body = OrganisationBody),
        (status = 403, description = "not a manager of its programme", body = ProblemDoc),
        (status = 404, description = "no such organisation, or not yours", body = ProblemDoc),
        (status = 409, description = "organisation_already_active", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn reactivate_organisation(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(organisation): Path<String>,
) -> Result<Json<OrganisationBody>, ApiError> {
    let organisation = organisation_id(&organisation)?;
    Ok(Json(
        state
            .app
            .reactivate_partner(&actor, organisation)
            .await?
            .into(),
    ))
}

/// An earn partner's own policy, within the programme's rules.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"members_may_claim": false, "hours_confirmed_by": "coordinators"}))]
struct EarnPolicyBody {
    /// Members may claim hours themselves (only where the programme allows claims).
    members_may_claim: bool,
    /// `coordinators` or `programme_team`.
    hours_confirmed_by: String,
}

impl From<EarnPolicy> for EarnPolicyBody {
    fn from(p: EarnPolicy) -> Self {
        Self {
            members_may_claim: p.members_may_claim,
            hours_confirmed_by: p.hours_confirmed_by.as_str().to_owned(),
        }
    }
}

/// The earn partner's policy (the default if it has set none).
#[utoipa::path(
    get, path = "/organisations/{organisation}/earn-policy", operation_id = "get_earn_policy", tag = "directory",
    params(("organisation" = uuid::Uuid, Path, description = "organisation id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the policy", body = EarnPolicyBody),
        (status = 404, description = "no such organisation, or not yours", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn get_earn_policy(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(organisation): Path<String>,
) -> Result<Json<EarnPolicyBody>, ApiError> {
    let organisation = organisation_id(&organisation)?;
    // Seeing the organisation is enough to see its policy.
    state.app.partner(&actor, organisation).await?;
    Ok(Json(state.app.earn_policy(organisation).await?.into()))
}

/// Sets the earn partner's policy. Managers or its coordinators.
#[utoipa::path(
    put, path = "/organisations/{organisation}/earn-policy", operation_id = "set_earn_policy", tag = "directory",
    params(("organisation" = uuid::Uuid, Path, description = "organisation id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = EarnPolicyBody,
    responses(
        (status = 200, description = "the policy now", body = EarnPolicyBody),
        (status = 403, description = "neither a manager nor its coordinator", body = ProblemDoc),
        (status = 404, description = "no such organisation, or not yours", body = ProblemDoc),
        (status = 409, description = "not_an_earn_partner", body = ProblemDoc),
        (status = 422, description = "policy_looser_than_programme, or a bad value", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn set_earn_policy(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(organisation): Path<String>,
    ApiJson(body): ApiJson<EarnPolicyBody>,
) -> Result<Json<EarnPolicyBody>, ApiError> {
    let organisation = organisation_id(&organisation)?;
    let policy = EarnPolicy {
        members_may_claim: body.members_may_claim,
        hours_confirmed_by: HoursConfirmedBy::parse(&body.hours_confirmed_by).ok_or_else(|| {
            AppError::invalid(
                "hours_confirmed_by",
                "must be coordinators or programme_team",
            )
        })?,
    };
    Ok(Json(
        state
            .app
            .set_earn_policy(&actor, organisation, policy)
            .await?
            .into(),
    ))
}

// ---------------------------------------------------------------------------
// Staff

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"user_id": "01890a5d-ac96-774b-bcce-b302099a8059", "display_name": "Casey Coordinator", "email": "casey@example.org", "role": "coordinator"}))]
struct StaffBody {
    user_id: String,
    display_name: String,
    email: Option<String>,
    /// `coordinator` or `spend_staff`.
    role: &'static str,
}

impl From<StaffMember> for StaffBody {
    fn from(s: StaffMember) -> Self {
        Self {
            user_id: s.user.to_string(),
            display_name: s.display_name,
            email: s.email,
            role: s.role.as_str(),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct StaffList {
    items: Vec<StaffBody>,
}

/// A staff role to give: to an existing sign-in (by email) or a new one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "casey@example.org", "display_name": "Casey Coordinator", "password": "a long enough password", "role": "coordinator"}))]
struct AddStaffBody {
    email: String,
    /// For a new sign-in only.
    display_name: Option<String>,
    /// For a new sign-in only (at least 10 characters).
    password: Option<String>,
    /// `coordinator` or `spend_staff`.
    role: String,
}

fn staff_role(value: &str) -> Result<Role, AppError> {
    match Role::parse(value) {
        Some(r @ (Role::Coordinator | Role::SpendStaff)) => Ok(r),
        _ => Err(AppError::invalid(
            "role",
            "must be coordinator or spend_staff",
        )),
    }
}

/// The organisation's staff. Managers and its coordinators.
#[utoipa::path(
    get, path = "/organisations/{organisation}/staff", operation_id = "list_staff", tag = "directory",
    params(("organisation" = uuid::Uuid, Path, description = "organisation id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "everyone with a role there", body = StaffList),
        (status = 403, description = "neither a manager nor its coordinator", body = ProblemDoc),
        (status = 404, description = "no such organisation, or not yours", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn list_staff(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(organisation): Path<String>,
) -> Result<Json<StaffList>, ApiError> {
    let organisation = organisation_id(&organisation)?;
    let staff = state.app.staff(&actor, organisation).await?;
    Ok(Json(StaffList {
        items: staff.into_iter().map(Into::into).collect(),
    }))
}

/// Gives someone a staff role at the organisation. Managers only.
#[utoipa::path(
    post, path = "/organisations/{organisation}/staff", operation_id = "add_staff", tag = "directory",
    params(("organisation" = uuid::Uuid, Path, description = "organisation id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = AddStaffBody,
    responses(
        (status = 201, description = "the staff member", body = StaffBody),
        (status = 403, description = "not a manager of its programme", body = ProblemDoc),
        (status = 404, description = "no such organisation, or not yours", body = ProblemDoc),
        (status = 422, description = "a bad role or email, or staff_sign_in_needed", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn add_staff(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(organisation): Path<String>,
    ApiJson(body): ApiJson<AddStaffBody>,
) -> Result<(StatusCode, Json<StaffBody>), ApiError> {
    let organisation = organisation_id(&organisation)?;
    let new = NewStaff {
        email: body.email,
        display_name: body.display_name,
        password: body.password,
        role: staff_role(&body.role)?,
    };
    let staff = state.app.add_staff(&actor, organisation, new).await?;
    Ok((StatusCode::CREATED, Json(staff.into())))
}

/// Takes a staff role away. Managers only.
#[utoipa::path(
    delete, path = "/organisations/{organisation}/staff/{user}/{role}", operation_id = "remove_staff", tag = "directory",
    params(
        ("organisation" = uuid::Uuid, Path, description = "organisation id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("user" = uuid::Uuid, Path, description = "the staff member's user id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("role" = String, Path, description = "coordinator or spend_staff", example = "coordinator"),
    ),
    responses(
        (status = 204, description = "the role is gone"),
        (status = 403, description = "not a manager of its programme", body = ProblemDoc),
        (status = 404, description = "no such organisation or staff role", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn remove_staff(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path((organisation, user, role)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let organisation = organisation_id(&organisation)?;
    let user = UserId(parse_uuid("user id", &user)?);
    state
        .app
        .remove_staff(&actor, organisation, user, staff_role(&role)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------
// Members

/// A member as the organisation's coordinators and the programme team see them.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"member_id": "01890a5d-ac96-774b-bcce-b302099a8060", "member_number": "1234566", "card_number": "123 456 6", "display_name": "Alice Able", "email": null, "phone": "01234 567890", "language": "en"}))]
struct MemberCardBody {
    member_id: String,
    member_number: String,
    /// The number as printed on the card.
    card_number: String,
    display_name: String,
    email: Option<String>,
    phone: Option<String>,
    language: Option<String>,
}

fn member_card(member: Member, profile: Option<MemberProfile>) -> MemberCardBody {
    MemberCardBody {
        member_id: member.id.to_string(),
        member_number: member.number.value().to_string(),
        card_number: member.number.to_string(),
        display_name: member.display_name,
        email: profile.as_ref().and_then(|p| p.email.clone()),
        phone: profile.as_ref().and_then(|p| p.phone.clone()),
        language: profile.map(|p| p.language.as_str().to_owned()),
    }
}

#[derive(Serialize, ToSchema)]
struct MemberPage {
    items: Vec<MemberCardBody>,
    next_cursor: Option<String>,
}

/// The organisation's members with their contact details. Its
/// coordinators and the programme team.
#[utoipa::path(
    get, path = "/organisations/{organisation}/members", operation_id = "list_organisation_members", tag = "directory",
    params(("organisation" = uuid::Uuid, Path, description = "organisation id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"), PageQuery),
    responses(
        (status = 200, description = "a page of members", body = MemberPage),
        (status = 403, description = "neither a manager nor its coordinator", body = ProblemDoc),
        (status = 404, description = "no such organisation, or not yours", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn list_organisation_members(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(organisation): Path<String>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<MemberPage>, ApiError> {
    let q = query(q)?;
    let organisation = organisation_id(&organisation)?;
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let page = state
        .app
        .organisation_members(&actor, organisation, page)
        .await?;
    let (items, next_cursor) = page_body(page, |(m, p)| member_card(m, p));
    Ok(Json(MemberPage { items, next_cursor }))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"self_registration": "needs_approval"}))]
struct SelfRegistrationBody {
    /// `open`, `needs_approval` or `closed`.
    self_registration: String,
}

/// Sets whether people may register themselves. Managers only.
#[utoipa::path(
    put, path = "/programmes/{programme}/self-registration", operation_id = "set_self_registration", tag = "directory",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = SelfRegistrationBody,
    responses(
        (status = 200, description = "the setting now", body = SelfRegistrationBody),
        (status = 403, description = "not a manager of this programme", body = ProblemDoc),
        (status = 422, description = "self_registration_unknown", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn set_self_registration(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
    ApiJson(body): ApiJson<SelfRegistrationBody>,
) -> Result<Json<SelfRegistrationBody>, ApiError> {
    let programme = programme_id(&programme)?;
    let setting = SelfRegistration::parse(&body.self_registration).map_err(AppError::from)?;
    let settings = state
        .app
        .set_self_registration(&actor, programme, setting)
        .await?;
    Ok(Json(SelfRegistrationBody {
        self_registration: settings.self_registration.as_str().to_owned(),
    }))
}

/// A registration and its decision.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "member_id": "01890a5d-ac96-774b-bcce-b302099a8060", "member_number": "1234566", "card_number": "123 456 6",
    "display_name": "Alice Able", "channel": "self", "organisation": null, "status": "pending",
    "registered_by": null, "registered_at": "2026-03-01T10:00:00Z", "decided_by": null, "decided_at": null,
    "decline_reason": null
}))]
struct RegistrationBody {
    member_id: String,
    /// The 7-digit number to sign in with (with the PIN chosen).
    member_number: String,
    card_number: String,
    display_name: String,
    /// `self` or `on_behalf`.
    channel: &'static str,
    organisation: Option<String>,
    /// `active`, `pending` or `declined`.
    status: &'static str,
    registered_by: Option<String>,
    registered_at: String,
    decided_by: Option<String>,
    decided_at: Option<String>,
    decline_reason: Option<String>,
}

fn registration_body(member: &Member, r: Registration) -> RegistrationBody {
    let decision = r.decision;
    RegistrationBody {
        member_id: member.id.to_string(),
        member_number: member.number.value().to_string(),
        card_number: member.number.to_string(),
        display_name: member.display_name.clone(),
        channel: r.channel.as_str(),
        organisation: r.organisation.map(|o| o.to_string()),
        status: r.status.as_str(),
        registered_by: r.registered_by.map(|u| u.to_string()),
        registered_at: time(r.registered_at),
        decided_by: decision.as_ref().map(|d| d.by.to_string()),
        decided_at: decision.as_ref().map(|d| time(d.at)),
        decline_reason: decision.and_then(|d| d.decline_reason),
    }
}

/// A member registered by staff on their behalf: no email or phone needed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Alice Able", "pin": null, "organisation": "01890a5d-ac96-774b-bcce-b302099a8057", "language": "pl", "email": null, "phone": null}))]
struct RegisterMemberBody {
    display_name: String,
    /// 4 to 6 digits, to sign in with the card number; optional.
    pin: Option<String>,
    /// The registering organisation (required for coordinators); the member joins it.
    organisation: Option<String>,
    /// A language code such as `en` or `pl`.
    language: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

/// Registers a member on their behalf: managers, or coordinators of an
/// active organisation (naming it).
#[utoipa::path(
    post, path = "/programmes/{programme}/members", operation_id = "register_member", tag = "directory",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = RegisterMemberBody,
    responses(
        (status = 201, description = "the new member, active", body = RegistrationBody),
        (status = 403, description = "neither a manager nor a coordinator of the organisation", body = ProblemDoc),
        (status = 404, description = "no such programme or organisation", body = ProblemDoc),
        (status = 409, description = "organisation_suspended", body = ProblemDoc),
        (status = 422, description = "a bad name, PIN, language or contact", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn register_member(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
    ApiJson(body): ApiJson<RegisterMemberBody>,
) -> Result<(StatusCode, Json<RegistrationBody>), ApiError> {
    let new = OnBehalfRegistration {
        programme: programme_id(&programme)?,
        display_name: body.display_name,
        pin: body.pin,
        number: None,
        organisation: body
            .organisation
            .as_deref()
            .map(organisation_id)
            .transpose()?,
        language: body.language,
        email: body.email,
        phone: body.phone,
    };
    let registered = state.app.register_on_behalf(&actor, new).await?;
    Ok((
        StatusCode::CREATED,
        Json(registration_body(
            &registered.member,
            registered.registration,
        )),
    ))
}

/// Someone registering themself: a name, and a PIN or an email and password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Dana Doe", "pin": "4071", "language": "en"}))]
struct SelfRegisterBody {
    display_name: String,
    /// 4 to 6 digits, not all the same nor in a row.
    pin: Option<String>,
    email: Option<String>,
    /// At least 10 characters.
    password: Option<String>,
    language: Option<String>,
    /// The organisation that told them about the programme, if any.
    organisation: Option<String>,
}

/// Registers yourself (no sign-in needed). Depending on the programme you
/// take part at once or wait for approval; some programmes take no online
/// registrations. Sign in afterwards with your member number and PIN, or
/// your email and password.
#[utoipa::path(
    post, path = "/programmes/{programme}/registrations", operation_id = "self_register", tag = "directory",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = SelfRegisterBody,
    responses(
        (status = 201, description = "registered (status active or pending)", body = RegistrationBody),
        (status = 404, description = "no such programme or organisation", body = ProblemDoc),
        (status = 409, description = "self_registration_closed or email_already_registered", body = ProblemDoc),
        (status = 422, description = "a bad name, PIN, email, password or language", body = ProblemDoc),
    )
)]
async fn self_register(
    State(state): State<AppState>,
    Path(programme): Path<String>,
    ApiJson(body): ApiJson<SelfRegisterBody>,
) -> Result<(StatusCode, Json<RegistrationBody>), ApiError> {
    let new = SelfRegistrationRequest {
        programme: programme_id(&programme)?,
        display_name: body.display_name,
        pin: body.pin,
        email: body.email,
        password: body.password,
        language: body.language,
        organisation: body
            .organisation
            .as_deref()
            .map(organisation_id)
            .transpose()?,
    };
    let registered = state.app.self_register(new).await?;
    Ok((
        StatusCode::CREATED,
        Json(registration_body(
            &registered.member,
            registered.registration,
        )),
    ))
}

#[derive(Serialize, ToSchema)]
struct RegistrationPage {
    items: Vec<RegistrationBody>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PendingQuery {
    /// Only those that came through this organisation (required for coordinators).
    organisation: Option<String>,
    /// How many items (1 to 200; default 50).
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Registrations waiting for approval: all of them for managers; for
/// coordinators, those that came through their organisation.
#[utoipa::path(
    get, path = "/programmes/{programme}/registrations", operation_id = "list_pending_registrations", tag = "directory",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"), PendingQuery),
    responses(
        (status = 200, description = "a page of pending registrations", body = RegistrationPage),
        (status = 403, description = "may not approve these", body = ProblemDoc),
        (status = 404, description = "no such programme, or not yours", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn list_pending_registrations(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
    q: Result<Query<PendingQuery>, QueryRejection>,
) -> Result<Json<RegistrationPage>, ApiError> {
    let q = query(q)?;
    let programme = programme_id(&programme)?;
    let organisation = q
        .organisation
        .as_deref()
        .filter(|o| !o.is_empty())
        .map(organisation_id)
        .transpose()?;
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let page = state
        .app
        .pending_registrations(&actor, programme, organisation, page)
        .await?;
    let (items, next_cursor) = page_body(page, |(m, r)| registration_body(&m, r));
    Ok(Json(RegistrationPage { items, next_cursor }))
}

async fn member_for(state: &AppState, value: &str) -> Result<(MemberId, Member), ApiError> {
    let id = member_ref(&state.app, value).await?;
    let member = state
        .app
        .store()
        .member(id)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound("member"))?;
    Ok((id, member))
}

/// Approves a pending registration: the member can take part from now.
#[utoipa::path(
    post, path = "/members/{member}/registration/approval", operation_id = "approve_registration", tag = "directory",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045")),
    responses(
        (status = 200, description = "the registration, approved", body = RegistrationBody),
        (status = 403, description = "may not decide this registration", body = ProblemDoc),
        (status = 404, description = "no such member, or not yours", body = ProblemDoc),
        (status = 409, description = "registration_already_decided", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn approve_registration(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
) -> Result<Json<RegistrationBody>, ApiError> {
    let (id, m) = member_for(&state, &member).await?;
    let r = state.app.approve_registration(&actor, id).await?;
    Ok(Json(registration_body(&m, r)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "registered twice; the other registration is kept"}))]
struct DeclineRegistrationBody {
    /// Why; kept with the registration.
    reason: String,
}

/// Declines a pending registration, keeping the reason.
#[utoipa::path(
    post, path = "/members/{member}/registration/decline", operation_id = "decline_registration", tag = "directory",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045")),
    request_body = DeclineRegistrationBody,
    responses(
        (status = 200, description = "the registration, declined", body = RegistrationBody),
        (status = 403, description = "may not decide this registration", body = ProblemDoc),
        (status = 404, description = "no such member, or not yours", body = ProblemDoc),
        (status = 409, description = "registration_already_decided", body = ProblemDoc),
        (status = 422, description = "decline_reason_required", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn decline_registration(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
    ApiJson(body): ApiJson<DeclineRegistrationBody>,
) -> Result<Json<RegistrationBody>, ApiError> {
    let (id, m) = member_for(&state, &member).await?;
    let r = state
        .app
        .decline_registration(&actor, id, &body.reason)
        .await?;
    Ok(Json(registration_body(&m, r)))
}

/// A member's profile.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "member_id": "01890a5d-ac96-774b-bcce-b302099a8060", "member_number": "1234566", "card_number": "123 456 6",
    "display_name": "Alice Able", "status": "active", "language": "pl",
    "skills": ["cooking_and_food"], "skills_text": "Polish cooking", "interests": ["gardening_and_outdoors"],
    "interests_text": "", "email": null, "phone": "01234 567890"
}))]
struct ProfileBody {
    member_id: String,
    member_number: String,
    card_number: String,
    display_name: String,
    /// `active`, `pending` or `declined`.
    status: &'static str,
    language: String,
    /// Codes from GET /skill-categories.
    skills: Vec<String>,
    skills_text: String,
    interests: Vec<String>,
    interests_text: String,
    email: Option<String>,
    phone: Option<String>,
}

fn profile_body(m: &Member, status: MemberStatus, p: MemberProfile) -> ProfileBody {
    ProfileBody {
        member_id: m.id.to_string(),
        member_number: m.number.value().to_string(),
        card_number: m.number.to_string(),
        display_name: m.display_name.clone(),
        status: status.as_str(),
        language: p.language.as_str().to_owned(),
        skills: p.skills,
        skills_text: p.skills_text,
        interests: p.interests,
        interests_text: p.interests_text,
        email: p.email,
        phone: p.phone,
    }
}

/// A member's profile: for the member, the programme team, and
/// coordinators of organisations the member belongs to.
#[utoipa::path(
    get, path = "/members/{member}/profile", operation_id = "get_member_profile", tag = "directory",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045")),
    responses(
        (status = 200, description = "the profile", body = ProfileBody),
        (status = 404, description = "no such member, or not yours to see", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn get_member_profile(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
) -> Result<Json<ProfileBody>, ApiError> {
    let id = member_ref(&state.app, &member).await?;
    let (m, status, p) = state.app.member_profile(&actor, id).await?;
    Ok(Json(profile_body(&m, status, p)))
}

/// Changes to a profile; absent fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"language": "pl", "skills": ["cooking_and_food"], "skills_text": "Polish cooking"}))]
struct UpdateProfileBody {
    language: Option<String>,
    skills: Option<Vec<String>>,
    skills_text: Option<String>,
    interests: Option<Vec<String>>,
    interests_text: Option<String>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    phone: Option<Option<String>>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    email: Option<Option<String>>,
}

/// Updates a profile: the member, or staff acting for them (recorded as a
/// proxy action).
#[utoipa::path(
    patch, path = "/members/{member}/profile", operation_id = "update_member_profile", tag = "directory",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045")),
    request_body = UpdateProfileBody,
    responses(
        (status = 200, description = "the profile now", body = ProfileBody),
        (status = 404, description = "no such member, or not yours", body = ProblemDoc),
        (status = 422, description = "a bad language, skill or contact", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn update_member_profile(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
    ApiJson(body): ApiJson<UpdateProfileBody>,
) -> Result<Json<ProfileBody>, ApiError> {
    let id = member_ref(&state.app, &member).await?;
    let update = ProfileUpdate {
        language: body.language,
        skills: body.skills,
        skills_text: body.skills_text,
        interests: body.interests,
        interests_text: body.interests_text,
        phone: body.phone,
        email: body.email,
    };
    state.app.update_member_profile(&actor, id, update).await?;
    let (m, status, p) = state.app.member_profile(&actor, id).await?;
    Ok(Json(profile_body(&m, status, p)))
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"organisation_id": "01890a5d-ac96-774b-bcce-b302099a8057", "joined_at": "2026-03-01T10:00:00Z", "joined_by": "01890a5d-ac96-774b-bcce-b302099a8059"}))]
struct MembershipBody {
    organisation_id: String,
    joined_at: String,
    joined_by: Option<String>,
}

impl From<Membership> for MembershipBody {
    fn from(l: Membership) -> Self {
        Self {
            organisation_id: l.organisation.to_string(),
            joined_at: time(l.joined_at),
            joined_by: l.joined_by.map(|u| u.to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct MembershipList {
    items: Vec<MembershipBody>,
}

/// The organisations the member belongs to (a coordinator sees only their own).
#[utoipa::path(
    get, path = "/members/{member}/organisations", operation_id = "list_member_organisations", tag = "directory",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045")),
    responses(
        (status = 200, description = "the member's organisations", body = MembershipList),
        (status = 404, description = "no such member, or not yours to see", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn list_member_organisations(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
) -> Result<Json<MembershipList>, ApiError> {
    let id = member_ref(&state.app, &member).await?;
    let links = state.app.member_organisations(&actor, id).await?;
    Ok(Json(MembershipList {
        items: links.into_iter().map(Into::into).collect(),
    }))
}

/// Links the member to an organisation. Managers, or its coordinators.
#[utoipa::path(
    put, path = "/members/{member}/organisations/{organisation}", operation_id = "join_organisation", tag = "directory",
    params(
        ("member" = String, Path, description = "member id or 7-digit number", example = "3182045"),
        ("organisation" = uuid::Uuid, Path, description = "organisation id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
    ),
    responses(
        (status = 201, description = "the link", body = MembershipBody),
        (status = 403, description = "neither a manager nor its coordinator", body = ProblemDoc),
        (status = 404, description = "no such member or organisation", body = ProblemDoc),
        (status = 409, description = "already_a_member or organisation_suspended", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn join_organisation(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path((member, organisation)): Path<(String, String)>,
) -> Result<(StatusCode, Json<MembershipBody>), ApiError> {
    let id = member_ref(&state.app, &member).await?;
    let organisation = organisation_id(&organisation)?;
    let link = state
        .app
        .join_organisation(&actor, id, organisation)
        .await?;
    Ok((StatusCode::CREATED, Json(link.into())))
}

/// Ends the member's link to an organisation. Managers, or its coordinators.
#[utoipa::path(
    delete, path = "/members/{member}/organisations/{organisation}", operation_id = "leave_organisation", tag = "directory",
    params(
        ("member" = String, Path, description = "member id or 7-digit number", example = "3182045"),
        ("organisation" = uuid::Uuid, Path, description = "organisation id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
    ),
    responses(
        (status = 204, description = "the link has ended"),
        (status = 403, description = "neither a manager nor its coordinator", body = ProblemDoc),
        (status = 404, description = "no such member or organisation", body = ProblemDoc),
        (status = 409, description = "not_a_member", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn leave_organisation(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path((member, organisation)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = member_ref(&state.app, &member).await?;
    let organisation = organisation_id(&organisation)?;
    state
        .app
        .leave_organisation(&actor, id, organisation)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "01890a5d-ac96-774b-bcce-b302099a8061", "actor_user_id": "01890a5d-ac96-774b-bcce-b302099a8059", "member_id": "01890a5d-ac96-774b-bcce-b302099a8060", "action": "claim_hours", "at": "2026-03-01T10:00:00Z"}))]
struct ProxyActionBody {
    id: String,
    /// The staff member who acted.
    actor_user_id: String,
    member_id: String,
    action: String,
    at: String,
}

impl From<ProxyAction> for ProxyActionBody {
    fn from(a: ProxyAction) -> Self {
        Self {
            id: a.id.to_string(),
            actor_user_id: a.actor.to_string(),
            member_id: a.member.to_string(),
            action: a.action,
            at: time(a.at),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct ProxyActionPage {
    items: Vec<ProxyActionBody>,
    next_cursor: Option<String>,
}

/// What staff did on the member's behalf, oldest first: for the member and
/// the programme team.
#[utoipa::path(
    get, path = "/members/{member}/proxy-actions", operation_id = "list_proxy_actions", tag = "directory",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045"), PageQuery),
    responses(
        (status = 200, description = "a page of proxy actions", body = ProxyActionPage),
        (status = 403, description = "coordinators do not see the log", body = ProblemDoc),
        (status = 404, description = "no such member, or not yours to see", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn list_proxy_actions(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<ProxyActionPage>, ApiError> {
    let q = query(q)?;
    let id = member_ref(&state.app, &member).await?;
    let page = page_request(q.limit, q.cursor.as_deref())?;
    let page = state.app.proxy_log(&actor, id, page).await?;
    let (items, next_cursor) = page_body(page, ProxyActionBody::from);
    Ok(Json(ProxyActionPage { items, next_cursor }))
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"code": "cooking_and_food", "label": "Cooking and food"}))]
struct SkillCategoryBody {
    code: &'static str,
    label: &'static str,
}

#[derive(Serialize, ToSchema)]
struct SkillCategoryList {
    items: Vec<SkillCategoryBody>,
}

/// The skill and interest categories members choose from.
#[utoipa::path(
    get, path = "/skill-categories", operation_id = "list_skill_categories", tag = "directory",
    responses((status = 200, description = "every category", body = SkillCategoryList))
)]
async fn list_skill_categories() -> Json<SkillCategoryList> {
    Json(SkillCategoryList {
        items: SKILL_CATEGORIES
            .iter()
            .map(|(code, label)| SkillCategoryBody { code, label })
            .collect(),
    })
}
