//! Restricted data: redacted shapes without an RDT, full data with one for the path.

mod common;

use std::time::Duration;

use amazon_sandbox::OrderStatus;
use common::{Env, manual};
use serde_json::json;

fn open_order(env: &Env) -> String {
    env.sb
        .add_unshipped_mfn_orders(1, Some("A1PA6795UKMFR9"))
        .remove(0)
}

#[tokio::test]
async fn address_and_buyer_info_need_an_rdt_for_that_path() {
    let env = Env::new(manual(11, 5)).await;
    let id = open_order(&env);
    let addr = format!("/orders/v0/orders/{id}/address");

    let red = env.get(&addr).await.json();
    let sa = &red["payload"]["ShippingAddress"];
    assert_eq!(sa["CountryCode"], "DE");
    assert!(sa.get("City").is_some() && sa.get("PostalCode").is_some());
    assert!(
        sa.get("Name").is_none() && sa.get("AddressLine1").is_none() && sa.get("Phone").is_none()
    );
    let buyer = env
        .get(&format!("/orders/v0/orders/{id}/buyerInfo"))
        .await
        .json();
    assert_eq!(
        buyer["payload"].as_object().unwrap().len(),
        1,
        "only AmazonOrderId: {buyer}"
    );

    // Generic path RDT.
    let rdt = env
        .rdt(json!([{"method": "GET", "path": "/orders/v0/orders/{orderId}/address"}]))
        .await;
    assert!(rdt.starts_with("Atz.sprdt|"));
    let full = env.get_with(&addr, Some(&rdt)).await.json();
    let sa = &full["payload"]["ShippingAddress"];
    assert!(sa["Name"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(sa["AddressLine1"].as_str().is_some());
    assert!(sa["Phone"].as_str().is_some());
    // The same RDT does not open another path.
    let other = env
        .get_with(&format!("/orders/v0/orders/{id}/buyerInfo"), Some(&rdt))
        .await;
    assert_eq!(other.status, 403);
    // Nor the Tokens API itself.
    let again = env
        .post_with(
            "/tokens/2021-03-01/restrictedDataToken",
            &json!({"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders"}]}),
            Some(&rdt),
        )
        .await;
    assert_eq!(again.status, 403);

    // Specific path RDT: only that order.
    let specific = env
        .rdt(json!([{"method": "GET", "path": format!("/orders/v0/orders/{id}/buyerInfo")}]))
        .await;
    let b = env
        .get_with(
            &format!("/orders/v0/orders/{id}/buyerInfo"),
            Some(&specific),
        )
        .await
        .json();
    assert!(
        b["payload"]["BuyerEmail"]
            .as_str()
            .unwrap()
            .contains("@marketplace.amazon.")
    );
    assert!(b["payload"]["BuyerName"].as_str().is_some());
    let other_order = env.sb.orders()[0].order_id.clone();
    assert_eq!(
        env.get_with(
            &format!("/orders/v0/orders/{other_order}/buyerInfo"),
            Some(&specific)
        )
        .await
        .status,
        403
    );

    // RDTs expire with the sandbox clock.
    env.sb.advance_clock(Duration::from_secs(3600));
    let expired = env.get_with(&addr, Some(&rdt)).await;
    assert_eq!(expired.status, 403);
    assert_eq!(
        expired.json()["errors"][0]["details"],
        "The access token you provided has expired."
    );
}

#[tokio::test]
async fn data_elements_unlock_pii_in_get_orders_and_items() {
    let env = Env::new(manual(12, 0)).await;
    let id = open_order(&env);
    env.sb.advance_clock(Duration::from_secs(600));
    let list = "/orders/v0/orders?MarketplaceIds=A1PA6795UKMFR9&CreatedAfter=2026-06-01T00:00:00Z";
    let plain = env.get(list).await.json();
    let o = &plain["payload"]["Orders"][0];
    assert_eq!(o["AmazonOrderId"], id.as_str());
    assert!(o.get("BuyerInfo").is_none());
    assert!(o["ShippingAddress"].get("Name").is_none());

    let rdt = env
        .rdt(json!([
            {"method": "GET", "path": "/orders/v0/orders", "dataElements": ["buyerInfo", "shippingAddress"]},
            {"method": "GET", "path": "/orders/v0/orders/{orderId}/orderItems", "dataElements": ["buyerInfo"]}
        ]))
        .await;
    let full = env.get_with(list, Some(&rdt)).await.json();
    let o = &full["payload"]["Orders"][0];
    assert!(o["BuyerInfo"]["BuyerEmail"].as_str().is_some());
    assert!(o["ShippingAddress"]["Name"].as_str().is_some());
    let items = env
        .get_with(&format!("/orders/v0/orders/{id}/orderItems"), Some(&rdt))
        .await;
    assert_eq!(items.status, 200);

    // Without the shippingAddress element the address stays redacted.
    let only_buyer = env
        .rdt(json!([{"method": "GET", "path": "/orders/v0/orders", "dataElements": ["buyerInfo"]}]))
        .await;
    let o = env.get_with(list, Some(&only_buyer)).await.json()["payload"]["Orders"][0].clone();
    assert!(o.get("BuyerInfo").is_some());
    assert!(o["ShippingAddress"].get("Name").is_none());
    assert_eq!(env.sb.orders()[0].status, OrderStatus::Unshipped);
}

#[tokio::test]
async fn create_rdt_validation() {
    let env = Env::new(manual(13, 0)).await;
    let path = "/tokens/2021-03-01/restrictedDataToken";
    for body in [
        json!({}),
        json!({"restrictedResources": []}),
        json!({"restrictedResources": [{"method": "", "path": "/orders/v1/orders/902-1845936-5435065/address"}]}),
        json!({"restrictedResources": [{"method": "GET", "path": "/catalog/v0/items"}]}),
        json!({"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders", "dataElements": ["ssn"]}]}),
    ] {
        let a = env.post(path, &body).await;
        assert_eq!(a.status, 400, "{body}: {}", a.text);
        assert!(a.json()["errors"][0]["details"].as_str().is_some());
    }
    let ok = env
        .post(
            path,
            &json!({"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders"}]}),
        )
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["expiresIn"], 3600);
    assert_eq!(ok.header("x-amzn-RateLimit-Limit"), Some("1"));
}
