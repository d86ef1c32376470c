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
//! retries (every write carries an idempotency key). A write that reads
//! them (a spend against a fresh credit) is answered only after a later
//! flush, which covers them too.
//!
//! A flush that fails leaves no way to know what is on disk (the kernel
//! may have dropped the pages it could not write, and a second fsync may
//! well succeed), so the failure sticks, as PostgreSQL stops on a failed
//! fsync: the syncer never answers Ok again and the writer refuses every
//! later write, until the process is restarted and SQLite recovers the
//! file. Rows committed in that last moment stay visible until then.

use std::fs::OpenOptions;
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

/// Makes everything written to the WAL so far durable.
pub(crate) type Flush = Box<dyn FnMut() -> std::io::Result<()> + Send>;

/// `fdatasync` of the WAL of `conn`'s database. Its name comes from the
/// connection, which knows the file SQLite really opened (symbolic links
/// resolved); it is opened now, so that a problem shows at start-up. In
/// WAL mode the file exists once `conn` has read (a new database's is made
/// by its first read), and SQLite never deletes or replaces it while
/// `conn` is open.
pub(crate) fn wal_flush(conn: &Connection) -> std::io::Result<Flush> {
    let db = conn
        .path()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| std::io::Error::other("the database has no file (in memory?)"))?;
    let wal = format!("{db}-wal");
    let file = OpenOptions::new().write(true).open(&wal).map_err(|e| {
        std::io::Error::new(e.kind(), format!("cannot open the WAL file {wal}: {e}"))
    })?;
    Ok(Box::new(move || file.sync_data()))
}

impl Writer {
    /// `conn` must run with `synchronous=NORMAL` in WAL mode, and `flush`
    /// make its WAL durable ([`wal_flush`]).
    pub(crate) fn start(conn: Connection, max_group: usize, flush: Flush) -> Self {
        let (queue, jobs) = mpsc::channel::<Job>();
        let (to_sync, committed) = mpsc::channel::<Committed>();
        let failed = Arc::new(AtomicBool::new(false));
        let syncer_failed = Arc::clone(&failed);
        thread::Builder::new()
            .name("sqlite-syncer".into())
            .spawn(move || sync(flush, committed, syncer_failed))
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
                "the SQLite writer has stopped taking writes; restart the server, then retry \
                 with the same Idempotency-Key (a write under way may or may not have been kept)"
                    .into(),
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
            // The syncer has gone (it only ends when this sender does, or
            // by a panic): nobody may be told these writes are durable,
            // and no more are taken.
            failed.store(true, Ordering::Release);
            tracing::error!(
                "the SQLite syncer has stopped; no more writes are taken until a restart"
            );
            drop(replies);
        }
    }
}

/// Flushes the WAL once for every committed group waiting, then answers
/// them all. After a failed flush it never flushes or answers Ok again.
fn sync(mut flush: Flush, committed: mpsc::Receiver<Committed>, failed: Arc<AtomicBool>) {
    let mut broken: Option<String> = None;
    while let Ok(first) = committed.recv() {
        let mut groups = vec![first];
        while let Ok(more) = committed.try_recv() {
            groups.push(more);
        }
        if broken.is_none()
            && let Err(e) = flush()
        {
            failed.store(true, Ordering::Release);
            tracing::error!(
                error = %e,
                "flushing the SQLite WAL failed; no more writes are taken until a restart"
            );
            broken = Some(format!(
                "the write may not be on disk (flushing the WAL failed: {e}); the server takes \
                 no more writes until it is restarted"
            ));
        }
        for reply in groups.into_iter().flatten() {
            reply(match &broken {
                None => Ok(()),
                Some(e) => Err(StoreError::Unavailable(e.clone())),
            });
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
    use std::path::{Path, PathBuf};
    use std::sync::atomic::AtomicU32;
    use std::time::Duration;

    /// A WAL-mode database as the store opens one, with a table to write.
    fn wal_database(dir: &Path) -> (Connection, PathBuf) {
        let path = dir.join("writer.db");
        let conn = Connection::open(&path).unwrap();
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            .unwrap();
        conn.execute_batch("PRAGMA synchronous = NORMAL; CREATE TABLE t (n INTEGER NOT NULL);")
            .unwrap();
        (conn, path)
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

    /// An insert of `n` on a task of its own.
    fn spawn_insert(
        writer: &Arc<Writer>,
        n: i64,
    ) -> tokio::task::JoinHandle<Result<(), StoreError>> {
        let writer = Arc::clone(writer);
        tokio::spawn(async move { insert(&writer, n).await })
    }

    fn count(db: &Path) -> i64 {
        Connection::open(db)
            .unwrap()
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap()
    }

    /// A flush that waits for a permit per call, and counts its calls.
    fn gated() -> (Flush, mpsc::Sender<()>, Arc<AtomicU32>) {
        let (permit, permits) = mpsc::channel::<()>();
        let calls = Arc::new(AtomicU32::new(0));
        let counted = Arc::clone(&calls);
        let flush: Flush = Box::new(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            permits.recv().map_err(std::io::Error::other)
        });
        (flush, permit, calls)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_is_answered_only_after_its_flush_and_every_write_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (conn, db) = wal_database(dir.path());
        let (flush, permit, calls) = gated();
        let writer = Arc::new(Writer::start(conn, 16, flush));

        let first = spawn_insert(&writer, 0);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(count(&db), 1, "committed (and visible to readers)");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "its flush has begun");
        assert!(!first.is_finished(), "but nobody is told before it ends");
        permit.send(()).unwrap();
        first.await.unwrap().unwrap();

        for _ in 0..200 {
            permit.send(()).unwrap();
        }
        let tasks: Vec<_> = (1..=200).map(|n| spawn_insert(&writer, n)).collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(count(&db), 201);
        assert!(
            calls.load(Ordering::SeqCst) <= 201,
            "one flush per group at most"
        );
    }

    /// `calls <= 201` above would pass with a flush per write; this shows
    /// the syncer's point: groups committed while a flush runs wait for
    /// the next one, and a single flush then answers them all.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_flush_answers_every_group_that_waited_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let (conn, db) = wal_database(dir.path());
        let (flush, permit, calls) = gated();
        // Groups of one: each write is a group of its own.
        let writer = Arc::new(Writer::start(conn, 1, flush));
        let first = spawn_insert(&writer, 0);
        while calls.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let waiting: Vec<_> = (1..=10).map(|n| spawn_insert(&writer, n)).collect();
        while count(&db) < 11 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Committed is not yet handed over: give the writer a moment.
        tokio::time::sleep(Duration::from_millis(100)).await;
        for _ in 0..11 {
            permit.send(()).unwrap();
        }
        first.await.unwrap().unwrap();
        for task in waiting {
            task.await.unwrap().unwrap();
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            2,
            "the first write's, then one for ten groups"
        );
    }

    #[tokio::test]
    async fn after_a_failed_flush_no_write_is_taken_even_if_flushing_works_again() {
        let dir = tempfile::tempdir().unwrap();
        let (conn, db) = wal_database(dir.path());
        let calls = Arc::new(AtomicU32::new(0));
        let counted = Arc::clone(&calls);
        let flush: Flush = Box::new(move || match counted.fetch_add(1, Ordering::SeqCst) {
            0 => Err(std::io::Error::other("disk gone")),
            _ => Ok(()),
        });
        let writer = Writer::start(conn, 16, flush);
        let first = insert(&writer, 1).await.unwrap_err().to_string();
        assert!(first.contains("may not be on disk"), "{first}");
        assert!(
            first.contains("disk gone") && first.contains("restarted"),
            "{first}"
        );
        let later = insert(&writer, 2).await.unwrap_err().to_string();
        assert!(later.contains("restart the server"), "{later}");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "never flushed again");
        // The first write was committed before its flush failed; it is not
        // known to be durable, which is why its writer was told so.
        assert_eq!(count(&db), 1);
    }

    /// The case the writer's own check cannot cover: a group committed
    /// while the failing flush ran reaches the syncer afterwards.
    #[test]
    fn a_group_that_reaches_the_syncer_after_a_failed_flush_is_refused() {
        let calls = Arc::new(AtomicU32::new(0));
        let counted = Arc::clone(&calls);
        let flush: Flush = Box::new(move || match counted.fetch_add(1, Ordering::SeqCst) {
            0 => Err(std::io::Error::other("disk gone")),
            _ => Ok(()),
        });
        let (to_sync, committed) = mpsc::channel::<Committed>();
        let failed = Arc::new(AtomicBool::new(false));
        let syncer = {
            let failed = Arc::clone(&failed);
            thread::spawn(move || sync(flush, committed, failed))
        };
        let (answer, answers) = mpsc::channel::<Result<(), StoreError>>();
        let reply = || -> Reply {
            let answer = answer.clone();
            Box::new(move |outcome| answer.send(outcome).unwrap())
        };
        to_sync.send(vec![reply()]).unwrap();
        assert!(answers.recv().unwrap().is_err());
        assert!(failed.load(Ordering::SeqCst), "the writer is told to stop");
        to_sync.send(vec![reply(), reply()]).unwrap();
        for _ in 0..2 {
            let refused = answers.recv().unwrap().unwrap_err().to_string();
            assert!(refused.contains("may not be on disk"), "{refused}");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1, "never flushed again");
        drop(to_sync);
        syncer.join().unwrap();
    }

    #[test]
    fn the_flush_opens_the_wal_sqlite_opened_and_refuses_a_database_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let (conn, _) = wal_database(dir.path());
        let mut flush = wal_flush(&conn).unwrap();
        flush().unwrap();
        let memory = Connection::open_in_memory().unwrap();
        assert!(wal_flush(&memory).is_err());
    }
}
