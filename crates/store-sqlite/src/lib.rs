//! The SQLite backend: an embedded file, tuned for a ledger.
//!
//! - WAL mode, so readers never block the writer and the writer never
//!   blocks readers.
//! - One writer thread owns the only write connection. Requests queue on a
//!   channel; the writer takes all that are waiting, runs each in its own
//!   savepoint inside one transaction, commits once (group commit), and only
//!   then answers them. A refused request rolls back to its savepoint and
//!   does not disturb its neighbours.
//! - Durable: a commit is on disk before anyone is told it happened, so an
//!   acknowledged write survives power loss. The writer commits with
//!   `synchronous=NORMAL` and a syncer thread flushes the WAL before it
//!   answers, so the flush of one group overlaps the work of the next
//!   (`writer.rs` says why this keeps the guarantee).
//! - Nothing awaits while a write transaction is open: the writer is plain
//!   blocking code on its own thread.

mod activities;
mod bulk;
mod codec;
mod directory;
mod evaluation;
mod ledger;
mod recovery;
mod rules;
mod schema;
mod spending;
mod store_impl;
mod timebank;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags};
use timecredits_app::{StoreError, StoreResult};

pub use schema::MIGRATIONS;

/// Largest number of queued requests committed in one transaction.
pub const MAX_GROUP: usize = 512;

/// Reads running at once, each on a connection of its own. A read waits
/// for a permit rather than opening an extra connection: a new connection
/// parses the whole schema before its first query, which under load cost
/// more than the reads themselves.
pub const MAX_READERS: usize = 16;

pub struct SqliteStore {
    path: PathBuf,
    writer: writer::Writer,
    readers: Arc<Readers>,
}

/// Idle reader connections, and permits for at most [`MAX_READERS`] reads
/// at once: so no more than that many connections are ever opened, and
/// every one is kept.
struct Readers {
    permits: Arc<tokio::sync::Semaphore>,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    fn take_idle(&self) -> Option<Connection> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    fn give_back(&self, conn: Connection) {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(conn);
    }
}

fn unavailable(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!(
        "cannot open SQLite database {}: {e}",
        path.display()
    ))
}

fn open_connection(path: &Path, create: bool) -> StoreResult<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).map_err(|e| unavailable(path, e))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(|e| unavailable(path, e))?;
    conn.execute_batch("PRAGMA foreign_keys = ON;")
        .map_err(|e| unavailable(path, e))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending
    /// migrations.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let store = Self::open_without_migrating(path)?;
        store.migrate_blocking()?;
        Ok(store)
    }

    /// Opens without migrating; call [`migrate`](Self::migrate) next.
    pub fn open_without_migrating(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            return Err(unavailable(
                path,
                format!("the folder {} does not exist", dir.display()),
            ));
        }
        let conn = open_connection(path, true)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| unavailable(path, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(unavailable(
                path,
                format!("WAL mode is not available (got {mode})"),
            ));
        }
        // Durability is the syncer's: see writer.rs.
        conn.execute_batch("PRAGMA synchronous = NORMAL;")
            .map_err(|e| unavailable(path, e))?;
        // A first read opens the WAL, creating it in a new database.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| unavailable(path, e))?;
        let flush = writer::wal_flush(&conn).map_err(|e| unavailable(path, e))?;
        Ok(Self {
            path: path.to_owned(),
            writer: writer::Writer::start(conn, MAX_GROUP, flush),
            readers: Arc::new(Readers {
                permits: Arc::new(tokio::sync::Semaphore::new(MAX_READERS)),
                idle: Mutex::new(Vec::with_capacity(MAX_READERS)),
            }),
        })
    }

    pub async fn migrate(&self) -> StoreResult<usize> {
        let path = self.path.clone();
        self.write(move |conn| schema::migrate(conn, &path)).await
    }

    fn migrate_blocking(&self) -> StoreResult<usize> {
        let conn = open_connection(&self.path, false)?;
        schema::migrate(&conn, &self.path)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in the writer's group transaction and answers once the
    /// commit is durable.
    async fn write<T, E>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.writer.submit(f).await
    }

    /// Runs `f`, a read of a few rows by key, on the calling task when a
    /// reader connection is idle, or as [`read`](Self::read) does when none
    /// is. Such a read takes microseconds from the page cache, less than
    /// the hop through the blocking pool would (under load, scheduling
    /// those hops was a quarter of the server's time). Never for a scan.
    async fn read_point<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let idle = match self.readers.permits.clone().try_acquire_owned() {
            Ok(permit) => self.readers.take_idle().map(|conn| (permit, conn)),
            Err(_) => None,
        };
        let Some((permit, conn)) = idle else {
            return self.read(f).await;
        };
        let result = f(&conn);
        self.readers.give_back(conn);
        drop(permit);
        result
    }

    /// Runs `f` on a reader connection in a blocking task.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let readers = self.readers.clone();
        let path = self.path.clone();
        let permit = readers
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| StoreError::Internal(format!("reader pool closed: {e}")))?;
        tokio::task::spawn_blocking(move || {
            let conn = match readers.take_idle() {
                Some(c) => c,
                None => {
                    let c = open_connection(&path, false)?;
                    c.execute_batch("PRAGMA query_only = ON;")
                        .map_err(|e| unavailable(&path, e))?;
                    c
                }
            };
            let result = f(&conn);
            readers.give_back(conn);
            drop(permit);
            result
        })
        .await
        .map_err(|e| StoreError::Internal(format!("reader task failed: {e}")))?
    }
}

pub(crate) fn internal(e: rusqlite::Error) -> StoreError {
    StoreError::Internal(e.to_string())
}
