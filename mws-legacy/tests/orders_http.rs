//! Orders over HTTP against wiremock: exact request shapes, paging, throttling and errors.

mod common;

use std::time::Duration;

use common::*;
use futures::TryStreamExt;
use mws_legacy::orders::{GetOrder, ListOrderItems, ListOrders, OrderStatus};
use mws_legacy::{Error, ErrorKind, RetryConfig};
use time::macros::datetime;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn list_orders_request() -> ListOrders {
    ListOrders::created_after(datetime!(2020-01-01 00:00 UTC))
        .marketplace_id("ATVPDKIKX0DER")
        .marketplace_id("A2EUQ1WTGCTBG2")
        .order_status(OrderStatus::Unshipped)
        .order_status(OrderStatus::PartiallyShipped)
}

#[tokio::test]
async fn list_orders_sends_a_signed_form_post() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/Orders/2013-09-01"))
        .respond_with(xml(fixture("list_orders_page1.xml")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;

    let page = client(&server)
        .list_orders(&list_orders_request())
        .await
        .unwrap();
    assert_eq!(page.orders.len(), 2);
    assert_eq!(page.request_id.as_deref(), Some("rid-page-1"));
    assert_eq!(page.next_token.as_ref().unwrap().as_str(), "PAGE2+TOKEN/==");

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(
        req.headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded; charset=utf-8"
    );
    let ua = req.headers.get("user-agent").unwrap().to_str().unwrap();
    assert!(
        ua.starts_with("mws-legacy/") && ua.contains("Language=Rust"),
        "{ua}"
    );
    assert_eq!(req.url.query(), None, "parameters travel in the body");
    let body = String::from_utf8(req.body.clone()).unwrap();
    let pairs = decode_pairs(&body);
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "AWSAccessKeyId",
            "Action",
            "CreatedAfter",
            "MWSAuthToken",
            "MarketplaceId.Id.1",
            "MarketplaceId.Id.2",
            "OrderStatus.Status.1",
            "OrderStatus.Status.2",
            "SellerId",
            "SignatureMethod",
            "SignatureVersion",
            "Timestamp",
            "Version",
            "Signature"
        ],
        "byte-order sorted, Signature last"
    );
    assert_eq!(get(&pairs, "Action"), Some("ListOrders"));
    assert_eq!(get(&pairs, "SellerId"), Some(SELLER));
    assert_eq!(get(&pairs, "AWSAccessKeyId"), Some(ACCESS_KEY));
    assert_eq!(get(&pairs, "MWSAuthToken"), Some(AUTH_TOKEN));
    assert_eq!(get(&pairs, "SignatureMethod"), Some("HmacSHA256"));
    assert_eq!(get(&pairs, "SignatureVersion"), Some("2"));
    assert_eq!(get(&pairs, "Version"), Some("2013-09-01"));
    assert_eq!(get(&pairs, "Timestamp"), Some("2020-05-28T11:22:24.768Z"));
    assert_eq!(
        get(&pairs, "CreatedAfter"),
        Some("2020-01-01T00:00:00.000Z")
    );
    assert!(
        body.contains("Timestamp=2020-05-28T11%3A22%3A24.768Z"),
        "{body}"
    );
    assert_signed(&server, "/Orders/2013-09-01", &pairs, &body);
}

#[tokio::test]
async fn list_orders_stream_follows_next_token() {
    let server = MockServer::start().await;
    Mock::given(body_string_contains("Action=ListOrders&"))
        .respond_with(xml(fixture("list_orders_page1.xml")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(body_string_contains("Action=ListOrdersByNextToken"))
        .and(body_string_contains("NextToken=PAGE2%2BTOKEN%2F%3D%3D"))
        .respond_with(xml(fixture("list_orders_page2.xml")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;

    let client = client(&server);
    let orders: Vec<_> = client
        .list_orders_stream(list_orders_request())
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = orders.iter().map(|o| o.amazon_order_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "111-0000001-0000001",
            "111-0000002-0000002",
            "111-0000003-0000003"
        ]
    );
    // The second order's purchase date had a +02:00 offset; it is held in UTC.
    assert_eq!(orders[1].purchase_date, datetime!(2020-05-02 08:00 UTC));
    assert_eq!(
        orders[0]
            .order_total
            .as_ref()
            .unwrap()
            .value()
            .unwrap()
            .to_string(),
        "19.99"
    );
}

#[tokio::test]
async fn order_items_stream_and_get_order() {
    let server = MockServer::start().await;
    Mock::given(body_string_contains("Action=ListOrderItems&"))
        .and(body_string_contains("AmazonOrderId=111-0000001-0000001"))
        .respond_with(xml(fixture("list_order_items_page1.xml")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(body_string_contains("Action=ListOrderItemsByNextToken"))
        .and(body_string_contains("NextToken=ITEMS2"))
        .respond_with(xml(fixture("list_order_items_page2.xml")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(body_string_contains("Action=GetOrder&"))
        .and(body_string_contains(
            "AmazonOrderId.Id.1=111-0000001-0000001&AmazonOrderId.Id.2=222-0000000-0000000",
        ))
        .respond_with(xml(fixture("get_order_one.xml")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;

    let client = client(&server);
    let items: Vec<_> = client
        .list_order_items_stream(ListOrderItems::new("111-0000001-0000001"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].unit_price().unwrap().to_string(), "10.00");
    let r = client
        .get_order(&GetOrder::new([
            "111-0000001-0000001",
            "222-0000000-0000000",
        ]))
        .await
        .unwrap();
    assert_eq!(r.orders.len(), 1, "unknown ids are simply absent");
}

#[tokio::test(start_paused = true)]
async fn request_throttled_is_retried_after_the_bucket_restores() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string(fixture("throttled.xml")))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(xml(fixture("get_order_one.xml")))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;

    let client = client(&server);
    let start = tokio::time::Instant::now();
    let r = client
        .get_order(&GetOrder::new(["111-0000001-0000001"]))
        .await
        .unwrap();
    assert_eq!(r.orders.len(), 1);
    // The throttle emptied the local GetOrder bucket: the retry waited for one restore
    // period (60 s), plus the backoff.
    let waited = start.elapsed();
    assert!(waited >= Duration::from_secs(60), "{waited:?}");
    assert!(waited < Duration::from_secs(63), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn retries_give_up_with_the_last_mws_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("x-mws-request-id", "hdr-rid")
                .set_body_string(fixture("throttled.xml")),
        )
        .expect(3)
        .mount(&server)
        .await;

    let client = client_with(&server, RetryConfig::default().with_max_retries(2));
    let err = client.get_service_status().await.unwrap_err();
    match &err {
        Error::RetriesExhausted { attempts, last } => {
            assert_eq!(*attempts, 3);
            let api = last.api().unwrap();
            assert_eq!(api.status, 503);
            assert_eq!(api.code(), Some("RequestThrottled"));
            assert_eq!(api.errors[0].error_type, None, "empty <Type/>");
            assert_eq!(
                api.request_id.as_deref(),
                Some("rid-throttled"),
                "body id wins over header"
            );
            assert_eq!(api.operation, "GetServiceStatus");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(err.kind(), ErrorKind::Throttled { .. }));
    assert_eq!(err.code(), Some("RequestThrottled"));
}

#[tokio::test(start_paused = true)]
async fn internal_error_is_retried_and_auth_errors_are_not() {
    let server = MockServer::start().await;
    Mock::given(body_string_contains("Action=GetOrder"))
        .respond_with(ResponseTemplate::new(500).set_body_string(
            "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error><RequestID>r500</RequestID></ErrorResponse>",
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(body_string_contains("Action=GetOrder"))
        .respond_with(xml(fixture("get_order_one.xml")))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(body_string_contains("Action=ListOrderItems"))
        .respond_with(ResponseTemplate::new(403).set_body_string(
            r#"<?xml version="1.0"?><ErrorResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error><RequestID>r403</RequestID></ErrorResponse>"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;

    let client = client(&server);
    assert!(
        client
            .get_order(&GetOrder::new(["111-0000001-0000001"]))
            .await
            .is_ok()
    );
    let err = client
        .list_order_items(&ListOrderItems::new("1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    assert_eq!(err.request_id(), Some("r403"));
    assert_eq!(
        err.api().unwrap().errors[0].error_type.as_deref(),
        Some("Sender")
    );
}

#[tokio::test(start_paused = true)]
async fn client_side_throttle_spaces_calls_by_the_restore_rate() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(xml(fixture("get_order_one.xml")))
        .expect(8)
        .mount(&server)
        .await;

    let client = client(&server);
    let clone = client.clone();
    let start = tokio::time::Instant::now();
    for _ in 0..6 {
        client.get_order(&GetOrder::new(["1"])).await.unwrap();
    }
    assert_eq!(start.elapsed(), Duration::ZERO, "burst quota of 6");
    assert_eq!(
        clone.wait_time("GetOrder"),
        Duration::from_secs(60),
        "clones share the bucket"
    );
    clone.get_order(&GetOrder::new(["1"])).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(60));
    client.get_order(&GetOrder::new(["1"])).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(120));
    assert_eq!(
        client.wait_time("ListOrderItems"),
        Duration::ZERO,
        "other buckets are untouched"
    );
}

#[tokio::test]
async fn invalid_requests_never_reach_the_network() {
    let server = MockServer::start().await;
    catch_all(&server).await;
    let client = client(&server);
    let err = client
        .list_orders(&ListOrders::created_after(datetime!(2020-01-01 00:00 UTC)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    assert_eq!(err.kind(), ErrorKind::Client);
    assert!(server.received_requests().await.unwrap().is_empty());
}
