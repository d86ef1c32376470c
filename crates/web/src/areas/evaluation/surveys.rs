//! Survey settings, the programme's own questions, the instruments with
//! their exact wording, members' responses and the surveys due.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use timecredits_app::AppError;
use timecredits_app::evaluation::eval::instruments::{
    CustomQuestion, Instrument, QuestionKind, Questionnaire, ScoringRule,
};
use timecredits_app::evaluation::{
    BaselineAt, DueSurveys, EvaluationSettings, ItemAnswerInput, NewSurveyResponse,
    QuestionnaireInput, SettingsUpdate, StoredQuestionnaire, SurveyResponse, kind_name,
    question_kind,
};
use timecredits_ledger::ProgrammeId;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::{ApiJson, Bearer, member_ref, parse_uuid};
use crate::error::ApiError;
use crate::format::timestamp;
use crate::openapi::ProblemDoc;

fn programme_id(value: &str) -> Result<ProgrammeId, AppError> {
    Ok(ProgrammeId(parse_uuid("programme id", value)?))
}

// ---------------------------------------------------------------------------
// Settings

/// A programme's survey settings.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "programme": "01966b4e-0000-7000-8000-000000000001", "swemwbs_licence": false,
    "instruments": ["ucla3", "ons_loneliness", "ons4"], "baseline": "joining",
    "follow_up_months": [6, 12], "updated_at": null
}))]
pub(super) struct SettingsBody {
    programme: String,
    /// The programme records that it holds a Warwick licence for SWEMWBS.
    swemwbs_licence: bool,
    /// Validated instruments switched on.
    instruments: Vec<String>,
    /// `joining` or `first_contribution`: what the baseline is counted from.
    baseline: &'static str,
    /// Follow-up waves, in months after the baseline.
    follow_up_months: Vec<u32>,
    /// Null while the defaults apply.
    updated_at: Option<String>,
}

fn settings_body(s: &EvaluationSettings) -> SettingsBody {
    SettingsBody {
        programme: s.programme.to_string(),
        swemwbs_licence: s.swemwbs_licence,
        instruments: s.instruments.clone(),
        baseline: s.baseline.as_str(),
        follow_up_months: s.follow_up_months.clone(),
        updated_at: s.updated.map(|(_, at)| timestamp(at)),
    }
}

/// New survey settings.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "swemwbs_licence": true, "instruments": ["swemwbs", "ucla3", "ons_loneliness", "ons4"],
    "baseline": "joining", "follow_up_months": [6, 12]
}))]
pub(super) struct SettingsInput {
    #[serde(default)]
    swemwbs_licence: bool,
    /// Of `swemwbs` (only with a licence), `ucla3`, `ons_loneliness`, `ons4`.
    instruments: Vec<String>,
    /// `joining` or `first_contribution`.
    baseline: String,
    /// Up to 6, increasing, each 1 to 60.
    follow_up_months: Vec<u32>,
}

/// The programme's survey settings: for its managers and evaluators.
#[utoipa::path(
    get, path = "/programmes/{programme}/evaluation-settings", operation_id = "get_evaluation_settings", tag = "evaluation",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the settings", body = SettingsBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "not a manager or evaluator of the programme", body = ProblemDoc),
        (status = 404, description = "no such programme, or not yours", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn get_settings(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
) -> Result<Json<SettingsBody>, ApiError> {
    let settings = state
        .app
        .evaluation_settings(&actor, programme_id(&programme)?)
        .await?;
    Ok(Json(settings_body(&settings)))
}

/// Sets which instruments are on, whether the programme holds a SWEMWBS
/// licence, and the schedule. Managers only.
#[utoipa::path(
    put, path = "/programmes/{programme}/evaluation-settings", operation_id = "update_evaluation_settings", tag = "evaluation",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = SettingsInput,
    responses(
        (status = 200, description = "the settings as saved", body = SettingsBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "not a manager of the programme", body = ProblemDoc),
        (status = 404, description = "no such programme, or not yours", body = ProblemDoc),
        (status = 409, description = "swemwbs_licence_required", body = ProblemDoc),
        (status = 422, description = "unknown_instrument, follow_up_schedule_invalid or invalid_input", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn update_settings(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
    ApiJson(body): ApiJson<SettingsInput>,
) -> Result<Json<SettingsBody>, ApiError> {
    let programme = programme_id(&programme)?;
    let baseline = BaselineAt::parse(body.baseline.trim())
        .ok_or_else(|| AppError::invalid("baseline", "must be joining or first_contribution"))?;
    let update = SettingsUpdate {
        swemwbs_licence: body.swemwbs_licence,
        instruments: body.instruments,
        baseline,
        follow_up_months: body.follow_up_months,
    };
    let settings = state
        .app
        .update_evaluation_settings(&actor, programme, update)
        .await?;
    Ok(Json(settings_body(&settings)))
}

// ---------------------------------------------------------------------------
// The programme's own questions and the instruments

#[derive(Serialize, Deserialize, ToSchema)]
pub(super) struct OptionBody {
    score: u8,
    label: String,
}

/// One of the programme's own questions.
#[derive(Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "how_did_you_hear", "wording": "How did you hear about Time Credits?", "kind": "single_choice",
    "options": [{"score": 1, "label": "A friend"}, {"score": 2, "label": "A poster"}]
}))]
pub(super) struct QuestionBody {
    /// snake_case, unique within the questions.
    id: String,
    wording: String,
    /// `single_choice`, `scale_0_10`, `yes_no` or `free_text`.
    kind: String,
    /// For `single_choice`: at least two, with distinct scores.
    #[serde(default)]
    options: Vec<OptionBody>,
    /// For `scale_0_10`: the words at 0.
    #[serde(default)]
    low_label: Option<String>,
    /// For `scale_0_10`: the words at 10.
    #[serde(default)]
    high_label: Option<String>,
}

fn question_body(q: &CustomQuestion) -> QuestionBody {
    let (options, low_label, high_label) = match &q.kind {
        QuestionKind::SingleChoice { options } => (
            options
                .iter()
                .map(|o| OptionBody {
                    score: o.score,
                    label: o.label.clone(),
                })
                .collect(),
            None,
            None,
        ),
        QuestionKind::Scale0To10 {
            low_label,
            high_label,
        } => (
            Vec::new(),
            Some(low_label.clone()),
            Some(high_label.clone()),
        ),
        QuestionKind::YesNo | QuestionKind::FreeText => (Vec::new(), None, None),
    };
    QuestionBody {
        id: q.id.clone(),
        wording: q.wording.clone(),
        kind: kind_name(&q.kind).to_owned(),
        options,
        low_label,
        high_label,
    }
}

/// A version of the programme's own questions.
#[derive(Serialize, ToSchema)]
pub(super) struct QuestionnaireBody {
    /// Always `programme_questions`: the instrument id responses name.
    id: String,
    version: u32,
    title: String,
    questions: Vec<QuestionBody>,
}

fn questionnaire_body(q: &Questionnaire) -> QuestionnaireBody {
    QuestionnaireBody {
        id: q.id.clone(),
        version: q.version,
        title: q.title.clone(),
        questions: q.questions.iter().map(question_body).collect(),
    }
}

/// The programme's own questions, as a manager writes them.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "title": "About Time Credits",
    "questions": [
        {"id": "how_did_you_hear", "wording": "How did you hear about Time Credits?", "kind": "single_choice",
         "options": [{"score": 1, "label": "A friend"}, {"score": 2, "label": "A poster"}]},
        {"id": "do_again", "wording": "Would you give time again?", "kind": "yes_no"}
    ]
}))]
pub(super) struct QuestionnaireInputBody {
    title: String,
    questions: Vec<QuestionBody>,
}

/// Saves a new version of the programme's own questions (earlier answers
/// stay tied to their version). Managers only.
#[utoipa::path(
    put, path = "/programmes/{programme}/survey-questions", operation_id = "set_programme_survey_questions", tag = "evaluation",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    request_body = QuestionnaireInputBody,
    responses(
        (status = 200, description = "the new version", body = QuestionnaireBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 403, description = "not a manager of the programme", body = ProblemDoc),
        (status = 404, description = "no such programme, or not yours", body = ProblemDoc),
        (status = 409, description = "saved by another manager at the same moment", body = ProblemDoc),
        (status = 422, description = "custom_questions_invalid or invalid_input", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn set_questions(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
    ApiJson(body): ApiJson<QuestionnaireInputBody>,
) -> Result<Json<QuestionnaireBody>, ApiError> {
    let programme = programme_id(&programme)?;
    let questions = body
        .questions
        .into_iter()
        .map(|q| {
            let kind = question_kind(
                q.kind.trim(),
                q.options.into_iter().map(|o| (o.score, o.label)).collect(),
                q.low_label,
                q.high_label,
            )
            .map_err(|m| AppError::invalid("kind", m))?;
            Ok(CustomQuestion {
                id: q.id.trim().to_owned(),
                wording: q.wording.trim().to_owned(),
                kind,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let saved: StoredQuestionnaire = state
        .app
        .set_programme_questions(
            &actor,
            programme,
            QuestionnaireInput {
                title: body.title,
                questions,
            },
        )
        .await?;
    Ok(Json(questionnaire_body(&saved.questionnaire)))
}

#[derive(Serialize, ToSchema)]
struct BandBody {
    label: String,
    min: u8,
    max: u8,
}

/// One item of an instrument, worded exactly as published.
#[derive(Serialize, ToSchema)]
struct ItemBody {
    id: String,
    wording: String,
    options: Vec<OptionBody>,
    /// The bands of this item's own score, where it is reported in bands.
    bands: Vec<BandBody>,
}

/// A validated instrument, to render word for word.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "ucla3", "version": 1, "title": "UCLA 3-item loneliness scale", "preamble": null,
    "copyright": null, "scoring": "sum",
    "items": [{"id": "ucla3_1", "wording": "How often do you feel that you lack companionship?",
        "options": [{"score": 1, "label": "Hardly ever or never"}, {"score": 2, "label": "Some of the time"},
                    {"score": 3, "label": "Often"}], "bands": []}]
}))]
struct InstrumentBody {
    id: String,
    version: u32,
    title: String,
    preamble: Option<String>,
    /// Must be shown wherever the instrument is used.
    copyright: Option<String>,
    /// `sum` (one total, only when every item is answered) or `each_item`.
    scoring: &'static str,
    items: Vec<ItemBody>,
}

fn instrument_body(i: &Instrument) -> InstrumentBody {
    InstrumentBody {
        id: i.id.clone(),
        version: i.version,
        title: i.title.clone(),
        preamble: i.preamble.clone(),
        copyright: i.copyright.clone(),
        scoring: match i.scoring {
            ScoringRule::SumComplete { .. } => "sum",
            ScoringRule::EachItem => "each_item",
        },
        items: i
            .items
            .iter()
            .map(|item| ItemBody {
                id: item.id.clone(),
                wording: item.wording.clone(),
                options: item
                    .options
                    .iter()
                    .map(|o| OptionBody {
                        score: o.score,
                        label: o.label.clone(),
                    })
                    .collect(),
                bands: item
                    .bands
                    .iter()
                    .map(|b| BandBody {
                        label: b.label.clone(),
                        min: b.min,
                        max: b.max,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// What the programme's members are asked.
#[derive(Serialize, ToSchema)]
pub(super) struct SurveySetBody {
    instruments: Vec<InstrumentBody>,
    /// The newest version of the programme's own questions, if any.
    programme_questions: Option<QuestionnaireBody>,
    follow_up_months: Vec<u32>,
}

/// The instruments the programme uses, with their exact wording and
/// copyright lines, and its own questions: for anyone in the programme.
#[utoipa::path(
    get, path = "/programmes/{programme}/survey-instruments", operation_id = "list_survey_instruments", tag = "evaluation",
    params(("programme" = uuid::Uuid, Path, description = "programme id", example = "0190a5c4-7b1e-7cc3-a1f2-3d4e5f607182")),
    responses(
        (status = 200, description = "the instruments switched on", body = SurveySetBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such programme, or not yours", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn list_instruments(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(programme): Path<String>,
) -> Result<Json<SurveySetBody>, ApiError> {
    let set = state
        .app
        .survey_set(&actor, programme_id(&programme)?)
        .await?;
    Ok(Json(SurveySetBody {
        instruments: set.instruments.iter().map(instrument_body).collect(),
        programme_questions: set.questionnaire.as_ref().map(questionnaire_body),
        follow_up_months: set.settings.follow_up_months,
    }))
}

// ---------------------------------------------------------------------------
// Responses

#[derive(Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"item": "ucla3_1", "score": 2}))]
pub(super) struct AnswerBody {
    item: String,
    /// An option's score; for a yes/no question 1 is yes and 0 no.
    #[serde(default)]
    score: Option<u8>,
    /// For a free-text question only.
    #[serde(default)]
    text: Option<String>,
}

/// A completed survey: answers to one instrument in one wave. Items left
/// out were not answered.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "wave_months": 0, "instrument": "ucla3",
    "answers": [{"item": "ucla3_1", "score": 2}, {"item": "ucla3_2", "score": 1}, {"item": "ucla3_3", "score": 1}]
}))]
pub(super) struct NewResponseBody {
    /// 0 for the baseline, else one of the follow-up months.
    wave_months: u32,
    /// An instrument id, or `programme_questions`.
    instrument: String,
    answers: Vec<AnswerBody>,
}

/// A stored survey response with its score.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01966b4f-2222-7000-8000-000000000011", "member": "01966b4e-0000-7000-8000-000000000002",
    "wave_months": 0, "instrument": "ucla3", "instrument_version": 1,
    "answers": [{"item": "ucla3_1", "score": 2}, {"item": "ucla3_2", "score": 1}, {"item": "ucla3_3", "score": 1}],
    "raw_score": 4, "metric_score": null, "complete": true, "completed_at": "2026-03-02T09:00:00Z",
    "by_proxy": false
}))]
pub(super) struct ResponseBody {
    id: String,
    member: String,
    wave_months: u32,
    instrument: String,
    instrument_version: u32,
    answers: Vec<AnswerBody>,
    /// The total of a summed instrument, only when every item was answered.
    raw_score: Option<u16>,
    /// SWEMWBS's metric score (e.g. "23.21"), only when complete.
    metric_score: Option<String>,
    complete: bool,
    completed_at: String,
    /// Entered by staff for the member (a paper survey).
    by_proxy: bool,
}

fn response_body(r: &SurveyResponse) -> ResponseBody {
    ResponseBody {
        id: r.id.to_string(),
        member: r.member.to_string(),
        wave_months: r.wave_months,
        instrument: r.instrument.clone(),
        instrument_version: r.instrument_version,
        answers: r
            .answers
            .iter()
            .map(|a| AnswerBody {
                item: a.item.clone(),
                score: a.score,
                text: a.text.clone(),
            })
            .collect(),
        raw_score: r.raw_score,
        metric_score: r
            .metric_hundredths
            .map(|m| format!("{}.{:02}", m / 100, m % 100)),
        complete: r.complete,
        completed_at: timestamp(r.completed_at),
        by_proxy: r.by_proxy,
    }
}

#[derive(Serialize, ToSchema)]
pub(super) struct ResponseListBody {
    items: Vec<ResponseBody>,
}

/// Records a member's answers to one instrument in one wave: by the member,
/// or by staff entering a paper survey for them (recorded as proxy). Only
/// with consent, once per wave.
#[utoipa::path(
    post, path = "/members/{member}/survey-responses", operation_id = "submit_survey_response", tag = "evaluation",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045")),
    request_body = NewResponseBody,
    responses(
        (status = 201, description = "the response, scored", body = ResponseBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such member, or not yours to act for", body = ProblemDoc),
        (status = 409, description = "evaluation_consent_required, instrument_not_enabled, survey_wave_not_open or survey_already_answered", body = ProblemDoc),
        (status = 422, description = "invalid_survey_answer, unknown_survey_wave or empty_survey_response", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn submit_response(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
    ApiJson(body): ApiJson<NewResponseBody>,
) -> Result<(StatusCode, Json<ResponseBody>), ApiError> {
    let id = member_ref(&state.app, &member).await?;
    let new = NewSurveyResponse {
        wave_months: body.wave_months,
        instrument: body.instrument.trim().to_owned(),
        answers: body
            .answers
            .into_iter()
            .map(|a| ItemAnswerInput {
                item: a.item.trim().to_owned(),
                score: a.score,
                text: a.text,
            })
            .collect(),
    };
    let response = state.app.submit_survey_response(&actor, id, new).await?;
    Ok((StatusCode::CREATED, Json(response_body(&response))))
}

/// A member's survey responses, oldest first: for the member and staff who
/// may act for them. Never for evaluators.
#[utoipa::path(
    get, path = "/members/{member}/survey-responses", operation_id = "list_survey_responses", tag = "evaluation",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045")),
    responses(
        (status = 200, description = "the responses", body = ResponseListBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such member, or not yours to see", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn list_responses(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
) -> Result<Json<ResponseListBody>, ApiError> {
    let id = member_ref(&state.app, &member).await?;
    let responses = state.app.survey_responses(&actor, id).await?;
    Ok(Json(ResponseListBody {
        items: responses.iter().map(response_body).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
struct DueInstrumentBody {
    id: String,
    version: u32,
    title: String,
}

#[derive(Serialize, ToSchema)]
struct DueWaveBody {
    wave_months: u32,
    /// The first day of the wave.
    opens: String,
    /// The day the next wave opens; answers count for this wave until then.
    closes: String,
    instruments: Vec<DueInstrumentBody>,
}

/// What the member is asked to answer today.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "consent_given": true, "baseline": "2026-03-01",
    "due": [{"wave_months": 0, "opens": "2026-03-01", "closes": "2026-09-01",
        "instruments": [{"id": "ucla3", "version": 1, "title": "UCLA 3-item loneliness scale"}]}]
}))]
pub(super) struct DueBody {
    /// Nothing is due without consent.
    consent_given: bool,
    /// The day the schedule counts from; null until known.
    baseline: Option<String>,
    due: Vec<DueWaveBody>,
}

fn due_body(d: &DueSurveys) -> DueBody {
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    DueBody {
        consent_given: d.consent_given,
        baseline: d.baseline.map(day),
        due: d
            .due
            .iter()
            .map(|w| DueWaveBody {
                wave_months: w.wave.months,
                opens: day(w.wave.opens),
                closes: day(w.wave.closes),
                instruments: w
                    .instruments
                    .iter()
                    .map(|i| DueInstrumentBody {
                        id: i.id.clone(),
                        version: i.version,
                        title: i.title.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The surveys due for the member now: the open wave's instruments not yet
/// answered. For the member and staff who may act for them.
#[utoipa::path(
    get, path = "/members/{member}/due-surveys", operation_id = "list_due_surveys", tag = "evaluation",
    params(("member" = String, Path, description = "member id or 7-digit number", example = "3182045")),
    responses(
        (status = 200, description = "what is due", body = DueBody),
        (status = 401, description = "not signed in", body = ProblemDoc),
        (status = 404, description = "no such member, or not yours to see", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub(super) async fn due_surveys(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    Path(member): Path<String>,
) -> Result<Json<DueBody>, ApiError> {
    let id = member_ref(&state.app, &member).await?;
    let due = state.app.due_surveys(&actor, id).await?;
    Ok(Json(due_body(&due)))
}
