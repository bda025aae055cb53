//! The MWS Amazon side end to end: the local sandbox's MWS Orders and Feeds endpoints
//! (Signature Version 2 checked), the real `mws-legacy` client, the engine and the
//! in-memory store. Time is tokio's paused clock (and the sandbox's manual clock for the
//! import), so nothing waits on the wall clock.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use amazon_sandbox::{ClockMode, Sandbox, SandboxConfig};
use mws_legacy::{Client, Credentials, Endpoint};
use order_mapping::Mapper;
use order_sync_core::clock::{Clock, ManualClock, TokioClock};
use order_sync_core::config::AccountConfig;
use order_sync_core::engine::{Account, Engine};
use order_sync_core::host::ShipmentResult;
use order_sync_core::ids::{AccountId, AmazonOrderId, OrderItemId, PackageRef};
use order_sync_core::model::{HostShipment, PackageItem};
use order_sync_core::mws::MwsAmazon;
use order_sync_core::report::{NoopNotifier, RunOutcome};
use order_sync_core::shutdown::Shutdown;
use order_sync_core::state::JobKind;
use store_adapters::memory::{MemoryState, MemoryStore};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const START: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

fn acct() -> AccountId {
    AccountId::new("mws-seller")
}

struct Env {
    sandbox: Sandbox,
    clock: Arc<dyn Clock>,
    store: Arc<MemoryStore>,
    engine: Engine,
    account: Account,
}

fn mws_side(sandbox: &Sandbox, page_size: u32) -> MwsAmazon {
    let creds = sandbox.credentials();
    let client = Client::builder(
        Credentials::new(
            creds.selling_partner_id.clone(),
            creds.mws_access_key_id.clone(),
            creds.mws_secret_key.clone(),
        )
        .with_mws_auth_token(creds.mws_auth_token.clone()),
    )
    .endpoint(Endpoint::custom(&sandbox.base_url()).expect("sandbox URL"))
    // Time is paused: a request timeout would fire while the sandbox works.
    .timeout(None)
    .build()
    .expect("client builds");
    MwsAmazon::new(
        client,
        creds.selling_partner_id.clone(),
        creds.marketplace_ids.clone(),
    )
    .with_page_size(page_size)
}

async fn env(config: SandboxConfig, clock: impl FnOnce(&Sandbox) -> Arc<dyn Clock>) -> Env {
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let amazon = mws_side(&sandbox, 7);
    let store = Arc::new(MemoryStore::new());
    let clock = clock(&sandbox);
    let engine = Engine::builder(Arc::new(MemoryState::new()))
        .store(store.clone())
        .clock(clock.clone())
        .notifier(Arc::new(NoopNotifier))
        .build()
        .unwrap();
    let mut cfg = AccountConfig::new("mws-seller", START - Duration::days(15));
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

#[tokio::test(start_paused = true)]
async fn the_engine_imports_every_sandbox_order_through_mws() {
    let clock = Arc::new(ManualClock::new(START));
    let engine_clock = clock.clone();
    let e = env(
        SandboxConfig::default()
            .seed(23)
            .initial_orders(40)
            .orders_per_hour(0.0)
            // The sandbox clock is manual, so its buckets would never refill; the client
            // still throttles itself by MWS's table (on paused tokio time).
            .rate_limits(false)
            .manual_clock_at(START),
        move |_| engine_clock,
    )
    .await;
    let fresh = e.sandbox.add_unshipped_mfn_orders(3, None);
    assert_eq!(fresh.len(), 3);
    // Let the listing lag pass so every generated order is visible.
    clock.set(e.sandbox.advance_clock(StdDuration::from_secs(600)));
    let r = e
        .engine
        .run(&e.account, JobKind::ImportOrders, &Shutdown::never())
        .await;
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");

    let truth = e.sandbox.orders();
    assert_eq!(truth.len(), 43);
    assert_eq!(e.store.len(), truth.len(), "{r:?}");
    let stats = e.sandbox.stats();
    let calls = |op: &str| stats.get(op).map_or(0, |s| s.calls);
    assert!(
        calls("mws.ListOrdersByNextToken") >= 5,
        "pages of 7 orders: {stats:?}"
    );
    assert_eq!(calls("mws.ListOrderItems"), 43, "one item list per order");
    for t in &truth {
        let held = e
            .store
            .order(&acct(), &AmazonOrderId::new(t.order_id.clone()))
            .unwrap_or_else(|| panic!("{} missing", t.order_id));
        let o = &held.order;
        assert_eq!(o.status.as_v0(), t.status.v0(), "{}", t.order_id);
        assert_eq!(o.marketplace.as_str(), t.marketplace_id);
        assert_eq!(o.purchased_at, t.purchase_date);
        assert_eq!(o.last_updated_at, t.last_update_date);
        assert_eq!(o.is_fba(), t.amazon_fulfilled);
        assert_eq!(o.lines.len(), t.items.len(), "{}", t.order_id);
        for (line, item) in o.lines.iter().zip(&t.items) {
            assert_eq!(line.item_id.as_str(), item.order_item_id);
            assert_eq!(line.sku.as_deref(), Some(item.seller_sku.as_str()));
            assert_eq!(line.quantity_ordered, item.quantity_ordered);
            assert_eq!(line.quantity_shipped, item.quantity_shipped);
            assert_eq!(line.line_price.as_ref().map(|m| m.amount), item.item_price);
            assert_eq!(line.tax.as_ref().map(|m| m.amount), item.item_tax);
            assert_eq!(
                line.shipping_price.as_ref().map(|m| m.amount),
                item.shipping_price
            );
            assert_eq!(
                line.promotion_discount.as_ref().map(|m| m.amount),
                item.promotion_discount
            );
        }
        match &o.totals.order_total {
            Some(total) => {
                assert_eq!(total.amount, t.total, "{}", t.order_id);
                assert_eq!(total.currency, t.currency);
            }
            None => assert_eq!(t.status.v0(), "Pending", "{}: no total", t.order_id),
        }
        if t.amazon_fulfilled {
            assert!(o.recipient.is_none(), "FBA orders keep no address");
            assert_eq!(held.mapped.customer.last, "FBA Orders");
        } else if matches!(t.status.v0(), "Unshipped" | "PartiallyShipped") {
            // MWS sends buyer and address with the order; the import asked for both.
            let r = o.recipient.as_ref().expect("recipient");
            assert!(r.name.is_some(), "{} has no recipient name", t.order_id);
            assert!(!r.address.lines.is_empty(), "{} has no street", t.order_id);
            assert!(r.address.country_code.is_some());
            let b = o.buyer.as_ref().expect("buyer");
            assert!(b.email.is_some(), "{} has no buyer e-mail", t.order_id);
        }
    }
    assert!(
        truth
            .iter()
            .any(|t| !t.amazon_fulfilled && t.status.v0() == "Unshipped"),
        "the seed should have unshipped MFN orders"
    );

    // A second run over the overlap doubles nothing.
    clock.set(e.sandbox.advance_clock(StdDuration::from_secs(60)));
    let again = e
        .engine
        .run(&e.account, JobKind::ImportOrders, &Shutdown::never())
        .await;
    assert_eq!(again.outcome, RunOutcome::Completed, "{again:?}");
    assert_eq!(again.counts.created, 0, "{again:?}");
    assert_eq!(e.store.len(), truth.len());
}

#[tokio::test(start_paused = true)]
async fn marked_shipments_are_confirmed_through_the_feed_exactly_once() {
    // The sandbox clock follows tokio's (paused) clock: while a confirmation waits for its
    // feed, sandbox time passes with it and the feed gets processed. Rate limits on.
    let e = env(
        SandboxConfig::default()
            .seed(5)
            .initial_orders(10)
            .orders_per_hour(0.0)
            .clock(ClockMode::Scaled)
            .time_scale(1.0)
            .start_time(Some(START)),
        |sb| Arc::new(TokioClock::new(sb.now())),
    )
    .await;
    let clock = e.clock.clone();
    let fresh = e.sandbox.add_unshipped_mfn_orders(4, None);
    tokio::time::sleep(StdDuration::from_secs(600)).await;
    let r = e
        .engine
        .run(&e.account, JobKind::ImportOrders, &Shutdown::never())
        .await;
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");

    // Three good packages, and one that ships more than was ordered.
    let mut want = BTreeMap::new();
    for (n, id) in fresh.iter().enumerate() {
        let held = e
            .store
            .order(&acct(), &AmazonOrderId::new(id.clone()))
            .expect("imported");
        let over = n == 3;
        let items: Vec<PackageItem> = held
            .order
            .lines
            .iter()
            .map(|l| PackageItem {
                item_id: OrderItemId::new(l.item_id.as_str()),
                quantity: l.quantity_ordered + u32::from(over),
            })
            .collect();
        let package = PackageRef::new(format!("{}", n + 1));
        let tracking = format!("1Z999AA10{n:08}");
        if !over {
            want.insert(
                id.clone(),
                (package.clone(), tracking.clone(), items.clone()),
            );
        }
        e.store.ship(
            &acct(),
            HostShipment {
                amazon_order_id: held.order.id.clone(),
                package,
                carrier: "UPS".into(),
                service: Some("Ground".into()),
                tracking_number: tracking,
                ship_date: clock.now() - Duration::minutes(1),
                items,
                shipped_despite_cancellation: false,
            },
        );
    }
    let started = tokio::time::Instant::now();
    let r = e
        .engine
        .run(&e.account, JobKind::ExportShipments, &Shutdown::never())
        .await;
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
    assert_eq!(r.counts.exported, 3, "{r:?}");
    assert_eq!(r.counts.rejected, 1, "{r:?}");
    assert!(
        r.errors.iter().any(|m| m.contains("18021")),
        "Amazon's code in the report: {:?}",
        r.errors
    );
    // Each package waited for its feed: processed after 30 s, _DONE_ after 2 minutes,
    // seen at the second status check (60 s polling).
    let waited = started.elapsed();
    assert!(
        waited >= StdDuration::from_secs(4 * 120),
        "four feeds, at least two minutes each: {waited:?}"
    );

    let confirmed = e.sandbox.confirmed_shipments();
    assert_eq!(confirmed.len(), 3, "{confirmed:?}");
    for c in &confirmed {
        let (package, tracking, items) = want
            .get(&c.order_id)
            .unwrap_or_else(|| panic!("unexpected confirmation {c:?}"));
        assert_eq!(c.package_reference_id, package.as_str());
        assert_eq!(&c.tracking_number, tracking);
        assert_eq!(c.carrier_code, "UPS");
        assert!(!c.replaced_earlier);
        let got: Vec<(String, u32)> = items
            .iter()
            .map(|i| (i.item_id.as_str().to_owned(), i.quantity))
            .collect();
        assert_eq!(c.items, got);
        let result =
            e.store
                .shipment_result(&acct(), &AmazonOrderId::new(c.order_id.clone()), package);
        assert!(
            matches!(result, Some(ShipmentResult::Confirmed { .. })),
            "{result:?}"
        );
    }
    let over = AmazonOrderId::new(fresh[3].clone());
    let result = e
        .store
        .shipment_result(&acct(), &over, &PackageRef::new("4"));
    assert!(
        matches!(&result, Some(ShipmentResult::Rejected { message }) if message.starts_with("18021")),
        "{result:?}"
    );

    // Later runs send nothing again.
    for _ in 0..2 {
        tokio::time::sleep(StdDuration::from_secs(300)).await;
        let r = e
            .engine
            .run(&e.account, JobKind::ExportShipments, &Shutdown::never())
            .await;
        assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
        assert_eq!(r.counts.exported, 0, "{r:?}");
    }
    assert_eq!(e.sandbox.confirmed_shipments().len(), 3);
    let submits = e
        .sandbox
        .stats()
        .get("mws.SubmitFeed")
        .map_or(0, |s| s.calls);
    assert_eq!(submits, 4, "one feed per package, none resent");
}

/// The sandbox's clock, for the SP-API client's signing and token expiry.
#[derive(Debug)]
struct SandboxClock(Arc<ManualClock>);

impl spapi_client::Clock for SandboxClock {
    fn now_utc(&self) -> OffsetDateTime {
        self.0.now()
    }
}

#[tokio::test(start_paused = true)]
async fn mws_and_spapi_v0_read_the_same_sandbox_orders_alike() {
    use order_sync_core::amazon::{AmazonSideExt, Include, OrderQuery};
    use order_sync_core::spapi::{ReadApi, SpApiAmazon};

    let sandbox = Sandbox::start(
        SandboxConfig::default()
            .seed(31)
            .initial_orders(25)
            .orders_per_hour(0.0)
            .rate_limits(false)
            .manual_clock_at(START),
    )
    .await
    .expect("sandbox starts");
    sandbox.add_unshipped_mfn_orders(3, None);
    let now = sandbox.advance_clock(StdDuration::from_secs(600));
    let clock = Arc::new(ManualClock::new(now));
    let creds = sandbox.credentials();
    let spapi = spapi_client::Client::builder()
        .credentials(spapi_client::LwaCredentials {
            client_id: creds.client_id.clone(),
            client_secret: secrecy::SecretString::from(creds.client_secret.clone()),
            refresh_token: secrecy::SecretString::from(creds.refresh_token.clone()),
        })
        .endpoint(sandbox.base_url())
        .lwa_endpoint(sandbox.lwa_url())
        .clock(SandboxClock(clock))
        .build()
        .expect("SP-API client builds");
    let v0 = SpApiAmazon::new(spapi, ReadApi::V0, creds.marketplace_ids.clone());
    let mws = mws_side(&sandbox, 100);
    let q = OrderQuery {
        marketplaces: Vec::new(),
        updated_after: START - Duration::days(15),
        updated_before: Some(now - Duration::minutes(3)),
        channels: None,
        include: Include {
            buyer: true,
            recipient: true,
        },
    };
    let (mut a, _) = mws.list_all_orders(&q).await.expect("MWS lists");
    let (mut b, _) = v0.list_all_orders(&q).await.expect("v0 lists");
    a.sort_by(|x, y| x.id.cmp(&y.id));
    b.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(a.len(), 28);
    assert_eq!(a.len(), b.len());
    let mut with_company = 0;
    for (m, s) in a.iter().zip(&b) {
        assert_eq!(m.id, s.id);
        // MWS addresses have no company line (v0 added `CompanyName`): the one field the
        // MWS side cannot carry.
        let mut s = s.clone();
        if let Some(r) = &mut s.recipient {
            with_company += usize::from(r.company.take().is_some());
        }
        // The sandbox's MWS ListOrderItems does not render `BuyerRequestedCancel` yet
        // (its SP-API v0 answer does): compare the rest.
        for l in &mut s.lines {
            l.buyer_cancel_request = None;
        }
        assert_eq!(m.recipient.as_ref().and_then(|r| r.company.clone()), None);
        assert_eq!(*m, s, "{} differs", m.id);
    }
    assert!(
        a.iter().any(|o| o.buyer.is_some()) && a.iter().any(|o| o.recipient.is_some()),
        "PII compared too"
    );
    assert!(with_company > 0, "the seed has business recipients");
    assert!(
        a.iter().any(|o| o
            .lines
            .iter()
            .any(|l| l.gift.as_ref().is_some_and(|g| g.message.is_some()))),
        "the seed has gift messages"
    );
    assert!(a.iter().any(|o| o.is_fba()) && a.iter().any(|o| !o.is_fba()));
}

#[tokio::test(start_paused = true)]
async fn faults_on_the_mws_endpoints_lose_and_double_nothing() {
    let clock = Arc::new(ManualClock::new(START));
    let engine_clock = clock.clone();
    let e = env(
        SandboxConfig::default()
            .seed(41)
            .initial_orders(30)
            .orders_per_hour(0.0)
            .rate_limits(false)
            .manual_clock_at(START),
        move |_| engine_clock,
    )
    .await;
    // Throttling and server errors (retried by the client), dropped connections and
    // malformed XML (a failed run, retried by the next).
    e.sandbox.set_faults(
        "429=10%,500=5%,drop=3%,malformed=4%"
            .parse()
            .expect("fault spec"),
    );
    clock.set(e.sandbox.advance_clock(StdDuration::from_secs(600)));
    let mut failed = Vec::new();
    let mut completed = false;
    for _ in 0..30 {
        let r = e
            .engine
            .run(&e.account, JobKind::ImportOrders, &Shutdown::never())
            .await;
        match r.outcome {
            RunOutcome::Completed => {
                completed = true;
                break;
            }
            _ => failed.push(r.errors.join("; ")),
        }
        clock.set(e.sandbox.advance_clock(StdDuration::from_secs(60)));
    }
    assert!(completed, "never completed: {failed:?}");
    let truth = e.sandbox.orders();
    assert_eq!(e.store.len(), truth.len(), "failed runs: {failed:?}");
    for t in &truth {
        let held = e
            .store
            .order(&acct(), &AmazonOrderId::new(t.order_id.clone()))
            .unwrap_or_else(|| panic!("{} lost", t.order_id));
        assert_eq!(held.order.last_updated_at, t.last_update_date);
        assert_eq!(held.order.lines.len(), t.items.len());
    }
    let injected: u64 = e
        .sandbox
        .stats()
        .iter()
        .filter(|(op, _)| op.starts_with("mws."))
        .map(|(_, s)| s.faults_injected)
        .sum();
    assert!(injected > 0, "no fault was injected");
}

#[tokio::test(start_paused = true)]
async fn the_client_keeps_under_the_mws_quotas_the_sandbox_enforces() {
    // Sandbox time follows tokio's paused clock and its MWS buckets refill with it: the
    // client's own throttling must keep every call within MWS's quotas.
    let e = env(
        SandboxConfig::default()
            .seed(17)
            .initial_orders(80)
            .orders_per_hour(0.0)
            .clock(ClockMode::Scaled)
            .time_scale(1.0)
            .start_time(Some(START)),
        |sb| Arc::new(TokioClock::new(sb.now())),
    )
    .await;
    tokio::time::sleep(StdDuration::from_secs(600)).await;
    let started = tokio::time::Instant::now();
    let r = e
        .engine
        .run(&e.account, JobKind::ImportOrders, &Shutdown::never())
        .await;
    let took = started.elapsed();
    assert_eq!(r.outcome, RunOutcome::Completed, "{r:?}");
    let truth = e.sandbox.orders();
    assert_eq!(e.store.len(), truth.len());
    for t in &truth {
        assert!(
            e.store
                .order(&acct(), &AmazonOrderId::new(t.order_id.clone()))
                .is_some(),
            "{} missing",
            t.order_id
        );
    }
    let stats = e.sandbox.stats();
    for (op, s) in stats.iter().filter(|(op, _)| op.starts_with("mws.")) {
        assert_eq!(s.throttled, 0, "{op} was throttled by the sandbox: {s:?}");
    }
    // 80 item lists: 30 from the burst, then one every two seconds; pages of 7 orders:
    // 6 from the ListOrders burst, then one a minute.
    let calls = |op: &str| stats.get(op).map_or(0, |s| s.calls);
    let pages = calls("mws.ListOrders") + calls("mws.ListOrdersByNextToken");
    assert_eq!(calls("mws.ListOrderItems"), 80);
    assert!(pages >= 12, "{pages} listing calls");
    let floor = StdDuration::from_secs(((pages - 6) * 60).max((80 - 30) * 2));
    assert!(
        took >= floor,
        "took {took:?}, at least {floor:?} by MWS quotas"
    );
}
