//! `timecredits import` and `timecredits export`: CSV files in and out of
//! a programme, acting as one of its managers (`--as EMAIL`). The operator
//! has machine access, so no password is asked; the use cases still check
//! that the person named manages the programme.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use timecredits_app::bulk::{ExportKind, ImportKind, ImportRequest, key_for_file};
use timecredits_app::{Actor, App, Store, SystemClock};
use timecredits_ledger::{ProgrammeId, TransferId};
use uuid::Uuid;

/// Files at least this large get a progress bar (on a terminal).
const PROGRESS_FROM_BYTES: u64 = 64 * 1024;

fn parse_import_kind(s: &str) -> Result<ImportKind, String> {
    ImportKind::parse(s).ok_or_else(|| "use members, organisations or contributions".into())
}

fn parse_export_kind(s: &str) -> Result<ExportKind, String> {
    ExportKind::parse(s).ok_or_else(|| {
        "use members, organisations, activities, contributions, redemptions or transfers".into()
    })
}

/// Import a CSV file of members, organisations or historic contributions.
#[derive(Args, Clone, Debug)]
pub(crate) struct ImportArgs {
    /// What the file holds: members, organisations or contributions.
    #[arg(value_parser = parse_import_kind)]
    pub kind: ImportKind,
    /// The CSV file (UTF-8, with a header row).
    pub file: PathBuf,
    /// The programme's id.
    #[arg(long)]
    pub programme: Uuid,
    /// Act as this programme manager (their sign-in email).
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_email: String,
    /// Check the file and report what would be created; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The import's idempotency key (a UUID). By default it is derived from
    /// the programme, the kind and the file's bytes, so running the same
    /// import again imports nothing twice.
    #[arg(long)]
    pub key: Option<Uuid>,
}

/// Export a programme's records as a CSV file.
#[derive(Args, Clone, Debug)]
pub(crate) struct ExportArgs {
    /// members, organisations, activities, contributions, redemptions or transfers.
    #[arg(value_parser = parse_export_kind)]
    pub kind: ExportKind,
    /// The programme's id.
    #[arg(long)]
    pub programme: Uuid,
    /// Act as this programme manager (their sign-in email).
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_email: String,
    /// Where to write the CSV file.
    #[arg(long)]
    pub out: PathBuf,
}

/// The person named by `--as`, with their roles (the use case decides what they may do).
pub(crate) async fn acting_as(app: &App, store: &dyn Store, email: &str) -> Result<Actor, String> {
    let email = email.trim().to_lowercase();
    let user = store
        .user_by_email(&email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("nobody signs in with the email {email}"))?;
    app.actor(user.id).await.map_err(|e| e.to_string())
}

pub(crate) async fn import(store: Arc<dyn Store>, args: ImportArgs) -> Result<ExitCode, String> {
    let data = std::fs::read(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let app = App::new(store.clone(), Arc::new(SystemClock));
    let actor = acting_as(&app, store.as_ref(), &args.as_email).await?;
    let programme = ProgrammeId(args.programme);
    let key = args
        .key
        .map_or_else(|| key_for_file(programme, args.kind, &data), TransferId);
    let bar = if data.len() as u64 >= PROGRESS_FROM_BYTES {
        let bar = ProgressBar::new(data.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta} left)")
                .map_err(|e| e.to_string())?
                .progress_chars("=> "),
        );
        bar.set_message(format!("checking {}", args.file.display()));
        bar
    } else {
        ProgressBar::hidden()
    };
    let report = app
        .import_csv(
            &actor,
            ImportRequest {
                programme,
                kind: args.kind,
                key,
                csv: &data,
                dry_run: args.dry_run,
            },
            &|bytes| bar.set_position(bytes),
        )
        .await;
    bar.finish_and_clear();
    let report = report.map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    let write = |e: std::io::Error| e.to_string();
    if !report.errors.is_empty() {
        for e in &report.errors {
            writeln!(out, "line {}: {}: {}", e.line, e.code, e.message).map_err(write)?;
        }
        writeln!(
            out,
            "{} problem(s) in {} row(s) of {}; nothing was imported",
            report.errors.len(),
            report.rows,
            args.file.display()
        )
        .map_err(write)?;
        return Ok(ExitCode::FAILURE);
    }
    let what = report.kind.as_str();
    if report.dry_run {
        writeln!(
            out,
            "dry run: {} row(s) checked, no problems; {} {what} would be imported (nothing was written)",
            report.rows, report.created
        )
        .map_err(write)?;
    } else if report.replayed {
        writeln!(
            out,
            "already imported: these {} {what} were imported before with this key; nothing new was written",
            report.created
        )
        .map_err(write)?;
    } else {
        writeln!(out, "imported {} {what}", report.created).map_err(write)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn export(store: Arc<dyn Store>, args: ExportArgs) -> Result<ExitCode, String> {
    let app = App::new(store.clone(), Arc::new(SystemClock));
    let actor = acting_as(&app, store.as_ref(), &args.as_email).await?;
    let programme = ProgrammeId(args.programme);
    let file = std::fs::File::create(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let mut file = std::io::BufWriter::new(file);
    let mut after: Option<String> = None;
    let mut rows = 0usize;
    loop {
        let page = app
            .export_page(&actor, programme, args.kind, after.as_deref(), None)
            .await
            .map_err(|e| e.to_string())?;
        rows += page.rows.len();
        let csv = page.to_csv(after.is_none()).map_err(|e| e.to_string())?;
        file.write_all(&csv)
            .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    file.flush()
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    println!(
        "wrote {rows} {} row(s) to {}",
        args.kind.as_str(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
