//! The client fixes of issue 11, each proved by a test that fails without it: token refresh
//! on Amazon's real 403 (wiremock and the sandbox), the retry deadline that counts the
//! limiter's waits (with its floor), resumable item listings, the RDT endpoint and one RDT
//! for many resources, `getOrders` without marketplaces, strict watermarks.

use amazon_sandbox::{Sandbox, SandboxConfig};
use futures::TryStreamExt;
use secrecy::SecretString;
use serde_json::{Value, json};
use spapi_client::orders_v0::{DateParam, GetOrder, GetOrderItems, GetOrdersRequest};
use spapi_client::orders_v2026::SearchOrdersRequest;
use spapi_client::tokens::{DataElement, RestrictedResource};
use spapi_client::{
    BackoffConfig, Client, Error, ErrorKind, FixedClock, ListingPosition, LwaCredentials,
    RateLimiter, Region, RetryConfig,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use time::macros::datetime;
use tokio::time::Instant;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ACCESS: &str = "Atza|access-1";

fn retry(timeout: Duration) -> RetryConfig {
    RetryConfig {
        max_retries: 10,
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            base: 3.0,
        },
        retry_timeout: timeout,
        attempt_timeout: None,
        max_rate_limit_wait: None,
    }
}

fn credentials() -> LwaCredentials {
    LwaCredentials {
        client_id: "amzn1.application-oa2-client.test".into(),
        client_secret: SecretString::from("s3cret-value"),
        refresh_token: SecretString::from("Atzr|refresh"),
    }
}

fn builder(server: &MockServer) -> spapi_client::ClientBuilder {
    Client::builder()
        .credentials(credentials())
        .endpoint(server.uri())
        .lwa_endpoint(format!("{}/auth/o2/token", server.uri()))
        .retry(retry(Duration::from_secs(120)))
        .rate_limiter(RateLimiter::new())
        .clock(FixedClock(datetime!(2026-03-01 12:00 UTC)))
        .pool_idle_timeout(None)
        .connect_timeout(None)
}

/// A mock server with a fixed LWA token and a catch-all that fails loudly.
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

/// An LWA endpoint answering `Atza|t1`, `Atza|t2`, ...; the counter says how many.
async fn counting_lwa(server: &MockServer) -> Arc<AtomicUsize> {
    let fetches = Arc::new(AtomicUsize::new(0));
    let f = fetches.clone();
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .respond_with(move |_: &Request| {
            let n = f.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": format!("Atza|t{n}"), "expires_in": 3600}))
        })
        .mount(server)
        .await;
    fetches
}

fn order_json(id: &str) -> Value {
    json!({
        "AmazonOrderId": id,
        "PurchaseDate": "2026-02-01T10:00:00Z",
        "LastUpdateDate": "2026-02-01T11:00:00Z",
        "OrderStatus": "Unshipped"
    })
}

// ---------------------------------------------------------------------------------------
// 403 "Access to requested resource is denied." with the reason in `details`

#[tokio::test]
async fn a_403_whose_details_say_the_token_expired_refreshes_it_once() {
    let server = MockServer::start().await;
    let fetches = counting_lwa(&server).await;
    Mock::given(method("GET"))
        .and(header("x-amz-access-token", "Atza|t1"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"errors": [{
            "code": "Unauthorized",
            "message": "Access to requested resource is denied.",
            "details": "The access token you provided has expired."}]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("x-amz-access-token", "Atza|t2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": []})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    client
        .sellers()
        .get_marketplace_participations()
        .await
        .expect("after refresh");
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_403_that_persists_after_the_refresh_is_an_auth_error() {
    let server = MockServer::start().await;
    let fetches = counting_lwa(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"errors": [{
            "code": "Unauthorized",
            "message": "Access to requested resource is denied.",
            "details": "The access token you provided is revoked, malformed or invalid."}]})))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let err = client
        .sellers()
        .get_marketplace_participations()
        .await
        .expect_err("still refused");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(fetches.load(Ordering::SeqCst), 2, "refreshed exactly once");
}

#[tokio::test]
async fn an_access_token_the_sandbox_expired_is_refreshed_once() {
    let start = datetime!(2026-03-01 12:00 UTC);
    let sandbox = Sandbox::start(
        SandboxConfig::default()
            .seed(3)
            .initial_orders(0)
            .orders_per_hour(0.0)
            .rate_limits(false)
            .manual_clock_at(start),
    )
    .await
    .expect("sandbox");
    let creds = sandbox.credentials();
    let client = Client::builder()
        .credentials(LwaCredentials {
            client_id: creds.client_id.clone(),
            client_secret: SecretString::from(creds.client_secret.clone()),
            refresh_token: SecretString::from(creds.refresh_token.clone()),
        })
        .endpoint(sandbox.base_url())
        .lwa_endpoint(sandbox.lwa_url())
        .retry(RetryConfig::disabled())
        .build()
        .expect("client");
    client
        .sellers()
        .get_marketplace_participations()
        .await
        .expect("fresh token");
    // The sandbox's clock passes the token's hour; the client's cache does not know.
    sandbox.advance_clock(Duration::from_secs(2 * 3600));
    client
        .sellers()
        .get_marketplace_participations()
        .await
        .expect("the 403 refreshed the token");
    let stats = sandbox.stats();
    let calls = &stats["getMarketplaceParticipations"];
    assert_eq!(calls.calls, 3, "{stats:?}");
    assert_eq!(calls.by_status.get(&403), Some(&1), "{stats:?}");
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// The retry deadline counts the limiter's waits; the floor lets one retry through

fn search() -> SearchOrdersRequest {
    SearchOrdersRequest::new(["ATVPDKIKX0DER"]).last_updated_after(datetime!(2026-02-01 0:00 UTC))
}

fn quota_exceeded() -> ResponseTemplate {
    ResponseTemplate::new(429).set_body_json(json!({"errors": [{
        "code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource."}]}))
}

#[tokio::test(start_paused = true)]
async fn no_retry_goes_out_after_the_deadline_counting_limiter_waits() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/orders/2026-01-01/orders"))
        .respond_with(quota_exceeded())
        .mount(&server)
        .await;
    let deadline = Duration::from_secs(600);
    let client = builder(&server)
        .retry(retry(deadline))
        .build()
        .expect("client");
    let started = Instant::now();
    let err = client
        .orders_v2026()
        .search_orders(search())
        .await
        .expect_err("always throttled");
    let took = started.elapsed();
    assert!(
        took <= deadline,
        "the call took {took:?}, past its {deadline:?} deadline"
    );
    match err.kind() {
        // The caller learns how long the limiter needs before the next try.
        ErrorKind::Throttled {
            retry_after: Some(d),
        } => assert!(d > Duration::from_secs(300), "{d:?}"),
        other => panic!("{other:?}"),
    }
    // A first send and one retry ~357 s later (one interval at the throttle floor); the
    // next retry would have started past the deadline.
    let sent = server
        .received_requests()
        .await
        .expect("recording")
        .iter()
        .filter(|r| r.url.path() == "/orders/2026-01-01/orders")
        .count();
    assert_eq!(sent, 2);
}

#[tokio::test(start_paused = true)]
async fn the_deadline_floor_lets_a_throttled_slow_operation_retry_once() {
    let server = server().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    Mock::given(method("GET"))
        .and(path("/orders/2026-01-01/orders"))
        .respond_with(move |_: &Request| {
            if c.fetch_add(1, Ordering::SeqCst) == 0 {
                quota_exceeded()
            } else {
                ResponseTemplate::new(200).set_body_json(json!({"orders": []}))
            }
        })
        .mount(&server)
        .await;
    // A deadline shorter than searchOrders' interval: without the floor the retry (which
    // must wait for the limiter) could never go out.
    let client = builder(&server)
        .retry(retry(Duration::from_secs(30)))
        .build()
        .expect("client");
    let started = Instant::now();
    client
        .orders_v2026()
        .search_orders(search())
        .await
        .expect("the retry fits under the floor");
    let floor = retry(Duration::from_secs(30))
        .deadline_for(spapi_client::orders_v2026::SEARCH_ORDERS.limit);
    assert!(
        started.elapsed() <= floor,
        "{:?} > {floor:?}",
        started.elapsed()
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

// ---------------------------------------------------------------------------------------
// Item listings keep the watermark and the page token, and resume

#[tokio::test]
async fn get_orders_stream_exposes_watermark_and_token_and_resumes() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders"))
        .and(query_param("NextToken", "page/2"))
        .and(query_param("LastUpdatedBefore", "2026-03-01T11:00:00Z"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": {
            "Orders": [order_json("111-0000000-0000003")],
            "LastUpdatedBefore": "2026-03-01T11:00:00Z"}})))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": {
            "Orders": [order_json("111-0000000-0000001"), order_json("111-0000000-0000002")],
            "NextToken": "page/2",
            "LastUpdatedBefore": "2026-03-01T11:00:00Z"}})))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let request = GetOrdersRequest::new(["ATVPDKIKX0DER"])
        .last_updated_after(DateParam::At(datetime!(2026-02-01 0:00 UTC)))
        .last_updated_before(DateParam::At(datetime!(2026-03-01 11:00 UTC)));
    let mut listing = client.orders_v0().get_orders_stream(request.clone());
    assert_eq!(listing.position(), ListingPosition::default());
    let first = listing.try_next().await.expect("page 1").expect("order");
    assert_eq!(first.amazon_order_id, "111-0000000-0000001");
    assert_eq!(listing.watermark(), Some(datetime!(2026-03-01 11:00 UTC)));
    // Mid-page: resuming replays page 1 (from the start).
    assert_eq!(listing.position().page_token, None);
    listing.try_next().await.expect("page 1").expect("order");
    // Page 1 used up: resume at page 2.
    let saved = listing.position();
    assert_eq!(saved.page_token.as_deref(), Some("page/2"));
    assert!(!listing.is_complete());
    drop(listing); // a crash

    let resumed = request.resume(&saved);
    let mut listing = client.orders_v0().get_orders_stream(resumed);
    let third = listing.try_next().await.expect("page 2").expect("order");
    assert_eq!(third.amazon_order_id, "111-0000000-0000003");
    assert_eq!(listing.page_token(), Some("page/2"));
    assert!(listing.is_complete());
    assert!(listing.try_next().await.expect("end").is_none());
    assert_eq!(listing.watermark(), Some(datetime!(2026-03-01 11:00 UTC)));

    // The whole listing in one go sees the watermark too.
    let mut all = client.orders_v0().get_orders_stream(
        GetOrdersRequest::new(["ATVPDKIKX0DER"])
            .last_updated_after(DateParam::At(datetime!(2026-02-01 0:00 UTC)))
            .last_updated_before(DateParam::At(datetime!(2026-03-01 11:00 UTC))),
    );
    let mut n = 0;
    while all.try_next().await.expect("pages").is_some() {
        n += 1;
    }
    assert_eq!(n, 3);
    assert!(all.is_complete());
}

#[tokio::test]
async fn search_orders_stream_exposes_the_created_before_watermark() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/orders/2026-01-01/orders"))
        .and(query_param("paginationToken", "t2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"orders": [], "createdBefore": "2026-03-01T11:58:00Z"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let req = SearchOrdersRequest::new(["ATVPDKIKX0DER"])
        .created_after(datetime!(2026-02-01 0:00 UTC))
        .resume(&ListingPosition {
            page_token: Some("t2".into()),
            ..ListingPosition::default()
        });
    let mut listing = client.orders_v2026().search_orders_stream(req);
    assert!(listing.try_next().await.expect("page").is_none());
    assert_eq!(listing.watermark(), Some(datetime!(2026-03-01 11:58 UTC)));
    assert!(listing.is_complete());
}

// ---------------------------------------------------------------------------------------
// A watermark that cannot be parsed is an error

#[tokio::test]
async fn an_unparseable_watermark_is_a_decode_error() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": {
            "Orders": [], "LastUpdatedBefore": "yesterday-ish"}})))
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let err = client
        .orders_v0()
        .get_orders(
            GetOrdersRequest::new(["ATVPDKIKX0DER"])
                .last_updated_after(DateParam::At(datetime!(2026-02-01 0:00 UTC))),
        )
        .await
        .expect_err("watermark");
    match &err {
        Error::Decode { path, .. } => assert_eq!(path, "payload.LastUpdatedBefore"),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(!err.kind().is_retryable());
}

// ---------------------------------------------------------------------------------------
// getOrders without marketplaces never leaves the client

#[tokio::test]
async fn get_orders_without_marketplaces_is_refused_before_sending() {
    let server = server().await;
    let client = builder(&server).build().expect("client");
    let err = client
        .orders_v0()
        .get_orders(
            GetOrdersRequest::new(Vec::<String>::new())
                .created_after(DateParam::At(datetime!(2026-02-01 0:00 UTC))),
        )
        .await
        .expect_err("refused");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Client);
    let sent = server.received_requests().await.expect("recording");
    assert!(sent.is_empty(), "nothing sent: {sent:?}");
}

// ---------------------------------------------------------------------------------------
// Restricted data tokens: their own endpoint, and one for many resources

#[test]
fn the_static_sandbox_gets_rdts_from_production() {
    for (region, production) in [
        (Region::Na, "https://sellingpartnerapi-na.amazon.com/"),
        (Region::Eu, "https://sellingpartnerapi-eu.amazon.com/"),
        (Region::Fe, "https://sellingpartnerapi-fe.amazon.com/"),
    ] {
        let client = Client::builder()
            .credentials(credentials())
            .region(region)
            .sandbox(true)
            .build()
            .expect("client");
        assert!(
            client.endpoint().as_str().contains("sandbox."),
            "{}",
            client.endpoint()
        );
        assert_eq!(client.rdt_endpoint().as_str(), production);
    }
}

#[tokio::test]
async fn rdts_are_requested_from_the_configured_endpoint() {
    let api = server().await;
    let tokens = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/tokens/2021-03-01/restrictedDataToken"))
        .and(header("x-amz-access-token", ACCESS))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"restrictedDataToken": "Atz.sprdt|prod", "expiresIn": 3600})),
        )
        .expect(1)
        .mount(&tokens)
        .await;
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders/111-0000000-0000001/address"))
        .and(header("x-amz-access-token", "Atz.sprdt|prod"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"payload": {"AmazonOrderId": "111-0000000-0000001"}})),
        )
        .expect(1)
        .mount(&api)
        .await;
    let client = builder(&api)
        .rdt_endpoint(tokens.uri())
        .build()
        .expect("client");
    client
        .orders_v0()
        .get_order_address("111-0000000-0000001")
        .await
        .expect("address with the production RDT");
}

#[tokio::test]
async fn one_rdt_covers_the_resources_of_an_order() {
    let server = server().await;
    let resources = json!([
        {"method": "GET", "path": "/orders/v0/orders/{orderId}", "dataElements": ["buyerInfo", "shippingAddress"]},
        {"method": "GET", "path": "/orders/v0/orders/{orderId}/orderItems", "dataElements": ["buyerInfo"]},
        {"method": "GET", "path": "/orders/v0/orders/{orderId}/address"}
    ]);
    Mock::given(method("POST"))
        .and(path("/tokens/2021-03-01/restrictedDataToken"))
        .and(body_json(json!({"restrictedResources": resources})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"restrictedDataToken": "Atz.sprdt|one", "expiresIn": 3600})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let id = "111-0000000-0000001";
    Mock::given(method("GET"))
        .and(path(format!("/orders/v0/orders/{id}")))
        .and(header("x-amz-access-token", "Atz.sprdt|one"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": order_json(id)})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/orders/v0/orders/{id}/orderItems")))
        .and(header("x-amz-access-token", "Atz.sprdt|one"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"payload": {"AmazonOrderId": id, "OrderItems": []}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/orders/v0/orders/{id}/address")))
        .and(header("x-amz-access-token", "Atz.sprdt|one"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"payload": {"AmazonOrderId": id}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let ttl = client
        .mint_restricted_data_token(vec![
            RestrictedResource::get(
                "/orders/v0/orders/{orderId}",
                vec![DataElement::BuyerInfo, DataElement::ShippingAddress],
            ),
            RestrictedResource::get(
                "/orders/v0/orders/{orderId}/orderItems",
                vec![DataElement::BuyerInfo],
            ),
            RestrictedResource::get("/orders/v0/orders/{orderId}/address", vec![]),
        ])
        .await
        .expect("one RDT");
    assert_eq!(ttl, Duration::from_secs(3600));
    let v0 = client.orders_v0();
    // Data elements in another order still match the minted resource.
    v0.get_order(
        GetOrder::new(id).data_elements(vec![DataElement::ShippingAddress, DataElement::BuyerInfo]),
    )
    .await
    .expect("order");
    v0.get_order_items(GetOrderItems::new(id).data_elements(vec![DataElement::BuyerInfo]))
        .await
        .expect("items");
    v0.get_order_address(id).await.expect("address");
}

#[tokio::test]
async fn an_rdt_for_more_than_50_resources_is_refused_locally() {
    let server = server().await;
    let client = builder(&server).build().expect("client");
    let many: Vec<RestrictedResource> = (0..51)
        .map(|i| RestrictedResource::get(format!("/orders/v0/orders/{i}"), vec![]))
        .collect();
    let err = client
        .mint_restricted_data_token(many)
        .await
        .expect_err("51");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    let fifty: Vec<RestrictedResource> = (0..50)
        .map(|i| RestrictedResource::get(format!("/orders/v0/orders/{i}"), vec![]))
        .collect();
    Mock::given(method("POST"))
        .and(path("/tokens/2021-03-01/restrictedDataToken"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"restrictedDataToken": "Atz.sprdt|fifty", "expiresIn": 3600}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    client
        .mint_restricted_data_token(fifty)
        .await
        .expect("50 is fine");
}
