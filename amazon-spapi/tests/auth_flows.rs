//! Onboarding and grantless flows against a mock LWA: the authorization-code exchange, the
//! client-credentials grant with a scope, item paging, and logs free of secrets and PII.

use futures::TryStreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use spapi_client::lwa::{self, AppCredentials, GrantlessScope};
use spapi_client::orders_v0::GetOrderItems;
use spapi_client::tokens::DataElement;
use spapi_client::{Client, Error, LwaCredentials, LwaErrorCode, RateLimiter, RetryConfig};
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn app() -> AppCredentials {
    AppCredentials {
        client_id: "amzn1.application-oa2-client.app".into(),
        client_secret: SecretString::from("app-secret"),
    }
}

#[tokio::test]
async fn authorization_code_is_exchanged_for_a_refresh_token() {
    log_capture::install();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=ANDMxqpCmqWHJeyzdbMH"))
        .and(body_string_contains("redirect_uri=https%3A%2F%2Fapp.example%2Fcallback"))
        .and(body_string_contains("client_id=amzn1.application-oa2-client.app"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "Atza|new", "refresh_token": "Atzr|new-refresh", "token_type": "bearer", "expires_in": 3600})))
        .expect(1)
        .mount(&server)
        .await;
    let endpoint = url::Url::parse(&format!("{}/auth/o2/token", server.uri())).expect("url");
    let tokens = lwa::exchange_authorization_code(
        &app(),
        "ANDMxqpCmqWHJeyzdbMH",
        Some("https://app.example/callback"),
        Some(&endpoint),
    )
    .await
    .expect("exchange");
    assert_eq!(
        tokens
            .refresh_token
            .as_ref()
            .map(|t| t.expose_secret().to_owned())
            .as_deref(),
        Some("Atzr|new-refresh")
    );
    assert!(!format!("{tokens:?}").contains("Atzr|new-refresh"));
}

#[tokio::test]
async fn expired_authorization_code_says_what_to_do() {
    log_capture::install();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant", "error_description": "The authorization code has expired"})))
        .expect(1)
        .mount(&server)
        .await;
    let endpoint = url::Url::parse(&format!("{}/auth/o2/token", server.uri())).expect("url");
    let err = lwa::exchange_authorization_code(&app(), "old", None, Some(&endpoint))
        .await
        .expect_err("invalid_grant");
    match err {
        Error::Lwa(f) => {
            assert_eq!(f.code, LwaErrorCode::InvalidGrant);
            assert_eq!(
                f.description.as_deref(),
                Some("The authorization code has expired")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn consent_url_has_application_state_and_beta() {
    log_capture::install();
    let base = url::Url::parse("https://sellercentral-europe.amazon.com").expect("url");
    let u = lwa::authorization_url(&base, "amzn1.sp.solution.x", "a b&c", false);
    assert_eq!(
        u.as_str(),
        "https://sellercentral-europe.amazon.com/apps/authorize/consent?application_id=amzn1.sp.solution.x&state=a+b%26c"
    );
}

#[tokio::test]
async fn grantless_client_uses_client_credentials_with_scope() {
    log_capture::install();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains(
            "scope=sellingpartnerapi%3A%3Anotifications",
        ))
        .and(|r: &Request| !String::from_utf8_lossy(&r.body).contains("refresh_token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "Atza|grantless", "expires_in": 3600})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/sellers/v1/marketplaceParticipations"))
        .and(header("x-amz-access-token", "Atza|grantless"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": []})))
        .expect(2)
        .mount(&server)
        .await;
    let client = Client::builder()
        .grantless(app(), GrantlessScope::Notifications)
        .endpoint(server.uri())
        .lwa_endpoint(format!("{}/auth/o2/token", server.uri()))
        .rate_limiter(RateLimiter::new())
        .build()
        .expect("client");
    client
        .sellers()
        .get_marketplace_participations()
        .await
        .expect("1");
    client
        .sellers()
        .get_marketplace_participations()
        .await
        .expect("2 (cached token)");
}

/// Logs one decoded item. Both the test below and its helper thread log through this one
/// callsite, so that the helper thread can be the first to register it.
fn log_decoded(item: &spapi_client::orders_v0::OrderItem) {
    tracing::info!(item = ?item, "decoded item");
}

/// Runs one grantless `getMarketplaceParticipations` call and logs one item on a fresh thread
/// with its own runtime and mock server, and no log capture: the traffic of another test.
fn traffic_on_another_thread() {
    std::thread::spawn(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path("/auth/o2/token"))
                .respond_with(ResponseTemplate::new(200).set_body_json(
                    json!({"access_token": "Atza|NOISE-ACCESS", "expires_in": 3600}),
                ))
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path("/sellers/v1/marketplaceParticipations"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": []})))
                .expect(1)
                .mount(&server)
                .await;
            let client = Client::builder()
                .grantless(app(), GrantlessScope::Notifications)
                .endpoint(server.uri())
                .lwa_endpoint(format!("{}/auth/o2/token", server.uri()))
                .rate_limiter(RateLimiter::new())
                .build()
                .expect("client");
            client
                .sellers()
                .get_marketplace_participations()
                .await
                .expect("noise call");
            let item: spapi_client::orders_v0::OrderItem = serde_json::from_value(
                json!({"ASIN": "NOISE-THREAD", "OrderItemId": "0", "QuantityOrdered": 1}),
            )
            .expect("noise item");
            log_decoded(&item);
        });
    })
    .join()
    .expect("noise thread");
}

/// The capture design of this test: one process-wide subscriber that can never make tracing
/// cache "never" for a callsite, plus a per-thread buffer (see [`log_capture`]). It does not use a
/// scoped subscriber with `rebuild_interest_cache()`: that still races (see [`log_capture`]).
///
/// Before its own calls the test makes another thread (no capture) the first to register the
/// `decoded item` callsite, and the client's callsites if this process has not met them yet,
/// while the capture is already on. With the old scoping (`tracing::subscriber::set_default`
/// of a fmt subscriber here) that caches `never` and this test fails on every run ("spans are
/// emitted"); it still does with `rebuild_interest_cache()` right after `set_default`. The other
/// thread's lines must not reach this test's buffer either.
#[tokio::test]
async fn item_stream_pages_and_logs_hold_no_secrets_or_pii() {
    let capture = log_capture::Capture::start();
    traffic_on_another_thread();

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "Atza|SECRET-ACCESS", "expires_in": 3600})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/tokens/2021-03-01/restrictedDataToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"restrictedDataToken": "Atz.sprdt|SECRET-RDT", "expiresIn": 3600}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let item = |id: &str| {
        json!({"ASIN": "B0", "OrderItemId": id, "QuantityOrdered": 1, "IsGift": "true",
               "BuyerInfo": {"GiftMessageText": "Love, GRANDMA-PII", "GiftWrapLevel": "Classic"}})
    };
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders/111-1/orderItems"))
        .and(query_param("NextToken", "page/2"))
        .and(header("x-amz-access-token", "Atz.sprdt|SECRET-RDT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"payload": {"AmazonOrderId": "111-1", "OrderItems": [item("2")]}}),
        ))
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orders/v0/orders/111-1/orderItems"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": {"AmazonOrderId": "111-1", "OrderItems": [item("1")], "NextToken": "page/2"}})))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .credentials(LwaCredentials {
            client_id: "amzn1.application-oa2-client.app".into(),
            client_secret: SecretString::from("SECRET-CLIENT"),
            refresh_token: SecretString::from("Atzr|SECRET-REFRESH"),
        })
        .endpoint(server.uri())
        .lwa_endpoint(format!("{}/auth/o2/token", server.uri()))
        .retry(RetryConfig::disabled())
        .rate_limiter(RateLimiter::new())
        .build()
        .expect("client");
    let items: Vec<_> = client
        .orders_v0()
        .get_order_items_stream(
            GetOrderItems::new("111-1").data_elements(vec![DataElement::BuyerInfo]),
        )
        .try_collect()
        .await
        .expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].is_gift, Some(true));
    for it in &items {
        log_decoded(it);
    }
    let logs = capture.text();
    assert!(logs.contains("spapi.call"), "spans are emitted: {logs}");
    assert!(logs.contains("getOrderItems"), "{logs}");
    assert_eq!(
        logs.matches("decoded item").count(),
        2,
        "one line per item of this thread: {logs}"
    );
    assert!(
        !logs.contains("NOISE"),
        "another thread's lines reached this capture: {logs}"
    );
    for secret in [
        "SECRET-ACCESS",
        "SECRET-RDT",
        "SECRET-CLIENT",
        "SECRET-REFRESH",
        "GRANDMA-PII",
    ] {
        assert!(!logs.contains(secret), "{secret} leaked into logs:\n{logs}");
    }
}

/// Log capture that cannot race with the other tests of this binary, under `cargo test` (one
/// process, tests on parallel threads) as under nextest (one process per test).
///
/// Why not a scoped subscriber: tracing caches each callsite's interest for the whole process.
/// While only one dispatcher is registered, a callsite first hit on a thread that has no
/// subscriber is cached as `never` for every thread, so a test that had installed its own
/// scoped subscriber (`set_default`) loses those spans and events. Calling
/// `tracing::callsite::rebuild_interest_cache()` after `set_default` repairs only the callsites
/// registered before the call; one first hit by another test a moment later is cached `never`
/// again. That was the flake of issue 17.
///
/// The design here: one global subscriber, installed once, whose filter answers
/// `Interest::sometimes()` for every callsite (so no cache ever says `never`) and then enables
/// a span or event only on a thread that is capturing, writing it to that thread's buffer.
/// A test's client runs on its own thread (`#[tokio::test]` is a current-thread runtime), so a
/// buffer holds exactly its own test's lines. The one window left, a callsite registered on
/// another thread while the global subscriber is being installed, is closed by calling
/// [`install`](log_capture::install) first in every test of this file: it runs under a `Once`,
/// so no test touches a callsite before the subscriber is in place.
mod log_capture {
    use std::cell::RefCell;
    use std::io::Write;
    use std::sync::{Arc, Mutex, Once};
    use tracing_subscriber::prelude::*;

    thread_local! {
        static BUFFER: RefCell<Option<Arc<Mutex<Vec<u8>>>>> = const { RefCell::new(None) };
    }

    fn capturing() -> bool {
        BUFFER.try_with(|b| b.borrow().is_some()).unwrap_or(false)
    }

    /// Installs the process-wide subscriber. Every test of this file calls it first.
    pub(crate) fn install() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(|| ThreadWriter)
                .with_filter(tracing_subscriber::filter::dynamic_filter_fn(|_, _| {
                    capturing()
                }));
            tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
                .expect("no other global subscriber in this test binary");
        });
    }

    /// Writes into the current thread's buffer, if it has one.
    struct ThreadWriter;

    impl Write for ThreadWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let _ = BUFFER.try_with(|b| {
                if let Some(out) = b.borrow().as_ref() {
                    out.lock().expect("buffer").extend_from_slice(buf);
                }
            });
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Captures this thread's logs until dropped.
    pub(crate) struct Capture(Arc<Mutex<Vec<u8>>>);

    impl Capture {
        /// Installs the subscriber if needed and starts capturing this thread's logs.
        pub(crate) fn start() -> Self {
            install();
            let buf = Arc::new(Mutex::new(Vec::new()));
            BUFFER.with(|b| *b.borrow_mut() = Some(buf.clone()));
            Capture(buf)
        }

        /// Everything captured so far.
        pub(crate) fn text(&self) -> String {
            String::from_utf8(self.0.lock().expect("buffer").clone()).expect("utf8 logs")
        }
    }

    impl Drop for Capture {
        fn drop(&mut self) {
            let _ = BUFFER.try_with(|b| b.borrow_mut().take());
        }
    }
}
