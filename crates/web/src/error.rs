//! Every failed request becomes an HTTP answer here, and only here: the
//! status for each error, the RFC 9457 problem document for the API, and
//! the error page (or the way to the sign-in page) for people.

use std::marker::PhantomData;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use timecredits_app::AppError;
use timecredits_domain::RefusalKind;
use timecredits_ledger::LedgerError;

/// What went wrong, in a form both surfaces can show: a status, a stable
/// machine-readable code and a message for a person.
#[derive(Debug)]
pub(crate) struct Problem {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) detail: String,
}

impl Problem {
    pub(crate) fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
        }
    }

    /// A failure of ours whose detail has been logged.
    pub(crate) fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; nothing was changed, please try again",
        )
    }

    pub(crate) fn title(&self) -> &'static str {
        self.status.canonical_reason().unwrap_or("Error")
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        if let AppError::Store(inner) = &error {
            // The detail is for operators; users get the generic message.
            tracing::error!(error.code = error.code(), error.detail = %inner, "storage failed");
        }
        Self {
            status: status_of(&error),
            code: error.code(),
            detail: error.to_string(),
        }
    }
}

/// The HTTP status for each application error. The matches are exhaustive
/// so that a new error has to be given a status here.
fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::Ledger(e) => ledger_status(e),
        AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Refused(r) => match r.kind {
            RefusalKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            RefusalKind::Conflict => StatusCode::CONFLICT,
        },
        AppError::Store(timecredits_app::StoreError::Unavailable(_)) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Requests the ledger cannot read are 400; requests it read but whose
/// content breaks a rule are 422; requests that clash with the ledger's
/// current state (a balance, an earlier transfer) are 409.
fn ledger_status(error: &LedgerError) -> StatusCode {
    match error {
        LedgerError::MalformedId { .. } => StatusCode::BAD_REQUEST,
        LedgerError::AmountNotPositive { .. }
        | LedgerError::AmountTooLarge { .. }
        | LedgerError::SameAccount
        | LedgerError::ProgrammeMismatch
        | LedgerError::KindNotAllowed { .. }
        | LedgerError::CannotReverseReversal(_)
        | LedgerError::ReasonTooLong { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        LedgerError::UnknownAccount(_) | LedgerError::UnknownTransfer(_) => StatusCode::NOT_FOUND,
        LedgerError::AccountClosed(_)
        | LedgerError::InsufficientCredits { .. }
        | LedgerError::AlreadyReversed { .. }
        | LedgerError::IdempotencyConflict(_) => StatusCode::CONFLICT,
    }
}

/// Where a failure is shown: the JSON API or the pages.
pub(crate) trait Surface {
    fn respond(problem: Problem) -> Response;
}

/// Failures answered as `application/problem+json`.
pub(crate) enum Api {}
/// Failures answered as an HTML page, or by sending the person to sign in.
pub(crate) enum Page {}

/// A failed request on a surface. `?` turns any [`AppError`] into one.
pub(crate) struct WebError<S> {
    problem: Problem,
    surface: PhantomData<S>,
}

pub(crate) type ApiError = WebError<Api>;
pub(crate) type PageError = WebError<Page>;

impl<S> From<Problem> for WebError<S> {
    fn from(problem: Problem) -> Self {
        Self {
            problem,
            surface: PhantomData,
        }
    }
}

impl<S> From<AppError> for WebError<S> {
    fn from(error: AppError) -> Self {
        Problem::from(error).into()
    }
}

impl<S: Surface> IntoResponse for WebError<S> {
    fn into_response(self) -> Response {
        S::respond(self.problem)
    }
}

/// RFC 9457 problem details, with our stable `code` as an extension member.
#[derive(Serialize)]
struct ProblemDocument<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: &'a str,
    code: &'static str,
}

impl Surface for Api {
    fn respond(problem: Problem) -> Response {
        let document = ProblemDocument {
            // The code names the problem; the type adds nothing beyond the status.
            kind: "about:blank",
            title: problem.title(),
            status: problem.status.as_u16(),
            detail: &problem.detail,
            code: problem.code,
        };
        let mut response = (problem.status, Json(document)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if problem.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl Surface for Page {
    fn respond(problem: Problem) -> Response {
        if problem.code == "unauthenticated" {
            return Redirect::to("/sign-in").into_response();
        }
        crate::pages::error_response(&problem)
    }
}
