//! Choosing and opening the storage backend from the database URL.

use std::path::PathBuf;
use std::sync::Arc;

use timecredits_app::{Store, StoreError};
use timecredits_store_postgres::PgStore;
use timecredits_store_sqlite::SqliteStore;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(
                    "the database URL sqlite:// names no file; use sqlite://timecredits.db".into(),
                );
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        Err(format!(
            "the database URL {:?} is not understood; use sqlite://FILE or postgres://USER@HOST/DATABASE",
            redact(url)
        ))
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    // The last '@' ends the user part: a user name may itself be an email.
    match rest.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}")
            } else {
                format!("{scheme}://{userinfo}@{host}")
            }
        }
        None => url.to_owned(),
    }
}

/// Opens the backend named by the URL and applies pending migrations.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    match DatabaseUrl::parse(url).map_err(StoreError::Unavailable)? {
        DatabaseUrl::Sqlite(path) => Ok(Arc::new(SqliteStore::open(&path)?)),
        DatabaseUrl::Postgres(url) => Ok(Arc::new(PgStore::connect(&url).await?)),
    }
}

/// Opens the backend and applies pending migrations, reporting how it went.
pub async fn migrate(url: &str) -> Result<String, StoreError> {
    match DatabaseUrl::parse(url).map_err(StoreError::Unavailable)? {
        DatabaseUrl::Sqlite(path) => {
            let store = SqliteStore::open_without_migrating(&path)?;
            let ran = store.migrate().await?;
            Ok(format!(
                "SQLite {}: {ran} migration(s) applied, schema is current",
                path.display()
            ))
        }
        DatabaseUrl::Postgres(url) => {
            let store = PgStore::connect_without_migrating(&url).await?;
            store.migrate().await?;
            Ok(format!("PostgreSQL {}: schema is current", redact(&url)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://a/b.db"),
            Ok(DatabaseUrl::Sqlite("a/b.db".into()))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://u@h/d"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        let err = DatabaseUrl::parse("mysql://root:pw@h/d").unwrap_err();
        assert!(err.contains("sqlite://") && !err.contains("pw@"), "{err}");
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        assert_eq!(redact("postgres://u:pw@h/d"), "postgres://u:***@h/d");
    }
}
