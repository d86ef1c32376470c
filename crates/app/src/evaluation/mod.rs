//! The evaluation area: consent, evaluation profiles, places and
//! deprivation, surveys with validated instruments on a schedule, and the
//! reports and research extract made from them.
//!
//! Who sees what: a member sees and edits their own consent, profile and
//! survey answers; a programme manager, or a coordinator of an active
//! organisation the member belongs to, may do the same for them as proxy
//! (logged, naming both). Evaluators never see one person's answers; they
//! get aggregates through disclosure control (`analytics`) and
//! pseudonymised extracts (`extract`), only of members whose consent is
//! current.
//!
//! **Invariant:** without current consent nothing about a member is
//! collected: the profile and survey answers are refused until the member
//! (or staff for them) records consent, and refused again once withdrawn.
//! Consent records are never changed or deleted.

mod analytics;
mod consent;
mod extract;
mod model;
mod places;
mod profile;
mod records;
mod schedule;
mod store;
mod surveys;

pub(crate) use analytics::AnalyticsKey;
pub use analytics::{AnalyticsReport, ReportKind, report_day};
pub use extract::{ExtractFile, ResearchExtract};
pub use model::{
    AGE_BANDS, Answer, CONSENT_WORDING, CONSENT_WORDINGS, Choice, ConsentDecision, ConsentRecord,
    ConsentState, ConsentWording, EMPLOYMENT, ETHNIC_GROUPS, EthnicGroup, EvaluationProfile,
    GENDERS, MemberDates, PREFER_NOT_TO_SAY, StoredProfile, YES_NO, ethnic_group,
};
pub use places::{
    ActivityArea, AreaOutcome, AreaResolution, BytesFile, CURRENT_EDITION, DataFile, Deprivation,
    LoadPhase, PlaceSource, PlacesImportError, Progress,
};
pub use records::{ContributionRecord, EvaluationMember, MemberCredits, SurveyAnswerRecord};
pub use schedule::{Wave, waves};
pub use store::{
    DataLoad, EvaluationStore, LoadError, Rows, boundary_code, edition_code, parse_boundary,
    parse_edition,
};
pub use surveys::{
    BaselineAt, DueInstrument, DueSurveys, DueWave, EvaluationSettings, ItemAnswer,
    ItemAnswerInput, NewSurveyResponse, PROGRAMME_QUESTIONS, QuestionnaireInput, SettingsUpdate,
    StoredQuestionnaire, SurveyResponse, SurveySet, decode_questions, encode_questions, kind_name,
    question_kind,
};

/// The pure evaluation core, for the stores and the web layer, so they
/// name the same types without depending on it themselves.
pub use timecredits_evaluation as eval;

use timecredits_domain::Refusal;

use crate::{Actor, App, AppError, Member, MemberId};

impl App {
    /// The member whose evaluation data the actor reads or writes: the
    /// member themself (or staff acting for them), or staff who may act
    /// for them. Anyone else is told the member does not exist.
    async fn evaluation_subject(
        &self,
        actor: &Actor,
        member: MemberId,
    ) -> Result<Member, AppError> {
        if !actor.is_member(member) {
            self.check_may_act_for(actor, member).await?;
        }
        self.store
            .member(member)
            .await?
            .ok_or(AppError::NotFound("member"))
    }

    /// Whether the member's consent to evaluation is current. For other
    /// areas (analytics); it checks no actor.
    pub async fn has_evaluation_consent(&self, member: MemberId) -> Result<bool, AppError> {
        let history = self.store.consent_history(member).await?;
        Ok(ConsentState::from_history(member, history).given)
    }

    async fn require_consent(&self, member: MemberId) -> Result<(), AppError> {
        if self.has_evaluation_consent(member).await? {
            Ok(())
        } else {
            Err(Refusal::conflict(
                "evaluation_consent_required",
                "the member has not consented to evaluation (or withdrew it); record their consent first",
            )
            .into())
        }
    }
}
