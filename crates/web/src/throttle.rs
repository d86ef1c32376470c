//! Limits on signing in, per account and per address, so that nobody can
//! guess a PIN by trying them all. A four-digit PIN has 10,000 values:
//! after five failed tries an account gets one more every three minutes,
//! so guessing takes weeks, and the attempts show in the logs.
//!
//! The counts live in this process's memory. Behind a load balancer each
//! app server counts its own share (see docs/scaling.md).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Tries one account may have in a burst, and how fast they come back.
const ACCOUNT_BURST: u32 = 5;
const ACCOUNT_REFILL: Duration = Duration::from_secs(3 * 60);
/// Tries one network address may have (a shared computer at a library or a
/// community centre signs in many people).
const ADDRESS_BURST: u32 = 30;
const ADDRESS_REFILL: Duration = Duration::from_secs(30);

pub(crate) struct SignInThrottle {
    accounts: Counter<String>,
    addresses: Counter<IpAddr>,
}

/// Failed tries per key: a keyed rate limiter counts them, and a key whose
/// failures ran over is refused until the limiter lets it try again. Only
/// failures count, so people signing in on many devices, or many people
/// behind one address, are not held back by their own successes.
struct Counter<K: Hash + Eq + Clone> {
    failures: DefaultKeyedRateLimiter<K>,
    blocked: Mutex<HashMap<K, Instant>>,
}

impl<K: Hash + Eq + Clone> Counter<K> {
    fn new(burst: u32, refill: Duration) -> Self {
        Self {
            failures: RateLimiter::keyed(quota(burst, refill)),
            blocked: Mutex::new(HashMap::new()),
        }
    }

    fn wait(&self, key: &K) -> Option<Duration> {
        let now = Instant::now();
        let blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        blocked
            .get(key)
            .and_then(|until| until.checked_duration_since(now))
    }

    fn failed(&self, key: &K) {
        if let Err(not_until) = self.failures.check_key(key) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
            blocked.insert(key.clone(), Instant::now() + wait);
        }
    }

    fn forget_idle(&self) {
        self.failures.retain_recent();
        let now = Instant::now();
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        blocked.retain(|_, until| *until > now);
    }
}

impl Default for SignInThrottle {
    fn default() -> Self {
        Self {
            accounts: Counter::new(ACCOUNT_BURST, ACCOUNT_REFILL),
            addresses: Counter::new(ADDRESS_BURST, ADDRESS_REFILL),
        }
    }
}

fn quota(burst: u32, refill: Duration) -> Quota {
    Quota::with_period(refill)
        .expect("a non-zero period")
        .allow_burst(NonZeroU32::new(burst).expect("a non-zero burst"))
}

fn account_key(login: &str) -> String {
    login.trim().to_lowercase()
}

impl SignInThrottle {
    /// Whether `login` from `address` may try now. `Err` holds how long to
    /// wait, in whole minutes (at least one).
    pub(crate) fn check(&self, login: &str, address: Option<IpAddr>) -> Result<(), i64> {
        let wait = [
            self.accounts.wait(&account_key(login)),
            address.and_then(|a| self.addresses.wait(&a)),
        ]
        .into_iter()
        .flatten()
        .max();
        match wait {
            None => Ok(()),
            Some(wait) => {
                tracing::warn!(wait_seconds = wait.as_secs(), "sign-in attempts limited");
                Err(i64::try_from(wait.as_secs().div_ceil(60))
                    .unwrap_or(i64::MAX)
                    .max(1))
            }
        }
    }

    /// Counts a failed try.
    pub(crate) fn failed(&self, login: &str, address: Option<IpAddr>) {
        self.accounts.failed(&account_key(login));
        if let Some(address) = address {
            self.addresses.failed(&address);
        }
    }

    /// Forgets old keys; called now and then so memory stays small.
    pub(crate) fn forget_idle(&self) {
        self.accounts.forget_idle();
        self.addresses.forget_idle();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_limited_after_a_burst_of_failures_and_others_are_not() {
        let throttle = SignInThrottle::default();
        let here = Some("192.0.2.1".parse().expect("ip"));
        // Successes (checks without failures) never count.
        for _ in 0..100 {
            assert!(throttle.check("carol@example.org", here).is_ok());
        }
        for _ in 0..=ACCOUNT_BURST {
            assert!(throttle.check("Alice@Example.org", here).is_ok());
            throttle.failed("Alice@Example.org", here);
        }
        let wait = throttle
            .check("alice@example.org ", here)
            .expect_err("limited, whatever the case or spaces");
        assert!((1..=3).contains(&wait), "{wait} minutes");
        assert!(throttle.check("bob@example.org", here).is_ok());
        throttle.forget_idle();
        assert!(
            throttle.check("alice@example.org", here).is_err(),
            "still blocked"
        );
    }

    #[test]
    fn one_address_is_limited_across_accounts() {
        let throttle = SignInThrottle::default();
        let here = Some("192.0.2.9".parse().expect("ip"));
        for i in 0..=ADDRESS_BURST {
            throttle.failed(&format!("person{i}"), here);
        }
        assert!(throttle.check("someone-new", here).is_err());
        let elsewhere = Some("192.0.2.10".parse().expect("ip"));
        assert!(throttle.check("someone-new", elsewhere).is_ok());
    }
}
