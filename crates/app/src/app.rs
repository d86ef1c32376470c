//! The application: storage and a clock, and the use cases in the sibling
//! modules as methods on it.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::{Clock, Store};

#[derive(Clone)]
pub struct App {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) session_ttl: Duration,
    pub(crate) token_ttl: Duration,
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            session_ttl: Duration::hours(12),
            token_ttl: Duration::days(30),
        }
    }

    pub fn with_session_ttl(mut self, ttl: Duration) -> Self {
        self.session_ttl = ttl;
        self
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
