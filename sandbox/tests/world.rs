//! The world inside: determinism under a seed, realistic mixes, life cycles, time scaling,
//! and the control API.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use amazon_sandbox::{ClockMode, OrderStatus, Sandbox, SandboxConfig};
use common::{Env, manual, start};
use serde_json::{Value, json};

async fn all_orders_v0(env: &Env, token: &str) -> Vec<Value> {
    let mps = env.sb.credentials().marketplace_ids.join(",");
    let base = format!("/orders/v0/orders?MarketplaceIds={mps}&CreatedAfter=2025-01-01T00:00:00Z");
    let mut out = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let q = match &next {
            Some(t) => format!("{base}&NextToken={t}"),
            None => base.clone(),
        };
        let a = env.get_with(&q, Some(token)).await;
        assert_eq!(a.status, 200, "{}", a.text);
        let v = a.json();
        out.extend(v["payload"]["Orders"].as_array().unwrap().iter().cloned());
        next = v["payload"]["NextToken"].as_str().map(str::to_owned);
        if next.is_none() {
            return out;
        }
    }
}

#[tokio::test]
async fn same_seed_same_world() {
    let a = Env::new(manual(77, 200).rate_limits(false)).await;
    let b = Env::new(manual(77, 200).rate_limits(false)).await;
    let c = Env::new(manual(78, 200).rate_limits(false)).await;
    let (ta, tb, tc) = (a.token.clone(), b.token.clone(), c.token.clone());
    let (oa, ob, oc) = (
        all_orders_v0(&a, &ta).await,
        all_orders_v0(&b, &tb).await,
        all_orders_v0(&c, &tc).await,
    );
    assert_eq!(oa.len(), 200);
    assert_eq!(oa, ob);
    assert_ne!(oa, oc);
    // Moving the clock and adding orders stays deterministic too.
    for env in [&a, &b] {
        env.sb.add_orders(5);
        env.sb.advance_clock(Duration::from_secs(7200));
    }
    assert_eq!(a.sb.orders(), b.sb.orders());
    let id = a.sb.orders()[17].order_id.clone();
    let path = format!("/orders/v0/orders/{id}/orderItems");
    assert_eq!(a.get(&path).await.text, b.get(&path).await.text);
}

#[tokio::test]
async fn realistic_mix() {
    let env = Env::new(manual(5, 1500).rate_limits(false)).await;
    let rdt = env.rdt(json!([{"method": "GET", "path": "/orders/v0/orders", "dataElements": ["buyerInfo", "shippingAddress"]}])).await;
    let orders = all_orders_v0(&env, &rdt).await;
    assert_eq!(orders.len(), 1500);
    let count = |f: &dyn Fn(&Value) -> bool| orders.iter().filter(|o| f(o)).count();
    let currencies: HashSet<&str> = orders
        .iter()
        .filter_map(|o| o["OrderTotal"]["CurrencyCode"].as_str())
        .collect();
    assert!(currencies.len() >= 4, "{currencies:?}");
    let marketplaces: HashSet<&str> = orders
        .iter()
        .filter_map(|o| o["MarketplaceId"].as_str())
        .collect();
    assert_eq!(marketplaces.len(), 6);
    let afn = count(&|o| o["FulfillmentChannel"] == "AFN");
    assert!((350..=700).contains(&afn), "AFN {afn}");
    assert!(count(&|o| o["IsPrime"] == true) > 200);
    assert!(count(&|o| o["IsBusinessOrder"] == true) > 50);
    assert!(count(&|o| o["IsPremiumOrder"] == true) > 20);
    assert!(count(&|o| o["OrderStatus"] == "Canceled") > 10);
    assert!(count(&|o| o["OrderStatus"] == "Shipped") > 500);
    assert!(count(&|o| o["OrderStatus"] == "Unshipped") > 10);
    let non_ascii = count(&|o| {
        o["ShippingAddress"]["Name"]
            .as_str()
            .is_some_and(|n| !n.is_ascii())
    });
    assert!(non_ascii > 100, "non-ASCII names {non_ascii}");
    assert!(
        count(&|o| o["ShippingAddress"]["City"]
            .as_str()
            .is_some_and(|n| !n.is_ascii()))
            > 100
    );
    let snap = env.sb.orders();
    assert!(
        snap.iter().filter(|o| o.items.len() > 1).count() > 200,
        "multi-line orders"
    );
    assert!(
        snap.iter()
            .any(|o| o.items.iter().any(|i| i.buyer_cancel_requested)),
        "buyer cancel requests"
    );
    // Gifts and promotions show on the items.
    let mut gifts = 0;
    let mut promos = 0;
    for o in snap
        .iter()
        .filter(|o| o.status == OrderStatus::Shipped)
        .take(300)
    {
        let v = env
            .get(&format!("/orders/v0/orders/{}/orderItems", o.order_id))
            .await
            .json();
        for i in v["payload"]["OrderItems"].as_array().unwrap() {
            gifts += usize::from(i["IsGift"] == "true");
            promos += usize::from(i.get("PromotionIds").is_some());
            assert!(i["ItemTax"]["Amount"].as_str().is_some());
        }
    }
    assert!(
        gifts > 0 && promos > 20,
        "gifts {gifts}, promotions {promos}"
    );
}

#[tokio::test]
async fn statuses_move_on_with_the_clock() {
    let env = Env::new(manual(6, 0)).await;
    let ids = env.sb.add_orders(200);
    let status = |s: OrderStatus| env.sb.orders().iter().filter(|o| o.status == s).count();
    assert_eq!(
        status(OrderStatus::Pending) + status(OrderStatus::PendingAvailability),
        200
    );
    env.sb.advance_clock(Duration::from_secs(3600));
    assert!(status(OrderStatus::Unshipped) > 150, "paid within the hour");
    assert!(status(OrderStatus::Canceled) >= 1);
    env.sb.advance_clock(Duration::from_secs(48 * 3600));
    let snap = env.sb.orders();
    for o in snap.iter().filter(|o| ids.contains(&o.order_id)) {
        if o.amazon_fulfilled
            && o.status != OrderStatus::Canceled
            && o.status != OrderStatus::PendingAvailability
        {
            assert_eq!(o.status, OrderStatus::Shipped, "Amazon ships AFN orders");
        }
        if !o.amazon_fulfilled
            && o.status != OrderStatus::Canceled
            && o.status != OrderStatus::PendingAvailability
        {
            assert_eq!(o.status, OrderStatus::Unshipped, "MFN waits for the seller");
        }
        assert!(o.last_update_date >= o.purchase_date);
    }
}

#[tokio::test(start_paused = true)]
async fn time_scale_speeds_up_clock_and_arrivals() {
    let cfg = SandboxConfig::default()
        .seed(3)
        .initial_orders(0)
        .orders_per_hour(120.0)
        .time_scale(60.0)
        .start_time(Some(start()));
    assert_eq!(cfg.clock, ClockMode::Scaled);
    let sb = Sandbox::start(cfg).await.unwrap();
    tokio::time::advance(Duration::from_secs(60)).await;
    // One real minute at K = 60 is one sandbox hour.
    assert_eq!(sb.now(), start() + time::Duration::hours(1));
    let n = sb.orders().len();
    assert!(
        (80..=170).contains(&n),
        "about 120 orders per sandbox hour, got {n}"
    );
    tokio::time::advance(Duration::from_secs(60)).await;
    assert_eq!(sb.now(), start() + time::Duration::hours(2));
    assert!(sb.orders().len() > n);
}

#[tokio::test]
async fn control_api_over_http() {
    let env = Env::new(manual(7, 3)).await;
    let post = |path: &str, body: Value| {
        let rq = env.http.post(env.url(path)).json(&body);
        async move { common::answer(rq.send().await.unwrap()).await }
    };
    let created = post("/_sandbox/orders", json!({"count": 2, "fulfillmentChannel": "MFN", "status": "Unshipped", "marketplaceId": "A1F83G8C2ARO7P"})).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let ids: Vec<String> = serde_json::from_value(created.json()["orderIds"].clone()).unwrap();
    assert_eq!(ids.len(), 2);
    let o = env
        .get(&format!("/orders/v0/orders/{}", ids[0]))
        .await
        .json();
    assert_eq!(o["payload"]["OrderStatus"], "Unshipped");
    assert_eq!(o["payload"]["FulfillmentChannel"], "MFN");
    assert_eq!(o["payload"]["OrderTotal"]["CurrencyCode"], "GBP");

    assert_eq!(
        post(
            &format!("/_sandbox/orders/{}/buyer-cancel-request", ids[0]),
            json!({})
        )
        .await
        .status,
        200
    );
    let items = env
        .get(&format!("/orders/v0/orders/{}/orderItems", ids[0]))
        .await
        .json();
    assert_eq!(
        items["payload"]["OrderItems"][0]["BuyerRequestedCancel"]["IsBuyerRequestedCancel"],
        "true"
    );
    assert_eq!(
        post(
            &format!("/_sandbox/orders/{}/status", ids[0]),
            json!({"status": "Canceled"})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        post(
            &format!("/_sandbox/orders/{}/status", ids[0]),
            json!({"status": "Unshipped"})
        )
        .await
        .status,
        400
    );
    assert_eq!(
        post(
            &format!("/_sandbox/orders/{}/status", ids[1]),
            json!({"status": "Shipped"})
        )
        .await
        .status,
        200
    );

    let clock = post("/_sandbox/clock/advance", json!({"seconds": 90}))
        .await
        .json();
    assert_eq!(clock["now"], "2026-06-01T12:01:30Z");
    assert_eq!(clock["mode"], "manual");

    let f = env
        .http
        .put(env.url("/_sandbox/faults"))
        .json(&json!({"spec": "getOrder:500=1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(f.status().as_u16(), 200);
    assert_eq!(
        env.get(&format!("/orders/v0/orders/{}", ids[1]))
            .await
            .status,
        500
    );
    let bad = env
        .http
        .put(env.url("/_sandbox/faults"))
        .json(&json!({"spec": "getOrder:500=7"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);

    let stats: Value = env
        .http
        .get(env.url("/_sandbox/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["operations"]["getOrder"]["calls"], 2);
    assert_eq!(stats["operations"]["getOrder"]["faultsInjected"], 1);
    let reset = env
        .http
        .delete(env.url("/_sandbox/stats"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status().as_u16(), 200);
    assert!(env.sb.stats().is_empty());
    let orders: Value = env
        .http
        .get(env.url("/_sandbox/orders"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(orders["orders"].as_array().unwrap().len(), 5);
    assert_eq!(
        env.http
            .get(env.url("/_sandbox/nope"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    let index: Value = env
        .http
        .get(env.url("/_sandbox"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(index["endpoints"].as_array().unwrap().len() >= 10);
}
