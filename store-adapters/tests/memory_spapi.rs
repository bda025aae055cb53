//! The SP-API Amazon side end to end: the local sandbox, the real client, the engine and
//! the in-memory store, through both Orders API versions.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use amazon_sandbox::{Sandbox, SandboxConfig};
use order_mapping::Mapper;
use order_sync_core::clock::{Clock, ManualClock};
use order_sync_core::config::AccountConfig;
use order_sync_core::engine::{Account, Engine};
use order_sync_core::ids::{AccountId, AmazonOrderId, OrderItemId};
use order_sync_core::model::{HostShipment, PackageItem};
use order_sync_core::report::{NoopNotifier, RunOutcome};
use order_sync_core::shutdown::Shutdown;
use order_sync_core::spapi::{ReadApi, SpApiAmazon};
use order_sync_core::state::JobKind;
use secrecy::SecretString;
use spapi_client::{Client, LwaCredentials};
use store_adapters::memory::{MemoryState, MemoryStore};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const START: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

/// The client's clock, kept equal to the sandbox's manual clock.
#[derive(Debug)]
struct SharedClock(Arc<ManualClock>);

impl spapi_client::Clock for SharedClock {
    fn now_utc(&self) -> OffsetDateTime {
        self.0.now()
    }
}

struct Env {
    sandbox: Sandbox,
    clock: Arc<ManualClock>,
    store: Arc<MemoryStore>,
    engine: Engine,
    account: Account,
}

async fn env(read: ReadApi, orders: usize) -> Env {
    let sandbox = Sandbox::start(
        SandboxConfig::default()
            .seed(11)
            .initial_orders(orders)
            .orders_per_hour(0.0)
            .rate_limits(false)
            .manual_clock_at(START),
    )
    .await
    .expect("sandbox starts");
    let clock = Arc::new(ManualClock::new(sandbox.now()));
    let creds = sandbox.credentials();
    let client = Client::builder()
        .credentials(LwaCredentials {
            client_id: creds.client_id.clone(),
            client_secret: SecretString::from(creds.client_secret.clone()),
            refresh_token: SecretString::from(creds.refresh_token.clone()),
        })
        .endpoint(sandbox.base_url())
        .lwa_endpoint(sandbox.lwa_url())
        .clock(SharedClock(clock.clone()))
        .build()
        .expect("client builds");
    let amazon = SpApiAmazon::new(client, read, creds.marketplace_ids.clone()).with_page_size(25);
    let store = Arc::new(MemoryStore::new());
    let engine = Engine::builder(Arc::new(MemoryState::new()))
        .store(store.clone())
        .clock(clock.clone())
        .notifier(Arc::new(NoopNotifier))
        .build()
        .unwrap();
    let mut cfg = AccountConfig::new("sandbox-seller", START - Duration::days(15));
    cfg.import.fba = true;
    cfg.import.max_window = Duration::days(30);
    let account = Account::new(cfg, Arc::new(amazon), Arc::new(Mapper::default()));
    Env {
        sandbox,
        clock,
        store,
        engine,
        account,
    }
}

fn acct() -> AccountId {
    AccountId::new("sandbox-seller")
}

async fn imports_every_order_exactly(read: ReadApi, n: usize) {
    let e = env(read, n).await;
    let fresh = e.sandbox.add_unshipped_mfn_orders(3, None);
    assert_eq!(fresh.len(), 3);
    let n = n + 3;
    // Let the listing lag pass so every generated order is visible.
    e.clock
        .set(e.sandbox.advance_clock(StdDuration::from_secs(600)));
    let r = e
        .engine
        .run(&e.account, JobKind::ImportOrders, &Shutdown::never())
        .await;
    assert_eq!(r.outcome, RunOutcome::Completed, "{read:?}: {r:?}");
    let truth = e.sandbox.orders();
    assert_eq!(truth.len(), n);
    assert_eq!(e.store.len(), n, "{read:?}: {r:?}");
    for t in &truth {
        let held = e
            .store
            .order(&acct(), &AmazonOrderId::new(t.order_id.clone()))
            .unwrap_or_else(|| panic!("{read:?}: {} missing", t.order_id));
        let o = &held.order;
        assert_eq!(o.status.as_v0(), t.status.v0(), "{read:?}: {}", t.order_id);
        assert_eq!(o.marketplace.as_str(), t.marketplace_id);
        assert_eq!(o.last_updated_at, t.last_update_date);
        assert_eq!(o.is_fba(), t.amazon_fulfilled);
        assert_eq!(o.lines.len(), t.items.len(), "{read:?}: {}", t.order_id);
        for (line, item) in o.lines.iter().zip(&t.items) {
            assert_eq!(line.item_id.as_str(), item.order_item_id);
            assert_eq!(line.quantity_ordered, item.quantity_ordered);
        }
        if let Some(total) = &o.totals.order_total {
            assert_eq!(total.amount, t.total, "{read:?}: {}", t.order_id);
            assert_eq!(total.currency, t.currency);
        }
    }
    // Restricted data came through (role-based in v2026, an RDT in v0) for orders that
    // still ship, and never for FBA orders (placeholder, no address).
    let open_mfn: Vec<_> = truth
        .iter()
        .filter(|t| !t.amazon_fulfilled && t.status.v0() == "Unshipped")
        .collect();
    assert!(
        !open_mfn.is_empty(),
        "the seed should have unshipped MFN orders"
    );
    for t in open_mfn {
        let held = e
            .store
            .order(&acct(), &AmazonOrderId::new(t.order_id.clone()))
            .unwrap();
        let r = held.order.recipient.as_ref().expect("recipient");
        assert!(
            r.name.is_some(),
            "{read:?}: {} has no recipient name",
            t.order_id
        );
        assert!(
            !r.address.lines.is_empty(),
            "{read:?}: {} has no street",
            t.order_id
        );
        assert!(r.address.country_code.is_some());
    }
    for t in truth.iter().filter(|t| t.amazon_fulfilled) {
        let held = e
            .store
            .order(&acct(), &AmazonOrderId::new(t.order_id.clone()))
            .unwrap();
        assert!(held.order.recipient.is_none());
        assert_eq!(held.mapped.customer.last, "FBA Orders");
    }
    // A second run over the overlap doubles nothing.
    e.clock
        .set(e.sandbox.advance_clock(StdDuration::from_secs(60)));
    let again = e
        .engine
        .run(&e.account, JobKind::ImportOrders, &Shutdown::never())
        .await;
    assert_eq!(again.counts.created, 0, "{again:?}");
    assert_eq!(e.store.len(), n);
    // v0: one restricted data token for getOrders, getOrder and getOrderItems together,
    // whatever the number of orders and pages (v2026 needs none).
    let rdts = e
        .sandbox
        .stats()
        .get("createRestrictedDataToken")
        .map_or(0, |s| s.calls);
    let want = if read == ReadApi::V0 { 1 } else { 0 };
    assert_eq!(rdts, want, "{read:?}: restricted data tokens minted");
}

#[tokio::test]
async fn v2026_imports_every_sandbox_order() {
    imports_every_order_exactly(ReadApi::V2026, 60).await;
}

#[tokio::test]
async fn v0_imports_every_sandbox_order() {
    // v0 reads items with one call per order (0.5/s after a burst of 30): stay in the burst.
    imports_every_order_exactly(ReadApi::V0, 25).await;
}

#[tokio::test]
async fn marked_shipments_are_confirmed_in_the_sandbox_exactly_once() {
    let e = env(ReadApi::V2026, 10).await;
    let fresh = e.sandbox.add_unshipped_mfn_orders(3, None);
    e.clock
        .set(e.sandbox.advance_clock(StdDuration::from_secs(600)));
    let r = e
        .engine
        .run(&e.account, JobKind::ImportOrders, &Shutdown::never())
        .await;
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
    for (n, id) in fresh.iter().enumerate() {
        let held = e
            .store
            .order(&acct(), &AmazonOrderId::new(id.clone()))
            .unwrap();
        e.store.ship(
            &acct(),
            HostShipment {
                amazon_order_id: held.order.id.clone(),
                package: order_sync_core::ids::PackageRef::new(format!("{}", n + 1)),
                carrier: "UPS".into(),
                service: Some("Ground".into()),
                tracking_number: format!("1Z999AA10{n:08}"),
                ship_date: e.clock.now() - Duration::minutes(1),
                items: held
                    .order
                    .lines
                    .iter()
                    .map(|l| PackageItem {
                        item_id: OrderItemId::new(l.item_id.as_str()),
                        quantity: l.quantity_ordered,
                    })
                    .collect(),
                shipped_despite_cancellation: false,
            },
        );
    }
    for _ in 0..3 {
        let r = e
            .engine
            .run(&e.account, JobKind::ExportShipments, &Shutdown::never())
            .await;
        assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
    }
    let confirmed = e.sandbox.confirmed_shipments();
    assert_eq!(confirmed.len(), 3, "{confirmed:?}");
    let mut ids: Vec<&str> = confirmed.iter().map(|c| c.order_id.as_str()).collect();
    ids.sort_unstable();
    let mut want: Vec<&str> = fresh.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(ids, want);
    assert!(
        confirmed
            .iter()
            .all(|c| c.carrier_code == "UPS" && !c.replaced_earlier)
    );
}

/// The fake Amazon of the engine's tests and the sandbox agree on what a confirmation does
/// to an order: the shipped quantities, the status and the version (`LastUpdateDate`) move,
/// and the package is on the order.
#[tokio::test]
async fn the_fake_and_the_sandbox_agree_on_what_a_confirmation_changes() {
    use order_sync_core::amazon::{AmazonSide, Include, ShipmentConfirmation};
    use order_sync_core::fake::FakeAmazon;
    use order_sync_core::ids::PackageRef;

    let e = env(ReadApi::V2026, 20).await;
    let fresh = e.sandbox.add_unshipped_mfn_orders(5, None);
    e.clock
        .set(e.sandbox.advance_clock(StdDuration::from_secs(600)));
    let candidate = e
        .sandbox
        .orders()
        .into_iter()
        .find(|o| fresh.contains(&o.order_id) && o.items.iter().all(|i| !i.transparency))
        .expect("an unshipped merchant-fulfilled order without Transparency items");
    let id = AmazonOrderId::new(candidate.order_id.clone());
    let before = e
        .account
        .amazon
        .get_order(&id, Include::default())
        .await
        .unwrap()
        .expect("the order");
    let confirmation = ShipmentConfirmation {
        order_id: id.clone(),
        marketplace: before.marketplace.clone(),
        package: PackageRef::new("1"),
        carrier_code: "UPS".into(),
        carrier_name: None,
        shipping_method: None,
        tracking_number: "1ZAGREE0001".into(),
        ship_date: e.clock.now() - Duration::minutes(5),
        items: before
            .lines
            .iter()
            .map(|l| PackageItem {
                item_id: l.item_id.clone(),
                quantity: l.quantity_ordered,
            })
            .collect(),
    };
    let fake = FakeAmazon::new(e.clock.clone());
    fake.put_order(before.clone());

    e.clock
        .set(e.sandbox.advance_clock(StdDuration::from_secs(60)));
    e.account
        .amazon
        .confirm_shipment(&confirmation)
        .await
        .expect("the sandbox accepts");
    fake.confirm_shipment(&confirmation)
        .await
        .expect("the fake accepts");
    let sandbox_after = e
        .account
        .amazon
        .get_order(&id, Include::default())
        .await
        .unwrap()
        .unwrap();
    let fake_after = fake.order(&id).unwrap();
    for (who, after) in [("sandbox", &sandbox_after), ("fake", &fake_after)] {
        assert_eq!(after.status.as_v0(), "Shipped", "{who}");
        assert!(
            after.last_updated_at > before.last_updated_at,
            "{who}: the version moves"
        );
        assert!(
            after
                .lines
                .iter()
                .all(|l| l.quantity_shipped == l.quantity_ordered),
            "{who}: shipped quantities"
        );
        assert!(
            after
                .packages
                .iter()
                .any(|p| p.tracking_number.as_deref() == Some("1ZAGREE0001")),
            "{who}: the package is on the order"
        );
    }
}
