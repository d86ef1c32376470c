//! Scenario (e) as far as it exists today: the member home page (signed in
//! with a session cookie, through the sign-in form) and the circulation
//! report of the API.

use std::sync::Arc;

use reqwest::header::SET_COOKIE;

use crate::load::{Gen, Req};

/// The value of cookie `name` set by a response.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response.headers().get_all(SET_COOKIE).iter().find_map(|v| {
        let pair = v.to_str().ok()?.split(';').next()?;
        let (k, v) = pair.split_once('=')?;
        (k.trim() == name).then(|| v.to_owned())
    })
}

/// Signs in through the form (double-submit CSRF token) and returns the
/// `Cookie` header value of the session.
pub async fn sign_in(base: &str, login: &str, secret: &str) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let form = client
        .get(format!("{base}/sign-in"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let csrf = set_cookie(&form, "tc_csrf").ok_or("the sign-in form set no tc_csrf cookie")?;
    let response = client
        .post(format!("{base}/sign-in"))
        .header("Cookie", format!("tc_csrf={csrf}"))
        .form(&[("login", login), ("secret", secret), ("csrf", &csrf)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let session = set_cookie(&response, "tc_session").ok_or_else(|| {
        format!(
            "signing in as {login} set no session cookie (HTTP {})",
            response.status()
        )
    })?;
    Ok(format!("tc_session={session}"))
}

pub fn home(base: &str, cookie: &str) -> Gen {
    let url = format!("{base}/home");
    let cookie: Arc<str> = cookie.into();
    Arc::new(move |_| Req {
        cookie: Some(cookie.clone()),
        ..Req::get(url.clone())
    })
}

pub fn circulation(base: &str, programme: &str, token: &str) -> Gen {
    let url = format!("{base}/api/v1/programmes/{programme}/circulation");
    let token: Arc<str> = token.into();
    Arc::new(move |_| Req {
        bearer: Some(token.clone()),
        ..Req::get(url.clone())
    })
}
