//! Every value Amazon's official Orders models list decodes to a named variant.

use order_mapping::vocab::{
    FulfillmentChannel, OrderProgram, OrderStatus, PaymentMethod, ServiceLevelCategory,
};

fn model(name: &str) -> Option<serde_json::Value> {
    let dir = amz_testkit::shared_dir(name)?;
    let path = amz_testkit::shared_file(&dir, &format!("spapi-models/{name}"));
    let text = std::fs::read_to_string(&path).unwrap();
    Some(serde_json::from_str(&text).unwrap())
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// The backquoted values after "**Possible values**" in a field description.
fn possible_values(description: &str) -> Vec<String> {
    let tail = description.split("**Possible values**").nth(1).unwrap();
    tail.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn orders_v0_enums_are_known() {
    let Some(m) = model("ordersV0.json") else {
        return;
    };
    let order = &m["definitions"]["Order"]["properties"];
    let statuses = strings(&order["OrderStatus"]["enum"]);
    assert_eq!(statuses.len(), 8);
    for s in &statuses {
        let status = OrderStatus::from_v0(s);
        assert!(status.is_known(), "{s}");
        assert_eq!(status.as_v0(), s);
    }
    for s in strings(&order["FulfillmentChannel"]["enum"]) {
        assert!(FulfillmentChannel::from_v0(&s).is_known(), "{s}");
    }
    for s in strings(&order["PaymentMethod"]["enum"]) {
        // Amazon's own catch-all "Other" is our Other arm by design.
        let method = PaymentMethod::from_v0(&s);
        assert!(method.is_known() || s == "Other", "{s}");
        assert_eq!(method.as_str(), s);
    }
}

#[test]
fn orders_v2026_enums_are_known() {
    let Some(m) = model("orders_2026-01-01.json") else {
        return;
    };
    let defs = &m["definitions"];
    let statuses = strings(&defs["FulfillmentStatus"]["enum"]);
    assert_eq!(statuses.len(), 7);
    for s in &statuses {
        let status = OrderStatus::from_v2026(s);
        assert!(status.is_known(), "{s}");
        assert_eq!(status.as_v2026(), s);
    }
    let fulfillment = &defs["OrderFulfillment"]["properties"];
    let by = possible_values(fulfillment["fulfilledBy"]["description"].as_str().unwrap());
    assert_eq!(by, ["AMAZON", "MERCHANT"]);
    for s in by {
        assert!(FulfillmentChannel::from_v2026(&s).is_known(), "{s}");
    }
    let levels = possible_values(
        fulfillment["fulfillmentServiceLevel"]["description"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(levels.len(), 8);
    for s in levels {
        let level = ServiceLevelCategory::from_v2026(&s);
        assert!(level.is_known(), "{s}");
        assert_eq!(level.as_v2026(), s);
    }
    let programs = possible_values(
        defs["Order"]["properties"]["programs"]["description"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(programs.len(), 11);
    for s in programs {
        assert!(OrderProgram::from(s.as_str()).is_known(), "{s}");
    }
}
