//! Places and deprivation: loading the postcode lookup and the Indices of
//! Deprivation, and resolving a postcode to its LSOA and IMD decile.
//!
//! A load reads the file twice: first to check every row (so a bad row is
//! reported with its line and nothing is written), then again while the
//! store writes it in one transaction that replaces the previous load of
//! the same data set. Neither pass holds the file in memory, so a postcode
//! directory of any size loads.

use std::io::Read;
use std::sync::Arc;

use timecredits_domain::Refusal;
use timecredits_evaluation::imd::{
    Boundary, Decile, DomainDeciles, Edition, ImdReader, ImportError, LsoaAssignment, LsoaCode,
    PostcodeLookupReader,
};
use timecredits_evaluation::postcode::Postcode;

use super::model::Answer;
use super::store::{DataLoad, LoadError, Rows, boundary_code, edition_code};
use crate::activities::ActivityId;
use crate::{Actor, App, AppError, MemberId, OrganisationId};

/// The Indices of Deprivation areas are judged by.
pub const CURRENT_EDITION: Edition = Edition::Iod2019;

/// A file a load reads, opened afresh for each pass.
pub trait DataFile: Send + Sync {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send>>;
    /// As shown in messages and kept with the load.
    fn name(&self) -> String;
}

/// A file already in memory (an upload, a test).
pub struct BytesFile {
    pub name: String,
    pub bytes: Arc<[u8]>,
}

impl DataFile for BytesFile {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send>> {
        Ok(Box::new(std::io::Cursor::new(self.bytes.clone())))
    }
    fn name(&self) -> String {
        self.name.clone()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadPhase {
    Checking,
    Loading,
}

/// Told the bytes read so far in each phase.
pub type Progress = Arc<dyn Fn(LoadPhase, u64) + Send + Sync>;

/// Why a load wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum PlacesImportError {
    /// A row is wrong; its line is in the error.
    #[error("{file}: {error}")]
    File { file: String, error: ImportError },
    #[error("cannot read {file}: {reason}")]
    Unreadable { file: String, reason: String },
    #[error(transparent)]
    App(#[from] AppError),
}

struct Counting {
    inner: Box<dyn Read + Send>,
    read: u64,
    phase: LoadPhase,
    progress: Progress,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        (self.progress)(self.phase, self.read);
        Ok(n)
    }
}

fn open(
    file: &dyn DataFile,
    phase: LoadPhase,
    progress: &Progress,
) -> Result<Counting, PlacesImportError> {
    let inner = file.open().map_err(|e| PlacesImportError::Unreadable {
        file: file.name(),
        reason: e.to_string(),
    })?;
    Ok(Counting {
        inner,
        read: 0,
        phase,
        progress: progress.clone(),
    })
}

/// Which of the two readers a load uses.
#[derive(Clone, Copy)]
enum Kind {
    Postcodes(Boundary),
    Imd(Edition),
}

enum Reader {
    Postcodes(PostcodeLookupReader<Counting>),
    Imd(ImdReader<Counting>),
}

fn reader(kind: Kind, source: Counting) -> Result<Reader, ImportError> {
    Ok(match kind {
        Kind::Postcodes(b) => Reader::Postcodes(PostcodeLookupReader::new(source, b)?),
        Kind::Imd(e) => Reader::Imd(ImdReader::new(source, e)?),
    })
}

/// The first pass: every row read and checked; the number of rows.
fn check(kind: Kind, file: &dyn DataFile, progress: &Progress) -> Result<u64, PlacesImportError> {
    let fail = |error| PlacesImportError::File {
        file: file.name(),
        error,
    };
    let source = open(file, LoadPhase::Checking, progress)?;
    let mut rows = 0u64;
    match reader(kind, source).map_err(fail)? {
        Reader::Postcodes(r) => {
            for row in r {
                row.map_err(fail)?;
                rows += 1;
            }
        }
        Reader::Imd(r) => {
            for row in r {
                row.map_err(fail)?;
                rows += 1;
            }
        }
    }
    Ok(rows)
}

/// Where a postcode lies, and how deprived that area is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deprivation {
    pub edition: Edition,
    /// 1 is the most deprived LSOA in England.
    pub rank: u32,
    pub decile: Decile,
    pub domains: Option<DomainDeciles>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AreaOutcome {
    /// No postcode was given (or "prefer not to say").
    NoPostcode,
    /// The lookup does not have the postcode (or none is loaded).
    NotInLookup,
    /// In Wales, Scotland or Northern Ireland: outside the English indices.
    OutsideEngland(String),
    /// The lookup gives no small area (the Channel Islands, a PO box).
    Unassigned,
    Lsoa {
        lsoa: LsoaCode,
        /// The postcode is no longer in use, but its area is still known.
        terminated: bool,
        /// `None` when the indices are not loaded for this LSOA.
        deprivation: Option<Deprivation>,
    },
}

/// A postcode resolved against the lookup of the current edition's boundaries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AreaResolution {
    pub postcode: Option<String>,
    pub boundary: Boundary,
    pub edition: Edition,
    pub outcome: AreaOutcome,
}

/// Whose postcode placed an activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaceSource {
    /// The activity has a postcode of its own.
    Activity,
    /// It has none, so it is taken to happen at its organisation's.
    Organisation,
}

impl PlaceSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Activity => "activity",
            Self::Organisation => "organisation",
        }
    }
}

/// Where an activity happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityArea {
    pub source: PlaceSource,
    pub area: AreaResolution,
}

impl App {
    fn check_administrator(actor: &Actor) -> Result<(), AppError> {
        if actor.is_administrator() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    async fn load(
        &self,
        actor: &Actor,
        kind: Kind,
        file: Arc<dyn DataFile>,
        progress: Progress,
    ) -> Result<DataLoad, PlacesImportError> {
        Self::check_administrator(actor)?;
        let checked = {
            let (file, progress) = (file.clone(), progress.clone());
            tokio::task::spawn_blocking(move || check(kind, file.as_ref(), &progress))
                .await
                .map_err(|e| AppError::Store(crate::StoreError::Internal(e.to_string())))??
        };
        if checked == 0 {
            return Err(AppError::from(Refusal::invalid(
                "import_file_empty",
                "the file has a header but no rows; nothing was loaded",
            ))
            .into());
        }
        let dataset = match kind {
            Kind::Postcodes(b) => format!("postcodes:{}", boundary_code(b)),
            Kind::Imd(e) => format!("imd:{}", edition_code(e)),
        };
        let load = DataLoad {
            dataset,
            source: file.name(),
            rows: checked,
            loaded_at: self.now(),
            loaded_by: actor.user,
        };
        let fail = |error| PlacesImportError::File {
            file: file.name(),
            error,
        };
        let source = open(file.as_ref(), LoadPhase::Loading, &progress)?;
        let written = match reader(kind, source).map_err(fail)? {
            Reader::Postcodes(r) => {
                let Kind::Postcodes(boundary) = kind else {
                    unreachable!("reader follows kind")
                };
                let rows: Rows<_> = Box::new(r);
                self.store
                    .replace_postcode_lookup(load.clone(), boundary, rows)
                    .await
            }
            Reader::Imd(r) => {
                let Kind::Imd(edition) = kind else {
                    unreachable!("reader follows kind")
                };
                let rows: Rows<_> = Box::new(r);
                self.store.replace_imd(load.clone(), edition, rows).await
            }
        };
        let written = written.map_err(|e| match e {
            LoadError::File(error) => fail(error),
            LoadError::Store(s) => AppError::Store(s).into(),
        })?;
        tracing::info!(dataset = %load.dataset, rows = written, "place data loaded");
        Ok(DataLoad {
            rows: written,
            ..load
        })
    }

    /// An administrator loads a postcode -> LSOA lookup (ONS Postcode
    /// Directory or NSPL layout) for one boundary vintage, replacing the
    /// previous one whole.
    pub async fn import_postcode_lookup(
        &self,
        actor: &Actor,
        file: Arc<dyn DataFile>,
        boundary: Boundary,
        progress: Progress,
    ) -> Result<DataLoad, PlacesImportError> {
        self.load(actor, Kind::Postcodes(boundary), file, progress)
            .await
    }

    /// An administrator loads the Indices of Deprivation at LSOA level,
    /// replacing any earlier load of the same edition whole.
    pub async fn import_imd(
        &self,
        actor: &Actor,
        file: Arc<dyn DataFile>,
        edition: Edition,
        progress: Progress,
    ) -> Result<DataLoad, PlacesImportError> {
        self.load(actor, Kind::Imd(edition), file, progress).await
    }

    /// The data sets loaded (not personal data; for operators).
    pub async fn place_data_loads(&self) -> Result<Vec<DataLoad>, AppError> {
        Ok(self.store.data_loads().await?)
    }

    /// Resolves a postcode to its LSOA and deprivation. For other areas
    /// (analytics); it checks no actor.
    pub async fn resolve_postcode(
        &self,
        postcode: Option<&str>,
    ) -> Result<AreaResolution, AppError> {
        let edition = CURRENT_EDITION;
        let boundary = edition.boundary();
        let parsed = postcode.and_then(|p| Postcode::parse(p).ok());
        let outcome = match &parsed {
            None => AreaOutcome::NoPostcode,
            Some(p) => match self.store.postcode_area(boundary, &p.to_string()).await? {
                None => AreaOutcome::NotInLookup,
                Some(area) => match area.lsoa {
                    LsoaAssignment::OutsideEngland(code) => AreaOutcome::OutsideEngland(code),
                    LsoaAssignment::Unassigned => AreaOutcome::Unassigned,
                    LsoaAssignment::England(lsoa) => {
                        let deprivation =
                            self.store
                                .imd_area(edition, lsoa.as_str())
                                .await?
                                .map(|row| Deprivation {
                                    edition,
                                    rank: row.rank,
                                    decile: row.decile,
                                    domains: row.domains,
                                });
                        AreaOutcome::Lsoa {
                            lsoa,
                            terminated: area.terminated,
                            deprivation,
                        }
                    }
                },
            },
        };
        Ok(AreaResolution {
            postcode: parsed.map(|p| p.to_string()),
            boundary,
            edition,
            outcome,
        })
    }

    /// Where the member lives, from their evaluation profile's postcode:
    /// for the member and the staff who may act for them, never evaluators.
    pub async fn member_area(
        &self,
        actor: &Actor,
        member: MemberId,
    ) -> Result<AreaResolution, AppError> {
        let member = self.evaluation_subject(actor, member).await?;
        let profile = self.store.evaluation_profile(member.id).await?;
        let postcode = profile.and_then(|p| match p.profile.postcode {
            Answer::Given(code) => Some(code),
            _ => None,
        });
        self.resolve_postcode(postcode.as_deref()).await
    }

    /// Where an organisation is, from its postcode: for its coordinators,
    /// and the programme's managers and evaluators.
    pub async fn organisation_area(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
    ) -> Result<AreaResolution, AppError> {
        let org = self
            .store
            .organisation(organisation)
            .await?
            .ok_or(AppError::NotFound("organisation"))?;
        let allowed = actor.coordinates(org.id)
            || actor.manages(org.programme)
            || actor.evaluates(org.programme);
        if !allowed {
            return Err(if self.actor_in_programme(actor, org.programme).await? {
                AppError::Forbidden
            } else {
                AppError::NotFound("organisation")
            });
        }
        let details = self.organisation_details(org.id).await?;
        self.resolve_postcode(details.postcode.as_ref().map(|p| p.as_str()))
            .await
    }

    /// Where an activity happens: its own postcode, or else its
    /// organisation's. For the organisation's coordinators, and the
    /// programme's managers and evaluators.
    pub async fn activity_area(
        &self,
        actor: &Actor,
        activity: ActivityId,
    ) -> Result<ActivityArea, AppError> {
        let activity = self
            .store
            .activity(activity)
            .await?
            .ok_or(AppError::NotFound("activity"))?;
        let allowed = actor.coordinates(activity.organisation)
            || actor.manages(activity.programme)
            || actor.evaluates(activity.programme);
        if !allowed {
            return Err(
                if self.actor_in_programme(actor, activity.programme).await? {
                    AppError::Forbidden
                } else {
                    AppError::NotFound("activity")
                },
            );
        }
        let (source, postcode) = match activity.details.postcode {
            Some(own) => (PlaceSource::Activity, Some(own)),
            None => (
                PlaceSource::Organisation,
                self.organisation_details(activity.organisation)
                    .await?
                    .postcode,
            ),
        };
        let area = self
            .resolve_postcode(postcode.as_ref().map(|p| p.as_str()))
            .await?;
        Ok(ActivityArea { source, area })
    }
}
