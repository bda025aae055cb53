//! The sandbox's own notion of "now".

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use time::OffsetDateTime;
use tokio::time::Instant;

use crate::config::ClockMode;

/// Sandbox time: `start + manual offset + (real elapsed × K)` (the last term only in
/// [`ClockMode::Scaled`]). Real time is read from tokio, so `tokio::time::pause` also works.
#[derive(Debug)]
pub(crate) struct Clock {
    start: OffsetDateTime,
    real_start: Instant,
    scale: f64,
    mode: ClockMode,
    offset_nanos: AtomicI64,
}

impl Clock {
    pub(crate) fn new(start: OffsetDateTime, scale: f64, mode: ClockMode) -> Self {
        Self {
            start,
            real_start: Instant::now(),
            scale,
            mode,
            offset_nanos: AtomicI64::new(0),
        }
    }

    /// The current sandbox time.
    pub(crate) fn now(&self) -> OffsetDateTime {
        let offset = time::Duration::nanoseconds(self.offset_nanos.load(Ordering::SeqCst));
        let running = match self.mode {
            ClockMode::Manual => time::Duration::ZERO,
            ClockMode::Scaled => {
                let real = self.real_start.elapsed().as_secs_f64() * self.scale;
                time::Duration::checked_seconds_f64(real).unwrap_or(time::Duration::ZERO)
            }
        };
        self.start
            .checked_add(offset)
            .and_then(|t| t.checked_add(running))
            .unwrap_or(self.start)
    }

    /// Moves the clock forward by `by` (sandbox time).
    pub(crate) fn advance(&self, by: Duration) {
        let nanos = i64::try_from(by.as_nanos()).unwrap_or(i64::MAX);
        let _ = self
            .offset_nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                Some(o.saturating_add(nanos))
            });
    }

    /// Converts a sandbox duration into the real duration a client will observe.
    pub(crate) fn to_real(&self, sandbox: Duration) -> Duration {
        match self.mode {
            ClockMode::Manual => sandbox,
            ClockMode::Scaled => sandbox.div_f64(self.scale),
        }
    }

    pub(crate) fn scale(&self) -> f64 {
        self.scale
    }

    pub(crate) fn mode(&self) -> ClockMode {
        self.mode
    }
}

/// Truncates to whole seconds (all wire timestamps have second precision).
pub(crate) fn trunc(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

/// Formats as `2026-01-02T03:04:05Z`.
pub(crate) fn iso(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses an ISO-8601 timestamp as SP-API accepts it: RFC 3339 (`Z` or offset, optional
/// fraction), or a bare date-time / date taken as UTC.
pub(crate) fn parse_iso(s: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t);
    }
    if let Ok(t) = time::PrimitiveDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t.assume_utc());
    }
    if let Ok(d) = time::Date::parse(s, &Iso8601::DEFAULT) {
        return Some(d.midnight().assume_utc());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let start = time::macros::datetime!(2026-03-01 12:00 UTC);
        let c = Clock::new(start, 100.0, ClockMode::Manual);
        assert_eq!(c.now(), start);
        c.advance(Duration::from_secs(90));
        assert_eq!(iso(c.now()), "2026-03-01T12:01:30Z");
    }

    #[test]
    fn parses_common_forms() {
        for s in [
            "2026-03-01T12:00:00Z",
            "2026-03-01T12:00:00.123Z",
            "2026-03-01T13:00:00+01:00",
            "2026-03-01T12:00:00",
            "2026-03-01",
        ] {
            assert!(parse_iso(s).is_some(), "{s}");
        }
        assert!(parse_iso("02/21/2022").is_none());
        assert!(parse_iso("TEST_CASE_400").is_none());
    }
}
