//! The spend desk: a till screen. Find the member by number or card code,
//! choose the offer, confirm, and show a receipt. Large buttons; no script.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use timecredits_app::spending::{
    MemberLookup, OfferId, OfferQuery, RedeemOfferRequest, RedemptionId, StatusFilter,
};
use timecredits_app::{Actor, App, AppError, OrganisationId, Role, Scope};
use timecredits_ledger::{LedgerError, TransferId};
use uuid::Uuid;

use super::forms::FormErrors;
use super::member::organisation_zone;
use super::off_peak::not_available_now;
use super::{Layout, SignedIn, form_timed_out, render, render_with};
use crate::AppState;
use crate::error::PageError;
use crate::i18n::Arg;

/// The organisation whose desk the actor serves (the first, if several).
pub(crate) fn desk_of(actor: &Actor) -> Result<OrganisationId, AppError> {
    actor
        .grants
        .iter()
        .find_map(|g| match (g.role, g.scope) {
            (Role::SpendStaff, Scope::Organisation(o)) => Some(o),
            _ => None,
        })
        .ok_or(AppError::Forbidden)
}

struct OfferButton {
    id: String,
    /// A new idempotency key per button: a double tap spends once.
    key: String,
    title: String,
    price: String,
    label: String,
    affordable: bool,
    /// When the offer's off-peak hours do not include now: when it is
    /// available instead of a button.
    unavailable: Option<String>,
}

struct FoundMember {
    name: String,
    number: String,
    balance: String,
}

struct TodayRow {
    time: String,
    member: String,
    offer: String,
    price: String,
}

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage {
    l: Layout,
    errors: FormErrors,
    lookup: String,
    found: Option<FoundMember>,
    offers: Vec<OfferButton>,
    today: Vec<TodayRow>,
}

#[derive(Deserialize, Default)]
pub(crate) struct Lookup {
    #[serde(default)]
    member: String,
}

async fn desk_page(
    app: &App,
    actor: &Actor,
    l: Layout,
    lookup: &str,
    mut errors: FormErrors,
) -> Result<DeskPage, AppError> {
    let organisation = desk_of(actor)?;
    let mut found = None;
    let mut balance_minutes = 0;
    if !lookup.trim().is_empty() {
        let parsed = MemberLookup::parse(lookup);
        let member = match parsed {
            Ok(parsed) => app.find_member_at_desk(actor, organisation, parsed).await,
            Err(e) => Err(e),
        };
        match member {
            Ok(m) => {
                balance_minutes = m.balance_minutes;
                found = Some(FoundMember {
                    name: m.display_name,
                    number: m.number.to_string(),
                    balance: l.lang.ta(
                        "desk-balance",
                        &[
                            ("credits", Arg::Text(l.lang.credits(m.balance_minutes))),
                            ("hours", Arg::Text(l.lang.hours(m.balance_minutes))),
                        ],
                    ),
                });
            }
            Err(AppError::NotFound(_) | AppError::Ledger(_) | AppError::Invalid { .. }) => {
                errors.add("member", l.t("desk-error-member"));
            }
            Err(other) => return Err(other),
        }
    }
    let zone = organisation_zone(app, organisation).await?;
    let local_now = app.now().with_timezone(&zone).naive_local();
    let offers = if found.is_some() {
        app.spend_offers(
            actor,
            OfferQuery {
                programme: None,
                organisation: Some(organisation),
                audience: None,
                status: StatusFilter::Active,
                available_on: Some(app.now().date_naive()),
                cursor: None,
                limit: Some(100),
            },
        )
        .await?
        .items
        .into_iter()
        .map(|o| {
            let price = l.lang.credits(o.terms.price_minutes);
            OfferButton {
                id: o.id.to_string(),
                key: Uuid::now_v7().to_string(),
                affordable: o.terms.price_minutes <= balance_minutes,
                unavailable: not_available_now(&l.lang, &o.terms, local_now),
                label: l.lang.ta(
                    "desk-take",
                    &[
                        ("price", Arg::Text(price.clone())),
                        ("offer", Arg::Text(o.terms.title.clone())),
                    ],
                ),
                price,
                title: o.terms.title,
            }
        })
        .collect()
    } else {
        Vec::new()
    };
    let today = app
        .redemptions_today(actor, organisation, None, Some(100))
        .await?
        .items
        .into_iter()
        .map(|r| TodayRow {
            time: r
                .redemption
                .redeemed_at
                .with_timezone(&zone)
                .format("%H:%M")
                .to_string(),
            member: format!("{} ({})", r.member_name, r.member_number),
            offer: r.offer_title,
            price: l.lang.short(r.redemption.price_minutes),
        })
        .collect();
    Ok(DeskPage {
        l,
        errors,
        lookup: lookup.trim().to_owned(),
        found,
        offers,
        today,
    })
}

pub(crate) async fn desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Query(lookup): Query<Lookup>,
) -> Result<Response, PageError> {
    let l = Layout::new(&headers, Some(&signed_in), "/desk");
    let page = desk_page(
        &state.app,
        &signed_in.actor,
        l,
        &lookup.member,
        FormErrors::default(),
    )
    .await?;
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_with(status, &page))
}

#[derive(Deserialize, Default)]
pub(crate) struct RedeemForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    member: String,
    #[serde(default)]
    offer: String,
}

pub(crate) async fn redeem(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    form: Result<Form<RedeemForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let app = &state.app;
    let actor = &signed_in.actor;
    let l = Layout::new(&headers, Some(&signed_in), "/desk");
    let offer = Uuid::try_parse(&form.offer).map_err(|_| AppError::NotFound("offer"))?;
    let key = Uuid::try_parse(&form.key).unwrap_or_else(|_| Uuid::now_v7());
    let request = RedeemOfferRequest {
        id: TransferId(key),
        offer: OfferId(offer),
        member: MemberLookup::parse(&form.member)?,
    };
    let mut errors = FormErrors::default();
    match app.redeem_offer(actor, request).await {
        Ok(done) => {
            return Ok(
                Redirect::to(&format!("/desk/receipts/{}", done.redemption.id)).into_response(),
            );
        }
        Err(AppError::Ledger(LedgerError::InsufficientCredits { .. })) => {
            errors.add("member", l.lang.refusal("insufficient_credits", ""));
        }
        Err(AppError::Refused(r)) => errors.add("member", l.lang.refusal(r.code, &r.message)),
        Err(other) => return Err(other.into()),
    }
    let page = desk_page(app, actor, l, &form.member, errors).await?;
    Ok(render_with(StatusCode::CONFLICT, &page))
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    l: Layout,
    member: String,
    offer: String,
    price: String,
    balance: String,
    time: String,
}

pub(crate) async fn receipt(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let id = Uuid::try_parse(&id).map_err(|_| AppError::NotFound("redemption"))?;
    let redemption = app.spend_redemption(actor, RedemptionId(id)).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/desk");
    let member = app
        .store()
        .member(redemption.member)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound("member"))?;
    let now = app
        .find_member_at_desk(actor, redemption.organisation, MemberLookup::Id(member.id))
        .await?;
    let offer = app.spend_offer(actor, redemption.offer).await?;
    Ok(render(&ReceiptPage {
        member: format!("{} ({})", member.display_name, member.number),
        offer: offer.terms.title,
        price: l.lang.credits(redemption.price_minutes),
        balance: l.lang.credits(now.balance_minutes),
        time: redemption
            .redeemed_at
            .with_timezone(&organisation_zone(app, redemption.organisation).await?)
            .format("%H:%M")
            .to_string(),
        l,
    })?
    .into_response())
}
