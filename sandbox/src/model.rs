//! The sandbox's own order model (independent of any client crate), rendered to the wire
//! shapes of the official models by `render`.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::marketplaces::Marketplace;

/// An order's status, with its v0 and v2026-01-01 spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OrderStatus {
    /// Pre-order placed, payment not authorised, release date in the future.
    PendingAvailability,
    /// Placed, payment not authorised.
    Pending,
    /// Paid and ready to ship, nothing shipped.
    Unshipped,
    /// Some items shipped.
    PartiallyShipped,
    /// Every item shipped.
    Shipped,
    /// Canceled.
    Canceled,
}

impl OrderStatus {
    /// Orders API v0 spelling (`Unshipped`).
    pub fn v0(self) -> &'static str {
        match self {
            OrderStatus::PendingAvailability => "PendingAvailability",
            OrderStatus::Pending => "Pending",
            OrderStatus::Unshipped => "Unshipped",
            OrderStatus::PartiallyShipped => "PartiallyShipped",
            OrderStatus::Shipped => "Shipped",
            OrderStatus::Canceled => "Canceled",
        }
    }

    /// Orders API v2026-01-01 spelling (`UNSHIPPED`).
    pub fn v2026(self) -> &'static str {
        match self {
            OrderStatus::PendingAvailability => "PENDING_AVAILABILITY",
            OrderStatus::Pending => "PENDING",
            OrderStatus::Unshipped => "UNSHIPPED",
            OrderStatus::PartiallyShipped => "PARTIALLY_SHIPPED",
            OrderStatus::Shipped => "SHIPPED",
            OrderStatus::Canceled => "CANCELLED",
        }
    }

    /// Parses either spelling.
    pub fn parse(s: &str) -> Option<Self> {
        [
            OrderStatus::PendingAvailability,
            OrderStatus::Pending,
            OrderStatus::Unshipped,
            OrderStatus::PartiallyShipped,
            OrderStatus::Shipped,
            OrderStatus::Canceled,
        ]
        .into_iter()
        .find(|st| st.v0() == s || st.v2026() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServiceLevel {
    Standard,
    Expedited,
    SecondDay,
    NextDay,
    FreeEconomy,
}

impl ServiceLevel {
    pub(crate) fn v0(self) -> &'static str {
        match self {
            ServiceLevel::Standard => "Standard",
            ServiceLevel::Expedited => "Expedited",
            ServiceLevel::SecondDay => "SecondDay",
            ServiceLevel::NextDay => "NextDay",
            ServiceLevel::FreeEconomy => "FreeEconomy",
        }
    }
    pub(crate) fn v2026(self) -> &'static str {
        match self {
            ServiceLevel::Standard => "STANDARD",
            ServiceLevel::Expedited => "EXPEDITED",
            ServiceLevel::SecondDay => "SECOND_DAY",
            ServiceLevel::NextDay => "NEXT_DAY",
            ServiceLevel::FreeEconomy => "FREE_ECONOMY",
        }
    }
    pub(crate) fn ship_service_level(self, country: &str) -> String {
        let lvl = match self {
            ServiceLevel::Standard => "Std",
            ServiceLevel::Expedited => "Exp",
            ServiceLevel::SecondDay => "SecondDay",
            ServiceLevel::NextDay => "NextDay",
            ServiceLevel::FreeEconomy => "Econ",
        };
        format!("{lvl} {country} D2D Dom")
    }
}

#[derive(Debug, Clone)]
pub(crate) struct SimAddress {
    pub(crate) name: String,
    pub(crate) company: Option<String>,
    pub(crate) line1: String,
    pub(crate) line2: Option<String>,
    pub(crate) city: String,
    pub(crate) state: String,
    pub(crate) postal: String,
    pub(crate) country: &'static str,
    pub(crate) phone: String,
    pub(crate) residential: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Gift {
    pub(crate) message: String,
    pub(crate) wrap_level: String,
    pub(crate) wrap_price: Decimal,
}

#[derive(Debug, Clone)]
pub(crate) struct SimItem {
    pub(crate) id: String,
    pub(crate) asin: String,
    pub(crate) sku: String,
    pub(crate) title: String,
    pub(crate) qty: u32,
    pub(crate) shipped: u32,
    /// Unit price (tax included where the marketplace quotes gross prices).
    pub(crate) unit_price: Decimal,
    /// Shipping charge for the line.
    pub(crate) shipping: Decimal,
    pub(crate) shipping_discount: Decimal,
    pub(crate) promotion: Option<(String, Decimal)>,
    pub(crate) gift: Option<Gift>,
    pub(crate) transparency: bool,
    pub(crate) business_price: bool,
    pub(crate) buyer_cancel: Option<String>,
    /// The seller cancelled this line (acknowledgement feed), with the reason given.
    pub(crate) seller_cancel: Option<String>,
    pub(crate) condition: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SimPackage {
    pub(crate) reference_id: String,
    pub(crate) carrier_code: String,
    pub(crate) carrier_name: Option<String>,
    pub(crate) shipping_method: Option<String>,
    pub(crate) tracking: String,
    pub(crate) ship_date: OffsetDateTime,
    pub(crate) created: OffsetDateTime,
    pub(crate) ship_from_supply_source_id: Option<String>,
    /// (order item id, quantity, transparency codes)
    pub(crate) items: Vec<(String, u32, Vec<String>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CancelledBy {
    Buyer,
    Amazon,
    Merchant,
}

#[derive(Debug, Clone)]
pub(crate) struct SimOrder {
    pub(crate) seq: u32,
    pub(crate) id: String,
    pub(crate) seller_order_id: String,
    pub(crate) mp: &'static Marketplace,
    pub(crate) purchase: OffsetDateTime,
    pub(crate) last_update: OffsetDateTime,
    pub(crate) status: OrderStatus,
    pub(crate) afn: bool,
    pub(crate) service: ServiceLevel,
    pub(crate) prime: bool,
    pub(crate) premium: bool,
    pub(crate) business: bool,
    pub(crate) preorder: bool,
    pub(crate) cod: bool,
    pub(crate) earliest_ship: OffsetDateTime,
    pub(crate) latest_ship: OffsetDateTime,
    pub(crate) earliest_delivery: OffsetDateTime,
    pub(crate) latest_delivery: OffsetDateTime,
    pub(crate) buyer_name: String,
    pub(crate) buyer_email: String,
    pub(crate) po_number: Option<String>,
    pub(crate) address: SimAddress,
    pub(crate) items: Vec<SimItem>,
    pub(crate) packages: Vec<SimPackage>,
    pub(crate) cancelled: Option<(CancelledBy, String)>,
}

/// Money amounts of one item, derived from its prices and the marketplace tax rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ItemAmounts {
    pub(crate) item_price: Decimal,
    pub(crate) item_tax: Decimal,
    pub(crate) shipping: Decimal,
    pub(crate) shipping_tax: Decimal,
    pub(crate) shipping_discount: Decimal,
    pub(crate) promotion_discount: Decimal,
    pub(crate) gift_wrap: Decimal,
    pub(crate) gift_wrap_tax: Decimal,
}

impl ItemAmounts {
    /// What the buyer pays for the line.
    pub(crate) fn total(&self, tax_included: bool) -> Decimal {
        let gross = self.item_price + self.shipping + self.gift_wrap
            - self.promotion_discount
            - self.shipping_discount;
        if tax_included {
            gross
        } else {
            gross + self.item_tax + self.shipping_tax + self.gift_wrap_tax
        }
    }
}

impl SimOrder {
    /// US and CA quote net prices and add sales tax; the other marketplaces quote gross
    /// prices with VAT/consumption tax included.
    pub(crate) fn tax_included(&self) -> bool {
        !matches!(self.mp.country, "US" | "CA")
    }

    pub(crate) fn round(&self, d: Decimal) -> Decimal {
        d.round_dp(self.mp.scale)
    }

    pub(crate) fn amounts(&self, item: &SimItem) -> ItemAmounts {
        let pct = Decimal::from(self.mp.tax_pct);
        let hundred = Decimal::from(100);
        let tax = |d: Decimal| {
            if self.tax_included() {
                self.round(d * pct / (hundred + pct))
            } else {
                self.round(d * pct / hundred)
            }
        };
        let item_price = self.round(item.unit_price * Decimal::from(item.qty));
        let gift_wrap = item.gift.as_ref().map(|g| g.wrap_price).unwrap_or_default();
        ItemAmounts {
            item_price,
            item_tax: tax(item_price),
            shipping: item.shipping,
            shipping_tax: tax(item.shipping),
            shipping_discount: item.shipping_discount,
            promotion_discount: item.promotion.as_ref().map(|p| p.1).unwrap_or_default(),
            gift_wrap,
            gift_wrap_tax: tax(gift_wrap),
        }
    }

    pub(crate) fn total(&self) -> Decimal {
        let inc = self.tax_included();
        self.items.iter().map(|i| self.amounts(i).total(inc)).sum()
    }

    pub(crate) fn items_shipped(&self) -> u32 {
        self.items.iter().map(|i| i.shipped).sum()
    }

    pub(crate) fn items_unshipped(&self) -> u32 {
        if self.status == OrderStatus::Canceled {
            return 0;
        }
        self.items
            .iter()
            .map(|i| i.qty - i.shipped.min(i.qty))
            .sum()
    }

    /// Money as a decimal string with the currency's decimal places.
    pub(crate) fn money_str(&self, d: Decimal) -> String {
        let mut d = self.round(d);
        d.rescale(self.mp.scale);
        d.to_string()
    }
}

/// Amazon order ids are 3-7-7 digits.
pub(crate) fn valid_order_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.len() == 3
        && parts
            .iter()
            .zip([3, 7, 7])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Carrier codes the sandbox accepts: the values of Amazon's feed base schema
/// (`amzn-base.xsd`, `CarrierCode`) plus `Australia Post` and `Amazon Shipping`; anything
/// else must be sent as `Other` with a `carrierName`.
pub(crate) const CARRIER_CODES: &[&str] = &[
    "USPS",
    "UPS",
    "UPSMI",
    "FedEx",
    "DHL",
    "Fastway",
    "GLS",
    "GO!",
    "Hermes Logistik Gruppe",
    "Royal Mail",
    "Parcelforce",
    "City Link",
    "TNT",
    "Target",
    "SagawaExpress",
    "NipponExpress",
    "YamatoTransport",
    "DHL Global Mail",
    "UPS Mail Innovations",
    "FedEx SmartPost",
    "OSM",
    "OnTrac",
    "Streamlite",
    "Newgistics",
    "Canada Post",
    "Blue Package",
    "Chronopost",
    "Deutsche Post",
    "DPD",
    "La Poste",
    "Parcelnet",
    "Poste Italiane",
    "SDA",
    "Smartmail",
    "FEDEX_JP",
    "JP_EXPRESS",
    "NITTSU",
    "SAGAWA",
    "YAMATO",
    "BlueDart",
    "AFL/Fedex",
    "Aramex",
    "India Post",
    "Professional",
    "DTDC",
    "Overnite Express",
    "First Flight",
    "Delhivery",
    "Lasership",
    "Yodel",
    "Other",
    "Australia Post",
    "Amazon Shipping",
];
