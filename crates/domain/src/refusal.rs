//! A named refusal of a co-production rule.

/// Why a rule refused a request: a stable snake_case `code` (returned by the
/// API as the problem's `code`) and a message that says what was wrong and
/// what to do. Each area's error enum converts into this.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
    pub kind: RefusalKind,
}

/// Whether the request itself breaks a rule, or clashes with the current state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalKind {
    /// The request breaks a rule whatever else is stored (a future date, a
    /// minutes value off the granularity): HTTP 422.
    Invalid,
    /// The request is fine but the state does not allow it now (the session
    /// is full, the proposal was already answered): HTTP 409.
    Conflict,
}

impl Refusal {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            kind: RefusalKind::Invalid,
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            kind: RefusalKind::Conflict,
        }
    }
}
