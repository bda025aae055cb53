//! Orders API v0.
//!
//! **Deprecation:** on 2026-02-25 Amazon marked the six read operations — `getOrders`,
//! `getOrder`, `getOrderBuyerInfo`, `getOrderAddress`, `getOrderItems`,
//! `getOrderItemsBuyerInfo` — deprecated, to be removed on 2027-03-27; use
//! [`orders_v2026`](crate::orders_v2026) for reads. The write and regulated-order operations
//! (`confirmShipment`, `updateShipmentStatus`, `getOrderRegulatedInfo`,
//! `updateVerificationStatus`) are current and have no v2026 equivalent.
//!
//! **PII:** operations that return buyer info or addresses need a restricted data token.
//! Ask for it with [`GetOrdersRequest::data_elements`], [`GetOrder::data_elements`] or
//! [`GetOrderItems::data_elements`]; [`GetOrderAddress`], [`GetOrderBuyerInfo`] and
//! [`GetOrderItemsBuyerInfo`] use one by default. The client fetches and caches the RDT.
//!
//! **Before bounds:** `CreatedBefore` / `LastUpdatedBefore` later than two minutes before
//! now (by the client's [`Clock`](crate::Clock)) are clamped to now − 2 min, because Amazon
//! rejects later values. Raw [`DateParam::Raw`] values are never clamped.

mod model;

pub use model::*;

use crate::client::Client;
use crate::error::{ApiError, ApiFailure, Error, Result};
use crate::operation::{
    Method, Operation, OperationInfo, RequestContext, RequestParts, decode_json, encode_component,
};
use crate::pagination::{Listing, ListingPosition, PageOf};
use crate::tokens::{DataElement, RestrictedResource};
use futures::{Stream, TryStreamExt};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

/// `getOrders` (deprecated): 0.0167 requests/s, burst 20.
pub const GET_ORDERS: OperationInfo = OperationInfo::new("getOrders", 0.0167, 20, true);
/// `getOrder` (deprecated): 0.5 / 30.
pub const GET_ORDER: OperationInfo = OperationInfo::new("getOrder", 0.5, 30, true);
/// `getOrderBuyerInfo` (deprecated): 0.5 / 30.
pub const GET_ORDER_BUYER_INFO: OperationInfo =
    OperationInfo::new("getOrderBuyerInfo", 0.5, 30, true);
/// `getOrderAddress` (deprecated): 0.5 / 30.
pub const GET_ORDER_ADDRESS: OperationInfo = OperationInfo::new("getOrderAddress", 0.5, 30, true);
/// `getOrderItems` (deprecated): 0.5 / 30.
pub const GET_ORDER_ITEMS: OperationInfo = OperationInfo::new("getOrderItems", 0.5, 30, true);
/// `getOrderItemsBuyerInfo` (deprecated): 0.5 / 30.
pub const GET_ORDER_ITEMS_BUYER_INFO: OperationInfo =
    OperationInfo::new("getOrderItemsBuyerInfo", 0.5, 30, true);
/// `updateShipmentStatus`: 5 / 15. Not retried after ambiguous failures.
pub const UPDATE_SHIPMENT_STATUS: OperationInfo =
    OperationInfo::new("updateShipmentStatus", 5.0, 15, false);
/// `getOrderRegulatedInfo`: 0.5 / 30.
pub const GET_ORDER_REGULATED_INFO: OperationInfo =
    OperationInfo::new("getOrderRegulatedInfo", 0.5, 30, true);
/// `updateVerificationStatus`: 0.5 / 30 (sets an absolute status: safe to repeat).
pub const UPDATE_VERIFICATION_STATUS: OperationInfo =
    OperationInfo::new("updateVerificationStatus", 0.5, 30, true);
/// `confirmShipment`: 2 / 10. Not retried after ambiguous failures (timeouts, 5xx): the
/// caller decides, e.g. by re-reading the order, so a shipment is confirmed once.
pub const CONFIRM_SHIPMENT: OperationInfo = OperationInfo::new("confirmShipment", 2.0, 10, false);

/// Every v0 operation.
pub const OPERATIONS: &[&OperationInfo] = &[
    &GET_ORDERS,
    &GET_ORDER,
    &GET_ORDER_BUYER_INFO,
    &GET_ORDER_ADDRESS,
    &GET_ORDER_ITEMS,
    &GET_ORDER_ITEMS_BUYER_INFO,
    &UPDATE_SHIPMENT_STATUS,
    &GET_ORDER_REGULATED_INFO,
    &UPDATE_VERIFICATION_STATUS,
    &CONFIRM_SHIPMENT,
];

const TWO_MINUTES: time::Duration = time::Duration::minutes(2);

/// The name of the first window whose before bound (an instant) is earlier than its after
/// bound. Each window is `(after, before, name of the before bound)`.
pub(crate) fn inverted_window<'a>(
    windows: [(&Option<DateParam>, &Option<DateParam>, &'a str); 2],
) -> Option<&'a str> {
    windows.into_iter().find_map(|(after, before, what)| {
        match (
            after.as_ref().and_then(DateParam::instant),
            before.as_ref().and_then(DateParam::instant),
        ) {
            (Some(a), Some(b)) if b < a => Some(what),
            _ => None,
        }
    })
}

/// Clamps a "before" bound to `now - 2 min`.
pub(crate) fn clamp_before(p: &Option<DateParam>, now: OffsetDateTime) -> Option<DateParam> {
    match p {
        Some(DateParam::At(t)) => Some(DateParam::At((*t).min(now - TWO_MINUTES))),
        other => other.clone(),
    }
}

#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct Envelope<T> {
    #[serde(default)]
    payload: Option<T>,
    #[serde(default)]
    errors: Option<Vec<ApiError>>,
}

/// Decodes a v0-style `{payload, errors}` envelope. A 2xx without payload but with errors
/// becomes [`Error::Api`].
pub(crate) fn decode_envelope<T: DeserializeOwned>(
    operation: &'static str,
    status: u16,
    body: &[u8],
) -> Result<T> {
    let env: Envelope<T> = decode_json(operation, body)?;
    match env.payload {
        Some(p) => Ok(p),
        None => Err(Error::Api(Box::new(ApiFailure {
            operation,
            status,
            request_id: None,
            error_type: None,
            errors: env.errors.unwrap_or_default(),
            retry_after: None,
        }))),
    }
}

fn order_path(order_id: &str, suffix: &str) -> Result<String> {
    if order_id.is_empty() {
        return Err(Error::InvalidRequest("order id is empty".into()));
    }
    Ok(format!(
        "/orders/v0/orders/{}{suffix}",
        encode_component(order_id)
    ))
}

/// A generic-path restricted resource (one RDT serves every order), with the data
/// elements in a canonical order so equal requests share one cached RDT.
fn restricted(path: &str, data_elements: &[DataElement]) -> RestrictedResource {
    let mut elements = data_elements.to_vec();
    elements.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    elements.dedup();
    RestrictedResource::get(path, elements)
}

/// Parameters of `getOrders` (deprecated; see the module docs). Every model parameter is
/// here; arrays are sent comma-separated.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct GetOrdersRequest {
    /// `MarketplaceIds` (required by Amazon, at most 50).
    pub marketplace_ids: Vec<String>,
    /// `CreatedAfter`.
    pub created_after: Option<DateParam>,
    /// `CreatedBefore` (clamped to now − 2 min).
    pub created_before: Option<DateParam>,
    /// `LastUpdatedAfter`.
    pub last_updated_after: Option<DateParam>,
    /// `LastUpdatedBefore` (clamped to now − 2 min).
    pub last_updated_before: Option<DateParam>,
    /// `OrderStatuses`.
    pub order_statuses: Vec<OrderStatus>,
    /// `FulfillmentChannels`.
    pub fulfillment_channels: Vec<FulfillmentChannel>,
    /// `PaymentMethods`.
    pub payment_methods: Vec<PaymentMethod>,
    /// `BuyerEmail` (PII: redacted in `Debug`).
    pub buyer_email: Option<crate::Pii>,
    /// `SellerOrderId`.
    pub seller_order_id: Option<String>,
    /// `MaxResultsPerPage` (1–100).
    pub max_results_per_page: Option<u32>,
    /// `EasyShipShipmentStatuses`.
    pub easy_ship_shipment_statuses: Vec<EasyShipShipmentStatus>,
    /// `ElectronicInvoiceStatuses`.
    pub electronic_invoice_statuses: Vec<ElectronicInvoiceStatus>,
    /// `NextToken`. Filters are resent with it (the current model: the token only moves
    /// the page).
    pub next_token: Option<String>,
    /// `AmazonOrderIds` (at most 50).
    pub amazon_order_ids: Vec<String>,
    /// `ActualFulfillmentSupplySourceId`.
    pub actual_fulfillment_supply_source_id: Option<String>,
    /// `IsISPU`.
    pub is_ispu: Option<bool>,
    /// `StoreChainStoreId`.
    pub store_chain_store_id: Option<String>,
    /// `EarliestDeliveryDateBefore`.
    pub earliest_delivery_date_before: Option<DateParam>,
    /// `EarliestDeliveryDateAfter`.
    pub earliest_delivery_date_after: Option<DateParam>,
    /// `LatestDeliveryDateBefore`.
    pub latest_delivery_date_before: Option<DateParam>,
    /// `LatestDeliveryDateAfter`.
    pub latest_delivery_date_after: Option<DateParam>,
    /// PII to request through an RDT (none: the plain access token is used).
    pub data_elements: Vec<DataElement>,
}

macro_rules! setters {
    ($($(#[$m:meta])* $name:ident: $field:ident = $conv:expr, $t:ty;)+) => {
        $(
            $(#[$m])*
            pub fn $name(mut self, v: $t) -> Self {
                self.$field = $conv(v);
                self
            }
        )+
    };
}

impl GetOrdersRequest {
    /// Orders in these marketplaces.
    pub fn new<I, S>(marketplace_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        GetOrdersRequest {
            marketplace_ids: marketplace_ids.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    setters! {
        /// `CreatedAfter`.
        created_after: created_after = |v: DateParam| Some(v), DateParam;
        /// `CreatedBefore`.
        created_before: created_before = |v: DateParam| Some(v), DateParam;
        /// `LastUpdatedAfter`.
        last_updated_after: last_updated_after = |v: DateParam| Some(v), DateParam;
        /// `LastUpdatedBefore`.
        last_updated_before: last_updated_before = |v: DateParam| Some(v), DateParam;
        /// `OrderStatuses`.
        order_statuses: order_statuses = |v| v, Vec<OrderStatus>;
        /// `FulfillmentChannels`.
        fulfillment_channels: fulfillment_channels = |v| v, Vec<FulfillmentChannel>;
        /// `PaymentMethods`.
        payment_methods: payment_methods = |v| v, Vec<PaymentMethod>;
        /// `MaxResultsPerPage` (1–100).
        max_results_per_page: max_results_per_page = Some, u32;
        /// `EasyShipShipmentStatuses`.
        easy_ship_shipment_statuses: easy_ship_shipment_statuses = |v| v, Vec<EasyShipShipmentStatus>;
        /// `ElectronicInvoiceStatuses`.
        electronic_invoice_statuses: electronic_invoice_statuses = |v| v, Vec<ElectronicInvoiceStatus>;
        /// `IsISPU`.
        is_ispu: is_ispu = Some, bool;
        /// `EarliestDeliveryDateBefore`.
        earliest_delivery_date_before: earliest_delivery_date_before = |v: DateParam| Some(v), DateParam;
        /// `EarliestDeliveryDateAfter`.
        earliest_delivery_date_after: earliest_delivery_date_after = |v: DateParam| Some(v), DateParam;
        /// `LatestDeliveryDateBefore`.
        latest_delivery_date_before: latest_delivery_date_before = |v: DateParam| Some(v), DateParam;
        /// `LatestDeliveryDateAfter`.
        latest_delivery_date_after: latest_delivery_date_after = |v: DateParam| Some(v), DateParam;
        /// PII to request through an RDT.
        data_elements: data_elements = |v| v, Vec<DataElement>;
    }

    /// `BuyerEmail`.
    pub fn buyer_email(mut self, v: impl Into<String>) -> Self {
        self.buyer_email = Some(crate::Pii(v.into()));
        self
    }

    /// `SellerOrderId`.
    pub fn seller_order_id(mut self, v: impl Into<String>) -> Self {
        self.seller_order_id = Some(v.into());
        self
    }

    /// `NextToken`.
    pub fn next_token(mut self, v: impl Into<String>) -> Self {
        self.next_token = Some(v.into());
        self
    }

    /// `AmazonOrderIds`.
    pub fn amazon_order_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.amazon_order_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// `ActualFulfillmentSupplySourceId`.
    pub fn actual_fulfillment_supply_source_id(mut self, v: impl Into<String>) -> Self {
        self.actual_fulfillment_supply_source_id = Some(v.into());
        self
    }

    /// `StoreChainStoreId`.
    pub fn store_chain_store_id(mut self, v: impl Into<String>) -> Self {
        self.store_chain_store_id = Some(v.into());
        self
    }

    /// This request set to continue a listing from `position` (see
    /// [`Listing::position`]): the page token, and the before bound as Amazon applied it
    /// (the watermark) when this request has a before bound of its own, so every page asks
    /// what the first one asked.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client, saved: spapi_client::ListingPosition) -> spapi_client::Result<()> {
    /// use spapi_client::orders_v0::{DateParam, GetOrdersRequest};
    /// use futures::TryStreamExt;
    /// let request = GetOrdersRequest::new(["ATVPDKIKX0DER"])
    ///     .last_updated_after(DateParam::At(time::macros::datetime!(2026-03-01 0:00 UTC)))
    ///     .resume(&saved);
    /// let mut orders = client.orders_v0().get_orders_stream(request);
    /// while let Some(order) = orders.try_next().await? {
    ///     // ... store the order, then the position:
    ///     let _save = orders.position();
    ///     # let _ = order;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn resume(mut self, position: &ListingPosition) -> Self {
        self.next_token = position.page_token.clone();
        if let Some(w) = position.watermark {
            if self.last_updated_before.is_some() {
                self.last_updated_before = Some(DateParam::At(w));
            } else if self.created_before.is_some() {
                self.created_before = Some(DateParam::At(w));
            }
        }
        self
    }

    /// This request with its before bounds clamped to `now − 2 min`.
    pub fn clamped(mut self, now: OffsetDateTime) -> Self {
        self.created_before = clamp_before(&self.created_before, now);
        self.last_updated_before = clamp_before(&self.last_updated_before, now);
        self
    }

    fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::InvalidRequest(format!("getOrders: {m}")));
        let created = self.created_after.is_some() || self.created_before.is_some();
        let updated = self.last_updated_after.is_some() || self.last_updated_before.is_some();
        if self.marketplace_ids.iter().all(|m| m.trim().is_empty()) {
            return bad("MarketplaceIds is required (at least one marketplace id)");
        }
        if self.created_after.is_none() && self.last_updated_after.is_none() {
            return bad("either CreatedAfter or LastUpdatedAfter is required");
        }
        if created && updated {
            return bad(
                "CreatedAfter/CreatedBefore cannot be combined with LastUpdatedAfter/LastUpdatedBefore",
            );
        }
        if self.seller_order_id.is_some()
            && (!self.fulfillment_channels.is_empty()
                || !self.order_statuses.is_empty()
                || !self.payment_methods.is_empty()
                || updated
                || self.buyer_email.is_some())
        {
            return bad(
                "SellerOrderId excludes FulfillmentChannels, OrderStatuses, PaymentMethods, LastUpdated* and BuyerEmail",
            );
        }
        if let Some(n) = self.max_results_per_page {
            if !(1..=100).contains(&n) {
                return bad("MaxResultsPerPage must be 1-100");
            }
        }
        if self.marketplace_ids.len() > 50 || self.amazon_order_ids.len() > 50 {
            return bad("at most 50 MarketplaceIds and 50 AmazonOrderIds");
        }
        if let Some(what) = inverted_window([
            (&self.created_after, &self.created_before, "CreatedBefore"),
            (
                &self.last_updated_after,
                &self.last_updated_before,
                "LastUpdatedBefore",
            ),
        ]) {
            return bad(&format!(
                "{what} (after clamping to now - 2 min) is earlier than its After bound"
            ));
        }
        Ok(())
    }
}

fn wire(p: &Option<DateParam>) -> Option<String> {
    p.as_ref().map(DateParam::to_wire)
}

impl Operation for GetOrdersRequest {
    type Output = OrdersList;

    fn info(&self) -> &'static OperationInfo {
        &GET_ORDERS
    }

    fn to_request(&self, ctx: &RequestContext) -> Result<RequestParts> {
        let r = self.clone().clamped(ctx.now);
        r.validate()?;
        let mut parts = RequestParts::get("/orders/v0/orders".into())
            .query_opt("CreatedAfter", wire(&r.created_after))
            .query_opt("CreatedBefore", wire(&r.created_before))
            .query_opt("LastUpdatedAfter", wire(&r.last_updated_after))
            .query_opt("LastUpdatedBefore", wire(&r.last_updated_before))
            .query_csv(
                "OrderStatuses",
                &r.order_statuses
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>(),
            )
            .query_csv("MarketplaceIds", &r.marketplace_ids)
            .query_csv(
                "FulfillmentChannels",
                &r.fulfillment_channels
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>(),
            )
            .query_csv(
                "PaymentMethods",
                &r.payment_methods
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>(),
            )
            .query_opt("BuyerEmail", r.buyer_email.as_ref().map(|e| e.0.clone()))
            .query_opt("SellerOrderId", r.seller_order_id.clone())
            .query_opt(
                "MaxResultsPerPage",
                r.max_results_per_page.map(|n| n.to_string()),
            )
            .query_csv(
                "EasyShipShipmentStatuses",
                &r.easy_ship_shipment_statuses
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>(),
            )
            .query_csv(
                "ElectronicInvoiceStatuses",
                &r.electronic_invoice_statuses
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>(),
            )
            .query_opt("NextToken", r.next_token.clone())
            .query_csv("AmazonOrderIds", &r.amazon_order_ids)
            .query_opt(
                "ActualFulfillmentSupplySourceId",
                r.actual_fulfillment_supply_source_id.clone(),
            )
            .query_opt("IsISPU", r.is_ispu.map(|b| b.to_string()))
            .query_opt("StoreChainStoreId", r.store_chain_store_id.clone())
            .query_opt(
                "EarliestDeliveryDateBefore",
                wire(&r.earliest_delivery_date_before),
            )
            .query_opt(
                "EarliestDeliveryDateAfter",
                wire(&r.earliest_delivery_date_after),
            )
            .query_opt(
                "LatestDeliveryDateBefore",
                wire(&r.latest_delivery_date_before),
            )
            .query_opt(
                "LatestDeliveryDateAfter",
                wire(&r.latest_delivery_date_after),
            );
        if !r.data_elements.is_empty() {
            parts.restricted = Some(restricted("/orders/v0/orders", &r.data_elements));
        }
        Ok(parts)
    }

    fn decode(&self, status: u16, body: &[u8]) -> Result<OrdersList> {
        decode_envelope(GET_ORDERS.name, status, body)
    }
}

macro_rules! order_op {
    (
        $(#[$m:meta])* $name:ident, $info:ident, $suffix:literal, $out:ty,
        rdt_default = $rdt:literal, elements = $elements:literal
    ) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name {
            /// The Amazon order id.
            pub order_id: String,
            /// Whether to call with a restricted data token (needed for PII).
            pub use_rdt: bool,
            /// PII requested through the RDT (`dataElements`).
            pub data_elements: Vec<DataElement>,
        }

        impl $name {
            /// The operation for one order.
            pub fn new(order_id: impl Into<String>) -> Self {
                $name { order_id: order_id.into(), use_rdt: $rdt, data_elements: Vec::new() }
            }

            /// Requests PII through an RDT (switches RDT use on when not empty).
            pub fn data_elements(mut self, elements: Vec<DataElement>) -> Self {
                self.use_rdt = self.use_rdt || !elements.is_empty();
                self.data_elements = if $elements { elements } else { Vec::new() };
                self
            }

            /// Whether to use an RDT at all.
            pub fn use_rdt(mut self, yes: bool) -> Self {
                self.use_rdt = yes;
                self
            }

            fn parts(&self, query: Vec<(String, String)>) -> Result<RequestParts> {
                let mut parts = RequestParts::get(order_path(&self.order_id, $suffix)?);
                parts.query = query;
                if self.use_rdt {
                    parts.restricted = Some(restricted(
                        concat!("/orders/v0/orders/{orderId}", $suffix),
                        &self.data_elements,
                    ));
                }
                Ok(parts)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name::new(id)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name::new(id)
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                $name::new(id.clone())
            }
        }

        impl Operation for $name {
            type Output = $out;

            fn info(&self) -> &'static OperationInfo {
                &$info
            }

            fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
                self.parts(Vec::new())
            }

            fn decode(&self, status: u16, body: &[u8]) -> Result<$out> {
                decode_envelope($info.name, status, body)
            }
        }
    };
}

order_op! {
    /// `getOrder` (deprecated). Without data elements it returns no PII; with
    /// [`DataElement::BuyerInfo`] / [`DataElement::ShippingAddress`] the client uses an RDT.
    GetOrder, GET_ORDER, "", Order, rdt_default = false, elements = true
}

order_op! {
    /// `getOrderBuyerInfo` (deprecated). Uses an RDT by default.
    GetOrderBuyerInfo, GET_ORDER_BUYER_INFO, "/buyerInfo", OrderBuyerInfo, rdt_default = true, elements = false
}

order_op! {
    /// `getOrderAddress` (deprecated). Uses an RDT by default.
    GetOrderAddress, GET_ORDER_ADDRESS, "/address", OrderAddress, rdt_default = true, elements = false
}

order_op! {
    /// `getOrderRegulatedInfo`. Pass `use_rdt(true)` if your app needs an RDT for it.
    GetOrderRegulatedInfo, GET_ORDER_REGULATED_INFO, "/regulatedInfo", OrderRegulatedInfo, rdt_default = false, elements = false
}

macro_rules! paged_items_op {
    ($(#[$m:meta])* $name:ident, $info:ident, $suffix:literal, $out:ty, rdt_default = $rdt:literal, elements = $elements:literal) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name {
            /// The Amazon order id.
            pub order_id: String,
            /// `NextToken` of the previous page.
            pub next_token: Option<String>,
            /// Whether to call with a restricted data token (needed for PII).
            pub use_rdt: bool,
            /// PII requested through the RDT (`dataElements`).
            pub data_elements: Vec<DataElement>,
        }

        impl $name {
            /// The first page for one order.
            pub fn new(order_id: impl Into<String>) -> Self {
                $name { order_id: order_id.into(), next_token: None, use_rdt: $rdt, data_elements: Vec::new() }
            }

            /// A later page.
            pub fn next_token(mut self, token: impl Into<String>) -> Self {
                self.next_token = Some(token.into());
                self
            }

            /// Requests PII through an RDT (switches RDT use on when not empty).
            pub fn data_elements(mut self, elements: Vec<DataElement>) -> Self {
                self.use_rdt = self.use_rdt || !elements.is_empty();
                self.data_elements = if $elements { elements } else { Vec::new() };
                self
            }

            /// Whether to use an RDT at all.
            pub fn use_rdt(mut self, yes: bool) -> Self {
                self.use_rdt = yes;
                self
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name::new(id)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name::new(id)
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                $name::new(id.clone())
            }
        }

        impl Operation for $name {
            type Output = $out;

            fn info(&self) -> &'static OperationInfo {
                &$info
            }

            fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
                let mut parts = RequestParts::get(order_path(&self.order_id, $suffix)?)
                    .query_opt("NextToken", self.next_token.clone());
                if self.use_rdt {
                    parts.restricted = Some(restricted(
                        concat!("/orders/v0/orders/{orderId}", $suffix),
                        &self.data_elements,
                    ));
                }
                Ok(parts)
            }

            fn decode(&self, status: u16, body: &[u8]) -> Result<$out> {
                decode_envelope($info.name, status, body)
            }
        }
    };
}

paged_items_op! {
    /// `getOrderItems` (deprecated). With [`DataElement::BuyerInfo`] the client uses an RDT
    /// and items carry gift and customization info.
    GetOrderItems, GET_ORDER_ITEMS, "/orderItems", OrderItemsList, rdt_default = false, elements = true
}

paged_items_op! {
    /// `getOrderItemsBuyerInfo` (deprecated). Uses an RDT by default.
    GetOrderItemsBuyerInfo, GET_ORDER_ITEMS_BUYER_INFO, "/orderItems/buyerInfo", OrderItemsBuyerInfoList, rdt_default = true, elements = false
}

macro_rules! write_op {
    ($(#[$m:meta])* $name:ident, $info:ident, $method:expr, $suffix:literal, $body:ty) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            /// The Amazon order id.
            pub order_id: String,
            /// The body.
            pub body: $body,
        }

        impl $name {
            /// The operation.
            pub fn new(order_id: impl Into<String>, body: $body) -> Self {
                $name { order_id: order_id.into(), body }
            }
        }

        impl Operation for $name {
            type Output = ();

            fn info(&self) -> &'static OperationInfo {
                &$info
            }

            fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
                let body = serde_json::to_value(&self.body)
                    .map_err(|e| Error::InvalidRequest(e.to_string()))?;
                Ok(RequestParts {
                    method: $method,
                    path: order_path(&self.order_id, $suffix)?,
                    query: Vec::new(),
                    body: Some(body),
                    restricted: None,
                })
            }

            fn decode(&self, _status: u16, _body: &[u8]) -> Result<()> {
                Ok(())
            }
        }
    };
}

write_op! {
    /// `confirmShipment`: tracking for one package (a subset of items for partial
    /// shipments). 204 on success.
    ConfirmShipment, CONFIRM_SHIPMENT, Method::Post, "/shipmentConfirmation", ConfirmShipmentRequest
}

write_op! {
    /// `updateShipmentStatus` (in-store pick-up flows). 204 on success.
    UpdateShipmentStatus, UPDATE_SHIPMENT_STATUS, Method::Post, "/shipment", UpdateShipmentStatusRequest
}

write_op! {
    /// `updateVerificationStatus` of a regulated order. 204 on success.
    UpdateVerificationStatus, UPDATE_VERIFICATION_STATUS, Method::Patch, "/regulatedInfo", UpdateVerificationStatusRequest
}

/// The Orders v0 API, from [`Client::orders_v0`].
#[derive(Clone, Debug)]
pub struct OrdersV0 {
    pub(crate) client: Client,
}

impl OrdersV0 {
    /// `getOrders` (deprecated): one page.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::orders_v0::{DateParam, GetOrdersRequest, OrderStatus};
    /// let page = client
    ///     .orders_v0()
    ///     .get_orders(
    ///         GetOrdersRequest::new(["ATVPDKIKX0DER"])
    ///             .last_updated_after(DateParam::At(time::macros::datetime!(2026-03-01 0:00 UTC)))
    ///             .order_statuses(vec![OrderStatus::Unshipped, OrderStatus::PartiallyShipped]),
    ///     )
    ///     .await?;
    /// let watermark = page.last_updated_before; // next LastUpdatedAfter
    /// # let _ = watermark;
    /// # Ok(()) }
    /// ```
    pub async fn get_orders(&self, request: GetOrdersRequest) -> Result<OrdersList> {
        self.client.execute(&request).await
    }

    /// `getOrders` page by page, following `NextToken` with the same filters (the before
    /// bounds are clamped once, before the first page, so every page asks the same thing).
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::orders_v0::{DateParam, GetOrdersRequest};
    /// use futures::TryStreamExt;
    /// let request = GetOrdersRequest::new(["ATVPDKIKX0DER"])
    ///     .created_after(DateParam::At(time::macros::datetime!(2026-03-01 0:00 UTC)));
    /// let mut pages = std::pin::pin!(client.orders_v0().get_orders_pages(request));
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} orders, watermark {:?}", page.orders.len(), page.created_before);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get_orders_pages(
        &self,
        request: GetOrdersRequest,
    ) -> impl Stream<Item = Result<OrdersList>> + Send + 'static {
        let first = request.clamped(self.client.now());
        crate::pagination::pages(
            self.client.clone(),
            first,
            |op: &GetOrdersRequest, page: &OrdersList| {
                crate::pagination::fresh_token(op.next_token.as_deref(), page.next_token.as_deref())
                    .map(|t| op.clone().next_token(t))
            },
        )
    }

    /// `getOrders` as a stream of orders across all pages. The [`Listing`] keeps the
    /// watermark (`LastUpdatedBefore` / `CreatedBefore`) and the page token: store
    /// [`Listing::position`] as you go, and continue after a crash with
    /// [`GetOrdersRequest::resume`].
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::orders_v0::{DateParam, GetOrdersRequest};
    /// use spapi_client::tokens::DataElement;
    /// use futures::TryStreamExt;
    /// // With shipping addresses: the client fetches and reuses a restricted data token.
    /// let request = GetOrdersRequest::new(["ATVPDKIKX0DER"])
    ///     .last_updated_after(DateParam::At(time::macros::datetime!(2026-03-01 0:00 UTC)))
    ///     .data_elements(vec![DataElement::ShippingAddress]);
    /// let orders: Vec<_> = client.orders_v0().get_orders_stream(request).try_collect().await?;
    /// # let _ = orders;
    /// # Ok(()) }
    /// ```
    pub fn get_orders_stream(&self, request: GetOrdersRequest) -> Listing<Order> {
        let first_token = request.next_token.clone();
        let pages = self
            .get_orders_pages(request)
            .map_ok(|p: OrdersList| PageOf {
                watermark: p.last_updated_before.or(p.created_before),
                next_token: p.next_token,
                items: p.orders,
            });
        Listing::new(pages, first_token)
    }

    /// `getOrder` (deprecated). Pass an order id, or a [`GetOrder`] with data elements.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::orders_v0::GetOrder;
    /// use spapi_client::tokens::DataElement;
    /// let plain = client.orders_v0().get_order("902-1845936-5435065").await?;
    /// let with_pii = client
    ///     .orders_v0()
    ///     .get_order(GetOrder::new("902-1845936-5435065").data_elements(vec![DataElement::BuyerInfo]))
    ///     .await?;
    /// # let _ = (plain, with_pii);
    /// # Ok(()) }
    /// ```
    pub async fn get_order(&self, request: impl Into<GetOrder>) -> Result<Order> {
        self.client.execute(&request.into()).await
    }

    /// `getOrderBuyerInfo` (deprecated; uses an RDT).
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// let buyer = client.orders_v0().get_order_buyer_info("902-1845936-5435065").await?;
    /// # let _ = buyer;
    /// # Ok(()) }
    /// ```
    pub async fn get_order_buyer_info(
        &self,
        request: impl Into<GetOrderBuyerInfo>,
    ) -> Result<OrderBuyerInfo> {
        self.client.execute(&request.into()).await
    }

    /// `getOrderAddress` (deprecated; uses an RDT).
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// let address = client.orders_v0().get_order_address("902-1845936-5435065").await?;
    /// let country = address.shipping_address.and_then(|a| a.country_code);
    /// # let _ = country;
    /// # Ok(()) }
    /// ```
    pub async fn get_order_address(
        &self,
        request: impl Into<GetOrderAddress>,
    ) -> Result<OrderAddress> {
        self.client.execute(&request.into()).await
    }

    /// `getOrderItems` (deprecated): one page.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// let page = client.orders_v0().get_order_items("902-1845936-5435065").await?;
    /// for item in &page.order_items {
    ///     println!("{} x{} {:?}", item.asin, item.quantity_ordered, item.item_price);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_order_items(
        &self,
        request: impl Into<GetOrderItems>,
    ) -> Result<OrderItemsList> {
        self.client.execute(&request.into()).await
    }

    /// `getOrderItems` as a stream of items across all pages.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use futures::TryStreamExt;
    /// let items: Vec<_> = client
    ///     .orders_v0()
    ///     .get_order_items_stream("902-1845936-5435065")
    ///     .try_collect()
    ///     .await?;
    /// # let _ = items;
    /// # Ok(()) }
    /// ```
    pub fn get_order_items_stream(
        &self,
        request: impl Into<GetOrderItems>,
    ) -> impl Stream<Item = Result<OrderItem>> + Send + 'static {
        let pages = crate::pagination::pages(
            self.client.clone(),
            request.into(),
            |op: &GetOrderItems, page: &OrderItemsList| {
                crate::pagination::fresh_token(op.next_token.as_deref(), page.next_token.as_deref())
                    .map(|t| op.clone().next_token(t))
            },
        );
        crate::pagination::items(pages, |p: OrderItemsList| p.order_items)
    }

    /// `getOrderItemsBuyerInfo` (deprecated; uses an RDT): one page.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// let page = client.orders_v0().get_order_items_buyer_info("902-1845936-5435065").await?;
    /// # let _ = page;
    /// # Ok(()) }
    /// ```
    pub async fn get_order_items_buyer_info(
        &self,
        request: impl Into<GetOrderItemsBuyerInfo>,
    ) -> Result<OrderItemsBuyerInfoList> {
        self.client.execute(&request.into()).await
    }

    /// `getOrderItemsBuyerInfo` as a stream across all pages.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use futures::TryStreamExt;
    /// let gifts: Vec<_> = client
    ///     .orders_v0()
    ///     .get_order_items_buyer_info_stream("902-1845936-5435065")
    ///     .try_collect()
    ///     .await?;
    /// # let _ = gifts;
    /// # Ok(()) }
    /// ```
    pub fn get_order_items_buyer_info_stream(
        &self,
        request: impl Into<GetOrderItemsBuyerInfo>,
    ) -> impl Stream<Item = Result<OrderItemBuyerInfo>> + Send + 'static {
        let pages = crate::pagination::pages(
            self.client.clone(),
            request.into(),
            |op: &GetOrderItemsBuyerInfo, page: &OrderItemsBuyerInfoList| {
                crate::pagination::fresh_token(op.next_token.as_deref(), page.next_token.as_deref())
                    .map(|t| op.clone().next_token(t))
            },
        );
        crate::pagination::items(pages, |p: OrderItemsBuyerInfoList| p.order_items)
    }

    /// `confirmShipment`.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::orders_v0::{ConfirmShipmentOrderItem, ConfirmShipmentRequest, DateParam, PackageDetail};
    /// let request = ConfirmShipmentRequest {
    ///     marketplace_id: "ATVPDKIKX0DER".into(),
    ///     cod_collection_method: None,
    ///     package_detail: PackageDetail {
    ///         package_reference_id: "1".into(),
    ///         carrier_code: "UPS".into(),
    ///         carrier_name: None,
    ///         shipping_method: Some("UPS Ground".into()),
    ///         tracking_number: "1Z999AA10123456784".into(),
    ///         ship_date: DateParam::At(time::OffsetDateTime::now_utc()),
    ///         ship_from_supply_source_id: None,
    ///         order_items: vec![ConfirmShipmentOrderItem {
    ///             order_item_id: "79039765272157".into(),
    ///             quantity: 1,
    ///             transparency_codes: vec![],
    ///         }],
    ///     },
    /// };
    /// client.orders_v0().confirm_shipment("902-1845936-5435065", request).await?;
    /// # Ok(()) }
    /// ```
    pub async fn confirm_shipment(
        &self,
        order_id: impl Into<String>,
        request: ConfirmShipmentRequest,
    ) -> Result<()> {
        self.client
            .execute(&ConfirmShipment::new(order_id, request))
            .await
    }

    /// `updateShipmentStatus`.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::orders_v0::{ShipmentStatus, UpdateShipmentStatusRequest};
    /// let request = UpdateShipmentStatusRequest {
    ///     marketplace_id: "ATVPDKIKX0DER".into(),
    ///     shipment_status: ShipmentStatus::ReadyForPickup,
    ///     order_items: None,
    /// };
    /// client.orders_v0().update_shipment_status("902-1845936-5435065", request).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_shipment_status(
        &self,
        order_id: impl Into<String>,
        request: UpdateShipmentStatusRequest,
    ) -> Result<()> {
        self.client
            .execute(&UpdateShipmentStatus::new(order_id, request))
            .await
    }

    /// `getOrderRegulatedInfo`.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// let info = client.orders_v0().get_order_regulated_info("902-3159896-1390916").await?;
    /// println!("{:?}", info.regulated_order_verification_status.status);
    /// # Ok(()) }
    /// ```
    pub async fn get_order_regulated_info(
        &self,
        request: impl Into<GetOrderRegulatedInfo>,
    ) -> Result<OrderRegulatedInfo> {
        self.client.execute(&request.into()).await
    }

    /// `updateVerificationStatus`.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::orders_v0::{
    ///     UpdateVerificationStatusRequest, UpdateVerificationStatusRequestBody, VerificationStatus,
    /// };
    /// let request = UpdateVerificationStatusRequest {
    ///     regulated_order_verification_status: UpdateVerificationStatusRequestBody {
    ///         status: Some(VerificationStatus::Approved),
    ///         external_reviewer_id: Some("reviewer1234".into()),
    ///         rejection_reason_id: None,
    ///         verification_details: None,
    ///     },
    /// };
    /// client.orders_v0().update_verification_status("902-3159896-1390916", request).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_verification_status(
        &self,
        order_id: impl Into<String>,
        request: UpdateVerificationStatusRequest,
    ) -> Result<()> {
        self.client
            .execute(&UpdateVerificationStatus::new(order_id, request))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ctx(now: OffsetDateTime) -> RequestContext {
        RequestContext { now }
    }

    fn query(parts: &RequestParts, name: &str) -> Option<String> {
        parts
            .query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    proptest! {
        /// Whatever the caller asks, CreatedBefore / LastUpdatedBefore go out no later than
        /// two minutes before now, and unchanged when already earlier.
        #[test]
        fn before_bounds_are_clamped(now_s in 1_600_000_000i64..1_900_000_000, back in -100_000i64..100_000, created in any::<bool>()) {
            let now = OffsetDateTime::from_unix_timestamp(now_s).expect("now");
            let before = now + time::Duration::seconds(back);
            let after = now - time::Duration::days(30);
            let req = if created {
                GetOrdersRequest::new(["ATVPDKIKX0DER"]).created_after(DateParam::At(after)).created_before(DateParam::At(before))
            } else {
                GetOrdersRequest::new(["ATVPDKIKX0DER"]).last_updated_after(DateParam::At(after)).last_updated_before(DateParam::At(before))
            };
            let parts = req.to_request(&ctx(now)).expect("valid");
            let sent = query(&parts, if created { "CreatedBefore" } else { "LastUpdatedBefore" }).expect("sent");
            let sent = crate::serde_util::parse_timestamp(&sent).expect("parses");
            prop_assert!(sent <= now - TWO_MINUTES);
            if before <= now - TWO_MINUTES {
                prop_assert_eq!(sent, before);
            }
            let after_name = if created { "CreatedAfter" } else { "LastUpdatedAfter" };
            let after_sent = query(&parts, after_name).expect("after");
            prop_assert!(after_sent.ends_with('Z'));
        }
    }

    #[test]
    fn raw_dates_pass_through_and_ids_are_encoded() {
        let now = time::macros::datetime!(2026-03-01 12:00 UTC);
        let p = GetOrdersRequest::new(["ATVPDKIKX0DER"])
            .created_after(DateParam::Raw("TEST_CASE_400".into()))
            .to_request(&ctx(now))
            .expect("raw");
        assert_eq!(
            p.query,
            vec![
                ("CreatedAfter".to_owned(), "TEST_CASE_400".to_owned()),
                ("MarketplaceIds".to_owned(), "ATVPDKIKX0DER".to_owned())
            ]
        );
        let p = GetOrder::new("a/b c").to_request(&ctx(now)).expect("path");
        assert_eq!(p.path, "/orders/v0/orders/a%2Fb%20c");
        assert!(p.restricted.is_none());
        let p = GetOrderAddress::new("1")
            .to_request(&ctx(now))
            .expect("address");
        assert_eq!(
            p.restricted.map(|r| r.path),
            Some("/orders/v0/orders/{orderId}/address".to_owned())
        );
    }

    #[test]
    fn get_orders_without_a_marketplace_is_refused_locally() {
        let now = time::macros::datetime!(2026-03-01 12:00 UTC);
        for ids in [vec![], vec![" ".to_owned()]] {
            match GetOrdersRequest::new(ids)
                .created_after(DateParam::At(now - time::Duration::days(1)))
                .to_request(&ctx(now))
            {
                Err(Error::InvalidRequest(m)) => assert_eq!(
                    m,
                    "getOrders: MarketplaceIds is required (at least one marketplace id)"
                ),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn contradictory_filters_are_refused() {
        let now = time::macros::datetime!(2026-03-01 12:00 UTC);
        let after = DateParam::At(now - time::Duration::days(1));
        let seller = GetOrdersRequest::new(["X"])
            .created_after(after.clone())
            .seller_order_id("S-1")
            .buyer_email("b@example.com");
        assert!(matches!(
            seller.to_request(&ctx(now)),
            Err(Error::InvalidRequest(_))
        ));
        let too_many = GetOrdersRequest::new(["X"])
            .created_after(after.clone())
            .max_results_per_page(101);
        assert!(too_many.to_request(&ctx(now)).is_err());
        // A before bound clamped below its after bound.
        let late = GetOrdersRequest::new(["X"])
            .created_after(DateParam::At(now - time::Duration::seconds(30)))
            .created_before(DateParam::At(now));
        assert!(late.to_request(&ctx(now)).is_err());
        assert!(!format!("{seller:?}").contains("b@example.com"));
    }

    #[test]
    fn request_parts_debug_hides_the_buyer_email() {
        let now = time::macros::datetime!(2026-03-01 12:00 UTC);
        let parts = GetOrdersRequest::new(["X"])
            .created_after(DateParam::At(now - time::Duration::days(1)))
            .buyer_email("b@example.com")
            .to_request(&ctx(now))
            .expect("valid");
        assert_eq!(
            query(&parts, "BuyerEmail").as_deref(),
            Some("b@example.com")
        );
        let shown = format!("{parts:?}");
        assert!(!shown.contains("b@example.com"), "{shown}");
        assert!(shown.contains(r#"("BuyerEmail", "<redacted>")"#), "{shown}");
        assert!(shown.contains(r#"("MarketplaceIds", "X")"#), "{shown}");
    }
}
