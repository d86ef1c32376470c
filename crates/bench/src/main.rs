//! `timecredits-bench`: the benchmark suite of issue 6 and the two-instance
//! PostgreSQL test. It drives the real `timecredits` binary as a child
//! process, through its public HTTP API, so what it measures is what a
//! deployment gets.

mod api;
mod generate;
mod hledger;
mod import;
mod load;
mod machine;
mod naive;
mod pages;
mod peak;
mod report;
mod reports;
mod scenarios;
mod server;
mod shapes;
mod two_instances;
mod world;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// The benchmark suite: prints one markdown table and (in full mode) writes
/// it to docs/performance.md.
#[derive(Parser)]
#[command(name = "timecredits-bench", version, about)]
struct Cli {
    #[command(flatten)]
    common: Common,
    /// Seconds, not minutes: small counts, correctness checks only (for CI).
    #[arg(long)]
    quick: bool,
    /// Where to write the table. Full mode defaults to docs/performance.md;
    /// quick mode writes nowhere unless given.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only these scenarios (letters from "abcde"; a and e share one
    /// server, so either runs both), without baselines: for profiling one
    /// of them.
    #[arg(long)]
    only: Option<String>,
    /// The size of scenario (d)'s programme instead of the mode's, as
    /// MEMBERS,POSTINGS,ANSWERS (full: 100000,10000000,300000).
    #[arg(long, value_parser = generate::Scale::parse)]
    reports_scale: Option<generate::Scale>,
    #[command(subcommand)]
    command: Option<Command>,
}

/// What every mode needs to find.
#[derive(Args, Clone, Debug)]
pub struct Common {
    /// The `timecredits` binary to drive. Default: next to this binary.
    #[arg(long, global = true, env = "TIMECREDITS_BIN")]
    pub timecredits_bin: Option<PathBuf>,
    /// A PostgreSQL URL whose user may create databases; its database name is
    /// replaced by the bench's own (bench_*).
    #[arg(
        long,
        global = true,
        env = "TIMECREDITS_BENCH_PG_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pub pg_url: String,
}

#[derive(Subcommand)]
enum Command {
    /// Two `timecredits serve` processes on one PostgreSQL database take
    /// concurrent spends and issuance; then every invariant is checked.
    TwoInstances(two_instances::TwoArgs),
    /// Runs a command and prints the peak resident memory of it and its
    /// children, in KiB (used by the import scenario).
    #[command(hide = true)]
    PeakRss {
        #[arg(trailing_var_arg = true, required = true)]
        command: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let two = match cli.command {
        Some(Command::PeakRss { command }) => return peak::run_and_report(&command),
        Some(Command::TwoInstances(args)) => Some(args),
        None => None,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("timecredits-bench: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match two {
            Some(args) => two_instances::run(&cli.common, args).await,
            None => {
                scenarios::run(&cli.common, cli.quick, cli.out, cli.only, cli.reports_scale).await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("timecredits-bench: FAILED: {message}");
            ExitCode::FAILURE
        }
    }
}
