//! A member's own pages: the statement and the card.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use qrcode::QrCode;
use qrcode::render::svg;
use timecredits_app::{Actor, App, AppError, Member, OrganisationId, Statement, rules};
use timecredits_domain::spending::card_payload;
use timecredits_ledger::ProgrammeId;

use super::{Layout, SignedIn, render};
use crate::error::PageError;
use crate::i18n::Lang;
use crate::{AppState, format, member_summary};

/// One line of a statement, ready to show.
pub(crate) struct LineView {
    pub(crate) at: String,
    pub(crate) date: String,
    pub(crate) what: String,
    pub(crate) reason: String,
    pub(crate) money_in: String,
    pub(crate) money_out: String,
    pub(crate) balance: String,
}

/// The time zone of a programme, for dates people read.
pub(crate) async fn programme_zone(app: &App, programme: ProgrammeId) -> Result<Tz, AppError> {
    Ok(rules::time_zone(&app.programme(programme).await?))
}

/// The time zone of an organisation's programme.
pub(crate) async fn organisation_zone(
    app: &App,
    organisation: OrganisationId,
) -> Result<Tz, AppError> {
    let org = app
        .store()
        .organisation(organisation)
        .await?
        .ok_or(AppError::NotFound("organisation"))?;
    programme_zone(app, org.programme).await
}

/// The newest `limit` lines of a statement, newest first.
pub(crate) fn lines(lang: &Lang, zone: Tz, statement: &Statement, limit: usize) -> Vec<LineView> {
    statement
        .lines
        .iter()
        .rev()
        .take(limit)
        .map(|line| {
            let amount = lang.short(line.delta_minutes.abs());
            let (money_in, money_out) = if line.delta_minutes >= 0 {
                (amount, String::new())
            } else {
                (String::new(), amount)
            };
            LineView {
                at: format::timestamp(line.transfer.at),
                date: lang.date(line.transfer.at, zone),
                what: lang.t(format::line_label(line)),
                reason: line.transfer.reason.clone(),
                money_in,
                money_out,
                balance: lang.short(line.balance_minutes),
            }
        })
        .collect()
}

/// The signed-in member, or "not found" for staff without a member record.
pub(crate) async fn the_member(app: &App, actor: &Actor) -> Result<(Member, i64), AppError> {
    member_summary(app, actor)
        .await?
        .ok_or(AppError::NotFound("member"))
}

#[derive(Template)]
#[template(path = "statement.html")]
struct StatementPage {
    l: Layout,
    balance: String,
    lines: Vec<LineView>,
    caption: String,
}

pub(crate) async fn statement(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let (member, balance) = the_member(app, actor).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/statement");
    let statement = app.statement(actor, member.account, None, None).await?;
    let zone = programme_zone(app, member.programme).await?;
    let lines = lines(&l.lang, zone, &statement, usize::MAX);
    let balance = l.t1("home-balance", "amount", &l.lang.credits(balance));
    let caption = l.t("statement-caption-all");
    Ok(render(&StatementPage {
        l,
        balance,
        lines,
        caption,
    })?
    .into_response())
}

pub(crate) async fn statement_csv(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let actor = &signed_in.actor;
    let (member, _) = the_member(&state.app, actor).await?;
    let statement = state
        .app
        .statement(actor, member.account, None, None)
        .await?;
    Ok(crate::csv_response(&statement))
}

#[derive(Template)]
#[template(path = "card.html")]
struct CardPage {
    l: Layout,
    name: String,
    number: String,
    qr_svg: String,
}

/// The card: the number to type, and the same as a QR code to scan. The
/// code is drawn on the server as SVG, so it needs no script or network.
pub(crate) async fn card(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let (member, _) = the_member(&state.app, &signed_in.actor).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/card");
    let qr_svg = card_qr_svg(member.number.value())?;
    Ok(render(&CardPage {
        l,
        name: member.display_name,
        number: member.number.to_string(),
        qr_svg,
    })?
    .into_response())
}

/// The QR code on a member's card, as an inline SVG element: the same on
/// the member's own card and on the one staff print for them.
pub(crate) fn card_qr_svg(number: u32) -> Result<String, AppError> {
    let payload = card_payload(number);
    let qr_svg = QrCode::new(payload.as_bytes())
        .map_err(|_| AppError::NotFound("card"))?
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in the page: no XML prologue. Its accessible name is on the
    // element around it (see card.html).
    Ok(match qr_svg.find("<svg") {
        Some(start) => qr_svg[start..].to_owned(),
        None => qr_svg,
    })
}
