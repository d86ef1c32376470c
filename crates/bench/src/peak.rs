//! Peak memory of a child: `timecredits-bench peak-rss -- CMD…` runs CMD as
//! its only child, and after it exits reads the largest resident set of its
//! reaped children from getrusage(RUSAGE_CHILDREN). Running it in a process
//! of its own keeps the figure free of the bench's other children.

use std::process::ExitCode;
use std::time::Instant;

use nix::sys::resource::{UsageWho, getrusage};

/// The line `peak-rss` prints last; `parse` reads it back.
const PREFIX: &str = "peak-rss-kib ";
const ELAPSED: &str = "elapsed-ms ";

pub fn run_and_report(command: &[String]) -> ExitCode {
    let Some((program, args)) = command.split_first() else {
        eprintln!("peak-rss: no command");
        return ExitCode::from(2);
    };
    let started = Instant::now();
    let status = std::process::Command::new(program).args(args).status();
    let elapsed = started.elapsed();
    let status = match status {
        Ok(s) => s,
        Err(e) => {
            eprintln!("peak-rss: cannot run {program}: {e}");
            return ExitCode::from(2);
        }
    };
    match getrusage(UsageWho::RUSAGE_CHILDREN) {
        // Linux reports ru_maxrss in KiB.
        Ok(usage) => println!("{PREFIX}{}", usage.max_rss()),
        Err(e) => eprintln!("peak-rss: getrusage failed: {e}"),
    }
    println!("{ELAPSED}{}", elapsed.as_millis());
    if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// (peak KiB, elapsed ms) from `peak-rss`'s output.
pub fn parse(output: &str) -> Option<(u64, u64)> {
    let find = |p: &str| {
        output
            .lines()
            .find_map(|l| l.strip_prefix(p))
            .and_then(|v| v.trim().parse().ok())
    };
    Some((find(PREFIX)?, find(ELAPSED)?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_its_own_lines() {
        assert_eq!(
            super::parse("imported 3\npeak-rss-kib 2048\nelapsed-ms 15\n"),
            Some((2048, 15))
        );
        assert_eq!(super::parse("imported 3\n"), None);
    }
}
