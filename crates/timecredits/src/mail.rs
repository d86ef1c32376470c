//! The SMTP side of emailing reset codes (lettre): configured by
//! `smtp_url` (`smtp://host:25` plain, `smtp://…?tls=required` STARTTLS,
//! `smtps://user:pass@host` TLS) and `mail_from`.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use timecredits_app::recovery::{Mail, Mailer};

/// How long to wait for the relay before telling the person to try later.
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// A mailer for the relay at `url`, sending as `from`. Errors name the
    /// setting that is wrong and never contain the URL's password.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let from: Mailbox = from.parse().map_err(|e| {
            format!("mail_from must be an address like \"Time Credits <noreply@example.org>\": {e}")
        })?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| {
                format!(
                    "smtp_url {} is not an SMTP address; use smtp://host:port, smtp://host?tls=required or smtps://user:password@host",
                    crate::database::redact(url)
                )
            })?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &Mail) -> Result<(), String> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| format!("the recipient's address is not valid: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| format!("the message could not be built: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("the SMTP relay refused or did not answer: {e}"))
    }
}
