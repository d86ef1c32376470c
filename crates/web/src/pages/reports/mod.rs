//! The evaluation dashboards, under `/reports/{programme}/…`: reach,
//! engagement and outcomes as accessible tables with SVG charts beside
//! them, each table downloadable as CSV, and the printable funder report.
//!
//! **Who may see them:** the programme's managers and evaluators
//! ([`report_programme`]); the use cases check again. Every figure comes
//! from a `PublishedTable`, already through disclosure control: the pages
//! only lay the cells out, and never reach behind them.

mod charts;
mod filter;
mod funder;
mod pdf;
pub(crate) mod view;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use timecredits_app::directory::{PageRequest, PartnerFilter};
use timecredits_app::evaluation::ReportKind;
use timecredits_app::{Actor, AppError, Programme, Role, Scope};
use timecredits_ledger::ProgrammeId;
use uuid::Uuid;

use self::filter::{FilterQuery, ReadFilter};
use self::view::{ReportLink, TableView};
use super::{Layout, SignedIn, render, render_with};
use crate::AppState;
use crate::error::PageError;
use crate::pages::manage::{Field, Link};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(overview))
        .route("/reports/{programme}", get(programme_home))
        .route("/reports/{programme}/{page}", get(page))
}

/// The programmes whose reports the actor may see: those they manage or
/// evaluate.
pub(crate) fn reporting(actor: &Actor) -> Vec<ProgrammeId> {
    actor
        .grants
        .iter()
        .filter_map(|g| match (g.role, g.scope) {
            (Role::ProgrammeManager | Role::Evaluator, Scope::Programme(p)) => Some(p),
            _ => None,
        })
        .collect()
}

/// The programme in the path, if the actor manages or evaluates it.
/// Someone with neither role anywhere is refused (403); anyone else is
/// told an unknown or foreign programme does not exist (404).
async fn report_programme(
    state: &AppState,
    actor: &Actor,
    raw: &str,
) -> Result<Programme, PageError> {
    if reporting(actor).is_empty() {
        return Err(AppError::Forbidden.into());
    }
    let id = Uuid::try_parse(raw).map_err(|_| AppError::NotFound("programme"))?;
    let id = ProgrammeId(id);
    if !(actor.manages(id) || actor.evaluates(id)) {
        return Err(AppError::NotFound("programme").into());
    }
    Ok(state.app.programme(id).await?)
}

fn base(programme: ProgrammeId) -> String {
    format!("/reports/{programme}")
}

#[derive(Template)]
#[template(path = "reports_overview.html")]
struct OverviewPage {
    l: Layout,
    title: String,
    lead: String,
    links: Vec<Link>,
}

/// `/reports`: the programmes whose reports the person may see; with one,
/// its reports follow straight on.
async fn overview(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let ids = reporting(&signed_in.actor);
    if ids.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    if let [only] = ids.as_slice() {
        return Ok(Redirect::to(&base(*only)).into_response());
    }
    let l = Layout::new(&headers, Some(&signed_in), "/reports");
    let mut links = Vec::new();
    for id in ids {
        let programme = state.app.programme(id).await?;
        links.push(Link {
            href: base(id),
            label: programme.name,
        });
    }
    Ok(render(&OverviewPage {
        title: l.t("reports-title"),
        lead: l.t("reports-choose-programme"),
        l,
        links,
    })?
    .into_response())
}

/// `/reports/{programme}`: the reports of one programme.
async fn programme_home(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(programme): Path<String>,
) -> Result<Response, PageError> {
    let programme = report_programme(&state, &signed_in.actor, &programme).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/reports");
    let base = base(programme.id);
    let links = ["reach", "engagement", "outcomes", "funder"]
        .into_iter()
        .map(|path| Link {
            href: format!("{base}/{path}"),
            label: l.t(&format!("reports-{path}")),
        })
        .collect();
    Ok(render(&OverviewPage {
        title: l.t("reports-title"),
        lead: programme.name,
        l,
        links,
    })?
    .into_response())
}

/// The programme's organisations as (id, name), for the filter.
async fn organisations(
    state: &AppState,
    actor: &Actor,
    programme: ProgrammeId,
) -> Result<Vec<(String, String)>, AppError> {
    let partners = state
        .app
        .partners(
            actor,
            programme,
            PartnerFilter::default(),
            PageRequest {
                after: None,
                limit: 500,
            },
        )
        .await?;
    let mut names: Vec<(String, String)> = partners
        .items
        .into_iter()
        .map(|p| (p.organisation.id.to_string(), p.organisation.name))
        .collect();
    names.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(names)
}

#[derive(Template)]
#[template(path = "reports_page.html")]
struct ReportPage {
    l: Layout,
    errors: crate::pages::forms::FormErrors,
    programme: String,
    heading: String,
    action: String,
    fields: Vec<Field>,
    tabs: Vec<ReportLink>,
    period: String,
    disclosure: String,
    computed: String,
    tables: Vec<TableView>,
    /// Links to the outcomes of the other follow-up waves.
    waves: Vec<Link>,
}

/// `/reports/{programme}/{page}`: a report (`reach`, `engagement`,
/// `outcomes`), one of its tables as CSV (`reach.csv?table=0`), or the
/// funder report (`funder`, `funder.pdf`).
async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path((programme, page)): Path<(String, String)>,
    Query(query): Query<FilterQuery>,
) -> Result<Response, PageError> {
    let programme = report_programme(&state, &signed_in.actor, &programme).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/reports");
    let organisations = organisations(&state, &signed_in.actor, programme.id).await?;
    let read = filter::read(&l, &query, &organisations);
    match page.as_str() {
        "funder" => return funder::page(&state, &signed_in.actor, l, &programme, read).await,
        "funder.pdf" => return funder::pdf(&state, &signed_in.actor, l, &programme, read).await,
        _ => {}
    }
    let (name, csv) = match page.strip_suffix(".csv") {
        Some(name) => (name, true),
        None => (page.as_str(), false),
    };
    let kind = ReportKind::parse(name).ok_or(AppError::NotFound("report"))?;
    if csv {
        return csv_download(&state, &signed_in.actor, &programme, kind, &read, &query).await;
    }
    let mut tables = Vec::new();
    let mut waves = Vec::new();
    let mut disclosure = String::new();
    let mut computed = String::new();
    if read.errors.is_empty() {
        let report = state
            .app
            .analytics_report(&signed_in.actor, programme.id, kind, &read.filter)
            .await?;
        disclosure = view::disclosure_note(&l, report.threshold);
        computed = view::computed_note(&l, report.computed_at, &programme);
        let csv_base = format!("{}/{}.csv", base(programme.id), kind.as_str());
        tables = view::tables(&l, &report.tables, &csv_base, &read.query, kind.as_str());
        if kind == ReportKind::Outcomes {
            (tables, waves) = one_wave(&l, &report.wave_months, tables, &query.wave, &read.query);
        }
    }
    let status = if read.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let ReadFilter {
        errors,
        query,
        fields,
        period,
        ..
    } = read;
    let page = ReportPage {
        heading: l.t(&format!("reports-{}", kind.as_str())),
        tabs: view::tabs(&l, &base(programme.id), &query, kind.as_str()),
        action: format!("{}/{}", base(programme.id), kind.as_str()),
        programme: programme.name,
        errors,
        fields,
        period,
        disclosure,
        computed,
        tables,
        waves,
        l,
    };
    Ok(render_with(status, &page))
}

/// The outcomes page shows the tables of one follow-up wave (the first,
/// unless `wanted` names another), so that the page stays light; the
/// links to the other waves keep the filter. Table ids and CSV links keep
/// their place in the whole report.
fn one_wave(
    l: &Layout,
    wave_months: &[Option<u32>],
    views: Vec<view::TableView>,
    wanted: &str,
    query: &str,
) -> (Vec<view::TableView>, Vec<Link>) {
    let mut waves: Vec<u32> = wave_months.iter().flatten().copied().collect();
    waves.sort_unstable();
    waves.dedup();
    let chosen = wanted
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|w| waves.contains(w))
        .or_else(|| waves.first().copied());
    let kept = views
        .into_iter()
        .zip(wave_months)
        .filter(|(_, wave)| wave.is_none() || **wave == chosen)
        .map(|(v, _)| v)
        .collect();
    let links = waves
        .iter()
        .filter(|w| Some(**w) != chosen)
        .map(|w| Link {
            href: if query.is_empty() {
                format!("?wave={w}")
            } else {
                format!("?{query}&wave={w}")
            },
            label: l.lang.ta(
                "reports-wave-link",
                &[("months", crate::i18n::Arg::Int(i64::from(*w)))],
            ),
        })
        .collect();
    (kept, links)
}

/// One table of a report as a CSV file, written by the table itself.
async fn csv_download(
    state: &AppState,
    actor: &Actor,
    programme: &Programme,
    kind: ReportKind,
    read: &ReadFilter,
    query: &FilterQuery,
) -> Result<Response, PageError> {
    if let Some(first) = read.errors.0.first() {
        return Err(AppError::invalid(first.field, first.message.clone()).into());
    }
    let index: usize = if query.table.trim().is_empty() {
        0
    } else {
        query
            .table
            .trim()
            .parse()
            .map_err(|_| AppError::NotFound("table"))?
    };
    let report = state
        .app
        .analytics_report(actor, programme.id, kind, &read.filter)
        .await?;
    let table = report
        .tables
        .get(index)
        .ok_or(AppError::NotFound("table"))?;
    let mut bytes = Vec::new();
    table.write_csv(&mut bytes).map_err(|e| {
        tracing::error!(error.detail = %e, "report CSV failed to write");
        crate::error::Problem::internal()
    })?;
    let file = format!("{}-{}.csv", kind.as_str(), index + 1);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
