//! Wall-clock time, injectable for tests.
//!
//! Only wall time (used to clamp "before" bounds to two minutes before now) goes through
//! [`Clock`]. Durations — token lifetimes, rate-limit refills, back-off sleeps — use
//! `tokio::time`, so tests control them with `tokio::time::pause()` and `advance()`.

use std::fmt::Debug;
use time::OffsetDateTime;

/// A source of the current UTC time.
pub trait Clock: Send + Sync + Debug {
    /// The current time.
    fn now_utc(&self) -> OffsetDateTime;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_utc(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock stuck at one instant (for tests and reproducible request building).
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub OffsetDateTime);

impl Clock for FixedClock {
    fn now_utc(&self) -> OffsetDateTime {
        self.0
    }
}
