//! What only the SQLite backend promises: the file's pragmas, the
//! append-only triggers, tamper detection and clear errors for bad paths.
//! The behaviour both backends share is in the conformance suite.

use timecredits_app::CoreStore;
use timecredits_app::workload::{self, WorkloadConfig};
use timecredits_store_sqlite::SqliteStore;

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("t.db")).expect("open");
    (dir, store)
}

fn raw(dir: &tempfile::TempDir) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.path().join("t.db")).expect("raw connection")
}

#[tokio::test]
async fn the_file_is_durable_wal() {
    let (dir, _store) = store();
    let c = raw(&dir);
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("pragma");
    assert_eq!(mode, "wal");
    let version: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("pragma");
    assert_eq!(version as usize, timecredits_store_sqlite::MIGRATIONS.len());
}

#[tokio::test]
async fn postings_cannot_be_edited_or_deleted_and_tampering_is_found() {
    let (dir, store) = store();
    workload::run(&store, WorkloadConfig::new(3, 300))
        .await
        .expect("workload");
    let c = raw(&dir);
    let update = c.execute(
        "UPDATE transfers SET amount_minutes = amount_minutes + 1",
        [],
    );
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = c.execute("DELETE FROM transfers", []);
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    assert!(store.verify().await.expect("verify").is_ok());

    // Someone edits a balance row behind the ledger's back: verify says so.
    c.execute(
        "UPDATE accounts SET balance_minutes = balance_minutes + 15 WHERE rowid = (SELECT min(rowid) FROM accounts WHERE kind = 'member')",
        [],
    )
    .expect("tamper");
    let report = store.verify().await.expect("verify");
    assert!(!report.is_ok());
    assert_eq!(report.mismatches.len(), 1);
    assert_eq!(report.sum_of_postings_minutes, 15);
}

#[tokio::test]
async fn a_database_that_cannot_be_opened_is_a_clear_error() {
    let err = SqliteStore::open(std::path::Path::new("/no/such/folder/t.db"))
        .err()
        .expect("refused");
    let message = err.to_string();
    assert!(
        message.contains("/no/such/folder") && message.contains("does not exist"),
        "{message}"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let not_a_db = dir.path().join("notes.txt");
    std::fs::write(
        &not_a_db,
        "this is not a database, just some words that are long enough",
    )
    .expect("write");
    let err = SqliteStore::open(&not_a_db).err().expect("refused");
    assert!(err.to_string().contains("notes.txt"), "{err}");
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let (dir, store) = store();
    drop(store);
    raw(&dir)
        .execute_batch("PRAGMA user_version = 999")
        .expect("pragma");
    let err = SqliteStore::open(&dir.path().join("t.db"))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("newer"), "{err}");
}
