//! What the evaluation area needs from storage. Each backend implements
//! this trait in its own `evaluation` module.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use timecredits_evaluation::imd::{Boundary, Edition, ImdRow, ImportError, PostcodeArea};
use timecredits_ledger::ProgrammeId;

use super::model::{ConsentRecord, StoredProfile};
use super::records::{ContributionRecord, EvaluationMember, MemberCredits, SurveyAnswerRecord};
use super::surveys::{EvaluationSettings, StoredQuestionnaire, SurveyResponse};
use crate::{MemberId, StoreError, StoreResult, UserId};

/// Rows of a data file, read one at a time while they are written.
pub type Rows<T> = Box<dyn Iterator<Item = Result<T, ImportError>> + Send>;

/// What a platform-wide data set is, where it came from and who loaded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataLoad {
    /// `postcodes:lsoa2011`, `imd:iod2019`, …: one load of each is kept.
    pub dataset: String,
    /// The file's name as given.
    pub source: String,
    pub rows: u64,
    pub loaded_at: DateTime<Utc>,
    pub loaded_by: UserId,
}

/// Why a load wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file no longer reads as it did when it was checked.
    #[error(transparent)]
    File(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait EvaluationStore: Send + Sync {
    // Consent: append-only.
    async fn add_consent_record(&self, record: &ConsentRecord) -> StoreResult<()>;
    /// Oldest first.
    async fn consent_history(&self, member: MemberId) -> StoreResult<Vec<ConsentRecord>>;

    // The evaluation profile: one current row per member.
    async fn evaluation_profile(&self, member: MemberId) -> StoreResult<Option<StoredProfile>>;
    /// Inserts or replaces the member's profile.
    async fn save_evaluation_profile(&self, profile: &StoredProfile) -> StoreResult<()>;

    /// The earliest day the member gave time, counting contributions not
    /// since corrected.
    async fn first_contribution_date(&self, member: MemberId) -> StoreResult<Option<NaiveDate>>;

    // Places: each load replaces the previous one of its data set in one
    // transaction, or writes nothing.
    async fn replace_postcode_lookup(
        &self,
        load: DataLoad,
        boundary: Boundary,
        rows: Rows<PostcodeArea>,
    ) -> Result<u64, LoadError>;
    async fn replace_imd(
        &self,
        load: DataLoad,
        edition: Edition,
        rows: Rows<ImdRow>,
    ) -> Result<u64, LoadError>;
    /// The postcode (in normal form) in the lookup of these boundaries.
    async fn postcode_area(
        &self,
        boundary: Boundary,
        postcode: &str,
    ) -> StoreResult<Option<PostcodeArea>>;
    async fn imd_area(&self, edition: Edition, lsoa: &str) -> StoreResult<Option<ImdRow>>;
    /// Every data set loaded, by name.
    async fn data_loads(&self) -> StoreResult<Vec<DataLoad>>;

    // Surveys.
    async fn evaluation_settings(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Option<EvaluationSettings>>;
    /// Inserts or replaces the programme's settings.
    async fn save_evaluation_settings(&self, settings: &EvaluationSettings) -> StoreResult<()>;
    /// Adds a version; false (and nothing written) when that version exists.
    async fn add_questionnaire(&self, questionnaire: &StoredQuestionnaire) -> StoreResult<bool>;
    /// The newest version, or the one asked for.
    async fn questionnaire(
        &self,
        programme: ProgrammeId,
        version: Option<u32>,
    ) -> StoreResult<Option<StoredQuestionnaire>>;
    /// Adds a response with its answers; false (and nothing written) when
    /// the member already answered that instrument in that wave.
    async fn add_survey_response(&self, response: &SurveyResponse) -> StoreResult<bool>;
    /// The member's responses, oldest first.
    async fn survey_responses(&self, member: MemberId) -> StoreResult<Vec<SurveyResponse>>;

    // Analytics and extracts: whole-programme reads, one query each.
    /// Every member of the programme with their latest consent decision,
    /// profile, and the LSOA, decile and local authority of their postcode
    /// in the lookup of `boundary` and the IMD of `edition`.
    async fn evaluation_members(
        &self,
        programme: ProgrammeId,
        boundary: Boundary,
        edition: Edition,
    ) -> StoreResult<Vec<EvaluationMember>>;
    /// The programme's contributions not since corrected, in no
    /// particular order.
    async fn evaluation_contributions(
        &self,
        programme: ProgrammeId,
        boundary: Boundary,
        edition: Edition,
    ) -> StoreResult<Vec<ContributionRecord>>;
    /// Per member with any transfer: earned and spent from `since`
    /// (included) and the balance, all up to `until` (excluded).
    async fn member_credit_totals(
        &self,
        programme: ProgrammeId,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> StoreResult<Vec<MemberCredits>>;
    /// Every answered item of the programme's survey responses.
    async fn programme_survey_answers(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<SurveyAnswerRecord>>;
    /// The local authority districts of the programme's organisations' and
    /// activities' postcodes, each once: the programme's area.
    async fn organisation_local_authorities(
        &self,
        programme: ProgrammeId,
        boundary: Boundary,
        edition: Edition,
    ) -> StoreResult<Vec<String>>;
    /// The IMD decile of every LSOA in these local authority districts.
    async fn lsoa_deciles_in(
        &self,
        edition: Edition,
        local_authorities: &[String],
    ) -> StoreResult<Vec<u8>>;
}

/// The code a boundary vintage is stored and shown under.
pub fn boundary_code(boundary: Boundary) -> &'static str {
    match boundary {
        Boundary::Lsoa2011 => "lsoa2011",
        Boundary::Lsoa2021 => "lsoa2021",
    }
}

pub fn parse_boundary(code: &str) -> Option<Boundary> {
    match code {
        "lsoa2011" | "2011" => Some(Boundary::Lsoa2011),
        "lsoa2021" | "2021" => Some(Boundary::Lsoa2021),
        _ => None,
    }
}

/// The code an IMD edition is stored and shown under.
pub fn edition_code(edition: Edition) -> &'static str {
    match edition {
        Edition::Iod2019 => "iod2019",
    }
}

pub fn parse_edition(code: &str) -> Option<Edition> {
    match code {
        "iod2019" | "2019" => Some(Edition::Iod2019),
        _ => None,
    }
}
