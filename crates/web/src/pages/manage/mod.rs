//! A programme manager's pages, under `/manage/{programme}/…`: the
//! programme's organisations and their staff, members and registrations,
//! rules, the circulation report, and CSV import and export.
//!
//! Every handler first finds the programme in the path and checks the
//! person manages it ([`managed_programme`]); the use cases it then calls
//! check again, so a page can never do more than the API would.

mod bulk;
mod fields;
mod members;
mod organisation;
mod organisations;
mod reports;
mod rules;
mod staff;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use timecredits_app::{Actor, AppError, Programme, Role, Scope};
use timecredits_ledger::ProgrammeId;
use uuid::Uuid;

pub(crate) use fields::{Choice, Field, FieldKind};

use super::{Layout, SignedIn, render};
use crate::AppState;
use crate::error::PageError;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/manage", get(overview))
        .route("/manage/{programme}", get(programme_home))
        .route(
            "/manage/{programme}/organisations",
            get(organisations::list).post(organisations::create),
        )
        .route(
            "/manage/{programme}/organisations/{organisation}",
            get(organisation::show).post(organisation::update),
        )
        .route(
            "/manage/{programme}/organisations/{organisation}/status",
            post(staff::change_status),
        )
        .route(
            "/manage/{programme}/organisations/{organisation}/staff",
            post(staff::add_staff),
        )
        .route(
            "/manage/{programme}/organisations/{organisation}/staff/remove",
            post(staff::remove_staff),
        )
        .route("/manage/{programme}/members", get(members::list))
        .route(
            "/manage/{programme}/members/{member}/{decision}",
            post(members::decide),
        )
        .route(
            "/manage/{programme}/rules",
            get(rules::page).post(rules::change),
        )
        .route("/manage/{programme}/reports", get(reports::reports))
        .route("/manage/{programme}/circulation", get(reports::circulation))
        .route(
            "/manage/{programme}/import",
            get(bulk::import_form)
                .post(bulk::import)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::MAX_IMPORT_BYTES * 2,
                )),
        )
        .route("/manage/{programme}/export", get(bulk::export_form))
        .route("/manage/{programme}/export.csv", get(bulk::export_csv))
}

/// The programmes the actor manages, by id.
pub(crate) fn managed(actor: &Actor) -> Vec<ProgrammeId> {
    actor
        .grants
        .iter()
        .filter_map(|g| match (g.role, g.scope) {
            (Role::ProgrammeManager, Scope::Programme(p)) => Some(p),
            _ => None,
        })
        .collect()
}

/// The programme named in the path, if the actor manages it. Someone who
/// manages no programme is refused (403); a manager asking for a programme
/// that is not theirs is told there is none (404), as the API does.
pub(crate) async fn managed_programme(
    state: &AppState,
    actor: &Actor,
    raw: &str,
) -> Result<Programme, PageError> {
    if managed(actor).is_empty() {
        return Err(AppError::Forbidden.into());
    }
    let id = Uuid::try_parse(raw).map_err(|_| AppError::NotFound("programme"))?;
    let id = ProgrammeId(id);
    if !actor.manages(id) {
        return Err(AppError::NotFound("programme").into());
    }
    Ok(state.app.programme(id).await?)
}

/// A link from a programme's pages.
pub(crate) struct Link {
    pub(crate) href: String,
    pub(crate) label: String,
}

pub(crate) fn base(programme: &Programme) -> String {
    format!("/manage/{}", programme.id)
}

#[derive(Template)]
#[template(path = "manage_overview.html")]
struct OverviewPage {
    l: Layout,
    programmes: Vec<Link>,
}

/// `/manage`: the programmes the person manages. With one, its page
/// follows straight on; with several, they choose.
pub(crate) async fn overview(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let ids = managed(&signed_in.actor);
    if ids.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let programmes = state
        .app
        .visible_programmes(&signed_in.actor)
        .await?
        .into_iter()
        .filter(|p| ids.contains(&p.id))
        .map(|p| Link {
            href: base(&p),
            label: p.name,
        })
        .collect();
    Ok(render(&OverviewPage { l, programmes })?.into_response())
}

#[derive(Template)]
#[template(path = "manage_programme.html")]
struct ProgrammePage {
    l: Layout,
    name: String,
    links: Vec<Link>,
}

/// The links to everything a manager does for one programme.
pub(crate) fn programme_links(l: &Layout, programme: &Programme) -> Vec<Link> {
    let base = base(programme);
    [
        ("organisations", "manage-organisations"),
        ("members", "manage-members"),
        ("rules", "manage-rules"),
        ("circulation", "manage-circulation"),
        ("import", "manage-import"),
        ("export", "manage-export"),
        ("reports", "manage-reports"),
    ]
    .into_iter()
    .map(|(path, key)| Link {
        href: format!("{base}/{path}"),
        label: l.t(key),
    })
    .collect()
}

async fn programme_home(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(programme): Path<String>,
) -> Result<Response, PageError> {
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let links = programme_links(&l, &programme);
    Ok(render(&ProgrammePage {
        l,
        name: programme.name,
        links,
    })?
    .into_response())
}
