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
    assert_eq!(create(&env, "JSON_LISTINGS_FEED", &doc).await.status, 400);
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
