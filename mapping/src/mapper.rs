//! [`Mapper`]: the validated, compiled form of a [`MappingConfig`], and the rules it applies.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::config::{
    ConfigError, ConfigErrors, KeyPath, MappingConfig, NameStyle, ServiceConfig, StreetStyle,
};
use crate::suggest;
use crate::vocab::{
    Carrier, FulfillmentChannel, OrderProgram, OrderStatus, PaymentMethod, ServiceLevelCategory,
};

/// Built-in host status of merchant-fulfilled orders, before config overrides.
const MERCHANT_STATUS: &[(OrderStatus, &str)] = &[
    (OrderStatus::PendingAvailability, "Unpaid"),
    (OrderStatus::Pending, "Unpaid"),
    (OrderStatus::Unshipped, "New"),
    (OrderStatus::PartiallyShipped, "Partially Shipped"),
    (OrderStatus::Shipped, "Shipped"),
    (OrderStatus::InvoiceUnconfirmed, "Shipped"),
    (OrderStatus::Canceled, "Cancelled"),
    (OrderStatus::Unfulfillable, "Cancelled"),
];

/// Built-in host status of Amazon-fulfilled orders, before config overrides.
const AMAZON_STATUS: &[(OrderStatus, &str)] = &[
    (OrderStatus::PendingAvailability, "Pending"),
    (OrderStatus::Pending, "Pending"),
    (OrderStatus::Unshipped, "Fulfilled by Amazon"),
    (OrderStatus::PartiallyShipped, "Fulfilled by Amazon"),
    (OrderStatus::Shipped, "Shipped"),
    (OrderStatus::InvoiceUnconfirmed, "Shipped"),
    (OrderStatus::Canceled, "Cancelled"),
    (OrderStatus::Unfulfillable, "Cancelled"),
];

/// Built-in host payment options, before config overrides.
const PAYMENT: &[(PaymentMethod, &str)] = &[
    (PaymentMethod::Cod, "Cash on Delivery"),
    (PaymentMethod::Cvs, "Convenience Store"),
];

/// Built-in host shipping method / warehouse service per category, before overrides.
const CATEGORY: &[(ServiceLevelCategory, &str)] = &[
    (ServiceLevelCategory::Expedited, "Expedited"),
    (ServiceLevelCategory::FreeEconomy, "Economy"),
    (ServiceLevelCategory::NextDay, "Next Day"),
    (ServiceLevelCategory::Priority, "Priority"),
    (ServiceLevelCategory::SameDay, "Same Day"),
    (ServiceLevelCategory::SecondDay, "Second Day"),
    (ServiceLevelCategory::Scheduled, "Scheduled"),
    (ServiceLevelCategory::Standard, "Standard"),
];

/// Lowercase words that belong to the last name when they precede it.
const NAME_PARTICLES: &[&str] = &[
    "al", "bin", "da", "das", "de", "del", "della", "den", "der", "di", "do", "dos", "du", "la",
    "le", "st", "st.", "ten", "ter", "van", "von", "zu",
];

/// The longest order number prefix accepted.
const MAX_PREFIX_CHARS: usize = 32;

/// The validated, compiled mapping rules. Build one with [`Mapper::new`] (or
/// [`Mapper::default`] for the built-in rules); every method is a pure lookup that never
/// fails on Amazon input, except [`Mapper::amazon_carrier`], which refuses a carrier with
/// no mapping.
#[derive(Debug, Clone)]
pub struct Mapper {
    config: MappingConfig,
    merchant_status: HashMap<OrderStatus, String>,
    amazon_status: HashMap<OrderStatus, String>,
    payment: HashMap<String, String>,
    shipping: ServiceTable,
    warehouse: ServiceTable,
    carriers: Vec<CompiledCarrier>,
    sku_forward: HashMap<String, String>,
    sku_reverse: HashMap<String, String>,
    activated: HashSet<String>,
}

#[derive(Debug, Clone)]
struct ServiceTable {
    raw: HashMap<String, String>,
    category: HashMap<ServiceLevelCategory, String>,
    default: String,
}

impl ServiceTable {
    fn lookup(&self, category: Option<&ServiceLevelCategory>, raw: Option<&str>) -> &str {
        if let Some(hit) = raw.and_then(|r| self.raw.get(r)) {
            return hit;
        }
        if let Some(hit) = category.and_then(|c| self.category.get(c)) {
            return hit;
        }
        &self.default
    }
}

#[derive(Debug, Clone)]
struct CompiledCarrier {
    carrier_key: String,
    service_key: Option<String>,
    shipping: AmazonShipping,
    /// The rule's own `shipping_method`; when `None` the host service is sent.
    has_shipping_method: bool,
}

/// What to send Amazon for a shipment's carrier in `confirmShipment`.
///
/// When `carrier_code` is Amazon's `Other` code, `carrier_name` is always set by
/// [`Mapper::amazon_carrier`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmazonShipping {
    /// `carrierCode`.
    pub carrier_code: Carrier,
    /// `carrierName` (required by Amazon when the code is `Other`).
    pub carrier_name: Option<String>,
    /// `shippingMethod`, e.g. `"FedEx Ground"`.
    pub shipping_method: Option<String>,
}

/// A shipment's carrier has no Amazon mapping, so its tracking must not be uploaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no Amazon carrier mapping for host carrier {host_carrier:?}{}; add a [[carriers]] rule for it{}",
    host_service.as_ref().map(|s| format!(" (service {s:?})")).unwrap_or_default(),
    closest_amazon_code.map(|c| format!(" (closest Amazon carrier code: {c:?})")).unwrap_or_default()
)]
#[non_exhaustive]
pub struct UnmappedCarrier {
    /// The host carrier as given.
    pub host_carrier: String,
    /// The host service as given.
    pub host_service: Option<String>,
    /// A known Amazon carrier code that resembles the host carrier, if any.
    pub closest_amazon_code: Option<&'static str>,
}

/// The class of an order for fulfilment priority.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PriorityClass {
    /// In the `PREMIUM` program (highest).
    Premium,
    /// In the `PRIME` program.
    Prime,
    /// Everything else.
    Regular,
}

/// An order's fulfilment priority: its class and the host's value for that class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priority {
    /// The class; `Premium < Prime < Regular`, so sorting puts urgent orders first.
    pub class: PriorityClass,
    /// The host's priority value for the class (from `[priority]`).
    pub host_value: String,
}

/// A buyer or recipient name shaped for the host.
///
/// `Debug` does not print the name (it is buyer PII).
#[non_exhaustive]
#[derive(Clone, PartialEq, Eq)]
pub enum ShapedName {
    /// One field.
    Single(String),
    /// First and last name fields.
    Split {
        /// First (given) names; empty for a one-word name.
        first: String,
        /// Last name, with any particles (`van`, `de`, …).
        last: String,
    },
}

impl ShapedName {
    /// The whole name in one string (first and last joined by a space).
    pub fn full(&self) -> String {
        match self {
            ShapedName::Single(name) => name.clone(),
            ShapedName::Split { first, last } if first.is_empty() => last.clone(),
            ShapedName::Split { first, last } if last.is_empty() => first.clone(),
            ShapedName::Split { first, last } => format!("{first} {last}"),
        }
    }
}

impl fmt::Debug for ShapedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShapedName::Single(_) => f.write_str("ShapedName::Single(<redacted>)"),
            ShapedName::Split { .. } => {
                f.write_str("ShapedName::Split { first: <redacted>, last: <redacted> }")
            }
        }
    }
}

impl Default for Mapper {
    /// The built-in rules ([`MappingConfig::default`]).
    fn default() -> Self {
        let (mapper, errors) = Mapper::compile(MappingConfig::default());
        debug_assert!(errors.is_empty(), "{errors:?}");
        mapper
    }
}

impl TryFrom<MappingConfig> for Mapper {
    type Error = ConfigErrors;

    /// Same as [`Mapper::new`].
    fn try_from(config: MappingConfig) -> Result<Self, Self::Error> {
        Mapper::new(config)
    }
}

impl Mapper {
    /// Validates `config` and compiles it, or returns every problem found.
    pub fn new(config: MappingConfig) -> Result<Mapper, ConfigErrors> {
        let (mapper, errors) = Mapper::compile(config);
        if errors.is_empty() {
            Ok(mapper)
        } else {
            Err(ConfigErrors::new(errors))
        }
    }

    /// The configuration this mapper was built from.
    pub fn config(&self) -> &MappingConfig {
        &self.config
    }

    /// The host order status for an order's Amazon status, from the table of its
    /// fulfilment channel. An unknown channel is treated as merchant-fulfilled (the seller
    /// then sees it); an unknown status gets the channel's default.
    pub fn host_order_status(&self, channel: &FulfillmentChannel, status: &OrderStatus) -> &str {
        let (table, default) = match channel {
            FulfillmentChannel::Amazon => (
                &self.amazon_status,
                &self.config.order_status.amazon_default,
            ),
            _ => (
                &self.merchant_status,
                &self.config.order_status.merchant_default,
            ),
        };
        table.get(status).unwrap_or(default)
    }

    /// The host payment option for an Amazon payment method (`payment.default` when none
    /// is configured).
    pub fn host_payment(&self, method: &PaymentMethod) -> &str {
        self.payment
            .get(method.as_str())
            .unwrap_or(&self.config.payment.default)
    }

    /// The host shipping method: the raw `ShipServiceLevel` string if `[shipping]` names it
    /// exactly, else the category, else `shipping.default`.
    pub fn host_shipping_method(
        &self,
        category: Option<&ServiceLevelCategory>,
        raw_ship_service_level: Option<&str>,
    ) -> &str {
        self.shipping.lookup(category, raw_ship_service_level)
    }

    /// The warehouse (3PL) service, looked up like
    /// [`host_shipping_method`](Self::host_shipping_method) in `[warehouse]`.
    pub fn warehouse_service(
        &self,
        category: Option<&ServiceLevelCategory>,
        raw_ship_service_level: Option<&str>,
    ) -> &str {
        self.warehouse.lookup(category, raw_ship_service_level)
    }

    /// Amazon's carrier fields for a host carrier and service.
    ///
    /// Carrier and service are compared ignoring case and surrounding spaces. A rule naming
    /// the service wins over a rule for the whole carrier; with no rule, a host carrier that
    /// is itself a known Amazon code maps to it (unless `match_amazon_carrier_codes` is
    /// off). Anything else is refused, so tracking never reaches Amazon unmapped.
    pub fn amazon_carrier(
        &self,
        host_carrier: &str,
        host_service: Option<&str>,
    ) -> Result<AmazonShipping, UnmappedCarrier> {
        let carrier_key = rule_key(host_carrier);
        let service_key = host_service.map(rule_key).filter(|s| !s.is_empty());
        let for_carrier = || {
            self.carriers
                .iter()
                .filter(|r| r.carrier_key == carrier_key)
        };
        let rule = service_key
            .as_ref()
            .and_then(|wanted| {
                for_carrier().find(|r| r.service_key.as_deref() == Some(wanted.as_str()))
            })
            .or_else(|| for_carrier().find(|r| r.service_key.is_none()));
        let trimmed_service = host_service.map(str::trim).filter(|s| !s.is_empty());
        if let Some(rule) = rule {
            let mut shipping = rule.shipping.clone();
            if !rule.has_shipping_method {
                shipping.shipping_method = trimmed_service.map(str::to_owned);
            }
            return Ok(shipping);
        }
        let auto = self
            .config
            .match_amazon_carrier_codes
            .then(|| known_code_named(host_carrier))
            .flatten();
        if let Some(code) = auto {
            return Ok(AmazonShipping {
                carrier_code: code,
                carrier_name: None,
                shipping_method: trimmed_service.map(str::to_owned),
            });
        }
        Err(UnmappedCarrier {
            host_carrier: host_carrier.to_owned(),
            host_service: host_service.map(str::to_owned),
            closest_amazon_code: Carrier::suggest(host_carrier)
                .filter(|c| *c != Carrier::OTHER_CODE),
        })
    }

    /// The Amazon seller SKU for a host SKU: the configured pair, else (with
    /// `passthrough_unmapped`) the SKU itself, unless that SKU is already the Amazon side of
    /// another pair. `None` when the SKU cannot be mapped.
    ///
    /// With `round_trip` on, `sku_to_amazon(h) == Some(a)` implies
    /// `sku_from_amazon(a) == Some(h)` and the other way round.
    pub fn sku_to_amazon(&self, host_sku: &str) -> Option<String> {
        map_sku(
            host_sku,
            &self.sku_forward,
            &self.sku_reverse,
            self.passthrough(),
        )
    }

    /// The host SKU for an Amazon seller SKU; the mirror of
    /// [`sku_to_amazon`](Self::sku_to_amazon).
    pub fn sku_from_amazon(&self, seller_sku: &str) -> Option<String> {
        map_sku(
            seller_sku,
            &self.sku_reverse,
            &self.sku_forward,
            self.passthrough(),
        )
    }

    /// Whether inventory of this host SKU may be exported: always when `activated_only` is
    /// off, else only for SKUs listed in `sku.activated`.
    pub fn is_sku_activated(&self, host_sku: &str) -> bool {
        !self.config.sku.activated_only || self.activated.contains(host_sku)
    }

    /// `true` when inventory export is restricted to activated SKUs (a host with its own
    /// per-product flag consults that flag when this is on).
    pub fn activated_skus_only(&self) -> bool {
        self.config.sku.activated_only
    }

    /// The Amazon seller SKU to export inventory for, if the host SKU is activated and maps.
    pub fn inventory_sku(&self, host_sku: &str) -> Option<String> {
        if self.is_sku_activated(host_sku) {
            self.sku_to_amazon(host_sku)
        } else {
            None
        }
    }

    /// The host order (or invoice) number for an imported order: prefix + Amazon order id.
    pub fn host_order_number(&self, amazon_order_id: &str) -> String {
        format!("{}{amazon_order_id}", self.config.order_number_prefix)
    }

    /// The Amazon order id inside a host order number made by
    /// [`host_order_number`](Self::host_order_number), if it carries the prefix.
    pub fn amazon_order_id<'a>(&self, host_order_number: &'a str) -> Option<&'a str> {
        host_order_number
            .strip_prefix(self.config.order_number_prefix.as_str())
            .filter(|id| !id.is_empty())
    }

    /// The fulfilment priority of an order in these programs: `Premium` if it is in
    /// `PREMIUM`, else `Prime` if in `PRIME`, else `Regular`.
    pub fn fulfilment_priority(&self, programs: &[OrderProgram]) -> Priority {
        let p = &self.config.priority;
        let (class, host_value) = if programs.contains(&OrderProgram::Premium) {
            (PriorityClass::Premium, &p.premium)
        } else if programs.contains(&OrderProgram::Prime) {
            (PriorityClass::Prime, &p.prime)
        } else {
            (PriorityClass::Regular, &p.regular)
        };
        Priority {
            class,
            host_value: host_value.clone(),
        }
    }

    /// The configured name style.
    pub fn name_style(&self) -> NameStyle {
        self.config.names.style
    }

    /// Shapes a full name for the host. Whitespace is trimmed and collapsed; with
    /// `first_last`, the last word (with lowercase particles before it, as in
    /// "Ludwig van Beethoven") is the last name and a one-word name is all last name.
    pub fn shape_name(&self, full: &str) -> ShapedName {
        let words: Vec<&str> = full.split_whitespace().collect();
        match self.config.names.style {
            NameStyle::FirstLast => split_name(&words),
            NameStyle::Single => ShapedName::Single(words.join(" ")),
        }
    }

    /// The buyer name to store for an order: the FBA placeholder for Amazon-fulfilled
    /// orders, else the shaped name (empty when Amazon gave none).
    pub fn buyer_name(&self, channel: &FulfillmentChannel, full: Option<&str>) -> ShapedName {
        match channel {
            FulfillmentChannel::Amazon => self.shape_name(self.fba_placeholder_name()),
            _ => self.shape_name(full.unwrap_or("")),
        }
    }

    /// The name that replaces a redacted buyer name: the marker in every name field.
    pub fn redacted_name(&self) -> ShapedName {
        let marker = self.redaction_marker().to_owned();
        match self.config.names.style {
            NameStyle::FirstLast => ShapedName::Split {
                first: marker.clone(),
                last: marker,
            },
            NameStyle::Single => ShapedName::Single(marker),
        }
    }

    /// Whether to import a shipping address for an order: never for Amazon-fulfilled ones.
    pub fn include_address(&self, channel: &FulfillmentChannel) -> bool {
        !matches!(channel, FulfillmentChannel::Amazon)
    }

    /// Shapes Amazon's street lines (`AddressLine1..3`) for the host: empty lines dropped,
    /// then one joined string (`joined`), or exactly `street_lines` strings (`split`,
    /// padded with empty strings, overflow joined into the last).
    pub fn shape_street(&self, lines: &[&str]) -> Vec<String> {
        let sep = self.config.address.separator.as_str();
        let clean: Vec<&str> = lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        match self.config.address.street {
            StreetStyle::Joined => vec![clean.join(sep)],
            StreetStyle::Split => {
                let n = usize::from(self.config.address.street_lines.max(1));
                let mut out: Vec<String> = Vec::with_capacity(n);
                if clean.len() <= n {
                    out.extend(clean.iter().map(|l| (*l).to_owned()));
                } else {
                    out.extend(clean[..n - 1].iter().map(|l| (*l).to_owned()));
                    out.push(clean[n - 1..].join(sep));
                }
                out.resize(n, String::new());
                out
            }
        }
    }

    /// The buyer name given to Amazon-fulfilled orders (default `"FBA Orders"`).
    pub fn fba_placeholder_name(&self) -> &str {
        &self.config.names.fba_placeholder
    }

    /// The text that replaces redacted buyer PII (default `"Amazon Replaced"`).
    pub fn redaction_marker(&self) -> &str {
        &self.config.names.redaction_marker
    }

    fn passthrough(&self) -> bool {
        self.config.sku.passthrough_unmapped
    }

    /// Compiles `config`, skipping bad entries, and returns every problem found.
    pub(crate) fn compile(config: MappingConfig) -> (Mapper, Vec<ConfigError>) {
        let mut errors = Vec::new();
        let root = KeyPath::root();

        let prefix_path = root.key("order_number_prefix");
        let prefix = &config.order_number_prefix;
        if prefix.chars().any(char::is_control) {
            errors.push(ConfigError::new(
                prefix_path,
                Some(prefix.clone()),
                "the prefix must not contain control characters".into(),
            ));
        } else if prefix.chars().count() > MAX_PREFIX_CHARS {
            errors.push(ConfigError::new(
                prefix_path,
                Some(prefix.clone()),
                format!("the prefix is longer than {MAX_PREFIX_CHARS} characters"),
            ));
        }

        let status_path = root.key("order_status");
        let status = &config.order_status;
        let merchant_status = status_table(
            MERCHANT_STATUS,
            &status.merchant,
            &status_path.key("merchant"),
            &mut errors,
        );
        let amazon_status = status_table(
            AMAZON_STATUS,
            &status.amazon,
            &status_path.key("amazon"),
            &mut errors,
        );
        non_empty(
            &status.merchant_default,
            status_path.key("merchant_default"),
            &mut errors,
        );
        non_empty(
            &status.amazon_default,
            status_path.key("amazon_default"),
            &mut errors,
        );

        let payment = payment_table(&config, &root.key("payment"), &mut errors);
        let shipping = service_table(&config.shipping, &root.key("shipping"), &mut errors);
        let warehouse = service_table(&config.warehouse, &root.key("warehouse"), &mut errors);
        let carriers = carrier_rules(&config, &root.key("carriers"), &mut errors);
        let (sku_forward, sku_reverse, activated) =
            sku_tables(&config, &root.key("sku"), &mut errors);

        let p = root.key("priority");
        non_empty(&config.priority.premium, p.key("premium"), &mut errors);
        non_empty(&config.priority.prime, p.key("prime"), &mut errors);
        non_empty(&config.priority.regular, p.key("regular"), &mut errors);

        let names = root.key("names");
        non_empty(
            &config.names.fba_placeholder,
            names.key("fba_placeholder"),
            &mut errors,
        );
        non_empty(
            &config.names.redaction_marker,
            names.key("redaction_marker"),
            &mut errors,
        );

        let lines = config.address.street_lines;
        if !(1..=3).contains(&lines) {
            errors.push(ConfigError::new(
                root.key("address").key("street_lines"),
                Some(lines.to_string()),
                format!("{lines} is out of range (expected 1 to 3)"),
            ));
        }

        let mapper = Mapper {
            config,
            merchant_status,
            amazon_status,
            payment,
            shipping,
            warehouse,
            carriers,
            sku_forward,
            sku_reverse,
            activated,
        };
        (mapper, errors)
    }
}

fn non_empty(value: &str, path: KeyPath, errors: &mut Vec<ConfigError>) -> bool {
    if value.trim().is_empty() {
        errors.push(ConfigError::new(
            path,
            Some(value.to_owned()),
            "must not be empty".into(),
        ));
        false
    } else {
        true
    }
}

fn status_table(
    builtin: &[(OrderStatus, &str)],
    overrides: &std::collections::BTreeMap<String, String>,
    path: &KeyPath,
    errors: &mut Vec<ConfigError>,
) -> HashMap<OrderStatus, String> {
    let mut table: HashMap<OrderStatus, String> = builtin
        .iter()
        .map(|(s, v)| (s.clone(), (*v).to_owned()))
        .collect();
    let mut seen: HashMap<OrderStatus, &str> = HashMap::new();
    for (key, value) in overrides {
        let here = path.key(key);
        let Some(status) = OrderStatus::parse_known(key) else {
            errors.push(ConfigError::unknown(
                here,
                "order status",
                key,
                OrderStatus::known_names().iter().copied(),
            ));
            continue;
        };
        if let Some(first) = seen.insert(status.clone(), key) {
            errors.push(ConfigError::new(
                here,
                Some(key.clone()),
                format!("{key:?} is the same status as {first:?}, which is also set"),
            ));
            continue;
        }
        if non_empty(value, here, errors) {
            table.insert(status, value.clone());
        }
    }
    table
}

fn payment_table(
    config: &MappingConfig,
    path: &KeyPath,
    errors: &mut Vec<ConfigError>,
) -> HashMap<String, String> {
    let mut table: HashMap<String, String> = PAYMENT
        .iter()
        .map(|(m, v)| (m.as_str().to_owned(), (*v).to_owned()))
        .collect();
    let methods_path = path.key("methods");
    let mut seen: HashMap<String, &str> = HashMap::new();
    for (key, value) in &config.payment.methods {
        let here = methods_path.key(key);
        let method = PaymentMethod::from(key.as_str());
        if !method.is_known() && key != "Other" {
            // Amazon's list of methods is open, so a new name is accepted; a near miss of a
            // known name is far more likely a typo.
            let candidates = PaymentMethod::known_names()
                .iter()
                .copied()
                .chain(std::iter::once("Other"));
            if let Some(near) = suggest::closest(key, candidates) {
                errors.push(
                    ConfigError::new(
                        here,
                        Some(key.clone()),
                        format!("unknown payment method {key:?}"),
                    )
                    .did_you_mean(Some(near)),
                );
                continue;
            }
        }
        let canonical = method.as_str().to_owned();
        if let Some(first) = seen.insert(canonical.clone(), key) {
            errors.push(ConfigError::new(
                here,
                Some(key.clone()),
                format!("{key:?} is the same payment method as {first:?}, which is also set"),
            ));
            continue;
        }
        if non_empty(value, here, errors) {
            table.insert(canonical, value.clone());
        }
    }
    non_empty(&config.payment.default, path.key("default"), errors);
    table
}

fn service_table(
    config: &ServiceConfig,
    path: &KeyPath,
    errors: &mut Vec<ConfigError>,
) -> ServiceTable {
    let mut raw = HashMap::new();
    let raw_path = path.key("by_service_level");
    for (key, value) in &config.by_service_level {
        let here = raw_path.key(key);
        if key.trim().is_empty() {
            errors.push(ConfigError::new(
                here,
                Some(key.clone()),
                "a service level name must not be empty".into(),
            ));
        } else if non_empty(value, here, errors) {
            raw.insert(key.clone(), value.clone());
        }
    }
    let mut category: HashMap<ServiceLevelCategory, String> = CATEGORY
        .iter()
        .map(|(c, v)| (c.clone(), (*v).to_owned()))
        .collect();
    let cat_path = path.key("by_category");
    let mut seen: HashMap<ServiceLevelCategory, &str> = HashMap::new();
    for (key, value) in &config.by_category {
        let here = cat_path.key(key);
        let Some(cat) = ServiceLevelCategory::parse_known(key) else {
            errors.push(ConfigError::unknown(
                here,
                "service level category",
                key,
                ServiceLevelCategory::known_names().iter().copied(),
            ));
            continue;
        };
        if let Some(first) = seen.insert(cat.clone(), key) {
            errors.push(ConfigError::new(
                here,
                Some(key.clone()),
                format!("{key:?} is the same category as {first:?}, which is also set"),
            ));
            continue;
        }
        if non_empty(value, here, errors) {
            category.insert(cat, value.clone());
        }
    }
    non_empty(&config.default, path.key("default"), errors);
    ServiceTable {
        raw,
        category,
        default: config.default.clone(),
    }
}

/// Normalised form of a host carrier or service for rule matching.
fn rule_key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// A known Amazon carrier code equal to `name` ignoring case, spaces, `-` and `_`.
fn known_code_named(name: &str) -> Option<Carrier> {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = squash(name);
    if wanted.is_empty() {
        return None;
    }
    Carrier::KNOWN
        .iter()
        .find(|c| squash(c.as_str()) == wanted)
        .cloned()
}

fn carrier_rules(
    config: &MappingConfig,
    path: &KeyPath,
    errors: &mut Vec<ConfigError>,
) -> Vec<CompiledCarrier> {
    let mut out = Vec::new();
    let mut seen: HashMap<(String, Option<String>), usize> = HashMap::new();
    for (i, rule) in config.carriers.iter().enumerate() {
        let here = path.index(i);
        let before = errors.len();
        non_empty(&rule.host_carrier, here.key("host_carrier"), errors);
        if let Some(service) = &rule.host_service {
            non_empty(service, here.key("host_service"), errors);
        }
        let code_path = here.key("amazon_code");
        let code = rule.amazon_code.trim();
        let carrier = Carrier::from(code);
        if code.is_empty() {
            errors.push(ConfigError::new(
                code_path,
                Some(rule.amazon_code.clone()),
                "must not be empty (use a known carrier code or \"Other\")".into(),
            ));
        } else if code != rule.amazon_code {
            errors.push(ConfigError::new(
                code_path,
                Some(rule.amazon_code.clone()),
                format!("carrier code {:?} has surrounding spaces", rule.amazon_code),
            ));
        } else if let (false, Some(known)) = (carrier.is_known(), known_code_named(code)) {
            // Even an allowed unlisted code must not be a misspelt known one.
            errors.push(
                ConfigError::new(
                    code_path,
                    Some(code.to_owned()),
                    format!(
                        "carrier code {code:?} differs from Amazon's {:?} only in case or spacing",
                        known.as_str()
                    ),
                )
                .did_you_mean(Some(known.as_str())),
            );
        } else if !carrier.is_known() && !carrier.is_other_code() && !rule.allow_unlisted_code {
            let mut e = ConfigError::new(
                code_path,
                Some(code.to_owned()),
                format!("unknown carrier {code:?}"),
            );
            e = match Carrier::suggest(code) {
                Some(s) => e.did_you_mean(Some(s)),
                None => {
                    e.hint = Some(
                        "use \"Other\" with carrier_name, or set allow_unlisted_code = true".into(),
                    );
                    e
                }
            };
            errors.push(e);
        }
        let name = rule.carrier_name.as_deref().map(str::trim);
        match name {
            Some("") => errors.push(ConfigError::new(
                here.key("carrier_name"),
                rule.carrier_name.clone(),
                "must not be empty".into(),
            )),
            None if carrier.is_other_code() => errors.push(ConfigError::new(
                here.key("carrier_name"),
                None,
                "carrier_name is required when amazon_code is \"Other\"".into(),
            )),
            _ => {}
        }
        if let Some(method) = &rule.shipping_method {
            non_empty(method, here.key("shipping_method"), errors);
        }
        let key = (
            rule_key(&rule.host_carrier),
            rule.host_service.as_deref().map(rule_key),
        );
        if let Some(first) = seen.get(&key) {
            let field = if rule.host_service.is_some() {
                "host_service"
            } else {
                "host_carrier"
            };
            errors.push(ConfigError::new(
                here.key(field),
                Some(rule.host_carrier.clone()),
                format!(
                    "duplicate rule: carriers[{first}] already maps host carrier {:?}{}",
                    rule.host_carrier,
                    rule.host_service
                        .as_ref()
                        .map(|s| format!(" with service {s:?}"))
                        .unwrap_or_default()
                ),
            ));
            continue;
        }
        seen.insert(key.clone(), i);
        if errors.len() != before {
            continue;
        }
        out.push(CompiledCarrier {
            carrier_key: key.0,
            service_key: key.1,
            shipping: AmazonShipping {
                carrier_code: carrier,
                carrier_name: name.map(str::to_owned),
                shipping_method: rule.shipping_method.as_deref().map(|m| m.trim().to_owned()),
            },
            has_shipping_method: rule.shipping_method.is_some(),
        });
    }
    out
}

type SkuTables = (
    HashMap<String, String>,
    HashMap<String, String>,
    HashSet<String>,
);

fn sku_ok(sku: &str, path: KeyPath, errors: &mut Vec<ConfigError>) -> bool {
    if !non_empty(sku, path.clone(), errors) {
        return false;
    }
    if sku.trim() != sku {
        errors.push(ConfigError::new(
            path,
            Some(sku.to_owned()),
            format!("SKU {sku:?} has leading or trailing whitespace"),
        ));
        return false;
    }
    true
}

fn sku_tables(config: &MappingConfig, path: &KeyPath, errors: &mut Vec<ConfigError>) -> SkuTables {
    let sku = &config.sku;
    let mut forward: HashMap<String, String> = HashMap::new();
    let mut reverse: HashMap<String, String> = HashMap::new();
    let mut host_at: HashMap<&str, usize> = HashMap::new();
    let mut amazon_at: HashMap<&str, usize> = HashMap::new();
    let pairs = path.key("pairs");
    for (i, pair) in sku.pairs.iter().enumerate() {
        let here = pairs.index(i);
        let host_ok = sku_ok(&pair.host, here.key("host"), errors);
        let amazon_ok = sku_ok(&pair.amazon, here.key("amazon"), errors);
        if !(host_ok && amazon_ok) {
            continue;
        }
        let mut duplicate = false;
        if let Some(first) = host_at.get(pair.host.as_str()) {
            if sku.round_trip {
                errors.push(ConfigError::new(
                    here.key("host"),
                    Some(pair.host.clone()),
                    format!(
                        "host SKU {:?} is already mapped by sku.pairs[{first}]; round_trip = true needs one-to-one pairs",
                        pair.host
                    ),
                ));
            }
            duplicate = true;
        }
        if let Some(first) = amazon_at.get(pair.amazon.as_str()) {
            if sku.round_trip {
                errors.push(ConfigError::new(
                    here.key("amazon"),
                    Some(pair.amazon.clone()),
                    format!(
                        "Amazon SKU {:?} is already mapped by sku.pairs[{first}]; round_trip = true needs one-to-one pairs",
                        pair.amazon
                    ),
                ));
            }
            duplicate = true;
        }
        host_at.entry(&pair.host).or_insert(i);
        amazon_at.entry(&pair.amazon).or_insert(i);
        if duplicate && sku.round_trip {
            continue;
        }
        // Without round_trip the first pair listed wins in each direction.
        forward
            .entry(pair.host.clone())
            .or_insert_with(|| pair.amazon.clone());
        reverse
            .entry(pair.amazon.clone())
            .or_insert_with(|| pair.host.clone());
    }
    let mut activated = HashSet::new();
    let act_path = path.key("activated");
    for (i, s) in sku.activated.iter().enumerate() {
        if sku_ok(s, act_path.index(i), errors) {
            activated.insert(s.clone());
        }
    }
    (forward, reverse, activated)
}

/// Maps a SKU through `table`; passes an unmapped SKU through unless it is a key of
/// `other` (the opposite direction), where passing it through would break the round trip.
fn map_sku(
    sku: &str,
    table: &HashMap<String, String>,
    other: &HashMap<String, String>,
    passthrough: bool,
) -> Option<String> {
    if let Some(mapped) = table.get(sku) {
        return Some(mapped.clone());
    }
    if passthrough && !sku.is_empty() && !other.contains_key(sku) {
        return Some(sku.to_owned());
    }
    None
}

fn split_name(words: &[&str]) -> ShapedName {
    match words {
        [] => ShapedName::Split {
            first: String::new(),
            last: String::new(),
        },
        [only] => ShapedName::Split {
            first: String::new(),
            last: (*only).to_owned(),
        },
        _ => {
            let mut start = words.len() - 1;
            while start > 1 && is_particle(words[start - 1]) {
                start -= 1;
            }
            ShapedName::Split {
                first: words[..start].join(" "),
                last: words[start..].join(" "),
            }
        }
    }
}

fn is_particle(word: &str) -> bool {
    NAME_PARTICLES.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{CarrierRule, SkuPair};

    fn mapper(toml: &str) -> Mapper {
        let config = MappingConfig::from_toml_str(toml).unwrap();
        Mapper::new(config).unwrap()
    }

    fn sku_mapper(pairs: &[(&str, &str)], round_trip: bool, passthrough: bool) -> Mapper {
        let mut config = MappingConfig::default();
        config.sku.round_trip = round_trip;
        config.sku.passthrough_unmapped = passthrough;
        config.sku.pairs = pairs
            .iter()
            .map(|(h, a)| SkuPair {
                host: (*h).into(),
                amazon: (*a).into(),
            })
            .collect();
        Mapper::new(config).unwrap()
    }

    #[test]
    fn default_mapper_is_the_default_config() {
        let m = Mapper::default();
        assert_eq!(m.config(), &MappingConfig::default());
        assert!(MappingConfig::default().validate().is_ok());
    }

    #[test]
    fn order_status_uses_separate_tables_per_channel() {
        let m = mapper(
            r#"
            [order_status]
            merchant_default = "Check"
            amazon_default = "FBA other"
            [order_status.merchant]
            Unshipped = "Ready"
            [order_status.amazon]
            UNSHIPPED = "FBA open"
            "#,
        );
        let fbm = FulfillmentChannel::Merchant;
        let fba = FulfillmentChannel::Amazon;
        assert_eq!(m.host_order_status(&fbm, &OrderStatus::Unshipped), "Ready");
        assert_eq!(
            m.host_order_status(&fba, &OrderStatus::Unshipped),
            "FBA open"
        );
        // Built-in entries survive an override of another entry.
        assert_eq!(m.host_order_status(&fbm, &OrderStatus::Pending), "Unpaid");
        assert_eq!(
            m.host_order_status(&fba, &OrderStatus::Canceled),
            "Cancelled"
        );
        let future = OrderStatus::from("Teleported");
        assert_eq!(m.host_order_status(&fbm, &future), "Check");
        assert_eq!(m.host_order_status(&fba, &future), "FBA other");
        // An unknown channel is treated as merchant-fulfilled.
        let odd = FulfillmentChannel::from("DROPSHIP");
        assert_eq!(m.host_order_status(&odd, &OrderStatus::Unshipped), "Ready");
    }

    #[test]
    fn default_status_tables() {
        let m = Mapper::default();
        let fbm = FulfillmentChannel::Merchant;
        for (status, want) in MERCHANT_STATUS {
            assert_eq!(m.host_order_status(&fbm, status), *want);
        }
        assert_eq!(
            m.host_order_status(&fbm, &OrderStatus::from("New")),
            "On Hold"
        );
        let fba = FulfillmentChannel::Amazon;
        for (status, want) in AMAZON_STATUS {
            assert_eq!(m.host_order_status(&fba, status), *want);
        }
    }

    #[test]
    fn payment_rules() {
        let m = mapper(
            r#"
            [payment]
            default = "Marketplace"
            methods = { CashOnDelivery = "COD host", Boleto = "Boleto host", Other = "Misc" }
            "#,
        );
        assert_eq!(m.host_payment(&PaymentMethod::Cod), "COD host");
        assert_eq!(m.host_payment(&PaymentMethod::from("COD")), "COD host");
        assert_eq!(m.host_payment(&PaymentMethod::Cvs), "Convenience Store");
        assert_eq!(
            m.host_payment(&PaymentMethod::from("Boleto")),
            "Boleto host"
        );
        assert_eq!(m.host_payment(&PaymentMethod::from("Other")), "Misc");
        assert_eq!(m.host_payment(&PaymentMethod::CreditCard), "Marketplace");
    }

    #[test]
    fn shipping_lookup_order() {
        let m = mapper(
            r#"
            [shipping]
            default = "Fallback"
            by_service_level = { "Std US D2D Dom" = "Raw hit" }
            by_category = { Expedited = "Fast" }
            [warehouse]
            default = "WH-STD"
            by_service_level = { "Exp US D2D Dom" = "WH-RAW" }
            by_category = { EXPEDITED = "WH-EXP" }
            "#,
        );
        let exp = ServiceLevelCategory::Expedited;
        let std = ServiceLevelCategory::Standard;
        assert_eq!(
            m.host_shipping_method(Some(&exp), Some("Std US D2D Dom")),
            "Raw hit"
        );
        assert_eq!(
            m.host_shipping_method(Some(&exp), Some("std us d2d dom")),
            "Fast"
        );
        assert_eq!(m.host_shipping_method(Some(&std), None), "Standard");
        assert_eq!(
            m.host_shipping_method(Some(&ServiceLevelCategory::from("WARP")), None),
            "Fallback"
        );
        assert_eq!(m.host_shipping_method(None, Some("Unknown")), "Fallback");
        assert_eq!(
            m.warehouse_service(Some(&exp), Some("Exp US D2D Dom")),
            "WH-RAW"
        );
        assert_eq!(m.warehouse_service(Some(&exp), None), "WH-EXP");
        assert_eq!(
            m.warehouse_service(Some(&ServiceLevelCategory::NextDay), None),
            "Next Day"
        );
        assert_eq!(m.warehouse_service(None, None), "WH-STD");
    }

    #[test]
    fn carrier_rules_prefer_the_service_rule() {
        let m = mapper(
            r#"
            [[carriers]]
            host_carrier = "Parcel Co"
            amazon_code = "DPD"
            [[carriers]]
            host_carrier = "Parcel Co"
            host_service = "Express"
            amazon_code = "DPD"
            shipping_method = "DPD Express"
            [[carriers]]
            host_carrier = "Tiny Courier"
            amazon_code = "Other"
            carrier_name = "Tiny Courier GmbH"
            "#,
        );
        let express = m.amazon_carrier(" parcel co ", Some("EXPRESS")).unwrap();
        assert_eq!(
            express,
            AmazonShipping {
                carrier_code: Carrier::Dpd,
                carrier_name: None,
                shipping_method: Some("DPD Express".into()),
            }
        );
        let classic = m.amazon_carrier("Parcel Co", Some(" Classic ")).unwrap();
        assert_eq!(classic.shipping_method.as_deref(), Some("Classic"));
        let bare = m.amazon_carrier("Parcel Co", None).unwrap();
        assert_eq!(bare.shipping_method, None);
        let other = m.amazon_carrier("tiny courier", Some("")).unwrap();
        assert_eq!(other.carrier_code, Carrier::other());
        assert_eq!(other.carrier_name.as_deref(), Some("Tiny Courier GmbH"));
        assert_eq!(other.shipping_method, None);
    }

    #[test]
    fn service_only_rules_do_not_cover_other_services() {
        let m = mapper(
            r#"
            [[carriers]]
            host_carrier = "Parcel Co"
            host_service = "Express"
            amazon_code = "DPD"
            "#,
        );
        assert!(m.amazon_carrier("Parcel Co", Some("Express")).is_ok());
        let err = m.amazon_carrier("Parcel Co", Some("Classic")).unwrap_err();
        assert_eq!(err.host_service.as_deref(), Some("Classic"));
        assert!(m.amazon_carrier("Parcel Co", None).is_err());
    }

    #[test]
    fn known_codes_match_without_rules_unless_disabled() {
        let m = Mapper::default();
        let royal = m.amazon_carrier("royal-mail", Some("Tracked 24")).unwrap();
        assert_eq!(royal.carrier_code, Carrier::RoyalMail);
        assert_eq!(royal.shipping_method.as_deref(), Some("Tracked 24"));
        assert_eq!(
            m.amazon_carrier("FEDEX", None).unwrap().carrier_code,
            Carrier::FedEx
        );
        // "Other" is never auto-matched: it would need a carrier name.
        assert!(m.amazon_carrier("Other", None).is_err());
        let strict = mapper("match_amazon_carrier_codes = false");
        let err = strict.amazon_carrier("UPS", None).unwrap_err();
        assert_eq!(err.closest_amazon_code, Some("UPS"));
    }

    #[test]
    fn unmapped_carrier_error_names_the_carrier() {
        let err = Mapper::default()
            .amazon_carrier("Fedx Freight", Some("LTL"))
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("\"Fedx Freight\""), "{text}");
        assert!(text.contains("service \"LTL\""), "{text}");
        let err = Mapper::default().amazon_carrier("", None).unwrap_err();
        assert_eq!(err.host_carrier, "");
    }

    #[test]
    fn sku_pairs_and_passthrough() {
        let m = sku_mapper(&[("H1", "A1"), ("H2", "A2")], true, true);
        assert_eq!(m.sku_to_amazon("H1").as_deref(), Some("A1"));
        assert_eq!(m.sku_from_amazon("A2").as_deref(), Some("H2"));
        assert_eq!(m.sku_to_amazon("H9").as_deref(), Some("H9"));
        assert_eq!(m.sku_from_amazon("H9").as_deref(), Some("H9"));
        // "A1" unmapped on the host side would pass through to an Amazon SKU that maps
        // back to "H1": refused instead.
        assert_eq!(m.sku_to_amazon("A1"), None);
        assert_eq!(m.sku_from_amazon("H1"), None);
        assert_eq!(m.sku_to_amazon(""), None);

        let strict = sku_mapper(&[("H1", "A1")], true, false);
        assert_eq!(strict.sku_to_amazon("H9"), None);
        assert_eq!(strict.sku_from_amazon("A1").as_deref(), Some("H1"));
    }

    #[test]
    fn many_to_one_without_round_trip_takes_the_first_pair() {
        let m = sku_mapper(&[("H1", "A1"), ("H2", "A1"), ("H1", "A3")], false, true);
        assert_eq!(m.sku_to_amazon("H1").as_deref(), Some("A1"));
        assert_eq!(m.sku_to_amazon("H2").as_deref(), Some("A1"));
        assert_eq!(m.sku_from_amazon("A1").as_deref(), Some("H1"));
        assert_eq!(m.sku_from_amazon("A3").as_deref(), Some("H1"));
    }

    #[test]
    fn activated_skus() {
        let open = Mapper::default();
        assert!(open.is_sku_activated("ANY"));
        assert!(!open.activated_skus_only());
        let m = mapper(
            r#"
            [sku]
            activated_only = true
            activated = ["H1"]
            pairs = [{ host = "H1", amazon = "A1" }]
            "#,
        );
        assert!(m.activated_skus_only());
        assert!(m.is_sku_activated("H1"));
        assert!(!m.is_sku_activated("H2"));
        assert_eq!(m.inventory_sku("H1").as_deref(), Some("A1"));
        assert_eq!(m.inventory_sku("H2"), None);
    }

    #[test]
    fn order_numbers() {
        let m = Mapper::default();
        assert_eq!(
            m.host_order_number("111-2222222-3333333"),
            "AMZ-111-2222222-3333333"
        );
        assert_eq!(
            m.amazon_order_id("AMZ-111-2222222-3333333"),
            Some("111-2222222-3333333")
        );
        assert_eq!(m.amazon_order_id("WEB-1"), None);
        assert_eq!(m.amazon_order_id("AMZ-"), None);
        let bare = mapper(r#"order_number_prefix = """#);
        assert_eq!(bare.host_order_number("X"), "X");
    }

    #[test]
    fn priority_classes() {
        let m = mapper(
            r#"
            [priority]
            premium = "P1"
            prime = "P2"
            regular = "P3"
            "#,
        );
        let p = |programs: &[OrderProgram]| {
            let p = m.fulfilment_priority(programs);
            (p.class, p.host_value)
        };
        assert_eq!(p(&[]), (PriorityClass::Regular, "P3".into()));
        assert_eq!(
            p(&[OrderProgram::Business, OrderProgram::Prime]),
            (PriorityClass::Prime, "P2".into())
        );
        assert_eq!(
            p(&[OrderProgram::Prime, OrderProgram::Premium]),
            (PriorityClass::Premium, "P1".into())
        );
        assert_eq!(
            p(&[OrderProgram::from("PRIME_NOW")]),
            (PriorityClass::Regular, "P3".into())
        );
        assert!(PriorityClass::Premium < PriorityClass::Prime);
        assert!(PriorityClass::Prime < PriorityClass::Regular);
    }

    #[test]
    fn name_shaping() {
        let single = Mapper::default();
        assert_eq!(
            single.shape_name("  Jane   Q  Public "),
            ShapedName::Single("Jane Q Public".into())
        );
        let split = mapper("[names]\nstyle = \"first_last\"");
        let s = |n: &str| match split.shape_name(n) {
            ShapedName::Split { first, last } => (first, last),
            other => panic!("not split: {}", other.full()),
        };
        assert_eq!(s("Jane Q Public"), ("Jane Q".into(), "Public".into()));
        assert_eq!(
            s("Ludwig van Beethoven"),
            ("Ludwig".into(), "van Beethoven".into())
        );
        assert_eq!(s("Maria de la Cruz"), ("Maria".into(), "de la Cruz".into()));
        assert_eq!(s("Cher"), (String::new(), "Cher".into()));
        assert_eq!(s("   "), (String::new(), String::new()));
        // A lone particle-like first word stays the first name.
        assert_eq!(s("van Dyke"), ("van".into(), "Dyke".into()));
        assert_eq!(split.shape_name("Jane Q Public").full(), "Jane Q Public");
    }

    #[test]
    fn shaped_names_do_not_leak_in_debug() {
        let split = mapper("[names]\nstyle = \"first_last\"");
        let text = format!(
            "{:?} {:?}",
            split.shape_name("Jane Public"),
            Mapper::default().shape_name("Jane")
        );
        assert!(!text.contains("Jane") && !text.contains("Public"), "{text}");
    }

    #[test]
    fn fba_placeholder_and_redaction() {
        let m = mapper(
            "[names]\nstyle = \"first_last\"\nfba_placeholder = \"Amazon FBA\"\nredaction_marker = \"[removed]\"",
        );
        assert_eq!(m.fba_placeholder_name(), "Amazon FBA");
        assert_eq!(m.redaction_marker(), "[removed]");
        let fba = m.buyer_name(&FulfillmentChannel::Amazon, Some("Jane Public"));
        assert_eq!(fba.full(), "Amazon FBA");
        let fbm = m.buyer_name(&FulfillmentChannel::Merchant, Some("Jane Public"));
        assert_eq!(fbm.full(), "Jane Public");
        assert_eq!(
            m.redacted_name(),
            ShapedName::Split {
                first: "[removed]".into(),
                last: "[removed]".into()
            }
        );
        assert!(m.include_address(&FulfillmentChannel::Merchant));
        assert!(!m.include_address(&FulfillmentChannel::Amazon));
        let d = Mapper::default();
        assert_eq!(d.fba_placeholder_name(), "FBA Orders");
        assert_eq!(d.redaction_marker(), "Amazon Replaced");
        assert_eq!(
            d.redacted_name(),
            ShapedName::Single("Amazon Replaced".into())
        );
    }

    #[test]
    fn street_shaping() {
        let joined = Mapper::default();
        assert_eq!(
            joined.shape_street(&[" 1 Main St ", "", "Apt 2"]),
            vec!["1 Main St, Apt 2".to_owned()]
        );
        assert_eq!(joined.shape_street(&[]), vec![String::new()]);
        let two = mapper("[address]\nstreet = \"split\"");
        assert_eq!(
            two.shape_street(&["1 Main St"]),
            vec!["1 Main St".to_owned(), String::new()]
        );
        assert_eq!(
            two.shape_street(&["a", "b", "c"]),
            vec!["a".to_owned(), "b, c".to_owned()]
        );
        let three = mapper("[address]\nstreet = \"split\"\nstreet_lines = 3\nseparator = \" / \"");
        assert_eq!(three.shape_street(&["a", "b", "c"]).len(), 3);
        let one = mapper("[address]\nstreet = \"split\"\nstreet_lines = 1\nseparator = \" / \"");
        assert_eq!(
            one.shape_street(&["a", "b", "c"]),
            vec!["a / b / c".to_owned()]
        );
    }

    #[test]
    fn compile_reports_every_rule_problem() {
        let mut config = MappingConfig::default();
        config.carriers.push(CarrierRule {
            host_carrier: " ".into(),
            amazon_code: "Other".into(),
            ..CarrierRule::default()
        });
        config.priority.prime = String::new();
        config.address.street_lines = 0;
        config.order_number_prefix = "A\tB".into();
        let errors = Mapper::new(config).unwrap_err();
        let paths: Vec<&str> = errors.iter().map(|e| e.key_path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "order_number_prefix",
                "carriers[0].host_carrier",
                "carriers[0].carrier_name",
                "priority.prime",
                "address.street_lines",
            ]
        );
    }
}
