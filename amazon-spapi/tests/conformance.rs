//! Conformance over every static sandbox example of the orders models
//! (`orders.sandbox-cases.json`, 39 cases): for each case the request the client builds from
//! the example's parameters must match exactly (method, path, query, body, token), and the
//! example's response must decode (success into types that keep every field, errors into
//! `Error::Api` with Amazon's codes).

use secrecy::SecretString;
use serde_json::{Value, json};
use spapi_client::orders_v0::{
    ConfirmShipmentRequest, DateParam, GetOrdersRequest, ShipmentStatus,
    UpdateShipmentStatusRequest, UpdateVerificationStatusRequest,
};
use spapi_client::orders_v2026::{IncludedData, SearchOrdersRequest};
use spapi_client::{Client, Error, LwaCredentials, RateLimiter, RetryConfig};
use std::collections::{BTreeMap, BTreeSet};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ACCESS: &str = "Atza|conformance-access";
const RDT: &str = "Atz.sprdt|conformance-rdt";
const PLACEHOLDER_ORDER: &str = "902-0000000-0000000";

fn load_cases() -> Option<Vec<Value>> {
    let dir = amz_testkit::shared_dir("spapi-client conformance")?;
    let file = amz_testkit::shared_file(&dir, "spapi-models/orders.sandbox-cases.json");
    let text = std::fs::read_to_string(file).expect("read cases");
    let doc: Value = serde_json::from_str(&text).expect("cases json");
    Some(doc["cases"].as_array().expect("cases array").clone())
}

fn restricted(op: &str) -> bool {
    matches!(
        op,
        "getOrderBuyerInfo" | "getOrderAddress" | "getOrderItemsBuyerInfo"
    )
}

fn str_param(params: &Value, name: &str) -> Option<String> {
    params.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn date_param(params: &Value, name: &str) -> Option<DateParam> {
    params
        .get(name)
        .map(|v| serde_json::from_value::<DateParam>(v.clone()).expect("date param"))
}

fn list_param(params: &Value, name: &str) -> Vec<String> {
    params
        .get(name)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The query the example expects: every parameter except the path id and the body, arrays
/// comma-joined.
fn expected_query(params: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(obj) = params.as_object() {
        for (k, v) in obj {
            if k == "orderId" || k == "body" {
                continue;
            }
            let s = match v {
                Value::Array(a) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.insert(k.clone(), s);
        }
    }
    out
}

fn expected_path(case: &Value) -> String {
    let template = case["path"].as_str().expect("path");
    let id = str_param(&case["request_parameters"], "orderId")
        .unwrap_or_else(|| PLACEHOLDER_ORDER.to_owned());
    template.replace("{orderId}", &spapi_client::encode_component(&id))
}

/// Calls the operation of `case` through the public API and returns its typed output,
/// serialized back to JSON.
/// Whether the client refuses the case's request itself (`getOrders` with no marketplace
/// ids), so Amazon is never asked.
fn refused_locally(case: &Value) -> bool {
    case["operationId"] == "getOrders"
        && case["status"] == 400
        && case["request_parameters"]
            .get("MarketplaceIds")
            .and_then(Value::as_array)
            .is_none_or(|ids| ids.is_empty())
}

async fn run_case(client: &Client, case: &Value) -> Result<Value, Error> {
    let p = &case["request_parameters"];
    let id = str_param(p, "orderId").unwrap_or_else(|| PLACEHOLDER_ORDER.to_owned());
    let v0 = client.orders_v0();
    let to_value = |v: Result<Value, serde_json::Error>| v.expect("serialize output");
    match (
        case["model"].as_str().expect("model"),
        case["operationId"].as_str().expect("op"),
    ) {
        ("ordersV0.json", "getOrders") => {
            let mut req = GetOrdersRequest::new(list_param(p, "MarketplaceIds"));
            req.created_after = date_param(p, "CreatedAfter");
            req.next_token = str_param(p, "NextToken");
            Ok(to_value(serde_json::to_value(v0.get_orders(req).await?)))
        }
        ("ordersV0.json", "getOrder") => {
            Ok(to_value(serde_json::to_value(v0.get_order(id).await?)))
        }
        ("ordersV0.json", "getOrderBuyerInfo") => Ok(to_value(serde_json::to_value(
            v0.get_order_buyer_info(id).await?,
        ))),
        ("ordersV0.json", "getOrderAddress") => Ok(to_value(serde_json::to_value(
            v0.get_order_address(id).await?,
        ))),
        ("ordersV0.json", "getOrderItems") => Ok(to_value(serde_json::to_value(
            v0.get_order_items(id).await?,
        ))),
        ("ordersV0.json", "getOrderItemsBuyerInfo") => Ok(to_value(serde_json::to_value(
            v0.get_order_items_buyer_info(id).await?,
        ))),
        ("ordersV0.json", "getOrderRegulatedInfo") => Ok(to_value(serde_json::to_value(
            v0.get_order_regulated_info(id).await?,
        ))),
        ("ordersV0.json", "updateShipmentStatus") => {
            let body: UpdateShipmentStatusRequest = match p.get("body") {
                Some(b) => serde_json::from_value(b.clone()).expect("body"),
                None => UpdateShipmentStatusRequest {
                    marketplace_id: "ATVPDKIKX0DER".into(),
                    shipment_status: ShipmentStatus::ReadyForPickup,
                    order_items: None,
                },
            };
            v0.update_shipment_status(id, body).await?;
            Ok(Value::Null)
        }
        ("ordersV0.json", "updateVerificationStatus") => {
            let body: UpdateVerificationStatusRequest =
                serde_json::from_value(p["body"].clone()).expect("verification body");
            v0.update_verification_status(id, body).await?;
            Ok(Value::Null)
        }
        ("ordersV0.json", "confirmShipment") => {
            let body: ConfirmShipmentRequest =
                serde_json::from_value(p["body"].clone()).expect("confirm body");
            v0.confirm_shipment(id, body).await?;
            Ok(Value::Null)
        }
        ("orders_2026-01-01.json", "searchOrders") => {
            let mut req = SearchOrdersRequest::new(list_param(p, "marketplaceIds"));
            req.created_after = date_param(p, "createdAfter");
            req.pagination_token = str_param(p, "paginationToken");
            req.included_data = list_param(p, "includedData")
                .iter()
                .map(|s| s.parse::<IncludedData>().expect("infallible"))
                .collect();
            Ok(to_value(serde_json::to_value(
                client.orders_v2026().search_orders(req).await?,
            )))
        }
        ("orders_2026-01-01.json", "getOrder") => {
            let included = list_param(p, "includedData")
                .iter()
                .map(|s| s.parse::<IncludedData>().expect("infallible"))
                .collect();
            Ok(to_value(serde_json::to_value(
                client.orders_v2026().get_order(id, included).await?,
            )))
        }
        (m, op) => panic!("no dispatcher for {m} {op}"),
    }
}

/// Paths of the non-null leaves of a JSON value (array indices dropped).
fn leaves(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Null => {}
        Value::Object(m) => {
            for (k, v) in m {
                leaves(v, &format!("{prefix}.{k}"), out);
            }
        }
        Value::Array(a) => {
            if a.is_empty() {
                out.insert(format!("{prefix}[]"));
            }
            for v in a {
                leaves(v, &format!("{prefix}[]"), out);
            }
        }
        _ => {
            out.insert(prefix.to_owned());
        }
    }
}

/// Fields of Amazon's example that our typed value lost.
fn lost_fields(amazon: &Value, ours: &Value) -> Vec<String> {
    let (mut a, mut o) = (BTreeSet::new(), BTreeSet::new());
    leaves(amazon, "", &mut a);
    leaves(ours, "", &mut o);
    // An empty array in the example may come back as an empty array: count it present.
    a.into_iter()
        .filter(|p| {
            let present =
                o.contains(p) || (p.ends_with("[]") && o.iter().any(|q| q.starts_with(p.as_str())));
            !present
        })
        .collect()
}

#[tokio::test]
async fn every_static_sandbox_case() {
    let Some(cases) = load_cases() else { return };
    assert_eq!(cases.len(), 39, "the corpus has 39 cases");
    let server = MockServer::start().await;
    let mut checked = 0;
    for (i, case) in cases.iter().enumerate() {
        let n = i + 1;
        let op = case["operationId"].as_str().expect("op").to_owned();
        let status = case["status"].as_u64().expect("status") as u16;
        let params = case["request_parameters"].clone();
        server.reset().await;
        Mock::given(method("POST"))
            .and(path("/auth/o2/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"access_token": ACCESS, "token_type": "bearer", "expires_in": 3600}),
            ))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/tokens/2021-03-01/restrictedDataToken"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"restrictedDataToken": RDT, "expiresIn": 3600})),
            )
            .expect(if restricted(&op) { 1 } else { 0 })
            .mount(&server)
            .await;

        let want_method = case["method"].as_str().expect("method").to_owned();
        let want_path = expected_path(case);
        let want_query = expected_query(&params);
        let want_body = params.get("body").cloned();
        let want_token = if restricted(&op) { RDT } else { ACCESS };
        let mismatch: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
        let log = mismatch.clone();
        let response = if status == 204 {
            ResponseTemplate::new(204)
        } else {
            ResponseTemplate::new(status).set_body_json(case["response"].clone())
        };
        Mock::given(move |req: &Request| {
            let mut why = Vec::new();
            if req.method.as_str() != want_method {
                why.push(format!("method {} != {want_method}", req.method));
            }
            // Compare the raw (still encoded) path: ids must be percent-encoded.
            if req.url.path() != want_path {
                why.push(format!("path {} != {want_path}", req.url.path()));
            }
            let got: BTreeMap<String, String> = req
                .url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            if req.url.query_pairs().count() != got.len() {
                why.push("repeated query parameter".into());
            }
            if got != want_query {
                why.push(format!("query {got:?} != {want_query:?}"));
            }
            let token = req
                .headers
                .get("x-amz-access-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if token != want_token {
                why.push(format!("token {token:?} != {want_token:?}"));
            }
            let ua = req
                .headers
                .get("user-agent")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !ua.starts_with("spapi-client/") || !ua.contains("(Language=Rust;") {
                why.push(format!("user agent {ua:?}"));
            }
            if let Some(body) = &want_body {
                let got: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                if &got != body {
                    why.push(format!("body {got} != {body}"));
                }
                let ct = req
                    .headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if ct != "application/json" {
                    why.push(format!("content-type {ct:?}"));
                }
            }
            let ok = why.is_empty();
            if !ok {
                log.lock().expect("log").extend(why);
            }
            ok
        })
        .respond_with(response)
        .expect(if refused_locally(case) { 0 } else { 1 })
        .mount(&server)
        .await;

        let client = Client::builder()
            .credentials(LwaCredentials {
                client_id: "amzn1.application-oa2-client.conformance".into(),
                client_secret: SecretString::from("secret"),
                refresh_token: SecretString::from(format!("Atzr|case-{n}")),
            })
            .endpoint(server.uri())
            .lwa_endpoint(format!("{}/auth/o2/token", server.uri()))
            .retry(RetryConfig::disabled())
            .rate_limiter(RateLimiter::new())
            .build()
            .expect("client");

        let result = run_case(&client, case).await;
        let why = mismatch.lock().expect("log").clone();
        assert!(why.is_empty(), "case #{n} {op}: request mismatch: {why:#?}");
        // The status the case declares decides what the client must return: 200 a typed value
        // that keeps every field of the example, 204 nothing, 4xx `Error::Api` carrying that
        // very status, the operation and Amazon's errors, classified as the caller's fault.
        match (status, result) {
            // Amazon answers 400 to `getOrders` without marketplace ids; the client refuses
            // it before sending anything.
            (400, Err(Error::InvalidRequest(why))) if refused_locally(case) => {
                assert!(why.contains("arketplace"), "case #{n} {op}: {why}");
            }
            (200, Ok(ours)) => {
                assert!(!ours.is_null(), "case #{n} {op}: 200 but no output");
                let amazon = &case["response"];
                let amazon = match case["model"].as_str() {
                    Some("ordersV0.json") => amazon.get("payload").cloned().unwrap_or(Value::Null),
                    _ if op == "getOrder" => amazon["order"].clone(),
                    _ => amazon.clone(),
                };
                let lost = lost_fields(&amazon, &ours);
                assert!(
                    lost.is_empty(),
                    "case #{n} {op}: typed value lost fields {lost:?}"
                );
            }
            (204, Ok(ours)) => assert_eq!(ours, Value::Null, "case #{n} {op}: 204 has no body"),
            (400..=499, Err(err)) => {
                assert_eq!(
                    err.kind(),
                    spapi_client::ErrorKind::Client,
                    "case #{n} {op}: {status} is the caller's fault: {err:?}"
                );
                let Error::Api(f) = err else {
                    panic!("case #{n} {op}: {status} must be Error::Api, got {err:?}")
                };
                assert_eq!(f.status, status, "case #{n} {op}: status");
                // v2026 `getOrder` is named apart from v0 `getOrder`: its own rate limit.
                let want_op = match case["model"].as_str() {
                    Some("orders_2026-01-01.json") if op == "getOrder" => {
                        spapi_client::orders_v2026::GET_ORDER.name
                    }
                    _ => op.as_str(),
                };
                assert_eq!(f.operation, want_op, "case #{n}: operation");
                let want: Vec<&str> = case["response"]["errors"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|e| e["code"].as_str()).collect())
                    .unwrap_or_default();
                let got: Vec<&str> = f.errors.iter().map(|e| e.code.as_str()).collect();
                assert_eq!(got, want, "case #{n} {op}: error codes");
                let msgs: Vec<&str> = case["response"]["errors"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|e| e["message"].as_str()).collect())
                    .unwrap_or_default();
                assert_eq!(
                    f.errors
                        .iter()
                        .map(|e| e.message.as_str())
                        .collect::<Vec<_>>(),
                    msgs,
                    "case #{n} {op}: error messages"
                );
            }
            (s, other) => panic!("case #{n} {op}: status {s} but got {other:?}"),
        }
        server.verify().await;
        checked += 1;
    }
    assert_eq!(checked, 39);
}

/// Specific values from the examples: dates, money, string booleans, tokens.
#[tokio::test]
async fn sandbox_values_decode_as_typed() {
    let Some(cases) = load_cases() else { return };
    let find = |op: &str, status: u64, idx: u64| {
        cases
            .iter()
            .find(|c| {
                c["operationId"] == op && c["status"] == status && c["index_in_status"] == idx
            })
            .expect("case")
            .clone()
    };
    // #1: epoch-float echo date, 1970 order dates, two orders.
    let c = find("getOrders", 200, 0);
    let list: spapi_client::orders_v0::OrdersList =
        serde_json::from_value(c["response"]["payload"].clone()).expect("orders list");
    assert_eq!(list.orders.len(), 2);
    assert_eq!(
        list.created_before.map(|t| t.unix_timestamp()),
        Some(1_569_521_782)
    );
    assert_eq!(
        list.orders[0].order_total.as_ref().and_then(|m| m.amount),
        Some("11.01".parse().expect("dec"))
    );
    assert_eq!(
        list.orders[0].order_status,
        spapi_client::orders_v0::OrderStatus::Unshipped
    );
    // #12: item with string boolean BuyerRequestedCancel and a 10.00 USD line price.
    let c = cases
        .iter()
        .find(|c| c["operationId"] == "getOrderItems" && c["status"] == 200)
        .expect("items");
    let items: spapi_client::orders_v0::OrderItemsList =
        serde_json::from_value(c["response"]["payload"].clone()).expect("items");
    let item = &items.order_items[0];
    assert_eq!(item.asin, "B00551Q3CS");
    assert_eq!(
        item.item_price.as_ref().and_then(|m| m.amount),
        Some("10.00".parse().expect("dec"))
    );
    assert_eq!(
        item.buyer_requested_cancel
            .as_ref()
            .and_then(|b| b.is_buyer_requested_cancel),
        Some(true)
    );
    assert_eq!(item.is_gift, Some(false));
}
