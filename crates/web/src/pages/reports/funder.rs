//! The funder report: one printable page with the summary tables and
//! charts of reach, engagement and outcomes, the period, the data editions
//! and the disclosure note.

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use timecredits_app::evaluation::ReportKind;
use timecredits_app::evaluation::eval::analytics::PublishedTable;
use timecredits_app::{Actor, AppError, Programme};

use super::filter::ReadFilter;
use super::pdf::{self, FunderPdf};
use super::view::{self, ReportLink, TableView};
use super::{base, render};
use crate::AppState;
use crate::error::{PageError, Problem};
use crate::pages::Layout;

/// One section of the funder report.
pub(crate) struct Section {
    pub(crate) heading: String,
    pub(crate) tables: Vec<TableView>,
}

#[derive(Template)]
#[template(path = "reports_funder.html")]
struct FunderPage {
    l: Layout,
    programme: String,
    period: String,
    disclosure: String,
    /// When the figures were computed.
    computed: String,
    tabs: Vec<ReportLink>,
    /// The same report as a PDF, with the same filter.
    pdf: String,
    sections: Vec<Section>,
}

/// Which tables of a report the summary keeps: reach by decile and new to
/// volunteering; active members per month and credits; every outcome
/// change table (not the band movements).
fn summary(kind: ReportKind, tables: &[PublishedTable]) -> Vec<(usize, &PublishedTable)> {
    let has = |t: &PublishedTable, name: &str| t.header.iter().any(|h| h == name);
    tables
        .iter()
        .enumerate()
        .filter(|(_, t)| match kind {
            ReportKind::Reach => has(t, "decile") || has(t, "volunteering before"),
            ReportKind::Engagement => has(t, "active") || has(t, "measure"),
            ReportKind::Outcomes => has(t, "mean change"),
        })
        .collect()
}

/// A funder reads the change for all participants; the breakdowns by
/// deprivation and by hours are on the outcomes page and in its CSV.
fn overall_rows(kind: ReportKind, table: &PublishedTable) -> PublishedTable {
    let group = table.header.iter().position(|h| h == "group");
    match (kind, group) {
        (ReportKind::Outcomes, Some(g)) => PublishedTable {
            title: format!("{} (all participants)", table.title),
            header: table.header.clone(),
            rows: table
                .rows
                .iter()
                .filter(|r| r.get(g).is_some_and(|v| v == "all"))
                .cloned()
                .collect(),
        },
        _ => table.clone(),
    }
}

/// The three reports' summary sections and the programme's threshold.
async fn gather(
    state: &AppState,
    actor: &Actor,
    l: &Layout,
    programme: &Programme,
    read: &ReadFilter,
) -> Result<Gathered, PageError> {
    if let Some(first) = read.errors.0.first() {
        return Err(AppError::invalid(first.field, first.message.clone()).into());
    }
    let base = base(programme.id);
    let mut sections = Vec::new();
    let mut threshold = 0;
    // The figures are as old as the oldest of the three reports.
    let mut computed_at = state.app.now();
    for kind in ReportKind::ALL {
        let report = state
            .app
            .analytics_report(actor, programme.id, kind, &read.filter)
            .await?;
        threshold = report.threshold;
        computed_at = computed_at.min(report.computed_at);
        let csv_base = format!("{base}/{}.csv", kind.as_str());
        let tables = summary(kind, &report.tables)
            .into_iter()
            .map(|(index, table)| (index, overall_rows(kind, table)))
            .map(|(index, table)| {
                let table = &table;
                let csv = if read.query.is_empty() {
                    format!("{csv_base}?table={index}")
                } else {
                    format!("{csv_base}?table={index}&{}", read.query)
                };
                view::one(l, table, format!("funder-{}-{index}", kind.as_str()), csv)
            })
            .collect();
        sections.push(Section {
            heading: l.t(&format!("reports-{}", kind.as_str())),
            tables,
        });
    }
    Ok(Gathered {
        sections,
        threshold,
        computed: view::computed_moment(l, computed_at, programme),
    })
}

/// The funder report's sections, threshold and when its figures were
/// computed (as text).
struct Gathered {
    sections: Vec<Section>,
    threshold: u64,
    computed: String,
}

/// `/reports/{programme}/funder`: the printable page.
pub(crate) async fn page(
    state: &AppState,
    actor: &Actor,
    l: Layout,
    programme: &Programme,
    read: ReadFilter,
) -> Result<Response, PageError> {
    let Gathered {
        sections,
        threshold,
        computed,
    } = gather(state, actor, &l, programme, &read).await?;
    let base = base(programme.id);
    let pdf = if read.query.is_empty() {
        format!("{base}/funder.pdf")
    } else {
        format!("{base}/funder.pdf?{}", read.query)
    };
    let page = FunderPage {
        disclosure: view::disclosure_note(&l, threshold),
        computed,
        tabs: view::tabs(&l, &base, &read.query, "funder"),
        programme: programme.name.clone(),
        period: read.period,
        pdf,
        sections,
        l,
    };
    Ok(render(&page)?.into_response())
}

/// `/reports/{programme}/funder.pdf`: the same report as a PDF file.
pub(crate) async fn pdf(
    state: &AppState,
    actor: &Actor,
    l: Layout,
    programme: &Programme,
    read: ReadFilter,
) -> Result<Response, PageError> {
    let Gathered {
        sections,
        threshold,
        computed,
    } = gather(state, actor, &l, programme, &read).await?;
    let report = FunderPdf {
        title: l.t("reports-funder"),
        programme: programme.name.clone(),
        facts: vec![
            (l.t("reports-funder-period"), read.period.clone()),
            (l.t("reports-funder-computed"), computed),
            (
                l.t("reports-funder-editions"),
                l.t("reports-funder-editions-text"),
            ),
        ],
        disclosure: view::disclosure_note(&l, threshold),
        sections: &sections,
        no_tables: l.t("reports-no-tables"),
    };
    let bytes = pdf::write(&report).ok_or_else(|| {
        tracing::error!("the vendored PDF font could not be read");
        Problem::internal()
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"funder-report.pdf\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
