//! The evaluation core: what the platform needs to show evidence of impact to research standard.
//!
//! - [`analytics`]: reach, engagement and outcomes of a programme from plain records of
//!   consenting members, every published count through disclosure control, as CSV-ready tables.
//! - [`stats`] and [`wilcoxon`]: paired baseline-to-follow-up change (mean and 95% CI, paired
//!   t-test, Wilcoxon signed-rank, Cohen's d_z, movement between bands), checked against scipy.
//! - [`instruments`]: SWEMWBS, UCLA-3, the ONS direct loneliness question and ONS4 as versioned
//!   data with their scoring, and programmes' own questions.
//! - [`disclosure`]: small-number suppression with secondary suppression for published tables.
//! - [`postcode`]: UK postcode validation, normal form, sector and district.
//! - [`imd`]: LSOA codes, deciles and quintiles; streaming readers for the English Indices of
//!   Deprivation 2019 files and the ONS postcode directories.
//! - [`pseudonym`]: keyed-hash ids, age bands and k-anonymity coarsening for research extracts.
//!
//! **Invariants:** pure. No IO beyond parsing from an `impl Read` the caller hands over, no
//! clock (reference years are arguments), no randomness (extract secrets are arguments), no
//! SQL, HTTP or templates (`clippy.toml` bans clocks and id generation). No money: credits pass
//! through only as whole minutes in [`analytics`] totals, and `f64` appears only for survey
//! statistics.

pub mod analytics;
pub mod disclosure;
pub mod imd;
pub mod instruments;
pub mod postcode;
pub mod pseudonym;
pub mod stats;
pub mod wilcoxon;
