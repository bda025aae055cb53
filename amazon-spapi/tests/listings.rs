//! Listings Items 2021-08-01 against wiremock: exact requests (encoded SKU, query, JSON
//! Patch body), VALIDATION_PREVIEW and typed issues, the application-wide buckets shared
//! by all sellers and the limit a 429 names, and the official model's examples.

use rust_decimal::Decimal;
use secrecy::SecretString;
use serde_json::{Value, json};
use spapi_client::listings::{
    IncludedData, IssueSeverity, Item, ItemRef, PatchListingsItem, PatchOperation, PutListingsItem,
    SubmissionData, SubmissionResponse, SubmissionStatus,
};
use spapi_client::{
    BackoffConfig, Client, ErrorKind, FixedClock, LwaCredentials, RateLimiter, RetryConfig,
    ThrottleScope,
};
use std::time::Duration;
use time::macros::datetime;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ACCESS: &str = "Atza|access-1";

fn builder(
    server: &MockServer,
    refresh: &str,
    limiter: RateLimiter,
) -> spapi_client::ClientBuilder {
    Client::builder()
        .credentials(LwaCredentials {
            client_id: "amzn1.application-oa2-client.test".into(),
            client_secret: SecretString::from("s3cret-value"),
            refresh_token: SecretString::from(refresh.to_owned()),
        })
        .endpoint(server.uri())
        .lwa_endpoint(format!("{}/auth/o2/token", server.uri()))
        .retry(RetryConfig {
            max_retries: 0,
            backoff: BackoffConfig::default(),
            retry_timeout: Duration::from_secs(60),
            attempt_timeout: None,
            max_rate_limit_wait: None,
        })
        .rate_limiter(limiter)
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

fn accepted(sku: &str) -> Value {
    json!({"sku": sku, "status": "ACCEPTED", "submissionId": "f1dc2914", "issues": []})
}

#[tokio::test]
async fn patch_sends_the_encoded_sku_the_query_and_the_json_patch() {
    let server = server().await;
    Mock::given(method("PATCH"))
        .and(path("/listings/2021-08-01/items/A1SELLER/SKU%2F1%20red%23%2B"))
        .and(header("x-amz-access-token", ACCESS))
        .and(header("content-type", "application/json"))
        .and(|r: &Request| {
            r.url.query()
                == Some("marketplaceIds=ATVPDKIKX0DER&includedData=identifiers%2Cissues&issueLocale=en_US")
        })
        .and(body_json(json!({
            "productType": "PRODUCT",
            "patches": [
                {"op": "merge", "path": "/attributes/fulfillment_availability",
                 "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7, "lead_time_to_ship_max_days": 2}]},
                {"op": "replace", "path": "/attributes/purchasable_offer",
                 "value": [{"marketplace_id": "ATVPDKIKX0DER", "currency": "USD", "audience": "ALL",
                            "our_price": [{"schedule": [{"value_with_tax": 19.99}]}]}]}
            ]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(accepted("SKU/1 red#+")))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server, "Atzr|a", RateLimiter::new())
        .build()
        .expect("client");
    let item = ItemRef::new("A1SELLER", "SKU/1 red#+", ["ATVPDKIKX0DER"]).issue_locale("en_US");
    let res = client
        .listings()
        .patch_listings_item(
            PatchListingsItem::new(
                item,
                "PRODUCT",
                vec![
                    PatchOperation::availability("DEFAULT", 7, Some(2)).expect("availability"),
                    PatchOperation::price("ATVPDKIKX0DER", "USD", Decimal::new(1999, 2), "ALL")
                        .expect("price"),
                ],
            )
            .included_data(vec![SubmissionData::Identifiers, SubmissionData::Issues]),
        )
        .await
        .expect("accepted");
    assert_eq!(res.status, SubmissionStatus::Accepted);
}

#[tokio::test]
async fn validation_preview_returns_typed_issues() {
    let server = server().await;
    Mock::given(method("PATCH"))
        .and(path("/listings/2021-08-01/items/A1SELLER/SKU-1"))
        .and(|r: &Request| {
            r.url.query() == Some("marketplaceIds=ATVPDKIKX0DER&mode=VALIDATION_PREVIEW")
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "sku": "SKU-1", "status": "INVALID", "submissionId": "a1c5",
            "issues": [{"code": "90000900", "message": "The attributes are invalid.", "severity": "ERROR",
                        "attributeNames": ["fake_attribute"], "categories": ["INVALID_ATTRIBUTE"],
                        "enforcements": {"actions": [{"action": "ATTRIBUTE_SUPPRESSED"}], "exemption": {"status": "NOT_EXEMPT"}}},
                       {"code": "18448", "message": "Listing is search suppressed.", "severity": "NEW_SEVERITY", "categories": []}]})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server, "Atzr|a", RateLimiter::new())
        .build()
        .expect("client");
    let res = client
        .listings()
        .patch_listings_item(
            PatchListingsItem::new(
                ItemRef::new("A1SELLER", "SKU-1", ["ATVPDKIKX0DER"]),
                "PRODUCT",
                vec![PatchOperation::availability("DEFAULT", 1, None).expect("p")],
            )
            .validation_preview(true),
        )
        .await
        .expect("preview");
    assert_eq!(res.status, SubmissionStatus::Invalid);
    let errors: Vec<_> = res.errors().collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].attribute_names, ["fake_attribute"]);
    assert_eq!(
        res.issues[1].severity,
        IssueSeverity::Unknown("NEW_SEVERITY".into())
    );
}

#[tokio::test]
async fn get_put_and_delete_requests_are_exact() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/listings/2021-08-01/items/A1SELLER/SKU-1"))
        .and(|r: &Request| {
            r.url.query() == Some("marketplaceIds=ATVPDKIKX0DER&includedData=summaries%2Cissues%2CfulfillmentAvailability")
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "sku": "SKU-1",
            "summaries": [{"marketplaceId": "ATVPDKIKX0DER", "productType": "LUGGAGE", "status": ["BUYABLE"],
                           "createdDate": "2021-02-01T00:00:00Z", "lastUpdatedDate": "2021-03-01T00:00:00Z"}],
            "fulfillmentAvailability": [{"fulfillmentChannelCode": "DEFAULT", "quantity": 100}],
            "procurement": [{"costPrice": {"currencyCode": "USD", "amount": 10.5}}]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/listings/2021-08-01/items/A1SELLER/SKU-1"))
        .and(|r: &Request| r.url.query() == Some("marketplaceIds=ATVPDKIKX0DER&mode=VALIDATION_PREVIEW"))
        .and(body_json(json!({"productType": "LUGGAGE", "requirements": "LISTING_OFFER_ONLY",
                              "attributes": {"condition_type": [{"value": "new_new"}]}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "sku": "SKU-1", "status": "VALID", "submissionId": "1edc", "identifiers": [{"marketplaceId": "ATVPDKIKX0DER", "asin": "B07N4M94X4"}]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/listings/2021-08-01/items/A1SELLER/SKU-1"))
        .and(|r: &Request| r.url.query() == Some("marketplaceIds=ATVPDKIKX0DER"))
        .respond_with(ResponseTemplate::new(200).set_body_json(accepted("SKU-1")))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server, "Atzr|a", RateLimiter::new())
        .build()
        .expect("client");
    let item = ItemRef::new("A1SELLER", "SKU-1", ["ATVPDKIKX0DER"]);
    let got = client
        .listings()
        .get_listings_item(
            item.clone(),
            vec![
                IncludedData::Summaries,
                IncludedData::Issues,
                IncludedData::FulfillmentAvailability,
            ],
        )
        .await
        .expect("item");
    assert_eq!(got.summaries[0].product_type, "LUGGAGE");
    assert_eq!(got.fulfillment_availability[0].quantity, Some(100));
    assert!(got.other.contains_key("procurement"));
    let mut attributes = serde_json::Map::new();
    attributes.insert("condition_type".into(), json!([{"value": "new_new"}]));
    let put = PutListingsItem::new(item.clone(), "LUGGAGE", attributes)
        .requirements("LISTING_OFFER_ONLY")
        .validation_preview(true);
    let res = client.listings().put_listings_item(put).await.expect("put");
    assert_eq!(res.status, SubmissionStatus::Valid);
    assert_eq!(res.identifiers[0].asin.as_deref(), Some("B07N4M94X4"));
    client
        .listings()
        .delete_listings_item(item)
        .await
        .expect("delete");
}

#[tokio::test]
async fn put_and_delete_take_one_marketplace() {
    let server = server().await;
    let client = builder(&server, "Atzr|a", RateLimiter::new())
        .build()
        .expect("client");
    let two = ItemRef::new("A1SELLER", "SKU-1", ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"]);
    let err = client
        .listings()
        .delete_listings_item(two)
        .await
        .expect_err("two");
    assert_eq!(err.kind(), ErrorKind::Client);
    assert!(server.received_requests().await.expect("rec").is_empty());
}

/// A 429 Listings answer whose message names `scope`'s limit.
fn throttled(message: &str) -> ResponseTemplate {
    ResponseTemplate::new(429)
        .set_body_json(json!({"errors": [{"code": "QuotaExceeded", "message": message}]}))
}

#[tokio::test(start_paused = true)]
async fn an_application_429_slows_every_seller_of_the_application() {
    let server = server().await;
    Mock::given(method("PATCH"))
        .and(path("/listings/2021-08-01/items/A1SELLER/SKU-1"))
        .respond_with(throttled(
            "You exceeded your quota for the requested resource allowed for the application.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let limiter = RateLimiter::new();
    let seller_a = builder(&server, "Atzr|seller-a", limiter.clone())
        .build()
        .expect("a");
    let seller_b = builder(&server, "Atzr|seller-b", limiter)
        .build()
        .expect("b");
    let patch = PatchListingsItem::new(
        ItemRef::new("A1SELLER", "SKU-1", ["ATVPDKIKX0DER"]),
        "PRODUCT",
        vec![PatchOperation::availability("DEFAULT", 1, None).expect("p")],
    );
    assert_eq!(seller_b.wait_time("patchListingsItem"), Duration::ZERO);
    let err = seller_a
        .listings()
        .patch_listings_item(patch)
        .await
        .expect_err("429");
    let ErrorKind::Throttled { retry_after } = err.kind() else {
        panic!("{err:?}")
    };
    assert!(
        retry_after.is_some_and(|d| d > Duration::ZERO),
        "{retry_after:?}"
    );
    match &err {
        spapi_client::Error::Api(f) => {
            assert_eq!(f.throttle_scope(), Some(ThrottleScope::Application))
        }
        other => panic!("{other:?}"),
    }
    // The application's bucket is shared: seller B now waits too.
    assert!(seller_b.wait_time("patchListingsItem") > Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_per_seller_429_slows_only_that_seller() {
    let server = server().await;
    Mock::given(method("PATCH"))
        .and(path("/listings/2021-08-01/items/A1SELLER/SKU-1"))
        .respond_with(throttled(
            "You exceeded your quota for the requested resource.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let limiter = RateLimiter::new();
    let seller_a = builder(&server, "Atzr|seller-a", limiter.clone())
        .build()
        .expect("a");
    let seller_b = builder(&server, "Atzr|seller-b", limiter)
        .build()
        .expect("b");
    let patch = PatchListingsItem::new(
        ItemRef::new("A1SELLER", "SKU-1", ["ATVPDKIKX0DER"]),
        "PRODUCT",
        vec![PatchOperation::availability("DEFAULT", 1, None).expect("p")],
    );
    let err = seller_a
        .listings()
        .patch_listings_item(patch)
        .await
        .expect_err("429");
    assert!(matches!(err.kind(), ErrorKind::Throttled { .. }));
    assert!(seller_a.wait_time("patchListingsItem") > Duration::ZERO);
    assert_eq!(seller_b.wait_time("patchListingsItem"), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn the_application_bucket_paces_all_sellers_together() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/listings/2021-08-01/items/A1SELLER/SKU-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sku": "SKU-1"})))
        .mount(&server)
        .await;
    // 150 sellers of one application: each seller's own bucket (burst 10) is full, but the
    // application allows 100 getListingsItem calls at once and 100 per second.
    let limiter = RateLimiter::new();
    let clients: Vec<Client> = (0..150)
        .map(|i| {
            builder(&server, &format!("Atzr|seller-{i}"), limiter.clone())
                .build()
                .expect("client")
        })
        .collect();
    let started = tokio::time::Instant::now();
    for c in &clients {
        c.listings()
            .get_listings_item(ItemRef::new("A1SELLER", "SKU-1", ["ATVPDKIKX0DER"]), vec![])
            .await
            .expect("item");
    }
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(490) && took < Duration::from_millis(600),
        "{took:?}"
    );
}

// ---------------------------------------------------------------------------------------
// The official model's examples decode

fn model_examples(op: &str) -> Vec<Value> {
    let Some(dir) = amz_testkit::shared_dir("listings model examples") else {
        return Vec::new();
    };
    let file = amz_testkit::shared_file(&dir, "spapi-models/listingsItems_2021-08-01.json");
    let model: Value =
        serde_json::from_slice(&std::fs::read(file).expect("read model")).expect("model json");
    let mut out = Vec::new();
    for ops in model["paths"].as_object().expect("paths").values() {
        for o in ops.as_object().expect("ops").values() {
            if o["operationId"] == op {
                for case in o["responses"]["200"]["x-amzn-api-sandbox"]["static"]
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
    if amz_testkit::shared_dir("listings model examples").is_none() {
        return;
    }
    let items = model_examples("getListingsItem");
    assert_eq!(items.len(), 1);
    let item: Item = serde_json::from_value(items[0].clone()).expect("getListingsItem");
    assert_eq!(item.sku, "GM-ZDPI-9B4E");
    assert_eq!(item.summaries[0].asin.as_deref(), Some("B071VG5N9D"));
    assert!(!item.offers.is_empty());
    let mut statuses = Vec::new();
    for op in ["patchListingsItem", "putListingsItem", "deleteListingsItem"] {
        for body in model_examples(op) {
            let r: SubmissionResponse = serde_json::from_value(body).expect(op);
            statuses.push(r.status.clone());
            for issue in &r.issues {
                assert!(
                    !matches!(issue.severity, IssueSeverity::Unknown(_)),
                    "{issue:?}"
                );
            }
        }
    }
    assert_eq!(statuses.len(), 7);
    assert!(statuses.contains(&SubmissionStatus::Valid));
    assert!(statuses.contains(&SubmissionStatus::Invalid));
}
