//! Signing in and out, and choosing the language.

use std::net::{IpAddr, SocketAddr};

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;
use timecredits_app::AppError;
use timecredits_app::directory::ProfileUpdate;

use super::{Layout, SignedIn, form_timed_out, render_with, signed_in};
use crate::AppState;
use crate::cookies::{self, ACT_FOR, LANGUAGE, LANGUAGE_MAX_AGE, SESSION, SIGN_IN_CSRF};
use crate::error::{PageError, Problem};
use crate::i18n::{Arg, Lang};

/// How long the sign-in form's token lives, in seconds.
const SIGN_IN_CSRF_MAX_AGE: i64 = 2 * 60 * 60;

/// The address a request came from, when the server knows it.
pub(crate) struct ClientAddress(pub(crate) Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip()),
        ))
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    l: Layout,
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
pub(crate) struct SignInForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    csrf: String,
}

/// The token for a form sent before signing in (signing in, resetting a
/// PIN): a double-submit token, the same random value in a cookie and in a
/// hidden field, which another site cannot read to copy.
pub(super) fn anonymous_form_token(headers: &HeaderMap) -> String {
    match cookies::get(headers, SIGN_IN_CSRF) {
        Some(token) if cookies::is_token(token) => token.to_owned(),
        _ => cookies::random_token(),
    }
}

/// A page carrying an anonymous form, with the token's cookie set.
pub(super) fn with_anonymous_token(
    state: &AppState,
    token: &str,
    mut response: Response,
) -> Response {
    let cookie = cookies::set(SIGN_IN_CSRF, token, SIGN_IN_CSRF_MAX_AGE, &state.config);
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// Whether an anonymous form came back with its cookie's token.
pub(super) fn anonymous_token_ok(headers: &HeaderMap, sent: &str) -> bool {
    cookies::get(headers, SIGN_IN_CSRF).is_some_and(|token| cookies::tokens_match(token, sent))
}

fn sign_in_response(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    mut page: SignInPage,
) -> Response {
    let csrf = anonymous_form_token(headers);
    page.csrf = csrf.clone();
    with_anonymous_token(state, &csrf, render_with(status, &page))
}

fn empty_sign_in(headers: &HeaderMap, login: String) -> SignInPage {
    SignInPage {
        l: Layout::new(headers, None, "/sign-in"),
        csrf: String::new(),
        login,
        login_error: None,
        secret_error: None,
    }
}

pub(crate) async fn sign_in_form(
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
        empty_sign_in(&headers, String::new()),
    ))
}

pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    let login = form.login.trim().to_owned();
    let mut page = empty_sign_in(&headers, login.clone());

    if !anonymous_token_ok(&headers, &form.csrf) {
        page.login_error = Some(page.l.t("sign-in-error-timed-out"));
        return Ok(sign_in_response(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            page,
        ));
    }
    if login.is_empty() {
        page.login_error = Some(page.l.t("sign-in-error-login-missing"));
    }
    if form.secret.is_empty() {
        page.secret_error = Some(page.l.t("sign-in-error-secret-missing"));
    }
    if page.has_errors() {
        return Ok(sign_in_response(
            &state,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            page,
        ));
    }
    if let Err(minutes) = state.throttle.check(&login, address) {
        page.login_error = Some(
            page.l
                .lang
                .ta("sign-in-error-too-many", &[("minutes", Arg::Int(minutes))]),
        );
        return Ok(sign_in_response(
            &state,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            page,
        ));
    }

    let user = match state.app.authenticate(&login, &form.secret).await {
        Ok(user) => user,
        Err(AppError::BadCredentials) => {
            state.throttle.failed(&login, address);
            page.login_error = Some(page.l.t("sign-in-error-wrong"));
            return Ok(sign_in_response(
                &state,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                page,
            ));
        }
        Err(error) => return Err(error.into()),
    };
    start_session(&state, &user).await
}

/// Signs `user` in: a new session, its cookie, their saved language, and
/// on to their home page.
pub(super) async fn start_session(
    state: &AppState,
    user: &timecredits_app::User,
) -> Result<Response, PageError> {
    let session = state.app.start_session(user).await?;
    let max_age = (session.expires_at - state.app.now()).num_seconds().max(0);
    let mut response = Redirect::to("/home").into_response();
    let set = response.headers_mut();
    set.append(
        header::SET_COOKIE,
        cookies::set(SESSION, &session.secret, max_age, &state.config),
    );
    set.append(
        header::SET_COOKIE,
        cookies::clear(SIGN_IN_CSRF, &state.config),
    );
    // A member's saved language follows them to every device they sign in on.
    if let Some(tag) = saved_language(state, user.id).await? {
        set.append(
            header::SET_COOKIE,
            cookies::set(LANGUAGE, &tag, LANGUAGE_MAX_AGE, &state.config),
        );
    }
    tracing::info!(user.id = %user.id, "signed in");
    Ok(response)
}

async fn saved_language(
    state: &AppState,
    user: timecredits_app::UserId,
) -> Result<Option<String>, AppError> {
    let actor = state.app.actor(user).await?;
    let Some(member) = actor.member else {
        return Ok(None);
    };
    let (_, _, profile) = state.app.member_profile(&actor, member).await?;
    Ok(Lang::supported(profile.language.as_str()).map(|l| l.tag()))
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(crate) async fn sign_out(
    State(state): State<AppState>,
    signed_in: SignedIn,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    state.app.end_session(&signed_in.secret).await?;
    // Signing out also ends acting for anyone.
    let cookies = AppendHeaders([
        (header::SET_COOKIE, cookies::clear(SESSION, &state.config)),
        (header::SET_COOKIE, cookies::clear(ACT_FOR, &state.config)),
    ]);
    Ok((cookies, Redirect::to("/")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct LanguageForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    back: String,
    #[serde(default)]
    csrf: String,
}

/// The switch on every page: remembers the choice in a cookie, and for a
/// signed-in member saves it as their language too.
pub(crate) async fn change_language(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<LanguageForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    let lang = Lang::supported(&form.lang).ok_or_else(|| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "language_unsupported",
            "That language is not offered. Choose one of the languages at the top of the page.",
        )
    })?;
    if let Some(session) = signed_in(&state, &headers).await? {
        session.check_csrf(&form.csrf)?;
        if let Some(member) = session.actor.member {
            let update = ProfileUpdate {
                language: Some(lang.tag()),
                ..ProfileUpdate::default()
            };
            state
                .app
                .update_member_profile(&session.actor, member, update)
                .await?;
        }
    }
    let mut response = Redirect::to(safe_back(&form.back)).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(LANGUAGE, &lang.tag(), LANGUAGE_MAX_AGE, &state.config),
    );
    Ok(response)
}

/// Only a path on this site: never another site's address.
fn safe_back(back: &str) -> &str {
    let local = back.starts_with('/') && !back.starts_with("//") && !back.contains('\\');
    if local { back } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::safe_back;

    #[test]
    fn the_switch_returns_only_within_the_site() {
        assert_eq!(safe_back("/home"), "/home");
        assert_eq!(safe_back("//evil.example/x"), "/");
        assert_eq!(safe_back("https://evil.example/"), "/");
        assert_eq!(safe_back("/\\evil.example"), "/");
        assert_eq!(safe_back(""), "/");
    }
}
