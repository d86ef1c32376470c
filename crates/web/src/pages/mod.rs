//! Server-rendered pages for people, in their language. Plain HTML forms
//! that work without JavaScript; every form carries a CSRF token.
//!
//! Each page builds a [`Layout`] (language, menu, switch) and its own view,
//! then renders an askama template from `templates/`. A failure renders
//! the error page in the request's language (see [`localise_errors`]).

mod act_for;
mod activities;
mod admin;
mod admin_staff;
mod auth;
mod claims;
mod coordinator;
mod desk;
mod desk_offers;
mod details;
mod forms;
mod give;
mod home;
mod layout;
mod manage;
mod member;
mod off_peak;
mod org_activities;
mod org_activity_form;
mod org_choice;
mod org_members;
mod org_statement;
mod recovery;
mod reports;
mod spend;
mod timebank;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use timecredits_app::{Actor, AppError, SessionRecord};

use crate::AppState;
use crate::cookies::{self, SESSION};
use crate::error::{PageError, Problem};

pub(crate) use auth::ClientAddress;
pub(crate) use layout::Layout;

/// The stylesheet's address. The version in the query lets browsers keep
/// it for a year and still fetch a new one after an upgrade.
pub(crate) const STYLESHEET: &str = concat!("/static/app.css?v=", env!("CARGO_PKG_VERSION"));
const STYLESHEET_CSS: &str = include_str!("../../static/app.css");

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(landing))
        .route("/sign-in", get(auth::sign_in_form).post(auth::sign_in))
        .route("/sign-out", post(auth::sign_out))
        .route("/reset", get(recovery::reset_form).post(recovery::reset))
        .route("/reset/email", post(recovery::email_code))
        .route(
            "/members/{id}/reset-code",
            get(recovery::member_code_form).post(recovery::give_member_code),
        )
        .route(
            "/admin/reset-code",
            get(recovery::staff_code_form).post(recovery::give_staff_code),
        )
        .route("/language", post(auth::change_language))
        .route("/home", get(home::home))
        .route("/home/statement.csv", get(member::statement_csv))
        .route("/statement", get(member::statement))
        .route("/card", get(member::card))
        .route("/activities", get(activities::list))
        .route("/activities/{id}", get(activities::show))
        .route("/sessions/{id}/sign-up", post(activities::sign_up))
        .route("/sessions/{id}/cancel", post(activities::cancel))
        .route("/claims", get(claims::page).post(claims::submit))
        .route("/claims/decide", get(coordinator::decide))
        .route("/claims/{id}/confirm", post(coordinator::confirm_claim))
        .route("/claims/{id}/reject", post(coordinator::reject_claim))
        .route("/sessions", get(coordinator::sessions))
        .route(
            "/sessions/{id}/register",
            get(coordinator::register).post(coordinator::confirm_register),
        )
        .route("/give", get(give::page).post(give::submit))
        .route("/spend", get(spend::page))
        .route("/details", get(details::page).post(details::save))
        .route("/timebank", get(timebank::page))
        .route("/timebank/listings", post(timebank::post_listing))
        .route(
            "/timebank/propose",
            get(timebank::propose_form).post(timebank::propose),
        )
        .route("/timebank/proposals/{id}/{answer}", post(timebank::answer))
        .route("/desk", get(desk::desk))
        .route("/desk/redemptions", post(desk::redeem))
        .route("/desk/receipts/{id}", get(desk::receipt))
        .route(
            "/desk/offers",
            get(desk_offers::list).post(desk_offers::publish),
        )
        .route(
            "/desk/offers/{id}/edit",
            get(desk_offers::edit_form).post(desk_offers::update),
        )
        .route("/desk/offers/{id}/withdraw", post(desk_offers::withdraw))
        .route("/organisation/members", get(org_members::page))
        .route(
            "/organisation/members/register",
            post(org_members::register),
        )
        .route(
            "/organisation/registrations/{id}/approve",
            post(org_members::approve),
        )
        .route(
            "/organisation/registrations/{id}/decline",
            post(org_members::decline),
        )
        .route("/members/{id}/card", get(org_members::card))
        .route("/members/{id}/act-for", post(act_for::start))
        .route("/act-for/stop", post(act_for::stop))
        .route(
            "/organisation/activities",
            get(org_activities::list).post(org_activities::create),
        )
        .route(
            "/organisation/activities/{id}/edit",
            get(org_activities::edit_form).post(org_activities::update),
        )
        .route(
            "/organisation/activities/{id}/sessions",
            post(org_activities::add_session),
        )
        .route("/organisation/statement", get(org_statement::page))
        .route("/organisation/statement.csv", get(org_statement::csv))
        .route("/static/app.css", get(stylesheet))
        .merge(manage::routes())
        .merge(reports::routes())
        .merge(admin::routes())
        .merge(admin_staff::routes())
}

// ---------------------------------------------------------------------------
// Who is signed in

/// A live browser session. Pages that need one take it as an argument;
/// without one the person is sent to the sign-in page.
pub(crate) struct SignedIn {
    /// Who the pages act as: the member while a staff member acts for
    /// them (a proxy actor), else the person signed in.
    pub(crate) actor: Actor,
    pub(crate) session: SessionRecord,
    pub(crate) secret: String,
    /// Set while a staff member acts for a member, for the banner.
    pub(crate) acting_for: Option<ActingFor>,
}

/// The member a staff member is acting for, as the banner names them.
pub(crate) struct ActingFor {
    pub(crate) name: String,
    pub(crate) number: String,
}

impl SignedIn {
    /// Whether a submitted form's token is this session's.
    pub(crate) fn check_csrf(&self, token: &str) -> Result<(), PageError> {
        if cookies::tokens_match(&self.session.csrf_token, token) {
            Ok(())
        } else {
            Err(form_timed_out().into())
        }
    }
}

pub(crate) async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<SignedIn>, AppError> {
    let Some(secret) = cookies::get(headers, SESSION) else {
        return Ok(None);
    };
    match state.app.session_actor(secret).await {
        Ok((actor, session)) => {
            let (actor, acting_for) = act_for::resolve(&state.app, headers, actor).await?;
            Ok(Some(SignedIn {
                actor,
                session,
                secret: secret.to_owned(),
                acting_for,
            }))
        }
        Err(AppError::Unauthenticated) => Ok(None),
        Err(error) => Err(error),
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        signed_in(state, &parts.headers)
            .await?
            .ok_or_else(|| AppError::Unauthenticated.into())
    }
}

pub(crate) fn form_timed_out() -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "csrf_failed",
        "This page timed out. Go back, reload the page and try again.",
    )
}

// ---------------------------------------------------------------------------
// Rendering

pub(crate) fn render(template: &impl Template) -> Result<Html<String>, PageError> {
    template.render().map(Html).map_err(|error| {
        tracing::error!(error.detail = %error, "template failed to render");
        Problem::internal().into()
    })
}

/// A page with a status other than 200 (a form with errors).
pub(crate) fn render_with(status: StatusCode, template: &impl Template) -> Response {
    match render(template) {
        Ok(html) => (status, html).into_response(),
        Err(error) => error.into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    title: String,
    detail: String,
}

/// The marker a failed page response carries until [`localise_errors`]
/// renders it in the request's language.
#[derive(Clone)]
pub(crate) struct PageProblem {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) detail: String,
}

/// A failed page's response: its status and the problem, to be rendered
/// by [`localise_errors`], which knows the request.
pub(crate) fn error_response(problem: &Problem) -> Response {
    let mut response = (problem.status, problem.detail.clone()).into_response();
    response.extensions_mut().insert(PageProblem {
        status: problem.status,
        code: problem.code,
        detail: problem.detail.clone(),
    });
    response
}

/// Renders failed pages in the language of the request that failed.
pub(crate) async fn localise_errors(request: Request, next: Next) -> Response {
    let headers = request.headers().clone();
    let here = request.uri().path().to_owned();
    let response = next.run(request).await;
    let Some(problem) = response.extensions().get::<PageProblem>().cloned() else {
        return response;
    };
    // Menus need the session; an error page is plainer, with the switch only.
    let l = Layout::new(&headers, None, &here);
    let (title, detail) = explain(&l, &problem);
    let page = ErrorPage { l, title, detail };
    match page.render() {
        Ok(html) => (problem.status, Html(html)).into_response(),
        Err(_) => (problem.status, problem.detail).into_response(),
    }
}

/// The heading and sentence for a problem, in the page's language. Domain
/// refusals that have a translation use it; others keep their own words
/// (which say what to do) under a translated heading.
fn explain(l: &Layout, problem: &PageProblem) -> (String, String) {
    let title = match problem.status {
        StatusCode::NOT_FOUND => l.t("problem-title-not-found"),
        StatusCode::FORBIDDEN => l.t("problem-title-forbidden"),
        s if s.is_server_error() => l.t("problem-title-server"),
        _ => l.t("there-is-a-problem"),
    };
    let detail = match problem.code {
        "not_found" => l.t("problem-not-found"),
        "forbidden" => l.t("problem-forbidden"),
        "csrf_failed" => l.t("problem-timed-out"),
        _ if problem.status.is_server_error() => l.t("problem-generic"),
        _ => problem.detail.clone(),
    };
    (title, detail)
}

/// Any address that is not a page.
pub(crate) async fn not_found() -> Response {
    error_response(&Problem::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is no page at this address.",
    ))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        STYLESHEET_CSS,
    )
}

// ---------------------------------------------------------------------------
// Start page

#[derive(Template)]
#[template(path = "landing.html")]
struct LandingPage {
    l: Layout,
}

async fn landing(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    if signed_in(&state, &headers).await?.is_some() {
        return Ok(Redirect::to("/home").into_response());
    }
    Ok(render(&LandingPage {
        l: Layout::new(&headers, None, "/"),
    })?
    .into_response())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn stylesheet_address_is_versioned() {
        assert!(STYLESHEET.starts_with("/static/app.css?v="));
        assert!(!STYLESHEET_CSS.is_empty());
        assert!(HeaderValue::from_str(STYLESHEET).is_ok());
    }
}
