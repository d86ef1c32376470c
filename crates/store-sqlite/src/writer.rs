//! The single writer thread, its group commit, and the syncer that makes
//! each group durable before it is answered.
//!
//! **Why two threads.** With `synchronous=FULL` the writer waited for each
//! group's fsync before it could start the next group, so the disk's flush
//! time and the writer's work were added up. Now the writer connection runs
//! with `synchronous=NORMAL` (a commit is written to the WAL, not flushed)
//! and hands the group's answers to the syncer thread, which flushes the
//! WAL file (`fdatasync`) and only then answers: while one group is being
//! flushed, the writer runs the next one.
//!
//! **What is kept.** An acknowledged write survives power loss: it is
//! answered only after a flush that began after its commit had been
//! written. A flush covers everything written to the WAL before it, and
//! SQLite's recovery reads the WAL in order and stops at the first frame
//! whose chained checksum fails, so a later group is never kept without an
//! earlier one. SQLite itself flushes the WAL before each checkpoint and
//! the database after it (that is `synchronous=NORMAL` in WAL mode).
//! **What changes:** another reader may see a group's rows for the length
//! of one flush before they are durable; if the power fails in that
//! moment they are gone, and so is the answer to whoever wrote them, who
//! retries (every write carries an idempotency key).
//!
//! A flush that fails leaves no way to know what is on disk (the kernel
//! may have dropped the pages it could not write), so the store stops
//! taking writes, as PostgreSQL stops on a failed fsync: every later write
//! is refused until the process is restarted and SQLite recovers the file.

use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;

use rusqlite::Connection;
use timecredits_app::StoreError;
use tokio::sync::oneshot;

/// What the writer does with one queued request: run it (inside its own
/// savepoint), say whether it succeeded, and hand back how to answer once
/// the outcome of the commit is known.
type Job = Box<dyn FnOnce(&Connection) -> (bool, Reply) + Send>;
type Reply = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

pub(crate) struct Writer {
    queue: mpsc::Sender<Job>,
}

/// Answers of committed groups, waiting for the flush that makes them
/// durable.
type Committed = Vec<Reply>;

impl Writer {
    /// `conn` must run with `synchronous=NORMAL` in WAL mode, on the
    /// database whose WAL file is `wal`.
    pub(crate) fn start(conn: Connection, max_group: usize, wal: PathBuf) -> Self {
        let (queue, jobs) = mpsc::channel::<Job>();
        let (to_sync, committed) = mpsc::channel::<Committed>();
        let failed = Arc::new(AtomicBool::new(false));
        let syncer_failed = Arc::clone(&failed);
        thread::Builder::new()
            .name("sqlite-syncer".into())
            .spawn(move || sync(wal, committed, syncer_failed))
            .expect("the operating system could not start the SQLite syncer thread");
        thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, jobs, max_group, to_sync, failed))
            .expect("the operating system could not start the SQLite writer thread");
        Self { queue }
    }

    pub(crate) async fn submit<T, E>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<Result<T, E>>();
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            let ok = result.is_ok();
            let reply: Reply = Box::new(move |committed| {
                let answer = match committed {
                    Ok(()) => result,
                    Err(e) => Err(E::from(e)),
                };
                let _ = tx.send(answer);
            });
            (ok, reply)
        });
        let stopped = || {
            E::from(StoreError::Unavailable(
                "the SQLite writer has stopped".into(),
            ))
        };
        self.queue.send(job).map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

fn run(
    conn: Connection,
    jobs: mpsc::Receiver<Job>,
    max_group: usize,
    to_sync: mpsc::Sender<Committed>,
    failed: Arc<AtomicBool>,
) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < max_group {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        if failed.load(Ordering::Acquire) {
            // Dropping a job drops its answer channel: each caller is told
            // the writer has stopped, and nothing was written.
            drop(group);
            continue;
        }
        if let Some(replies) = commit_group(&conn, group)
            && let Err(mpsc::SendError(replies)) = to_sync.send(replies)
        {
            // The syncer has gone (it only ends when this sender does):
            // nobody may be told these writes are durable.
            drop(replies);
        }
    }
}

/// Flushes the WAL once for every committed group waiting, then answers
/// them all.
fn sync(wal: PathBuf, committed: mpsc::Receiver<Committed>, failed: Arc<AtomicBool>) {
    let mut file: Option<File> = None;
    while let Ok(first) = committed.recv() {
        let mut groups = vec![first];
        while let Ok(more) = committed.try_recv() {
            groups.push(more);
        }
        // Opened at the first commit, when the WAL surely exists; the
        // writer's connection stays open, so SQLite never deletes it.
        let flushed = match &file {
            Some(f) => f.sync_data(),
            None => File::open(&wal).and_then(|f| {
                let flushed = f.sync_data();
                file = Some(f);
                flushed
            }),
        };
        let outcome = flushed.map_err(|e| {
            failed.store(true, Ordering::Release);
            tracing::error!(
                error = %e,
                wal = %wal.display(),
                "flushing the SQLite WAL failed; no more writes are taken until a restart"
            );
            format!(
                "the write may not be on disk ({e}); the server takes no more writes until it is restarted"
            )
        });
        for reply in groups.into_iter().flatten() {
            reply(outcome.clone().map_err(StoreError::Unavailable));
        }
    }
}

/// Runs the group in one transaction. Returns the answers once it is
/// committed (not yet flushed); answers them itself when it is not.
fn commit_group(conn: &Connection, group: Vec<Job>) -> Option<Committed> {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        tracing::error!(error = %e, "could not start a write transaction");
        // Dropping a job drops its answer channel: each caller is told the
        // writer could not take the request, and nothing was written.
        drop(group);
        return None;
    }
    let mut replies = Vec::with_capacity(group.len());
    let mut broken = None;
    for job in group {
        if broken.is_some() {
            drop(job);
            continue;
        }
        if let Err(e) = run_cached(conn, "SAVEPOINT request") {
            broken = Some(e.to_string());
            continue;
        }
        let (ok, reply) = job(conn);
        let end = if ok {
            run_cached(conn, "RELEASE request")
        } else {
            run_cached(conn, "ROLLBACK TO request")
                .and_then(|()| run_cached(conn, "RELEASE request"))
        };
        if let Err(e) = end {
            broken = Some(e.to_string());
        }
        replies.push(reply);
    }
    // If a savepoint could not be closed cleanly, its request may be half
    // done: the whole group is rolled back rather than risk that.
    let outcome = match broken {
        Some(e) => Err(e),
        None => conn.execute_batch("COMMIT").map_err(|e| e.to_string()),
    };
    match outcome {
        Ok(()) => Some(replies),
        Err(e) => {
            tracing::error!(error = %e, "group commit failed; rolled back");
            let _ = conn.execute_batch("ROLLBACK");
            for reply in replies {
                reply(Err(StoreError::Unavailable(format!(
                    "the write was not committed: {e}"
                ))));
            }
            None
        }
    }
}

/// Runs one statement from the connection's cache: the writer runs these
/// for every request, and parsing them each time showed in profiles.
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAL-mode database as the store opens one, with a table to write.
    fn wal_database(dir: &std::path::Path) -> (Connection, PathBuf) {
        let path = dir.join("writer.db");
        let conn = Connection::open(&path).unwrap();
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            .unwrap();
        conn.execute_batch("PRAGMA synchronous = NORMAL; CREATE TABLE t (n INTEGER NOT NULL);")
            .unwrap();
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        (conn, PathBuf::from(wal))
    }

    async fn insert(writer: &Writer, n: i64) -> Result<(), StoreError> {
        writer
            .submit(move |c| {
                c.execute("INSERT INTO t (n) VALUES (?1)", [n])
                    .map(|_| ())
                    .map_err(|e| StoreError::Unavailable(e.to_string()))
            })
            .await
    }

    fn count(path: &std::path::Path) -> i64 {
        let db = path.with_file_name("writer.db");
        Connection::open(db)
            .unwrap()
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_are_answered_once_flushed_and_all_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (conn, wal) = wal_database(dir.path());
        let writer = Arc::new(Writer::start(conn, 16, wal.clone()));
        let mut tasks = Vec::new();
        for n in 0..200 {
            let writer = Arc::clone(&writer);
            tasks.push(tokio::spawn(async move { insert(&writer, n).await }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(count(&wal), 200);
    }

    #[tokio::test]
    async fn a_failed_flush_is_reported_and_stops_all_later_writes() {
        let dir = tempfile::tempdir().unwrap();
        let (conn, _) = wal_database(dir.path());
        // A WAL file that cannot be opened: the flush fails.
        let writer = Writer::start(conn, 16, dir.path().join("missing").join("writer.db-wal"));
        let first = insert(&writer, 1).await.unwrap_err().to_string();
        assert!(first.contains("may not be on disk"), "{first}");
        assert!(first.contains("restarted"), "{first}");
        let later = insert(&writer, 2).await.unwrap_err().to_string();
        assert!(later.contains("stopped"), "{later}");
        // The first write was committed before its flush failed; it is not
        // known to be durable, which is why its writer was told so.
        assert_eq!(count(&dir.path().join("writer.db")), 1);
    }
}
