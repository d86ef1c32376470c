//! A staff member acting for a member who asked them to (at a desk, on the
//! phone). The choice lives in a cookie naming the member; it is only a
//! request: every request asks `App::act_for` again, so a changed cookie
//! grants nothing the staff member could not do anyway.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;
use timecredits_app::{Actor, App, AppError, MemberId};
use uuid::Uuid;

use super::{ActingFor, SignedIn, form_timed_out};
use crate::AppState;
use crate::cookies::{self, ACT_FOR, ACT_FOR_MAX_AGE};
use crate::error::PageError;

/// The actor the pages use for this request: the member (as a proxy
/// actor) when the act-for cookie names one the staff member may act for;
/// otherwise the staff member themself, as if there were no cookie.
pub(crate) async fn resolve(
    app: &App,
    headers: &HeaderMap,
    staff: Actor,
) -> Result<(Actor, Option<ActingFor>), AppError> {
    let Some(member) = cookies::get(headers, ACT_FOR)
        .and_then(|raw| Uuid::try_parse(raw).ok())
        .map(MemberId)
    else {
        return Ok((staff, None));
    };
    let proxy = match app.act_for(&staff, member).await {
        Ok(proxy) => proxy,
        Err(AppError::NotFound(_) | AppError::Forbidden | AppError::Invalid { .. }) => {
            return Ok((staff, None));
        }
        Err(other) => return Err(other),
    };
    let Some(record) = app.store().member(member).await? else {
        return Ok((staff, None));
    };
    Ok((
        proxy,
        Some(ActingFor {
            name: record.display_name,
            number: record.number.to_string(),
        }),
    ))
}

#[derive(Deserialize, Default)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// Starts acting for the member, if the staff member may.
pub(crate) async fn start(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let member = MemberId(Uuid::try_parse(&id).map_err(|_| AppError::NotFound("member"))?);
    // Refused as not found, like the API: whether the member exists is
    // not for staff who may not act for them to learn.
    state.app.act_for(&signed_in.actor, member).await?;
    let cookie = cookies::set(ACT_FOR, &member.to_string(), ACT_FOR_MAX_AGE, &state.config);
    Ok((
        AppendHeaders([(header::SET_COOKIE, cookie)]),
        Redirect::to("/home"),
    )
        .into_response())
}

/// Stops acting for anyone and returns to the organisation's members.
pub(crate) async fn stop(
    State(state): State<AppState>,
    signed_in: SignedIn,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    Ok((
        AppendHeaders([(header::SET_COOKIE, cookies::clear(ACT_FOR, &state.config))]),
        Redirect::to("/organisation/members"),
    )
        .into_response())
}
