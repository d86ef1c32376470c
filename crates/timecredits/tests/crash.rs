//! The crash test: the real binary takes concurrent transfers and is killed
//! with SIGKILL at random moments. After each kill, every transfer it had
//! acknowledged must be stored, and `verify` must pass.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_timecredits");

fn rounds() -> u64 {
    std::env::var("TIMECREDITS_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

#[test]
fn acknowledged_transfers_survive_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("crash.db").display());
    let mut acknowledged: Vec<String> = Vec::new();
    // A small deterministic generator picks when to kill: after a random
    // number of acknowledgements, while many more writes are in flight.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for round in 0..rounds() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let kill_after = 1 + state % 1_500;
        let mut child = Command::new(BIN)
            .args([
                "--database-url",
                &url,
                "dev",
                "load",
                "--seed",
                &round.to_string(),
                "--concurrency",
                "32",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the driver");
        let stdout = child.stdout.take().expect("stdout");
        let mut seen = 0u64;
        let mut ready = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line == "ready" {
                ready = true;
            } else if let Some(id) = line.strip_prefix("ack ") {
                acknowledged.push(id.to_owned());
                seen += 1;
                if seen >= kill_after {
                    break;
                }
            }
        }
        assert!(ready, "round {round}: the driver never became ready");
        child.kill().expect("SIGKILL the driver");
        child.wait().expect("reap the driver");

        let verify = Command::new(BIN)
            .args(["--database-url", &url, "verify"])
            .output()
            .expect("run verify");
        assert!(
            verify.status.success(),
            "round {round}: verify failed after a kill:\n{}",
            String::from_utf8_lossy(&verify.stdout)
        );
        let mut check = Command::new(BIN)
            .args(["--database-url", &url, "dev", "check-transfers"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run check-transfers");
        {
            let mut stdin = check.stdin.take().expect("stdin");
            for id in &acknowledged {
                writeln!(stdin, "{id}").expect("write id");
            }
        }
        let out = check.wait_with_output().expect("check output");
        assert!(
            out.status.success(),
            "round {round}: acknowledged transfers are missing:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    assert!(
        acknowledged.len() as u64 >= rounds(),
        "the driver acknowledged transfers in every round"
    );
}
