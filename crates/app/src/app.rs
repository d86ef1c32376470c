//! The application: storage and a clock, and the use cases in the sibling
//! modules as methods on it.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::evaluation::AnalyticsReport;
use crate::recovery::Mailer;
use crate::report_cache::ReportCache;
use crate::{Clock, Store};

#[derive(Clone)]
pub struct App {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) session_ttl: Duration,
    pub(crate) token_ttl: Duration,
    /// Sends reset codes by email, when the server has SMTP configured.
    pub(crate) mailer: Option<Arc<dyn Mailer>>,
    /// Reports computed lately, shared by every clone of this app.
    pub(crate) reports: Arc<ReportCaches>,
}

/// How many different reports (programme, report and filter) are kept.
const KEPT_REPORTS: usize = 64;

pub(crate) struct ReportCaches {
    pub analytics: ReportCache<crate::evaluation::AnalyticsKey, AnalyticsReport>,
    pub circulation: ReportCache<crate::ledger_ops::CirculationKey, crate::CirculationReport>,
}

impl ReportCaches {
    fn new(max_age: std::time::Duration) -> Self {
        Self {
            analytics: ReportCache::new(max_age, KEPT_REPORTS),
            circulation: ReportCache::new(max_age, KEPT_REPORTS),
        }
    }
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            session_ttl: Duration::hours(12),
            token_ttl: Duration::days(30),
            mailer: None,
            reports: Arc::new(ReportCaches::new(std::time::Duration::ZERO)),
        }
    }

    /// Serve a computed report again for up to `max_age` (zero, the
    /// default: compute every time). See `report_cache` for what this
    /// trades and what is dropped at once.
    pub fn with_report_max_age(mut self, max_age: std::time::Duration) -> Self {
        self.reports = Arc::new(ReportCaches::new(max_age));
        self
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
