//! Property tests for the mapping rules: total, deterministic, round-trippable where claimed.

use std::collections::BTreeSet;

use order_mapping::config::{CarrierRule, SkuPair};
use order_mapping::vocab::{
    Carrier, FulfillmentChannel, OrderProgram, OrderStatus, PaymentMethod, ServiceLevelCategory,
};
use order_mapping::{Mapper, MappingConfig};
use proptest::prelude::*;

const EXAMPLE: &str = r#"
order_number_prefix = "WEB-AMZ-"
[order_status.merchant]
Pending = "Awaiting payment"
UNSHIPPED = "Ready"
[order_status.amazon]
Shipped = "FBA done"
[payment]
methods = { COD = "Cash", Boleto = "Boleto" }
[shipping]
by_service_level = { "Std US D2D Dom" = "Ground" }
by_category = { NextDay = "Overnight" }
[warehouse]
default = "W-STD"
[[carriers]]
host_carrier = "Courier"
amazon_code = "Other"
carrier_name = "Courier Co"
[[carriers]]
host_carrier = "FedEx"
host_service = "Home"
amazon_code = "FedEx"
shipping_method = "FedEx Home Delivery"
[sku]
pairs = [{ host = "H1", amazon = "A1" }, { host = "H2", amazon = "A2" }]
[names]
style = "first_last"
[address]
street = "split"
street_lines = 3
"#;

fn mappers() -> Vec<Mapper> {
    let example = MappingConfig::from_toml_str(EXAMPLE).unwrap();
    vec![Mapper::default(), Mapper::new(example).unwrap()]
}

/// Known Amazon spellings mixed with arbitrary text.
fn amazon_value() -> impl Strategy<Value = String> {
    let known: Vec<String> = OrderStatus::known_names()
        .iter()
        .chain(FulfillmentChannel::known_names())
        .chain(ServiceLevelCategory::known_names())
        .chain(PaymentMethod::known_names())
        .chain(OrderProgram::known_names())
        .chain(Carrier::known_names())
        .map(|s| (*s).to_owned())
        .collect();
    prop_oneof![prop::sample::select(known), any::<String>(), "[ -~]{0,20}"]
}

proptest! {
    #[test]
    fn every_amazon_value_maps_to_something_and_deterministically(
        channel in amazon_value(),
        status in amazon_value(),
        method in amazon_value(),
        category in proptest::option::of(amazon_value()),
        raw in proptest::option::of(amazon_value()),
        programs in proptest::collection::vec(amazon_value(), 0..4),
        name in any::<String>(),
        lines in proptest::collection::vec(any::<String>(), 0..4),
    ) {
        let again = mappers();
        for (m, m2) in mappers().iter().zip(&again) {
            let channel = FulfillmentChannel::from(channel.as_str());
            let status = OrderStatus::from(status.as_str());
            let method = PaymentMethod::from(method.as_str());
            let category = category.as_deref().map(ServiceLevelCategory::from);
            let programs: Vec<OrderProgram> =
                programs.iter().map(|p| OrderProgram::from(p.as_str())).collect();

            let host_status = m.host_order_status(&channel, &status);
            prop_assert!(!host_status.trim().is_empty());
            prop_assert_eq!(host_status, m2.host_order_status(&channel, &status));

            let pay = m.host_payment(&method);
            prop_assert!(!pay.trim().is_empty());
            prop_assert_eq!(pay, m2.host_payment(&method));

            let ship = m.host_shipping_method(category.as_ref(), raw.as_deref());
            prop_assert!(!ship.trim().is_empty());
            prop_assert_eq!(ship, m2.host_shipping_method(category.as_ref(), raw.as_deref()));
            let wh = m.warehouse_service(category.as_ref(), raw.as_deref());
            prop_assert!(!wh.trim().is_empty());
            prop_assert_eq!(wh, m2.warehouse_service(category.as_ref(), raw.as_deref()));

            let prio = m.fulfilment_priority(&programs);
            prop_assert!(!prio.host_value.trim().is_empty());
            prop_assert_eq!(prio, m2.fulfilment_priority(&programs));

            prop_assert_eq!(m.shape_name(&name), m2.shape_name(&name));
            // Shaping keeps every word of the name, in order.
            let words: Vec<&str> = name.split_whitespace().collect();
            prop_assert_eq!(m.shape_name(&name).full(), words.join(" "));

            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let street = m.shape_street(&refs);
            prop_assert_eq!(&street, &m2.shape_street(&refs));
            prop_assert!(street.len() == 1 || street.len() == 3);

            let id = m.host_order_number(&name);
            prop_assert_eq!(m.amazon_order_id(&id), Some(name.as_str()).filter(|n| !n.is_empty()));
        }
    }

    #[test]
    fn carrier_mapping_is_deterministic_and_other_always_has_a_name(
        carrier in amazon_value(),
        service in proptest::option::of(amazon_value()),
    ) {
        let again = mappers();
        for (m, m2) in mappers().iter().zip(&again) {
            let result = m.amazon_carrier(&carrier, service.as_deref());
            prop_assert_eq!(&result, &m2.amazon_carrier(&carrier, service.as_deref()));
            match result {
                Ok(shipping) => {
                    prop_assert!(shipping.carrier_code.is_known() || shipping.carrier_code.is_other_code());
                    if shipping.carrier_code.is_other_code() {
                        prop_assert!(shipping.carrier_name.is_some_and(|n| !n.is_empty()));
                    }
                }
                Err(err) => prop_assert_eq!(err.host_carrier, carrier.clone()),
            }
        }
    }

    #[test]
    fn one_to_one_sku_pairs_round_trip(
        hosts in proptest::collection::btree_set("[A-D]{1,3}", 0..12),
        amazons in proptest::collection::btree_set("[A-D0-9]{1,3}", 0..12),
        probes in proptest::collection::vec("[A-D0-9]{0,3}", 0..20),
        passthrough in any::<bool>(),
    ) {
        let mut config = MappingConfig::default();
        config.sku.passthrough_unmapped = passthrough;
        config.sku.pairs = hosts
            .iter()
            .zip(&amazons)
            .map(|(h, a)| SkuPair { host: h.clone(), amazon: a.clone() })
            .collect();
        let pairs = config.sku.pairs.clone();
        let m = Mapper::new(config).unwrap();
        for pair in &pairs {
            prop_assert_eq!(m.sku_to_amazon(&pair.host), Some(pair.amazon.clone()));
            prop_assert_eq!(m.sku_from_amazon(&pair.amazon), Some(pair.host.clone()));
        }
        let everything: BTreeSet<&String> = hosts.iter().chain(&amazons).chain(&probes).collect();
        for s in everything {
            if let Some(a) = m.sku_to_amazon(s) {
                prop_assert_eq!(m.sku_from_amazon(&a), Some(s.clone()));
            }
            if let Some(h) = m.sku_from_amazon(s) {
                prop_assert_eq!(m.sku_to_amazon(&h), Some(s.clone()));
            }
        }
    }

    #[test]
    fn configured_status_overrides_apply(
        picks in proptest::collection::btree_map(
            prop::sample::select(OrderStatus::KNOWN.to_vec()),
            "[A-Za-z][A-Za-z ]{0,15}",
            0..8,
        ),
        use_v2026 in any::<bool>(),
    ) {
        let mut config = MappingConfig::default();
        for (status, host) in &picks {
            let key = if use_v2026 && *status != OrderStatus::InvoiceUnconfirmed {
                status.as_v2026()
            } else {
                status.as_v0()
            };
            config.order_status.merchant.insert(key.to_owned(), host.clone());
        }
        let m = Mapper::new(config).unwrap();
        for (status, host) in &picks {
            prop_assert_eq!(m.host_order_status(&FulfillmentChannel::Merchant, status), host.as_str());
        }
    }

    #[test]
    fn config_parsing_never_panics(text in any::<String>()) {
        let _ = MappingConfig::from_toml_str(&text);
    }

    #[test]
    fn mutated_configs_never_panic_and_errors_have_paths(
        cut in 0..EXAMPLE.len(),
        insert in "[ -~\n]{0,6}",
    ) {
        let mut text = EXAMPLE.to_owned();
        if text.is_char_boundary(cut) {
            text.insert_str(cut, &insert);
        }
        if let Err(errors) = MappingConfig::from_toml_str(&text) {
            prop_assert!(!errors.is_empty());
            for e in &errors {
                prop_assert!(!e.message.is_empty());
                // Only a syntax error concerns the whole document.
                prop_assert!(!e.key_path.is_empty() || e.message.starts_with("TOML syntax error"), "{}", e);
            }
        }
    }

    #[test]
    fn carrier_rules_built_from_known_codes_validate(
        codes in proptest::collection::vec(prop::sample::select(Carrier::KNOWN.to_vec()), 1..6),
    ) {
        let mut config = MappingConfig::default();
        for (i, code) in codes.iter().enumerate() {
            config.carriers.push(CarrierRule {
                host_carrier: format!("Host carrier {i}"),
                amazon_code: code.as_str().to_owned(),
                ..CarrierRule::default()
            });
        }
        let m = Mapper::new(config).unwrap();
        for (i, code) in codes.iter().enumerate() {
            let shipping = m.amazon_carrier(&format!("host carrier {i}"), None).unwrap();
            prop_assert_eq!(&shipping.carrier_code, code);
        }
    }
}
