//! Orders v2026-01-01 wire types (camelCase, every field of `orders_2026-01-01.json`).
//!
//! Many fields the model documents as strings with a list of known values are open enums
//! here; unknown values decode into `Unknown(String)`. PII-bearing types print
//! `<redacted>` in `Debug`.

use crate::serde_util::{open_enum, redacted_debug};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};
use time::OffsetDateTime;

pub use crate::shared_model::MeasurementUnit;

open_enum! {
    /// `FulfillmentStatus`.
    pub enum FulfillmentStatus {
        /// Pre-order, not yet available.
        PendingAvailability => "PENDING_AVAILABILITY",
        /// Payment not authorized yet.
        Pending => "PENDING",
        /// Nothing shipped.
        Unshipped => "UNSHIPPED",
        /// Some items shipped.
        PartiallyShipped => "PARTIALLY_SHIPPED",
        /// All shipped.
        Shipped => "SHIPPED",
        /// Cancelled.
        Cancelled => "CANCELLED",
        /// Cannot be fulfilled.
        Unfulfillable => "UNFULFILLABLE",
    }
}

open_enum! {
    /// `fulfilledBy`.
    pub enum FulfilledBy {
        /// The seller (MFN).
        Merchant => "MERCHANT",
        /// Amazon (FBA).
        Amazon => "AMAZON",
    }
}

open_enum! {
    /// `includedData` datasets.
    pub enum IncludedData {
        /// Buyer identity.
        Buyer => "BUYER",
        /// Recipient and delivery address.
        Recipient => "RECIPIENT",
        /// Proceeds.
        Proceeds => "PROCEEDS",
        /// Expenses.
        Expense => "EXPENSE",
        /// Promotions.
        Promotion => "PROMOTION",
        /// Cancellation.
        Cancellation => "CANCELLATION",
        /// Fulfilment.
        Fulfillment => "FULFILLMENT",
        /// Packages (FBM tracking).
        Packages => "PACKAGES",
        /// Tax.
        Tax => "TAX",
        /// Payment.
        Payment => "PAYMENT",
        /// Multi-channel fulfilment orders.
        FulfillmentOrders => "FULFILLMENT_ORDERS",
    }
}

open_enum! {
    /// Order and item `programs[]`.
    pub enum Program {
        /// Amazon Bazaar.
        AmazonBazaar => "AMAZON_BAZAAR",
        /// Amazon Business.
        AmazonBusiness => "AMAZON_BUSINESS",
        /// Easy Ship.
        AmazonEasyShip => "AMAZON_EASY_SHIP",
        /// Amazon Haul.
        AmazonHaul => "AMAZON_HAUL",
        /// Delivery by Amazon.
        DeliveryByAmazon => "DELIVERY_BY_AMAZON",
        /// FBM Ship+.
        FbmShipPlus => "FBM_SHIP_PLUS",
        /// Invoice by Amazon.
        InvoiceByAmazon => "INVOICE_BY_AMAZON",
        /// In-store pick-up.
        InStorePickUp => "IN_STORE_PICK_UP",
        /// Premium.
        Premium => "PREMIUM",
        /// Pre-order.
        Preorder => "PREORDER",
        /// Prime.
        Prime => "PRIME",
        /// Transparency (item level).
        Transparency => "TRANSPARENCY",
        /// Subscribe and Save (item level).
        SubscribeAndSave => "SUBSCRIBE_AND_SAVE",
    }
}

open_enum! {
    /// `addressType`.
    pub enum AddressType {
        /// Residential.
        Residential => "RESIDENTIAL",
        /// Commercial.
        Commercial => "COMMERCIAL",
        /// Pick-up point.
        PickupPoint => "PICKUP_POINT",
    }
}

open_enum! {
    /// `PackageStatus.status`.
    pub enum PackageStatusCode {
        /// Pending.
        Pending => "PENDING",
        /// In transit.
        InTransit => "IN_TRANSIT",
        /// Shipped.
        Shipped => "SHIPPED",
        /// Delivered.
        Delivered => "DELIVERED",
        /// Cancelled.
        Cancelled => "CANCELLED",
        /// Undeliverable.
        Undeliverable => "UNDELIVERABLE",
    }
}

open_enum! {
    /// Proceeds breakdown `type`.
    pub enum ProceedsType {
        /// Item price.
        Item => "ITEM",
        /// Shipping.
        Shipping => "SHIPPING",
        /// Gift wrap.
        GiftWrap => "GIFT_WRAP",
        /// COD fee.
        CodFee => "COD_FEE",
        /// Tax.
        Tax => "TAX",
        /// Discount.
        Discount => "DISCOUNT",
        /// Delivery tip (order level).
        DeliveryTip => "DELIVERY_TIP",
        /// Other.
        Other => "OTHER",
    }
}

/// `Money` (v2026): amount and currency both required; the amount is an exact decimal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    /// Amount.
    #[serde(with = "crate::serde_util::decimal")]
    pub amount: Decimal,
    /// ISO 4217 currency code.
    pub currency_code: String,
}

/// `SearchOrdersResponse`: one page of `searchOrders`.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SearchOrdersResponse {
    /// The orders.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub orders: Vec<Order>,
    /// Pagination (absent on the last page).
    #[serde(default)]
    pub pagination: Option<Pagination>,
    /// Effective upper bound of a lastUpdated query (next watermark).
    #[serde(default, with = "crate::serde_util::timestamp_opt_strict")]
    pub last_updated_before: Option<OffsetDateTime>,
    /// Effective upper bound of a created query (next watermark).
    #[serde(default, with = "crate::serde_util::timestamp_opt_strict")]
    pub created_before: Option<OffsetDateTime>,
}

impl SearchOrdersResponse {
    /// The token of the next page, if any.
    pub fn next_token(&self) -> Option<&str> {
        self.pagination
            .as_ref()
            .and_then(|p| p.next_token.as_deref())
            .filter(|t| !t.is_empty())
    }
}

/// `Pagination`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Pagination {
    /// Send back as `paginationToken` (valid 24 h).
    #[serde(default)]
    pub next_token: Option<String>,
}

/// `GetOrderResponse`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GetOrderResponse {
    /// The order.
    pub order: Order,
}

/// An order (v2026).
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Order {
    /// Amazon order id.
    pub order_id: String,
    /// Aliases (e.g. the seller order id).
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub order_aliases: Vec<Alias>,
    /// Created.
    #[serde(with = "crate::serde_util::timestamp")]
    pub created_time: OffsetDateTime,
    /// Last updated.
    #[serde(with = "crate::serde_util::timestamp")]
    pub last_updated_time: OffsetDateTime,
    /// Programs.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub programs: Vec<Program>,
    /// Associated orders (replacements, exchanges).
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub associated_orders: Vec<AssociatedOrder>,
    /// Sales channel.
    pub sales_channel: SalesChannel,
    /// Buyer (`BUYER` dataset).
    #[serde(default)]
    pub buyer: Option<Buyer>,
    /// Recipient (`RECIPIENT` dataset).
    #[serde(default)]
    pub recipient: Option<Recipient>,
    /// Proceeds (`PROCEEDS` dataset).
    #[serde(default)]
    pub proceeds: Option<OrderProceeds>,
    /// Payment (`PAYMENT` dataset).
    #[serde(default)]
    pub payment: Option<OrderPayment>,
    /// Tax (`TAX` dataset).
    #[serde(default)]
    pub tax: Option<OrderTax>,
    /// Fulfilment (`FULFILLMENT` dataset).
    #[serde(default)]
    pub fulfillment: Option<OrderFulfillment>,
    /// Items (always present).
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub order_items: Vec<OrderItem>,
    /// Packages (`PACKAGES` dataset, FBM only).
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub packages: Vec<OrderPackage>,
    /// Multi-channel fulfilment orders (`FULFILLMENT_ORDERS`).
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub fulfillment_orders: Vec<FulfillmentOrder>,
}

impl Order {
    /// The seller order id alias, if any.
    pub fn seller_order_id(&self) -> Option<&str> {
        self.order_aliases
            .iter()
            .find(|a| a.alias_type == "SELLER_ORDER_ID")
            .map(|a| a.alias_id.as_str())
    }
}

/// `Alias`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Alias {
    /// The alias.
    pub alias_id: String,
    /// Its type (`SELLER_ORDER_ID`).
    pub alias_type: String,
}

/// `AssociatedOrder`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AssociatedOrder {
    /// The other order.
    #[serde(default)]
    pub order_id: Option<String>,
    /// `REPLACEMENT_ORIGINAL_ID`, `EXCHANGE_ORIGINAL_ID`.
    #[serde(default)]
    pub association_type: Option<String>,
}

/// `SalesChannel`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SalesChannel {
    /// Channel (`AMAZON`, `NON_AMAZON`).
    pub channel_name: String,
    /// Marketplace id.
    #[serde(default)]
    pub marketplace_id: Option<String>,
    /// Marketplace name.
    #[serde(default)]
    pub marketplace_name: Option<String>,
}

/// `Buyer` (PII).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Buyer {
    /// Name.
    #[serde(default)]
    pub buyer_name: Option<String>,
    /// Anonymised e-mail.
    #[serde(default)]
    pub buyer_email: Option<String>,
    /// Company.
    #[serde(default)]
    pub buyer_company_name: Option<String>,
    /// Purchase order number.
    #[serde(default)]
    pub buyer_purchase_order_number: Option<String>,
}

redacted_debug!(Buyer {
    show: [],
    hide: [
        buyer_name,
        buyer_email,
        buyer_company_name,
        buyer_purchase_order_number
    ]
});

/// `Recipient`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Recipient {
    /// Delivery address.
    #[serde(default)]
    pub delivery_address: Option<CustomerAddress>,
    /// Delivery preference.
    #[serde(default)]
    pub delivery_preference: Option<DeliveryPreference>,
}

/// `CustomerAddress` (PII).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CustomerAddress {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Company.
    #[serde(default)]
    pub company_name: Option<String>,
    /// Line 1.
    #[serde(default)]
    pub address_line1: Option<String>,
    /// Line 2.
    #[serde(default)]
    pub address_line2: Option<String>,
    /// Line 3.
    #[serde(default)]
    pub address_line3: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// District or county.
    #[serde(default)]
    pub district_or_county: Option<String>,
    /// State or region.
    #[serde(default)]
    pub state_or_region: Option<String>,
    /// Municipality.
    #[serde(default)]
    pub municipality: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default)]
    pub country_code: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Extended fields.
    #[serde(default)]
    pub extended_fields: Option<AddressExtendedFields>,
    /// Address type.
    #[serde(default)]
    pub address_type: Option<AddressType>,
}

redacted_debug!(CustomerAddress {
    show: [state_or_region, country_code, address_type],
    hide: [
        name,
        company_name,
        address_line1,
        address_line2,
        address_line3,
        city,
        district_or_county,
        municipality,
        postal_code,
        phone,
        extended_fields
    ]
});

/// `AddressExtendedFields` (v2026).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AddressExtendedFields {
    /// Street name.
    #[serde(default)]
    pub street_name: Option<String>,
    /// Street number.
    #[serde(default)]
    pub street_number: Option<String>,
    /// Complement.
    #[serde(default)]
    pub complement: Option<String>,
    /// Neighborhood.
    #[serde(default)]
    pub neighborhood: Option<String>,
}

redacted_debug!(AddressExtendedFields {
    show: [],
    hide: [street_name, street_number, complement, neighborhood]
});

/// `MerchantAddress` (the seller's ship-from address).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MerchantAddress {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Line 1.
    #[serde(default)]
    pub address_line1: Option<String>,
    /// Line 2.
    #[serde(default)]
    pub address_line2: Option<String>,
    /// Line 3.
    #[serde(default)]
    pub address_line3: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// District or county.
    #[serde(default)]
    pub district_or_county: Option<String>,
    /// State or region.
    #[serde(default)]
    pub state_or_region: Option<String>,
    /// Municipality.
    #[serde(default)]
    pub municipality: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// Country code.
    #[serde(default)]
    pub country_code: Option<String>,
}

/// `DeliveryPreference`.
#[serde_as]
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeliveryPreference {
    /// Drop-off location.
    #[serde(default)]
    pub drop_off_location: Option<String>,
    /// Instructions.
    #[serde(default)]
    pub address_instruction: Option<String>,
    /// Preferred delivery times.
    #[serde(default)]
    pub delivery_time: Option<PreferredDeliveryTime>,
    /// Capabilities (e.g. `HAS_ACCESS_POINT`).
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub delivery_capabilities: Vec<String>,
}

impl std::fmt::Debug for DeliveryPreference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::serde_util::Redacted;
        f.debug_struct("DeliveryPreference")
            .field(
                "drop_off_location",
                &Redacted(self.drop_off_location.is_some()),
            )
            .field(
                "address_instruction",
                &Redacted(self.address_instruction.is_some()),
            )
            .field("delivery_time", &self.delivery_time)
            .field("delivery_capabilities", &self.delivery_capabilities)
            .finish()
    }
}

/// `PreferredDeliveryTime`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PreferredDeliveryTime {
    /// Business hours.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub business_hours: Vec<BusinessHour>,
    /// Exception dates.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub exception_dates: Vec<ExceptionDate>,
}

/// `BusinessHour`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BusinessHour {
    /// `SUN` … `SAT`.
    #[serde(default)]
    pub day_of_week: Option<String>,
    /// Windows.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub time_windows: Vec<TimeWindow>,
}

/// `ExceptionDate`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ExceptionDate {
    /// The date (`YYYY-MM-DD`).
    #[serde(default)]
    pub exception_date: Option<String>,
    /// `CLOSED` or `OPEN`.
    #[serde(default)]
    pub exception_date_type: Option<String>,
    /// Windows.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub time_windows: Vec<TimeWindow>,
}

/// `TimeWindow`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TimeWindow {
    /// Start.
    #[serde(default)]
    pub start_time: Option<HourMinute>,
    /// End.
    #[serde(default)]
    pub end_time: Option<HourMinute>,
}

/// `HourMinute`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HourMinute {
    /// Hour.
    #[serde(default)]
    pub hour: Option<u8>,
    /// Minute.
    #[serde(default)]
    pub minute: Option<u8>,
}

/// `OrderProceeds`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrderProceeds {
    /// Grand total.
    #[serde(default)]
    pub grand_total: Option<Money>,
    /// Breakdowns.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub breakdowns: Vec<OrderProceedsBreakdown>,
}

/// `OrderProceedsBreakdown`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrderProceedsBreakdown {
    /// Type.
    #[serde(rename = "type")]
    pub kind: ProceedsType,
    /// `PENDING` / `FINALIZED` (delivery tips).
    #[serde(default)]
    pub status: Option<String>,
    /// Subtotal.
    pub subtotal: Money,
}

/// `OrderFulfillment`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrderFulfillment {
    /// Status.
    pub fulfillment_status: FulfillmentStatus,
    /// Who fulfils.
    #[serde(default)]
    pub fulfilled_by: Option<FulfilledBy>,
    /// Service level (`STANDARD`, `EXPEDITED`, ...).
    #[serde(default)]
    pub fulfillment_service_level: Option<String>,
    /// Ship-by window.
    #[serde(default)]
    pub ship_by_window: Option<DateTimeRange>,
    /// Deliver-by window.
    #[serde(default)]
    pub deliver_by_window: Option<DateTimeRange>,
    /// Label printing window.
    #[serde(default)]
    pub label_printing_window: Option<DateTimeRange>,
}

/// `DateTimeRange`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DateTimeRange {
    /// Earliest.
    #[serde(default, with = "crate::serde_util::timestamp_opt")]
    pub earliest_date_time: Option<OffsetDateTime>,
    /// Latest.
    #[serde(default, with = "crate::serde_util::timestamp_opt")]
    pub latest_date_time: Option<OffsetDateTime>,
}

/// `OrderItem` (v2026).
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrderItem {
    /// Item id.
    pub order_item_id: String,
    /// Quantity ordered.
    pub quantity_ordered: u32,
    /// Measurement.
    #[serde(default)]
    pub measurement: Option<Measurement>,
    /// Associated items.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub associated_order_items: Vec<AssociatedOrderItem>,
    /// Programs.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub programs: Vec<Program>,
    /// Product.
    pub product: ItemProduct,
    /// Proceeds.
    #[serde(default)]
    pub proceeds: Option<ItemProceeds>,
    /// Expense.
    #[serde(default)]
    pub expense: Option<ItemExpense>,
    /// Promotion.
    #[serde(default)]
    pub promotion: Option<ItemPromotion>,
    /// Cancellation.
    #[serde(default)]
    pub cancellation: Option<ItemCancellation>,
    /// Fulfilment.
    #[serde(default)]
    pub fulfillment: Option<ItemFulfillment>,
    /// Tax.
    #[serde(default)]
    pub tax: Option<ItemTax>,
}

/// `Measurement` (v2026).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Measurement {
    /// Unit.
    pub unit: MeasurementUnit,
    /// Value.
    pub value: f64,
}

/// `AssociatedOrderItem`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AssociatedOrderItem {
    /// Order id.
    #[serde(default)]
    pub order_id: Option<String>,
    /// Item id.
    #[serde(default)]
    pub order_item_id: Option<String>,
    /// Association type.
    #[serde(default)]
    pub association_type: Option<String>,
}

/// `ItemProduct`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemProduct {
    /// ASIN.
    #[serde(default)]
    pub asin: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Seller SKU.
    #[serde(default)]
    pub seller_sku: Option<String>,
    /// Condition.
    #[serde(default)]
    pub condition: Option<ItemCondition>,
    /// Price (per unit).
    #[serde(default)]
    pub price: Option<ItemPrice>,
    /// Serial numbers.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub serial_numbers: Vec<String>,
    /// Customization.
    #[serde(default)]
    pub customization: Option<ItemCustomization>,
}

/// `ItemCondition`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemCondition {
    /// Type.
    #[serde(default)]
    pub condition_type: Option<String>,
    /// Subtype.
    #[serde(default)]
    pub condition_subtype: Option<String>,
    /// Note.
    #[serde(default)]
    pub condition_note: Option<String>,
}

/// `ItemPrice`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemPrice {
    /// Price of one unit (not the line total).
    #[serde(default)]
    pub unit_price: Option<Money>,
    /// `BUSINESS_PRICE` etc.
    #[serde(default)]
    pub price_designation: Option<String>,
}

/// `ItemCustomization`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemCustomization {
    /// URL of the customization data.
    #[serde(default)]
    pub customized_url: Option<String>,
}

redacted_debug!(ItemCustomization {
    show: [],
    hide: [customized_url]
});

/// `ItemProceeds`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemProceeds {
    /// Total.
    #[serde(default)]
    pub proceeds_total: Option<Money>,
    /// Breakdowns.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub breakdowns: Vec<ItemProceedsBreakdown>,
}

/// `ItemProceedsBreakdown`.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemProceedsBreakdown {
    /// Type.
    #[serde(rename = "type")]
    pub kind: ProceedsType,
    /// Subtotal.
    pub subtotal: Money,
    /// Detailed breakdowns.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub detailed_breakdowns: Vec<ItemProceedsDetailedBreakdown>,
}

/// `ItemProceedsDetailedBreakdown`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemProceedsDetailedBreakdown {
    /// Subtype.
    #[serde(default)]
    pub subtype: Option<String>,
    /// Value.
    #[serde(default)]
    pub value: Option<Money>,
}

/// `ItemExpense`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemExpense {
    /// Points cost.
    #[serde(default)]
    pub points_cost: Option<ItemPointsCost>,
}

/// `ItemPointsCost`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemPointsCost {
    /// Points granted.
    #[serde(default)]
    pub points_granted: Option<PointsGranted>,
}

/// `PointsGranted`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PointsGranted {
    /// Points.
    #[serde(default)]
    pub points_number: Option<i64>,
    /// Their value.
    #[serde(default)]
    pub points_monetary_value: Option<Money>,
}

/// `ItemPromotion`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemPromotion {
    /// Breakdowns.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub breakdowns: Vec<ItemPromotionBreakdown>,
}

/// `ItemPromotionBreakdown`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemPromotionBreakdown {
    /// Promotion id.
    #[serde(default)]
    pub promotion_id: Option<String>,
}

/// `ItemCancellation`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemCancellation {
    /// Request.
    #[serde(default)]
    pub cancellation_request: Option<ItemCancellationRequest>,
    /// Execution.
    #[serde(default)]
    pub cancellation_execution: Option<ItemCancellationExecution>,
}

/// `ItemCancellationRequest`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemCancellationRequest {
    /// `BUYER`.
    #[serde(default)]
    pub requester: Option<String>,
    /// Reason.
    #[serde(default)]
    pub cancel_reason: Option<String>,
}

/// `ItemCancellationExecution`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemCancellationExecution {
    /// `BUYER`, `MERCHANT`, `AMAZON`.
    #[serde(default)]
    pub cancelled_by: Option<String>,
    /// Reason.
    #[serde(default)]
    pub cancel_reason: Option<String>,
}

/// `ItemFulfillment`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemFulfillment {
    /// Quantity fulfilled.
    #[serde(default)]
    pub quantity_fulfilled: Option<u32>,
    /// Quantity not fulfilled.
    #[serde(default)]
    pub quantity_unfulfilled: Option<u32>,
    /// Picking.
    #[serde(default)]
    pub picking: Option<ItemPicking>,
    /// Packing.
    #[serde(default)]
    pub packing: Option<ItemPacking>,
    /// Shipping.
    #[serde(default)]
    pub shipping: Option<ItemShipping>,
}

/// `ItemPicking`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemPicking {
    /// Substitution preference.
    #[serde(default)]
    pub substitution_preference: Option<ItemSubstitutionPreference>,
}

/// `ItemSubstitutionPreference`.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemSubstitutionPreference {
    /// Type (`CUSTOMER_PREFERENCE`, `AMAZON_RECOMMENDED`, `DO_NOT_SUBSTITUTE`).
    pub substitution_type: crate::orders_v0::SubstitutionType,
    /// Options.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub substitution_options: Vec<ItemSubstitutionOption>,
}

/// `ItemSubstitutionOption`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemSubstitutionOption {
    /// ASIN.
    #[serde(default)]
    pub asin: Option<String>,
    /// Quantity.
    #[serde(default)]
    pub quantity_ordered: Option<u32>,
    /// SKU.
    #[serde(default)]
    pub seller_sku: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Measurement.
    #[serde(default)]
    pub measurement: Option<Measurement>,
}

/// `ItemPacking`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemPacking {
    /// Gift option.
    #[serde(default)]
    pub gift_option: Option<GiftOption>,
    /// Serial number requirement.
    #[serde(default)]
    pub serial_number_requirement: Option<SerialNumberRequirement>,
}

/// `GiftOption` (the message is PII).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GiftOption {
    /// Gift message.
    #[serde(default)]
    pub gift_message: Option<String>,
    /// Gift wrap level.
    #[serde(default)]
    pub gift_wrap_level: Option<String>,
}

redacted_debug!(GiftOption {
    show: [gift_wrap_level],
    hide: [gift_message]
});

/// `SerialNumberRequirement`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SerialNumberRequirement {
    /// Requirement type.
    #[serde(default)]
    pub requirement_type: Option<String>,
}

/// `ItemShipping`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemShipping {
    /// Scheduled delivery window.
    #[serde(default)]
    pub scheduled_delivery_window: Option<DateTimeRange>,
    /// Constraints.
    #[serde(default)]
    pub shipping_constraints: Option<ItemShippingConstraints>,
    /// International shipping.
    #[serde(default)]
    pub international_shipping: Option<ItemInternationalShipping>,
}

/// `ItemShippingConstraints`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemShippingConstraints {
    /// Pallet delivery.
    #[serde(default)]
    pub pallet_delivery: Option<crate::orders_v0::ConstraintType>,
    /// Cash on delivery.
    #[serde(default)]
    pub cash_on_delivery: Option<crate::orders_v0::ConstraintType>,
    /// Signature.
    #[serde(default)]
    pub signature_confirmation: Option<crate::orders_v0::ConstraintType>,
    /// Identity verification.
    #[serde(default)]
    pub recipient_identity_verification: Option<crate::orders_v0::ConstraintType>,
    /// Age verification.
    #[serde(default)]
    pub recipient_age_verification: Option<crate::orders_v0::ConstraintType>,
}

/// `ItemInternationalShipping`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemInternationalShipping {
    /// IOSS number.
    #[serde(default)]
    pub ioss_number: Option<String>,
}

/// `ItemTax`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemTax {
    /// Calculation breakdowns.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub tax_calculation_breakdowns: Vec<ItemTaxCalculationBreakdown>,
    /// Collections.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub tax_collections: Vec<ItemTaxCollection>,
}

/// `ItemTaxCalculationBreakdown`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemTaxCalculationBreakdown {
    /// Reporting scheme.
    #[serde(default)]
    pub reporting_scheme: Option<String>,
}

/// `ItemTaxCollection`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ItemTaxCollection {
    /// Model (`MARKETPLACE_FACILITATOR`).
    #[serde(default)]
    pub model: Option<String>,
    /// Responsible party.
    #[serde(default)]
    pub responsible_party: Option<String>,
}

/// `OrderPackage` (FBM).
#[serde_as]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrderPackage {
    /// Package reference id.
    pub package_reference_id: String,
    /// Created.
    #[serde(default, with = "crate::serde_util::timestamp_opt")]
    pub created_time: Option<OffsetDateTime>,
    /// Status.
    #[serde(default)]
    pub package_status: Option<PackageStatus>,
    /// Carrier.
    #[serde(default)]
    pub carrier: Option<String>,
    /// Ship time.
    #[serde(default, with = "crate::serde_util::timestamp_opt")]
    pub ship_time: Option<OffsetDateTime>,
    /// Shipping service.
    #[serde(default)]
    pub shipping_service: Option<String>,
    /// Tracking number.
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// Ship-from address.
    #[serde(default)]
    pub ship_from_address: Option<MerchantAddress>,
    /// Items.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub package_items: Vec<PackageItem>,
}

/// `PackageStatus`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PackageStatus {
    /// Status.
    pub status: PackageStatusCode,
    /// Detailed status.
    #[serde(default)]
    pub detailed_status: Option<String>,
}

/// `PackageItem`.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PackageItem {
    /// Item id.
    pub order_item_id: String,
    /// Quantity.
    pub quantity: u32,
    /// Transparency codes.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub transparency_codes: Vec<String>,
}

/// `OrderPayment`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrderPayment {
    /// Executions.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub payment_executions: Vec<PaymentExecution>,
}

/// `PaymentExecution`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaymentExecution {
    /// Method.
    #[serde(default)]
    pub payment_method: Option<String>,
    /// Amount.
    #[serde(default)]
    pub payment_amount: Option<Money>,
    /// Acquirer.
    #[serde(default)]
    pub acquirer_id: Option<String>,
    /// Card brand.
    #[serde(default)]
    pub card_brand: Option<String>,
    /// Authorization code.
    #[serde(default)]
    pub authorization_code: Option<String>,
}

/// `OrderTax`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrderTax {
    /// Registrations.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub tax_registrations: Vec<OrderTaxRegistration>,
    /// Invoicing.
    #[serde(default)]
    pub tax_invoicing: Option<OrderTaxInvoicing>,
}

/// `OrderTaxRegistration` (PII).
#[serde_as]
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrderTaxRegistration {
    /// Entity type.
    #[serde(default)]
    pub entity_type: Option<String>,
    /// Legal name.
    #[serde(default)]
    pub legal_name: Option<String>,
    /// Registration type.
    #[serde(default)]
    pub tax_registration_type: Option<String>,
    /// Registration number.
    #[serde(default)]
    pub tax_registration_number: Option<String>,
    /// Registration address.
    #[serde(default)]
    pub tax_registration_address: Option<CustomerAddress>,
    /// Attributes.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub tax_registration_attributes: Vec<TaxRegistrationAttribute>,
}

impl std::fmt::Debug for OrderTaxRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::serde_util::Redacted;
        f.debug_struct("OrderTaxRegistration")
            .field("entity_type", &self.entity_type)
            .field("legal_name", &Redacted(self.legal_name.is_some()))
            .field("tax_registration_type", &self.tax_registration_type)
            .field(
                "tax_registration_number",
                &Redacted(self.tax_registration_number.is_some()),
            )
            .field("tax_registration_address", &self.tax_registration_address)
            .field(
                "tax_registration_attributes",
                &self.tax_registration_attributes.len(),
            )
            .finish()
    }
}

/// `TaxRegistrationAttribute`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaxRegistrationAttribute {
    /// Key.
    #[serde(default)]
    pub key: Option<String>,
    /// Value.
    #[serde(default)]
    pub value: Option<String>,
}

/// `OrderTaxInvoicing`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrderTaxInvoicing {
    /// Buyer invoice preference.
    #[serde(default)]
    pub buyer_invoice_preference: Option<String>,
    /// Invoice status.
    #[serde(default)]
    pub invoice_status: Option<String>,
}

/// `FulfillmentOrder`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FulfillmentOrder {
    /// Fulfilment order id.
    pub fulfillment_order_id: String,
}
