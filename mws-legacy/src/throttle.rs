//! Client-side throttling: one leaky bucket per (seller, bucket), seeded from Amazon's
//! published quota and restore rate, shared by every clone of a client (and by every client
//! given the same [`RateLimiter`]). Uses tokio time, so tests can pause and advance it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::operation::ThrottleRule;

#[derive(Debug)]
struct Bucket {
    capacity: f64,
    tokens: f64,
    restore: Duration,
    updated: Instant,
    blocked_until: Option<Instant>,
}

impl Bucket {
    fn new(rule: &ThrottleRule, now: Instant) -> Self {
        let capacity = f64::from(rule.quota.max(1));
        Self {
            capacity,
            tokens: capacity,
            restore: rule.restore,
            updated: now,
            blocked_until: None,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated);
        if !self.restore.is_zero() {
            self.tokens = (self.tokens + elapsed.as_secs_f64() / self.restore.as_secs_f64())
                .min(self.capacity);
        } else {
            self.tokens = self.capacity;
        }
        self.updated = now;
        if self.blocked_until.is_some_and(|b| b <= now) {
            self.blocked_until = None;
        }
    }

    /// Time until a token is available (zero when one is).
    fn wait(&self, now: Instant) -> Duration {
        if let Some(b) = self.blocked_until {
            if b > now {
                return b - now;
            }
        }
        if self.tokens >= 1.0 {
            Duration::ZERO
        } else {
            self.restore.mul_f64(1.0 - self.tokens)
        }
    }
}

type Key = (String, &'static str);

/// Shared throttling state. Cloning shares the buckets.
#[derive(Debug, Clone, Default)]
pub struct RateLimiter {
    buckets: Arc<Mutex<HashMap<Key, Bucket>>>,
}

impl RateLimiter {
    /// An empty limiter (every bucket starts full).
    pub fn new() -> Self {
        Self::default()
    }

    fn with_bucket<R>(
        &self,
        seller: &str,
        rule: &ThrottleRule,
        f: impl FnOnce(&mut Bucket, Instant) -> R,
    ) -> R {
        let now = Instant::now();
        let mut map = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let bucket = map
            .entry((seller.to_owned(), rule.bucket))
            .or_insert_with(|| Bucket::new(rule, now));
        bucket.refill(now);
        f(bucket, now)
    }

    /// Waits until the bucket has a token, then takes it.
    pub async fn acquire(&self, seller: &str, rule: &ThrottleRule) {
        loop {
            let wait = self.with_bucket(seller, rule, |b, now| {
                let wait = b.wait(now);
                if wait.is_zero() {
                    b.tokens -= 1.0;
                }
                wait
            });
            if wait.is_zero() {
                return;
            }
            tracing::debug!(
                bucket = rule.bucket,
                wait_ms = wait.as_millis() as u64,
                "MWS client-side throttle"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// How long a call charged to `rule` would wait now.
    pub fn wait_time(&self, seller: &str, rule: &ThrottleRule) -> Duration {
        self.with_bucket(seller, rule, |b, now| b.wait(now))
    }

    /// Empties the bucket (MWS answered `RequestThrottled`: our estimate was too generous).
    pub fn drain(&self, seller: &str, rule: &ThrottleRule) {
        self.with_bucket(seller, rule, |b, _| b.tokens = b.tokens.min(0.0));
    }

    /// Blocks the bucket for `duration` (hourly quota exhausted until its reset time).
    pub fn block_for(&self, seller: &str, rule: &ThrottleRule, duration: Duration) {
        self.with_bucket(seller, rule, |b, now| {
            let until = now
                .checked_add(duration)
                .unwrap_or(now + Duration::from_secs(24 * 3600));
            b.blocked_until = Some(b.blocked_until.map_or(until, |old| old.max(until)));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn burst_then_restore_rate() {
        let limiter = RateLimiter::new();
        let rule = ThrottleRule::for_action("ListOrders");
        let start = Instant::now();
        for _ in 0..6 {
            limiter.acquire("S", &rule).await;
        }
        assert_eq!(Instant::now(), start, "the burst of 6 is free");
        assert_eq!(limiter.wait_time("S", &rule), Duration::from_secs(60));
        limiter.acquire("S", &rule).await;
        assert_eq!(Instant::now() - start, Duration::from_secs(60));
        // Other sellers and other buckets are independent.
        assert_eq!(limiter.wait_time("T", &rule), Duration::ZERO);
        assert_eq!(
            limiter.wait_time("S", &ThrottleRule::for_action("GetOrder")),
            Duration::ZERO
        );
        // ByNextToken shares the ListOrders bucket.
        assert!(
            limiter.wait_time("S", &ThrottleRule::for_action("ListOrdersByNextToken"))
                > Duration::ZERO
        );
    }

    #[tokio::test(start_paused = true)]
    async fn drain_and_block() {
        let limiter = RateLimiter::new();
        let rule = ThrottleRule::for_action("ListOrderItems");
        limiter.drain("S", &rule);
        assert_eq!(limiter.wait_time("S", &rule), Duration::from_secs(2));
        limiter.block_for("S", &rule, Duration::from_secs(600));
        assert_eq!(limiter.wait_time("S", &rule), Duration::from_secs(600));
        tokio::time::advance(Duration::from_secs(600)).await;
        assert_eq!(limiter.wait_time("S", &rule), Duration::ZERO);
    }
}
