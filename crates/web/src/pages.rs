//! Server-rendered pages for people: the start page, signing in and out,
//! and the home page with a member's balance and statement or a manager's
//! members. Plain HTML forms; no JavaScript.

use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use timecredits_app::{Actor, App, AppError, Role, Scope, SessionRecord};

use crate::cookies::{self, SESSION, SIGN_IN_CSRF};
use crate::error::{PageError, Problem};
use crate::{AppState, format, member_summary};

/// The stylesheet's address. The version in the query lets browsers keep
/// it for a year and still fetch a new one after an upgrade.
pub(crate) const STYLESHEET: &str = concat!("/static/app.css?v=", env!("CARGO_PKG_VERSION"));
const STYLESHEET_CSS: &str = include_str!("../static/app.css");

/// How many statement lines the home page shows; the CSV has them all.
const HOME_STATEMENT_LINES: usize = 20;
/// How many members a manager's table shows.
const HOME_MEMBER_ROWS: usize = 200;
/// How long the sign-in form's token lives, in seconds.
const SIGN_IN_CSRF_MAX_AGE: i64 = 2 * 60 * 60;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(landing))
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/home", get(home))
        .route("/home/statement.csv", get(home_statement_csv))
        .route("/static/app.css", get(stylesheet))
}

// ---------------------------------------------------------------------------
// Who is signed in

/// A live browser session. Pages that need one take it as an argument;
/// without one the person is sent to the sign-in page.
pub(crate) struct SignedIn {
    actor: Actor,
    session: SessionRecord,
    secret: String,
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<SignedIn>, AppError> {
    let Some(secret) = cookies::get(headers, SESSION) else {
        return Ok(None);
    };
    match state.app.session_actor(secret).await {
        Ok((actor, session)) => Ok(Some(SignedIn {
            actor,
            session,
            secret: secret.to_owned(),
        })),
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

// ---------------------------------------------------------------------------
// Rendering

fn render(template: &impl Template) -> Result<Html<String>, PageError> {
    template.render().map(Html).map_err(|error| {
        tracing::error!(error.detail = %error, "template failed to render");
        Problem::internal().into()
    })
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    sign_out_csrf: Option<String>,
    title: &'a str,
    detail: &'a str,
}

/// The page for a failed request, with the failure's status.
pub(crate) fn error_page(problem: &Problem) -> Response {
    let page = ErrorPage {
        sign_out_csrf: None,
        title: problem.title(),
        detail: &problem.detail,
    };
    match page.render() {
        Ok(html) => (problem.status, Html(html)).into_response(),
        Err(_) => (problem.status, problem.detail.clone()).into_response(),
    }
}

/// Any address that is not a page.
pub(crate) async fn not_found() -> Response {
    error_page(&Problem::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is no page at this address. Check it, or go to the start page.",
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
    sign_out_csrf: Option<String>,
}

async fn landing(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    if signed_in(&state, &headers).await?.is_some() {
        return Ok(Redirect::to("/home").into_response());
    }
    Ok(render(&LandingPage {
        sign_out_csrf: None,
    })?
    .into_response())
}

// ---------------------------------------------------------------------------
// Signing in and out

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    sign_out_csrf: Option<String>,
    csrf: String,
    login: String,
    login_error: Option<String>,
    secret_error: Option<String>,
}

impl SignInPage {
    fn has_errors(&self) -> bool {
        self.login_error.is_some() || self.secret_error.is_some()
    }
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    csrf: String,
}

/// The sign-in form, with a double-submit token: the same random value in a
/// cookie and in a hidden field, which another site cannot read to copy.
fn sign_in_response(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    mut page: SignInPage,
) -> Response {
    let csrf = match cookies::get(headers, SIGN_IN_CSRF) {
        Some(token) if cookies::is_token(token) => token.to_owned(),
        _ => cookies::random_token(),
    };
    let cookie = cookies::set(SIGN_IN_CSRF, &csrf, SIGN_IN_CSRF_MAX_AGE, &state.config);
    page.csrf = csrf;
    match render(&page) {
        Ok(html) => (status, AppendHeaders([(header::SET_COOKIE, cookie)]), html).into_response(),
        Err(error) => error.into_response(),
    }
}

fn empty_sign_in(login: String) -> SignInPage {
    SignInPage {
        sign_out_csrf: None,
        csrf: String::new(),
        login,
        login_error: None,
        secret_error: None,
    }
}

async fn sign_in_form(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if signed_in(&state, &headers).await?.is_some() {
        return Ok(Redirect::to("/home").into_response());
    }
    Ok(sign_in_response(
        &state,
        &headers,
        StatusCode::OK,
        empty_sign_in(String::new()),
    ))
}

async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|rejection| {
        Problem::new(
            rejection.status(),
            "malformed_body",
            "The form could not be read. Go back and try again.",
        )
    })?;
    let login = form.login.trim().to_owned();
    let mut page = empty_sign_in(login.clone());

    let token_ok = cookies::get(&headers, SIGN_IN_CSRF)
        .is_some_and(|token| cookies::tokens_match(token, &form.csrf));
    if !token_ok {
        page.login_error = Some("This page timed out. Enter your details again.".into());
        return Ok(sign_in_response(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            page,
        ));
    }
    if login.is_empty() {
        page.login_error = Some("Enter your email address or member number".into());
    }
    if form.secret.is_empty() {
        page.secret_error = Some("Enter your password or PIN".into());
    }
    if page.has_errors() {
        return Ok(sign_in_response(
            &state,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            page,
        ));
    }

    let user = match state.app.authenticate(&login, &form.secret).await {
        Ok(user) => user,
        Err(AppError::BadCredentials) => {
            page.login_error = Some(
                "The email, member number, password or PIN is not right. Check them and try again."
                    .into(),
            );
            return Ok(sign_in_response(
                &state,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                page,
            ));
        }
        Err(error) => return Err(error.into()),
    };
    let session = state.app.start_session(&user).await?;
    let max_age = (session.expires_at - state.app.now()).num_seconds().max(0);
    let cookies = AppendHeaders([
        (
            header::SET_COOKIE,
            cookies::set(SESSION, &session.secret, max_age, &state.config),
        ),
        (
            header::SET_COOKIE,
            cookies::clear(SIGN_IN_CSRF, &state.config),
        ),
    ]);
    tracing::info!(user.id = %user.id, "signed in");
    Ok((cookies, Redirect::to("/home")).into_response())
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

fn form_timed_out() -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "csrf_failed",
        "This page timed out. Go back, reload the page and try again.",
    )
}

async fn sign_out(
    State(state): State<AppState>,
    signed_in: SignedIn,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    if !cookies::tokens_match(&signed_in.session.csrf_token, &form.csrf) {
        return Err(form_timed_out().into());
    }
    state.app.end_session(&signed_in.secret).await?;
    let cookies = AppendHeaders([(header::SET_COOKIE, cookies::clear(SESSION, &state.config))]);
    Ok((cookies, Redirect::to("/")).into_response())
}

// ---------------------------------------------------------------------------
// Home

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    sign_out_csrf: Option<String>,
    display_name: String,
    member: Option<MemberView>,
    roles: Vec<String>,
    programmes: Vec<ProgrammeView>,
}

struct MemberView {
    number: String,
    balance_sentence: String,
    hours_sentence: String,
    lines: Vec<LineView>,
    /// Whether there are older lines than those shown.
    more: bool,
}

struct LineView {
    at: String,
    date: String,
    what: &'static str,
    reason: String,
    money_in: String,
    money_out: String,
    balance: String,
}

struct ProgrammeView {
    name: String,
    members: Vec<MemberRow>,
    total: usize,
}

struct MemberRow {
    number: String,
    name: String,
    balance: String,
}

async fn home(State(state): State<AppState>, signed_in: SignedIn) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let user = app
        .store()
        .user(actor.user)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::Unauthenticated)?;
    let member = match member_summary(app, actor).await? {
        Some((member, balance)) => Some(member_view(app, actor, &member, balance).await?),
        None => None,
    };
    let mut roles = Vec::new();
    for grant in actor.grants.iter().filter(|g| g.role != Role::Member) {
        roles.push(describe_role(app, grant.role, grant.scope).await?);
    }
    let mut programmes = Vec::new();
    for programme in actor.managed_programmes() {
        programmes.push(programme_view(app, actor, programme).await?);
    }
    let page = HomePage {
        sign_out_csrf: Some(signed_in.session.csrf_token.clone()),
        display_name: user.display_name,
        member,
        roles,
        programmes,
    };
    Ok(render(&page)?.into_response())
}

async fn member_view(
    app: &App,
    actor: &Actor,
    member: &timecredits_app::Member,
    balance: i64,
) -> Result<MemberView, AppError> {
    let statement = app.statement(actor, member.account, None, None).await?;
    let more = statement.lines.len() > HOME_STATEMENT_LINES;
    let lines = statement
        .lines
        .iter()
        .rev()
        .take(HOME_STATEMENT_LINES)
        .map(|line| {
            let amount = format::short(line.delta_minutes.abs());
            let (money_in, money_out) = if line.delta_minutes >= 0 {
                (amount, String::new())
            } else {
                (String::new(), amount)
            };
            LineView {
                at: format::timestamp(line.transfer.at),
                date: format::date(line.transfer.at),
                what: format::line_label(line),
                reason: line.transfer.reason.clone(),
                money_in,
                money_out,
                balance: format::short(line.balance_minutes),
            }
        })
        .collect();
    let hours_sentence = if balance > 0 {
        format!("That is {} of time given.", format::hours(balance))
    } else {
        "Give an hour of your time to a local group or service to earn your first Time Credit."
            .into()
    };
    Ok(MemberView {
        number: member.number.to_string(),
        balance_sentence: format!("You have {}.", format::credits(balance)),
        hours_sentence,
        lines,
        more,
    })
}

async fn describe_role(app: &App, role: Role, scope: Scope) -> Result<String, AppError> {
    let place = match scope {
        Scope::Platform => "the platform".to_owned(),
        Scope::Programme(id) => app
            .store()
            .programme(id)
            .await?
            .map_or_else(|| id.to_string(), |p| p.name),
        Scope::Organisation(id) => app
            .store()
            .organisation(id)
            .await?
            .map_or_else(|| id.to_string(), |o| o.name),
    };
    Ok(match role {
        Role::Member => format!("Member of {place}"),
        Role::Coordinator => format!("Coordinator at {place}"),
        Role::SpendStaff => format!("Spend desk staff at {place}"),
        Role::ProgrammeManager => format!("Programme manager of {place}"),
        Role::Evaluator => format!("Evaluator of {place}"),
        Role::Administrator => format!("Administrator of {place}"),
    })
}

async fn programme_view(
    app: &App,
    actor: &Actor,
    programme: timecredits_ledger::ProgrammeId,
) -> Result<ProgrammeView, AppError> {
    let name = app.programme(programme).await?.name;
    let mut members = app.store().members(programme).await?;
    members.sort_by(|a, b| {
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
    });
    let total = members.len();
    let mut rows = Vec::with_capacity(total.min(HOME_MEMBER_ROWS));
    for member in members.into_iter().take(HOME_MEMBER_ROWS) {
        let balance = app.balance(actor, member.account, None).await?;
        rows.push(MemberRow {
            number: member.number.to_string(),
            name: member.display_name,
            balance: format::short(balance),
        });
    }
    Ok(ProgrammeView {
        name,
        members: rows,
        total,
    })
}

async fn home_statement_csv(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let actor = &signed_in.actor;
    let (member, _) = member_summary(&state.app, actor)
        .await?
        .ok_or(AppError::NotFound("statement"))?;
    let statement = state
        .app
        .statement(actor, member.account, None, None)
        .await?;
    Ok(crate::csv_response(&statement))
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
