//! The platform administrator's pages: the programmes (list and create)
//! and staff sign-ins (create one with a manager's or an evaluator's role
//! for a programme).

use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use timecredits_app::{AppError, NewProgramme, Role, Scope};
use timecredits_ledger::ProgrammeId;
use uuid::Uuid;

use super::forms::FormErrors;
use super::manage::{Choice, Field, FieldKind};
use super::{Layout, SignedIn, form_timed_out, render, render_with};
use crate::AppState;
use crate::error::PageError;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(page))
        .route("/admin/programmes", post(create_programme))
        .route("/admin/staff", post(create_staff))
}

#[derive(Deserialize, Default)]
pub(crate) struct ProgrammeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    locality: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    exchange_overdraft_minutes: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct StaffForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    programme: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct Done {
    #[serde(default)]
    done: String,
}

struct ProgrammeRow {
    id: String,
    name: String,
    locality: String,
    time_zone: String,
    created: String,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    l: Layout,
    notice: Option<String>,
    errors: FormErrors,
    programmes: Vec<ProgrammeRow>,
    programme_fields: Vec<Field>,
    staff_fields: Vec<Field>,
}

/// What the page was drawn with: the forms as typed and their problems.
#[derive(Default)]
struct Drawn {
    programme: Option<ProgrammeForm>,
    staff: Option<StaffForm>,
    notice: Option<String>,
    errors: FormErrors,
}

fn check_administrator(signed_in: &SignedIn) -> Result<(), PageError> {
    if signed_in.actor.is_administrator() {
        Ok(())
    } else {
        Err(AppError::Forbidden.into())
    }
}

async fn admin_page(
    state: &AppState,
    signed_in: &SignedIn,
    l: Layout,
    drawn: Drawn,
) -> Result<AdminPage, PageError> {
    let programmes = state.app.visible_programmes(&signed_in.actor).await?;
    let errors = drawn.errors;
    let rows = programmes
        .iter()
        .map(|p| ProgrammeRow {
            id: p.id.to_string(),
            name: p.name.clone(),
            locality: p.locality.clone(),
            time_zone: p.time_zone.clone(),
            created: l
                .lang
                .date(p.created_at, timecredits_app::rules::time_zone(p)),
        })
        .collect();
    let typed = drawn.programme.unwrap_or_else(|| ProgrammeForm {
        time_zone: "Europe/London".into(),
        language: "en-GB".into(),
        exchange_overdraft_minutes: "0".into(),
        ..ProgrammeForm::default()
    });
    let languages = [("en-GB", "English"), ("pl-PL", "Polski")]
        .into_iter()
        .map(|(value, label)| Choice {
            value: value.to_owned(),
            label: label.to_owned(),
        })
        .collect();
    let programme_fields = vec![
        Field::new("name", l.t("admin-programme-name"), FieldKind::Text).value(&typed.name),
        Field::new("locality", l.t("admin-programme-locality"), FieldKind::Text)
            .value(&typed.locality),
        Field::new(
            "time_zone",
            l.t("admin-programme-time-zone"),
            FieldKind::Text,
        )
        .hint(l.t("admin-programme-time-zone-hint"))
        .value(&typed.time_zone),
        Field::new(
            "language",
            l.t("admin-programme-language"),
            FieldKind::Select(languages),
        )
        .value(&typed.language),
        Field::new(
            "exchange_overdraft_minutes",
            l.t("manage-rules-overdraft"),
            FieldKind::Number,
        )
        .hint(l.t("manage-rules-overdraft-hint"))
        .value(&typed.exchange_overdraft_minutes),
    ]
    .into_iter()
    .map(|f| f.errors(&errors))
    .collect();
    let staff = drawn.staff.unwrap_or_default();
    let roles = [Role::ProgrammeManager, Role::Evaluator]
        .into_iter()
        .map(|r| Choice {
            value: r.as_str().to_owned(),
            label: l.t(&format!("manage-staff-role-{}", r.as_str())),
        })
        .collect();
    let programme_choices = programmes
        .iter()
        .map(|p| Choice {
            value: p.id.to_string(),
            label: p.name.clone(),
        })
        .collect();
    let staff_fields = vec![
        Field::new("email", l.t("manage-staff-email"), FieldKind::Email).value(&staff.email),
        Field::new("display_name", l.t("manage-staff-name"), FieldKind::Text)
            .value(&staff.display_name),
        Field::new(
            "password",
            l.t("manage-staff-password"),
            FieldKind::Password,
        ),
        Field::new("role", l.t("manage-staff-role"), FieldKind::Select(roles)).value(&staff.role),
        Field::new(
            "programme",
            l.t("admin-staff-programme"),
            FieldKind::Select(programme_choices),
        )
        .value(&staff.programme),
    ]
    .into_iter()
    .map(|f| f.errors(&errors))
    .collect();
    Ok(AdminPage {
        notice: drawn.notice,
        errors,
        programmes: rows,
        programme_fields,
        staff_fields,
        l,
    })
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    check_administrator(&signed_in)?;
    let l = Layout::new(&headers, Some(&signed_in), "/admin");
    let notice = match done.done.as_str() {
        "programme" | "staff" => Some(l.t(&format!("admin-done-{}", done.done))),
        _ => None,
    };
    let drawn = Drawn {
        notice,
        ..Drawn::default()
    };
    let page = admin_page(&state, &signed_in, l, drawn).await?;
    Ok(render(&page)?.into_response())
}

/// The field an invalid value is about, among the form's own.
fn field_of(field: &str, known: &[&'static str]) -> &'static str {
    known
        .iter()
        .copied()
        .find(|k| *k == field)
        .unwrap_or(known[0])
}

pub(crate) async fn create_programme(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    form: Result<Form<ProgrammeForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    check_administrator(&signed_in)?;
    let l = Layout::new(&headers, Some(&signed_in), "/admin");
    let mut errors = FormErrors::default();
    let overdraft = form.exchange_overdraft_minutes.trim();
    let overdraft = if overdraft.is_empty() {
        Some(0)
    } else {
        overdraft.parse::<i64>().ok()
    };
    match overdraft {
        None => errors.add(
            "exchange_overdraft_minutes",
            l.t("manage-rules-error-number"),
        ),
        Some(overdraft) => {
            let new = NewProgramme {
                name: form.name.clone(),
                locality: form.locality.clone(),
                time_zone: form.time_zone.trim().to_owned(),
                language: form.language.clone(),
                exchange_overdraft_minutes: overdraft,
            };
            match state.app.create_programme(&signed_in.actor, new).await {
                Ok(_) => return Ok(Redirect::to("/admin?done=programme").into_response()),
                Err(AppError::Invalid { field, .. }) => {
                    let field =
                        field_of(field, &["name", "time_zone", "exchange_overdraft_minutes"]);
                    errors.add(field, l.t(&format!("manage-error-{field}")));
                }
                Err(AppError::Refused(r)) => errors.add(
                    "exchange_overdraft_minutes",
                    l.lang.refusal(r.code, &r.message),
                ),
                Err(other) => return Err(other.into()),
            }
        }
    }
    let drawn = Drawn {
        programme: Some(form),
        errors,
        ..Drawn::default()
    };
    let page = admin_page(&state, &signed_in, l, drawn).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

pub(crate) async fn create_staff(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    form: Result<Form<StaffForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    check_administrator(&signed_in)?;
    let l = Layout::new(&headers, Some(&signed_in), "/admin");
    let mut errors = FormErrors::default();
    let role =
        Role::parse(&form.role).filter(|r| matches!(r, Role::ProgrammeManager | Role::Evaluator));
    if role.is_none() {
        errors.add("role", l.t("manage-staff-error-role"));
    }
    let programme = Uuid::try_parse(&form.programme).ok().map(ProgrammeId);
    if programme.is_none() {
        errors.add("programme", l.t("admin-staff-error-programme"));
    }
    if let (Some(role), Some(programme), true) = (role, programme, errors.is_empty()) {
        match state
            .app
            .create_staff(
                &signed_in.actor,
                &form.email,
                &form.display_name,
                &form.password,
                role,
                Scope::Programme(programme),
            )
            .await
        {
            Ok(_) => return Ok(Redirect::to("/admin?done=staff").into_response()),
            Err(AppError::Invalid { field, .. }) => {
                let field = field_of(field, &["email", "display_name", "password"]);
                errors.add(field, l.t(&format!("manage-error-{field}")));
            }
            Err(AppError::Conflict(_)) => errors.add("email", l.t("admin-staff-error-taken")),
            Err(AppError::NotFound(_)) => {
                errors.add("programme", l.t("admin-staff-error-programme"));
            }
            Err(other) => return Err(other.into()),
        }
    }
    let drawn = Drawn {
        staff: Some(form),
        errors,
        ..Drawn::default()
    };
    let page = admin_page(&state, &signed_in, l, drawn).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
