//! Turning sqlx errors into [`StoreError`]s, and keeping secrets out of them.

use sqlx::postgres::PgConnectOptions;
use timecredits_app::StoreError;

/// SQLSTATE of a unique violation.
pub(crate) const UNIQUE_VIOLATION: &str = "23505";
/// SQLSTATE of a deadlock.
pub(crate) const DEADLOCK_DETECTED: &str = "40P01";
/// SQLSTATE of a serialization failure.
pub(crate) const SERIALIZATION_FAILURE: &str = "40001";

/// The SQLSTATE of a database error, if it is one.
pub(crate) fn sqlstate(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(d) => d.code().map(|c| c.into_owned()),
        _ => None,
    }
}

/// Whether a failed posting transaction should simply be tried again: a
/// concurrent writer won a race, and the next attempt will see its result.
pub(crate) fn is_retryable(e: &sqlx::Error) -> bool {
    matches!(
        sqlstate(e).as_deref(),
        Some(UNIQUE_VIOLATION | DEADLOCK_DETECTED | SERIALIZATION_FAILURE)
    )
}

/// What a unique constraint protects, in the words of `StoreError::Duplicate`.
fn duplicate_of(constraint: Option<&str>) -> &'static str {
    match constraint {
        Some("members_member_number_key") => "member number",
        Some("users_email_key") => "email",
        Some("programmes_pkey") => "programme",
        Some("accounts_pkey") => "account",
        Some("organisations_pkey") => "organisation",
        Some("members_pkey") => "member",
        Some("users_pkey") => "user",
        Some("role_grants_pkey") => "role grant",
        Some("sessions_pkey") => "session",
        Some("api_tokens_pkey") => "API token",
        Some("transfers_id_key") => "transfer",
        Some("transfers_reverses_key") => "reversal",
        _ => "record",
    }
}

/// Whether a SQLSTATE says the server cannot be used right now (connection
/// lost, refused, shutting down, wrong database or credentials, too busy).
fn is_unavailable_state(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("28")
        || code.starts_with("3D")
        || code.starts_with("53")
        || code.starts_with("57P")
}

/// Maps any sqlx error met while using an open pool.
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::Database(d) => {
            let code = d.code().map(|c| c.into_owned()).unwrap_or_default();
            if code == UNIQUE_VIOLATION {
                StoreError::Duplicate(duplicate_of(d.constraint()))
            } else if is_unavailable_state(&code) {
                StoreError::Unavailable(format!("{} (SQLSTATE {code})", d.message()))
            } else {
                StoreError::Internal(format!("{} (SQLSTATE {code})", d.message()))
            }
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_)
        | sqlx::Error::BeginFailed => StoreError::Unavailable(e.to_string()),
        sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::TypeNotFound { .. }
        | sqlx::Error::ColumnIndexOutOfBounds { .. } => StoreError::Corrupt(e.to_string()),
        other => StoreError::Internal(other.to_string()),
    }
}

pub(crate) fn migrate_err(e: sqlx::migrate::MigrateError) -> StoreError {
    use sqlx::migrate::MigrateError as M;
    match e {
        M::Execute(e) => db_err(e),
        M::ExecuteMigration(e, version) => match db_err(e) {
            StoreError::Unavailable(m) => StoreError::Unavailable(m),
            other => StoreError::Internal(format!("migration {version} failed: {other}")),
        },
        e @ (M::VersionMissing(_) | M::VersionMismatch(_) | M::Dirty(_)) => StoreError::Corrupt(
            format!("the database schema is not one this version knows: {e}"),
        ),
        other => StoreError::Internal(format!("migrating failed: {other}")),
    }
}

/// Describes a database for messages: user, host, port and database name,
/// never the password.
pub(crate) fn describe(options: &PgConnectOptions) -> String {
    let db = options.get_database().unwrap_or(options.get_username());
    match options.get_socket() {
        Some(socket) => format!(
            "database {db:?} as {:?} via socket {}",
            options.get_username(),
            socket.display()
        ),
        None => format!(
            "database {db:?} on {}:{} as {:?}",
            options.get_host(),
            options.get_port(),
            options.get_username()
        ),
    }
}

/// The secrets a database URL may carry: the password in its user info and
/// any `password=` parameter, both as written and percent-decoded.
pub(crate) fn secrets_in_url(url: &str) -> Vec<String> {
    let mut secrets = Vec::new();
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if let Some((userinfo, _)) = authority.rsplit_once('@')
        && let Some((_, password)) = userinfo.split_once(':')
    {
        secrets.push(password.to_owned());
    }
    if let Some((_, query)) = rest.split_once('?') {
        let query = query.split('#').next().unwrap_or_default();
        for pair in query.split('&') {
            if let Some((key, value)) = pair.split_once('=')
                && key.eq_ignore_ascii_case("password")
            {
                secrets.push(value.to_owned());
            }
        }
    }
    let decoded: Vec<String> = secrets.iter().map(|s| percent_decode(s)).collect();
    secrets.extend(decoded);
    secrets.retain(|s| !s.is_empty());
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    secrets
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Replaces every secret in `message` with `***`.
pub(crate) fn redact(message: &str, secrets: &[String]) -> String {
    let mut message = message.to_owned();
    for secret in secrets {
        message = message.replace(secret.as_str(), "***");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_passwords_in_urls() {
        let s = secrets_in_url(
            "postgres://alice:s%40cret@db.example:5432/tc?sslmode=require&password=other",
        );
        assert!(s.contains(&"s%40cret".to_owned()));
        assert!(s.contains(&"s@cret".to_owned()));
        assert!(s.contains(&"other".to_owned()));
        assert!(secrets_in_url("postgres://postgres@127.0.0.1/test").is_empty());
        assert_eq!(
            redact("failed for s@cret and other", &s),
            "failed for *** and ***"
        );
    }

    #[test]
    fn describes_without_the_password() {
        let options: PgConnectOptions = "postgres://alice:hunter2@db.example:6543/tc"
            .parse()
            .expect("valid url");
        let text = describe(&options);
        assert!(text.contains("db.example:6543"), "{text}");
        assert!(text.contains("\"tc\""), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
}
