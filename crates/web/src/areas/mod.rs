//! The JSON API of each area of the product, one module each. Every module
//! offers `routes()`, merged under `/api/v1` by `api::routes`.

use axum::Router;

use crate::AppState;

mod activities;
mod directory;
mod rules;
mod spending;
mod timebank;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(rules::routes())
        .merge(directory::routes())
        .merge(activities::routes())
        .merge(spending::routes())
        .merge(timebank::routes())
}
