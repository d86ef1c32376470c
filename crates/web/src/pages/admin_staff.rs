//! The administrator's page for one programme's staff: who holds a
//! programme role (manager, evaluator), a Revoke button for each role, and a
//! form giving a role to someone who already signs in.

use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use timecredits_app::directory::PROGRAMME_ROLES;
use timecredits_app::{AppError, Programme, Role, UserId};
use timecredits_ledger::ProgrammeId;
use uuid::Uuid;

use super::forms::FormErrors;
use super::manage::{Choice, Field, FieldKind};
use super::{Layout, SignedIn, form_timed_out, render, render_with};
use crate::AppState;
use crate::error::PageError;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/programmes/{programme}/staff", get(page).post(grant))
        .route("/admin/programmes/{programme}/staff/revoke", post(revoke))
}

#[derive(Deserialize, Default)]
pub(crate) struct GrantForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    role: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct Done {
    #[serde(default)]
    done: String,
}

struct StaffRow {
    user: String,
    name: String,
    email: String,
    role: String,
    role_value: &'static str,
}

#[derive(Template)]
#[template(path = "admin_programme_staff.html")]
struct ProgrammeStaffPage {
    l: Layout,
    programme_name: String,
    action: String,
    notice: Option<String>,
    errors: FormErrors,
    staff: Vec<StaffRow>,
    fields: Vec<Field>,
}

fn programme_id(raw: &str) -> Result<ProgrammeId, PageError> {
    Uuid::try_parse(raw)
        .map(ProgrammeId)
        .map_err(|_| AppError::NotFound("programme").into())
}

fn programme_role(raw: &str) -> Option<Role> {
    Role::parse(raw).filter(|r| PROGRAMME_ROLES.contains(r))
}

fn action(programme: &Programme) -> String {
    format!("/admin/programmes/{}/staff", programme.id)
}

/// The page, after the use case has checked the actor is an administrator.
async fn staff_page(
    state: &AppState,
    signed_in: &SignedIn,
    l: Layout,
    programme: ProgrammeId,
    typed: Option<&GrantForm>,
    notice: Option<String>,
    errors: FormErrors,
) -> Result<ProgrammeStaffPage, PageError> {
    let staff = state
        .app
        .programme_staff(&signed_in.actor, programme)
        .await?;
    let programme = state.app.programme(programme).await?;
    let staff = staff
        .into_iter()
        .map(|s| StaffRow {
            user: s.user.to_string(),
            name: s.display_name,
            email: s.email.unwrap_or_default(),
            role: l.t(&format!("manage-staff-role-{}", s.role.as_str())),
            role_value: s.role.as_str(),
        })
        .collect();
    let roles = PROGRAMME_ROLES
        .into_iter()
        .map(|r| Choice {
            value: r.as_str().to_owned(),
            label: l.t(&format!("manage-staff-role-{}", r.as_str())),
        })
        .collect();
    let fields = vec![
        Field::new("email", l.t("manage-staff-email"), FieldKind::Email)
            .hint(l.t("admin-programme-staff-email-hint"))
            .value(typed.map_or("", |f| f.email.as_str())),
        Field::new("role", l.t("manage-staff-role"), FieldKind::Select(roles))
            .value(typed.map_or("", |f| f.role.as_str())),
    ]
    .into_iter()
    .map(|f| f.errors(&errors))
    .collect();
    Ok(ProgrammeStaffPage {
        programme_name: programme.name.clone(),
        action: action(&programme),
        notice,
        errors,
        staff,
        fields,
        l,
    })
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(programme): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let programme = programme_id(&programme)?;
    let l = Layout::new(&headers, Some(&signed_in), "/admin");
    let notice = match done.done.as_str() {
        "granted" | "revoked" => Some(l.t(&format!("admin-programme-staff-done-{}", done.done))),
        _ => None,
    };
    let page = staff_page(
        &state,
        &signed_in,
        l,
        programme,
        None,
        notice,
        FormErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

pub(crate) async fn grant(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(programme): Path<String>,
    form: Result<Form<GrantForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let programme = programme_id(&programme)?;
    let l = Layout::new(&headers, Some(&signed_in), "/admin");
    let mut errors = FormErrors::default();
    if form.email.trim().is_empty() {
        errors.add("email", l.t("manage-error-email"));
    }
    let role = programme_role(&form.role);
    if role.is_none() {
        errors.add("role", l.t("manage-staff-error-role"));
    }
    if let (Some(role), true) = (role, errors.is_empty()) {
        match state
            .app
            .grant_programme_role(&signed_in.actor, programme, &form.email, role)
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/admin/programmes/{programme}/staff?done=granted"
                ))
                .into_response());
            }
            Err(AppError::Invalid { .. }) => errors.add("email", l.t("manage-error-email")),
            Err(AppError::Refused(r)) if r.code == "staff_sign_in_needed" => {
                errors.add("email", l.t("admin-programme-staff-error-no-sign-in"));
            }
            Err(AppError::Refused(r)) if r.code == "programme_role_invalid" => {
                errors.add("role", l.t("manage-staff-error-role"));
            }
            Err(other) => return Err(other.into()),
        }
    }
    let page = staff_page(&state, &signed_in, l, programme, Some(&form), None, errors).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

pub(crate) async fn revoke(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(programme): Path<String>,
    form: Result<Form<RevokeForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let programme = programme_id(&programme)?;
    let user = Uuid::try_parse(&form.user).map_err(|_| AppError::NotFound("staff role"))?;
    let role = programme_role(&form.role).ok_or(AppError::NotFound("staff role"))?;
    state
        .app
        .revoke_programme_role(&signed_in.actor, programme, UserId(user), role)
        .await?;
    Ok(Redirect::to(&format!("/admin/programmes/{programme}/staff?done=revoked")).into_response())
}
