//! The binary's commands, run as a user would run them.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_timecredits");

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("DATABASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run timecredits")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn migrate_verify_and_admin_create_on_a_new_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let migrate = run(&["--database-url", &url, "migrate"], &[]);
    assert!(migrate.status.success(), "{}", text(&migrate));
    let all = format!(
        "{} migration(s) applied",
        timecredits_store_sqlite::MIGRATIONS.len()
    );
    assert!(text(&migrate).contains(&all), "{}", text(&migrate));
    let again = run(&["--database-url", &url, "migrate"], &[]);
    assert!(
        text(&again).contains("0 migration(s) applied"),
        "{}",
        text(&again)
    );

    let created = run(
        &[
            "--database-url",
            &url,
            "admin",
            "create",
            "--email",
            "Root@Example.org",
        ],
        &[("TIMECREDITS_ADMIN_PASSWORD", "a long enough password")],
    );
    assert!(created.status.success(), "{}", text(&created));
    assert!(text(&created).contains("root@example.org"));
    assert!(
        !text(&created).contains("a long enough password"),
        "the password is never echoed"
    );

    // From standard input, when the variable is not set.
    let mut child = Command::new(BIN)
        .args([
            "--database-url",
            &url,
            "admin",
            "create",
            "--email",
            "second@example.org",
        ])
        .env_remove("TIMECREDITS_ADMIN_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"another long password\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", text(&out));

    let short = run(
        &[
            "--database-url",
            &url,
            "admin",
            "create",
            "--email",
            "third@example.org",
        ],
        &[("TIMECREDITS_ADMIN_PASSWORD", "short")],
    );
    assert!(!short.status.success());
    assert!(
        text(&short).contains("at least 10 characters"),
        "{}",
        text(&short)
    );

    let workload = run(
        &[
            "--database-url",
            &url,
            "dev",
            "workload",
            "--seed",
            "5",
            "--operations",
            "500",
        ],
        &[],
    );
    assert!(workload.status.success(), "{}", text(&workload));
    let verify = run(&["--database-url", &url, "verify"], &[]);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(text(&verify).contains("sum of all postings: 0 minutes"));
}

#[test]
fn verify_fails_loudly_on_a_tampered_ledger() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("t.db");
    let url = format!("sqlite://{}", path.display());
    let workload = run(
        &[
            "--database-url",
            &url,
            "dev",
            "workload",
            "--seed",
            "9",
            "--operations",
            "300",
        ],
        &[],
    );
    assert!(workload.status.success(), "{}", text(&workload));
    let c = rusqlite::Connection::open(&path).expect("open");
    c.execute(
        "UPDATE accounts SET balance_minutes = balance_minutes - 30 WHERE kind = 'organisation'",
        [],
    )
    .expect("tamper");
    drop(c);
    let verify = run(&["--database-url", &url, "verify"], &[]);
    assert_eq!(verify.status.code(), Some(3), "{}", text(&verify));
    assert!(text(&verify).contains("MISMATCH"), "{}", text(&verify));
}

#[test]
fn bad_configuration_stops_with_a_clear_message() {
    let out = run(
        &["--database-url", "mysql://root:hunter2@db/x", "verify"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("sqlite://FILE or postgres://"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("hunter2"), "secrets are never printed");

    let out = run(
        &["--database-url", "sqlite:///no/such/folder/x.db", "verify"],
        &[],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("/no/such/folder"), "{}", text(&out));

    let out = run(
        &["verify"],
        &[
            ("TIMECREDITS_SESSION_HOURS", "0"),
            ("DATABASE_URL", "sqlite://x.db"),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("session_hours"), "{}", text(&out));

    let out = run(
        &[
            "--database-url",
            "postgres://tc:pw@127.0.0.1:1/none",
            "verify",
        ],
        &[],
    );
    assert!(!out.status.success());
    assert!(!text(&out).contains(":pw@"), "{}", text(&out));
}

fn http_get(address: &str, path: &str) -> String {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    response
}

#[test]
fn serve_answers_health_checks_and_stops_gracefully() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let mut child = Command::new(BIN)
        .args(["--database-url", &url, "serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("text");
    let address = first
        .split("http://")
        .nth(1)
        .map(|s| s.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| panic!("no address in {first:?}"));
    let health = http_get(&address, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let ready = http_get(&address, "/readyz");
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    assert!(
        ready.contains("content-security-policy"),
        "security headers are set: {ready}"
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "a graceful shutdown exits 0, got {exit:?}");
}
