//! Consent to evaluation and the evaluation profile.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use timecredits_app::evaluation::{
    AGE_BANDS, Answer, CONSENT_WORDING, Choice, ConsentRecord, ConsentState, EMPLOYMENT,
    ETHNIC_GROUPS, EvaluationProfile, GENDERS, PREFER_NOT_TO_SAY, YES_NO,
};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::{ApiJson, Bearer, member_ref};
use crate::error::ApiError;
use crate::format::timestamp;
use crate::openapi::ProblemDoc;

/// The consent wording members are shown, word for word, and its version.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"version": "2026-1", "text": "I agree that the Time Credits programme may use…"}))]
pub(super) struct WordingBody {
    version: &'static str,
    text: &'static str,
}

/// The consent wording in force: show it before asking for consent, and
/// send its version back with the answer.
#[utoipa::path(
    get, path = "/evaluation/consent-wording", operation_id = "get_evaluation_consent_wording", tag = "evaluation",
    responses((status = 200, description = "the wording and its version", body = WordingBody))
)]
pub(super) async fn get_wording() -> Json<WordingBody> {
    Json(WordingBody {
        version: CONSENT_WORDING.version,
        text: CONSENT_WORDING.text,
    })
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"code": "60-69", "label": "60 to 69"}))]
struct ChoiceBody {
    code: &'static str,
    label: &'static str,
}

fn choices(list: &[Choice]) -> Vec<ChoiceBody> {
    list.iter()
        .map(|(code, label)| ChoiceBody { code, label })
        .collect()
}

/// A group of the 2021 census ethnic group question.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"code": "other", "label": "Other ethnic group", "categories": [
    {"code": "other_arab", "label": "Arab"}, {"code": "other_any", "label": "Any other ethnic group"}]}))]
struct EthnicGroupBody {
    code: &'static str,
    label: &'static str,
    categories: Vec<ChoiceBody>,
}

/// The answers the evaluation profile offers. Every question also takes
/// `prefer_not_to_say`, or may be left out.
#[derive(Serialize, ToSchema)]
pub(super) struct ProfileOptionsBody {
    prefer_not_to_say: &'static str,
    age_bands: Vec<ChoiceBody>,
    genders: Vec<ChoiceBody>,
    /// The 19 categories of the 2021 Census of England and Wales, in 5 groups.
    ethnic_groups: Vec<EthnicGroupBody>,
    /// For disability or long-term condition, and for volunteered before.
    yes_no: Vec<ChoiceBody>,
    employment: Vec<ChoiceBody>,
}

/// The answer codes of the evaluation profile, with their words.
#[utoipa::path(
    get, path = "/evaluation/profile-options", operation_id = "list_evaluation_profile_options", tag = "evaluation",
    responses((status = 200, description = "every list of answers", body = ProfileOptionsBody))
)]
pub(super) async fn profile_options() -> Json<ProfileOptionsBody> {
    Json(ProfileOptionsBody {
        prefer_not_to_say: PREFER_NOT_TO_SAY,
        age_bands: choices(AGE_BANDS),
        genders: choices(GENDERS),
        ethnic_groups: ETHNIC_GROUPS
            .iter()
            .map(|g| EthnicGroupBody {
                code: g.code,
                label: g.label,
                categories: choices(g.categories),
            })
            .collect(),
        yes_no: choices(YES_NO),
        employment: choices(EMPLOYMENT),
    })
}

/// One giving or withdrawal of consent; never changed or deleted.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01966b4f-1111-7000-8000-000000000010", "decision": "given", "wording_version": "2026-1",
    "at": "2026-03-02T09:00:00Z", "recorded_by": "01966b4e-0000-7000-8000-000000000009", "by_proxy": false
}))]
pub(super) struct ConsentRecordBody {
    id: String,
    /// `given` or `withdrawn`.
    decision: &'static str,
    wording_version: String,
    at: String,
    /// The user who recorded it: the member, or staff for them.
    recorded_by: String,
    /// Recorded by staff for the member.
    by_proxy: bool,
}

impl From<&ConsentRecord> for ConsentRecordBody {
    fn from(r: &ConsentRecord) -> Self {
        Self {
            id: r.id.to_string(),
            decision: r.decision.as_str(),
            wording_version: r.wording_version.clone(),
            at: timestamp(r.at),
            recorded_by: r.recorded_by.to_string(),
            by_proxy: r.by_proxy,
        }
    }
}

/// A member's consent now, and every record of it, oldest first.
#[derive(Serialize, ToSchema)]
pub(super) struct ConsentStateBody {
    member: String,
    /// The latest record gives consent.
    given: bool,
    /// The version of the wording in force today.
    current_wording_version: &'static str,
    history: Vec<ConsentRecordBody>,
}

fn state_body(s: &ConsentState) -> ConsentStateBody {
    ConsentStateBody {
        member: s.member.to_string(),
        given: s.given,
        current_wording_version: CONSENT_WORDING.version,
        history: s.history.iter().map(ConsentRecordBody::from).collect(),
    }
}

/// A member's consent to evaluation: for the member, and staff who may act
/// for them. Never for evaluators.
#[utoipa::path(
    get, path = "/members/{member}/evaluation-consent", operation_id = "get_evaluation_consent", tag = "evaluation",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045")),
    responses(
        (status = 200, description = "the consent and its history", body = ConsentStateBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such member, or not yours to see", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn get_consent(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
) -> Result<Json<ConsentStateBody>, ApiError> {
    let id = member_ref(&state.app, &member).await?;
    let consent = state.app.evaluation_consent(&actor, id).await?;
    Ok(Json(state_body(&consent)))
}

/// The member's answer to the consent wording they were shown.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"wording_version": "2026-1"}))]
pub(super) struct GiveConsentBody {
    /// The version of the wording shown (see `get_evaluation_consent_wording`).
    wording_version: String,
}

/// Records the member's consent to evaluation: by the member, or by staff
/// for them (recorded as proxy). Separate from membership.
#[utoipa::path(
    post, path = "/members/{member}/evaluation-consent", operation_id = "give_evaluation_consent", tag = "evaluation",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045")),
    request_body = GiveConsentBody,
    responses(
        (status = 201, description = "the record of consent", body = ConsentRecordBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such member, or not yours to act for", body = ProblemDoc),
        (status = 409, description = "evaluation_consent_already_given", body = ProblemDoc),
        (status = 422, description = "consent_wording_outdated", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn give_consent(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
    ApiJson(body): ApiJson<GiveConsentBody>,
) -> Result<(StatusCode, Json<ConsentRecordBody>), ApiError> {
    let id = member_ref(&state.app, &member).await?;
    let record = state
        .app
        .give_evaluation_consent(&actor, id, &body.wording_version)
        .await?;
    Ok((StatusCode::CREATED, Json(ConsentRecordBody::from(&record))))
}

/// Withdraws the member's consent: nothing more is collected and their data
/// is left out of evaluation. The records are kept.
#[utoipa::path(
    post, path = "/members/{member}/evaluation-consent/withdrawal", operation_id = "withdraw_evaluation_consent", tag = "evaluation",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045")),
    responses(
        (status = 201, description = "the record of withdrawal", body = ConsentRecordBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such member, or not yours to act for", body = ProblemDoc),
        (status = 409, description = "evaluation_consent_not_given", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn withdraw_consent(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
) -> Result<(StatusCode, Json<ConsentRecordBody>), ApiError> {
    let id = member_ref(&state.app, &member).await?;
    let record = state.app.withdraw_evaluation_consent(&actor, id).await?;
    Ok((StatusCode::CREATED, Json(ConsentRecordBody::from(&record))))
}

/// The evaluation profile. Each answer is a code of the profile options,
/// `prefer_not_to_say`, or null (not answered). Give a year of birth or an
/// age band, not both.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[schema(example = json!({
    "age_band": "60-69", "year_of_birth": null, "gender": "woman", "ethnicity": "white_british",
    "disability": "prefer_not_to_say", "employment": "retired", "volunteered_before": "no",
    "postcode": "PE13 2AB"
}))]
pub(super) struct EvaluationProfileBody {
    #[serde(default)]
    age_band: Option<String>,
    #[serde(default)]
    year_of_birth: Option<i32>,
    #[serde(default)]
    gender: Option<String>,
    #[serde(default)]
    ethnicity: Option<String>,
    /// Disability or long-term condition: `yes` or `no`.
    #[serde(default)]
    disability: Option<String>,
    #[serde(default)]
    employment: Option<String>,
    /// `yes` or `no`.
    #[serde(default)]
    volunteered_before: Option<String>,
    /// Any case and spacing; answered in normal form (`PE13 2AB`).
    #[serde(default)]
    postcode: Option<String>,
}

fn code(answer: &Answer<String>) -> Option<String> {
    answer.code().map(str::to_owned)
}

impl From<&EvaluationProfile> for EvaluationProfileBody {
    fn from(p: &EvaluationProfile) -> Self {
        Self {
            age_band: code(&p.age_band),
            year_of_birth: p.year_of_birth,
            gender: code(&p.gender),
            ethnicity: code(&p.ethnicity),
            disability: code(&p.disability),
            employment: code(&p.employment),
            volunteered_before: code(&p.volunteered_before),
            postcode: code(&p.postcode),
        }
    }
}

impl From<EvaluationProfileBody> for EvaluationProfile {
    fn from(b: EvaluationProfileBody) -> Self {
        let answer = |v: Option<String>| Answer::from_code(v.as_deref());
        Self {
            age_band: answer(b.age_band),
            year_of_birth: b.year_of_birth,
            gender: answer(b.gender),
            ethnicity: answer(b.ethnicity),
            disability: answer(b.disability),
            employment: answer(b.employment),
            volunteered_before: answer(b.volunteered_before),
            postcode: answer(b.postcode),
        }
    }
}

/// A member's evaluation profile: for the member, and staff who may act
/// for them. Evaluators never see it per person.
#[utoipa::path(
    get, path = "/members/{member}/evaluation-profile", operation_id = "get_evaluation_profile", tag = "evaluation",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045")),
    responses(
        (status = 200, description = "the profile (all null when nothing is answered)", body = EvaluationProfileBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such member, or not yours to see", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn get_profile(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
) -> Result<Json<EvaluationProfileBody>, ApiError> {
    let id = member_ref(&state.app, &member).await?;
    let profile = state.app.evaluation_profile(&actor, id).await?;
    Ok(Json(EvaluationProfileBody::from(&profile)))
}

/// Replaces the member's evaluation profile (answers left out are not
/// answered). Only with the member's consent; staff doing it for the
/// member are recorded as proxy.
#[utoipa::path(
    put, path = "/members/{member}/evaluation-profile", operation_id = "update_evaluation_profile", tag = "evaluation",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045")),
    request_body = EvaluationProfileBody,
    responses(
        (status = 200, description = "the profile as saved", body = EvaluationProfileBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such member, or not yours to act for", body = ProblemDoc),
        (status = 409, description = "evaluation_consent_required", body = ProblemDoc),
        (status = 422, description = "invalid_input or postcode_invalid", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn update_profile(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
    ApiJson(body): ApiJson<EvaluationProfileBody>,
) -> Result<Json<EvaluationProfileBody>, ApiError> {
    let id = member_ref(&state.app, &member).await?;
    let saved = state
        .app
        .update_evaluation_profile(&actor, id, body.into())
        .await?;
    Ok(Json(EvaluationProfileBody::from(&saved)))
}
