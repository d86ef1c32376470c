//! A coordinator's pages: their organisations' sessions, taking a
//! session's register, and deciding members' claims.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use serde::Deserialize;
use timecredits_app::activities::{
    ActivityId, ActivityQuery, ClaimId, RegisterEntry, Session, SessionId,
};
use timecredits_app::{Actor, App, AppError, MemberId, OrganisationId, Role, Scope};
use timecredits_ledger::TransferId;
use uuid::Uuid;

use super::forms::FormErrors;
use super::member::organisation_zone;
use super::{Layout, SignedIn, form_timed_out, render, render_with};
use crate::AppState;
use crate::error::PageError;
use crate::i18n::Arg;

/// The organisations the actor coordinates.
pub(crate) fn coordinated(actor: &Actor) -> Vec<OrganisationId> {
    actor
        .grants
        .iter()
        .filter_map(|g| match (g.role, g.scope) {
            (Role::Coordinator, Scope::Organisation(o)) => Some(o),
            _ => None,
        })
        .collect()
}

struct SessionRow {
    activity: String,
    when: String,
    places: String,
    register_href: String,
    started: bool,
    today: bool,
}

struct SessionGroup {
    id: &'static str,
    heading: String,
    rows: Vec<SessionRow>,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    l: Layout,
    groups: Vec<SessionGroup>,
}

pub(crate) async fn sessions(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let l = Layout::new(&headers, Some(&signed_in), "/sessions");
    let organisations = coordinated(actor);
    if organisations.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    let now = app.now();
    // The sessions from today on, each with its activity's title and its
    // local day; their places are then counted in one read for the lot.
    let mut listed = Vec::new();
    for organisation in organisations {
        let zone = organisation_zone(app, organisation).await?;
        let local_today = now.with_timezone(&zone).date_naive();
        let activities = app
            .list_activities(
                actor,
                ActivityQuery {
                    programme: None,
                    organisation: Some(organisation),
                    level: None,
                    mode: None,
                    place: None,
                    day: None,
                    after: None,
                    limit: Some(200),
                },
            )
            .await?;
        for activity in activities.items {
            // From a day back, so today's sessions that have begun show too.
            let from = now - Duration::days(1);
            let sessions = app
                .list_sessions(actor, activity.id, Some(from), None, Some(50))
                .await?;
            for session in sessions.items {
                let day = session.starts_at.with_timezone(&zone).date_naive();
                if day >= local_today {
                    let today = day == local_today;
                    listed.push((activity.details.title.clone(), zone, today, session));
                }
            }
        }
    }
    let sessions: Vec<Session> = listed.iter().map(|(.., s)| s.clone()).collect();
    let places = app.sessions_places(actor, &sessions).await?;
    let mut rows = Vec::with_capacity(listed.len());
    for (activity, zone, today, session) in listed {
        let places = places
            .get(&session.id)
            .copied()
            .ok_or(AppError::NotFound("session"))?;
        rows.push((
            session.starts_at,
            SessionRow {
                activity,
                when: l.lang.date_time(session.starts_at, zone),
                places: l.lang.ta(
                    "sessions-places",
                    &[
                        ("taken", Arg::Int(places.taken)),
                        ("capacity", Arg::Int(places.capacity)),
                        ("waiting", Arg::Int(places.waiting)),
                    ],
                ),
                register_href: format!("/sessions/{}/register", session.id),
                started: session.starts_at <= now,
                today,
            },
        ));
    }
    rows.sort_by_key(|(at, _)| *at);
    let (today, later): (Vec<_>, Vec<_>) = rows.into_iter().map(|(_, r)| r).partition(|r| r.today);
    let groups = vec![
        SessionGroup {
            id: "today",
            heading: l.t("sessions-today"),
            rows: today,
        },
        SessionGroup {
            id: "later",
            heading: l.t("sessions-later"),
            rows: later,
        },
    ];
    Ok(render(&SessionsPage { l, groups })?.into_response())
}

struct AttendeeRow {
    member: String,
    name: String,
    number: String,
    minutes: String,
    attended: bool,
}

struct RecordedRow {
    name: String,
    time: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    l: Layout,
    errors: FormErrors,
    title: String,
    when: String,
    key: String,
    action: String,
    default_minutes: String,
    attendees: Vec<AttendeeRow>,
    confirmed: bool,
    recorded: Vec<RecordedRow>,
    started: bool,
}

fn parse_uuid(raw: &str, what: &'static str) -> Result<Uuid, PageError> {
    Uuid::try_parse(raw).map_err(|_| AppError::NotFound(what).into())
}

async fn register_page(
    app: &App,
    actor: &Actor,
    l: Layout,
    session: SessionId,
    errors: FormErrors,
    typed: &HashMap<String, String>,
) -> Result<RegisterPage, AppError> {
    let sheet = app.register_sheet(actor, session).await?;
    let zone = sheet.zone;
    let names: HashMap<MemberId, String> = sheet
        .attendees
        .iter()
        .map(|(_, m)| (m.id, m.display_name.clone()))
        .collect();
    let attendees = sheet
        .attendees
        .iter()
        .map(|(_, m)| AttendeeRow {
            member: m.id.to_string(),
            name: m.display_name.clone(),
            number: m.number.to_string(),
            minutes: typed
                .get(&format!("minutes-{}", m.id))
                .cloned()
                .unwrap_or_else(|| sheet.default_minutes.to_string()),
            attended: typed.is_empty() || typed.contains_key(&format!("attended-{}", m.id)),
        })
        .collect();
    let recorded = sheet
        .contributions
        .iter()
        .filter(|c| c.superseded_by.is_none())
        .map(|c| RecordedRow {
            name: names.get(&c.member).cloned().unwrap_or_default(),
            time: l.lang.hours(c.minutes),
        })
        .collect();
    Ok(RegisterPage {
        title: sheet.activity.details.title.clone(),
        when: l.lang.date_time(sheet.session.starts_at, zone),
        key: typed
            .get("key")
            .cloned()
            .unwrap_or_else(|| Uuid::now_v7().to_string()),
        action: format!("/sessions/{session}/register"),
        default_minutes: l.lang.hours(sheet.default_minutes),
        attendees,
        confirmed: sheet.confirmed.is_some(),
        recorded,
        started: sheet.session.starts_at <= app.now(),
        errors,
        l,
    })
}

pub(crate) async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let session = SessionId(parse_uuid(&id, "session")?);
    let l = Layout::new(&headers, Some(&signed_in), "/sessions");
    let page = register_page(
        &state.app,
        &signed_in.actor,
        l,
        session,
        FormErrors::default(),
        &HashMap::new(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

pub(crate) async fn confirm_register(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(fields) = form.map_err(|_| form_timed_out())?;
    let typed: HashMap<String, String> = fields.into_iter().collect();
    signed_in.check_csrf(typed.get("csrf").map_or("", String::as_str))?;
    let session = SessionId(parse_uuid(&id, "session")?);
    let app = &state.app;
    let actor = &signed_in.actor;
    let l = Layout::new(&headers, Some(&signed_in), "/sessions");
    let sheet = app.register_sheet(actor, session).await?;
    let mut errors = FormErrors::default();
    let mut entries = Vec::new();
    for (_, member) in &sheet.attendees {
        let attended = typed.contains_key(&format!("attended-{}", member.id));
        let minutes = typed
            .get(&format!("minutes-{}", member.id))
            .map(|m| m.trim().parse::<i64>().ok().filter(|m| *m > 0));
        let minutes = match minutes {
            Some(None) if attended => {
                errors.add(
                    "register",
                    l.lang.ta(
                        "register-error-minutes",
                        &[("name", Arg::Text(member.display_name.clone()))],
                    ),
                );
                None
            }
            Some(m) => m,
            None => None,
        };
        entries.push(RegisterEntry {
            member: member.id,
            attended,
            minutes,
        });
    }
    let key = typed
        .get("key")
        .and_then(|k| Uuid::try_parse(k).ok())
        .unwrap_or_else(Uuid::now_v7);
    if errors.is_empty() {
        match app
            .confirm_register(actor, session, TransferId(key), entries)
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/sessions/{session}/register")).into_response());
            }
            Err(AppError::Refused(r)) => errors.add("register", l.lang.refusal(r.code, &r.message)),
            Err(other) => return Err(other.into()),
        }
    }
    let page = register_page(app, actor, l, session, errors, &typed).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

struct ClaimToDecide {
    id: String,
    member: String,
    activity: String,
    date: String,
    time: String,
    note: String,
}

#[derive(Template)]
#[template(path = "decide.html")]
struct DecidePage {
    l: Layout,
    notice: Option<String>,
    errors: FormErrors,
    claims: Vec<ClaimToDecide>,
}

#[derive(Deserialize, Default)]
pub(crate) struct Decided {
    #[serde(default)]
    done: String,
}

async fn decide_page(
    app: &App,
    actor: &Actor,
    l: Layout,
    notice: Option<String>,
    errors: FormErrors,
) -> Result<DecidePage, AppError> {
    let mut claims = Vec::new();
    // Claims to one activity come in runs: read each activity once.
    let mut titles: HashMap<ActivityId, String> = HashMap::new();
    for organisation in coordinated(actor) {
        let pending = app
            .pending_claims(actor, organisation, None, Some(200))
            .await?;
        for c in pending.items {
            let member = app
                .store()
                .member(c.member)
                .await?
                .map(|m| format!("{} ({})", m.display_name, m.number))
                .unwrap_or_default();
            let activity = match titles.get(&c.activity) {
                Some(title) => title.clone(),
                None => {
                    let title = app
                        .activity(actor, c.activity)
                        .await
                        .map(|a| a.details.title)
                        .unwrap_or_default();
                    titles.insert(c.activity, title.clone());
                    title
                }
            };
            claims.push(ClaimToDecide {
                id: c.id.to_string(),
                member,
                activity,
                date: l.lang.day(c.date),
                time: l.lang.hours(c.minutes),
                note: c.note,
            });
        }
    }
    Ok(DecidePage {
        l,
        notice,
        errors,
        claims,
    })
}

pub(crate) async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Query(done): Query<Decided>,
) -> Result<Response, PageError> {
    if coordinated(&signed_in.actor).is_empty() {
        return Err(AppError::Forbidden.into());
    }
    let l = Layout::new(&headers, Some(&signed_in), "/claims/decide");
    let notice = match done.done.as_str() {
        "confirmed" => Some(l.t("decide-confirmed")),
        "rejected" => Some(l.t("decide-rejected")),
        _ => None,
    };
    let page = decide_page(
        &state.app,
        &signed_in.actor,
        l,
        notice,
        FormErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    reason: String,
}

pub(crate) async fn confirm_claim(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let claim = ClaimId(parse_uuid(&id, "claim")?);
    let key = Uuid::try_parse(&form.key).unwrap_or_else(|_| Uuid::now_v7());
    state
        .app
        .confirm_claim(&signed_in.actor, claim, TransferId(key))
        .await?;
    Ok(Redirect::to("/claims/decide?done=confirmed").into_response())
}

pub(crate) async fn reject_claim(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let claim = ClaimId(parse_uuid(&id, "claim")?);
    match state
        .app
        .reject_claim(&signed_in.actor, claim, &form.reason)
        .await
    {
        Ok(_) => Ok(Redirect::to("/claims/decide?done=rejected").into_response()),
        Err(AppError::Refused(r)) if r.code == "reason_required" => {
            let l = Layout::new(&headers, Some(&signed_in), "/claims/decide");
            let mut errors = FormErrors::default();
            errors.add("claims", l.t("decide-error-reason"));
            let page = decide_page(&state.app, &signed_in.actor, l, None, errors).await?;
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}
