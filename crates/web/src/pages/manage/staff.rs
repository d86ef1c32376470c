//! Changing an organisation's status (suspend, reactivate) and its staff
//! (add, remove), from its page.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use timecredits_app::directory::NewStaff;
use timecredits_app::{AppError, Role, UserId};
use uuid::Uuid;

use super::super::forms::FormErrors;
use super::organisation::{Drawn, organisation_page, the_partner};
use super::{base, managed_programme};
use crate::AppState;
use crate::error::PageError;
use crate::pages::{Layout, SignedIn, form_timed_out, render_with};

#[derive(Deserialize, Default)]
pub(crate) struct StaffForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) email: String,
    #[serde(default)]
    pub(super) display_name: String,
    #[serde(default)]
    pub(super) password: String,
    #[serde(default)]
    pub(super) role: String,
    #[serde(default)]
    pub(super) user: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

pub(crate) async fn change_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path((programme, organisation)): Path<(String, String)>,
    form: Result<Form<StatusForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let partner = the_partner(&state, &signed_in, &programme, &organisation).await?;
    let app = &state.app;
    let id = partner.organisation.id;
    let (result, done) = match form.action.as_str() {
        "suspend" => (
            app.suspend_partner(&signed_in.actor, id, Some(form.reason.clone()))
                .await,
            "suspended",
        ),
        "reactivate" => (
            app.reactivate_partner(&signed_in.actor, id).await,
            "reactivated",
        ),
        _ => return Err(form_timed_out().into()),
    };
    let error = match result {
        Ok(_) => {
            return Ok(Redirect::to(&format!(
                "{}/organisations/{id}?done={done}",
                base(&programme)
            ))
            .into_response());
        }
        Err(AppError::Refused(r)) => r,
        Err(other) => return Err(other.into()),
    };
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let mut errors = FormErrors::default();
    errors.add("reason", l.lang.refusal(error.code, &error.message));
    let drawn = Drawn {
        details: None,
        staff: None,
        reason: &form.reason,
        notice: None,
        errors,
    };
    let page = organisation_page(&state, &signed_in, l, &programme, &partner, drawn).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

fn staff_role(raw: &str) -> Option<Role> {
    Role::parse(raw).filter(|r| matches!(r, Role::Coordinator | Role::SpendStaff))
}

pub(crate) async fn add_staff(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path((programme, organisation)): Path<(String, String)>,
    form: Result<Form<StaffForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let partner = the_partner(&state, &signed_in, &programme, &organisation).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let mut errors = FormErrors::default();
    let blank = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_owned())
    };
    if form.email.trim().is_empty() {
        errors.add("email", l.t("manage-error-email"));
    }
    let role = staff_role(&form.role);
    if role.is_none() {
        errors.add("role", l.t("manage-staff-error-role"));
    }
    if let (Some(role), true) = (role, errors.is_empty()) {
        let new = NewStaff {
            email: form.email.clone(),
            display_name: blank(&form.display_name),
            password: (!form.password.is_empty()).then(|| form.password.clone()),
            role,
        };
        match state
            .app
            .add_staff(&signed_in.actor, partner.organisation.id, new)
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "{}/organisations/{}?done=staff-added",
                    base(&programme),
                    partner.organisation.id
                ))
                .into_response());
            }
            Err(AppError::Invalid { field, .. }) => {
                let field = match field {
                    "display_name" => "display_name",
                    "password" => "password",
                    _ => "email",
                };
                errors.add(field, l.t(&format!("manage-error-{field}")));
            }
            Err(AppError::Refused(r)) => {
                let field = if r.code.contains("password") {
                    "password"
                } else if r.code == "staff_sign_in_needed" {
                    "display_name"
                } else {
                    "email"
                };
                errors.add(field, l.lang.refusal(r.code, &r.message));
            }
            Err(AppError::Conflict(message)) => errors.add("email", message),
            Err(other) => return Err(other.into()),
        }
    }
    let drawn = Drawn {
        details: None,
        staff: Some(&form),
        reason: "",
        notice: None,
        errors,
    };
    let page = organisation_page(&state, &signed_in, l, &programme, &partner, drawn).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

pub(crate) async fn remove_staff(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((programme, organisation)): Path<(String, String)>,
    form: Result<Form<StaffForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let partner = the_partner(&state, &signed_in, &programme, &organisation).await?;
    let user = Uuid::try_parse(&form.user).map_err(|_| AppError::NotFound("staff role"))?;
    let role = staff_role(&form.role).ok_or(AppError::NotFound("staff role"))?;
    state
        .app
        .remove_staff(
            &signed_in.actor,
            partner.organisation.id,
            UserId(user),
            role,
        )
        .await?;
    Ok(Redirect::to(&format!(
        "{}/organisations/{}?done=staff-removed",
        base(&programme),
        partner.organisation.id
    ))
    .into_response())
}
