//! Scenario (e): pages signed in with a session cookie (through the
//! sign-in form, as a browser does): the member home page, a coordinator's
//! register for a session that has begun, and the engagement dashboard;
//! and the circulation report of the API.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::SET_COOKIE;
use serde_json::json;

use crate::api::{Api, field};
use crate::load::{Gen, Req};
use crate::world::World;

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

/// A coordinator's register of a session, as the coordinator opens it.
pub fn register(base: &str, session: &str, cookie: &str) -> Gen {
    page(format!("{base}/sessions/{session}/register"), cookie)
}

/// The engagement dashboard of a programme over its whole history.
pub fn engagement(base: &str, programme: &str, cookie: &str) -> Gen {
    page(format!("{base}/reports/{programme}/engagement"), cookie)
}

fn page(url: String, cookie: &str) -> Gen {
    let cookie: Arc<str> = cookie.into();
    Arc::new(move |_| Req {
        cookie: Some(cookie.clone()),
        ..Req::get(url.clone())
    })
}

/// A session of the world's activity starting `lead` from now, with the
/// first `attendees` members signed up by the coordinator; sign-ups close
/// when it starts, and its register opens then.
pub async fn session_with_sign_ups(
    api: &Api,
    w: &World,
    attendees: usize,
    lead: Duration,
) -> Result<(String, DateTime<Utc>), String> {
    let starts = Utc::now() + lead;
    let session = api
        .post(
            &format!("/activities/{}/sessions", w.activity),
            &w.coordinator_token,
            None,
            &json!({"starts_at": starts.to_rfc3339(),
                    "ends_at": (starts + chrono::Duration::hours(2)).to_rfc3339(),
                    "capacity": attendees}),
        )
        .await?
        .expect(&[201], "create a session")?;
    let id = field(&session, "id")?;
    for m in w.members.iter().take(attendees) {
        let sign_up = api
            .post(
                &format!("/sessions/{id}/sign-ups"),
                &w.coordinator_token,
                None,
                &json!({"member": m.id}),
            )
            .await?
            .expect(&[201], "sign a member up")?;
        if sign_up["status"] != "confirmed" {
            return Err(format!("a sign-up did not get a place: {sign_up}"));
        }
    }
    Ok((id, starts))
}

/// Every member of the world gives consent to the evaluation (recorded by
/// the manager, eight at a time), so the dashboards have participants.
pub async fn give_consent(api: &Api, w: &World) -> Result<usize, String> {
    let wording = api
        .send(
            reqwest::Method::GET,
            "/evaluation/consent-wording",
            None,
            None,
            None,
        )
        .await?
        .expect(&[200], "the consent wording")?;
    let version = field(&wording, "version")?;
    for chunk in w.members.chunks(8) {
        let mut tasks = Vec::new();
        for m in chunk {
            let (api, token, path) = (
                api.clone(),
                w.manager_token.clone(),
                format!("/members/{}/evaluation-consent", m.id),
            );
            let body = json!({"wording_version": version});
            tasks.push(tokio::spawn(async move {
                api.post(&path, &token, None, &body)
                    .await?
                    .expect(&[201], "give consent")
                    .map(|_| ())
            }));
        }
        for t in tasks {
            t.await.map_err(|e| e.to_string())??;
        }
    }
    Ok(w.members.len())
}

/// One GET of a page, which must answer 200 and contain every one of
/// `wanted`; returns the body.
pub async fn fetch(url: &str, cookie: &str, wanted: &[&str]) -> Result<String, String> {
    let response = reqwest::Client::new()
        .get(url)
        .header("Cookie", cookie)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("GET {url}: HTTP {status}"));
    }
    if let Some(missing) = wanted.iter().find(|w| !body.contains(**w)) {
        return Err(format!("GET {url}: the page lacks {missing:?}"));
    }
    Ok(body)
}
