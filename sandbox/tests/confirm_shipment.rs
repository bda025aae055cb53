//! confirmShipment: what Amazon checks, status moves, repeats and edits.

mod common;

use std::time::Duration;

use amazon_sandbox::OrderStatus;
use common::{Env, iso, manual};
use serde_json::{Value, json};

const DE: &str = "A1PA6795UKMFR9";

/// A multi-line open MFN order (the generator is seeded, so this is stable).
fn multi_line(env: &Env) -> amazon_sandbox::OrderSnapshot {
    loop {
        let id = env.sb.add_unshipped_mfn_orders(1, Some(DE)).remove(0);
        let o = common::order(&env.sb, &id);
        if o.items.len() >= 2 && o.items.iter().all(|i| !i.transparency) {
            return o;
        }
    }
}

fn body(env: &Env, reference: &str, items: Value) -> Value {
    json!({
        "marketplaceId": DE,
        "packageDetail": {
            "packageReferenceId": reference,
            "carrierCode": "DHL",
            "shippingMethod": "Paket",
            "trackingNumber": "00340434161094042557",
            "shipDate": iso(env.sb.now() - time::Duration::minutes(5)),
            "orderItems": items,
        }
    })
}

async fn confirm(env: &Env, id: &str, b: &Value) -> common::Answer {
    env.post(&format!("/orders/v0/orders/{id}/shipmentConfirmation"), b)
        .await
}

#[tokio::test]
async fn partial_then_full_shipment_moves_status_and_last_update() {
    let env = Env::new(manual(21, 0)).await;
    let o = multi_line(&env);
    env.sb.advance_clock(Duration::from_secs(600));
    let first = &o.items[0];
    let a = confirm(
        &env,
        &o.order_id,
        &body(
            &env,
            "1",
            json!([{"orderItemId": first.order_item_id, "quantity": first.quantity_ordered}]),
        ),
    )
    .await;
    assert_eq!(a.status, 204, "{}", a.text);
    assert!(a.text.is_empty());
    assert_eq!(a.header("x-amzn-RateLimit-Limit"), Some("2"));
    let now = common::order(&env.sb, &o.order_id);
    assert_eq!(now.status, OrderStatus::PartiallyShipped);
    assert!(now.last_update_date > o.last_update_date);
    assert_eq!(now.last_update_date, env.sb.now());

    let rest: Vec<Value> = o.items[1..]
        .iter()
        .map(|i| json!({"orderItemId": i.order_item_id, "quantity": i.quantity_ordered}))
        .collect();
    let a = confirm(&env, &o.order_id, &body(&env, "2", Value::Array(rest))).await;
    assert_eq!(a.status, 204, "{}", a.text);
    let done = common::order(&env.sb, &o.order_id);
    assert_eq!(done.status, OrderStatus::Shipped);
    assert!(
        done.items
            .iter()
            .all(|i| i.quantity_shipped == i.quantity_ordered)
    );

    // v0 and v2026 reads agree.
    let v0 = env
        .get(&format!("/orders/v0/orders/{}", o.order_id))
        .await
        .json();
    assert_eq!(v0["payload"]["OrderStatus"], "Shipped");
    assert_eq!(v0["payload"]["NumberOfItemsUnshipped"], 0);
    let v26 = env
        .get(&format!(
            "/orders/2026-01-01/orders/{}?includedData=FULFILLMENT,PACKAGES",
            o.order_id
        ))
        .await
        .json();
    assert_eq!(v26["order"]["fulfillment"]["fulfillmentStatus"], "SHIPPED");
    assert_eq!(v26["order"]["packages"].as_array().unwrap().len(), 2);
    assert_eq!(v26["order"]["packages"][0]["carrier"], "DHL");

    let shipments = env.sb.confirmed_shipments();
    assert_eq!(shipments.len(), 2);
    assert_eq!(shipments[0].package_reference_id, "1");
    let control = env
        .http
        .get(env.url("/_sandbox/shipments"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(control["shipments"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn repeated_package_is_idempotent_and_a_changed_one_is_an_edit() {
    let env = Env::new(manual(22, 0)).await;
    let o = multi_line(&env);
    env.sb.advance_clock(Duration::from_secs(600));
    let i = &o.items[0];
    let b = body(
        &env,
        "7",
        json!([{"orderItemId": i.order_item_id, "quantity": 1}]),
    );
    assert_eq!(confirm(&env, &o.order_id, &b).await.status, 204);
    let after_first = common::order(&env.sb, &o.order_id);
    env.sb.advance_clock(Duration::from_secs(60));
    // Identical repeat: accepted, nothing changes.
    assert_eq!(confirm(&env, &o.order_id, &b).await.status, 204);
    let after_repeat = common::order(&env.sb, &o.order_id);
    assert_eq!(after_first, after_repeat);
    assert_eq!(env.sb.confirmed_shipments().len(), 1);
    // Same package, new tracking: the package is replaced, not added.
    let mut edit = b.clone();
    edit["packageDetail"]["trackingNumber"] = json!("00340434161094099999");
    assert_eq!(confirm(&env, &o.order_id, &edit).await.status, 204);
    let after_edit = common::order(&env.sb, &o.order_id);
    assert_eq!(after_edit.items[0].quantity_shipped, 1);
    assert!(after_edit.last_update_date > after_first.last_update_date);
    let s = env.sb.confirmed_shipments();
    assert_eq!(s.len(), 2);
    assert!(s[1].replaced_earlier);
    let v26 = env
        .get(&format!(
            "/orders/2026-01-01/orders/{}?includedData=PACKAGES",
            o.order_id
        ))
        .await
        .json();
    assert_eq!(v26["order"]["packages"].as_array().unwrap().len(), 1);
    assert_eq!(
        v26["order"]["packages"][0]["trackingNumber"],
        "00340434161094099999"
    );
}

#[tokio::test]
async fn what_amazon_checks() {
    let env = Env::new(manual(23, 0).rate_limits(false)).await;
    let o = multi_line(&env);
    env.sb.advance_clock(Duration::from_secs(600));
    let id = &o.order_id;
    let item = &o.items[0];
    let good = body(
        &env,
        "1",
        json!([{"orderItemId": item.order_item_id, "quantity": 1}]),
    );

    let expect_400 = |b: Value, what: &'static str| {
        let env = &env;
        async move {
            let a = confirm(env, id, &b).await;
            assert_eq!(a.status, 400, "{what}: {}", a.text);
            assert_eq!(a.error().0, "InvalidInput", "{what}");
            a.error().1
        }
    };
    let mut b = good.clone();
    b["packageDetail"]["carrierCode"] = json!("");
    expect_400(b, "carrier code present").await;
    let mut b = good.clone();
    b["packageDetail"]["carrierCode"] = json!("Other");
    assert!(
        expect_400(b.clone(), "Other needs a name")
            .await
            .contains("carrierName")
    );
    b["packageDetail"]["carrierName"] = json!("Kurier Müller");
    let mut unknown = good.clone();
    unknown["packageDetail"]["carrierCode"] = json!("Kurier Müller");
    assert!(
        expect_400(unknown.clone(), "unknown carrier code")
            .await
            .contains("carrierCode")
    );
    unknown["packageDetail"]["carrierCode"] = json!("dhl");
    expect_400(unknown, "carrier codes are exact").await;
    let mut future = good.clone();
    future["packageDetail"]["shipDate"] = json!(iso(env.sb.now() + time::Duration::hours(1)));
    assert!(
        expect_400(future, "future ship date")
            .await
            .contains("future")
    );
    let mut us_date = good.clone();
    us_date["packageDetail"]["shipDate"] = json!("02/21/2022");
    expect_400(us_date, "date format").await;
    for reference in ["", "abc", "0", "-1"] {
        let mut r = good.clone();
        r["packageDetail"]["packageReferenceId"] = json!(reference);
        expect_400(r, "package reference id").await;
    }
    let mut r = good.clone();
    r["packageDetail"]["trackingNumber"] = json!(" ");
    expect_400(r, "tracking number").await;
    expect_400(
        body(
            &env,
            "1",
            json!([{"orderItemId": "00000000000000", "quantity": 1}]),
        ),
        "item belongs",
    )
    .await;
    expect_400(
        body(
            &env,
            "1",
            json!([{"orderItemId": item.order_item_id, "quantity": item.quantity_ordered + 1}]),
        ),
        "quantity",
    )
    .await;
    expect_400(
        body(
            &env,
            "1",
            json!([{"orderItemId": item.order_item_id, "quantity": 0}]),
        ),
        "zero quantity",
    )
    .await;
    expect_400(body(&env, "1", json!([])), "no items").await;
    let mut mp = good.clone();
    mp["marketplaceId"] = json!("ATVPDKIKX0DER");
    expect_400(mp, "marketplace").await;

    // Other + carrierName is fine.
    assert_eq!(confirm(&env, id, &b).await.status, 204);

    // Unknown order, AFN order, canceled order, pending order.
    assert_eq!(
        confirm(&env, "999-9999999-9999999", &good).await.status,
        404
    );
    let afn = env.sb.orders().into_iter().find(|o| o.amazon_fulfilled);
    let afn = match afn {
        Some(a) => a,
        None => {
            let env2 = Env::new(manual(24, 60).rate_limits(false)).await;
            let a = env2
                .sb
                .orders()
                .into_iter()
                .find(|o| o.amazon_fulfilled && o.marketplace_id == DE)
                .unwrap();
            let r = confirm(
                &env2,
                &a.order_id,
                &body(
                    &env2,
                    "1",
                    json!([{"orderItemId": a.items[0].order_item_id, "quantity": 1}]),
                ),
            )
            .await;
            assert!(r.text.contains("AFN"), "{}", r.text);
            assert_eq!(r.status, 400);
            a
        }
    };
    assert!(afn.amazon_fulfilled);
    let c = multi_line(&env);
    env.sb
        .set_order_status(&c.order_id, OrderStatus::Canceled)
        .unwrap();
    let r = confirm(
        &env,
        &c.order_id,
        &body(
            &env,
            "1",
            json!([{"orderItemId": c.items[0].order_item_id, "quantity": 1}]),
        ),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.error().1.contains("canceled"));
}
