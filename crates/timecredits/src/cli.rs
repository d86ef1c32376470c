//! Command-line parsing and dispatch.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::commands;
use crate::config::{Config, LogFormat, Overrides};

/// Time Credits: one hour given is one credit. Runs a programme's ledger,
/// web pages and API.
#[derive(Parser)]
#[command(name = "timecredits", version, about)]
pub struct Cli {
    /// A TOML configuration file (also TIMECREDITS_CONFIG).
    #[arg(long, global = true, env = "TIMECREDITS_CONFIG")]
    config: Option<PathBuf>,
    /// sqlite://FILE or postgres://USER@HOST/DB (also DATABASE_URL).
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Log format: text or json.
    #[arg(long, global = true, value_parser = parse_log_format)]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

fn parse_log_format(s: &str) -> Result<LogFormat, String> {
    match s {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err("use text or json".into()),
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web pages and the JSON API.
    Serve {
        /// Address to listen on, such as 127.0.0.1:8080.
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Create (or reuse) ./timecredits-demo.db with a fictional programme, and serve it.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// The demo database file.
        #[arg(long, default_value = "timecredits-demo.db")]
        file: PathBuf,
        /// Seed the file and exit without serving.
        #[arg(long)]
        seed_only: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Recompute every balance from the postings and check the ledger's invariants.
    Verify,
    /// Import a CSV file of members, organisations or historic contributions into a programme,
    /// or platform-wide place data (`import postcodes FILE`, `import imd FILE`).
    Import(ImportCli),
    /// Export a programme's records as a CSV file.
    Export(commands::bulk::ExportArgs),
    /// A programme's evaluation report (reach, engagement or outcomes) as CSV or JSON, for its
    /// managers and evaluators, every count through disclosure control.
    Report(commands::evaluation::ReportArgs),
    /// A pseudonymised research extract of a programme's consenting members, as a .zip file.
    Extract(commands::evaluation::ExtractArgs),
    /// Administrator accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Tools for developers: workloads and drivers used by tests and benchmarks.
    #[command(hide = true)]
    Dev {
        #[command(subcommand)]
        command: DevCommand,
    },
}

/// `import KIND FILE --programme ID --as EMAIL` for a programme's records,
/// or `import postcodes|imd FILE --as EMAIL` for place data.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct ImportCli {
    #[command(subcommand)]
    places: Option<commands::places::PlacesImport>,
    #[command(flatten)]
    records: Option<commands::bulk::ImportArgs>,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a platform administrator. The password is read from
    /// TIMECREDITS_ADMIN_PASSWORD, or else from standard input.
    Create {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum DevCommand {
    /// Run the seeded random workload with its checker against the database.
    Workload {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 10_000)]
        operations: usize,
    },
    /// Post concurrent transfers and print each id once it is acknowledged
    /// (the crash test's driver).
    Load(LoadArgs),
    /// Read transfer ids from standard input and report any not stored.
    CheckTransfers,
}

#[derive(Args, Clone)]
pub(crate) struct LoadArgs {
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    #[arg(long, default_value_t = 1_000_000)]
    pub transfers: u64,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let overrides = Overrides {
        database_url: cli.database_url.clone(),
        listen: match &cli.command {
            Command::Serve { listen } => *listen,
            _ => None,
        },
        log_format: cli.log_format,
    };
    let config = match Config::load(cli.config.as_deref(), &overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("timecredits: {e}");
            return ExitCode::from(2);
        }
    };
    // The demo seeds thousands of events: keep its terminal for the address
    // and the sign-ins, and show only warnings unless asked for more.
    let default_filter = match cli.command {
        Command::Demo { .. } => "warn",
        _ => "info,sqlx=warn",
    };
    commands::init_logging(config.log_format, default_filter);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("timecredits: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve { .. } => commands::serve(&config).await,
            Command::Demo {
                listen,
                file,
                seed_only,
            } => commands::demo(&config, listen, &file, seed_only).await,
            Command::Migrate => commands::migrate(&config).await,
            Command::Verify => commands::verify(&config).await,
            Command::Admin {
                command: AdminCommand::Create { email },
            } => commands::admin_create(&config, &email).await,
            Command::Import(ImportCli {
                places: Some(places),
                ..
            }) => commands::import_places(&config, places).await,
            Command::Import(ImportCli {
                records: Some(args),
                ..
            }) => commands::import(&config, args).await,
            Command::Import(_) => Err(
                "say what to import: members, organisations or contributions (with --programme), or postcodes or imd"
                    .into(),
            ),
            Command::Export(args) => commands::export(&config, args).await,
            Command::Report(args) => commands::report(&config, args).await,
            Command::Extract(args) => commands::extract(&config, args).await,
            Command::Dev { command } => commands::dev(&config, command).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("timecredits: {message}");
            ExitCode::FAILURE
        }
    }
}
