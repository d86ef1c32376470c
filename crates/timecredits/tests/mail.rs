//! The SMTP mailer against a tiny SMTP server on localhost: the message
//! reaches the relay with its sender, recipient, subject and body; a relay
//! that refuses gives an error; bad settings are named.

use timecredits::mail::SmtpMailer;
use timecredits_app::recovery::{Mail, Mailer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Answers one SMTP conversation; `refuse_recipient` makes RCPT fail.
/// Returns what the client sent.
async fn relay(listener: TcpListener, refuse_recipient: bool) -> String {
    let (socket, _) = listener.accept().await.expect("a connection");
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut said = String::new();
    write
        .write_all(b"220 test relay ready\r\n")
        .await
        .expect("greet");
    let mut in_data = false;
    while let Ok(Some(line)) = lines.next_line().await {
        said.push_str(&line);
        said.push('\n');
        let reply: &[u8] = if in_data {
            if line == "." {
                in_data = false;
                b"250 queued\r\n"
            } else {
                continue;
            }
        } else {
            let verb = line
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_uppercase();
            match verb.as_str() {
                "EHLO" | "HELO" => b"250-test relay\r\n250 8BITMIME\r\n",
                "MAIL" => b"250 ok\r\n",
                "RCPT" if refuse_recipient => b"550 no such mailbox\r\n",
                "RCPT" => b"250 ok\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 go ahead\r\n"
                }
                "QUIT" => {
                    let _ = write.write_all(b"221 bye\r\n").await;
                    break;
                }
                _ => b"250 ok\r\n",
            }
        };
        if write.write_all(reply).await.is_err() {
            break;
        }
    }
    said
}

fn mail() -> Mail {
    Mail {
        to: "cora@example.org".into(),
        subject: "Your Time Credits reset code".into(),
        body: "Your reset code is: 4821 0937".into(),
    }
}

#[tokio::test]
async fn a_reset_code_email_reaches_the_relay() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = tokio::spawn(relay(listener, false));
    let mailer = SmtpMailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Time Credits <noreply@example.org>",
    )
    .expect("mailer");
    mailer.send(&mail()).await.expect("sent");
    drop(mailer);
    let said = server.await.expect("relay");
    assert!(said.contains("MAIL FROM:<noreply@example.org>"), "{said}");
    assert!(said.contains("RCPT TO:<cora@example.org>"), "{said}");
    assert!(
        said.contains("Subject: Your Time Credits reset code"),
        "{said}"
    );
    assert!(said.contains("Your reset code is: 4821 0937"), "{said}");
}

#[tokio::test]
async fn a_refusing_relay_is_an_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = tokio::spawn(relay(listener, true));
    let mailer = SmtpMailer::new(&format!("smtp://127.0.0.1:{port}"), "noreply@example.org")
        .expect("mailer");
    let error = mailer.send(&mail()).await.expect_err("refused");
    assert!(
        !error.contains("4821"),
        "errors never carry the code: {error}"
    );
    drop(mailer);
    server.abort();
}

#[test]
fn bad_settings_are_named_without_the_password() {
    let Err(error) = SmtpMailer::new("smtps://user:secret@host", "not an address") else {
        panic!("a bad sender is refused");
    };
    assert!(error.contains("mail_from"), "{error}");
    let Err(error) = SmtpMailer::new("ftp://user:secret@host", "noreply@example.org") else {
        panic!("a bad URL is refused");
    };
    assert!(
        error.contains("smtp_url") && !error.contains("secret"),
        "{error}"
    );
}
