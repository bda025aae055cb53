//! End to end: the local sandbox (injecting 429s and 5xx), the real SP-API client (retrying),
//! the engine and the SQLite store in a file. 2,000 generated orders over six marketplaces
//! are imported and compared with the sandbox's own orders field by field; then the host
//! marks some orders shipped and the export job confirms exactly those packages, once.
//!
//! Deterministic and fast: the sandbox runs on a manual clock (its world moves only when
//! the test advances it, and its fault draws depend only on the call sequence), the engine
//! and the client read that same clock, the client's back-off is a few milliseconds, and
//! the published rate limits are lifted (the sandbox reports generous limits in
//! `x-amzn-RateLimit-Limit`, which the client adopts), so nothing waits for wall time.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use amazon_sandbox::{FaultSpec, OrderSnapshot, RateLimit, Sandbox, SandboxConfig};
use order_mapping::Mapper;
use order_sync_core::clock::{Clock, ManualClock};
use order_sync_core::config::AccountConfig;
use order_sync_core::engine::{Account, Engine};
use order_sync_core::host::{HostOrder, ShipmentResult};
use order_sync_core::ids::{AccountId, AmazonOrderId, PackageRef};
use order_sync_core::report::{NoopNotifier, RunOutcome};
use order_sync_core::shutdown::Shutdown;
use order_sync_core::spapi::{ReadApi, SpApiAmazon};
use order_sync_core::state::{JobKind, OutboxStatus, SyncState};
use spapi_client::{BackoffConfig, Client, LwaCredentials, RateLimiter, RetryConfig};
use store_adapters::sqlite::{ShippedPackage, SqliteStore};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const START: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);
const ORDERS: usize = 2_000;
const ACCOUNT: &str = "sandbox-seller";

/// Every SP-API operation the engine calls.
const OPERATIONS: &[&str] = &[
    "searchOrders",
    "orders2026.getOrder",
    "getOrders",
    "getOrder",
    "getOrderItems",
    "createRestrictedDataToken",
    "confirmShipment",
];

/// Injected faults: some on every call, more on the listing and confirming operations.
const FAULTS: &str = "429=4%,500=2%,503=2%;\
    searchOrders:429=15%,500=8%,503=7%;\
    getOrders:429=15%,500=8%,503=7%;\
    confirmShipment:429=10%,500=6%,503=4%,commit_drop=10%,commit_500=6%";

/// The client's wall clock: the engine's manual clock, kept equal to the sandbox's.
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
    db: SqliteStore,
    path: std::path::PathBuf,
    engine: Engine,
    account: Account,
    _dir: tempfile::TempDir,
}

fn account_id() -> AccountId {
    AccountId::new(ACCOUNT)
}

async fn env(read: ReadApi, seed: u64) -> Env {
    let mut config = SandboxConfig::default()
        .seed(seed)
        .initial_orders(ORDERS)
        .orders_per_hour(0.0)
        .manual_clock_at(START)
        // The sandbox's buckets refill on its clock, which stands still here; the 429s
        // come from the fault rules instead.
        .rate_limits(false)
        .faults(FAULTS.parse::<FaultSpec>().expect("fault spec parses"));
    // Reported in x-amzn-RateLimit-Limit, which the client adopts as its rate.
    for op in OPERATIONS {
        config = config.rate_limit_override(
            *op,
            RateLimit {
                rate: 10_000.0,
                burst: 10_000,
            },
        );
    }
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let clock = Arc::new(ManualClock::new(sandbox.now()));
    let creds = sandbox.credentials();
    let mut limiter = RateLimiter::new();
    for op in [
        "searchOrders",
        "getOrder_2026",
        "getOrders",
        "getOrderItems",
    ]
    .iter()
    .chain(OPERATIONS)
    {
        limiter = limiter.override_limit(*op, spapi_client::RateLimit::new(10_000.0, 10_000));
    }
    let client = Client::builder()
        .credentials(LwaCredentials {
            client_id: creds.client_id.clone(),
            client_secret: creds.client_secret.clone().into(),
            refresh_token: creds.refresh_token.clone().into(),
        })
        .endpoint(sandbox.base_url())
        .lwa_endpoint(sandbox.lwa_url())
        .clock(SharedClock(clock.clone()))
        .rate_limiter(limiter)
        .retry(RetryConfig {
            max_retries: 10,
            backoff: BackoffConfig {
                init_backoff: StdDuration::from_millis(1),
                max_backoff: StdDuration::from_millis(10),
                base: 3.0,
            },
            retry_timeout: StdDuration::from_secs(60),
            attempt_timeout: Some(StdDuration::from_secs(30)),
            max_rate_limit_wait: None,
        })
        .build()
        .expect("client builds");
    let amazon = SpApiAmazon::new(client, read, creds.marketplace_ids.clone());
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("orders.db");
    let db = SqliteStore::open(&path).await.expect("sqlite opens");
    let engine = Engine::builder(Arc::new(db.clone()))
        .store(Arc::new(db.clone()))
        .clock(clock.clone())
        .notifier(Arc::new(NoopNotifier))
        .build()
        .expect("engine builds");
    let mut cfg = AccountConfig::new(ACCOUNT, START - Duration::days(15));
    cfg.import.fba = true;
    cfg.import.max_window = Duration::days(30);
    let account = Account::new(cfg, Arc::new(amazon), Arc::new(Mapper::default()));
    Env {
        sandbox,
        clock,
        db,
        path,
        engine,
        account,
        _dir: dir,
    }
}

impl Env {
    /// Moves the sandbox clock and the engine's with it.
    fn advance(&self, secs: u64) {
        self.clock
            .set(self.sandbox.advance_clock(StdDuration::from_secs(secs)));
    }

    /// Runs the import until a run completes (a run that exhausts the client's retries
    /// fails and is simply run again, as the scheduler would).
    async fn import(&self) {
        for _ in 0..5 {
            let r = self
                .engine
                .run(&self.account, JobKind::ImportOrders, &Shutdown::never())
                .await;
            if r.outcome == RunOutcome::Completed {
                assert_eq!(r.counts.parked, 0, "{r:?}");
                return;
            }
        }
        panic!("the import never completed");
    }
}

fn amount(m: &Option<order_sync_core::Money>) -> Option<rust_decimal::Decimal> {
    m.as_ref().map(|m| m.amount)
}

/// The store (read through a second handle on the same file) holds exactly the
/// sandbox's orders: ids, marketplaces, statuses, versions, lines and their totals.
async fn assert_store_equals_sandbox(e: &Env, read: ReadApi) {
    let file = SqliteStore::open(&e.path).await.expect("second handle");
    let held: Vec<HostOrder> = file.orders(&account_id()).await.expect("orders");
    let mut truth: Vec<OrderSnapshot> = e.sandbox.orders();
    truth.sort_by(|a, b| a.order_id.cmp(&b.order_id));
    assert_eq!(
        file.count_orders(&account_id()).await.expect("count"),
        truth.len() as u64
    );
    let held_ids: Vec<&str> = held.iter().map(|h| h.order.id.as_str()).collect();
    let truth_ids: Vec<&str> = truth.iter().map(|t| t.order_id.as_str()).collect();
    assert_eq!(held_ids, truth_ids, "{read:?}: ids differ");

    let mut per_mp: BTreeMap<String, u64> = BTreeMap::new();
    for (h, t) in held.iter().zip(&truth) {
        let o = &h.order;
        let id = &t.order_id;
        *per_mp.entry(t.marketplace_id.clone()).or_default() += 1;
        assert_eq!(o.marketplace.as_str(), t.marketplace_id, "{read:?} {id}");
        assert_eq!(o.status.as_v0(), t.status.v0(), "{read:?} {id}");
        assert_eq!(o.is_fba(), t.amazon_fulfilled, "{read:?} {id}");
        assert_eq!(o.last_updated_at, t.last_update_date, "{read:?} {id}");
        assert_eq!(o.purchased_at, t.purchase_date, "{read:?} {id}");
        let priced = t.items.iter().all(|i| i.item_price.is_some());
        match &o.totals.order_total {
            Some(total) => {
                assert_eq!(total.amount, t.total, "{read:?} {id}");
                assert_eq!(total.currency, t.currency, "{read:?} {id}");
            }
            // Amazon sends no total while an order is pending.
            None => assert!(!priced, "{read:?} {id}: total missing"),
        }
        assert_eq!(o.lines.len(), t.items.len(), "{read:?} {id}");
        for (line, item) in o.lines.iter().zip(&t.items) {
            let at = format!("{read:?} {id} line {}", item.order_item_id);
            assert_eq!(line.item_id.as_str(), item.order_item_id, "{at}");
            assert_eq!(line.sku.as_deref(), Some(item.seller_sku.as_str()), "{at}");
            assert_eq!(line.quantity_ordered, item.quantity_ordered, "{at}");
            assert_eq!(line.quantity_shipped, item.quantity_shipped, "{at}");
            assert_eq!(
                amount(&line.line_price),
                item.item_price,
                "{at}: line total"
            );
            if let Some(p) = &line.line_price {
                assert_eq!(p.currency, t.currency, "{at}");
            }
            assert_eq!(amount(&line.shipping_price), item.shipping_price, "{at}");
            if read == ReadApi::V0 {
                // v0 reports item tax and promotions per line as the sandbox keeps them
                // (v2026 folds shipping tax and shipping discounts into its breakdowns).
                assert_eq!(amount(&line.tax), item.item_tax, "{at}: tax");
                let promo = amount(&line.promotion_discount).filter(|d| !d.is_zero());
                let want = item.promotion_discount.filter(|d| !d.is_zero());
                assert_eq!(promo, want, "{at}: promotion");
            }
        }
    }
    assert!(per_mp.len() >= 4, "orders in only {per_mp:?}");
    assert_eq!(
        file.counts_by_marketplace(&account_id())
            .await
            .expect("counts"),
        per_mp
    );
    file.close().await;
}

/// No order changed within the import lag: an import now sees the world as it is.
fn assert_world_is_quiet(e: &Env) {
    let lag = e.account.config.import.lag;
    let newest = e.sandbox.orders().iter().map(|o| o.last_update_date).max();
    assert!(
        newest.is_some_and(|t| t < e.sandbox.now() - lag),
        "an order changed within the last {lag}: {newest:?} at {}",
        e.sandbox.now()
    );
}

/// The faults really happened and were retried: the operation answered 429 and 5xx
/// along the way, and 2xx in the end.
fn assert_faults_were_injected(e: &Env, listing: &str) {
    let stats = e.sandbox.stats();
    let s = stats
        .get(listing)
        .unwrap_or_else(|| panic!("no {listing} calls"));
    let count = |code: u16| s.by_status.get(&code).copied().unwrap_or(0);
    assert!(count(429) > 0, "{listing}: {s:?}");
    assert!(count(500) + count(503) > 0, "{listing}: {s:?}");
    assert!(count(200) + count(204) > 0, "{listing}: {s:?}");
}

/// Marks packages shipped in the store the way a host would: whole orders in one
/// package, and multi-line orders in two (first line, then the rest). Returns every
/// (order, package, tracking number) marked.
async fn ship_some(e: &Env) -> BTreeSet<(String, String, String)> {
    // The engine's packages carry no Transparency codes (not modelled yet), and Amazon
    // refuses packages of Transparency items without them: leave those orders alone.
    let transparency: BTreeSet<String> = e
        .sandbox
        .orders()
        .into_iter()
        .filter(|o| o.items.iter().any(|i| i.transparency))
        .map(|o| o.order_id)
        .collect();
    let unshipped: Vec<HostOrder> =
        e.db.orders(&account_id())
            .await
            .expect("orders")
            .into_iter()
            .filter(|h| !h.order.is_fba() && h.order.status.as_v0() == "Unshipped")
            .filter(|h| !transparency.contains(h.order.id.as_str()))
            // A warehouse stops the pick of an order the buyer asked to cancel (the
            // engine refuses to confirm it: tested on its own).
            .filter(|h| h.order.open_cancel_requests().is_empty())
            .collect();
    assert!(
        unshipped.len() >= 40,
        "only {} unshipped MFN orders",
        unshipped.len()
    );
    let carriers = ["UPS", "FedEx", "DHL"];
    let ship_date = e.clock.now() - Duration::minutes(1);
    let mut marked = BTreeSet::new();
    for (n, h) in unshipped.iter().take(40).enumerate() {
        let id = &h.order.id;
        let carrier = carriers[n % carriers.len()];
        let split = n % 2 == 0 && h.order.lines.len() > 1;
        let packages: Vec<ShippedPackage> = if split {
            let (first, rest) = h.order.lines.split_at(1);
            let one = ShippedPackage::new(carrier, format!("TRK{n:04}A"), ship_date)
                .item(first[0].item_id.clone(), first[0].quantity_ordered);
            let two = rest.iter().fold(
                ShippedPackage::new(carrier, format!("TRK{n:04}B"), ship_date),
                |p, l| p.item(l.item_id.clone(), l.quantity_ordered),
            );
            vec![one, two]
        } else {
            vec![ShippedPackage::new(carrier, format!("TRK{n:04}A"), ship_date).service("Ground")]
        };
        for p in packages {
            let tracking = p.tracking_number.clone();
            let package: PackageRef =
                e.db.mark_shipped(&account_id(), id, p)
                    .await
                    .expect("mark shipped");
            marked.insert((
                id.as_str().to_owned(),
                package.as_str().to_owned(),
                tracking,
            ));
        }
    }
    assert!(marked.len() > 40, "some orders should ship in two packages");
    marked
}

/// Runs the export until nothing is left to send (a 5xx on `confirmShipment`, which the
/// client does not repeat, leaves that package's outcome unknown: after its backoff it is
/// verified on the sandbox and sent again only when absent).
async fn export_all(e: &Env) -> u64 {
    let mut exported = 0;
    for _ in 0..40 {
        let r = e
            .engine
            .run(&e.account, JobKind::ExportShipments, &Shutdown::never())
            .await;
        exported += r.counts.exported;
        assert_eq!(
            r.counts.refused + r.counts.rejected + r.counts.held,
            0,
            "{r:?}"
        );
        let open = e.db.outbox_open(&account_id(), 1000).await.expect("outbox");
        if r.outcome == RunOutcome::Completed && open.is_empty() {
            return exported;
        }
        // Orders v0 shows no packages: an unknown outcome waits for an operator, who
        // looks at Seller Central (here: the sandbox) and settles it.
        if !e.account.amazon.shows_packages() {
            let now = e.clock.now();
            let on_amazon = e.sandbox.confirmed_shipments();
            for entry in open {
                let Some(s) = entry.payload.as_shipment() else {
                    continue;
                };
                if !matches!(entry.status, OutboxStatus::Unknown { .. })
                    || entry.next_attempt_at <= now + Duration::days(1)
                {
                    continue;
                }
                let there = on_amazon.iter().any(|c| {
                    c.order_id == s.amazon_order_id.as_str()
                        && c.package_reference_id == s.package.as_str()
                        && c.tracking_number == s.tracking_number
                });
                let status = if there {
                    exported += 1;
                    OutboxStatus::Confirmed { at: now }
                } else {
                    OutboxStatus::Pending
                };
                let finish = order_sync_core::state::Finish {
                    version: entry.version,
                    status,
                    next_attempt_at: now,
                    last_error: None,
                };
                assert!(
                    e.db.outbox_finish(
                        &account_id(),
                        entry.kind(),
                        &entry.subject(),
                        None,
                        &finish,
                        now
                    )
                    .await
                    .expect("operator")
                );
            }
        }
        // Entries whose outcome was unknown (a 5xx) wait out their backoff.
        e.advance(600);
    }
    panic!("the export never completed");
}

async fn import_then_export(read: ReadApi, seed: u64, listing: &str) {
    let e = env(read, seed).await;
    assert_eq!(e.sandbox.orders().len(), ORDERS);
    // Two days on, every generated order has finished its life cycle (paid, shipped by
    // Amazon or waiting for the seller) and no arrivals come: the world holds still, so
    // after the import the store can equal it exactly (nothing hides in the lag).
    e.advance(2 * 86_400);
    assert_world_is_quiet(&e);
    e.import().await;
    assert_store_equals_sandbox(&e, read).await;
    assert_faults_were_injected(&e, listing);

    // The host ships some orders; the export confirms exactly those packages.
    let marked = ship_some(&e).await;
    let exported = export_all(&e).await;
    assert_eq!(exported, marked.len() as u64);
    // Some confirmations were throttled (retried by the client) and some failed with a
    // 5xx (not repeated by the client: the next run sent them again).
    assert_faults_were_injected(&e, "confirmShipment");
    let confirmed = e.sandbox.confirmed_shipments();
    let got: Vec<(String, String, String)> = confirmed
        .iter()
        .map(|c| {
            (
                c.order_id.clone(),
                c.package_reference_id.clone(),
                c.tracking_number.clone(),
            )
        })
        .collect();
    let unique: BTreeSet<(String, String, String)> = got.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        got.len(),
        "a package was confirmed twice: {got:?}"
    );
    assert_eq!(unique, marked);
    assert!(confirmed.iter().all(|c| !c.replaced_earlier));
    // Writes applied whose answer was lost (commit_drop) or was a 500 (commit_500) were
    // verified, not sent again: Amazon accepted exactly one confirmation per package.
    let totals = e.sandbox.package_totals();
    assert_eq!(
        totals.accepted_confirmations,
        marked.len() as u64,
        "{totals:?}"
    );
    assert_eq!(totals.written_packages, marked.len() as u64, "{totals:?}");
    for (order, package, _) in &marked {
        let result =
            e.db.shipment_result(
                &account_id(),
                &AmazonOrderId::new(order.clone()),
                &PackageRef::new(package.clone()),
            )
            .await
            .expect("result");
        assert!(
            matches!(result, Some(ShipmentResult::Confirmed { .. })),
            "{order}/{package}: {result:?}"
        );
    }
    let outbox = e.db.outbox_all(&account_id()).await.expect("outbox");
    assert_eq!(outbox.len(), marked.len());
    assert!(
        outbox
            .iter()
            .all(|o| matches!(o.status, OutboxStatus::Confirmed { .. })),
        "{outbox:?}"
    );

    // Running again sends nothing; a later import brings the shipped statuses home.
    assert_eq!(export_all(&e).await, 0);
    assert_eq!(e.sandbox.confirmed_shipments().len(), marked.len());
    e.advance(600);
    assert_world_is_quiet(&e);
    e.import().await;
    assert_store_equals_sandbox(&e, read).await;
    e.db.close().await;
}

#[tokio::test]
async fn v2026_imports_2000_orders_into_sqlite_and_confirms_marked_packages_once() {
    import_then_export(ReadApi::V2026, 2026, "searchOrders").await;
}

#[tokio::test]
async fn v0_imports_2000_orders_into_sqlite_and_confirms_marked_packages_once() {
    import_then_export(ReadApi::V0, 1999, "getOrders").await;
}
