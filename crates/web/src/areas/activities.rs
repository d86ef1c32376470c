//! The activities area's JSON API: activities and their sessions, sign-ups
//! and the waiting list, attendance registers, members' claims, direct
//! records and corrections. Every call that issues credits (confirming a
//! register or a claim, a direct record, a correction) needs an
//! `Idempotency-Key`: a new record answers 201, a retry 200 with the same body.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use timecredits_app::activities::{
    Activity, ActivityId, ActivityQuery, Cancellation, Claim, ClaimId, Contribution,
    ContributionId, DirectRecord, NewClaim, NewSession, Page, Recorded, RegisterEntry,
    RegisterSheet, Session, SessionId, SignUp,
};
use timecredits_app::{AppError, OrganisationId};
use timecredits_domain::activity::{ActivityDetails, CoProductionLevel, CoProductionMode};
use timecredits_domain::directory::Postcode;
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
        .routes(routes!(create_activity, list_activities))
        .routes(routes!(get_activity, update_activity))
        .routes(routes!(create_session, list_sessions))
        .routes(routes!(sign_up, list_sign_ups))
        .routes(routes!(cancel_sign_up))
        .routes(routes!(get_register))
        .routes(routes!(confirm_register))
        .routes(routes!(record_contribution))
        .routes(routes!(get_contribution))
        .routes(routes!(correct_contribution))
        .routes(routes!(create_claim))
        .routes(routes!(my_claims))
        .routes(routes!(pending_claims))
        .routes(routes!(get_claim))
        .routes(routes!(confirm_claim))
        .routes(routes!(reject_claim))
}

// ---------------------------------------------------------------------------
// Bodies

/// An activity an earn partner offers.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01966b4e-7d1a-7c3e-9a55-1f2b3c4d5e6f",
    "programme": "01966b4e-0000-7000-8000-000000000001",
    "organisation": "01966b4e-0000-7000-8000-000000000002",
    "title": "Lunch club",
    "description": "Help cook and serve a hot lunch for older neighbours.",
    "level": "group",
    "mode": "co_delivery",
    "place": "Village Hall, High Street",
    "postcode": "PE15 8AA",
    "accessibility": "Step-free access; hearing loop",
    "usual_duration_minutes": 120,
    "earns_credits": true,
    "created_at": "2026-03-01T10:00:00Z",
    "updated_at": "2026-03-01T10:00:00Z"
}))]
struct ActivityBody {
    id: String,
    programme: String,
    organisation: String,
    title: String,
    description: String,
    /// `individual`, `group` or `collective`.
    level: &'static str,
    /// `co_design`, `co_delivery`, `co_governance`, `peer_support` or `community_action`.
    mode: &'static str,
    place: String,
    /// Where it happens, for deprivation reach; null when it happens at
    /// its organisation's postcode.
    postcode: Option<String>,
    accessibility: String,
    usual_duration_minutes: i64,
    earns_credits: bool,
    created_at: String,
    updated_at: String,
}

impl From<&Activity> for ActivityBody {
    fn from(a: &Activity) -> Self {
        let d = &a.details;
        Self {
            id: a.id.to_string(),
            programme: a.programme.to_string(),
            organisation: a.organisation.to_string(),
            title: d.title.clone(),
            description: d.description.clone(),
            level: d.level.as_str(),
            mode: d.mode.as_str(),
            place: d.place.clone(),
            postcode: d.postcode.as_ref().map(|p| p.as_str().to_owned()),
            accessibility: d.accessibility.clone(),
            usual_duration_minutes: d.usual_duration_minutes,
            earns_credits: d.earns_credits,
            created_at: timestamp(a.created_at),
            updated_at: timestamp(a.updated_at),
        }
    }
}

/// What an activity is; on update, every field is replaced.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "title": "Lunch club",
    "description": "Help cook and serve a hot lunch for older neighbours.",
    "level": "group",
    "mode": "co_delivery",
    "place": "Village Hall, High Street",
    "postcode": "pe15 8aa",
    "accessibility": "Step-free access; hearing loop",
    "usual_duration_minutes": 120,
    "earns_credits": true
}))]
struct ActivityDetailsBody {
    title: String,
    #[serde(default)]
    description: String,
    /// `individual`, `group` or `collective`.
    level: String,
    /// `co_design`, `co_delivery`, `co_governance`, `peer_support` or `community_action`.
    mode: String,
    #[serde(default)]
    place: String,
    /// A UK postcode where the activity happens, normalised (`pe15 8aa` →
    /// `PE15 8AA`); leave it out (or null) when it happens at the
    /// organisation's postcode.
    #[serde(default)]
    postcode: Option<String>,
    #[serde(default)]
    accessibility: String,
    usual_duration_minutes: i64,
    #[serde(default = "yes")]
    earns_credits: bool,
}

fn yes() -> bool {
    true
}

impl ActivityDetailsBody {
    fn parse(self) -> Result<ActivityDetails, AppError> {
        Ok(ActivityDetails {
            level: CoProductionLevel::parse(self.level.trim()).ok_or_else(|| {
                AppError::invalid("level", "must be individual, group or collective")
            })?,
            mode: mode(&self.mode)?,
            title: self.title,
            description: self.description,
            place: self.place,
            postcode: self
                .postcode
                .filter(|p| !p.trim().is_empty())
                .map(|p| Postcode::parse(&p))
                .transpose()?,
            accessibility: self.accessibility,
            usual_duration_minutes: self.usual_duration_minutes,
            earns_credits: self.earns_credits,
        })
    }
}

/// A new activity of an organisation.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "organisation": "01966b4e-0000-7000-8000-000000000002",
    "title": "Residents' panel",
    "description": "Decide with staff how the hostel is run.",
    "level": "collective",
    "mode": "co_governance",
    "place": "Riverside Hostel",
    "accessibility": "Lift to the first floor",
    "usual_duration_minutes": 90,
    "earns_credits": true
}))]
struct NewActivityBody {
    organisation: String,
    #[serde(flatten)]
    #[schema(inline)]
    details: ActivityDetailsBody,
}

#[derive(Serialize, ToSchema)]
struct ActivityPageBody {
    items: Vec<ActivityBody>,
    /// Pass as `cursor` for the next page; null on the last page.
    next_cursor: Option<String>,
}

/// A scheduled session of an activity.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01966b4f-2222-7000-8000-000000000020",
    "activity": "01966b4e-7d1a-7c3e-9a55-1f2b3c4d5e6f",
    "starts_at": "2026-03-11T12:00:00Z",
    "ends_at": "2026-03-11T14:00:00Z",
    "capacity": 12
}))]
struct SessionBody {
    id: String,
    activity: String,
    starts_at: String,
    ends_at: String,
    capacity: i64,
}

impl From<&Session> for SessionBody {
    fn from(s: &Session) -> Self {
        Self {
            id: s.id.to_string(),
            activity: s.activity.to_string(),
            starts_at: timestamp(s.starts_at),
            ends_at: timestamp(s.ends_at),
            capacity: s.capacity,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "starts_at": "2026-03-11T12:00:00Z",
    "ends_at": "2026-03-11T14:00:00Z",
    "capacity": 12
}))]
struct NewSessionBody {
    starts_at: String,
    ends_at: String,
    capacity: i64,
}

#[derive(Serialize, ToSchema)]
struct SessionPageBody {
    items: Vec<SessionBody>,
    /// Pass as `cursor` for the next page; null on the last page.
    next_cursor: Option<String>,
}

/// A member's place on a session, or on its waiting list.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01966b4f-3333-7000-8000-000000000030",
    "session": "01966b4f-2222-7000-8000-000000000020",
    "member": "01966b4e-0000-7000-8000-000000000003",
    "status": "waiting",
    "signed_up_at": "2026-03-05T09:00:00Z",
    "promoted_at": null,
    "cancelled_at": null
}))]
struct SignUpBody {
    id: String,
    session: String,
    member: String,
    /// `confirmed` (has a place), `waiting` or `cancelled`.
    status: &'static str,
    signed_up_at: String,
    promoted_at: Option<String>,
    cancelled_at: Option<String>,
}

impl From<&SignUp> for SignUpBody {
    fn from(s: &SignUp) -> Self {
        Self {
            id: s.id.to_string(),
            session: s.session.to_string(),
            member: s.member.to_string(),
            status: s.status.as_str(),
            signed_up_at: timestamp(s.signed_up_at),
            promoted_at: s.promoted_at.map(timestamp),
            cancelled_at: s.cancelled_at.map(timestamp),
        }
    }
}

/// Who to sign up: the signed-in member when left out (send `{}`).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({ "member": "1234567" }))]
struct SignUpRequestBody {
    /// The member's id, or the 7-digit number on their card.
    #[serde(default)]
    member: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct SignUpListBody {
    items: Vec<SignUpBody>,
}

/// A cancelled sign-up, and who got the place it freed.
#[derive(Serialize, ToSchema)]
struct CancellationBody {
    cancelled: SignUpBody,
    promoted: Option<SignUpBody>,
}

impl From<&Cancellation> for CancellationBody {
    fn from(c: &Cancellation) -> Self {
        Self {
            cancelled: SignUpBody::from(&c.cancelled),
            promoted: c.promoted.as_ref().map(SignUpBody::from),
        }
    }
}

/// Time given, credited: minutes credited are always minutes given.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01966b4f-4444-7000-8000-000000000040",
    "programme": "01966b4e-0000-7000-8000-000000000001",
    "organisation": "01966b4e-0000-7000-8000-000000000002",
    "activity": "01966b4e-7d1a-7c3e-9a55-1f2b3c4d5e6f",
    "session": "01966b4f-2222-7000-8000-000000000020",
    "member": "01966b4e-0000-7000-8000-000000000003",
    "date": "2026-03-11",
    "minutes": 120,
    "origin": "register",
    "claim": null,
    "corrects": null,
    "superseded_by": null,
    "note": "",
    "transfer_id": "01966b4f-4444-7000-8000-000000000040",
    "recorded_at": "2026-03-11T15:00:00Z"
}))]
struct ContributionBody {
    id: String,
    programme: String,
    organisation: String,
    activity: String,
    session: Option<String>,
    member: String,
    /// The day the time was given, in the programme's time zone.
    date: String,
    minutes: i64,
    /// `register`, `claim`, `direct` or `correction`.
    origin: &'static str,
    claim: Option<String>,
    /// The contribution this one corrects.
    corrects: Option<String>,
    /// The contribution that corrected this one.
    superseded_by: Option<String>,
    note: String,
    /// The issuance transfer.
    transfer_id: String,
    recorded_at: String,
}

impl From<&Contribution> for ContributionBody {
    fn from(c: &Contribution) -> Self {
        Self {
            id: c.id.to_string(),
            programme: c.programme.to_string(),
            organisation: c.organisation.to_string(),
            activity: c.activity.to_string(),
            session: c.session.map(|s| s.to_string()),
            member: c.member.to_string(),
            date: c.date.to_string(),
            minutes: c.minutes,
            origin: c.origin.as_str(),
            claim: c.claim.map(|s| s.to_string()),
            corrects: c.corrects.map(|s| s.to_string()),
            superseded_by: c.superseded_by.map(|s| s.to_string()),
            note: c.note.clone(),
            transfer_id: c.transfer.to_string(),
            recorded_at: timestamp(c.recorded_at),
        }
    }
}

/// A posting made (or, for a retry, already made) by the request.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c", "kind": "issue",
    "debit": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600010", "credit": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600003",
    "amount_minutes": 90, "at": "2026-03-04T12:00:00Z", "reason": "Lunch club", "reverses": null
}))]
struct PostingBody {
    id: String,
    /// `issue`, or `reverse` for the undoing of a corrected issuance.
    kind: &'static str,
    debit: String,
    credit: String,
    amount_minutes: i64,
    at: String,
    reason: String,
    reverses: Option<String>,
}

impl From<&Transfer> for PostingBody {
    fn from(t: &Transfer) -> Self {
        Self {
            id: t.id.to_string(),
            kind: t.kind.as_str(),
            debit: t.debit.to_string(),
            credit: t.credit.to_string(),
            amount_minutes: t.amount.get(),
            at: timestamp(t.at),
            reason: t.reason.clone(),
            reverses: t.reverses.map(|r| r.to_string()),
        }
    }
}

/// What a request recorded, and the postings that issued the credits.
#[derive(Serialize, ToSchema)]
struct RecordedBody {
    contributions: Vec<ContributionBody>,
    postings: Vec<PostingBody>,
}

/// 201 for a new record; 200 and the same body for a retry.
fn recorded(r: &Recorded) -> (StatusCode, Json<RecordedBody>) {
    let status = if r.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let body = RecordedBody {
        contributions: r.contributions.iter().map(ContributionBody::from).collect(),
        postings: r
            .plan
            .outcomes
            .iter()
            .map(|o| PostingBody::from(o.transfer()))
            .collect(),
    };
    (status, Json(body))
}

/// One attendee on a register.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "member": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600002", "member_number": "3182045",
    "display_name": "Alice Able", "default_minutes": 120
}))]
struct AttendeeBody {
    member: String,
    member_number: String,
    display_name: String,
    /// Minutes credited if marked present and not adjusted.
    default_minutes: i64,
}

/// A session's attendance register.
#[derive(Serialize, ToSchema)]
struct RegisterBody {
    session: SessionBody,
    activity: ActivityBody,
    /// The day of the session, in the programme's time zone.
    date: String,
    attendees: Vec<AttendeeBody>,
    /// When it was confirmed; null while open.
    confirmed_at: Option<String>,
    contributions: Vec<ContributionBody>,
}

impl From<&RegisterSheet> for RegisterBody {
    fn from(r: &RegisterSheet) -> Self {
        Self {
            session: SessionBody::from(&r.session),
            activity: ActivityBody::from(&r.activity),
            date: r.date.to_string(),
            attendees: r
                .attendees
                .iter()
                .map(|(_, m)| AttendeeBody {
                    member: m.id.to_string(),
                    member_number: m.number.value().to_string(),
                    display_name: m.display_name.clone(),
                    default_minutes: r.default_minutes,
                })
                .collect(),
            confirmed_at: r.confirmed.as_ref().map(|c| timestamp(c.confirmed_at)),
            contributions: r.contributions.iter().map(ContributionBody::from).collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
struct RegisterEntryBody {
    /// The member's id, or the 7-digit number on their card.
    member: String,
    attended: bool,
    /// Minutes given; the session's length when left out.
    #[serde(default)]
    minutes: Option<i64>,
}

/// Who came and for how long. Signed-up members left out are absent.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({ "entries": [
    { "member": "1234567", "attended": true },
    { "member": "2345678", "attended": true, "minutes": 90 },
    { "member": "3456789", "attended": false }
]}))]
struct ConfirmRegisterBody {
    entries: Vec<RegisterEntryBody>,
}

/// Time a coordinator records directly.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "member": "1234567",
    "activity": "01966b4e-7d1a-7c3e-9a55-1f2b3c4d5e6f",
    "session": null,
    "date": "2026-03-09",
    "minutes": 90,
    "note": "Set up the room"
}))]
struct DirectRecordBody {
    /// The member's id, or the 7-digit number on their card.
    member: String,
    activity: String,
    #[serde(default)]
    session: Option<String>,
    /// `YYYY-MM-DD`, the day the time was given.
    date: String,
    minutes: i64,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({ "minutes": 90, "reason": "Left an hour early" }))]
struct CorrectionBody {
    /// The minutes actually given.
    minutes: i64,
    /// Why the record was wrong.
    reason: String,
}

/// A member's claim for time given.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01966b4f-5555-7000-8000-000000000050",
    "organisation": "01966b4e-0000-7000-8000-000000000002",
    "activity": "01966b4e-7d1a-7c3e-9a55-1f2b3c4d5e6f",
    "member": "01966b4e-0000-7000-8000-000000000003",
    "date": "2026-03-09",
    "minutes": 90,
    "note": "Panel meeting",
    "status": "rejected",
    "claimed_at": "2026-03-09T18:00:00Z",
    "decided_at": "2026-03-10T09:00:00Z",
    "rejection_reason": "The panel did not meet that day",
    "contribution": null
}))]
struct ClaimBody {
    id: String,
    organisation: String,
    activity: String,
    member: String,
    date: String,
    minutes: i64,
    note: String,
    /// `pending` (waiting for a decision), `confirmed` or `rejected`.
    status: &'static str,
    claimed_at: String,
    decided_at: Option<String>,
    /// Why it was rejected, for the member to read.
    rejection_reason: Option<String>,
    /// The contribution its confirmation recorded.
    contribution: Option<String>,
}

impl From<&Claim> for ClaimBody {
    fn from(c: &Claim) -> Self {
        Self {
            id: c.id.to_string(),
            organisation: c.organisation.to_string(),
            activity: c.activity.to_string(),
            member: c.member.to_string(),
            date: c.date.to_string(),
            minutes: c.minutes,
            note: c.note.clone(),
            status: c.status.as_str(),
            claimed_at: timestamp(c.claimed_at),
            decided_at: c.decided_at.map(timestamp),
            rejection_reason: c.rejection_reason.clone(),
            contribution: c.contribution.map(|s| s.to_string()),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "activity": "01966b4e-7d1a-7c3e-9a55-1f2b3c4d5e6f",
    "date": "2026-03-09",
    "minutes": 90,
    "note": "Panel meeting"
}))]
struct NewClaimBody {
    activity: String,
    /// `YYYY-MM-DD`, the day the time was given.
    date: String,
    minutes: i64,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({ "reason": "The panel did not meet that day" }))]
struct RejectionBody {
    reason: String,
}

#[derive(Serialize, ToSchema)]
struct ClaimPageBody {
    items: Vec<ClaimBody>,
    /// Pass as `cursor` for the next page; null on the last page.
    next_cursor: Option<String>,
}

fn claim_page(page: &Page<Claim>) -> ClaimPageBody {
    ClaimPageBody {
        items: page.items.iter().map(ClaimBody::from).collect(),
        next_cursor: page
            .more
            .then(|| page.items.last().map(|c| c.id.to_string()))
            .flatten(),
    }
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

fn mode(value: &str) -> Result<CoProductionMode, AppError> {
    CoProductionMode::parse(value.trim()).ok_or_else(|| {
        AppError::invalid(
            "mode",
            "must be co_design, co_delivery, co_governance, peer_support or community_action",
        )
    })
}

fn date(field: &'static str, value: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, "must be a date such as 2026-03-09"))
}

fn instant(field: &'static str, value: &str) -> Result<DateTime<Utc>, AppError> {
    // A `+` in an unencoded query string arrives as a space.
    DateTime::parse_from_rfc3339(&value.trim().replace(' ', "+"))
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            AppError::invalid(
                field,
                "must be a date and time such as 2026-03-11T12:00:00Z",
            )
        })
}

fn activity_id(value: &str) -> Result<ActivityId, AppError> {
    Ok(ActivityId(parse_uuid("activity id", value)?))
}

fn session_id(value: &str) -> Result<SessionId, AppError> {
    Ok(SessionId(parse_uuid("session id", value)?))
}

fn claim_id(value: &str) -> Result<ClaimId, AppError> {
    Ok(ClaimId(parse_uuid("claim id", value)?))
}

fn contribution_id(value: &str) -> Result<ContributionId, AppError> {
    Ok(ContributionId(parse_uuid("contribution id", value)?))
}

/// A session cursor: the last session's start (microseconds) and id.
fn session_cursor(s: &Session) -> String {
    format!("{}~{}", s.starts_at.timestamp_micros(), s.id)
}

fn parse_session_cursor(value: &str) -> Result<(DateTime<Utc>, SessionId), AppError> {
    let bad = || AppError::invalid("cursor", "is not a cursor this API gave out");
    let (micros, id) = value.trim().split_once('~').ok_or_else(bad)?;
    let at = micros
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(bad)?;
    let id = uuid::Uuid::try_parse(id).map_err(|_| bad())?;
    Ok((at, SessionId(id)))
}

// ---------------------------------------------------------------------------
// Activities

/// Adds an activity to an organisation (its coordinators, or the programme's managers).
#[utoipa::path(
    post, path = "/activities", operation_id = "create_activity", tag = "activities",
    request_body = NewActivityBody,
    responses(
        (status = 201, description = "the activity", body = ActivityBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only the organisation's coordinators and the programme's managers", body = ProblemDoc),
        (status = 404, description = "no such organisation, or not yours", body = ProblemDoc),
        (status = 422, description = "title_missing, title_too_long, text_too_long, duration_out_of_range or invalid_input", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn create_activity(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiJson(body): ApiJson<NewActivityBody>,
) -> Result<(StatusCode, Json<ActivityBody>), ApiError> {
    let organisation = OrganisationId(parse_uuid("organisation id", &body.organisation)?);
    let details = body.details.parse()?;
    let activity = state
        .app
        .create_activity(&actor, organisation, details)
        .await?;
    Ok((StatusCode::CREATED, Json(ActivityBody::from(&activity))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ActivityListQuery {
    /// Only for people who belong to several programmes.
    programme: Option<String>,
    organisation: Option<String>,
    /// `individual`, `group` or `collective`.
    level: Option<String>,
    /// `co_design`, `co_delivery`, `co_governance`, `peer_support` or `community_action`.
    mode: Option<String>,
    /// Part of the place, in any case.
    place: Option<String>,
    /// `YYYY-MM-DD`: only activities with a session that day.
    day: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The programme's activities, in the order they were added, filtered.
#[utoipa::path(
    get, path = "/activities", operation_id = "list_activities", tag = "activities",
    params(ActivityListQuery),
    responses(
        (status = 200, description = "one page of activities", body = ActivityPageBody),
        (status = 400, description = "a malformed query", body = ProblemDoc),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such programme, or not yours", body = ProblemDoc),
        (status = 422, description = "a bad filter, cursor or limit", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn list_activities(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    q: Result<Query<ActivityListQuery>, QueryRejection>,
) -> Result<Json<ActivityPageBody>, ApiError> {
    let q = query(q)?;
    let filter = ActivityQuery {
        programme: non_empty(q.programme)
            .map(|p| parse_uuid("programme id", &p).map(ProgrammeId))
            .transpose()?,
        organisation: non_empty(q.organisation)
            .map(|o| parse_uuid("organisation id", &o).map(OrganisationId))
            .transpose()?,
        level: non_empty(q.level)
            .map(|l| {
                CoProductionLevel::parse(l.trim()).ok_or_else(|| {
                    AppError::invalid("level", "must be individual, group or collective")
                })
            })
            .transpose()?,
        mode: non_empty(q.mode).map(|m| mode(&m)).transpose()?,
        place: non_empty(q.place),
        day: non_empty(q.day).map(|d| date("day", &d)).transpose()?,
        after: non_empty(q.cursor).map(|c| activity_id(&c)).transpose()?,
        limit: q.limit,
    };
    let page = state.app.list_activities(&actor, filter).await?;
    Ok(Json(ActivityPageBody {
        items: page.items.iter().map(ActivityBody::from).collect(),
        next_cursor: page
            .more
            .then(|| page.items.last().map(|a| a.id.to_string()))
            .flatten(),
    }))
}

/// One activity of the caller's programme.
#[utoipa::path(
    get, path = "/activities/{id}", operation_id = "get_activity", tag = "activities",
    params(("id" = uuid::Uuid, Path, description = "the activity's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the activity", body = ActivityBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such activity, or not yours", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn get_activity(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
) -> Result<Json<ActivityBody>, ApiError> {
    let activity = state.app.activity(&actor, activity_id(&id)?).await?;
    Ok(Json(ActivityBody::from(&activity)))
}

/// Replaces an activity's details.
#[utoipa::path(
    put, path = "/activities/{id}", operation_id = "update_activity", tag = "activities",
    params(("id" = uuid::Uuid, Path, description = "the activity's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = ActivityDetailsBody,
    responses(
        (status = 200, description = "the activity as updated", body = ActivityBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only the organisation's coordinators and the programme's managers", body = ProblemDoc),
        (status = 404, description = "no such activity, or not yours", body = ProblemDoc),
        (status = 422, description = "title_missing, title_too_long, text_too_long, duration_out_of_range or invalid_input", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn update_activity(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActivityDetailsBody>,
) -> Result<Json<ActivityBody>, ApiError> {
    let id = activity_id(&id)?;
    let activity = state.app.update_activity(&actor, id, body.parse()?).await?;
    Ok(Json(ActivityBody::from(&activity)))
}

// ---------------------------------------------------------------------------
// Sessions and sign-ups

/// Schedules a session of an activity.
#[utoipa::path(
    post, path = "/activities/{id}/sessions", operation_id = "create_activity_session", tag = "activities",
    params(("id" = uuid::Uuid, Path, description = "the activity's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = NewSessionBody,
    responses(
        (status = 201, description = "the session", body = SessionBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only the organisation's coordinators and the programme's managers", body = ProblemDoc),
        (status = 404, description = "no such activity, or not yours", body = ProblemDoc),
        (status = 422, description = "session_ends_before_it_starts, session_too_long, capacity_out_of_range or invalid_input", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn create_session(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewSessionBody>,
) -> Result<(StatusCode, Json<SessionBody>), ApiError> {
    let id = activity_id(&id)?;
    let new = NewSession {
        starts_at: instant("starts_at", &body.starts_at)?,
        ends_at: instant("ends_at", &body.ends_at)?,
        capacity: body.capacity,
    };
    let session = state.app.create_session(&actor, id, new).await?;
    Ok((StatusCode::CREATED, Json(SessionBody::from(&session))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SessionListQuery {
    /// Sessions starting at or after this time (RFC 3339); now when left out.
    from: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// An activity's upcoming sessions, soonest first.
#[utoipa::path(
    get, path = "/activities/{id}/sessions", operation_id = "list_activity_sessions", tag = "activities",
    params(("id" = uuid::Uuid, Path, description = "the activity's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"), SessionListQuery),
    responses(
        (status = 200, description = "one page of sessions", body = SessionPageBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such activity, or not yours", body = ProblemDoc),
        (status = 422, description = "a bad time, cursor or limit", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn list_sessions(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
    q: Result<Query<SessionListQuery>, QueryRejection>,
) -> Result<Json<SessionPageBody>, ApiError> {
    let q = query(q)?;
    let id = activity_id(&id)?;
    let from = non_empty(q.from).map(|f| instant("from", &f)).transpose()?;
    let after = non_empty(q.cursor)
        .map(|c| parse_session_cursor(&c))
        .transpose()?;
    let page = state
        .app
        .list_sessions(&actor, id, from, after, q.limit)
        .await?;
    Ok(Json(SessionPageBody {
        items: page.items.iter().map(SessionBody::from).collect(),
        next_cursor: page
            .more
            .then(|| page.items.last().map(session_cursor))
            .flatten(),
    }))
}

/// Signs a member up to a session: the signed-in member, or (by a
/// coordinator or manager) the member named. A full session puts them on
/// the waiting list.
#[utoipa::path(
    post, path = "/sessions/{id}/sign-ups", operation_id = "sign_up_to_session", tag = "activities",
    params(("id" = uuid::Uuid, Path, description = "the session's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = SignUpRequestBody,
    responses(
        (status = 201, description = "the sign-up: `confirmed` with a place, or `waiting`", body = SignUpBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "members sign up only themselves", body = ProblemDoc),
        (status = 404, description = "no such session or member, or not yours", body = ProblemDoc),
        (status = 409, description = "already_signed_up or session_already_started", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn sign_up(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SignUpRequestBody>,
) -> Result<(StatusCode, Json<SignUpBody>), ApiError> {
    let id = session_id(&id)?;
    let member = match non_empty(body.member) {
        Some(m) => Some(member_ref(&state.app, &m).await?),
        None => None,
    };
    let sign_up = state.app.sign_up(&actor, id, member).await?;
    Ok((StatusCode::CREATED, Json(SignUpBody::from(&sign_up))))
}

/// A session's places and waiting list, in order.
#[utoipa::path(
    get, path = "/sessions/{id}/sign-ups", operation_id = "list_session_sign_ups", tag = "activities",
    params(("id" = uuid::Uuid, Path, description = "the session's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "places first, then the waiting list", body = SignUpListBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only the organisation's coordinators and the programme's managers", body = ProblemDoc),
        (status = 404, description = "no such session, or not yours", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn list_sign_ups(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
) -> Result<Json<SignUpListBody>, ApiError> {
    let sign_ups = state.app.sign_ups(&actor, session_id(&id)?).await?;
    Ok(Json(SignUpListBody {
        items: sign_ups.iter().map(SignUpBody::from).collect(),
    }))
}

/// Cancels a member's sign-up; the first on the waiting list gets the place.
#[utoipa::path(
    delete, path = "/sessions/{id}/sign-ups/{member}", operation_id = "cancel_session_sign_up", tag = "activities",
    params(
        ("id" = uuid::Uuid, Path, description = "the session's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("member" = String, Path, description = "the member's id or 7-digit number", example = "3182045"),
    ),
    responses(
        (status = 200, description = "the cancelled sign-up and anyone promoted", body = CancellationBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "members cancel only their own", body = ProblemDoc),
        (status = 404, description = "no such session or member, or not yours", body = ProblemDoc),
        (status = 409, description = "not_signed_up or session_already_started", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn cancel_sign_up(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path((id, member)): Path<(String, String)>,
) -> Result<Json<CancellationBody>, ApiError> {
    let id = session_id(&id)?;
    let member = member_ref(&state.app, &member).await?;
    let cancellation = state.app.cancel_sign_up(&actor, id, member).await?;
    Ok(Json(CancellationBody::from(&cancellation)))
}

// ---------------------------------------------------------------------------
// Registers, records and corrections

/// Opens a session's attendance register: those with a place, and the
/// minutes each gets by default.
#[utoipa::path(
    get, path = "/sessions/{id}/register", operation_id = "get_session_register", tag = "activities",
    params(("id" = uuid::Uuid, Path, description = "the session's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the register", body = RegisterBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only the organisation's coordinators and the programme's managers", body = ProblemDoc),
        (status = 404, description = "no such session, or not yours", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn get_register(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
) -> Result<Json<RegisterBody>, ApiError> {
    let sheet = state.app.register_sheet(&actor, session_id(&id)?).await?;
    Ok(Json(RegisterBody::from(&sheet)))
}

/// Confirms a register: one contribution per attendee and all their
/// credits in one atomic step.
#[utoipa::path(
    post, path = "/sessions/{id}/register/confirmation", operation_id = "confirm_session_register", tag = "activities",
    params(
        ("id" = uuid::Uuid, Path, description = "the session's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("Idempotency-Key" = uuid::Uuid, Header, description = "a new UUID per request; the same one on a retry", example = "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c"),
    ),
    request_body = ConfirmRegisterBody,
    responses(
        (status = 201, description = "the contributions and their issuance postings", body = RecordedBody),
        (status = 200, description = "a retry: what was recorded", body = RecordedBody),
        (status = 400, description = "idempotency_key_required or a malformed id", body = ProblemDoc),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only those who confirm the organisation's hours", body = ProblemDoc),
        (status = 404, description = "no such session or member, or not yours", body = ProblemDoc),
        (status = 409, description = "register_already_confirmed, daily_cap_exceeded, duplicate_contribution or idempotency_conflict", body = ProblemDoc),
        (status = 422, description = "future_date, not_a_whole_number_of_steps, activity_does_not_earn, not_on_register or duplicate_entry", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn confirm_register(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(body): ApiJson<ConfirmRegisterBody>,
) -> Result<(StatusCode, Json<RecordedBody>), ApiError> {
    let id = session_id(&id)?;
    let mut entries = Vec::with_capacity(body.entries.len());
    for e in body.entries {
        entries.push(RegisterEntry {
            member: member_ref(&state.app, &e.member).await?,
            attended: e.attended,
            minutes: e.minutes,
        });
    }
    let r = state.app.confirm_register(&actor, id, key, entries).await?;
    Ok(recorded(&r))
}

/// Records a member's time directly; the credits are issued at once.
#[utoipa::path(
    post, path = "/contributions", operation_id = "record_contribution", tag = "activities",
    params(("Idempotency-Key" = uuid::Uuid, Header, description = "a new UUID per request; the same one on a retry", example = "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c")),
    request_body = DirectRecordBody,
    responses(
        (status = 201, description = "the contribution and its issuance", body = RecordedBody),
        (status = 200, description = "a retry: what was recorded", body = RecordedBody),
        (status = 400, description = "idempotency_key_required or a malformed id", body = ProblemDoc),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only those who confirm the organisation's hours", body = ProblemDoc),
        (status = 404, description = "no such activity or member, or not yours", body = ProblemDoc),
        (status = 409, description = "daily_cap_exceeded, duplicate_contribution or idempotency_conflict", body = ProblemDoc),
        (status = 422, description = "future_date, not_a_whole_number_of_steps, activity_does_not_earn or session_not_of_activity", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn record_contribution(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(body): ApiJson<DirectRecordBody>,
) -> Result<(StatusCode, Json<RecordedBody>), ApiError> {
    let record = DirectRecord {
        member: member_ref(&state.app, &body.member).await?,
        activity: activity_id(&body.activity)?,
        session: non_empty(body.session)
            .map(|s| session_id(&s))
            .transpose()?,
        date: date("date", &body.date)?,
        minutes: body.minutes,
        note: body.note,
    };
    let r = state.app.record_contribution(&actor, key, record).await?;
    Ok(recorded(&r))
}

/// One contribution: for its member, the organisation's coordinators and the programme's managers.
#[utoipa::path(
    get, path = "/contributions/{id}", operation_id = "get_contribution", tag = "activities",
    params(("id" = uuid::Uuid, Path, description = "the contribution's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the contribution", body = ContributionBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such contribution, or not yours", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn get_contribution(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
) -> Result<Json<ContributionBody>, ApiError> {
    let c = state
        .app
        .contribution(&actor, contribution_id(&id)?)
        .await?;
    Ok(Json(ContributionBody::from(&c)))
}

/// Corrects a contribution: a new contribution and issuance, then the
/// reversal of the old issuance, in one batch. The old record is kept,
/// marked as superseded.
#[utoipa::path(
    post, path = "/contributions/{id}/correction", operation_id = "correct_contribution", tag = "activities",
    params(
        ("id" = uuid::Uuid, Path, description = "the contribution's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("Idempotency-Key" = uuid::Uuid, Header, description = "a new UUID per request; the same one on a retry", example = "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c"),
    ),
    request_body = CorrectionBody,
    responses(
        (status = 201, description = "the new contribution, its issuance and the reversal", body = RecordedBody),
        (status = 200, description = "a retry: what was recorded", body = RecordedBody),
        (status = 400, description = "idempotency_key_required or a malformed id", body = ProblemDoc),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only those who confirm the organisation's hours", body = ProblemDoc),
        (status = 404, description = "no such contribution, or not yours", body = ProblemDoc),
        (status = 409, description = "contribution_already_corrected, daily_cap_exceeded, insufficient_credits, already_reversed or idempotency_conflict", body = ProblemDoc),
        (status = 422, description = "correction_changes_nothing, not_a_whole_number_of_steps or reason_required", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn correct_contribution(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(body): ApiJson<CorrectionBody>,
) -> Result<(StatusCode, Json<RecordedBody>), ApiError> {
    let id = contribution_id(&id)?;
    let r = state
        .app
        .correct_contribution(&actor, id, key, body.minutes, &body.reason)
        .await?;
    Ok(recorded(&r))
}

// ---------------------------------------------------------------------------
// Claims

/// The signed-in member claims time they gave, for a coordinator to confirm.
#[utoipa::path(
    post, path = "/claims", operation_id = "create_claim", tag = "activities",
    request_body = NewClaimBody,
    responses(
        (status = 201, description = "the claim, pending", body = ClaimBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only members claim", body = ProblemDoc),
        (status = 404, description = "no such activity, or not in your programme", body = ProblemDoc),
        (status = 422, description = "claims_not_allowed, future_date, not_a_whole_number_of_steps, activity_does_not_earn or text_too_long", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn create_claim(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiJson(body): ApiJson<NewClaimBody>,
) -> Result<(StatusCode, Json<ClaimBody>), ApiError> {
    let new = NewClaim {
        activity: activity_id(&body.activity)?,
        date: date("date", &body.date)?,
        minutes: body.minutes,
        note: body.note,
    };
    let claim = state.app.create_claim(&actor, new).await?;
    Ok((StatusCode::CREATED, Json(ClaimBody::from(&claim))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ClaimListQuery {
    /// Items per page, 1 to 200 (default 50).
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The signed-in member's claims, newest first, with their status and any reason.
#[utoipa::path(
    get, path = "/claims/mine", operation_id = "list_my_claims", tag = "activities",
    params(ClaimListQuery),
    responses(
        (status = 200, description = "one page of claims", body = ClaimPageBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only members have claims", body = ProblemDoc),
        (status = 422, description = "a bad cursor or limit", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn my_claims(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    q: Result<Query<ClaimListQuery>, QueryRejection>,
) -> Result<Json<ClaimPageBody>, ApiError> {
    let q = query(q)?;
    let before = non_empty(q.cursor).map(|c| claim_id(&c)).transpose()?;
    let page = state.app.my_claims(&actor, before, q.limit).await?;
    Ok(Json(claim_page(&page)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PendingClaimsQuery {
    /// The organisation whose claims to decide.
    organisation: String,
    /// Items per page, 1 to 200 (default 50).
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Claims waiting for a decision at an organisation, newest first.
#[utoipa::path(
    get, path = "/claims/pending", operation_id = "list_pending_claims", tag = "activities",
    params(PendingClaimsQuery),
    responses(
        (status = 200, description = "one page of pending claims", body = ClaimPageBody),
        (status = 400, description = "a malformed query", body = ProblemDoc),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only the organisation's coordinators and the programme's managers", body = ProblemDoc),
        (status = 404, description = "no such organisation, or not yours", body = ProblemDoc),
        (status = 422, description = "a bad cursor or limit", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn pending_claims(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    q: Result<Query<PendingClaimsQuery>, QueryRejection>,
) -> Result<Json<ClaimPageBody>, ApiError> {
    let q = query(q)?;
    let organisation = OrganisationId(parse_uuid("organisation id", &q.organisation)?);
    let before = non_empty(q.cursor).map(|c| claim_id(&c)).transpose()?;
    let page = state
        .app
        .pending_claims(&actor, organisation, before, q.limit)
        .await?;
    Ok(Json(claim_page(&page)))
}

/// One claim: for its member, and those who decide it.
#[utoipa::path(
    get, path = "/claims/{id}", operation_id = "get_claim", tag = "activities",
    params(("id" = uuid::Uuid, Path, description = "the claim's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the claim", body = ClaimBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such claim, or not yours", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn get_claim(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
) -> Result<Json<ClaimBody>, ApiError> {
    let claim = state.app.claim(&actor, claim_id(&id)?).await?;
    Ok(Json(ClaimBody::from(&claim)))
}

/// Confirms a claim: the contribution and its credits in one step.
#[utoipa::path(
    post, path = "/claims/{id}/confirmation", operation_id = "confirm_claim", tag = "activities",
    params(
        ("id" = uuid::Uuid, Path, description = "the claim's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("Idempotency-Key" = uuid::Uuid, Header, description = "a new UUID per request; the same one on a retry", example = "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c"),
    ),
    responses(
        (status = 201, description = "the contribution and its issuance", body = RecordedBody),
        (status = 200, description = "a retry: what was recorded", body = RecordedBody),
        (status = 400, description = "idempotency_key_required or a malformed id", body = ProblemDoc),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only those who confirm the organisation's hours, never the claimant", body = ProblemDoc),
        (status = 404, description = "no such claim, or not yours", body = ProblemDoc),
        (status = 409, description = "claim_already_decided, daily_cap_exceeded or idempotency_conflict", body = ProblemDoc),
        (status = 422, description = "not_a_whole_number_of_steps or activity_does_not_earn", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn confirm_claim(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
) -> Result<(StatusCode, Json<RecordedBody>), ApiError> {
    let r = state.app.confirm_claim(&actor, claim_id(&id)?, key).await?;
    Ok(recorded(&r))
}

/// Rejects a claim with a reason the member sees.
#[utoipa::path(
    post, path = "/claims/{id}/rejection", operation_id = "reject_claim", tag = "activities",
    params(("id" = uuid::Uuid, Path, description = "the claim's id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = RejectionBody,
    responses(
        (status = 200, description = "the claim, rejected", body = ClaimBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "only those who confirm the organisation's hours, never the claimant", body = ProblemDoc),
        (status = 404, description = "no such claim, or not yours", body = ProblemDoc),
        (status = 409, description = "claim_already_decided", body = ProblemDoc),
        (status = 422, description = "reason_required or text_too_long", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
async fn reject_claim(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RejectionBody>,
) -> Result<Json<ClaimBody>, ApiError> {
    let claim = state
        .app
        .reject_claim(&actor, claim_id(&id)?, &body.reason)
        .await?;
    Ok(Json(ClaimBody::from(&claim)))
}
