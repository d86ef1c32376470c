//! The JSON API of each area of the product, one module each. Every module
//! offers `routes()`: an `OpenApiRouter` whose handlers carry
//! `#[utoipa::path]` annotations, so the OpenAPI document is built from the
//! same code that serves the requests.

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

mod activities;
mod bulk;
mod directory;
mod evaluation;
mod rules;
mod spending;
mod timebank;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(rules::routes())
        .merge(directory::routes())
        .merge(activities::routes())
        .merge(spending::routes())
        .merge(timebank::routes())
        .merge(bulk::routes())
        .merge(evaluation::routes())
}
