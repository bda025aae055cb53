//! `JSON_LISTINGS_FEED` documents (schema v2.0): quantity and handling time, price, and
//! offer deletion, one message per SKU and change, each with its `messageId`.
//!
//! What the builders do for you, from what sellers learned the hard way:
//!
//! - Quantity and handling time are a `merge` patch of `fulfillment_availability` with a
//!   non-empty `fulfillment_channel_code`: a `replace` with a partial element wipes the
//!   handling time Amazon holds. A later availability update of the same SKU and channel in
//!   the same feed merges into the first message (later values win, an absent handling time
//!   keeps the earlier one), so one SKU never has two competing messages.
//! - Handling time is 0 to 30 days (`lead_time_to_ship_max_days`; Amazon refuses more).
//! - Prices are a `replace` of the `purchasable_offer` instance selected by marketplace,
//!   currency and audience, with `our_price` as `value_with_tax`. Amounts with more than two
//!   decimals are refused, never rounded, and are written as exact JSON numbers.
//! - Offer-only patches use the generic product type `PRODUCT` unless told otherwise.
//! - Patch paths are `/attributes/<name>` only: Amazon rejects index paths.
//! - A SKU that is deleted in a feed has no other message in it (the order in which Amazon
//!   applies a feed's messages is not defined).

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;

use crate::enums::string_enum;
use crate::error::{BuildError, ReportError, Rule};
use crate::json::{Json, decimal_of};
use crate::order_feeds::check_amount;

/// The most messages one feed may carry.
pub const MAX_MESSAGES: usize = 25_000;
/// The largest `messageId` the schema allows.
pub const MAX_MESSAGE_ID: u32 = 2_147_483_647;
/// The longest handling time Amazon accepts, in days.
pub const MAX_HANDLING_DAYS: u32 = 30;
/// The product type for offer-only patches.
pub const OFFER_ONLY_PRODUCT_TYPE: &str = "PRODUCT";

string_enum! {
    /// What the processing report includes beyond acceptance issues (`header.report.includedData`).
    pub enum IncludedData {
        Summaries => "summaries",
        Attributes => "attributes",
        Issues => "issues",
        Offers => "offers",
        FulfillmentAvailability => "fulfillmentAvailability",
        Procurement => "procurement",
        Relationships => "relationships",
        ProductTypes => "productTypes",
    }
}

string_enum! {
    /// A JSON Patch operation of the listings schema.
    pub enum PatchOp {
        Add => "add",
        Replace => "replace",
        Merge => "merge",
        Delete => "delete",
    }
}

/// One JSON Patch operation over a top-level listing attribute.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Patch {
    /// The operation.
    pub op: PatchOp,
    /// `/attributes/<name>`.
    pub path: String,
    value: Vec<Json>,
}

impl Patch {
    /// A patch of `attribute` (snake_case schema name, e.g. `item_name`) with attribute
    /// instances `values` (JSON objects).
    pub fn new(op: PatchOp, attribute: &str, values: Vec<serde_json::Value>) -> Self {
        Self {
            op,
            path: format!("/attributes/{attribute}"),
            value: values.into_iter().map(Json::Raw).collect(),
        }
    }

    /// The attribute the patch touches (`fulfillment_availability`).
    pub fn attribute(&self) -> &str {
        self.path.strip_prefix("/attributes/").unwrap_or(&self.path)
    }

    /// The `value` array as JSON text.
    pub fn value_json(&self) -> String {
        let mut out = String::new();
        Json::Arr(self.value.clone()).write(&mut out);
        out
    }

    fn to_json(&self) -> Json {
        Json::obj([
            ("op", Json::str(self.op.as_str())),
            ("path", Json::str(self.path.clone())),
            ("value", Json::Arr(self.value.clone())),
        ])
    }
}

/// Quantity and handling time of one fulfilment channel of a SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Availability {
    /// `fulfillment_channel_code`: `DEFAULT` for the seller's own fulfilment.
    pub fulfillment_channel_code: String,
    /// Units available.
    pub quantity: u32,
    /// `lead_time_to_ship_max_days` (0 to 30); `None` keeps what Amazon has.
    pub handling_time_days: Option<u32>,
}

impl Availability {
    /// `quantity` units, fulfilled by the seller (`DEFAULT` channel).
    pub fn quantity(quantity: u32) -> Self {
        Self {
            fulfillment_channel_code: "DEFAULT".into(),
            quantity,
            handling_time_days: None,
        }
    }

    /// Sets the handling time in days.
    pub fn handling_time_days(mut self, days: u32) -> Self {
        self.handling_time_days = Some(days);
        self
    }

    /// Sets the fulfilment channel code.
    pub fn channel(mut self, code: impl Into<String>) -> Self {
        self.fulfillment_channel_code = code.into();
        self
    }

    fn to_patch(&self) -> Patch {
        let mut fields = vec![
            (
                "fulfillment_channel_code".to_owned(),
                Json::str(self.fulfillment_channel_code.clone()),
            ),
            ("quantity".to_owned(), Json::Int(i64::from(self.quantity))),
        ];
        if let Some(days) = self.handling_time_days {
            fields.push((
                "lead_time_to_ship_max_days".to_owned(),
                Json::Int(i64::from(days)),
            ));
        }
        Patch {
            op: PatchOp::Merge,
            path: "/attributes/fulfillment_availability".into(),
            value: vec![Json::Obj(fields)],
        }
    }
}

/// The price of a SKU's offer in one marketplace.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OfferPrice {
    /// Marketplace id (`ATVPDKIKX0DER`).
    pub marketplace_id: String,
    /// ISO 4217 currency.
    pub currency: String,
    /// The price buyers pay (`our_price` `value_with_tax`).
    pub amount: Decimal,
    /// Audience selector: `ALL` (default) or `B2B`.
    pub audience: String,
}

impl OfferPrice {
    /// `amount` in `currency` on `marketplace_id`, for all buyers.
    pub fn new(
        marketplace_id: impl Into<String>,
        currency: impl Into<String>,
        amount: Decimal,
    ) -> Self {
        Self {
            marketplace_id: marketplace_id.into(),
            currency: currency.into(),
            amount,
            audience: "ALL".into(),
        }
    }

    /// Sets the audience (`B2B` for business prices).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = audience.into();
        self
    }

    fn to_patch(&self) -> Patch {
        let schedule = Json::obj([(
            "schedule",
            Json::Arr(vec![Json::obj([(
                "value_with_tax",
                Json::Dec(self.amount),
            )])]),
        )]);
        Patch {
            op: PatchOp::Replace,
            path: "/attributes/purchasable_offer".into(),
            value: vec![Json::obj([
                ("marketplace_id", Json::str(self.marketplace_id.clone())),
                ("currency", Json::str(self.currency.clone())),
                ("audience", Json::str(self.audience.clone())),
                ("our_price", Json::Arr(vec![schedule])),
            ])],
        }
    }
}

/// What a message does to its SKU.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ListingsOperation {
    /// `PATCH` with JSON Patch operations.
    Patch {
        /// `productType` (`PRODUCT` for offer-only changes).
        product_type: String,
        /// The operations.
        patches: Vec<Patch>,
    },
    /// `DELETE`: removes the seller's listing (the offer) for the SKU.
    Delete,
}

impl ListingsOperation {
    /// The `operationType`.
    pub fn operation_type(&self) -> &'static str {
        match self {
            ListingsOperation::Patch { .. } => "PATCH",
            ListingsOperation::Delete => "DELETE",
        }
    }
}

/// One message of a listings feed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ListingsMessage {
    /// `messageId`, unique in the feed; the processing report names it.
    pub message_id: u32,
    /// The SKU.
    pub sku: String,
    /// What to do.
    pub operation: ListingsOperation,
}

/// A `JSON_LISTINGS_FEED` document.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ListingsFeed {
    /// `header.sellerId`.
    pub seller_id: String,
    /// `header.issueLocale` (`en_US`).
    pub issue_locale: Option<String>,
    /// `header.report.includedData`: ask the report for post-acceptance issues and item data.
    pub included_data: Vec<IncludedData>,
    /// The messages, in order.
    pub messages: Vec<ListingsMessage>,
}

impl ListingsFeed {
    /// An empty feed for `seller_id`.
    pub fn new(seller_id: impl Into<String>) -> Self {
        Self {
            seller_id: seller_id.into(),
            issue_locale: None,
            included_data: Vec::new(),
            messages: Vec::new(),
        }
    }

    /// Sets the locale of the report's messages.
    pub fn issue_locale(mut self, locale: impl Into<String>) -> Self {
        self.issue_locale = Some(locale.into());
        self
    }

    /// Asks the report to include `data` (with `apiVersion` 2021-08-01), so that it carries
    /// the issues found after acceptance, not only acceptance errors.
    pub fn include(mut self, data: impl IntoIterator<Item = IncludedData>) -> Self {
        for d in data {
            if !self.included_data.contains(&d) {
                self.included_data.push(d);
            }
        }
        self
    }

    fn next_id(&self) -> u32 {
        self.messages
            .iter()
            .map(|m| m.message_id)
            .max()
            .unwrap_or(0)
            .saturating_add(1)
    }

    /// Appends a message for `sku`; returns its `messageId`.
    pub fn push(&mut self, sku: impl Into<String>, operation: ListingsOperation) -> u32 {
        let message_id = self.next_id();
        self.messages.push(ListingsMessage {
            message_id,
            sku: sku.into(),
            operation,
        });
        message_id
    }

    /// Sets quantity (and handling time) of `sku`; returns the `messageId` that carries it.
    ///
    /// An earlier availability message of the same SKU and channel in this feed is updated
    /// instead (merge: the new quantity wins; the handling time is the new one if given,
    /// else the earlier one), and its id is returned.
    pub fn availability(&mut self, sku: impl Into<String>, availability: Availability) -> u32 {
        let sku = sku.into();
        for m in &mut self.messages {
            if m.sku != sku {
                continue;
            }
            let ListingsOperation::Patch { patches, .. } = &mut m.operation else {
                continue;
            };
            let [patch] = patches.as_mut_slice() else {
                continue;
            };
            if patch.op != PatchOp::Merge || patch.attribute() != "fulfillment_availability" {
                continue;
            }
            let Some(earlier) = read_availability(patch) else {
                continue;
            };
            if earlier.fulfillment_channel_code != availability.fulfillment_channel_code {
                continue;
            }
            let merged = Availability {
                handling_time_days: availability
                    .handling_time_days
                    .or(earlier.handling_time_days),
                ..availability
            };
            *patch = merged.to_patch();
            return m.message_id;
        }
        self.push(
            sku,
            ListingsOperation::Patch {
                product_type: OFFER_ONLY_PRODUCT_TYPE.into(),
                patches: vec![availability.to_patch()],
            },
        )
    }

    /// Sets the price of `sku`; returns the `messageId`. An earlier price message of the
    /// same SKU and offer (marketplace, currency, audience) in this feed is replaced.
    pub fn price(&mut self, sku: impl Into<String>, price: OfferPrice) -> u32 {
        let sku = sku.into();
        let patch = price.to_patch();
        for m in &mut self.messages {
            if m.sku != sku {
                continue;
            }
            if let ListingsOperation::Patch { patches, .. } = &mut m.operation {
                if let [earlier] = patches.as_mut_slice() {
                    if earlier.attribute() == "purchasable_offer"
                        && earlier.op == PatchOp::Replace
                        && same_offer(earlier, &patch)
                    {
                        *earlier = patch;
                        return m.message_id;
                    }
                }
            }
        }
        self.push(
            sku,
            ListingsOperation::Patch {
                product_type: OFFER_ONLY_PRODUCT_TYPE.into(),
                patches: vec![patch],
            },
        )
    }

    /// Deletes the seller's listing (offer) for `sku`; returns the `messageId`.
    pub fn delete(&mut self, sku: impl Into<String>) -> u32 {
        self.push(sku, ListingsOperation::Delete)
    }

    /// The message with `message_id`.
    pub fn message(&self, message_id: u32) -> Option<&ListingsMessage> {
        self.messages.iter().find(|m| m.message_id == message_id)
    }

    /// Checks the feed against the schema and the rules above.
    pub fn validate(&self) -> Result<(), BuildError> {
        if self.seller_id.trim().is_empty() {
            return Err(BuildError::new("header.sellerId", Rule::NotEmpty));
        }
        if let Some(locale) = &self.issue_locale {
            let ok = locale.len() == 5
                && locale.as_bytes()[2] == b'_'
                && locale[..2].bytes().all(|b| b.is_ascii_lowercase())
                && locale[3..].bytes().all(|b| b.is_ascii_uppercase());
            if !ok {
                return Err(BuildError::new(
                    "header.issueLocale",
                    Rule::Pattern("a locale such as en_US"),
                ));
            }
        }
        for (i, d) in self.included_data.iter().enumerate() {
            if !d.is_known() {
                return Err(BuildError::new(
                    format!("header.report.includedData[{i}]"),
                    Rule::Enumeration {
                        value: d.to_string(),
                    },
                ));
            }
        }
        if self.messages.is_empty() {
            return Err(BuildError::new("messages", Rule::MinOccurs(1)));
        }
        if self.messages.len() > MAX_MESSAGES {
            return Err(BuildError::new("messages", Rule::MaxOccurs(MAX_MESSAGES)));
        }
        let mut ids = HashSet::new();
        let deleted: HashSet<&str> = self
            .messages
            .iter()
            .filter(|m| m.operation == ListingsOperation::Delete)
            .map(|m| m.sku.as_str())
            .collect();
        let mut seen_deleted = HashSet::new();
        for (i, m) in self.messages.iter().enumerate() {
            let at = format!("messages[{i}]");
            if m.message_id == 0 || m.message_id > MAX_MESSAGE_ID {
                return Err(BuildError::new(
                    format!("{at}.messageId"),
                    Rule::Range {
                        min: 1,
                        max: i64::from(MAX_MESSAGE_ID),
                    },
                ));
            }
            if !ids.insert(m.message_id) {
                return Err(BuildError::new(format!("{at}.messageId"), Rule::Unique));
            }
            if m.sku.is_empty() {
                return Err(BuildError::new(format!("{at}.sku"), Rule::NotEmpty));
            }
            if deleted.contains(m.sku.as_str()) && !seen_deleted.insert(m.sku.as_str()) {
                return Err(BuildError::new(
                    format!("{at}.sku"),
                    Rule::Conflict(format!(
                        "{:?} is deleted in this feed and cannot have another message in it",
                        m.sku
                    )),
                ));
            }
            if let ListingsOperation::Patch {
                product_type,
                patches,
            } = &m.operation
            {
                if product_type.trim().is_empty() {
                    return Err(BuildError::new(format!("{at}.productType"), Rule::NotEmpty));
                }
                if patches.is_empty() {
                    return Err(BuildError::new(format!("{at}.patches"), Rule::MinOccurs(1)));
                }
                for (j, p) in patches.iter().enumerate() {
                    validate_patch(p, &format!("{at}.patches[{j}]"))?;
                }
            }
        }
        Ok(())
    }

    /// Writes the feed as JSON (validated first).
    pub fn to_json(&self) -> Result<String, BuildError> {
        self.validate()?;
        let mut header = vec![
            ("sellerId".to_owned(), Json::str(self.seller_id.clone())),
            ("version".to_owned(), Json::str("2.0")),
        ];
        if let Some(locale) = &self.issue_locale {
            header.push(("issueLocale".to_owned(), Json::str(locale.clone())));
        }
        if !self.included_data.is_empty() {
            header.push((
                "report".to_owned(),
                Json::obj([
                    (
                        "includedData",
                        Json::Arr(
                            self.included_data
                                .iter()
                                .map(|d| Json::str(d.as_str()))
                                .collect(),
                        ),
                    ),
                    ("apiVersion", Json::str("2021-08-01")),
                ]),
            ));
        }
        let messages = self
            .messages
            .iter()
            .map(|m| {
                let mut fields = vec![
                    ("messageId".to_owned(), Json::Int(i64::from(m.message_id))),
                    ("sku".to_owned(), Json::str(m.sku.clone())),
                    (
                        "operationType".to_owned(),
                        Json::str(m.operation.operation_type()),
                    ),
                ];
                if let ListingsOperation::Patch {
                    product_type,
                    patches,
                } = &m.operation
                {
                    fields.push(("productType".to_owned(), Json::str(product_type.clone())));
                    fields.push((
                        "patches".to_owned(),
                        Json::Arr(patches.iter().map(Patch::to_json).collect()),
                    ));
                }
                Json::Obj(fields)
            })
            .collect();
        let doc = Json::obj([
            ("header", Json::Obj(header)),
            ("messages", Json::Arr(messages)),
        ]);
        let mut out = String::new();
        doc.write(&mut out);
        Ok(out)
    }

    /// Reads a feed this crate (or anyone) wrote: the header and the `PATCH` and `DELETE`
    /// messages. Numbers are read back exactly from their text.
    pub fn from_json(text: &str) -> Result<Self, ReportError> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| ReportError::Json {
            path: format!("line {} column {}", e.line(), e.column()),
            message: e.to_string(),
        })?;
        let bad = |path: String, message: &str| ReportError::Json {
            path,
            message: message.to_owned(),
        };
        let header = v
            .get("header")
            .ok_or_else(|| bad("header".into(), "is missing"))?;
        let str_at =
            |v: &serde_json::Value, key: &str, path: &str| -> Result<String, ReportError> {
                v.get(key)
                    .and_then(|s| s.as_str())
                    .map(str::to_owned)
                    .ok_or_else(|| bad(format!("{path}.{key}"), "is missing or not a string"))
            };
        let mut feed = ListingsFeed::new(str_at(header, "sellerId", "header")?);
        feed.issue_locale = header
            .get("issueLocale")
            .and_then(|s| s.as_str())
            .map(str::to_owned);
        if let Some(data) = header
            .get("report")
            .and_then(|r| r.get("includedData"))
            .and_then(|d| d.as_array())
        {
            feed.included_data = data
                .iter()
                .filter_map(|d| d.as_str())
                .map(IncludedData::from)
                .collect();
        }
        let messages = v
            .get("messages")
            .and_then(|m| m.as_array())
            .ok_or_else(|| bad("messages".into(), "is missing or not an array"))?;
        for (i, m) in messages.iter().enumerate() {
            let at = format!("messages[{i}]");
            let message_id = m
                .get("messageId")
                .and_then(|id| id.as_u64())
                .and_then(|id| u32::try_from(id).ok())
                .ok_or_else(|| bad(format!("{at}.messageId"), "is missing or out of range"))?;
            let sku = str_at(m, "sku", &at)?;
            let operation = match str_at(m, "operationType", &at)?.as_str() {
                "DELETE" => ListingsOperation::Delete,
                "PATCH" => {
                    let patches = m
                        .get("patches")
                        .and_then(|p| p.as_array())
                        .ok_or_else(|| bad(format!("{at}.patches"), "is missing"))?
                        .iter()
                        .enumerate()
                        .map(|(j, p)| {
                            let at = format!("{at}.patches[{j}]");
                            let value = match p.get("value") {
                                Some(serde_json::Value::Array(items)) => {
                                    items.iter().map(exact).collect()
                                }
                                Some(_) => {
                                    return Err(bad(format!("{at}.value"), "is not an array"));
                                }
                                None => Vec::new(),
                            };
                            Ok(Patch {
                                op: PatchOp::from(str_at(p, "op", &at)?.as_str()),
                                path: str_at(p, "path", &at)?,
                                value,
                            })
                        })
                        .collect::<Result<_, ReportError>>()?;
                    ListingsOperation::Patch {
                        product_type: str_at(m, "productType", &at)?,
                        patches,
                    }
                }
                other => {
                    return Err(bad(
                        format!("{at}.operationType"),
                        &format!("{other:?} is not read by this crate (PATCH or DELETE)"),
                    ));
                }
            };
            feed.messages.push(ListingsMessage {
                message_id,
                sku,
                operation,
            });
        }
        Ok(feed)
    }

    /// The SKU of each message, for tying a processing report back to the feed.
    pub fn skus_by_message(&self) -> BTreeMap<u32, &str> {
        self.messages
            .iter()
            .map(|m| (m.message_id, m.sku.as_str()))
            .collect()
    }
}

/// A JSON value read back, with numbers that are not integers as exact decimals.
fn exact(v: &serde_json::Value) -> Json {
    match v {
        serde_json::Value::Number(n) => match (n.as_i64(), decimal_of(v)) {
            (Some(i), _) => Json::Int(i),
            (None, Some(d)) => Json::Dec(d),
            (None, None) => Json::Raw(v.clone()),
        },
        serde_json::Value::Bool(b) => Json::Bool(*b),
        serde_json::Value::String(s) => Json::Str(s.clone()),
        serde_json::Value::Array(items) => Json::Arr(items.iter().map(exact).collect()),
        serde_json::Value::Object(map) => {
            Json::Obj(map.iter().map(|(k, v)| (k.clone(), exact(v))).collect())
        }
        serde_json::Value::Null => Json::Raw(serde_json::Value::Null),
    }
}

fn field<'a>(obj: &'a Json, key: &str) -> Option<&'a Json> {
    match obj {
        Json::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn as_text(v: &Json) -> Option<&str> {
    match v {
        Json::Str(s) => Some(s),
        Json::Raw(serde_json::Value::String(s)) => Some(s),
        _ => None,
    }
}

fn as_int(v: &Json) -> Option<i64> {
    match v {
        Json::Int(i) => Some(*i),
        Json::Raw(serde_json::Value::Number(n)) => n.as_i64(),
        _ => None,
    }
}

/// A raw object as our own value, so that fields can be looked up uniformly.
fn normalized(v: &Json) -> Json {
    match v {
        Json::Raw(raw) => exact(raw),
        other => other.clone(),
    }
}

fn read_availability(p: &Patch) -> Option<Availability> {
    let [value] = p.value.as_slice() else {
        return None;
    };
    let value = normalized(value);
    Some(Availability {
        fulfillment_channel_code: as_text(field(&value, "fulfillment_channel_code")?)?.to_owned(),
        quantity: u32::try_from(as_int(field(&value, "quantity")?)?).ok()?,
        handling_time_days: match field(&value, "lead_time_to_ship_max_days") {
            Some(v) => Some(u32::try_from(as_int(v)?).ok()?),
            None => None,
        },
    })
}

fn same_offer(a: &Patch, b: &Patch) -> bool {
    let key = |p: &Patch| -> Option<(String, String, String)> {
        let [value] = p.value.as_slice() else {
            return None;
        };
        let value = normalized(value);
        let get = |k: &str| field(&value, k).and_then(as_text).map(str::to_owned);
        Some((
            get("marketplace_id")?,
            get("currency")?,
            get("audience").unwrap_or_else(|| "ALL".into()),
        ))
    };
    matches!((key(a), key(b)), (Some(x), Some(y)) if x == y)
}

fn validate_patch(p: &Patch, at: &str) -> Result<(), BuildError> {
    if !p.op.is_known() {
        return Err(BuildError::new(
            format!("{at}.op"),
            Rule::Enumeration {
                value: p.op.to_string(),
            },
        ));
    }
    let name = p.path.strip_prefix("/attributes/").unwrap_or(&p.path);
    let ok = name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !ok {
        return Err(BuildError::new(
            format!("{at}.path"),
            Rule::Pattern(
                "/attributes/<name> with a snake_case top-level attribute name (no index, no sub-path)",
            ),
        ));
    }
    if p.value.is_empty() {
        return Err(BuildError::new(format!("{at}.value"), Rule::MinOccurs(1)));
    }
    for (k, v) in p.value.iter().enumerate() {
        let v = normalized(v);
        let vat = format!("{at}.value[{k}]");
        if !matches!(v, Json::Obj(_)) {
            return Err(BuildError::new(
                vat,
                Rule::Pattern("a JSON object (an attribute instance)"),
            ));
        }
        match name {
            "fulfillment_availability" => validate_availability(&v, &vat, &p.op)?,
            "purchasable_offer" => validate_offer(&v, &vat)?,
            _ => {}
        }
    }
    Ok(())
}

fn validate_availability(v: &Json, at: &str, op: &PatchOp) -> Result<(), BuildError> {
    match field(v, "fulfillment_channel_code").and_then(as_text) {
        Some(code) if !code.trim().is_empty() => {}
        _ => {
            return Err(BuildError::new(
                format!("{at}.fulfillment_channel_code"),
                Rule::Required,
            ));
        }
    }
    if let Some(q) = field(v, "quantity") {
        if as_int(q).is_none_or(|q| u32::try_from(q).is_err()) {
            return Err(BuildError::new(
                format!("{at}.quantity"),
                Rule::Range {
                    min: 0,
                    max: i64::from(u32::MAX),
                },
            ));
        }
    }
    let days_ok =
        |d: &Json| as_int(d).is_some_and(|d| (0..=i64::from(MAX_HANDLING_DAYS)).contains(&d));
    match field(v, "lead_time_to_ship_max_days") {
        Some(d) if !days_ok(d) => {
            return Err(BuildError::new(
                format!("{at}.lead_time_to_ship_max_days"),
                Rule::Range {
                    min: 0,
                    max: i64::from(MAX_HANDLING_DAYS),
                },
            ));
        }
        Some(_) => {}
        None if *op == PatchOp::Replace => {
            return Err(BuildError::new(
                format!("{at}.lead_time_to_ship_max_days"),
                Rule::Conflict(
                    "is required in a replace of fulfillment_availability (a replace without it \
                     resets the handling time; use merge)"
                        .into(),
                ),
            ));
        }
        None => {}
    }
    Ok(())
}

fn validate_offer(v: &Json, at: &str) -> Result<(), BuildError> {
    for key in ["marketplace_id", "currency"] {
        match field(v, key).and_then(as_text) {
            Some(s) if !s.trim().is_empty() => {}
            _ => return Err(BuildError::new(format!("{at}.{key}"), Rule::Required)),
        }
    }
    if let Some(c) = field(v, "currency").and_then(as_text) {
        if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(BuildError::new(
                format!("{at}.currency"),
                Rule::Pattern("an ISO 4217 currency code (three capital letters)"),
            ));
        }
    }
    if let Some(Json::Arr(prices)) = field(v, "our_price") {
        for (i, p) in prices.iter().enumerate() {
            if let Some(Json::Arr(schedule)) = field(p, "schedule") {
                for (j, s) in schedule.iter().enumerate() {
                    let path = format!("{at}.our_price[{i}].schedule[{j}].value_with_tax");
                    let amount = match field(s, "value_with_tax") {
                        Some(Json::Dec(d)) => *d,
                        Some(Json::Int(n)) => Decimal::from(*n),
                        _ => return Err(BuildError::new(path, Rule::Required)),
                    };
                    check_amount(amount, &path)?;
                    if amount <= Decimal::ZERO {
                        return Err(BuildError::new(path, Rule::Positive));
                    }
                }
            }
        }
    }
    Ok(())
}
