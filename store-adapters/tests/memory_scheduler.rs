//! The scheduler under paused tokio time: intervals, no self-overlap, accounts in
//! parallel, graceful shutdown and safe abandonment.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use order_mapping::Mapper;
use order_sync_core::amazon::{
    AmazonSide, Include, OrderPage, OrderQuery, PageToken, ShipmentConfirmation,
};
use order_sync_core::clock::{Clock, TokioClock};
use order_sync_core::config::{AccountConfig, Schedule};
use order_sync_core::engine::{Account, Engine};
use order_sync_core::error::AmazonError;
use order_sync_core::fake::FakeAmazon;
use order_sync_core::fixtures::sample_order;
use order_sync_core::ids::{AccountId, AmazonOrderId};
use order_sync_core::model::Order;
use order_sync_core::report::{NoopNotifier, RunOutcome};
use order_sync_core::scheduler::Scheduler;
use order_sync_core::shutdown::Shutdown;
use order_sync_core::state::{JobKind, SyncState};
use store_adapters::memory::{MemoryState, MemoryStore};
use time::Duration;
use time::macros::datetime;

/// Shared record of how many listings are in flight, per account and overall.
#[derive(Default)]
struct Gauge {
    inner: Mutex<GaugeInner>,
}

#[derive(Default)]
struct GaugeInner {
    now: HashMap<String, u32>,
    max: HashMap<String, u32>,
    total_now: u32,
    total_max: u32,
    calls: HashMap<String, u32>,
}

/// An Amazon side whose listing takes `delay` of (tokio) time, or hangs when `hang` is set.
struct SlowAmazon {
    name: String,
    inner: FakeAmazon,
    delay: StdDuration,
    gauge: Arc<Gauge>,
    hang: Arc<AtomicBool>,
}

#[async_trait]
impl AmazonSide for SlowAmazon {
    async fn list_orders(
        &self,
        q: &OrderQuery,
        p: Option<&PageToken>,
    ) -> Result<OrderPage, AmazonError> {
        {
            let mut g = self.gauge.inner.lock().unwrap();
            *g.calls.entry(self.name.clone()).or_default() += 1;
            let n = g.now.entry(self.name.clone()).or_default();
            *n += 1;
            let n = *n;
            let m = g.max.entry(self.name.clone()).or_default();
            *m = (*m).max(n);
            g.total_now += 1;
            g.total_max = g.total_max.max(g.total_now);
        }
        if self.hang.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(self.delay).await;
        let out = self.inner.list_orders(q, p).await;
        let mut g = self.gauge.inner.lock().unwrap();
        *g.now.entry(self.name.clone()).or_default() -= 1;
        g.total_now -= 1;
        out
    }
    async fn get_order(
        &self,
        id: &AmazonOrderId,
        i: Include,
    ) -> Result<Option<Order>, AmazonError> {
        self.inner.get_order(id, i).await
    }
    async fn confirm_shipment(&self, c: &ShipmentConfirmation) -> Result<(), AmazonError> {
        self.inner.confirm_shipment(c).await
    }
}

struct Setup {
    engine: Arc<Engine>,
    state: Arc<MemoryState>,
    store: Arc<MemoryStore>,
    accounts: Vec<Account>,
    gauge: Arc<Gauge>,
    hang: Arc<AtomicBool>,
}

fn setup(n_accounts: usize, delay: StdDuration) -> Setup {
    let start = datetime!(2026-06-02 0:00 UTC);
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::new(start));
    let state = Arc::new(MemoryState::new());
    let store = Arc::new(MemoryStore::new());
    let engine = Arc::new(
        Engine::builder(state.clone())
            .store(store.clone())
            .clock(clock.clone())
            .notifier(Arc::new(NoopNotifier))
            .build()
            .unwrap(),
    );
    let gauge = Arc::new(Gauge::default());
    let hang = Arc::new(AtomicBool::new(false));
    let accounts = (0..n_accounts)
        .map(|i| {
            let fake = FakeAmazon::new(clock.clone());
            for k in 0..3 {
                fake.put_order(sample_order(
                    &format!("{i}00-{k:07}-0000001"),
                    start - Duration::hours(6) + Duration::minutes(k),
                ));
            }
            let mut cfg = AccountConfig::new(format!("acct-{i}"), start - Duration::days(1));
            cfg.schedule = Schedule {
                import: Some(StdDuration::from_secs(60)),
                reconcile: None,
                shipments: None,
                redaction: None,
            };
            let amazon = SlowAmazon {
                name: format!("acct-{i}"),
                inner: fake,
                delay,
                gauge: gauge.clone(),
                hang: hang.clone(),
            };
            Account::new(cfg, Arc::new(amazon), Arc::new(Mapper::default()))
        })
        .collect();
    Setup {
        engine,
        state,
        store,
        accounts,
        gauge,
        hang,
    }
}

fn scheduler(s: &Setup) -> Scheduler {
    let mut sched = Scheduler::new(s.engine.clone());
    for a in &s.accounts {
        sched.add_account(a.clone());
    }
    sched
}

#[tokio::test(start_paused = true)]
async fn jobs_never_overlap_themselves_and_accounts_run_concurrently() {
    // Each listing takes 150 s against a 60 s interval: runs must queue, not stack.
    let s = setup(2, StdDuration::from_secs(150));
    let (trigger, shutdown) = Shutdown::new();
    let handle = tokio::spawn(scheduler(&s).run(shutdown, StdDuration::from_secs(600)));
    tokio::time::sleep(StdDuration::from_secs(20 * 60)).await;
    trigger.trigger();
    let summary = handle.await.unwrap();
    assert_eq!(summary.abandoned, 0);

    let g = s.gauge.inner.lock().unwrap();
    for name in ["acct-0", "acct-1"] {
        assert_eq!(g.max[name], 1, "{name} overlapped itself");
        // 20 minutes / 150 s per run = 8 runs, the last one cut short by shutdown.
        assert_eq!(g.calls[name], 8, "{name}: {:?}", g.calls);
    }
    assert_eq!(g.total_max, 2, "the two accounts ran side by side");
    for a in &s.accounts {
        let tally = summary.runs[&(a.id().clone(), JobKind::ImportOrders)];
        assert_eq!(tally.completed, 7, "{tally:?}");
        assert_eq!(tally.total(), 8, "{tally:?}");
    }
    assert_eq!(s.store.len(), 6);
}

#[tokio::test(start_paused = true)]
async fn runs_follow_the_interval() {
    let s = setup(1, StdDuration::from_secs(1));
    let (trigger, shutdown) = Shutdown::new();
    let handle = tokio::spawn(scheduler(&s).run(shutdown, StdDuration::from_secs(60)));
    // Runs at t = 0, 60, ..., 600 s: eleven runs in 10.5 minutes.
    tokio::time::sleep(StdDuration::from_secs(630)).await;
    trigger.trigger();
    let summary = handle.await.unwrap();
    let tally = summary.runs[&(AccountId::new("acct-0"), JobKind::ImportOrders)];
    assert_eq!(tally.completed, 11, "{tally:?}");
    let runs = s
        .state
        .recent_runs(&AccountId::new("acct-0"), None, 100)
        .await
        .unwrap();
    assert_eq!(runs.len(), 11);
    let starts: Vec<_> = runs.iter().rev().map(|r| r.started_at).collect();
    for pair in starts.windows(2) {
        assert_eq!(pair[1] - pair[0], Duration::seconds(60));
    }
}

#[tokio::test(start_paused = true)]
async fn shutdown_lets_the_run_in_flight_finish_its_page() {
    let s = setup(1, StdDuration::from_secs(100));
    let (trigger, shutdown) = Shutdown::new();
    let handle = tokio::spawn(scheduler(&s).run(shutdown, StdDuration::from_secs(600)));
    // Shut down while the first listing is in flight.
    tokio::time::sleep(StdDuration::from_secs(30)).await;
    trigger.trigger();
    let summary = handle.await.unwrap();
    assert_eq!(summary.abandoned, 0, "the run in flight was waited for");
    let acct = AccountId::new("acct-0");
    let tally = summary.runs[&(acct.clone(), JobKind::ImportOrders)];
    assert_eq!((tally.total(), tally.cancelled), (1, 1));
    // The page it had fetched was imported and committed; the cursor did not move, so
    // the next start lists the window again (idempotently).
    assert_eq!(
        s.store.len(),
        3,
        "the page in hand was imported and committed"
    );
    assert_eq!(s.state.id_map_len(&acct), 3);
    let cursor = s.state.cursor(&acct, JobKind::ImportOrders).await.unwrap();
    assert!(cursor.is_none(), "the window was not finished");
    let runs = s.state.recent_runs(&acct, None, 10).await.unwrap();
    assert_eq!(runs[0].outcome, RunOutcome::Cancelled);

    let again = s
        .engine
        .run(&s.accounts[0], JobKind::ImportOrders, &Shutdown::never())
        .await;
    assert_eq!((again.counts.created, again.counts.unchanged), (0, 3));
    assert_eq!(s.store.writes(), 3, "nothing written twice");
    let cursor = s.state.cursor(&acct, JobKind::ImportOrders).await.unwrap();
    assert!(cursor.is_some());
}

#[tokio::test(start_paused = true)]
async fn runs_still_hanging_after_the_grace_period_are_abandoned_safely() {
    let s = setup(2, StdDuration::from_secs(1));
    s.hang.store(true, Ordering::SeqCst);
    let (trigger, shutdown) = Shutdown::new();
    let handle = tokio::spawn(scheduler(&s).run(shutdown, StdDuration::from_secs(30)));
    tokio::time::sleep(StdDuration::from_secs(10)).await;
    trigger.trigger();
    let stopped_at = tokio::time::Instant::now();
    let summary = handle.await.unwrap();
    assert_eq!(summary.abandoned, 2);
    assert_eq!(
        tokio::time::Instant::now() - stopped_at,
        StdDuration::from_secs(30)
    );
    assert!(s.store.is_empty());
    // Nothing half-done: a fresh start imports everything exactly once.
    s.hang.store(false, Ordering::SeqCst);
    for a in &s.accounts {
        let r = s
            .engine
            .run(a, JobKind::ImportOrders, &Shutdown::never())
            .await;
        assert_eq!(r.counts.created, 3);
    }
    assert_eq!(s.store.len(), 6);
}

#[tokio::test(start_paused = true)]
async fn an_on_demand_run_waits_for_the_scheduled_one() {
    let s = setup(1, StdDuration::from_secs(100));
    let engine = s.engine.clone();
    let account = s.accounts[0].clone();
    let first = tokio::spawn({
        let (engine, account) = (engine.clone(), account.clone());
        async move {
            engine
                .run(&account, JobKind::ImportOrders, &Shutdown::never())
                .await
        }
    });
    tokio::time::sleep(StdDuration::from_secs(10)).await;
    let never = Shutdown::never();
    assert!(
        engine
            .try_run(&account, JobKind::ImportOrders, &never)
            .await
            .is_none(),
        "try_run must refuse while the job runs"
    );
    let second = engine.run(&account, JobKind::ImportOrders, &never).await;
    let first = first.await.unwrap();
    assert!(
        second.started_at >= first.finished_at,
        "the second run overlapped the first"
    );
    assert_eq!(s.gauge.inner.lock().unwrap().max["acct-0"], 1);
}
