//! Choosing a new PIN or password with a one-time reset code, and the
//! pages where staff give one (see `timecredits_app::recovery`).

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use timecredits_app::recovery::IssuedResetCode;
use timecredits_app::{AppError, LoginKind, MemberId, PIN_DIGITS};

use super::auth::{
    ClientAddress, anonymous_form_token, anonymous_token_ok, start_session, with_anonymous_token,
};
use super::forms::FormErrors;
use super::member::programme_zone;
use super::{Layout, SignedIn, form_timed_out, render, render_with};
use crate::AppState;
use crate::error::PageError;
use crate::i18n::Arg;

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    l: Layout,
    csrf: String,
    login: String,
    errors: FormErrors,
    /// Whether the server can email a code (it has SMTP).
    by_email: bool,
    /// The address typed into the email form.
    email: String,
    /// Said after the email form is sent.
    sent: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct ResetForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    again: String,
    #[serde(default)]
    csrf: String,
}

fn reset_page(
    state: &AppState,
    headers: &HeaderMap,
    login: String,
    errors: FormErrors,
) -> ResetPage {
    ResetPage {
        l: Layout::new(headers, None, "/reset"),
        csrf: anonymous_form_token(headers),
        login,
        errors,
        by_email: state.app.emails_reset_codes(),
        email: String::new(),
        sent: None,
    }
}

fn respond(state: &AppState, status: StatusCode, page: &ResetPage) -> Response {
    with_anonymous_token(state, &page.csrf, render_with(status, page))
}

fn reset_response(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    login: String,
    errors: FormErrors,
) -> Response {
    respond(state, status, &reset_page(state, headers, login, errors))
}

pub(crate) async fn reset_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    reset_response(
        &state,
        &headers,
        StatusCode::OK,
        String::new(),
        FormErrors::default(),
    )
}

pub(crate) async fn reset(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    form: Result<Form<ResetForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    let l = Layout::new(&headers, None, "/reset");
    let login = form.login.trim().to_owned();
    let mut errors = FormErrors::default();
    let refuse = |status, errors| reset_response(&state, &headers, status, login.clone(), errors);
    if !anonymous_token_ok(&headers, &form.csrf) {
        errors.add("login", l.t("sign-in-error-timed-out"));
        return Ok(refuse(StatusCode::FORBIDDEN, errors));
    }
    if login.is_empty() {
        errors.add("login", l.t("sign-in-error-login-missing"));
    }
    if form.code.trim().is_empty() {
        errors.add("code", l.t("reset-error-code-missing"));
    }
    let by_email = login.contains('@');
    if form.secret.is_empty() {
        errors.add("secret", l.t("reset-error-secret-missing"));
    } else if form.again != form.secret {
        errors.add("again", l.t("reset-error-again"));
    }
    if !errors.is_empty() {
        return Ok(refuse(StatusCode::UNPROCESSABLE_ENTITY, errors));
    }
    if let Err(minutes) = state.throttle.check(&login, address) {
        errors.add(
            "login",
            l.lang
                .ta("sign-in-error-too-many", &[("minutes", Arg::Int(minutes))]),
        );
        return Ok(refuse(StatusCode::TOO_MANY_REQUESTS, errors));
    }
    match state
        .app
        .reset_with_code(&login, &form.code, &form.secret)
        .await
    {
        Ok(user) => start_session(&state, &user).await,
        Err(AppError::Invalid { .. }) => {
            let rule = if by_email {
                l.lang.ta(
                    "reset-error-password-rule",
                    &[(
                        "chars",
                        Arg::Int(timecredits_app::PASSWORD_MIN_CHARS as i64),
                    )],
                )
            } else {
                l.lang.ta(
                    "reset-error-pin-rule",
                    &[
                        ("min", Arg::Int(*PIN_DIGITS.start() as i64)),
                        ("max", Arg::Int(*PIN_DIGITS.end() as i64)),
                    ],
                )
            };
            errors.add("secret", rule);
            Ok(refuse(StatusCode::UNPROCESSABLE_ENTITY, errors))
        }
        Err(AppError::Refused(r)) => {
            state.throttle.failed(&login, address);
            errors.add("code", l.lang.refusal(r.code, &r.message));
            Ok(refuse(StatusCode::UNPROCESSABLE_ENTITY, errors))
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Deserialize)]
pub(crate) struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf: String,
}

/// Asks for a code by email. The answer is the same whether or not an
/// account uses the address; every request counts against the throttle,
/// so the form cannot be used to flood someone's inbox.
pub(crate) async fn email_code(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    form: Result<Form<EmailForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    let mut page = reset_page(&state, &headers, String::new(), FormErrors::default());
    let email = form.email.trim().to_owned();
    page.email = email.clone();
    if !page.by_email {
        return Err(AppError::NotFound("page").into());
    }
    if !anonymous_token_ok(&headers, &form.csrf) {
        page.errors
            .add("email", page.l.t("sign-in-error-timed-out"));
        return Ok(respond(&state, StatusCode::FORBIDDEN, &page));
    }
    if !email.contains('@') {
        page.errors
            .add("email", page.l.t("reset-email-error-address"));
        return Ok(respond(&state, StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    if let Err(minutes) = state.throttle.check(&email, address) {
        let message = page
            .l
            .lang
            .ta("sign-in-error-too-many", &[("minutes", Arg::Int(minutes))]);
        page.errors.add("email", message);
        return Ok(respond(&state, StatusCode::TOO_MANY_REQUESTS, &page));
    }
    state.throttle.failed(&email, address);
    let lang = page.l.lang.clone();
    let compose = |issued: &IssuedResetCode| {
        let until = lang.date_time(issued.expires_at, chrono_tz::UTC);
        (
            lang.t("reset-email-subject"),
            lang.ta(
                "reset-email-body",
                &[
                    ("name", Arg::Text(issued.for_name.clone())),
                    ("code", Arg::Text(issued.code.clone())),
                    ("time", Arg::Text(until)),
                ],
            ),
        )
    };
    match state.app.email_reset_code(&email, compose).await {
        Ok(()) => {
            page.sent = Some(page.l.t1("reset-email-sent", "email", &email));
            Ok(respond(&state, StatusCode::OK, &page))
        }
        Err(AppError::Invalid { .. }) => {
            page.errors
                .add("email", page.l.t("reset-email-error-address"));
            Ok(respond(&state, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(AppError::Conflict(_)) => {
            page.errors
                .add("email", page.l.t("reset-email-error-not-sent"));
            Ok(respond(&state, StatusCode::SERVICE_UNAVAILABLE, &page))
        }
        Err(error) => Err(error.into()),
    }
}

// ---------------------------------------------------------------------------
// Giving a code

#[derive(Template)]
#[template(path = "reset_code.html")]
struct GiveCodePage {
    l: Layout,
    /// Where the button sends the request for a code.
    action: String,
    name: String,
    issued: Option<IssuedCodeView>,
    /// For an administrator: the staff account's email, as typed.
    email: Option<String>,
    errors: FormErrors,
}

struct IssuedCodeView {
    code: String,
    until: String,
    how: String,
}

fn issued_view(l: &Layout, issued: &IssuedResetCode, zone: chrono_tz::Tz) -> IssuedCodeView {
    IssuedCodeView {
        code: issued.code.clone(),
        until: l.lang.date_time(issued.expires_at, zone),
        how: match issued.resets {
            LoginKind::MemberNumber => l.t("reset-code-how-pin"),
            LoginKind::Email => l.t("reset-code-how-password"),
        },
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// The member, if the staff member may act for them (else not found).
async fn member_for_staff(
    state: &AppState,
    signed_in: &SignedIn,
    member: MemberId,
) -> Result<timecredits_app::Member, PageError> {
    if signed_in.actor.proxy || !state.app.may_act_for(&signed_in.actor, member).await? {
        return Err(AppError::NotFound("member").into());
    }
    let (member, _, _) = state.app.member_profile(&signed_in.actor, member).await?;
    Ok(member)
}

pub(crate) async fn member_code_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = uuid::Uuid::try_parse(&id).map_err(|_| AppError::NotFound("member"))?;
    let here = format!("/members/{id}/reset-code");
    let member = member_for_staff(&state, &signed_in, MemberId(id)).await?;
    let page = GiveCodePage {
        l: Layout::new(&headers, Some(&signed_in), &here),
        action: here,
        name: member.display_name,
        issued: None,
        email: None,
        errors: FormErrors::default(),
    };
    Ok(render(&page)?.into_response())
}

pub(crate) async fn give_member_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let id = uuid::Uuid::try_parse(&id).map_err(|_| AppError::NotFound("member"))?;
    let here = format!("/members/{id}/reset-code");
    let l = Layout::new(&headers, Some(&signed_in), &here);
    let issued = state
        .app
        .issue_member_reset_code(&signed_in.actor, MemberId(id))
        .await?;
    // The use case checked who may give the code; it names the programme.
    let zone = match issued.programme {
        Some(programme) => programme_zone(&state.app, programme).await?,
        None => chrono_tz::UTC,
    };
    let page = GiveCodePage {
        issued: Some(issued_view(&l, &issued, zone)),
        l,
        action: here,
        name: issued.for_name.clone(),
        email: None,
        errors: FormErrors::default(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub(crate) struct StaffCodeForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf: String,
}

const STAFF_CODE_PATH: &str = "/admin/reset-code";

fn staff_code_page(l: Layout, email: String, errors: FormErrors) -> GiveCodePage {
    GiveCodePage {
        l,
        action: STAFF_CODE_PATH.to_owned(),
        name: String::new(),
        issued: None,
        email: Some(email),
        errors,
    }
}

pub(crate) async fn staff_code_form(
    headers: HeaderMap,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    if !signed_in.actor.is_administrator() {
        return Err(AppError::Forbidden.into());
    }
    let l = Layout::new(&headers, Some(&signed_in), STAFF_CODE_PATH);
    Ok(render(&staff_code_page(l, String::new(), FormErrors::default()))?.into_response())
}

pub(crate) async fn give_staff_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    form: Result<Form<StaffCodeForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    if !signed_in.actor.is_administrator() {
        return Err(AppError::Forbidden.into());
    }
    let l = Layout::new(&headers, Some(&signed_in), STAFF_CODE_PATH);
    let email = form.email.trim().to_owned();
    match state
        .app
        .issue_staff_reset_code(&signed_in.actor, &email)
        .await
    {
        Ok(issued) => {
            let mut page = staff_code_page(l, email, FormErrors::default());
            page.issued = Some(issued_view(&page.l, &issued, chrono_tz::UTC));
            page.name = issued.for_name;
            Ok(render(&page)?.into_response())
        }
        Err(AppError::Invalid { .. } | AppError::NotFound(_)) => {
            let mut errors = FormErrors::default();
            errors.add("email", l.t("reset-code-error-email"));
            let page = staff_code_page(l, email, errors);
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(error) => Err(error.into()),
    }
}
