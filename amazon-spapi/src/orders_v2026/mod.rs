//! Orders API v2026-01-01: `searchOrders` and `getOrder`.
//!
//! Items come inline; buyer and recipient data come through [`IncludedData`] without a
//! restricted data token. `searchOrders` sustains about one call per three minutes (0.0056
//! requests/s, burst 20): the client paces calls so paging never causes a 429.
//!
//! **Before bounds:** `createdBefore` / `lastUpdatedBefore` later than two minutes before
//! now (by the client's [`Clock`](crate::Clock)) are clamped to now − 2 min, because Amazon
//! rejects later values. Raw [`DateParam::Raw`] values are never clamped.

mod model;

pub use model::*;

pub use crate::orders_v0::DateParam;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::operation::{
    Operation, OperationInfo, RequestContext, RequestParts, decode_json, encode_component,
};
use crate::orders_v0::{clamp_before, inverted_window};
use crate::pagination::{Listing, ListingPosition, PageOf};
use futures::{Stream, TryStreamExt};
use time::OffsetDateTime;

/// `searchOrders`: 0.0056 requests/s, burst 20.
pub const SEARCH_ORDERS: OperationInfo = OperationInfo::new("searchOrders", 0.0056, 20, true);
/// `getOrder` (v2026): 0.5 / 30. Rate-limited separately from v0 `getOrder`.
pub const GET_ORDER: OperationInfo = OperationInfo::new("getOrder_2026", 0.5, 30, true);

/// Every v2026 operation.
pub const OPERATIONS: &[&OperationInfo] = &[&SEARCH_ORDERS, &GET_ORDER];

/// Parameters of `searchOrders`. Exactly one of `created_after` / `last_updated_after` is
/// required; created and lastUpdated bounds exclude each other.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct SearchOrdersRequest {
    /// `createdAfter`.
    pub created_after: Option<DateParam>,
    /// `createdBefore` (clamped to now − 2 min).
    pub created_before: Option<DateParam>,
    /// `lastUpdatedAfter`.
    pub last_updated_after: Option<DateParam>,
    /// `lastUpdatedBefore` (clamped to now − 2 min).
    pub last_updated_before: Option<DateParam>,
    /// `fulfillmentStatuses`.
    pub fulfillment_statuses: Vec<FulfillmentStatus>,
    /// `marketplaceIds` (at most 50).
    pub marketplace_ids: Vec<String>,
    /// `fulfilledBy`.
    pub fulfilled_by: Vec<FulfilledBy>,
    /// `maxResultsPerPage` (1–100).
    pub max_results_per_page: Option<u32>,
    /// `paginationToken` (send with every other parameter unchanged; valid 24 h).
    pub pagination_token: Option<String>,
    /// `includedData`.
    pub included_data: Vec<IncludedData>,
}

impl SearchOrdersRequest {
    /// Orders in these marketplaces.
    pub fn new<I, S>(marketplace_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        SearchOrdersRequest {
            marketplace_ids: marketplace_ids.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    /// `createdAfter`.
    pub fn created_after(mut self, v: impl Into<DateParam>) -> Self {
        self.created_after = Some(v.into());
        self
    }

    /// `createdBefore`.
    pub fn created_before(mut self, v: impl Into<DateParam>) -> Self {
        self.created_before = Some(v.into());
        self
    }

    /// `lastUpdatedAfter`.
    pub fn last_updated_after(mut self, v: impl Into<DateParam>) -> Self {
        self.last_updated_after = Some(v.into());
        self
    }

    /// `lastUpdatedBefore`.
    pub fn last_updated_before(mut self, v: impl Into<DateParam>) -> Self {
        self.last_updated_before = Some(v.into());
        self
    }

    /// `fulfillmentStatuses`.
    pub fn fulfillment_statuses(mut self, v: Vec<FulfillmentStatus>) -> Self {
        self.fulfillment_statuses = v;
        self
    }

    /// `fulfilledBy`.
    pub fn fulfilled_by(mut self, v: Vec<FulfilledBy>) -> Self {
        self.fulfilled_by = v;
        self
    }

    /// `maxResultsPerPage`.
    pub fn max_results_per_page(mut self, v: u32) -> Self {
        self.max_results_per_page = Some(v);
        self
    }

    /// `paginationToken`.
    pub fn pagination_token(mut self, v: impl Into<String>) -> Self {
        self.pagination_token = Some(v.into());
        self
    }

    /// `includedData`.
    pub fn included_data(mut self, v: Vec<IncludedData>) -> Self {
        self.included_data = v;
        self
    }

    /// This request set to continue a listing from `position` (see
    /// [`Listing::position`]): the page token, and the before bound as Amazon applied it
    /// (the watermark) when this request has a before bound of its own.
    pub fn resume(mut self, position: &ListingPosition) -> Self {
        self.pagination_token = position.page_token.clone();
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
        let bad = |m: &str| Err(Error::InvalidRequest(format!("searchOrders: {m}")));
        let created = self.created_after.is_some() || self.created_before.is_some();
        let updated = self.last_updated_after.is_some() || self.last_updated_before.is_some();
        if self.created_after.is_some() == self.last_updated_after.is_some() {
            return bad("exactly one of createdAfter and lastUpdatedAfter is required");
        }
        if created && updated {
            return bad("created* and lastUpdated* bounds exclude each other");
        }
        if let Some(n) = self.max_results_per_page {
            if !(1..=100).contains(&n) {
                return bad("maxResultsPerPage must be 1-100");
            }
        }
        if self.marketplace_ids.len() > 50 {
            return bad("at most 50 marketplaceIds");
        }
        if let Some(what) = inverted_window([
            (&self.created_after, &self.created_before, "createdBefore"),
            (
                &self.last_updated_after,
                &self.last_updated_before,
                "lastUpdatedBefore",
            ),
        ]) {
            return bad(&format!(
                "{what} (after clamping to now - 2 min) is earlier than its after bound"
            ));
        }
        Ok(())
    }
}

fn csv<T: AsRef<str>>(v: &[T]) -> Vec<&str> {
    v.iter().map(AsRef::as_ref).collect()
}

impl Operation for SearchOrdersRequest {
    type Output = SearchOrdersResponse;

    fn info(&self) -> &'static OperationInfo {
        &SEARCH_ORDERS
    }

    fn to_request(&self, ctx: &RequestContext) -> Result<RequestParts> {
        let r = self.clone().clamped(ctx.now);
        r.validate()?;
        let wire = |p: &Option<DateParam>| p.as_ref().map(DateParam::to_wire);
        Ok(RequestParts::get("/orders/2026-01-01/orders".into())
            .query_opt("createdAfter", wire(&r.created_after))
            .query_opt("createdBefore", wire(&r.created_before))
            .query_opt("lastUpdatedAfter", wire(&r.last_updated_after))
            .query_opt("lastUpdatedBefore", wire(&r.last_updated_before))
            .query_csv(
                "fulfillmentStatuses",
                &r.fulfillment_statuses
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>(),
            )
            .query_csv("marketplaceIds", &csv(&r.marketplace_ids))
            .query_csv(
                "fulfilledBy",
                &r.fulfilled_by
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>(),
            )
            .query_opt(
                "maxResultsPerPage",
                r.max_results_per_page.map(|n| n.to_string()),
            )
            .query_opt("paginationToken", r.pagination_token.clone())
            .query_csv(
                "includedData",
                &r.included_data
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>(),
            ))
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<SearchOrdersResponse> {
        decode_json(SEARCH_ORDERS.name, body)
    }
}

/// `getOrder` (v2026) with optional datasets.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetOrder {
    /// The Amazon order id.
    pub order_id: String,
    /// `includedData`.
    pub included_data: Vec<IncludedData>,
}

impl GetOrder {
    /// One order with these datasets.
    pub fn new(order_id: impl Into<String>, included_data: Vec<IncludedData>) -> Self {
        GetOrder {
            order_id: order_id.into(),
            included_data,
        }
    }
}

impl Operation for GetOrder {
    type Output = Order;

    fn info(&self) -> &'static OperationInfo {
        &GET_ORDER
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        if self.order_id.is_empty() {
            return Err(Error::InvalidRequest("order id is empty".into()));
        }
        Ok(RequestParts::get(format!(
            "/orders/2026-01-01/orders/{}",
            encode_component(&self.order_id)
        ))
        .query_csv(
            "includedData",
            &self
                .included_data
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
        ))
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<Order> {
        decode_json::<GetOrderResponse>("getOrder", body).map(|r| r.order)
    }
}

/// The Orders v2026-01-01 API, from [`Client::orders_v2026`].
#[derive(Clone, Debug)]
pub struct OrdersV2026 {
    pub(crate) client: Client,
}

impl OrdersV2026 {
    /// `searchOrders`: one page.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::orders_v2026::{FulfilledBy, IncludedData, SearchOrdersRequest};
    /// let page = client
    ///     .orders_v2026()
    ///     .search_orders(
    ///         SearchOrdersRequest::new(["ATVPDKIKX0DER"])
    ///             .last_updated_after(time::macros::datetime!(2026-03-01 0:00 UTC))
    ///             .fulfilled_by(vec![FulfilledBy::Merchant])
    ///             .included_data(vec![IncludedData::Recipient, IncludedData::Packages]),
    ///     )
    ///     .await?;
    /// println!("{} orders, next page: {:?}", page.orders.len(), page.next_token());
    /// # Ok(()) }
    /// ```
    pub async fn search_orders(
        &self,
        request: SearchOrdersRequest,
    ) -> Result<SearchOrdersResponse> {
        self.client.execute(&request).await
    }

    /// `searchOrders` page by page, sending `pagination.nextToken` back as
    /// `paginationToken` with every other parameter identical (the before bounds are
    /// clamped once, before the first page).
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::orders_v2026::SearchOrdersRequest;
    /// use futures::TryStreamExt;
    /// let request = SearchOrdersRequest::new(["A1F83G8C2ARO7P"])
    ///     .created_after(time::macros::datetime!(2026-03-01 0:00 UTC));
    /// let mut pages = std::pin::pin!(client.orders_v2026().search_orders_pages(request));
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} orders up to {:?}", page.orders.len(), page.created_before);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn search_orders_pages(
        &self,
        request: SearchOrdersRequest,
    ) -> impl Stream<Item = Result<SearchOrdersResponse>> + Send + 'static {
        let first = request.clamped(self.client.now());
        crate::pagination::pages(
            self.client.clone(),
            first,
            |op: &SearchOrdersRequest, page: &SearchOrdersResponse| {
                crate::pagination::fresh_token(op.pagination_token.as_deref(), page.next_token())
                    .map(|t| op.clone().pagination_token(t))
            },
        )
    }

    /// `searchOrders` as a stream of orders across all pages. The [`Listing`] keeps the
    /// watermark (`lastUpdatedBefore` / `createdBefore`) and the page token: store
    /// [`Listing::position`] as you go, and continue after a crash with
    /// [`SearchOrdersRequest::resume`].
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::orders_v2026::SearchOrdersRequest;
    /// use futures::TryStreamExt;
    /// let request = SearchOrdersRequest::new(["ATVPDKIKX0DER"])
    ///     .last_updated_after(time::macros::datetime!(2026-03-01 0:00 UTC));
    /// let ids: Vec<String> = client
    ///     .orders_v2026()
    ///     .search_orders_stream(request)
    ///     .map_ok(|order| order.order_id)
    ///     .try_collect()
    ///     .await?;
    /// # let _ = ids;
    /// # Ok(()) }
    /// ```
    pub fn search_orders_stream(&self, request: SearchOrdersRequest) -> Listing<Order> {
        let first_token = request.pagination_token.clone();
        let pages = self
            .search_orders_pages(request)
            .map_ok(|p: SearchOrdersResponse| PageOf {
                watermark: p.last_updated_before.or(p.created_before),
                next_token: p.next_token().map(str::to_owned),
                items: p.orders,
            });
        Listing::new(pages, first_token)
    }

    /// `getOrder` with the datasets in `included_data`.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::orders_v2026::IncludedData;
    /// let order = client
    ///     .orders_v2026()
    ///     .get_order("114-9876543-1234567", vec![IncludedData::Buyer, IncludedData::Recipient])
    ///     .await?;
    /// for item in &order.order_items {
    ///     println!("{} x{}", item.order_item_id, item.quantity_ordered);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_order(
        &self,
        order_id: impl Into<String>,
        included_data: Vec<IncludedData>,
    ) -> Result<Order> {
        self.client
            .execute(&GetOrder::new(order_id, included_data))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_before_bound_clamped_below_its_after_bound_is_refused() {
        let now = time::macros::datetime!(2026-03-01 12:00 UTC);
        let late = SearchOrdersRequest::new(["X"])
            .created_after(now - time::Duration::seconds(30))
            .created_before(now);
        match late.to_request(&RequestContext { now }) {
            Err(Error::InvalidRequest(m)) => assert_eq!(
                m,
                "searchOrders: createdBefore (after clamping to now - 2 min) is earlier than its after bound"
            ),
            other => panic!("unexpected {other:?}"),
        }
        let fine = SearchOrdersRequest::new(["X"])
            .last_updated_after(now - time::Duration::days(1))
            .last_updated_before(now);
        assert!(fine.to_request(&RequestContext { now }).is_ok());
    }
}
