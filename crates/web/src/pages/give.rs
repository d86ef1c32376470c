//! Giving credits to another member.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use timecredits_app::{AppError, GiftRequest, MemberNumber};
use timecredits_ledger::{LedgerError, TransferId};
use uuid::Uuid;

use super::forms::{FormErrors, minutes_from};
use super::member::the_member;
use super::{Layout, SignedIn, form_timed_out, render, render_with};
use crate::AppState;
use crate::error::PageError;
use crate::i18n::Arg;

#[derive(Deserialize, Default)]
pub(crate) struct GiveForm {
    #[serde(default)]
    csrf: String,
    /// A new UUID on each fresh form: sending the same form twice (a double
    /// click, a retry on a poor connection) gives once.
    #[serde(default)]
    key: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "give.html")]
struct GivePage {
    l: Layout,
    errors: FormErrors,
    done: Option<String>,
    balance: String,
    form: GiveForm,
}

#[derive(Deserialize, Default)]
pub(crate) struct Done {
    #[serde(default)]
    gave: Option<i64>,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let (_, balance) = the_member(&state.app, &signed_in.actor).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/give");
    let done = done.gave.filter(|m| *m > 0).map(|m| {
        l.lang
            .ta("give-done", &[("amount", Arg::Text(l.lang.credits(m)))])
    });
    let balance = l.t1("home-balance", "amount", &l.lang.credits(balance));
    let form = GiveForm {
        key: Uuid::now_v7().to_string(),
        ..GiveForm::default()
    };
    Ok(render(&GivePage {
        l,
        errors: FormErrors::default(),
        done,
        balance,
        form,
    })?
    .into_response())
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    form: Result<Form<GiveForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(mut form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let app = &state.app;
    let l = Layout::new(&headers, Some(&signed_in), "/give");
    let mut errors = FormErrors::default();
    let to = match form.to.parse::<MemberNumber>() {
        Ok(number) => app
            .store()
            .member_by_number(number)
            .await
            .map_err(AppError::from)?,
        Err(_) => None,
    };
    if to.is_none() {
        errors.add("to", l.t("give-error-to"));
    }
    let minutes = minutes_from(&form.hours, &form.minutes);
    if minutes.is_none() {
        errors.add("hours", l.t("give-error-amount"));
    }
    let key = Uuid::try_parse(&form.key).unwrap_or_else(|_| Uuid::now_v7());
    if let (Some(to), Some(minutes)) = (to, minutes) {
        let gift = GiftRequest {
            id: TransferId(key),
            to: to.id,
            minutes,
            reason: form.reason.trim().to_owned(),
        };
        match app.give_gift(&signed_in.actor, gift).await {
            Ok(_) => return Ok(Redirect::to(&format!("/give?gave={minutes}")).into_response()),
            Err(AppError::Ledger(LedgerError::InsufficientCredits { .. })) => {
                errors.add("hours", l.lang.refusal("insufficient_credits", ""));
            }
            Err(AppError::NotFound(_)) => errors.add("to", l.t("give-error-to")),
            Err(AppError::Ledger(e)) => errors.add("hours", e.to_string()),
            Err(other) => return Err(other.into()),
        }
    }
    let (_, balance) = the_member(app, &signed_in.actor).await?;
    let balance = l.t1("home-balance", "amount", &l.lang.credits(balance));
    form.key = key.to_string();
    let page = GivePage {
        l,
        errors,
        done: None,
        balance,
        form,
    };
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
