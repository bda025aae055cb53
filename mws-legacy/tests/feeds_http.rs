//! Feeds over HTTP against wiremock: SubmitFeed's query/body/Content-MD5 shape, verified
//! results, paging, quota handling.

mod common;

use std::time::Duration;

use common::*;
use futures::TryStreamExt;
use mws_legacy::feeds::{
    CarrierCode, Envelope, FeedProcessingStatus, FeedSubmissionFilter, FeedType, FulfillmentItem,
    GetFeedSubmissionCount, GetFeedSubmissionList, OrderFulfillment, SubmitFeed,
};
use mws_legacy::sign::content_md5;
use mws_legacy::{Error, ErrorKind, RetryConfig};
use time::macros::datetime;
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn report(md5: Option<&str>) -> ResponseTemplate {
    let body = fixture("processing_report_partial.xml");
    let md5 = md5.map_or_else(|| content_md5(body.as_bytes()), str::to_owned);
    ResponseTemplate::new(200)
        .insert_header("content-type", "text/xml;charset=UTF-8")
        .insert_header("Content-MD5", md5.as_str())
        .insert_header("x-mws-request-id", "rid-result")
        .set_body_string(body)
}

fn fulfillment_feed() -> Envelope {
    Envelope::order_fulfillment(
        SELLER,
        [
            OrderFulfillment::new("111-0000001-0000001", datetime!(2020-05-27 15:00 UTC))
                .carrier_code(CarrierCode::Ups)
                .shipping_method("Ground")
                .tracking_number("1Z999AA10123456784")
                .item(FulfillmentItem::new("12345678901234", 1)),
            OrderFulfillment::new("111-0000002-0000002", datetime!(2020-05-27 16:00 UTC))
                .carrier_name("Local Courier & Co")
                .tracking_number("LC-42"),
        ],
    )
}

#[tokio::test]
async fn submit_feed_signs_the_query_and_posts_the_raw_document() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/Feeds/2009-01-01"))
        .and(query_param("Action", "SubmitFeed"))
        .respond_with(xml(fixture("submit_feed_response.xml")))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;

    let envelope = fulfillment_feed();
    let request = SubmitFeed::from_envelope(&envelope)
        .unwrap()
        .marketplace_id("ATVPDKIKX0DER");
    let response = client(&server).submit_feed(&request).await.unwrap();
    assert_eq!(
        response.feed_submission_info.feed_submission_id.as_str(),
        "50001018000"
    );
    assert_eq!(
        response.feed_submission_info.feed_processing_status,
        FeedProcessingStatus::Submitted
    );

    let req = &server.received_requests().await.unwrap()[0];
    let document = envelope.to_xml().unwrap();
    assert_eq!(req.body, document.as_bytes(), "the body is the feed itself");
    assert_eq!(req.headers.get("content-type").unwrap(), "text/xml");
    let md5 = content_md5(document.as_bytes());
    assert_eq!(
        req.headers.get("content-md5").unwrap().to_str().unwrap(),
        md5
    );
    let query = req.url.query().unwrap();
    let pairs = decode_pairs(query);
    assert_eq!(get(&pairs, "ContentMD5Value"), Some(md5.as_str()));
    assert_eq!(
        get(&pairs, "FeedType"),
        Some("_POST_ORDER_FULFILLMENT_DATA_")
    );
    assert_eq!(get(&pairs, "MarketplaceIdList.Id.1"), Some("ATVPDKIKX0DER"));
    assert_eq!(get(&pairs, "Version"), Some("2009-01-01"));
    assert_eq!(get(&pairs, "SellerId"), Some(SELLER));
    assert_signed(&server, "/Feeds/2009-01-01", &pairs, query);
}

#[tokio::test]
async fn legacy_feeds_path_is_posted_and_signed_as_slash() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/"))
        .and(body_string_contains("Action=GetFeedSubmissionCount"))
        .and(body_string_contains("FeedTypeList.Type.1=_POST_ORDER_FULFILLMENT_DATA_"))
        .respond_with(xml(
            r#"<?xml version="1.0"?><GetFeedSubmissionCountResponse xmlns="http://mws.amazonaws.com/doc/2009-01-01/"><GetFeedSubmissionCountResult><Count>3</Count></GetFeedSubmissionCountResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetFeedSubmissionCountResponse>"#.into(),
        ))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client =
        mws_legacy::Client::builder(mws_legacy::Credentials::new(SELLER, ACCESS_KEY, SECRET))
            .endpoint(mws_legacy::Endpoint::custom(&server.uri()).unwrap())
            .legacy_feeds_path(true)
            .build()
            .unwrap();
    let count = client
        .get_feed_submission_count(&GetFeedSubmissionCount(
            FeedSubmissionFilter::default().feed_type(FeedType::OrderFulfillment),
        ))
        .await
        .unwrap();
    assert_eq!(count.count, 3);
    let req = &server.received_requests().await.unwrap()[0];
    let body = String::from_utf8(req.body.clone()).unwrap();
    let pairs = decode_pairs(&body);
    assert_eq!(
        get(&pairs, "MWSAuthToken"),
        None,
        "no token for self-authorised sellers"
    );
    assert_signed(&server, "/", &pairs, &body);
}

#[tokio::test]
async fn feed_result_is_verified_and_read() {
    let server = MockServer::start().await;
    Mock::given(body_string_contains("Action=GetFeedSubmissionResult"))
        .and(body_string_contains("FeedSubmissionId=50001018000"))
        .respond_with(report(None))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let result = client(&server)
        .get_feed_submission_result("50001018000")
        .await
        .unwrap();
    assert_eq!(result.request_id.as_deref(), Some("rid-result"));
    let report = result.processing_report().unwrap();
    assert!(!report.is_success());
    let summary = report.summary.unwrap();
    assert_eq!(
        (summary.messages_processed, summary.messages_with_error),
        (2, 1)
    );
    let failed = report.results_for(2).next().unwrap();
    assert_eq!(failed.result_message_code, 18028);
    assert_eq!(
        failed
            .additional_info
            .as_ref()
            .unwrap()
            .amazon_order_id
            .as_deref(),
        Some("111-0000002-0000002")
    );
}

#[tokio::test(start_paused = true)]
async fn a_corrupted_result_is_fetched_again_then_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(report(Some("AAAAAAAAAAAAAAAAAAAAAA==")))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(report(None))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    assert!(
        client(&server)
            .get_feed_submission_result("1")
            .await
            .is_ok()
    );

    let always_bad = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(report(Some("AAAAAAAAAAAAAAAAAAAAAA==")))
        .expect(3)
        .mount(&always_bad)
        .await;
    let err = client_with(&always_bad, RetryConfig::default().with_max_retries(2))
        .get_feed_submission_result("1")
        .await
        .unwrap_err();
    match err {
        Error::RetriesExhausted { attempts: 3, last } => {
            assert!(
                matches!(*last, Error::ContentMd5Mismatch { ref expected, .. } if expected == "AAAAAAAAAAAAAAAAAAAAAA==")
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn result_not_ready_is_a_client_error_without_retry() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(404).set_body_string(
            r#"<?xml version="1.0"?><ErrorResponse xmlns="http://mws.amazonaws.com/doc/2009-01-01/"><Error><Type>Sender</Type><Code>FeedProcessingResultNotReady</Code><Message>Feed Submission Result is not ready for Feed Submission Id: 1</Message><Detail/></Error><RequestID>r404</RequestID></ErrorResponse>"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .get_feed_submission_result("1")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Client);
    assert_eq!(err.code(), Some("FeedProcessingResultNotReady"));
    assert_eq!(err.api().unwrap().status, 404);
    assert_eq!(err.api().unwrap().errors[0].detail, None, "empty <Detail/>");
}

#[tokio::test]
async fn submissions_stream_follows_has_next() {
    let server = MockServer::start().await;
    Mock::given(body_string_contains("Action=GetFeedSubmissionList&"))
        .and(body_string_contains("MaxCount=1"))
        .respond_with(xml(fixture("feed_list_page1.xml")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(body_string_contains(
        "Action=GetFeedSubmissionListByNextToken",
    ))
    .and(body_string_contains("NextToken=FEEDS%2B2"))
    .respond_with(xml(fixture("feed_list_page2.xml")))
    .expect(1)
    .mount(&server)
    .await;
    catch_all(&server).await;
    let infos: Vec<_> = client(&server)
        .feed_submissions_stream(GetFeedSubmissionList::new().max_count(1))
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = infos
        .iter()
        .map(|i| i.feed_submission_id.as_str())
        .collect();
    assert_eq!(ids, ["1001", "1002"], "stops when HasNext is false");
    assert_eq!(
        infos[1].feed_processing_status,
        FeedProcessingStatus::InProgress
    );
    assert_eq!(
        infos[0].completed_processing_date,
        Some(datetime!(2020-05-28 10:01 UTC))
    );
}

#[tokio::test(start_paused = true)]
async fn exhausted_hourly_quota_blocks_the_bucket_until_reset() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("x-mws-quota-max", "30.0")
                .insert_header("x-mws-quota-remaining", "0.0")
                .insert_header("x-mws-quota-resetsOn", "2020-05-28T12:00:00.000Z")
                .set_body_string(
                    r#"<?xml version="1.0" standalone="no"?><ErrorResponse><Error><Type/><Code>QuotaExceeded</Code><Message>You exceeded your quota of 30.0 requests per 1 hour for operation Feeds/2009-01-01/SubmitFeed.</Message></Error><RequestID>rq</RequestID></ErrorResponse>"#,
                ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let request = SubmitFeed::from_envelope(&fulfillment_feed()).unwrap();
    let err = client.submit_feed(&request).await.unwrap_err();
    assert_eq!(err.code(), Some("QuotaExceeded"));
    assert!(matches!(err.kind(), ErrorKind::Throttled { .. }));
    // The clock says 11:22:24.768; the quota resets at 12:00:00: waiting that long exceeds
    // the retry deadline, so the call returns at once and the wait is visible.
    let wait = client.wait_time("SubmitFeed");
    assert!(
        wait > Duration::from_secs(37 * 60) && wait <= Duration::from_secs(38 * 60),
        "{wait:?}"
    );
    assert_eq!(client.wait_time("GetFeedSubmissionList"), Duration::ZERO);
}
