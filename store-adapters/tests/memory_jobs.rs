//! Every engine job against the fake Amazon side and the in-memory store, warehouse and
//! state: duplicates, newer-wins, crashes, FBA, parking, reconcile, shipments, redaction.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use async_trait::async_trait;
use order_mapping::vocab::{FulfillmentChannel, OrderStatus};
use order_mapping::{Mapper, MappingConfig};
use order_sync_core::amazon::{
    AmazonSide, Include, OrderPage, OrderQuery, PageToken, ShipmentConfirmation,
};
use order_sync_core::clock::{Clock, ManualClock};
use order_sync_core::config::AccountConfig;
use order_sync_core::engine::{Account, Engine};
use order_sync_core::error::{AmazonError, ErrorKind, StoreError};
use order_sync_core::fake::{FakeAmazon, FakeOp, StallingStore};
use order_sync_core::fixtures::{sample_order, shipment_for};
use order_sync_core::host::{HostOrder, HostOrderRef, OrderStore, ShipmentResult, UpsertOutcome};
use order_sync_core::ids::{AccountId, AmazonOrderId};
use order_sync_core::model::{HostShipment, Order, PackageItem};
use order_sync_core::outbox::shipment_subject;
use order_sync_core::report::{NoopNotifier, RunOutcome, RunReport};
use order_sync_core::shutdown::Shutdown;
use order_sync_core::state::{JobKind, OutboxKind, OutboxStatus, ParkKind, SyncState};
use store_adapters::memory::{MemoryState, MemoryStore, MemoryWarehouse};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-06-01 0:00 UTC);

struct World {
    clock: Arc<ManualClock>,
    amazon: FakeAmazon,
    store: Arc<MemoryStore>,
    warehouse: Arc<MemoryWarehouse>,
    state: Arc<MemoryState>,
    engine: Engine,
    account: Account,
}

fn acct() -> AccountId {
    AccountId::new("seller-1")
}

fn world_with(config: impl FnOnce(&mut AccountConfig), mapping: MappingConfig) -> World {
    let clock = Arc::new(ManualClock::new(T0 + Duration::days(1)));
    let amazon = FakeAmazon::new(clock.clone());
    let store = Arc::new(MemoryStore::new());
    let warehouse = Arc::new(MemoryWarehouse::new());
    let state = Arc::new(MemoryState::new());
    let mut cfg = AccountConfig::new(acct(), T0);
    config(&mut cfg);
    let engine = Engine::builder(state.clone())
        .store(store.clone())
        .warehouse(warehouse.clone())
        .clock(clock.clone())
        .notifier(Arc::new(NoopNotifier))
        .build()
        .unwrap();
    let account = Account::new(
        cfg,
        Arc::new(amazon.clone()),
        Arc::new(Mapper::new(mapping).unwrap()),
    );
    World {
        clock,
        amazon,
        store,
        warehouse,
        state,
        engine,
        account,
    }
}

fn world() -> World {
    world_with(|_| {}, MappingConfig::default())
}

impl World {
    async fn run(&self, job: JobKind) -> RunReport {
        self.engine
            .run(&self.account, job, &Shutdown::never())
            .await
    }

    /// `n` orders updated 10 minutes apart from T0 + 1 h.
    fn seed(&self, n: usize) -> Vec<Order> {
        (0..n)
            .map(|i| {
                let o = sample_order(
                    &format!("111-{:07}-0000001", i),
                    T0 + Duration::hours(1) + Duration::minutes(10 * i as i64),
                );
                self.amazon.put_order(o.clone());
                o
            })
            .collect()
    }

    async fn cursor(&self) -> Option<OffsetDateTime> {
        self.state
            .cursor(&acct(), JobKind::ImportOrders)
            .await
            .unwrap()
            .map(|c| c.position)
    }
}

#[tokio::test]
async fn import_creates_orders_maps_them_and_moves_the_cursor() {
    let w = world();
    let orders = w.seed(5);
    let r = w.run(JobKind::ImportOrders).await;
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
    assert_eq!((r.counts.fetched, r.counts.created), (5, 5));
    assert_eq!(w.store.len(), 5);
    let held = w.store.order(&acct(), &orders[0].id).unwrap();
    assert_eq!(held.mapped.order_number, format!("AMZ-{}", orders[0].id));
    assert_eq!(held.mapped.status, "New", "the built-in status table");
    let name = &held.mapped.customer;
    assert_eq!(
        format!("{} {}", name.first, name.last).trim(),
        "Ada Lovelace"
    );
    assert_eq!(held.order.totals, orders[0].totals);
    // The cursor is the bound of the window: now - lag (3 min).
    assert_eq!(w.cursor().await, Some(w.clock.now() - Duration::minutes(3)));
    let entry = w
        .state
        .id_map_get(&acct(), &orders[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.host_order_id, w.store.host_id(&acct(), &orders[0].id));
    assert_eq!(entry.last_updated_at, orders[0].last_updated_at);
    // Import goes to the store only by default: nothing reached the warehouse.
    assert!(w.warehouse.is_empty());
    // The first query started at `import_from` and asked for merchant orders only.
    let q = &w.amazon.queries()[0];
    assert_eq!(q.updated_after, T0);
    assert_eq!(q.channels, Some(vec![FulfillmentChannel::Merchant]));
    // The report was stored.
    let runs = w
        .state
        .recent_runs(&acct(), Some(JobKind::ImportOrders), 5)
        .await
        .unwrap();
    assert_eq!(runs, vec![r]);
}

#[tokio::test]
async fn import_windows_end_on_whole_seconds() {
    // Amazon echoes the bound it applied to the second; a window ending mid-second would
    // cost an extra list call per run. Start the run a quarter second past a second.
    let w = world();
    w.seed(3);
    w.clock.advance(Duration::milliseconds(250));
    let r = w.run(JobKind::ImportOrders).await;
    assert_eq!(r.outcome, RunOutcome::Completed);
    assert_eq!(r.counts.created, 3);
    let queries = w.amazon.queries();
    assert!(!queries.is_empty());
    for q in &queries {
        let before = q.updated_before.expect("every import window has an end");
        assert_eq!(
            before.nanosecond(),
            0,
            "window end {before} is not a whole second"
        );
    }
    let cursor = w.cursor().await.expect("the cursor moved");
    assert_eq!(cursor.nanosecond(), 0, "cursor {cursor}");
}

#[tokio::test]
async fn overlapping_windows_and_pages_create_no_duplicates() {
    let mut w = world();
    w.amazon = w.amazon.clone().with_page_size(2);
    w.account.amazon = Arc::new(w.amazon.clone());
    w.seed(7);
    let first = w.run(JobKind::ImportOrders).await;
    assert_eq!(first.counts.created, 7);
    // Orders changed inside the overlap window are listed again on the next run.
    let late = sample_order("111-9999999-0000001", w.clock.now() - Duration::minutes(5));
    w.amazon.put_order(late);
    w.clock.advance(Duration::minutes(1));
    let second = w.run(JobKind::ImportOrders).await;
    assert_eq!(second.outcome, RunOutcome::Completed);
    let q = w.amazon.queries().last().cloned().unwrap();
    assert_eq!(
        q.updated_after,
        first.finished_at - Duration::minutes(3) - Duration::minutes(10),
        "the second window starts one overlap before the cursor"
    );
    assert_eq!(second.counts.created, 1);
    // Run again and again, each run re-listing the overlap: still one host order per
    // Amazon id, and nothing written twice.
    for _ in 0..3 {
        w.clock.advance(Duration::minutes(1));
        let r = w.run(JobKind::ImportOrders).await;
        assert_eq!((r.counts.created, r.counts.updated), (0, 0), "{r:?}");
    }
    assert_eq!(w.store.len(), 8);
    assert_eq!(w.store.writes(), 8, "no order was written twice");
    assert_eq!(w.state.id_map_len(&acct()), 8);
}

#[tokio::test]
async fn an_older_update_never_overwrites_a_newer_one() {
    let w = world();
    let id = AmazonOrderId::new("111-0000001-0000002");
    let now = w.clock.now();
    // Both versions fall inside the next run's overlap window.
    let t2 = now - Duration::minutes(5);
    let t1 = now - Duration::minutes(8);
    let mut newer = sample_order(id.as_str(), t2);
    newer.status = OrderStatus::Canceled;
    w.amazon.put_order(newer);
    w.run(JobKind::ImportOrders).await;
    assert_eq!(
        w.store.order(&acct(), &id).unwrap().mapped.status,
        "Cancelled"
    );

    // Amazon (a lagging replica, a replayed page) now serves an older version.
    w.amazon.put_order(sample_order(id.as_str(), t1));
    w.clock.advance(Duration::minutes(1));
    let imp = w.run(JobKind::ImportOrders).await;
    assert_eq!(imp.outcome, RunOutcome::Completed);
    assert_eq!(imp.counts.fetched, 1, "the overlap re-listed it: {imp:?}");
    assert_eq!((imp.counts.updated, imp.counts.created), (0, 0), "{imp:?}");
    let rec = w.run(JobKind::Reconcile).await;
    assert_eq!(rec.outcome, RunOutcome::Completed);
    assert_eq!(rec.counts.updated, 0, "{rec:?}");
    let held = w.store.order(&acct(), &id).unwrap();
    assert_eq!(held.order.last_updated_at, t2);
    assert_eq!(held.mapped.status, "Cancelled");
    let entry = w.state.id_map_get(&acct(), &id).await.unwrap().unwrap();
    assert_eq!(entry.last_updated_at, t2);
    assert_eq!(entry.status, OrderStatus::Canceled);

    // And a newer one does update.
    let mut newest = sample_order(id.as_str(), now - Duration::minutes(1));
    newest.status = OrderStatus::Shipped;
    w.amazon.put_order(newest);
    w.clock.advance(Duration::minutes(5));
    let r = w.run(JobKind::ImportOrders).await;
    assert_eq!(r.counts.updated, 1, "{r:?}");
    assert_eq!(
        w.store.order(&acct(), &id).unwrap().mapped.status,
        "Shipped"
    );
}

#[tokio::test(start_paused = true)]
async fn a_crash_between_host_write_and_cursor_commit_loses_and_doubles_nothing() {
    for budget in [0, 1, 2, 3, 4, 5, 6, 9] {
        let w = world();
        let amazon = w.amazon.clone().with_page_size(3);
        let orders = w.seed(10);
        let stalling = Arc::new(StallingStore::new(w.store.clone(), budget));
        let crashing = Engine::builder(w.state.clone())
            .store(stalling)
            .clock(w.clock.clone())
            .notifier(Arc::new(NoopNotifier))
            .build()
            .unwrap();
        let mut account = w.account.clone();
        account.amazon = Arc::new(amazon.clone());
        let never = Shutdown::never();
        let run = crashing.run(&account, JobKind::ImportOrders, &never);
        let crashed = tokio::time::timeout(std::time::Duration::from_secs(30), run).await;
        assert!(crashed.is_err(), "the run must hang at write {budget}");
        drop(crashing);
        assert_eq!(w.store.len(), budget, "host holds what it accepted");
        assert_eq!(
            w.cursor().await,
            None,
            "cursor must not move past unaccepted orders"
        );

        // Restart with a healthy host.
        let r = w
            .engine
            .run(&account, JobKind::ImportOrders, &Shutdown::never())
            .await;
        assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
        assert_eq!(w.store.len(), 10, "nothing lost (budget {budget})");
        assert_eq!(
            w.store.writes(),
            10,
            "nothing written twice (budget {budget})"
        );
        for o in &orders {
            let e = w.state.id_map_get(&acct(), &o.id).await.unwrap().unwrap();
            assert_eq!(e.host_order_id, w.store.host_id(&acct(), &o.id));
        }
        assert!(w.cursor().await.is_some());
    }
}

#[tokio::test]
async fn a_host_outage_fails_the_run_without_moving_the_cursor() {
    let w = world();
    w.seed(3);
    w.store.set_unavailable(true);
    let r = w.run(JobKind::ImportOrders).await;
    assert_eq!(r.outcome, RunOutcome::Failed);
    assert!(r.errors[0].contains("unavailable"), "{r:?}");
    assert_eq!(w.cursor().await, None);
    assert!(
        w.state.parked(&acct()).await.unwrap().is_empty(),
        "an outage parks nothing"
    );
    w.store.set_unavailable(false);
    let r = w.run(JobKind::ImportOrders).await;
    assert_eq!((r.outcome, r.counts.created), (RunOutcome::Completed, 3));
}

#[tokio::test]
async fn an_amazon_failure_fails_the_run_and_the_next_run_catches_up() {
    let w = world();
    w.seed(3);
    w.amazon
        .fail_next(FakeOp::List, AmazonError::new(ErrorKind::Server, "503"), 1);
    let r = w.run(JobKind::ImportOrders).await;
    assert_eq!(r.outcome, RunOutcome::Failed);
    assert_eq!(w.cursor().await, None);
    let r = w.run(JobKind::ImportOrders).await;
    assert_eq!(r.counts.created, 3);
}

#[tokio::test]
async fn fba_orders_follow_the_switch_and_never_reach_the_warehouse() {
    let mut fba = sample_order("222-0000001-0000001", T0 + Duration::hours(2));
    fba.channel = FulfillmentChannel::Amazon;
    fba.status = OrderStatus::Shipped;
    let mfn = sample_order("222-0000002-0000001", T0 + Duration::hours(2));

    // Switch off (default): FBA orders are neither asked for nor imported.
    let off = world_with(
        |c| c.import.targets.warehouse = true,
        MappingConfig::default(),
    );
    off.amazon.put_order(fba.clone());
    off.amazon.put_order(mfn.clone());
    let r = off.run(JobKind::ImportOrders).await;
    assert_eq!(r.counts.created, 1);
    assert!(off.store.order(&acct(), &fba.id).is_none());
    assert!(off.warehouse.request(&acct(), &fba.id).is_none());
    assert!(off.warehouse.request(&acct(), &mfn.id).is_some());

    // Switch on: imported with the placeholder name, no address, its own status.
    let on = world_with(
        |c| {
            c.import.fba = true;
            c.import.targets.warehouse = true;
        },
        MappingConfig::default(),
    );
    on.amazon.put_order(fba.clone());
    on.amazon.put_order(mfn.clone());
    let r = on.run(JobKind::ImportOrders).await;
    assert_eq!(r.counts.created, 2, "{r:?}");
    assert_eq!(on.amazon.queries()[0].channels, None);
    let held = on.store.order(&acct(), &fba.id).unwrap();
    assert_eq!(
        held.order.buyer.as_ref().unwrap().name.as_deref(),
        Some("FBA Orders")
    );
    assert_eq!(held.order.buyer.as_ref().unwrap().email, None);
    assert!(held.order.recipient.is_none(), "no address for FBA orders");
    let name = &held.mapped.customer;
    assert_eq!(format!("{} {}", name.first, name.last).trim(), "FBA Orders");
    assert_eq!(
        held.mapped.status,
        on.account
            .mapper
            .host_order_status(&FulfillmentChannel::Amazon, &OrderStatus::Shipped)
    );
    assert!(
        on.warehouse.request(&acct(), &fba.id).is_none(),
        "FBA never goes to the warehouse"
    );
    let req = on.warehouse.request(&acct(), &mfn.id).unwrap();
    assert_eq!(req.service, "Standard");
    assert_eq!(r.counts.sent_to_warehouse, 1);
}

#[tokio::test]
async fn rejected_and_unmappable_orders_are_parked_with_reasons_and_retried() {
    let mapping = MappingConfig::from_toml_str(
        r#"
        [sku]
        passthrough_unmapped = false
        pairs = [{ host = "RED", amazon = "SKU-RED" }, { host = "BLUE", amazon = "SKU-BLUE" }]
        "#,
    )
    .unwrap();
    let w = world_with(|_| {}, mapping);
    let orders = w.seed(4);
    let mut odd = sample_order("333-0000001-0000001", T0 + Duration::hours(3));
    odd.lines[1].sku = Some("SKU-GREEN".into());
    w.amazon.put_order(odd.clone());
    w.store
        .reject_orders([&orders[1].id], "customer group missing");

    let r = w.run(JobKind::ImportOrders).await;
    assert_eq!(r.outcome, RunOutcome::Completed);
    assert_eq!((r.counts.created, r.counts.parked), (3, 2));
    assert_eq!(r.errors.len(), 2, "{r:?}");
    assert!(
        w.cursor().await.is_some(),
        "parked orders do not hold the cursor back"
    );
    let parked = w.state.parked(&acct()).await.unwrap();
    let by_id = |id: &AmazonOrderId| {
        parked
            .iter()
            .find(|p| &p.amazon_order_id == id)
            .unwrap()
            .clone()
    };
    let host = by_id(&orders[1].id);
    assert_eq!(host.kind, ParkKind::Host);
    assert!(host.reason.contains("customer group missing"), "{host:?}");
    let map = by_id(&odd.id);
    assert_eq!(map.kind, ParkKind::Mapping);
    assert!(map.reason.contains("SKU-GREEN"), "{map:?}");
    let sku = &w.store.order(&acct(), &orders[0].id).unwrap().order.lines[0].sku;
    assert_eq!(sku.as_deref(), Some("RED"), "SKUs are mapped to the host's");

    // Next run (nothing new on Amazon): parked orders are fetched again and retried.
    w.clock.advance(Duration::minutes(30));
    let r = w.run(JobKind::ImportOrders).await;
    assert_eq!(r.counts.parked, 2);
    let again = w.state.parked(&acct()).await.unwrap();
    assert!(again.iter().all(|p| p.attempts == 2), "{again:?}");
    assert_eq!(
        again
            .iter()
            .find(|p| p.amazon_order_id == orders[1].id)
            .unwrap()
            .first_parked_at,
        host.first_parked_at
    );

    // The host is fixed: the order is imported and leaves the parked list.
    w.store.accept_all();
    w.clock.advance(Duration::minutes(30));
    let r = w.run(JobKind::ImportOrders).await;
    assert_eq!(
        (r.counts.created, r.counts.unparked, r.counts.parked),
        (1, 1, 1)
    );
    let left = w.state.parked(&acct()).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].amazon_order_id, odd.id);
    assert!(w.store.order(&acct(), &orders[1].id).is_some());
}

#[tokio::test]
async fn reconcile_imports_what_the_host_lacks_and_counts_it() {
    let w = world();
    let orders = w.seed(6);
    w.run(JobKind::ImportOrders).await;
    assert!(w.store.forget(&acct(), &orders[2].id));
    assert!(w.store.forget(&acct(), &orders[4].id));
    // One more that the import never saw (e.g. it became visible late, past the overlap).
    let hidden = sample_order("444-0000001-0000001", T0 + Duration::hours(4));
    w.amazon.put_order(hidden.clone());
    w.clock.advance(Duration::hours(1));
    let r = w.run(JobKind::Reconcile).await;
    assert_eq!(r.outcome, RunOutcome::Completed);
    assert_eq!(r.counts.missing_found, 3, "{r:?}");
    assert_eq!(w.store.len(), 7);
    assert!(w.store.order(&acct(), &hidden.id).is_some());
    // Reconcile is a side window: it never moves the import cursor.
    assert_eq!(
        w.cursor().await,
        Some(T0 + Duration::days(1) - Duration::minutes(3))
    );
    let again = w.run(JobKind::Reconcile).await;
    assert_eq!(again.counts.missing_found, 0);
    assert_eq!(again.counts.unchanged, 7);
}

#[tokio::test]
async fn a_bounded_reconcile_imports_only_its_window_and_leaves_the_cursor() {
    // Orders at T0 + 1 h + 0, 10, ..., 50 min; the window is [+10 min, +30 min).
    let from = T0 + Duration::hours(1) + Duration::minutes(10);
    let to = T0 + Duration::hours(1) + Duration::minutes(30);
    let mut w = world();
    w.account.config.reconcile.window = to - from;
    w.account.config.reconcile.until = Some(to);
    let orders = w.seed(6);

    // A never-imported account: only the orders updated inside the window arrive.
    let r = w.run(JobKind::Reconcile).await;
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
    assert_eq!(r.counts.missing_found, 2, "{r:?}");
    assert_eq!(w.store.len(), 2);
    for (i, o) in orders.iter().enumerate() {
        let inside = o.last_updated_at >= from && o.last_updated_at < to;
        assert_eq!(w.store.order(&acct(), &o.id).is_some(), inside, "order {i}");
    }
    let q = w.amazon.queries().last().cloned().unwrap();
    assert_eq!((q.updated_after, q.updated_before), (from, Some(to)));
    // No cursor: the first import still starts at `import_from` and misses nothing.
    assert_eq!(w.cursor().await, None);
    let r = w.run(JobKind::ImportOrders).await;
    assert_eq!((r.counts.created, r.counts.unchanged), (4, 2), "{r:?}");
    assert_eq!(w.store.len(), 6);
    let cursor = w.cursor().await;
    assert_eq!(cursor, Some(w.clock.now() - Duration::minutes(3)));

    // An imported account: lost orders inside the window come back, one after it does not,
    // and the cursor stays where the import left it.
    assert!(w.store.forget(&acct(), &orders[2].id));
    assert!(w.store.forget(&acct(), &orders[4].id));
    w.clock.advance(Duration::hours(1));
    let r = w.run(JobKind::Reconcile).await;
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
    assert_eq!(
        (r.counts.missing_found, r.counts.unchanged),
        (1, 1),
        "{r:?}"
    );
    assert!(w.store.order(&acct(), &orders[2].id).is_some());
    assert!(w.store.order(&acct(), &orders[4].id).is_none());
    assert_eq!(w.cursor().await, cursor);

    // An end later than Amazon allows is clamped to now - lag, not refused.
    w.account.config.reconcile.until = Some(w.clock.now() + Duration::days(1));
    w.account.config.reconcile.window = Duration::days(3);
    let r = w.run(JobKind::Reconcile).await;
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
    let q = w.amazon.queries().last().cloned().unwrap();
    assert_eq!(q.updated_before, Some(w.clock.now() - Duration::minutes(3)));
    assert_eq!(r.counts.missing_found, 1, "{r:?}");
    assert_eq!(w.store.len(), 6);
}

async fn imported_world() -> (World, Order) {
    let w = world();
    let order = sample_order("555-0000001-0000001", T0 + Duration::hours(1));
    w.amazon.put_order(order.clone());
    w.run(JobKind::ImportOrders).await;
    (w, order)
}

#[tokio::test]
async fn shipments_are_confirmed_per_package_once() {
    let (w, order) = imported_world().await;
    // A partial shipment: each line in its own package.
    let mut p1 = shipment_for(&order, "1", w.clock.now() - Duration::hours(1));
    p1.items = vec![PackageItem {
        item_id: order.lines[0].item_id.clone(),
        quantity: 2,
    }];
    let mut p2 = shipment_for(&order, "2", w.clock.now() - Duration::hours(1));
    p2.items = vec![PackageItem {
        item_id: order.lines[1].item_id.clone(),
        quantity: 1,
    }];
    p2.carrier = "FedEx".into();
    w.store.ship(&acct(), p1.clone());
    w.store.ship(&acct(), p2.clone());
    let r = w.run(JobKind::ExportShipments).await;
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
    assert_eq!(r.counts.exported, 2);
    let sent = w.amazon.confirmations();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].carrier_code, "UPS");
    assert_eq!(sent[0].shipping_method.as_deref(), Some("Ground"));
    assert_eq!(sent[0].marketplace, order.marketplace);
    assert_eq!(sent[0].items, p1.items);
    assert_eq!(sent[1].carrier_code, "FedEx");
    assert!(matches!(
        w.store.shipment_result(&acct(), &order.id, &p1.package),
        Some(ShipmentResult::Confirmed { .. })
    ));
    for _ in 0..3 {
        let again = w.run(JobKind::ExportShipments).await;
        assert_eq!(again.counts.exported, 0);
    }
    assert_eq!(
        w.amazon.confirmations().len(),
        2,
        "each package confirmed once"
    );
    assert_eq!(w.amazon.order(&order.id).unwrap().packages.len(), 2);
}

#[tokio::test]
async fn unmapped_carriers_and_empty_tracking_are_refused_before_sending() {
    let (w, order) = imported_world().await;
    let past = w.clock.now() - Duration::hours(1);
    let mut courier = shipment_for(&order, "1", past);
    courier.carrier = "Bob's Bikes".into();
    let mut blank = shipment_for(&order, "2", past);
    blank.tracking_number = "  ".into();
    w.store.ship(&acct(), courier.clone());
    w.store.ship(&acct(), blank.clone());
    let r = w.run(JobKind::ExportShipments).await;
    assert_eq!(r.counts.refused, 2, "{r:?}");
    assert_eq!(w.amazon.calls(FakeOp::Confirm), 0, "nothing reached Amazon");
    match w
        .store
        .shipment_result(&acct(), &order.id, &courier.package)
    {
        Some(ShipmentResult::Refused { reason }) => {
            assert!(reason.contains("Bob's Bikes"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    match w.store.shipment_result(&acct(), &order.id, &blank.package) {
        Some(ShipmentResult::Refused { reason }) => {
            assert!(reason.contains("tracking"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    let outbox = w.state.outbox_all(&acct());
    assert!(
        outbox
            .iter()
            .all(|e| matches!(e.status, OutboxStatus::Refused { .. }))
    );
    assert!(
        outbox.iter().all(|e| e.attempts == 1),
        "each refused package was decided once"
    );

    // The host fixes the carrier: the changed shipment goes out.
    courier.carrier = "USPS".into();
    w.store.ship(&acct(), courier.clone());
    let r = w.run(JobKind::ExportShipments).await;
    assert_eq!(r.counts.exported, 1);
    assert_eq!(w.amazon.confirmations()[0].carrier_code, "USPS");
}

#[tokio::test]
async fn future_ship_dates_are_held_until_that_date() {
    let (w, order) = imported_world().await;
    let when = w.clock.now() + Duration::hours(5);
    let s = shipment_for(&order, "1", when);
    w.store.ship(&acct(), s.clone());
    let r = w.run(JobKind::ExportShipments).await;
    assert_eq!((r.counts.held, r.counts.exported), (1, 0));
    match w.store.shipment_result(&acct(), &order.id, &s.package) {
        Some(ShipmentResult::Held { reason, until }) => {
            assert!(reason.contains("future"), "{reason}");
            let rfc3339 = when
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap();
            assert!(reason.contains(&rfc3339), "the date in RFC 3339: {reason}");
            assert_eq!(until, Some(when));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.amazon.calls(FakeOp::Confirm), 0);
    w.clock.advance(Duration::hours(4));
    let r = w.run(JobKind::ExportShipments).await;
    assert_eq!(
        (r.counts.held, r.counts.exported),
        (0, 0),
        "a held entry waits for its date without being looked at"
    );
    w.clock.advance(Duration::hours(1));
    let r = w.run(JobKind::ExportShipments).await;
    assert_eq!(r.counts.exported, 1);
    assert_eq!(w.amazon.confirmations().len(), 1);
}

#[tokio::test]
async fn amazon_rejections_are_recorded_with_amazons_message() {
    let (w, order) = imported_world().await;
    w.amazon
        .reject_confirmations_for(&order.id, "The order item id is not valid for the order");
    let s = shipment_for(&order, "1", w.clock.now() - Duration::hours(1));
    w.store.ship(&acct(), s.clone());
    let r = w.run(JobKind::ExportShipments).await;
    assert_eq!(r.counts.rejected, 1);
    match w.store.shipment_result(&acct(), &order.id, &s.package) {
        Some(ShipmentResult::Rejected { message }) => {
            assert!(message.contains("not valid for the order"), "{message}");
            assert!(message.contains("InvalidInput"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let e = w
        .state
        .outbox_get(
            &acct(),
            OutboxKind::Shipment,
            &shipment_subject(&order.id, &s.package),
        )
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(e.status, OutboxStatus::Rejected { .. }));
    assert_eq!(e.attempts, 1);
    assert!(e.last_error.is_some());
}

#[tokio::test]
async fn a_transient_failure_keeps_the_package_pending_and_the_next_run_sends_it_once() {
    let (w, order) = imported_world().await;
    w.amazon.fail_next(
        FakeOp::Confirm,
        AmazonError::new(ErrorKind::Server, "500 InternalFailure"),
        1,
    );
    let s = shipment_for(&order, "1", w.clock.now() - Duration::hours(1));
    w.store.ship(&acct(), s.clone());
    let r = w.run(JobKind::ExportShipments).await;
    assert_eq!(
        r.outcome,
        RunOutcome::Completed,
        "one entry's error does not end the run"
    );
    assert_eq!(r.counts.unknown, 1);
    let e = w
        .state
        .outbox_get(
            &acct(),
            OutboxKind::Shipment,
            &shipment_subject(&order.id, &s.package),
        )
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(e.status, OutboxStatus::Unknown { .. }),
        "a 5xx on a write leaves the outcome unknown: {e:?}"
    );
    assert!(e.last_error.unwrap().contains("InternalFailure"));
    assert!(matches!(
        w.store.shipment_result(&acct(), &order.id, &s.package),
        Some(ShipmentResult::Pending { .. })
    ));
    // Not before its backoff.
    let r = w.run(JobKind::ExportShipments).await;
    assert_eq!(r.counts.exported, 0);
    w.clock.advance(Duration::seconds(31));
    let r = w.run(JobKind::ExportShipments).await;
    assert_eq!(r.counts.exported, 1);
    assert_eq!(r.counts.verified, 0, "the package was not on Amazon: sent");
    assert_eq!(w.amazon.confirmations().len(), 1);
    let e = w
        .state
        .outbox_get(
            &acct(),
            OutboxKind::Shipment,
            &shipment_subject(&order.id, &s.package),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.attempts, 2);
}

/// Amazon that accepts the confirmation and then never answers: the crash happens after
/// Amazon recorded the package and before the engine could.
struct AcceptThenHang(FakeAmazon);

#[async_trait]
impl AmazonSide for AcceptThenHang {
    async fn list_orders(
        &self,
        q: &OrderQuery,
        p: Option<&PageToken>,
    ) -> Result<OrderPage, AmazonError> {
        self.0.list_orders(q, p).await
    }
    async fn get_order(
        &self,
        id: &AmazonOrderId,
        i: Include,
    ) -> Result<Option<Order>, AmazonError> {
        self.0.get_order(id, i).await
    }
    fn shows_packages(&self) -> bool {
        self.0.shows_packages()
    }
    async fn confirm_shipment(&self, c: &ShipmentConfirmation) -> Result<(), AmazonError> {
        self.0.confirm_shipment(c).await?;
        std::future::pending().await
    }
}

#[tokio::test(start_paused = true)]
async fn a_crash_after_amazon_accepted_a_package_does_not_send_it_again() {
    let (w, order) = imported_world().await;
    let s = shipment_for(&order, "7", w.clock.now() - Duration::hours(1));
    w.store.ship(&acct(), s.clone());
    let mut hanging = w.account.clone();
    hanging.amazon = Arc::new(AcceptThenHang(w.amazon.clone()));
    let never = Shutdown::never();
    let run = w.engine.run(&hanging, JobKind::ExportShipments, &never);
    assert!(
        tokio::time::timeout(std::time::Duration::from_secs(60), run)
            .await
            .is_err()
    );
    assert_eq!(w.amazon.confirmations().len(), 1);
    let e = w
        .state
        .outbox_get(
            &acct(),
            OutboxKind::Shipment,
            &shipment_subject(&order.id, &s.package),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        e.status,
        OutboxStatus::Claimed,
        "the crash left the claim in flight"
    );

    // The dead attempt's lease runs out; the next run verifies before sending.
    w.clock.advance(Duration::minutes(3));
    let r = w.run(JobKind::ExportShipments).await;
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
    assert_eq!(r.counts.verified, 1, "{r:?}");
    assert_eq!(w.amazon.confirmations().len(), 1, "not sent a second time");
    assert!(matches!(
        w.store.shipment_result(&acct(), &order.id, &s.package),
        Some(ShipmentResult::Confirmed { .. })
    ));
}

#[tokio::test]
async fn redaction_replaces_pii_after_the_retention_window_and_keeps_totals() {
    let w = world();
    let mut delivered = sample_order("666-0000001-0000001", T0 + Duration::hours(1));
    delivered.status = OrderStatus::Shipped;
    delivered.delivered_at = Some(T0 + Duration::days(3));
    let open = sample_order("666-0000002-0000001", T0 + Duration::hours(1));
    w.amazon.put_order(delivered.clone());
    w.amazon.put_order(open.clone());
    w.run(JobKind::ImportOrders).await;

    w.clock.set(T0 + Duration::days(32));
    let early = w.run(JobKind::RedactPii).await;
    assert_eq!(
        early.counts.redacted, 0,
        "29 days after delivery is too early"
    );

    w.clock.set(T0 + Duration::days(33));
    let r = w.run(JobKind::RedactPii).await;
    assert_eq!(r.counts.redacted, 1);
    let held = w.store.order(&acct(), &delivered.id).unwrap();
    assert!(held.pii_is_redacted("Amazon Replaced"), "{held:?}");
    assert_eq!(held.mapped.customer.last, "Amazon Replaced");
    assert_eq!(held.order.totals, delivered.totals);
    assert_eq!(
        held.order.lines_total().unwrap(),
        delivered.lines_total().unwrap()
    );
    assert_eq!(held.order.lines.len(), 2);
    assert_eq!(
        w.state.redaction_marker(&acct(), &delivered.id).as_deref(),
        Some("Amazon Replaced")
    );
    let still = w.store.order(&acct(), &open.id).unwrap();
    assert!(still.order.recipient.as_ref().unwrap().name.as_deref() == Some("Ada Lovelace"));
    assert!(
        !still.pii_is_redacted("Amazon Replaced"),
        "an open order keeps its PII"
    );

    // A late update of a redacted order does not bring the PII back.
    w.amazon.update_order(&delivered.id, |o| {
        o.last_updated_at = T0 + Duration::days(32)
    });
    w.run(JobKind::ImportOrders).await;
    let held = w.store.order(&acct(), &delivered.id).unwrap();
    assert_eq!(held.order.last_updated_at, T0 + Duration::days(32));
    assert!(held.pii_is_redacted("Amazon Replaced"));
    assert_eq!(w.run(JobKind::RedactPii).await.counts.redacted, 0);
}

#[tokio::test]
async fn shutdown_cancels_a_run_at_a_safe_point() {
    let w = world();
    w.seed(3);
    let (trigger, shutdown) = Shutdown::new();
    trigger.trigger();
    let r = w
        .engine
        .run(&w.account, JobKind::ImportOrders, &shutdown)
        .await;
    assert_eq!(r.outcome, RunOutcome::Cancelled);
    assert_eq!(w.cursor().await, None);
    let r = w.run(JobKind::ImportOrders).await;
    assert_eq!(r.counts.created, 3);
}

#[tokio::test]
async fn pii_never_appears_in_reports_or_debug_output() {
    let (w, order) = imported_world().await;
    let held = w.store.order(&acct(), &order.id).unwrap();
    let dump = format!(
        "{held:?} {:?}",
        w.state.recent_runs(&acct(), None, 10).await.unwrap()
    );
    for secret in [
        "Ada",
        "Lovelace",
        "Analytical",
        "98101",
        "555 0100",
        "ada@",
        "birthday",
    ] {
        assert!(!dump.contains(secret), "{secret} leaked: {dump}");
    }
}

#[tokio::test]
async fn warehouse_orders_and_shipments_round_trip() {
    let w = world_with(
        |c| {
            c.import.targets.store = false;
            c.import.targets.warehouse = true;
        },
        MappingConfig::from_toml_str(
            r#"
            [warehouse]
            default = "STD"
            by_category = { NextDay = "EXP1" }
            "#,
        )
        .unwrap(),
    );
    let mut fast = sample_order("777-0000001-0000001", T0 + Duration::hours(1));
    fast.service_level = Some(order_mapping::vocab::ServiceLevelCategory::NextDay);
    fast.programs = vec![order_mapping::vocab::OrderProgram::Prime];
    let mut pending = sample_order("777-0000002-0000001", T0 + Duration::hours(1));
    pending.status = OrderStatus::Pending;
    w.amazon.put_order(fast.clone());
    w.amazon.put_order(pending.clone());
    let r = w.run(JobKind::ImportOrders).await;
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
    assert!(w.store.is_empty(), "the store target is off");
    let req = w.warehouse.request(&acct(), &fast.id).unwrap();
    assert_eq!(req.service, "EXP1");
    assert_eq!(req.order.mapped.priority, "Prime");
    assert!(
        w.warehouse.request(&acct(), &pending.id).is_none(),
        "unpaid orders are not sent for fulfilment"
    );

    // Cancelled later: the warehouse gets the update.
    w.amazon.update_order(&fast.id, |o| {
        o.status = OrderStatus::Canceled;
        o.last_updated_at = T0 + Duration::hours(2);
    });
    w.clock.advance(Duration::minutes(1));
    let r = w.run(JobKind::Reconcile).await;
    assert_eq!(r.counts.updated, 1, "{r:?}");
    let req = w.warehouse.request(&acct(), &fast.id).unwrap();
    assert_eq!(req.order.order.status, OrderStatus::Canceled);

    // What the warehouse ships is confirmed to Amazon and recorded back in the warehouse.
    let s = shipment_for(&fast, "1", w.clock.now() - Duration::hours(1));
    w.warehouse.ship(&acct(), s.clone());
    let r = w.run(JobKind::ExportShipments).await;
    assert_eq!(r.counts.exported, 1, "{r:?}");
    assert_eq!(w.amazon.confirmations().len(), 1);
    assert!(matches!(
        w.warehouse.shipment_result(&acct(), &fast.id, &s.package),
        Some(ShipmentResult::Confirmed { .. })
    ));
}

#[tokio::test]
async fn redaction_reaches_the_warehouse_too() {
    let w = world_with(
        |c| c.import.targets.warehouse = true,
        MappingConfig::default(),
    );
    let order = sample_order("888-0000001-0000001", T0 + Duration::hours(1));
    w.amazon.put_order(order.clone());
    w.run(JobKind::ImportOrders).await;
    assert!(w.warehouse.request(&acct(), &order.id).is_some());
    // Shipped and delivered: the next update carries the delivery date.
    w.amazon.update_order(&order.id, |o| {
        o.status = OrderStatus::Shipped;
        o.delivered_at = Some(T0 + Duration::days(2));
        o.last_updated_at = T0 + Duration::days(1) - Duration::minutes(5);
    });
    w.clock.advance(Duration::minutes(1));
    w.run(JobKind::ImportOrders).await;
    w.clock.set(T0 + Duration::days(33));
    let r = w.run(JobKind::RedactPii).await;
    assert_eq!(r.counts.redacted, 1, "{r:?}");
    let req = w.warehouse.request(&acct(), &order.id).unwrap();
    assert!(req.order.pii_is_redacted("Amazon Replaced"), "{req:?}");
    assert_eq!(req.order.order.totals, order.totals);
    assert!(
        w.store
            .order(&acct(), &order.id)
            .unwrap()
            .pii_is_redacted("Amazon Replaced")
    );
}

/// A notifier that keeps what it receives.
#[derive(Default)]
struct Collect(std::sync::Mutex<Vec<RunReport>>);

#[async_trait]
impl order_sync_core::report::Notifier for Collect {
    async fn notify(&self, report: &RunReport) {
        self.0.lock().unwrap().push(report.clone());
    }
}

#[tokio::test]
async fn every_run_reaches_the_notifier_with_its_counts_and_errors() {
    let w = world();
    w.seed(2);
    let collect = Arc::new(Collect::default());
    let engine = Engine::builder(w.state.clone())
        .store(w.store.clone())
        .clock(w.clock.clone())
        .notifier(collect.clone())
        .build()
        .unwrap();
    let never = Shutdown::never();
    for job in JobKind::ALL {
        engine.run(&w.account, job, &never).await;
    }
    w.amazon.fail_next(
        FakeOp::List,
        AmazonError::new(ErrorKind::Auth, "token revoked"),
        1,
    );
    w.clock.advance(Duration::minutes(1));
    engine.run(&w.account, JobKind::ImportOrders, &never).await;
    let got = collect.0.lock().unwrap().clone();
    assert_eq!(got.len(), 5);
    assert_eq!(
        got.iter().map(|r| r.job).collect::<Vec<_>>(),
        [
            JobKind::ImportOrders,
            JobKind::Reconcile,
            JobKind::ExportShipments,
            JobKind::RedactPii,
            JobKind::ImportOrders
        ]
    );
    assert_eq!(got[0].counts.created, 2);
    assert_eq!(got[4].outcome, RunOutcome::Failed);
    assert!(got[4].errors[0].contains("token revoked"), "{:?}", got[4]);
    assert!(got.iter().all(|r| r.finished_at >= r.started_at));
    let stored = w.state.recent_runs(&acct(), None, 10).await.unwrap();
    assert_eq!(stored.len(), 5, "every run is also stored");
}

/// A store whose `record_shipment_result` fails while `down` is set.
struct DeafStore {
    inner: Arc<MemoryStore>,
    down: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl OrderStore for DeafStore {
    async fn upsert_order(&self, order: &HostOrder) -> Result<UpsertOutcome, StoreError> {
        self.inner.upsert_order(order).await
    }
    async fn find_order(
        &self,
        a: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<Option<HostOrderRef>, StoreError> {
        self.inner.find_order(a, id).await
    }
    async fn shipments_ready(
        &self,
        a: &AccountId,
        l: usize,
    ) -> Result<Vec<HostShipment>, StoreError> {
        self.inner.shipments_ready(a, l).await
    }
    async fn record_shipment_result(
        &self,
        a: &AccountId,
        s: &HostShipment,
        r: &ShipmentResult,
    ) -> Result<(), StoreError> {
        // It takes the package in, then misses the final result.
        if self.down.load(Ordering::SeqCst) && r.is_final() {
            return Err(StoreError::unavailable("database restarting"));
        }
        self.inner.record_shipment_result(a, s, r).await
    }
    async fn redact_pii(
        &self,
        a: &AccountId,
        id: &AmazonOrderId,
        m: &str,
    ) -> Result<(), StoreError> {
        self.inner.redact_pii(a, id, m).await
    }
}

#[tokio::test]
async fn a_host_that_missed_the_confirmation_is_told_later_without_resending() {
    let (w, order) = imported_world().await;
    let deaf = Arc::new(DeafStore {
        inner: w.store.clone(),
        down: std::sync::atomic::AtomicBool::new(true),
    });
    let engine = Engine::builder(w.state.clone())
        .store(deaf.clone())
        .clock(w.clock.clone())
        .notifier(Arc::new(NoopNotifier))
        .build()
        .unwrap();
    let s = shipment_for(&order, "1", w.clock.now() - Duration::hours(1));
    w.store.ship(&acct(), s.clone());
    let never = Shutdown::never();
    let r = engine
        .run(&w.account, JobKind::ExportShipments, &never)
        .await;
    assert_eq!(r.outcome, RunOutcome::Failed, "{r:?}");
    assert_eq!(w.amazon.confirmations().len(), 1, "Amazon got it");
    assert_eq!(
        w.store.shipment_result(&acct(), &order.id, &s.package),
        Some(ShipmentResult::Pending { note: None })
    );
    let e = w
        .state
        .outbox_get(
            &acct(),
            OutboxKind::Shipment,
            &shipment_subject(&order.id, &s.package),
        )
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(e.status, OutboxStatus::Confirmed { .. }), "{e:?}");

    deaf.down.store(false, Ordering::SeqCst);
    let r = engine
        .run(&w.account, JobKind::ExportShipments, &never)
        .await;
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
    assert_eq!(w.amazon.confirmations().len(), 1, "not sent again");
    assert!(matches!(
        w.store.shipment_result(&acct(), &order.id, &s.package),
        Some(ShipmentResult::Confirmed { .. })
    ));
    assert!(
        w.store
            .shipments_ready(&acct(), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
