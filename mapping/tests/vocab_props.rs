//! Property tests for the vocabulary: every string decodes, unknown values round-trip.

use order_mapping::vocab::{
    Carrier, FulfillmentChannel, OrderProgram, OrderStatus, PaymentMethod, ServiceLevelCategory,
};
use proptest::prelude::*;

/// Checks the open-enum contract for one type on one input string.
macro_rules! check_contract {
    ($ty:ty, $s:expr) => {{
        let s: &str = $s;
        let decoded = <$ty>::from(s);
        // Decoding is deterministic, and From<String> agrees with From<&str>.
        prop_assert_eq!(&decoded, &<$ty>::from(s));
        prop_assert_eq!(&decoded, &<$ty>::from(s.to_owned()));
        // Display is as_str.
        prop_assert_eq!(decoded.to_string(), decoded.as_str());
        if decoded.is_known() {
            // A known value re-decodes to itself.
            prop_assert_eq!(<$ty>::from(decoded.as_str()), decoded.clone());
        } else {
            // An unknown value keeps its exact text.
            prop_assert_eq!(decoded.as_str(), s);
        }
        // serde JSON round-trips whatever was decoded.
        let json = serde_json::to_string(&decoded).unwrap();
        let back: $ty = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, decoded);
    }};
}

fn amazonish() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-z_ !/]{0,24}",
        prop::sample::select(
            OrderStatus::known_names()
                .iter()
                .chain(Carrier::known_names())
                .chain(ServiceLevelCategory::known_names())
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        ),
    ]
}

proptest! {
    #[test]
    fn every_string_decodes_and_unknowns_round_trip(s in amazonish()) {
        check_contract!(OrderStatus, &s);
        check_contract!(FulfillmentChannel, &s);
        check_contract!(ServiceLevelCategory, &s);
        check_contract!(PaymentMethod, &s);
        check_contract!(OrderProgram, &s);
        check_contract!(Carrier, &s);
    }

    #[test]
    fn order_status_versions_are_consistent(s in amazonish()) {
        let v0 = OrderStatus::from_v0(&s);
        if !v0.is_known() {
            prop_assert_eq!(v0.as_v0(), s.as_str());
        }
        // Strict v2026 decoding always re-encodes to the input: known values by the
        // correspondence table, unknown ones verbatim.
        let v26 = OrderStatus::from_v2026(&s);
        prop_assert_eq!(v26.as_v2026(), s.as_str());
    }

    #[test]
    fn suggestion_is_a_known_code(s in amazonish()) {
        if let Some(code) = Carrier::suggest(&s) {
            let carrier = Carrier::from(code);
            prop_assert!(carrier.is_known() || carrier.is_other_code());
        }
    }
}
