//! The mapping configuration: a serde schema (TOML first) and its validation errors.
//!
//! Every key is documented in the [crate-level documentation](crate). Tables that map
//! Amazon values (`order_status.merchant`, `payment.methods`, `shipping.by_category`, …)
//! *override* the built-in table entry by entry: writing one entry does not drop the
//! others. A value that no table names falls back to the section's `default`.
//!
//! [`MappingConfig::from_toml_str`] checks the document's shape, deserialises it and
//! validates every rule, and reports **every** problem it finds at once, each with the key
//! path it concerns:
//!
//! ```
//! use order_mapping::MappingConfig;
//!
//! let errors = MappingConfig::from_toml_str(
//!     r#"
//!     [[carriers]]
//!     host_carrier = "FedEx Ground"
//!     amazon_code = "Fedx"
//!
//!     [order_status.merchant]
//!     Unshiped = "New"
//!     "#,
//! )
//! .unwrap_err();
//! assert_eq!(errors.len(), 2);
//! let text = errors.to_string();
//! assert!(text.contains(r#"carriers[0].amazon_code: unknown carrier "Fedx", did you mean "FedEx"?"#));
//! assert!(text.contains(r#"order_status.merchant.Unshiped: unknown order status"#));
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::suggest;

/// The conventional name of the mapping section in an application's config file.
const SECTION: &str = "mapping";

/// The whole mapping configuration. Every field has a default, so an empty document is a
/// valid configuration; see the [crate-level documentation](crate) for each key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MappingConfig {
    /// Prefix of the host order (or invoice) number of an imported order; the Amazon order
    /// id follows it. Default `"AMZ-"`.
    pub order_number_prefix: String,
    /// When `true` (default), a host carrier whose name is itself a known Amazon carrier
    /// code (compared ignoring case, spaces, `-` and `_`) maps to that code without a rule.
    pub match_amazon_carrier_codes: bool,
    /// Order status rules, one table per fulfilment channel.
    pub order_status: OrderStatusConfig,
    /// Payment method rules.
    pub payment: PaymentConfig,
    /// Amazon service level to the host's shipping method.
    pub shipping: ServiceConfig,
    /// Amazon service level to a warehouse (3PL) service.
    pub warehouse: ServiceConfig,
    /// Host carrier (and service) to Amazon `carrierCode`/`carrierName`/`shippingMethod`.
    pub carriers: Vec<CarrierRule>,
    /// SKU rules.
    pub sku: SkuConfig,
    /// Fulfilment priority by order program.
    pub priority: PriorityConfig,
    /// Buyer name shaping.
    pub names: NamesConfig,
    /// Street line shaping.
    pub address: AddressConfig,
}

impl Default for MappingConfig {
    fn default() -> Self {
        MappingConfig {
            order_number_prefix: "AMZ-".to_owned(),
            match_amazon_carrier_codes: true,
            order_status: OrderStatusConfig::default(),
            payment: PaymentConfig::default(),
            shipping: ServiceConfig::default(),
            warehouse: ServiceConfig::default(),
            carriers: Vec::new(),
            sku: SkuConfig::default(),
            priority: PriorityConfig::default(),
            names: NamesConfig::default(),
            address: AddressConfig::default(),
        }
    }
}

/// `[order_status]`: Amazon order status to host order status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrderStatusConfig {
    /// Overrides for merchant-fulfilled (FBM) orders, keyed by Amazon status (v0 or
    /// v2026-01-01 spelling).
    pub merchant: BTreeMap<String, String>,
    /// Overrides for Amazon-fulfilled (FBA) orders, keyed the same way.
    pub amazon: BTreeMap<String, String>,
    /// Host status of a merchant-fulfilled order whose status no table names (a status
    /// Amazon adds later). Default `"On Hold"`, so nobody ships it unseen.
    pub merchant_default: String,
    /// Host status of an Amazon-fulfilled order whose status no table names. Default
    /// `"Fulfilled by Amazon"`.
    pub amazon_default: String,
}

impl Default for OrderStatusConfig {
    fn default() -> Self {
        OrderStatusConfig {
            merchant: BTreeMap::new(),
            amazon: BTreeMap::new(),
            merchant_default: "On Hold".to_owned(),
            amazon_default: "Fulfilled by Amazon".to_owned(),
        }
    }
}

/// `[payment]`: Amazon payment method to a host payment option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PaymentConfig {
    /// Host payment option per Amazon payment method (either version's spelling, or any
    /// other method name Amazon sends).
    pub methods: BTreeMap<String, String>,
    /// Host payment option for every other method. Default `"Amazon"`.
    pub default: String,
}

impl Default for PaymentConfig {
    fn default() -> Self {
        PaymentConfig {
            methods: BTreeMap::new(),
            default: "Amazon".to_owned(),
        }
    }
}

/// `[shipping]` and `[warehouse]`: Amazon shipping speed to a host shipping method or a
/// warehouse service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// Exact raw `ShipServiceLevel` strings (e.g. `"Std US D2D Dom"`), checked first.
    pub by_service_level: BTreeMap<String, String>,
    /// Overrides per service level category (either version's spelling).
    pub by_category: BTreeMap<String, String>,
    /// Used when neither the raw string nor the category is mapped. Default `"Standard"`.
    pub default: String,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            by_service_level: BTreeMap::new(),
            by_category: BTreeMap::new(),
            default: "Standard".to_owned(),
        }
    }
}

/// One `[[carriers]]` rule: a host carrier (optionally one of its services) to Amazon.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CarrierRule {
    /// The host's carrier name (compared ignoring case and surrounding spaces). Required.
    pub host_carrier: String,
    /// The host's service; when absent the rule covers every service of the carrier. A
    /// rule naming the service wins over one that does not.
    pub host_service: Option<String>,
    /// Amazon `carrierCode`: a known code (see [`crate::vocab::Carrier`]) or `"Other"`.
    /// Required.
    pub amazon_code: String,
    /// Amazon `carrierName`; required when `amazon_code` is `"Other"`.
    pub carrier_name: Option<String>,
    /// Amazon `shippingMethod` (e.g. `"FedEx Ground"`); when absent the host service is sent.
    pub shipping_method: Option<String>,
    /// Accept an `amazon_code` that is not in the curated table (Amazon's list is longer).
    /// Default `false`, so typos are caught.
    pub allow_unlisted_code: bool,
}

/// `[sku]`: host SKU to Amazon seller SKU and back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SkuConfig {
    /// Explicit pairs. SKUs not listed pass through unchanged (see `passthrough_unmapped`).
    pub pairs: Vec<SkuPair>,
    /// Claim that the pairs are one-to-one (default `true`): a host or Amazon SKU listed
    /// twice is then an error, and mapping back always returns the SKU mapped from.
    pub round_trip: bool,
    /// Let SKUs without a pair map to themselves (default `true`).
    pub passthrough_unmapped: bool,
    /// Export inventory only for activated SKUs (default `false`).
    pub activated_only: bool,
    /// Host SKUs activated for inventory export, for hosts without their own flag.
    pub activated: Vec<String>,
}

impl Default for SkuConfig {
    fn default() -> Self {
        SkuConfig {
            pairs: Vec::new(),
            round_trip: true,
            passthrough_unmapped: true,
            activated_only: false,
            activated: Vec::new(),
        }
    }
}

/// One `[[sku.pairs]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SkuPair {
    /// The host's SKU.
    pub host: String,
    /// The Amazon seller SKU.
    pub amazon: String,
}

/// `[priority]`: the host's priority value for each class of order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PriorityConfig {
    /// Orders in the `PREMIUM` program (v0 `IsPremiumOrder`). Default `"Premium"`.
    pub premium: String,
    /// Orders in the `PRIME` program (v0 `IsPrime`). Default `"Prime"`.
    pub prime: String,
    /// Every other order. Default `"Regular"`.
    pub regular: String,
}

impl Default for PriorityConfig {
    fn default() -> Self {
        PriorityConfig {
            premium: "Premium".to_owned(),
            prime: "Prime".to_owned(),
            regular: "Regular".to_owned(),
        }
    }
}

/// How the host stores a person's name.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameStyle {
    /// One field holding the full name as Amazon sent it (config value `"single"`).
    #[default]
    Single,
    /// First and last name fields (config value `"first_last"`): the last word, with any
    /// lowercase particles before it (`van`, `de`, …), is the last name.
    FirstLast,
}

/// How the host stores street lines.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreetStyle {
    /// One field: the non-empty lines joined with `address.separator` (config `"joined"`).
    #[default]
    Joined,
    /// `address.street_lines` fields (config `"split"`); extra lines are joined into the
    /// last one.
    Split,
}

/// `[names]`: name shaping and the placeholder and redaction texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NamesConfig {
    /// `"single"` (default) or `"first_last"`.
    pub style: NameStyle,
    /// Buyer name given to Amazon-fulfilled orders, which get no address. Default
    /// `"FBA Orders"`.
    pub fba_placeholder: String,
    /// Text that replaces buyer PII once it is redacted. Default `"Amazon Replaced"`.
    pub redaction_marker: String,
}

impl Default for NamesConfig {
    fn default() -> Self {
        NamesConfig {
            style: NameStyle::Single,
            fba_placeholder: "FBA Orders".to_owned(),
            redaction_marker: "Amazon Replaced".to_owned(),
        }
    }
}

/// `[address]`: street line shaping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AddressConfig {
    /// `"joined"` (default) or `"split"`.
    pub street: StreetStyle,
    /// Separator between joined lines. Default `", "`.
    pub separator: String,
    /// Number of street fields the host has when `street = "split"` (1 to 3, default 2).
    pub street_lines: u8,
}

impl Default for AddressConfig {
    fn default() -> Self {
        AddressConfig {
            street: StreetStyle::Joined,
            separator: ", ".to_owned(),
            street_lines: 2,
        }
    }
}

impl MappingConfig {
    /// Parses a TOML document and validates it (the same checks as
    /// [`Mapper::new`](crate::Mapper::new)).
    ///
    /// The keys may sit at the top level of the document, or all inside one `[mapping]`
    /// table (as in an application's config file); in the second case every key path
    /// starts with `mapping.`.
    ///
    /// A TOML syntax error is reported alone (with line and column); otherwise every
    /// unknown key and wrong type is reported, and if there is none, every rule problem.
    pub fn from_toml_str(text: &str) -> Result<MappingConfig, ConfigErrors> {
        let mut table: toml::Table = match text.parse() {
            Ok(table) => table,
            Err(err) => return Err(ConfigErrors::one(syntax_error(text, &err))),
        };
        let wrapped = table.len() == 1 && table.get(SECTION).is_some_and(toml::Value::is_table);
        if !wrapped {
            return MappingConfig::from_toml_table(table);
        }
        match table.remove(SECTION) {
            Some(toml::Value::Table(inner)) => {
                MappingConfig::from_toml_table(inner).map_err(|e| e.with_prefix(SECTION))
            }
            _ => MappingConfig::from_toml_table(table),
        }
    }

    /// Checks, deserialises and validates an already parsed TOML table, such as the
    /// `[mapping]` section of a larger file. Key paths are relative to the table; add the
    /// section name with [`ConfigErrors::with_prefix`].
    ///
    /// ```
    /// use order_mapping::MappingConfig;
    ///
    /// let file: toml::Table = r#"
    /// [database]
    /// url = "sqlite://sync.db"
    /// [mapping.payment]
    /// defualt = "Amazon"
    /// "#
    /// .parse()
    /// .unwrap();
    /// let Some(toml::Value::Table(section)) = file.get("mapping") else { unreachable!() };
    /// let errors = MappingConfig::from_toml_table(section.clone())
    ///     .unwrap_err()
    ///     .with_prefix("mapping");
    /// assert_eq!(
    ///     errors.errors()[0].to_string(),
    ///     r#"mapping.payment.defualt: unknown key "defualt", did you mean "default"?"#
    /// );
    /// ```
    pub fn from_toml_table(table: toml::Table) -> Result<MappingConfig, ConfigErrors> {
        let mut errors = Vec::new();
        crate::schema::check_root(&table, &mut errors);
        if !errors.is_empty() {
            return Err(ConfigErrors::new(errors));
        }
        let config: MappingConfig = match toml::Value::Table(table).try_into() {
            Ok(config) => config,
            // The shape check should have caught this; report it rather than panic.
            Err(err) => {
                return Err(ConfigErrors::one(ConfigError::new(
                    KeyPath::root(),
                    None,
                    err.message().to_owned(),
                )));
            }
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks every rule and reports every problem (see [`ConfigErrors`]).
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let (_, errors) = crate::mapper::Mapper::compile(self.clone());
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors::new(errors))
        }
    }

    /// Serialises the configuration as a TOML document that
    /// [`from_toml_str`](Self::from_toml_str) reads back.
    pub fn to_toml_string(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }
}

fn syntax_error(text: &str, err: &toml::de::Error) -> ConfigError {
    let message = err.message().trim().to_owned();
    let Some(span) = err.span() else {
        return ConfigError::new(
            KeyPath::root(),
            None,
            format!("TOML syntax error: {message}"),
        );
    };
    let start = span.start.min(text.len());
    let before = text.get(..start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(1, |l| l.chars().count() + 1);
    let value = text
        .get(span.clone())
        .filter(|v| !v.is_empty() && v.len() <= 80)
        .map(str::to_owned);
    ConfigError::new(
        KeyPath::root(),
        value,
        format!("TOML syntax error at line {line}, column {column}: {message}"),
    )
}

/// The location of a value in the configuration, rendered like
/// `carriers[2].amazon_code` or `shipping.by_service_level."Std US D2D Dom"`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeyPath(String);

impl KeyPath {
    pub(crate) fn root() -> Self {
        KeyPath(String::new())
    }

    pub(crate) fn key(&self, key: &str) -> Self {
        let bare = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let mut out = self.0.clone();
        if !out.is_empty() {
            out.push('.');
        }
        if bare {
            out.push_str(key);
        } else {
            out.push('"');
            for c in key.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        KeyPath(out)
    }

    pub(crate) fn index(&self, index: usize) -> Self {
        KeyPath(format!("{}[{index}]", self.0))
    }

    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

/// One problem in a mapping configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}{}", display_path(key_path), display_hint(hint.as_deref()))]
#[non_exhaustive]
pub struct ConfigError {
    /// Where the problem is, e.g. `carriers[2].amazon_code`; empty for the document itself
    /// (a syntax error).
    pub key_path: String,
    /// The offending value (or key) as written, when there is one.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
    /// A suggestion, e.g. `did you mean "FedEx"?`.
    pub hint: Option<String>,
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "(document)" } else { path }
}

fn display_hint(hint: Option<&str>) -> String {
    hint.map(|h| format!(", {h}")).unwrap_or_default()
}

impl ConfigError {
    pub(crate) fn new(path: KeyPath, value: Option<String>, message: String) -> Self {
        ConfigError {
            key_path: path.into_string(),
            value,
            message,
            hint: None,
        }
    }

    /// Adds `did you mean "…"?` when `suggestion` is some.
    pub(crate) fn did_you_mean(mut self, suggestion: Option<&str>) -> Self {
        self.hint = suggestion.map(|s| format!("did you mean {s:?}?"));
        self
    }

    /// Builds the "unknown X" error for `value` at `path`, with a hint from `candidates`.
    pub(crate) fn unknown<'a>(
        path: KeyPath,
        what: &str,
        value: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let suggestion = suggest::closest(value, candidates);
        ConfigError::new(
            path,
            Some(value.to_owned()),
            format!("unknown {what} {value:?}"),
        )
        .did_you_mean(suggestion)
    }
}

/// Every problem found in a mapping configuration (never empty).
///
/// `Display` lists them all, one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    errors: Vec<ConfigError>,
}

impl ConfigErrors {
    pub(crate) fn new(errors: Vec<ConfigError>) -> Self {
        ConfigErrors { errors }
    }

    pub(crate) fn one(error: ConfigError) -> Self {
        ConfigErrors {
            errors: vec![error],
        }
    }

    /// The problems, in document order as far as it is known.
    pub fn errors(&self) -> &[ConfigError] {
        &self.errors
    }

    /// The problems, by value.
    pub fn into_errors(self) -> Vec<ConfigError> {
        self.errors
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// `true` if there is no problem (never the case for a returned error).
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Iterates over the problems.
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.errors.iter()
    }

    /// Prefixes every key path, for a mapping section embedded in a larger file:
    /// `with_prefix("mapping")` turns `carriers[2].amazon_code` into
    /// `mapping.carriers[2].amazon_code`.
    pub fn with_prefix(mut self, prefix: &str) -> Self {
        for error in &mut self.errors {
            error.key_path = if error.key_path.is_empty() {
                prefix.to_owned()
            } else if error.key_path.starts_with('[') {
                format!("{prefix}{}", error.key_path)
            } else {
                format!("{prefix}.{}", error.key_path)
            };
        }
        self
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.len() {
            1 => write!(f, "invalid mapping config: ")?,
            n => write!(f, "invalid mapping config ({n} problems):")?,
        }
        if let [only] = self.errors.as_slice() {
            return write!(f, "{only}");
        }
        for error in &self.errors {
            write!(f, "\n  {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl IntoIterator for ConfigErrors {
    type Item = ConfigError;
    type IntoIter = std::vec::IntoIter<ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = std::slice::Iter<'a, ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_render_like_toml() {
        let p = KeyPath::root().key("carriers").index(2).key("amazon_code");
        assert_eq!(p.into_string(), "carriers[2].amazon_code");
        let p = KeyPath::root()
            .key("shipping")
            .key("by_service_level")
            .key("Std US D2D Dom");
        assert_eq!(
            p.into_string(),
            r#"shipping.by_service_level."Std US D2D Dom""#
        );
        let p = KeyPath::root().key("a\"b");
        assert_eq!(p.into_string(), r#""a\"b""#);
    }

    #[test]
    fn error_display_matches_the_documented_form() {
        let e = ConfigError::unknown(
            KeyPath::root().key("carriers").index(2).key("amazon_code"),
            "carrier",
            "Fedx",
            ["FedEx", "UPS"],
        );
        let all = ConfigErrors::one(e).with_prefix("mapping");
        assert_eq!(
            all.errors()[0].to_string(),
            r#"mapping.carriers[2].amazon_code: unknown carrier "Fedx", did you mean "FedEx"?"#
        );
        assert_eq!(all.errors()[0].value.as_deref(), Some("Fedx"));
    }

    #[test]
    fn display_lists_every_error() {
        let errors = ConfigErrors::new(vec![
            ConfigError::new(KeyPath::root().key("a"), None, "first".into()),
            ConfigError::new(KeyPath::root().key("b"), None, "second".into()),
        ]);
        let text = errors.to_string();
        assert!(text.contains("2 problems"), "{text}");
        assert!(
            text.contains("a: first") && text.contains("b: second"),
            "{text}"
        );
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let errors =
            MappingConfig::from_toml_str("order_number_prefix = \"A\"\n[names\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        let e = &errors.errors()[0];
        assert_eq!(e.key_path, "");
        assert!(e.message.contains("line 2"), "{e}");
        assert!(
            e.to_string().starts_with("(document): TOML syntax error"),
            "{e}"
        );
    }

    #[test]
    fn empty_document_is_the_default() {
        assert_eq!(
            MappingConfig::from_toml_str("").unwrap(),
            MappingConfig::default()
        );
    }

    #[test]
    fn default_config_round_trips_through_toml() {
        let text = MappingConfig::default().to_toml_string().unwrap();
        assert_eq!(
            MappingConfig::from_toml_str(&text).unwrap(),
            MappingConfig::default()
        );
    }
}
