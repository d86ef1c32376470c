//! CSV import: parse every row, check it, report every problem with its
//! line, and write the whole file in one transaction only when none failed.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rand::Rng;
use timecredits_domain::Refusal;
use timecredits_domain::contribution::{self as rules, ContributionOrigin};
use timecredits_domain::directory::{
    self as directory_rules, Contact, Language, MemberStatus, OrganisationKind, OrganisationStatus,
    PartnerRoles, Postcode,
};
use timecredits_domain::rules::PartnerReceipts;
use timecredits_ledger::{
    AccountId, Cause, CauseKind, Minutes, Movement, PostingRequest, ProgrammeId, TransferId,
    TransferKind,
};

use super::store::NewPartnerRecord;
use super::{derived_id, sequential_id};
use crate::activities::{
    Activity, ActivityFilter, BatchKind, Contribution, ContributionBatch, ContributionId,
    NewContribution,
};
use crate::directory::{
    MemberProfile, NewMemberRecord, OrganisationDetails, Registration, RegistrationChannel,
};
use crate::{
    Actor, App, AppError, Member, MemberId, MemberNumber, Organisation, OrganisationId, Programme,
    StoreError,
};
use uuid::Uuid;

/// The most data rows one file may hold.
pub const MAX_IMPORT_ROWS: usize = 10_000;
/// The most problems one report lists; checking stops there.
pub const MAX_IMPORT_ERRORS: usize = 1_000;

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImportKind {
    Members,
    Organisations,
    Contributions,
}

impl ImportKind {
    pub const ALL: [Self; 3] = [Self::Members, Self::Organisations, Self::Contributions];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Members => "members",
            Self::Organisations => "organisations",
            Self::Contributions => "contributions",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The columns a file of this kind may have, and which are required.
    pub fn columns(self) -> &'static [(&'static str, bool)] {
        match self {
            Self::Members => &[
                ("display_name", true),
                ("member_number", false),
                ("email", false),
                ("phone", false),
                ("language", false),
            ],
            Self::Organisations => &[
                ("name", true),
                ("kind", true),
                ("roles", true),
                ("postcode", false),
                ("contact_name", false),
                ("contact_email", false),
                ("contact_phone", false),
            ],
            Self::Contributions => &[
                ("member_number", true),
                ("organisation", true),
                ("activity", true),
                ("date", true),
                ("minutes", true),
                ("note", false),
            ],
        }
    }
}

/// An import as asked for.
#[derive(Clone, Copy, Debug)]
pub struct ImportRequest<'a> {
    pub programme: ProgrammeId,
    pub kind: ImportKind,
    /// The idempotency key: the same key and file import once.
    pub key: TransferId,
    /// The CSV file, UTF-8, with a header row.
    pub csv: &'a [u8],
    /// Check everything and report what would be created, writing nothing.
    pub dry_run: bool,
}

/// One problem with one row (or with the file, on line 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// The CSV line the row starts on; the header is line 1.
    pub line: u64,
    pub code: &'static str,
    pub message: String,
}

/// What an import did, or (for a dry run) would do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportReport {
    pub kind: ImportKind,
    pub dry_run: bool,
    /// Data rows in the file.
    pub rows: usize,
    /// Records created (for a dry run: that would be created). Zero when
    /// there are errors: then nothing is written.
    pub created: usize,
    /// True when this key had already imported this file: nothing new was written.
    pub replayed: bool,
    pub errors: Vec<RowError>,
}

/// A data row: its line, its byte offset after it, and its cells by column.
struct Row {
    line: u64,
    end_byte: u64,
    cells: Vec<Option<String>>,
}

impl Row {
    fn get(&self, column: usize) -> Option<&str> {
        self.cells.get(column).and_then(|c| c.as_deref())
    }
}

/// Collects problems, up to [`MAX_IMPORT_ERRORS`].
#[derive(Default)]
struct Problems {
    list: Vec<RowError>,
    full: bool,
}

impl Problems {
    fn add(&mut self, line: u64, code: &'static str, message: impl Into<String>) {
        if self.list.len() >= MAX_IMPORT_ERRORS {
            if !self.full {
                self.full = true;
                self.list.push(RowError {
                    line,
                    code: "too_many_errors",
                    message: format!(
                        "more than {MAX_IMPORT_ERRORS} problems; checking stopped here, fix these first"
                    ),
                });
            }
            return;
        }
        self.list.push(RowError {
            line,
            code,
            message: message.into(),
        });
    }

    fn refusal(&mut self, line: u64, column: &str, r: Refusal) {
        self.add(line, r.code, format!("{column}: {}", r.message));
    }

    fn app(&mut self, line: u64, column: &str, e: &AppError) {
        self.add(line, e.code(), format!("{column}: {e}"));
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Which line of a file records start on. Records are asked about in the
/// order they come, so each part of the file is counted once (counting
/// from the start for every row took time in the square of the size).
struct Lines<'a> {
    data: &'a [u8],
    /// Bytes before this have been counted...
    counted: usize,
    /// ...and hold this many line ends.
    newlines: u64,
}

impl<'a> Lines<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            counted: 0,
            newlines: 0,
        }
    }

    /// The line (from 1) a record starting at `byte` is on, as an editor
    /// shows it. The csv crate's own count is one short after a CRLF line
    /// end (the usual end in CSV files and in what browsers send), because
    /// a record may start at the LF that ends the line before.
    fn line(&mut self, byte: u64) -> u64 {
        let data = self.data;
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(data.len());
        while start < data.len() && matches!(data[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.counted {
            self.counted = 0;
            self.newlines = 0;
        }
        self.newlines += data[self.counted..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.counted = start;
        1 + self.newlines
    }
}

/// Reads the header and every row, reporting malformed ones.
fn read_rows(kind: ImportKind, data: &[u8], problems: &mut Problems) -> Vec<Row> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let columns = kind.columns();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(data);
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.add(
                1,
                "csv_malformed",
                format!("the header row cannot be read: {e}"),
            );
            return Vec::new();
        }
    };
    if header.iter().all(str::is_empty) {
        problems.add(
            1,
            "header_missing",
            format!(
                "the file has no header row; the first line must name the columns: {}",
                column_names(kind)
            ),
        );
        return Vec::new();
    }
    // Where each known column is in the file.
    let mut position: Vec<Option<usize>> = vec![None; columns.len()];
    for (i, name) in header.iter().enumerate() {
        let name = name.to_ascii_lowercase();
        match columns.iter().position(|(c, _)| *c == name) {
            Some(c) if position[c].is_some() => problems.add(
                1,
                "duplicate_column",
                format!("the column {name} appears twice"),
            ),
            Some(c) => position[c] = Some(i),
            None => problems.add(
                1,
                "unknown_column",
                format!(
                    "{name:?} is not a column of a {} file; use: {}",
                    kind.as_str(),
                    column_names(kind)
                ),
            ),
        }
    }
    for (c, (name, required)) in columns.iter().enumerate() {
        if *required && position[c].is_none() {
            problems.add(
                1,
                "missing_column",
                format!("the header has no {name} column, which is required"),
            );
        }
    }
    if !problems.is_empty() {
        return Vec::new();
    }
    let mut rows = Vec::new();
    let mut lines = Lines::new(data);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| lines.line(p.byte()));
                if rows.len() >= MAX_IMPORT_ROWS {
                    problems.add(
                        line,
                        "too_many_rows",
                        format!(
                            "a file may hold at most {MAX_IMPORT_ROWS} rows; split it into several files"
                        ),
                    );
                    break;
                }
                if record.iter().all(str::is_empty) {
                    continue;
                }
                let cells = position
                    .iter()
                    .map(|p| {
                        p.and_then(|i| record.get(i))
                            .filter(|v| !v.is_empty())
                            .map(str::to_owned)
                    })
                    .collect();
                rows.push(Row {
                    line,
                    end_byte: reader.position().byte(),
                    cells,
                });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line(p.byte()));
                let message = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("the row has {len} cells but the header has {expected_len}"),
                    csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8 text".to_owned(),
                    _ => format!("the row cannot be read: {e}"),
                };
                problems.add(line, "csv_malformed", message);
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                ) {
                    break;
                }
            }
        }
        if problems.full {
            break;
        }
    }
    rows
}

fn column_names(kind: ImportKind) -> String {
    kind.columns()
        .iter()
        .map(|(c, _)| *c)
        .collect::<Vec<_>>()
        .join(",")
}

/// A required cell (its absence already reported).
fn required<'a>(
    row: &'a Row,
    column: usize,
    name: &str,
    problems: &mut Problems,
) -> Option<&'a str> {
    let value = row.get(column);
    if value.is_none() {
        problems.add(
            row.line,
            "value_missing",
            format!("{name} is empty; it is required"),
        );
    }
    value
}

/// A member to import, checked.
struct MemberRow {
    line: u64,
    display_name: String,
    number: Option<MemberNumber>,
    email: Option<String>,
    phone: Option<String>,
    language: Option<Language>,
}

/// An organisation to import, checked.
struct PartnerRow {
    line: u64,
    name: String,
    details: OrganisationDetails,
}

/// A contribution to import, checked.
struct ContributionRow {
    line: u64,
    member: Member,
    activity: Activity,
    date: NaiveDate,
    minutes: i64,
    note: String,
    daily_cap_minutes: i64,
    /// The partner's account, when the rules in force on the date keep what
    /// partners receive to issue again (storage decides inside the write
    /// whether its holdings cover the contribution).
    reissue_from: Option<AccountId>,
}

impl App {
    /// Imports a CSV file of members, organisations or historic
    /// contributions into a programme. Managers only. Answers a report of
    /// what was (or, for a dry run, would be) created and of every problem;
    /// when there is any problem nothing is written. `progress` is told
    /// how many bytes of the file have been checked so far.
    pub async fn import_csv(
        &self,
        actor: &Actor,
        request: ImportRequest<'_>,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<ImportReport, AppError> {
        let programme = self.check_bulk_access(actor, request.programme).await?;
        let mut problems = Problems::default();
        let rows = read_rows(request.kind, request.csv, &mut problems);
        let mut report = ImportReport {
            kind: request.kind,
            dry_run: request.dry_run,
            rows: rows.len(),
            created: 0,
            replayed: false,
            errors: Vec::new(),
        };
        if !problems.is_empty() {
            report.errors = problems.list;
            return Ok(report);
        }
        if rows.is_empty() {
            return Ok(report);
        }
        let key = request.key;
        let outcome = match request.kind {
            ImportKind::Members => {
                self.import_members(actor, &programme, key, &rows, request.dry_run, progress)
                    .await?
            }
            ImportKind::Organisations => {
                self.import_partners(actor, &programme, key, &rows, request.dry_run, progress)
                    .await?
            }
            ImportKind::Contributions => {
                self.import_contributions(actor, &programme, key, &rows, request.dry_run, progress)
                    .await?
            }
        };
        match outcome {
            Outcome::Problems(p) => report.errors = p.list,
            Outcome::Created { count, replayed } => {
                report.created = count;
                report.replayed = replayed;
                tracing::info!(
                    programme.id = %programme.id,
                    kind = request.kind.as_str(),
                    rows = count,
                    dry_run = request.dry_run,
                    replayed,
                    "CSV import"
                );
            }
        }
        Ok(report)
    }

    async fn import_members(
        &self,
        actor: &Actor,
        programme: &Programme,
        key: TransferId,
        rows: &[Row],
        dry_run: bool,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<Outcome, AppError> {
        if let Some(outcome) = self.replayed_members(programme, key, rows).await? {
            return Ok(outcome);
        }
        let mut problems = Problems::default();
        let mut checked = Vec::with_capacity(rows.len());
        let mut numbers: HashMap<MemberNumber, u64> = HashMap::new();
        for row in rows {
            let before = problems.list.len();
            let display_name = required(row, 0, "display_name", &mut problems).and_then(|v| {
                directory_rules::display_name(v)
                    .map_err(|r| problems.refusal(row.line, "display_name", r))
                    .ok()
            });
            let number = match row.get(1) {
                None => None,
                Some(raw) => match raw.parse::<MemberNumber>() {
                    Err(e) => {
                        problems.add(
                            row.line,
                            "member_number_invalid",
                            format!("member_number: {e}"),
                        );
                        None
                    }
                    Ok(n) => {
                        if let Some(first) = numbers.insert(n, row.line) {
                            problems.add(
                                row.line,
                                "duplicate_member_number",
                                format!("member_number {n} is also on line {first}"),
                            );
                        } else if self.store.member_by_number(n).await?.is_some() {
                            problems.add(
                                row.line,
                                "member_number_taken",
                                format!("member_number {n} already belongs to a member"),
                            );
                        }
                        Some(n)
                    }
                },
            };
            let email = row.get(2).and_then(|v| {
                directory_rules::normalise_email(v)
                    .map_err(|r| problems.refusal(row.line, "email", r))
                    .ok()
            });
            let phone = row.get(3).and_then(|v| {
                directory_rules::normalise_phone(v)
                    .map_err(|r| problems.refusal(row.line, "phone", r))
                    .ok()
            });
            let language = row.get(4).and_then(|v| {
                Language::parse(v)
                    .map_err(|r| problems.refusal(row.line, "language", r))
                    .ok()
            });
            if problems.list.len() == before
                && let Some(display_name) = display_name
            {
                checked.push(MemberRow {
                    line: row.line,
                    display_name,
                    number,
                    email,
                    phone,
                    language,
                });
            }
            progress(row.end_byte);
            if problems.full {
                break;
            }
        }
        if !problems.is_empty() {
            return Ok(Outcome::Problems(problems));
        }
        if dry_run {
            return Ok(Outcome::Created {
                count: checked.len(),
                replayed: false,
            });
        }
        let default_language = Language::parse(&programme.language)
            .or_else(|_| Language::parse("en"))
            .map_err(AppError::Refused)?;
        // A clash of randomly chosen numbers (or a number taken meanwhile)
        // fails the transaction; choose again a few times.
        for _ in 0..5 {
            let mut taken: HashSet<MemberNumber> = numbers.keys().copied().collect();
            let now = self.now();
            let mut records = Vec::with_capacity(checked.len());
            for row in &checked {
                let number = match row.number {
                    Some(n) => n,
                    None => self.free_member_number(&mut taken).await?,
                };
                records.push(member_record(
                    actor,
                    programme,
                    key,
                    row,
                    number,
                    &default_language,
                    now,
                ));
            }
            match self.store.import_members(records).await {
                Ok(()) => {
                    return Ok(Outcome::Created {
                        count: checked.len(),
                        replayed: false,
                    });
                }
                Err(StoreError::Duplicate("member number"))
                    if checked.iter().any(|r| r.number.is_none()) =>
                {
                    continue;
                }
                Err(StoreError::Duplicate("member number")) => {
                    return Err(AppError::Conflict(
                        "a member number in the file was given to someone else meanwhile; check the file again with a dry run".into(),
                    ));
                }
                Err(StoreError::Duplicate(_)) => {
                    // A concurrent retry with the same key got there first.
                    if let Some(outcome) = self.replayed_members(programme, key, rows).await? {
                        return Ok(outcome);
                    }
                    return Err(AppError::Conflict(
                        "the import clashed with records written meanwhile; try again".into(),
                    ));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict(
            "no free member numbers were found; try again".into(),
        ))
    }

    /// A random card number that is neither stored nor in `taken`.
    async fn free_member_number(
        &self,
        taken: &mut HashSet<MemberNumber>,
    ) -> Result<MemberNumber, AppError> {
        for _ in 0..50 {
            let base = rand::rng().random_range(100_000..=999_999);
            let Some(n) = MemberNumber::from_base(base) else {
                continue;
            };
            if taken.contains(&n) || self.store.member_by_number(n).await?.is_some() {
                continue;
            }
            taken.insert(n);
            return Ok(n);
        }
        Err(AppError::Conflict(
            "no free member number was found; try again".into(),
        ))
    }

    /// When the key already imported members: the report of that import,
    /// or `idempotency_conflict` if this file is not the one imported.
    async fn replayed_members(
        &self,
        programme: &Programme,
        key: TransferId,
        rows: &[Row],
    ) -> Result<Option<Outcome>, AppError> {
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        if self
            .store
            .member(MemberId(derived_id(key, "member", first.line)))
            .await?
            .is_none()
        {
            return Ok(None);
        }
        for row in rows {
            let stored = self
                .store
                .member(MemberId(derived_id(key, "member", row.line)))
                .await?;
            let same = stored.is_some_and(|m| {
                m.programme == programme.id
                    && row
                        .get(0)
                        .and_then(|v| directory_rules::display_name(v).ok())
                        .is_some_and(|name| name == m.display_name)
                    && row
                        .get(1)
                        .is_none_or(|raw| raw.parse::<MemberNumber>().ok() == Some(m.number))
            });
            if !same {
                return Err(rules::idempotency_conflict().into());
            }
        }
        Ok(Some(Outcome::Created {
            count: rows.len(),
            replayed: true,
        }))
    }

    async fn import_partners(
        &self,
        actor: &Actor,
        programme: &Programme,
        key: TransferId,
        rows: &[Row],
        dry_run: bool,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<Outcome, AppError> {
        if let Some(outcome) = self.replayed_partners(programme, key, rows).await? {
            return Ok(outcome);
        }
        let existing: HashSet<String> = self
            .store
            .organisations(programme.id)
            .await?
            .into_iter()
            .map(|o| o.name.to_lowercase())
            .collect();
        let mut problems = Problems::default();
        let mut names: HashMap<String, u64> = HashMap::new();
        let mut checked = Vec::with_capacity(rows.len());
        for row in rows {
            let before = problems.list.len();
            let name = required(row, 0, "name", &mut problems).and_then(|v| {
                crate::directory::organisation_name(v)
                    .map_err(|e| problems.app(row.line, "name", &e))
                    .ok()
            });
            if let Some(name) = &name {
                let folded = name.to_lowercase();
                if existing.contains(&folded) {
                    problems.add(
                        row.line,
                        "organisation_exists",
                        format!("name: the programme already has an organisation called {name:?}"),
                    );
                } else if let Some(first) = names.insert(folded, row.line) {
                    problems.add(
                        row.line,
                        "duplicate_organisation",
                        format!("name: {name:?} is also on line {first}"),
                    );
                }
            }
            let kind = required(row, 1, "kind", &mut problems).and_then(|v| {
                OrganisationKind::parse_or_refuse(v)
                    .map_err(|r| problems.refusal(row.line, "kind", r))
                    .ok()
            });
            let roles = required(row, 2, "roles", &mut problems).and_then(|v| {
                PartnerRoles::parse(v)
                    .map_err(|r| problems.refusal(row.line, "roles", r))
                    .ok()
            });
            let postcode = row.get(3).and_then(|v| {
                Postcode::parse(v)
                    .map_err(|r| problems.refusal(row.line, "postcode", r))
                    .ok()
            });
            let contacts = match (row.get(4), row.get(5), row.get(6)) {
                (None, None, None) => Vec::new(),
                (None, _, _) => {
                    problems.add(
                        row.line,
                        "value_missing",
                        "contact_name is empty; a contact's email or phone needs their name",
                    );
                    Vec::new()
                }
                (Some(n), e, p) => match Contact::new(n, e, p) {
                    Ok(c) => vec![c],
                    Err(r) => {
                        problems.refusal(row.line, "contact", r);
                        Vec::new()
                    }
                },
            };
            if problems.list.len() == before
                && let (Some(name), Some(kind), Some(roles)) = (name, kind, roles)
            {
                checked.push(PartnerRow {
                    line: row.line,
                    name,
                    details: OrganisationDetails {
                        kind,
                        postcode,
                        contacts,
                        roles,
                        status: OrganisationStatus::Active,
                        status_change: None,
                    },
                });
            }
            progress(row.end_byte);
            if problems.full {
                break;
            }
        }
        if !problems.is_empty() {
            return Ok(Outcome::Problems(problems));
        }
        if dry_run {
            return Ok(Outcome::Created {
                count: checked.len(),
                replayed: false,
            });
        }
        let now = self.now();
        let records: Vec<NewPartnerRecord> = checked
            .into_iter()
            .map(|row| {
                let (organisation, accounts) = Organisation::open(
                    OrganisationId(derived_id(key, "organisation", row.line)),
                    programme.id,
                    row.name,
                    [
                        AccountId(derived_id(key, "organisation-account", row.line)),
                        AccountId(derived_id(key, "organisation-pot", row.line)),
                    ],
                    now,
                );
                NewPartnerRecord {
                    organisation,
                    accounts,
                    details: row.details,
                }
            })
            .collect();
        let count = records.len();
        match self.store.import_partners(records).await {
            Ok(()) => {
                tracing::info!(programme.id = %programme.id, user.id = %actor.user, count, "organisations imported");
                Ok(Outcome::Created {
                    count,
                    replayed: false,
                })
            }
            Err(StoreError::Duplicate(_)) => {
                match self.replayed_partners(programme, key, rows).await? {
                    Some(outcome) => Ok(outcome),
                    None => Err(AppError::Conflict(
                        "the import clashed with records written meanwhile; try again".into(),
                    )),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn replayed_partners(
        &self,
        programme: &Programme,
        key: TransferId,
        rows: &[Row],
    ) -> Result<Option<Outcome>, AppError> {
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let id = |line| OrganisationId(derived_id(key, "organisation", line));
        if self.store.organisation(id(first.line)).await?.is_none() {
            return Ok(None);
        }
        for row in rows {
            let stored = self.store.organisation(id(row.line)).await?;
            let same = stored.is_some_and(|o| {
                o.programme == programme.id
                    && row
                        .get(0)
                        .and_then(|v| crate::directory::organisation_name(v).ok())
                        .is_some_and(|name| name == o.name)
            });
            if !same {
                return Err(rules::idempotency_conflict().into());
            }
        }
        Ok(Some(Outcome::Created {
            count: rows.len(),
            replayed: true,
        }))
    }

    async fn import_contributions(
        &self,
        actor: &Actor,
        programme: &Programme,
        key: TransferId,
        rows: &[Row],
        dry_run: bool,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<Outcome, AppError> {
        // A retry: the store answers it (or refuses a different file); the
        // daily cap would otherwise count the rows already imported. A file
        // imported before ids were sequential keeps its hashed ids, so a
        // retry of it must name the same ones to be recognised.
        let (ids, replay) = match rows.first() {
            None => (ContributionIds::Sequential, false),
            Some(first) => {
                let mut found = None;
                for ids in [ContributionIds::Sequential, ContributionIds::Hashed] {
                    let id = ContributionId(ids.id(key, first.line));
                    if self.store.contribution(id).await?.is_some() {
                        found = Some(ids);
                        break;
                    }
                }
                match found {
                    Some(ids) => (ids, true),
                    None => (ContributionIds::Sequential, false),
                }
            }
        };
        let today = self.programme_today(programme);
        let book = self.rule_book(programme.id).await?;
        // The programme's organisations by name, and activities by title.
        let partners = self.store.partners(programme.id).await?;
        let mut organisations: HashMap<String, (Organisation, OrganisationDetails)> =
            HashMap::new();
        for (o, d) in partners {
            organisations.insert(o.name.to_lowercase(), (o, d.unwrap_or_default()));
        }
        let mut activities: HashMap<(OrganisationId, String), Vec<Activity>> = HashMap::new();
        let mut after = None;
        loop {
            let page = self
                .store
                .activities(&ActivityFilter {
                    programme: programme.id,
                    organisation: None,
                    level: None,
                    mode: None,
                    place: None,
                    sessions_between: None,
                    after,
                    limit: 500,
                })
                .await?;
            after = page.last().map(|a| a.id);
            let done = page.len() < 500;
            for a in page {
                activities
                    .entry((a.organisation, a.details.title.to_lowercase()))
                    .or_default()
                    .push(a);
            }
            if done {
                break;
            }
        }
        // Every member the file names, with their status, read at once: one
        // read per row made large files slow. A number left `None` names no
        // member of this programme.
        let numbers: Vec<MemberNumber> = rows
            .iter()
            .filter_map(|row| row.get(0)?.parse::<MemberNumber>().ok())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut members: HashMap<MemberNumber, Option<(Member, MemberStatus)>> =
            numbers.iter().map(|n| (*n, None)).collect();
        for (m, status) in self.store.members_by_numbers(&numbers).await? {
            if m.programme == programme.id {
                // As `member_status` answers: active when no decision was needed.
                let status = status.unwrap_or(MemberStatus::Active);
                members.insert(m.number, Some((m, status)));
            }
        }
        // What the daily cap counts as already credited, for every member
        // and day the file could credit, read at once too (a retry does not
        // check the cap).
        // Then what this file adds, row by row.
        let mut credited = if replay {
            HashMap::new()
        } else {
            let mut days: HashSet<(MemberId, NaiveDate)> = HashSet::new();
            for row in rows {
                let member = row
                    .get(0)
                    .and_then(|raw| raw.parse::<MemberNumber>().ok())
                    .and_then(|n| members.get(&n)?.as_ref());
                let date = row
                    .get(3)
                    .and_then(|raw| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok());
                if let (Some((m, _)), Some(date)) = (member, date) {
                    days.insert((m.id, date));
                }
            }
            let days: Vec<(MemberId, NaiveDate)> = days.into_iter().collect();
            self.store.credited_minutes_on(&days).await?
        };
        let mut problems = Problems::default();
        let mut checked = Vec::with_capacity(rows.len());
        for row in rows {
            let before = problems.list.len();
            let member = match required(row, 0, "member_number", &mut problems) {
                None => None,
                Some(raw) => {
                    match raw.parse::<MemberNumber>() {
                        Err(e) => {
                            problems.add(
                                row.line,
                                "member_number_invalid",
                                format!("member_number: {e}"),
                            );
                            None
                        }
                        Ok(n) => match members.get(&n).cloned().flatten() {
                            None => {
                                problems.add(
                                    row.line,
                                    "member_unknown",
                                    format!("member_number: no member of this programme has the number {n}"),
                                );
                                None
                            }
                            Some((m, status)) => match status.check_may_take_part() {
                                Ok(()) => Some(m),
                                Err(r) => {
                                    problems.refusal(row.line, "member_number", r);
                                    None
                                }
                            },
                        },
                    }
                }
            };
            let organisation = match required(row, 1, "organisation", &mut problems) {
                None => None,
                Some(name) => match organisations.get(&name.to_lowercase()) {
                    None => {
                        problems.add(
                            row.line,
                            "organisation_unknown",
                            format!(
                                "organisation: the programme has no organisation called {name:?}"
                            ),
                        );
                        None
                    }
                    Some((o, d)) => {
                        if d.status != OrganisationStatus::Active {
                            problems.add(
                                row.line,
                                "organisation_suspended",
                                format!(
                                    "organisation: {} is suspended and cannot give credits",
                                    o.name
                                ),
                            );
                            None
                        } else if !d.roles.earn {
                            problems.add(
                                row.line,
                                "not_an_earn_partner",
                                format!("organisation: {} does not give credits for time", o.name),
                            );
                            None
                        } else {
                            Some(o)
                        }
                    }
                },
            };
            let activity = match (required(row, 2, "activity", &mut problems), organisation) {
                (Some(title), Some(o)) => {
                    match activities
                        .get(&(o.id, title.to_lowercase()))
                        .map(Vec::as_slice)
                    {
                        None | Some([]) => {
                            problems.add(
                                row.line,
                                "activity_unknown",
                                format!(
                                    "activity: {} has no activity called {title:?}; an import does not create activities, add it first",
                                    o.name
                                ),
                            );
                            None
                        }
                        Some([a]) => Some(a.clone()),
                        Some(_) => {
                            problems.add(
                                row.line,
                                "activity_ambiguous",
                                format!("activity: {} has several activities called {title:?}; rename one of them first", o.name),
                            );
                            None
                        }
                    }
                }
                _ => None,
            };
            let date = required(row, 3, "date", &mut problems).and_then(|raw| {
                NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .map_err(|_| {
                        problems.add(
                            row.line,
                            "date_invalid",
                            format!("date: {raw:?} is not a date such as 2025-03-14"),
                        )
                    })
                    .ok()
            });
            let minutes = required(row, 4, "minutes", &mut problems).and_then(|raw| {
                raw.parse::<i64>()
                    .map_err(|_| {
                        problems.add(
                            row.line,
                            "minutes_invalid",
                            format!("minutes: {raw:?} is not a whole number of minutes"),
                        )
                    })
                    .ok()
            });
            let note = rules::check_note(row.get(5).unwrap_or(""), false, "note")
                .map_err(|r| problems.refusal(row.line, "note", r))
                .ok();
            if let (Some(member), Some(activity), Some(date), Some(minutes), Some(note)) =
                (member, activity, date, minutes, note)
                && problems.list.len() == before
            {
                let rules_in_force = book.in_force(date);
                match rules::check_contribution(
                    date,
                    today,
                    minutes,
                    activity.details.earns_credits,
                    &rules_in_force,
                ) {
                    Err(r) => problems.refusal(row.line, "contribution", r),
                    Ok(()) => {
                        let cap_ok = if replay {
                            true
                        } else {
                            let slot = (member.id, date);
                            let already = credited.get(&slot).copied().unwrap_or(0);
                            match rules::check_daily_cap(minutes, already, &rules_in_force) {
                                Ok(()) => {
                                    credited.insert(slot, already + minutes);
                                    true
                                }
                                Err(r) => {
                                    problems.refusal(row.line, "minutes", r);
                                    false
                                }
                            }
                        };
                        if cap_ok {
                            checked.push(ContributionRow {
                                line: row.line,
                                member,
                                activity,
                                date,
                                minutes,
                                note,
                                daily_cap_minutes: rules_in_force.daily_cap_minutes,
                                reissue_from: match rules_in_force.partner_receipts {
                                    PartnerReceipts::Retire => None,
                                    PartnerReceipts::KeepToReissue => {
                                        organisation.map(|o| o.account)
                                    }
                                },
                            });
                        }
                    }
                }
            }
            progress(row.end_byte);
            if problems.full {
                break;
            }
        }
        if !problems.is_empty() {
            return Ok(Outcome::Problems(problems));
        }
        if dry_run {
            return Ok(Outcome::Created {
                count: checked.len(),
                replayed: replay,
            });
        }
        let at = self.now();
        let mut contributions = Vec::with_capacity(checked.len());
        let mut postings = Vec::with_capacity(checked.len());
        for row in checked {
            let id = ids.id(key, row.line);
            let amount = Minutes::for_transfer(row.minutes)?;
            postings.push(PostingRequest {
                id: TransferId(id),
                movement: Movement::Move {
                    kind: TransferKind::Issue,
                    debit: programme.issuance_account,
                    credit: row.member.account,
                    amount,
                },
                actor: actor.ledger_id(),
                reason: format!(
                    "Time given (imported): {} on {}",
                    row.activity
                        .details
                        .title
                        .chars()
                        .take(200)
                        .collect::<String>(),
                    row.date
                ),
                cause: Some(Cause {
                    kind: CauseKind::Contribution,
                    id,
                }),
            });
            contributions.push(NewContribution {
                record: Contribution {
                    id: ContributionId(id),
                    programme: programme.id,
                    organisation: row.activity.organisation,
                    activity: row.activity.id,
                    session: None,
                    member: row.member.id,
                    date: row.date,
                    minutes: row.minutes,
                    origin: ContributionOrigin::Direct,
                    claim: None,
                    corrects: None,
                    superseded_by: None,
                    note: row.note,
                    transfer: TransferId(id),
                    key,
                    recorded_by: actor.user,
                    recorded_at: at,
                },
                daily_cap_minutes: row.daily_cap_minutes,
                reissue_from: row.reissue_from,
            });
        }
        let recorded = self
            .store
            .record_contributions(ContributionBatch {
                key,
                programme: programme.id,
                kind: BatchKind::Direct,
                contributions,
                postings,
                at,
            })
            .await?;
        Ok(Outcome::Created {
            count: recorded.contributions.len(),
            replayed: recorded.replayed,
        })
    }
}

/// How the ids of a file's contributions (and of their issuances, which
/// share them) derive from its key and lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ContributionIds {
    /// Neighbours in the indexes: what every import now writes.
    Sequential,
    /// Spread at random: what imports wrote before, still named by a
    /// retry of such a file so that it is answered as a replay.
    Hashed,
}

impl ContributionIds {
    fn id(self, key: TransferId, line: u64) -> Uuid {
        match self {
            Self::Sequential => sequential_id(key, "contribution", line),
            Self::Hashed => derived_id(key, "contribution", line),
        }
    }
}

/// What checking and writing a file came to.
enum Outcome {
    Problems(Problems),
    Created { count: usize, replayed: bool },
}

fn member_record(
    actor: &Actor,
    programme: &Programme,
    key: TransferId,
    row: &MemberRow,
    number: MemberNumber,
    default_language: &Language,
    now: chrono::DateTime<chrono::Utc>,
) -> NewMemberRecord {
    let id = MemberId(derived_id(key, "member", row.line));
    let (member, account) = Member::open(
        id,
        programme,
        number,
        row.display_name.clone(),
        AccountId(derived_id(key, "member-account", row.line)),
        now,
    );
    NewMemberRecord {
        member,
        account,
        user: None,
        grants: Vec::new(),
        registration: Registration {
            member: id,
            programme: programme.id,
            channel: RegistrationChannel::OnBehalf,
            organisation: None,
            registered_by: Some(actor.user),
            registered_at: now,
            status: MemberStatus::Active,
            decision: None,
        },
        profile: MemberProfile {
            language: row
                .language
                .clone()
                .unwrap_or_else(|| default_language.clone()),
            skills: Vec::new(),
            skills_text: String::new(),
            interests: Vec::new(),
            interests_text: String::new(),
            email: row.email.clone(),
            phone: row.phone.clone(),
            updated_by: Some(actor.user),
            updated_at: now,
        },
        membership: None,
    }
}

#[cfg(test)]
mod line_tests {
    use super::*;

    #[test]
    fn files_imported_with_hashed_ids_are_still_named_by_them() {
        // A retry of a file imported before ids were sequential finds its
        // contributions only under the ids it was written with.
        let key = TransferId(Uuid::from_u128(7));
        assert_eq!(
            ContributionIds::Hashed.id(key, 2),
            derived_id(key, "contribution", 2)
        );
        assert_eq!(
            ContributionIds::Sequential.id(key, 2),
            sequential_id(key, "contribution", 2)
        );
        assert_ne!(
            ContributionIds::Hashed.id(key, 2),
            ContributionIds::Sequential.id(key, 2)
        );
    }

    #[test]
    fn problems_name_the_same_line_whatever_the_line_ends() {
        for file in [
            "display_name,member_number\nAda,1234567\n,\nBea,x\n",
            "display_name,member_number\r\nAda,1234567\r\n,\r\nBea,x\r\n",
        ] {
            let mut problems = Problems::default();
            let rows = read_rows(ImportKind::Members, file.as_bytes(), &mut problems);
            let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, [2, 4], "in {file:?}");
        }
        assert_eq!(
            Lines::new(b"a\r\nb\r\n").line(3),
            2,
            "a record starting at the LF"
        );
        assert_eq!(Lines::new(b"a\nb").line(2), 2);
        let file = b"a\nb\r\nc\n\nd";
        let mut lines = Lines::new(file);
        let in_order: Vec<u64> = [0, 2, 5, 8, 9].map(|b| lines.line(b)).to_vec();
        assert_eq!(in_order, [1, 2, 3, 5, 5]);
        assert_eq!(lines.line(2), 2, "asked again about an earlier record");
    }
}
