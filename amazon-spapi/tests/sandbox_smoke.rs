//! The client end to end against the local Amazon emulator (`amazon-sandbox`): the LWA token,
//! a paged order listing, order items, a restricted data token, `confirmShipment`, and a 429
//! that the client honours.
//!
//! Time is tokio's paused clock. The sandbox runs a scaled clock (factor 1), which reads tokio
//! time, so the client's back-off and rate-limit waits refill the sandbox's buckets without a
//! wall-clock sleep. No per-attempt or connect timeout is set: with a paused clock the runtime
//! would jump to those timers while a socket is waited on.

use amazon_sandbox::{OperationStats, OrderSnapshot, Sandbox, SandboxConfig};
use futures::TryStreamExt;
use secrecy::SecretString;
use spapi_client::orders_v0::{
    ConfirmShipmentOrderItem, ConfirmShipmentRequest, DateParam, GetOrderAddress, GetOrdersRequest,
    Order, PackageDetail,
};
use spapi_client::{BackoffConfig, Client, LwaCredentials, RateLimiter, RetryConfig};
use std::collections::BTreeSet;
use std::time::Duration;
use time::OffsetDateTime;
use time::macros::datetime;
use tokio::time::Instant;

const START: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);
const US: &str = "ATVPDKIKX0DER";

/// A deterministic world: fixed seed and start, no new arrivals; the clock follows tokio's.
fn config(seed: u64, orders: usize) -> SandboxConfig {
    SandboxConfig::default()
        .seed(seed)
        .initial_orders(orders)
        .orders_per_hour(0.0)
        .start_time(Some(START))
}

fn client(sb: &Sandbox) -> Client {
    let c = sb.credentials();
    Client::builder()
        .credentials(LwaCredentials {
            client_id: c.client_id,
            client_secret: SecretString::from(c.client_secret),
            refresh_token: SecretString::from(c.refresh_token),
        })
        .endpoint(sb.base_url())
        .lwa_endpoint(sb.lwa_url())
        .retry(RetryConfig {
            max_retries: 4,
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(500),
                max_backoff: Duration::from_secs(8),
                base: 3.0,
            },
            retry_timeout: Duration::from_secs(600),
            attempt_timeout: None,
            max_rate_limit_wait: None,
        })
        .rate_limiter(RateLimiter::new())
        .pool_idle_timeout(None)
        .connect_timeout(None)
        .build()
        .expect("client")
}

fn stats(sb: &Sandbox, operation: &str) -> OperationStats {
    sb.stats().get(operation).cloned().unwrap_or_default()
}

fn snapshot(sb: &Sandbox, id: &str) -> OrderSnapshot {
    sb.orders()
        .into_iter()
        .find(|o| o.order_id == id)
        .unwrap_or_else(|| panic!("{id} not in the sandbox"))
}

/// The v0 spelling of the client's status, to compare with the sandbox's.
fn status(o: &Order) -> String {
    serde_json::to_value(&o.order_status)
        .expect("status")
        .as_str()
        .expect("string status")
        .to_owned()
}

#[tokio::test(start_paused = true)]
async fn token_list_items_rdt_and_confirm_against_the_sandbox() {
    let sb = Sandbox::start(config(17, 40)).await.expect("sandbox");
    // An open MFN order with no Transparency items (the world is seeded: always the same).
    let open = loop {
        let id = sb.add_unshipped_mfn_orders(1, Some(US)).remove(0);
        let o = snapshot(&sb, &id);
        if o.items.iter().all(|i| !i.transparency) {
            break o;
        }
    };
    // Past the listing lag of two minutes, so every order is listed.
    sb.advance_clock(Duration::from_secs(600));
    let client = client(&sb);

    // List: every US order of the world, across pages of five, with the sandbox's status
    // and LastUpdateDate.
    let listed: Vec<Order> = client
        .orders_v0()
        .get_orders_stream(
            GetOrdersRequest::new([US])
                .created_after(DateParam::At(START - time::Duration::days(15)))
                .max_results_per_page(5),
        )
        .try_collect()
        .await
        .expect("getOrders pages");
    let truth: Vec<OrderSnapshot> = sb
        .orders()
        .into_iter()
        .filter(|o| o.marketplace_id == US)
        .collect();
    assert!(truth.len() > 5, "more than one page: {}", truth.len());
    let ids = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<BTreeSet<_>>();
    assert_eq!(
        ids(listed.iter().map(|o| o.amazon_order_id.as_str()).collect()),
        ids(truth.iter().map(|o| o.order_id.as_str()).collect()),
        "listed orders"
    );
    assert_eq!(listed.len(), truth.len(), "no order listed twice");
    for o in &listed {
        let t = snapshot(&sb, &o.amazon_order_id);
        assert_eq!(status(o), t.status.v0(), "{}", o.amazon_order_id);
        assert_eq!(
            o.last_update_date, t.last_update_date,
            "{}",
            o.amazon_order_id
        );
    }
    assert_eq!(
        stats(&sb, "getOrders").calls,
        truth.len().div_ceil(5) as u64,
        "one call per page"
    );

    // Items of the open order, as the sandbox holds them.
    let items = client
        .orders_v0()
        .get_order_items(open.order_id.as_str())
        .await
        .expect("getOrderItems");
    let got: Vec<(String, Option<String>, u32)> = items
        .order_items
        .iter()
        .map(|i| {
            (
                i.order_item_id.clone(),
                i.seller_sku.clone(),
                i.quantity_ordered,
            )
        })
        .collect();
    let want: Vec<(String, Option<String>, u32)> = open
        .items
        .iter()
        .map(|i| {
            (
                i.order_item_id.clone(),
                Some(i.seller_sku.clone()),
                i.quantity_ordered,
            )
        })
        .collect();
    assert_eq!(got, want, "items of {}", open.order_id);

    // Restricted data: without an RDT the address is redacted; the client fetches an RDT for
    // getOrderAddress and the sandbox then answers the recipient's name and street.
    let redacted = client
        .orders_v0()
        .get_order_address(GetOrderAddress::new(open.order_id.as_str()).use_rdt(false))
        .await
        .expect("redacted address");
    let redacted = redacted.shipping_address.expect("shipping address");
    assert!(redacted.name.is_none() && redacted.address_line1.is_none());
    assert_eq!(stats(&sb, "createRestrictedDataToken").calls, 0);
    let full = client
        .orders_v0()
        .get_order_address(open.order_id.as_str())
        .await
        .expect("address with an RDT");
    let full = full.shipping_address.expect("shipping address");
    assert!(full.name.as_deref().is_some_and(|n| !n.is_empty()));
    assert!(full.address_line1.as_deref().is_some_and(|l| !l.is_empty()));
    assert_eq!(stats(&sb, "createRestrictedDataToken").calls, 1);

    // Confirm the whole order: the sandbox records the package, ships the order and moves
    // its LastUpdateDate, and the client reads that back.
    sb.advance_clock(Duration::from_secs(60));
    let ship_date = sb.now() - time::Duration::minutes(5);
    let request = ConfirmShipmentRequest {
        marketplace_id: US.into(),
        cod_collection_method: None,
        package_detail: PackageDetail {
            package_reference_id: "1".into(),
            carrier_code: "UPS".into(),
            carrier_name: None,
            shipping_method: Some("UPS Ground".into()),
            tracking_number: "1Z999AA10123456784".into(),
            ship_date: DateParam::At(ship_date),
            ship_from_supply_source_id: None,
            order_items: open
                .items
                .iter()
                .map(|i| ConfirmShipmentOrderItem {
                    order_item_id: i.order_item_id.clone(),
                    quantity: i.quantity_ordered,
                    transparency_codes: vec![],
                })
                .collect(),
        },
    };
    client
        .orders_v0()
        .confirm_shipment(open.order_id.as_str(), request)
        .await
        .expect("confirmShipment");
    let shipments = sb.confirmed_shipments();
    assert_eq!(shipments.len(), 1);
    let s = &shipments[0];
    assert_eq!(s.order_id, open.order_id);
    assert_eq!(s.tracking_number, "1Z999AA10123456784");
    assert_eq!(s.carrier_code, "UPS");
    assert_eq!(s.ship_date, ship_date.replace_nanosecond(0).expect("ns"));
    assert_eq!(
        s.items,
        open.items
            .iter()
            .map(|i| (i.order_item_id.clone(), i.quantity_ordered))
            .collect::<Vec<_>>()
    );
    let after = client
        .orders_v0()
        .get_order(open.order_id.as_str())
        .await
        .expect("getOrder");
    assert_eq!(status(&after), "Shipped");
    assert!(after.last_update_date > open.last_update_date);
    assert_eq!(
        after.last_update_date,
        snapshot(&sb, &open.order_id).last_update_date
    );

    // One LWA token served every call; nothing was throttled or retried.
    assert_eq!(stats(&sb, "lwaToken").calls, 1, "{:?}", sb.stats());
    for (op, s) in sb.stats() {
        assert_eq!(s.throttled, 0, "{op}: {s:?}");
        assert!(
            s.by_status.keys().all(|c| (200..300).contains(c)),
            "{op}: {s:?}"
        );
    }
}

/// `getOrder` limited to one call per ten seconds with a burst of one on the sandbox, while the
/// client starts from the published 0.5/s and a burst of 30: the second call is throttled. The
/// client must wait for the bucket before it retries: exactly one 429, three calls in all.
#[tokio::test(start_paused = true)]
async fn a_429_is_honoured_with_one_retry_after_the_bucket_refills() {
    let one_per_10s = amazon_sandbox::RateLimit {
        rate: 0.1,
        burst: 1,
    };
    let sb = Sandbox::start(config(5, 10).rate_limit_override("getOrder", one_per_10s))
        .await
        .expect("sandbox");
    let id = sb.orders()[0].order_id.clone();
    let client = client(&sb);

    let first = client
        .orders_v0()
        .get_order(id.as_str())
        .await
        .expect("first");
    let t0 = Instant::now();
    let second = client
        .orders_v0()
        .get_order(id.as_str())
        .await
        .expect("second, after a 429");
    let waited = t0.elapsed();
    assert_eq!(first.amazon_order_id, id);
    assert_eq!(second.amazon_order_id, id);

    let s = stats(&sb, "getOrder");
    assert_eq!(s.calls, 3, "{s:?}");
    assert_eq!(s.throttled, 1, "{s:?}");
    assert_eq!(s.by_status.get(&429), Some(&1), "{s:?}");
    assert_eq!(s.by_status.get(&200), Some(&2), "{s:?}");
    // The retry went out only once the sandbox's bucket had a token again (10 s at 0.1/s).
    assert!(waited >= Duration::from_secs(10), "{waited:?}");
    // The client now paces getOrder by the sandbox's x-amzn-RateLimit-Limit, not the
    // published 0.5/s.
    let limit = client.current_rate_limit("getOrder").expect("bucket");
    assert!((limit.rate - one_per_10s.rate).abs() < 1e-3, "{limit:?}");
}
