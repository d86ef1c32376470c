//! `timecredits report reach|engagement|outcomes` and `timecredits extract`:
//! a programme's evaluation reports and its research extract, for one of
//! its managers or evaluators (`--as EMAIL`). The use cases check who may
//! see them and apply the programme's disclosure threshold; this module
//! only parses, calls and writes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use clap::{Args, ValueEnum};
use timecredits_app::evaluation::{AnalyticsReport, ReportKind, ResearchExtract};
use timecredits_app::{App, Store, SystemClock};
use timecredits_evaluation::analytics::{Day, Filter, Level, Mode};
use timecredits_ledger::ProgrammeId;
use uuid::Uuid;
use zip::write::SimpleFileOptions;

use super::bulk::acting_as;

fn report_kind(s: &str) -> Result<ReportKind, String> {
    ReportKind::parse(s).ok_or_else(|| "use reach, engagement or outcomes".into())
}

fn day(s: &str) -> Result<Day, String> {
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date such as 2026-04-01"))?;
    let (month, d) = (date.month() as u8, date.day() as u8);
    Day::new(date.year(), month, d).ok_or_else(|| format!("{s:?} is not a date"))
}

fn level(s: &str) -> Result<Level, String> {
    Level::ALL
        .into_iter()
        .find(|l| l.as_str() == s)
        .ok_or_else(|| "use individual, group or collective".into())
}

fn mode(s: &str) -> Result<Mode, String> {
    Mode::ALL
        .into_iter()
        .find(|m| m.as_str() == s)
        .ok_or_else(|| {
            "use co_design, co_delivery, co_governance, peer_support or community_action".into()
        })
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Json,
}

/// `report reach|engagement|outcomes --programme P --as EMAIL`.
#[derive(Args, Clone, Debug)]
pub(crate) struct ReportArgs {
    /// reach, engagement or outcomes.
    #[arg(value_parser = report_kind)]
    pub kind: ReportKind,
    /// The programme's id.
    #[arg(long)]
    pub programme: Uuid,
    /// csv (each table, a blank line between) or json (a list of {title, columns, rows}).
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// First day of the period (YYYY-MM-DD), included.
    #[arg(long, value_parser = day)]
    pub from: Option<Day>,
    /// Last day of the period (YYYY-MM-DD), included.
    #[arg(long, value_parser = day)]
    pub to: Option<Day>,
    /// Only time given to this organisation (its id).
    #[arg(long)]
    pub organisation: Option<Uuid>,
    /// Only activities of this co-production level.
    #[arg(long, value_parser = level)]
    pub level: Option<Level>,
    /// Only activities of this co-production mode.
    #[arg(long, value_parser = mode)]
    pub mode: Option<Mode>,
    /// Act as this programme manager or evaluator (their sign-in email).
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_email: String,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `extract --programme P --out FILE.zip --as EMAIL`.
#[derive(Args, Clone, Debug)]
pub(crate) struct ExtractArgs {
    /// The programme's id.
    #[arg(long)]
    pub programme: Uuid,
    /// The .zip file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Act as this programme manager or evaluator (their sign-in email).
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_email: String,
}

/// Each table as CSV, with its title on a line of its own before it and a
/// blank line after.
pub(crate) fn report_csv(report: &AnalyticsReport) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for table in &report.tables {
        let mut title = csv::Writer::from_writer(&mut out);
        title
            .write_record([table.title.as_str()])
            .map_err(|e| e.to_string())?;
        title.flush().map_err(|e| e.to_string())?;
        drop(title);
        table.write_csv(&mut out).map_err(|e| e.to_string())?;
        out.push(b'\n');
    }
    Ok(out)
}

/// `{"programme", "report", "threshold", "tables": [{title, columns, rows}]}`.
pub(crate) fn report_json(report: &AnalyticsReport) -> Result<Vec<u8>, String> {
    let tables: Vec<serde_json::Value> = report
        .tables
        .iter()
        .map(|t| {
            serde_json::json!({
                "title": t.title,
                "columns": t.header,
                "rows": t.rows,
            })
        })
        .collect();
    let body = serde_json::json!({
        "programme": report.programme.0.to_string(),
        "report": report.kind.as_str(),
        "threshold": report.threshold,
        "tables": tables,
    });
    let mut out = serde_json::to_vec_pretty(&body).map_err(|e| e.to_string())?;
    out.push(b'\n');
    Ok(out)
}

fn write_out(out: Option<&Path>, bytes: &[u8]) -> Result<(), String> {
    match out {
        Some(path) => {
            std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => std::io::stdout()
            .lock()
            .write_all(bytes)
            .map_err(|e| format!("cannot write to standard output: {e}")),
    }
}

pub(crate) async fn report(store: Arc<dyn Store>, args: ReportArgs) -> Result<ExitCode, String> {
    let app = App::new(store.clone(), Arc::new(SystemClock));
    let actor = acting_as(&app, store.as_ref(), &args.as_email).await?;
    let filter = Filter {
        from: args.from,
        to: args.to,
        organisation: args.organisation.map(|o| o.to_string()),
        level: args.level,
        mode: args.mode,
    };
    let report = app
        .analytics_report(&actor, ProgrammeId(args.programme), args.kind, &filter)
        .await
        .map_err(|e| e.to_string())?;
    let bytes = match args.format {
        Format::Csv => report_csv(&report)?,
        Format::Json => report_json(&report)?,
    };
    write_out(args.out.as_deref(), &bytes)?;
    if let Some(path) = &args.out {
        eprintln!(
            "wrote the {} report ({} tables) to {}",
            report.kind.as_str(),
            report.tables.len(),
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The extract's files in one .zip, deflated.
pub(crate) fn zip_extract(extract: &ResearchExtract, out: &Path) -> Result<(), String> {
    let write = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", out.display());
    let file = std::fs::File::create(out).map_err(|e| write(&e))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for f in &extract.files {
        zip.start_file(f.name.as_str(), options)
            .map_err(|e| write(&e))?;
        zip.write_all(&f.contents).map_err(|e| write(&e))?;
    }
    zip.finish().map_err(|e| write(&e))?;
    Ok(())
}

pub(crate) async fn extract(store: Arc<dyn Store>, args: ExtractArgs) -> Result<ExitCode, String> {
    let app = App::new(store.clone(), Arc::new(SystemClock));
    let actor = acting_as(&app, store.as_ref(), &args.as_email).await?;
    let extract = app
        .research_extract(&actor, ProgrammeId(args.programme))
        .await
        .map_err(|e| e.to_string())?;
    zip_extract(&extract, &args.out)?;
    println!(
        "wrote {} members to {} (threshold {}; {} withheld, see README.md inside)",
        extract.members,
        args.out.display(),
        extract.threshold,
        extract.withheld
    );
    Ok(ExitCode::SUCCESS)
}
