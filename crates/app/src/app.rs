//! The application: storage and a clock, and the use cases in the sibling
//! modules as methods on it.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::recovery::Mailer;
use crate::{Clock, Store};

#[derive(Clone)]
pub struct App {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) session_ttl: Duration,
    pub(crate) token_ttl: Duration,
    /// Sends reset codes by email, when the server has SMTP configured.
    pub(crate) mailer: Option<Arc<dyn Mailer>>,
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            session_ttl: Duration::hours(12),
            token_ttl: Duration::days(30),
            mailer: None,
        }
    }

    pub fn with_session_ttl(mut self, ttl: Duration) -> Self {
        self.session_ttl = ttl;
        self
    }

    pub fn with_mailer(mut self, mailer: Arc<dyn Mailer>) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// Whether people can ask for a reset code by email.
    pub fn emails_reset_codes(&self) -> bool {
        self.mailer.is_some()
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
