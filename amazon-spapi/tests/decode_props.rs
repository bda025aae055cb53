//! Property tests for decoding tolerance: the spellings Amazon (and its sandbox) use for
//! booleans, dates, amounts and enum values all decode, values stay exact, and unknown
//! fields or enum values never fail a response.

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use spapi_client::orders_v0::{Order, OrderStatus, OrdersList};
use spapi_client::orders_v2026::{FulfillmentStatus, SearchOrdersResponse};

fn bool_spelling(b: bool) -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(b)),
        Just(json!(if b { "true" } else { "false" })),
        Just(json!(if b { "True" } else { "FALSE" })),
    ]
}

/// A timestamp and several ways Amazon writes it.
fn date_spelling() -> impl Strategy<Value = (i64, String)> {
    (0i64..4_000_000_000).prop_flat_map(|secs| {
        let t = time::OffsetDateTime::from_unix_timestamp(secs).expect("in range");
        let rfc = spapi_client::format_utc(t);
        let millis = rfc.replace('Z', ".000Z");
        let offset = t
            .to_offset(time::UtcOffset::from_hms(2, 0, 0).expect("offset"))
            .format(&time::format_description::well_known::Rfc3339)
            .expect("format");
        let epoch = format!("{}", secs as f64);
        let sci = format!("{:E}", secs as f64);
        prop_oneof![
            Just(rfc),
            Just(millis),
            Just(offset),
            Just(epoch),
            Just(sci)
        ]
        .prop_map(move |s| (secs, s))
    })
}

fn amount() -> impl Strategy<Value = (Decimal, Value)> {
    (any::<i64>(), 0u32..6).prop_flat_map(|(units, scale)| {
        let d = Decimal::new(units / 1000, scale);
        prop_oneof![Just(json!(d.to_string())), Just(json!(format!(" {d} ")))]
            .prop_map(move |v| (d, v))
    })
}

fn status_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Pending".to_owned()),
        Just("Unshipped".to_owned()),
        Just("Shipped".to_owned()),
        "[A-Za-z]{1,20}",
    ]
}

proptest! {
    #[test]
    fn v0_orders_decode_whatever_the_spelling(
        (purchase, purchase_s) in date_spelling(),
        (_, echo) in date_spelling(),
        prime in any::<bool>(),
        prime_v in any::<bool>().prop_flat_map(bool_spelling),
        (total, total_v) in amount(),
        status in status_value(),
        garbage_echo in "[a-zA-Z0-9 /:.-]{0,20}",
        extra in "[a-z]{1,12}",
    ) {
        let _ = prime;
        let mut order = json!({
            "AmazonOrderId": "902-1845936-5435065",
            "PurchaseDate": purchase_s,
            "LastUpdateDate": purchase_s,
            "OrderStatus": status,
            "OrderTotal": {"CurrencyCode": "USD", "Amount": total_v},
            "IsPrime": prime_v,
            "EarliestShipDate": garbage_echo,
        });
        order[format!("New{extra}")] = json!({"nested": [1, 2, 3]});
        // A watermark is a cursor: garbage there fails the page, while garbage in an
        // optional order date (EarliestShipDate) does not.
        let bad_watermark = json!({"Orders": [order.clone()], "LastUpdatedBefore": garbage_echo});
        let strict = serde_json::from_value::<OrdersList>(bad_watermark);
        let parses = garbage_echo.trim().is_empty()
            || spapi_client::parse_timestamp(&garbage_echo).is_some();
        prop_assert_eq!(strict.is_ok(), parses, "watermark {:?}", garbage_echo);
        let page = json!({"Orders": [order], "CreatedBefore": echo});
        let list: OrdersList = serde_json::from_value(page).expect("decodes");
        let o: &Order = &list.orders[0];
        prop_assert_eq!(o.purchase_date.unix_timestamp(), purchase);
        prop_assert_eq!(o.order_total.as_ref().and_then(|m| m.amount), Some(total));
        prop_assert!(o.is_prime.is_some());
        prop_assert_eq!(o.order_status.as_str(), status.as_str());
        prop_assert!(list.created_before.is_some());
    }

    #[test]
    fn open_enums_round_trip_any_string(s in "\\PC{0,30}") {
        let v0: OrderStatus = s.parse().expect("infallible");
        prop_assert_eq!(v0.as_str(), s.as_str());
        let json = serde_json::to_value(&v0).expect("ser");
        prop_assert_eq!(json, json!(s.clone()));
        let v26: FulfillmentStatus = serde_json::from_value(json!(s.clone())).expect("de");
        prop_assert_eq!(v26.as_str(), s.as_str());
    }

    #[test]
    fn v2026_money_is_exact((d, v) in amount(), (secs, created) in date_spelling()) {
        let body = json!({"orders": [{
            "orderId": "1", "createdTime": created, "lastUpdatedTime": created,
            "salesChannel": {"channelName": "AMAZON"},
            "proceeds": {"grandTotal": {"amount": v, "currencyCode": "EUR"}},
            "orderItems": []
        }]});
        let r: SearchOrdersResponse = serde_json::from_value(body).expect("decodes");
        let o = &r.orders[0];
        prop_assert_eq!(o.created_time.unix_timestamp(), secs);
        prop_assert_eq!(o.proceeds.as_ref().and_then(|p| p.grand_total.as_ref()).map(|m| m.amount), Some(d));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = serde_json::from_slice::<OrdersList>(&bytes);
        let _ = serde_json::from_slice::<SearchOrdersResponse>(&bytes);
    }
}

#[test]
fn non_boolean_strings_are_rejected_with_a_path() {
    let body = br#"{"payload":{"Orders":[{"AmazonOrderId":"1","PurchaseDate":"2024-01-01T00:00:00Z","LastUpdateDate":"2024-01-01T00:00:00Z","OrderStatus":"Shipped","IsPrime":"maybe"}]}}"#;
    let mut de = serde_json::Deserializer::from_slice(body);
    #[derive(serde::Deserialize)]
    struct Env {
        #[allow(dead_code)]
        payload: OrdersList,
    }
    let err = serde_path_to_error::deserialize::<_, Env>(&mut de)
        .err()
        .expect("rejected");
    assert_eq!(err.path().to_string(), "payload.Orders[0].IsPrime");
}
