//! The spending area's JSON API: spend partners' offers, the desk (find a
//! member, redeem, refund, today's redemptions) and gifts to and from an
//! organisation's community pot.
//!
//! Every request that moves credits (redeem, refund, pot gifts) needs an
//! `Idempotency-Key`: a new one answers 201, a retry 200 with the same body.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use timecredits_app::spending::{
    DeskMember, MemberLookup, NewOffer, Offer, OfferId, OfferQuery, PotGiftRequest,
    PotPayoutRequest, RedeemOfferRequest, Redemption, RedemptionId, RedemptionLine,
    RedemptionOutcome, RefundRequest, StatusFilter,
};
use timecredits_app::{AppError, OrganisationId};
use timecredits_domain::spending::{
    Audience, Capacity, CapacityPeriod, OffPeakWindow, OfferTerms, card_payload, parse_time_of_day,
    parse_weekday, weekday_name,
};
use timecredits_ledger::{MINUTES_PER_CREDIT, Outcome, ProgrammeId};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, Bearer, IdempotencyKey, parse_uuid};
use crate::error::{ApiError, Problem};
use crate::format::timestamp;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_offer, list_offers))
        .routes(routes!(get_offer, update_offer))
        .routes(routes!(withdraw_offer))
        .routes(routes!(redeem_offer))
        .routes(routes!(get_redemption))
        .routes(routes!(refund_redemption))
        .routes(routes!(find_member_at_desk))
        .routes(routes!(todays_redemptions))
        .routes(routes!(give_to_pot))
        .routes(routes!(give_from_pot))
}

// ---------------------------------------------------------------------------
// Bodies

/// How many redemptions an offer allows per day or per week.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[schema(example = json!({ "limit": 20, "period": "day" }))]
pub(crate) struct CapacityBody {
    limit: u32,
    /// `day` or `week` (Monday to Sunday), in the programme's time zone.
    period: String,
}

/// Days and a local time range `[from, to)` when the offer may be redeemed.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[schema(example = json!({ "days": ["mon", "tue", "wed"], "from": "09:00", "to": "12:00" }))]
pub(crate) struct WindowBody {
    /// `mon` … `sun`.
    days: Vec<String>,
    /// `HH:MM`, local time.
    from: String,
    /// `HH:MM`, local time, after `from`.
    to: String,
}

/// What an offer says: everything that can be changed while it is active.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "title": "One off-peak swim",
    "price_minutes": 60,
    "audience": "adult",
    "capacity": { "limit": 20, "period": "day" },
    "off_peak": [{ "days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "12:00" }],
    "valid_from": "2026-04-01",
    "valid_to": "2026-09-30"
}))]
pub(crate) struct OfferTermsBody {
    title: String,
    /// The price in minutes (60 = one credit; 90 = one and a half).
    price_minutes: i64,
    /// `adult`, `child` or `family`.
    audience: String,
    #[serde(default)]
    capacity: Option<CapacityBody>,
    /// Empty or absent: any time.
    #[serde(default)]
    off_peak: Vec<WindowBody>,
    /// `YYYY-MM-DD`, in the programme's time zone.
    valid_from: String,
    /// `YYYY-MM-DD`; absent: until withdrawn.
    #[serde(default)]
    valid_to: Option<String>,
}

/// A new offer of an organisation.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "organisation": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182",
    "title": "One swim",
    "price_minutes": 60,
    "audience": "family",
    "valid_from": "2026-04-01"
}))]
pub(crate) struct CreateOfferBody {
    organisation: String,
    #[serde(flatten)]
    terms: OfferTermsBody,
}

/// An offer as published.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182",
    "programme": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600001",
    "organisation": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600002",
    "title": "One swim",
    "price_minutes": 60,
    "audience": "family",
    "capacity": null,
    "off_peak": [],
    "valid_from": "2026-04-01",
    "valid_to": null,
    "status": "active",
    "created_at": "2026-03-01T10:00:00Z",
    "updated_at": "2026-03-01T10:00:00Z",
    "withdrawn_at": null
}))]
pub(crate) struct OfferBody {
    id: String,
    programme: String,
    organisation: String,
    title: String,
    price_minutes: i64,
    audience: &'static str,
    capacity: Option<CapacityBody>,
    off_peak: Vec<WindowBody>,
    valid_from: String,
    valid_to: Option<String>,
    /// `active` or `withdrawn`.
    status: &'static str,
    created_at: String,
    updated_at: String,
    withdrawn_at: Option<String>,
}

impl From<&Offer> for OfferBody {
    fn from(o: &Offer) -> Self {
        Self {
            id: o.id.to_string(),
            programme: o.programme.to_string(),
            organisation: o.organisation.to_string(),
            title: o.terms.title.clone(),
            price_minutes: o.terms.price_minutes,
            audience: o.terms.audience.as_str(),
            capacity: o.terms.capacity.map(|c| CapacityBody {
                limit: c.limit,
                period: c.period.as_str().to_owned(),
            }),
            off_peak: o
                .terms
                .off_peak
                .iter()
                .map(|w| WindowBody {
                    days: w.days.iter().map(|d| weekday_name(*d).to_owned()).collect(),
                    from: w.from.format("%H:%M").to_string(),
                    to: w.to.format("%H:%M").to_string(),
                })
                .collect(),
            valid_from: o.terms.valid_from.to_string(),
            valid_to: o.terms.valid_to.map(|d| d.to_string()),
            status: o.status.as_str(),
            created_at: timestamp(o.created_at),
            updated_at: timestamp(o.updated_at),
            withdrawn_at: o.withdrawn_at.map(timestamp),
        }
    }
}

/// A page of offers.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OfferPage {
    items: Vec<OfferBody>,
    /// Send as `?cursor=` for the next page; `null` on the last.
    next_cursor: Option<String>,
}

/// A refund of a redemption.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RefundBody {
    /// The reversal of the redeem posting (the refund's Idempotency-Key).
    redeem_reversal: String,
    retire_reversal: Option<String>,
    refunded_by: String,
    refunded_at: String,
    reason: String,
}

/// A redemption of an offer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182",
    "offer": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600003",
    "organisation": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600002",
    "member": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600004",
    "price_minutes": 60,
    "redeem_transfer": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182",
    "retire_transfer": "3f2b1c4d-5e6f-8a7b-9c8d-0e1f2a3b4c5d",
    "local_date": "2026-04-02",
    "redeemed_at": "2026-04-02T09:15:00Z",
    "refund": null
}))]
pub(crate) struct RedemptionBody {
    /// The redemption's id: the Idempotency-Key it was made with.
    id: String,
    offer: String,
    organisation: String,
    member: String,
    price_minutes: i64,
    redeem_transfer: String,
    /// Present when the programme retires what partners receive.
    retire_transfer: Option<String>,
    /// The day it was made, in the programme's time zone.
    local_date: String,
    redeemed_at: String,
    refund: Option<RefundBody>,
}

impl From<&Redemption> for RedemptionBody {
    fn from(r: &Redemption) -> Self {
        Self {
            id: r.id.to_string(),
            offer: r.offer.to_string(),
            organisation: r.organisation.to_string(),
            member: r.member.to_string(),
            price_minutes: r.price_minutes,
            redeem_transfer: r.redeem_transfer.to_string(),
            retire_transfer: r.retire_transfer.map(|t| t.to_string()),
            local_date: r.local_date.to_string(),
            redeemed_at: timestamp(r.redeemed_at),
            refund: r.refund.as_ref().map(|f| RefundBody {
                redeem_reversal: f.redeem_reversal.to_string(),
                retire_reversal: f.retire_reversal.map(|t| t.to_string()),
                refunded_by: f.refunded_by.to_string(),
                refunded_at: timestamp(f.refunded_at),
                reason: f.reason.clone(),
            }),
        }
    }
}

/// A line of the desk's list of today's redemptions.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182",
    "offer": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600003",
    "organisation": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600002",
    "member": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600004",
    "price_minutes": 60,
    "redeem_transfer": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182",
    "retire_transfer": "3f2b1c4d-5e6f-8a7b-9c8d-0e1f2a3b4c5d",
    "local_date": "2026-04-02",
    "redeemed_at": "2026-04-02T09:15:00Z",
    "refund": null,
    "member_name": "Alice Able",
    "member_number": "3182045",
    "offer_title": "One swim"
}))]
pub(crate) struct RedemptionLineBody {
    #[serde(flatten)]
    redemption: RedemptionBody,
    member_name: String,
    member_number: String,
    offer_title: String,
}

impl From<&RedemptionLine> for RedemptionLineBody {
    fn from(l: &RedemptionLine) -> Self {
        Self {
            redemption: RedemptionBody::from(&l.redemption),
            member_name: l.member_name.clone(),
            member_number: l.member_number.value().to_string(),
            offer_title: l.offer_title.clone(),
        }
    }
}

/// A page of today's redemptions, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RedemptionPage {
    items: Vec<RedemptionLineBody>,
    next_cursor: Option<String>,
}

/// What the desk sees of a member: name, number and balance, nothing more.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "display_name": "Alice Able",
    "member_number": "1234566",
    "card_payload": "TC1:1234566",
    "balance_minutes": 450,
    "balance_credits": 7
}))]
pub(crate) struct DeskMemberBody {
    display_name: String,
    member_number: String,
    /// What the member's QR code holds.
    card_payload: String,
    balance_minutes: i64,
    /// Whole credits; the minutes left over are in `balance_minutes`.
    balance_credits: i64,
}

impl From<DeskMember> for DeskMemberBody {
    fn from(m: DeskMember) -> Self {
        Self {
            display_name: m.display_name,
            member_number: m.number.value().to_string(),
            card_payload: card_payload(m.number.value()),
            balance_minutes: m.balance_minutes,
            balance_credits: m.balance_minutes.div_euclid(MINUTES_PER_CREDIT),
        }
    }
}

/// Whom the desk redeems an offer for.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({ "member": "TC1:1234566" }))]
pub(crate) struct RedeemBody {
    /// The member's id, the 7-digit number on their card, or the QR payload `TC1:<7 digits>`.
    member: String,
}

/// Why a redemption is refunded.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({ "reason": "The class was cancelled" }))]
pub(crate) struct RefundRequestBody {
    reason: String,
}

/// A member's gift to an organisation's community pot.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({ "minutes": 60, "reason": "For the breakfast club" }))]
pub(crate) struct PotGiftBody {
    minutes: i64,
    #[serde(default)]
    reason: String,
}

/// A gift from an organisation's community pot to a member.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({ "to_member": "1234566", "minutes": 120, "reason": "Welcome gift" }))]
pub(crate) struct PotPayoutBody {
    /// The member's id, card number or QR payload.
    to_member: String,
    minutes: i64,
    #[serde(default)]
    reason: String,
}

/// A posted gift.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182",
    "kind": "gift",
    "debit": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600005",
    "credit": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600006",
    "amount_minutes": 60,
    "at": "2026-04-02T09:15:00Z",
    "reason": "For the breakfast club"
}))]
pub(crate) struct GiftBody {
    id: String,
    kind: &'static str,
    debit: String,
    credit: String,
    amount_minutes: i64,
    at: String,
    reason: String,
}

fn gift_response(outcome: &Outcome) -> (StatusCode, Json<GiftBody>) {
    let t = outcome.transfer();
    let body = GiftBody {
        id: t.id.to_string(),
        kind: t.kind.as_str(),
        debit: t.debit.to_string(),
        credit: t.credit.to_string(),
        amount_minutes: t.amount.get(),
        at: timestamp(t.at),
        reason: t.reason.clone(),
    };
    (created_or_ok(outcome.is_new()), Json(body))
}

fn created_or_ok(new: bool) -> StatusCode {
    if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

fn redemption_response(outcome: &RedemptionOutcome) -> (StatusCode, Json<RedemptionBody>) {
    (
        created_or_ok(outcome.new),
        Json(RedemptionBody::from(&outcome.redemption)),
    )
}

// ---------------------------------------------------------------------------
// Parsing

fn date(field: &'static str, value: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, "must be a date such as 2026-04-01"))
}

fn terms(body: OfferTermsBody) -> Result<OfferTerms, AppError> {
    let audience = Audience::parse(body.audience.trim())
        .ok_or_else(|| AppError::invalid("audience", "must be adult, child or family"))?;
    let capacity = body
        .capacity
        .map(|c| {
            CapacityPeriod::parse(c.period.trim())
                .map(|period| Capacity {
                    limit: c.limit,
                    period,
                })
                .ok_or_else(|| AppError::invalid("capacity.period", "must be day or week"))
        })
        .transpose()?;
    let off_peak = body
        .off_peak
        .into_iter()
        .map(|w| {
            Ok(OffPeakWindow {
                days: w
                    .days
                    .iter()
                    .map(|d| parse_weekday(d))
                    .collect::<Result<_, _>>()?,
                from: parse_time_of_day(&w.from)?,
                to: parse_time_of_day(&w.to)?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(OfferTerms {
        title: body.title,
        price_minutes: body.price_minutes,
        audience,
        capacity,
        off_peak,
        valid_from: date("valid_from", &body.valid_from)?,
        valid_to: body
            .valid_to
            .as_deref()
            .map(|d| date("valid_to", d))
            .transpose()?,
    })
}

fn offer_id(value: &str) -> Result<OfferId, AppError> {
    Ok(OfferId(parse_uuid("offer id", value)?))
}

fn organisation_id(value: &str) -> Result<OrganisationId, AppError> {
    Ok(OrganisationId(parse_uuid("organisation id", value)?))
}

fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query
        .map(|Query(q)| q)
        .map_err(|r| Problem::new(StatusCode::BAD_REQUEST, "malformed_query", r.body_text()).into())
}

// ---------------------------------------------------------------------------
// Offers

/// Publish an offer (the organisation's spend staff, or a programme manager).
#[utoipa::path(
    post,
    path = "/offers",
    operation_id = "create_offer",
    tag = "spending",
    request_body = CreateOfferBody,
    responses(
        (status = 201, description = "The offer is published", body = OfferBody),
        (status = 403, description = "Not staff of this organisation"),
        (status = 404, description = "No such organisation"),
        (status = 422, description = "The terms break a rule: offer_title_invalid, offer_price_invalid, offer_capacity_invalid, off_peak_window_invalid, offer_dates_reversed, invalid_input")
    ),
    security(("bearer" = []))
)]
async fn create_offer(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiJson(body): ApiJson<CreateOfferBody>,
) -> Result<(StatusCode, Json<OfferBody>), ApiError> {
    let new = NewOffer {
        organisation: organisation_id(&body.organisation)?,
        terms: terms(body.terms)?,
    };
    let offer = state.app.publish_spend_offer(&actor, new).await?;
    Ok((StatusCode::CREATED, Json(OfferBody::from(&offer))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct OfferListQuery {
    /// Only this programme's offers (default: the caller's own programme).
    programme: Option<String>,
    /// Only this organisation's offers.
    organisation: Option<String>,
    /// `adult`, `child` or `family`.
    audience: Option<String>,
    /// `active` (default), `withdrawn` or `all`; only the organisation's
    /// staff and managers see withdrawn offers.
    status: Option<String>,
    /// Only offers that run on this day (`YYYY-MM-DD`).
    available_on: Option<String>,
    /// 1 to 200; 50 when absent.
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// List offers, oldest first, a page at a time.
#[utoipa::path(
    get,
    path = "/offers",
    operation_id = "list_offers",
    tag = "spending",
    params(OfferListQuery),
    responses(
        (status = 200, description = "A page of offers", body = OfferPage),
        (status = 404, description = "No such programme or organisation"),
        (status = 422, description = "A filter is not valid")
    ),
    security(("bearer" = []))
)]
async fn list_offers(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    q: Result<Query<OfferListQuery>, QueryRejection>,
) -> Result<Json<OfferPage>, ApiError> {
    let q = query(q)?;
    let status = match q.status.as_deref() {
        None => StatusFilter::Active,
        Some(s) => StatusFilter::parse(s)
            .ok_or_else(|| AppError::invalid("status", "must be active, withdrawn or all"))?,
    };
    let offers = OfferQuery {
        programme: q
            .programme
            .as_deref()
            .map(|p| parse_uuid("programme id", p).map(ProgrammeId))
            .transpose()?,
        organisation: q.organisation.as_deref().map(organisation_id).transpose()?,
        audience: q
            .audience
            .as_deref()
            .map(|a| {
                Audience::parse(a)
                    .ok_or_else(|| AppError::invalid("audience", "must be adult, child or family"))
            })
            .transpose()?,
        status,
        available_on: q
            .available_on
            .as_deref()
            .map(|d| date("available_on", d))
            .transpose()?,
        cursor: q.cursor,
        limit: q.limit,
    };
    let page = state.app.spend_offers(&actor, offers).await?;
    Ok(Json(OfferPage {
        items: page.items.iter().map(OfferBody::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One offer.
#[utoipa::path(
    get,
    path = "/offers/{id}",
    operation_id = "get_offer",
    tag = "spending",
    params(("id" = uuid::Uuid, Path, description = "The offer's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "The offer", body = OfferBody),
        (status = 404, description = "No such offer, or you may not see it")
    ),
    security(("bearer" = []))
)]
async fn get_offer(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
) -> Result<Json<OfferBody>, ApiError> {
    let offer = state.app.spend_offer(&actor, offer_id(&id)?).await?;
    Ok(Json(OfferBody::from(&offer)))
}

/// Change an active offer's terms. Redemptions already made keep their price.
#[utoipa::path(
    put,
    path = "/offers/{id}",
    operation_id = "update_offer",
    tag = "spending",
    params(("id" = uuid::Uuid, Path, description = "The offer's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = OfferTermsBody,
    responses(
        (status = 200, description = "The changed offer", body = OfferBody),
        (status = 403, description = "Not staff of the offer's organisation"),
        (status = 404, description = "No such offer"),
        (status = 409, description = "offer_withdrawn"),
        (status = 422, description = "The terms break a rule")
    ),
    security(("bearer" = []))
)]
async fn update_offer(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OfferTermsBody>,
) -> Result<Json<OfferBody>, ApiError> {
    let offer = state
        .app
        .update_spend_offer(&actor, offer_id(&id)?, terms(body)?)
        .await?;
    Ok(Json(OfferBody::from(&offer)))
}

/// Withdraw an offer: it can no longer be redeemed, and stays on record.
#[utoipa::path(
    post,
    path = "/offers/{id}/withdrawal",
    operation_id = "withdraw_offer",
    tag = "spending",
    params(("id" = uuid::Uuid, Path, description = "The offer's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "The withdrawn offer", body = OfferBody),
        (status = 403, description = "Not staff of the offer's organisation"),
        (status = 404, description = "No such offer"),
        (status = 409, description = "offer_withdrawn: it already was")
    ),
    security(("bearer" = []))
)]
async fn withdraw_offer(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
) -> Result<Json<OfferBody>, ApiError> {
    let offer = state
        .app
        .withdraw_spend_offer(&actor, offer_id(&id)?)
        .await?;
    Ok(Json(OfferBody::from(&offer)))
}

// ---------------------------------------------------------------------------
// The desk

/// Redeem an offer for a member at the desk: the member is debited and the
/// partner credited (and, under the `retire` rule, the credits retired) in
/// one atomic step. The Idempotency-Key becomes the redemption's id.
#[utoipa::path(
    post,
    path = "/offers/{id}/redemptions",
    operation_id = "redeem_offer",
    tag = "spending",
    params(
        ("id" = uuid::Uuid, Path, description = "The offer's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("Idempotency-Key" = uuid::Uuid, Header, description = "A new UUID per redemption; the same one on a retry", example = "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c")
    ),
    request_body = RedeemBody,
    responses(
        (status = 201, description = "Redeemed", body = RedemptionBody),
        (status = 200, description = "A retry: the original redemption", body = RedemptionBody),
        (status = 400, description = "idempotency_key_required"),
        (status = 403, description = "Not staff of the offer's organisation"),
        (status = 404, description = "No such offer or member"),
        (status = 409, description = "offer_withdrawn, offer_not_valid_today, outside_off_peak_hours, offer_capacity_reached, insufficient_credits, idempotency_conflict, offer_changed"),
        (status = 422, description = "bad_card_payload, invalid_input")
    ),
    security(("bearer" = []))
)]
async fn redeem_offer(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(body): ApiJson<RedeemBody>,
) -> Result<(StatusCode, Json<RedemptionBody>), ApiError> {
    let request = RedeemOfferRequest {
        id: key,
        offer: offer_id(&id)?,
        member: MemberLookup::parse(&body.member)?,
    };
    let outcome = state.app.redeem_offer(&actor, request).await?;
    Ok(redemption_response(&outcome))
}

/// One redemption, for its organisation's desk and the managers.
#[utoipa::path(
    get,
    path = "/redemptions/{id}",
    operation_id = "get_redemption",
    tag = "spending",
    params(("id" = uuid::Uuid, Path, description = "The redemption's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "The redemption", body = RedemptionBody),
        (status = 403, description = "Not staff of its organisation"),
        (status = 404, description = "No such redemption")
    ),
    security(("bearer" = []))
)]
async fn get_redemption(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
) -> Result<Json<RedemptionBody>, ApiError> {
    let id = RedemptionId(parse_uuid("redemption id", &id)?);
    let redemption = state.app.spend_redemption(&actor, id).await?;
    Ok(Json(RedemptionBody::from(&redemption)))
}

/// Refund a redemption by reversing its postings (the retire first). The
/// Idempotency-Key becomes the id of the redeem posting's reversal.
#[utoipa::path(
    post,
    path = "/redemptions/{id}/refund",
    operation_id = "refund_redemption",
    tag = "spending",
    params(
        ("id" = uuid::Uuid, Path, description = "The redemption's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("Idempotency-Key" = uuid::Uuid, Header, description = "A new UUID per refund; the same one on a retry", example = "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c")
    ),
    request_body = RefundRequestBody,
    responses(
        (status = 201, description = "Refunded", body = RedemptionBody),
        (status = 200, description = "A retry: the redemption as refunded", body = RedemptionBody),
        (status = 403, description = "Not staff of its organisation"),
        (status = 404, description = "No such redemption"),
        (status = 409, description = "redemption_already_refunded, insufficient_credits, already_reversed, idempotency_conflict"),
        (status = 422, description = "refund_reason_required")
    ),
    security(("bearer" = []))
)]
async fn refund_redemption(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(body): ApiJson<RefundRequestBody>,
) -> Result<(StatusCode, Json<RedemptionBody>), ApiError> {
    let request = RefundRequest {
        id: key,
        redemption: RedemptionId(parse_uuid("redemption id", &id)?),
        reason: body.reason,
    };
    let outcome = state.app.refund_redemption(&actor, request).await?;
    Ok(redemption_response(&outcome))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DeskMemberQuery {
    /// The organisation whose desk is asking.
    organisation: String,
    /// The member's 7-digit card number, or the QR payload `TC1:<7 digits>`.
    q: String,
}

/// Find a member at the desk by card number or QR payload.
#[utoipa::path(
    get,
    path = "/desk/members",
    operation_id = "find_member_at_desk",
    tag = "spending",
    params(DeskMemberQuery),
    responses(
        (status = 200, description = "The member's name, number and balance", body = DeskMemberBody),
        (status = 403, description = "Not desk staff of this organisation"),
        (status = 404, description = "No such member in this programme"),
        (status = 422, description = "bad_card_payload, invalid_input")
    ),
    security(("bearer" = []))
)]
async fn find_member_at_desk(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    q: Result<Query<DeskMemberQuery>, QueryRejection>,
) -> Result<Json<DeskMemberBody>, ApiError> {
    let q = query(q)?;
    let organisation = organisation_id(&q.organisation)?;
    let member = state
        .app
        .find_member_at_desk(&actor, organisation, MemberLookup::parse(&q.q)?)
        .await?;
    Ok(Json(DeskMemberBody::from(member)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DeskRedemptionsQuery {
    /// The organisation whose desk is asking.
    organisation: String,
    /// 1 to 200; 50 when absent.
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Today's redemptions at an organisation (the programme's calendar day), oldest first.
#[utoipa::path(
    get,
    path = "/desk/redemptions",
    operation_id = "todays_redemptions",
    tag = "spending",
    params(DeskRedemptionsQuery),
    responses(
        (status = 200, description = "A page of today's redemptions", body = RedemptionPage),
        (status = 403, description = "Not desk staff of this organisation"),
        (status = 404, description = "No such organisation")
    ),
    security(("bearer" = []))
)]
async fn todays_redemptions(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    q: Result<Query<DeskRedemptionsQuery>, QueryRejection>,
) -> Result<Json<RedemptionPage>, ApiError> {
    let q = query(q)?;
    let organisation = organisation_id(&q.organisation)?;
    let page = state
        .app
        .redemptions_today(&actor, organisation, q.cursor.as_deref(), q.limit)
        .await?;
    Ok(Json(RedemptionPage {
        items: page.items.iter().map(RedemptionLineBody::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

// ---------------------------------------------------------------------------
// Community pots

/// A member gives credits to an organisation's community pot.
#[utoipa::path(
    post,
    path = "/pots/{organisation_id}/gifts",
    operation_id = "give_to_pot",
    tag = "spending",
    params(
        ("organisation_id" = uuid::Uuid, Path, description = "The organisation whose pot receives the gift", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("Idempotency-Key" = uuid::Uuid, Header, description = "A new UUID per gift; the same one on a retry", example = "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c")
    ),
    request_body = PotGiftBody,
    responses(
        (status = 201, description = "Given", body = GiftBody),
        (status = 200, description = "A retry: the original gift", body = GiftBody),
        (status = 403, description = "Only members give to pots"),
        (status = 404, description = "No such organisation in your programme"),
        (status = 409, description = "insufficient_credits, idempotency_conflict"),
        (status = 422, description = "amount_not_positive")
    ),
    security(("bearer" = []))
)]
async fn give_to_pot(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(organisation): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(body): ApiJson<PotGiftBody>,
) -> Result<(StatusCode, Json<GiftBody>), ApiError> {
    let request = PotGiftRequest {
        id: key,
        organisation: organisation_id(&organisation)?,
        minutes: body.minutes,
        reason: body.reason,
    };
    Ok(gift_response(
        &state.app.give_to_pot(&actor, request).await?,
    ))
}

/// An organisation (its coordinators, or a programme manager) gives credits
/// from its community pot to a member.
#[utoipa::path(
    post,
    path = "/pots/{organisation_id}/gifts-to-members",
    operation_id = "give_from_pot",
    tag = "spending",
    params(
        ("organisation_id" = uuid::Uuid, Path, description = "The organisation whose pot gives", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("Idempotency-Key" = uuid::Uuid, Header, description = "A new UUID per gift; the same one on a retry", example = "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c")
    ),
    request_body = PotPayoutBody,
    responses(
        (status = 201, description = "Given", body = GiftBody),
        (status = 200, description = "A retry: the original gift", body = GiftBody),
        (status = 403, description = "Not a coordinator of this organisation"),
        (status = 404, description = "No such organisation or member"),
        (status = 409, description = "insufficient_credits (the pot holds too little), idempotency_conflict"),
        (status = 422, description = "amount_not_positive, bad_card_payload")
    ),
    security(("bearer" = []))
)]
async fn give_from_pot(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(organisation): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(body): ApiJson<PotPayoutBody>,
) -> Result<(StatusCode, Json<GiftBody>), ApiError> {
    let request = PotPayoutRequest {
        id: key,
        organisation: organisation_id(&organisation)?,
        to: MemberLookup::parse(&body.to_member)?,
        minutes: body.minutes,
        reason: body.reason,
    };
    Ok(gift_response(
        &state.app.give_from_pot(&actor, request).await?,
    ))
}
