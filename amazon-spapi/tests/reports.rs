//! Reports 2021-06-30 against wiremock: exact requests of reports and schedules, an order
//! report created, polled, downloaded (GZIP) and streamed row by row in the charset its
//! Content-Type names (Cp1252, cp932), and the official model's examples.

use amazon_feed_documents::flat_file::ALL_ORDERS_COLUMNS;
use flate2::Compression;
use flate2::write::GzEncoder;
use futures::TryStreamExt;
use secrecy::SecretString;
use serde_json::{Value, json};
use spapi_client::feeds::FeedPoll;
use spapi_client::reports::{
    ALL_ORDERS_BY_LAST_UPDATE, CreateReportScheduleSpecification, CreateReportSpecification,
    GetReportsRequest, Report, ReportDocument, ReportSchedule, ReportStatus, SchedulePeriod,
    order_report_rows,
};
use spapi_client::{BackoffConfig, Client, FixedClock, LwaCredentials, RateLimiter, RetryConfig};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use time::macros::datetime;
use wiremock::matchers::{body_json, header, method, path};
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
            max_retries: 2,
            backoff: BackoffConfig::default(),
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

/// A flat-file order report with one row whose cells are `cells` (others empty).
fn report_text(rows: &[&[(&str, &str)]]) -> String {
    let mut out = ALL_ORDERS_COLUMNS.join("\t");
    for cells in rows {
        out.push('\n');
        out.push_str(
            &ALL_ORDERS_COLUMNS
                .iter()
                .map(|c| {
                    cells
                        .iter()
                        .find(|(k, _)| k == c)
                        .map(|(_, v)| *v)
                        .unwrap_or("")
                })
                .collect::<Vec<_>>()
                .join("\t"),
        );
    }
    out.push('\n');
    out
}

fn row<'a>(id: &'a str, city: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("amazon-order-id", id),
        ("purchase-date", "2026-02-01T09:15:00+00:00"),
        ("last-updated-date", "2026-02-02T18:00:05+00:00"),
        ("order-status", "Shipped"),
        ("product-name", name),
        ("sku", "MUG-03"),
        ("quantity", "2"),
        ("currency", "EUR"),
        ("item-price", "25.98"),
        ("ship-city", city),
    ]
}

#[tokio::test(start_paused = true)]
async fn an_order_report_is_created_polled_downloaded_and_streamed_in_cp1252() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/reports/2021-06-30/reports"))
        .and(header("x-amz-access-token", ACCESS))
        .and(body_json(json!({
            "reportType": ALL_ORDERS_BY_LAST_UPDATE,
            "marketplaceIds": ["A1PA6795UKMFR9"],
            "dataStartTime": "2026-02-01T00:00:00Z",
            "dataEndTime": "2026-03-01T00:00:00Z"})))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"reportId": "R1"})))
        .expect(1)
        .mount(&server)
        .await;
    let polls = Arc::new(AtomicUsize::new(0));
    let p = polls.clone();
    Mock::given(method("GET"))
        .and(path("/reports/2021-06-30/reports/R1"))
        .respond_with(move |_: &Request| {
            let done = p.fetch_add(1, Ordering::SeqCst) >= 1;
            let mut r = json!({"reportId": "R1", "reportType": ALL_ORDERS_BY_LAST_UPDATE,
                "createdTime": "2026-03-01T11:00:00Z",
                "processingStatus": if done { "DONE" } else { "IN_PROGRESS" }});
            if done {
                r["reportDocumentId"] = json!("D1");
            }
            ResponseTemplate::new(200).set_body_json(r)
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/reports/2021-06-30/documents/D1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "reportDocumentId": "D1", "url": format!("{}/download/D1?sig=x", server.uri()),
            "compressionAlgorithm": "GZIP"})))
        .expect(1)
        .mount(&server)
        .await;
    let text = report_text(&[
        &row("028-1234567-1234567", "Köln", "Tasse \"Bürokaffee\" 0,3 l"),
        &row("028-7654321-7654321", "Besançon", "Crème"),
    ]);
    let (cp1252, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    Mock::given(method("GET"))
        .and(path("/download/D1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/tab-separated-values;charset=Cp1252")
                .set_body_bytes(gzip(&cp1252)),
        )
        .expect(1)
        .mount(&server)
        .await;

    let client = builder(&server).build().expect("client");
    let reports = client.reports();
    let id = reports
        .create_report(
            CreateReportSpecification::new(ALL_ORDERS_BY_LAST_UPDATE, ["A1PA6795UKMFR9"]).range(
                datetime!(2026-02-01 0:00 UTC),
                datetime!(2026-03-01 0:00 UTC),
            ),
        )
        .await
        .expect("created");
    let report = reports
        .wait_for_report(
            &id,
            FeedPoll {
                initial: Duration::from_secs(10),
                ..FeedPoll::default()
            },
        )
        .await
        .expect("done");
    assert_eq!(report.processing_status, ReportStatus::Done);
    assert_eq!(polls.load(Ordering::SeqCst), 2);
    let doc = reports
        .get_report_document(report.report_document_id.as_deref().expect("document"))
        .await
        .expect("document");
    let downloaded = reports
        .download_report_document(&doc)
        .await
        .expect("download");
    let rows: Vec<_> = order_report_rows(&downloaded)
        .expect("reader")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].amazon_order_id, "028-1234567-1234567");
    assert_eq!(
        rows[0].product_name.as_deref(),
        Some("Tasse \"Bürokaffee\" 0,3 l")
    );
    assert_eq!(rows[1].product_name.as_deref(), Some("Crème"));
    assert_eq!(rows[0].quantity, 2);
}

#[test]
fn a_japanese_report_is_read_as_cp932() {
    let text = report_text(&[&row("503-1234567-1234567", "東京都", "マグカップ①")]);
    let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    let doc: spapi_client::Document = doc_of("text/plain;charset=Windows-31J", sjis.to_vec());
    let rows: Vec<_> = order_report_rows(&doc)
        .expect("reader")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(rows[0].product_name.as_deref(), Some("マグカップ①"));
    // The same bytes read as UTF-8 are refused, not garbled silently.
    let wrong = doc_of("text/plain", sjis.to_vec());
    let read: Result<Vec<_>, _> = order_report_rows(&wrong).and_then(|r| {
        r.collect::<Result<Vec<_>, _>>()
            .map_err(|e| spapi_client::Error::Report {
                operation: "t",
                message: e.to_string(),
            })
    });
    assert!(read.is_err());
}

fn doc_of(content_type: &str, body: Vec<u8>) -> spapi_client::Document {
    spapi_client::Document::new(Some(content_type.to_owned()), body)
}

#[tokio::test]
async fn get_reports_and_cancel_requests_are_exact() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/reports/2021-06-30/reports"))
        .and(|r: &Request| {
            r.url.query()
                == Some("reportTypes=GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL&processingStatuses=DONE&pageSize=1&createdSince=2026-02-01T00%3A00%3A00Z")
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "reports": [{"reportId": "R1", "reportType": ALL_ORDERS_BY_LAST_UPDATE,
                         "createdTime": "2026-02-10T00:00:00Z", "processingStatus": "DONE"}],
            "nextToken": "n/2"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/reports/2021-06-30/reports"))
        .and(|r: &Request| r.url.query() == Some("nextToken=n%2F2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "reports": [{"reportId": "R2", "reportType": ALL_ORDERS_BY_LAST_UPDATE,
                         "createdTime": "2026-02-11T00:00:00Z", "processingStatus": "CANCELLED"}]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/reports/2021-06-30/reports/R3"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let all: Vec<Report> = client
        .reports()
        .get_reports_stream(
            GetReportsRequest::new([ALL_ORDERS_BY_LAST_UPDATE])
                .processing_statuses(vec![ReportStatus::Done])
                .page_size(1)
                .created_since(datetime!(2026-02-01 0:00 UTC)),
        )
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(all.len(), 2);
    client.reports().cancel_report("R3").await.expect("cancel");
}

#[tokio::test]
async fn schedules_are_created_listed_read_and_cancelled() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/reports/2021-06-30/schedules"))
        .and(body_json(json!({"reportType": ALL_ORDERS_BY_LAST_UPDATE,
            "marketplaceIds": ["ATVPDKIKX0DER"], "period": "PT4H"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"reportScheduleId": "S1"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/reports/2021-06-30/schedules"))
        .and(|r: &Request| {
            r.url.query() == Some(&*format!("reportTypes={ALL_ORDERS_BY_LAST_UPDATE}"))
        })
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"reportSchedules": [
            {"reportScheduleId": "S1", "reportType": ALL_ORDERS_BY_LAST_UPDATE, "period": "PT4H",
             "marketplaceIds": ["ATVPDKIKX0DER"]}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/reports/2021-06-30/schedules/S1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(
            {"reportScheduleId": "S1", "reportType": ALL_ORDERS_BY_LAST_UPDATE, "period": "PT4H",
             "nextReportCreationTime": "2026-03-01T16:00:00Z"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/reports/2021-06-30/schedules/S1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().expect("client");
    let reports = client.reports();
    let id = reports
        .create_report_schedule(CreateReportScheduleSpecification::new(
            ALL_ORDERS_BY_LAST_UPDATE,
            ["ATVPDKIKX0DER"],
            SchedulePeriod::Pt4h,
        ))
        .await
        .expect("created");
    assert_eq!(id, "S1");
    let list = reports
        .get_report_schedules([ALL_ORDERS_BY_LAST_UPDATE])
        .await
        .expect("list");
    assert_eq!(list[0].period, SchedulePeriod::Pt4h);
    let one = reports.get_report_schedule("S1").await.expect("one");
    assert_eq!(
        one.next_report_creation_time,
        Some(datetime!(2026-03-01 16:00 UTC))
    );
    reports.cancel_report_schedule("S1").await.expect("cancel");
}

fn model_examples(op: &str, status: &str) -> Vec<Value> {
    let Some(dir) = amz_testkit::shared_dir("reports model examples") else {
        return Vec::new();
    };
    let file = amz_testkit::shared_file(&dir, "spapi-models/reports_2021-06-30.json");
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
    if amz_testkit::shared_dir("reports model examples").is_none() {
        return;
    }
    let page: spapi_client::reports::GetReportsResponse =
        serde_json::from_value(model_examples("getReports", "200")[0].clone()).expect("getReports");
    assert!(!page.reports.is_empty());
    assert!(page.next_token.is_some());
    let report: Report =
        serde_json::from_value(model_examples("getReport", "200")[0].clone()).expect("getReport");
    assert_eq!(report.processing_status, ReportStatus::InProgress);
    assert_eq!(
        report.data_start_time,
        Some(datetime!(2024-03-11 13:47:20.677 UTC))
    );
    let schedules = model_examples("getReportSchedules", "200");
    let list: Vec<ReportSchedule> =
        serde_json::from_value(schedules[0]["reportSchedules"].clone()).expect("schedules");
    assert!(list.iter().all(|s| s.period == SchedulePeriod::Pt5m));
    let one: ReportSchedule =
        serde_json::from_value(model_examples("getReportSchedule", "200")[0].clone())
            .expect("getReportSchedule");
    assert_eq!(one.report_schedule_id, "ReportScheduleId1");
    let doc: ReportDocument =
        serde_json::from_value(model_examples("getReportDocument", "200")[0].clone())
            .expect("getReportDocument");
    assert_eq!(doc.compression_algorithm, None);
    let created: spapi_client::reports::CreateReportResponse =
        serde_json::from_value(model_examples("createReport", "202")[0].clone())
            .expect("createReport");
    assert_eq!(created.report_id, "ID323");
}
