//! Injected wall time. Sync logic asks a [`Clock`]; only [`SystemClock`] reads the OS.

use std::fmt;
use std::sync::Mutex;

use time::OffsetDateTime;

/// A source of wall-clock time (UTC).
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time, UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that only moves when told to. For tests and simulations.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<OffsetDateTime>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: OffsetDateTime) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock to `to`.
    pub fn set(&self, to: OffsetDateTime) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: time::Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Wall time that follows tokio's clock from a fixed starting point: `start` plus the
/// tokio time elapsed since creation. Under `tokio::time::pause()` it advances exactly as
/// the test advances tokio time, so the scheduler and the jobs see one consistent clock.
#[derive(Debug)]
pub struct TokioClock {
    start: OffsetDateTime,
    anchor: tokio::time::Instant,
}

impl TokioClock {
    /// A clock reading `start` now. Must be created inside a tokio runtime when time is
    /// paused, so the anchor is taken from the paused clock.
    pub fn new(start: OffsetDateTime) -> Self {
        Self {
            start,
            anchor: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> OffsetDateTime {
        let elapsed = tokio::time::Instant::now().saturating_duration_since(self.anchor);
        self.start + elapsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(datetime!(2026-01-01 0:00 UTC));
        assert_eq!(c.now(), datetime!(2026-01-01 0:00 UTC));
        c.advance(time::Duration::hours(2));
        assert_eq!(c.now(), datetime!(2026-01-01 2:00 UTC));
        c.set(datetime!(2027-01-01 0:00 UTC));
        assert_eq!(c.now(), datetime!(2027-01-01 0:00 UTC));
    }

    #[tokio::test(start_paused = true)]
    async fn tokio_clock_follows_paused_time() {
        let c = TokioClock::new(datetime!(2026-01-01 0:00 UTC));
        tokio::time::advance(std::time::Duration::from_secs(90)).await;
        assert_eq!(c.now(), datetime!(2026-01-01 0:01:30 UTC));
    }
}
