//! Amazon's own sandbox examples filed under `400` (from `orders.sandbox-cases.json`) are
//! refused by this sandbox too, with `InvalidInput`.

mod common;

use common::{Env, manual};
use serde_json::Value;

const SERVED: &[&str] = &[
    "getOrders",
    "getOrder",
    "getOrderBuyerInfo",
    "getOrderAddress",
    "getOrderItems",
    "getOrderItemsBuyerInfo",
    "confirmShipment",
    "searchOrders",
];

#[tokio::test]
async fn amazons_400_examples_are_refused() {
    let Some(dir) = amz_testkit::shared_dir("sandbox: Amazon's 400 examples") else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("spapi-models/orders.sandbox-cases.json")).unwrap();
    let cases: Value = serde_json::from_str(&text).unwrap();
    let env = Env::new(manual(61, 5).rate_limits(false)).await;
    let mut checked = 0;
    for case in cases["cases"].as_array().unwrap() {
        let op = case["operationId"].as_str().unwrap();
        if case["status"] != 400 || !SERVED.contains(&op) {
            continue;
        }
        let mut path = case["path"].as_str().unwrap().to_owned();
        let mut query = Vec::new();
        let mut body = None;
        for (k, v) in case["request_parameters"].as_object().unwrap() {
            if k == "body" {
                body = Some(v.clone());
            } else if path.contains(&format!("{{{k}}}")) {
                path = path.replace(&format!("{{{k}}}"), v.as_str().unwrap());
            } else {
                let v = match v {
                    Value::Array(a) => a
                        .iter()
                        .map(|x| x.as_str().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join(","),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                query.push(format!("{k}={v}"));
            }
        }
        let url = if query.is_empty() {
            path.clone()
        } else {
            format!("{path}?{}", query.join("&"))
        };
        let a = match case["method"].as_str().unwrap() {
            "GET" => env.get(&url).await,
            _ => env.post(&url, &body.unwrap_or(Value::Null)).await,
        };
        assert_eq!(a.status, 400, "{op} {url}: {}", a.text);
        assert_eq!(a.error().0, "InvalidInput", "{op} {url}");
        checked += 1;
    }
    assert_eq!(
        checked, 9,
        "every served operation's 400 example was replayed"
    );
}
