//! A coordinator manages their organisation's activities: the list, a form
//! to create one, a form to edit one, and a form to add a session.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use timecredits_app::activities::{Activity, ActivityId, ActivityQuery, NewSession};
use timecredits_app::{Actor, App, AppError};
use uuid::Uuid;

use super::coordinator::coordinated;
use super::forms::{FormErrors, SelectOption};
use super::member::organisation_zone;
use super::org_activity_form::{ActivityForm, activity_field};
use super::org_choice::{Chosen, choose};
use super::{Layout, SignedIn, form_timed_out, render, render_with};
use crate::AppState;
use crate::error::PageError;
use crate::i18n::Lang;

const PATH: &str = "/organisation/activities";

struct ActivityRow {
    title: String,
    kind: String,
    edit_href: String,
}

#[derive(Template)]
#[template(path = "org_activities.html")]
struct ActivitiesPage {
    l: Layout,
    errors: FormErrors,
    choice: Chosen,
    activities: Vec<ActivityRow>,
    form: ActivityForm,
    levels: Vec<SelectOption>,
    modes: Vec<SelectOption>,
}

#[derive(Deserialize, Default)]
pub(crate) struct OrganisationQuery {
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    done: String,
}

async fn activities_page(
    app: &App,
    actor: &Actor,
    l: Layout,
    choice: Chosen,
    errors: FormErrors,
    form: ActivityForm,
) -> Result<ActivitiesPage, AppError> {
    let listed = app
        .list_activities(
            actor,
            ActivityQuery {
                programme: Some(choice.organisation.programme),
                organisation: Some(choice.organisation.id),
                limit: Some(200),
                ..ActivityQuery::default()
            },
        )
        .await?;
    let activities = listed
        .items
        .into_iter()
        .map(|a| ActivityRow {
            kind: format!(
                "{} · {}",
                l.t(&format!("level-{}", a.details.level.as_str())),
                l.t(&format!("mode-{}", a.details.mode.as_str()))
            ),
            edit_href: format!("{PATH}/{}/edit", a.id),
            title: a.details.title,
        })
        .collect();
    Ok(ActivitiesPage {
        levels: form.levels(&l.lang),
        modes: form.modes(&l.lang),
        l,
        errors,
        choice,
        activities,
        form,
    })
}

pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Query(query): Query<OrganisationQuery>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let choice = choose(app, actor, &query.organisation, PATH).await?;
    let l = Layout::new(&headers, Some(&signed_in), PATH);
    let page = activities_page(
        app,
        actor,
        l,
        choice,
        FormErrors::default(),
        ActivityForm::blank(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

pub(crate) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    form: Result<Form<ActivityForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let app = &state.app;
    let actor = &signed_in.actor;
    let choice = choose(app, actor, &form.organisation, PATH).await?;
    let l = Layout::new(&headers, Some(&signed_in), PATH);
    let errors = match form.details(&l.lang) {
        Ok(details) => {
            match app
                .create_activity(actor, choice.organisation.id, details)
                .await
            {
                Ok(created) => {
                    return Ok(
                        Redirect::to(&format!("{PATH}/{}/edit?done=created", created.id))
                            .into_response(),
                    );
                }
                Err(AppError::Refused(r)) => {
                    let mut errors = FormErrors::default();
                    errors.add(activity_field(r.code), l.lang.refusal(r.code, &r.message));
                    errors
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(errors) => errors,
    };
    let page = activities_page(app, actor, l, choice, errors, form).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// What was typed into the form that adds a session.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct SessionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    places: String,
}

struct SessionRow {
    when: String,
    places: String,
}

#[derive(Template)]
#[template(path = "org_activity.html")]
struct ActivityPage {
    l: Layout,
    errors: FormErrors,
    notice: Option<String>,
    title: String,
    action: String,
    session_action: String,
    form: ActivityForm,
    levels: Vec<SelectOption>,
    modes: Vec<SelectOption>,
    session: SessionForm,
    sessions: Vec<SessionRow>,
}

/// The activity, if the actor coordinates its organisation.
async fn coordinated_activity(app: &App, actor: &Actor, raw: &str) -> Result<Activity, AppError> {
    let id = Uuid::try_parse(raw)
        .map(ActivityId)
        .map_err(|_| AppError::NotFound("activity"))?;
    let activity = app.activity(actor, id).await?;
    if coordinated(actor).contains(&activity.organisation) {
        Ok(activity)
    } else {
        Err(AppError::Forbidden)
    }
}

async fn activity_page(
    app: &App,
    actor: &Actor,
    l: Layout,
    activity: &Activity,
    errors: FormErrors,
    notice: Option<String>,
    typed: (ActivityForm, SessionForm),
) -> Result<ActivityPage, AppError> {
    let zone = organisation_zone(app, activity.organisation).await?;
    let sessions = app
        .list_sessions(actor, activity.id, Some(app.now()), None, Some(50))
        .await?
        .items
        .into_iter()
        .map(|s| SessionRow {
            when: l.lang.date_time(s.starts_at, zone),
            places: l.tn("org-activity-places", "n", &s.capacity),
        })
        .collect();
    let (form, session) = typed;
    Ok(ActivityPage {
        levels: form.levels(&l.lang),
        modes: form.modes(&l.lang),
        title: activity.details.title.clone(),
        action: format!("{PATH}/{}/edit", activity.id),
        session_action: format!("{PATH}/{}/sessions", activity.id),
        l,
        errors,
        notice,
        form,
        session,
        sessions,
    })
}

pub(crate) async fn edit_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<OrganisationQuery>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let activity = coordinated_activity(app, actor, &id).await?;
    let l = Layout::new(&headers, Some(&signed_in), PATH);
    let notice = match query.done.as_str() {
        "created" => Some(l.t("org-activity-created")),
        "saved" => Some(l.t("org-activity-saved")),
        "session" => Some(l.t("org-activity-session-added")),
        _ => None,
    };
    let typed = (ActivityForm::of(&activity), SessionForm::default());
    let page = activity_page(
        app,
        actor,
        l,
        &activity,
        FormErrors::default(),
        notice,
        typed,
    )
    .await?;
    Ok(render(&page)?.into_response())
}

pub(crate) async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<ActivityForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let app = &state.app;
    let actor = &signed_in.actor;
    let activity = coordinated_activity(app, actor, &id).await?;
    let l = Layout::new(&headers, Some(&signed_in), PATH);
    let errors = match form.details(&l.lang) {
        Ok(details) => match app.update_activity(actor, activity.id, details).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("{PATH}/{}/edit?done=saved", activity.id))
                        .into_response(),
                );
            }
            Err(AppError::Refused(r)) => {
                let mut errors = FormErrors::default();
                errors.add(activity_field(r.code), l.lang.refusal(r.code, &r.message));
                errors
            }
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let typed = (form, SessionForm::default());
    let page = activity_page(app, actor, l, &activity, errors, None, typed).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// A local date and time in `zone` as an instant (the earlier one when
/// the clocks go back; `None` in the hour they skip going forward).
fn instant(zone: Tz, date: NaiveDate, time: NaiveTime) -> Option<chrono::DateTime<Utc>> {
    zone.from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The session typed, or the problems to show beside its fields.
fn new_session(form: &SessionForm, zone: Tz, lang: &Lang) -> Result<NewSession, FormErrors> {
    let mut errors = FormErrors::default();
    let date = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d").ok();
    if date.is_none() {
        errors.add("date", lang.t("org-session-error-date"));
    }
    let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
    let (start, end) = (time(&form.start), time(&form.end));
    if start.is_none() {
        errors.add("start", lang.t("org-session-error-time"));
    }
    if end.is_none() {
        errors.add("end", lang.t("org-session-error-time"));
    }
    let places = form.places.trim().parse::<i64>().ok().filter(|n| *n > 0);
    if places.is_none() {
        errors.add("places", lang.t("org-session-error-places"));
    }
    let (Some(date), Some(start), Some(end), Some(capacity)) = (date, start, end, places) else {
        return Err(errors);
    };
    match (instant(zone, date, start), instant(zone, date, end)) {
        (Some(starts_at), Some(ends_at)) => Ok(NewSession {
            starts_at,
            ends_at,
            capacity,
        }),
        _ => {
            errors.add("start", lang.t("org-session-error-time"));
            Err(errors)
        }
    }
}

pub(crate) async fn add_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<SessionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let app = &state.app;
    let actor = &signed_in.actor;
    let activity = coordinated_activity(app, actor, &id).await?;
    let l = Layout::new(&headers, Some(&signed_in), PATH);
    let zone = organisation_zone(app, activity.organisation).await?;
    let errors = match new_session(&form, zone, &l.lang) {
        Ok(new) => match app.create_session(actor, activity.id, new).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("{PATH}/{}/edit?done=session", activity.id))
                        .into_response(),
                );
            }
            Err(AppError::Refused(r)) => {
                let field = match r.code {
                    "capacity_out_of_range" => "places",
                    "session_ends_before_it_starts" | "session_too_long" => "end",
                    _ => "date",
                };
                let mut errors = FormErrors::default();
                errors.add(field, l.lang.refusal(r.code, &r.message));
                errors
            }
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let typed = (ActivityForm::of(&activity), form);
    let page = activity_page(app, actor, l, &activity, errors, None, typed).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
