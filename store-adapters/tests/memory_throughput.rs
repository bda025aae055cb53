//! Engine overhead: import many orders from the fake Amazon side into the memory store,
//! checking the result and printing orders per second (`SYNC_ORDERS` sets the count; run
//! with `--release --nocapture` for a meaningful number; the criterion benches in
//! `benches/` are the speed reference).

use std::sync::Arc;

use order_mapping::Mapper;
use order_sync_core::clock::ManualClock;
use order_sync_core::config::AccountConfig;
use order_sync_core::engine::{Account, Engine};
use order_sync_core::fake::FakeAmazon;
use order_sync_core::fixtures::sample_order;
use order_sync_core::ids::AccountId;
use order_sync_core::report::{NoopNotifier, RunOutcome};
use order_sync_core::shutdown::Shutdown;
use order_sync_core::state::JobKind;
use store_adapters::memory::{MemoryState, MemoryStore};
use time::Duration;
use time::macros::datetime;

#[tokio::test]
async fn imports_many_orders_once_each() {
    let n: usize = std::env::var("SYNC_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let start = datetime!(2026-06-01 0:00 UTC);
    let clock = Arc::new(ManualClock::new(start + Duration::days(2)));
    // Amazon's page size.
    let amazon = FakeAmazon::new(clock.clone()).with_page_size(100);
    for i in 0..n {
        amazon.put_order(sample_order(
            &format!("{:03}-{:07}-0000001", i % 1000, i),
            start + Duration::seconds(i as i64),
        ));
    }
    let store = Arc::new(MemoryStore::new());
    let state = Arc::new(MemoryState::new());
    let engine = Engine::builder(state.clone())
        .store(store.clone())
        .clock(clock)
        .notifier(Arc::new(NoopNotifier))
        .build()
        .unwrap();
    let mut cfg = AccountConfig::new("bulk", start);
    cfg.import.max_window = Duration::days(7);
    let account = Account::new(cfg, Arc::new(amazon), Arc::new(Mapper::default()));

    let t = std::time::Instant::now();
    let r = engine
        .run(&account, JobKind::ImportOrders, &Shutdown::never())
        .await;
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
    assert_eq!(r.counts.created, n as u64);
    assert_eq!(store.len(), n);
    assert_eq!(store.writes(), n as u64);
    assert_eq!(state.id_map_len(&AccountId::new("bulk")), n);
    println!(
        "imported {n} orders in {:.3} s: {:.0} orders/s (fake Amazon, memory store)",
        secs,
        n as f64 / secs
    );
}
