//! End-to-end import benchmark: N orders from the local sandbox through the real SP-API
//! client and the engine into a SQLite file.
//!
//! * **(a) rate limits off:** the sandbox's buckets are off and it reports generous limits,
//!   so the run measures the software alone; reported as orders per second (criterion's
//!   throughput) and printed. Target: at least 5,000 orders/s.
//! * **(b) Amazon's published limits at a time scale:** the sandbox enforces the published
//!   rate and burst on a clock running `K` times faster than real time, and the client
//!   paces itself by the limits the sandbox reports. The simulated duration (sandbox
//!   clock) of the import is printed next to the lower bound those published limits imply
//!   for the API path: for each operation, `(calls − burst) / rate` with the fewest calls
//!   the path needs (one `searchOrders` per 100 orders on v2026; one `getOrders` per 100
//!   orders plus one `getOrderItems` per order on v0), and the largest of them. The
//!   calls actually made and the 429s the sandbox answered are printed too.
//!
//! Both are run through Orders v2026 (`searchOrders`, items inline) and Orders v0
//! (`getOrders` + `getOrderItems` per order), buyer and recipient data included. Each run
//! imports into a fresh SQLite file; the sandbox's orders have finished their life cycles
//! (its clock is moved two days on first), so every run reads the same N orders.
//!
//! Run with `cargo bench -p amzsync-benches --bench engine_import`; `ENGINE_IMPORT_ORDERS`
//! changes N (default 5,000).

use std::sync::Arc;
use std::time::{Duration, Instant};

use amazon_sandbox::{ClockMode, RateLimit, Sandbox, SandboxConfig};
use criterion::{Criterion, SamplingMode, Throughput, criterion_main};
use order_mapping::Mapper;
use order_sync_core::clock::Clock;
use order_sync_core::config::AccountConfig;
use order_sync_core::engine::{Account, Engine};
use order_sync_core::ids::AccountId;
use order_sync_core::report::{NoopNotifier, RunOutcome};
use order_sync_core::shutdown::Shutdown;
use order_sync_core::spapi::{ReadApi, SpApiAmazon};
use order_sync_core::state::JobKind;
use spapi_client::{BackoffConfig, Client, LwaCredentials, RateLimiter, RetryConfig};
use store_adapters::sqlite::SqliteStore;
use time::OffsetDateTime;
use time::macros::datetime;

const START: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);
const ACCOUNT: &str = "bench-seller";
/// Amazon's largest page (both APIs), which the engine uses.
const PAGE_SIZE: u64 = 100;

fn orders() -> usize {
    std::env::var("ENGINE_IMPORT_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000)
}

/// The sandbox's clock, for the engine and the client alike.
#[derive(Debug, Clone)]
struct SandboxClock(Arc<Sandbox>);

impl Clock for SandboxClock {
    fn now(&self) -> OffsetDateTime {
        self.0.now()
    }
}

impl spapi_client::Clock for SandboxClock {
    fn now_utc(&self) -> OffsetDateTime {
        self.0.now()
    }
}

/// The SP-API operations an import uses, by the sandbox's names.
const OPERATIONS: &[&str] = &[
    "searchOrders",
    "orders2026.getOrder",
    "getOrders",
    "getOrder",
    "getOrderItems",
    "createRestrictedDataToken",
];

/// A sandbox whose generated orders have all finished their life cycles (two days on).
async fn sandbox(n: usize, published_limits_at: Option<f64>) -> Arc<Sandbox> {
    let mut config = SandboxConfig::default()
        .seed(5)
        .initial_orders(n)
        .orders_per_hour(0.0)
        .start_time(Some(START))
        // Tokens that outlive a run: at large time scales an hour of token lifetime is
        // under a second of real time, and token refreshes are not what this measures.
        .token_lifetime(Duration::from_secs(30 * 86_400));
    config = match published_limits_at {
        Some(k) => config.clock(ClockMode::Scaled).time_scale(k),
        None => {
            let mut c = config.clock(ClockMode::Manual).rate_limits(false);
            // Reported in x-amzn-RateLimit-Limit, which the client adopts.
            for op in OPERATIONS {
                c = c.rate_limit_override(
                    *op,
                    RateLimit {
                        rate: 1.0e6,
                        burst: 1_000_000,
                    },
                );
            }
            c
        }
    };
    let sb = Sandbox::start(config).await.expect("sandbox starts");
    sb.advance_clock(Duration::from_secs(2 * 86_400));
    Arc::new(sb)
}

fn client(sb: &Arc<Sandbox>, scale: f64, limits_off: bool) -> Client {
    let creds = sb.credentials();
    let mut limiter = RateLimiter::new();
    if limits_off {
        for op in [
            "searchOrders",
            "getOrder_2026",
            "getOrders",
            "getOrder",
            "getOrderItems",
            "createRestrictedDataToken",
        ] {
            limiter = limiter.override_limit(op, spapi_client::RateLimit::new(1.0e6, 1_000_000));
        }
    }
    // Amazon's timings, divided by the time scale: a 60 s token margin on a one-hour
    // token, 0.5 s to 60 s back-off.
    let scaled = |d: Duration| d.div_f64(scale);
    Client::builder()
        .credentials(LwaCredentials {
            client_id: creds.client_id.clone(),
            client_secret: creds.client_secret.clone().into(),
            refresh_token: creds.refresh_token.clone().into(),
        })
        .endpoint(sb.base_url())
        .lwa_endpoint(sb.lwa_url())
        .clock(SandboxClock(sb.clone()))
        .rate_limiter(limiter)
        .token_refresh_margin(scaled(Duration::from_secs(60)))
        .retry(RetryConfig {
            backoff: BackoffConfig {
                init_backoff: scaled(Duration::from_millis(500)),
                max_backoff: scaled(Duration::from_secs(60)),
                base: 3.0,
            },
            ..RetryConfig::default()
        })
        .build()
        .expect("client builds")
}

/// One import of every order into a fresh SQLite file; returns (real time, simulated
/// time, orders stored).
async fn import_once(
    sb: &Arc<Sandbox>,
    client: &Client,
    read: ReadApi,
) -> (Duration, Duration, u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = SqliteStore::open(dir.path().join("orders.db"))
        .await
        .expect("sqlite opens");
    let clock = Arc::new(SandboxClock(sb.clone()));
    let engine = Engine::builder(Arc::new(db.clone()))
        .store(Arc::new(db.clone()))
        .clock(clock)
        .notifier(Arc::new(NoopNotifier))
        .build()
        .expect("engine builds");
    let creds = sb.credentials();
    let amazon = SpApiAmazon::new(client.clone(), read, creds.marketplace_ids.clone());
    let mut cfg = AccountConfig::new(ACCOUNT, START - time::Duration::days(15));
    cfg.import.fba = true;
    cfg.import.max_window = time::Duration::days(30);
    let account = Account::new(cfg, Arc::new(amazon), Arc::new(Mapper::default()));

    let (real0, sim0) = (Instant::now(), sb.now());
    let r = engine
        .run(&account, JobKind::ImportOrders, &Shutdown::never())
        .await;
    let (real, sim) = (real0.elapsed(), sb.now() - sim0);
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
    let stored = db
        .count_orders(&AccountId::new(ACCOUNT))
        .await
        .expect("count");
    db.close().await;
    (real, sim.unsigned_abs(), stored)
}

/// The fewest calls per operation the path needs for `n` orders.
fn calls_needed(read: ReadApi, n: u64) -> Vec<(&'static str, u64)> {
    let pages = n.div_ceil(PAGE_SIZE).max(1);
    match read {
        ReadApi::V2026 => vec![("searchOrders", pages)],
        _ => vec![("getOrders", pages), ("getOrderItems", n)],
    }
}

/// The lower bound the published limits put on reading `n` orders: per operation
/// `(calls − burst) / rate` (the burst is free, the rest comes at the sustained rate),
/// the operations' buckets refilling side by side.
fn lower_bound(read: ReadApi, n: u64) -> Duration {
    calls_needed(read, n)
        .into_iter()
        .map(|(op, calls)| {
            let l = amazon_sandbox::published_rate_limit(op).expect("published limit");
            let queued = calls.saturating_sub(u64::from(l.burst));
            Duration::from_secs_f64(queued as f64 / l.rate)
        })
        .max()
        .unwrap_or_default()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn limits_off(c: &mut Criterion) {
    let n = orders();
    let rt = runtime();
    let sb = rt.block_on(sandbox(n, None));
    let client = {
        let _guard = rt.enter();
        client(&sb, 1.0, true)
    };
    let mut group = c.benchmark_group("engine_import/limits_off");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(n as u64));
    for (read, name) in [(ReadApi::V2026, "v2026"), (ReadApi::V0, "v0")] {
        let mut runs: Vec<Duration> = Vec::new();
        group.bench_function(format!("{name}/{n}_orders"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (real, _, stored) = rt.block_on(import_once(&sb, &client, read));
                    assert_eq!(stored, n as u64);
                    runs.push(real);
                    total += real;
                }
                total
            });
        });
        runs.sort();
        if let Some(median) = runs.get(runs.len() / 2) {
            println!(
                "engine_import (a) {name}, rate limits off: {n} orders in {:.3} s (median of {}) = {:.0} orders/s end to end (target >= 5000)",
                median.as_secs_f64(),
                runs.len(),
                n as f64 / median.as_secs_f64()
            );
        }
    }
    group.finish();
}

fn published_limits(c: &mut Criterion) {
    let n = orders();
    let mut group = c.benchmark_group("engine_import/published_limits");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(5));
    // Time scales that keep a run short while the paced calls stay far apart in real
    // time (v2026: one searchOrders per 60 ms; v0: one getOrderItems per 1.3 ms, several
    // times what one call costs here), so the limits, not the software, set the pace.
    for (read, name, scale) in [
        (ReadApi::V2026, "v2026", 3_000.0),
        (ReadApi::V0, "v0", 1_500.0),
    ] {
        let bound = lower_bound(read, n as u64);
        let mut sims: Vec<(Duration, Duration)> = Vec::new();
        let mut throttled = 0;
        let mut made = String::new();
        group.bench_function(format!("{name}/{n}_orders/x{scale}"), |b| {
            b.iter_custom(|iters| {
                let rt = runtime();
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    // A fresh sandbox (full buckets, fresh clock) and client for each run.
                    let (real, sim, stored) = rt.block_on(async {
                        let sb = sandbox(n, Some(scale)).await;
                        let client = client(&sb, scale, false);
                        let run = import_once(&sb, &client, read).await;
                        let stats = sb.stats();
                        throttled += stats.values().map(|s| s.throttled).sum::<u64>();
                        made = calls_needed(read, n as u64)
                            .iter()
                            .map(|(op, _)| {
                                let calls = stats.get(*op).map_or(0, |s| s.calls);
                                format!("{calls} {op}")
                            })
                            .collect::<Vec<_>>()
                            .join(", ");
                        run
                    });
                    assert_eq!(stored, n as u64);
                    sims.push((sim, real));
                    total += real;
                }
                total
            });
        });
        sims.sort();
        let calls: Vec<String> = calls_needed(read, n as u64)
            .iter()
            .map(|(op, k)| {
                let l = amazon_sandbox::published_rate_limit(op).expect("published limit");
                format!("{k} {op} at {}/s burst {}", l.rate, l.burst)
            })
            .collect();
        if let (Some((min, _)), Some((median, real))) = (sims.first(), sims.get(sims.len() / 2)) {
            println!(
                "engine_import (b) {name}, published limits at x{scale}: {n} orders in {:.0} s simulated (median of {}, min {:.0} s; {:.2} s real); lower bound {:.0} s ({}); ratio {:.3}; calls made in the last run: {made}; {throttled} calls throttled by the sandbox in all runs",
                median.as_secs_f64(),
                sims.len(),
                min.as_secs_f64(),
                real.as_secs_f64(),
                bound.as_secs_f64(),
                calls.join(", "),
                median.as_secs_f64() / bound.as_secs_f64().max(f64::MIN_POSITIVE)
            );
        }
    }
    group.finish();
}

mod suite {
    //! The criterion group (its generated function carries no docs).
    #![allow(missing_docs, unreachable_pub)]
    criterion::criterion_group!(benches, super::limits_off, super::published_limits);
}

criterion_main!(suite::benches);
