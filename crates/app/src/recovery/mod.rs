//! Getting back in after forgetting a password or PIN, without an email
//! server: a coordinator (for a member) or an administrator (for a staff
//! account) issues a one-time code and tells it to the person, who signs in
//! name with it and chooses a new secret.
//!
//! A code is 8 digits, easy to read out over the phone. It is kept only as
//! an argon2id hash, works once, for [`RESET_CODE_TTL_HOURS`] hours, and
//! stops working after [`MAX_FAILED_ATTEMPTS`] wrong tries; issuing a new
//! code ends the old one. Using it ends every session and API token the
//! person had. Codes are never written to logs.

mod mail;
mod store;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use timecredits_domain::Refusal;
use uuid::Uuid;

pub use mail::{Mail, Mailer};
pub use store::RecoveryStore;

use crate::identity::{
    DUMMY_HASH, LoginKind, check_password, check_pin, hash_secret, normalise_email, verify_secret,
};
use timecredits_ledger::ProgrammeId;

use crate::{Actor, App, AppError, MemberId, StoreError, User, UserId};

pub const RESET_CODE_TTL_HOURS: i64 = 24;
pub const MAX_FAILED_ATTEMPTS: u32 = 5;
const CODE_DIGITS: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResetCodeId(pub Uuid);

/// A stored reset code. `code_hash` is argon2id; the code itself is never stored.
#[derive(Clone)]
pub struct ResetCodeRecord {
    pub id: ResetCodeId,
    pub user: UserId,
    pub code_hash: String,
    /// Who gave the code: a coordinator, a manager or an administrator.
    pub issued_by: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub failed_attempts: u32,
}

impl std::fmt::Debug for ResetCodeRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResetCodeRecord")
            .field("id", &self.id)
            .field("user", &self.user)
            .field("expires_at", &self.expires_at)
            .field("failed_attempts", &self.failed_attempts)
            .finish_non_exhaustive()
    }
}

/// A code just issued: shown once to the staff member who asked for it.
#[derive(Clone)]
pub struct IssuedResetCode {
    /// Grouped for reading aloud: "4821 0937".
    pub code: String,
    pub expires_at: DateTime<Utc>,
    /// Whose code it is, so the page can say so.
    pub for_name: String,
    /// A member resets a PIN; a staff account a password.
    pub resets: LoginKind,
    /// The member's programme (for its time zone); none for staff.
    pub programme: Option<ProgrammeId>,
}

impl std::fmt::Debug for IssuedResetCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedResetCode")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

fn code_not_valid() -> AppError {
    AppError::Refused(Refusal::invalid(
        "reset_code_not_valid",
        "that code does not work: check the number and the code, or ask for a new code (a code works once, for 24 hours)",
    ))
}

fn new_code() -> String {
    let mut rng = rand::rng();
    (0..CODE_DIGITS)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// The digits of a code as typed: spaces and dashes are ignored.
fn typed_digits(code: &str) -> String {
    code.chars().filter(|c| !matches!(c, ' ' | '-')).collect()
}

fn grouped(code: &str) -> String {
    let (a, b) = code.split_at(CODE_DIGITS / 2);
    format!("{a} {b}")
}

impl App {
    /// A coordinator of one of the member's organisations, or a manager of
    /// their programme, gives a member a code to choose a new PIN.
    pub async fn issue_member_reset_code(
        &self,
        staff: &Actor,
        member: MemberId,
    ) -> Result<IssuedResetCode, AppError> {
        if staff.proxy {
            return Err(AppError::Forbidden);
        }
        self.check_may_act_for(staff, member).await?;
        let member = self
            .store
            .member(member)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        // Someone registered without a PIN has no sign-in yet: the code is
        // how they choose their first PIN.
        let user = match member.user {
            Some(user) => user,
            None => {
                let user = User {
                    id: UserId(Uuid::now_v7()),
                    email: None,
                    display_name: member.display_name.clone(),
                    password_hash: None,
                    pin_hash: None,
                    member: Some(member.id),
                    created_at: self.now(),
                };
                self.store.create_user(&user).await?;
                self.store.link_member_user(member.id, user.id).await?;
                user.id
            }
        };
        let issued = self
            .issue_reset_code(staff.user, user, LoginKind::MemberNumber)
            .await?;
        Ok(IssuedResetCode {
            for_name: member.display_name,
            programme: Some(member.programme),
            ..issued
        })
    }

    /// An administrator gives a staff account (found by email) a code to
    /// choose a new password.
    pub async fn issue_staff_reset_code(
        &self,
        admin: &Actor,
        email: &str,
    ) -> Result<IssuedResetCode, AppError> {
        if !admin.is_administrator() || admin.proxy {
            return Err(AppError::Forbidden);
        }
        let email = normalise_email(email)?;
        let user = self
            .store
            .user_by_email(&email)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        let issued = self
            .issue_reset_code(admin.user, user.id, LoginKind::Email)
            .await?;
        Ok(IssuedResetCode {
            for_name: user.display_name,
            ..issued
        })
    }

    async fn issue_reset_code(
        &self,
        issued_by: UserId,
        user: UserId,
        resets: LoginKind,
    ) -> Result<IssuedResetCode, AppError> {
        let code = new_code();
        let hash = {
            let code = code.clone();
            tokio::task::spawn_blocking(move || hash_secret(&code))
                .await
                .map_err(|e| StoreError::Internal(format!("hashing task failed: {e}")))??
        };
        let now = self.now();
        let record = ResetCodeRecord {
            id: ResetCodeId(Uuid::now_v7()),
            user,
            code_hash: hash,
            issued_by,
            created_at: now,
            expires_at: now + Duration::hours(RESET_CODE_TTL_HOURS),
            failed_attempts: 0,
        };
        self.store.create_reset_code(&record).await?;
        tracing::info!(user.id = %user, issued_by = %issued_by, "reset code issued");
        Ok(IssuedResetCode {
            code: grouped(&code),
            expires_at: record.expires_at,
            for_name: String::new(),
            resets,
            programme: None,
        })
    }

    /// Emails a code to whoever signs in with `email`, when the server can
    /// send email. The caller words the message (`compose` gives the
    /// subject and body for the code, in the person's language). Whether
    /// or not anyone signs in with that address, the answer is the same,
    /// so it reveals nothing; a code sent this way is recorded as issued
    /// by the person themselves.
    pub async fn email_reset_code(
        &self,
        email: &str,
        compose: impl FnOnce(&IssuedResetCode) -> (String, String),
    ) -> Result<(), AppError> {
        let Some(mailer) = self.mailer.clone() else {
            return Err(AppError::Conflict(
                "this server does not send email; ask your coordinator or administrator for a reset code".to_owned(),
            ));
        };
        let email = normalise_email(email)?;
        let Some(user) = self.store.user_by_email(&email).await? else {
            // About as slow as issuing a code, so timing says little.
            let _ = tokio::task::spawn_blocking(|| hash_secret("00000000")).await;
            return Ok(());
        };
        let mut issued = self
            .issue_reset_code(user.id, user.id, LoginKind::Email)
            .await?;
        issued.for_name = user.display_name.clone();
        let (subject, body) = compose(&issued);
        let mail = Mail {
            to: email,
            subject,
            body,
        };
        mailer.send(&mail).await.map_err(|error| {
            tracing::warn!(user.id = %user.id, error = %error, "a reset code email could not be sent");
            AppError::Conflict(
                "the email could not be sent just now; try again later, or ask your administrator for a reset code".to_owned(),
            )
        })?;
        tracing::info!(user.id = %user.id, "reset code emailed");
        Ok(())
    }

    /// Chooses a new PIN (signing in by member number) or password (by
    /// email) with a reset code. Whatever was wrong (no such person, no
    /// code, a wrong or old code) the answer is the same, so it reveals
    /// nothing; a bad new secret is said plainly, before the code is tried.
    pub async fn reset_with_code(
        &self,
        login: &str,
        code: &str,
        new_secret: &str,
    ) -> Result<User, AppError> {
        let (user, kind) = self.user_for_login(login).await?;
        match kind {
            LoginKind::Email => check_password(new_secret)?,
            LoginKind::MemberNumber => check_pin(new_secret)?,
        }
        let now = self.now();
        let live = match &user {
            Some(u) => {
                self.store
                    .live_reset_code(u.id, now, MAX_FAILED_ATTEMPTS)
                    .await?
            }
            None => None,
        };
        let typed = typed_digits(code);
        let hash = live
            .as_ref()
            .map_or_else(|| DUMMY_HASH.to_owned(), |c| c.code_hash.clone());
        let matches = tokio::task::spawn_blocking(move || verify_secret(&typed, &hash))
            .await
            .unwrap_or(false);
        let (Some(user), Some(live)) = (user, live) else {
            return Err(code_not_valid());
        };
        if !matches {
            self.store.count_failed_reset_attempt(live.id).await?;
            tracing::info!(user.id = %user.id, "wrong reset code tried");
            return Err(code_not_valid());
        }
        let secret = new_secret.to_owned();
        let new_hash = tokio::task::spawn_blocking(move || hash_secret(&secret))
            .await
            .map_err(|e| StoreError::Internal(format!("hashing task failed: {e}")))??;
        let (password, pin) = match kind {
            LoginKind::Email => (Some(new_hash.as_str()), None),
            LoginKind::MemberNumber => (None, Some(new_hash.as_str())),
        };
        if !self
            .store
            .finish_reset(live.id, user.id, now, password, pin)
            .await?
        {
            return Err(code_not_valid());
        }
        tracing::info!(user.id = %user.id, "secret reset with a code; sessions ended");
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_eight_digits_and_read_in_two_groups() {
        let code = new_code();
        assert_eq!(code.len(), CODE_DIGITS);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        assert_eq!(grouped("48210937"), "4821 0937");
        assert_eq!(typed_digits(" 4821-0937 "), "48210937");
    }
}
