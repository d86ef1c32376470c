//! The organisation account's statement for its coordinators: the balance
//! in credits and hours, every movement, and the same as a CSV download.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::member::{LineView, lines, programme_zone};
use super::org_choice::{Chosen, choose};
use super::{Layout, SignedIn, render};
use crate::AppState;
use crate::error::PageError;
use crate::i18n::Arg;

const PATH: &str = "/organisation/statement";

#[derive(Deserialize, Default)]
pub(crate) struct StatementQuery {
    #[serde(default)]
    organisation: String,
}

#[derive(Template)]
#[template(path = "org_statement.html")]
struct OrgStatementPage {
    l: Layout,
    choice: Chosen,
    balance: String,
    lines: Vec<LineView>,
    caption: String,
    csv_href: String,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Query(query): Query<StatementQuery>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let choice = choose(app, actor, &query.organisation, PATH).await?;
    let account = choice.organisation.account;
    let l = Layout::new(&headers, Some(&signed_in), PATH);
    let balance = app.balance(actor, account, None).await?;
    let statement = app.statement(actor, account, None, None).await?;
    let zone = programme_zone(app, choice.organisation.programme).await?;
    let lines = lines(&l.lang, zone, &statement, usize::MAX);
    let balance = l.lang.ta(
        "org-statement-balance",
        &[
            ("credits", Arg::Text(l.lang.credits(balance))),
            ("hours", Arg::Text(l.lang.hours(balance))),
        ],
    );
    let caption = l.t("statement-caption-all");
    let csv_href = choice.link("/organisation/statement.csv");
    Ok(render(&OrgStatementPage {
        l,
        choice,
        balance,
        lines,
        caption,
        csv_href,
    })?
    .into_response())
}

pub(crate) async fn csv(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<StatementQuery>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let choice = choose(app, actor, &query.organisation, PATH).await?;
    let statement = app
        .statement(actor, choice.organisation.account, None, None)
        .await?;
    Ok(crate::csv_response(&statement))
}
