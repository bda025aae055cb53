//! `null` lists decode as empty through `serde_with::DefaultOnNull`, and decode errors
//! inside such lists still name their JSON path.

use serde_json::json;
use spapi_client::listings::SubmissionResponse;
use spapi_client::orders_v0::OrdersList;
use spapi_client::orders_v2026::SearchOrdersResponse;

#[test]
fn null_lists_are_empty() {
    let v0: OrdersList = serde_json::from_value(json!({"Orders": null})).expect("v0");
    assert!(v0.orders.is_empty());
    let v26: SearchOrdersResponse = serde_json::from_value(json!({"orders": null})).expect("v26");
    assert!(v26.orders.is_empty());
    let listing: SubmissionResponse = serde_json::from_value(json!({
        "sku": "S", "status": "ACCEPTED", "submissionId": "x", "issues": null, "identifiers": null}))
    .expect("listings");
    assert!(listing.issues.is_empty() && listing.identifiers.is_empty());
}

#[test]
fn paths_survive_the_adapters() {
    let body = json!({"Orders": [
        {"AmazonOrderId": "1", "PurchaseDate": "2026-01-01T00:00:00Z", "LastUpdateDate": "2026-01-01T00:00:00Z", "OrderStatus": "Shipped"},
        {"AmazonOrderId": "2", "PurchaseDate": "2026-01-01T00:00:00Z", "LastUpdateDate": "2026-01-01T00:00:00Z", "OrderStatus": "Shipped",
         "PaymentMethodDetails": ["Standard", 7]}
    ]})
    .to_string();
    let mut de = serde_json::Deserializer::from_str(&body);
    let err = serde_path_to_error::deserialize::<_, OrdersList>(&mut de).expect_err("bad detail");
    assert_eq!(err.path().to_string(), "Orders[1].PaymentMethodDetails[1]");
}
