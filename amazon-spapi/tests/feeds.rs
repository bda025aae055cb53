//! Feeds 2021-06-30 against wiremock: exact requests of every operation, the upload and
//! download of documents (content type, GZIP), `submit_feed` polling until done with its
//! parsed processing report, and decoding of the official model's examples.

use amazon_feed_documents::order_feeds::{Envelope, OrderAcknowledgement};
use amazon_feed_documents::processing_report::OutcomeState;
use flate2::Compression;
use flate2::write::GzEncoder;
use futures::TryStreamExt;
use secrecy::SecretString;
use serde_json::{Value, json};
use spapi_client::feeds::{
    CompressionAlgorithm, CreateFeedDocumentResponse, CreateFeedResponse, CreateFeedSpecification,
    Feed, FeedContent, FeedDocument, FeedPoll, FeedReport, GetFeedsRequest, GetFeedsResponse,
    ProcessingStatus,
};
use spapi_client::{
    BackoffConfig, Client, Error, ErrorKind, FixedClock, LwaCredentials, RateLimiter, RetryConfig,
};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use time::macros::datetime;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ACCESS: &str = "Atza|access-1";

fn builder(server: &MockServer) -> spapi_client::ClientBuilder {
    Client::builder()
        .credentials(LwaCredentials {
            client_id: "amzn1.application-oa2-client.test".into(),
            client_secret: SecretString::from("s3cret-value"),
            refresh_token: SecretString::from("Atzr|refresh"),
        })
        .endpoint(server.uri())
        .lwa_endpoint(format!("{}/auth/o2/token", server.uri()))
        .retry(RetryConfig {
            max_retries: 3,
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(2),
                base: 2.0,
            },
            retry_timeout: Duration::from_secs(60),
            attempt_timeout: None,
            max_rate_limit_wait: None,
        })
        .rate_limiter(RateLimiter::new())
        .clock(FixedClock(datetime!(2026-03-01 12:00 UTC)))
        .pool_idle_timeout(None)
        .connect_timeout(None)
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

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

const XML: &str = "text/xml; charset=UTF-8";

fn report_xml() -> String {
    r#"<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header><DocumentVersion>1.02</DocumentVersion><MerchantIdentifier>A1SELLER</MerchantIdentifier></Header>
  <MessageType>ProcessingReport</MessageType>
  <Message><MessageID>1</MessageID><ProcessingReport>
    <DocumentTransactionID>50001000011</DocumentTransactionID>
    <StatusCode>Complete</StatusCode>
    <ProcessingSummary><MessagesProcessed>2</MessagesProcessed><MessagesSuccessful>1</MessagesSuccessful><MessagesWithError>1</MessagesWithError><MessagesWithWarning>0</MessagesWithWarning></ProcessingSummary>
    <Result><MessageID>2</MessageID><ResultCode>Error</ResultCode><ResultMessageCode>18028</ResultMessageCode><ResultDescription>The data you submitted is incomplete or invalid.</ResultDescription><AdditionalInfo><AmazonOrderID>111-7654321-7654321</AmazonOrderID></AdditionalInfo></Result>
  </ProcessingReport></Message>
</AmazonEnvelope>"#
        .to_owned()
}

#[tokio::test]
async fn create_feed_document_and_upload_send_exact_requests() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/feeds/2021-06-30/documents"))
        .and(header("x-amz-access-token", ACCESS))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"contentType": XML})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "feedDocumentId": "doc-1",
            "url": format!("{}/upload/doc-1?X-Amz-Signature=secret-sig", server.uri())})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/upload/doc-1"))
        .and(query_param("X-Amz-Signature", "secret-sig"))
        .and(header("content-type", XML))
        .and(|r: &Request| {
            // The storage service is called without the SP-API token.
            !r.headers.contains_key("x-amz-access-token") && r.body == b"<AmazonEnvelope/>"
        })
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let feeds = client.feeds();
    let doc = feeds.create_feed_document(XML).await.expect("document");
    assert_eq!(doc.feed_document_id, "doc-1");
    assert!(!format!("{doc:?}").contains("secret-sig"));
    feeds
        .upload_feed_document(&doc, XML, b"<AmazonEnvelope/>")
        .await
        .expect("upload");
}

#[tokio::test]
async fn an_upload_with_another_content_type_is_a_client_error_without_the_signature() {
    let server = server().await;
    Mock::given(method("PUT"))
        .and(path("/upload/doc-2"))
        .respond_with(ResponseTemplate::new(403).set_body_string(
            "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error>",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let doc: CreateFeedDocumentResponse = serde_json::from_value(json!({
        "feedDocumentId": "doc-2",
        "url": format!("{}/upload/doc-2?X-Amz-Signature=secret-sig", server.uri())}))
    .expect("doc");
    let err = client
        .feeds()
        .upload_feed_document(&doc, "text/plain", b"x")
        .await
        .expect_err("403");
    assert_eq!(err.kind(), ErrorKind::Client, "not retried: {err}");
    assert_eq!(err.status(), Some(403));
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("SignatureDoesNotMatch"), "{shown}");
    assert!(!shown.contains("secret-sig"), "{shown}");
}

#[tokio::test]
async fn create_get_cancel_feed_requests_are_exact() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/feeds/2021-06-30/feeds"))
        .and(header("x-amz-access-token", ACCESS))
        .and(body_json(json!({
            "feedType": "POST_ORDER_ACKNOWLEDGEMENT_DATA",
            "marketplaceIds": ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"],
            "inputFeedDocumentId": "doc-1",
            "feedOptions": {"opt": "v"}})))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"feedId": "3485934"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/feeds/2021-06-30/feeds/3485934"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "feedId": "3485934", "feedType": "POST_ORDER_ACKNOWLEDGEMENT_DATA",
            "createdTime": "2026-03-01T11:00:00Z", "processingStatus": "IN_QUEUE"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/feeds/2021-06-30/feeds/3485934"))
        .and(header("x-amz-access-token", ACCESS))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let feeds = client.feeds();
    let created = feeds
        .create_feed(
            CreateFeedSpecification::new(
                "POST_ORDER_ACKNOWLEDGEMENT_DATA",
                ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"],
                "doc-1",
            )
            .option("opt", "v"),
        )
        .await
        .expect("created");
    assert_eq!(created.feed_id, "3485934");
    let feed = feeds.get_feed("3485934").await.expect("feed");
    assert_eq!(feed.processing_status, ProcessingStatus::InQueue);
    assert!(!feed.processing_status.is_terminal());
    feeds.cancel_feed("3485934").await.expect("cancelled");
}

#[tokio::test]
async fn create_feed_is_not_repeated_after_a_server_error() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/feeds/2021-06-30/feeds"))
        .respond_with(ResponseTemplate::new(500).set_body_json(
            json!({"errors": [{"code": "InternalFailure", "message": "We encountered an internal error."}]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let err = client
        .feeds()
        .create_feed(CreateFeedSpecification::new("T", ["ATVPDKIKX0DER"], "doc"))
        .await
        .expect_err("500");
    assert_eq!(err.status(), Some(500));
}

#[tokio::test]
async fn get_feeds_pages_send_the_token_alone() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/feeds/2021-06-30/feeds"))
        .and(query_param("nextToken", "tok+2"))
        .and(|r: &Request| r.url.query() == Some("nextToken=tok%2B2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"feeds": [{
            "feedId": "F2", "feedType": "JSON_LISTINGS_FEED",
            "createdTime": "2026-02-28T10:00:00.000Z", "processingStatus": "DONE",
            "resultFeedDocumentId": "r2"}]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/feeds/2021-06-30/feeds"))
        .and(|r: &Request| {
            r.url.query()
                == Some(
                    "feedTypes=JSON_LISTINGS_FEED%2CPOST_ORDER_FULFILLMENT_DATA&marketplaceIds=ATVPDKIKX0DER\
                     &pageSize=1&processingStatuses=DONE%2CFATAL&createdSince=2026-02-01T00%3A00%3A00Z",
                )
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"feeds": [{
            "feedId": "F1", "feedType": "POST_ORDER_FULFILLMENT_DATA",
            "createdTime": "2026-02-28T09:00:00Z", "processingStatus": "FATAL"}],
            "nextToken": "tok+2"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let feeds: Vec<Feed> = client
        .feeds()
        .get_feeds_stream(
            GetFeedsRequest::new(["JSON_LISTINGS_FEED", "POST_ORDER_FULFILLMENT_DATA"])
                .marketplace_ids(["ATVPDKIKX0DER"])
                .page_size(1)
                .processing_statuses(vec![ProcessingStatus::Done, ProcessingStatus::Fatal])
                .created_since(datetime!(2026-02-01 0:00 UTC)),
        )
        .try_collect()
        .await
        .expect("two pages");
    let ids: Vec<&str> = feeds.iter().map(|f| f.feed_id.as_str()).collect();
    assert_eq!(ids, ["F1", "F2"]);
    assert_eq!(feeds[1].result_feed_document_id.as_deref(), Some("r2"));
}

#[tokio::test]
async fn feed_documents_download_and_gunzip() {
    let server = server().await;
    let content = report_xml();
    Mock::given(method("GET"))
        .and(path("/feeds/2021-06-30/documents/r-1"))
        .and(header("x-amz-access-token", ACCESS))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "feedDocumentId": "r-1",
            "url": format!("{}/download/r-1?sig=s", server.uri()),
            "compressionAlgorithm": "GZIP"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/download/r-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/xml")
                .set_body_bytes(gzip(content.as_bytes())),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let feeds = client.feeds();
    let doc = feeds.get_feed_document("r-1").await.expect("doc");
    assert_eq!(doc.compression_algorithm, Some(CompressionAlgorithm::Gzip));
    let got = feeds.download_feed_document(&doc).await.expect("download");
    assert_eq!(got.body, content.as_bytes());
    assert_eq!(got.content_type.as_deref(), Some("text/xml"));

    // A document that says GZIP but is not: a decode error, not retried.
    let plain: FeedDocument = serde_json::from_value(json!({
        "feedDocumentId": "r-2", "url": format!("{}/download/r-2", server.uri()),
        "compressionAlgorithm": "GZIP"}))
    .expect("doc");
    Mock::given(method("GET"))
        .and(path("/download/r-2"))
        .respond_with(ResponseTemplate::new(200).set_body_string("not gzip"))
        .expect(1)
        .mount(&server)
        .await;
    let err = feeds
        .download_feed_document(&plain)
        .await
        .expect_err("bad gzip");
    assert_eq!(err.kind(), ErrorKind::Decode);
}

#[tokio::test]
async fn a_download_failing_with_503_is_retried() {
    let server = server().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    Mock::given(method("GET"))
        .and(path("/download/r-3"))
        .respond_with(move |_: &Request| {
            if c.fetch_add(1, Ordering::SeqCst) == 0 {
                ResponseTemplate::new(503).set_body_string("SlowDown")
            } else {
                ResponseTemplate::new(200).set_body_string("ok")
            }
        })
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let doc: FeedDocument = serde_json::from_value(json!({
        "feedDocumentId": "r-3", "url": format!("{}/download/r-3", server.uri())}))
    .expect("doc");
    let got = client
        .feeds()
        .download_feed_document(&doc)
        .await
        .expect("retried");
    assert_eq!(got.body, b"ok");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn plain_http_document_urls_are_refused_off_loopback() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let server = MockServer::start().await;
        let client = builder(&server).build().expect("client");
        let doc: FeedDocument = serde_json::from_value(json!({
            "feedDocumentId": "r", "url": "http://example.com/doc?X-Amz-Signature=secret"}))
        .expect("doc");
        let err = client
            .feeds()
            .download_feed_document(&doc)
            .await
            .expect_err("http");
        assert!(matches!(err, Error::Document { .. }), "{err:?}");
        assert!(!err.to_string().contains("secret"), "{err}");
    });
}

#[tokio::test(start_paused = true)]
async fn submit_feed_uploads_creates_polls_and_parses_the_report() {
    let server = server().await;
    let envelope = Envelope::order_acknowledgement(
        "A1SELLER",
        [
            OrderAcknowledgement::success("111-1234567-1234567").merchant_order_id("HOST-1"),
            OrderAcknowledgement::success("111-7654321-7654321").merchant_order_id("HOST-2"),
        ],
    );
    let content = FeedContent::order_feed(&envelope).expect("content");
    assert_eq!(content.feed_type, "POST_ORDER_ACKNOWLEDGEMENT_DATA");
    let xml = content.body.clone();
    Mock::given(method("POST"))
        .and(path("/feeds/2021-06-30/documents"))
        .and(body_json(json!({"contentType": content.content_type})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "feedDocumentId": "in-1", "url": format!("{}/upload/in-1", server.uri())})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/upload/in-1"))
        .and(header("content-type", content.content_type.as_str()))
        .and(move |r: &Request| r.body == xml)
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/feeds/2021-06-30/feeds"))
        .and(body_json(json!({
            "feedType": "POST_ORDER_ACKNOWLEDGEMENT_DATA",
            "marketplaceIds": ["ATVPDKIKX0DER"],
            "inputFeedDocumentId": "in-1"})))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"feedId": "50001000011"})))
        .expect(1)
        .mount(&server)
        .await;
    let polls = Arc::new(AtomicUsize::new(0));
    let p = polls.clone();
    Mock::given(method("GET"))
        .and(path("/feeds/2021-06-30/feeds/50001000011"))
        .respond_with(move |_: &Request| {
            let n = p.fetch_add(1, Ordering::SeqCst);
            let status = match n {
                0 => "IN_QUEUE",
                1 => "IN_PROGRESS",
                _ => "DONE",
            };
            let mut feed = json!({"feedId": "50001000011", "feedType": "POST_ORDER_ACKNOWLEDGEMENT_DATA",
                "createdTime": "2026-03-01T11:59:00Z", "processingStatus": status});
            if status == "DONE" {
                feed["resultFeedDocumentId"] = json!("out-1");
                feed["processingEndTime"] = json!("2026-03-01T12:04:00Z");
            }
            ResponseTemplate::new(200).set_body_json(feed)
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/feeds/2021-06-30/documents/out-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "feedDocumentId": "out-1", "url": format!("{}/download/out-1", server.uri()),
            "compressionAlgorithm": "GZIP"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/download/out-1"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(gzip(report_xml().as_bytes())))
        .expect(1)
        .mount(&server)
        .await;

    let client = builder(&server).build().expect("client");
    let started = tokio::time::Instant::now();
    let submission = client
        .feeds()
        .submit_feed(content, ["ATVPDKIKX0DER"])
        .await
        .expect("submitted")
        .poll(FeedPoll {
            initial: Duration::from_secs(30),
            max: Duration::from_secs(120),
            factor: 2.0,
            timeout: Some(Duration::from_secs(3600)),
        });
    assert_eq!(submission.feed_id(), "50001000011");
    let outcome = submission.wait().await.expect("done");
    assert_eq!(outcome.feed.processing_status, ProcessingStatus::Done);
    assert_eq!(polls.load(Ordering::SeqCst), 3);
    // Polled after 30 s, 60 s more and 120 s more.
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(210) && waited < Duration::from_secs(240),
        "{waited:?}"
    );
    let Some(FeedReport::Xml(report)) = outcome.report else {
        panic!("an XML processing report")
    };
    assert_eq!(report.outcome(1).state, OutcomeState::Accepted);
    assert_eq!(report.outcome(2).state, OutcomeState::Failed);
    assert_eq!(
        report.results_for(2).next().map(|r| r.result_message_code),
        Some(18028)
    );
}

#[tokio::test(start_paused = true)]
async fn waiting_gives_up_at_the_poll_timeout() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/feeds/2021-06-30/feeds/F9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "feedId": "F9", "feedType": "JSON_LISTINGS_FEED",
            "createdTime": "2026-03-01T11:59:00Z", "processingStatus": "IN_PROGRESS"})))
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let err =
        spapi_client::feeds::FeedSubmission::resume(client.feeds(), "F9", "JSON_LISTINGS_FEED")
            .poll(FeedPoll {
                initial: Duration::from_secs(10),
                max: Duration::from_secs(60),
                factor: 2.0,
                timeout: Some(Duration::from_secs(300)),
            })
            .wait()
            .await
            .expect_err("still in progress");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

// ---------------------------------------------------------------------------------------
// The official model's examples decode

fn model_examples(op: &str, status: &str) -> Vec<Value> {
    let Some(dir) = amz_testkit::shared_dir("feeds model examples") else {
        return Vec::new();
    };
    let file = amz_testkit::shared_file(&dir, "spapi-models/feeds_2021-06-30.json");
    let model: Value =
        serde_json::from_slice(&std::fs::read(file).expect("read model")).expect("model json");
    let mut out = Vec::new();
    for ops in model["paths"].as_object().expect("paths").values() {
        for o in ops.as_object().expect("ops").values() {
            if o["operationId"] == op {
                for case in o["responses"][status]["x-amzn-api-sandbox"]["static"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    out.push(case["response"].clone());
                }
            }
        }
    }
    out
}

#[test]
fn the_models_examples_decode() {
    let Some(_) = amz_testkit::shared_dir("feeds model examples") else {
        return;
    };
    let feeds = model_examples("getFeeds", "200");
    assert_eq!(feeds.len(), 1);
    let page: GetFeedsResponse = serde_json::from_value(feeds[0].clone()).expect("getFeeds");
    assert_eq!(page.feeds[0].processing_status, ProcessingStatus::Cancelled);
    assert!(page.next_token.is_some());
    assert_eq!(
        page.feeds[0].created_time,
        datetime!(2024-03-11 13:16:24.630 UTC)
    );
    let feed: Feed =
        serde_json::from_value(model_examples("getFeed", "200")[0].clone()).expect("getFeed");
    assert_eq!(feed.feed_id, "FeedId1");
    assert!(feed.processing_end_time.is_some());
    let created: CreateFeedResponse =
        serde_json::from_value(model_examples("createFeed", "202")[0].clone()).expect("createFeed");
    assert_eq!(created.feed_id, "3485934");
    let doc: CreateFeedDocumentResponse =
        serde_json::from_value(model_examples("createFeedDocument", "201")[0].clone())
            .expect("createFeedDocument");
    assert_eq!(doc.feed_document_id, "3d4e42b5-1d6e-44e8-a89c-2abfca0625bb");
    let doc: FeedDocument =
        serde_json::from_value(model_examples("getFeedDocument", "200")[0].clone())
            .expect("getFeedDocument");
    assert_eq!(doc.compression_algorithm, None);
    // The 400 examples are Amazon's error list.
    for op in [
        "getFeeds",
        "createFeed",
        "getFeed",
        "cancelFeed",
        "createFeedDocument",
        "getFeedDocument",
    ] {
        for body in model_examples(op, "400") {
            let errors: Vec<spapi_client::ApiError> =
                serde_json::from_value(body["errors"].clone()).expect("errors");
            assert_eq!(errors[0].message, "Invalid input", "{op}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_listings_feed_reports_its_bad_message_by_sku() {
    use amazon_feed_documents::ListingsFeed;
    use amazon_feed_documents::listings::{Availability, OfferPrice};
    use rust_decimal::Decimal;

    let server = server().await;
    let mut feed = ListingsFeed::new("A1SELLER");
    let good = feed.availability("SKU-GOOD", Availability::quantity(5).handling_time_days(2));
    let bad = feed.price(
        "SKU-BAD",
        OfferPrice::new("ATVPDKIKX0DER", "USD", Decimal::new(1999, 2)),
    );
    let content = FeedContent::listings(&feed).expect("content");
    assert_eq!(content.feed_type, "JSON_LISTINGS_FEED");
    assert_eq!(content.content_type, "application/json; charset=UTF-8");
    let body = content.body.clone();
    Mock::given(method("POST"))
        .and(path("/feeds/2021-06-30/documents"))
        .and(body_json(
            json!({"contentType": "application/json; charset=UTF-8"}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "feedDocumentId": "in-2", "url": format!("{}/upload/in-2", server.uri())})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/upload/in-2"))
        .and(header("content-type", "application/json; charset=UTF-8"))
        .and(move |r: &Request| r.body == body)
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/feeds/2021-06-30/feeds"))
        .and(body_json(json!({"feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": ["ATVPDKIKX0DER"], "inputFeedDocumentId": "in-2"})))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"feedId": "F2"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/feeds/2021-06-30/feeds/F2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "feedId": "F2", "feedType": "JSON_LISTINGS_FEED", "createdTime": "2026-03-01T12:00:00Z",
            "processingStatus": "DONE", "resultFeedDocumentId": "out-2"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/feeds/2021-06-30/documents/out-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "feedDocumentId": "out-2", "url": format!("{}/download/out-2", server.uri())})))
        .expect(1)
        .mount(&server)
        .await;
    let report = json!({
        "header": {"sellerId": "A1SELLER", "version": "2.0", "feedId": "F2"},
        "issues": [{"messageId": bad, "sku": "SKU-BAD", "code": "99022", "severity": "ERROR",
            "message": "The field 'prices' for the attribute 'purchasable_offer.our_price' does not have enough values.",
            "attributeName": "purchasable_offer.our_price"}],
        "summary": {"errors": 1, "warnings": 0, "messagesProcessed": 2, "messagesAccepted": 1, "messagesInvalid": 1}
    });
    Mock::given(method("GET"))
        .and(path("/download/out-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(report))
        .expect(1)
        .mount(&server)
        .await;

    let client = builder(&server).build().expect("client");
    let outcome = client
        .feeds()
        .submit_feed(content, ["ATVPDKIKX0DER"])
        .await
        .expect("submitted")
        .poll(FeedPoll {
            initial: Duration::from_secs(60),
            ..FeedPoll::default()
        })
        .wait()
        .await
        .expect("done");
    let Some(FeedReport::Listings(report)) = outcome.report else {
        panic!("a listings report")
    };
    let by_sku = report.errors_by_sku(&feed);
    assert_eq!(by_sku.keys().collect::<Vec<_>>(), ["SKU-BAD"]);
    assert_eq!(by_sku["SKU-BAD"][0].code.as_deref(), Some("99022"));
    let outcomes = report.outcomes(&feed);
    let ok = outcomes
        .iter()
        .find(|o| o.message_id == good)
        .expect("good");
    assert!(ok.accepted && ok.sku == "SKU-GOOD");
    let ko = outcomes.iter().find(|o| o.message_id == bad).expect("bad");
    assert!(!ko.accepted);
}
