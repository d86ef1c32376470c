//! One typed configuration, built from defaults, then a TOML file, then
//! the environment, then command-line flags (each overriding the last).

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://USER@HOST/DB`.
    pub database_url: String,
    /// Where `serve` listens.
    pub listen: SocketAddr,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// Mark cookies `Secure`: set this when the server is behind TLS.
    pub secure_cookies: bool,
    /// How long a signed-in browser session lasts.
    pub session_hours: u32,
    /// How long a computed report (dashboards, the reports API,
    /// circulation) is served again before it is computed afresh; 0
    /// computes every time. Consent changes drop kept reports at once.
    pub report_max_age_seconds: u32,
    /// An SMTP relay for emailing reset codes (`smtp://host:25`,
    /// `smtp://host:587?tls=required`, `smtps://user:password@host`).
    /// Without it, codes come only from coordinators and administrators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_url: Option<String>,
    /// The sender of those emails, e.g. `Time Credits <noreply@example.org>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_from: Option<String>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://timecredits.db".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            log_format: LogFormat::Text,
            secure_cookies: false,
            session_hours: 12,
            report_max_age_seconds: 60,
            smtp_url: None,
            mail_from: None,
        }
    }
}

/// Values given as flags; `None` leaves the lower layers in charge.
#[derive(Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
}

impl Config {
    /// Layers defaults, the file (if any), `TIMECREDITS_*` variables (and
    /// `DATABASE_URL`), then the flags. A bad value is an error that names it.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, String> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.is_file() {
                return Err(format!(
                    "the configuration file {} does not exist",
                    file.display()
                ));
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .merge(Env::prefixed("TIMECREDITS_").only(&[
                "DATABASE_URL",
                "LISTEN",
                "LOG_FORMAT",
                "SECURE_COOKIES",
                "SESSION_HOURS",
                "REPORT_MAX_AGE_SECONDS",
                "SMTP_URL",
                "MAIL_FROM",
            ]))
            .merge(Serialized::defaults(overrides));
        let config: Config = figment
            .extract()
            .map_err(|e| format!("the configuration is not valid: {e}"))?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        crate::database::DatabaseUrl::parse(&self.database_url)?;
        if !(1..=24 * 30).contains(&self.session_hours) {
            return Err(format!(
                "session_hours must be between 1 and 720 (got {})",
                self.session_hours
            ));
        }
        if self.report_max_age_seconds > 3600 {
            return Err(format!(
                "report_max_age_seconds must be between 0 and 3600 (got {}); reports older than an hour would mislead",
                self.report_max_age_seconds
            ));
        }
        self.mailer()?;
        Ok(())
    }

    /// The SMTP mailer, if one is configured; both settings or neither.
    pub fn mailer(&self) -> Result<Option<crate::mail::SmtpMailer>, String> {
        match (&self.smtp_url, &self.mail_from) {
            (None, None) => Ok(None),
            (Some(url), Some(from)) => crate::mail::SmtpMailer::new(url, from).map(Some),
            (Some(_), None) => {
                Err("smtp_url is set but mail_from is not; set both to email reset codes".into())
            }
            (None, Some(_)) => {
                Err("mail_from is set but smtp_url is not; set both to email reset codes".into())
            }
        }
    }
}

/// Never prints a database password.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &crate::database::redact(&self.database_url))
            .field("listen", &self.listen)
            .field("log_format", &self.log_format)
            .field("secure_cookies", &self.secure_cookies)
            .field("session_hours", &self.session_hours)
            .field("report_max_age_seconds", &self.report_max_age_seconds)
            .field(
                "smtp_url",
                &self.smtp_url.as_deref().map(crate::database::redact),
            )
            .field("mail_from", &self.mail_from)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail returns its own large error type
    fn layers_apply_in_order_and_bad_values_are_named() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "tc.toml",
                "listen = \"127.0.0.1:9000\"\nsession_hours = 4\n",
            )?;
            jail.set_env("TIMECREDITS_SESSION_HOURS", "6");
            let c = Config::load(Some(Path::new("tc.toml")), &Overrides::default()).expect("valid");
            assert_eq!(c.listen.port(), 9000, "the file overrides the default");
            assert_eq!(c.session_hours, 6, "the environment overrides the file");
            let flags = Overrides {
                listen: Some("127.0.0.1:9100".parse().expect("addr")),
                ..Overrides::default()
            };
            let c = Config::load(Some(Path::new("tc.toml")), &flags).expect("valid");
            assert_eq!(c.listen.port(), 9100, "flags override everything");

            jail.set_env("TIMECREDITS_LISTEN", "not an address");
            let err = Config::load(None, &Overrides::default()).unwrap_err();
            assert!(err.to_lowercase().contains("listen"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn debug_output_redacts_the_database_password() {
        let c = Config {
            database_url: "postgres://app:s3cret@db.example/tc".into(),
            ..Config::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("db.example"));
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail returns its own large error type
    fn smtp_needs_both_settings_and_is_never_printed() {
        figment::Jail::expect_with(|jail| {
            jail.set_env(
                "TIMECREDITS_SMTP_URL",
                "smtps://relay:pa55word@mail.example.org",
            );
            let err = Config::load(None, &Overrides::default()).unwrap_err();
            assert!(err.contains("mail_from"), "{err}");
            jail.set_env(
                "TIMECREDITS_MAIL_FROM",
                "Time Credits <noreply@example.org>",
            );
            let c = Config::load(None, &Overrides::default()).expect("valid");
            assert!(c.mailer().expect("mailer").is_some());
            let printed = format!("{c:?}");
            assert!(!printed.contains("pa55word"), "{printed}");
            Ok(())
        });
    }
}
