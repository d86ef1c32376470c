//! Signing in: argon2id for passwords and PINs, random secrets for
//! sessions and API tokens, stored only as SHA-256 hashes.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    Actor, ApiTokenRecord, App, AppError, Member, MemberNumber, Role, RoleGrant, Scope,
    SessionRecord, User, UserId,
};

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=6;

/// A hash that verifies nothing, so that an unknown account costs as much
/// time as a wrong password and does not reveal that it does not exist.
pub(crate) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Qk2I0zXsl1rKmPzm1Ry0pD6YV1ZKq1Xc8i9B0o7n4N8";

/// Hashes a password or PIN with argon2id and a fresh salt.
pub fn hash_secret(secret: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(secret.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| AppError::invalid("password", "could not be hashed"))
}

pub(crate) fn verify_secret(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok()
    })
}

/// The SHA-256 of a session or token secret: what the database keeps.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(crate) fn check_password(password: &str) -> Result<(), AppError> {
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(AppError::invalid(
            "password",
            format!(
                "must be at least {PASSWORD_MIN_CHARS} characters; a short sentence is easy to remember"
            ),
        ));
    }
    Ok(())
}

pub(crate) fn check_pin(pin: &str) -> Result<(), AppError> {
    if !PIN_DIGITS.contains(&pin.len()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid("pin", "must be 4 to 6 digits"));
    }
    Ok(())
}

pub(crate) fn normalise_email(email: &str) -> Result<String, AppError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if !valid {
        return Err(AppError::invalid(
            "email",
            "must be an email address, like name@example.org",
        ));
    }
    Ok(email)
}

/// How a person signs in: staff by email and password, members by member
/// number and PIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginKind {
    Email,
    MemberNumber,
}

/// A session just created: the secret goes in the cookie, once.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub secret: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

impl App {
    /// Creates the first (or another) platform administrator. Used from the
    /// CLI by whoever runs the server, so it needs no signed-in actor.
    pub async fn bootstrap_administrator(
        &self,
        email: &str,
        password: &str,
    ) -> Result<User, AppError> {
        let email = normalise_email(email)?;
        check_password(password)?;
        if self.store.user_by_email(&email).await?.is_some() {
            return Err(AppError::Conflict(format!(
                "a user with email {email} already exists"
            )));
        }
        let user = User {
            id: UserId(Uuid::now_v7()),
            email: Some(email),
            display_name: "Administrator".into(),
            password_hash: Some(hash_secret(password)?),
            pin_hash: None,
            member: None,
            created_at: self.now(),
        };
        self.store.create_user(&user).await?;
        self.store
            .grant_role(&RoleGrant {
                user: user.id,
                role: Role::Administrator,
                scope: Scope::Platform,
            })
            .await?;
        tracing::info!(user.id = %user.id, "administrator created");
        Ok(user)
    }

    /// Checks an email and password, or a member number and PIN, and
    /// returns the user. The same error is given whatever was wrong.
    pub async fn authenticate(&self, login: &str, secret: &str) -> Result<User, AppError> {
        let (user, kind) = self.user_for_login(login).await?;
        let hash = user.as_ref().and_then(|u| match kind {
            LoginKind::Email => u.password_hash.clone(),
            LoginKind::MemberNumber => u.pin_hash.clone(),
        });
        let secret = secret.to_owned();
        let ok = tokio::task::spawn_blocking(move || {
            verify_secret(&secret, hash.as_deref().unwrap_or(DUMMY_HASH))
        })
        .await
        .unwrap_or(false);
        match user {
            Some(user) if ok => Ok(user),
            _ => Err(AppError::BadCredentials),
        }
    }

    /// The user a login names (an email, or a member number), if any, and
    /// which kind of login it is. A malformed login names nobody.
    pub(crate) async fn user_for_login(
        &self,
        login: &str,
    ) -> Result<(Option<User>, LoginKind), AppError> {
        if login.contains('@') {
            let user = match normalise_email(login) {
                Ok(email) => self.store.user_by_email(&email).await?,
                Err(_) => None,
            };
            return Ok((user, LoginKind::Email));
        }
        let user = match login.parse::<MemberNumber>() {
            Ok(number) => match self.store.member_by_number(number).await? {
                Some(Member { user: Some(id), .. }) => self.store.user(id).await?,
                _ => None,
            },
            Err(_) => None,
        };
        Ok((user, LoginKind::MemberNumber))
    }

    pub async fn actor(&self, user: UserId) -> Result<Actor, AppError> {
        let record = self
            .store
            .user(user)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let grants = self.store.roles(user).await?;
        Ok(Actor {
            user,
            member: record.member,
            grants,
            proxy: false,
        })
    }

    pub async fn start_session(&self, user: &User) -> Result<NewSession, AppError> {
        let secret = random_secret();
        let now = self.now();
        let record = SessionRecord {
            id_hash: hash_token(&secret),
            user: user.id,
            csrf_token: random_secret(),
            created_at: now,
            expires_at: now + self.session_ttl,
        };
        self.store.create_session(&record).await?;
        Ok(NewSession {
            secret,
            csrf_token: record.csrf_token,
            expires_at: record.expires_at,
        })
    }

    /// The actor behind a session cookie, if the session is live.
    pub async fn session_actor(&self, secret: &str) -> Result<(Actor, SessionRecord), AppError> {
        let session = self
            .store
            .session(&hash_token(secret))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if session.expires_at <= self.now() {
            self.store.delete_session(&session.id_hash).await?;
            return Err(AppError::Unauthenticated);
        }
        Ok((self.actor(session.user).await?, session))
    }

    pub async fn end_session(&self, secret: &str) -> Result<(), AppError> {
        Ok(self.store.delete_session(&hash_token(secret)).await?)
    }

    /// Issues a bearer token for the API; the secret is returned once.
    pub async fn issue_api_token(
        &self,
        user: &User,
        label: &str,
    ) -> Result<(String, ApiTokenRecord), AppError> {
        let secret = format!("tc_{}", random_secret());
        let now = self.now();
        let record = ApiTokenRecord {
            token_hash: hash_token(&secret),
            user: user.id,
            label: label.chars().take(100).collect(),
            created_at: now,
            expires_at: now + self.token_ttl,
        };
        self.store.create_api_token(&record).await?;
        Ok((secret, record))
    }

    /// The actor behind an API bearer token. One store read per request:
    /// every API call pays for this, and it is not cached, so that a
    /// revoked token or role stops working at once.
    pub async fn bearer_actor(&self, secret: &str) -> Result<Actor, AppError> {
        let holder = self
            .store
            .api_token_holder(&hash_token(secret))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if holder.token.expires_at <= self.now() {
            return Err(AppError::Unauthenticated);
        }
        Ok(Actor {
            user: holder.token.user,
            member: holder.member,
            grants: holder.grants,
            proxy: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_hash_with_argon2id_and_verify() {
        let hash = hash_secret("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_secret("correct horse battery", &hash));
        assert!(!verify_secret("wrong horse battery", &hash));
        assert!(!verify_secret("anything", DUMMY_HASH));
    }

    #[test]
    fn input_rules() {
        assert!(check_pin("1234").is_ok());
        assert!(check_pin("12a4").is_err());
        assert!(check_pin("123").is_err());
        assert!(check_password("short").is_err());
        assert_eq!(normalise_email(" A@B.org ").expect("valid"), "a@b.org");
        assert!(normalise_email("no-at-sign").is_err());
    }
}
