//! Sending a reset code by email, when the server has an SMTP relay. The
//! adapter (SMTP) lives with the binary; this side only says what to send.

use async_trait::async_trait;

/// One plain-text email.
#[derive(Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The body holds a reset code: never print it.
impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Hands the message to the relay. The error is for logs: it must not
    /// contain the message's body.
    async fn send(&self, mail: &Mail) -> Result<(), String>;
}
