//! `commit_drop` and `commit_500`: the write is applied, the answer is lost or a 500; the
//! sandbox's per-package view and counters tell what Amazon holds.

mod common;

use std::time::Duration;

use amazon_sandbox::{FaultSpec, OrderStatus};
use common::{Env, iso, manual};
use serde_json::{Value, json};

const US: &str = "ATVPDKIKX0DER";

fn body(env: &Env, o: &amazon_sandbox::OrderSnapshot, reference: &str, tracking: &str) -> Value {
    let items: Vec<Value> = o
        .items
        .iter()
        .map(|i| {
            let mut it = json!({"orderItemId": i.order_item_id, "quantity": i.quantity_ordered});
            if i.transparency {
                it["transparencyCodes"] = json!(
                    (0..i.quantity_ordered)
                        .map(|n| format!("AZ:TR{n:08}"))
                        .collect::<Vec<_>>()
                );
            }
            it
        })
        .collect();
    json!({
        "marketplaceId": US,
        "packageDetail": {
            "packageReferenceId": reference,
            "carrierCode": "UPS",
            "trackingNumber": tracking,
            "shipDate": iso(env.sb.now() - time::Duration::minutes(5)),
            "orderItems": items,
        }
    })
}

/// Sends a confirmation; `None` when the connection was dropped without an answer.
async fn confirm(env: &Env, id: &str, b: &Value) -> Option<(u16, String)> {
    let r = env
        .http
        .post(env.url(&format!("/orders/v0/orders/{id}/shipmentConfirmation")))
        .header("x-amz-access-token", &env.token)
        .header("user-agent", "sandbox-tests/1.0")
        .json(b)
        .send()
        .await
        .ok()?;
    let status = r.status().as_u16();
    let text = r.text().await.ok()?;
    Some((status, text))
}

async fn mfn_order(env: &Env) -> amazon_sandbox::OrderSnapshot {
    let id = env.sb.add_unshipped_mfn_orders(1, Some(US)).remove(0);
    env.sb.advance_clock(Duration::from_secs(600));
    common::order(&env.sb, &id)
}

#[tokio::test]
async fn commit_drop_applies_the_write_and_closes_the_connection() {
    let env = Env::new(manual(5, 0).rate_limits(false)).await;
    let o = mfn_order(&env).await;
    env.sb
        .set_faults("confirmShipment:commit_drop=1".parse().unwrap());
    let answer = confirm(&env, &o.order_id, &body(&env, &o, "1", "1Z0001")).await;
    assert_eq!(answer, None, "the client must see no answer");

    // Amazon applied it: the package is there, once, and the call counts as accepted.
    let pk = env.sb.packages();
    assert_eq!(pk.len(), 1, "{pk:?}");
    assert_eq!(pk[0].order_id, o.order_id);
    assert_eq!(pk[0].package_reference_id, "1");
    assert_eq!(pk[0].tracking_number, "1Z0001");
    assert_eq!(pk[0].accepted_confirmations, 1);
    assert_eq!(pk[0].changes, 1);
    assert_eq!(
        common::order(&env.sb, &o.order_id).status,
        OrderStatus::Shipped
    );
    let s = &env.sb.stats()["confirmShipment"];
    assert_eq!((s.calls, s.faults_injected), (1, 1));
    assert_eq!(s.by_status.get(&0), Some(&1));

    // The v2026 read a verifying client makes shows the package.
    env.sb.set_faults(FaultSpec::none());
    let v = env
        .get(&format!(
            "/orders/2026-01-01/orders/{}?includedData=PACKAGES",
            o.order_id
        ))
        .await
        .json();
    let packages = v["order"]["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 1);
    assert_eq!(packages[0]["packageReferenceId"], "1");
    assert_eq!(packages[0]["trackingNumber"], "1Z0001");
}

#[tokio::test]
async fn commit_500_applies_and_answers_500_and_repeats_and_edits_are_counted() {
    let env = Env::new(manual(6, 0).rate_limits(false)).await;
    let o = mfn_order(&env).await;
    env.sb
        .set_faults("confirmShipment:commit_500=1".parse().unwrap());
    let (status, text) = confirm(&env, &o.order_id, &body(&env, &o, "1", "1Z0001"))
        .await
        .expect("an answer");
    assert_eq!(status, 500);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["errors"][0]["code"], "InternalFailure");
    assert_eq!(env.sb.packages()[0].accepted_confirmations, 1);

    // A blind resend of the same package is accepted again (204) and changes nothing.
    env.sb.set_faults(FaultSpec::none());
    let b = body(&env, &o, "1", "1Z0001");
    assert_eq!(confirm(&env, &o.order_id, &b).await.unwrap().0, 204);
    // A corrected tracking number is an edit of the same package.
    let b = body(&env, &o, "1", "1Z0002");
    assert_eq!(confirm(&env, &o.order_id, &b).await.unwrap().0, 204);
    let pk = env.sb.packages();
    assert_eq!(pk.len(), 1, "{pk:?}");
    assert_eq!(pk[0].tracking_number, "1Z0002");
    assert_eq!(pk[0].accepted_confirmations, 3);
    assert_eq!(pk[0].changes, 2);
    let t = env.sb.package_totals();
    assert_eq!(
        (
            t.packages,
            t.written_packages,
            t.accepted_confirmations,
            t.changes
        ),
        (1, 1, 3, 2)
    );
    assert_eq!(
        env.sb.stats()["confirmShipment"].by_status.get(&500),
        Some(&1)
    );

    // The control API shows the same.
    let c = env.get("/_sandbox/packages").await.json();
    assert_eq!(c["packages"][0]["trackingNumber"], "1Z0002");
    assert_eq!(c["packages"][0]["acceptedConfirmations"], 3);
    assert_eq!(c["packages"][0]["changes"], 2);
    assert_eq!(c["totals"]["acceptedConfirmations"], 3);
    let s = env.get("/_sandbox/stats").await.json();
    assert_eq!(s["packages"]["acceptedConfirmations"], 3);
    assert_eq!(s["operations"]["confirmShipment"]["calls"], 3);

    // searchOrders with PACKAGES (once the listing lag has passed) holds the edit.
    env.sb.advance_clock(Duration::from_secs(180));
    let v = env
        .get(&format!(
            "/orders/2026-01-01/orders?lastUpdatedAfter={}&includedData=PACKAGES",
            iso(common::start())
        ))
        .await;
    assert_eq!(v.status, 200, "{}", v.text);
    let v = v.json();
    let found = v["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["orderId"] == o.order_id.as_str())
        .expect("order listed");
    let packages = found["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 1);
    assert_eq!(packages[0]["trackingNumber"], "1Z0002");
    assert_eq!(packages[0]["carrier"], "UPS");
}

#[tokio::test]
async fn drop_and_500_strike_before_the_write() {
    let env = Env::new(manual(7, 0).rate_limits(false)).await;
    let o = mfn_order(&env).await;
    for spec in ["confirmShipment:drop=1", "confirmShipment:500=1"] {
        env.sb.set_faults(spec.parse().unwrap());
        let a = confirm(&env, &o.order_id, &body(&env, &o, "1", "1Z0001")).await;
        match spec {
            "confirmShipment:drop=1" => assert_eq!(a, None),
            _ => assert_eq!(a.map(|x| x.0), Some(500)),
        }
    }
    assert!(env.sb.packages().is_empty());
    assert_eq!(env.sb.package_totals().accepted_confirmations, 0);
    assert_eq!(
        common::order(&env.sb, &o.order_id).status,
        OrderStatus::Unshipped
    );
}

#[tokio::test]
async fn a_verifying_client_under_mixed_faults_sends_each_package_once() {
    let env = Env::new(manual(8, 0).rate_limits(false)).await;
    let ids = env.sb.add_unshipped_mfn_orders(40, Some(US));
    env.sb.advance_clock(Duration::from_secs(600));
    env.sb.set_faults(
        "confirmShipment:commit_drop=0.2,commit_500=0.1,429=0.1,drop=0.05"
            .parse()
            .unwrap(),
    );
    // After an unknown outcome (no answer, a 5xx) the client reads Amazon's view first and
    // resends only when the package is not there; a 429 is simply retried.
    let mut unknown = 0;
    for id in &ids {
        let o = common::order(&env.sb, id);
        let b = body(&env, &o, "1", &format!("TRK{id}"));
        loop {
            match confirm(&env, id, &b).await {
                Some((204, _)) => break,
                Some((429, _)) => continue,
                _ => unknown += 1,
            }
            let v = env
                .get(&format!(
                    "/orders/2026-01-01/orders/{id}?includedData=PACKAGES"
                ))
                .await
                .json();
            if v["order"]["packages"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["packageReferenceId"] == "1"))
            {
                break;
            }
        }
    }
    assert!(unknown > 5, "the faults struck only {unknown} times");
    let pk = env.sb.packages();
    assert_eq!(pk.len(), ids.len(), "each package exactly once");
    assert!(
        pk.iter()
            .all(|p| p.accepted_confirmations == 1 && p.changes == 1)
    );
    assert!(
        pk.iter()
            .all(|p| p.tracking_number == format!("TRK{}", p.order_id))
    );
    let t = env.sb.package_totals();
    assert_eq!(t.accepted_confirmations, ids.len() as u64);
    let s = &env.sb.stats()["confirmShipment"];
    assert!(s.by_status.get(&0).is_some_and(|n| *n > 0), "{s:?}");
    assert!(s.by_status.get(&500).is_some_and(|n| *n > 0), "{s:?}");
}
