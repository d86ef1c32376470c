//! The timebank area's JSON API: the directory of members' offers and
//! requests, and exchanges proposed, accepted, declined or withdrawn.
//! Accepting is the one call that moves credits, so it needs an
//! `Idempotency-Key`: a retry answers 200 with the same body.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use timecredits_app::timebank::{
    AcceptedExchange, Listing, ListingId, ListingSearch, Mailbox, NewListing, NewProposal, Page,
    Proposal, ProposalId, ProposalSearch,
};
use timecredits_app::{AppError, MemberId};
use timecredits_domain::timebank::{ExchangeDirection, ListingKind, ListingStatus, ProposalStatus};
use timecredits_ledger::{ProgrammeId, Transfer};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, Bearer, IdempotencyKey, member_ref, parse_uuid};
use crate::error::{ApiError, Problem};
use crate::format::timestamp;
use crate::openapi::ProblemDoc;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_listing, search_listings))
        .routes(routes!(my_listings))
        .routes(routes!(get_listing))
        .routes(routes!(close_listing))
        .routes(routes!(propose_exchange, list_proposals))
        .routes(routes!(get_proposal))
        .routes(routes!(accept_proposal))
        .routes(routes!(decline_proposal))
        .routes(routes!(withdraw_proposal))
}

// ---------------------------------------------------------------------------
// Bodies

/// An offer ("I can help with…") or a request ("I need…") in the directory.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01966b4e-7d1a-7c3e-9a55-1f2b3c4d5e6f",
    "programme": "01966b4e-0000-7000-8000-000000000001",
    "member_id": "01966b4e-0000-7000-8000-000000000002",
    "member_name": "Alice Able",
    "kind": "offer",
    "category": "gardening_and_outdoors",
    "title": "Weeding and mowing",
    "description": "Saturday mornings; I bring my own tools.",
    "place": "Little Exampleton",
    "status": "open",
    "created_at": "2026-03-01T10:00:00Z",
    "closed_at": null
}))]
struct ListingBody {
    id: String,
    programme: String,
    /// The member who posted it.
    member_id: String,
    member_name: String,
    /// `offer` or `request`.
    kind: &'static str,
    /// One of the skill category codes.
    category: String,
    title: String,
    description: String,
    place: String,
    /// `open` or `closed`.
    status: &'static str,
    created_at: String,
    closed_at: Option<String>,
}

impl From<&Listing> for ListingBody {
    fn from(l: &Listing) -> Self {
        Self {
            id: l.id.to_string(),
            programme: l.programme.to_string(),
            member_id: l.author.to_string(),
            member_name: l.author_name.clone(),
            kind: l.kind.as_str(),
            category: l.category.clone(),
            title: l.title.clone(),
            description: l.description.clone(),
            place: l.place.clone(),
            status: l.status.as_str(),
            created_at: timestamp(l.created_at),
            closed_at: l.closed_at.map(timestamp),
        }
    }
}

/// A new listing, posted by the signed-in member.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "kind": "request",
    "category": "transport_and_errands",
    "title": "Lift to the surgery on Thursdays",
    "description": "Appointments are at 10:00; about an hour there and back.",
    "place": "Upper Exampleton"
}))]
struct NewListingBody {
    /// `offer` or `request`.
    kind: String,
    /// One of the skill category codes, e.g. `gardening_and_outdoors`.
    category: String,
    title: String,
    #[serde(default)]
    description: String,
    /// A village, town or area, in your own words.
    #[serde(default)]
    place: String,
}

/// One page of listings.
#[derive(Serialize, ToSchema)]
struct ListingPageBody {
    items: Vec<ListingBody>,
    /// Pass as `cursor` for the next page; null on the last page.
    next_cursor: Option<String>,
}

fn listing_page(page: &Page<Listing>) -> ListingPageBody {
    ListingPageBody {
        items: page.items.iter().map(ListingBody::from).collect(),
        next_cursor: page.next_cursor.map(|c| c.to_string()),
    }
}

/// A proposed exchange of time between two members.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01966b4f-1111-7000-8000-000000000010",
    "programme": "01966b4e-0000-7000-8000-000000000001",
    "proposer": "01966b4e-0000-7000-8000-000000000002",
    "counterparty": "01966b4e-0000-7000-8000-000000000003",
    "direction": "helper_bills",
    "helper": "01966b4e-0000-7000-8000-000000000002",
    "helped": "01966b4e-0000-7000-8000-000000000003",
    "minutes": 90,
    "note": "Mowed the back lawn",
    "listing": null,
    "created_at": "2026-03-02T09:00:00Z",
    "expires_at": "2026-03-16T09:00:00Z",
    "status": "open",
    "answered_at": null,
    "decline_reason": null,
    "transfer_id": null
}))]
struct ProposalBody {
    id: String,
    programme: String,
    /// The member who proposed it.
    proposer: String,
    /// The member who may accept or decline it.
    counterparty: String,
    /// `helper_bills` ("I helped you") or `helped_pays` ("you helped me").
    direction: &'static str,
    /// The member who gave the time and is paid.
    helper: String,
    /// The member who was helped and pays.
    helped: String,
    minutes: i64,
    note: String,
    listing: Option<String>,
    created_at: String,
    expires_at: String,
    /// `open`, `accepted`, `declined`, `withdrawn` or `expired`.
    status: &'static str,
    answered_at: Option<String>,
    decline_reason: Option<String>,
    /// The Exchange transfer that paid it, once accepted.
    transfer_id: Option<String>,
}

fn proposal_body(p: &Proposal, now: chrono::DateTime<chrono::Utc>) -> ProposalBody {
    ProposalBody {
        id: p.id.to_string(),
        programme: p.programme.to_string(),
        proposer: p.proposer.to_string(),
        counterparty: p.counterparty.to_string(),
        direction: p.direction.as_str(),
        helper: p.helper().to_string(),
        helped: p.helped().to_string(),
        minutes: p.minutes,
        note: p.note.clone(),
        listing: p.listing.map(|l| l.to_string()),
        created_at: timestamp(p.created_at),
        expires_at: timestamp(p.expires_at),
        status: p.status_at(now).as_str(),
        answered_at: p.answered_at.map(timestamp),
        decline_reason: p.decline_reason.clone(),
        transfer_id: p.transfer.map(|t| t.to_string()),
    }
}

/// A proposal from the signed-in member to another member.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "member": "1234567",
    "direction": "helper_bills",
    "minutes": 90,
    "note": "Mowed the back lawn",
    "listing": null,
    "expires_in_days": 14
}))]
struct NewProposalBody {
    /// The other member: their id, or the 7-digit number on their card.
    member: String,
    /// `helper_bills` ("I helped you for N minutes") or `helped_pays`
    /// ("you helped me for N minutes").
    direction: String,
    /// Whole steps of the programme's recording granularity.
    minutes: i64,
    #[serde(default)]
    note: String,
    /// The listing this exchange answers, if any.
    #[serde(default)]
    listing: Option<String>,
    /// Days the proposal waits for an answer (1 to 90, default 14).
    #[serde(default)]
    expires_in_days: Option<i64>,
}

/// Declining a proposal, optionally saying why.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({ "reason": "I was away that week; I think this is for someone else" }))]
struct DeclineProposalBody {
    #[serde(default)]
    reason: Option<String>,
}

/// The transfer that paid an exchange.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c", "kind": "exchange",
    "debit": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600003", "credit": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600004",
    "amount_minutes": 60, "at": "2026-03-04T12:00:00Z", "reason": "Weeding and mowing"
}))]
struct ExchangeTransferBody {
    id: String,
    /// Always `exchange`.
    kind: &'static str,
    /// The account of the member helped.
    debit: String,
    /// The account of the helper.
    credit: String,
    amount_minutes: i64,
    at: String,
    reason: String,
}

impl From<&Transfer> for ExchangeTransferBody {
    fn from(t: &Transfer) -> Self {
        Self {
            id: t.id.to_string(),
            kind: t.kind.as_str(),
            debit: t.debit.to_string(),
            credit: t.credit.to_string(),
            amount_minutes: t.amount.get(),
            at: timestamp(t.at),
            reason: t.reason.clone(),
        }
    }
}

/// An accepted proposal and the transfer that paid it.
#[derive(Serialize, ToSchema)]
struct AcceptedBody {
    proposal: ProposalBody,
    transfer: ExchangeTransferBody,
}

/// One page of proposals.
#[derive(Serialize, ToSchema)]
struct ProposalPageBody {
    items: Vec<ProposalBody>,
    /// Pass as `cursor` for the next page; null on the last page.
    next_cursor: Option<String>,
}

// ---------------------------------------------------------------------------
// Parsing

fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query
        .map(|Query(q)| q)
        .map_err(|r| Problem::new(StatusCode::BAD_REQUEST, "malformed_query", r.body_text()).into())
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

fn listing_kind(value: &str) -> Result<ListingKind, AppError> {
    ListingKind::parse(value.trim())
        .ok_or_else(|| AppError::invalid("kind", "must be offer or request"))
}

fn listing_status(value: &str) -> Result<ListingStatus, AppError> {
    ListingStatus::parse(value.trim())
        .ok_or_else(|| AppError::invalid("status", "must be open or closed"))
}

fn listing_id(value: &str) -> Result<ListingId, AppError> {
    Ok(ListingId(parse_uuid("listing id", value)?))
}

fn proposal_id(value: &str) -> Result<ProposalId, AppError> {
    Ok(ProposalId(parse_uuid("proposal id", value)?))
}

// ---------------------------------------------------------------------------
// Listings

/// Posts an offer or a request to the signed-in member's programme directory.
#[utoipa::path(
    post, path = "/timebank/listings", operation_id = "create_timebank_listing", tag = "timebank",
    request_body = NewListingBody,
    responses(
        (status = 201, description = "the listing, open", body = ListingBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only members post listings", body = ProblemDoc),
        (status = 422, description = "unknown_category, title_missing, title_too_long, description_too_long or place_too_long", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn create_listing(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiJson(body): ApiJson<NewListingBody>,
) -> Result<(StatusCode, Json<ListingBody>), ApiError> {
    let new = NewListing {
        kind: listing_kind(&body.kind)?,
        category: body.category,
        title: body.title,
        description: body.description,
        place: body.place,
    };
    let listing = state.app.create_timebank_listing(&actor, new).await?;
    Ok((StatusCode::CREATED, Json(ListingBody::from(&listing))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListingSearchQuery {
    /// Only for staff managing several programmes; members search their own.
    programme: Option<String>,
    /// `offer` or `request`.
    kind: Option<String>,
    /// A skill category code.
    category: Option<String>,
    /// Part of a place name, in any case.
    place: Option<String>,
    /// `open` (default for members) or `closed` (managers only).
    status: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The directory: the programme's open listings, newest first, filtered by
/// kind, category and place. Managers may also list closed ones.
#[utoipa::path(
    get, path = "/timebank/listings", operation_id = "search_timebank_listings", tag = "timebank",
    params(ListingSearchQuery),
    responses(
        (status = 200, description = "one page of listings", body = ListingPageBody),
        (status = 400, description = "a malformed query or cursor", body = ProblemDoc),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such programme, or not yours", body = ProblemDoc),
        (status = 422, description = "a bad filter or limit", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn search_listings(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    q: Result<Query<ListingSearchQuery>, QueryRejection>,
) -> Result<Json<ListingPageBody>, ApiError> {
    let q = query(q)?;
    let search = ListingSearch {
        programme: non_empty(q.programme)
            .map(|p| parse_uuid("programme id", &p).map(ProgrammeId))
            .transpose()?,
        kind: non_empty(q.kind).map(|k| listing_kind(&k)).transpose()?,
        category: non_empty(q.category).map(|c| c.trim().to_owned()),
        place: non_empty(q.place),
        status: non_empty(q.status)
            .map(|s| listing_status(&s))
            .transpose()?,
        cursor: non_empty(q.cursor).map(|c| listing_id(&c)).transpose()?,
        limit: q.limit,
    };
    let page = state.app.search_timebank_listings(&actor, search).await?;
    Ok(Json(listing_page(&page)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct MyListingsQuery {
    /// `open` or `closed`; omitted: both.
    status: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The signed-in member's own listings, open and closed, newest first.
#[utoipa::path(
    get, path = "/timebank/listings/mine", operation_id = "list_my_timebank_listings", tag = "timebank",
    params(MyListingsQuery),
    responses(
        (status = 200, description = "one page of the member's listings", body = ListingPageBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only members have listings", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn my_listings(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    q: Result<Query<MyListingsQuery>, QueryRejection>,
) -> Result<Json<ListingPageBody>, ApiError> {
    let q = query(q)?;
    let status = non_empty(q.status)
        .map(|s| listing_status(&s))
        .transpose()?;
    let cursor = non_empty(q.cursor).map(|c| listing_id(&c)).transpose()?;
    let page = state
        .app
        .my_timebank_listings(&actor, status, cursor, q.limit)
        .await?;
    Ok(Json(listing_page(&page)))
}

/// One listing: an open one of your programme, your own, or (for
/// managers) any of their programme's.
#[utoipa::path(
    get, path = "/timebank/listings/{id}", operation_id = "get_timebank_listing", tag = "timebank",
    params(("id" = uuid::Uuid, Path, description = "listing id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the listing", body = ListingBody),
        (status = 404, description = "no such listing, or not one you may see", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn get_listing(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
) -> Result<Json<ListingBody>, ApiError> {
    let listing = state.app.timebank_listing(&actor, listing_id(&id)?).await?;
    Ok(Json(ListingBody::from(&listing)))
}

/// Closes a listing (its author or a programme manager). It leaves the
/// directory and is kept, with who closed it and when.
#[utoipa::path(
    post, path = "/timebank/listings/{id}/close", operation_id = "close_timebank_listing", tag = "timebank",
    params(("id" = uuid::Uuid, Path, description = "listing id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the listing, closed", body = ListingBody),
        (status = 403, description = "neither its author nor a manager", body = ProblemDoc),
        (status = 404, description = "no such listing, or not one you may see", body = ProblemDoc),
        (status = 409, description = "listing_already_closed", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn close_listing(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
) -> Result<Json<ListingBody>, ApiError> {
    let listing = state
        .app
        .close_timebank_listing(&actor, listing_id(&id)?)
        .await?;
    Ok(Json(ListingBody::from(&listing)))
}

// ---------------------------------------------------------------------------
// Proposals

/// Proposes an exchange to another member of the programme. Nothing is
/// paid until they accept.
#[utoipa::path(
    post, path = "/timebank/proposals", operation_id = "propose_timebank_exchange", tag = "timebank",
    request_body = NewProposalBody,
    responses(
        (status = 201, description = "the proposal, open", body = ProposalBody),
        (status = 403, description = "only members propose exchanges", body = ProblemDoc),
        (status = 404, description = "no such member or listing in your programme", body = ProblemDoc),
        (status = 409, description = "listing_closed", body = ProblemDoc),
        (status = 422, description = "minutes_not_positive, minutes_off_granularity, minutes_too_many, cannot_exchange_with_yourself, listing_does_not_fit, note_too_long or expiry_days_out_of_range", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn propose_exchange(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiJson(body): ApiJson<NewProposalBody>,
) -> Result<(StatusCode, Json<ProposalBody>), ApiError> {
    let direction = ExchangeDirection::parse(body.direction.trim())
        .ok_or_else(|| AppError::invalid("direction", "must be helper_bills or helped_pays"))?;
    let new = NewProposal {
        counterparty: member_ref(&state.app, &body.member).await?,
        direction,
        minutes: body.minutes,
        note: body.note,
        listing: non_empty(body.listing)
            .map(|l| listing_id(&l))
            .transpose()?,
        expires_in_days: body.expires_in_days,
    };
    let proposal = state.app.propose_exchange(&actor, new).await?;
    Ok((
        StatusCode::CREATED,
        Json(proposal_body(&proposal, state.app.now())),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ProposalListQuery {
    /// `incoming` (to answer), `outgoing` (made) or `all` (default).
    #[serde(rename = "box")]
    #[param(rename = "box")]
    mailbox: Option<String>,
    /// `open`, `accepted`, `declined`, `withdrawn` or `expired`.
    status: Option<String>,
    /// Managers: list this programme's proposals.
    programme: Option<String>,
    /// Managers: only this member's (id or card number).
    member: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The signed-in member's proposals (incoming, outgoing or all), newest
/// first; for a manager, their programme's.
#[utoipa::path(
    get, path = "/timebank/proposals", operation_id = "list_timebank_proposals", tag = "timebank",
    params(ProposalListQuery),
    responses(
        (status = 200, description = "one page of proposals", body = ProposalPageBody),
        (status = 400, description = "a malformed query or cursor", body = ProblemDoc),
        (status = 403, description = "neither a member nor a manager", body = ProblemDoc),
        (status = 404, description = "no such programme or member, or not yours", body = ProblemDoc),
        (status = 422, description = "a bad filter or limit", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn list_proposals(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    q: Result<Query<ProposalListQuery>, QueryRejection>,
) -> Result<Json<ProposalPageBody>, ApiError> {
    let q = query(q)?;
    let mailbox = match non_empty(q.mailbox) {
        None => Mailbox::Both,
        Some(b) => Mailbox::parse(b.trim())
            .ok_or_else(|| AppError::invalid("box", "must be incoming, outgoing or all"))?,
    };
    let status = non_empty(q.status)
        .map(|s| {
            ProposalStatus::parse(s.trim()).ok_or_else(|| {
                AppError::invalid(
                    "status",
                    "must be open, accepted, declined, withdrawn or expired",
                )
            })
        })
        .transpose()?;
    let member: Option<MemberId> = match non_empty(q.member) {
        Some(m) => Some(member_ref(&state.app, &m).await?),
        None => None,
    };
    let search = ProposalSearch {
        programme: non_empty(q.programme)
            .map(|p| parse_uuid("programme id", &p).map(ProgrammeId))
            .transpose()?,
        member,
        mailbox,
        status,
        cursor: non_empty(q.cursor).map(|c| proposal_id(&c)).transpose()?,
        limit: q.limit,
    };
    let page = state.app.exchange_proposals(&actor, search).await?;
    let now = state.app.now();
    Ok(Json(ProposalPageBody {
        items: page.items.iter().map(|p| proposal_body(p, now)).collect(),
        next_cursor: page.next_cursor.map(|c| c.to_string()),
    }))
}

/// One proposal: for its two members, and managers of its programme.
#[utoipa::path(
    get, path = "/timebank/proposals/{id}", operation_id = "get_timebank_proposal", tag = "timebank",
    params(("id" = uuid::Uuid, Path, description = "proposal id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the proposal, with its status now", body = ProposalBody),
        (status = 404, description = "no such proposal, or not one you may see", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn get_proposal(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
) -> Result<Json<ProposalBody>, ApiError> {
    let proposal = state
        .app
        .exchange_proposal(&actor, proposal_id(&id)?)
        .await?;
    Ok(Json(proposal_body(&proposal, state.app.now())))
}

/// Accepts a proposal made to you: in one step it is marked accepted and
/// the member helped pays the helper. Send an `Idempotency-Key` (a UUID,
/// which becomes the transfer's id); a retry answers 200 with the same body.
#[utoipa::path(
    post, path = "/timebank/proposals/{id}/accept", operation_id = "accept_timebank_proposal", tag = "timebank",
    params(
        ("id" = uuid::Uuid, Path, description = "proposal id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("Idempotency-Key" = uuid::Uuid, Header, description = "a new UUID per acceptance; the same one on retry", example = "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c"),
    ),
    responses(
        (status = 201, description = "accepted and paid", body = AcceptedBody),
        (status = 200, description = "a retry: the original answer", body = AcceptedBody),
        (status = 400, description = "idempotency_key_required or a malformed id", body = ProblemDoc),
        (status = 403, description = "a manager may see but not answer", body = ProblemDoc),
        (status = 404, description = "no such proposal, or not one you may see", body = ProblemDoc),
        (status = 409, description = "proposal_already_answered, proposal_expired, insufficient_credits or idempotency_conflict", body = ProblemDoc),
        (status = 422, description = "not_your_proposal: you made it, so the other member answers", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn accept_proposal(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
) -> Result<(StatusCode, Json<AcceptedBody>), ApiError> {
    let AcceptedExchange { proposal, outcome } = state
        .app
        .accept_exchange(&actor, proposal_id(&id)?, key)
        .await?;
    let status = if outcome.is_new() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(AcceptedBody {
            proposal: proposal_body(&proposal, state.app.now()),
            transfer: ExchangeTransferBody::from(outcome.transfer()),
        }),
    ))
}

/// Declines a proposal made to you, optionally saying why. Kept, with who and when.
#[utoipa::path(
    post, path = "/timebank/proposals/{id}/decline", operation_id = "decline_timebank_proposal", tag = "timebank",
    params(("id" = uuid::Uuid, Path, description = "proposal id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = DeclineProposalBody,
    responses(
        (status = 200, description = "the proposal, declined", body = ProposalBody),
        (status = 403, description = "a manager may see but not answer", body = ProblemDoc),
        (status = 404, description = "no such proposal, or not one you may see", body = ProblemDoc),
        (status = 409, description = "proposal_already_answered or proposal_expired", body = ProblemDoc),
        (status = 422, description = "not_your_proposal or reason_too_long", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn decline_proposal(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeclineProposalBody>,
) -> Result<Json<ProposalBody>, ApiError> {
    let proposal = state
        .app
        .decline_exchange(&actor, proposal_id(&id)?, body.reason)
        .await?;
    Ok(Json(proposal_body(&proposal, state.app.now())))
}

/// Withdraws a proposal you made, before it is answered.
#[utoipa::path(
    post, path = "/timebank/proposals/{id}/withdraw", operation_id = "withdraw_timebank_proposal", tag = "timebank",
    params(("id" = uuid::Uuid, Path, description = "proposal id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the proposal, withdrawn", body = ProposalBody),
        (status = 403, description = "a manager may see but not withdraw", body = ProblemDoc),
        (status = 404, description = "no such proposal, or not one you may see", body = ProblemDoc),
        (status = 409, description = "proposal_already_answered or proposal_expired", body = ProblemDoc),
        (status = 422, description = "not_your_proposal: only its proposer withdraws it", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn withdraw_proposal(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
) -> Result<Json<ProposalBody>, ApiError> {
    let proposal = state
        .app
        .withdraw_exchange(&actor, proposal_id(&id)?)
        .await?;
    Ok(Json(proposal_body(&proposal, state.app.now())))
}
