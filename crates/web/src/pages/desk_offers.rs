//! Spend-partner staff manage their offers: the list, publishing a new
//! one, editing one and withdrawing one.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use timecredits_app::spending::{NewOffer, Offer, OfferId, OfferQuery, StatusFilter};
use timecredits_app::{Actor, App, AppError, OrganisationId};
use timecredits_domain::spending::{
    Audience, Capacity, CapacityPeriod, OfferStatus, OfferTerms, decode_windows, encode_windows,
};
use uuid::Uuid;

use super::desk::desk_of;
use super::forms::{FormErrors, SelectOption, minutes_from};
use super::off_peak::describe;
use super::{Layout, SignedIn, form_timed_out, render, render_with};
use crate::AppState;
use crate::error::PageError;
use crate::i18n::Lang;

const PATH: &str = "/desk/offers";

/// What was typed into the offer form (or the offer as it is).
#[derive(Deserialize, Default, Clone)]
pub(crate) struct OfferForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    period: String,
    /// Off-peak hours as `mon,tue 09:00-12:00; sat 10:00-11:00`.
    #[serde(default)]
    hours_open: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
}

impl OfferForm {
    fn blank(today: NaiveDate) -> Self {
        Self {
            hours: "1".into(),
            audience: Audience::Adult.as_str().into(),
            period: CapacityPeriod::Day.as_str().into(),
            valid_from: today.to_string(),
            ..Self::default()
        }
    }

    fn of(offer: &Offer) -> Self {
        let t = &offer.terms;
        Self {
            title: t.title.clone(),
            hours: (t.price_minutes / 60).to_string(),
            minutes: (t.price_minutes % 60).to_string(),
            audience: t.audience.as_str().into(),
            capacity: t.capacity.map(|c| c.limit.to_string()).unwrap_or_default(),
            period: t
                .capacity
                .map_or(CapacityPeriod::Day, |c| c.period)
                .as_str()
                .into(),
            hours_open: encode_windows(&t.off_peak).replace(';', "; "),
            valid_from: t.valid_from.to_string(),
            valid_to: t.valid_to.map(|d| d.to_string()).unwrap_or_default(),
            ..Self::default()
        }
    }

    /// The terms to send, or the problems to show beside the fields.
    fn terms(&self, lang: &Lang) -> Result<OfferTerms, FormErrors> {
        let mut errors = FormErrors::default();
        if self.title.trim().is_empty() {
            errors.add("title", lang.t("desk-offers-error-title"));
        }
        let price = minutes_from(&self.hours, &self.minutes);
        if price.is_none() {
            errors.add("hours", lang.t("desk-offers-error-price"));
        }
        let audience = Audience::parse(&self.audience);
        if audience.is_none() {
            errors.add("audience", lang.t("desk-offers-error-audience"));
        }
        let capacity = match self.capacity.trim() {
            "" => Some(None),
            typed => match (
                typed.parse::<u32>().ok().filter(|n| *n > 0),
                CapacityPeriod::parse(&self.period),
            ) {
                (Some(limit), Some(period)) => Some(Some(Capacity { limit, period })),
                _ => None,
            },
        };
        if capacity.is_none() {
            errors.add("capacity", lang.t("desk-offers-error-capacity"));
        }
        let off_peak = decode_windows(&self.hours_open.replace(['\r', '\n'], ";")).ok();
        if off_peak.is_none() {
            errors.add("hours_open", lang.t("desk-offers-error-hours-open"));
        }
        let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let valid_from = date(&self.valid_from);
        if valid_from.is_none() {
            errors.add("valid_from", lang.t("desk-offers-error-date"));
        }
        let valid_to = match self.valid_to.trim() {
            "" => Some(None),
            typed => date(typed).map(Some),
        };
        if valid_to.is_none() {
            errors.add("valid_to", lang.t("desk-offers-error-date"));
        }
        match (price, audience, capacity, off_peak, valid_from, valid_to) {
            (
                Some(price_minutes),
                Some(audience),
                Some(capacity),
                Some(off_peak),
                Some(valid_from),
                Some(valid_to),
            ) if errors.is_empty() => Ok(OfferTerms {
                title: self.title.clone(),
                price_minutes,
                audience,
                capacity,
                off_peak,
                valid_from,
                valid_to,
            }),
            _ => Err(errors),
        }
    }

    fn audiences(&self, lang: &Lang) -> Vec<SelectOption> {
        Audience::ALL
            .iter()
            .map(|a| SelectOption {
                value: a.as_str(),
                label: lang.t(&format!("audience-{}", a.as_str())),
                selected: self.audience == a.as_str(),
            })
            .collect()
    }

    fn periods(&self, lang: &Lang) -> Vec<SelectOption> {
        [CapacityPeriod::Day, CapacityPeriod::Week]
            .iter()
            .map(|p| SelectOption {
                value: p.as_str(),
                label: lang.t(&format!("desk-offers-per-{}", p.as_str())),
                selected: self.period == p.as_str(),
            })
            .collect()
    }
}

/// Which field a refusal of the terms is about.
fn terms_field(code: &str) -> &'static str {
    match code {
        "offer_price_invalid" => "hours",
        "offer_capacity_invalid" => "capacity",
        "off_peak_window_invalid" => "hours_open",
        "offer_dates_reversed" => "valid_to",
        _ => "title",
    }
}

struct OfferRow {
    id: String,
    title: String,
    price: String,
    when: String,
    withdrawn: bool,
}

#[derive(Template)]
#[template(path = "desk_offers.html")]
struct OffersPage {
    l: Layout,
    errors: FormErrors,
    notice: Option<String>,
    offers: Vec<OfferRow>,
    form: OfferForm,
    audiences: Vec<SelectOption>,
    periods: Vec<SelectOption>,
}

#[derive(Deserialize, Default)]
pub(crate) struct Done {
    #[serde(default)]
    done: String,
}

async fn programme_today(app: &App, organisation: OrganisationId) -> Result<NaiveDate, AppError> {
    let org = app
        .store()
        .organisation(organisation)
        .await?
        .ok_or(AppError::NotFound("organisation"))?;
    Ok(app.programme_today(&app.programme(org.programme).await?))
}

async fn offers_page(
    app: &App,
    actor: &Actor,
    l: Layout,
    errors: FormErrors,
    notice: Option<String>,
    form: Option<OfferForm>,
) -> Result<OffersPage, AppError> {
    let organisation = desk_of(actor)?;
    let listed = app
        .spend_offers(
            actor,
            OfferQuery {
                programme: None,
                organisation: Some(organisation),
                audience: None,
                status: StatusFilter::All,
                available_on: None,
                cursor: None,
                limit: Some(200),
            },
        )
        .await?;
    let mut offers: Vec<OfferRow> = listed
        .items
        .into_iter()
        .map(|o| {
            let t = &o.terms;
            let mut when = match t.valid_to {
                Some(to) => format!("{} – {}", l.lang.day(t.valid_from), l.lang.day(to)),
                None => l.t1("desk-offers-from", "date", &l.lang.day(t.valid_from)),
            };
            if !t.off_peak.is_empty() {
                when = format!("{when}; {}", describe(&l.lang, &t.off_peak));
            }
            OfferRow {
                id: o.id.to_string(),
                price: format!(
                    "{} ({})",
                    l.lang.credits(t.price_minutes),
                    l.lang.hours(t.price_minutes)
                ),
                when,
                withdrawn: o.status == OfferStatus::Withdrawn,
                title: o.terms.title,
            }
        })
        .collect();
    offers.sort_by_key(|o| (o.withdrawn, o.title.to_lowercase()));
    let form = match form {
        Some(form) => form,
        None => OfferForm::blank(programme_today(app, organisation).await?),
    };
    Ok(OffersPage {
        audiences: form.audiences(&l.lang),
        periods: form.periods(&l.lang),
        l,
        errors,
        notice,
        offers,
        form,
    })
}

pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let l = Layout::new(&headers, Some(&signed_in), PATH);
    let notice = match done.done.as_str() {
        "published" => Some(l.t("desk-offers-published")),
        "saved" => Some(l.t("desk-offers-saved")),
        "withdrawn" => Some(l.t("desk-offers-withdrawn")),
        _ => None,
    };
    let page = offers_page(
        &state.app,
        &signed_in.actor,
        l,
        FormErrors::default(),
        notice,
        None,
    )
    .await?;
    Ok(render(&page)?.into_response())
}

pub(crate) async fn publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    form: Result<Form<OfferForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let app = &state.app;
    let actor = &signed_in.actor;
    let organisation = desk_of(actor)?;
    let l = Layout::new(&headers, Some(&signed_in), PATH);
    let errors = match form.terms(&l.lang) {
        Ok(terms) => match app
            .publish_spend_offer(
                actor,
                NewOffer {
                    organisation,
                    terms,
                },
            )
            .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("{PATH}?done=published")).into_response()),
            Err(AppError::Refused(r)) => {
                let mut errors = FormErrors::default();
                errors.add(terms_field(r.code), l.lang.refusal(r.code, &r.message));
                errors
            }
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let page = offers_page(app, actor, l, errors, None, Some(form)).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Template)]
#[template(path = "desk_offer.html")]
struct OfferPage {
    l: Layout,
    errors: FormErrors,
    title: String,
    action: String,
    withdraw_action: String,
    form: OfferForm,
    audiences: Vec<SelectOption>,
    periods: Vec<SelectOption>,
}

/// An active offer of the actor's own desk.
async fn own_offer(app: &App, actor: &Actor, raw: &str) -> Result<Offer, AppError> {
    let id = Uuid::try_parse(raw)
        .map(OfferId)
        .map_err(|_| AppError::NotFound("offer"))?;
    let offer = app.spend_offer(actor, id).await?;
    if !actor.serves_desk(offer.organisation) {
        return Err(AppError::Forbidden);
    }
    if offer.status == OfferStatus::Withdrawn {
        return Err(AppError::NotFound("offer"));
    }
    Ok(offer)
}

fn offer_page(l: Layout, offer: &Offer, errors: FormErrors, form: OfferForm) -> OfferPage {
    OfferPage {
        audiences: form.audiences(&l.lang),
        periods: form.periods(&l.lang),
        title: offer.terms.title.clone(),
        action: format!("{PATH}/{}/edit", offer.id),
        withdraw_action: format!("{PATH}/{}/withdraw", offer.id),
        l,
        errors,
        form,
    }
}

pub(crate) async fn edit_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let offer = own_offer(&state.app, &signed_in.actor, &id).await?;
    let l = Layout::new(&headers, Some(&signed_in), PATH);
    let form = OfferForm::of(&offer);
    Ok(render(&offer_page(l, &offer, FormErrors::default(), form))?.into_response())
}

pub(crate) async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<OfferForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let app = &state.app;
    let actor = &signed_in.actor;
    let offer = own_offer(app, actor, &id).await?;
    let l = Layout::new(&headers, Some(&signed_in), PATH);
    let errors = match form.terms(&l.lang) {
        Ok(terms) => match app.update_spend_offer(actor, offer.id, terms).await {
            Ok(_) => return Ok(Redirect::to(&format!("{PATH}?done=saved")).into_response()),
            Err(AppError::Refused(r)) => {
                let mut errors = FormErrors::default();
                errors.add(terms_field(r.code), l.lang.refusal(r.code, &r.message));
                errors
            }
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let page = offer_page(l, &offer, errors, form);
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Deserialize, Default)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub(crate) async fn withdraw(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let offer = own_offer(&state.app, &signed_in.actor, &id).await?;
    state
        .app
        .withdraw_spend_offer(&signed_in.actor, offer.id)
        .await?;
    Ok(Redirect::to(&format!("{PATH}?done=withdrawn")).into_response())
}
