//! Every answer is checked against Amazon's official models in `../shared/spapi-models`:
//! no field the model does not declare, every required field present, types and enums right.

mod common;

use std::path::Path;

use common::{Env, manual};
use serde_json::{Value, json};

struct Model {
    defs: Value,
}

impl Model {
    fn load(dir: &Path, file: &str) -> Model {
        let text =
            std::fs::read_to_string(dir.join("spapi-models").join(file)).expect("model readable");
        let v: Value = serde_json::from_str(&text).expect("model is JSON");
        Model {
            defs: v["definitions"].clone(),
        }
    }

    fn check(&self, def: &str, v: &Value) {
        let mut errs = Vec::new();
        self.walk(
            &json!({"$ref": format!("#/definitions/{def}")}),
            v,
            def,
            &mut errs,
        );
        assert!(errs.is_empty(), "{def}: {errs:#?}\n{v}");
    }

    fn walk(&self, schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/definitions/");
            return self.walk(&self.defs[name], v, at, errs);
        }
        let ty = schema.get("type").and_then(Value::as_str).unwrap_or(
            if schema.get("properties").is_some() {
                "object"
            } else {
                ""
            },
        );
        match ty {
            "object" => {
                let Some(obj) = v.as_object() else {
                    return errs.push(format!("{at}: expected object, got {v}"));
                };
                let props = schema.get("properties").and_then(Value::as_object);
                for (k, x) in obj {
                    match props.and_then(|p| p.get(k)) {
                        Some(s) => self.walk(s, x, &format!("{at}.{k}"), errs),
                        None if schema.get("additionalProperties").is_some() => {}
                        None => errs.push(format!("{at}.{k}: not in the model")),
                    }
                }
                for r in schema
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let r = r.as_str().unwrap_or_default();
                    if !obj.contains_key(r) {
                        errs.push(format!("{at}.{r}: required but missing"));
                    }
                }
            }
            "array" => {
                let Some(a) = v.as_array() else {
                    return errs.push(format!("{at}: expected array"));
                };
                for (i, x) in a.iter().enumerate() {
                    self.walk(&schema["items"], x, &format!("{at}[{i}]"), errs);
                }
            }
            "string" => match v.as_str() {
                None => errs.push(format!("{at}: expected string, got {v}")),
                Some(s) => {
                    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
                        if !e.iter().any(|x| x == s) {
                            errs.push(format!("{at}: {s:?} not in enum"));
                        }
                    }
                    if schema.get("format").and_then(Value::as_str) == Some("date-time")
                        && time::OffsetDateTime::parse(
                            s,
                            &time::format_description::well_known::Rfc3339,
                        )
                        .is_err()
                    {
                        errs.push(format!("{at}: {s:?} is not a date-time"));
                    }
                }
            },
            "integer" if !v.is_i64() && !v.is_u64() => errs.push(format!("{at}: expected integer")),
            "number" if !v.is_number() => errs.push(format!("{at}: expected number")),
            "boolean" if !v.is_boolean() => errs.push(format!("{at}: expected boolean")),
            _ => {}
        }
    }
}

#[tokio::test]
async fn answers_match_the_official_models() {
    let Some(dir) = amz_testkit::shared_dir("sandbox model conformance") else {
        return;
    };
    let v0 = Model::load(&dir, "ordersV0.json");
    let v26 = Model::load(&dir, "orders_2026-01-01.json");
    let tokens = Model::load(&dir, "tokens_2021-03-01.json");

    let env = Env::new(manual(99, 400).rate_limits(false)).await;
    env.sb.add_unshipped_mfn_orders(5, None);
    env.sb.add_orders(5);
    let mps = env.sb.credentials().marketplace_ids.join(",");
    let rdt_body = json!({"restrictedResources": [
        {"method": "GET", "path": "/orders/v0/orders", "dataElements": ["buyerInfo", "shippingAddress"]},
        {"method": "GET", "path": "/orders/v0/orders/{orderId}", "dataElements": ["buyerInfo", "shippingAddress"]},
        {"method": "GET", "path": "/orders/v0/orders/{orderId}/orderItems", "dataElements": ["buyerInfo"]},
        {"method": "GET", "path": "/orders/v0/orders/{orderId}/address"},
        {"method": "GET", "path": "/orders/v0/orders/{orderId}/buyerInfo"},
        {"method": "GET", "path": "/orders/v0/orders/{orderId}/orderItems/buyerInfo"}
    ]});
    let rdt_answer = env
        .post("/tokens/2021-03-01/restrictedDataToken", &rdt_body)
        .await;
    tokens.check("CreateRestrictedDataTokenResponse", &rdt_answer.json());
    let rdt = rdt_answer.json()["restrictedDataToken"]
        .as_str()
        .unwrap()
        .to_owned();

    for token in [env.token.clone(), rdt.clone()] {
        let list = env.get_with(&format!("/orders/v0/orders?MarketplaceIds={mps}&CreatedAfter=2025-01-01T00:00:00Z&MaxResultsPerPage=100"), Some(&token)).await;
        v0.check("GetOrdersResponse", &list.json());
        let all = env.sb.orders();
        for o in all.iter().step_by(7) {
            let id = &o.order_id;
            for (path, def) in [
                (format!("/orders/v0/orders/{id}"), "GetOrderResponse"),
                (
                    format!("/orders/v0/orders/{id}/orderItems"),
                    "GetOrderItemsResponse",
                ),
                (
                    format!("/orders/v0/orders/{id}/address"),
                    "GetOrderAddressResponse",
                ),
                (
                    format!("/orders/v0/orders/{id}/buyerInfo"),
                    "GetOrderBuyerInfoResponse",
                ),
                (
                    format!("/orders/v0/orders/{id}/orderItems/buyerInfo"),
                    "GetOrderItemsBuyerInfoResponse",
                ),
            ] {
                let a = env.get_with(&path, Some(&token)).await;
                assert_eq!(a.status, 200, "{path}: {}", a.text);
                v0.check(def, &a.json());
            }
        }
    }
    let bad = env
        .get("/orders/v0/orders?CreatedAfter=TEST_CASE_400")
        .await;
    v0.check("GetOrdersResponse", &bad.json());
    let nf = env.get("/orders/v0/orders/999-9999999-9999999").await;
    v0.check("GetOrderResponse", &nf.json());

    let every = "BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX,PAYMENT,FULFILLMENT_ORDERS";
    let search = env.get(&format!("/orders/2026-01-01/orders?createdAfter=2025-01-01T00:00:00Z&includedData={every}&maxResultsPerPage=100")).await;
    assert_eq!(search.status, 200);
    v26.check("SearchOrdersResponse", &search.json());
    for o in env.sb.orders().iter().step_by(11) {
        let a = env
            .get(&format!(
                "/orders/2026-01-01/orders/{}?includedData={every}",
                o.order_id
            ))
            .await;
        v26.check("GetOrderResponse", &a.json());
    }
    let bad = env
        .get("/orders/2026-01-01/orders?createdAfter=TEST_CASE_400")
        .await;
    v26.check("ErrorList", &bad.json());
}

#[test]
fn the_checker_catches_drift() {
    let Some(dir) = amz_testkit::shared_dir("sandbox model checker") else {
        return;
    };
    let v0 = Model::load(&dir, "ordersV0.json");
    let mut errs = Vec::new();
    let bad = json!({"payload": {"AmazonOrderId": "1", "OrderStatus": "Unshipped", "Bogus": 1}});
    v0.walk(
        &json!({"$ref": "#/definitions/GetOrderResponse"}),
        &bad,
        "x",
        &mut errs,
    );
    // Bogus is unknown; PurchaseDate and LastUpdateDate are missing.
    assert_eq!(errs.len(), 3, "{errs:?}");
    let mut errs = Vec::new();
    let wrong_type = json!({"payload": {"OrderItems": [{"ASIN": "B0", "OrderItemId": "1", "QuantityOrdered": "1"}], "AmazonOrderId": "1"}});
    v0.walk(
        &json!({"$ref": "#/definitions/GetOrderItemsResponse"}),
        &wrong_type,
        "x",
        &mut errs,
    );
    assert_eq!(errs.len(), 1, "{errs:?}");
}

#[tokio::test]
async fn feeds_answers_match_the_feeds_model() {
    let Some(dir) = amz_testkit::shared_dir("sandbox feeds model conformance") else {
        return;
    };
    let feeds = Model::load(&dir, "feeds_2021-06-30.json");
    let env = Env::new(manual(98, 0).rate_limits(false)).await;
    let doc = env
        .post(
            "/feeds/2021-06-30/documents",
            &json!({"contentType": "text/xml; charset=UTF-8"}),
        )
        .await;
    assert_eq!(doc.status, 201);
    feeds.check("CreateFeedDocumentResponse", &doc.json());
    let doc_id = doc.json()["feedDocumentId"].as_str().unwrap().to_owned();
    let url = doc.json()["url"].as_str().unwrap().to_owned();
    env.http
        .put(&url)
        .header("content-type", "text/xml; charset=UTF-8")
        .body("<AmazonEnvelope/>")
        .send()
        .await
        .unwrap();
    let created = env
        .post("/feeds/2021-06-30/feeds", &json!({"feedType": "POST_ORDER_FULFILLMENT_DATA", "marketplaceIds": ["ATVPDKIKX0DER"], "inputFeedDocumentId": doc_id}))
        .await;
    feeds.check("CreateFeedResponse", &created.json());
    let id = created.json()["feedId"].as_str().unwrap().to_owned();
    for step in [0, 60, 120] {
        env.sb.advance_clock(std::time::Duration::from_secs(step));
        feeds.check(
            "Feed",
            &env.get(&format!("/feeds/2021-06-30/feeds/{id}"))
                .await
                .json(),
        );
    }
    let list = env
        .get("/feeds/2021-06-30/feeds?feedTypes=POST_ORDER_FULFILLMENT_DATA")
        .await;
    feeds.check("GetFeedsResponse", &list.json());
    let done = env
        .get(&format!("/feeds/2021-06-30/feeds/{id}"))
        .await
        .json();
    let result = done["resultFeedDocumentId"].as_str().unwrap();
    feeds.check(
        "FeedDocument",
        &env.get(&format!("/feeds/2021-06-30/documents/{result}"))
            .await
            .json(),
    );
    feeds.check(
        "ErrorList",
        &env.get("/feeds/2021-06-30/feeds").await.json(),
    );
}

#[tokio::test]
async fn buyer_cancellation_requests_and_confirmed_packages_have_the_models_shapes() {
    let Some(dir) = amz_testkit::shared_dir("sandbox cancellation/package shapes") else {
        return;
    };
    let v0 = Model::load(&dir, "ordersV0.json");
    let v26 = Model::load(&dir, "orders_2026-01-01.json");
    let env = Env::new(manual(97, 0).rate_limits(false)).await;
    let ids = env.sb.add_unshipped_mfn_orders(3, Some("ATVPDKIKX0DER"));
    env.sb.advance_clock(std::time::Duration::from_secs(600));
    env.sb.buyer_cancel_request(&ids[0]).unwrap();
    env.sb.buyer_cancel_request(&ids[1]).unwrap();
    env.sb
        .set_order_status(&ids[1], amazon_sandbox::OrderStatus::Canceled)
        .unwrap();
    let shipped = env
        .sb
        .orders()
        .into_iter()
        .find(|o| o.order_id == ids[2])
        .unwrap();
    let items: Vec<Value> = shipped
        .items
        .iter()
        .map(|i| {
            let mut it = json!({"orderItemId": i.order_item_id, "quantity": i.quantity_ordered});
            if i.transparency {
                it["transparencyCodes"] = json!(
                    (0..i.quantity_ordered)
                        .map(|n| format!("AZ:TR{n:08}"))
                        .collect::<Vec<_>>()
                );
            }
            it
        })
        .collect();
    let a = env
        .post(
            &format!("/orders/v0/orders/{}/shipmentConfirmation", ids[2]),
            &json!({"marketplaceId": "ATVPDKIKX0DER", "packageDetail": {
                "packageReferenceId": "1", "carrierCode": "Other", "carrierName": "Speedy Parcels",
                "shippingMethod": "Next day", "trackingNumber": "SP123",
                "shipDate": common::iso(env.sb.now() - time::Duration::minutes(1)),
                "orderItems": items}}),
        )
        .await;
    assert_eq!(a.status, 204, "{}", a.text);

    // v0: the request and its reason, as strings, on every item.
    let items = env
        .get(&format!("/orders/v0/orders/{}/orderItems", ids[0]))
        .await
        .json();
    v0.check("GetOrderItemsResponse", &items);
    for it in items["payload"]["OrderItems"].as_array().unwrap() {
        assert_eq!(it["BuyerRequestedCancel"]["IsBuyerRequestedCancel"], "true");
        assert!(it["BuyerRequestedCancel"]["BuyerCancelReason"].is_string());
    }
    let items = env
        .get(&format!("/orders/v0/orders/{}/orderItems", ids[2]))
        .await
        .json();
    assert_eq!(
        items["payload"]["OrderItems"][0]["BuyerRequestedCancel"]["IsBuyerRequestedCancel"],
        "false"
    );

    // v2026: cancellationRequest while open, cancellationExecution once cancelled; the
    // confirmed package with its carrier name, service and items.
    let inc = "includedData=CANCELLATION,PACKAGES,FULFILLMENT";
    let path = |id: &str| format!("/orders/2026-01-01/orders/{id}?{inc}");
    let open = env.get(&path(&ids[0])).await.json();
    v26.check("GetOrderResponse", &open);
    for it in open["order"]["orderItems"].as_array().unwrap() {
        assert_eq!(
            it["cancellation"]["cancellationRequest"]["requester"],
            "BUYER"
        );
        assert!(it["cancellation"]["cancellationRequest"]["cancelReason"].is_string());
        assert!(it["cancellation"].get("cancellationExecution").is_none());
    }
    let cancelled = env.get(&path(&ids[1])).await.json();
    v26.check("GetOrderResponse", &cancelled);
    assert_eq!(
        cancelled["order"]["orderItems"][0]["cancellation"]["cancellationExecution"]["cancelledBy"],
        "BUYER"
    );
    let with_package = env.get(&path(&ids[2])).await.json();
    v26.check("GetOrderResponse", &with_package);
    let p = &with_package["order"]["packages"][0];
    assert_eq!(p["packageReferenceId"], "1");
    assert_eq!(p["carrier"], "Speedy Parcels");
    assert_eq!(p["shippingService"], "Next day");
    assert_eq!(p["trackingNumber"], "SP123");
    assert_eq!(p["packageStatus"]["status"], "SHIPPED");
    assert_eq!(
        p["packageItems"].as_array().unwrap().len(),
        shipped.items.len()
    );
    assert!(
        with_package["order"]["orderItems"][0]
            .get("cancellation")
            .is_none()
    );

    env.sb.advance_clock(std::time::Duration::from_secs(180));
    let search = env
        .get(&format!(
            "/orders/2026-01-01/orders?lastUpdatedAfter=2026-01-01T00:00:00Z&{inc}"
        ))
        .await
        .json();
    v26.check("SearchOrdersResponse", &search);
    assert_eq!(search["orders"].as_array().unwrap().len(), 3);
}
