//! Legacy MWS Orders and Feeds: Signature Version 2, throttling, XML answers, feed processing.

mod common;

use std::time::Duration;

use amazon_sandbox::{OrderStatus, Sandbox, SandboxCredentials};
use base64::Engine as _;
use common::manual;
use hmac::{Hmac, Mac};
use md5::Digest as _;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Signs like a careful MWS client (written here from the documented algorithm).
struct Mws {
    http: reqwest::Client,
    base: String,
    host: String,
    creds: SandboxCredentials,
    secret: String,
}

struct Reply {
    status: u16,
    body: String,
    headers: reqwest::header::HeaderMap,
}

impl Mws {
    fn new(sb: &Sandbox) -> Mws {
        let creds = sb.credentials();
        Mws {
            http: reqwest::Client::new(),
            base: sb.base_url(),
            host: sb.addr().to_string(),
            secret: creds.mws_secret_key.clone(),
            creds,
        }
    }

    fn signed(
        &self,
        method: &str,
        path: &str,
        mut params: Vec<(String, String)>,
        timestamp: &str,
    ) -> Vec<(String, String)> {
        for (k, v) in [
            ("AWSAccessKeyId", self.creds.mws_access_key_id.as_str()),
            ("SellerId", self.creds.selling_partner_id.as_str()),
            ("SignatureMethod", "HmacSHA256"),
            ("SignatureVersion", "2"),
            ("Timestamp", timestamp),
        ] {
            params.push((k.into(), v.into()));
        }
        let mut sorted = params.clone();
        sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let canonical: Vec<String> = sorted
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        let to_sign = format!("{method}\n{}\n{path}\n{}", self.host, canonical.join("&"));
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(self.secret.as_bytes()).unwrap();
        mac.update(to_sign.as_bytes());
        let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        params.push(("Signature".into(), sig));
        params
    }

    fn now() -> String {
        time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    }

    async fn call(&self, path: &str, version: &str, action: &str, extra: &[(&str, &str)]) -> Reply {
        let mut p: Vec<(String, String)> = vec![
            ("Action".into(), action.into()),
            ("Version".into(), version.into()),
        ];
        p.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let form = self.signed("POST", path, p, &Self::now());
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(body)
            .send()
            .await
            .unwrap();
        Reply {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            body: r.text().await.unwrap(),
        }
    }

    async fn orders(&self, action: &str, extra: &[(&str, &str)]) -> Reply {
        self.call("/Orders/2013-09-01", "2013-09-01", action, extra)
            .await
    }

    async fn feeds(&self, action: &str, extra: &[(&str, &str)]) -> Reply {
        self.call("/Feeds/2009-01-01", "2009-01-01", action, extra)
            .await
    }

    async fn submit(&self, feed_type: &str, feed: &str, md5: Option<&str>) -> Reply {
        let digest =
            base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(feed.as_bytes()));
        let mut p: Vec<(String, String)> = vec![
            ("Action".into(), "SubmitFeed".into()),
            ("Version".into(), "2009-01-01".into()),
            ("FeedType".into(), feed_type.into()),
            ("ContentMD5Value".into(), md5.unwrap_or(&digest).into()),
        ];
        p = self.signed("POST", "/Feeds/2009-01-01", p, &Self::now());
        let query: String = p
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let r = self
            .http
            .post(format!("{}/Feeds/2009-01-01?{query}", self.base))
            .header("content-type", "text/xml")
            .body(feed.to_owned())
            .send()
            .await
            .unwrap();
        Reply {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            body: r.text().await.unwrap(),
        }
    }
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let a = s.find(open)? + open.len();
    let b = s[a..].find(close)? + a;
    Some(&s[a..b])
}

#[tokio::test]
async fn list_orders_signed_paged_and_throttled() {
    let sb = Sandbox::start(manual(51, 40)).await.unwrap();
    let m = Mws::new(&sb);
    let first = m
        .orders(
            "ListOrders",
            &[
                ("MarketplaceId.Id.1", "ATVPDKIKX0DER"),
                ("MarketplaceId.Id.2", "A1PA6795UKMFR9"),
                ("CreatedAfter", "2026-01-01T00:00:00Z"),
                ("MaxResultsPerPage", "5"),
            ],
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains(
        "<ListOrdersResponse xmlns=\"https://mws.amazonservices.com/Orders/2013-09-01\">"
    ));
    assert_eq!(
        between(&first.body, "<CreatedBefore>", "</").unwrap(),
        "2026-06-01T11:58:00Z"
    );
    assert!(first.headers.contains_key("x-mws-request-id"));
    let expected = sb
        .orders()
        .iter()
        .filter(|o| o.marketplace_id == "ATVPDKIKX0DER" || o.marketplace_id == "A1PA6795UKMFR9")
        .count();
    let mut seen = first.body.matches("<Order>").count();
    let mut token = between(&first.body, "<NextToken>", "</").map(str::to_owned);
    while let Some(t) = token {
        let page = m
            .orders("ListOrdersByNextToken", &[("NextToken", &t)])
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        seen += page.body.matches("<Order>").count();
        token = between(&page.body, "<NextToken>", "</").map(str::to_owned);
    }
    assert_eq!(seen, expected);
    // Quota 6 shared by ListOrders and ListOrdersByNextToken, one back per minute.
    let used = 1 + expected.div_ceil(5) - 1;
    let mut statuses = Vec::new();
    for _ in used..7 {
        statuses.push(
            m.orders(
                "ListOrders",
                &[
                    ("MarketplaceId.Id.1", "ATVPDKIKX0DER"),
                    ("CreatedAfter", "2026-01-01T00:00:00Z"),
                ],
            )
            .await
            .status,
        );
    }
    assert_eq!(statuses.last(), Some(&503));
    let throttled = m
        .orders(
            "ListOrders",
            &[
                ("MarketplaceId.Id.1", "ATVPDKIKX0DER"),
                ("CreatedAfter", "2026-01-01T00:00:00Z"),
            ],
        )
        .await;
    assert_eq!(throttled.status, 503);
    assert!(throttled.body.contains("<Code>RequestThrottled</Code>"));
    sb.advance_clock(Duration::from_secs(60));
    let again = m
        .orders(
            "ListOrders",
            &[
                ("MarketplaceId.Id.1", "ATVPDKIKX0DER"),
                ("CreatedAfter", "2026-01-01T00:00:00Z"),
            ],
        )
        .await;
    assert_eq!(again.status, 200);
    assert!(sb.stats()["mws.ListOrders"].throttled >= 2);
}

#[tokio::test]
async fn signature_and_parameter_errors() {
    let sb = Sandbox::start(manual(52, 5)).await.unwrap();
    let mut m = Mws::new(&sb);
    let ok = m.orders("GetServiceStatus", &[]).await;
    assert_eq!(ok.status, 200);
    assert!(ok.body.contains("<Status>GREEN</Status>"));

    m.secret = "wrong".into();
    let bad = m.orders("GetServiceStatus", &[]).await;
    assert_eq!(bad.status, 403);
    assert!(
        bad.body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("<RequestID>"));
    m.secret = m.creds.mws_secret_key.clone();
    m.creds.mws_access_key_id = "AKIAUNKNOWN".into();
    assert!(
        m.orders("GetServiceStatus", &[])
            .await
            .body
            .contains("InvalidAccessKeyId")
    );
    let mut m = Mws::new(&sb);
    m.creds.selling_partner_id = "A1OTHERSELLER".into();
    assert_eq!(m.orders("GetServiceStatus", &[]).await.status, 401);

    let m = Mws::new(&sb);
    let e = m
        .orders("ListOrders", &[("MarketplaceId.Id.1", "ATVPDKIKX0DER")])
        .await;
    assert_eq!(e.status, 400);
    assert!(e.body.contains("InvalidParameterValue"));
    let e = m
        .orders("ListOrders", &[("CreatedAfter", "2026-01-01T00:00:00Z")])
        .await;
    assert!(e.body.contains("MissingParameter"), "{}", e.body);
    let e = m
        .orders(
            "ListOrders",
            &[
                ("MarketplaceId.Id.1", "ATVPDKIKX0DER"),
                ("CreatedAfter", "2026-01-01T00:00:00Z"),
                ("OrderStatus.Status.1", "Unshipped"),
            ],
        )
        .await;
    assert!(e.body.contains("PartiallyShipped"), "{}", e.body);
    let e = m.orders("Nope", &[]).await;
    assert_eq!(e.status, 400);
    // A stale timestamp.
    let p = m.signed(
        "POST",
        "/Orders/2013-09-01",
        vec![
            ("Action".into(), "GetServiceStatus".into()),
            ("Version".into(), "2013-09-01".into()),
        ],
        "2020-01-01T00:00:00Z",
    );
    let r = m
        .http
        .post(format!("{}/Orders/2013-09-01", m.base))
        .form(&p)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
}

#[tokio::test]
async fn get_order_and_items() {
    let sb = Sandbox::start(manual(53, 20)).await.unwrap();
    let m = Mws::new(&sb);
    let o = sb
        .orders()
        .into_iter()
        .find(|o| o.status == OrderStatus::Shipped)
        .unwrap();
    let r = m
        .orders(
            "GetOrder",
            &[
                ("AmazonOrderId.Id.1", &o.order_id),
                ("AmazonOrderId.Id.2", "111-1111111-1111111"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body.matches("<Order>").count(), 1);
    assert!(
        r.body
            .contains(&format!("<AmazonOrderId>{}</AmazonOrderId>", o.order_id))
    );
    assert!(r.body.contains(&format!("<Amount>{}</Amount>", o.total)));
    let items = m
        .orders("ListOrderItems", &[("AmazonOrderId", &o.order_id)])
        .await;
    assert_eq!(items.status, 200);
    assert_eq!(items.body.matches("<OrderItem>").count(), o.items.len());
    assert!(items.body.contains(&format!(
        "<OrderItemId>{}</OrderItemId>",
        o.items[0].order_item_id
    )));
    let none = m
        .orders(
            "ListOrderItems",
            &[("AmazonOrderId", "111-1111111-1111111")],
        )
        .await;
    assert_eq!(none.status, 400);
}

#[tokio::test]
async fn fulfilment_and_acknowledgement_feeds() {
    let sb = Sandbox::start(manual(54, 0).rate_limits(false))
        .await
        .unwrap();
    let m = Mws::new(&sb);
    let ids = sb.add_unshipped_mfn_orders(3, Some("ATVPDKIKX0DER"));
    sb.advance_clock(Duration::from_secs(3600));
    let snap = sb.orders();
    let o0 = snap.iter().find(|o| o.order_id == ids[0]).unwrap();
    let item = &o0.items[0];
    let date = common::iso(sb.now() - time::Duration::minutes(10));
    let feed = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>{seller}</MerchantIdentifier></Header>
  <MessageType>OrderFulfillment</MessageType>
  <Message><MessageID>1</MessageID><OrderFulfillment>
    <AmazonOrderID>{id0}</AmazonOrderID><FulfillmentDate>{date}</FulfillmentDate>
    <FulfillmentData><CarrierCode>UPS</CarrierCode><ShippingMethod>Ground</ShippingMethod><ShipperTrackingNumber>1Z999</ShipperTrackingNumber></FulfillmentData>
    <Item><AmazonOrderItemCode>{item}</AmazonOrderItemCode><Quantity>{qty}</Quantity></Item>
  </OrderFulfillment></Message>
  <Message><MessageID>2</MessageID><OrderFulfillment>
    <AmazonOrderID>{id1}</AmazonOrderID><FulfillmentDate>{date}</FulfillmentDate>
    <FulfillmentData><CarrierCode>UPS</CarrierCode><ShipperTrackingNumber>1Z998</ShipperTrackingNumber></FulfillmentData>
    <Item><AmazonOrderItemCode>{item}</AmazonOrderItemCode><Quantity>1</Quantity></Item>
  </OrderFulfillment></Message>
</AmazonEnvelope>"#,
        seller = m.creds.selling_partner_id,
        id0 = o0.order_id,
        id1 = ids[1],
        item = item.order_item_id,
        qty = item.quantity_ordered,
    );
    let bad_md5 = m
        .submit(
            "_POST_ORDER_FULFILLMENT_DATA_",
            &feed,
            Some("AAAAAAAAAAAAAAAAAAAAAA=="),
        )
        .await;
    assert_eq!(bad_md5.status, 400);
    assert!(bad_md5.body.contains("ContentMD5DoesNotMatch"));
    let sub = m.submit("_POST_ORDER_FULFILLMENT_DATA_", &feed, None).await;
    assert_eq!(sub.status, 200, "{}", sub.body);
    assert!(
        sub.body
            .contains("<FeedProcessingStatus>_SUBMITTED_</FeedProcessingStatus>")
    );
    let id = between(&sub.body, "<FeedSubmissionId>", "</")
        .unwrap()
        .to_owned();

    let early = m
        .feeds("GetFeedSubmissionResult", &[("FeedSubmissionId", &id)])
        .await;
    assert_eq!(early.status, 404);
    assert!(early.body.contains("FeedProcessingResultNotReady"));
    assert!(
        sb.confirmed_shipments().is_empty(),
        "feeds are processed asynchronously"
    );
    sb.advance_clock(Duration::from_secs(180));
    let list = m
        .feeds(
            "GetFeedSubmissionList",
            &[("FeedSubmissionIdList.Id.1", &id)],
        )
        .await;
    assert!(
        list.body
            .contains("<FeedProcessingStatus>_DONE_</FeedProcessingStatus>"),
        "{}",
        list.body
    );
    let report = m
        .feeds("GetFeedSubmissionResult", &[("FeedSubmissionId", &id)])
        .await;
    assert_eq!(report.status, 200);
    let md5 =
        base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(report.body.as_bytes()));
    assert_eq!(
        report
            .headers
            .get("content-md5")
            .and_then(|v| v.to_str().ok()),
        Some(md5.as_str())
    );
    assert!(
        report
            .body
            .contains("<MessagesProcessed>2</MessagesProcessed>"),
        "{}",
        report.body
    );
    assert!(
        report
            .body
            .contains("<MessagesSuccessful>1</MessagesSuccessful>")
    );
    // Message 2 names an item of another order.
    assert!(
        report
            .body
            .contains("<MessageID>2</MessageID><ResultCode>Error</ResultCode>"),
        "{}",
        report.body
    );

    let after = sb.orders();
    let shipped = after.iter().find(|o| o.order_id == ids[0]).unwrap();
    assert_eq!(shipped.items[0].quantity_shipped, item.quantity_ordered);
    assert_ne!(shipped.status, OrderStatus::Unshipped);
    assert_eq!(sb.confirmed_shipments().len(), 1);
    assert_eq!(sb.confirmed_shipments()[0].tracking_number, "1Z999");

    // Cancel through an acknowledgement with StatusCode Failure.
    let ack = format!(
        "<?xml version=\"1.0\"?><AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>M</MerchantIdentifier></Header><MessageType>OrderAcknowledgement</MessageType><Message><MessageID>1</MessageID><OrderAcknowledgement><AmazonOrderID>{}</AmazonOrderID><StatusCode>Failure</StatusCode></OrderAcknowledgement></Message></AmazonEnvelope>",
        ids[2]
    );
    assert_eq!(
        m.submit("_POST_ORDER_ACKNOWLEDGEMENT_DATA_", &ack, None)
            .await
            .status,
        200
    );
    sb.advance_clock(Duration::from_secs(31));
    assert_eq!(common::order(&sb, &ids[2]).status, OrderStatus::Canceled);

    // Flat-file confirmation of the remaining order.
    let o1 = after.iter().find(|o| o.order_id == ids[1]).unwrap();
    let mut tsv = String::from(
        "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method\n",
    );
    for i in &o1.items {
        tsv.push_str(&format!(
            "{}\t{}\t{}\t{date}\tOther\tKurier Ölz\tK-1\tStandard\n",
            o1.order_id, i.order_item_id, i.quantity_ordered
        ));
    }
    assert_eq!(
        m.submit("_POST_FLAT_FILE_FULFILLMENT_DATA_", &tsv, None)
            .await
            .status,
        200
    );
    sb.advance_clock(Duration::from_secs(31));
    assert_eq!(common::order(&sb, &ids[1]).status, OrderStatus::Shipped);
    // A feed cancelled while still _SUBMITTED_ is never applied.
    let late = sb
        .add_unshipped_mfn_orders(1, Some("ATVPDKIKX0DER"))
        .remove(0);
    sb.advance_clock(Duration::from_secs(600));
    let o3 = common::order(&sb, &late);
    let ship = common::iso(sb.now() - time::Duration::minutes(1));
    let tsv = format!(
        "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\ttracking-number\n{}\t{}\t{}\t{ship}\tUPS\t1Z7\n",
        o3.order_id, o3.items[0].order_item_id, o3.items[0].quantity_ordered
    );
    let sub = m
        .submit("_POST_FLAT_FILE_FULFILLMENT_DATA_", &tsv, None)
        .await;
    let fid = between(&sub.body, "<FeedSubmissionId>", "</")
        .unwrap()
        .to_owned();
    let cancel = m
        .feeds(
            "CancelFeedSubmissions",
            &[("FeedSubmissionIdList.Id.1", &fid)],
        )
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    assert!(cancel.body.contains("<Count>1</Count>"), "{}", cancel.body);
    sb.advance_clock(Duration::from_secs(300));
    assert_eq!(common::order(&sb, &late).status, OrderStatus::Unshipped);
    let listed = m
        .feeds(
            "GetFeedSubmissionList",
            &[("FeedSubmissionIdList.Id.1", &fid)],
        )
        .await;
    assert!(listed.body.contains("_CANCELLED_"), "{}", listed.body);
    assert!(
        m.feeds("GetFeedSubmissionResult", &[("FeedSubmissionId", &fid)])
            .await
            .body
            .contains("FeedCanceled")
    );
    // Too late to cancel a processed feed.
    let none = m
        .feeds(
            "CancelFeedSubmissions",
            &[("FeedSubmissionIdList.Id.1", &id)],
        )
        .await;
    assert!(none.body.contains("<Count>0</Count>"), "{}", none.body);

    let count = m.feeds("GetFeedSubmissionCount", &[]).await;
    assert!(count.body.contains("<Count>4</Count>"), "{}", count.body);
    let bogus = m.submit("_POST_PRODUCT_DATA_", "<x/>", None).await;
    assert!(bogus.body.contains("InvalidFeedType"));
}

/// Element names of an XML text (start and empty tags).
fn element_names(xml: &str) -> std::collections::BTreeSet<String> {
    xml.split('<')
        .skip(1)
        .filter(|t| !t.starts_with('/') && !t.starts_with('?') && !t.starts_with('!'))
        .map(|t| {
            t.split(|c: char| c == '>' || c == '/' || c.is_whitespace())
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .filter(|n| !n.is_empty())
        .collect()
}

/// Every element the sandbox writes also occurs in the recorded MWS samples.
#[tokio::test]
async fn xml_element_names_match_recorded_mws() {
    let Some(dir) = amz_testkit::shared_dir("sandbox MWS element names") else {
        return;
    };
    let mut known = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir.join("mws-samples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "xml") {
            known.extend(element_names(&std::fs::read_to_string(&path).unwrap()));
        }
    }

    let sb = Sandbox::start(manual(55, 300).rate_limits(false))
        .await
        .unwrap();
    let m = Mws::new(&sb);
    let mut ours = std::collections::BTreeSet::new();
    let list = m
        .orders(
            "ListOrders",
            &[
                ("MarketplaceId.Id.1", "ATVPDKIKX0DER"),
                ("MarketplaceId.Id.2", "A1VC38T7YXB528"),
                ("CreatedAfter", "2025-01-01T00:00:00Z"),
            ],
        )
        .await;
    ours.extend(element_names(&list.body));
    for o in sb
        .orders()
        .iter()
        .filter(|o| o.marketplace_id == "ATVPDKIKX0DER" || o.marketplace_id == "A1VC38T7YXB528")
        .take(150)
    {
        ours.extend(element_names(
            &m.orders("ListOrderItems", &[("AmazonOrderId", &o.order_id)])
                .await
                .body,
        ));
    }
    ours.extend(element_names(
        &m.orders(
            "GetOrder",
            &[("AmazonOrderId.Id.1", &sb.orders()[0].order_id)],
        )
        .await
        .body,
    ));
    ours.extend(element_names(&m.orders("GetServiceStatus", &[]).await.body));
    ours.extend(element_names(&m.orders("ListOrders", &[]).await.body));
    let sub = m.submit("_POST_ORDER_FULFILLMENT_DATA_", "<AmazonEnvelope><Message><MessageID>1</MessageID><OrderFulfillment><AmazonOrderID>111-1111111-1111111</AmazonOrderID></OrderFulfillment></Message></AmazonEnvelope>", None).await;
    ours.extend(element_names(&sub.body));
    let id = between(&sub.body, "<FeedSubmissionId>", "</")
        .unwrap()
        .to_owned();
    sb.advance_clock(Duration::from_secs(300));
    ours.extend(element_names(
        &m.feeds("GetFeedSubmissionList", &[]).await.body,
    ));
    ours.extend(element_names(
        &m.feeds("GetFeedSubmissionCount", &[]).await.body,
    ));
    let report = m
        .feeds("GetFeedSubmissionResult", &[("FeedSubmissionId", &id)])
        .await;
    assert!(
        report
            .body
            .contains("<ResultMessageCode>18028</ResultMessageCode>"),
        "{}",
        report.body
    );
    ours.extend(element_names(&report.body));

    let unknown: Vec<&String> = ours.iter().filter(|n| !known.contains(*n)).collect();
    assert!(
        unknown.is_empty(),
        "elements never seen in the recorded samples: {unknown:?}"
    );
    assert!(ours.len() > 60, "{ours:?}");
}

#[tokio::test]
async fn feeds_hourly_quota_and_headers() {
    let sb = Sandbox::start(manual(56, 0)).await.unwrap();
    let m = Mws::new(&sb);
    let feed = "<?xml version=\"1.0\"?><AmazonEnvelope><MessageType>Inventory</MessageType></AmazonEnvelope>";
    for n in 1..=30u32 {
        let r = m
            .submit("_POST_INVENTORY_AVAILABILITY_DATA_", feed, None)
            .await;
        assert_eq!(r.status, 200, "submission {n}: {}", r.body);
        let left = r
            .headers
            .get("x-mws-quota-remaining")
            .and_then(|v| v.to_str().ok())
            .unwrap()
            .to_owned();
        assert_eq!(left, format!("{}.0", 30 - n));
        assert_eq!(
            r.headers
                .get("x-mws-quota-max")
                .and_then(|v| v.to_str().ok()),
            Some("30.0")
        );
        if n >= 15 {
            // Past the burst of 15, one submission every two minutes.
            sb.advance_clock(Duration::from_secs(120));
        }
    }
    let over = m
        .submit("_POST_INVENTORY_AVAILABILITY_DATA_", feed, None)
        .await;
    assert_eq!(over.status, 503);
    assert!(
        over.body.contains("<Code>QuotaExceeded</Code>"),
        "{}",
        over.body
    );
    assert_eq!(
        over.headers
            .get("x-mws-quota-resetsOn")
            .and_then(|v| v.to_str().ok()),
        Some("2026-06-01T13:00:00.000Z")
    );
    // A new hour, a new quota.
    sb.advance_clock(Duration::from_secs(1800));
    let again = m
        .submit("_POST_INVENTORY_AVAILABILITY_DATA_", feed, None)
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(
        again
            .headers
            .get("x-mws-quota-remaining")
            .and_then(|v| v.to_str().ok()),
        Some("29.0")
    );
    // Orders calls carry no quota headers.
    assert!(
        m.orders("GetServiceStatus", &[])
            .await
            .headers
            .get("x-mws-quota-max")
            .is_none()
    );
}

#[tokio::test]
async fn submit_feed_under_commit_500_is_queued_and_applied() {
    let sb = Sandbox::start(manual(57, 0).rate_limits(false))
        .await
        .unwrap();
    let m = Mws::new(&sb);
    let id = sb
        .add_unshipped_mfn_orders(1, Some("ATVPDKIKX0DER"))
        .remove(0);
    sb.advance_clock(Duration::from_secs(3600));
    let o = common::order(&sb, &id);
    let items: String = o
        .items
        .iter()
        .map(|i| {
            format!(
                "<Item><AmazonOrderItemCode>{}</AmazonOrderItemCode><Quantity>{}</Quantity></Item>",
                i.order_item_id, i.quantity_ordered
            )
        })
        .collect();
    let feed = format!(
        "<?xml version=\"1.0\"?><AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>{}</MerchantIdentifier></Header><MessageType>OrderFulfillment</MessageType><Message><MessageID>1</MessageID><OrderFulfillment><AmazonOrderID>{id}</AmazonOrderID><MerchantFulfillmentID>7</MerchantFulfillmentID><FulfillmentDate>{}</FulfillmentDate><FulfillmentData><CarrierCode>UPS</CarrierCode><ShipperTrackingNumber>1Z777</ShipperTrackingNumber></FulfillmentData>{items}</OrderFulfillment></Message></AmazonEnvelope>",
        m.creds.selling_partner_id,
        common::iso(sb.now() - time::Duration::minutes(10)),
    );
    sb.set_faults("mws.SubmitFeed:commit_500=1".parse().unwrap());
    let r = m.submit("_POST_ORDER_FULFILLMENT_DATA_", &feed, None).await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(r.body.contains("<Code>InternalError</Code>"), "{}", r.body);
    assert_eq!(sb.stats()["mws.SubmitFeed"].faults_injected, 1);
    sb.set_faults(amazon_sandbox::FaultSpec::none());
    // The submission was taken all the same: it is listed and then processed.
    let list = m.feeds("GetFeedSubmissionList", &[]).await;
    assert_eq!(
        list.body.matches("<FeedSubmissionInfo>").count(),
        1,
        "{}",
        list.body
    );
    sb.advance_clock(Duration::from_secs(600));
    let pk = sb.packages();
    assert_eq!(pk.len(), 1, "{pk:?}");
    assert_eq!(pk[0].tracking_number, "1Z777");
    assert_eq!((pk[0].feed_messages, pk[0].accepted_confirmations), (1, 0));
    assert_eq!(sb.package_totals().feed_messages, 1);
}
