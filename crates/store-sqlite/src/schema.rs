//! Migrations, numbered by SQLite's `user_version`.

use std::path::Path;

use rusqlite::Connection;
use timecredits_app::{StoreError, StoreResult};

/// Every migration in order; the database's `user_version` counts how many
/// have been applied.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../migrations/0001_init.sql")),
    ("0002_rules", include_str!("../migrations/0002_rules.sql")),
    (
        "0003_directory",
        include_str!("../migrations/0003_directory.sql"),
    ),
    (
        "0004_activities",
        include_str!("../migrations/0004_activities.sql"),
    ),
    (
        "0005_spending",
        include_str!("../migrations/0005_spending.sql"),
    ),
    (
        "0006_timebank",
        include_str!("../migrations/0006_timebank.sql"),
    ),
    (
        "0007_evaluation",
        include_str!("../migrations/0007_evaluation.sql"),
    ),
    (
        "0008_recovery",
        include_str!("../migrations/0008_recovery.sql"),
    ),
    (
        "0009_evaluation_threshold",
        include_str!("../migrations/0009_evaluation_threshold.sql"),
    ),
    (
        "0010_programme_staff",
        include_str!("../migrations/0010_programme_staff.sql"),
    ),
    (
        "0011_activity_postcode",
        include_str!("../migrations/0011_activity_postcode.sql"),
    ),
    (
        "0012_session_index_partial",
        include_str!("../migrations/0012_session_index_partial.sql"),
    ),
];

/// Applies pending migrations in one transaction each. Returns how many ran.
pub fn migrate(conn: &Connection, path: &Path) -> StoreResult<usize> {
    let version: usize = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map_err(|e| StoreError::Unavailable(format!("{}: {e}", path.display())))?
        as usize;
    if version > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "{} was written by a newer timecredits (schema {version}, this one knows {}); upgrade timecredits",
            path.display(),
            MIGRATIONS.len()
        )));
    }
    let mut ran = 0;
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(version) {
        let script = format!(
            "SAVEPOINT migrate; {sql}\n; PRAGMA user_version = {}; RELEASE migrate;",
            i + 1
        );
        conn.execute_batch(&script).map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK TO migrate; RELEASE migrate;");
            StoreError::Internal(format!("migration {name} failed: {e}"))
        })?;
        tracing::info!(migration = name, "applied SQLite migration");
        ran += 1;
    }
    Ok(ran)
}
