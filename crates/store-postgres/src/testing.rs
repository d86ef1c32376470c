//! A fresh, empty database for each test, in any crate.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};
use uuid::Uuid;

use crate::error::{describe, redact, secrets_in_url};

const DEFAULT_TEST_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Creates a fresh empty database `tc_test_<uuid>` on the server at env
/// `TIMECREDITS_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`)
/// and returns its URL.
///
/// Returns `None`, with a loud warning on stderr, when the server cannot be
/// reached and env `CI` is not `"true"`; panics when it cannot be reached on
/// CI, so a test run there never passes by skipping. The databases are left
/// behind; drop `tc_test_*` databases when convenient.
pub async fn fresh_test_database() -> Option<String> {
    let url =
        std::env::var("TIMECREDITS_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_TEST_URL.to_owned());
    let on_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let secrets = secrets_in_url(&url);
    let options = match PgConnectOptions::from_str(&url) {
        Ok(options) => options,
        Err(e) => panic!(
            "TIMECREDITS_TEST_PG_URL is not a valid PostgreSQL URL: {}",
            redact(&e.to_string(), &secrets)
        ),
    };
    let target = describe(&options);
    let connected = tokio::time::timeout(Duration::from_secs(5), options.connect()).await;
    let mut conn = match connected {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => return unreachable_server(on_ci, &target, &redact(&e.to_string(), &secrets)),
        Err(_) => return unreachable_server(on_ci, &target, "no answer within 5 s"),
    };
    let name = format!("tc_test_{}", Uuid::now_v7().simple());
    if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
    {
        panic!(
            "PostgreSQL at {target} is reachable but CREATE DATABASE {name} failed: {}",
            redact(&e.to_string(), &secrets)
        );
    }
    let _ = conn.close().await;
    Some(with_database(&url, &name))
}

fn unreachable_server(on_ci: bool, target: &str, why: &str) -> Option<String> {
    if on_ci {
        panic!(
            "PostgreSQL not reachable at {target} and CI=true, so the PostgreSQL tests cannot be skipped: {why}"
        );
    }
    eprintln!(
        "\n!!!!! WARNING: PostgreSQL not reachable: skipping this PostgreSQL test ({target}: {why}). \
         Set TIMECREDITS_TEST_PG_URL to a server where the role may CREATE DATABASE. !!!!!\n"
    );
    None
}

/// `url` with its database name replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let query = match tail.find(['?', '#']) {
        Some(i) => &tail[i..],
        None => "",
    };
    format!("{scheme}://{authority}/{database}{query}")
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/test?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgresql://h:1", "x"), "postgresql://h:1/x");
        assert_eq!(
            with_database("postgres://h?application_name=a", "x"),
            "postgres://h/x?application_name=a"
        );
    }
}
