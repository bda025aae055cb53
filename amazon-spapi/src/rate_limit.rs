//! Client-side rate limiting: one token bucket per (selling partner, application, endpoint,
//! operation), seeded from Amazon's published usage plan and adjusted from responses.
//!
//! * Seed: the operation's published rate (requests per second) and burst.
//! * `x-amzn-RateLimit-Limit` on a response replaces the rate (Amazon's dynamic plans).
//! * A 429 drains the bucket and halves the rate until a header or a run of successes
//!   restores it, but never below [`THROTTLE_FLOOR`] times the rate Amazon last stated (or
//!   the published one): however many 429s come, the next call waits at most two of the
//!   operation's intervals, so repeated throttling cannot starve it without bound.
//! * Callers reserve a token and sleep (tokio time) until it is theirs, so concurrent
//!   callers queue fairly and the grant times never exceed `burst + rate × window`.
//!
//! The [`RateLimiter`] is a cheap handle (`Arc` inside): every clone of a [`Client`]
//! shares it, and several clients can share one by passing it to the builder.
//!
//! [`Client`]: crate::Client

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// A rate (requests per second) and burst (bucket size).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub rate: f64,
    /// Largest number of requests allowed at once.
    pub burst: u32,
}

impl RateLimit {
    /// A rate limit; `rate` is clamped to a small positive minimum, `burst` to at least 1.
    pub fn new(rate: f64, burst: u32) -> Self {
        let rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            MIN_RATE
        };
        RateLimit {
            rate: rate.max(MIN_RATE),
            burst: burst.max(1),
        }
    }
}

const MIN_RATE: f64 = 1.0e-4;

/// The floor of the slow-down after 429s: a bucket's rate never falls below this fraction
/// of the rate Amazon last stated in `x-amzn-RateLimit-Limit` (or of the published rate).
pub const THROTTLE_FLOOR: f64 = 0.5;

/// A token bucket with reservations. Pure: every method takes the current instant.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    /// The rate Amazon told us (header), if any; otherwise the seed's rate.
    target_rate: f64,
    rate: f64,
    burst: f64,
    /// May go negative: outstanding reservations.
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(limit: RateLimit, now: Instant) -> Self {
        let limit = RateLimit::new(limit.rate, limit.burst);
        TokenBucket {
            target_rate: limit.rate,
            rate: limit.rate,
            burst: f64::from(limit.burst),
            tokens: f64::from(limit.burst),
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        if now > self.last {
            let dt = now.duration_since(self.last).as_secs_f64();
            self.tokens = (self.tokens + dt * self.rate).min(self.burst);
            self.last = now;
        }
    }

    /// The current sustained rate.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The bucket size.
    pub fn burst(&self) -> u32 {
        self.burst as u32
    }

    /// How long a call made at `now` would wait, without reserving anything.
    pub fn wait_time(&self, now: Instant) -> Duration {
        let mut probe = self.clone();
        probe.refill(now);
        if probe.tokens >= 1.0 {
            Duration::ZERO
        } else {
            secs((1.0 - probe.tokens) / probe.rate)
        }
    }

    /// Reserves one token. Returns how long the caller must wait before sending, or
    /// `Err(wait)` (reserving nothing) when that wait would exceed `max_wait`.
    pub fn reserve(
        &mut self,
        now: Instant,
        max_wait: Option<Duration>,
    ) -> Result<Duration, Duration> {
        self.refill(now);
        let after = self.tokens - 1.0;
        let wait = if after >= 0.0 {
            Duration::ZERO
        } else {
            secs(-after / self.rate)
        };
        if let Some(max) = max_wait {
            if wait > max {
                return Err(wait);
            }
        }
        self.tokens = after;
        Ok(wait)
    }

    /// Amazon reported the rate it applies (`x-amzn-RateLimit-Limit`).
    pub fn observe_limit(&mut self, now: Instant, rate: f64) {
        if rate.is_finite() && rate > 0.0 {
            self.refill(now);
            self.target_rate = rate.max(MIN_RATE);
            self.rate = self.target_rate;
        }
    }

    /// A call succeeded without a limit header: creep back towards the target rate.
    pub fn observe_success(&mut self, now: Instant) {
        if self.rate < self.target_rate {
            self.refill(now);
            self.rate = (self.rate * 1.25).min(self.target_rate);
        }
    }

    /// Amazon answered 429: drain the bucket and slow down.
    pub fn observe_throttle(&mut self, now: Instant) {
        self.refill(now);
        self.tokens = self.tokens.min(0.0);
        self.rate = (self.rate / 2.0)
            .max(self.target_rate * THROTTLE_FLOOR)
            .max(MIN_RATE);
    }
}

fn secs(s: f64) -> Duration {
    if s.is_finite() && s > 0.0 {
        Duration::from_secs_f64(s.min(1.0e9))
    } else {
        Duration::ZERO
    }
}

/// What a bucket is for: one selling partner authorization, one application, one endpoint,
/// one operation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PartitionKey {
    pub(crate) application: String,
    /// Fingerprint of the refresh token (or grantless scope): identifies the selling
    /// partner authorization without keeping the secret.
    pub(crate) partner: u64,
    pub(crate) endpoint: String,
    pub(crate) operation: String,
}

#[derive(Debug, Default)]
struct Inner {
    buckets: HashMap<PartitionKey, TokenBucket>,
    overrides: HashMap<String, RateLimit>,
}

/// The shared registry of token buckets. Cheap to clone; clones share state.
#[derive(Clone, Debug, Default)]
pub struct RateLimiter {
    inner: Arc<Mutex<Inner>>,
}

impl RateLimiter {
    /// An empty registry (buckets are created on first use from the published limits).
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the published seed of `operation` (its `operationId`, e.g. `getOrders`) for
    /// buckets created after this call. Use it when Amazon granted your app a higher plan,
    /// or in tests.
    pub fn override_limit(self, operation: impl Into<String>, limit: RateLimit) -> Self {
        self.lock().overrides.insert(operation.into(), limit);
        self
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The state is plain numbers: a poisoned lock still holds usable data.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn with_bucket<R>(
        &self,
        key: &PartitionKey,
        seed: RateLimit,
        now: Instant,
        f: impl FnOnce(&mut TokenBucket) -> R,
    ) -> R {
        let mut inner = self.lock();
        let seed = inner
            .overrides
            .get(key.operation.as_str())
            .copied()
            .unwrap_or(seed);
        let bucket = inner
            .buckets
            .entry(key.clone())
            .or_insert_with(|| TokenBucket::new(seed, now));
        f(bucket)
    }

    pub(crate) fn reserve(
        &self,
        key: &PartitionKey,
        seed: RateLimit,
        max_wait: Option<Duration>,
    ) -> Result<Duration, Duration> {
        let now = Instant::now();
        self.with_bucket(key, seed, now, |b| b.reserve(now, max_wait))
    }

    /// How long a call would wait now. A bucket that does not exist yet is full.
    pub(crate) fn wait_time(&self, key: &PartitionKey) -> Duration {
        let now = Instant::now();
        self.lock()
            .buckets
            .get(key)
            .map_or(Duration::ZERO, |b| b.wait_time(now))
    }

    pub(crate) fn observe(
        &self,
        key: &PartitionKey,
        seed: RateLimit,
        status: u16,
        limit_header: Option<f64>,
    ) {
        let now = Instant::now();
        self.with_bucket(key, seed, now, |b| {
            if status == 429 {
                b.observe_throttle(now);
            } else if let Some(rate) = limit_header {
                b.observe_limit(now, rate);
            } else if (200..300).contains(&status) {
                b.observe_success(now);
            }
        });
    }

    /// The current (rate, burst) of an existing bucket, for diagnostics.
    pub(crate) fn current(&self, key: &PartitionKey) -> Option<RateLimit> {
        self.lock().buckets.get(key).map(|b| RateLimit {
            rate: b.rate(),
            burst: b.burst(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn grant_times(limit: RateLimit, arrivals_ms: &[u64]) -> Vec<f64> {
        let base = Instant::now();
        let mut b = TokenBucket::new(limit, base);
        let mut sorted = arrivals_ms.to_vec();
        sorted.sort_unstable();
        sorted
            .iter()
            .map(|&ms| {
                let now = base + Duration::from_millis(ms);
                let wait = b.reserve(now, None).unwrap_or_else(|w| w);
                (now + wait).duration_since(base).as_secs_f64()
            })
            .collect()
    }

    #[test]
    fn burst_then_steady_rate() {
        let t = grant_times(RateLimit::new(0.5, 3), &[0, 0, 0, 0, 0]);
        assert_eq!(&t[..3], &[0.0, 0.0, 0.0]);
        assert!((t[3] - 2.0).abs() < 1e-6, "{t:?}");
        assert!((t[4] - 4.0).abs() < 1e-6, "{t:?}");
    }

    #[test]
    fn max_wait_reserves_nothing() {
        let base = Instant::now();
        let mut b = TokenBucket::new(RateLimit::new(1.0, 1), base);
        assert_eq!(b.reserve(base, Some(Duration::ZERO)), Ok(Duration::ZERO));
        assert!(b.reserve(base, Some(Duration::from_millis(10))).is_err());
        assert_eq!(b.wait_time(base), Duration::from_secs(1));
    }

    #[test]
    fn throttle_drains_and_header_restores() {
        let base = Instant::now();
        let mut b = TokenBucket::new(RateLimit::new(2.0, 10), base);
        b.observe_throttle(base);
        assert_eq!(b.rate(), 1.0);
        assert!(b.wait_time(base) > Duration::ZERO);
        b.observe_limit(base, 5.0);
        assert_eq!(b.rate(), 5.0);
        b.observe_throttle(base);
        for _ in 0..20 {
            b.observe_success(base);
        }
        assert_eq!(b.rate(), 5.0);
    }

    #[test]
    fn repeated_throttles_stop_at_the_floor() {
        let base = Instant::now();
        let mut b = TokenBucket::new(RateLimit::new(0.0056, 20), base);
        for _ in 0..50 {
            b.observe_throttle(base);
        }
        assert!((b.rate() - 0.0056 * THROTTLE_FLOOR).abs() < 1e-12);
        // The next call waits one interval at the floor rate, however many 429s came.
        let wait = b.wait_time(base).as_secs_f64();
        assert!(
            (wait - 1.0 / (0.0056 * THROTTLE_FLOOR)).abs() < 1e-6,
            "{wait}"
        );
    }

    proptest! {
        /// In any window of length T the bucket grants at most burst + rate × T calls, and
        /// over the whole run the average rate never exceeds the limit (after the burst).
        #[test]
        fn never_more_than_burst_in_any_window(
            rate_milli in 10u64..5_000,
            burst in 1u32..30,
            arrivals in proptest::collection::vec(0u64..120_000, 1..200),
        ) {
            let rate = rate_milli as f64 / 1000.0;
            let times = grant_times(RateLimit::new(rate, burst), &arrivals);
            for i in 0..times.len() {
                for j in i..times.len() {
                    let window = times[j] - times[i];
                    let count = (j - i + 1) as f64;
                    prop_assert!(
                        count <= f64::from(burst) + rate * window + 1e-6,
                        "{count} grants in {window}s (rate {rate}, burst {burst})"
                    );
                }
            }
            // Long-run: n grants need at least (n - burst) / rate seconds.
            let n = times.len() as f64;
            let span = times.last().copied().unwrap_or(0.0);
            prop_assert!(n - f64::from(burst) <= rate * span + 1e-6);
        }

        /// wait_time is exactly the wait the next reservation gets.
        #[test]
        fn wait_time_predicts_reserve(
            rate_milli in 10u64..5_000,
            burst in 1u32..10,
            calls in 0usize..20,
            at_ms in 0u64..10_000,
        ) {
            let base = Instant::now();
            let mut b = TokenBucket::new(RateLimit::new(rate_milli as f64 / 1000.0, burst), base);
            for _ in 0..calls {
                let _ = b.reserve(base, None);
            }
            let now = base + Duration::from_millis(at_ms);
            let predicted = b.wait_time(now);
            let got = b.reserve(now, None).unwrap_or_else(|w| w);
            let diff = predicted.as_secs_f64() - got.as_secs_f64();
            prop_assert!(diff.abs() < 1e-6);
        }
    }
}
