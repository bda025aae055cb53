//! The neutral order model: an order as the engine sees it, whichever API it came from.
//!
//! Buyer and recipient PII live in their own types ([`BuyerPii`], [`Recipient`]) whose
//! `Debug` never prints a value. Gift messages are buyer data too: [`GiftOptions`] hides
//! them the same way. Money is exact ([`Money`]), times are UTC [`OffsetDateTime`]s.

use std::fmt;

use order_mapping::vocab::{
    FulfillmentChannel, OrderProgram, OrderStatus, PaymentMethod, ServiceLevelCategory,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{AmazonOrderId, MarketplaceId, OrderItemId, PackageRef};
use crate::money::{CurrencyMismatch, Money};
use crate::pii::{BuyerPii, Recipient};

/// A time range such as the ship-by or deliver-by window Amazon promised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateWindow {
    /// The earliest time (if Amazon gave one).
    #[serde(with = "time::serde::rfc3339::option")]
    pub earliest: Option<OffsetDateTime>,
    /// The latest time (if Amazon gave one).
    #[serde(with = "time::serde::rfc3339::option")]
    pub latest: Option<OffsetDateTime>,
}

impl DateWindow {
    /// The window between two optional bounds; `None` when Amazon gave neither.
    pub fn from_bounds(
        earliest: Option<OffsetDateTime>,
        latest: Option<OffsetDateTime>,
    ) -> Option<Self> {
        (earliest.is_some() || latest.is_some()).then_some(Self { earliest, latest })
    }
}

/// One Amazon order, as imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// Amazon's order id.
    pub id: AmazonOrderId,
    /// The seller's own order id, if one was set on Amazon.
    pub seller_order_id: Option<String>,
    /// The marketplace the order was placed in.
    pub marketplace: MarketplaceId,
    /// When the buyer placed the order.
    #[serde(with = "time::serde::rfc3339")]
    pub purchased_at: OffsetDateTime,
    /// Amazon's `LastUpdateDate`: the version of this order. Newer wins.
    #[serde(with = "time::serde::rfc3339")]
    pub last_updated_at: OffsetDateTime,
    /// The committed ship-by window (merchant-fulfilled orders).
    pub ship_by: Option<DateWindow>,
    /// The promised deliver-by window (merchant-fulfilled orders).
    pub deliver_by: Option<DateWindow>,
    /// When the order was delivered, when Amazon said so.
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
    /// The order status.
    pub status: OrderStatus,
    /// Who fulfils the order (merchant or Amazon).
    pub channel: FulfillmentChannel,
    /// The shipping speed category the buyer chose.
    pub service_level: Option<ServiceLevelCategory>,
    /// Amazon's free-text ship service level (`ShipServiceLevel`), e.g. `Std US D2D Dom`.
    pub ship_service_level: Option<String>,
    /// Programs the order belongs to (Prime, business, ...).
    pub programs: Vec<OrderProgram>,
    /// The order lines. May be empty when items were not requested.
    pub lines: Vec<OrderLine>,
    /// Order-level totals as Amazon reported them.
    pub totals: OrderTotals,
    /// How the buyer paid.
    pub payment: Payment,
    /// The buyer (restricted data; `None` when not requested or not granted).
    pub buyer: Option<BuyerPii>,
    /// The recipient and delivery address (restricted data; `None` for FBA orders and when
    /// not requested).
    pub recipient: Option<Recipient>,
    /// Packages Amazon already knows about (Orders v2026 `packages[]`; empty for v0).
    pub packages: Vec<Package>,
}

impl Order {
    /// The lines with an open buyer cancellation request: asked for, not shipped, and the
    /// order not cancelled.
    pub fn open_cancel_requests(&self) -> Vec<&OrderLine> {
        if self.status == OrderStatus::Canceled {
            return Vec::new();
        }
        self.lines
            .iter()
            .filter(|l| l.buyer_cancel_request.is_some() && l.quantity_shipped < l.quantity_ordered)
            .collect()
    }

    /// Whether Amazon fulfils this order (FBA).
    pub fn is_fba(&self) -> bool {
        self.channel == FulfillmentChannel::Amazon
    }

    /// The sum of the line totals (`line_price`), `None` when no line has a price.
    pub fn lines_total(&self) -> Result<Option<Money>, CurrencyMismatch> {
        Money::sum(self.lines.iter().filter_map(|l| l.line_price.as_ref()))
    }

    /// Replaces buyer and recipient PII (and gift messages) with `marker`. Amounts, items
    /// and dates stay.
    pub fn redact_pii(&mut self, marker: &str) {
        if let Some(b) = &mut self.buyer {
            b.redact(marker);
        }
        if let Some(r) = &mut self.recipient {
            r.redact(marker);
        }
        for line in &mut self.lines {
            if let Some(g) = &mut line.gift {
                g.redact(marker);
            }
        }
    }

    /// Whether every piece of PII on the order is absent or equals `marker`.
    pub fn pii_is_redacted(&self, marker: &str) -> bool {
        self.buyer.as_ref().is_none_or(|b| b.is_redacted(marker))
            && self
                .recipient
                .as_ref()
                .is_none_or(|r| r.is_redacted(marker))
            && self.lines.iter().all(|l| {
                l.gift
                    .as_ref()
                    .is_none_or(|g| g.message.as_deref().is_none_or(|m| m == marker))
            })
    }
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    /// Amazon's id of this line (needed to confirm its shipment).
    pub item_id: OrderItemId,
    /// The seller's SKU.
    pub sku: Option<String>,
    /// The ASIN.
    pub asin: String,
    /// The product title.
    pub title: Option<String>,
    /// Quantity ordered.
    pub quantity_ordered: u32,
    /// Quantity shipped so far.
    pub quantity_shipped: u32,
    /// Price of one unit (v2026 `unitPrice`; derived from v0 `ItemPrice` / quantity).
    pub unit_price: Option<Money>,
    /// Price of the whole line, without shipping and gift wrap (v0 `ItemPrice`).
    pub line_price: Option<Money>,
    /// Tax on the line's price.
    pub tax: Option<Money>,
    /// Shipping charged for the line.
    pub shipping_price: Option<Money>,
    /// Tax on shipping.
    pub shipping_tax: Option<Money>,
    /// Discount on shipping (positive amount).
    pub shipping_discount: Option<Money>,
    /// Promotion discount on the item (positive amount).
    pub promotion_discount: Option<Money>,
    /// Gift options, when the line is a gift.
    pub gift: Option<GiftOptions>,
    /// The buyer's request to cancel this line, when there is one (v2026
    /// `cancellation.cancellationRequest`, v0 `BuyerRequestedCancel`, MWS
    /// `BuyerRequestedCancel`). A warehouse should stop the pick; the engine refuses to
    /// confirm a package of this line unless the host says it shipped anyway.
    #[serde(default)]
    pub buyer_cancel_request: Option<BuyerCancelRequest>,
}

/// A buyer's request to cancel an order line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerCancelRequest {
    /// The reason the buyer gave, as Amazon reports it (free text or a code).
    pub reason: Option<String>,
}

/// Gift options of a line. The message is buyer data: hidden from `Debug`, redacted with
/// the rest of the PII.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GiftOptions {
    /// The gift message text.
    pub message: Option<String>,
    /// The gift wrap level (e.g. `Classic`).
    pub wrap_level: Option<String>,
    /// Price of the gift wrap.
    pub wrap_price: Option<Money>,
    /// Tax on the gift wrap.
    pub wrap_tax: Option<Money>,
}

impl GiftOptions {
    /// Replaces the gift message with `marker`.
    pub fn redact(&mut self, marker: &str) {
        if self.message.is_some() {
            self.message = Some(marker.to_owned());
        }
    }
}

impl fmt::Debug for GiftOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GiftOptions")
            .field(
                "message",
                &if self.message.is_some() {
                    "<redacted>"
                } else {
                    "None"
                },
            )
            .field("wrap_level", &self.wrap_level)
            .field("wrap_price", &self.wrap_price)
            .field("wrap_tax", &self.wrap_tax)
            .finish()
    }
}

/// Order-level amounts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderTotals {
    /// The order total the buyer pays (v0 `OrderTotal`).
    pub order_total: Option<Money>,
    /// Items subtotal.
    pub items: Option<Money>,
    /// Shipping total.
    pub shipping: Option<Money>,
    /// Tax total.
    pub tax: Option<Money>,
    /// Discount total (positive amount).
    pub discounts: Option<Money>,
}

impl OrderTotals {
    /// Totals built from an order's lines: items, shipping and tax are the sums of the
    /// lines' amounts, discounts the sum of their promotion and shipping discounts. A sum
    /// whose parts are absent, or in different currencies, is `None`.
    pub fn from_lines(order_total: Option<Money>, lines: &[OrderLine]) -> Self {
        fn sum<'a>(parts: impl Iterator<Item = Option<&'a Money>>) -> Option<Money> {
            let present: Vec<&Money> = parts.flatten().collect();
            Money::sum(present).ok().flatten()
        }
        Self {
            order_total,
            items: sum(lines.iter().map(|l| l.line_price.as_ref())),
            shipping: sum(lines.iter().map(|l| l.shipping_price.as_ref())),
            tax: sum(lines.iter().map(|l| l.tax.as_ref())),
            discounts: sum(lines
                .iter()
                .flat_map(|l| [l.promotion_discount.as_ref(), l.shipping_discount.as_ref()])),
        }
    }
}

/// How the buyer paid.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    /// The main payment method, when Amazon said.
    pub method: Option<PaymentMethod>,
    /// Amazon's free-form payment method details (`PaymentMethodDetails`).
    pub details: Vec<String>,
}

/// A package Amazon knows about (Orders v2026 `packages[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// The seller's package reference.
    pub reference: PackageRef,
    /// Carrier as Amazon reports it.
    pub carrier: Option<String>,
    /// Tracking number.
    pub tracking_number: Option<String>,
    /// When it shipped.
    #[serde(with = "time::serde::rfc3339::option")]
    pub shipped_at: Option<OffsetDateTime>,
    /// The items in the package.
    pub items: Vec<PackageItem>,
}

/// An order line and quantity within a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageItem {
    /// Amazon's line id.
    pub item_id: OrderItemId,
    /// How many units of the line are in the package.
    pub quantity: u32,
}

/// A package the host (store or warehouse) shipped and wants confirmed to Amazon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostShipment {
    /// The Amazon order it belongs to.
    pub amazon_order_id: AmazonOrderId,
    /// The seller's package reference, unique within the order (positive numeric).
    pub package: PackageRef,
    /// The host's carrier name, mapped to Amazon's carrier code before sending.
    pub carrier: String,
    /// The host's shipping service (e.g. `Ground`), if any.
    pub service: Option<String>,
    /// The tracking number.
    pub tracking_number: String,
    /// When the package shipped (or will ship).
    #[serde(with = "time::serde::rfc3339")]
    pub ship_date: OffsetDateTime,
    /// The lines and quantities in the package (a subset for partial shipments).
    pub items: Vec<PackageItem>,
    /// The host shipped the package although the buyer asked to cancel one of its lines.
    /// Without it the engine refuses to confirm such a package.
    #[serde(default)]
    pub shipped_despite_cancellation: bool,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::pii::Address;
    use rust_decimal::Decimal;
    use time::macros::datetime;

    pub(crate) fn sample_order(id: &str) -> Order {
        let usd = |a: i64| Money::new(Decimal::new(a, 2), "USD");
        Order {
            id: AmazonOrderId::new(id),
            seller_order_id: None,
            marketplace: MarketplaceId::new("ATVPDKIKX0DER"),
            purchased_at: datetime!(2026-11-01 10:00 UTC),
            last_updated_at: datetime!(2026-11-01 10:05 UTC),
            ship_by: None,
            deliver_by: None,
            delivered_at: None,
            status: OrderStatus::Unshipped,
            channel: FulfillmentChannel::Merchant,
            service_level: Some(ServiceLevelCategory::Standard),
            ship_service_level: None,
            programs: vec![],
            lines: vec![OrderLine {
                item_id: OrderItemId::new("11"),
                sku: Some("SKU-1".into()),
                asin: "B000000001".into(),
                title: Some("Widget".into()),
                quantity_ordered: 2,
                quantity_shipped: 0,
                unit_price: Some(usd(1000)),
                line_price: Some(usd(2000)),
                tax: Some(usd(160)),
                shipping_price: None,
                shipping_tax: None,
                shipping_discount: None,
                promotion_discount: None,
                gift: Some(GiftOptions {
                    message: Some("Happy birthday Jane".into()),
                    ..Default::default()
                }),
                buyer_cancel_request: None,
            }],
            totals: OrderTotals {
                order_total: Some(usd(2160)),
                ..Default::default()
            },
            payment: Payment::default(),
            buyer: Some(BuyerPii {
                name: Some("Jane Buyer".into()),
                ..Default::default()
            }),
            recipient: Some(Recipient {
                name: Some("Jane Buyer".into()),
                address: Address {
                    lines: vec!["1 Main St".into()],
                    country_code: Some("US".into()),
                    ..Default::default()
                },
                ..Default::default()
            }),
            packages: vec![],
        }
    }

    #[test]
    fn order_debug_hides_pii() {
        let out = format!("{:?}", sample_order("1"));
        assert!(!out.contains("Jane"), "{out}");
        assert!(!out.contains("Main St"), "{out}");
        assert!(out.contains("Widget"));
    }

    #[test]
    fn redaction_keeps_amounts() {
        let mut o = sample_order("1");
        let before = o.clone();
        o.redact_pii("X");
        assert!(o.pii_is_redacted("X"));
        assert_eq!(o.totals, before.totals);
        assert_eq!(o.lines_total().unwrap(), before.lines_total().unwrap());
        assert_eq!(o.lines[0].quantity_ordered, 2);
    }
}
