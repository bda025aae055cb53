//! Retry policy as plain data, and decorrelated-jitter back-off.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::time::Duration;

/// Exponential back-off parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BackoffConfig {
    /// First delay (lower bound of every jittered delay).
    pub init_backoff: Duration,
    /// Upper bound of any single delay.
    pub max_backoff: Duration,
    /// Growth factor: each delay is drawn from `[init, previous × base]`.
    pub base: f64,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        BackoffConfig {
            init_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            base: 3.0,
        }
    }
}

/// When and how often the client retries.
///
/// Retried: 429 (always; the request was not processed), 5xx and timeouts (only for
/// operations that are safe to repeat), connection failures before the request was sent
/// (always). Never retried: other 4xx, decode failures, LWA auth errors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryConfig {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Back-off between attempts.
    pub backoff: BackoffConfig,
    /// Total deadline for all attempts of one call, measured from the first send. Every
    /// wait before a retry counts against it: the back-off *and* the wait for rate-limit
    /// capacity. A retry that could not go out before the deadline is not started; the
    /// call fails with the last error (a 429 carries the limiter's wait as `retry_after`).
    ///
    /// **Floor:** for an operation whose published interval is long, the deadline is at
    /// least one interval at the throttle floor plus `max_backoff` (see
    /// [`RetryConfig::deadline_for`]), so a throttled `searchOrders` (one call per ~3
    /// minutes) still gets its retry instead of failing at once.
    pub retry_timeout: Duration,
    /// Per-attempt timeout (`None`: no timeout beyond the transport's own).
    pub attempt_timeout: Option<Duration>,
    /// Longest the client waits for rate-limit capacity before a send; `None` waits as long
    /// as the published limits require (so a long paging run never triggers a 429).
    pub max_rate_limit_wait: Option<Duration>,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_retries: 5,
            backoff: BackoffConfig::default(),
            retry_timeout: Duration::from_secs(300),
            attempt_timeout: Some(Duration::from_secs(60)),
            max_rate_limit_wait: None,
        }
    }
}

impl RetryConfig {
    /// The deadline for one call of an operation published at `limit`:
    /// `max(retry_timeout, 1 / (rate × THROTTLE_FLOOR) + max_backoff)`.
    ///
    /// After a 429 the client's bucket for the operation runs at no less than
    /// [`THROTTLE_FLOOR`](crate::THROTTLE_FLOOR) of its rate, so the wait for
    /// the next capacity is at most one interval at that rate: the floor lets one retry
    /// through, and bounds how long repeated 429s can hold a call.
    ///
    /// ```
    /// use spapi_client::{RateLimit, RetryConfig};
    /// use std::time::Duration;
    /// let cfg = RetryConfig::default(); // 300 s, max back-off 60 s
    /// // getOrders (1 call/min): the configured 300 s apply.
    /// assert_eq!(cfg.deadline_for(RateLimit::new(0.0167, 20)), Duration::from_secs(300));
    /// // searchOrders (1 call per ~3 min): 357 s at the floor rate + 60 s.
    /// assert_eq!(cfg.deadline_for(RateLimit::new(0.0056, 20)).as_secs(), 417);
    /// ```
    pub fn deadline_for(&self, limit: crate::RateLimit) -> Duration {
        let floor_rate = limit.rate * crate::rate_limit::THROTTLE_FLOOR;
        let floor = if floor_rate.is_finite() && floor_rate > 0.0 {
            Duration::from_secs_f64((1.0 / floor_rate).min(1.0e9)) + self.backoff.max_backoff
        } else {
            Duration::ZERO
        };
        self.retry_timeout.max(floor)
    }

    /// No retries at all.
    pub fn disabled() -> Self {
        RetryConfig {
            max_retries: 0,
            ..Self::default()
        }
    }
}

/// Decorrelated jitter: `next = min(max, uniform(init, prev × base))`.
#[derive(Debug)]
pub struct Backoff {
    config: BackoffConfig,
    prev: f64,
    rng: SmallRng,
}

impl Backoff {
    /// A fresh back-off sequence seeded from the OS.
    pub fn new(config: BackoffConfig) -> Self {
        Self::with_rng(config, SmallRng::from_entropy())
    }

    /// A reproducible sequence.
    pub fn seeded(config: BackoffConfig, seed: u64) -> Self {
        Self::with_rng(config, SmallRng::seed_from_u64(seed))
    }

    fn with_rng(config: BackoffConfig, rng: SmallRng) -> Self {
        Backoff {
            config,
            prev: config.init_backoff.as_secs_f64(),
            rng,
        }
    }

    /// The next delay.
    pub fn next_delay(&mut self) -> Duration {
        let init = self.config.init_backoff.as_secs_f64();
        let max = self.config.max_backoff.as_secs_f64().max(init);
        let hi = (self.prev * self.config.base.max(1.0)).max(init);
        let d = if hi > init {
            self.rng.gen_range(init..=hi)
        } else {
            init
        };
        let d = d.min(max);
        self.prev = d;
        Duration::from_secs_f64(d.max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn delays_stay_within_bounds(seed in any::<u64>(), n in 1usize..50) {
            let cfg = BackoffConfig::default();
            let mut b = Backoff::seeded(cfg, seed);
            let mut prev = cfg.init_backoff;
            for _ in 0..n {
                let d = b.next_delay();
                prop_assert!(d >= cfg.init_backoff);
                prop_assert!(d <= cfg.max_backoff);
                prop_assert!(d.as_secs_f64() <= prev.as_secs_f64() * cfg.base + 1e-9);
                prev = d;
            }
        }
    }
}
