//! The cookies the pages use, read and written by hand: the session
//! secret, the token that protects the sign-in form from forgery, and the
//! chosen language.

use axum::http::{HeaderMap, HeaderValue, header};
use rand::RngCore;

use crate::WebConfig;

/// The session secret. The server keeps only its hash.
pub(crate) const SESSION: &str = "tc_session";
/// The double-submit token of the sign-in form.
pub(crate) const SIGN_IN_CSRF: &str = "tc_csrf";
/// The language the person chose (a tag such as `pl`).
pub(crate) const LANGUAGE: &str = "tc_lang";
/// The member a staff member is acting for (the member's id). Only a
/// request to act: every request checks again that the staff member may.
pub(crate) const ACT_FOR: &str = "tc_act_for";
/// Acting for someone lasts at most a working day unless stopped sooner.
pub(crate) const ACT_FOR_MAX_AGE: i64 = 8 * 60 * 60;
/// How long the language choice is kept: a year.
pub(crate) const LANGUAGE_MAX_AGE: i64 = 365 * 24 * 60 * 60;

/// The value of cookie `name` sent with the request, if any.
pub(crate) fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, for the whole site, and
/// Secure unless the deployment serves plain HTTP.
pub(crate) fn set(
    name: &str,
    value: &str,
    max_age_seconds: i64,
    config: &WebConfig,
) -> HeaderValue {
    let secure = if config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
    );
    // Names and values are ours: hex secrets and fixed names.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A `Set-Cookie` value that makes the browser forget cookie `name`.
pub(crate) fn clear(name: &str, config: &WebConfig) -> HeaderValue {
    set(name, "", 0, config)
}

/// A fresh random token: 32 bytes as hex.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Whether `value` looks like a token made by [`random_token`].
pub(crate) fn is_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Compares two tokens in time that does not depend on where they differ.
pub(crate) fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; tc_session=abc ;b=2"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("tc_csrf=def"));
        assert_eq!(get(&headers, SESSION), Some("abc"));
        assert_eq!(get(&headers, SIGN_IN_CSRF), Some("def"));
        assert_eq!(get(&headers, "missing"), None);
    }

    #[test]
    fn cookies_are_http_only_and_secure_when_asked() {
        let value = set(
            SESSION,
            "abc",
            60,
            &WebConfig {
                secure_cookies: true,
            },
        );
        let value = value.to_str().expect("ascii");
        assert!(
            value.contains("HttpOnly")
                && value.contains("SameSite=Lax")
                && value.ends_with("; Secure")
        );
        let plain = set(
            SESSION,
            "abc",
            60,
            &WebConfig {
                secure_cookies: false,
            },
        );
        assert!(!plain.to_str().expect("ascii").contains("Secure"));
    }

    #[test]
    fn tokens() {
        let token = random_token();
        assert!(is_token(&token));
        assert!(tokens_match(&token, &token.clone()));
        assert!(!tokens_match(&token, &random_token()));
        assert!(!tokens_match("ab", "abc"));
    }
}
