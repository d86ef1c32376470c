//! Reach, engagement and outcome reports of a programme, from the store
//! through the pure analytics (`timecredits_evaluation::analytics`).
//!
//! **Who is in.** Only members whose latest consent record gives consent
//! are participants; a member who withdrew, or never consented, leaves no
//! trace in any figure (their contributions, credits and answers are
//! dropped before the analytics see them).
//!
//! **The programme's area** (the yardstick for reach): every LSOA of the
//! local authority districts its organisations' postcodes fall in. A
//! programme whose organisations have no postcode in the lookup falls back
//! to the districts of its consenting participants' postcodes. Both are
//! public geography; nobody's address is shown.
//!
//! **Who may see them:** the programme's managers and evaluators. Anyone
//! else is told the programme does not exist.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};
use rustc_hash::{FxHashMap, FxHashSet};
use timecredits_domain::activity::{CoProductionLevel, CoProductionMode};
use timecredits_evaluation::analytics::{
    self as pure, AnalyticsError, AreaDeciles, Contribution, CreditTotals, Dataset, Day, Filter,
    Level, Mode, Participant, PublishedTable, SurveyScore,
};
use timecredits_evaluation::disclosure::Threshold;
use timecredits_evaluation::imd::Decile;
use timecredits_evaluation::instruments::{self, Instrument};
use timecredits_evaluation::pseudonym::age_band;
use timecredits_ledger::ProgrammeId;
use uuid::Uuid;

/// More activities than any one organisation runs: the organisation view
/// counts them all.
const MAX_ORGANISATION_ACTIVITIES: u32 = 100_000;

use super::model::{Answer, ConsentDecision, EvaluationProfile, ethnic_group};
use super::places::CURRENT_EDITION;
use super::records::{EvaluationMember, MemberCredits};
use super::surveys::EvaluationSettings;
use crate::rules::{local_date, time_zone};
use crate::{Actor, App, AppError, MemberId, Programme, StoreError};

/// Which report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    Reach,
    Engagement,
    Outcomes,
}

impl ReportKind {
    pub const ALL: [Self; 3] = [Self::Reach, Self::Engagement, Self::Outcomes];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reach => "reach",
            Self::Engagement => "engagement",
            Self::Outcomes => "outcomes",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A report ready to publish: every table has been through disclosure
/// control at `threshold`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyticsReport {
    pub kind: ReportKind,
    pub programme: ProgrammeId,
    pub threshold: u64,
    pub tables: Vec<PublishedTable>,
    /// For each table, the follow-up wave (months after baseline) it is
    /// about, if it is about one (outcomes).
    pub wave_months: Vec<Option<u32>>,
    /// When the figures were computed: a report may be served again for a
    /// short while (`App::with_report_max_age`).
    pub computed_at: DateTime<Utc>,
}

/// What a computed report depends on besides the records: which report,
/// its filter as given, and the programme's today (engagement counts up to
/// it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AnalyticsKey {
    programme: ProgrammeId,
    kind: ReportKind,
    filter: Filter,
    today: Day,
}

/// The records of consenting members only, as read from the store, before
/// they become a `Dataset` (the research extract reads them too).
pub(crate) struct ConsentingRecords {
    pub settings: EvaluationSettings,
    pub threshold: Threshold,
    pub members: Vec<EvaluationMember>,
    pub contributions: Vec<Contribution>,
    pub credits: Vec<MemberCredits>,
    pub scores: Vec<SurveyScore>,
    pub area: AreaDeciles,
}

/// Which of the costly records a caller reads: each is a pass over a table
/// that grows with the programme's history (contributions, postings, survey
/// answers), and a report that does not look at one is spared it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RecordsNeeded {
    pub contributions: bool,
    pub credits: bool,
    pub scores: bool,
}

impl RecordsNeeded {
    pub const ALL: Self = Self {
        contributions: true,
        credits: true,
        scores: true,
    };

    /// What one report reads under `filter`. Reach looks at contributions
    /// only to decide who is in scope, which a filter without a period or
    /// an activity criterion never does; engagement never looks at survey
    /// scores, outcomes never at credits.
    fn for_report(kind: ReportKind, filter: &Filter) -> Self {
        match kind {
            ReportKind::Reach => Self {
                contributions: filter.narrows(),
                credits: false,
                scores: false,
            },
            ReportKind::Engagement => Self {
                contributions: true,
                credits: true,
                scores: false,
            },
            ReportKind::Outcomes => Self {
                contributions: true,
                credits: false,
                scores: true,
            },
        }
    }
}

/// One survey response's scored answers, gathered from its rows.
struct ResponseAnswers {
    member: MemberId,
    wave_months: u32,
    instrument: String,
    scores: Vec<(String, u8)>,
}

/// The key a member goes by inside the analytics (never published).
pub(crate) fn member_key(member: MemberId) -> String {
    member.0.to_string()
}

/// The analytics' calendar day of a date (total: every date is one).
pub fn report_day(date: NaiveDate) -> Day {
    let month = u8::try_from(date.month()).unwrap_or(1);
    let d = u8::try_from(date.day()).unwrap_or(1);
    Day::new(date.year(), month, d).expect("a NaiveDate is a valid calendar day")
}

fn naive(d: Day) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(d.year(), u32::from(d.month_number()), u32::from(d.day()))
}

/// The first instant of a calendar day in the programme's time zone.
fn start_of(programme: &Programme, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    time_zone(programme)
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

fn level(level: CoProductionLevel) -> Level {
    match level {
        CoProductionLevel::Individual => Level::Individual,
        CoProductionLevel::Group => Level::Group,
        CoProductionLevel::Collective => Level::Collective,
    }
}

fn mode(mode: CoProductionMode) -> Mode {
    match mode {
        CoProductionMode::CoDesign => Mode::CoDesign,
        CoProductionMode::CoDelivery => Mode::CoDelivery,
        CoProductionMode::CoGovernance => Mode::CoGovernance,
        CoProductionMode::PeerSupport => Mode::PeerSupport,
        CoProductionMode::CommunityAction => Mode::CommunityAction,
    }
}

fn analytics_error(e: AnalyticsError) -> AppError {
    match e {
        AnalyticsError::PeriodBackwards { .. } => AppError::invalid("from", e.to_string()),
        // Anything else means the records read do not hang together.
        other => AppError::Store(StoreError::Corrupt(other.to_string())),
    }
}

/// The age band a profile gives: the band chosen, or the 10-year band of
/// the age reached this year.
pub(crate) fn profile_age_band(profile: &EvaluationProfile, this_year: i32) -> Option<String> {
    if let Some(year) = profile.year_of_birth {
        let (year, this_year) = (u16::try_from(year).ok()?, u16::try_from(this_year).ok()?);
        return age_band(year, this_year, 10).ok().map(|b| b.to_string());
    }
    profile.age_band.code().map(str::to_owned)
}

/// Categorical answers only: never the postcode or a year of birth.
fn demographics(profile: &EvaluationProfile, this_year: i32) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |question: &str, code: Option<String>| {
        if let Some(code) = code {
            out.push((question.to_owned(), code));
        }
    };
    push("age_band", profile_age_band(profile, this_year));
    push("gender", profile.gender.code().map(str::to_owned));
    push("ethnic_group", ethnicity_group(&profile.ethnicity));
    push("disability", profile.disability.code().map(str::to_owned));
    push("employment", profile.employment.code().map(str::to_owned));
    out
}

/// The census group (5 groups) of an ethnicity answer: the 19 categories
/// would leave most cells below any threshold.
pub(crate) fn ethnicity_group(answer: &Answer<String>) -> Option<String> {
    match answer {
        Answer::NotAnswered => None,
        Answer::PreferNotToSay => answer.code().map(str::to_owned),
        Answer::Given(code) => Some(ethnic_group(code).map_or("other", |g| g.code).to_owned()),
    }
}

pub(crate) fn new_to_volunteering(profile: &EvaluationProfile) -> Option<bool> {
    match profile.volunteered_before.code() {
        Some("no") => Some(true),
        Some("yes") => Some(false),
        _ => None,
    }
}

/// The instruments the programme uses now (SWEMWBS only with its licence).
pub(crate) fn programme_instruments(settings: &EvaluationSettings) -> Vec<Instrument> {
    instruments::catalogue()
        .into_iter()
        .filter(|i| settings.instruments.contains(&i.id) && i.available(settings.swemwbs_licence))
        .collect()
}

impl App {
    /// The programme, for its managers and evaluators; anyone else is told
    /// it does not exist.
    pub(crate) async fn evaluation_programme(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
    ) -> Result<Programme, AppError> {
        if !(actor.manages(programme) || actor.evaluates(programme)) {
            return Err(AppError::NotFound("programme"));
        }
        self.programme(programme).await
    }

    /// How organisations are named in reports: by name (organisations are
    /// not people), with a number added when two share one.
    async fn organisation_labels(
        &self,
        programme: ProgrammeId,
    ) -> Result<BTreeMap<Uuid, String>, AppError> {
        let mut organisations = self.store.organisations(programme).await?;
        organisations.sort_by_key(|o| (o.created_at, o.id));
        let mut seen: BTreeMap<String, u32> = BTreeMap::new();
        Ok(organisations
            .into_iter()
            .map(|o| {
                let n = seen.entry(o.name.clone()).or_insert(0);
                *n += 1;
                let label = if *n == 1 {
                    o.name
                } else {
                    format!("{} ({n})", o.name)
                };
                (o.id.0, label)
            })
            .collect())
    }

    /// The filter with its organisation (given by id) as the label the
    /// analytics know it by; an organisation of another programme is not
    /// found.
    async fn with_organisation_label(
        &self,
        programme: ProgrammeId,
        filter: &Filter,
    ) -> Result<Filter, AppError> {
        let Some(given) = &filter.organisation else {
            return Ok(filter.clone());
        };
        let id: Uuid = given
            .parse()
            .map_err(|_| AppError::invalid("organisation", "is not an organisation id"))?;
        let label = self
            .organisation_labels(programme)
            .await?
            .remove(&id)
            .ok_or(AppError::NotFound("organisation"))?;
        Ok(Filter {
            organisation: Some(label),
            ..filter.clone()
        })
    }

    /// A manager sets the smallest count the programme's reports and
    /// extracts show (never below 5).
    pub async fn set_disclosure_threshold(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        threshold: u64,
    ) -> Result<EvaluationSettings, AppError> {
        if !actor.manages(programme) {
            return Err(AppError::NotFound("programme"));
        }
        self.programme(programme).await?;
        Threshold::new(threshold)
            .map_err(|e| AppError::invalid("disclosure_threshold", e.to_string()))?;
        let mut settings = self.survey_settings(programme).await?;
        settings.disclosure_threshold = threshold;
        settings.updated = Some((actor.user, self.now()));
        self.store.save_evaluation_settings(&settings).await?;
        self.forget_reports(programme);
        tracing::info!(programme.id = %programme, threshold, "disclosure threshold changed");
        Ok(settings)
    }

    /// Reads the programme's records and keeps those of consenting members.
    /// Credits are earned and spent in the filter's period, the balance at
    /// its end.
    pub(crate) async fn consenting_records(
        &self,
        programme: &Programme,
        filter: &Filter,
        needed: RecordsNeeded,
    ) -> Result<ConsentingRecords, AppError> {
        let settings = self.survey_settings(programme.id).await?;
        let threshold = Threshold::new(settings.disclosure_threshold)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let edition = CURRENT_EDITION;
        let boundary = edition.boundary();
        let since = filter.from.and_then(naive).map(|d| start_of(programme, d));
        let until = filter
            .to
            .and_then(naive)
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .map(|d| start_of(programme, d));
        // The three big reads are independent scans: run side by side, a
        // report takes as long as the longest rather than all three.
        let (all_members, stored_contributions, all_credits) = tokio::try_join!(
            self.store
                .evaluation_members(programme.id, boundary, edition),
            async {
                if needed.contributions {
                    self.store
                        .evaluation_contributions(programme.id, boundary, edition)
                        .await
                } else {
                    Ok(Vec::new())
                }
            },
            async {
                if needed.credits {
                    self.store
                        .member_credit_totals(programme.id, since, until)
                        .await
                } else {
                    Ok(Vec::new())
                }
            },
        )?;
        let members: Vec<EvaluationMember> = all_members
            .into_iter()
            .filter(|m| m.latest_consent == Some(ConsentDecision::Given))
            .collect();
        let consenting: FxHashSet<MemberId> = members.iter().map(|m| m.member).collect();

        // One shared string per member and per organisation, however many
        // contributions point at it.
        let labels: FxHashMap<Uuid, Arc<str>> = self
            .organisation_labels(programme.id)
            .await?
            .into_iter()
            .map(|(id, label)| (id, Arc::from(label)))
            .collect();
        let keys: FxHashMap<MemberId, Arc<str>> = members
            .iter()
            .map(|m| (m.member, Arc::from(member_key(m.member))))
            .collect();
        let mut contributions = Vec::with_capacity(stored_contributions.len());
        for c in stored_contributions {
            // Only consenting members have a key.
            let Some(member) = keys.get(&c.member) else {
                continue;
            };
            contributions.push(Contribution {
                member: Arc::clone(member),
                date: report_day(c.date),
                minutes: c.minutes,
                level: level(c.level),
                mode: mode(c.mode),
                organisation: labels
                    .get(&c.organisation)
                    .cloned()
                    .unwrap_or_else(|| Arc::from(c.organisation.to_string())),
                place_decile: c.place_decile.and_then(Decile::new),
            });
        }
        let credits = all_credits
            .into_iter()
            .filter(|c| consenting.contains(&c.member))
            .collect();

        let scores = if needed.scores {
            self.consenting_scores(programme.id, &consenting).await?
        } else {
            Vec::new()
        };

        let mut districts = self
            .store
            .organisation_local_authorities(programme.id, boundary, edition)
            .await?;
        if districts.is_empty() {
            let of_members: BTreeSet<&String> = members
                .iter()
                .filter_map(|m| m.local_authority.as_ref())
                .collect();
            districts = of_members.into_iter().cloned().collect();
        }
        let deciles = self.store.lsoa_deciles_in(edition, &districts).await?;
        let area = AreaDeciles::from_lsoa_deciles(deciles.into_iter().filter_map(Decile::new));

        Ok(ConsentingRecords {
            settings,
            threshold,
            members,
            contributions,
            credits,
            scores,
            area,
        })
    }

    /// Every survey response of a consenting member, scored again from its
    /// answers by the instrument's rule (programmes' own questions are not
    /// outcome measures and are left out).
    async fn consenting_scores(
        &self,
        programme: ProgrammeId,
        consenting: &FxHashSet<MemberId>,
    ) -> Result<Vec<SurveyScore>, AppError> {
        let catalogue: BTreeMap<String, Instrument> = instruments::catalogue()
            .into_iter()
            .map(|i| (i.id.clone(), i))
            .collect();
        let mut responses: BTreeMap<Uuid, ResponseAnswers> = BTreeMap::new();
        for a in self.store.programme_survey_answers(programme).await? {
            if !consenting.contains(&a.member) || !catalogue.contains_key(&a.instrument) {
                continue;
            }
            let entry = responses
                .entry(a.response)
                .or_insert_with(|| ResponseAnswers {
                    member: a.member,
                    wave_months: a.wave_months,
                    instrument: a.instrument.clone(),
                    scores: Vec::new(),
                });
            if let Some(score) = a.score {
                entry.scores.push((a.item, score));
            }
        }
        let mut scores = Vec::with_capacity(responses.len());
        for r in responses.into_values() {
            let pairs: Vec<(&str, u8)> = r.scores.iter().map(|(i, s)| (i.as_str(), *s)).collect();
            let score = instruments::score(&catalogue[&r.instrument], &pairs)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            scores.push(SurveyScore {
                member: member_key(r.member),
                wave_months: r.wave_months,
                instrument: r.instrument,
                score,
            });
        }
        Ok(scores)
    }

    /// The pure analytics' input from the consenting records, which it
    /// takes over: the contributions are the bulk of a report's memory and
    /// are moved, not copied.
    fn dataset(
        &self,
        programme: &Programme,
        records: ConsentingRecords,
    ) -> Result<Dataset, AppError> {
        let this_year = self.programme_today(programme).year();
        let participants = records
            .members
            .iter()
            .map(|m| Participant {
                key: member_key(m.member),
                joined: report_day(local_date(programme, m.joined_at)),
                decile: m.decile.and_then(Decile::new),
                new_to_volunteering: m.profile.as_ref().and_then(new_to_volunteering),
                demographics: m
                    .profile
                    .as_ref()
                    .map(|p| demographics(p, this_year))
                    .unwrap_or_default(),
            })
            .collect();
        let credits = records
            .credits
            .iter()
            .map(|c| CreditTotals {
                member: member_key(c.member),
                earned_minutes: c.earned_minutes,
                spent_minutes: c.spent_minutes,
                outstanding_minutes: c.balance_minutes,
            })
            .collect();
        Dataset::new(
            participants,
            records.contributions,
            credits,
            records.scores,
            records.area,
        )
        .map_err(analytics_error)
    }

    /// One report for the programme's managers and evaluators. The
    /// filter's organisation, when given, is an organisation's id; tables
    /// name organisations by name.
    pub async fn analytics_report(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        kind: ReportKind,
        filter: &Filter,
    ) -> Result<AnalyticsReport, AppError> {
        let programme = self.evaluation_programme(actor, programme).await?;
        filter.check().map_err(analytics_error)?;
        let organisation = filter
            .organisation
            .as_deref()
            .and_then(|o| Uuid::parse_str(o).ok());
        // Keyed by the filter as given (an organisation's id, not its label,
        // which two organisations could share).
        let given = filter.clone();
        let filter = self.with_organisation_label(programme.id, filter).await?;
        let key = AnalyticsKey {
            programme: programme.id,
            kind,
            filter: given,
            today: report_day(self.programme_today(&programme)),
        };
        let today = key.today;
        // Owned: a refresh runs after this request is answered.
        let app = self.clone();
        self.reports
            .analytics
            .get_or_compute(&key, move || async move {
                app.compute_report(&programme, kind, &filter, organisation, today)
                    .await
            })
            .await
    }

    /// Drops the programme's kept reports, so the next one is computed
    /// from the records: after a change that must show at once (consent,
    /// evaluation settings).
    pub(crate) fn forget_reports(&self, programme: ProgrammeId) {
        self.reports.analytics.forget(|k| k.programme == programme);
    }

    async fn compute_report(
        &self,
        programme: &Programme,
        kind: ReportKind,
        filter: &Filter,
        organisation: Option<Uuid>,
        today: Day,
    ) -> Result<AnalyticsReport, AppError> {
        // Figures as of when their records were read.
        let computed_at = self.now();
        let needed = RecordsNeeded::for_report(kind, filter);
        let records = self.consenting_records(programme, filter, needed).await?;
        let threshold = records.threshold;
        let follow_up_months = records.settings.follow_up_months.clone();
        let instruments = programme_instruments(&records.settings);
        let data = self.dataset(programme, records)?;
        let mut wave_months = Vec::new();
        let tables = match kind {
            ReportKind::Reach => pure::reach(&data, filter, threshold)
                .map_err(analytics_error)?
                .tables(),
            ReportKind::Engagement => {
                let as_of = filter.to.map_or(today, |to| to.min(today));
                let mut tables = pure::engagement(&data, filter, as_of, threshold)
                    .map_err(analytics_error)?
                    .tables();
                if let Some(organisation) = organisation {
                    tables.push(self.activities_by_level(programme, organisation).await?);
                }
                tables
            }
            ReportKind::Outcomes => {
                let mut tables = Vec::new();
                let waves =
                    pure::outcomes_at(&data, filter, &instruments, &follow_up_months, threshold)
                        .map_err(analytics_error)?;
                for outcome in waves {
                    let outcome_tables = outcome.tables();
                    wave_months.extend(std::iter::repeat_n(
                        Some(outcome.follow_up_months),
                        outcome_tables.len(),
                    ));
                    tables.extend(outcome_tables);
                }
                tables
            }
        };
        wave_months.resize(tables.len(), None);
        Ok(AnalyticsReport {
            kind,
            programme: programme.id,
            threshold: threshold.get(),
            tables,
            wave_months,
            computed_at,
        })
    }

    /// The organisation view's count of its activities by co-production
    /// level and mode. Activities are not people, so nothing is suppressed.
    async fn activities_by_level(
        &self,
        programme: &Programme,
        organisation: Uuid,
    ) -> Result<PublishedTable, AppError> {
        let activities = self
            .store
            .activities(&crate::activities::ActivityFilter {
                programme: programme.id,
                organisation: Some(crate::OrganisationId(organisation)),
                level: None,
                mode: None,
                place: None,
                sessions_between: None,
                after: None,
                limit: MAX_ORGANISATION_ACTIVITIES,
            })
            .await?;
        let mut counts: BTreeMap<(usize, &'static str), u64> = BTreeMap::new();
        for activity in &activities {
            let level = CoProductionLevel::ALL
                .iter()
                .position(|l| *l == activity.details.level)
                .unwrap_or(usize::MAX);
            *counts
                .entry((level, activity.details.mode.as_str()))
                .or_default() += 1;
        }
        let rows = counts
            .into_iter()
            .map(|((level, mode), n)| {
                let level = CoProductionLevel::ALL
                    .get(level)
                    .map_or("unknown", |l| l.as_str());
                vec![level.to_owned(), mode.to_owned(), n.to_string()]
            })
            .collect();
        Ok(PublishedTable {
            title: "Activities of the organisation by co-production level and mode".to_owned(),
            header: vec!["level".into(), "mode".into(), "activities".into()],
            rows,
        })
    }

    /// Participants by IMD decile and quintile against the area, the share
    /// new to volunteering, and demographics.
    pub async fn report_reach(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        filter: &Filter,
    ) -> Result<AnalyticsReport, AppError> {
        self.analytics_report(actor, programme, ReportKind::Reach, filter)
            .await
    }

    /// Active members per month, time given by level, mode and
    /// organisation, retention, and credits earned, spent and outstanding.
    pub async fn report_engagement(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        filter: &Filter,
    ) -> Result<AnalyticsReport, AppError> {
        self.analytics_report(actor, programme, ReportKind::Engagement, filter)
            .await
    }

    /// Paired change from baseline to each follow-up wave, per instrument.
    pub async fn report_outcomes(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        filter: &Filter,
    ) -> Result<AnalyticsReport, AppError> {
        self.analytics_report(actor, programme, ReportKind::Outcomes, filter)
            .await
    }
}
