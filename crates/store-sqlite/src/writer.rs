//! The single writer thread and its group commit.

use std::sync::mpsc;
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

impl Writer {
    pub(crate) fn start(conn: Connection, max_group: usize) -> Self {
        let (queue, jobs) = mpsc::channel::<Job>();
        thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, jobs, max_group))
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

fn run(conn: Connection, jobs: mpsc::Receiver<Job>, max_group: usize) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < max_group {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        commit_group(&conn, group);
    }
}

fn commit_group(conn: &Connection, group: Vec<Job>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        tracing::error!(error = %e, "could not start a write transaction");
        // Dropping a job drops its answer channel: each caller is told the
        // writer could not take the request, and nothing was written.
        drop(group);
        return;
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
    if let Err(e) = &outcome {
        tracing::error!(error = %e, "group commit failed; rolled back");
        let _ = conn.execute_batch("ROLLBACK");
    }
    for reply in replies {
        reply(
            outcome
                .clone()
                .map_err(|e| StoreError::Unavailable(format!("the write was not committed: {e}"))),
        );
    }
}

/// Runs one statement from the connection's cache: the writer runs these
/// for every request, and parsing them each time showed in profiles.
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}
