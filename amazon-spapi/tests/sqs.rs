//! The SQS consumer against wiremock: signed JSON-protocol requests (receive, delete,
//! visibility), typed ORDER_CHANGE notifications, MD5OfBody checked.
#![cfg(feature = "sqs")]

use futures::TryStreamExt;
use md5::Digest;
use secrecy::SecretString;
use serde_json::json;
use spapi_client::FixedClock;
use spapi_client::notifications::NotificationPayload;
use spapi_client::sqs::{AwsCredentials, SqsConsumer};
use std::time::Duration;
use time::macros::datetime;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const QUEUE: &str = "https://sqs.us-east-1.amazonaws.com/123456789012/sp-api";

fn order_change() -> String {
    json!({"NotificationVersion": "1.0", "NotificationType": "ORDER_CHANGE", "PayloadVersion": "1.0",
        "EventTime": "2026-03-01T11:59:00Z",
        "Payload": {"OrderChangeNotification": {"NotificationLevel": "OrderLevel", "SellerId": "A1SELLER",
            "AmazonOrderId": "111-1234567-1234567", "OrderChangeType": "OrderStatusChange",
            "OrderChangeTrigger": {"TimeOfOrderChange": "2026-03-01T11:58:00Z", "ChangeReason": "Order Status Change"},
            "Summary": {"MarketplaceId": "ATVPDKIKX0DER", "OrderStatus": "Unshipped", "PurchaseDate": null,
                "DestinationPostalCode": null, "FulfillmentType": "MFN", "OrderType": "StandardOrder", "OrderItems": []}}},
        "NotificationMetadata": {"ApplicationId": "amzn1.sellerapps.app.x", "SubscriptionId": "sub-1",
            "PublishTime": "2026-03-01T11:59:01Z", "NotificationId": "n-1"}})
    .to_string()
}

fn md5_hex(s: &str) -> String {
    md5::Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn consumer(server: &MockServer) -> SqsConsumer {
    SqsConsumer::new(
        QUEUE,
        "us-east-1",
        AwsCredentials::new(
            "AKIDEXAMPLE",
            SecretString::from("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        )
        .session_token(SecretString::from("session-token")),
    )
    .expect("consumer")
    .endpoint(&format!("{}/", server.uri()))
    .expect("endpoint")
    .wait_time(Duration::from_secs(20))
    .visibility_timeout(Duration::from_secs(60))
    .clock(FixedClock(datetime!(2026-03-01 12:00 UTC)))
}

fn signed(action: &'static str) -> impl Fn(&Request) -> bool {
    move |r: &Request| {
        let h = |n: &str| {
            r.headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        h("x-amz-target") == format!("AmazonSQS.{action}")
            && h("content-type") == "application/x-amz-json-1.0"
            && h("x-amz-date") == "20260301T120000Z"
            && h("x-amz-security-token") == "session-token"
            && h("authorization").starts_with(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/us-east-1/sqs/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=",
            )
    }
}

#[tokio::test]
async fn an_order_change_is_received_typed_and_deleted() {
    let server = MockServer::start().await;
    let body = order_change();
    Mock::given(method("POST"))
        .and(path("/"))
        .and(signed("ReceiveMessage"))
        .and(body_json(json!({"QueueUrl": QUEUE, "MaxNumberOfMessages": 10,
            "WaitTimeSeconds": 20, "VisibilityTimeout": 60})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Messages": [
            {"MessageId": "m-1", "ReceiptHandle": "rh-1", "MD5OfBody": md5_hex(&body), "Body": body},
            {"MessageId": "m-2", "ReceiptHandle": "rh-2", "MD5OfBody": "00000000000000000000000000000000", "Body": order_change()}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(signed("DeleteMessage"))
        .and(body_json(
            json!({"QueueUrl": QUEUE, "ReceiptHandle": "rh-1"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(signed("ChangeMessageVisibility"))
        .and(body_json(
            json!({"QueueUrl": QUEUE, "ReceiptHandle": "rh-2", "VisibilityTimeout": 0}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let consumer = consumer(&server);
    let mut deliveries = std::pin::pin!(consumer.deliveries());
    let first = deliveries
        .try_next()
        .await
        .expect("receive")
        .expect("a delivery");
    let n = first.notification.as_ref().expect("typed");
    assert_eq!(n.metadata.notification_id, "n-1");
    let NotificationPayload::OrderChange(change) = &n.payload else {
        panic!("{n:?}")
    };
    assert_eq!(change.amazon_order_id, "111-1234567-1234567");
    consumer.delete(&first).await.expect("deleted");
    // A body that does not match its MD5 is reported, and can be released for a retry.
    let second = deliveries
        .try_next()
        .await
        .expect("buffered")
        .expect("a delivery");
    assert!(second.notification.is_err());
    consumer
        .change_visibility(&second, Duration::ZERO)
        .await
        .expect("released");
}

#[tokio::test]
async fn queue_errors_name_the_aws_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", "AmazonSQS.ReceiveMessage"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "The specified queue does not exist."})))
        .mount(&server)
        .await;
    let err = consumer(&server).receive().await.expect_err("400");
    let s = err.to_string();
    assert!(s.contains("QueueDoesNotExist"), "{s}");
    assert!(!format!("{err:?}").contains("wJalrXUtnFEMI"));
    assert_eq!(err.status(), Some(400));
}
