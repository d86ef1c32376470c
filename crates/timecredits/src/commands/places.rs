//! `timecredits import postcodes FILE` and `timecredits import imd FILE`:
//! platform-wide place data, loaded by an administrator (`--as EMAIL`).
//!
//! The file is read twice, both times streamed: once to check every row
//! (a bad row is reported with its line number and nothing is written),
//! then again while it is written in one transaction that replaces the
//! previous load of the same data set.

use std::io::{BufReader, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use timecredits_app::evaluation::{
    DataFile, DataLoad, LoadPhase, PlacesImportError, Progress, parse_boundary, parse_edition,
};
use timecredits_app::{App, Store, SystemClock};
use timecredits_evaluation::imd::{Boundary, Edition};

fn boundary(s: &str) -> Result<Boundary, String> {
    parse_boundary(s).ok_or_else(|| "use lsoa2011 or lsoa2021".into())
}

fn edition(s: &str) -> Result<Edition, String> {
    parse_edition(s).ok_or_else(|| "use iod2019".into())
}

#[derive(Subcommand, Clone, Debug)]
pub(crate) enum PlacesImport {
    /// Load a postcode -> LSOA lookup (ONS Postcode Directory or NSPL CSV) for every programme.
    Postcodes(PostcodeArgs),
    /// Load the English Indices of Deprivation at LSOA level for every programme.
    Imd(ImdArgs),
}

#[derive(Args, Clone, Debug)]
pub(crate) struct PostcodeArgs {
    /// The CSV file, as published (any size).
    pub file: PathBuf,
    /// Which LSOA boundaries to read from the file: lsoa2011 (for IMD 2019) or lsoa2021.
    #[arg(long, default_value = "lsoa2011", value_parser = boundary)]
    pub boundary: Boundary,
    /// Act as this platform administrator (their sign-in email).
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_email: String,
}

#[derive(Args, Clone, Debug)]
pub(crate) struct ImdArgs {
    /// The CSV file: IoD2019 File 1 as published, or the domain deciles file.
    pub file: PathBuf,
    /// The edition of the indices.
    #[arg(long, default_value = "iod2019", value_parser = edition)]
    pub edition: Edition,
    /// Act as this platform administrator (their sign-in email).
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_email: String,
}

/// A file on disk, opened afresh for each pass.
struct PathFile(PathBuf);

impl DataFile for PathFile {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send>> {
        Ok(Box::new(BufReader::with_capacity(
            256 * 1024,
            std::fs::File::open(&self.0)?,
        )))
    }

    fn name(&self) -> String {
        self.0.display().to_string()
    }
}

fn progress_bar(file: &PathBuf) -> Result<(ProgressBar, Progress), String> {
    let size = std::fs::metadata(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?
        .len();
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta} left)")
            .map_err(|e| e.to_string())?
            .progress_chars("=> "),
    );
    bar.set_message("checking");
    let shown = bar.clone();
    let progress: Progress = Arc::new(move |phase, bytes| {
        let message = match phase {
            LoadPhase::Checking => "checking",
            LoadPhase::Loading => "loading",
        };
        if shown.message() != message {
            shown.set_message(message);
        }
        shown.set_position(bytes);
    });
    Ok((bar, progress))
}

pub(crate) async fn run(store: Arc<dyn Store>, command: PlacesImport) -> Result<ExitCode, String> {
    let app = App::new(store.clone(), Arc::new(SystemClock));
    let (file, email) = match &command {
        PlacesImport::Postcodes(a) => (a.file.clone(), a.as_email.clone()),
        PlacesImport::Imd(a) => (a.file.clone(), a.as_email.clone()),
    };
    let email = email.trim().to_lowercase();
    let user = store
        .user_by_email(&email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("nobody signs in with the email {email}"))?;
    let actor = app.actor(user.id).await.map_err(|e| e.to_string())?;
    let (bar, progress) = progress_bar(&file)?;
    let source = Arc::new(PathFile(file.clone()));
    let result: Result<DataLoad, PlacesImportError> = match command {
        PlacesImport::Postcodes(a) => {
            app.import_postcode_lookup(&actor, source, a.boundary, progress)
                .await
        }
        PlacesImport::Imd(a) => app.import_imd(&actor, source, a.edition, progress).await,
    };
    bar.finish_and_clear();
    match result {
        Ok(load) => {
            println!(
                "loaded {} row(s) of {} from {}",
                load.rows,
                load.dataset,
                file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let message = e.to_string();
            if message.contains("nothing was loaded") {
                Err(message)
            } else {
                Err(format!("{message}; nothing was loaded"))
            }
        }
    }
}
