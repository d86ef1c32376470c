//! The load generator: closed-loop (each client sends its next request when
//! the last one is answered, to find the maximum rate) and open-loop (each
//! request has an intended send time on a fixed schedule, and its latency is
//! measured from that time, so a stalled server cannot hide its tail by
//! slowing the client down: no coordinated omission).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use reqwest::{Client, Method};
use uuid::Uuid;

/// One request to send.
pub struct Req {
    pub method: Method,
    pub url: String,
    pub bearer: Option<Arc<str>>,
    pub key: Option<Uuid>,
    /// A JSON body.
    pub body: Option<String>,
    pub cookie: Option<Arc<str>>,
}

impl Req {
    pub fn get(url: String) -> Self {
        Self {
            method: Method::GET,
            url,
            bearer: None,
            key: None,
            body: None,
            cookie: None,
        }
    }

    pub fn post(url: String) -> Self {
        Self {
            method: Method::POST,
            ..Self::get(url)
        }
    }
}

/// Makes request number `n` (numbers are unique within a run).
pub type Gen = Arc<dyn Fn(u64) -> Req + Send + Sync>;

/// What a run measured. Latencies are in microseconds.
pub struct Stats {
    pub ok: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    pub latency: Histogram<u64>,
    pub bytes: u64,
}

impl Stats {
    fn new() -> Self {
        Self {
            ok: 0,
            errors: 0,
            first_error: None,
            elapsed: Duration::ZERO,
            latency: Histogram::new_with_bounds(1, 120_000_000, 3).expect("valid bounds"),
            bytes: 0,
        }
    }

    fn merge(&mut self, other: &Self) {
        self.ok += other.ok;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error.clone_from(&other.first_error);
        }
        self.bytes += other.bytes;
        self.latency.add(&other.latency).expect("same bounds");
    }

    /// Successful requests per second.
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// A latency quantile in milliseconds.
    pub fn ms(&self, q: f64) -> f64 {
        self.latency.value_at_quantile(q) as f64 / 1000.0
    }

    /// Bytes per successful response.
    pub fn bytes_each(&self) -> u64 {
        self.bytes.checked_div(self.ok).unwrap_or(0)
    }

    /// Fails when any request failed: a benchmark of errors measures nothing.
    pub fn check(&self, what: &str) -> Result<(), String> {
        if self.errors == 0 && self.ok > 0 {
            Ok(())
        } else {
            Err(format!(
                "{what}: {} of {} requests failed; first: {}",
                self.errors,
                self.errors + self.ok,
                self.first_error.as_deref().unwrap_or("(none succeeded)")
            ))
        }
    }
}

/// Sends one request; Ok(bytes) for a 2xx answer.
async fn send(client: &Client, r: Req) -> Result<u64, String> {
    let mut b = client.request(r.method, &r.url);
    if let Some(t) = &r.bearer {
        b = b.bearer_auth(t);
    }
    if let Some(k) = r.key {
        b = b.header("Idempotency-Key", k.to_string());
    }
    if let Some(c) = &r.cookie {
        b = b.header("Cookie", c.as_ref());
    }
    if let Some(body) = r.body {
        b = b.header("Content-Type", "application/json").body(body);
    }
    let response = b.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    if status.is_success() {
        Ok(bytes.len() as u64)
    } else {
        Err(format!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
        ))
    }
}

fn record(stats: &mut Stats, outcome: Result<u64, String>, latency: Duration) {
    match outcome {
        Ok(bytes) => {
            stats.ok += 1;
            stats.bytes += bytes;
            stats
                .latency
                .saturating_record(latency.as_micros().max(1) as u64);
        }
        Err(e) => {
            stats.errors += 1;
            if stats.first_error.is_none() {
                stats.first_error = Some(e);
            }
        }
    }
}

/// `clients` clients, each sending as fast as answers come, for `duration`.
pub async fn closed(client: &Client, make: Gen, clients: usize, duration: Duration) -> Stats {
    let total = Arc::new(Mutex::new(Stats::new()));
    let started = Instant::now();
    let end = started + duration;
    let mut tasks = Vec::new();
    for w in 0..clients {
        let (client, make, total) = (client.clone(), make.clone(), total.clone());
        tasks.push(tokio::spawn(async move {
            let mut stats = Stats::new();
            let mut n = w as u64;
            while Instant::now() < end {
                let sent = Instant::now();
                let outcome = send(&client, make(n)).await;
                record(&mut stats, outcome, sent.elapsed());
                n += clients as u64;
            }
            total.lock().expect("not poisoned").merge(&stats);
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let mut stats = std::mem::replace(&mut *total.lock().expect("not poisoned"), Stats::new());
    stats.elapsed = started.elapsed();
    stats
}

/// `clients` connections sharing a fixed schedule of `rate` requests per
/// second for `duration` (request i is due at i / rate), each latency
/// measured from the request's due time. `first` numbers the requests so
/// they do not repeat an earlier run's.
pub async fn open(
    client: &Client,
    make: Gen,
    clients: usize,
    rate: f64,
    duration: Duration,
    first: u64,
) -> Stats {
    let total = Arc::new(Mutex::new(Stats::new()));
    let count = (rate * duration.as_secs_f64()).ceil() as u64;
    let started = tokio::time::Instant::now();
    let mut tasks = Vec::new();
    for w in 0..clients as u64 {
        let (client, make, total) = (client.clone(), make.clone(), total.clone());
        tasks.push(tokio::spawn(async move {
            let mut stats = Stats::new();
            let mut i = w;
            while i < count {
                let due = started + Duration::from_secs_f64(i as f64 / rate);
                tokio::time::sleep_until(due).await;
                let outcome = send(&client, make(first + i)).await;
                record(&mut stats, outcome, due.elapsed());
                i += clients as u64;
            }
            total.lock().expect("not poisoned").merge(&stats);
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let mut stats = std::mem::replace(&mut *total.lock().expect("not poisoned"), Stats::new());
    stats.elapsed = started.elapsed();
    stats
}
