//! Config error cases: each problem is reported with its key path, all at once, never a panic.

use order_mapping::{ConfigErrors, MappingConfig};

fn errors(toml: &str) -> ConfigErrors {
    match MappingConfig::from_toml_str(toml) {
        Ok(config) => panic!("expected errors, got {config:?}"),
        Err(errors) => errors,
    }
}

/// Asserts that some error has exactly this rendered form.
fn has(errors: &ConfigErrors, line: &str) {
    assert!(
        errors.iter().any(|e| e.to_string() == line),
        "missing {line:?} in:\n{errors}"
    );
}

#[test]
fn unknown_carrier_gets_a_did_you_mean_with_its_path() {
    let e = errors(
        r#"
        [[carriers]]
        host_carrier = "UPS Ground"
        amazon_code = "UPS"
        [[carriers]]
        host_carrier = "USPS"
        amazon_code = "USPS"
        [[carriers]]
        host_carrier = "FedEx Home"
        amazon_code = "Fedx"
        "#,
    );
    assert_eq!(e.len(), 1, "{e}");
    let only = &e.errors()[0];
    assert_eq!(only.key_path, "carriers[2].amazon_code");
    assert_eq!(only.value.as_deref(), Some("Fedx"));
    assert_eq!(only.hint.as_deref(), Some(r#"did you mean "FedEx"?"#));
    // Embedded in a bigger file under [mapping]:
    let e = e.with_prefix("mapping");
    has(
        &e,
        r#"mapping.carriers[2].amazon_code: unknown carrier "Fedx", did you mean "FedEx"?"#,
    );
}

#[test]
fn unlisted_carrier_without_suggestion_explains_the_way_out() {
    let e = errors(
        r#"
        [[carriers]]
        host_carrier = "Courier"
        amazon_code = "Zzyzx Logistics"
        "#,
    );
    let only = &e.errors()[0];
    assert_eq!(only.key_path, "carriers[0].amazon_code");
    assert!(
        only.hint
            .as_deref()
            .unwrap_or("")
            .contains("allow_unlisted_code"),
        "{only}"
    );
    // ...and the way out works.
    MappingConfig::from_toml_str(
        r#"
        [[carriers]]
        host_carrier = "Courier"
        amazon_code = "Zzyzx Logistics"
        allow_unlisted_code = true
        "#,
    )
    .unwrap();
}

#[test]
fn other_carrier_needs_a_name() {
    let e = errors(
        r#"
        [[carriers]]
        host_carrier = "Courier"
        amazon_code = "Other"
        "#,
    );
    has(
        &e,
        r#"carriers[0].carrier_name: carrier_name is required when amazon_code is "Other""#,
    );
}

#[test]
fn duplicate_carrier_rule() {
    let e = errors(
        r#"
        [[carriers]]
        host_carrier = "DPD"
        host_service = "Next Day"
        amazon_code = "DPD"
        [[carriers]]
        host_carrier = "dpd "
        host_service = "next day"
        amazon_code = "DPD"
        "#,
    );
    let only = &e.errors()[0];
    assert_eq!(only.key_path, "carriers[1].host_service");
    assert!(only.message.contains("carriers[0]"), "{only}");
}

#[test]
fn unknown_key_anywhere() {
    let e = errors(
        r#"
        order_prefix = "X-"
        [shipping]
        by_categroy = { NextDay = "Overnight" }
        [[carriers]]
        host_carrier = "UPS"
        amazon_code = "UPS"
        shiping_method = "Ground"
        "#,
    );
    has(
        &e,
        r#"order_prefix: unknown key "order_prefix", did you mean "order_number_prefix"?"#,
    );
    has(
        &e,
        r#"shipping.by_categroy: unknown key "by_categroy", did you mean "by_category"?"#,
    );
    has(
        &e,
        r#"carriers[0].shiping_method: unknown key "shiping_method", did you mean "shipping_method"?"#,
    );
    assert_eq!(e.len(), 3);
}

#[test]
fn wrong_types() {
    let e = errors(
        r#"
        order_number_prefix = 12
        carriers = { host_carrier = "UPS" }
        [sku]
        round_trip = "yes"
        [order_status.merchant]
        Unshipped = ["New"]
        "#,
    );
    has(
        &e,
        "order_number_prefix: expected a string, found integer 12",
    );
    has(&e, "carriers: expected an array of tables, found table {…}");
    has(
        &e,
        r#"sku.round_trip: expected a boolean (true or false), found string "yes""#,
    );
    has(
        &e,
        "order_status.merchant.Unshipped: expected a string, found array […]",
    );
}

#[test]
fn unknown_status_name_in_either_table() {
    let e = errors(
        r#"
        [order_status.merchant]
        Unshiped = "New"
        [order_status.amazon]
        Delivered = "Done"
        "#,
    );
    has(
        &e,
        r#"order_status.merchant.Unshiped: unknown order status "Unshiped", did you mean "Unshipped"?"#,
    );
    assert!(
        e.iter()
            .any(|x| x.key_path == "order_status.amazon.Delivered"
                && x.message == r#"unknown order status "Delivered""#),
        "{e}"
    );
}

#[test]
fn same_status_in_both_spellings() {
    let e = errors(
        r#"
        [order_status.merchant]
        Canceled = "Cancelled"
        CANCELLED = "Void"
        "#,
    );
    assert_eq!(e.len(), 1, "{e}");
    // BTreeMap order: "CANCELLED" sorts first, so "Canceled" is the duplicate.
    assert_eq!(e.errors()[0].key_path, "order_status.merchant.Canceled");
}

#[test]
fn unknown_category_and_empty_values() {
    let e = errors(
        r#"
        [shipping]
        default = ""
        by_category = { NextDya = "Overnight", SameDay = " " }
        by_service_level = { "" = "Ground" }
        "#,
    );
    has(
        &e,
        r#"shipping.by_category.NextDya: unknown service level category "NextDya", did you mean "NextDay"?"#,
    );
    has(&e, "shipping.by_category.SameDay: must not be empty");
    has(&e, "shipping.default: must not be empty");
    has(
        &e,
        r#"shipping.by_service_level."": a service level name must not be empty"#,
    );
}

#[test]
fn payment_typos_are_caught_but_new_methods_are_accepted() {
    let e = errors(
        r#"
        [payment]
        methods = { CreditCrad = "Card", COD = "Cash", CashOnDelivery = "Cash again" }
        "#,
    );
    has(
        &e,
        r#"payment.methods.CreditCrad: unknown payment method "CreditCrad", did you mean "CreditCard"?"#,
    );
    assert!(
        e.iter()
            .any(|x| x.key_path == "payment.methods.CashOnDelivery"
                && x.message.contains("same payment method")),
        "{e}"
    );
    MappingConfig::from_toml_str(r#"payment.methods = { Boleto = "Boleto" }"#).unwrap();
}

#[test]
fn duplicate_host_sku_when_round_trip_is_claimed() {
    let text = r#"
        [sku]
        pairs = [
            { host = "MUG", amazon = "MUG-1" },
            { host = "MUG", amazon = "MUG-2" },
            { host = "CUP", amazon = "MUG-1" },
        ]
        "#;
    let e = errors(text);
    has(
        &e,
        r#"sku.pairs[1].host: host SKU "MUG" is already mapped by sku.pairs[0]; round_trip = true needs one-to-one pairs"#,
    );
    has(
        &e,
        r#"sku.pairs[2].amazon: Amazon SKU "MUG-1" is already mapped by sku.pairs[0]; round_trip = true needs one-to-one pairs"#,
    );
    // Not claimed: allowed.
    let relaxed = text.replace("[sku]", "[sku]\nround_trip = false");
    MappingConfig::from_toml_str(&relaxed).unwrap();
}

#[test]
fn bad_skus() {
    let e = errors(
        r#"
        [sku]
        activated = ["OK", ""]
        pairs = [{ host = " MUG", amazon = "" }, { amazon = "X" }]
        "#,
    );
    has(
        &e,
        r#"sku.pairs[0].host: SKU " MUG" has leading or trailing whitespace"#,
    );
    has(&e, "sku.pairs[0].amazon: must not be empty");
    has(&e, "sku.pairs[1].host: must not be empty");
    has(&e, "sku.activated[1]: must not be empty");
}

#[test]
fn every_problem_is_reported_at_once() {
    let e = errors(
        r#"
        order_number_prefix = "This prefix is far too long to be a useful prefix"
        [order_status.merchant]
        Shiped = "Done"
        [[carriers]]
        host_carrier = "A"
        amazon_code = "Fedx"
        [[carriers]]
        host_carrier = "B"
        amazon_code = "Other"
        [priority]
        prime = ""
        [names]
        fba_placeholder = " "
        "#,
    );
    let paths: Vec<&str> = e.iter().map(|x| x.key_path.as_str()).collect();
    for want in [
        "order_number_prefix",
        "order_status.merchant.Shiped",
        "carriers[0].amazon_code",
        "carriers[1].carrier_name",
        "priority.prime",
        "names.fba_placeholder",
    ] {
        assert!(paths.contains(&want), "missing {want} in {paths:?}");
    }
    assert_eq!(paths.len(), 6, "{e}");
    let text = e.to_string();
    assert!(
        text.starts_with("invalid mapping config (6 problems):"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 7, "{text}");
}

#[test]
fn syntax_error_is_located() {
    let e = errors("[sku]\nround_trip = tru\n");
    assert_eq!(e.len(), 1);
    assert!(e.errors()[0].message.contains("line 2"), "{e}");
    let e = errors("a = 1\na = 2\n");
    assert!(e.errors()[0].message.contains("line 2"), "{e}");
}

#[test]
fn bad_enum_style_values() {
    let e = errors("[names]\nstyle = \"FirstLast\"\n[address]\nstreet = 2");
    has(
        &e,
        r#"names.style: unknown value "FirstLast" (expected one of "single", "first_last"), did you mean "first_last"?"#,
    );
    has(&e, "address.street: expected a string, found integer 2");
}

#[test]
fn a_mapping_section_wrapper_prefixes_every_path() {
    let e = errors(
        r#"
        [mapping]
        order_number_prefix = "X-"
        [[mapping.carriers]]
        host_carrier = "A"
        amazon_code = "UPS"
        [[mapping.carriers]]
        host_carrier = "B"
        amazon_code = "USPS"
        [[mapping.carriers]]
        host_carrier = "C"
        amazon_code = "Fedx"
        "#,
    );
    has(
        &e,
        r#"mapping.carriers[2].amazon_code: unknown carrier "Fedx", did you mean "FedEx"?"#,
    );
    let ok = MappingConfig::from_toml_str("[mapping]\norder_number_prefix = \"X-\"").unwrap();
    assert_eq!(ok.order_number_prefix, "X-");
    // Next to other sections, "mapping" is just an unknown key of this document.
    let e = errors("[mapping]\n[database]\n");
    assert_eq!(e.len(), 2, "{e}");
    assert!(e.iter().any(|x| x.key_path == "mapping"), "{e}");
}

#[test]
fn allowed_unlisted_code_must_not_be_a_misspelt_known_one() {
    let e = errors(
        r#"
        [[carriers]]
        host_carrier = "Royal"
        amazon_code = "royal mail"
        allow_unlisted_code = true
        "#,
    );
    has(
        &e,
        r#"carriers[0].amazon_code: carrier code "royal mail" differs from Amazon's "Royal Mail" only in case or spacing, did you mean "Royal Mail"?"#,
    );
}
