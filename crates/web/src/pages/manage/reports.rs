//! The programme's reports: the entry page, and the circulation summary
//! for a period, every figure in credits and in hours.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use timecredits_app::AppError;

use super::super::forms::FormErrors;
use super::{Field, FieldKind, Link, base, managed_programme};
use crate::AppState;
use crate::error::PageError;
use crate::pages::{Layout, SignedIn, render, render_with};

#[derive(Template)]
#[template(path = "manage_reports.html")]
struct ReportsPage {
    l: Layout,
    programme: String,
    links: Vec<Link>,
    /// The evaluation dashboards under `/reports/{programme}`.
    evaluation: Vec<Link>,
}

pub(crate) async fn reports(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(programme): Path<String>,
) -> Result<Response, PageError> {
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let base = base(&programme);
    let links = [
        ("circulation", "manage-circulation"),
        ("export", "manage-export"),
    ]
    .into_iter()
    .map(|(path, key)| Link {
        href: format!("{base}/{path}"),
        label: l.t(key),
    })
    .collect();
    let evaluation = ["reach", "engagement", "outcomes", "funder"]
        .into_iter()
        .map(|path| Link {
            href: format!("/reports/{}/{path}", programme.id),
            label: l.t(&format!("reports-{path}")),
        })
        .collect();
    Ok(render(&ReportsPage {
        l,
        programme: programme.name,
        links,
        evaluation,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct Period {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

struct FigureRow {
    id: &'static str,
    label: String,
    credits: String,
    hours: String,
}

#[derive(Template)]
#[template(path = "manage_circulation.html")]
struct CirculationPage {
    l: Layout,
    errors: FormErrors,
    programme: String,
    action: String,
    period: String,
    /// When the figures were computed (a summary may be kept a while).
    computed: String,
    fields: Vec<Field>,
    figures: Vec<FigureRow>,
}

/// The start of `day` in the programme's zone.
fn start_of(day: NaiveDate, zone: Tz) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn read_day(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

pub(crate) async fn circulation(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(programme): Path<String>,
    Query(period): Query<Period>,
) -> Result<Response, PageError> {
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let app = &state.app;
    let zone = timecredits_app::rules::time_zone(&programme);
    let today = app.programme_today(&programme);
    let mut errors = FormErrors::default();
    // By default, this month so far.
    let from = if period.from.trim().is_empty() {
        today.with_day(1)
    } else {
        read_day(&period.from)
    };
    let to = if period.to.trim().is_empty() {
        Some(today)
    } else {
        read_day(&period.to)
    };
    if from.is_none() {
        errors.add("from", l.t("manage-circulation-error-date"));
    }
    if to.is_none() {
        errors.add("to", l.t("manage-circulation-error-date"));
    }
    let mut figures = Vec::new();
    let mut period_text = String::new();
    let mut computed = String::new();
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            errors.add("from", l.t("manage-circulation-error-order"));
        } else {
            let start = start_of(from, zone);
            // The end of the last day, or now if that is still to come.
            let end = to
                .succ_opt()
                .and_then(|d| start_of(d, zone))
                .filter(|end| *end < app.now());
            match app
                .circulation(&signed_in.actor, programme.id, start, end)
                .await
            {
                Ok(report) => {
                    computed = crate::pages::reports::view::computed_note(
                        &l,
                        report.computed_at,
                        &programme,
                    );
                    let c = report.summary;
                    period_text = l.lang.ta(
                        "manage-circulation-period",
                        &[
                            ("from", crate::i18n::Arg::Text(l.lang.day(from))),
                            ("to", crate::i18n::Arg::Text(l.lang.day(to))),
                        ],
                    );
                    figures = [
                        ("opening", c.opening_outstanding),
                        ("issued", c.issued),
                        ("reissued", c.reissued),
                        ("redeemed", c.redeemed),
                        ("gifted", c.gifted),
                        ("exchanged", c.exchanged),
                        ("retired", c.retired),
                        ("expired", c.expired),
                        ("closing", c.closing_outstanding),
                    ]
                    .into_iter()
                    .map(|(id, minutes)| FigureRow {
                        id,
                        label: l.t(&format!("manage-circulation-{id}")),
                        credits: l.lang.credits(minutes),
                        hours: l.lang.hours(minutes),
                    })
                    .collect();
                }
                Err(AppError::Invalid { .. }) => {
                    errors.add("from", l.t("manage-circulation-error-order"));
                }
                Err(other) => return Err(other.into()),
            }
        }
    }
    let fields = vec![
        Field::new("from", l.t("manage-circulation-from"), FieldKind::Date)
            .value(from.map_or_else(|| period.from.clone(), |d| d.to_string())),
        Field::new("to", l.t("manage-circulation-to"), FieldKind::Date)
            .value(to.map_or_else(|| period.to.clone(), |d| d.to_string())),
    ]
    .into_iter()
    .map(|f| f.errors(&errors))
    .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CirculationPage {
        errors,
        programme: programme.name.clone(),
        action: format!("{}/circulation", base(&programme)),
        period: period_text,
        computed,
        fields,
        figures,
        l,
    };
    Ok(render_with(status, &page))
}
