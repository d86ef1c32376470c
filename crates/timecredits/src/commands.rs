//! What each subcommand does. Each returns an exit code, or a message for
//! the user on failure.

use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{Duration, Utc};
use timecredits_app::{App, Store, SystemClock};
use timecredits_web::WebConfig;
use tracing_subscriber::EnvFilter;

use crate::cli::DevCommand;
use crate::config::{Config, LogFormat};
use crate::database;

pub(crate) mod bulk;
pub(crate) mod evaluation;
mod load;
pub(crate) mod places;

type CommandResult = Result<ExitCode, String>;

/// Logs go to standard error. `TIMECREDITS_LOG` (e.g. `debug`) overrides
/// `default_filter`.
pub fn init_logging(format: LogFormat, default_filter: &str) {
    let filter = EnvFilter::try_from_env("TIMECREDITS_LOG")
        .unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn open(config: &Config) -> Result<Arc<dyn Store>, String> {
    database::open(&config.database_url)
        .await
        .map_err(|e| e.to_string())
}

fn app(config: &Config, store: Arc<dyn Store>) -> App {
    let app = App::new(store, Arc::new(SystemClock))
        .with_session_ttl(Duration::hours(i64::from(config.session_hours)))
        .with_report_max_age(std::time::Duration::from_secs(u64::from(
            config.report_max_age_seconds,
        )));
    // Checked when the configuration was loaded, so this cannot fail here.
    match config.mailer() {
        Ok(Some(mailer)) => app.with_mailer(Arc::new(mailer)),
        _ => app,
    }
}

/// Installs the stop-signal handlers now and returns the future that waits
/// on them. Installing them before the address is announced matters: a
/// supervisor (or a test) may send SIGTERM as soon as it sees the address,
/// and a handler installed lazily, when the server first polls the future,
/// would miss it and the process would die without draining requests.
fn shutdown_signal() -> Result<impl Future<Output = ()> + Send + 'static, String> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind: SignalKind, name: &str| {
            signal(kind).map_err(|e| format!("cannot listen for {name}: {e}"))
        };
        let mut terminate = listen(SignalKind::terminate(), "SIGTERM")?;
        let mut interrupt = listen(SignalKind::interrupt(), "SIGINT")?;
        Ok(async move {
            tokio::select! { _ = terminate.recv() => {}, _ = interrupt.recv() => {} }
            tracing::info!("shutting down: finishing requests in flight");
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing requests in flight");
    })
}

async fn serve_app(config: &Config, app: App, listen: SocketAddr) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let shutdown = shutdown_signal()?;
    tracing::info!(%address, backend = app.store().backend(), "serving");
    println!("timecredits is serving on http://{address}/");
    let router = timecredits_web::router(
        app,
        WebConfig {
            secure_cookies: config.secure_cookies,
        },
    );
    timecredits_web::serve(listener, router, shutdown)
        .await
        .map_err(|e| format!("the server stopped: {e}"))
}

pub async fn serve(config: &Config) -> CommandResult {
    let store = open(config).await?;
    serve_app(config, app(config, store), config.listen).await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn demo(
    config: &Config,
    listen: SocketAddr,
    file: &Path,
    seed_only: bool,
) -> CommandResult {
    let url = format!("sqlite://{}", file.display());
    let store = database::open(&url).await.map_err(|e| e.to_string())?;
    let summary = if timecredits_app::demo::is_seeded(store.as_ref())
        .await
        .map_err(|e| e.to_string())?
    {
        println!("Reusing the demo data in {}.", file.display());
        None
    } else {
        println!(
            "Creating the demo programme in {} (this takes a few seconds)...",
            file.display()
        );
        let today = Utc::now();
        let summary = timecredits_app::demo::seed(store.clone(), 2026, today)
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "Created {}: {} organisations, {} members, {} transfers.",
            summary.programme.name, summary.organisations, summary.members, summary.transfers
        );
        let evaluation = &summary.evaluation;
        let waves: Vec<String> = evaluation
            .responses
            .iter()
            .map(|(months, n)| format!("{n} at {months} months"))
            .collect();
        println!(
            "Evaluation: {} consents ({} recorded by staff), {} profiles, {} members in Fenland LSOAs \
(IMD deciles {}), survey responses {}.",
            evaluation.consents,
            evaluation.consents_by_proxy,
            evaluation.profiles,
            evaluation.placed,
            evaluation
                .deciles
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            waves.join(", ")
        );
        println!("{}", evaluation.note);
        Some(summary)
    };
    print_demo_sign_ins(summary.as_ref());
    if seed_only {
        return Ok(ExitCode::SUCCESS);
    }
    serve_app(config, app(config, store), listen).await?;
    Ok(ExitCode::SUCCESS)
}

fn print_demo_sign_ins(summary: Option<&timecredits_app::demo::DemoSummary>) {
    let sign_ins = match summary {
        Some(s) => s
            .sign_ins
            .iter()
            .map(|s| (s.role, s.login.clone(), s.secret.clone()))
            .collect::<Vec<_>>(),
        None => timecredits_app::demo::sign_ins()
            .into_iter()
            .map(|s| (s.role, s.login, s.secret))
            .collect(),
    };
    println!("\nDemo sign-ins (fictional people; change nothing real with these):");
    for (role, login, secret) in sign_ins {
        println!("  {role:<22} {login:<34} {secret}");
    }
    println!();
}

pub async fn migrate(config: &Config) -> CommandResult {
    let message = database::migrate(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    println!("{message}");
    Ok(ExitCode::SUCCESS)
}

pub async fn verify(config: &Config) -> CommandResult {
    let store = open(config).await?;
    let report = store.verify().await.map_err(|e| e.to_string())?;
    println!("transfers checked:   {}", report.transfers);
    println!("accounts checked:    {}", report.accounts);
    println!(
        "sum of all postings: {} minutes",
        report.sum_of_postings_minutes
    );
    for m in &report.mismatches {
        println!(
            "MISMATCH account {}: stored balance {} minutes, postings add up to {}",
            m.account, m.stored_minutes, m.computed_minutes
        );
    }
    for p in &report.problems {
        println!("PROBLEM {p}");
    }
    if report.is_ok() {
        println!("ok: every balance equals the sum of its postings, and the postings sum to zero");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("FAILED: the ledger is not consistent (see above)");
        Ok(ExitCode::from(3))
    }
}

pub async fn admin_create(config: &Config, email: &str) -> CommandResult {
    let password = match std::env::var("TIMECREDITS_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!(
                "Password for {email} (at least {} characters), then Enter:",
                timecredits_app::PASSWORD_MIN_CHARS
            );
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the password: {e}"))?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let store = open(config).await?;
    let user = app(config, store)
        .bootstrap_administrator(email, &password)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "Administrator {} created (user id {}).",
        user.email.as_deref().unwrap_or(email),
        user.id
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn import(config: &Config, args: bulk::ImportArgs) -> CommandResult {
    bulk::import(open(config).await?, args).await
}

pub(crate) async fn import_places(config: &Config, command: places::PlacesImport) -> CommandResult {
    places::run(open(config).await?, command).await
}

pub(crate) async fn export(config: &Config, args: bulk::ExportArgs) -> CommandResult {
    bulk::export(open(config).await?, args).await
}

pub(crate) async fn report(config: &Config, args: evaluation::ReportArgs) -> CommandResult {
    evaluation::report(open(config).await?, args).await
}

pub(crate) async fn extract(config: &Config, args: evaluation::ExtractArgs) -> CommandResult {
    evaluation::extract(open(config).await?, args).await
}

pub(crate) async fn dev(config: &Config, command: DevCommand) -> CommandResult {
    let store = open(config).await?;
    match command {
        DevCommand::Workload { seed, operations } => {
            let config = timecredits_app::workload::WorkloadConfig::new(seed, operations);
            let started = std::time::Instant::now();
            let report = timecredits_app::workload::run(store.as_ref(), config)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "{report:#?}\nseed {seed}: {operations} operations checked in {:.1?}",
                started.elapsed()
            );
            Ok(ExitCode::SUCCESS)
        }
        DevCommand::Load(args) => load::run(store, args).await,
        DevCommand::CheckTransfers => {
            let mut missing = 0u64;
            let mut checked = 0u64;
            for line in std::io::stdin().lock().lines() {
                let line = line.map_err(|e| e.to_string())?;
                let Ok(id) = line.trim().parse::<timecredits_ledger::TransferId>() else {
                    continue;
                };
                checked += 1;
                if store
                    .transfer(id)
                    .await
                    .map_err(|e| e.to_string())?
                    .is_none()
                {
                    missing += 1;
                    println!("MISSING {id}");
                }
            }
            println!("{checked} acknowledged transfers checked, {missing} missing");
            std::io::stdout().flush().ok();
            Ok(if missing == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(4)
            })
        }
    }
}
