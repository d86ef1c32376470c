//! A thin client of the public JSON API, for setting up worlds and for the
//! checks; the load generator sends its own requests (see `load`).

use reqwest::{Client, Method, StatusCode};
use serde_json::Value;
use uuid::Uuid;

#[derive(Clone)]
pub struct Api {
    pub client: Client,
    pub base: String,
}

/// An answer: status and JSON body (Null when the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// The body, if the status is `want`; otherwise an error naming `what`.
    pub fn expect(self, want: &[u16], what: &str) -> Result<Value, String> {
        if want.contains(&self.status.as_u16()) {
            Ok(self.body)
        } else {
            Err(format!("{what}: HTTP {} {}", self.status, self.text))
        }
    }
}

pub fn field(v: &Value, name: &str) -> Result<String, String> {
    v[name]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no {name} in {v}"))
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            client: http_client(64),
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    pub fn at(&self, base: &str) -> Self {
        Self {
            client: self.client.clone(),
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        key: Option<Uuid>,
        body: Option<&Value>,
    ) -> Result<Answer, String> {
        let mut r = self
            .client
            .request(method, format!("{}/api/v1{path}", self.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(k) = key {
            r = r.header("Idempotency-Key", k.to_string());
        }
        if let Some(b) = body {
            r = r.json(b);
        }
        let response = r.send().await.map_err(|e| format!("{path}: {e}"))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| format!("{path}: {e}"))?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer { status, body, text })
    }

    pub async fn post(
        &self,
        path: &str,
        token: &str,
        key: Option<Uuid>,
        body: &Value,
    ) -> Result<Answer, String> {
        self.send(Method::POST, path, Some(token), key, Some(body))
            .await
    }

    pub async fn get(&self, path: &str, token: &str) -> Result<Answer, String> {
        self.send(Method::GET, path, Some(token), None, None).await
    }

    pub async fn token(&self, login: &str, secret: &str) -> Result<String, String> {
        let body = serde_json::json!({ "login": login, "secret": secret });
        let a = self
            .send(Method::POST, "/tokens", None, None, Some(&body))
            .await?
            .expect(&[201], &format!("token for {login}"))?;
        field(&a, "token")
    }
}

/// A client that keeps up to `idle` connections per host open, so the load
/// does not pay a TCP handshake per request.
pub fn http_client(idle: usize) -> Client {
    Client::builder()
        .pool_max_idle_per_host(idle)
        .tcp_nodelay(true)
        .build()
        .expect("a plain HTTP client builds")
}
