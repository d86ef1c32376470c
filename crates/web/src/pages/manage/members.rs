//! The programme's members: search by number or name, and the
//! registrations waiting for a decision.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use timecredits_app::bulk::ExportKind;
use timecredits_app::directory::PageRequest;
use timecredits_app::{AppError, MemberId, Programme};
use uuid::Uuid;

use super::super::forms::FormErrors;
use super::{Field, FieldKind, base, managed_programme};
use crate::AppState;
use crate::error::PageError;
use crate::pages::{Layout, SignedIn, form_timed_out, render, render_with};

/// The most members one search shows.
const SHOWN: usize = 100;
/// Members read per page of the export: small, so that a list without a
/// search stops soon after the first page.
const EXPORT_PAGE: u32 = 250;
/// The most pending registrations the page lists at once.
const PENDING_LIMIT: u32 = 200;

#[derive(Deserialize, Default)]
pub(crate) struct Search {
    #[serde(default)]
    q: String,
    #[serde(default)]
    done: String,
}

struct MemberRow {
    number: String,
    name: String,
    status: String,
}

struct PendingRow {
    id: String,
    name: String,
    number: String,
    registered: String,
    approve: String,
    decline: String,
}

#[derive(Template)]
#[template(path = "manage_members.html")]
struct MembersPage {
    l: Layout,
    notice: Option<String>,
    errors: FormErrors,
    programme: String,
    action: String,
    search: Vec<Field>,
    searched: bool,
    members: Vec<MemberRow>,
    more: bool,
    pending: Vec<PendingRow>,
}

/// Whether a member matches what was typed: part of the name (any case),
/// or the start of the number (typed with or without the card's spaces).
fn matches(query: &str, number: &str, name: &str) -> bool {
    let query = query.trim().to_lowercase();
    let digits: String = query.chars().filter(|c| !c.is_whitespace()).collect();
    query.is_empty()
        || (!digits.is_empty() && number.starts_with(&digits))
        || name.to_lowercase().contains(&query)
}

async fn members_page(
    state: &AppState,
    signed_in: &SignedIn,
    l: Layout,
    programme: &Programme,
    query: &str,
    notice: Option<String>,
    errors: FormErrors,
) -> Result<MembersPage, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    // The members are read through the export's pages, the one use case
    // that lists a whole programme's members for its managers.
    let columns = ExportKind::Members.columns();
    let column = |name: &str| columns.iter().position(|c| *c == name).unwrap_or(0);
    let (number_at, name_at, status_at) = (
        column("member_number"),
        column("display_name"),
        column("status"),
    );
    let mut members = Vec::new();
    let mut more = false;
    let mut after: Option<String> = None;
    'pages: loop {
        let page = app
            .export_page(
                actor,
                programme.id,
                ExportKind::Members,
                after.as_deref(),
                Some(EXPORT_PAGE),
            )
            .await?;
        for row in &page.rows {
            let cell = |at: usize| row.get(at).cloned().unwrap_or_default();
            if matches(query, &cell(number_at), &cell(name_at)) {
                if members.len() == SHOWN {
                    more = true;
                    break 'pages;
                }
                members.push(MemberRow {
                    number: cell(number_at),
                    name: cell(name_at),
                    status: l.t(&format!("manage-member-status-{}", cell(status_at))),
                });
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let zone = timecredits_app::rules::time_zone(programme);
    let base = base(programme);
    let pending = app
        .pending_registrations(
            actor,
            programme.id,
            None,
            PageRequest {
                after: None,
                limit: PENDING_LIMIT,
            },
        )
        .await?
        .items
        .into_iter()
        .map(|(member, registration)| PendingRow {
            id: member.id.to_string(),
            name: member.display_name,
            number: member.number.to_string(),
            registered: l.lang.date(registration.registered_at, zone),
            approve: format!("{base}/members/{}/approve", member.id),
            decline: format!("{base}/members/{}/decline", member.id),
        })
        .collect();
    let search = vec![
        Field::new("q", l.t("manage-members-search"), FieldKind::Text)
            .hint(l.t("manage-members-search-hint"))
            .value(query),
    ];
    Ok(MembersPage {
        notice,
        errors,
        programme: programme.name.clone(),
        action: format!("{base}/members"),
        search,
        searched: !query.trim().is_empty(),
        members,
        more,
        pending,
        l,
    })
}

pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(programme): Path<String>,
    Query(search): Query<Search>,
) -> Result<Response, PageError> {
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let notice = match search.done.as_str() {
        "approved" => Some(l.t("manage-members-approved")),
        "declined" => Some(l.t("manage-members-declined")),
        _ => None,
    };
    let page = members_page(
        &state,
        &signed_in,
        l,
        &programme,
        &search.q,
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
    reason: String,
}

pub(crate) async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path((programme, member, decision)): Path<(String, String, String)>,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let member = MemberId(Uuid::try_parse(&member).map_err(|_| AppError::NotFound("member"))?);
    let app = &state.app;
    let actor = &signed_in.actor;
    let result = match decision.as_str() {
        "approve" => app.approve_registration(actor, member).await,
        "decline" => app.decline_registration(actor, member, &form.reason).await,
        _ => return Err(AppError::NotFound("decision").into()),
    };
    let refusal = match result {
        Ok(_) => {
            let done = if decision == "approve" {
                "approved"
            } else {
                "declined"
            };
            return Ok(
                Redirect::to(&format!("{}/members?done={done}", base(&programme))).into_response(),
            );
        }
        Err(AppError::Refused(r)) => Some((r.code, r.message)),
        Err(AppError::Invalid { .. }) => None,
        Err(other) => return Err(other.into()),
    };
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let mut errors = FormErrors::default();
    let message = match refusal {
        Some((code, message)) if !code.contains("reason") => l.lang.refusal(code, &message),
        _ => l.t("manage-members-error-reason"),
    };
    errors.add("pending", message);
    let page = members_page(&state, &signed_in, l, &programme, "", None, errors).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
