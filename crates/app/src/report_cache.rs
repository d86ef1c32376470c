//! Computed reports kept for a short while, so that a dashboard opened by
//! many people at once, or reloaded, is computed once and not per view.
//!
//! A report over a large programme reads every contribution (seconds of
//! work); its figures are totals for funders, not a balance someone acts
//! on. So a computed report is served again for up to `max_age`, and says
//! when it was computed. Why this and not invalidation on every write: a
//! busy programme records several contributions a second, which would
//! leave nothing to reuse.
//!
//! What must not wait for `max_age` is dropped at once by `forget`: the
//! app calls it when a member's consent or a programme's evaluation
//! settings change, so a withdrawal leaves this instance's reports at once
//! (other instances within `max_age`; see docs/scaling.md).
//!
//! Concurrent requests for the same key share one computation: the first
//! computes while the others wait for its result, so an expired report
//! under load is computed once, not once per waiting viewer.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Entry<V> {
    value: V,
    born: Instant,
}

/// One key's value; its lock is held while the value is computed.
type Slot<V> = Arc<tokio::sync::Mutex<Option<Entry<V>>>>;

pub(crate) struct ReportCache<K, V> {
    max_age: Duration,
    capacity: usize,
    /// Few keys (one per programme, report and filter in use), so a list
    /// searched in order is enough; oldest first.
    slots: Mutex<Vec<(K, Slot<V>)>>,
}

impl<K: PartialEq + Clone, V: Clone> ReportCache<K, V> {
    /// `max_age` zero keeps nothing: every request computes.
    pub fn new(max_age: Duration, capacity: usize) -> Self {
        Self {
            max_age,
            capacity: capacity.max(1),
            slots: Mutex::new(Vec::new()),
        }
    }

    /// The value for `key`: the kept one if younger than `max_age`, else
    /// what `compute` returns (kept if it succeeded). A value says itself
    /// when it was computed, for those who read it.
    pub async fn get_or_compute<E, F, Fut>(&self, key: &K, compute: F) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        if self.max_age.is_zero() {
            return compute().await;
        }
        let slot = self.slot(key);
        let mut held = slot.lock().await;
        if let Some(entry) = held.as_ref()
            && entry.born.elapsed() < self.max_age
        {
            return Ok(entry.value.clone());
        }
        let value = compute().await?;
        *held = Some(Entry {
            value: value.clone(),
            born: Instant::now(),
        });
        Ok(value)
    }

    /// Drops every kept value whose key `matches`. A computation already
    /// under way for such a key finishes into a slot no one finds again.
    pub fn forget(&self, matches: impl Fn(&K) -> bool) {
        self.lock().retain(|(k, _)| !matches(k));
    }

    fn slot(&self, key: &K) -> Slot<V> {
        let mut slots = self.lock();
        if let Some((_, slot)) = slots.iter().find(|(k, _)| k == key) {
            return Arc::clone(slot);
        }
        if slots.len() >= self.capacity {
            slots.remove(0);
        }
        let slot: Slot<V> = Arc::default();
        slots.push((key.clone(), Arc::clone(&slot)));
        slot
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(K, Slot<V>)>> {
        // A panic while the list was held cannot leave it half-changed
        // (each change is one Vec call), so a poisoned lock is still sound.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    async fn counted(cache: &ReportCache<u32, u32>, key: u32, runs: &AtomicU32) -> Result<u32, ()> {
        cache
            .get_or_compute(&key, || async {
                Ok(runs.fetch_add(1, Ordering::SeqCst) + 1)
            })
            .await
    }

    #[tokio::test]
    async fn a_fresh_value_is_served_again_and_forget_drops_it() {
        let cache = ReportCache::new(Duration::from_secs(60), 8);
        let runs = AtomicU32::new(0);
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
        let runs = AtomicU32::new(0);
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 1);
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 2);

        let cache = ReportCache::new(Duration::from_secs(60), 8);
        let failed: Result<u32, &str> = cache
            .get_or_compute(&1, || async { Err("store down") })
            .await;
        assert_eq!(failed.unwrap_err(), "store down");
        let runs = AtomicU32::new(10);
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 11);
    }

    #[tokio::test]
    async fn an_old_value_is_computed_again() {
        let cache = ReportCache::new(Duration::from_millis(20), 8);
        let runs = AtomicU32::new(0);
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 1);
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 2);
    }

    #[tokio::test]
    async fn the_oldest_key_makes_room_beyond_capacity() {
        let cache = ReportCache::new(Duration::from_secs(60), 2);
        let runs = AtomicU32::new(0);
        for key in [1, 2, 3] {
            counted(&cache, key, &runs).await.unwrap();
        }
        assert_eq!(counted(&cache, 3, &runs).await.unwrap(), 3);
        assert_eq!(counted(&cache, 1, &runs).await.unwrap(), 4);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_requests_share_one_computation() {
        let cache = Arc::new(ReportCache::new(Duration::from_secs(60), 8));
        let runs = Arc::new(AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (cache, runs) = (Arc::clone(&cache), Arc::clone(&runs));
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_compute(&1, || async {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok::<_, ()>(runs.fetch_add(1, Ordering::SeqCst) + 1)
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
}
