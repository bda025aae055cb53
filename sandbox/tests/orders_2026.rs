//! Orders v2026-01-01: searchOrders validation and paging, getOrder with includedData.

mod common;

use std::collections::HashSet;

use common::{Env, manual};

#[tokio::test]
async fn search_orders_validation() {
    let env = Env::new(manual(31, 10).rate_limits(false)).await;
    for q in [
        "",
        "createdAfter=2026-05-01T00:00:00Z&lastUpdatedAfter=2026-05-01T00:00:00Z",
        "createdAfter=2026-05-01T00:00:00Z&lastUpdatedBefore=2026-05-02T00:00:00Z",
        "createdAfter=2026-05-01T00:00:00Z&createdBefore=2026-06-01T11:59:30Z",
        "createdAfter=TEST_CASE_400",
        "createdAfter=2026-05-01T00:00:00Z&maxResultsPerPage=101",
        "createdAfter=2026-05-01T00:00:00Z&includedData=EVERYTHING",
        "createdAfter=2026-05-01T00:00:00Z&fulfillmentStatuses=Unshipped",
        "createdAfter=2026-05-01T00:00:00Z&fulfilledBy=AFN",
        "createdAfter=2026-05-01T00:00:00Z&marketplaceIds=NOPE",
        "createdAfter=2026-05-01T00:00:00Z&paginationToken=nope",
    ] {
        let a = env.get(&format!("/orders/2026-01-01/orders?{q}")).await;
        assert_eq!(a.status, 400, "{q}: {}", a.text);
        assert_eq!(a.error().0, "InvalidInput");
    }
    // marketplaceIds is optional in v2026.
    let a = env
        .get("/orders/2026-01-01/orders?createdAfter=2026-01-01T00:00:00Z")
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["orders"].as_array().unwrap().len(), 10);
    assert_eq!(a.json()["createdBefore"], "2026-06-01T11:58:00Z");
    assert_eq!(a.header("x-amzn-RateLimit-Limit"), Some("0.0056"));
}

#[tokio::test]
async fn pagination_token_and_filters() {
    let env = Env::new(manual(32, 250).rate_limits(false)).await;
    let base =
        "/orders/2026-01-01/orders?lastUpdatedAfter=2026-01-01T00:00:00Z&fulfilledBy=MERCHANT";
    let mut seen = HashSet::new();
    let mut token: Option<String> = None;
    loop {
        let q = match &token {
            // maxResultsPerPage and includedData may change between pages.
            Some(t) => {
                format!("{base}&maxResultsPerPage=50&includedData=FULFILLMENT&paginationToken={t}")
            }
            None => format!("{base}&maxResultsPerPage=40&includedData=FULFILLMENT"),
        };
        let v = env.get(&q).await.json();
        for o in v["orders"].as_array().unwrap() {
            assert_eq!(o["fulfillment"]["fulfilledBy"], "MERCHANT");
            assert!(seen.insert(o["orderId"].as_str().unwrap().to_owned()));
        }
        token = v["pagination"]["nextToken"].as_str().map(str::to_owned);
        if token.is_none() {
            assert!(v.get("pagination").is_none());
            break;
        }
    }
    let mfn = env
        .sb
        .orders()
        .iter()
        .filter(|o| !o.amazon_fulfilled)
        .count();
    assert_eq!(seen.len(), mfn);

    let first = env.get(&format!("{base}&maxResultsPerPage=5")).await.json();
    let t = first["pagination"]["nextToken"].as_str().unwrap();
    let changed = env
        .get(&format!(
            "/orders/2026-01-01/orders?lastUpdatedAfter=2026-01-01T00:00:00Z&paginationToken={t}"
        ))
        .await;
    assert_eq!(changed.status, 400, "other filters with the token");
}

#[tokio::test]
async fn get_order_included_data() {
    let env = Env::new(manual(33, 0)).await;
    let id = env
        .sb
        .add_unshipped_mfn_orders(1, Some("A1VC38T7YXB528"))
        .remove(0);
    let bare = env
        .get(&format!("/orders/2026-01-01/orders/{id}"))
        .await
        .json();
    let o = &bare["order"];
    assert_eq!(o["orderId"], id.as_str());
    assert_eq!(o["salesChannel"]["marketplaceId"], "A1VC38T7YXB528");
    for k in ["buyer", "recipient", "proceeds", "fulfillment", "packages"] {
        assert!(o.get(k).is_none(), "{k} only on request");
    }
    assert!(o["orderItems"][0]["product"]["price"]["unitPrice"]["currencyCode"] == "JPY");

    let all = env
        .get(&format!("/orders/2026-01-01/orders/{id}?includedData=BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX,PAYMENT,FULFILLMENT_ORDERS"))
        .await;
    assert_eq!(all.status, 200, "{}", all.text);
    let o = &all.json()["order"];
    assert!(o["buyer"]["buyerName"].as_str().is_some());
    assert_eq!(o["recipient"]["deliveryAddress"]["countryCode"], "JP");
    assert_eq!(o["fulfillment"]["fulfillmentStatus"], "UNSHIPPED");
    assert_eq!(o["fulfillment"]["fulfilledBy"], "MERCHANT");
    // JPY has no decimals; the grand total is the sum of the breakdowns.
    let total = o["proceeds"]["grandTotal"]["amount"].as_str().unwrap();
    assert!(!total.contains('.'), "{total}");
    let sum: i64 = o["proceeds"]["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            b["subtotal"]["amount"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .unwrap()
        })
        .sum();
    assert_eq!(sum.to_string(), total);
    assert_eq!(o["packages"].as_array().unwrap().len(), 0);

    let nf = env
        .get("/orders/2026-01-01/orders/999-9999999-9999999")
        .await;
    assert_eq!(nf.status, 404);
    assert_eq!(nf.header("x-amzn-RateLimit-Limit"), Some("0.5"));
}
