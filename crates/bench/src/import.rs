//! Scenario (c): bulk import of historic contributions from CSV with
//! `timecredits import contributions`, timed and its peak memory read by
//! `peak-rss`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::api::Api;
use crate::naive::mix;
use crate::server::{Server, create_admin, run_cli, verify};
use crate::world::{self, MANAGER_EMAIL};

/// The most rows one import file may hold (`MAX_IMPORT_ROWS` in
/// `timecredits_app::bulk`): larger imports are split, as an operator must.
const ROWS_PER_FILE: u64 = 10_000;

pub struct Imported {
    pub rows: u64,
    /// How many files the rows were split into.
    pub files: usize,
    pub seconds: f64,
    pub peak_kib: u64,
    pub file_bytes: u64,
}

impl Imported {
    pub fn rate(&self) -> f64 {
        self.rows as f64 / self.seconds.max(1e-9)
    }
}

/// Imports `rows` contributions for `members` members into a fresh SQLite
/// database in `dir`, spread over three years so that no member passes the
/// daily cap.
pub async fn run(
    bin: &Path,
    dir: &Path,
    rows: u64,
    members: usize,
    check_replay: bool,
) -> Result<Imported, String> {
    let file = dir.join("import.db");
    let url = format!("sqlite://{}", file.display());
    create_admin(bin, &url).await?;
    let server = Server::start(bin, &url, &dir.join("import-serve.log")).await?;
    let api = Api::new(&server.base);
    let w = world::set_up(&api, members, 0).await?;
    server.stop().await;

    let mut text = String::new();
    let mut files = Vec::new();
    let mut file_bytes = 0u64;
    for n in 0..rows {
        if n % ROWS_PER_FILE == 0 {
            flush(dir, &mut text, &mut files, &mut file_bytes)?;
            text.push_str("member_number,organisation,activity,date,minutes,note\n");
        }
        let member = &w.members[(mix(n) % members as u64) as usize];
        let day = 1 + (mix(n ^ 0xABCD) % 1095) as i64;
        let minutes = 15 * (1 + mix(n ^ 0x1234) % 4);
        let _ = writeln!(
            text,
            "{},{},{},{},{minutes},",
            member.number,
            w.organisation_name,
            w.activity_title,
            world::past_date(day)
        );
    }
    flush(dir, &mut text, &mut files, &mut file_bytes)?;
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin_arg = bin.display().to_string();
    let (mut peak_kib, mut ms) = (0, 0);
    for (csv, count) in &files {
        let csv_arg = csv.display().to_string();
        let out = tokio::process::Command::new(&me)
            .args([
                "peak-rss",
                "--",
                &bin_arg,
                "--database-url",
                &url,
                "import",
                "contributions",
                &csv_arg,
                "--programme",
                &w.programme,
                "--as",
                MANAGER_EMAIL,
            ])
            .output()
            .await
            .map_err(|e| e.to_string())?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() || !stdout.contains(&format!("imported {count} contributions")) {
            return Err(format!(
                "the import of {csv_arg} failed: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let (kib, took) = crate::peak::parse(&stdout).ok_or("peak-rss printed no figures")?;
        peak_kib = peak_kib.max(kib);
        ms += took;
    }
    verify(bin, &url).await?;
    if check_replay && let Some((csv, _)) = files.first() {
        replay(bin, &url, &csv.display().to_string(), &w.programme).await?;
    }
    Ok(Imported {
        rows,
        files: files.len(),
        seconds: ms as f64 / 1000.0,
        peak_kib,
        file_bytes,
    })
}

/// Writes the rows gathered so far (if any) as the next file.
fn flush(
    dir: &Path,
    text: &mut String,
    files: &mut Vec<(PathBuf, u64)>,
    bytes: &mut u64,
) -> Result<(), String> {
    let count = text.lines().count().saturating_sub(1) as u64;
    if count == 0 {
        text.clear();
        return Ok(());
    }
    let path = dir.join(format!("contributions-{:03}.csv", files.len()));
    std::fs::write(&path, text.as_bytes()).map_err(|e| e.to_string())?;
    *bytes += text.len() as u64;
    files.push((path, count));
    text.clear();
    Ok(())
}

/// The same file again must import nothing twice (its key derives from the
/// file's bytes).
async fn replay(bin: &Path, url: &str, csv_arg: &str, programme: &str) -> Result<(), String> {
    let again = run_cli(
        bin,
        url,
        &[
            "import",
            "contributions",
            csv_arg,
            "--programme",
            programme,
            "--as",
            MANAGER_EMAIL,
        ],
        &[],
    )
    .await?;
    if !again.contains("already imported") {
        return Err(format!("a repeated import was not recognised: {again}"));
    }
    Ok(())
}
