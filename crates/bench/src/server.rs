//! The `timecredits` binary as a child process: `admin create`, `serve`,
//! `verify`, `import`; and the bench's own PostgreSQL databases.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use sqlx::Connection;
use tokio::process::{Child, Command};

use crate::Common;

pub const ADMIN_EMAIL: &str = "admin@bench.example";
pub const ADMIN_PASSWORD: &str = "a long bench admin password";

/// The `timecredits` binary: `--timecredits-bin`, else the one built beside
/// this binary (same target directory and profile).
pub fn timecredits_bin(common: &Common) -> Result<PathBuf, String> {
    if let Some(p) = &common.timecredits_bin {
        return Ok(p.clone());
    }
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let beside = me.with_file_name("timecredits");
    if beside.exists() {
        Ok(beside)
    } else {
        Err(format!(
            "no timecredits binary at {}; build it (cargo build --release -p timecredits) or pass --timecredits-bin",
            beside.display()
        ))
    }
}

/// A free local port, found by binding port 0 and letting it go.
pub fn free_addr() -> Result<SocketAddr, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map_err(|e| e.to_string())
}

/// Runs `timecredits ARGS` to completion with `database_url`; its output on
/// failure becomes the error.
pub async fn run_cli(
    bin: &Path,
    database_url: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<String, String> {
    let mut cmd = Command::new(bin);
    cmd.arg("--database-url").arg(database_url).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .await
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "timecredits {} failed ({}): {stdout}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

pub async fn create_admin(bin: &Path, database_url: &str) -> Result<(), String> {
    run_cli(
        bin,
        database_url,
        &["admin", "create", "--email", ADMIN_EMAIL],
        &[("TIMECREDITS_ADMIN_PASSWORD", ADMIN_PASSWORD)],
    )
    .await
    .map(|_| ())
}

/// `timecredits verify` must pass.
pub async fn verify(bin: &Path, database_url: &str) -> Result<String, String> {
    run_cli(bin, database_url, &["verify"], &[]).await
}

/// How long the server serves a computed report again: its default,
/// stated so the table says what the dashboards' figures were measured
/// with.
pub const REPORT_MAX_AGE_SECONDS: u32 = 60;

/// A running `timecredits serve`. Killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// Starts `timecredits serve` and waits until `/readyz` answers. Its
    /// log goes to `log` (request logs at the default level, as deployed).
    pub async fn start(bin: &Path, database_url: &str, log: &Path) -> Result<Self, String> {
        let addr = free_addr()?;
        let log_file = std::fs::File::create(log).map_err(|e| e.to_string())?;
        let child = Command::new(bin)
            .arg("--database-url")
            .arg(database_url)
            .arg("serve")
            .arg("--listen")
            .arg(addr.to_string())
            .env(
                "TIMECREDITS_REPORT_MAX_AGE_SECONDS",
                REPORT_MAX_AGE_SECONDS.to_string(),
            )
            .stdout(Stdio::null())
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let server = Self {
            child,
            base: format!("http://{addr}"),
        };
        server.wait_ready(log).await?;
        Ok(server)
    }

    async fn wait_ready(&self, log: &Path) -> Result<(), String> {
        let client = reqwest::Client::new();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!(
            "the server at {} did not become ready in 30 s; its log: {}",
            self.base,
            std::fs::read_to_string(log).unwrap_or_default()
        ))
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// The URL of database `name` on the server of `pg_url`.
pub fn pg_database_url(pg_url: &str, name: &str) -> String {
    match pg_url.rfind('/') {
        Some(i) if pg_url[..i].contains("://") && !pg_url[..i].ends_with('/') => {
            format!("{}/{name}", &pg_url[..i])
        }
        _ => format!("{}/{name}", pg_url.trim_end_matches('/')),
    }
}

/// Drops and creates database `name`; returns its URL.
pub async fn fresh_pg_database(pg_url: &str, name: &str) -> Result<String, String> {
    let mut conn = sqlx::PgConnection::connect(pg_url)
        .await
        .map_err(|e| format!("PostgreSQL at {pg_url} is required: {e}"))?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .map_err(|e| e.to_string())?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    Ok(pg_database_url(pg_url, name))
}

/// PostgreSQL's durability settings, as the server reports them.
pub async fn pg_settings(pg_url: &str) -> Result<String, String> {
    let mut conn = sqlx::PgConnection::connect(pg_url)
        .await
        .map_err(|e| format!("PostgreSQL at {pg_url} is required: {e}"))?;
    let mut parts = Vec::new();
    for name in [
        "server_version",
        "fsync",
        "synchronous_commit",
        "wal_sync_method",
        "shared_buffers",
        "max_connections",
    ] {
        let value: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SHOW {name}")))
            .fetch_one(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        parts.push(format!("{name}={value}"));
    }
    Ok(parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::pg_database_url;

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(
            pg_database_url("postgres://postgres@127.0.0.1:5432/postgres", "bench_x"),
            "postgres://postgres@127.0.0.1:5432/bench_x"
        );
        assert_eq!(
            pg_database_url("postgres://u@h:5432", "bench_x"),
            "postgres://u@h:5432/bench_x"
        );
    }
}
