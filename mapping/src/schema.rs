//! Shape check of a parsed TOML document against the config schema.
//!
//! serde stops at the first problem and toml's errors carry a byte span, not a key path.
//! This walker runs before deserialisation and reports every unknown key and wrong type
//! with its exact path. A test keeps it in step with the serde structs in `config`.

use crate::config::{ConfigError, KeyPath};

/// The expected shape of a value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    Str,
    Bool,
    /// An integer within the inclusive range.
    Int(i64, i64),
    /// A string out of a closed set.
    OneOf(&'static [&'static str]),
    /// An array of strings.
    StrList,
    /// A table of string values under any keys.
    StrMap,
    /// A table with these fields only.
    Table(&'static [Field]),
    /// An array of tables with these fields only.
    TableArray(&'static [Field]),
}

/// One named field of a table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) shape: Shape,
}

const fn f(name: &'static str, shape: Shape) -> Field {
    Field { name, shape }
}

const SERVICE: &[Field] = &[
    f("by_service_level", Shape::StrMap),
    f("by_category", Shape::StrMap),
    f("default", Shape::Str),
];

pub(crate) const ROOT: &[Field] = &[
    f("order_number_prefix", Shape::Str),
    f("match_amazon_carrier_codes", Shape::Bool),
    f(
        "order_status",
        Shape::Table(&[
            f("merchant", Shape::StrMap),
            f("amazon", Shape::StrMap),
            f("merchant_default", Shape::Str),
            f("amazon_default", Shape::Str),
        ]),
    ),
    f(
        "payment",
        Shape::Table(&[f("methods", Shape::StrMap), f("default", Shape::Str)]),
    ),
    f("shipping", Shape::Table(SERVICE)),
    f("warehouse", Shape::Table(SERVICE)),
    f(
        "carriers",
        Shape::TableArray(&[
            f("host_carrier", Shape::Str),
            f("host_service", Shape::Str),
            f("amazon_code", Shape::Str),
            f("carrier_name", Shape::Str),
            f("shipping_method", Shape::Str),
            f("allow_unlisted_code", Shape::Bool),
        ]),
    ),
    f(
        "sku",
        Shape::Table(&[
            f(
                "pairs",
                Shape::TableArray(&[f("host", Shape::Str), f("amazon", Shape::Str)]),
            ),
            f("round_trip", Shape::Bool),
            f("passthrough_unmapped", Shape::Bool),
            f("activated_only", Shape::Bool),
            f("activated", Shape::StrList),
        ]),
    ),
    f(
        "priority",
        Shape::Table(&[
            f("premium", Shape::Str),
            f("prime", Shape::Str),
            f("regular", Shape::Str),
        ]),
    ),
    f(
        "names",
        Shape::Table(&[
            f("style", Shape::OneOf(&["single", "first_last"])),
            f("fba_placeholder", Shape::Str),
            f("redaction_marker", Shape::Str),
        ]),
    ),
    f(
        "address",
        Shape::Table(&[
            f("street", Shape::OneOf(&["joined", "split"])),
            f("separator", Shape::Str),
            f("street_lines", Shape::Int(1, 3)),
        ]),
    ),
];

/// Checks a whole document.
pub(crate) fn check_root(table: &toml::Table, errors: &mut Vec<ConfigError>) {
    check_table(table, ROOT, &KeyPath::root(), errors);
}

fn check_table(
    table: &toml::Table,
    fields: &[Field],
    path: &KeyPath,
    errors: &mut Vec<ConfigError>,
) {
    for (key, value) in table {
        let here = path.key(key);
        match fields.iter().find(|field| field.name == key) {
            Some(field) => check_value(value, field.shape, &here, errors),
            None => errors.push(ConfigError::unknown(
                here,
                "key",
                key,
                fields.iter().map(|field| field.name),
            )),
        }
    }
}

fn check_value(value: &toml::Value, shape: Shape, path: &KeyPath, errors: &mut Vec<ConfigError>) {
    match (shape, value) {
        (Shape::Str, toml::Value::String(_)) | (Shape::Bool, toml::Value::Boolean(_)) => {}
        (Shape::Int(min, max), toml::Value::Integer(n)) => {
            if !(min..=max).contains(n) {
                errors.push(ConfigError::new(
                    path.clone(),
                    Some(n.to_string()),
                    format!("{n} is out of range (expected {min} to {max})"),
                ));
            }
        }
        (Shape::OneOf(allowed), toml::Value::String(s)) => {
            if !allowed.contains(&s.as_str()) {
                let mut e = ConfigError::unknown(path.clone(), "value", s, allowed.iter().copied());
                e.message = format!(
                    "unknown value {s:?} (expected one of {})",
                    quoted_list(allowed)
                );
                errors.push(e);
            }
        }
        (Shape::StrList, toml::Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                check_value(item, Shape::Str, &path.index(i), errors);
            }
        }
        (Shape::StrMap, toml::Value::Table(map)) => {
            for (key, item) in map {
                check_value(item, Shape::Str, &path.key(key), errors);
            }
        }
        (Shape::Table(fields), toml::Value::Table(table)) => {
            check_table(table, fields, path, errors);
        }
        (Shape::TableArray(fields), toml::Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let here = path.index(i);
                match item {
                    toml::Value::Table(table) => check_table(table, fields, &here, errors),
                    other => errors.push(wrong_type(&here, "a table", other)),
                }
            }
        }
        (shape, other) => errors.push(wrong_type(path, expected(shape), other)),
    }
}

fn expected(shape: Shape) -> &'static str {
    match shape {
        Shape::Str => "a string",
        Shape::Bool => "a boolean (true or false)",
        Shape::Int(..) => "an integer",
        Shape::OneOf(_) => "a string",
        Shape::StrList => "an array of strings",
        Shape::StrMap => "a table of strings",
        Shape::Table(_) => "a table",
        Shape::TableArray(_) => "an array of tables",
    }
}

fn wrong_type(path: &KeyPath, expected: &str, found: &toml::Value) -> ConfigError {
    let shown = match found {
        toml::Value::Table(_) => "{…}".to_owned(),
        toml::Value::Array(_) => "[…]".to_owned(),
        other => other.to_string(),
    };
    ConfigError::new(
        path.clone(),
        Some(shown.clone()),
        format!("expected {expected}, found {} {shown}", found.type_str()),
    )
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{CarrierRule, MappingConfig, SkuPair};

    /// Every key the serde structs write must be in the schema, so that a valid document
    /// never fails the shape check. A fully populated config exercises every field.
    #[test]
    fn schema_covers_every_serde_field() {
        let mut config = MappingConfig::default();
        config
            .order_status
            .merchant
            .insert("Pending".into(), "Unpaid".into());
        config
            .order_status
            .amazon
            .insert("Shipped".into(), "Done".into());
        config.payment.methods.insert("COD".into(), "Cash".into());
        config
            .shipping
            .by_service_level
            .insert("Std US D2D Dom".into(), "Ground".into());
        config
            .shipping
            .by_category
            .insert("NextDay".into(), "Overnight".into());
        config.warehouse = config.shipping.clone();
        config.carriers.push(CarrierRule {
            host_carrier: "Courier".into(),
            host_service: Some("Fast".into()),
            amazon_code: "Other".into(),
            carrier_name: Some("Courier Ltd".into()),
            shipping_method: Some("Fast".into()),
            allow_unlisted_code: true,
        });
        config.sku.pairs.push(SkuPair {
            host: "H".into(),
            amazon: "A".into(),
        });
        config.sku.activated.push("H".into());
        let text = config.to_toml_string().unwrap();
        let table: toml::Table = text.parse().unwrap();
        let mut errors = Vec::new();
        check_root(&table, &mut errors);
        assert!(errors.is_empty(), "{errors:?}\n{text}");
        // And every schema field at the top level is one serde knows.
        let written: Vec<&str> = table.keys().map(String::as_str).collect();
        for field in ROOT {
            assert!(written.contains(&field.name), "serde lacks {}", field.name);
        }
        assert_eq!(MappingConfig::from_toml_str(&text).unwrap(), config);
    }

    /// A sample value of each shape, with every field of every table filled in.
    fn sample(shape: Shape) -> toml::Value {
        match shape {
            Shape::Str => toml::Value::String("x".into()),
            Shape::Bool => toml::Value::Boolean(false),
            Shape::Int(min, _) => toml::Value::Integer(min),
            Shape::OneOf(allowed) => toml::Value::String(allowed[0].into()),
            Shape::StrList => toml::Value::Array(vec![sample(Shape::Str)]),
            Shape::StrMap => {
                let mut t = toml::Table::new();
                t.insert("k".into(), sample(Shape::Str));
                toml::Value::Table(t)
            }
            Shape::Table(fields) => toml::Value::Table(sample_table(fields)),
            Shape::TableArray(fields) => {
                toml::Value::Array(vec![toml::Value::Table(sample_table(fields))])
            }
        }
    }

    fn sample_table(fields: &[Field]) -> toml::Table {
        fields
            .iter()
            .map(|field| (field.name.to_owned(), sample(field.shape)))
            .collect()
    }

    /// The other direction: every key the schema accepts is one serde accepts, so a
    /// document passing the shape check never fails deserialisation (which would give an
    /// error without a path).
    #[test]
    fn serde_accepts_every_schema_field() {
        let table = sample_table(ROOT);
        let mut errors = Vec::new();
        check_root(&table, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let parsed: Result<MappingConfig, _> = toml::Value::Table(table).try_into();
        assert!(parsed.is_ok(), "{parsed:?}");
    }

    fn check(text: &str) -> Vec<ConfigError> {
        let table: toml::Table = text.parse().unwrap();
        let mut errors = Vec::new();
        check_root(&table, &mut errors);
        errors
    }

    #[test]
    fn reports_every_unknown_key_and_wrong_type() {
        let errors = check(
            r#"
            order_number_prefx = "X"
            match_amazon_carrier_codes = "yes"
            [[carriers]]
            host_carrier = "A"
            amazon_cod = "UPS"
            [[carriers]]
            host_carrier = 7
            [address]
            street_lines = 9
            street = "splt"
            [sku]
            activated = ["A", 1]
            "#,
        );
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let expect = [
            r#"order_number_prefx: unknown key "order_number_prefx", did you mean "order_number_prefix"?"#,
            r#"match_amazon_carrier_codes: expected a boolean (true or false), found string "yes""#,
            r#"carriers[0].amazon_cod: unknown key "amazon_cod", did you mean "amazon_code"?"#,
            "carriers[1].host_carrier: expected a string, found integer 7",
            "address.street_lines: 9 is out of range (expected 1 to 3)",
            r#"address.street: unknown value "splt" (expected one of "joined", "split"), did you mean "split"?"#,
            "sku.activated[1]: expected a string, found integer 1",
        ];
        for e in expect {
            assert!(shown.iter().any(|s| s == e), "missing {e}\nin {shown:#?}");
        }
        assert_eq!(shown.len(), expect.len(), "{shown:#?}");
    }
}
