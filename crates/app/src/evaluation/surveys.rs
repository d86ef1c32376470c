//! Surveys: which instruments a programme uses and when, its own
//! questions, and members' answers wave by wave.

use chrono::{DateTime, NaiveDate, Utc};
use timecredits_domain::Refusal;
use timecredits_evaluation::instruments::{
    self, CustomAnswer, CustomQuestion, Instrument, InstrumentScore, QuestionKind, Questionnaire,
};
use timecredits_ledger::ProgrammeId;
use uuid::Uuid;

use super::schedule::{Wave, waves};
use crate::rules::local_date;
use crate::{Actor, App, AppError, MemberId, UserId};

mod codec;
pub use codec::{decode_questions, encode_questions, kind_name, question_kind};

/// The instrument id of a programme's own questions.
pub const PROGRAMME_QUESTIONS: &str = "programme_questions";
const MAX_QUESTIONS: usize = 30;
const MAX_WORDING_CHARS: usize = 500;
const MAX_TEXT_ANSWER_CHARS: usize = 2000;
const MAX_FOLLOW_UPS: usize = 6;
const MAX_FOLLOW_UP_MONTHS: u32 = 60;

/// What a member's baseline survey is counted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaselineAt {
    /// The day they joined the programme.
    Joining,
    /// The first day they gave time.
    FirstContribution,
}

impl BaselineAt {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Joining => "joining",
            Self::FirstContribution => "first_contribution",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "joining" => Some(Self::Joining),
            "first_contribution" => Some(Self::FirstContribution),
            _ => None,
        }
    }
}

/// A programme's survey settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvaluationSettings {
    pub programme: ProgrammeId,
    /// The programme records that it holds a Warwick licence for SWEMWBS.
    pub swemwbs_licence: bool,
    /// Validated instruments switched on, by id.
    pub instruments: Vec<String>,
    pub baseline: BaselineAt,
    /// Follow-up waves, in months after the baseline, increasing.
    pub follow_up_months: Vec<u32>,
    /// The smallest count its reports and extracts show (default 10, never
    /// below 5); set on its own by `set_disclosure_threshold`.
    pub disclosure_threshold: u64,
    /// Who last changed them and when; `None` for the defaults.
    pub updated: Option<(UserId, DateTime<Utc>)>,
}

impl EvaluationSettings {
    /// Loneliness and wellbeing on; SWEMWBS off (it needs a licence); a
    /// baseline at joining and follow-ups at 6 and 12 months.
    pub fn defaults(programme: ProgrammeId) -> Self {
        Self {
            programme,
            swemwbs_licence: false,
            instruments: vec!["ucla3".into(), "ons_loneliness".into(), "ons4".into()],
            baseline: BaselineAt::Joining,
            follow_up_months: vec![6, 12],
            disclosure_threshold: timecredits_evaluation::disclosure::DEFAULT_THRESHOLD,
            updated: None,
        }
    }
}

/// New settings, as a manager sets them.
#[derive(Clone, Debug)]
pub struct SettingsUpdate {
    pub swemwbs_licence: bool,
    pub instruments: Vec<String>,
    pub baseline: BaselineAt,
    pub follow_up_months: Vec<u32>,
}

/// A programme's own questions, as a manager writes them.
#[derive(Clone, Debug)]
pub struct QuestionnaireInput {
    pub title: String,
    pub questions: Vec<CustomQuestion>,
}

/// One version of a programme's own questions; never changed once saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredQuestionnaire {
    pub programme: ProgrammeId,
    pub questionnaire: Questionnaire,
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
}

/// What a programme's members are asked: the instruments switched on, with
/// their exact wording, and the programme's own questions if it has any.
#[derive(Clone, Debug)]
pub struct SurveySet {
    pub settings: EvaluationSettings,
    pub instruments: Vec<Instrument>,
    pub questionnaire: Option<Questionnaire>,
}

/// One answer as entered: a score (an option's score; for a programme's
/// yes/no question 1 is yes and 0 no) or, for a free-text question, text.
#[derive(Clone, Debug, Default)]
pub struct ItemAnswerInput {
    pub item: String,
    pub score: Option<u8>,
    pub text: Option<String>,
}

/// A completed survey as entered by the member, or from paper by staff.
#[derive(Clone, Debug)]
pub struct NewSurveyResponse {
    /// 0 for the baseline, else one of the programme's follow-up months.
    pub wave_months: u32,
    pub instrument: String,
    /// Items left out were not answered (or "prefer not to say").
    pub answers: Vec<ItemAnswerInput>,
}

/// One stored answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemAnswer {
    pub item: String,
    pub score: Option<u8>,
    pub text: Option<String>,
}

/// A member's answers to one instrument in one wave, with its score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurveyResponse {
    pub id: Uuid,
    pub programme: ProgrammeId,
    pub member: MemberId,
    pub wave_months: u32,
    pub instrument: String,
    pub instrument_version: u32,
    pub answers: Vec<ItemAnswer>,
    /// The raw total of a summed instrument, only when every item was answered.
    pub raw_score: Option<u16>,
    /// The metric score in hundredths (SWEMWBS), only when complete.
    pub metric_hundredths: Option<u16>,
    /// Every item was answered.
    pub complete: bool,
    pub completed_at: DateTime<Utc>,
    pub entered_by: UserId,
    /// Entered by staff for the member (a paper survey).
    pub by_proxy: bool,
}

/// An instrument still to answer in an open wave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueInstrument {
    pub id: String,
    pub version: u32,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueWave {
    pub wave: Wave,
    pub instruments: Vec<DueInstrument>,
}

/// What a member is asked to answer now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueSurveys {
    pub consent_given: bool,
    /// The day the schedule counts from; `None` until it is known (no
    /// contribution yet, when the baseline is the first contribution).
    pub baseline: Option<NaiveDate>,
    pub due: Vec<DueWave>,
}

fn refused(code: &'static str, message: impl Into<String>) -> AppError {
    Refusal::invalid(code, message).into()
}

fn check_settings(update: &SettingsUpdate) -> Result<(), AppError> {
    let catalogue = instruments::catalogue();
    for (i, id) in update.instruments.iter().enumerate() {
        let Some(instrument) = catalogue.iter().find(|c| c.id == *id) else {
            let ids: Vec<&str> = catalogue.iter().map(|c| c.id.as_str()).collect();
            return Err(refused(
                "unknown_instrument",
                format!("'{id}' is not an instrument; use {}", ids.join(", ")),
            ));
        };
        if update.instruments[..i].contains(id) {
            return Err(refused(
                "unknown_instrument",
                format!("'{id}' is listed twice"),
            ));
        }
        if !instrument.available(update.swemwbs_licence) {
            return Err(Refusal::conflict(
                "swemwbs_licence_required",
                "SWEMWBS may only be used under a licence from Warwick Medical School; record that the programme holds one to switch it on",
            )
            .into());
        }
    }
    let months = &update.follow_up_months;
    let increasing = months.windows(2).all(|w| w[0] < w[1]);
    let in_range = months
        .iter()
        .all(|m| (1..=MAX_FOLLOW_UP_MONTHS).contains(m));
    if !increasing || !in_range || months.len() > MAX_FOLLOW_UPS {
        return Err(refused(
            "follow_up_schedule_invalid",
            format!(
                "give up to {MAX_FOLLOW_UPS} follow-ups in months after the baseline, increasing, each 1 to {MAX_FOLLOW_UP_MONTHS} (e.g. 6, 12)"
            ),
        ));
    }
    Ok(())
}

fn check_questionnaire(q: &Questionnaire) -> Result<(), AppError> {
    if q.title.trim().is_empty() || q.title.chars().count() > 200 {
        return Err(AppError::invalid("title", "must be 1 to 200 characters"));
    }
    if q.questions.is_empty() || q.questions.len() > MAX_QUESTIONS {
        return Err(refused(
            "custom_questions_invalid",
            format!("give 1 to {MAX_QUESTIONS} questions"),
        ));
    }
    for question in &q.questions {
        let id_ok = (1..=64).contains(&question.id.len())
            && question.id.starts_with(|c: char| c.is_ascii_lowercase())
            && question
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !id_ok {
            return Err(refused(
                "custom_questions_invalid",
                format!(
                    "question id '{}' must be snake_case, like how_did_you_hear",
                    question.id
                ),
            ));
        }
        if question.wording.chars().count() > MAX_WORDING_CHARS {
            return Err(refused(
                "custom_questions_invalid",
                format!(
                    "question '{}' is longer than {MAX_WORDING_CHARS} characters",
                    question.id
                ),
            ));
        }
    }
    q.validate()
        .map_err(|e| refused("custom_questions_invalid", e.to_string()))
}

/// Answers as stored, with the score they give.
struct Scored {
    answers: Vec<ItemAnswer>,
    raw: Option<u16>,
    metric: Option<u16>,
    complete: bool,
}

/// Scores answers to a validated instrument.
fn score_instrument(
    instrument: &Instrument,
    answers: &[ItemAnswerInput],
) -> Result<Scored, AppError> {
    let mut pairs = Vec::with_capacity(answers.len());
    for a in answers {
        let score = match (a.score, &a.text) {
            (Some(s), None) => s,
            _ => {
                return Err(refused(
                    "invalid_survey_answer",
                    format!("'{}' takes one of its options' scores, and no text", a.item),
                ));
            }
        };
        pairs.push((a.item.as_str(), score));
    }
    let scored = instruments::score(instrument, &pairs)
        .map_err(|e| refused("invalid_survey_answer", e.to_string()))?;
    let stored = pairs
        .iter()
        .map(|(item, score)| ItemAnswer {
            item: (*item).to_owned(),
            score: Some(*score),
            text: None,
        })
        .collect();
    let (raw, metric, complete) = match scored {
        InstrumentScore::Total {
            raw,
            metric_hundredths,
        } => (Some(raw), metric_hundredths, true),
        InstrumentScore::Incomplete { .. } => (None, None, false),
        InstrumentScore::Items(items) => (None, None, items.iter().all(|i| i.score.is_some())),
    };
    Ok(Scored {
        answers: stored,
        raw,
        metric,
        complete,
    })
}

/// Checks answers to the programme's own questions.
fn custom_answers(
    q: &Questionnaire,
    answers: &[ItemAnswerInput],
) -> Result<(Vec<ItemAnswer>, bool), AppError> {
    let mut stored: Vec<ItemAnswer> = Vec::with_capacity(answers.len());
    for a in answers {
        let question = q.questions.iter().find(|c| c.id == a.item).ok_or_else(|| {
            refused(
                "invalid_survey_answer",
                format!("'{}' is not one of the programme's questions", a.item),
            )
        })?;
        if stored.iter().any(|s| s.item == a.item) {
            return Err(refused(
                "invalid_survey_answer",
                format!(
                    "'{}' was answered twice; keep one answer per question",
                    a.item
                ),
            ));
        }
        let answer = match (&question.kind, a.score, &a.text) {
            (QuestionKind::SingleChoice { .. }, Some(s), None) => CustomAnswer::Choice(s),
            (QuestionKind::Scale0To10 { .. }, Some(s), None) => CustomAnswer::Scale(s),
            (QuestionKind::YesNo, Some(s @ (0 | 1)), None) => CustomAnswer::YesNo(s == 1),
            (QuestionKind::FreeText, None, Some(t))
                if t.chars().count() <= MAX_TEXT_ANSWER_CHARS =>
            {
                CustomAnswer::Text(t.trim().to_owned())
            }
            _ => {
                return Err(refused(
                    "invalid_survey_answer",
                    format!(
                        "the answer to '{}' does not fit the question (a score for choices and scales, 1 or 0 for yes/no, text up to {MAX_TEXT_ANSWER_CHARS} characters for free text)",
                        a.item
                    ),
                ));
            }
        };
        question
            .value(&answer)
            .map_err(|e| refused("invalid_survey_answer", e.to_string()))?;
        let (score, text) = match answer {
            CustomAnswer::Choice(s) | CustomAnswer::Scale(s) => (Some(s), None),
            CustomAnswer::YesNo(b) => (Some(u8::from(b)), None),
            CustomAnswer::Text(t) => (None, Some(t)),
        };
        stored.push(ItemAnswer {
            item: a.item.clone(),
            score,
            text,
        });
    }
    let complete = stored.len() == q.questions.len();
    Ok((stored, complete))
}

impl App {
    /// The programme's settings (the defaults until a manager sets them).
    /// For other areas; it checks no actor.
    pub async fn survey_settings(
        &self,
        programme: ProgrammeId,
    ) -> Result<EvaluationSettings, AppError> {
        Ok(self
            .store
            .evaluation_settings(programme)
            .await?
            .unwrap_or_else(|| EvaluationSettings::defaults(programme)))
    }

    /// The settings, for the programme's managers and evaluators.
    pub async fn evaluation_settings(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
    ) -> Result<EvaluationSettings, AppError> {
        if !(actor.manages(programme) || actor.evaluates(programme)) {
            return Err(self.refusal_in(actor, programme).await);
        }
        self.programme(programme).await?;
        self.survey_settings(programme).await
    }

    /// A manager sets which instruments are on, whether the programme holds
    /// a SWEMWBS licence, and the schedule.
    pub async fn update_evaluation_settings(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        update: SettingsUpdate,
    ) -> Result<EvaluationSettings, AppError> {
        if !actor.manages(programme) {
            return Err(self.refusal_in(actor, programme).await);
        }
        self.programme(programme).await?;
        check_settings(&update)?;
        let current = self.survey_settings(programme).await?;
        let settings = EvaluationSettings {
            programme,
            swemwbs_licence: update.swemwbs_licence,
            instruments: update.instruments,
            baseline: update.baseline,
            follow_up_months: update.follow_up_months,
            disclosure_threshold: current.disclosure_threshold,
            updated: Some((actor.user, self.now())),
        };
        self.store.save_evaluation_settings(&settings).await?;
        self.forget_reports(programme);
        tracing::info!(programme.id = %programme, "evaluation settings changed");
        Ok(settings)
    }

    /// A manager saves a new version of the programme's own questions;
    /// earlier answers stay tied to the version they answered.
    pub async fn set_programme_questions(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        input: QuestionnaireInput,
    ) -> Result<StoredQuestionnaire, AppError> {
        if !actor.manages(programme) {
            return Err(self.refusal_in(actor, programme).await);
        }
        self.programme(programme).await?;
        let latest = self.store.questionnaire(programme, None).await?;
        let questionnaire = Questionnaire {
            id: PROGRAMME_QUESTIONS.into(),
            version: latest.map_or(1, |q| q.questionnaire.version + 1),
            title: input.title.trim().to_owned(),
            questions: input.questions,
        };
        check_questionnaire(&questionnaire)?;
        let stored = StoredQuestionnaire {
            programme,
            questionnaire,
            created_at: self.now(),
            created_by: actor.user,
        };
        if !self.store.add_questionnaire(&stored).await? {
            return Err(AppError::Conflict(
                "another manager saved the questions at the same moment; reload them and try again"
                    .into(),
            ));
        }
        Ok(stored)
    }

    /// What the programme's members are asked, with exact wording, for
    /// anyone who takes part in the programme.
    pub async fn survey_set(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
    ) -> Result<SurveySet, AppError> {
        if !self.actor_in_programme(actor, programme).await? {
            return Err(AppError::NotFound("programme"));
        }
        self.programme(programme).await?;
        self.survey_set_of(programme).await
    }

    async fn survey_set_of(&self, programme: ProgrammeId) -> Result<SurveySet, AppError> {
        let settings = self.survey_settings(programme).await?;
        let instruments = instruments::catalogue()
            .into_iter()
            .filter(|i| settings.instruments.contains(&i.id))
            .filter(|i| i.available(settings.swemwbs_licence))
            .collect();
        let questionnaire = self
            .store
            .questionnaire(programme, None)
            .await?
            .map(|q| q.questionnaire);
        Ok(SurveySet {
            settings,
            instruments,
            questionnaire,
        })
    }

    /// The day a member's schedule counts from, if known yet.
    async fn baseline_day(
        &self,
        member: &crate::Member,
        settings: &EvaluationSettings,
    ) -> Result<Option<NaiveDate>, AppError> {
        Ok(match settings.baseline {
            BaselineAt::Joining => {
                let programme = self.programme(member.programme).await?;
                Some(local_date(&programme, member.created_at))
            }
            BaselineAt::FirstContribution => self.store.first_contribution_date(member.id).await?,
        })
    }

    /// Records a member's answers to one instrument in one wave: by the
    /// member, or by staff entering a paper survey for them (logged as
    /// proxy). Only with current consent, for an instrument switched on,
    /// in a wave of the schedule that has opened; once per wave.
    pub async fn submit_survey_response(
        &self,
        actor: &Actor,
        member: MemberId,
        new: NewSurveyResponse,
    ) -> Result<SurveyResponse, AppError> {
        let member = self.evaluation_subject(actor, member).await?;
        self.require_consent(member.id).await?;
        let set = self.survey_set_of(member.programme).await?;
        let schedule = std::iter::once(0).chain(set.settings.follow_up_months.iter().copied());
        if !schedule.clone().any(|m| m == new.wave_months) {
            let list: Vec<String> = schedule.map(|m| m.to_string()).collect();
            return Err(refused(
                "unknown_survey_wave",
                format!("the programme's waves are at {} months", list.join(", ")),
            ));
        }
        let opens = match self.baseline_day(&member, &set.settings).await? {
            Some(day) => waves(day, &set.settings.follow_up_months)
                .into_iter()
                .find(|w| w.months == new.wave_months)
                .map(|w| w.opens),
            None => None,
        };
        let programme = self.programme(member.programme).await?;
        if opens.is_none_or(|o| self.programme_today(&programme) < o) {
            return Err(Refusal::conflict(
                "survey_wave_not_open",
                "this wave has not opened yet for the member; see their due surveys",
            )
            .into());
        }
        if new.answers.is_empty() {
            return Err(refused(
                "empty_survey_response",
                "answer at least one question; questions left out count as not answered",
            ));
        }
        let (version, scored) = if new.instrument == PROGRAMME_QUESTIONS {
            let q = set.questionnaire.as_ref().ok_or_else(not_enabled)?;
            let (answers, complete) = custom_answers(q, &new.answers)?;
            let scored = Scored {
                answers,
                raw: None,
                metric: None,
                complete,
            };
            (q.version, scored)
        } else {
            let instrument = set
                .instruments
                .iter()
                .find(|i| i.id == new.instrument)
                .ok_or_else(not_enabled)?;
            (
                instrument.version,
                score_instrument(instrument, &new.answers)?,
            )
        };
        let response = SurveyResponse {
            id: Uuid::now_v7(),
            programme: member.programme,
            member: member.id,
            wave_months: new.wave_months,
            instrument: new.instrument,
            instrument_version: version,
            answers: scored.answers,
            raw_score: scored.raw,
            metric_hundredths: scored.metric,
            complete: scored.complete,
            completed_at: self.now(),
            entered_by: actor.user,
            by_proxy: !actor.is_member_in_person(member.id),
        };
        if !self.store.add_survey_response(&response).await? {
            return Err(Refusal::conflict(
                "survey_already_answered",
                "the member has already answered this survey in this wave; answers are kept as given",
            )
            .into());
        }
        self.log_if_done_for(actor, member.id, "submit_survey_response")
            .await?;
        tracing::info!(member.id = %member.id, instrument = %response.instrument, wave = response.wave_months, "survey response recorded");
        Ok(response)
    }

    /// The member's survey answers, oldest first.
    pub async fn survey_responses(
        &self,
        actor: &Actor,
        member: MemberId,
    ) -> Result<Vec<SurveyResponse>, AppError> {
        let member = self.evaluation_subject(actor, member).await?;
        Ok(self.store.survey_responses(member.id).await?)
    }

    /// The surveys a member is asked to answer today: those of the open
    /// wave not yet answered. Nothing is due without consent.
    pub async fn due_surveys(
        &self,
        actor: &Actor,
        member: MemberId,
    ) -> Result<DueSurveys, AppError> {
        let member = self.evaluation_subject(actor, member).await?;
        let consent_given = self.has_evaluation_consent(member.id).await?;
        let set = self.survey_set_of(member.programme).await?;
        let baseline = self.baseline_day(&member, &set.settings).await?;
        let mut due = Vec::new();
        if let (true, Some(day)) = (consent_given, baseline) {
            let programme = self.programme(member.programme).await?;
            let today = self.programme_today(&programme);
            let answered = self.store.survey_responses(member.id).await?;
            let mut offered: Vec<DueInstrument> = set
                .instruments
                .iter()
                .map(|i| DueInstrument {
                    id: i.id.clone(),
                    version: i.version,
                    title: i.title.clone(),
                })
                .collect();
            if let Some(q) = &set.questionnaire {
                offered.push(DueInstrument {
                    id: q.id.clone(),
                    version: q.version,
                    title: q.title.clone(),
                });
            }
            for wave in waves(day, &set.settings.follow_up_months) {
                if !wave.is_open(today) {
                    continue;
                }
                let instruments: Vec<DueInstrument> = offered
                    .iter()
                    .filter(|i| {
                        !answered
                            .iter()
                            .any(|r| r.wave_months == wave.months && r.instrument == i.id)
                    })
                    .cloned()
                    .collect();
                if !instruments.is_empty() {
                    due.push(DueWave { wave, instruments });
                }
            }
        }
        Ok(DueSurveys {
            consent_given,
            baseline,
            due,
        })
    }
}

fn not_enabled() -> AppError {
    Refusal::conflict(
        "instrument_not_enabled",
        "the programme does not use this instrument; see its survey instruments",
    )
    .into()
}
