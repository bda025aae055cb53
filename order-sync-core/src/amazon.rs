//! The Amazon side: listing and reading orders, confirming shipments.
//!
//! One [`AmazonSide`] serves one seller account (its credentials, rate-limit state and API
//! choice). It is implemented over SP-API (feature `spapi`), over legacy MWS (feature `mws`)
//! and, for tests, by
//! `fake::FakeAmazon` (feature `test-util`).

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt};
use order_mapping::vocab::FulfillmentChannel;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::AmazonError;
use crate::ids::{AmazonOrderId, MarketplaceId, PackageRef};
use crate::model::{Order, PackageItem};

/// Which restricted data to fetch with orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Include {
    /// Buyer data (name, e-mail, company; gift messages).
    pub buyer: bool,
    /// Recipient name, phone and delivery address.
    pub recipient: bool,
}

/// A search for orders changed in a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderQuery {
    /// The marketplaces to search (empty: the account's defaults).
    pub marketplaces: Vec<MarketplaceId>,
    /// Orders last updated at or after this time.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_after: OffsetDateTime,
    /// Orders last updated before this time (Amazon requires it at least two minutes in
    /// the past; `None` lets Amazon choose and report the bound it used).
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_before: Option<OffsetDateTime>,
    /// Only these channels (`None`: all).
    pub channels: Option<Vec<FulfillmentChannel>>,
    /// Restricted data to include.
    pub include: Include,
}

/// An opaque page token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageToken(pub String);

/// One page of orders.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderPage {
    /// The orders, with their lines.
    pub orders: Vec<Order>,
    /// The token of the next page; `None` on the last page.
    pub next_page: Option<PageToken>,
    /// The upper bound Amazon applied (`LastUpdatedBefore`), when it said.
    pub updated_before: Option<OffsetDateTime>,
}

/// A package to confirm (one `confirmShipment` call).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentConfirmation {
    /// The order.
    pub order_id: AmazonOrderId,
    /// Its marketplace.
    pub marketplace: MarketplaceId,
    /// The seller's package reference (positive numeric, unique within the order).
    pub package: PackageRef,
    /// Amazon's carrier code (`Other` with a `carrier_name` for unlisted carriers).
    pub carrier_code: String,
    /// The carrier's name when the code is `Other`.
    pub carrier_name: Option<String>,
    /// The shipping method (e.g. `FedEx Ground`).
    pub shipping_method: Option<String>,
    /// The tracking number.
    pub tracking_number: String,
    /// When the package shipped.
    #[serde(with = "time::serde::rfc3339")]
    pub ship_date: OffsetDateTime,
    /// The lines and quantities in the package.
    pub items: Vec<PackageItem>,
}

/// Amazon, as the engine needs it.
#[async_trait]
pub trait AmazonSide: Send + Sync {
    /// One page of orders changed in the query's window. `page` is the token from the
    /// previous page; the query must be the same for every page.
    async fn list_orders(
        &self,
        query: &OrderQuery,
        page: Option<&PageToken>,
    ) -> Result<OrderPage, AmazonError>;

    /// One order with its lines, or `None` when Amazon does not know it.
    async fn get_order(
        &self,
        id: &AmazonOrderId,
        include: Include,
    ) -> Result<Option<Order>, AmazonError>;

    /// Confirms one package (`confirmShipment`). Sending the same package reference again
    /// edits the same package on Amazon rather than adding one.
    async fn confirm_shipment(
        &self,
        confirmation: &ShipmentConfirmation,
    ) -> Result<(), AmazonError>;

    /// Whether [`get_order`](Self::get_order) reports the packages Amazon holds
    /// ([`Order::packages`]): Orders v2026 does, v0 and MWS do not. The export verifies an
    /// unknown outcome through it; without it, such an entry waits for an operator.
    fn shows_packages(&self) -> bool {
        false
    }
}

/// Conveniences over any [`AmazonSide`].
#[async_trait]
pub trait AmazonSideExt: AmazonSide {
    /// Every order of the window, following page tokens; also returns the bound Amazon
    /// applied (from the last page), if any.
    async fn list_all_orders(
        &self,
        query: &OrderQuery,
    ) -> Result<(Vec<Order>, Option<OffsetDateTime>), AmazonError> {
        let mut all = Vec::new();
        let mut token: Option<PageToken> = None;
        loop {
            let page = self.list_orders(query, token.as_ref()).await?;
            all.extend(page.orders);
            match page.next_page {
                Some(next) => token = Some(next),
                None => return Ok((all, page.updated_before)),
            }
        }
    }
}

impl<T: AmazonSide + ?Sized> AmazonSideExt for T {}

/// The orders of a window as a stream, following page tokens (one `list_orders` call per
/// page, made when the stream is polled past the previous page). Ends after the first
/// error.
pub fn order_stream<'a>(
    amazon: &'a dyn AmazonSide,
    query: &'a OrderQuery,
) -> BoxStream<'a, Result<Order, AmazonError>> {
    enum Next {
        Page(Option<PageToken>),
        Done,
    }
    stream::unfold(Next::Page(None), move |next| async move {
        let token = match next {
            Next::Page(token) => token,
            Next::Done => return None,
        };
        match amazon.list_orders(query, token.as_ref()).await {
            Ok(page) => {
                let next = page.next_page.map_or(Next::Done, |t| Next::Page(Some(t)));
                let items: Vec<Result<Order, AmazonError>> =
                    page.orders.into_iter().map(Ok).collect();
                Some((stream::iter(items), next))
            }
            Err(e) => Some((stream::iter(vec![Err(e)]), Next::Done)),
        }
    })
    .flatten()
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::error::ErrorKind;
    use crate::fake::{FakeAmazon, FakeOp};
    use crate::fixtures::sample_order;
    use futures::TryStreamExt;
    use std::sync::Arc;
    use time::macros::datetime;

    fn setup() -> (FakeAmazon, OrderQuery) {
        let t0 = datetime!(2026-06-01 0:00 UTC);
        let fake = FakeAmazon::new(Arc::new(ManualClock::new(t0 + time::Duration::days(1))))
            .with_page_size(2);
        for i in 0..5 {
            fake.put_order(sample_order(
                &format!("123-000000{i}-0000001"),
                t0 + time::Duration::minutes(i),
            ));
        }
        let q = OrderQuery {
            marketplaces: vec![],
            updated_after: t0,
            updated_before: None,
            channels: None,
            include: Include::default(),
        };
        (fake, q)
    }

    #[tokio::test]
    async fn stream_and_list_all_follow_every_page() {
        let (fake, q) = setup();
        let ids: Vec<String> = order_stream(&fake, &q)
            .map_ok(|o| o.id.into_inner())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids.len(), 5);
        assert_eq!(fake.calls(FakeOp::List), 3, "pages of 2, 2 and 1");
        let (all, bound) = fake.list_all_orders(&q).await.unwrap();
        assert_eq!(all.len(), 5);
        assert!(bound.is_some());
        // Restricted data only when asked for.
        assert!(
            all.iter()
                .all(|o| o.buyer.is_none() && o.recipient.is_none())
        );
    }

    #[tokio::test]
    async fn stream_stops_at_the_first_error() {
        let (fake, q) = setup();
        fake.fail_next(FakeOp::List, AmazonError::new(ErrorKind::Server, "boom"), 1);
        let got: Vec<_> = order_stream(&fake, &q).collect().await;
        assert_eq!(got.len(), 1);
        assert!(got[0].is_err());
    }
}
