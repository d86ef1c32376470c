//! Finding activities, an activity's page, and signing up to its sessions.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use timecredits_app::activities::{ActivityId, ActivityQuery, SessionId};
use timecredits_app::directory::{PageRequest, PartnerFilter};
use timecredits_app::{Actor, App, AppError};
use timecredits_domain::activity::{CoProductionLevel, CoProductionMode, SignUpStatus};
use uuid::Uuid;

use super::{Layout, SignedIn, form_timed_out, render};
use crate::AppState;
use crate::error::{PageError, Problem};
use crate::i18n::{Arg, Lang};

/// A choice in a filter's list.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Deserialize, Default)]
pub(crate) struct Filters {
    #[serde(default)]
    place: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    mode: String,
}

struct ActivityCard {
    href: String,
    title: String,
    organisation: String,
    place: String,
    kind: String,
}

#[derive(Template)]
#[template(path = "activities.html")]
struct ListPage {
    l: Layout,
    place: String,
    day: String,
    organisations: Vec<Choice>,
    levels: Vec<Choice>,
    modes: Vec<Choice>,
    count: String,
    activities: Vec<ActivityCard>,
}

fn choices(l: &Lang, selected: &str, all: impl Iterator<Item = (String, String)>) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: l.t("activities-any"),
        selected: selected.is_empty(),
    }];
    out.extend(all.map(|(value, label)| Choice {
        selected: value == selected,
        value,
        label,
    }));
    out
}

async fn organisation_names(
    app: &App,
    actor: &Actor,
    programme: timecredits_ledger::ProgrammeId,
) -> Result<Vec<(String, String)>, AppError> {
    let partners = app
        .partners(
            actor,
            programme,
            PartnerFilter {
                earn: true,
                ..PartnerFilter::default()
            },
            PageRequest {
                after: None,
                limit: 200,
            },
        )
        .await?;
    let mut names: Vec<(String, String)> = partners
        .items
        .into_iter()
        .map(|p| (p.organisation.id.to_string(), p.organisation.name))
        .collect();
    names.sort_by_key(|(_, name)| name.to_lowercase());
    Ok(names)
}

/// The programme the person belongs to (members belong to one).
async fn programme_of(
    app: &App,
    actor: &Actor,
) -> Result<timecredits_ledger::ProgrammeId, AppError> {
    if let Some(member) = actor.member {
        let member = app
            .store()
            .member(member)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        return Ok(member.programme);
    }
    app.visible_programmes(actor)
        .await?
        .into_iter()
        .next()
        .map(|p| p.id)
        .ok_or(AppError::NotFound("programme"))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Query(filters): Query<Filters>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let l = Layout::new(&headers, Some(&signed_in), "/activities");
    let programme = programme_of(app, actor).await?;
    let orgs = organisation_names(app, actor, programme).await?;
    let names: std::collections::HashMap<String, String> = orgs.iter().cloned().collect();
    // A filter that does not parse is ignored rather than refused: these
    // come from our own form, so only a hand-edited address gets here.
    let query = ActivityQuery {
        programme: Some(programme),
        organisation: Uuid::try_parse(&filters.organisation)
            .ok()
            .map(timecredits_app::OrganisationId),
        level: CoProductionLevel::parse(&filters.level),
        mode: CoProductionMode::parse(&filters.mode),
        place: Some(filters.place.clone()),
        day: NaiveDate::parse_from_str(filters.day.trim(), "%Y-%m-%d").ok(),
        after: None,
        limit: Some(100),
    };
    let found = app.list_activities(actor, query).await?;
    let activities: Vec<ActivityCard> = found
        .items
        .into_iter()
        .map(|a| ActivityCard {
            href: format!("/activities/{}", a.id),
            organisation: names
                .get(&a.organisation.to_string())
                .cloned()
                .unwrap_or_default(),
            kind: format!(
                "{} · {}",
                l.t(&format!("level-{}", a.details.level.as_str())),
                l.t(&format!("mode-{}", a.details.mode.as_str()))
            ),
            title: a.details.title,
            place: a.details.place,
        })
        .collect();
    let count = l.tn(
        "activities-count",
        "n",
        &i64::try_from(activities.len()).unwrap_or(i64::MAX),
    );
    let levels = choices(
        &l.lang,
        &filters.level,
        CoProductionLevel::ALL
            .iter()
            .map(|v| (v.as_str().to_owned(), l.t(&format!("level-{}", v.as_str())))),
    );
    let modes = choices(
        &l.lang,
        &filters.mode,
        CoProductionMode::ALL
            .iter()
            .map(|v| (v.as_str().to_owned(), l.t(&format!("mode-{}", v.as_str())))),
    );
    let organisations = choices(&l.lang, &filters.organisation, orgs.into_iter());
    Ok(render(&ListPage {
        l,
        place: filters.place,
        day: filters.day,
        organisations,
        levels,
        modes,
        count,
        activities,
    })?
    .into_response())
}

struct SessionRow {
    id: String,
    when: String,
    places: String,
    /// The member's own sign-up: none, or whether they are waiting.
    mine: Option<bool>,
    full: bool,
    can_sign_up: bool,
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ShowPage {
    l: Layout,
    title: String,
    by: String,
    description: String,
    place: String,
    postcode: Option<String>,
    accessibility: String,
    usual: String,
    earns: bool,
    notice: Option<String>,
    sessions: Vec<SessionRow>,
}

#[derive(Deserialize, Default)]
pub(crate) struct Notice {
    #[serde(default)]
    done: String,
}

fn parse_id(raw: &str) -> Result<Uuid, PageError> {
    Uuid::try_parse(raw).map_err(|_| AppError::NotFound("activity").into())
}

pub(crate) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(notice): Query<Notice>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let id = ActivityId(parse_id(&id)?);
    let here = format!("/activities/{id}");
    let l = Layout::new(&headers, Some(&signed_in), &here);
    let activity = app.activity(actor, id).await?;
    let zone = super::member::programme_zone(app, activity.programme).await?;
    let organisation = app
        .store()
        .organisation(activity.organisation)
        .await
        .map_err(AppError::from)?
        .map(|o| o.name)
        .unwrap_or_default();
    let mine: Vec<(SessionId, SignUpStatus)> = if actor.member.is_some() {
        app.my_sign_ups(actor, 200)
            .await?
            .into_iter()
            .map(|(s, _, _)| (s.session, s.status))
            .collect()
    } else {
        Vec::new()
    };
    let sessions = app.list_sessions(actor, id, None, None, Some(50)).await?;
    let places = app.sessions_places(actor, &sessions.items).await?;
    let mut rows = Vec::new();
    for session in sessions.items {
        let places = places
            .get(&session.id)
            .copied()
            .ok_or(AppError::NotFound("session"))?;
        let end_zone = session.ends_at.with_timezone(&zone);
        rows.push(SessionRow {
            id: session.id.to_string(),
            when: l.lang.ta(
                "session-when",
                &[
                    (
                        "start",
                        Arg::Text(l.lang.date_time(session.starts_at, zone)),
                    ),
                    ("end", Arg::Text(end_zone.format("%H:%M").to_string())),
                ],
            ),
            places: l.tn("session-places", "free", &places.free()),
            mine: mine
                .iter()
                .find(|(s, _)| *s == session.id)
                .map(|(_, st)| *st == SignUpStatus::Waiting),
            full: places.free() == 0,
            can_sign_up: actor.member.is_some(),
        });
    }
    let notice = match notice.done.as_str() {
        "signed-up" => Some(l.t("session-signed-up")),
        "waiting" => Some(l.t("session-waiting-joined")),
        "cancelled" => Some(l.t("session-cancelled")),
        _ => None,
    };
    let d = activity.details;
    Ok(render(&ShowPage {
        by: l.t1("activity-by", "organisation", &organisation),
        usual: l.lang.ta(
            "activity-usual",
            &[("hours", Arg::Text(l.lang.hours(d.usual_duration_minutes)))],
        ),
        l,
        title: d.title,
        description: d.description,
        place: d.place,
        postcode: d.postcode.map(|p| p.as_str().to_owned()),
        accessibility: d.accessibility,
        earns: d.earns_credits,
        notice,
        sessions: rows,
    })?
    .into_response())
}

#[derive(Deserialize)]
pub(crate) struct SessionForm {
    #[serde(default)]
    csrf: String,
}

/// Where a sign-up form sends the person back to.
async fn activity_page(app: &App, actor: &Actor, session: SessionId) -> Result<String, AppError> {
    let (_, activity) = app.activity_session(actor, session).await?;
    Ok(format!("/activities/{}", activity.id))
}

pub(crate) async fn sign_up(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<SessionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let session = SessionId(parse_id(&id)?);
    let actor = &signed_in.actor;
    let made = state.app.sign_up(actor, session, None).await?;
    let done = if made.status == SignUpStatus::Waiting {
        "waiting"
    } else {
        "signed-up"
    };
    let back = activity_page(&state.app, actor, session).await?;
    Ok(Redirect::to(&format!("{back}?done={done}")).into_response())
}

pub(crate) async fn cancel(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<SessionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let session = SessionId(parse_id(&id)?);
    let actor = &signed_in.actor;
    let member = actor
        .member
        .ok_or_else(|| Problem::from(AppError::Forbidden))?;
    state.app.cancel_sign_up(actor, session, member).await?;
    let back = activity_page(&state.app, actor, session).await?;
    Ok(Redirect::to(&format!("{back}?done=cancelled")).into_response())
}
