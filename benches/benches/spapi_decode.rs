//! Decoding throughput of `spapi-client`: a 100-order `searchOrders` (v2026-01-01) page and a
//! 100-order `getOrders` (v0) page, generated here with realistic fields. Reported in
//! orders per second (target: at least 50,000 orders/s on one core).

use criterion::{Criterion, Throughput, criterion_main};
use serde_json::{Value, json};
use spapi_client::Operation;
use spapi_client::orders_v0::GetOrdersRequest;
use spapi_client::orders_v2026::SearchOrdersRequest;
use std::hint::black_box;

const ORDERS: usize = 100;

fn v2026_order(i: usize) -> Value {
    let id = format!("114-{:07}-{:07}", i, i * 7 % 9_999_999);
    let items: Vec<Value> = (0..1 + i % 3)
        .map(|n| {
            json!({
                "orderItemId": format!("{:014}", i * 10 + n),
                "quantityOrdered": 1 + n,
                "programs": if n == 0 { json!(["TRANSPARENCY"]) } else { json!([]) },
                "product": {
                    "asin": format!("B0{:08}", i * 3 + n),
                    "title": "Stainless steel water bottle, 750 ml, vacuum insulated",
                    "sellerSku": format!("SKU-{i}-{n}"),
                    "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
                    "price": {"unitPrice": {"amount": format!("{}.{:02}", 10 + n, i % 100), "currencyCode": "USD"}}
                },
                "proceeds": {
                    "proceedsTotal": {"amount": format!("{}.{:02}", 12 + n, i % 100), "currencyCode": "USD"},
                    "breakdowns": [
                        {"type": "ITEM", "subtotal": {"amount": "10.00", "currencyCode": "USD"},
                         "detailedBreakdowns": [{"subtype": "ITEM_PRICE", "value": {"amount": "10.00", "currencyCode": "USD"}}]},
                        {"type": "SHIPPING", "subtotal": {"amount": "2.99", "currencyCode": "USD"}},
                        {"type": "TAX", "subtotal": {"amount": "0.83", "currencyCode": "USD"}}
                    ]
                },
                "cancellation": {"cancellationRequest": {"requester": "BUYER", "cancelReason": "NO_LONGER_NEEDED"}},
                "fulfillment": {
                    "quantityFulfilled": 0, "quantityUnfulfilled": 1 + n,
                    "packing": {"giftOption": {"giftMessage": "Happy birthday", "giftWrapLevel": "Classic"}},
                    "shipping": {"scheduledDeliveryWindow": {"earliestDateTime": "2026-02-03T08:00:00Z", "latestDateTime": "2026-02-05T20:00:00Z"}}
                }
            })
        })
        .collect();
    json!({
        "orderId": id,
        "orderAliases": [{"aliasId": format!("WEB-{i}"), "aliasType": "SELLER_ORDER_ID"}],
        "createdTime": "2026-02-01T10:00:00Z",
        "lastUpdatedTime": "2026-02-01T11:30:00Z",
        "programs": ["PRIME"],
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER", "marketplaceName": "Amazon.com"},
        "buyer": {"buyerName": "Jane Doe", "buyerEmail": "abc123@marketplace.amazon.com"},
        "recipient": {
            "deliveryAddress": {"name": "Jane Doe", "addressLine1": "410 Terry Ave N", "city": "Seattle",
                "stateOrRegion": "WA", "postalCode": "98109", "countryCode": "US", "phone": "+1 206-555-0100",
                "addressType": "RESIDENTIAL"},
            "deliveryPreference": {"addressInstruction": "Leave at the door", "deliveryCapabilities": ["HAS_ACCESS_POINT"]}
        },
        "proceeds": {"grandTotal": {"amount": format!("{}.{:02}", 20 + i % 50, i % 100), "currencyCode": "USD"}},
        "fulfillment": {
            "fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT", "fulfillmentServiceLevel": "STANDARD",
            "shipByWindow": {"earliestDateTime": "2026-02-01T10:00:00Z", "latestDateTime": "2026-02-02T23:59:59Z"},
            "deliverByWindow": {"earliestDateTime": "2026-02-04T00:00:00Z", "latestDateTime": "2026-02-08T23:59:59Z"}
        },
        "orderItems": items,
        "packages": []
    })
}

fn v0_order(i: usize) -> Value {
    json!({
        "AmazonOrderId": format!("902-{:07}-{:07}", i, i * 7 % 9_999_999),
        "SellerOrderId": format!("WEB-{i}"),
        "PurchaseDate": "2026-02-01T10:00:00Z",
        "LastUpdateDate": "2026-02-01T11:30:00.000Z",
        "OrderStatus": "Unshipped",
        "FulfillmentChannel": "MFN",
        "SalesChannel": "Amazon.com",
        "ShipServiceLevel": "Std US D2D Dom",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": format!("{}.{:02}", 20 + i % 50, i % 100)},
        "NumberOfItemsShipped": 0,
        "NumberOfItemsUnshipped": 1 + i % 3,
        "PaymentMethod": "Other",
        "PaymentMethodDetails": ["Standard"],
        "MarketplaceId": "ATVPDKIKX0DER",
        "ShipmentServiceLevelCategory": "Standard",
        "OrderType": "StandardOrder",
        "EarliestShipDate": "2026-02-01T08:00:00Z",
        "LatestShipDate": "2026-02-02T07:59:59Z",
        "EarliestDeliveryDate": "2026-02-04T08:00:00Z",
        "LatestDeliveryDate": "2026-02-08T07:59:59Z",
        "IsBusinessOrder": false,
        "IsPrime": i % 2 == 0,
        "IsPremiumOrder": false,
        "IsGlobalExpressEnabled": false,
        "IsReplacementOrder": "false",
        "IsSoldByAB": false,
        "IsISPU": false,
        "IsAccessPointOrder": false,
        "HasRegulatedItems": false,
        "DefaultShipFromLocationAddress": {"Name": "Warehouse 1", "AddressLine1": "2201 Westlake Ave",
            "City": "Seattle", "StateOrRegion": "WA", "PostalCode": "98121", "CountryCode": "US", "AddressType": "Commercial"},
        "FulfillmentInstruction": {"FulfillmentSupplySourceId": "sss-1"},
        "ShippingAddress": {"Name": "Jane Doe", "AddressLine1": "410 Terry Ave N", "City": "Seattle",
            "StateOrRegion": "WA", "PostalCode": "98109", "CountryCode": "US", "AddressType": "Residential"},
        "BuyerInfo": {"BuyerEmail": "abc123@marketplace.amazon.com", "BuyerName": "Jane Doe"},
        "AutomatedShippingSettings": {"HasAutomatedShippingSettings": false}
    })
}

fn bench(c: &mut Criterion) {
    let search_page = serde_json::to_vec(&json!({
        "orders": (0..ORDERS).map(v2026_order).collect::<Vec<_>>(),
        "pagination": {"nextToken": "9ZhB4RmVyc2lvbiAxLjAgb2YgdGhl"},
        "lastUpdatedBefore": "2026-02-01T12:00:00Z"
    }))
    .expect("page json");
    let get_orders_page = serde_json::to_vec(&json!({"payload": {
        "Orders": (0..ORDERS).map(v0_order).collect::<Vec<_>>(),
        "NextToken": "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4",
        "LastUpdatedBefore": "2026-02-01T12:00:00Z"
    }}))
    .expect("page json");
    let search = SearchOrdersRequest::new(["ATVPDKIKX0DER"]);
    let get_orders = GetOrdersRequest::new(["ATVPDKIKX0DER"]);
    // Sanity: the pages decode to 100 orders each.
    assert_eq!(
        search
            .decode(200, &search_page)
            .expect("decode")
            .orders
            .len(),
        ORDERS
    );
    assert_eq!(
        get_orders
            .decode(200, &get_orders_page)
            .expect("decode")
            .orders
            .len(),
        ORDERS
    );

    let mut group = c.benchmark_group("spapi_decode");
    group.throughput(Throughput::Elements(ORDERS as u64));
    group.bench_function("searchOrders_100_orders", |b| {
        b.iter(|| search.decode(200, black_box(&search_page)).expect("decode"))
    });
    group.bench_function("getOrders_100_orders", |b| {
        b.iter(|| {
            get_orders
                .decode(200, black_box(&get_orders_page))
                .expect("decode")
        })
    });
    group.finish();
}

mod group {
    //! The criterion group (its generated function carries no docs).
    #![allow(missing_docs, unreachable_pub)]
    criterion::criterion_group!(benches, super::bench);
}

criterion_main!(group::benches);
