//! Listings Items 2021-08-01 on the seller's catalog: reads, writes queued on the sandbox
//! clock, Amazon's issues and quirks.

mod common;

use std::time::Duration;

use amazon_sandbox::{RateLimit, SandboxConfig};
use common::{Env, manual};
use reqwest::Method;
use serde_json::{Value, json};

const US: &str = "ATVPDKIKX0DER";

fn path(env: &Env, sku: &str) -> String {
    format!(
        "/listings/2021-08-01/items/{}/{}",
        env.sb.credentials().selling_partner_id,
        sku.replace('/', "%2F")
    )
}

fn listing(env: &Env, sku: &str) -> amazon_sandbox::ListingSnapshot {
    env.sb
        .catalog()
        .into_iter()
        .find(|l| l.sku == sku && l.marketplace_id == US)
        .unwrap_or_else(|| panic!("no listing {sku}"))
}

async fn patch(env: &Env, sku: &str, query: &str, body: Value) -> common::Answer {
    env.send(
        Method::PATCH,
        &format!("{}?marketplaceIds={US}{query}", path(env, sku)),
        Some(&body),
    )
    .await
}

fn qty_patch(op: &str, availability: Value) -> Value {
    json!({"productType": "PRODUCT", "patches": [
        {"op": op, "path": "/attributes/fulfillment_availability", "value": [availability]}
    ]})
}

/// A merchant-fulfilled, priced US listing with a handling time.
fn mfn_sku(env: &Env) -> String {
    env.sb
        .catalog()
        .into_iter()
        .find(|l| l.marketplace_id == US && !l.fba && !l.closed && l.lead_time_days.is_some())
        .expect("an MFN listing")
        .sku
}

#[tokio::test]
async fn the_catalog_is_seeded_and_orders_use_its_skus() {
    let env = Env::new(manual(41, 300)).await;
    let cat = env.sb.catalog();
    assert!(cat.iter().any(|l| l.fba) && cat.iter().any(|l| !l.fba));
    assert!(cat.iter().any(|l| l.closed) && cat.iter().any(|l| l.buyable));
    for l in &cat {
        assert_eq!(l.fba, l.sku.ends_with("-FBA"));
        assert!(l.price.is_some());
    }
    for o in env.sb.orders() {
        for i in &o.items {
            let l = cat
                .iter()
                .find(|l| l.sku == i.seller_sku && l.marketplace_id == o.marketplace_id)
                .unwrap_or_else(|| panic!("{} is not in the catalog", i.seller_sku));
            assert_eq!(l.fba, o.amazon_fulfilled, "{}", i.seller_sku);
        }
    }
    let c = env.get("/_sandbox/catalog").await.json();
    assert_eq!(c["listings"].as_array().unwrap().len(), cat.len());
}

#[tokio::test]
async fn get_answers_the_requested_data_and_amazons_errors() {
    let env = Env::new(manual(42, 0)).await;
    let sku = mfn_sku(&env);
    let l = listing(&env, &sku);
    let a = env
        .get(&format!(
            "{}?marketplaceIds={US}&includedData=summaries,attributes,issues,offers,fulfillmentAvailability",
            path(&env, &sku)
        ))
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let v = a.json();
    assert_eq!(v["sku"], sku.as_str());
    assert_eq!(v["summaries"][0]["productType"], l.product_type.as_str());
    assert_eq!(
        v["summaries"][0]["status"],
        json!(["DISCOVERABLE", "BUYABLE"])
            .as_array()
            .map(|s| if l.buyable {
                json!(s)
            } else {
                json!(["DISCOVERABLE"])
            })
            .unwrap()
    );
    assert_eq!(v["fulfillmentAvailability"][0]["quantity"], l.quantity);
    assert_eq!(
        v["offers"][0]["price"]["amount"],
        l.price.unwrap().to_string()
    );
    assert_eq!(
        v["attributes"]["fulfillment_availability"][0]["fulfillment_channel_code"],
        "DEFAULT"
    );
    // Default: summaries only.
    let v = env
        .get(&format!("{}?marketplaceIds={US}", path(&env, &sku)))
        .await
        .json();
    assert!(v.get("attributes").is_none() && v.get("summaries").is_some());

    let a = env
        .get(&format!(
            "{}?marketplaceIds={US}",
            path(&env, "NO-SUCH/SKU")
        ))
        .await;
    assert_eq!(a.status, 404);
    assert_eq!(a.error().0, "NOT_FOUND");
    let a = env.get(&path(&env, &sku)).await;
    assert_eq!(a.status, 400, "marketplaceIds is required");
    let a = env
        .get(&format!(
            "/listings/2021-08-01/items/A2OTHERSELLER/{sku}?marketplaceIds={US}"
        ))
        .await;
    assert_eq!(a.status, 403);
}

#[tokio::test]
async fn accepted_means_queued_and_merge_keeps_the_handling_time() {
    let env = Env::new(manual(43, 0)).await;
    let sku = mfn_sku(&env);
    let before = listing(&env, &sku);
    let a = patch(
        &env,
        &sku,
        "",
        qty_patch(
            "merge",
            json!({"fulfillment_channel_code": "DEFAULT", "quantity": 77}),
        ),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["status"], "ACCEPTED");
    assert!(
        a.json()["submissionId"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(
        listing(&env, &sku).quantity,
        before.quantity,
        "not applied yet"
    );
    env.sb.advance_clock(Duration::from_secs(119));
    assert_eq!(listing(&env, &sku).quantity, before.quantity);
    env.sb.advance_clock(Duration::from_secs(1));
    let after = listing(&env, &sku);
    assert_eq!(after.quantity, 77);
    assert_eq!(
        after.lead_time_days, before.lead_time_days,
        "merge keeps it"
    );
    let writes = env.sb.listing_writes();
    assert_eq!(writes.len(), 1);
    assert!(writes[0].applied);
    assert_eq!(writes[0].source, "api");

    // replace without lead_time_to_ship_max_days wipes it.
    patch(
        &env,
        &sku,
        "",
        qty_patch(
            "replace",
            json!({"fulfillment_channel_code": "DEFAULT", "quantity": 5}),
        ),
    )
    .await;
    env.sb.advance_clock(Duration::from_secs(120));
    let after = listing(&env, &sku);
    assert_eq!((after.quantity, after.lead_time_days), (5, None));
}

#[tokio::test]
async fn late_issues_appear_on_get_after_acceptance() {
    let env = Env::new(manual(44, 0)).await;
    let fba = env
        .sb
        .catalog()
        .into_iter()
        .find(|l| l.marketplace_id == US && l.fba)
        .unwrap();
    let a = patch(
        &env,
        &fba.sku,
        "",
        qty_patch(
            "merge",
            json!({"fulfillment_channel_code": "AMAZON_NA", "quantity": 3}),
        ),
    )
    .await;
    assert_eq!(a.json()["status"], "ACCEPTED", "{}", a.text);
    env.sb.advance_clock(Duration::from_secs(120));
    assert_eq!(
        listing(&env, &fba.sku).quantity,
        fba.quantity,
        "Amazon owns it"
    );
    let v = env
        .get(&format!(
            "{}?marketplaceIds={US}&includedData=issues",
            path(&env, &fba.sku)
        ))
        .await
        .json();
    assert_eq!(v["issues"][0]["code"], "90000904");
    assert_eq!(v["issues"][0]["severity"], "ERROR");
    assert!(!env.sb.listing_writes()[0].applied);

    // A handling time over 30 days passes the schema and fails later.
    let sku = mfn_sku(&env);
    let a = patch(
        &env,
        &sku,
        "",
        qty_patch("merge", json!({"fulfillment_channel_code": "DEFAULT", "quantity": 1, "lead_time_to_ship_max_days": 31})),
    )
    .await;
    assert_eq!(a.json()["status"], "ACCEPTED");
    env.sb.advance_clock(Duration::from_secs(120));
    let l = listing(&env, &sku);
    assert_ne!(l.lead_time_days, Some(31));
    assert!(
        l.issues[0].contains("greater than the allowed maximum '30'"),
        "{:?}",
        l.issues
    );
}

#[tokio::test]
async fn invalid_writes_get_amazons_issues_and_change_nothing() {
    let env = Env::new(manual(45, 0).rate_limits(false)).await;
    let sku = mfn_sku(&env);
    let l = listing(&env, &sku);
    let cases = [
        (
            qty_patch(
                "merge",
                json!({"fulfillment_channel_code": "DEFAULT", "quantity": -1}),
            ),
            "90000900",
            "less than the allowed minimum",
        ),
        (
            qty_patch("merge", json!({"quantity": 4})),
            "90000900",
            "fulfillment_channel_code",
        ),
        (
            json!({"productType": "PRODUCT", "patches": [{"op": "merge", "path": "/attributes/purchasable_offer", "value": [
                {"marketplace_id": US, "currency": "EUR", "our_price": [{"schedule": [{"value_with_tax": "9.99"}]}]}]}]}),
            "90000900",
            "currency 'EUR'",
        ),
        (
            json!({"productType": "HEADPHONES_X", "patches": [{"op": "replace", "path": "/attributes/item_name", "value": [{"value": "x"}]}]}),
            "4000003",
            "product type",
        ),
        (
            json!({"productType": "PRODUCT", "patches": [{"op": "replace", "path": "/attributes/purchaseable_offer", "value": [{}]}]}),
            "90000900",
            "The attributes are invalid",
        ),
    ];
    for (body, code, text) in cases {
        let a = patch(&env, &sku, "", body.clone()).await;
        assert_eq!(a.status, 200, "{}", a.text);
        let v = a.json();
        assert_eq!(v["status"], "INVALID", "{body}: {v}");
        let issues = v["issues"].as_array().unwrap();
        assert!(
            issues
                .iter()
                .any(|i| i["code"] == code && i["message"].as_str().unwrap().contains(text)),
            "{body}: {v}"
        );
    }
    let a = patch(
        &env,
        "NOT-MY-SKU",
        "",
        qty_patch(
            "merge",
            json!({"fulfillment_channel_code": "DEFAULT", "quantity": 1}),
        ),
    )
    .await;
    assert_eq!(a.json()["status"], "INVALID");
    assert_eq!(a.json()["issues"][0]["code"], "4000001");
    // Syntax errors are 400s with Amazon's messages.
    for (body, msg) in [
        (
            json!({"productType": "PRODUCT", "patches": [{"op": "replace", "path": "/attributes/purchasable_offer/0", "value": []}]}),
            "Invalid path provided in patch at index of 0.",
        ),
        (
            json!({"productType": "PRODUCT", "patches": [{"op": "replace", "path": "/attributes/item_name", "value": {"value": "x"}}]}),
            "Invalid empty value provided in patch at index of 0.",
        ),
        (
            json!({"productType": "PRODUCT", "patches": [{"op": "replace", "path": "/attributes/item_name"}]}),
            "Value is missing for patch at index of 0.",
        ),
    ] {
        let a = patch(&env, &sku, "", body).await;
        assert_eq!(a.status, 400);
        assert_eq!(a.error(), ("InvalidInput".to_owned(), msg.to_owned()));
    }
    env.sb.advance_clock(Duration::from_secs(600));
    assert_eq!(listing(&env, &sku), l);
    assert!(env.sb.listing_writes().is_empty());
}

#[tokio::test]
async fn validation_preview_checks_everything_and_changes_nothing() {
    let env = Env::new(manual(46, 0)).await;
    let sku = mfn_sku(&env);
    let l = listing(&env, &sku);
    let q = "&mode=VALIDATION_PREVIEW";
    let ok = patch(
        &env,
        &sku,
        q,
        qty_patch(
            "merge",
            json!({"fulfillment_channel_code": "DEFAULT", "quantity": 9}),
        ),
    )
    .await;
    assert_eq!(ok.json()["status"], "VALID", "{}", ok.text);
    let late = patch(&env, &sku, q, qty_patch("merge", json!({"fulfillment_channel_code": "DEFAULT", "lead_time_to_ship_max_days": 45, "quantity": 1}))).await;
    assert_eq!(late.json()["status"], "INVALID");
    env.sb.advance_clock(Duration::from_secs(600));
    assert_eq!(listing(&env, &sku), l);
}

#[tokio::test]
async fn put_creates_and_delete_removes_a_listing() {
    let env = Env::new(manual(47, 0)).await;
    let sku = "NEW/SKU 1";
    let attrs = json!({
        "merchant_suggested_asin": [{"value": "B000000001", "marketplace_id": US}],
        "condition_type": [{"value": "new_new", "marketplace_id": US}],
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 12, "lead_time_to_ship_max_days": 2}],
        "purchasable_offer": [{"marketplace_id": US, "currency": "USD", "our_price": [{"schedule": [{"value_with_tax": "19.99"}]}]}]
    });
    let url = format!("{}?marketplaceIds={US}", path(&env, sku));
    let a = env
        .send(Method::PUT, &url, Some(&json!({"productType": "HEADPHONES", "requirements": "LISTING_OFFER_ONLY", "attributes": {"condition_type": attrs["condition_type"]}})))
        .await;
    assert_eq!(a.json()["status"], "INVALID", "{}", a.text);
    assert_eq!(a.json()["issues"][0]["code"], "90220");
    let a = env
        .send(
            Method::PUT,
            &url,
            Some(&json!({"productType": "HEADPHONES", "attributes": attrs})),
        )
        .await;
    assert_eq!(a.json()["status"], "ACCEPTED", "{}", a.text);
    env.sb.advance_clock(Duration::from_secs(120));
    let l = listing(&env, sku);
    assert_eq!(
        (l.quantity, l.lead_time_days, l.price.map(|p| p.to_string())),
        (12, Some(2), Some("19.99".into()))
    );
    assert!(l.buyable);
    assert_eq!(env.get(&url).await.status, 200);

    let a = env.send(Method::DELETE, &url, None).await;
    assert_eq!(a.json()["status"], "ACCEPTED", "{}", a.text);
    env.sb.advance_clock(Duration::from_secs(120));
    assert_eq!(env.get(&url).await.status, 404);
    assert_eq!(
        env.sb
            .listing_writes()
            .iter()
            .map(|w| w.kind.as_str())
            .collect::<Vec<_>>(),
        ["PUT", "DELETE"]
    );
}

#[tokio::test]
async fn listings_rate_limits_and_the_per_application_cap() {
    let cfg: SandboxConfig = manual(48, 0).rate_limit_override(
        "listingsApp.validationPreview",
        RateLimit {
            rate: 0.001,
            burst: 2,
        },
    );
    let env = Env::new(cfg).await;
    let sku = mfn_sku(&env);
    let body = qty_patch(
        "merge",
        json!({"fulfillment_channel_code": "DEFAULT", "quantity": 1}),
    );
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let a = patch(&env, &sku, "&mode=VALIDATION_PREVIEW", body.clone()).await;
        statuses.push(a.status);
        if a.status == 429 {
            assert!(
                a.error().1.contains("allowed for the application"),
                "{}",
                a.text
            );
        }
    }
    assert_eq!(statuses, [200, 200, 429]);
    // patchListingsItem: 5 per second, burst 5, per seller and application.
    let mut throttled = 0;
    for _ in 0..6 {
        let a = patch(&env, &sku, "", body.clone()).await;
        if a.status == 429 {
            throttled += 1;
        } else {
            assert_eq!(a.header("x-amzn-RateLimit-Limit"), Some("5"));
        }
    }
    // Three calls already spent the bucket of 5: two pass, four are throttled.
    assert_eq!(throttled, 4);
}
