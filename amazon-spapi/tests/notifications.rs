//! Notifications v1 against wiremock (destinations with the grantless token, subscriptions
//! with the seller's), and the typed notifications decoded from the official schemas'
//! examples.

use secrecy::SecretString;
use serde_json::{Value, json};
use spapi_client::lwa::{AppCredentials, GrantlessScope};
use spapi_client::notifications::{
    FinishedStatus, Notification, NotificationPayload, NotificationType, OrderChangeType,
    ProcessingDirective,
};
use spapi_client::{Client, Error, LwaCredentials, RateLimiter, RetryConfig};
use wiremock::matchers::{body_json, body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains(
            "scope=sellingpartnerapi%3A%3Anotifications",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "Atza|grantless", "token_type": "bearer", "expires_in": 3600}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "Atza|seller", "token_type": "bearer", "expires_in": 3600}),
        ))
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

fn grantless(server: &MockServer) -> Client {
    Client::builder()
        .grantless(
            AppCredentials {
                client_id: "amzn1.application-oa2-client.test".into(),
                client_secret: SecretString::from("s3cret"),
            },
            GrantlessScope::Notifications,
        )
        .endpoint(server.uri())
        .lwa_endpoint(format!("{}/auth/o2/token", server.uri()))
        .retry(RetryConfig::disabled())
        .rate_limiter(RateLimiter::new())
        .build()
        .expect("grantless client")
}

fn seller(server: &MockServer) -> Client {
    Client::builder()
        .credentials(LwaCredentials {
            client_id: "amzn1.application-oa2-client.test".into(),
            client_secret: SecretString::from("s3cret"),
            refresh_token: SecretString::from("Atzr|seller"),
        })
        .endpoint(server.uri())
        .lwa_endpoint(format!("{}/auth/o2/token", server.uri()))
        .retry(RetryConfig::disabled())
        .rate_limiter(RateLimiter::new())
        .build()
        .expect("seller client")
}

#[tokio::test]
async fn destinations_use_the_grantless_token() {
    let server = server().await;
    let arn = "arn:aws:sqs:us-east-1:123456789012:sp-api";
    let destination =
        json!({"destinationId": "dest-1", "name": "orders", "resource": {"sqs": {"arn": arn}}});
    Mock::given(method("POST"))
        .and(path("/notifications/v1/destinations"))
        .and(header("x-amz-access-token", "Atza|grantless"))
        .and(body_json(
            json!({"name": "orders", "resourceSpecification": {"sqs": {"arn": arn}}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": destination})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/notifications/v1/destinations"))
        .and(header("x-amz-access-token", "Atza|grantless"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": [destination]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/notifications/v1/destinations/dest-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": destination})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/notifications/v1/destinations/dest-1"))
        .and(header("x-amz-access-token", "Atza|grantless"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let api = grantless(&server).notifications();
    let d = api
        .create_sqs_destination("orders", arn)
        .await
        .expect("created");
    assert_eq!(d.destination_id, "dest-1");
    assert_eq!(d.resource.sqs.as_ref().map(|s| s.arn.as_str()), Some(arn));
    assert_eq!(api.get_destinations().await.expect("list").len(), 1);
    assert_eq!(api.get_destination("dest-1").await.expect("one"), d);
    api.delete_destination("dest-1").await.expect("deleted");
}

#[tokio::test]
async fn subscriptions_use_the_sellers_token_except_by_id() {
    let server = server().await;
    let sub = json!({"subscriptionId": "sub-1", "payloadVersion": "1.0", "destinationId": "dest-1",
        "processingDirective": {"eventFilter": {"eventFilterType": "ORDER_CHANGE",
            "orderChangeTypes": ["OrderStatusChange", "BuyerRequestedChange"], "marketplaceIds": ["ATVPDKIKX0DER"]}}});
    Mock::given(method("POST"))
        .and(path("/notifications/v1/subscriptions/ORDER_CHANGE"))
        .and(header("x-amz-access-token", "Atza|seller"))
        .and(body_json(json!({"payloadVersion": "1.0", "destinationId": "dest-1",
            "processingDirective": {"eventFilter": {"eventFilterType": "ORDER_CHANGE",
                "orderChangeTypes": ["OrderStatusChange", "BuyerRequestedChange"], "marketplaceIds": ["ATVPDKIKX0DER"]}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": sub})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/notifications/v1/subscriptions/FEED_PROCESSING_FINISHED",
        ))
        .and(header("x-amz-access-token", "Atza|seller"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"errors": [
            {"code": "NotFound", "message": "The resource you requested does not exist."}]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/notifications/v1/subscriptions/ORDER_CHANGE/sub-1"))
        .and(header("x-amz-access-token", "Atza|grantless"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": sub})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/notifications/v1/subscriptions/ORDER_CHANGE/sub-1"))
        .and(header("x-amz-access-token", "Atza|grantless"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let seller = seller(&server).notifications();
    let created = seller
        .create_subscription(
            NotificationType::OrderChange,
            "dest-1",
            Some(ProcessingDirective::order_change_types(
                &[
                    OrderChangeType::OrderStatusChange,
                    OrderChangeType::BuyerRequestedChange,
                ],
                &["ATVPDKIKX0DER"],
            )),
        )
        .await
        .expect("created");
    assert_eq!(created.subscription_id, "sub-1");
    let missing = seller
        .get_subscription(NotificationType::FeedProcessingFinished)
        .await
        .expect_err("404");
    assert_eq!(missing.status(), Some(404));
    let app = grantless(&server).notifications();
    assert_eq!(
        app.get_subscription_by_id(NotificationType::OrderChange, "sub-1")
            .await
            .expect("by id"),
        created
    );
    app.delete_subscription_by_id(NotificationType::OrderChange, "sub-1")
        .await
        .expect("deleted");
}

fn schema_examples(file: &str) -> Vec<Value> {
    let Some(dir) = amz_testkit::shared_dir("notification schema examples") else {
        return Vec::new();
    };
    let path = amz_testkit::shared_file(&dir, &format!("spapi-models/{file}"));
    let schema: Value =
        serde_json::from_slice(&std::fs::read(path).expect("read schema")).expect("json");
    schema["examples"].as_array().cloned().unwrap_or_default()
}

#[test]
fn the_schemas_examples_decode_into_typed_notifications() {
    if amz_testkit::shared_dir("notification schema examples").is_none() {
        return;
    }
    let orders = schema_examples("OrderChangeNotification.json");
    assert!(!orders.is_empty());
    for ex in &orders {
        let n = Notification::from_json(ex.to_string().as_bytes()).expect("ORDER_CHANGE");
        assert_eq!(n.notification_type(), NotificationType::OrderChange);
        let NotificationPayload::OrderChange(change) = &n.payload else {
            panic!("{n:?}")
        };
        assert!(!change.amazon_order_id.is_empty());
        assert!(!n.metadata.notification_id.is_empty());
        assert!(!matches!(
            change.order_change_type,
            OrderChangeType::Unknown(_)
        ));
    }
    let feeds = schema_examples("FeedProcessingFinishedNotification.json");
    assert!(!feeds.is_empty());
    for ex in &feeds {
        let n = Notification::from_json(ex.to_string().as_bytes()).expect("FEED");
        let NotificationPayload::FeedProcessingFinished(f) = &n.payload else {
            panic!("{n:?}")
        };
        assert!(!matches!(f.processing_status, FinishedStatus::Unknown(_)));
    }
    let reports = schema_examples("ReportProcessingFinishedNotification.json");
    assert!(!reports.is_empty());
    for ex in &reports {
        let n = Notification::from_json(ex.to_string().as_bytes()).expect("REPORT");
        assert_eq!(
            n.notification_type(),
            NotificationType::ReportProcessingFinished
        );
    }
}

#[test]
fn unknown_types_are_kept_and_bad_payloads_name_their_path() {
    let other = json!({"notificationVersion": "1.0", "notificationType": "ANY_OFFER_CHANGED",
        "payloadVersion": "1.0", "eventTime": "2026-03-01T12:00:00Z", "payload": {"x": 1},
        "notificationMetadata": {"applicationId": "a", "subscriptionId": "s",
            "publishTime": "2026-03-01T12:00:01Z", "notificationId": "n-1"}});
    let n = Notification::from_json(other.to_string().as_bytes()).expect("other");
    assert_eq!(
        n.notification_type(),
        NotificationType::Unknown("ANY_OFFER_CHANGED".into())
    );
    let bad = json!({"NotificationVersion": "1.0", "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0", "EventTime": "2026-03-01T12:00:00Z",
        "Payload": {"OrderChangeNotification": {"NotificationLevel": "OrderLevel", "SellerId": "S",
            "AmazonOrderId": 17, "OrderChangeType": "OrderStatusChange"}},
        "NotificationMetadata": {"ApplicationId": "a", "SubscriptionId": "s",
            "PublishTime": "2026-03-01T12:00:01Z", "NotificationId": "n-2"}});
    match Notification::from_json(bad.to_string().as_bytes()) {
        Err(Error::Decode { path, .. }) => {
            assert_eq!(path, "payload.OrderChangeNotification.AmazonOrderId")
        }
        other => panic!("{other:?}"),
    }
}
