//! Orders v0 listing and reads: validation, paging, cursors, headers, rate limits.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use amazon_sandbox::{OrderStatus, RateLimit};
use common::{Env, manual};
use serde_json::Value;

const US: &str = "ATVPDKIKX0DER";

async fn invalid(env: &Env, query: &str) -> String {
    let a = env.get(&format!("/orders/v0/orders?{query}")).await;
    assert_eq!(a.status, 400, "{query}: {}", a.text);
    let (code, msg) = a.error();
    assert_eq!(code, "InvalidInput");
    assert!(
        a.header("x-amzn-RateLimit-Limit").is_some(),
        "400s carry the rate header"
    );
    msg
}

#[tokio::test]
async fn get_orders_validation() {
    let env = Env::new(manual(3, 10).rate_limits(false)).await;
    let ca = "CreatedAfter=2026-05-01T00:00:00Z";
    assert!(invalid(&env, ca).await.contains("MarketplaceIds"));
    assert!(
        invalid(&env, &format!("MarketplaceIds={US}"))
            .await
            .contains("CreatedAfter")
    );
    invalid(
        &env,
        &format!("MarketplaceIds={US}&{ca}&LastUpdatedAfter=2026-05-01T00:00:00Z"),
    )
    .await;
    invalid(
        &env,
        &format!("MarketplaceIds={US}&{ca}&LastUpdatedBefore=2026-05-02T00:00:00Z"),
    )
    .await;
    invalid(&env, &format!("MarketplaceIds={US}&LastUpdatedAfter=2026-05-01T00:00:00Z&CreatedBefore=2026-05-02T00:00:00Z")).await;
    // Before-bounds must be two minutes before sandbox-now (12:00:00).
    let msg = invalid(
        &env,
        &format!("MarketplaceIds={US}&{ca}&CreatedBefore=2026-06-01T11:59:00Z"),
    )
    .await;
    assert!(msg.contains("two minutes"), "{msg}");
    let ok = env
        .get(&format!(
            "/orders/v0/orders?MarketplaceIds={US}&{ca}&CreatedBefore=2026-06-01T11:58:00Z"
        ))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    invalid(
        &env,
        &format!("MarketplaceIds={US}&{ca}&CreatedBefore=2026-04-01T00:00:00Z"),
    )
    .await;
    invalid(
        &env,
        &format!("MarketplaceIds={US}&CreatedAfter=2026-06-02T00:00:00Z"),
    )
    .await;
    invalid(
        &env,
        &format!("MarketplaceIds={US}&CreatedAfter=TEST_CASE_400"),
    )
    .await;
    for n in ["0", "101", "ten"] {
        invalid(
            &env,
            &format!("MarketplaceIds={US}&{ca}&MaxResultsPerPage={n}"),
        )
        .await;
    }
    invalid(&env, &format!("MarketplaceIds=XXXX&{ca}")).await;
    // Known marketplace the seller does not sell in.
    invalid(&env, &format!("MarketplaceIds=A2Q3Y263D00KWC&{ca}")).await;
    let many = vec![US; 51].join(",");
    invalid(&env, &format!("MarketplaceIds={many}&{ca}")).await;
    invalid(
        &env,
        &format!("MarketplaceIds={US}&{ca}&OrderStatuses=Lost"),
    )
    .await;
    invalid(
        &env,
        &format!("MarketplaceIds={US}&{ca}&FulfillmentChannels=FBA"),
    )
    .await;
    invalid(
        &env,
        &format!("MarketplaceIds={US}&{ca}&AmazonOrderIds=123"),
    )
    .await;
    let ids = vec!["111-1111111-1111111"; 51].join(",");
    invalid(
        &env,
        &format!("MarketplaceIds={US}&{ca}&AmazonOrderIds={ids}"),
    )
    .await;
    invalid(
        &env,
        &format!("MarketplaceIds={US}&{ca}&SellerOrderId=SO-1&OrderStatuses=Shipped"),
    )
    .await;
    invalid(&env, &format!("MarketplaceIds={US}&{ca}&NextToken=bogus")).await;
}

fn ids(v: &Value) -> Vec<String> {
    v["payload"]["Orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["AmazonOrderId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn paging_returns_every_order_once_in_last_update_order() {
    let env = Env::new(manual(5, 300).rate_limits(false)).await;
    let mps = env.sb.credentials().marketplace_ids.join(",");
    let base =
        format!("/orders/v0/orders?MarketplaceIds={mps}&LastUpdatedAfter=2026-01-01T00:00:00Z");
    let mut seen = Vec::new();
    let mut dates = Vec::new();
    let mut next: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = match &next {
            Some(t) => format!("{base}&MaxResultsPerPage=37&NextToken={t}"),
            None => format!("{base}&MaxResultsPerPage=37"),
        };
        let a = env.get(&q).await;
        assert_eq!(a.status, 200, "{}", a.text);
        let v = a.json();
        assert_eq!(v["payload"]["LastUpdatedBefore"], "2026-06-01T11:58:00Z");
        for o in v["payload"]["Orders"].as_array().unwrap() {
            dates.push(o["LastUpdateDate"].as_str().unwrap().to_owned());
        }
        seen.extend(ids(&v));
        pages += 1;
        next = v["payload"]["NextToken"].as_str().map(str::to_owned);
        if next.is_none() {
            break;
        }
    }
    assert_eq!(pages, 9);
    assert_eq!(seen.len(), 300);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 300);
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "sorted by LastUpdateDate");

    // A token resent with other filters is refused; with only MarketplaceIds it is accepted.
    let first = env
        .get(&format!("{base}&MaxResultsPerPage=10"))
        .await
        .json();
    let t = first["payload"]["NextToken"].as_str().unwrap();
    let other = env.get(&format!("/orders/v0/orders?MarketplaceIds={mps}&LastUpdatedAfter=2026-02-01T00:00:00Z&NextToken={t}")).await;
    assert_eq!(other.status, 400);
    let legacy = env
        .get(&format!(
            "/orders/v0/orders?MarketplaceIds={mps}&NextToken={t}"
        ))
        .await;
    assert_eq!(legacy.status, 200);
    assert_eq!(
        ids(&legacy.json()).len(),
        100,
        "the page size is per request"
    );
}

#[tokio::test]
async fn incremental_sync_by_last_update_cursor_sees_new_and_changed_orders() {
    let env = Env::new(manual(8, 50).rate_limits(false)).await;
    let mps = env.sb.credentials().marketplace_ids.join(",");
    let list =
        |after: &str| format!("/orders/v0/orders?MarketplaceIds={mps}&LastUpdatedAfter={after}");
    let first = env.get(&list("2026-01-01T00:00:00Z")).await.json();
    let cursor = first["payload"]["LastUpdatedBefore"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(ids(&first).len(), 50);

    let new = env.sb.add_unshipped_mfn_orders(3, Some(US));
    let changed = env
        .sb
        .orders()
        .into_iter()
        .find(|o| o.status == OrderStatus::Unshipped && !o.amazon_fulfilled)
        .unwrap();
    env.sb
        .set_order_status(&changed.order_id, OrderStatus::Canceled)
        .unwrap();
    // Not listed during the two-minute lag…
    let lagging = env.get(&list(&cursor)).await.json();
    assert!(ids(&lagging).iter().all(|i| !new.contains(i)));
    // …listed once the clock moved on.
    env.sb.advance_clock(Duration::from_secs(180));
    let second = env.get(&list(&cursor)).await.json();
    let got = ids(&second);
    for id in &new {
        assert!(got.contains(id), "new order {id} listed");
    }
    assert!(got.contains(&changed.order_id));
    let canceled = second["payload"]["Orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["AmazonOrderId"] == changed.order_id.as_str())
        .unwrap();
    assert_eq!(canceled["OrderStatus"], "Canceled");
}

#[tokio::test]
async fn order_reads_and_headers() {
    let env = Env::new(manual(2, 40)).await;
    let o = env
        .sb
        .orders()
        .into_iter()
        .find(|o| !o.items.is_empty() && o.status == OrderStatus::Shipped)
        .unwrap();
    let a = env.get(&format!("/orders/v0/orders/{}", o.order_id)).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.header("x-amzn-RateLimit-Limit"), Some("0.5"));
    assert_eq!(a.header("x-amzn-RequestId").map(str::len), Some(36));
    let v = a.json();
    assert_eq!(v["payload"]["AmazonOrderId"], o.order_id.as_str());
    assert_eq!(v["payload"]["OrderTotal"]["Amount"], o.total.to_string());
    assert!(
        v["payload"].get("BuyerInfo").is_none(),
        "no PII without an RDT"
    );
    assert!(v["payload"]["ShippingAddress"].get("Name").is_none());

    let items = env
        .get(&format!("/orders/v0/orders/{}/orderItems", o.order_id))
        .await
        .json();
    assert_eq!(items["payload"]["AmazonOrderId"], o.order_id.as_str());
    assert_eq!(
        items["payload"]["OrderItems"].as_array().unwrap().len(),
        o.items.len()
    );
    for (wire, snap) in items["payload"]["OrderItems"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&o.items)
    {
        assert_eq!(wire["OrderItemId"], snap.order_item_id.as_str());
        assert_eq!(
            wire["ItemPrice"]["Amount"],
            snap.item_price.unwrap().to_string()
        );
        assert_eq!(
            wire["ItemTax"]["Amount"],
            snap.item_tax.unwrap().to_string()
        );
    }

    let nf = env.get("/orders/v0/orders/999-9999999-9999999").await;
    assert_eq!((nf.status, nf.error().0.as_str()), (404, "NotFound"));
    assert!(nf.header("x-amzn-RateLimit-Limit").is_some());
    let bad = env.get("/orders/v0/orders/TEST_CASE_400").await;
    assert_eq!((bad.status, bad.error().0.as_str()), (400, "InvalidInput"));

    let sellers = env
        .get("/sellers/v1/marketplaceParticipations")
        .await
        .json();
    let list = sellers["payload"].as_array().unwrap();
    assert_eq!(list.len(), 6);
    assert!(list.iter().any(|p| p["marketplace"]["countryCode"] == "GB"
        && p["marketplace"]["defaultCurrencyCode"] == "GBP"));
}

#[tokio::test]
async fn throttled_past_the_burst_and_refilled_by_the_sandbox_clock() {
    let env = Env::new(manual(4, 10)).await;
    let q = format!("/orders/v0/orders?MarketplaceIds={US}&CreatedAfter=2026-05-01T00:00:00Z");
    for i in 0..20 {
        let a = env.get(&q).await;
        assert_eq!(a.status, 200, "call {i}");
        assert_eq!(a.header("x-amzn-RateLimit-Limit"), Some("0.0167"));
    }
    let t = env.get(&q).await;
    assert_eq!(t.status, 429);
    assert_eq!(
        t.error(),
        (
            "QuotaExceeded".into(),
            "You exceeded your quota for the requested resource.".into()
        )
    );
    assert!(t.header("x-amzn-RequestId").is_some());
    assert!(t.header("x-amzn-RateLimit-Limit").is_none());
    // Other operations have their own buckets.
    assert_eq!(
        env.get("/sellers/v1/marketplaceParticipations")
            .await
            .status,
        200
    );
    // 0.0167/s: one token per ~60 sandbox seconds.
    env.sb.advance_clock(Duration::from_secs(30));
    assert_eq!(env.get(&q).await.status, 429);
    env.sb.advance_clock(Duration::from_secs(31));
    assert_eq!(env.get(&q).await.status, 200);
    assert_eq!(env.get(&q).await.status, 429);
    let s = &env.sb.stats()["getOrders"];
    assert_eq!((s.calls, s.throttled), (24, 3));

    // Overrides and the off switch.
    let env = Env::new(manual(4, 1).rate_limit_override(
        "getOrder",
        RateLimit {
            rate: 1.0,
            burst: 2,
        },
    ))
    .await;
    let one = "/orders/v0/orders/111-1111111-1111111";
    assert_eq!(env.get(one).await.status, 404);
    assert_eq!(env.get(one).await.status, 404);
    assert_eq!(env.get(one).await.status, 429);
    let env = Env::new(manual(4, 1).rate_limits(false)).await;
    for _ in 0..40 {
        assert_eq!(env.get(&q).await.status, 200);
    }
}

#[tokio::test]
async fn cursor_younger_than_the_lag_lists_nothing() {
    let env = Env::new(manual(9, 20).rate_limits(false)).await;
    // Sandbox-now is 12:00:00; the effective LastUpdatedBefore is 11:58:00.
    for after in [
        "2026-06-01T11:59:00Z",
        "2026-06-01T11:58:00Z",
        "2026-06-01T12:00:00Z",
    ] {
        let a = env
            .get(&format!(
                "/orders/v0/orders?MarketplaceIds={US}&LastUpdatedAfter={after}"
            ))
            .await;
        assert_eq!(a.status, 200, "{after}: {}", a.text);
        assert_eq!(
            a.json()["payload"]["LastUpdatedBefore"],
            "2026-06-01T11:58:00Z"
        );
        let b = env
            .get(&format!(
                "/orders/2026-01-01/orders?lastUpdatedAfter={after}"
            ))
            .await;
        assert_eq!(b.status, 200, "{after}: {}", b.text);
    }
}
