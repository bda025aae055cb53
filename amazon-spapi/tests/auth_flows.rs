//! Onboarding and grantless flows against a mock LWA: the authorization-code exchange, the
//! client-credentials grant with a scope, item paging, and logs free of secrets and PII.

use amazon_spapi::lwa::{self, AppCredentials, GrantlessScope};
use amazon_spapi::orders_v0::GetOrderItems;
use amazon_spapi::tokens::DataElement;
use amazon_spapi::{Client, Error, LwaCredentials, LwaErrorCode, RateLimiter, RetryConfig};
use futures::TryStreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
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
    let base = url::Url::parse("https://sellercentral-europe.amazon.com").expect("url");
    let u = lwa::authorization_url(&base, "amzn1.sp.solution.x", "a b&c", false);
    assert_eq!(
        u.as_str(),
        "https://sellercentral-europe.amazon.com/apps/authorize/consent?application_id=amzn1.sp.solution.x&state=a+b%26c"
    );
}

#[tokio::test]
async fn grantless_client_uses_client_credentials_with_scope() {
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

/// A `Write` that appends into a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buf").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn item_stream_pages_and_logs_hold_no_secrets_or_pii() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

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
        tracing::info!(item = ?it, "decoded item");
    }
    let logs = String::from_utf8(capture.0.lock().expect("buf").clone()).expect("utf8");
    assert!(logs.contains("spapi.call"), "spans are emitted: {logs}");
    assert!(logs.contains("getOrderItems"), "{logs}");
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
