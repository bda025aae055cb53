//! Orders v0 wire types (PascalCase, every field of `ordersV0.json`).
//!
//! Dates are `OffsetDateTime`; optional dates that do not parse (the sandbox sends epoch
//! floats and 1970 dates) decode as `None` instead of failing the response. Booleans accept
//! `"true"`/`"false"` strings. Money amounts are exact decimals. PII-bearing types print
//! `<redacted>` in `Debug`.

use crate::serde_util::{open_enum, redacted_debug};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};
use time::OffsetDateTime;

pub use crate::shared_model::MeasurementUnit;

open_enum! {
    /// `OrderStatus`.
    pub enum OrderStatus {
        /// Placed, payment not authorized yet.
        Pending => "Pending",
        /// Payment authorized, ready to ship, nothing shipped yet.
        Unshipped => "Unshipped",
        /// Some items shipped.
        PartiallyShipped => "PartiallyShipped",
        /// All items shipped.
        Shipped => "Shipped",
        /// Cancelled.
        Canceled => "Canceled",
        /// Cannot be fulfilled (multi-channel fulfilment).
        Unfulfillable => "Unfulfillable",
        /// Shipped, invoice not yet confirmed (China).
        InvoiceUnconfirmed => "InvoiceUnconfirmed",
        /// Pre-order, not yet available.
        PendingAvailability => "PendingAvailability",
    }
}

open_enum! {
    /// `FulfillmentChannel`.
    pub enum FulfillmentChannel {
        /// Fulfilled by the seller.
        Mfn => "MFN",
        /// Fulfilled by Amazon.
        Afn => "AFN",
    }
}

open_enum! {
    /// `PaymentMethod` (order level; Amazon recommends `PaymentMethodDetails`).
    pub enum PaymentMethod {
        /// Cash on delivery.
        Cod => "COD",
        /// Convenience store.
        Cvs => "CVS",
        /// Any other method.
        Other => "Other",
    }
}

open_enum! {
    /// `OrderType`.
    pub enum OrderType {
        /// Immediately fulfillable.
        StandardOrder => "StandardOrder",
        /// Long lead time.
        LongLeadTimeOrder => "LongLeadTimeOrder",
        /// Pre-order.
        Preorder => "Preorder",
        /// Back order.
        BackOrder => "BackOrder",
        /// Sourcing on demand.
        SourcingOnDemandOrder => "SourcingOnDemandOrder",
    }
}

open_enum! {
    /// `EasyShipShipmentStatus`.
    pub enum EasyShipShipmentStatus {
        /// Pending schedule.
        PendingSchedule => "PendingSchedule",
        /// Pending pick-up.
        PendingPickUp => "PendingPickUp",
        /// Pending drop-off.
        PendingDropOff => "PendingDropOff",
        /// Label cancelled.
        LabelCanceled => "LabelCanceled",
        /// Picked up.
        PickedUp => "PickedUp",
        /// Dropped off.
        DroppedOff => "DroppedOff",
        /// At origin FC.
        AtOriginFc => "AtOriginFC",
        /// At destination FC.
        AtDestinationFc => "AtDestinationFC",
        /// Delivered.
        Delivered => "Delivered",
        /// Rejected by buyer.
        RejectedByBuyer => "RejectedByBuyer",
        /// Undeliverable.
        Undeliverable => "Undeliverable",
        /// Returning to seller.
        ReturningToSeller => "ReturningToSeller",
        /// Returned to seller.
        ReturnedToSeller => "ReturnedToSeller",
        /// Lost.
        Lost => "Lost",
        /// Out for delivery.
        OutForDelivery => "OutForDelivery",
        /// Damaged.
        Damaged => "Damaged",
    }
}

open_enum! {
    /// `ElectronicInvoiceStatus`.
    pub enum ElectronicInvoiceStatus {
        /// Not required.
        NotRequired => "NotRequired",
        /// Not found.
        NotFound => "NotFound",
        /// Processing.
        Processing => "Processing",
        /// Errored.
        Errored => "Errored",
        /// Accepted.
        Accepted => "Accepted",
    }
}

open_enum! {
    /// `BuyerInvoicePreference` (Turkey).
    pub enum BuyerInvoicePreference {
        /// Individual.
        Individual => "INDIVIDUAL",
        /// Business.
        Business => "BUSINESS",
    }
}

open_enum! {
    /// `Address.AddressType`.
    pub enum AddressType {
        /// Residential.
        Residential => "Residential",
        /// Commercial.
        Commercial => "Commercial",
    }
}

open_enum! {
    /// `ShipmentStatus` for `updateShipmentStatus`.
    pub enum ShipmentStatus {
        /// Ready for pick-up.
        ReadyForPickup => "ReadyForPickup",
        /// Picked up.
        PickedUp => "PickedUp",
        /// Pick-up refused.
        RefusedPickup => "RefusedPickup",
    }
}

open_enum! {
    /// `VerificationStatus` of a regulated order.
    pub enum VerificationStatus {
        /// Pending.
        Pending => "Pending",
        /// Approved.
        Approved => "Approved",
        /// Rejected.
        Rejected => "Rejected",
        /// Expired.
        Expired => "Expired",
        /// Cancelled.
        Cancelled => "Cancelled",
    }
}

open_enum! {
    /// `DeemedResellerCategory`.
    pub enum DeemedResellerCategory {
        /// EU Import One-Stop Shop.
        Ioss => "IOSS",
        /// UK Union One-Stop Shop.
        Uoss => "UOSS",
    }
}

open_enum! {
    /// `SubstitutionType`.
    pub enum SubstitutionType {
        /// The customer chose substitutes.
        CustomerPreference => "CUSTOMER_PREFERENCE",
        /// Amazon recommends substitutes.
        AmazonRecommended => "AMAZON_RECOMMENDED",
        /// Do not substitute.
        DoNotSubstitute => "DO_NOT_SUBSTITUTE",
    }
}

open_enum! {
    /// `ConstraintType`.
    pub enum ConstraintType {
        /// Mandatory.
        Mandatory => "MANDATORY",
    }
}

open_enum! {
    /// `OtherDeliveryAttributes`.
    pub enum OtherDeliveryAttribute {
        /// The address has an access point.
        HasAccessPoint => "HAS_ACCESS_POINT",
        /// Pallet delivery enabled.
        PalletEnabled => "PALLET_ENABLED",
        /// Pallet delivery disabled.
        PalletDisabled => "PALLET_DISABLED",
    }
}

open_enum! {
    /// `RegulatedInformationField.FieldType`.
    pub enum RegulatedFieldType {
        /// Text.
        Text => "Text",
        /// A file attachment (the value is a URL).
        FileAttachment => "FileAttachment",
    }
}

/// `Money` (v0): both parts optional; the amount is an exact decimal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Money {
    /// ISO 4217 currency code.
    #[serde(default)]
    pub currency_code: Option<String>,
    /// Amount.
    #[serde(default, with = "crate::serde_util::decimal_opt")]
    pub amount: Option<Decimal>,
}

/// `OrdersList`: one page of `getOrders`.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct OrdersList {
    /// The orders.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub orders: Vec<Order>,
    /// Token for the next page.
    #[serde(default)]
    pub next_token: Option<String>,
    /// Effective upper bound of a LastUpdated query (use as the next watermark).
    #[serde(default, with = "crate::serde_util::timestamp_opt_strict")]
    pub last_updated_before: Option<OffsetDateTime>,
    /// Effective upper bound of a Created query (use as the next watermark).
    #[serde(default, with = "crate::serde_util::timestamp_opt_strict")]
    pub created_before: Option<OffsetDateTime>,
}

/// An order (v0).
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Order {
    /// Amazon order id (3-7-7).
    pub amazon_order_id: String,
    /// Seller-defined order id.
    #[serde(default)]
    pub seller_order_id: Option<String>,
    /// When the order was created.
    #[serde(with = "crate::serde_util::timestamp")]
    pub purchase_date: OffsetDateTime,
    /// When the order last changed.
    #[serde(with = "crate::serde_util::timestamp")]
    pub last_update_date: OffsetDateTime,
    /// Status.
    pub order_status: OrderStatus,
    /// AFN or MFN.
    #[serde(default)]
    pub fulfillment_channel: Option<FulfillmentChannel>,
    /// Sales channel of the first item.
    #[serde(default)]
    pub sales_channel: Option<String>,
    /// Order channel of the first item.
    #[serde(default)]
    pub order_channel: Option<String>,
    /// Shipment service level.
    #[serde(default)]
    pub ship_service_level: Option<String>,
    /// Order total.
    #[serde(default)]
    pub order_total: Option<Money>,
    /// Items shipped.
    #[serde(default)]
    pub number_of_items_shipped: Option<u32>,
    /// Items not shipped.
    #[serde(default)]
    pub number_of_items_unshipped: Option<u32>,
    /// Payment breakdown (COD / BR).
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub payment_execution_detail: Vec<PaymentExecutionDetailItem>,
    /// Payment method.
    #[serde(default)]
    pub payment_method: Option<PaymentMethod>,
    /// Payment method details (e.g. `Standard`).
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub payment_method_details: Vec<String>,
    /// Marketplace id.
    #[serde(default)]
    pub marketplace_id: Option<String>,
    /// Shipment service level category (`Expedited`, `Standard`, ...).
    #[serde(default)]
    pub shipment_service_level_category: Option<String>,
    /// Easy Ship status.
    #[serde(default)]
    pub easy_ship_shipment_status: Option<EasyShipShipmentStatus>,
    /// Checkout-by-Amazon shipping label.
    #[serde(default)]
    pub cba_displayable_shipping_label: Option<String>,
    /// Order type.
    #[serde(default)]
    pub order_type: Option<OrderType>,
    /// Start of the committed ship window (MFN).
    #[serde(default, with = "crate::serde_util::timestamp_opt")]
    pub earliest_ship_date: Option<OffsetDateTime>,
    /// End of the committed ship window (MFN).
    #[serde(default, with = "crate::serde_util::timestamp_opt")]
    pub latest_ship_date: Option<OffsetDateTime>,
    /// Start of the delivery window (MFN).
    #[serde(default, with = "crate::serde_util::timestamp_opt")]
    pub earliest_delivery_date: Option<OffsetDateTime>,
    /// End of the delivery window (MFN).
    #[serde(default, with = "crate::serde_util::timestamp_opt")]
    pub latest_delivery_date: Option<OffsetDateTime>,
    /// Amazon Business order.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub is_business_order: Option<bool>,
    /// Seller-fulfilled Prime.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub is_prime: Option<bool>,
    /// Premium shipping.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub is_premium_order: Option<bool>,
    /// Global Express.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub is_global_express_enabled: Option<bool>,
    /// The order this one replaces.
    #[serde(default)]
    pub replaced_order_id: Option<String>,
    /// Replacement order.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub is_replacement_order: Option<bool>,
    /// Sourcing-on-demand promise deadline.
    #[serde(default, with = "crate::serde_util::timestamp_opt")]
    pub promise_response_due_date: Option<OffsetDateTime>,
    /// Estimated ship date set.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub is_estimated_ship_date_set: Option<bool>,
    /// Sold by Amazon Business.
    #[serde(
        default,
        rename = "IsSoldByAB",
        with = "crate::serde_util::lenient_bool"
    )]
    pub is_sold_by_ab: Option<bool>,
    /// Invoice by Amazon.
    #[serde(default, rename = "IsIBA", with = "crate::serde_util::lenient_bool")]
    pub is_iba: Option<bool>,
    /// Seller's default ship-from address.
    #[serde(default)]
    pub default_ship_from_location_address: Option<Address>,
    /// Buyer invoice preference (TR).
    #[serde(default)]
    pub buyer_invoice_preference: Option<BuyerInvoicePreference>,
    /// Buyer tax information (TR).
    #[serde(default)]
    pub buyer_tax_information: Option<BuyerTaxInformation>,
    /// Fulfilment instruction.
    #[serde(default)]
    pub fulfillment_instruction: Option<FulfillmentInstruction>,
    /// In-store pick-up.
    #[serde(default, rename = "IsISPU", with = "crate::serde_util::lenient_bool")]
    pub is_ispu: Option<bool>,
    /// Access point delivery.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub is_access_point_order: Option<bool>,
    /// Marketplace tax info (BR).
    #[serde(default)]
    pub marketplace_tax_info: Option<MarketplaceTaxInfo>,
    /// Seller display name (BR).
    #[serde(default)]
    pub seller_display_name: Option<String>,
    /// Shipping address (PII parts need an RDT).
    #[serde(default)]
    pub shipping_address: Option<Address>,
    /// Buyer info (needs an RDT).
    #[serde(default)]
    pub buyer_info: Option<BuyerInfo>,
    /// Automated shipping settings.
    #[serde(default)]
    pub automated_shipping_settings: Option<AutomatedShippingSettings>,
    /// Contains regulated items.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub has_regulated_items: Option<bool>,
    /// Electronic invoice status.
    #[serde(default)]
    pub electronic_invoice_status: Option<ElectronicInvoiceStatus>,
}

/// `PaymentExecutionDetailItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PaymentExecutionDetailItem {
    /// Amount paid with this method.
    #[serde(default)]
    pub payment: Money,
    /// `COD`, `GC`, `PointsAccount`, `Invoice`, `CreditCard`, `Pix`, `Other`.
    #[serde(default)]
    pub payment_method: String,
    /// Acquirer (BR).
    #[serde(default)]
    pub acquirer_id: Option<String>,
    /// Card brand (BR).
    #[serde(default)]
    pub card_brand: Option<String>,
    /// Authorization code (BR).
    #[serde(default)]
    pub authorization_code: Option<String>,
}

/// `Address` (v0).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Address {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Company name.
    #[serde(default)]
    pub company_name: Option<String>,
    /// Street line 1.
    #[serde(default)]
    pub address_line1: Option<String>,
    /// Street line 2.
    #[serde(default)]
    pub address_line2: Option<String>,
    /// Street line 3.
    #[serde(default)]
    pub address_line3: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// County.
    #[serde(default)]
    pub county: Option<String>,
    /// District.
    #[serde(default)]
    pub district: Option<String>,
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
    /// Phone (suppressed for AFN and for shipped MFN orders after delivery).
    #[serde(default)]
    pub phone: Option<String>,
    /// Extended fields (BR, MX).
    #[serde(default)]
    pub extended_fields: Option<AddressExtendedFields>,
    /// Residential or commercial.
    #[serde(default)]
    pub address_type: Option<AddressType>,
}

redacted_debug!(Address {
    show: [state_or_region, country_code, address_type],
    hide: [
        name,
        company_name,
        address_line1,
        address_line2,
        address_line3,
        city,
        county,
        district,
        municipality,
        postal_code,
        phone,
        extended_fields
    ]
});

/// `AddressExtendedFields`.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
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
    /// Coordinates.
    #[serde(default)]
    pub geo_coordinates: Option<GeoCoordinates>,
}

redacted_debug!(AddressExtendedFields {
    show: [],
    hide: [
        street_name,
        street_number,
        complement,
        neighborhood,
        geo_coordinates
    ]
});

/// `GeoCoordinates`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct GeoCoordinates {
    /// Latitude.
    #[serde(default)]
    pub latitude: Option<f64>,
    /// Longitude.
    #[serde(default)]
    pub longitude: Option<f64>,
}

/// `BuyerTaxInformation` (TR).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct BuyerTaxInformation {
    /// Legal company name.
    #[serde(default)]
    pub buyer_legal_company_name: Option<String>,
    /// Business address.
    #[serde(default)]
    pub buyer_business_address: Option<String>,
    /// Tax registration id.
    #[serde(default)]
    pub buyer_tax_registration_id: Option<String>,
    /// Tax office.
    #[serde(default)]
    pub buyer_tax_office: Option<String>,
}

redacted_debug!(BuyerTaxInformation {
    show: [],
    hide: [
        buyer_legal_company_name,
        buyer_business_address,
        buyer_tax_registration_id,
        buyer_tax_office
    ]
});

/// `FulfillmentInstruction`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct FulfillmentInstruction {
    /// Supply source id.
    #[serde(default)]
    pub fulfillment_supply_source_id: Option<String>,
}

/// `MarketplaceTaxInfo`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MarketplaceTaxInfo {
    /// Tax classifications.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub tax_classifications: Vec<TaxClassification>,
}

/// `TaxClassification`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct TaxClassification {
    /// Name (e.g. `VATNumber`).
    #[serde(default)]
    pub name: Option<String>,
    /// Value.
    #[serde(default)]
    pub value: Option<String>,
}

/// `BuyerInfo` (order level; needs an RDT).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct BuyerInfo {
    /// Anonymised buyer e-mail.
    #[serde(default)]
    pub buyer_email: Option<String>,
    /// Buyer name.
    #[serde(default)]
    pub buyer_name: Option<String>,
    /// Buyer county (BR).
    #[serde(default)]
    pub buyer_county: Option<String>,
    /// Buyer tax info.
    #[serde(default)]
    pub buyer_tax_info: Option<BuyerTaxInfo>,
    /// Purchase order number.
    #[serde(default)]
    pub purchase_order_number: Option<String>,
}

redacted_debug!(BuyerInfo {
    show: [],
    hide: [
        buyer_email,
        buyer_name,
        buyer_county,
        buyer_tax_info,
        purchase_order_number
    ]
});

/// `BuyerTaxInfo`.
#[serde_as]
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct BuyerTaxInfo {
    /// Legal company name.
    #[serde(default)]
    pub company_legal_name: Option<String>,
    /// Taxing region.
    #[serde(default)]
    pub taxing_region: Option<String>,
    /// Tax classifications.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub tax_classifications: Vec<TaxClassification>,
}

impl std::fmt::Debug for BuyerTaxInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuyerTaxInfo")
            .field(
                "company_legal_name",
                &crate::serde_util::Redacted(self.company_legal_name.is_some()),
            )
            .field("taxing_region", &self.taxing_region)
            .field("tax_classifications", &self.tax_classifications.len())
            .finish()
    }
}

/// `AutomatedShippingSettings`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct AutomatedShippingSettings {
    /// Whether automated shipping is on.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub has_automated_shipping_settings: Option<bool>,
    /// Carrier.
    #[serde(default)]
    pub automated_carrier: Option<String>,
    /// Ship method.
    #[serde(default)]
    pub automated_ship_method: Option<String>,
}

/// `OrderBuyerInfo` (getOrderBuyerInfo).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct OrderBuyerInfo {
    /// Order id.
    pub amazon_order_id: String,
    /// Anonymised buyer e-mail.
    #[serde(default)]
    pub buyer_email: Option<String>,
    /// Buyer name.
    #[serde(default)]
    pub buyer_name: Option<String>,
    /// Buyer county.
    #[serde(default)]
    pub buyer_county: Option<String>,
    /// Buyer tax info.
    #[serde(default)]
    pub buyer_tax_info: Option<BuyerTaxInfo>,
    /// Purchase order number.
    #[serde(default)]
    pub purchase_order_number: Option<String>,
}

impl std::fmt::Debug for OrderBuyerInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::serde_util::Redacted;
        f.debug_struct("OrderBuyerInfo")
            .field("amazon_order_id", &self.amazon_order_id)
            .field("buyer_email", &Redacted(self.buyer_email.is_some()))
            .field("buyer_name", &Redacted(self.buyer_name.is_some()))
            .field("buyer_county", &Redacted(self.buyer_county.is_some()))
            .field("buyer_tax_info", &self.buyer_tax_info)
            .field(
                "purchase_order_number",
                &Redacted(self.purchase_order_number.is_some()),
            )
            .finish()
    }
}

/// `OrderAddress` (getOrderAddress).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct OrderAddress {
    /// Order id.
    pub amazon_order_id: String,
    /// Buyer's company name.
    #[serde(default)]
    pub buyer_company_name: Option<String>,
    /// Shipping address.
    #[serde(default)]
    pub shipping_address: Option<Address>,
    /// Delivery preferences.
    #[serde(default)]
    pub delivery_preferences: Option<DeliveryPreferences>,
}

impl std::fmt::Debug for OrderAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderAddress")
            .field("amazon_order_id", &self.amazon_order_id)
            .field(
                "buyer_company_name",
                &crate::serde_util::Redacted(self.buyer_company_name.is_some()),
            )
            .field("shipping_address", &self.shipping_address)
            .field("delivery_preferences", &self.delivery_preferences)
            .finish()
    }
}

/// `DeliveryPreferences`.
#[serde_as]
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DeliveryPreferences {
    /// Drop-off location.
    #[serde(default)]
    pub drop_off_location: Option<String>,
    /// Preferred delivery times.
    #[serde(default)]
    pub preferred_delivery_time: Option<PreferredDeliveryTime>,
    /// Other attributes.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub other_attributes: Vec<OtherDeliveryAttribute>,
    /// Delivery instructions.
    #[serde(default)]
    pub address_instructions: Option<String>,
}

impl std::fmt::Debug for DeliveryPreferences {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::serde_util::Redacted;
        f.debug_struct("DeliveryPreferences")
            .field(
                "drop_off_location",
                &Redacted(self.drop_off_location.is_some()),
            )
            .field("preferred_delivery_time", &self.preferred_delivery_time)
            .field("other_attributes", &self.other_attributes)
            .field(
                "address_instructions",
                &Redacted(self.address_instructions.is_some()),
            )
            .finish()
    }
}

/// `PreferredDeliveryTime`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PreferredDeliveryTime {
    /// Business hours.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub business_hours: Vec<BusinessHours>,
    /// Exception dates.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub exception_dates: Vec<ExceptionDates>,
}

/// `BusinessHours`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct BusinessHours {
    /// `SUN` … `SAT`.
    #[serde(default)]
    pub day_of_week: Option<String>,
    /// Open intervals.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub open_intervals: Vec<OpenInterval>,
}

/// `ExceptionDates`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ExceptionDates {
    /// The date (ISO 8601 date).
    #[serde(default)]
    pub exception_date: Option<String>,
    /// Whether the business is open that day.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub is_open: Option<bool>,
    /// Open intervals.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub open_intervals: Vec<OpenInterval>,
}

/// `OpenInterval`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct OpenInterval {
    /// Start.
    #[serde(default)]
    pub start_time: Option<OpenTimeInterval>,
    /// End.
    #[serde(default)]
    pub end_time: Option<OpenTimeInterval>,
}

/// `OpenTimeInterval`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct OpenTimeInterval {
    /// Hour.
    #[serde(default)]
    pub hour: Option<u8>,
    /// Minute.
    #[serde(default)]
    pub minute: Option<u8>,
}

/// `OrderItemsList`: one page of `getOrderItems`.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct OrderItemsList {
    /// The items.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub order_items: Vec<OrderItem>,
    /// Token for the next page.
    #[serde(default)]
    pub next_token: Option<String>,
    /// Order id.
    pub amazon_order_id: String,
}

/// An order item (v0).
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct OrderItem {
    /// ASIN.
    #[serde(rename = "ASIN")]
    pub asin: String,
    /// Seller SKU.
    #[serde(default, rename = "SellerSKU")]
    pub seller_sku: Option<String>,
    /// Order item id.
    pub order_item_id: String,
    /// Associated items (value-added services).
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub associated_items: Vec<AssociatedItem>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Quantity ordered.
    pub quantity_ordered: u32,
    /// Quantity shipped.
    #[serde(default)]
    pub quantity_shipped: Option<u32>,
    /// Product info.
    #[serde(default)]
    pub product_info: Option<ProductInfoDetail>,
    /// Points granted (JP).
    #[serde(default)]
    pub points_granted: Option<PointsGrantedDetail>,
    /// Line total (unit price × quantity); excludes shipping and gift wrap.
    #[serde(default)]
    pub item_price: Option<Money>,
    /// Shipping price.
    #[serde(default)]
    pub shipping_price: Option<Money>,
    /// Item tax.
    #[serde(default)]
    pub item_tax: Option<Money>,
    /// Shipping tax.
    #[serde(default)]
    pub shipping_tax: Option<Money>,
    /// Shipping discount.
    #[serde(default)]
    pub shipping_discount: Option<Money>,
    /// Tax on the shipping discount.
    #[serde(default)]
    pub shipping_discount_tax: Option<Money>,
    /// Promotion discount.
    #[serde(default)]
    pub promotion_discount: Option<Money>,
    /// Tax on the promotion discount.
    #[serde(default)]
    pub promotion_discount_tax: Option<Money>,
    /// Promotion ids.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub promotion_ids: Vec<String>,
    /// COD fee.
    #[serde(default, rename = "CODFee")]
    pub cod_fee: Option<Money>,
    /// COD fee discount.
    #[serde(default, rename = "CODFeeDiscount")]
    pub cod_fee_discount: Option<Money>,
    /// Gift (sent as a string by Amazon).
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub is_gift: Option<bool>,
    /// Condition note.
    #[serde(default)]
    pub condition_note: Option<String>,
    /// Condition (`New`, `Used`, ...).
    #[serde(default)]
    pub condition_id: Option<String>,
    /// Condition subtype.
    #[serde(default)]
    pub condition_subtype_id: Option<String>,
    /// Scheduled delivery start.
    #[serde(default, with = "crate::serde_util::timestamp_opt")]
    pub scheduled_delivery_start_date: Option<OffsetDateTime>,
    /// Scheduled delivery end.
    #[serde(default, with = "crate::serde_util::timestamp_opt")]
    pub scheduled_delivery_end_date: Option<OffsetDateTime>,
    /// Price designation (`BusinessPrice`).
    #[serde(default)]
    pub price_designation: Option<String>,
    /// Tax collection (marketplace facilitator).
    #[serde(default)]
    pub tax_collection: Option<TaxCollection>,
    /// Serial number required.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub serial_number_required: Option<bool>,
    /// Transparency item (codes must be sent with confirmShipment).
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub is_transparency: Option<bool>,
    /// IOSS number.
    #[serde(default)]
    pub ioss_number: Option<String>,
    /// Store chain store id.
    #[serde(default)]
    pub store_chain_store_id: Option<String>,
    /// Deemed reseller category.
    #[serde(default)]
    pub deemed_reseller_category: Option<DeemedResellerCategory>,
    /// Item buyer info (needs an RDT).
    #[serde(default)]
    pub buyer_info: Option<ItemBuyerInfo>,
    /// Buyer cancellation request.
    #[serde(default)]
    pub buyer_requested_cancel: Option<BuyerRequestedCancel>,
    /// Serial numbers (FBA).
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub serial_numbers: Vec<String>,
    /// Substitution preferences.
    #[serde(default)]
    pub substitution_preferences: Option<SubstitutionPreferences>,
    /// Measurement.
    #[serde(default)]
    pub measurement: Option<Measurement>,
    /// Shipping constraints.
    #[serde(default)]
    pub shipping_constraints: Option<ShippingConstraints>,
    /// Amazon programs.
    #[serde(default)]
    pub amazon_programs: Option<AmazonPrograms>,
}

/// `AmazonPrograms`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct AmazonPrograms {
    /// Programs (`SUBSCRIBE_AND_SAVE`, `FBM_SHIP_PLUS`).
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub programs: Vec<String>,
}

/// `SubstitutionPreferences`.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct SubstitutionPreferences {
    /// Type.
    pub substitution_type: SubstitutionType,
    /// Options.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub substitution_options: Vec<SubstitutionOption>,
}

/// `SubstitutionOption`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct SubstitutionOption {
    /// ASIN.
    #[serde(default, rename = "ASIN")]
    pub asin: Option<String>,
    /// Quantity.
    #[serde(default)]
    pub quantity_ordered: Option<u32>,
    /// Seller SKU.
    #[serde(default, rename = "SellerSKU")]
    pub seller_sku: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Measurement.
    #[serde(default)]
    pub measurement: Option<Measurement>,
}

/// `Measurement`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Measurement {
    /// Unit.
    pub unit: MeasurementUnit,
    /// Value.
    pub value: f64,
}

/// `AssociatedItem`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct AssociatedItem {
    /// Order id.
    #[serde(default)]
    pub order_id: Option<String>,
    /// Order item id.
    #[serde(default)]
    pub order_item_id: Option<String>,
    /// `VALUE_ADD_SERVICE`.
    #[serde(default)]
    pub association_type: Option<String>,
}

/// `ProductInfoDetail`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ProductInfoDetail {
    /// Number of items in the product (a string in the model).
    #[serde(default)]
    pub number_of_items: Option<String>,
}

/// `PointsGrantedDetail`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PointsGrantedDetail {
    /// Points.
    #[serde(default)]
    pub points_number: Option<i64>,
    /// Their value.
    #[serde(default)]
    pub points_monetary_value: Option<Money>,
}

/// `TaxCollection`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct TaxCollection {
    /// `MarketplaceFacilitator`.
    #[serde(default)]
    pub model: Option<String>,
    /// `Amazon Services, Inc.`.
    #[serde(default)]
    pub responsible_party: Option<String>,
}

/// `ShippingConstraints`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ShippingConstraints {
    /// Pallet delivery.
    #[serde(default)]
    pub pallet_delivery: Option<ConstraintType>,
    /// Signature confirmation.
    #[serde(default)]
    pub signature_confirmation: Option<ConstraintType>,
    /// Recipient identity verification.
    #[serde(default)]
    pub recipient_identity_verification: Option<ConstraintType>,
    /// Recipient age verification.
    #[serde(default)]
    pub recipient_age_verification: Option<ConstraintType>,
}

/// `ItemBuyerInfo` (needs an RDT).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ItemBuyerInfo {
    /// Customization.
    #[serde(default)]
    pub buyer_customized_info: Option<BuyerCustomizedInfoDetail>,
    /// Gift wrap price.
    #[serde(default)]
    pub gift_wrap_price: Option<Money>,
    /// Gift wrap tax.
    #[serde(default)]
    pub gift_wrap_tax: Option<Money>,
    /// Gift message.
    #[serde(default)]
    pub gift_message_text: Option<String>,
    /// Gift wrap level.
    #[serde(default)]
    pub gift_wrap_level: Option<String>,
}

redacted_debug!(ItemBuyerInfo {
    show: [gift_wrap_price, gift_wrap_tax, gift_wrap_level],
    hide: [buyer_customized_info, gift_message_text]
});

/// `BuyerCustomizedInfoDetail` (buyer data: `Debug` hides the URL).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BuyerCustomizedInfoDetail {
    /// URL of the customization data.
    #[serde(default, rename = "CustomizedURL")]
    pub customized_url: Option<String>,
}

redacted_debug!(BuyerCustomizedInfoDetail {
    show: [],
    hide: [customized_url]
});

/// `BuyerRequestedCancel`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct BuyerRequestedCancel {
    /// Whether the buyer asked to cancel (a string on the wire).
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub is_buyer_requested_cancel: Option<bool>,
    /// Reason.
    #[serde(default)]
    pub buyer_cancel_reason: Option<String>,
}

/// `OrderItemsBuyerInfoList`.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct OrderItemsBuyerInfoList {
    /// Items.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub order_items: Vec<OrderItemBuyerInfo>,
    /// Next page token.
    #[serde(default)]
    pub next_token: Option<String>,
    /// Order id.
    pub amazon_order_id: String,
}

/// `OrderItemBuyerInfo`.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct OrderItemBuyerInfo {
    /// Order item id.
    pub order_item_id: String,
    /// Customization.
    #[serde(default)]
    pub buyer_customized_info: Option<BuyerCustomizedInfoDetail>,
    /// Gift wrap price.
    #[serde(default)]
    pub gift_wrap_price: Option<Money>,
    /// Gift wrap tax.
    #[serde(default)]
    pub gift_wrap_tax: Option<Money>,
    /// Gift message.
    #[serde(default)]
    pub gift_message_text: Option<String>,
    /// Gift wrap level.
    #[serde(default)]
    pub gift_wrap_level: Option<String>,
}

impl std::fmt::Debug for OrderItemBuyerInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::serde_util::Redacted;
        f.debug_struct("OrderItemBuyerInfo")
            .field("order_item_id", &self.order_item_id)
            .field(
                "buyer_customized_info",
                &Redacted(self.buyer_customized_info.is_some()),
            )
            .field("gift_wrap_price", &self.gift_wrap_price)
            .field("gift_wrap_tax", &self.gift_wrap_tax)
            .field(
                "gift_message_text",
                &Redacted(self.gift_message_text.is_some()),
            )
            .field("gift_wrap_level", &self.gift_wrap_level)
            .finish()
    }
}

/// `OrderRegulatedInfo`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct OrderRegulatedInfo {
    /// Order id.
    pub amazon_order_id: String,
    /// The regulated information.
    pub regulated_information: RegulatedInformation,
    /// Whether a dosage label is required.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub requires_dosage_label: Option<bool>,
    /// Verification status.
    pub regulated_order_verification_status: RegulatedOrderVerificationStatus,
}

/// `RegulatedInformation`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RegulatedInformation {
    /// Fields.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub fields: Vec<RegulatedInformationField>,
}

/// `RegulatedInformationField` (the value may be PII: redacted in `Debug`).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RegulatedInformationField {
    /// Field id.
    #[serde(default)]
    pub field_id: String,
    /// Label.
    #[serde(default)]
    pub field_label: String,
    /// Type.
    #[serde(default)]
    pub field_type: Option<RegulatedFieldType>,
    /// Value (text, or a URL for attachments).
    #[serde(default)]
    pub field_value: String,
}

impl std::fmt::Debug for RegulatedInformationField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegulatedInformationField")
            .field("field_id", &self.field_id)
            .field("field_label", &self.field_label)
            .field("field_type", &self.field_type)
            .field("field_value", &"<redacted>")
            .finish()
    }
}

/// `RegulatedOrderVerificationStatus`.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RegulatedOrderVerificationStatus {
    /// Status.
    pub status: VerificationStatus,
    /// Whether the seller must act.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub requires_merchant_action: Option<bool>,
    /// Valid rejection reasons.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub valid_rejection_reasons: Vec<RejectionReason>,
    /// The rejection reason, when rejected.
    #[serde(default)]
    pub rejection_reason: Option<RejectionReason>,
    /// When reviewed.
    #[serde(default, with = "crate::serde_util::timestamp_opt")]
    pub review_date: Option<OffsetDateTime>,
    /// Reviewer id.
    #[serde(default)]
    pub external_reviewer_id: Option<String>,
    /// Valid verification details.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub valid_verification_details: Vec<ValidVerificationDetail>,
    /// Valid interim status codes.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub valid_interim_status_codes: Vec<ValidInterimStatusCode>,
}

/// `RejectionReason`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RejectionReason {
    /// Id.
    #[serde(default)]
    pub rejection_reason_id: String,
    /// Description.
    #[serde(default)]
    pub rejection_reason_description: String,
}

/// `ValidVerificationDetail`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ValidVerificationDetail {
    /// Detail type (e.g. `prescriptionDetail`).
    #[serde(default)]
    pub verification_detail_type: String,
    /// Statuses it may accompany.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub valid_verification_statuses: Vec<VerificationStatus>,
}

/// `ValidInterimStatusCode`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ValidInterimStatusCode {
    /// Code.
    #[serde(default)]
    pub status_code: String,
    /// Description.
    #[serde(default)]
    pub status_description: String,
}

// ---------------------------------------------------------------------------------------
// Request bodies (camelCase, as the model says).

/// `ConfirmShipmentRequest`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmShipmentRequest {
    /// The package.
    pub package_detail: PackageDetail,
    /// `DirectPayment` (JP COD only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cod_collection_method: Option<String>,
    /// Marketplace id.
    pub marketplace_id: String,
}

/// A date sent to Amazon: a typed instant (sent as UTC `Z`), or a raw string passed through
/// unchanged (for the static sandbox's sentinel values such as `TEST_CASE_200`, and for
/// reproducing Amazon's own examples byte for byte).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateParam {
    /// An instant.
    At(OffsetDateTime),
    /// A raw string, sent as is (never clamped).
    Raw(String),
}

impl DateParam {
    /// The wire form.
    pub fn to_wire(&self) -> String {
        match self {
            DateParam::At(t) => crate::serde_util::format_utc(*t),
            DateParam::Raw(s) => s.clone(),
        }
    }

    /// The instant, if typed.
    pub fn instant(&self) -> Option<OffsetDateTime> {
        match self {
            DateParam::At(t) => Some(*t),
            DateParam::Raw(_) => None,
        }
    }
}

impl From<OffsetDateTime> for DateParam {
    fn from(t: OffsetDateTime) -> Self {
        DateParam::At(t)
    }
}

impl Serialize for DateParam {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_wire())
    }
}

impl<'de> Deserialize<'de> for DateParam {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        // Keep the exact text unless the typed form would send the same bytes.
        Ok(match crate::serde_util::parse_timestamp(&s) {
            Some(t) if crate::serde_util::format_utc(t) == s => DateParam::At(t),
            _ => DateParam::Raw(s),
        })
    }
}

/// `PackageDetail`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageDetail {
    /// Seller's package id: unique within the order, positive numeric.
    pub package_reference_id: String,
    /// Carrier code (required everywhere; `Other` plus `carrier_name` for unlisted ones).
    pub carrier_code: String,
    /// Carrier name (required when `carrier_code` is `Other`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_name: Option<String>,
    /// Shipping method, e.g. `FedEx Ground`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_method: Option<String>,
    /// Tracking number.
    pub tracking_number: String,
    /// Ship date (never in the future: Amazon refuses it).
    pub ship_date: DateParam,
    /// Ship-from supply source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_from_supply_source_id: Option<String>,
    /// Items in the package (a subset for partial shipments).
    pub order_items: Vec<ConfirmShipmentOrderItem>,
}

/// `ConfirmShipmentOrderItem`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmShipmentOrderItem {
    /// Order item id.
    pub order_item_id: String,
    /// Quantity in this package.
    pub quantity: u32,
    /// Transparency codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transparency_codes: Vec<String>,
}

/// `UpdateShipmentStatusRequest`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateShipmentStatusRequest {
    /// Marketplace id.
    pub marketplace_id: String,
    /// New status.
    pub shipment_status: ShipmentStatus,
    /// Items (all when omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_items: Option<Vec<ShipmentStatusOrderItem>>,
}

/// One entry of `UpdateShipmentStatusRequest.orderItems`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentStatusOrderItem {
    /// Order item id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_item_id: Option<String>,
    /// Quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
}

/// `UpdateVerificationStatusRequest`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateVerificationStatusRequest {
    /// The new status.
    pub regulated_order_verification_status: UpdateVerificationStatusRequestBody,
}

/// `UpdateVerificationStatusRequestBody`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateVerificationStatusRequestBody {
    /// New status (Amazon accepts `Approved` / `Rejected` as targets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<VerificationStatus>,
    /// Reviewer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_reviewer_id: Option<String>,
    /// Rejection reason (required when rejecting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason_id: Option<String>,
    /// Verification details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_details: Option<VerificationDetails>,
}

/// `VerificationDetails`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationDetails {
    /// Prescription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prescription_detail: Option<PrescriptionDetail>,
    /// Approved alternatives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_alternative_details: Option<Vec<ApprovedAttribute>>,
    /// Interim status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interim_status_detail: Option<InterimStatusDetail>,
}

/// `PrescriptionDetail`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrescriptionDetail {
    /// Prescription id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prescription_id: Option<String>,
    /// Expiration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<DateParam>,
    /// Written quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_quantity: Option<u32>,
    /// Refills authorized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_refills_authorized: Option<u32>,
    /// Refills remaining.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refills_remaining: Option<u32>,
    /// Clinic id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinic_id: Option<String>,
    /// Usage instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_instructions: Option<String>,
}

/// `ApprovedAttribute`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovedAttribute {
    /// Attribute name (e.g. `asin`).
    pub attribute_name: String,
    /// Original value.
    pub original_value: String,
    /// Approved value.
    pub approved_value: String,
}

/// `InterimStatusDetail`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InterimStatusDetail {
    /// Status code.
    pub status_code: String,
    /// When.
    pub status_date_time: DateParam,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customization_debug_hides_the_url() {
        let detail: BuyerCustomizedInfoDetail =
            serde_json::from_str(r#"{"CustomizedURL":"https://zme-caps.example/secret-design"}"#)
                .expect("decodes");
        let shown = format!("{detail:?}");
        assert!(!shown.contains("secret-design"), "{shown}");
        assert_eq!(
            shown,
            "BuyerCustomizedInfoDetail { customized_url: Some(<redacted>) }"
        );
        assert_eq!(
            detail.customized_url.as_deref(),
            Some("https://zme-caps.example/secret-design")
        );
    }
}
