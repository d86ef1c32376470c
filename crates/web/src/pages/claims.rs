//! Claiming hours: the form, and the member's claims with their status
//! and any reason a coordinator gave.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use timecredits_app::activities::{ActivityId, ActivityQuery, NewClaim};
use timecredits_app::{Actor, App, AppError};
use timecredits_domain::contribution::ClaimStatus;
use uuid::Uuid;

use super::forms::{FormErrors, minutes_from};
use super::{Layout, SignedIn, form_timed_out, render, render_with};
use crate::AppState;
use crate::error::PageError;
use crate::i18n::Lang;

struct SelectOption {
    value: String,
    label: String,
    selected: bool,
}

struct ClaimRow {
    activity: String,
    date: String,
    time: String,
    status: String,
    status_class: &'static str,
    reason: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct ClaimForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    activity: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "claims.html")]
struct ClaimsPage {
    l: Layout,
    errors: FormErrors,
    sent: bool,
    form: ClaimForm,
    activities: Vec<SelectOption>,
    claims: Vec<ClaimRow>,
}

#[derive(Deserialize, Default)]
pub(crate) struct Sent {
    #[serde(default)]
    sent: String,
}

async fn page_for(
    app: &App,
    actor: &Actor,
    l: Layout,
    form: ClaimForm,
    errors: FormErrors,
    sent: bool,
) -> Result<ClaimsPage, AppError> {
    let found = app
        .list_activities(
            actor,
            ActivityQuery {
                programme: None,
                organisation: None,
                level: None,
                mode: None,
                place: None,
                day: None,
                after: None,
                limit: Some(200),
            },
        )
        .await?;
    let mut titles = std::collections::HashMap::new();
    let mut activities = vec![SelectOption {
        value: String::new(),
        label: l.t("claims-activity-choose"),
        selected: form.activity.is_empty(),
    }];
    for a in found.items {
        titles.insert(a.id, a.details.title.clone());
        if a.details.earns_credits {
            activities.push(SelectOption {
                selected: form.activity == a.id.to_string(),
                value: a.id.to_string(),
                label: a.details.title,
            });
        }
    }
    let claims = app
        .my_claims(actor, None, Some(50))
        .await?
        .items
        .into_iter()
        .map(|c| claim_row(&l.lang, &titles, c))
        .collect();
    Ok(ClaimsPage {
        l,
        errors,
        sent,
        form,
        activities,
        claims,
    })
}

fn claim_row(
    lang: &Lang,
    titles: &std::collections::HashMap<ActivityId, String>,
    c: timecredits_app::activities::Claim,
) -> ClaimRow {
    let (status, status_class) = match c.status {
        ClaimStatus::Pending => ("claims-status-pending", "status-pending"),
        ClaimStatus::Confirmed => ("claims-status-confirmed", "status-confirmed"),
        ClaimStatus::Rejected => ("claims-status-rejected", "status-rejected"),
    };
    let date = lang.day(c.date);
    ClaimRow {
        activity: titles.get(&c.activity).cloned().unwrap_or_default(),
        date,
        time: lang.hours(c.minutes),
        status: lang.t(status),
        status_class,
        reason: c.rejection_reason.unwrap_or_default(),
    }
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Query(sent): Query<Sent>,
) -> Result<Response, PageError> {
    let l = Layout::new(&headers, Some(&signed_in), "/claims");
    let page = page_for(
        &state.app,
        &signed_in.actor,
        l,
        ClaimForm::default(),
        FormErrors::default(),
        sent.sent == "1",
    )
    .await?;
    Ok(render(&page)?.into_response())
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    form: Result<Form<ClaimForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let l = Layout::new(&headers, Some(&signed_in), "/claims");
    let mut errors = FormErrors::default();
    let activity = Uuid::try_parse(form.activity.trim()).ok().map(ActivityId);
    if activity.is_none() {
        errors.add("activity", l.t("claims-error-activity"));
    }
    let date = (|| {
        let day = form.day.trim().parse().ok()?;
        let month = form.month.trim().parse().ok()?;
        let year = form.year.trim().parse().ok()?;
        NaiveDate::from_ymd_opt(year, month, day)
    })();
    if date.is_none() {
        errors.add("day", l.t("claims-error-date"));
    }
    let minutes = minutes_from(&form.hours, &form.minutes);
    if minutes.is_none() {
        errors.add("hours", l.t("claims-error-time"));
    }
    if let (Some(activity), Some(date), Some(minutes)) = (activity, date, minutes) {
        let claim = NewClaim {
            activity,
            date,
            minutes,
            note: form.note.clone(),
        };
        match state.app.create_claim(&signed_in.actor, claim).await {
            Ok(_) => return Ok(Redirect::to("/claims?sent=1").into_response()),
            Err(AppError::Refused(r)) => {
                let field = match r.code {
                    "future_date" => "day",
                    "not_a_whole_number_of_steps" | "daily_cap_exceeded" => "hours",
                    _ => "activity",
                };
                errors.add(field, l.lang.refusal(r.code, &r.message));
            }
            Err(AppError::NotFound(_)) => errors.add("activity", l.t("claims-error-activity")),
            Err(AppError::Invalid {
                field: "note",
                message,
            }) => errors.add("note", message),
            Err(other) => return Err(other.into()),
        }
    }
    let page = page_for(&state.app, &signed_in.actor, l, form, errors, false).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
