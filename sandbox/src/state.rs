//! The sandbox's state, shared by every request: the sellers' worlds and the clock, and the
//! state of the shared middleware (tokens, rate-limit buckets, fault rules, statistics). It
//! knows no routes and renders nothing.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock};

use time::OffsetDateTime;

use crate::auth::TokenStore;
use crate::clock::Clock;
use crate::config::SandboxConfig;
use crate::faults::{FaultKind, FaultSpec};
use crate::hash::{draw, mix};
use crate::ratelimit::Limiter;
use crate::world::World;

/// Call statistics of one operation.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OperationStats {
    /// Requests received.
    pub calls: u64,
    /// Throttled answers: SP-API `429`s (rate limit or injected) and MWS
    /// `503 RequestThrottled`.
    pub throttled: u64,
    /// Faults injected (any kind).
    pub faults_injected: u64,
    /// Answers per HTTP status (dropped connections count under `0`).
    pub by_status: BTreeMap<u16, u64>,
}

/// An hourly quota window: (sandbox hour since the epoch, calls in it).
type HourWindow = (i64, u32);

/// The state shared by all requests.
pub(crate) struct Shared {
    pub(crate) cfg: SandboxConfig,
    pub(crate) clock: Clock,
    /// One world per seller: (selling partner id, its orders).
    pub(crate) worlds: Vec<(String, Mutex<World>)>,
    /// (refresh token, selling partner id) of every seller.
    pub(crate) refresh_tokens: Vec<(String, String)>,
    pub(crate) tokens: Mutex<TokenStore>,
    pub(crate) limiter: Mutex<Limiter>,
    pub(crate) faults: RwLock<FaultSpec>,
    pub(crate) fault_counters: Mutex<HashMap<&'static str, u64>>,
    pub(crate) stats: Mutex<BTreeMap<&'static str, OperationStats>>,
    /// MWS hourly quotas: (seller, operation) → (sandbox hour, calls in it).
    pub(crate) hourly: Mutex<HashMap<(usize, &'static str), HourWindow>>,
    /// `http://127.0.0.1:PORT`, for URLs the sandbox hands out.
    pub(crate) base_url: String,
    pub(crate) requests: AtomicU64,
}

/// Locks a mutex, recovering the data if a holder panicked.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(
        cfg: SandboxConfig,
        clock: Clock,
        worlds: Vec<(String, World)>,
        base_url: String,
    ) -> Self {
        let seed = cfg.seed;
        let refresh_tokens = (0..worlds.len())
            .map(|i| {
                let c = cfg.credentials.for_seller(i);
                (c.refresh_token, c.selling_partner_id)
            })
            .collect();
        Self {
            limiter: Mutex::new(Limiter::new(cfg.rate_limit_overrides.clone())),
            faults: RwLock::new(cfg.faults.clone()),
            tokens: Mutex::new(TokenStore::new(seed)),
            cfg,
            clock,
            refresh_tokens,
            worlds: worlds
                .into_iter()
                .map(|(s, w)| (s, Mutex::new(w)))
                .collect(),
            fault_counters: Mutex::new(HashMap::new()),
            stats: Mutex::new(BTreeMap::new()),
            hourly: Mutex::new(HashMap::new()),
            base_url,
            requests: AtomicU64::new(0),
        }
    }

    pub(crate) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The index of a seller's world.
    pub(crate) fn seller_index(&self, seller: &str) -> Option<usize> {
        self.worlds.iter().position(|(s, _)| s == seller)
    }

    /// Seller `ix`'s world, caught up to the sandbox clock.
    pub(crate) fn world(&self, ix: usize) -> MutexGuard<'_, World> {
        let now = self.now();
        let ix = ix.min(self.worlds.len().saturating_sub(1));
        let mut w = lock(&self.worlds[ix].1);
        w.catch_up(now);
        w
    }

    pub(crate) fn request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        let a = mix(self.cfg.seed ^ 0x5EED ^ n);
        let b = mix(a);
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48 & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    pub(crate) fn fault_for(&self, op: &'static str) -> Option<FaultKind> {
        let spec = self
            .faults
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if spec.is_empty() {
            return None;
        }
        // Global rules cover the SP-API; the LWA endpoint fails only when named.
        if op == "lwaToken" && !spec.per_operation.contains_key(op) {
            return None;
        }
        let n = {
            let mut c = lock(&self.fault_counters);
            let e = c.entry(op).or_insert(0);
            *e += 1;
            *e - 1
        };
        spec.pick(op, draw(self.cfg.seed, op, n))
    }

    pub(crate) fn record(&self, op: &'static str, status: u16, fault: bool) {
        self.record_full(op, status, fault, status == 429);
    }

    pub(crate) fn record_full(&self, op: &'static str, status: u16, fault: bool, throttled: bool) {
        let mut s = lock(&self.stats);
        let e = s.entry(op).or_default();
        e.calls += 1;
        if throttled {
            e.throttled += 1;
        }
        if fault {
            e.faults_injected += 1;
        }
        *e.by_status.entry(status).or_insert(0) += 1;
    }

    /// Real seconds a sandbox lifetime lasts (what `expires_in` reports).
    pub(crate) fn real_secs(&self, sandbox: std::time::Duration) -> u64 {
        self.clock.to_real(sandbox).as_secs().max(1)
    }
}
