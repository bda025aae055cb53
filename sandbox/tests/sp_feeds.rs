//! SP-API Feeds 2021-06-30: documents, feeds, processing with the sandbox clock, results.

mod common;

use std::time::Duration;

use amazon_sandbox::OrderStatus;
use common::{Env, answer, iso, manual};
use serde_json::{Value, json};

const XML: &str = "text/xml; charset=UTF-8";

async fn upload(env: &Env, content_type: &str, body: &str) -> String {
    let doc = env
        .post(
            "/feeds/2021-06-30/documents",
            &json!({"contentType": content_type}),
        )
        .await;
    assert_eq!(doc.status, 201, "{}", doc.text);
    let v = doc.json();
    let url = v["url"].as_str().unwrap().to_owned();
    let put = env
        .http
        .put(&url)
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    v["feedDocumentId"].as_str().unwrap().to_owned()
}

async fn create(env: &Env, feed_type: &str, doc: &str) -> common::Answer {
    env.post(
        "/feeds/2021-06-30/feeds",
        &json!({"feedType": feed_type, "marketplaceIds": ["ATVPDKIKX0DER"], "inputFeedDocumentId": doc}),
    )
    .await
}

#[tokio::test]
async fn fulfilment_feed_round_trip() {
    let env = Env::new(manual(71, 0).rate_limits(false)).await;
    let id = env
        .sb
        .add_unshipped_mfn_orders(1, Some("ATVPDKIKX0DER"))
        .remove(0);
    env.sb.advance_clock(Duration::from_secs(900));
    let o = common::order(&env.sb, &id);
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
        "<?xml version=\"1.0\"?><AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>{}</MerchantIdentifier></Header><MessageType>OrderFulfillment</MessageType><Message><MessageID>1</MessageID><OrderFulfillment><AmazonOrderID>{id}</AmazonOrderID><FulfillmentDate>{}</FulfillmentDate><FulfillmentData><CarrierCode>USPS</CarrierCode><ShipperTrackingNumber>9400100000000000000000</ShipperTrackingNumber></FulfillmentData>{items}</OrderFulfillment></Message></AmazonEnvelope>",
        env.sb.credentials().selling_partner_id,
        iso(env.sb.now() - time::Duration::minutes(3)),
    );
    // The upload must use the content type given to createFeedDocument.
    let doc = env
        .post("/feeds/2021-06-30/documents", &json!({"contentType": XML}))
        .await
        .json();
    let wrong = env
        .http
        .put(doc["url"].as_str().unwrap())
        .header("content-type", "text/plain")
        .body(feed.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 403);
    let doc_id = upload(&env, XML, &feed).await;

    let created = create(&env, "POST_ORDER_FULFILLMENT_DATA", &doc_id).await;
    assert_eq!(created.status, 202, "{}", created.text);
    assert!(created.header("x-amzn-RateLimit-Limit").is_some());
    let feed_id = created.json()["feedId"].as_str().unwrap().to_owned();
    let f = env
        .get(&format!("/feeds/2021-06-30/feeds/{feed_id}"))
        .await
        .json();
    assert_eq!(f["processingStatus"], "IN_QUEUE");
    assert!(env.sb.confirmed_shipments().is_empty());

    env.sb.advance_clock(Duration::from_secs(60));
    let f = env
        .get(&format!("/feeds/2021-06-30/feeds/{feed_id}"))
        .await
        .json();
    assert_eq!(f["processingStatus"], "IN_PROGRESS");
    assert_eq!(
        env.sb.confirmed_shipments().len(),
        1,
        "applied when processing starts"
    );
    env.sb.advance_clock(Duration::from_secs(120));
    let f = env
        .get(&format!("/feeds/2021-06-30/feeds/{feed_id}"))
        .await
        .json();
    assert_eq!(f["processingStatus"], "DONE");
    assert_eq!(f["feedType"], "POST_ORDER_FULFILLMENT_DATA");
    let result = f["resultFeedDocumentId"].as_str().unwrap();
    let d = env
        .get(&format!("/feeds/2021-06-30/documents/{result}"))
        .await
        .json();
    let report = env
        .http
        .get(d["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        report.contains("<MessagesSuccessful>1</MessagesSuccessful>"),
        "{report}"
    );
    assert_eq!(common::order(&env.sb, &id).status, OrderStatus::Shipped);
    assert_eq!(env.sb.confirmed_shipments()[0].carrier_code, "USPS");

    let listed = env
        .get(
            "/feeds/2021-06-30/feeds?feedTypes=POST_ORDER_FULFILLMENT_DATA&processingStatuses=DONE",
        )
        .await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["feeds"].as_array().unwrap().len(), 1);
    assert_eq!(
        env.get("/feeds/2021-06-30/feeds").await.status,
        400,
        "feedTypes is required"
    );
}

#[tokio::test]
async fn refunds_cancellation_and_validation() {
    let env = Env::new(manual(72, 0).rate_limits(false)).await;
    let ids = env.sb.add_unshipped_mfn_orders(2, Some("ATVPDKIKX0DER"));
    env.sb.advance_clock(Duration::from_secs(900));
    let o = common::order(&env.sb, &ids[0]);
    let refund = format!(
        "<?xml version=\"1.0\"?><AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>M</MerchantIdentifier></Header><MessageType>OrderAdjustment</MessageType><Message><MessageID>1</MessageID><OrderAdjustment><AmazonOrderID>{}</AmazonOrderID><AdjustedItem><AmazonOrderItemCode>{}</AmazonOrderItemCode><AdjustmentReason>CustomerReturn</AdjustmentReason><ItemPriceAdjustments><Component><Type>Principal</Type><Amount currency=\"USD\">-5.00</Amount></Component><Component><Type>Tax</Type><Amount currency=\"USD\">-0.40</Amount></Component></ItemPriceAdjustments></AdjustedItem></OrderAdjustment></Message></AmazonEnvelope>",
        o.order_id, o.items[0].order_item_id
    );
    let doc = upload(&env, XML, &refund).await;
    let created = create(&env, "POST_PAYMENT_ADJUSTMENT_DATA", &doc).await;
    assert_eq!(created.status, 202, "{}", created.text);
    env.sb.advance_clock(Duration::from_secs(40));
    let adj = env.sb.payment_adjustments();
    assert_eq!(adj.len(), 1);
    assert_eq!(adj[0].items[0].1, "CustomerReturn");
    assert_eq!(adj[0].items[0].2.to_string(), "-5.40");
    let control: Value = env
        .http
        .get(env.url("/_sandbox/adjustments"))
        .send()
        .await
        .map(answer)
        .unwrap()
        .await
        .json();
    assert_eq!(control["adjustments"][0]["items"][0]["amount"], "-5.40");

    // Cancel while IN_QUEUE: never applied.
    let ack = format!(
        "<?xml version=\"1.0\"?><AmazonEnvelope><MessageType>OrderAcknowledgement</MessageType><Message><MessageID>1</MessageID><OrderAcknowledgement><AmazonOrderID>{}</AmazonOrderID><StatusCode>Failure</StatusCode></OrderAcknowledgement></Message></AmazonEnvelope>",
        ids[1]
    );
    let doc = upload(&env, XML, &ack).await;
    let fid = create(&env, "POST_ORDER_ACKNOWLEDGEMENT_DATA", &doc)
        .await
        .json()["feedId"]
        .as_str()
        .unwrap()
        .to_owned();
    let del = env
        .http
        .delete(env.url(&format!("/feeds/2021-06-30/feeds/{fid}")))
        .header("x-amz-access-token", &env.token)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status().as_u16(), 200);
    env.sb.advance_clock(Duration::from_secs(300));
    assert_eq!(
        env.get(&format!("/feeds/2021-06-30/feeds/{fid}"))
            .await
            .json()["processingStatus"],
        "CANCELLED"
    );
    assert_eq!(
        common::order(&env.sb, &ids[1]).status,
        OrderStatus::Unshipped
    );
    let again = env
        .http
        .delete(env.url(&format!("/feeds/2021-06-30/feeds/{fid}")))
        .header("x-amz-access-token", &env.token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 400);

    // The same acknowledgement, not cancelled, cancels the order.
    let doc = upload(&env, XML, &ack).await;
    assert_eq!(
        create(&env, "POST_ORDER_ACKNOWLEDGEMENT_DATA", &doc)
            .await
            .status,
        202
    );
    env.sb.advance_clock(Duration::from_secs(31));
    assert_eq!(
        common::order(&env.sb, &ids[1]).status,
        OrderStatus::Canceled
    );

    // Removed listings feeds are accepted and end FATAL.
    let doc = upload(&env, XML, "<AmazonEnvelope/>").await;
    let fid = create(&env, "POST_INVENTORY_AVAILABILITY_DATA", &doc)
        .await
        .json()["feedId"]
        .as_str()
        .unwrap()
        .to_owned();
    env.sb.advance_clock(Duration::from_secs(300));
    let f = env
        .get(&format!("/feeds/2021-06-30/feeds/{fid}"))
        .await
        .json();
    assert_eq!(f["processingStatus"], "FATAL");
    assert!(f.get("resultFeedDocumentId").is_none());

    // Validation.
    let empty = env
        .post("/feeds/2021-06-30/documents", &json!({"contentType": XML}))
        .await
        .json();
    let not_uploaded = empty["feedDocumentId"].as_str().unwrap();
    assert_eq!(
        create(&env, "POST_ORDER_FULFILLMENT_DATA", not_uploaded)
            .await
            .status,
        400
    );
    assert_eq!(
        create(&env, "POST_ORDER_FULFILLMENT_DATA", "nope")
            .await
            .status,
        400
    );
    assert_eq!(
        create(&env, "POST_FBA_INBOUND_CARTON_CONTENTS", &doc)
            .await
            .status,
        400
    );
    let wrong_mp = env
        .post("/feeds/2021-06-30/feeds", &json!({"feedType": "POST_ORDER_FULFILLMENT_DATA", "marketplaceIds": ["A2Q3Y263D00KWC"], "inputFeedDocumentId": doc}))
        .await;
    assert_eq!(wrong_mp.status, 400);
    assert_eq!(
        env.post("/feeds/2021-06-30/documents", &json!({}))
            .await
            .status,
        400
    );
    assert_eq!(env.get("/feeds/2021-06-30/feeds/123").await.status, 404);
}

#[tokio::test]
async fn create_feed_under_commit_drop_is_created_without_an_answer() {
    let env = Env::new(manual(74, 0).rate_limits(false)).await;
    let doc = upload(&env, XML, "<AmazonEnvelope/>").await;
    env.sb
        .set_faults("createFeed:commit_drop=1".parse().unwrap());
    let sent = env
        .http
        .post(env.url("/feeds/2021-06-30/feeds"))
        .header("x-amz-access-token", &env.token)
        .header("user-agent", "sandbox-tests/1.0")
        .json(&json!({"feedType": "POST_ORDER_FULFILLMENT_DATA", "marketplaceIds": ["ATVPDKIKX0DER"], "inputFeedDocumentId": doc}))
        .send()
        .await;
    let answered = match sent {
        Err(_) => false,
        Ok(r) => r.text().await.is_ok(),
    };
    assert!(!answered, "the connection must close without an answer");
    env.sb.set_faults(amazon_sandbox::FaultSpec::none());
    let listed = env
        .get("/feeds/2021-06-30/feeds?feedTypes=POST_ORDER_FULFILLMENT_DATA")
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let feeds = listed.json()["feeds"].as_array().unwrap().clone();
    assert_eq!(feeds.len(), 1, "the feed was created: {feeds:?}");
    assert_eq!(feeds[0]["feedType"], "POST_ORDER_FULFILLMENT_DATA");
    let s = &env.sb.stats()["createFeed"];
    assert_eq!((s.faults_injected, s.by_status.get(&0)), (1, Some(&1)));

    env.sb
        .set_faults("createFeed:commit_500=1".parse().unwrap());
    let a = create(&env, "POST_ORDER_FULFILLMENT_DATA", &doc).await;
    assert_eq!(a.status, 500);
    assert_eq!(a.error().0, "InternalFailure");
    env.sb.set_faults(amazon_sandbox::FaultSpec::none());
    let listed = env
        .get("/feeds/2021-06-30/feeds?feedTypes=POST_ORDER_FULFILLMENT_DATA")
        .await;
    assert_eq!(listed.json()["feeds"].as_array().unwrap().len(), 2);
}

fn listings_feed(seller: &str, messages: Value) -> String {
    json!({"header": {"sellerId": seller, "version": "2.0", "issueLocale": "en_US"}, "messages": messages})
        .to_string()
}

#[tokio::test]
async fn json_listings_feed_applies_good_messages_and_reports_bad_ones() {
    let env = Env::new(manual(75, 0).rate_limits(false)).await;
    let seller = env.sb.credentials().selling_partner_id;
    let l = env
        .sb
        .catalog()
        .into_iter()
        .find(|l| l.marketplace_id == "ATVPDKIKX0DER" && !l.fba && l.lead_time_days.is_some())
        .unwrap();
    let qty = |q: i64| {
        json!([{"op": "merge", "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": q}]}])
    };
    let feed = listings_feed(
        &seller,
        json!([
            {"messageId": 1, "sku": l.sku, "operationType": "PATCH", "productType": "PRODUCT", "patches": qty(42)},
            {"messageId": 2, "sku": l.sku, "operationType": "PATCH", "productType": "PRODUCT", "patches": qty(-3)},
            {"messageId": 3, "sku": "NO-SUCH-SKU", "operationType": "DELETE"},
            {"messageId": 4, "sku": l.sku, "operationType": "RENAME", "productType": "PRODUCT"},
        ]),
    );
    let doc = upload(&env, "application/json", &feed).await;
    let created = create(&env, "JSON_LISTINGS_FEED", &doc).await;
    assert_eq!(created.status, 202, "{}", created.text);
    let id = created.json()["feedId"].as_str().unwrap().to_owned();
    env.sb.advance_clock(Duration::from_secs(30));
    let l2 = env
        .sb
        .catalog()
        .into_iter()
        .find(|x| x.sku == l.sku && x.marketplace_id == l.marketplace_id)
        .unwrap();
    assert_eq!(l2.quantity, 42);
    assert_eq!(l2.lead_time_days, l.lead_time_days);
    let writes = env.sb.listing_writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].source, id);
    let c = env.get("/_sandbox/listing-writes").await.json();
    assert_eq!(c["writes"][0]["source"], id.as_str());

    env.sb.advance_clock(Duration::from_secs(90));
    let f = env
        .get(&format!("/feeds/2021-06-30/feeds/{id}"))
        .await
        .json();
    assert_eq!(f["processingStatus"], "DONE");
    let d = env
        .get(&format!(
            "/feeds/2021-06-30/documents/{}",
            f["resultFeedDocumentId"].as_str().unwrap()
        ))
        .await
        .json();
    let report: Value = env
        .http
        .get(d["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["header"]["feedId"], id.as_str());
    assert_eq!(report["summary"]["messagesProcessed"], 4);
    assert_eq!(report["summary"]["messagesAccepted"], 1);
    assert_eq!(report["summary"]["messagesInvalid"], 3);
    let issues = report["issues"].as_array().unwrap();
    let of = |m: u64| issues.iter().filter(move |i| i["messageId"] == m);
    assert_eq!(of(1).count(), 0);
    assert!(
        of(2)
            .any(|i| i["code"] == "90000900"
                && i["message"].as_str().unwrap().contains("minimum '0'"))
    );
    assert!(of(3).any(|i| i["code"] == "4000001"));
    assert!(of(4).any(|i| i["code"] == "4002008"));
}

#[tokio::test]
async fn unreadable_listings_feeds_end_fatal_and_five_per_five_minutes() {
    let env = Env::new(manual(76, 0)).await;
    let seller = env.sb.credentials().selling_partner_id;
    let doc = upload(&env, "application/json", "{ not json").await;
    let id = create(&env, "JSON_LISTINGS_FEED", &doc).await.json()["feedId"]
        .as_str()
        .unwrap()
        .to_owned();
    env.sb.advance_clock(Duration::from_secs(120));
    let f = env
        .get(&format!("/feeds/2021-06-30/feeds/{id}"))
        .await
        .json();
    assert_eq!(f["processingStatus"], "FATAL");
    assert!(f.get("resultFeedDocumentId").is_none());

    let ok = listings_feed(
        &seller,
        json!([{"messageId": 1, "sku": "X", "operationType": "DELETE"}]),
    );
    let doc = upload(&env, "application/json", &ok).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(create(&env, "JSON_LISTINGS_FEED", &doc).await.status);
    }
    // One FATAL feed two minutes ago plus four: the fifth within five minutes is refused.
    assert_eq!(statuses, [202, 202, 202, 202, 429]);
    env.sb.advance_clock(Duration::from_secs(300));
    assert_eq!(create(&env, "JSON_LISTINGS_FEED", &doc).await.status, 202);
}

#[tokio::test]
async fn acknowledgements_record_ids_and_cancel_orders_or_items_unless_shipped() {
    let env = Env::new(manual(77, 0).rate_limits(false)).await;
    let ids = env.sb.add_unshipped_mfn_orders(12, Some("ATVPDKIKX0DER"));
    env.sb.advance_clock(Duration::from_secs(600));
    let snap = env.sb.orders();
    let multi = snap
        .iter()
        .find(|o| ids.contains(&o.order_id) && o.items.len() >= 2)
        .expect("a multi-line order")
        .clone();
    let others: Vec<&String> = ids.iter().filter(|i| **i != multi.order_id).collect();
    let (acked, whole, shipped) = (others[0], others[1], others[2]);
    env.sb
        .set_order_status(shipped, OrderStatus::Shipped)
        .unwrap();
    let seller = env.sb.credentials().selling_partner_id;
    let msg = |n: u32, body: String| {
        format!(
            "<Message><MessageID>{n}</MessageID><OrderAcknowledgement>{body}</OrderAcknowledgement></Message>"
        )
    };
    let feed = format!(
        "<?xml version=\"1.0\"?><AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>{seller}</MerchantIdentifier></Header><MessageType>OrderAcknowledgement</MessageType>{}{}{}{}</AmazonEnvelope>",
        msg(
            1,
            format!(
                "<AmazonOrderID>{acked}</AmazonOrderID><MerchantOrderID>ERP-1001</MerchantOrderID><StatusCode>Success</StatusCode>"
            )
        ),
        msg(
            2,
            format!(
                "<AmazonOrderID>{}</AmazonOrderID><StatusCode>Failure</StatusCode><Item><AmazonOrderItemCode>{}</AmazonOrderItemCode><CancelReason>NoInventory</CancelReason></Item>",
                multi.order_id, multi.items[0].order_item_id
            )
        ),
        msg(
            3,
            format!("<AmazonOrderID>{whole}</AmazonOrderID><StatusCode>Failure</StatusCode>")
        ),
        msg(
            4,
            format!("<AmazonOrderID>{shipped}</AmazonOrderID><StatusCode>Failure</StatusCode>")
        ),
    );
    let doc = upload(&env, XML, &feed).await;
    let id = create(&env, "POST_ORDER_ACKNOWLEDGEMENT_DATA", &doc)
        .await
        .json()["feedId"]
        .as_str()
        .unwrap()
        .to_owned();
    env.sb.advance_clock(Duration::from_secs(120));
    let order = |id: &str| common::order(&env.sb, id);
    assert_eq!(order(acked).seller_order_id, "ERP-1001");
    let m = order(&multi.order_id);
    assert_eq!(m.status, OrderStatus::Unshipped, "one line of several");
    assert_eq!(
        m.items[0].seller_cancel_reason.as_deref(),
        Some("NoInventory")
    );
    assert_eq!(m.items[1].seller_cancel_reason, None);
    let w = order(whole);
    assert_eq!(w.status, OrderStatus::Canceled);
    assert_eq!(
        w.cancellation.as_ref().map(|c| c.0.as_str()),
        Some("MERCHANT")
    );
    assert_eq!(order(shipped).status, OrderStatus::Shipped);

    let v = env
        .get(&format!(
            "/orders/2026-01-01/orders/{}?includedData=CANCELLATION",
            multi.order_id
        ))
        .await
        .json();
    assert_eq!(
        v["order"]["orderItems"][0]["cancellation"]["cancellationExecution"],
        json!({"cancelledBy": "MERCHANT", "cancelReason": "NoInventory"})
    );
    let f = env
        .get(&format!("/feeds/2021-06-30/feeds/{id}"))
        .await
        .json();
    let d = env
        .get(&format!(
            "/feeds/2021-06-30/documents/{}",
            f["resultFeedDocumentId"].as_str().unwrap()
        ))
        .await
        .json();
    let report = answer(
        env.http
            .get(d["url"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await
    .text;
    assert!(
        report.contains("<MessagesProcessed>4</MessagesProcessed>"),
        "{report}"
    );
    assert!(
        report.contains("<MessagesSuccessful>3</MessagesSuccessful>"),
        "{report}"
    );
    assert!(
        report.contains("<ResultMessageCode>18138</ResultMessageCode>"),
        "{report}"
    );
}

#[tokio::test]
async fn get_feeds_pages_with_next_token() {
    let env = Env::new(manual(78, 0).rate_limits(false)).await;
    let doc = upload(&env, XML, "<AmazonEnvelope/>").await;
    let mut created = Vec::new();
    for _ in 0..7 {
        let a = create(&env, "POST_ORDER_FULFILLMENT_DATA", &doc).await;
        created.push(a.json()["feedId"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut url =
        "/feeds/2021-06-30/feeds?feedTypes=POST_ORDER_FULFILLMENT_DATA&pageSize=3".to_owned();
    let mut pages = 0;
    loop {
        let v = env.get(&url).await;
        assert_eq!(v.status, 200, "{}", v.text);
        let v = v.json();
        pages += 1;
        seen.extend(
            v["feeds"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["feedId"].as_str().unwrap().to_owned()),
        );
        match v["nextToken"].as_str() {
            Some(t) => url = format!("/feeds/2021-06-30/feeds?nextToken={t}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    created.reverse();
    assert_eq!(seen, created, "newest first, each once");
    let bad = env.get("/feeds/2021-06-30/feeds?nextToken=%21%21").await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn refunds_cannot_exceed_what_was_paid_per_component() {
    let env = Env::new(manual(79, 0).rate_limits(false)).await;
    let id = env
        .sb
        .add_unshipped_mfn_orders(1, Some("ATVPDKIKX0DER"))
        .remove(0);
    env.sb.advance_clock(Duration::from_secs(900));
    let o = common::order(&env.sb, &id);
    let item = &o.items[0];
    let price = item.item_price.unwrap();
    let message = |n: u32, amount: String| {
        format!(
            "<Message><MessageID>{n}</MessageID><OrderAdjustment><AmazonOrderID>{id}</AmazonOrderID><AdjustedItem><AmazonOrderItemCode>{}</AmazonOrderItemCode><AdjustmentReason>CustomerReturn</AdjustmentReason><ItemPriceAdjustments><Component><Type>Principal</Type><Amount currency=\"USD\">{amount}</Amount></Component></ItemPriceAdjustments></AdjustedItem></OrderAdjustment></Message>",
            item.order_item_id
        )
    };
    // The whole price in two refunds is fine; one cent more is refused, alone in its feed.
    let half = (price / rust_decimal::Decimal::from(2)).round_dp(2);
    let feed = format!(
        "<?xml version=\"1.0\"?><AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>M</MerchantIdentifier></Header><MessageType>OrderAdjustment</MessageType>{}{}{}</AmazonEnvelope>",
        message(1, format!("-{half}")),
        message(2, format!("-{}", price - half)),
        message(3, "-0.01".into()),
    );
    let doc = upload(&env, XML, &feed).await;
    let id_feed = create(&env, "POST_PAYMENT_ADJUSTMENT_DATA", &doc)
        .await
        .json()["feedId"]
        .as_str()
        .unwrap()
        .to_owned();
    env.sb.advance_clock(Duration::from_secs(120));
    let adj = env.sb.payment_adjustments();
    assert_eq!(adj.len(), 2, "{adj:?}");
    let refunded: rust_decimal::Decimal = adj.iter().map(|a| a.items[0].2).sum();
    assert_eq!(-refunded, price);
    let f = env
        .get(&format!("/feeds/2021-06-30/feeds/{id_feed}"))
        .await
        .json();
    let d = env
        .get(&format!(
            "/feeds/2021-06-30/documents/{}",
            f["resultFeedDocumentId"].as_str().unwrap()
        ))
        .await
        .json();
    let report = answer(
        env.http
            .get(d["url"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await
    .text;
    assert!(
        report.contains("<ResultMessageCode>18027</ResultMessageCode>"),
        "{report}"
    );
    assert!(
        report.contains("<MessagesSuccessful>2</MessagesSuccessful>"),
        "{report}"
    );
}
