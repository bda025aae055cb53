//! Fault injection: which calls fail, and how, decided deterministically from the seed.
//!
//! A [`FaultSpec`] is written as rules separated by `;`. A rule is an optional operation
//! name and `:`, then `kind=rate` pairs separated by `,`. Rates are fractions (`0.1`) or
//! per cent (`10%`). Kinds: `429`, `500`, `503`, `slow`, `timeout`, `drop`, `truncate`,
//! `malformed`, `commit_drop`, `commit_500`. Two settings tune the delays: `slow_ms=…` (default 1500) and
//! `timeout_ms=…` (default 60000), real milliseconds. A rule without an operation is
//! global; an operation's own rule overrides the global rate of the kinds it names.
//!
//! `429`, `500`, `503` and `drop` strike before the operation runs: nothing is written.
//! `commit_drop` and `commit_500` strike after it ran: a write (`confirmShipment`,
//! `createFeed`, MWS `SubmitFeed`, …) is applied, then the connection is closed without an
//! answer (`commit_drop`) or the answer is replaced by `500` (`commit_500`), so the client
//! cannot tell whether Amazon applied it. On a read they look like `drop` and `500`.
//!
//! ```
//! use amazon_sandbox::{FaultKind, FaultSpec};
//! let spec: FaultSpec = "429=5%,500=0.01;getOrders:503=0.2,drop=0.05;slow_ms=200".parse().unwrap();
//! assert_eq!(spec.rate("getOrders", FaultKind::ServiceUnavailable), 0.2);
//! assert_eq!(spec.rate("getOrders", FaultKind::Throttle), 0.05);
//! assert_eq!(spec.rate("getOrder", FaultKind::Drop), 0.0);
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// One kind of injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FaultKind {
    /// `429 QuotaExceeded`, as if the bucket were empty.
    Throttle,
    /// `500 InternalFailure`.
    InternalError,
    /// `503 ServiceUnavailable`.
    ServiceUnavailable,
    /// The normal answer, after a delay (`slow_ms`).
    Slow,
    /// No answer for `timeout_ms`, then the normal answer.
    Timeout,
    /// The connection is closed without a response.
    Drop,
    /// The normal status and headers with the body cut in half.
    Truncate,
    /// The normal status with a body that is not valid JSON.
    Malformed,
    /// The operation runs (a write is applied), then the connection is closed without a
    /// response.
    CommitDrop,
    /// The operation runs (a write is applied), then `500 InternalFailure` is answered.
    Commit500,
}

impl FaultKind {
    /// Every kind, in the order a decision walks them.
    pub const ALL: [FaultKind; 10] = [
        FaultKind::Throttle,
        FaultKind::InternalError,
        FaultKind::ServiceUnavailable,
        FaultKind::Slow,
        FaultKind::Timeout,
        FaultKind::Drop,
        FaultKind::Truncate,
        FaultKind::Malformed,
        FaultKind::CommitDrop,
        FaultKind::Commit500,
    ];

    /// The name used in a spec (`429`, `slow`, …).
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Throttle => "429",
            FaultKind::InternalError => "500",
            FaultKind::ServiceUnavailable => "503",
            FaultKind::Slow => "slow",
            FaultKind::Timeout => "timeout",
            FaultKind::Drop => "drop",
            FaultKind::Truncate => "truncate",
            FaultKind::Malformed => "malformed",
            FaultKind::CommitDrop => "commit_drop",
            FaultKind::Commit500 => "commit_500",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "429" | "throttle" => FaultKind::Throttle,
            "500" | "internal" => FaultKind::InternalError,
            "503" | "unavailable" => FaultKind::ServiceUnavailable,
            "slow" => FaultKind::Slow,
            "timeout" => FaultKind::Timeout,
            "drop" | "reset" => FaultKind::Drop,
            "truncate" | "truncated" => FaultKind::Truncate,
            "malformed" => FaultKind::Malformed,
            "commit_drop" => FaultKind::CommitDrop,
            "commit_500" => FaultKind::Commit500,
            _ => return None,
        })
    }
}

/// Fault rates, global and per operation, plus the delays used by `slow` and `timeout`.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec {
    /// Rates applying to every operation (kind → probability).
    pub global: BTreeMap<FaultKind, f64>,
    /// Per-operation rates (operation name → kind → probability), overriding `global`.
    pub per_operation: BTreeMap<String, BTreeMap<FaultKind, f64>>,
    /// Delay of a `slow` response (real time).
    pub slow_delay: Duration,
    /// How long a `timeout` keeps the client waiting (real time).
    pub timeout_delay: Duration,
}

impl Default for FaultSpec {
    fn default() -> Self {
        Self {
            global: BTreeMap::new(),
            per_operation: BTreeMap::new(),
            slow_delay: Duration::from_millis(1500),
            timeout_delay: Duration::from_secs(60),
        }
    }
}

/// A fault spec that could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("invalid fault spec {spec:?}: {reason}")]
pub struct FaultSpecError {
    spec: String,
    reason: String,
}

impl FaultSpec {
    /// No faults at all.
    pub fn none() -> Self {
        Self::default()
    }

    /// The probability of `kind` for `operation`.
    pub fn rate(&self, operation: &str, kind: FaultKind) -> f64 {
        self.per_operation
            .get(operation)
            .and_then(|m| m.get(&kind))
            .or_else(|| self.global.get(&kind))
            .copied()
            .unwrap_or(0.0)
    }

    /// Whether any rate is non-zero.
    pub fn is_empty(&self) -> bool {
        self.global
            .values()
            .chain(self.per_operation.values().flat_map(|m| m.values()))
            .all(|r| *r <= 0.0)
    }

    /// Picks the fault (if any) for draw `u` in `[0, 1)`.
    pub(crate) fn pick(&self, operation: &str, u: f64) -> Option<FaultKind> {
        let mut acc = 0.0;
        for kind in FaultKind::ALL {
            acc += self.rate(operation, kind);
            if u < acc {
                return Some(kind);
            }
        }
        None
    }

    fn check_sums(&self, spec: &str) -> Result<(), FaultSpecError> {
        let mut ops: Vec<&str> = self.per_operation.keys().map(String::as_str).collect();
        ops.push("");
        for op in ops {
            let sum: f64 = FaultKind::ALL.iter().map(|k| self.rate(op, *k)).sum();
            if sum > 1.0 + 1e-9 {
                return Err(FaultSpecError {
                    spec: spec.into(),
                    reason: format!(
                        "rates for {} add up to {sum} > 1",
                        if op.is_empty() { "all operations" } else { op }
                    ),
                });
            }
        }
        Ok(())
    }
}

impl FromStr for FaultSpec {
    type Err = FaultSpecError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| FaultSpecError {
            spec: spec.into(),
            reason,
        };
        let mut out = FaultSpec::default();
        for rule in spec.split(';').map(str::trim).filter(|r| !r.is_empty()) {
            let (op, pairs) = match rule.split_once(':') {
                Some((op, rest)) if !op.contains('=') => (Some(op.trim().to_owned()), rest),
                _ => (None, rule),
            };
            for pair in pairs.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (k, v) = pair
                    .split_once('=')
                    .ok_or_else(|| err(format!("{pair:?} is not kind=rate")))?;
                let (k, v) = (k.trim(), v.trim());
                if k == "slow_ms" || k == "timeout_ms" {
                    let ms: u64 = v
                        .parse()
                        .map_err(|_| err(format!("{k} must be whole milliseconds")))?;
                    if k == "slow_ms" {
                        out.slow_delay = Duration::from_millis(ms);
                    } else {
                        out.timeout_delay = Duration::from_millis(ms);
                    }
                    continue;
                }
                let kind =
                    FaultKind::parse(k).ok_or_else(|| err(format!("unknown fault kind {k:?}")))?;
                let rate = match v.strip_suffix('%') {
                    Some(p) => p.trim().parse::<f64>().map(|p| p / 100.0),
                    None => v.parse::<f64>(),
                }
                .map_err(|_| err(format!("rate {v:?} is not a number")))?;
                if !(0.0..=1.0).contains(&rate) {
                    return Err(err(format!("rate {v} is outside 0..=1")));
                }
                match &op {
                    Some(op) => {
                        out.per_operation
                            .entry(op.clone())
                            .or_default()
                            .insert(kind, rate);
                    }
                    None => {
                        out.global.insert(kind, rate);
                    }
                }
            }
        }
        out.check_sums(spec)?;
        Ok(out)
    }
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs = |m: &BTreeMap<FaultKind, f64>| {
            m.iter()
                .map(|(k, v)| format!("{}={v}", k.name()))
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut rules = Vec::new();
        if !self.global.is_empty() {
            rules.push(pairs(&self.global));
        }
        for (op, m) in &self.per_operation {
            rules.push(format!("{op}:{}", pairs(m)));
        }
        rules.push(format!(
            "slow_ms={},timeout_ms={}",
            self.slow_delay.as_millis(),
            self.timeout_delay.as_millis()
        ));
        f.write_str(&rules.join(";"))
    }
}

/// SplitMix64: a tiny, well-mixed hash used for per-call deterministic draws.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a string, to key draws by operation name.
pub(crate) fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The deterministic draw in `[0, 1)` for the `n`th call of `operation` under `seed`.
pub(crate) fn draw(seed: u64, operation: &str, n: u64) -> f64 {
    let h = mix(seed ^ mix(fnv(operation)) ^ mix(n.wrapping_mul(0x2545_F491_4F6C_DD1D)));
    (h >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_rejects() {
        let s: FaultSpec = "429=10%;getOrders:500=0.5;timeout_ms=5".parse().unwrap();
        assert_eq!(s.rate("x", FaultKind::Throttle), 0.1);
        assert_eq!(s.rate("getOrders", FaultKind::InternalError), 0.5);
        assert_eq!(s.timeout_delay, Duration::from_millis(5));
        assert!("429=2".parse::<FaultSpec>().is_err());
        assert!("bogus=0.1".parse::<FaultSpec>().is_err());
        assert!("429=0.6,500=0.6".parse::<FaultSpec>().is_err());
        assert!("".parse::<FaultSpec>().unwrap().is_empty());
    }

    proptest! {
        #[test]
        fn display_round_trips(r1 in 0.0f64..0.3, r2 in 0.0f64..0.3, ms in 0u64..100_000) {
            let spec: FaultSpec = format!("429={r1};getOrder:drop={r2},malformed={r1};slow_ms={ms}").parse().unwrap();
            let again: FaultSpec = spec.to_string().parse().unwrap();
            prop_assert_eq!(spec, again);
        }

        #[test]
        fn draws_are_in_unit_interval(seed: u64, n: u64) {
            let u = draw(seed, "getOrders", n);
            prop_assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn commit_kinds_parse_with_the_others() {
        let s: FaultSpec = "confirmShipment:commit_drop=0.2,commit_500=0.1,429=0.1,drop=0.05"
            .parse()
            .unwrap();
        let op = "confirmShipment";
        assert_eq!(s.rate(op, FaultKind::CommitDrop), 0.2);
        assert_eq!(s.rate(op, FaultKind::Commit500), 0.1);
        assert_eq!(s.rate(op, FaultKind::Throttle), 0.1);
        assert_eq!(s.rate(op, FaultKind::Drop), 0.05);
        assert_eq!(s.rate("getOrders", FaultKind::CommitDrop), 0.0);
        let again: FaultSpec = s.to_string().parse().unwrap();
        assert_eq!(s, again);
        assert!(
            "commit_drop=0.6,commit_500=0.5"
                .parse::<FaultSpec>()
                .is_err()
        );
        let hits = |kind| {
            (0..10_000)
                .filter(|n| s.pick(op, draw(3, op, *n)) == Some(kind))
                .count()
        };
        assert!((1800..2200).contains(&hits(FaultKind::CommitDrop)));
        assert!((850..1150).contains(&hits(FaultKind::Commit500)));
    }

    #[test]
    fn draw_frequencies_match_rates() {
        let spec: FaultSpec = "500=0.2".parse().unwrap();
        let hits = (0..10_000)
            .filter(|n| spec.pick("op", draw(7, "op", *n)).is_some())
            .count();
        assert!((1800..2200).contains(&hits), "{hits}");
    }
}
