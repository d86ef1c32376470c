//! The JSON API under `/api/v1`. Callers sign in for a bearer token, then
//! read balances and statements and post transfers. Every transfer request
//! carries an `Idempotency-Key` (a UUID) that becomes the transfer's id, so
//! a retried request never pays twice: a retry gets 200 and the same body.
//! Failures are RFC 9457 problem documents with a stable `code`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use timecredits_app::{
    Actor, App, AppError, GiftRequest, MemberId, MemberNumber, ReverseRequest, RoleGrant, Scope,
    Statement,
};
use timecredits_ledger::{
    AccountId, LedgerError, MINUTES_PER_CREDIT, Outcome, Transfer, TransferId,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::{ApiError, Problem};
use crate::format::timestamp;
use crate::pages::ClientAddress;
use crate::{AppState, member_summary};

/// The header that carries a transfer's id, chosen by the client.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The API's routes (relative to `/api/v1`) and the OpenAPI description of
/// those documented so far.
pub(crate) fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (documented, doc) = OpenApiRouter::new()
        .routes(routes!(create_token))
        .routes(routes!(me))
        .routes(routes!(statement))
        .routes(routes!(give_gift))
        .routes(routes!(reverse_transfer))
        .merge(crate::areas::routes())
        .split_for_parts();
    let router = documented
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    (router, doc)
}

async fn not_found() -> ApiError {
    Problem::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "there is no API endpoint at this address",
    )
    .into()
}

async fn method_not_allowed() -> ApiError {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not accept that method",
    )
    .into()
}

// ---------------------------------------------------------------------------
// Extractors: each turns part of a request into a domain value or a problem.

/// The header staff send to act for a member who asked them to.
const ON_BEHALF_OF: &str = "on-behalf-of";

/// The actor behind an `Authorization: Bearer` token: its holder, or the
/// member they act for when the request carries `On-Behalf-Of`.
pub(crate) struct Bearer(pub(crate) Actor);

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<AppState> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or(AppError::Unauthenticated)?;
        let actor = state.app.bearer_actor(token).await?;
        let Some(member) = parts.headers.get(ON_BEHALF_OF) else {
            return Ok(Self(actor));
        };
        let member = member
            .to_str()
            .map_err(|_| malformed("On-Behalf-Of member", "(not text)"))?;
        let member = member_ref(&state.app, member).await?;
        Ok(Self(state.app.act_for(&actor, member).await?))
    }
}

/// The `Idempotency-Key` header as the id of the transfer to post.
pub(crate) struct IdempotencyKey(pub(crate) TransferId);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(IDEMPOTENCY_KEY) else {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_required",
                "send an Idempotency-Key header with a new UUID for each new request, and the same one when you retry it",
            )
            .into());
        };
        let value = value.to_str().unwrap_or_default();
        // A structured-field string may arrive quoted.
        let key = value.trim().trim_matches('"');
        Ok(Self(TransferId(parse_uuid("Idempotency-Key", key)?)))
    }
}

/// A JSON body, with failures to read it as problem documents.
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(body_problem(&rejection).into()),
        }
    }
}

fn body_problem(rejection: &JsonRejection) -> Problem {
    let detail = rejection.body_text();
    match rejection {
        JsonRejection::JsonDataError(_) => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", detail)
        }
        JsonRejection::MissingJsonContentType(_) => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json",
        ),
        _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is too large",
        ),
        _ => Problem::new(StatusCode::BAD_REQUEST, "malformed_body", detail),
    }
}

/// Parses an id, naming what it was when it is not a UUID.
pub(crate) fn parse_uuid(what: &'static str, value: &str) -> Result<Uuid, AppError> {
    Uuid::try_parse(value.trim()).map_err(|_| malformed(what, value))
}

fn malformed(what: &'static str, value: &str) -> AppError {
    LedgerError::MalformedId {
        what,
        value: value.chars().take(64).collect(),
    }
    .into()
}

/// A member named by id, or by the 7-digit number on their card.
pub(crate) async fn member_ref(app: &App, value: &str) -> Result<MemberId, AppError> {
    if let Ok(id) = Uuid::try_parse(value.trim()) {
        return Ok(MemberId(id));
    }
    if let Ok(number) = value.parse::<MemberNumber>() {
        let member = app.store().member_by_number(number).await?;
        return member.map(|m| m.id).ok_or(AppError::NotFound("member"));
    }
    Err(malformed("member id", value))
}

// ---------------------------------------------------------------------------
// Tokens and the caller

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"login": "manager@demo.timecredits.org", "secret": "fen-manager-demo"}))]
struct TokenRequest {
    login: String,
    secret: String,
    #[serde(default)]
    label: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"token": "tc_3q2+7w…", "token_type": "Bearer", "expires_at": "2026-12-26T09:00:00Z"}))]
struct TokenBody {
    token: String,
    token_type: &'static str,
    expires_at: String,
}

/// Signs in with an email and password, or a member number and PIN, and
/// returns a bearer token for the API.
#[utoipa::path(post, path = "/tokens", operation_id = "create_token", tag = "identity",
    request_body = TokenRequest,
    responses((status = 201, description = "a new token; send it as `Authorization: Bearer …`", body = TokenBody),
        (status = 401, description = "the sign-in details are not right", body = crate::openapi::ProblemDoc),
        (status = 422, description = "a field is missing or of the wrong type", body = crate::openapi::ProblemDoc),
        (status = 429, description = "too many failed sign-ins for this account or address (`too_many_attempts`); wait and try again", body = crate::openapi::ProblemDoc)))]
async fn create_token(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<(StatusCode, Json<TokenBody>), ApiError> {
    if let Err(minutes) = state.throttle.check(&request.login, address) {
        return Err(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!("too many failed sign-ins for this account or address; wait {minutes} minute(s) and try again"),
        )
        .into());
    }
    let user = match state
        .app
        .authenticate(&request.login, &request.secret)
        .await
    {
        Err(AppError::BadCredentials) => {
            state.throttle.failed(&request.login, address);
            return Err(AppError::BadCredentials.into());
        }
        other => other?,
    };
    let label = request.label.as_deref().unwrap_or("api");
    let (token, record) = state.app.issue_api_token(&user, label).await?;
    tracing::info!(user.id = %user.id, "api token issued");
    let body = TokenBody {
        token,
        token_type: "Bearer",
        expires_at: timestamp(record.expires_at),
    };
    Ok((StatusCode::CREATED, Json(body)))
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "user_id": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600001", "display_name": "Alice Able",
    "roles": [{"role": "member", "scope": "programme", "scope_id": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"}],
    "member": {"member_id": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600002", "member_number": "3182045",
        "programme": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182", "account_id": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600003",
        "balance_minutes": 450, "balance_credits": 7}
}))]
struct MeBody {
    user_id: String,
    display_name: String,
    roles: Vec<RoleBody>,
    member: Option<MemberBody>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct RoleBody {
    role: &'static str,
    scope: &'static str,
    scope_id: Option<String>,
}

impl From<&RoleGrant> for RoleBody {
    fn from(grant: &RoleGrant) -> Self {
        let (scope, scope_id) = match grant.scope {
            Scope::Platform => ("platform", None),
            Scope::Programme(id) => ("programme", Some(id.to_string())),
            Scope::Organisation(id) => ("organisation", Some(id.to_string())),
        };
        Self {
            role: grant.role.as_str(),
            scope,
            scope_id,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct MemberBody {
    member_id: String,
    member_number: String,
    programme: String,
    account_id: String,
    balance_minutes: i64,
    /// Whole credits; the minutes left over are in `balance_minutes`.
    balance_credits: i64,
}

/// Who the token belongs to: roles, and for a member their number and balance.
#[utoipa::path(get, path = "/me", operation_id = "get_me", tag = "identity",
    responses((status = 200, description = "the caller", body = MeBody),
        (status = 401, description = "no valid token", body = crate::openapi::ProblemDoc)),
    security(("bearer" = [])))]
async fn me(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
) -> Result<Json<MeBody>, ApiError> {
    let user = state
        .app
        .store()
        .user(actor.user)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::Unauthenticated)?;
    let member = member_summary(&state.app, &actor)
        .await?
        .map(|(member, balance)| MemberBody {
            member_id: member.id.to_string(),
            member_number: member.number.value().to_string(),
            programme: member.programme.to_string(),
            account_id: member.account.to_string(),
            balance_minutes: balance,
            balance_credits: balance.div_euclid(MINUTES_PER_CREDIT),
        });
    Ok(Json(MeBody {
        user_id: user.id.to_string(),
        display_name: user.display_name,
        roles: actor.grants.iter().map(RoleBody::from).collect(),
        member,
    }))
}

// ---------------------------------------------------------------------------
// Statements

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct StatementQuery {
    /// Start, RFC 3339, e.g. `2026-03-01T00:00:00Z`; omitted: from the first transfer.
    from: Option<String>,
    /// End (exclusive), RFC 3339; omitted: now.
    to: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "account_id": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600003", "from": "2026-03-01T00:00:00Z", "to": null,
    "opening_balance_minutes": 0, "closing_balance_minutes": 90,
    "lines": [{"transfer_id": "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c", "kind": "issue", "at": "2026-03-04T12:00:00Z",
        "reason": "Lunch club", "delta_minutes": 90, "balance_minutes": 90}]
}))]
struct StatementBody {
    account_id: String,
    from: Option<String>,
    to: Option<String>,
    opening_balance_minutes: i64,
    closing_balance_minutes: i64,
    lines: Vec<LineBody>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct LineBody {
    transfer_id: String,
    kind: &'static str,
    at: String,
    reason: String,
    delta_minutes: i64,
    balance_minutes: i64,
}

pub(crate) fn parse_time(
    field: &'static str,
    value: Option<&str>,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    // A `+` in an unencoded query string arrives as a space.
    let value = value.trim().replace(' ', "+");
    DateTime::parse_from_rfc3339(&value)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| {
            AppError::invalid(
                field,
                "must be a date and time such as 2025-03-01T00:00:00Z",
            )
        })
}

/// An account's statement with a running balance, as JSON or CSV.
#[utoipa::path(get, path = "/accounts/{id}/statement", operation_id = "get_account_statement", tag = "ledger",
    params(("id" = uuid::Uuid, Path, description = "account id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        StatementQuery),
    responses((status = 200, description = "the statement, as JSON or (with format=csv) CSV",
            content((StatementBody = "application/json"),
                (String = "text/csv", example = "transfer_id,kind,at,reason,delta_minutes,balance_minutes\r\n0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182,issue,2026-03-01T10:00:00Z,Lunch club,90,90\r\n"))),
        (status = 400, description = "a malformed id or query", body = crate::openapi::ProblemDoc),
        (status = 404, description = "no such account, or not yours", body = crate::openapi::ProblemDoc),
        (status = 422, description = "a bad date", body = crate::openapi::ProblemDoc)),
    security(("bearer" = [])))]
async fn statement(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(account): Path<String>,
    query: Result<Query<StatementQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query
        .map_err(|r| Problem::new(StatusCode::BAD_REQUEST, "malformed_query", r.body_text()))?;
    let account = AccountId(parse_uuid("account id", &account)?);
    let from = parse_time("from", query.from.as_deref())?;
    let to = parse_time("to", query.to.as_deref())?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(AppError::invalid("from", "is after to; swap them").into());
    }
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(AppError::invalid("format", "must be json or csv").into()),
    };
    let statement = state.app.statement(&actor, account, from, to).await?;
    if csv {
        return Ok(crate::csv_response(&statement));
    }
    Ok(Json(statement_body(&statement, from, to)).into_response())
}

fn statement_body(
    statement: &Statement,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> StatementBody {
    StatementBody {
        account_id: statement.account.to_string(),
        from: from.map(timestamp),
        to: to.map(timestamp),
        opening_balance_minutes: statement.opening_balance_minutes,
        closing_balance_minutes: statement.closing_balance_minutes,
        lines: statement
            .lines
            .iter()
            .map(|line| LineBody {
                transfer_id: line.transfer.id.to_string(),
                kind: line.transfer.kind.as_str(),
                at: timestamp(line.transfer.at),
                reason: line.transfer.reason.clone(),
                delta_minutes: line.delta_minutes,
                balance_minutes: line.balance_minutes,
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------
// Transfers

#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "id": "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c", "kind": "gift",
    "debit": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600003", "credit": "0190a5c4-7b1e-7cc3-a1f2-3d4e5f600004",
    "amount_minutes": 60, "at": "2026-03-04T12:00:00Z", "reason": "Thank you for the lift", "reverses": null
}))]
struct TransferBody {
    id: String,
    kind: &'static str,
    debit: String,
    credit: String,
    amount_minutes: i64,
    at: String,
    reason: String,
    reverses: Option<String>,
}

impl From<&Transfer> for TransferBody {
    fn from(t: &Transfer) -> Self {
        Self {
            id: t.id.to_string(),
            kind: t.kind.as_str(),
            debit: t.debit.to_string(),
            credit: t.credit.to_string(),
            amount_minutes: t.amount.get(),
            at: timestamp(t.at),
            reason: t.reason.clone(),
            reverses: t.reverses.map(|id| id.to_string()),
        }
    }
}

/// 201 for a new transfer; 200 and the same body for a retry of one.
fn transfer_response(outcome: &Outcome) -> (StatusCode, Json<TransferBody>) {
    let status = if outcome.is_new() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(TransferBody::from(outcome.transfer())))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"to_member": "3182045", "minutes": 60, "reason": "Thank you for the lift"}))]
struct NewGiftBody {
    /// The member's id, or the 7-digit number on their card.
    to_member: String,
    minutes: i64,
    #[serde(default)]
    reason: String,
}

/// A member gives some of their credits to another member.
#[utoipa::path(post, path = "/gifts", operation_id = "give_gift", tag = "ledger",
    params(("Idempotency-Key" = uuid::Uuid, Header, description = "a new UUID per gift; the same one on a retry", example = "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c")),
    request_body = NewGiftBody,
    responses((status = 201, description = "the gift was made", body = TransferBody),
        (status = 200, description = "a retry: the gift made before", body = TransferBody),
        (status = 400, description = "no or a malformed Idempotency-Key", body = crate::openapi::ProblemDoc),
        (status = 409, description = "not enough credits, or the key was used for something else", body = crate::openapi::ProblemDoc),
        (status = 422, description = "a bad amount", body = crate::openapi::ProblemDoc)),
    security(("bearer" = [])))]
async fn give_gift(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    IdempotencyKey(id): IdempotencyKey,
    ApiJson(body): ApiJson<NewGiftBody>,
) -> Result<(StatusCode, Json<TransferBody>), ApiError> {
    let to = member_ref(&state.app, &body.to_member).await?;
    let request = GiftRequest {
        id,
        to,
        minutes: body.minutes,
        reason: body.reason,
    };
    Ok(transfer_response(
        &state.app.give_gift(&actor, request).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"reason": "Hours entered twice"}))]
struct ReversalBody {
    reason: String,
}

/// A programme manager corrects a mistake by reversing a transfer.
#[utoipa::path(post, path = "/transfers/{id}/reversal", operation_id = "reverse_transfer", tag = "ledger",
    params(("id" = uuid::Uuid, Path, description = "the transfer to reverse", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182"),
        ("Idempotency-Key" = uuid::Uuid, Header, description = "a new UUID per reversal; the same one on a retry", example = "0193c2a7-5e4f-7a10-8b2c-9d0e1f2a3b4c")),
    request_body = ReversalBody,
    responses((status = 201, description = "reversed", body = TransferBody),
        (status = 200, description = "a retry: the reversal made before", body = TransferBody),
        (status = 403, description = "not a manager of the programme", body = crate::openapi::ProblemDoc),
        (status = 404, description = "no such transfer", body = crate::openapi::ProblemDoc),
        (status = 409, description = "already reversed, or the balance no longer allows it", body = crate::openapi::ProblemDoc)),
    security(("bearer" = [])))]
async fn reverse_transfer(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(original): Path<String>,
    IdempotencyKey(id): IdempotencyKey,
    ApiJson(body): ApiJson<ReversalBody>,
) -> Result<(StatusCode, Json<TransferBody>), ApiError> {
    let original = TransferId(parse_uuid("transfer id", &original)?);
    let request = ReverseRequest {
        id,
        original,
        reason: body.reason,
    };
    Ok(transfer_response(
        &state.app.reverse_transfer(&actor, request).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn bearer_tokens_are_read_from_the_authorization_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_token(&headers), None);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer tc_abc"),
        );
        assert_eq!(bearer_token(&headers), Some("tc_abc"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  tc_abc "),
        );
        assert_eq!(bearer_token(&headers), Some("tc_abc"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic dXNlcg=="),
        );
        assert_eq!(bearer_token(&headers), None);
    }

    #[test]
    fn times_parse_as_rfc3339() {
        assert!(
            parse_time("from", Some("2025-03-01T00:00:00Z"))
                .expect("valid")
                .is_some()
        );
        assert!(
            parse_time("from", Some("2025-03-01T00:00:00 01:00"))
                .expect("decoded plus")
                .is_some()
        );
        assert!(parse_time("from", None).expect("absent").is_none());
        assert_eq!(
            parse_time("from", Some("yesterday"))
                .expect_err("invalid")
                .code(),
            "invalid_input"
        );
    }
}
