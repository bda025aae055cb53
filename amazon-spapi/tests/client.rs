//! Wiremock tests of the client: exact request shapes, LWA and RDT handling, paging, and
//! retry / rate-limit behaviour with tokio's paused clock (no wall-clock sleeps).

use futures::TryStreamExt;
use secrecy::SecretString;
use serde_json::{Value, json};
use spapi_client::orders_v0::{
    ConfirmShipmentOrderItem, ConfirmShipmentRequest, DateParam, GetOrder, GetOrdersRequest,
    OrderStatus, PackageDetail,
};
use spapi_client::orders_v2026::{FulfilledBy, IncludedData, SearchOrdersRequest};
use spapi_client::tokens::DataElement;
use spapi_client::{
    BackoffConfig, Client, Error, ErrorKind, FixedClock, LwaCredentials, LwaErrorCode, RateLimit,
    RateLimiter, RetryConfig,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use time::macros::datetime;
use tokio::time::Instant;
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const ACCESS: &str = "Atza|access-1";

fn retry() -> RetryConfig {
    RetryConfig {
        max_retries: 3,
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            base: 3.0,
        },
        retry_timeout: Duration::from_secs(120),
        // No tokio timers while waiting on sockets: with a paused clock the runtime would
        // otherwise jump to them.
        attempt_timeout: None,
        max_rate_limit_wait: None,
    }
}

fn builder(server: &MockServer) -> spapi_client::ClientBuilder {
    Client::builder()
        .credentials(LwaCredentials {
            client_id: "amzn1.application-oa2-client.test".into(),
            client_secret: SecretString::from("s3cret-value"),
            refresh_token: SecretString::from("Atzr|refresh+/="),
        })
        .endpoint(server.uri())
        .lwa_endpoint(format!("{}/auth/o2/token", server.uri()))
        .retry(retry())
        .rate_limiter(RateLimiter::new())
        .clock(FixedClock(datetime!(2026-03-01 12:00 UTC)))
        .pool_idle_timeout(None)
        .connect_timeout(None)
}

/// Mounts an LWA token endpoint that answers `Atza|t1`, `Atza|t2`, … valid for
/// `expires_in` seconds; the counter says how many tokens it gave out.
async fn counting_lwa(server: &MockServer, expires_in: u64) -> Arc<AtomicUsize> {
    let fetches = Arc::new(AtomicUsize::new(0));
    let f = fetches.clone();
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .respond_with(move |_: &Request| {
            let n = f.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(
                json!({"access_token": format!("Atza|t{n}"), "expires_in": expires_in}),
            )
        })
        .mount(server)
        .await;
    fetches
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": ACCESS, "token_type": "bearer", "expires_in": 3600}),
        ))
        .with_priority(10)
        .mount(&server)
        .await;
    // Anything unexpected fails loudly.
    Mock::given(|_: &Request| true)
        .respond_with(|req: &Request| {
            ResponseTemplate::new(599)
                .set_body_string(format!("no mock matched {} {}", req.method, req.url))
        })
        .with_priority(255)
        .mount(&server)
        .await;
    server
}

fn order_json(id: &str) -> Value {
    json!({
        "AmazonOrderId": id,
        "PurchaseDate": "2026-02-01T10:00:00Z",
        "LastUpdateDate": "2026-02-01T11:00:00Z",
        "OrderStatus": "Unshipped",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": "19.99"},
        "IsPrime": "true",
        "ShippingAddress": {"Name": "Jane Buyer", "AddressLine1": "1 Main St", "City": "Springfield", "CountryCode": "US"}
    })
}

#[tokio::test]
async fn get_orders_request_shape_is_exact() {
    let server = server().await;
    let client = builder(&server).build().expect("client");
    let expected_ua = client.user_agent().to_owned();
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders"))
        .and(header("x-amz-access-token", ACCESS))
        .and(header("user-agent", expected_ua.as_str()))
        .and(header("accept", "application/json"))
        .and(move |req: &Request| {
            // Dates in UTC with Z; CreatedBefore clamped to now - 2 min; csv arrays; the
            // token fully percent-encoded.
            req.url.query()
                == Some(
                    "CreatedAfter=2026-02-28T22%3A00%3A00Z&CreatedBefore=2026-03-01T11%3A58%3A00Z\
                     &OrderStatuses=Unshipped%2CPartiallyShipped&MarketplaceIds=ATVPDKIKX0DER%2CA2EUQ1WTGCTBG2\
                     &MaxResultsPerPage=50&NextToken=a%2Bb%2Fc%3D%3D%20d",
                )
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": {"Orders": [order_json("111-0000001-0000001")]}})))
        .expect(1)
        .mount(&server)
        .await;
    let req = GetOrdersRequest::new(["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"])
        .created_after(DateParam::At(datetime!(2026-03-01 00:00 +02:00)))
        .created_before(DateParam::At(datetime!(2026-03-01 12:30 UTC)))
        .order_statuses(vec![OrderStatus::Unshipped, OrderStatus::PartiallyShipped])
        .max_results_per_page(50)
        .next_token("a+b/c== d");
    let page = client.orders_v0().get_orders(req).await.expect("page");
    assert_eq!(page.orders.len(), 1);
    assert_eq!(page.orders[0].is_prime, Some(true));
    // PII never reaches Debug.
    let debug = format!("{:?}", page.orders[0]);
    assert!(
        !debug.contains("Jane") && !debug.contains("Main St") && !debug.contains("Springfield"),
        "{debug}"
    );
}

#[tokio::test]
async fn lwa_form_body_and_single_flight_cache() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .and(header(
            "content-type",
            "application/x-www-form-urlencoded;charset=UTF-8",
        ))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains(
            "refresh_token=Atzr%7Crefresh%2B%2F%3D",
        ))
        .and(body_string_contains(
            "client_id=amzn1.application-oa2-client.test",
        ))
        .and(body_string_contains("client_secret=s3cret-value"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(
                    json!({"access_token": ACCESS, "token_type": "bearer", "expires_in": 3600}),
                )
                .set_delay(Duration::from_millis(50)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/sellers/v1/marketplaceParticipations"))
        .and(header("x-amz-access-token", ACCESS))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": [{
            "marketplace": {"id": "ATVPDKIKX0DER", "name": "Amazon.com", "countryCode": "US",
                "defaultCurrencyCode": "USD", "defaultLanguageCode": "en_US", "domainName": "www.amazon.com"},
            "participation": {"isParticipating": true, "hasSuspendedListings": false},
            "storeName": "Shop"}]})))
        .expect(8)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let calls = (0..8).map(|_| {
        let c = client.clone();
        tokio::spawn(async move { c.sellers().get_marketplace_participations().await })
    });
    for r in futures::future::join_all(calls).await {
        let list = r.expect("join").expect("call");
        assert_eq!(list[0].marketplace.id, "ATVPDKIKX0DER");
        assert_eq!(list[0].participation.is_participating, Some(true));
    }
    // Debug of the client shows no secret.
    let debug = format!("{client:?}");
    assert!(
        !debug.contains("s3cret") && !debug.contains("Atzr"),
        "{debug}"
    );
}

#[tokio::test(start_paused = true)]
async fn access_token_refreshed_before_expiry() {
    let server = MockServer::start().await;
    let fetches = counting_lwa(&server, 300).await;
    for token in ["Atza|t1", "Atza|t2"] {
        Mock::given(method("GET"))
            .and(header("x-amz-access-token", token))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": []})))
            .expect(2)
            .mount(&server)
            .await;
    }
    let client = builder(&server)
        .token_refresh_margin(Duration::from_secs(60))
        .build()
        .expect("client");
    let sellers = client.sellers();
    sellers.get_marketplace_participations().await.expect("1");
    tokio::time::advance(Duration::from_secs(200)).await;
    sellers.get_marketplace_participations().await.expect("2");
    // 300 s lifetime - 60 s margin: at 241 s the token is refreshed.
    tokio::time::advance(Duration::from_secs(41)).await;
    sellers.get_marketplace_participations().await.expect("3");
    sellers.get_marketplace_participations().await.expect("4");
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn lwa_errors_are_typed_and_not_retried() {
    for (status, code, remedy, kind) in [
        (
            400,
            "invalid_grant",
            "refresh token revoked or wrong",
            ErrorKind::Auth,
        ),
        (
            401,
            "invalid_client",
            "client id/secret wrong",
            ErrorKind::Auth,
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/auth/o2/token"))
            .respond_with(ResponseTemplate::new(status).insert_header("x-amzn-RequestId", "lwa-req-1").set_body_json(
                json!({"error": code, "error_description": "The request has an invalid grant parameter"}),
            ))
            .expect(1)
            .mount(&server)
            .await;
        let client = builder(&server).build().expect("client");
        let err = client
            .sellers()
            .get_marketplace_participations()
            .await
            .expect_err("lwa error");
        assert_eq!(err.kind(), kind);
        assert_eq!(err.request_id(), Some("lwa-req-1"));
        assert!(err.to_string().contains(remedy), "{err}");
        match &err {
            Error::Lwa(f) => assert_eq!(f.code, LwaErrorCode::parse(code)),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn lwa_temporarily_unavailable_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(json!({"error": "temporarily_unavailable"})),
        )
        .up_to_n_times(2)
        .with_priority(1)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": ACCESS, "expires_in": 3600})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": []})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    client
        .sellers()
        .get_marketplace_participations()
        .await
        .expect("after retries");
}

/// Counts requests and answers 429 for the first `fail` of them.
struct Flaky {
    seen: Arc<AtomicUsize>,
    fail: usize,
    status: u16,
    ok: Value,
}

impl Respond for Flaky {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.seen.fetch_add(1, Ordering::SeqCst);
        if n < self.fail {
            ResponseTemplate::new(self.status)
                .insert_header("x-amzn-RequestId", format!("req-{n}"))
                .set_body_json(json!({"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource."}]}))
        } else {
            ResponseTemplate::new(200)
                .insert_header("x-amzn-RequestId", format!("req-{n}"))
                .set_body_json(self.ok.clone())
        }
    }
}

#[tokio::test(start_paused = true)]
async fn throttled_calls_are_retried_with_backoff() {
    let server = server().await;
    let seen = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders/111-0000001-0000001"))
        .respond_with(Flaky {
            seen: seen.clone(),
            fail: 2,
            status: 429,
            ok: json!({"payload": order_json("111-0000001-0000001")}),
        })
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let start = Instant::now();
    let order = client
        .orders_v0()
        .get_order("111-0000001-0000001")
        .await
        .expect("order");
    assert_eq!(order.amazon_order_id, "111-0000001-0000001");
    assert_eq!(seen.load(Ordering::SeqCst), 3);
    // Two back-offs of at least init_backoff each.
    assert!(
        start.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        start.elapsed()
    );
    // The 429s tightened the bucket.
    let limit = client.current_rate_limit("getOrder").expect("bucket");
    assert!(limit.rate < 0.5, "{limit:?}");
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_retries_and_keeps_request_id() {
    let server = server().await;
    let seen = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders/111-0000001-0000001"))
        .respond_with(Flaky {
            seen: seen.clone(),
            fail: usize::MAX,
            status: 503,
            ok: Value::Null,
        })
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let err = client
        .orders_v0()
        .get_order("111-0000001-0000001")
        .await
        .expect_err("503s");
    assert_eq!(seen.load(Ordering::SeqCst), 4, "1 try + 3 retries");
    assert_eq!(err.kind(), ErrorKind::Transient);
    assert_eq!(err.request_id(), Some("req-3"));
    assert!(err.has_code("QuotaExceeded"));
}

#[tokio::test(start_paused = true)]
async fn total_deadline_bounds_retries() {
    let server = server().await;
    let seen = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .respond_with(Flaky {
            seen: seen.clone(),
            fail: usize::MAX,
            status: 500,
            ok: Value::Null,
        })
        .mount(&server)
        .await;
    let cfg = RetryConfig {
        max_retries: 100,
        retry_timeout: Duration::from_secs(10),
        backoff: BackoffConfig {
            init_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(4),
            base: 2.0,
        },
        ..retry()
    };
    let client = builder(&server).retry(cfg).build().expect("client");
    let start = Instant::now();
    let err = client
        .orders_v0()
        .get_order("111-0000001-0000001")
        .await
        .expect_err("500s");
    assert_eq!(err.kind(), ErrorKind::Server);
    assert!(
        start.elapsed() <= Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    let n = seen.load(Ordering::SeqCst);
    assert!((3..=6).contains(&n), "{n} attempts");
}

fn confirm_body() -> ConfirmShipmentRequest {
    ConfirmShipmentRequest {
        package_detail: PackageDetail {
            package_reference_id: "1".into(),
            carrier_code: "UPS".into(),
            carrier_name: None,
            shipping_method: Some("Ground".into()),
            tracking_number: "1Z999".into(),
            ship_date: DateParam::At(datetime!(2026-03-01 09:30 +01:00)),
            ship_from_supply_source_id: None,
            order_items: vec![ConfirmShipmentOrderItem {
                order_item_id: "79039765272157".into(),
                quantity: 1,
                transparency_codes: vec![],
            }],
        },
        cod_collection_method: None,
        marketplace_id: "ATVPDKIKX0DER".into(),
    }
}

#[tokio::test(start_paused = true)]
async fn confirm_shipment_is_not_retried_after_500_but_is_after_429() {
    let server = server().await;
    let seen = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path(
            "/orders/v0/orders/111-0000001-0000001/shipmentConfirmation",
        ))
        .and(header("content-type", "application/json"))
        .and(wiremock::matchers::body_json(json!({
            "marketplaceId": "ATVPDKIKX0DER",
            "packageDetail": {
                "packageReferenceId": "1", "carrierCode": "UPS", "shippingMethod": "Ground",
                "trackingNumber": "1Z999", "shipDate": "2026-03-01T08:30:00Z",
                "orderItems": [{"orderItemId": "79039765272157", "quantity": 1}]
            }
        })))
        .respond_with(Flaky {
            seen: seen.clone(),
            fail: usize::MAX,
            status: 500,
            ok: Value::Null,
        })
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let err = client
        .orders_v0()
        .confirm_shipment("111-0000001-0000001", confirm_body())
        .await
        .expect_err("500");
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        seen.load(Ordering::SeqCst),
        1,
        "a POST that may have been applied is not repeated"
    );

    server.reset().await;
    let seen = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": ACCESS, "expires_in": 3600})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(
            "/orders/v0/orders/111-0000001-0000001/shipmentConfirmation",
        ))
        .respond_with(Flaky {
            seen: seen.clone(),
            fail: 1,
            status: 429,
            ok: Value::Null,
        })
        .mount(&server)
        .await;
    client
        .orders_v0()
        .confirm_shipment("111-0000001-0000001", confirm_body())
        .await
        .expect("after 429");
    assert_eq!(seen.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn rate_limiter_paces_calls_and_reports_wait() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"payload": order_json("111-0000001-0000001")})),
        )
        .expect(5)
        .mount(&server)
        .await;
    let limiter = RateLimiter::new().override_limit("getOrder", RateLimit::new(1.0, 2));
    let client = builder(&server)
        .rate_limiter(limiter)
        .build()
        .expect("client");
    assert_eq!(client.wait_time("getOrder"), Duration::ZERO);
    let start = Instant::now();
    let mut at = Vec::new();
    for _ in 0..5 {
        client
            .orders_v0()
            .get_order("111-0000001-0000001")
            .await
            .expect("order");
        at.push(start.elapsed());
    }
    // Burst of 2, then one per second.
    assert!(at[1] < Duration::from_millis(100), "{at:?}");
    assert!(
        at[2] >= Duration::from_millis(999) && at[4] >= Duration::from_millis(2999),
        "{at:?}"
    );
    assert!(at[4] < Duration::from_millis(3500), "{at:?}");
    let wait = client.wait_time("getOrder");
    assert!(
        wait > Duration::from_millis(900) && wait <= Duration::from_secs(1),
        "{wait:?}"
    );
    // A clone shares the bucket.
    assert_eq!(client.clone().wait_time("getOrder"), wait);
}

#[tokio::test]
async fn rate_limit_header_adjusts_the_bucket() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-amzn-RateLimit-Limit", "5.0")
                .set_body_json(json!({"payload": order_json("111-0000001-0000001")})),
        )
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    client
        .orders_v0()
        .get_order("111-0000001-0000001")
        .await
        .expect("order");
    assert_eq!(
        client.current_rate_limit("getOrder").map(|l| l.rate),
        Some(5.0)
    );
}

#[tokio::test(start_paused = true)]
async fn max_rate_limit_wait_fails_fast_as_throttled() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"orders": []})))
        .expect(1)
        .mount(&server)
        .await;
    let limiter = RateLimiter::new().override_limit("searchOrders", RateLimit::new(0.0056, 1));
    let cfg = RetryConfig {
        max_rate_limit_wait: Some(Duration::from_secs(5)),
        ..retry()
    };
    let client = builder(&server)
        .rate_limiter(limiter)
        .retry(cfg)
        .build()
        .expect("client");
    let req = SearchOrdersRequest::new(["ATVPDKIKX0DER"])
        .last_updated_after(datetime!(2026-02-01 0:00 UTC));
    client
        .orders_v2026()
        .search_orders(req.clone())
        .await
        .expect("first");
    let err = client
        .orders_v2026()
        .search_orders(req)
        .await
        .expect_err("would wait ~3 min");
    match err.kind() {
        ErrorKind::Throttled {
            retry_after: Some(d),
        } => assert!(d > Duration::from_secs(170), "{d:?}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn restricted_calls_use_one_cached_rdt_per_path_set() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/tokens/2021-03-01/restrictedDataToken"))
        .and(header("x-amz-access-token", ACCESS))
        .and(wiremock::matchers::body_json(
            json!({"restrictedResources": [
            {"method": "GET", "path": "/orders/v0/orders/{orderId}/address"}]}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"restrictedDataToken": "Atz.sprdt|addr", "expiresIn": 3600})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/tokens/2021-03-01/restrictedDataToken"))
        .and(wiremock::matchers::body_json(json!({"restrictedResources": [
            {"method": "GET", "path": "/orders/v0/orders/{orderId}", "dataElements": ["buyerInfo", "shippingAddress"]}]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"restrictedDataToken": "Atz.sprdt|order", "expiresIn": 3600})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders/111-0000001-0000001/address"))
        .and(header("x-amz-access-token", "Atz.sprdt|addr"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": {"AmazonOrderId": "111-0000001-0000001",
            "ShippingAddress": {"Name": "Jane", "City": "Seattle", "CountryCode": "US", "AddressType": "Commercial"}}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders/111-0000002-0000002/address"))
        .and(header("x-amz-access-token", "Atz.sprdt|addr"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"payload": {"AmazonOrderId": "111-0000002-0000002"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders/111-0000001-0000001"))
        .and(header("x-amz-access-token", "Atz.sprdt|order"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"payload": order_json("111-0000001-0000001")})),
        )
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders/111-0000001-0000001/orderItems"))
        .and(header("x-amz-access-token", ACCESS))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"payload": {"AmazonOrderId": "111-0000001-0000001", "OrderItems": []}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let v0 = client.orders_v0();
    let a = v0
        .get_order_address("111-0000001-0000001")
        .await
        .expect("address");
    assert_eq!(
        a.shipping_address.as_ref().and_then(|s| s.city.as_deref()),
        Some("Seattle")
    );
    v0.get_order_address("111-0000002-0000002")
        .await
        .expect("address 2");
    let pii = vec![DataElement::ShippingAddress, DataElement::BuyerInfo];
    v0.get_order(GetOrder::new("111-0000001-0000001").data_elements(pii.clone()))
        .await
        .expect("order");
    v0.get_order(GetOrder::new("111-0000001-0000001").data_elements(pii))
        .await
        .expect("order again");
    // Items without PII use the plain access token.
    v0.get_order_items("111-0000001-0000001")
        .await
        .expect("items");
}

#[tokio::test]
async fn missing_role_is_an_auth_error_with_codes() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).insert_header("x-amzn-RequestId", "rid-403").set_body_json(json!({"errors": [
            {"code": "Unauthorized", "message": "Access to requested resource is denied.", "details": ""}]})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let err = client
        .sellers()
        .get_marketplace_participations()
        .await
        .expect_err("403");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.request_id(), Some("rid-403"));
    assert_eq!(err.api_errors()[0].details.as_deref(), Some(""));
}

#[tokio::test]
async fn decode_errors_name_the_json_path_and_request_id() {
    let server = server().await;
    let mut bad = order_json("111-0000001-0000001");
    bad["OrderTotal"]["Amount"] = json!("twelve");
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-amzn-RequestId", "rid-7")
                .set_body_json(
                    json!({"payload": {"Orders": [order_json("111-0000001-0000002"), bad]}}),
                ),
        )
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let req = GetOrdersRequest::new(["ATVPDKIKX0DER"])
        .last_updated_after(DateParam::At(datetime!(2026-02-01 0:00 UTC)));
    let err = client
        .orders_v0()
        .get_orders(req)
        .await
        .expect_err("bad amount");
    match &err {
        Error::Decode {
            path, request_id, ..
        } => {
            assert_eq!(path, "payload.Orders[1].OrderTotal.Amount");
            assert_eq!(request_id.as_deref(), Some("rid-7"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.kind(), ErrorKind::Decode);
}

#[tokio::test]
async fn get_orders_stream_follows_next_token_with_same_filters() {
    let server = server().await;
    let token = "2YgY+W55/IGNh==";
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders"))
        .and(query_param("NextToken", token))
        .and(query_param("LastUpdatedAfter", "2026-02-01T00:00:00Z"))
        .and(query_param("MarketplaceIds", "ATVPDKIKX0DER"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"payload": {"Orders": [order_json("111-0000003-0000003")]}})),
        )
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders"))
        .and(|req: &Request| !req.url.query_pairs().any(|(k, _)| k == "NextToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": {
            "Orders": [order_json("111-0000001-0000001"), order_json("111-0000002-0000002")],
            "NextToken": token, "LastUpdatedBefore": "2026-03-01T11:58:00Z"}})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let req = GetOrdersRequest::new(["ATVPDKIKX0DER"])
        .last_updated_after(DateParam::At(datetime!(2026-02-01 0:00 UTC)));
    let ids: Vec<String> = client
        .orders_v0()
        .get_orders_stream(req)
        .map_ok(|o| o.amazon_order_id)
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(
        ids,
        [
            "111-0000001-0000001",
            "111-0000002-0000002",
            "111-0000003-0000003"
        ]
    );
}

fn v2026_order(id: &str) -> Value {
    json!({
        "orderId": id, "createdTime": "2026-02-01T10:00:00Z", "lastUpdatedTime": "2026-02-01T10:05:00Z",
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER"},
        "programs": ["PRIME", "SOMETHING_NEW"],
        "fulfillment": {"fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT"},
        "proceeds": {"grandTotal": {"amount": "12.34", "currencyCode": "USD"}},
        "orderItems": [{"orderItemId": "1", "quantityOrdered": 2, "product": {"asin": "B0", "price": {"unitPrice": {"amount": "6.17", "currencyCode": "USD"}}}}]
    })
}

#[tokio::test]
async fn search_orders_stream_sends_pagination_token_and_identical_params() {
    let server = server().await;
    let expected_rest = "lastUpdatedAfter=2026-02-01T00%3A00%3A00Z&lastUpdatedBefore=2026-03-01T11%3A58%3A00Z\
                         &marketplaceIds=ATVPDKIKX0DER&fulfilledBy=MERCHANT&maxResultsPerPage=100\
                         &includedData=RECIPIENT%2CPROCEEDS";
    let first = expected_rest.to_owned();
    let second = expected_rest.replace("&includedData", "&paginationToken=tok%2F1%2B&includedData");
    Mock::given(method("GET"))
        .and(path("/orders/2026-01-01/orders"))
        .and(move |r: &Request| r.url.query() == Some(first.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"orders": [v2026_order("111-1")], "pagination": {"nextToken": "tok/1+"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orders/2026-01-01/orders"))
        .and(move |r: &Request| r.url.query() == Some(second.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"orders": [v2026_order("111-2")], "lastUpdatedBefore": "2026-03-01T11:58:00Z"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let req = SearchOrdersRequest::new(["ATVPDKIKX0DER"])
        .last_updated_after(datetime!(2026-02-01 0:00 UTC))
        // Later than now - 2 min (the fixed clock says 12:00): clamped to 11:58.
        .last_updated_before(datetime!(2026-03-01 13:00 UTC))
        .fulfilled_by(vec![FulfilledBy::Merchant])
        .max_results_per_page(100)
        .included_data(vec![IncludedData::Recipient, IncludedData::Proceeds]);
    let orders: Vec<_> = client
        .orders_v2026()
        .search_orders_stream(req)
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(orders.len(), 2);
    let o = &orders[0];
    assert_eq!(
        o.programs[1],
        spapi_client::orders_v2026::Program::Unknown("SOMETHING_NEW".into())
    );
    assert_eq!(
        o.proceeds
            .as_ref()
            .and_then(|p| p.grand_total.as_ref())
            .map(|m| m.amount),
        Some("12.34".parse().expect("dec"))
    );
}

#[tokio::test]
async fn v2026_error_list_is_kept_whole() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/orders/2026-01-01/orders/bad%2Fid"))
        .and(query_param("includedData", "BUYER"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-amzn-RequestId", "r404")
                .set_body_json(json!({"errors": [
            {"code": "NotFound", "message": "Order not found", "details": "bad/id"},
            {"code": "Other", "message": "second"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let err = client
        .orders_v2026()
        .get_order("bad/id", vec![IncludedData::Buyer])
        .await
        .expect_err("404");
    assert_eq!(err.kind(), ErrorKind::Client);
    assert_eq!(err.api_errors().len(), 2);
    assert_eq!(err.api_errors()[0].details.as_deref(), Some("bad/id"));
    assert!(err.to_string().contains("r404"));
}

#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let server = server().await;
    let client = builder(&server).build().expect("client");
    let both = GetOrdersRequest::new(["ATVPDKIKX0DER"])
        .created_after(DateParam::At(datetime!(2026-02-01 0:00 UTC)))
        .last_updated_after(DateParam::At(datetime!(2026-02-01 0:00 UTC)));
    let err = client
        .orders_v0()
        .get_orders(both)
        .await
        .expect_err("contradictory");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    let neither = SearchOrdersRequest::new(["ATVPDKIKX0DER"]);
    assert_eq!(
        client
            .orders_v2026()
            .search_orders(neither)
            .await
            .expect_err("missing")
            .kind(),
        ErrorKind::Client
    );
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
}

#[test]
fn plain_http_only_for_loopback() {
    let err = Client::builder()
        .credentials(LwaCredentials {
            client_id: "id".into(),
            client_secret: SecretString::from("s"),
            refresh_token: SecretString::from("r"),
        })
        .endpoint("http://sellingpartnerapi-na.amazon.com")
        .build()
        .expect_err("plain http to a remote host");
    assert!(matches!(err, Error::Config(_)));
}

#[tokio::test(start_paused = true)]
async fn retry_after_header_is_obeyed() {
    let server = server().await;
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    Mock::given(method("GET"))
        .respond_with(move |_: &Request| {
            if s.fetch_add(1, Ordering::SeqCst) == 0 {
                ResponseTemplate::new(503).insert_header("Retry-After", "7")
            } else {
                ResponseTemplate::new(200).set_body_json(json!({"payload": []}))
            }
        })
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let start = Instant::now();
    client
        .sellers()
        .get_marketplace_participations()
        .await
        .expect("after Retry-After");
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    assert!(
        start.elapsed() >= Duration::from_secs(7),
        "{:?}",
        start.elapsed()
    );
}

/// Real (short) time: an attempt timeout must fire while the server holds the response.
#[tokio::test]
async fn attempt_timeouts_are_retried_only_for_safe_operations() {
    let server = server().await;
    let cfg = RetryConfig {
        attempt_timeout: Some(Duration::from_millis(150)),
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(20),
            base: 2.0,
        },
        ..retry()
    };
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": []})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(
            "/orders/v0/orders/111-0000001-0000001/shipmentConfirmation",
        ))
        .respond_with(ResponseTemplate::new(204).set_delay(Duration::from_secs(5)))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).retry(cfg).build().expect("client");
    client
        .sellers()
        .get_marketplace_participations()
        .await
        .expect("second attempt");
    let err = client
        .orders_v0()
        .confirm_shipment("111-0000001-0000001", confirm_body())
        .await
        .expect_err("timed out");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Transient);
}

#[tokio::test(start_paused = true)]
async fn rdt_is_reused_for_its_lifetime_then_refetched() {
    let server = server().await;
    let minted = Arc::new(AtomicUsize::new(0));
    let m = minted.clone();
    Mock::given(method("POST"))
        .and(path("/tokens/2021-03-01/restrictedDataToken"))
        .respond_with(move |_: &Request| {
            let n = m.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(
                json!({"restrictedDataToken": format!("Atz.sprdt|{n}"), "expiresIn": 600}),
            )
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders/111-1/buyerInfo"))
        .and(|r: &Request| {
            r.headers
                .get("x-amz-access-token")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with("Atz.sprdt|"))
        })
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"payload": {"AmazonOrderId": "111-1", "BuyerName": "X"}})),
        )
        .expect(3)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let v0 = client.orders_v0();
    v0.get_order_buyer_info("111-1").await.expect("1");
    tokio::time::advance(Duration::from_secs(500)).await;
    v0.get_order_buyer_info("111-1")
        .await
        .expect("2: same RDT (600 s - 60 s margin)");
    assert_eq!(minted.load(Ordering::SeqCst), 1);
    tokio::time::advance(Duration::from_secs(60)).await;
    v0.get_order_buyer_info("111-1").await.expect("3: new RDT");
    assert_eq!(minted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_transport_error_does_not_show_the_buyer_email_filter() {
    let server = server().await;
    // A port that refuses connections: the orders call fails before any response.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let client = builder(&server)
        .endpoint(endpoint)
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let err = client
        .orders_v0()
        .get_orders(
            GetOrdersRequest::new(["ATVPDKIKX0DER"])
                .created_after(DateParam::At(datetime!(2026-02-01 0:00 UTC)))
                .buyer_email("jane.doe@buyer.example"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("buyer.example"), "{shown}");
        assert!(!shown.contains("BuyerEmail"), "{shown}");
    }
}
