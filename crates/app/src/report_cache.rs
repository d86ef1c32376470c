//! Computed reports kept for a short while, so that a dashboard opened by
//! many people at once, or reloaded, is computed once and not per view.
//!
//! A report over a large programme reads every contribution (seconds of
//! work); its figures are totals for funders, not a balance someone acts
//! on. So a computed report is served again for up to `max_age` from when
//! its computation began, and says when that was. Why this and not
//! invalidation on every write: a busy programme records several
//! contributions a second, which would leave nothing to reuse.
//!
//! **Refreshed ahead.** A request that finds a kept value past half its
//! `max_age` is served that value at once and starts one computation of
//! its replacement in the background. So a report viewed at least once
//! per half `max_age` is never waited for, and no one is ever served
//! figures older than `max_age`: a value past it is not served, and the
//! request computes (and waits) as the first one did.
//!
//! What must not wait for `max_age` is dropped at once by `forget`: the
//! app calls it when a member's consent or a programme's evaluation
//! settings change, so a withdrawal leaves this instance's reports at once
//! (other instances within `max_age`; see docs/scaling.md).
//!
//! Concurrent requests for the same key share one computation: the first
//! computes while the others wait for its result, so an expired report
//! under load is computed once, not once per waiting viewer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

// Tokio's clock, which is the system's except in tests that pause it.
use tokio::time::Instant;

struct Entry<V> {
    value: V,
    /// When the computation of `value` began: its figures are as of then.
    born: Instant,
}

/// One key's value; its lock is held while a request computes the value,
/// but not while a refresh does (readers are served the kept value then).
struct Slot<V> {
    kept: tokio::sync::Mutex<Option<Entry<V>>>,
    refreshing: AtomicBool,
}

impl<V> Default for Slot<V> {
    fn default() -> Self {
        Self {
            kept: tokio::sync::Mutex::new(None),
            refreshing: AtomicBool::new(false),
        }
    }
}

pub(crate) struct ReportCache<K, V> {
    max_age: Duration,
    capacity: usize,
    /// Few keys (one per programme, report and filter in use), so a list
    /// searched in order is enough; oldest first.
    slots: Mutex<Vec<(K, Arc<Slot<V>>)>>,
}

impl<K: PartialEq + Clone, V: Clone + Send + 'static> ReportCache<K, V> {
    /// `max_age` zero keeps nothing: every request computes.
    pub fn new(max_age: Duration, capacity: usize) -> Self {
        Self {
            max_age,
            capacity: capacity.max(1),
            slots: Mutex::new(Vec::new()),
        }
    }

    /// The value for `key`: the kept one if younger than `max_age` (past
    /// half of it, a replacement is computed in the background by
    /// `compute`), else what `compute` returns, kept if it succeeded. A
    /// value says itself when it was computed, for those who read it.
    ///
    /// `compute` is owned and `'static` because it may run on a task of
    /// its own, after this request has been answered.
    pub async fn get_or_compute<E, F, Fut>(&self, key: &K, compute: F) -> Result<V, E>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<V, E>> + Send + 'static,
        E: std::fmt::Display + Send + 'static,
    {
        if self.max_age.is_zero() {
            return compute().await;
        }
        let slot = self.slot(key);
        let mut held = slot.kept.lock().await;
        if let Some(entry) = held.as_ref() {
            let age = entry.born.elapsed();
            if age < self.max_age {
                if age >= self.max_age / 2 && !slot.refreshing.swap(true, Ordering::AcqRel) {
                    refresh_in_background(Arc::clone(&slot), compute);
                }
                return Ok(entry.value.clone());
            }
        }
        let born = Instant::now();
        let value = compute().await?;
        *held = Some(Entry {
            value: value.clone(),
            born,
        });
        Ok(value)
    }

    /// Drops every kept value whose key `matches`. A computation already
    /// under way for such a key, a request's or a refresh, finishes into a
    /// slot no one finds again.
    pub fn forget(&self, matches: impl Fn(&K) -> bool) {
        self.lock().retain(|(k, _)| !matches(k));
    }

    fn slot(&self, key: &K) -> Arc<Slot<V>> {
        let mut slots = self.lock();
        if let Some((_, slot)) = slots.iter().find(|(k, _)| k == key) {
            return Arc::clone(slot);
        }
        if slots.len() >= self.capacity {
            slots.remove(0);
        }
        let slot: Arc<Slot<V>> = Arc::default();
        slots.push((key.clone(), Arc::clone(&slot)));
        slot
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(K, Arc<Slot<V>>)>> {
        // A panic while the list was held cannot leave it half-changed
        // (each change is one Vec call), so a poisoned lock is still sound.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Computes `slot`'s replacement on a task of its own and keeps it, unless
/// a request has meanwhile kept a younger one. A failure keeps the old
/// value (it ages out at `max_age` as if no refresh had been tried).
fn refresh_in_background<V, E, F, Fut>(slot: Arc<Slot<V>>, compute: F)
where
    V: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Result<V, E>> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    /// Lets the next request start a refresh again, however this one ends
    /// (a panic in `compute` included).
    struct Done<V>(Arc<Slot<V>>);
    impl<V> Drop for Done<V> {
        fn drop(&mut self) {
            self.0.refreshing.store(false, Ordering::Release);
        }
    }
    tokio::spawn(async move {
        let done = Done(slot);
        let slot = &done.0;
        let born = Instant::now();
        match compute().await {
            Ok(value) => {
                let mut held = slot.kept.lock().await;
                if held.as_ref().is_none_or(|kept| kept.born < born) {
                    *held = Some(Entry { value, born });
                }
            }
            Err(e) => tracing::warn!(error = %e, "refreshing a kept report failed"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    type Runs = Arc<AtomicU32>;

    /// The value is how many computations there have been, this one included.
    async fn counted(cache: &ReportCache<u32, u32>, key: u32, runs: &Runs) -> Result<u32, String> {
        let runs = Arc::clone(runs);
        cache
            .get_or_compute(&key, || async move {
                Ok(runs.fetch_add(1, Ordering::SeqCst) + 1)
            })
            .await
    }

    fn runs_from(from: u32) -> Runs {
        Arc::new(AtomicU32::new(from))
    }

    /// A computation that takes `secs` and adds `step` to the count of runs.
    fn slow_counted(
        runs: &Runs,
        secs: u64,
        step: u32,
    ) -> impl FnOnce() -> std::pin::Pin<Box<dyn Future<Output = Result<u32, String>> + Send>>
    + Send
    + use<> {
        let runs = Arc::clone(runs);
        move || {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_secs(secs)).await;
                Ok(runs.fetch_add(step, Ordering::SeqCst) + step)
            })
        }
    }

    #[tokio::test]
    async fn a_fresh_value_is_served_again_and_forget_drops_it() {
        let cache = ReportCache::new(Duration::from_secs(60), 8);
        let runs = runs_from(0);
        let first = counted(&cache, 1, &runs).await.unwrap();
        let again = counted(&cache, 1, &runs).await.unwrap();
        assert_eq!((first, again), (1, 1), "computed once, then kept");
        assert_eq!(counted(&cache, 2, &runs).await.unwrap(), 2);
        cache.forget(|k| *k == 1);
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 3);
        assert_eq!(counted(&cache, 2, &runs).await.unwrap(), 2);
    }

    #[tokio::test]
    async fn zero_max_age_always_computes_and_errors_are_not_kept() {
        let cache = ReportCache::new(Duration::ZERO, 8);
        let runs = runs_from(0);
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 1);
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 2);

        let cache = ReportCache::new(Duration::from_secs(60), 8);
        let failed: Result<u32, String> = cache
            .get_or_compute(&1, || async { Err("store down".to_owned()) })
            .await;
        assert_eq!(failed.unwrap_err(), "store down");
        let runs = runs_from(10);
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 11);
    }

    #[tokio::test]
    async fn an_old_value_is_computed_again() {
        let cache = ReportCache::new(Duration::from_millis(20), 8);
        let runs = runs_from(0);
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 1);
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 2);
    }

    #[tokio::test]
    async fn the_oldest_key_makes_room_beyond_capacity() {
        let cache = ReportCache::new(Duration::from_secs(60), 2);
        let runs = runs_from(0);
        for key in [1, 2, 3] {
            counted(&cache, key, &runs).await.unwrap();
        }
        assert_eq!(counted(&cache, 3, &runs).await.unwrap(), 3);
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 4);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_requests_share_one_computation() {
        let cache = Arc::new(ReportCache::new(Duration::from_secs(60), 8));
        let runs = runs_from(0);
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (cache, runs) = (Arc::clone(&cache), Arc::clone(&runs));
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_compute(&1, move || async move {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok::<_, String>(runs.fetch_add(1, Ordering::SeqCst) + 1)
                    })
                    .await
                    .unwrap()
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), 1);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn past_half_its_age_a_value_is_served_and_replaced_behind_it() {
        let cache = ReportCache::new(Duration::from_secs(60), 8);
        let runs = runs_from(0);
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 1);
        tokio::time::advance(Duration::from_secs(29)).await;
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 1);
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            1,
            "under half its age: no refresh"
        );

        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(
            counted(&cache, 1, &runs).await.unwrap(),
            1,
            "past half its age the kept value is served at once"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            2,
            "and its replacement computed"
        );
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 2);
        tokio::time::advance(Duration::from_secs(29)).await;
        assert_eq!(
            counted(&cache, 1, &runs).await.unwrap(),
            2,
            "the new value's age counts"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn one_refresh_at_a_time_and_a_failed_one_keeps_the_old_value() {
        let cache = Arc::new(ReportCache::new(Duration::from_secs(60), 8));
        let runs = runs_from(0);
        let slow = |runs: &Runs| slow_counted(runs, 20, 1);
        // Computed from 0 s to 20 s: its figures are as of 0 s.
        assert_eq!(cache.get_or_compute(&1, slow(&runs)).await.unwrap(), 1);
        tokio::time::advance(Duration::from_secs(15)).await;
        for _ in 0..5 {
            assert_eq!(cache.get_or_compute(&1, slow(&runs)).await.unwrap(), 1);
        }
        // Sleeping lets the paused clock run the refresh to its end.
        tokio::time::sleep(Duration::from_secs(25)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 2, "five requests, one refresh");

        let failing = || async { Err::<u32, _>("store down".to_owned()) };
        assert_eq!(cache.get_or_compute(&1, failing).await.unwrap(), 2);
        tokio::time::advance(Duration::from_secs(20)).await;
        // Past half its age: served, and a refresh that fails is tried.
        assert_eq!(cache.get_or_compute(&1, failing).await.unwrap(), 2);
        tokio::time::sleep(Duration::from_secs(1)).await;
        // At 61 s of age the old value is not served: the request computes.
        tokio::time::advance(Duration::from_secs(20)).await;
        assert_eq!(cache.get_or_compute(&1, slow(&runs)).await.unwrap(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_refresh_under_way_when_forgotten_is_never_served() {
        let cache = ReportCache::new(Duration::from_secs(60), 8);
        let runs = runs_from(0);
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 1);
        tokio::time::advance(Duration::from_secs(31)).await;
        let refresh = slow_counted(&runs, 5, 100);
        assert_eq!(cache.get_or_compute(&1, refresh).await.unwrap(), 1);
        cache.forget(|k| *k == 1);
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 2);
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            102,
            "the refresh ran to its end"
        );
        assert_eq!(
            counted(&cache, 1, &runs).await.unwrap(),
            2,
            "into a forgotten slot"
        );
    }
}
