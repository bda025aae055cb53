//! Listings Items 2021-08-01: `getListingsItem`, `putListingsItem`, `patchListingsItem`
//! (JSON Patch over attributes such as `fulfillment_availability` and
//! `purchasable_offer`), `deleteListingsItem`, with `mode=VALIDATION_PREVIEW` and the
//! issues typed.
//!
//! **Limits.** Besides the per-seller limits of the model (get and put 5/s burst 10,
//! patch and delete 5/s burst 5), Listings caps each *application* across all of its
//! sellers: get, put and delete 100/s, patch 500/s, `VALIDATION_PREVIEW` 20/s, patches
//! touching variation relationships 5/s (put 25/s) and product data 100/s. The client
//! draws every call from its per-seller bucket and from the application buckets that
//! apply ([`ApplicationLimit`]); `x-amzn-RateLimit-Limit` never shows the application
//! limits, so a 429 is read for the limit it names ("... allowed for the application.",
//! "... for relationships.", "... for product data.": [`ThrottleScope`]) and slows down
//! that bucket. Share one [`RateLimiter`](crate::RateLimiter) between the clients of all
//! sellers of an application so that they share the application buckets.
//!
//! **SKUs** are percent-encoded in the path (every reserved character, `/` as `%2F`).

use crate::client::Client;
use crate::error::{Error, Result};
use crate::operation::{
    ApplicationLimit, Method, Operation, OperationInfo, RequestContext, RequestParts,
    ThrottleScope, decode_json, encode_component,
};
use crate::rate_limit::RateLimit;
use crate::serde_util::open_enum;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use serde_with::{DefaultOnNull, serde_as};

/// `getListingsItem`: 5 requests/s, burst 10 per seller.
pub const GET_LISTINGS_ITEM: OperationInfo = OperationInfo::new("getListingsItem", 5.0, 10, true);
/// `putListingsItem`: 5 / 10 per seller (a full replacement: safe to repeat).
pub const PUT_LISTINGS_ITEM: OperationInfo = OperationInfo::new("putListingsItem", 5.0, 10, true);
/// `patchListingsItem`: 5 / 5 per seller. Not repeated after an ambiguous failure (an
/// `add` applied twice is not the same as once).
pub const PATCH_LISTINGS_ITEM: OperationInfo =
    OperationInfo::new("patchListingsItem", 5.0, 5, false);
/// `deleteListingsItem`: 5 / 5 per seller.
pub const DELETE_LISTINGS_ITEM: OperationInfo =
    OperationInfo::new("deleteListingsItem", 5.0, 5, true);

/// Every Listings Items operation.
pub const OPERATIONS: &[&OperationInfo] = &[
    &GET_LISTINGS_ITEM,
    &PUT_LISTINGS_ITEM,
    &PATCH_LISTINGS_ITEM,
    &DELETE_LISTINGS_ITEM,
];

const fn app(name: &'static str, scope: ThrottleScope, rate: f64, burst: u32) -> ApplicationLimit {
    ApplicationLimit {
        name,
        scope,
        limit: RateLimit { rate, burst },
    }
}

/// Application-wide limit of `getListingsItem`.
pub const APP_GET: ApplicationLimit =
    app("getListingsItem", ThrottleScope::Application, 100.0, 100);
/// Application-wide limit of `putListingsItem`.
pub const APP_PUT: ApplicationLimit =
    app("putListingsItem", ThrottleScope::Application, 100.0, 100);
/// Application-wide limit of `patchListingsItem`.
pub const APP_PATCH: ApplicationLimit =
    app("patchListingsItem", ThrottleScope::Application, 500.0, 500);
/// Application-wide limit of `deleteListingsItem`.
pub const APP_DELETE: ApplicationLimit =
    app("deleteListingsItem", ThrottleScope::Application, 100.0, 100);
/// Application-wide limit of `VALIDATION_PREVIEW` requests.
pub const APP_PREVIEW: ApplicationLimit = app(
    "listings:validationPreview",
    ThrottleScope::Application,
    20.0,
    20,
);
/// Application-wide limit of patches touching variation relationships.
pub const APP_PATCH_RELATIONSHIPS: ApplicationLimit = app(
    "listings:patchRelationships",
    ThrottleScope::Relationships,
    5.0,
    5,
);
/// Application-wide limit of puts with variation relationships.
pub const APP_PUT_RELATIONSHIPS: ApplicationLimit = app(
    "listings:putRelationships",
    ThrottleScope::Relationships,
    25.0,
    25,
);
/// Application-wide limit of patches touching product data.
pub const APP_PRODUCT_DATA: ApplicationLimit = app(
    "listings:productData",
    ThrottleScope::ProductData,
    100.0,
    100,
);

/// Attributes that describe variation relationships.
const RELATIONSHIP_ATTRIBUTES: &[&str] = &[
    "child_parent_sku_relationship",
    "parentage_level",
    "variation_theme",
];

/// Offer-level attributes (everything else is product data).
const OFFER_ATTRIBUTES: &[&str] = &[
    "fulfillment_availability",
    "purchasable_offer",
    "condition_type",
    "condition_note",
    "merchant_shipping_group",
    "list_price",
    "skip_offer",
    "merchant_release_date",
    "main_offer_image_locator",
    "max_order_quantity",
];

open_enum! {
    /// Datasets of `getListingsItem` (`includedData`).
    pub enum IncludedData {
        /// Summary per marketplace (default).
        Summaries => "summaries",
        /// The attributes as JSON.
        Attributes => "attributes",
        /// Issues.
        Issues => "issues",
        /// Offers.
        Offers => "offers",
        /// Effective fulfilment availability.
        FulfillmentAvailability => "fulfillmentAvailability",
        /// Vendor procurement.
        Procurement => "procurement",
        /// Variation relationships.
        Relationships => "relationships",
        /// Product types.
        ProductTypes => "productTypes",
    }
}

open_enum! {
    /// Datasets of a submission response (`includedData` of put and patch).
    pub enum SubmissionData {
        /// The item's identifiers.
        Identifiers => "identifiers",
        /// Issues (default).
        Issues => "issues",
    }
}

open_enum! {
    /// Status of a submission.
    pub enum SubmissionStatus {
        /// Queued for processing (not yet applied: issues may surface later).
        Accepted => "ACCEPTED",
        /// Refused; see the issues.
        Invalid => "INVALID",
        /// `VALIDATION_PREVIEW` found no problem (not a guarantee the real one passes).
        Valid => "VALID",
    }
}

open_enum! {
    /// Severity of an issue.
    pub enum IssueSeverity {
        /// Blocks the listing or the change.
        Error => "ERROR",
        /// Does not block.
        Warning => "WARNING",
        /// Information.
        Info => "INFO",
    }
}

open_enum! {
    /// JSON Patch operation of `patchListingsItem`.
    pub enum PatchOp {
        /// Adds values.
        Add => "add",
        /// Replaces the attribute's values.
        Replace => "replace",
        /// Merges into the instance its selectors name (keeps other sub-fields).
        Merge => "merge",
        /// Deletes values (name their selectors).
        Delete => "delete",
    }
}

/// One issue about a listing or a submission.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Issue {
    /// Amazon's issue code (e.g. `90220`, `4000003`).
    pub code: String,
    /// Message in `issueLocale`.
    pub message: String,
    /// Severity.
    pub severity: IssueSeverity,
    /// Attributes the issue is about.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub attribute_names: Vec<String>,
    /// Categories (e.g. `INVALID_ATTRIBUTE`, `MISSING_ATTRIBUTE`).
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub categories: Vec<String>,
    /// Enforcement actions, when Amazon took some.
    #[serde(default)]
    pub enforcements: Option<Value>,
    /// Marketplaces the issue applies to.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub marketplace_ids: Vec<String>,
}

/// Answer of put, patch and delete.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubmissionResponse {
    /// The SKU.
    pub sku: String,
    /// `ACCEPTED`, `INVALID` or (preview) `VALID`.
    pub status: SubmissionStatus,
    /// A support reference (no API looks it up).
    pub submission_id: String,
    /// Issues found.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub issues: Vec<Issue>,
    /// Identifiers per marketplace, when asked.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub identifiers: Vec<ItemIdentifiers>,
}

impl SubmissionResponse {
    /// Issues of severity `ERROR`.
    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues
            .iter()
            .filter(|i| i.severity == IssueSeverity::Error)
    }
}

/// Identifiers of an item in one marketplace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemIdentifiers {
    /// Marketplace.
    #[serde(default)]
    pub marketplace_id: Option<String>,
    /// ASIN.
    #[serde(default)]
    pub asin: Option<String>,
}

/// Summary of an item in one marketplace.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemSummary {
    /// Marketplace.
    pub marketplace_id: String,
    /// ASIN.
    #[serde(default)]
    pub asin: Option<String>,
    /// Product type (use it in put and patch).
    pub product_type: String,
    /// Condition.
    #[serde(default)]
    pub condition_type: Option<String>,
    /// `BUYABLE`, `DISCOVERABLE`.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub status: Vec<String>,
    /// FNSKU.
    #[serde(default)]
    pub fn_sku: Option<String>,
    /// Item name.
    #[serde(default)]
    pub item_name: Option<String>,
    /// Created.
    #[serde(with = "crate::serde_util::timestamp")]
    pub created_date: time::OffsetDateTime,
    /// Last updated.
    #[serde(with = "crate::serde_util::timestamp")]
    pub last_updated_date: time::OffsetDateTime,
}

/// Money of Listings (`amount` is a decimal string or number, kept exact).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListingsMoney {
    /// ISO 4217 currency.
    pub currency_code: String,
    /// Amount.
    #[serde(with = "crate::serde_util::decimal")]
    pub amount: Decimal,
}

/// An offer of the item in one marketplace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemOffer {
    /// Marketplace.
    pub marketplace_id: String,
    /// `B2C` or `B2B`.
    pub offer_type: String,
    /// Price.
    pub price: ListingsMoney,
}

/// Effective fulfilment availability.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FulfillmentAvailability {
    /// `DEFAULT` for the seller's own fulfilment, e.g. `AMAZON_NA` for FBA.
    pub fulfillment_channel_code: String,
    /// Quantity available.
    #[serde(default)]
    pub quantity: Option<u64>,
}

/// A listings item (`getListingsItem`).
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Item {
    /// The SKU.
    pub sku: String,
    /// Summaries per marketplace.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub summaries: Vec<ItemSummary>,
    /// Attributes as JSON, by attribute name.
    #[serde(default)]
    pub attributes: Map<String, Value>,
    /// Issues.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub issues: Vec<Issue>,
    /// Offers.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub offers: Vec<ItemOffer>,
    /// Effective fulfilment availability (may differ from the `attributes` echo).
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub fulfillment_availability: Vec<FulfillmentAvailability>,
    /// Procurement, relationships and product types, as JSON.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One JSON Patch operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PatchOperation {
    /// The operation.
    pub op: PatchOp,
    /// `/attributes/<name>` (top-level attributes only; Amazon rejects index paths).
    pub path: String,
    /// The attribute instances (an array, as Amazon requires; absent for some deletes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Vec<Value>>,
}

impl PatchOperation {
    /// An operation on a top-level attribute.
    pub fn new(op: PatchOp, attribute: &str, value: Option<Vec<Value>>) -> Self {
        PatchOperation {
            op,
            path: format!("/attributes/{attribute}"),
            value,
        }
    }

    /// The attribute this operation touches.
    pub fn attribute(&self) -> &str {
        let p = self.path.strip_prefix("/attributes/").unwrap_or(&self.path);
        p.split('/').next().unwrap_or(p)
    }

    /// Quantity (and handling time) as a `merge` of `fulfillment_availability` for
    /// `channel` (`DEFAULT` for the seller's own fulfilment): a merge keeps the
    /// sub-fields not sent, where a `replace` with a partial element wipes them. Handling
    /// time is 0 to 30 days.
    pub fn availability(
        channel: &str,
        quantity: u32,
        handling_time_days: Option<u32>,
    ) -> Result<Self> {
        if channel.trim().is_empty() {
            return Err(Error::InvalidRequest(
                "fulfillment_channel_code must not be empty".into(),
            ));
        }
        let mut v = json!({"fulfillment_channel_code": channel, "quantity": quantity});
        if let Some(d) = handling_time_days {
            if d > 30 {
                return Err(Error::InvalidRequest(format!(
                    "lead_time_to_ship_max_days is {d}, Amazon allows 0 to 30"
                )));
            }
            v["lead_time_to_ship_max_days"] = json!(d);
        }
        Ok(Self::new(
            PatchOp::Merge,
            "fulfillment_availability",
            Some(vec![v]),
        ))
    }

    /// The price buyers pay as a `replace` of the `purchasable_offer` instance selected
    /// by marketplace, currency and audience (`ALL`, or `B2B`). An amount with more than
    /// two decimals is refused, never rounded.
    pub fn price(
        marketplace_id: &str,
        currency: &str,
        amount: Decimal,
        audience: &str,
    ) -> Result<Self> {
        let number = exact_json_number(amount)?;
        Ok(Self::new(
            PatchOp::Replace,
            "purchasable_offer",
            Some(vec![json!({
                "marketplace_id": marketplace_id,
                "currency": currency,
                "audience": audience,
                "our_price": [{"schedule": [{"value_with_tax": number}]}],
            })]),
        ))
    }
}

/// A money amount as a JSON number whose text is exactly the decimal's: at most two
/// decimals and 15 significant digits, where the shortest round-trip form of the nearest
/// binary number is the decimal itself (checked, never assumed).
fn exact_json_number(amount: Decimal) -> Result<Value> {
    let n = amount.normalize();
    if n.scale() > 2 {
        return Err(Error::InvalidRequest(format!(
            "price {amount} has more than two decimals"
        )));
    }
    let text = n.to_string();
    let number = text
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .filter(|num| num.to_string().parse::<Decimal>().ok() == Some(n))
        .ok_or_else(|| {
            Error::InvalidRequest(format!("price {amount} cannot be written exactly"))
        })?;
    Ok(Value::Number(number))
}

/// Body of `patchListingsItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PatchRequest {
    /// Product type (`PRODUCT` serves offer-only patches).
    pub product_type: String,
    /// The operations (at least one).
    pub patches: Vec<PatchOperation>,
}

/// Body of `putListingsItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PutRequest {
    /// Product type.
    pub product_type: String,
    /// `LISTING`, `LISTING_PRODUCT_ONLY` or `LISTING_OFFER_ONLY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements: Option<String>,
    /// All attributes, by name.
    pub attributes: Map<String, Value>,
}

/// Parameters every Listings Items call shares.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemRef {
    /// The selling partner id.
    pub seller_id: String,
    /// The SKU (encoded by the client).
    pub sku: String,
    /// `marketplaceIds` (exactly one for put and delete).
    pub marketplace_ids: Vec<String>,
    /// `issueLocale` (e.g. `en_US`).
    pub issue_locale: Option<String>,
}

impl ItemRef {
    /// The item `sku` of `seller_id` in these marketplaces.
    pub fn new<I, S>(
        seller_id: impl Into<String>,
        sku: impl Into<String>,
        marketplace_ids: I,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ItemRef {
            seller_id: seller_id.into(),
            sku: sku.into(),
            marketplace_ids: marketplace_ids.into_iter().map(Into::into).collect(),
            issue_locale: None,
        }
    }

    /// `issueLocale`.
    pub fn issue_locale(mut self, locale: impl Into<String>) -> Self {
        self.issue_locale = Some(locale.into());
        self
    }

    fn parts(
        &self,
        op: &str,
        method: Method,
        max_marketplaces: Option<usize>,
    ) -> Result<RequestParts> {
        let bad = |m: String| Err(Error::InvalidRequest(format!("{op}: {m}")));
        if self.seller_id.trim().is_empty() {
            return bad("sellerId is empty".into());
        }
        if self.sku.is_empty() {
            return bad("sku is empty".into());
        }
        if self.marketplace_ids.is_empty() {
            return bad("marketplaceIds is required".into());
        }
        if let Some(max) = max_marketplaces {
            if self.marketplace_ids.len() > max {
                return bad(format!("at most {max} marketplaceIds"));
            }
        }
        let mut p = RequestParts::get(format!(
            "/listings/2021-08-01/items/{}/{}",
            encode_component(&self.seller_id),
            encode_component(&self.sku)
        ))
        .query_csv("marketplaceIds", &self.marketplace_ids);
        p.method = method;
        Ok(p)
    }
}

/// `getListingsItem`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetListingsItem {
    /// The item.
    pub item: ItemRef,
    /// `includedData` (Amazon's default: summaries).
    pub included_data: Vec<IncludedData>,
}

impl GetListingsItem {
    /// `item` with these datasets.
    pub fn new(item: ItemRef, included_data: Vec<IncludedData>) -> Self {
        GetListingsItem {
            item,
            included_data,
        }
    }
}

impl Operation for GetListingsItem {
    type Output = Item;

    fn info(&self) -> &'static OperationInfo {
        &GET_LISTINGS_ITEM
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        let included: Vec<&str> = self
            .included_data
            .iter()
            .map(IncludedData::as_str)
            .collect();
        Ok(self
            .item
            .parts(GET_LISTINGS_ITEM.name, Method::Get, None)?
            .query_opt("issueLocale", self.item.issue_locale.clone())
            .query_csv("includedData", &included))
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<Item> {
        decode_json(GET_LISTINGS_ITEM.name, body)
    }

    fn application_limits(&self) -> Vec<ApplicationLimit> {
        vec![APP_GET]
    }
}

/// `putListingsItem` (creates or fully replaces the item).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct PutListingsItem {
    /// The item (one marketplace).
    pub item: ItemRef,
    /// The body.
    pub body: PutRequest,
    /// `includedData`.
    pub included_data: Vec<SubmissionData>,
    /// `mode=VALIDATION_PREVIEW`: validate without applying.
    pub validation_preview: bool,
}

impl Operation for PutListingsItem {
    type Output = SubmissionResponse;

    fn info(&self) -> &'static OperationInfo {
        &PUT_LISTINGS_ITEM
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        if self.body.product_type.trim().is_empty() {
            return Err(Error::InvalidRequest(
                "putListingsItem: productType is empty".into(),
            ));
        }
        let mut p = submission_query(
            self.item
                .parts(PUT_LISTINGS_ITEM.name, Method::Put, Some(1))?,
            &self.item,
            &self.included_data,
            self.validation_preview,
        );
        p.body = Some(
            serde_json::to_value(&self.body).map_err(|e| Error::InvalidRequest(e.to_string()))?,
        );
        Ok(p)
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<SubmissionResponse> {
        decode_json(PUT_LISTINGS_ITEM.name, body)
    }

    fn application_limits(&self) -> Vec<ApplicationLimit> {
        let mut v = vec![APP_PUT];
        if self.validation_preview {
            v.push(APP_PREVIEW);
        }
        if self
            .body
            .attributes
            .keys()
            .any(|a| RELATIONSHIP_ATTRIBUTES.contains(&a.as_str()))
        {
            v.push(APP_PUT_RELATIONSHIPS);
        }
        v
    }
}

impl PutListingsItem {
    /// Puts `attributes` of `product_type` as `item` (one marketplace).
    pub fn new(
        item: ItemRef,
        product_type: impl Into<String>,
        attributes: Map<String, Value>,
    ) -> Self {
        PutListingsItem {
            item,
            body: PutRequest {
                product_type: product_type.into(),
                requirements: None,
                attributes,
            },
            included_data: Vec::new(),
            validation_preview: false,
        }
    }

    /// `requirements` (`LISTING`, `LISTING_PRODUCT_ONLY`, `LISTING_OFFER_ONLY`).
    pub fn requirements(mut self, requirements: impl Into<String>) -> Self {
        self.body.requirements = Some(requirements.into());
        self
    }

    /// Validate only (`mode=VALIDATION_PREVIEW`).
    pub fn validation_preview(mut self, preview: bool) -> Self {
        self.validation_preview = preview;
        self
    }

    /// `includedData`.
    pub fn included_data(mut self, data: Vec<SubmissionData>) -> Self {
        self.included_data = data;
        self
    }
}

/// `patchListingsItem`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct PatchListingsItem {
    /// The item.
    pub item: ItemRef,
    /// The body.
    pub body: PatchRequest,
    /// `includedData`.
    pub included_data: Vec<SubmissionData>,
    /// `mode=VALIDATION_PREVIEW`: validate without applying.
    pub validation_preview: bool,
}

impl PatchListingsItem {
    /// Patches `patches` of `product_type` onto `item`.
    pub fn new(
        item: ItemRef,
        product_type: impl Into<String>,
        patches: Vec<PatchOperation>,
    ) -> Self {
        PatchListingsItem {
            item,
            body: PatchRequest {
                product_type: product_type.into(),
                patches,
            },
            included_data: Vec::new(),
            validation_preview: false,
        }
    }

    /// Validate only (`mode=VALIDATION_PREVIEW`).
    pub fn validation_preview(mut self, preview: bool) -> Self {
        self.validation_preview = preview;
        self
    }

    /// `includedData`.
    pub fn included_data(mut self, data: Vec<SubmissionData>) -> Self {
        self.included_data = data;
        self
    }
}

fn submission_query(
    p: RequestParts,
    item: &ItemRef,
    included: &[SubmissionData],
    preview: bool,
) -> RequestParts {
    let included: Vec<&str> = included.iter().map(SubmissionData::as_str).collect();
    p.query_csv("includedData", &included)
        .query_opt("mode", preview.then_some("VALIDATION_PREVIEW"))
        .query_opt("issueLocale", item.issue_locale.clone())
}

impl Operation for PatchListingsItem {
    type Output = SubmissionResponse;

    fn info(&self) -> &'static OperationInfo {
        &PATCH_LISTINGS_ITEM
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        let bad = |m: String| Err(Error::InvalidRequest(format!("patchListingsItem: {m}")));
        if self.body.product_type.trim().is_empty() {
            return bad("productType is empty".into());
        }
        if self.body.patches.is_empty() {
            return bad("at least one patch is required".into());
        }
        for (i, p) in self.body.patches.iter().enumerate() {
            let rest = p.path.strip_prefix("/attributes/").unwrap_or(&p.path);
            if rest.is_empty() || rest.contains('/') {
                return bad(format!(
                    "patches[{i}].path {:?}: only top-level attributes (/attributes/<name>) can be patched",
                    p.path
                ));
            }
            if p.op != PatchOp::Delete && p.value.is_none() {
                return bad(format!("patches[{i}]: value is required for {}", p.op));
            }
        }
        let mut p = submission_query(
            self.item
                .parts(PATCH_LISTINGS_ITEM.name, Method::Patch, None)?,
            &self.item,
            &self.included_data,
            self.validation_preview,
        );
        p.body = Some(
            serde_json::to_value(&self.body).map_err(|e| Error::InvalidRequest(e.to_string()))?,
        );
        Ok(p)
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<SubmissionResponse> {
        decode_json(PATCH_LISTINGS_ITEM.name, body)
    }

    fn application_limits(&self) -> Vec<ApplicationLimit> {
        let mut v = vec![APP_PATCH];
        if self.validation_preview {
            v.push(APP_PREVIEW);
        }
        let attrs: Vec<&str> = self
            .body
            .patches
            .iter()
            .map(PatchOperation::attribute)
            .collect();
        if attrs.iter().any(|a| RELATIONSHIP_ATTRIBUTES.contains(a)) {
            v.push(APP_PATCH_RELATIONSHIPS);
        }
        if attrs
            .iter()
            .any(|a| !RELATIONSHIP_ATTRIBUTES.contains(a) && !OFFER_ATTRIBUTES.contains(a))
        {
            v.push(APP_PRODUCT_DATA);
        }
        v
    }
}

/// `deleteListingsItem`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteListingsItem {
    /// The item (one marketplace).
    pub item: ItemRef,
}

impl Operation for DeleteListingsItem {
    type Output = SubmissionResponse;

    fn info(&self) -> &'static OperationInfo {
        &DELETE_LISTINGS_ITEM
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        Ok(self
            .item
            .parts(DELETE_LISTINGS_ITEM.name, Method::Delete, Some(1))?
            .query_opt("issueLocale", self.item.issue_locale.clone()))
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<SubmissionResponse> {
        decode_json(DELETE_LISTINGS_ITEM.name, body)
    }

    fn application_limits(&self) -> Vec<ApplicationLimit> {
        vec![APP_DELETE]
    }
}

/// The Listings Items API, from [`Client::listings`].
#[derive(Clone, Debug)]
pub struct ListingsApi {
    pub(crate) client: Client,
}

impl ListingsApi {
    /// `getListingsItem` with these datasets.
    pub async fn get_listings_item(
        &self,
        item: ItemRef,
        included_data: Vec<IncludedData>,
    ) -> Result<Item> {
        self.client
            .execute(&GetListingsItem {
                item,
                included_data,
            })
            .await
    }

    /// `putListingsItem`.
    pub async fn put_listings_item(&self, request: PutListingsItem) -> Result<SubmissionResponse> {
        self.client.execute(&request).await
    }

    /// `patchListingsItem` (see [`PatchOperation::availability`] and
    /// [`PatchOperation::price`]).
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::listings::{ItemRef, PatchListingsItem, PatchOperation, SubmissionStatus};
    /// let item = ItemRef::new("A1SELLER", "SKU-1/red", ["ATVPDKIKX0DER"]);
    /// let patch = PatchListingsItem::new(
    ///     item,
    ///     "PRODUCT",
    ///     vec![PatchOperation::availability("DEFAULT", 7, Some(2))?],
    /// );
    /// let preview = client.listings().patch_listings_item(patch.clone().validation_preview(true)).await?;
    /// if preview.status == SubmissionStatus::Valid {
    ///     client.listings().patch_listings_item(patch).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn patch_listings_item(
        &self,
        request: PatchListingsItem,
    ) -> Result<SubmissionResponse> {
        self.client.execute(&request).await
    }

    /// `deleteListingsItem`.
    pub async fn delete_listings_item(&self, item: ItemRef) -> Result<SubmissionResponse> {
        self.client.execute(&DeleteListingsItem { item }).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> RequestContext {
        RequestContext {
            now: time::macros::datetime!(2026-03-01 12:00 UTC),
        }
    }

    #[test]
    fn prices_are_exact_or_refused() {
        let p = PatchOperation::price("ATVPDKIKX0DER", "USD", Decimal::new(1999, 2), "ALL")
            .expect("price");
        let v = serde_json::to_string(&p).expect("json");
        assert!(v.contains(r#""value_with_tax":19.99"#), "{v}");
        assert!(PatchOperation::price("X", "USD", Decimal::new(19999, 3), "ALL").is_err());
        // Trailing zeros are not extra decimals.
        assert!(PatchOperation::price("X", "USD", Decimal::new(19900, 3), "ALL").is_ok());
    }

    #[test]
    fn availability_is_a_merge_with_a_channel() {
        let p = PatchOperation::availability("DEFAULT", 5, Some(3)).expect("patch");
        assert_eq!(p.op, PatchOp::Merge);
        assert_eq!(p.path, "/attributes/fulfillment_availability");
        assert!(PatchOperation::availability(" ", 5, None).is_err());
        assert!(PatchOperation::availability("DEFAULT", 5, Some(31)).is_err());
    }

    #[test]
    fn application_buckets_follow_the_request() {
        let item = ItemRef::new("S", "K", ["M"]);
        let offer = PatchListingsItem::new(
            item.clone(),
            "PRODUCT",
            vec![PatchOperation::availability("DEFAULT", 1, None).expect("p")],
        );
        assert_eq!(offer.application_limits(), vec![APP_PATCH]);
        let preview = offer.clone().validation_preview(true);
        assert_eq!(preview.application_limits(), vec![APP_PATCH, APP_PREVIEW]);
        let name = PatchListingsItem::new(
            item.clone(),
            "SHIRT",
            vec![PatchOperation::new(
                PatchOp::Replace,
                "item_name",
                Some(vec![json!({"value": "x"})]),
            )],
        );
        assert_eq!(name.application_limits(), vec![APP_PATCH, APP_PRODUCT_DATA]);
        let rel = PatchListingsItem::new(
            item,
            "SHIRT",
            vec![PatchOperation::new(
                PatchOp::Replace,
                "variation_theme",
                Some(vec![json!({"name": "SIZE"})]),
            )],
        );
        assert_eq!(
            rel.application_limits(),
            vec![APP_PATCH, APP_PATCH_RELATIONSHIPS]
        );
    }

    #[test]
    fn index_paths_and_missing_values_are_refused() {
        let item = ItemRef::new("S", "K", ["M"]);
        let mut p = PatchListingsItem::new(
            item.clone(),
            "PRODUCT",
            vec![PatchOperation::availability("DEFAULT", 1, None).expect("p")],
        );
        p.body.patches[0].path = "/attributes/purchasable_offer/0".into();
        assert!(p.to_request(&ctx()).is_err());
        let no_value = PatchListingsItem::new(
            item,
            "PRODUCT",
            vec![PatchOperation::new(PatchOp::Replace, "item_name", None)],
        );
        assert!(no_value.to_request(&ctx()).is_err());
    }

    #[test]
    fn throttle_messages_name_their_limit() {
        assert_eq!(
            ThrottleScope::from_message(
                "You exceeded your quota for the requested resource allowed for the application."
            ),
            Some(ThrottleScope::Application)
        );
        assert_eq!(
            ThrottleScope::from_message("Request rate exceeded for relationships."),
            Some(ThrottleScope::Relationships)
        );
        assert_eq!(
            ThrottleScope::from_message("Request rate exceeded for product data"),
            Some(ThrottleScope::ProductData)
        );
        assert_eq!(
            ThrottleScope::from_message("You exceeded your quota for the requested resource."),
            None
        );
    }
}
