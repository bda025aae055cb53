//! Property: whatever the interleaving of Amazon updates, clock steps and crashes at any
//! host write, the host ends up with exactly Amazon's orders, each at Amazon's latest
//! version, one host order per Amazon id, and no version written twice.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use async_trait::async_trait;
use order_mapping::Mapper;
use order_mapping::vocab::OrderStatus;
use order_sync_core::clock::{Clock, ManualClock};
use order_sync_core::config::AccountConfig;
use order_sync_core::engine::{Account, Engine};
use order_sync_core::fake::{FakeAmazon, StallingStore};
use order_sync_core::fixtures::sample_order;
use order_sync_core::host::{OrderStore, ShipmentResult};
use order_sync_core::ids::{AccountId, AmazonOrderId, PackageRef};
use order_sync_core::report::{NoopNotifier, RunOutcome};
use order_sync_core::shutdown::Shutdown;
use order_sync_core::state::{JobKind, SyncState};
use proptest::prelude::*;
use store_adapters::memory::{MemoryState, MemoryStore};
use time::Duration;
use time::macros::datetime;

/// One step of the scenario.
#[derive(Debug, Clone)]
enum Step {
    /// Amazon changes order `order` (0..6); the change becomes visible `age` minutes old
    /// (Amazon's listings lag), with a new status.
    Update { order: u8, age: u8, cancel: bool },
    /// Time passes.
    Wait { minutes: u8 },
    /// An import run; `crash_after` host writes it dies, if set.
    Import { crash_after: Option<u8> },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0u8..6, 0u8..6, any::<bool>())
            .prop_map(|(order, age, cancel)| Step::Update { order, age, cancel }),
        2 => (1u8..20).prop_map(|minutes| Step::Wait { minutes }),
        3 => proptest::option::of(0u8..4).prop_map(|crash_after| Step::Import { crash_after }),
    ]
}

fn run_scenario(steps: Vec<Step>, page_size: usize) -> Result<(), TestCaseError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async move {
        let t0 = datetime!(2026-06-01 0:00 UTC);
        let clock = Arc::new(ManualClock::new(t0 + Duration::hours(1)));
        let amazon = FakeAmazon::new(clock.clone()).with_page_size(page_size);
        let store = Arc::new(MemoryStore::new());
        let state = Arc::new(MemoryState::new());
        let engine = Engine::builder(state.clone())
            .store(store.clone())
            .clock(clock.clone())
            .notifier(Arc::new(NoopNotifier))
            .build()
            .unwrap();
        let account = Account::new(
            AccountConfig::new("prop", t0),
            Arc::new(amazon.clone()),
            Arc::new(Mapper::default()),
        );
        let acct = AccountId::new("prop");
        let never = Shutdown::never();
        // Distinct versions Amazon ever had, per order.
        let mut versions: BTreeMap<AmazonOrderId, usize> = BTreeMap::new();
        for s in steps {
            match s {
                Step::Update { order, age, cancel } => {
                    let id = AmazonOrderId::new(format!("100-{order:07}-0000001"));
                    let at = clock.now() - Duration::minutes(i64::from(age));
                    let mut o = sample_order(id.as_str(), at);
                    if cancel {
                        o.status = OrderStatus::Canceled;
                    }
                    // Amazon's clock only moves forward per order.
                    let keep = amazon
                        .order(&id)
                        .is_some_and(|old| old.last_updated_at >= at);
                    if !keep {
                        amazon.put_order(o);
                        *versions.entry(id).or_default() += 1;
                    }
                }
                Step::Wait { minutes } => clock.advance(Duration::minutes(i64::from(minutes))),
                Step::Import { crash_after: None } => {
                    let r = engine.run(&account, JobKind::ImportOrders, &never).await;
                    prop_assert_eq!(r.outcome, RunOutcome::Completed, "{:?}", r);
                }
                Step::Import {
                    crash_after: Some(budget),
                } => {
                    let crashing = Engine::builder(state.clone())
                        .store(Arc::new(StallingStore::new(
                            store.clone(),
                            usize::from(budget),
                        )))
                        .clock(clock.clone())
                        .notifier(Arc::new(NoopNotifier))
                        .build()
                        .unwrap();
                    let run = crashing.run(&account, JobKind::ImportOrders, &never);
                    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), run).await;
                }
            }
        }
        // Let everything become visible, then one clean run.
        clock.advance(Duration::minutes(10));
        let r = engine.run(&account, JobKind::ImportOrders, &never).await;
        prop_assert_eq!(r.outcome, RunOutcome::Completed, "{:?}", r);

        let held = store.orders(&acct);
        prop_assert_eq!(
            held.len(),
            versions.len(),
            "one host order per Amazon order"
        );
        for h in &held {
            let truth = amazon.order(&h.order.id).unwrap();
            prop_assert_eq!(h.order.last_updated_at, truth.last_updated_at);
            prop_assert_eq!(&h.order.status, &truth.status);
            let e = state.id_map_get(&acct, &h.order.id).await.unwrap().unwrap();
            prop_assert_eq!(e.last_updated_at, truth.last_updated_at);
            prop_assert_eq!(e.host_order_id, store.host_id(&acct, &h.order.id));
        }
        let total_versions: usize = versions.values().sum();
        prop_assert!(
            store.writes() as usize <= total_versions,
            "{} writes for {} versions",
            store.writes(),
            total_versions
        );
        prop_assert!(state.parked(&acct).await.unwrap().is_empty());
        // A repeat changes nothing.
        let again = engine.run(&account, JobKind::ImportOrders, &never).await;
        prop_assert_eq!(
            (again.counts.created, again.counts.updated),
            (0, 0),
            "{:?}",
            again
        );
        Ok(())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn import_converges_to_amazon_whatever_the_crashes(
        steps in proptest::collection::vec(step(), 1..40),
        page_size in 1usize..4,
    ) {
        run_scenario(steps, page_size)?;
    }
}

/// Amazon that accepts confirmations and then, while `hang` is set, never answers.
struct MaybeHang {
    inner: FakeAmazon,
    hang: Arc<std::sync::atomic::AtomicBool>,
}

#[async_trait]
impl order_sync_core::amazon::AmazonSide for MaybeHang {
    async fn list_orders(
        &self,
        q: &order_sync_core::amazon::OrderQuery,
        p: Option<&order_sync_core::amazon::PageToken>,
    ) -> Result<order_sync_core::amazon::OrderPage, order_sync_core::error::AmazonError> {
        self.inner.list_orders(q, p).await
    }
    async fn get_order(
        &self,
        id: &AmazonOrderId,
        i: order_sync_core::amazon::Include,
    ) -> Result<Option<order_sync_core::model::Order>, order_sync_core::error::AmazonError> {
        self.inner.get_order(id, i).await
    }
    fn shows_packages(&self) -> bool {
        self.inner.shows_packages()
    }
    async fn confirm_shipment(
        &self,
        c: &order_sync_core::amazon::ShipmentConfirmation,
    ) -> Result<(), order_sync_core::error::AmazonError> {
        self.inner.confirm_shipment(c).await?;
        if self.hang.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        Ok(())
    }
}

/// One step of a shipment scenario.
#[derive(Debug, Clone)]
enum ShipStep {
    /// The host ships package `pkg` of order `order`, by a mapped carrier or not, dated
    /// `ahead` hours in the future (0: already shipped).
    Ship {
        order: u8,
        pkg: u8,
        mapped: bool,
        ahead: u8,
    },
    /// Time passes.
    Wait { minutes: u16 },
    /// An export run; with `crash`, the process dies right after Amazon accepts a package.
    Export { crash: bool },
}

fn ship_step() -> impl Strategy<Value = ShipStep> {
    prop_oneof![
        3 => (0u8..3, 1u8..4, proptest::bool::weighted(0.8), 0u8..3)
            .prop_map(|(order, pkg, mapped, ahead)| ShipStep::Ship { order, pkg, mapped, ahead }),
        2 => (1u16..240).prop_map(|minutes| ShipStep::Wait { minutes }),
        3 => proptest::bool::weighted(0.3).prop_map(|crash| ShipStep::Export { crash }),
    ]
}

fn run_shipments(steps: Vec<ShipStep>) -> Result<(), TestCaseError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async move {
        let t0 = datetime!(2026-06-01 0:00 UTC);
        let clock = Arc::new(ManualClock::new(t0 + Duration::hours(2)));
        let fake = FakeAmazon::new(clock.clone());
        let store = Arc::new(MemoryStore::new());
        let state = Arc::new(MemoryState::new());
        let engine = Engine::builder(state.clone())
            .store(store.clone())
            .clock(clock.clone())
            .notifier(Arc::new(NoopNotifier))
            .build()
            .unwrap();
        let hang = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let amazon = Arc::new(MaybeHang {
            inner: fake.clone(),
            hang: hang.clone(),
        });
        let account = Account::new(
            AccountConfig::new("ships", t0),
            amazon,
            Arc::new(Mapper::default()),
        );
        let acct = AccountId::new("ships");
        let never = Shutdown::never();
        let orders: Vec<_> = (0..3)
            .map(|i| {
                let o = sample_order(&format!("200-{i:07}-0000001"), t0 + Duration::minutes(10));
                fake.put_order(o.clone());
                o
            })
            .collect();
        let r = engine.run(&account, JobKind::ImportOrders, &never).await;
        prop_assert_eq!(r.counts.created, 3);

        // What the host shipped last, per package: mapped carrier or not.
        let mut shipped: BTreeMap<(u8, u8), bool> = BTreeMap::new();
        for s in steps {
            match s {
                ShipStep::Ship {
                    order,
                    pkg,
                    mapped,
                    ahead,
                } => {
                    let key = (order, pkg);
                    let refused_before = shipped.get(&key) == Some(&false);
                    // A package ships once; a refused one may be fixed and shipped again.
                    if shipped.contains_key(&key) && !(refused_before && mapped) {
                        continue;
                    }
                    let o = &orders[usize::from(order)];
                    let when = clock.now() + Duration::hours(i64::from(ahead));
                    let mut s = order_sync_core::fixtures::shipment_for(o, &pkg.to_string(), when);
                    if !mapped {
                        s.carrier = "Pigeon Post".into();
                    }
                    store.ship(&acct, s);
                    shipped.insert(key, mapped);
                }
                ShipStep::Wait { minutes } => {
                    clock.advance(Duration::minutes(i64::from(minutes)));
                }
                ShipStep::Export { crash } => {
                    hang.store(crash, Ordering::SeqCst);
                    let run = engine.run(&account, JobKind::ExportShipments, &never);
                    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), run).await;
                    hang.store(false, Ordering::SeqCst);
                }
            }
        }
        // Every ship date passes; two clean runs.
        clock.advance(Duration::hours(4));
        for _ in 0..2 {
            let r = engine.run(&account, JobKind::ExportShipments, &never).await;
            prop_assert_eq!(r.outcome, RunOutcome::Completed, "{:?}", r);
        }
        let sent = fake.confirmations();
        for ((order, pkg), mapped) in &shipped {
            let id = &orders[usize::from(*order)].id;
            let pref = PackageRef::new(pkg.to_string());
            let n = sent
                .iter()
                .filter(|c| &c.order_id == id && c.package == pref)
                .count();
            let result = store.shipment_result(&acct, id, &pref);
            if *mapped {
                prop_assert_eq!(n, 1, "package {} of {} sent {} times", pkg, id, n);
                prop_assert!(
                    matches!(result, Some(ShipmentResult::Confirmed { .. })),
                    "{:?}",
                    result
                );
            } else {
                prop_assert_eq!(n, 0, "an unmapped carrier reached Amazon");
                prop_assert!(
                    matches!(result, Some(ShipmentResult::Refused { .. })),
                    "{:?}",
                    result
                );
            }
        }
        prop_assert_eq!(sent.len(), shipped.values().filter(|m| **m).count());
        prop_assert!(store.shipments_ready(&acct, 100).await.unwrap().is_empty());
        Ok(())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn each_package_is_confirmed_once_whatever_the_crashes(
        steps in proptest::collection::vec(ship_step(), 1..40),
    ) {
        run_shipments(steps)?;
    }
}
