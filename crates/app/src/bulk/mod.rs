//! Bulk data: CSV import of members, organisations and historic
//! contributions (dry run, row errors with line numbers, all or nothing),
//! and CSV export of everything a programme manager can see.
//!
//! Imports are for the programme's managers. Every row of a file is parsed
//! and checked against the same rules as the one-at-a-time use cases before
//! anything is written; every problem is reported with its CSV line
//! (the header is line 1) and a named code. If any row fails nothing is
//! written. Otherwise the whole file is written in one transaction.
//!
//! Each import carries an idempotency key. The ids of the records it writes
//! are derived from the key and the row's line, so a retried import (same
//! key, same file) writes nothing more and answers `replayed`; the same key
//! with a different file is refused with `idempotency_conflict`.
//!
//! The files (columns in any order; a header row is required; unknown
//! columns are refused):
//! - members: `display_name` (required), `member_number` (an existing card
//!   number, 7 digits with its check digit; a free one is chosen when
//!   empty), `email`, `phone`, `language`. Imported members are registered
//!   on their behalf by the importing manager, active, with no sign-in:
//!   a PIN is set at the desk afterwards.
//! - organisations: `name`, `kind`, `roles` (all required, as the directory
//!   defines them), `postcode`, `contact_name`, `contact_email`,
//!   `contact_phone`. A name already used in the programme (ignoring case)
//!   is refused, since contributions find organisations by name.
//! - contributions: `member_number`, `organisation` (by name), `activity`
//!   (by title within the organisation), `date` (YYYY-MM-DD), `minutes`
//!   (all required), `note`. **Activities are not created by an import**:
//!   an activity has a co-production level and mode that a row of hours
//!   cannot sensibly carry, so a title that matches no activity is refused
//!   (`activity_unknown`); create the activity first. Each row is judged by
//!   the rules in force on its date (no future dates, whole steps, the daily
//!   cap counting what is already credited and earlier rows of the file),
//!   and the whole file is recorded as one batch of direct contributions
//!   whose issuances are posted in the same transaction.
//!
//! Exports read a page at a time (see [`App::export_page`]); each page is a
//! complete CSV file, and a cursor names where the next page starts.

mod export;
mod import;
mod store;

use std::fmt;

use sha2::{Digest, Sha256};
use timecredits_ledger::{ProgrammeId, TransferId};
use uuid::Uuid;

pub use export::{DEFAULT_EXPORT_PAGE, ExportKind, ExportPage, MAX_EXPORT_PAGE};
pub use import::{
    ImportKind, ImportReport, ImportRequest, MAX_IMPORT_ERRORS, MAX_IMPORT_ROWS, RowError,
};
pub use store::{BulkStore, ExportTable, NewPartnerRecord};

use crate::{Actor, App, AppError};

/// A deterministic id for one record of an import, so a retry with the
/// same key names the same records.
pub(crate) fn derived_id(key: TransferId, what: &str, line: u64) -> Uuid {
    let mut hash = Sha256::new();
    hash.update(b"timecredits/bulk/");
    hash.update(key.0.as_bytes());
    hash.update(what.as_bytes());
    hash.update(line.to_be_bytes());
    let digest = hash.finalize();
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// A deterministic id for one record of an import that sorts next to the
/// other records of its file: a prefix derived from the key and `what`,
/// then the line. Every index on the id then takes a file's records as
/// one run of neighbouring entries: with ids spread at random, each record
/// of a large import read and rewrote its own index page once the table
/// outgrew the page cache, and that was most of an import's time. Lines
/// fill the last six bytes (a file cannot hold 2^48 lines).
pub(crate) fn sequential_id(key: TransferId, what: &str, line: u64) -> Uuid {
    let mut hash = Sha256::new();
    hash.update(b"timecredits/bulk-sequential/");
    hash.update(key.0.as_bytes());
    hash.update(what.as_bytes());
    let digest = hash.finalize();
    let mut bytes = [0_u8; 16];
    // The version and variant bits `from_custom_bytes` sets (bytes 6 and
    // 8) fall in the prefix, so the line survives whole.
    bytes[..10].copy_from_slice(&digest[..10]);
    bytes[10..].copy_from_slice(&line.to_be_bytes()[2..]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// An idempotency key for a file: the same programme, kind and bytes give
/// the same key, so running the same import twice (say, from the CLI after
/// a lost connection) imports it once.
pub fn key_for_file(programme: ProgrammeId, kind: ImportKind, data: &[u8]) -> TransferId {
    let mut hash = Sha256::new();
    hash.update(b"timecredits/bulk-file/");
    hash.update(programme.0.as_bytes());
    hash.update(kind.as_str().as_bytes());
    hash.update(data);
    let digest = hash.finalize();
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    TransferId(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}

/// A CSV cell that a spreadsheet would read as a formula is prefixed with
/// an apostrophe, so opening an export never runs what someone typed.
pub(crate) fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

impl fmt::Display for ImportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ExportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl App {
    /// Refuses anyone but the programme's managers: not found for those
    /// who take no part in it, forbidden for the others.
    pub(crate) async fn check_bulk_access(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
    ) -> Result<crate::Programme, AppError> {
        let found = self.store.programme(programme).await?;
        let Some(found) = found else {
            return Err(AppError::NotFound("programme"));
        };
        if actor.manages(programme) {
            return Ok(found);
        }
        if self.actor_in_programme(actor, programme).await? {
            Err(AppError::Forbidden)
        } else {
            Err(AppError::NotFound("programme"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let key = TransferId(Uuid::from_u128(7));
        assert_eq!(derived_id(key, "member", 2), derived_id(key, "member", 2));
        assert_ne!(derived_id(key, "member", 2), derived_id(key, "member", 3));
        assert_ne!(derived_id(key, "member", 2), derived_id(key, "account", 2));
        let other = TransferId(Uuid::from_u128(8));
        assert_ne!(derived_id(key, "member", 2), derived_id(other, "member", 2));
    }

    #[test]
    fn sequential_ids_are_stable_distinct_and_in_line_order() {
        let key = TransferId(Uuid::from_u128(7));
        let id = |what, line| sequential_id(key, what, line);
        assert_eq!(id("contribution", 2), id("contribution", 2));
        assert_ne!(id("contribution", 2), id("contribution", 3));
        assert_ne!(id("contribution", 2), id("member", 2));
        let other = TransferId(Uuid::from_u128(8));
        assert_ne!(
            id("contribution", 2),
            sequential_id(other, "contribution", 2)
        );
        // One file's ids are neighbours, in line order, whatever the line.
        let lines = [2_u64, 3, 255, 256, 10_001, 65_536, (1 << 48) - 1];
        for pair in lines.windows(2) {
            let (a, b) = (id("contribution", pair[0]), id("contribution", pair[1]));
            assert!(a < b, "line {} sorts before line {}", pair[0], pair[1]);
            assert_eq!(a.as_bytes()[..10], b.as_bytes()[..10]);
        }
        assert_eq!(id("contribution", 2).get_version_num(), 8);
    }

    #[test]
    fn file_keys_depend_on_programme_kind_and_bytes() {
        let p = ProgrammeId(Uuid::from_u128(1));
        let q = ProgrammeId(Uuid::from_u128(2));
        let k = key_for_file(p, ImportKind::Members, b"a");
        assert_eq!(k, key_for_file(p, ImportKind::Members, b"a"));
        assert_ne!(k, key_for_file(q, ImportKind::Members, b"a"));
        assert_ne!(k, key_for_file(p, ImportKind::Organisations, b"a"));
        assert_ne!(k, key_for_file(p, ImportKind::Members, b"b"));
    }

    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(cell("@cmd"), "'@cmd");
        assert_eq!(cell("Ann"), "Ann");
        assert_eq!(cell(""), "");
    }
}
