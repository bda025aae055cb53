//! Orders 2013-09-01 response types and their XML readers.
//!
//! Readers go by element name, so element order does not matter; unknown elements are
//! skipped; optional elements may be missing or empty. The older 2011-01-01 shape (a subset)
//! reads into the same types.

use std::fmt;

use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::common::{Money, Pii, request_id, string_enum};
use crate::error::XmlError;
use crate::xml::{self, Doc, Node, expect_root};

string_enum! {
    /// `OrderStatus` of an order.
    pub enum OrderStatus {
        PendingAvailability => "PendingAvailability",
        Pending => "Pending",
        Unshipped => "Unshipped",
        PartiallyShipped => "PartiallyShipped",
        Shipped => "Shipped",
        InvoiceUnconfirmed => "InvoiceUnconfirmed",
        Canceled => "Canceled",
        Unfulfillable => "Unfulfillable",
    }
}

string_enum! {
    /// Who fulfils the order: Amazon (`AFN`) or the merchant (`MFN`).
    pub enum FulfillmentChannel {
        Afn => "AFN",
        Mfn => "MFN",
    }
}

string_enum! {
    /// `PaymentMethod` of an order, or of a payment execution detail (JP).
    pub enum PaymentMethod {
        Cod => "COD",
        Cvs => "CVS",
        OtherMethod => "Other",
        Gc => "GC",
        PointsAccount => "PointsAccount",
    }
}

string_enum! {
    /// Shipment service level category.
    pub enum ShipmentServiceLevelCategory {
        Expedited => "Expedited",
        FreeEconomy => "FreeEconomy",
        NextDay => "NextDay",
        SameDay => "SameDay",
        SecondDay => "SecondDay",
        Scheduled => "Scheduled",
        Standard => "Standard",
    }
}

string_enum! {
    /// `OrderType`.
    pub enum OrderType {
        StandardOrder => "StandardOrder",
        Preorder => "Preorder",
        SourcingOnDemandOrder => "SourcingOnDemandOrder",
        LongLeadTimeOrder => "LongLeadTimeOrder",
    }
}

string_enum! {
    /// Easy Ship shipment status (India).
    pub enum EasyShipShipmentStatus {
        PendingPickUp => "PendingPickUp",
        LabelCanceled => "LabelCanceled",
        PickedUp => "PickedUp",
        OutForDelivery => "OutForDelivery",
        Damaged => "Damaged",
        Delivered => "Delivered",
        RejectedByBuyer => "RejectedByBuyer",
        Undeliverable => "Undeliverable",
        ReturnedToSeller => "ReturnedToSeller",
        ReturningToSeller => "ReturningToSeller",
        Lost => "Lost",
    }
}

string_enum! {
    /// Address type.
    pub enum AddressType {
        Residential => "Residential",
        Commercial => "Commercial",
    }
}

string_enum! {
    /// Status of an MWS section (`GetServiceStatus`).
    pub enum ServiceStatusCode {
        Green => "GREEN",
        GreenI => "GREEN_I",
        Yellow => "YELLOW",
        Red => "RED",
    }
}

/// An Amazon order id (`3-7-7` digits, e.g. `902-3159896-1390916`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AmazonOrderId(pub String);

impl AmazonOrderId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AmazonOrderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for AmazonOrderId {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<String> for AmazonOrderId {
    fn from(s: String) -> Self {
        Self(s)
    }
}

/// The opaque continuation token of a paged list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NextToken(pub String);

impl NextToken {
    /// The token as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A postal address. Fields that identify a person are [`Pii`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Address {
    /// Recipient name.
    pub name: Option<Pii<String>>,
    /// Street address, line 1.
    pub address_line1: Option<Pii<String>>,
    /// Line 2.
    pub address_line2: Option<Pii<String>>,
    /// Line 3.
    pub address_line3: Option<Pii<String>>,
    /// City.
    pub city: Option<String>,
    /// County.
    pub county: Option<String>,
    /// District.
    pub district: Option<String>,
    /// State or region.
    pub state_or_region: Option<String>,
    /// Municipality.
    pub municipality: Option<String>,
    /// Postal code.
    pub postal_code: Option<Pii<String>>,
    /// ISO 3166 country code.
    pub country_code: Option<String>,
    /// Phone number.
    pub phone: Option<Pii<String>>,
    /// Residential or commercial.
    pub address_type: Option<AddressType>,
    /// `isAddressSharingConfidential` (seen on ship-from and SG addresses).
    pub is_address_sharing_confidential: Option<bool>,
}

impl Address {
    fn read(node: Node<'_>) -> Result<Address, XmlError> {
        let mut a = Address::default();
        let pii = |c: Node<'_>| c.opt_text().map(Pii::new);
        for c in node.children() {
            match c.name() {
                "Name" => a.name = pii(c),
                "AddressLine1" => a.address_line1 = pii(c),
                "AddressLine2" => a.address_line2 = pii(c),
                "AddressLine3" => a.address_line3 = pii(c),
                "City" => a.city = c.opt_text(),
                "County" => a.county = c.opt_text(),
                "District" => a.district = c.opt_text(),
                "StateOrRegion" => a.state_or_region = c.opt_text(),
                "Municipality" => a.municipality = c.opt_text(),
                "PostalCode" => a.postal_code = pii(c),
                "CountryCode" => a.country_code = c.opt_text(),
                "Phone" => a.phone = pii(c),
                "AddressType" => a.address_type = c.opt_text().map(|s| s.as_str().into()),
                "isAddressSharingConfidential" | "IsAddressSharingConfidential" => {
                    a.is_address_sharing_confidential = c.parse_opt(xml::parse_bool)?
                }
                _ => {}
            }
        }
        Ok(a)
    }
}

/// One part of a (JP) payment split: amount and method.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentExecutionDetailItem {
    /// The amount paid this way.
    pub payment: Money,
    /// How it was paid (`COD`, `GC`, `PointsAccount`).
    pub payment_method: PaymentMethod,
}

/// A tax classification of a business buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaxClassification {
    /// Name, e.g. `VATNumber`.
    pub name: String,
    /// Value.
    pub value: String,
}

/// Tax information of a business buyer. `Debug` shows the company name only as
/// `Some([PII])` and the classifications only by count.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuyerTaxInfo {
    /// Legal company name.
    pub company_legal_name: Option<String>,
    /// Taxing region.
    pub taxing_region: Option<String>,
    /// Classifications.
    pub tax_classifications: Vec<TaxClassification>,
}

impl fmt::Debug for BuyerTaxInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BuyerTaxInfo")
            .field(
                "company_legal_name",
                &self.company_legal_name.as_ref().map(Pii::new),
            )
            .field("taxing_region", &self.taxing_region)
            .field("tax_classifications", &self.tax_classifications.len())
            .finish()
    }
}

/// Automated shipping settings of an order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AutomatedShippingSettings {
    /// Whether automated shipping applies.
    pub has_automated_shipping_settings: Option<bool>,
    /// The carrier chosen.
    pub automated_carrier: Option<String>,
    /// The ship method chosen.
    pub automated_ship_method: Option<String>,
}

/// An order (`Order` element).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Order {
    /// Amazon's order id.
    pub amazon_order_id: AmazonOrderId,
    /// The seller's own order id.
    pub seller_order_id: Option<String>,
    /// When the order was placed.
    pub purchase_date: OffsetDateTime,
    /// When the order last changed.
    pub last_update_date: OffsetDateTime,
    /// Status.
    pub order_status: OrderStatus,
    /// AFN or MFN.
    pub fulfillment_channel: Option<FulfillmentChannel>,
    /// Sales channel (`Amazon.com`).
    pub sales_channel: Option<String>,
    /// Order channel.
    pub order_channel: Option<String>,
    /// Ship service level (`Std US Dom`).
    pub ship_service_level: Option<String>,
    /// Shipping address (absent while Pending).
    pub shipping_address: Option<Address>,
    /// The seller's default ship-from address.
    pub default_ship_from_location_address: Option<Address>,
    /// Order total (absent while Pending).
    pub order_total: Option<Money>,
    /// Items shipped.
    pub number_of_items_shipped: Option<u32>,
    /// Items not yet shipped.
    pub number_of_items_unshipped: Option<u32>,
    /// Payment split (JP COD/CVS).
    pub payment_execution_detail: Vec<PaymentExecutionDetailItem>,
    /// Main payment method.
    pub payment_method: Option<PaymentMethod>,
    /// Payment method details (`CreditCard`, `GiftCertificate`, ...), verbatim.
    pub payment_method_details: Vec<String>,
    /// Whether this replaces another order.
    pub is_replacement_order: Option<bool>,
    /// The order this one replaces.
    pub replaced_order_id: Option<AmazonOrderId>,
    /// Marketplace id.
    pub marketplace_id: Option<String>,
    /// Anonymised buyer e-mail.
    pub buyer_email: Option<Pii<String>>,
    /// Buyer name.
    pub buyer_name: Option<Pii<String>>,
    /// Buyer county (BR).
    pub buyer_county: Option<Pii<String>>,
    /// Business buyer tax info.
    pub buyer_tax_info: Option<BuyerTaxInfo>,
    /// Shipment service level category.
    pub shipment_service_level_category: Option<ShipmentServiceLevelCategory>,
    /// Easy Ship status (IN).
    pub easy_ship_shipment_status: Option<EasyShipShipmentStatus>,
    /// `ShippedByAmazonTFM` (older responses).
    pub shipped_by_amazon_tfm: Option<bool>,
    /// `TFMShipmentStatus` (CN).
    pub tfm_shipment_status: Option<String>,
    /// `CbaDisplayableShippingLabel`.
    pub cba_displayable_shipping_label: Option<String>,
    /// Order type.
    pub order_type: Option<OrderType>,
    /// Earliest ship date.
    pub earliest_ship_date: Option<OffsetDateTime>,
    /// Latest ship date.
    pub latest_ship_date: Option<OffsetDateTime>,
    /// Earliest delivery date.
    pub earliest_delivery_date: Option<OffsetDateTime>,
    /// Latest delivery date.
    pub latest_delivery_date: Option<OffsetDateTime>,
    /// Business order.
    pub is_business_order: Option<bool>,
    /// Sold by Amazon Business.
    pub is_sold_by_ab: Option<bool>,
    /// `IsIBA`.
    pub is_iba: Option<bool>,
    /// Access point (pickup) order.
    pub is_access_point_order: Option<bool>,
    /// `IsISPU` (in-store pickup).
    pub is_ispu: Option<bool>,
    /// Buyer's purchase order number.
    pub purchase_order_number: Option<String>,
    /// Prime order.
    pub is_prime: Option<bool>,
    /// Premium shipping.
    pub is_premium_order: Option<bool>,
    /// Global express.
    pub is_global_express_enabled: Option<bool>,
    /// Promise response due date (sourcing on demand).
    pub promise_response_due_date: Option<OffsetDateTime>,
    /// Whether an estimated ship date is set.
    pub is_estimated_ship_date_set: Option<bool>,
    /// Automated shipping settings.
    pub automated_shipping_settings: Option<AutomatedShippingSettings>,
}

fn opt_bool(c: Node<'_>) -> Result<Option<bool>, XmlError> {
    c.parse_opt(xml::parse_bool)
}

fn opt_date(c: Node<'_>) -> Result<Option<OffsetDateTime>, XmlError> {
    c.parse_opt(xml::parse_datetime)
}

fn opt_u32(c: Node<'_>) -> Result<Option<u32>, XmlError> {
    c.parse_opt(xml::parse_u32)
}

fn opt_enum<T: for<'a> From<&'a str>>(c: Node<'_>) -> Option<T> {
    c.opt_text().map(|s| T::from(s.as_str()))
}

fn opt_money(c: Node<'_>) -> Result<Option<Money>, XmlError> {
    if c.has_children() {
        Money::read(c).map(Some)
    } else {
        Ok(None)
    }
}

impl Order {
    pub(crate) fn read(node: Node<'_>) -> Result<Order, XmlError> {
        let mut id = None;
        let mut purchase = None;
        let mut updated = None;
        let mut status = None;
        let mut o = Order {
            amazon_order_id: AmazonOrderId(String::new()),
            seller_order_id: None,
            purchase_date: OffsetDateTime::UNIX_EPOCH,
            last_update_date: OffsetDateTime::UNIX_EPOCH,
            order_status: OrderStatus::Other(String::new()),
            fulfillment_channel: None,
            sales_channel: None,
            order_channel: None,
            ship_service_level: None,
            shipping_address: None,
            default_ship_from_location_address: None,
            order_total: None,
            number_of_items_shipped: None,
            number_of_items_unshipped: None,
            payment_execution_detail: Vec::new(),
            payment_method: None,
            payment_method_details: Vec::new(),
            is_replacement_order: None,
            replaced_order_id: None,
            marketplace_id: None,
            buyer_email: None,
            buyer_name: None,
            buyer_county: None,
            buyer_tax_info: None,
            shipment_service_level_category: None,
            easy_ship_shipment_status: None,
            shipped_by_amazon_tfm: None,
            tfm_shipment_status: None,
            cba_displayable_shipping_label: None,
            order_type: None,
            earliest_ship_date: None,
            latest_ship_date: None,
            earliest_delivery_date: None,
            latest_delivery_date: None,
            is_business_order: None,
            is_sold_by_ab: None,
            is_iba: None,
            is_access_point_order: None,
            is_ispu: None,
            purchase_order_number: None,
            is_prime: None,
            is_premium_order: None,
            is_global_express_enabled: None,
            promise_response_due_date: None,
            is_estimated_ship_date_set: None,
            automated_shipping_settings: None,
        };
        for c in node.children() {
            match c.name() {
                "AmazonOrderId" => id = c.opt_text(),
                "SellerOrderId" => o.seller_order_id = c.opt_text(),
                "PurchaseDate" => purchase = Some(c.parse_with(xml::parse_datetime)?),
                "LastUpdateDate" => updated = Some(c.parse_with(xml::parse_datetime)?),
                "OrderStatus" => status = c.opt_text(),
                "FulfillmentChannel" => o.fulfillment_channel = opt_enum(c),
                "SalesChannel" => o.sales_channel = c.opt_text(),
                "OrderChannel" => o.order_channel = c.opt_text(),
                "ShipServiceLevel" => o.ship_service_level = c.opt_text(),
                "ShippingAddress" => o.shipping_address = Some(Address::read(c)?),
                "DefaultShipFromLocationAddress" => {
                    o.default_ship_from_location_address = Some(Address::read(c)?)
                }
                "OrderTotal" => o.order_total = opt_money(c)?,
                "NumberOfItemsShipped" => o.number_of_items_shipped = opt_u32(c)?,
                "NumberOfItemsUnshipped" => o.number_of_items_unshipped = opt_u32(c)?,
                "PaymentExecutionDetail" => {
                    for item in c.children_named("PaymentExecutionDetailItem") {
                        o.payment_execution_detail.push(PaymentExecutionDetailItem {
                            payment: Money::read(item.req("Payment")?)?,
                            payment_method: item.req_str("PaymentMethod")?.as_str().into(),
                        });
                    }
                }
                "PaymentMethod" => o.payment_method = opt_enum(c),
                "PaymentMethodDetails" => {
                    o.payment_method_details = c
                        .children_named("PaymentMethodDetail")
                        .filter_map(|d| d.opt_text())
                        .collect();
                }
                "IsReplacementOrder" => o.is_replacement_order = opt_bool(c)?,
                "ReplacedOrderId" => o.replaced_order_id = c.opt_text().map(AmazonOrderId),
                "MarketplaceId" => o.marketplace_id = c.opt_text(),
                "BuyerEmail" => o.buyer_email = c.opt_text().map(Pii::new),
                "BuyerName" => o.buyer_name = c.opt_text().map(Pii::new),
                "BuyerCounty" => o.buyer_county = c.opt_text().map(Pii::new),
                "BuyerTaxInfo" => {
                    o.buyer_tax_info = Some(BuyerTaxInfo {
                        company_legal_name: c.opt_str("CompanyLegalName"),
                        taxing_region: c.opt_str("TaxingRegion"),
                        tax_classifications: c
                            .child("TaxClassifications")
                            .map(|t| {
                                t.children_named("TaxClassification")
                                    .map(|tc| TaxClassification {
                                        name: tc.opt_str("Name").unwrap_or_default(),
                                        value: tc.opt_str("Value").unwrap_or_default(),
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    })
                }
                "ShipmentServiceLevelCategory" => o.shipment_service_level_category = opt_enum(c),
                "EasyShipShipmentStatus" => o.easy_ship_shipment_status = opt_enum(c),
                "ShippedByAmazonTFM" => o.shipped_by_amazon_tfm = opt_bool(c)?,
                "TFMShipmentStatus" => o.tfm_shipment_status = c.opt_text(),
                "CbaDisplayableShippingLabel" => o.cba_displayable_shipping_label = c.opt_text(),
                "OrderType" => o.order_type = opt_enum(c),
                "EarliestShipDate" => o.earliest_ship_date = opt_date(c)?,
                "LatestShipDate" => o.latest_ship_date = opt_date(c)?,
                "EarliestDeliveryDate" => o.earliest_delivery_date = opt_date(c)?,
                "LatestDeliveryDate" => o.latest_delivery_date = opt_date(c)?,
                "IsBusinessOrder" => o.is_business_order = opt_bool(c)?,
                "IsSoldByAB" => o.is_sold_by_ab = opt_bool(c)?,
                "IsIBA" => o.is_iba = opt_bool(c)?,
                "IsAccessPointOrder" => o.is_access_point_order = opt_bool(c)?,
                "IsISPU" => o.is_ispu = opt_bool(c)?,
                "PurchaseOrderNumber" => o.purchase_order_number = c.opt_text(),
                "IsPrime" => o.is_prime = opt_bool(c)?,
                "IsPremiumOrder" => o.is_premium_order = opt_bool(c)?,
                "IsGlobalExpressEnabled" => o.is_global_express_enabled = opt_bool(c)?,
                "PromiseResponseDueDate" => o.promise_response_due_date = opt_date(c)?,
                "IsEstimatedShipDateSet" => o.is_estimated_ship_date_set = opt_bool(c)?,
                "AutomatedShippingSettings" => {
                    o.automated_shipping_settings = Some(AutomatedShippingSettings {
                        has_automated_shipping_settings: c
                            .child_opt("HasAutomatedShippingSettings", xml::parse_bool)?,
                        automated_carrier: c.opt_str("AutomatedCarrier"),
                        automated_ship_method: c.opt_str("AutomatedShipMethod"),
                    })
                }
                _ => {}
            }
        }
        o.amazon_order_id = AmazonOrderId(id.ok_or_else(|| node.missing("AmazonOrderId"))?);
        o.purchase_date = purchase.ok_or_else(|| node.missing("PurchaseDate"))?;
        o.last_update_date = updated.ok_or_else(|| node.missing("LastUpdateDate"))?;
        o.order_status = status
            .map(|s| OrderStatus::from(s.as_str()))
            .ok_or_else(|| node.missing("OrderStatus"))?;
        Ok(o)
    }
}

/// Points granted with an item (JP).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PointsGranted {
    /// Number of points.
    pub points_number: Option<u32>,
    /// Their monetary value.
    pub points_monetary_value: Option<Money>,
}

/// Tax collection of an item (marketplace facilitator).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaxCollection {
    /// Model (`MarketplaceFacilitator`).
    pub model: Option<String>,
    /// Responsible party.
    pub responsible_party: Option<String>,
}

/// Invoice data of an item (CN).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvoiceData {
    /// Invoice requirement.
    pub invoice_requirement: Option<String>,
    /// Category the buyer chose.
    pub buyer_selected_invoice_category: Option<String>,
    /// Title.
    pub invoice_title: Option<String>,
    /// Information.
    pub invoice_information: Option<String>,
}

/// An order item (`OrderItem` element).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderItem {
    /// ASIN.
    pub asin: String,
    /// Amazon's order item id (14 digits).
    pub order_item_id: String,
    /// The seller's SKU.
    pub seller_sku: Option<String>,
    /// Customisation URL.
    pub buyer_customized_url: Option<String>,
    /// Whether the buyer asked to cancel.
    pub buyer_requested_cancel: Option<bool>,
    /// Reason the buyer gave.
    pub buyer_cancel_reason: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Quantity ordered.
    pub quantity_ordered: u32,
    /// Quantity shipped.
    pub quantity_shipped: Option<u32>,
    /// Points granted.
    pub points_granted: Option<PointsGranted>,
    /// `ProductInfo/NumberOfItems`.
    pub number_of_items: Option<u32>,
    /// Item price (unit price × quantity).
    pub item_price: Option<Money>,
    /// Shipping price.
    pub shipping_price: Option<Money>,
    /// Gift wrap price.
    pub gift_wrap_price: Option<Money>,
    /// Tax collection.
    pub tax_collection: Option<TaxCollection>,
    /// Item tax.
    pub item_tax: Option<Money>,
    /// Shipping tax.
    pub shipping_tax: Option<Money>,
    /// Gift wrap tax.
    pub gift_wrap_tax: Option<Money>,
    /// Shipping discount.
    pub shipping_discount: Option<Money>,
    /// Shipping discount tax.
    pub shipping_discount_tax: Option<Money>,
    /// Promotion discount.
    pub promotion_discount: Option<Money>,
    /// Promotion discount tax.
    pub promotion_discount_tax: Option<Money>,
    /// Promotion ids.
    pub promotion_ids: Vec<String>,
    /// COD fee.
    pub cod_fee: Option<Money>,
    /// COD fee discount.
    pub cod_fee_discount: Option<Money>,
    /// Gift.
    pub is_gift: Option<bool>,
    /// Gift message.
    pub gift_message_text: Option<Pii<String>>,
    /// Gift wrap level.
    pub gift_wrap_level: Option<String>,
    /// Invoice data.
    pub invoice_data: Option<InvoiceData>,
    /// Condition note.
    pub condition_note: Option<String>,
    /// Condition (`New`, `Used`, ...).
    pub condition_id: Option<String>,
    /// Condition subtype.
    pub condition_subtype_id: Option<String>,
    /// Scheduled delivery window start.
    pub scheduled_delivery_start_date: Option<OffsetDateTime>,
    /// Scheduled delivery window end.
    pub scheduled_delivery_end_date: Option<OffsetDateTime>,
    /// Price designation (`BusinessPrice`).
    pub price_designation: Option<String>,
    /// Transparency item.
    pub is_transparency: Option<bool>,
    /// Serial number required.
    pub serial_number_required: Option<bool>,
    /// IOSS number.
    pub ioss_number: Option<String>,
}

/// Prints every field; the customisation URL (buyer data, like the gift message) only as
/// `Some([PII])`.
impl fmt::Debug for OrderItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured so that a new field cannot be left out of `Debug` unnoticed.
        let OrderItem {
            asin,
            order_item_id,
            seller_sku,
            buyer_customized_url,
            buyer_requested_cancel,
            buyer_cancel_reason,
            title,
            quantity_ordered,
            quantity_shipped,
            points_granted,
            number_of_items,
            item_price,
            shipping_price,
            gift_wrap_price,
            tax_collection,
            item_tax,
            shipping_tax,
            gift_wrap_tax,
            shipping_discount,
            shipping_discount_tax,
            promotion_discount,
            promotion_discount_tax,
            promotion_ids,
            cod_fee,
            cod_fee_discount,
            is_gift,
            gift_message_text,
            gift_wrap_level,
            invoice_data,
            condition_note,
            condition_id,
            condition_subtype_id,
            scheduled_delivery_start_date,
            scheduled_delivery_end_date,
            price_designation,
            is_transparency,
            serial_number_required,
            ioss_number,
        } = self;
        f.debug_struct("OrderItem")
            .field("asin", asin)
            .field("order_item_id", order_item_id)
            .field("seller_sku", seller_sku)
            .field(
                "buyer_customized_url",
                &buyer_customized_url.as_ref().map(Pii::new),
            )
            .field("buyer_requested_cancel", buyer_requested_cancel)
            .field("buyer_cancel_reason", buyer_cancel_reason)
            .field("title", title)
            .field("quantity_ordered", quantity_ordered)
            .field("quantity_shipped", quantity_shipped)
            .field("points_granted", points_granted)
            .field("number_of_items", number_of_items)
            .field("item_price", item_price)
            .field("shipping_price", shipping_price)
            .field("gift_wrap_price", gift_wrap_price)
            .field("tax_collection", tax_collection)
            .field("item_tax", item_tax)
            .field("shipping_tax", shipping_tax)
            .field("gift_wrap_tax", gift_wrap_tax)
            .field("shipping_discount", shipping_discount)
            .field("shipping_discount_tax", shipping_discount_tax)
            .field("promotion_discount", promotion_discount)
            .field("promotion_discount_tax", promotion_discount_tax)
            .field("promotion_ids", promotion_ids)
            .field("cod_fee", cod_fee)
            .field("cod_fee_discount", cod_fee_discount)
            .field("is_gift", is_gift)
            .field("gift_message_text", gift_message_text)
            .field("gift_wrap_level", gift_wrap_level)
            .field("invoice_data", invoice_data)
            .field("condition_note", condition_note)
            .field("condition_id", condition_id)
            .field("condition_subtype_id", condition_subtype_id)
            .field(
                "scheduled_delivery_start_date",
                scheduled_delivery_start_date,
            )
            .field("scheduled_delivery_end_date", scheduled_delivery_end_date)
            .field("price_designation", price_designation)
            .field("is_transparency", is_transparency)
            .field("serial_number_required", serial_number_required)
            .field("ioss_number", ioss_number)
            .finish()
    }
}

impl OrderItem {
    pub(crate) fn read(node: Node<'_>) -> Result<OrderItem, XmlError> {
        let mut asin = None;
        let mut order_item_id = None;
        let mut quantity_ordered = None;
        let mut i = OrderItem {
            asin: String::new(),
            order_item_id: String::new(),
            seller_sku: None,
            buyer_customized_url: None,
            buyer_requested_cancel: None,
            buyer_cancel_reason: None,
            title: None,
            quantity_ordered: 0,
            quantity_shipped: None,
            points_granted: None,
            number_of_items: None,
            item_price: None,
            shipping_price: None,
            gift_wrap_price: None,
            tax_collection: None,
            item_tax: None,
            shipping_tax: None,
            gift_wrap_tax: None,
            shipping_discount: None,
            shipping_discount_tax: None,
            promotion_discount: None,
            promotion_discount_tax: None,
            promotion_ids: Vec::new(),
            cod_fee: None,
            cod_fee_discount: None,
            is_gift: None,
            gift_message_text: None,
            gift_wrap_level: None,
            invoice_data: None,
            condition_note: None,
            condition_id: None,
            condition_subtype_id: None,
            scheduled_delivery_start_date: None,
            scheduled_delivery_end_date: None,
            price_designation: None,
            is_transparency: None,
            serial_number_required: None,
            ioss_number: None,
        };
        for c in node.children() {
            match c.name() {
                "ASIN" => asin = c.opt_text(),
                "OrderItemId" => order_item_id = c.opt_text(),
                "SellerSKU" => i.seller_sku = c.opt_text(),
                "BuyerCustomizedInfo" => i.buyer_customized_url = c.opt_str("CustomizedURL"),
                "BuyerRequestedCancel" => {
                    i.buyer_requested_cancel =
                        c.child_opt("IsBuyerRequestedCancel", xml::parse_bool)?;
                    i.buyer_cancel_reason = c.opt_str("BuyerCancelReason");
                }
                "Title" => i.title = c.opt_text(),
                "QuantityOrdered" => quantity_ordered = Some(c.parse_with(xml::parse_u32)?),
                "QuantityShipped" => i.quantity_shipped = opt_u32(c)?,
                "PointsGranted" => {
                    i.points_granted = Some(PointsGranted {
                        points_number: c.child_opt("PointsNumber", xml::parse_u32)?,
                        points_monetary_value: Money::read_opt(c, "PointsMonetaryValue")?,
                    })
                }
                "ProductInfo" => {
                    i.number_of_items = c.child_opt("NumberOfItems", xml::parse_u32)?
                }
                "ItemPrice" => i.item_price = opt_money(c)?,
                "ShippingPrice" => i.shipping_price = opt_money(c)?,
                "GiftWrapPrice" => i.gift_wrap_price = opt_money(c)?,
                "TaxCollection" => {
                    i.tax_collection = Some(TaxCollection {
                        model: c.opt_str("Model"),
                        responsible_party: c.opt_str("ResponsibleParty"),
                    })
                }
                "ItemTax" => i.item_tax = opt_money(c)?,
                "ShippingTax" => i.shipping_tax = opt_money(c)?,
                "GiftWrapTax" => i.gift_wrap_tax = opt_money(c)?,
                "ShippingDiscount" => i.shipping_discount = opt_money(c)?,
                "ShippingDiscountTax" => i.shipping_discount_tax = opt_money(c)?,
                "PromotionDiscount" => i.promotion_discount = opt_money(c)?,
                "PromotionDiscountTax" => i.promotion_discount_tax = opt_money(c)?,
                "PromotionIds" => {
                    i.promotion_ids = c
                        .children_named("PromotionId")
                        .filter_map(|p| p.opt_text())
                        .collect()
                }
                "CODFee" => i.cod_fee = opt_money(c)?,
                "CODFeeDiscount" => i.cod_fee_discount = opt_money(c)?,
                "IsGift" => i.is_gift = opt_bool(c)?,
                "GiftMessageText" => i.gift_message_text = c.opt_text().map(Pii::new),
                "GiftWrapLevel" => i.gift_wrap_level = c.opt_text(),
                "InvoiceData" => {
                    i.invoice_data = Some(InvoiceData {
                        invoice_requirement: c.opt_str("InvoiceRequirement"),
                        buyer_selected_invoice_category: c.opt_str("BuyerSelectedInvoiceCategory"),
                        invoice_title: c.opt_str("InvoiceTitle"),
                        invoice_information: c.opt_str("InvoiceInformation"),
                    })
                }
                "ConditionNote" => i.condition_note = c.opt_text(),
                "ConditionId" => i.condition_id = c.opt_text(),
                "ConditionSubtypeId" => i.condition_subtype_id = c.opt_text(),
                "ScheduledDeliveryStartDate" => i.scheduled_delivery_start_date = opt_date(c)?,
                "ScheduledDeliveryEndDate" => i.scheduled_delivery_end_date = opt_date(c)?,
                "PriceDesignation" => i.price_designation = c.opt_text(),
                "IsTransparency" => i.is_transparency = opt_bool(c)?,
                "SerialNumberRequired" => i.serial_number_required = opt_bool(c)?,
                "IossNumber" => i.ioss_number = c.opt_text(),
                _ => {}
            }
        }
        i.asin = asin.ok_or_else(|| node.missing("ASIN"))?;
        i.order_item_id = order_item_id.ok_or_else(|| node.missing("OrderItemId"))?;
        i.quantity_ordered = quantity_ordered.ok_or_else(|| node.missing("QuantityOrdered"))?;
        Ok(i)
    }

    /// The unit price (`ItemPrice` / `QuantityOrdered`), when both are known and the
    /// quantity is not zero.
    pub fn unit_price(&self) -> Option<Decimal> {
        let total = self.item_price.as_ref()?.value()?;
        (self.quantity_ordered > 0).then(|| total / Decimal::from(self.quantity_ordered))
    }
}

/// A page of orders (`ListOrders` or `ListOrdersByNextToken`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrdersPage {
    /// The orders of this page (may be empty).
    pub orders: Vec<Order>,
    /// Token for the next page.
    pub next_token: Option<NextToken>,
    /// Echoed upper bound when filtering by creation date: persist it as the next cursor.
    pub created_before: Option<OffsetDateTime>,
    /// Echoed upper bound when filtering by update date: persist it as the next cursor.
    pub last_updated_before: Option<OffsetDateTime>,
    /// Request id.
    pub request_id: Option<String>,
}

impl OrdersPage {
    /// Reads a `ListOrdersResponse` or `ListOrdersByNextTokenResponse` document.
    pub fn from_xml(xml: &str) -> Result<OrdersPage, XmlError> {
        let doc = Doc::parse(xml)?;
        let root = expect_root(
            &doc,
            &["ListOrdersResponse", "ListOrdersByNextTokenResponse"],
        )?;
        let result_name = if root.name() == "ListOrdersResponse" {
            "ListOrdersResult"
        } else {
            "ListOrdersByNextTokenResult"
        };
        let result = root.req(result_name)?;
        Ok(OrdersPage {
            orders: read_orders(result)?,
            next_token: result.opt_str("NextToken").map(NextToken),
            created_before: result.child_opt("CreatedBefore", xml::parse_datetime)?,
            last_updated_before: result.child_opt("LastUpdatedBefore", xml::parse_datetime)?,
            request_id: request_id(root),
        })
    }
}

fn read_orders(result: Node<'_>) -> Result<Vec<Order>, XmlError> {
    match result.child("Orders") {
        Some(orders) => orders.children_named("Order").map(Order::read).collect(),
        None => Ok(Vec::new()),
    }
}

/// The orders returned by `GetOrder` (unknown ids are simply absent).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetOrderResponse {
    /// The orders found.
    pub orders: Vec<Order>,
    /// Request id.
    pub request_id: Option<String>,
}

impl GetOrderResponse {
    /// Reads a `GetOrderResponse` document.
    pub fn from_xml(xml: &str) -> Result<GetOrderResponse, XmlError> {
        let doc = Doc::parse(xml)?;
        let root = expect_root(&doc, &["GetOrderResponse"])?;
        let result = root.req("GetOrderResult")?;
        Ok(GetOrderResponse {
            orders: read_orders(result)?,
            request_id: request_id(root),
        })
    }
}

/// A page of order items (`ListOrderItems` or `ListOrderItemsByNextToken`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderItemsPage {
    /// The order the items belong to.
    pub amazon_order_id: AmazonOrderId,
    /// The items.
    pub order_items: Vec<OrderItem>,
    /// Token for the next page.
    pub next_token: Option<NextToken>,
    /// Request id.
    pub request_id: Option<String>,
}

impl OrderItemsPage {
    /// Reads a `ListOrderItemsResponse` or `ListOrderItemsByNextTokenResponse` document
    /// (2013-09-01 or the older 2011-01-01 shape).
    pub fn from_xml(xml: &str) -> Result<OrderItemsPage, XmlError> {
        let doc = Doc::parse(xml)?;
        let root = expect_root(
            &doc,
            &[
                "ListOrderItemsResponse",
                "ListOrderItemsByNextTokenResponse",
            ],
        )?;
        let result_name = if root.name() == "ListOrderItemsResponse" {
            "ListOrderItemsResult"
        } else {
            "ListOrderItemsByNextTokenResult"
        };
        let result = root.req(result_name)?;
        let order_items = match result.child("OrderItems") {
            Some(items) => items
                .children_named("OrderItem")
                .map(OrderItem::read)
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        Ok(OrderItemsPage {
            amazon_order_id: AmazonOrderId(result.req_str("AmazonOrderId")?),
            order_items,
            next_token: result.opt_str("NextToken").map(NextToken),
            request_id: request_id(root),
        })
    }
}

/// A status message of `GetServiceStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceMessage {
    /// Locale of the text.
    pub locale: Option<String>,
    /// The text.
    pub text: String,
}

/// The answer of `GetServiceStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceStatus {
    /// GREEN, GREEN_I, YELLOW or RED.
    pub status: ServiceStatusCode,
    /// When the status was evaluated.
    pub timestamp: OffsetDateTime,
    /// Message id, when there are messages.
    pub message_id: Option<String>,
    /// Messages.
    pub messages: Vec<ServiceMessage>,
    /// Request id.
    pub request_id: Option<String>,
}

impl ServiceStatus {
    /// Reads a `GetServiceStatusResponse` document.
    pub fn from_xml(xml: &str) -> Result<ServiceStatus, XmlError> {
        let doc = Doc::parse(xml)?;
        let root = expect_root(&doc, &["GetServiceStatusResponse"])?;
        let result = root.req("GetServiceStatusResult")?;
        Ok(ServiceStatus {
            status: result.req_str("Status")?.as_str().into(),
            timestamp: result.child_req("Timestamp", xml::parse_datetime)?,
            message_id: result.opt_str("MessageId"),
            messages: result
                .child("Messages")
                .map(|m| {
                    m.children_named("Message")
                        .map(|msg| ServiceMessage {
                            locale: msg.opt_str("Locale"),
                            text: msg.opt_str("Text").unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            request_id: request_id(root),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_requires_its_key_fields_and_names_the_path() {
        let xml = r#"<ListOrdersResponse><ListOrdersResult><Orders>
            <Order><AmazonOrderId>1</AmazonOrderId><PurchaseDate>2020-01-01T00:00:00Z</PurchaseDate><LastUpdateDate>2020-01-01T00:00:00Z</LastUpdateDate><OrderStatus>Shipped</OrderStatus></Order>
            <Order><AmazonOrderId>2</AmazonOrderId><LastUpdateDate>2020-01-01T00:00:00Z</LastUpdateDate><OrderStatus>Shipped</OrderStatus></Order>
            </Orders></ListOrdersResult></ListOrdersResponse>"#;
        let err = OrdersPage::from_xml(xml).unwrap_err();
        assert_eq!(
            err.path,
            "ListOrdersResponse/ListOrdersResult/Orders/Order[2]/PurchaseDate"
        );
    }

    #[test]
    fn order_debug_hides_buyer_pii() {
        let xml = r#"<GetOrderResponse><GetOrderResult><Orders><Order>
            <AmazonOrderId>1</AmazonOrderId><PurchaseDate>2020-01-01T00:00:00Z</PurchaseDate>
            <LastUpdateDate>2020-01-01T00:00:00Z</LastUpdateDate><OrderStatus>Unshipped</OrderStatus>
            <BuyerName>Jane Secret</BuyerName><BuyerEmail>jane@secret.example</BuyerEmail>
            <ShippingAddress><Name>Jane Secret</Name><AddressLine1>1 Hidden Road</AddressLine1><Phone>555-0100</Phone><CountryCode>US</CountryCode></ShippingAddress>
            </Order></Orders></GetOrderResult></GetOrderResponse>"#;
        let r = GetOrderResponse::from_xml(xml).unwrap();
        let shown = format!("{:?}", r);
        for leak in ["Jane", "secret.example", "Hidden", "555-0100"] {
            assert!(!shown.contains(leak), "{leak} leaked");
        }
        assert!(shown.contains("US"));
        assert_eq!(
            r.orders[0].buyer_name.as_ref().unwrap().expose(),
            "Jane Secret"
        );
    }

    #[test]
    fn business_buyer_and_customisation_debug_hide_buyer_data() {
        let xml = r#"<GetOrderResponse><GetOrderResult><Orders><Order>
            <AmazonOrderId>1</AmazonOrderId><PurchaseDate>2020-01-01T00:00:00Z</PurchaseDate>
            <LastUpdateDate>2020-01-01T00:00:00Z</LastUpdateDate><OrderStatus>Unshipped</OrderStatus>
            <BuyerTaxInfo><CompanyLegalName>Hidden Widgets GmbH</CompanyLegalName><TaxingRegion>DE</TaxingRegion>
            <TaxClassifications><TaxClassification><Name>VATNumber</Name><Value>DE999999999</Value></TaxClassification></TaxClassifications>
            </BuyerTaxInfo></Order></Orders></GetOrderResult></GetOrderResponse>"#;
        let r = GetOrderResponse::from_xml(xml).unwrap();
        let shown = format!("{:?}", r);
        for leak in ["Hidden Widgets", "DE999999999"] {
            assert!(!shown.contains(leak), "{leak} leaked: {shown}");
        }
        assert!(shown.contains("taxing_region: Some(\"DE\")"), "{shown}");
        let tax = r.orders[0].buyer_tax_info.as_ref().unwrap();
        assert_eq!(
            tax.company_legal_name.as_deref(),
            Some("Hidden Widgets GmbH")
        );
        assert_eq!(tax.tax_classifications[0].value, "DE999999999");

        let xml = r#"<ListOrderItemsResponse><ListOrderItemsResult><AmazonOrderId>1</AmazonOrderId><OrderItems><OrderItem>
            <ASIN>B1</ASIN><OrderItemId>1</OrderItemId><QuantityOrdered>1</QuantityOrdered>
            <BuyerCustomizedInfo><CustomizedURL>https://zme-caps.example/secret-design</CustomizedURL></BuyerCustomizedInfo>
            </OrderItem></OrderItems></ListOrderItemsResult></ListOrderItemsResponse>"#;
        let p = OrderItemsPage::from_xml(xml).unwrap();
        let shown = format!("{:?}", p);
        assert!(!shown.contains("secret-design"), "{shown}");
        assert!(
            shown.contains("buyer_customized_url: Some([PII])"),
            "{shown}"
        );
        assert!(shown.contains("asin: \"B1\""), "{shown}");
        assert_eq!(
            p.order_items[0].buyer_customized_url.as_deref(),
            Some("https://zme-caps.example/secret-design")
        );
    }

    #[test]
    fn unit_price() {
        let xml = r#"<ListOrderItemsResponse><ListOrderItemsResult><AmazonOrderId>1</AmazonOrderId><OrderItems><OrderItem>
            <ASIN>B1</ASIN><OrderItemId>1</OrderItemId><QuantityOrdered>4</QuantityOrdered>
            <ItemPrice><CurrencyCode>EUR</CurrencyCode><Amount>10.00</Amount></ItemPrice>
            </OrderItem></OrderItems></ListOrderItemsResult></ListOrderItemsResponse>"#;
        let p = OrderItemsPage::from_xml(xml).unwrap();
        assert_eq!(p.order_items[0].unit_price().unwrap().to_string(), "2.50");
    }

    #[test]
    fn service_status_with_messages() {
        let xml = r#"<GetServiceStatusResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01">
            <GetServiceStatusResult><Status>YELLOW</Status><Timestamp>2013-09-05T18%3A12%3A21.687Z</Timestamp>
            <MessageId>173964729I</MessageId><Messages>
            <Message><Locale>en_US</Locale><Text>We are experiencing high latency.</Text></Message>
            <Message><Locale>en_UK</Locale><Text>Latency is high.</Text></Message>
            </Messages></GetServiceStatusResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
            </GetServiceStatusResponse>"#;
        let s = ServiceStatus::from_xml(xml).unwrap();
        assert_eq!(s.status, ServiceStatusCode::Yellow);
        assert_eq!(s.messages.len(), 2);
        assert_eq!(s.messages[1].locale.as_deref(), Some("en_UK"));
        assert_eq!(s.message_id.as_deref(), Some("173964729I"));
        assert_eq!(
            s.timestamp,
            time::macros::datetime!(2013-09-05 18:12:21.687 UTC)
        );
    }

    use proptest::prelude::*;

    proptest! {
        /// Element order inside `Order` is not stable in real responses: any permutation
        /// reads to the same value.
        #[test]
        fn element_order_does_not_matter(
            perm in Just((0..9usize).collect::<Vec<_>>()).prop_shuffle(),
            cents in 0i64..10_000_000,
            secs in 0i64..4_000_000_000,
            shipped in 0u32..100,
        ) {
            let date = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
            let d = crate::sign::format_timestamp(date);
            let amount = Decimal::new(cents, 2);
            let parts = [
                "<AmazonOrderId>111-2223334-4445556</AmazonOrderId>".to_owned(),
                format!("<PurchaseDate>{d}</PurchaseDate>"),
                format!("<LastUpdateDate>{d}</LastUpdateDate>"),
                "<OrderStatus>PartiallyShipped</OrderStatus>".to_owned(),
                format!("<OrderTotal><Amount>{amount}</Amount><CurrencyCode>EUR</CurrencyCode></OrderTotal>"),
                format!("<NumberOfItemsShipped>{shipped}</NumberOfItemsShipped>"),
                "<IsPrime>true</IsPrime>".to_owned(),
                "<ShippingAddress><CountryCode>DE</CountryCode><Name>N</Name></ShippingAddress>".to_owned(),
                "<FutureElementNobodyKnows><X>1</X></FutureElementNobodyKnows>".to_owned(),
            ];
            let body: String = perm.iter().map(|&i| parts[i].as_str()).collect();
            let xml = format!("<GetOrderResponse><GetOrderResult><Orders><Order>{body}</Order></Orders></GetOrderResult></GetOrderResponse>");
            let r = GetOrderResponse::from_xml(&xml).unwrap();
            let o = &r.orders[0];
            prop_assert_eq!(o.amazon_order_id.as_str(), "111-2223334-4445556");
            prop_assert_eq!(o.purchase_date, date);
            prop_assert_eq!(o.last_update_date, date);
            prop_assert_eq!(&o.order_status, &OrderStatus::PartiallyShipped);
            prop_assert_eq!(o.order_total.as_ref().unwrap().value(), Some(amount));
            prop_assert_eq!(o.number_of_items_shipped, Some(shipped));
            prop_assert_eq!(o.is_prime, Some(true));
            prop_assert_eq!(o.shipping_address.as_ref().unwrap().country_code.as_deref(), Some("DE"));
        }
    }
}
