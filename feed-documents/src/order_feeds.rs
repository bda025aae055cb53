//! XML order feeds (`AmazonEnvelope`): typed builders for `POST_ORDER_FULFILLMENT_DATA`,
//! `POST_ORDER_ACKNOWLEDGEMENT_DATA` and `POST_PAYMENT_ADJUSTMENT_DATA`, a validator that
//! checks the rules of Amazon's XSDs (required children, enumerations, occurrences, amounts
//! with at most two decimals), a writer that follows the XSD element order, and a reader for
//! feed bodies and processing reports.

use std::fmt::Write as _;

use quick_xml::escape::escape;
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};

use crate::FeedType;
use crate::enums::string_enum;
use crate::error::{BuildError, Rule, XmlError};
use crate::processing_report::ProcessingReport;
use crate::xml::{self, Doc, Node, expect_root};

string_enum! {
    /// `MessageType` of an envelope.
    pub enum MessageType {
        OrderFulfillment => "OrderFulfillment",
        OrderAcknowledgement => "OrderAcknowledgement",
        OrderAdjustment => "OrderAdjustment",
        Inventory => "Inventory",
        ProcessingReport => "ProcessingReport",
        Product => "Product",
        Price => "Price",
    }
}

string_enum! {
    /// `OperationType` of a message.
    pub enum OperationType {
        Update => "Update",
        Delete => "Delete",
        PartialUpdate => "PartialUpdate",
    }
}

string_enum! {
    /// A carrier code from Amazon's `CarrierCode` list (unknown codes are kept in `Other`;
    /// when the carrier has no code, use [`Carrier::Name`]).
    pub enum CarrierCode {
        Usps => "USPS",
        Ups => "UPS",
        UpsMi => "UPSMI",
        FedEx => "FedEx",
        FedExSmartPost => "FedEx SmartPost",
        Dhl => "DHL",
        DhlGlobalMail => "DHL Global Mail",
        Fastway => "Fastway",
        OnTrac => "OnTrac",
        Lasership => "Lasership",
        CanadaPost => "Canada Post",
        RoyalMail => "Royal Mail",
        Parcelforce => "Parcelforce",
        Yodel => "Yodel",
        Dpd => "DPD",
        Gls => "GLS",
        Tnt => "TNT",
        DeutschePost => "Deutsche Post",
        LaPoste => "La Poste",
        YamatoTransport => "YamatoTransport",
        SagawaExpress => "SagawaExpress",
        NipponExpress => "NipponExpress",
        JpExpress => "JP_EXPRESS",
        IndiaPost => "India Post",
        AustraliaPost => "Australia Post",
        AmazonShipping => "Amazon Shipping",
        OtherCarrier => "Other",
    }
}

string_enum! {
    /// `StatusCode` of an order acknowledgement.
    pub enum AcknowledgementStatus {
        Success => "Success",
        Failure => "Failure",
    }
}

string_enum! {
    /// Why an order or item is cancelled in an acknowledgement.
    pub enum CancelReason {
        NoInventory => "NoInventory",
        ShippingAddressUndeliverable => "ShippingAddressUndeliverable",
        CustomerExchange => "CustomerExchange",
        BuyerCanceled => "BuyerCanceled",
        GeneralAdjustment => "GeneralAdjustment",
        CarrierCreditDecision => "CarrierCreditDecision",
        RiskAssessmentInformationNotValid => "RiskAssessmentInformationNotValid",
        CarrierCoverageFailure => "CarrierCoverageFailure",
        CustomerReturn => "CustomerReturn",
        MerchandiseNotReceived => "MerchandiseNotReceived",
        CannotVerifyInformation => "CannotVerifyInformation",
        PricingError => "PricingError",
        RejectOrder => "RejectOrder",
        WeatherDelay => "WeatherDelay",
    }
}

string_enum! {
    /// Why an order item is adjusted (refunded).
    pub enum AdjustmentReason {
        NoInventory => "NoInventory",
        CustomerReturn => "CustomerReturn",
        GeneralAdjustment => "GeneralAdjustment",
        CouldNotShip => "CouldNotShip",
        DifferentItem => "DifferentItem",
        Abandoned => "Abandoned",
        CustomerCancel => "CustomerCancel",
        PriceError => "PriceError",
        ProductOutofStock => "ProductOutofStock",
        CustomerAddressIncorrect => "CustomerAddressIncorrect",
        Exchange => "Exchange",
        OtherReason => "Other",
        CarrierCreditDecision => "CarrierCreditDecision",
        RiskAssessmentInformationNotValid => "RiskAssessmentInformationNotValid",
        CarrierCoverageFailure => "CarrierCoverageFailure",
        TransactionRecord => "TransactionRecord",
        Undeliverable => "Undeliverable",
        RefusedDelivery => "RefusedDelivery",
    }
}

string_enum! {
    /// `ActionType` of an order adjustment.
    pub enum AdjustmentActionType {
        Refund => "Refund",
        Cancel => "Cancel",
    }
}

string_enum! {
    /// The price component an adjustment amount applies to.
    pub enum PriceComponentType {
        Principal => "Principal",
        Shipping => "Shipping",
        CodFee => "CODFee",
        Tax => "Tax",
        ShippingTax => "ShippingTax",
        RestockingFee => "RestockingFee",
        RestockingFeeTax => "RestockingFeeTax",
        GiftWrap => "GiftWrap",
        GiftWrapTax => "GiftWrapTax",
        Surcharge => "Surcharge",
        ReturnShipping => "ReturnShipping",
        Goodwill => "Goodwill",
        ExportCharge => "ExportCharge",
        Cod => "COD",
        CodTax => "CODTax",
        OtherComponent => "Other",
        FreeReplacementReturnShipping => "FreeReplacementReturnShipping",
    }
}

/// Which order a message is about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OrderRef {
    /// `AmazonOrderID`.
    Amazon(String),
    /// `MerchantOrderID`.
    Merchant(String),
}

/// Which order item a message is about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ItemRef {
    /// `AmazonOrderItemCode`.
    Amazon(String),
    /// `MerchantOrderItemID`.
    Merchant(String),
}

/// The carrier of a shipment: a code from Amazon's list, or a free-text name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Carrier {
    /// `CarrierCode`.
    Code(CarrierCode),
    /// `CarrierName`.
    Name(String),
}

/// One item of a fulfilment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FulfillmentItem {
    /// The item.
    pub item: ItemRef,
    /// The merchant's id for this shipped item.
    pub merchant_fulfillment_item_id: Option<String>,
    /// Quantity shipped (positive).
    pub quantity: Option<u32>,
    /// Transparency codes (up to 10).
    pub transparency_codes: Vec<String>,
}

impl FulfillmentItem {
    /// `quantity` of the Amazon order item `code`.
    pub fn new(amazon_order_item_code: impl Into<String>, quantity: u32) -> Self {
        Self {
            item: ItemRef::Amazon(amazon_order_item_code.into()),
            merchant_fulfillment_item_id: None,
            quantity: Some(quantity),
            transparency_codes: Vec::new(),
        }
    }

    /// Adds a transparency code.
    pub fn transparency_code(mut self, code: impl Into<String>) -> Self {
        self.transparency_codes.push(code.into());
        self
    }
}

/// An `OrderFulfillment` message: ship confirmation with carrier and tracking.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderFulfillment {
    /// The order.
    pub order: OrderRef,
    /// The merchant's id for this shipment.
    pub merchant_fulfillment_id: Option<String>,
    /// When it shipped (must not be in the future).
    pub fulfillment_date: OffsetDateTime,
    /// The carrier (required when a method or tracking number is given).
    pub carrier: Option<Carrier>,
    /// Shipping method.
    pub shipping_method: Option<String>,
    /// Tracking number.
    pub shipper_tracking_number: Option<String>,
    /// `CODCollectionMethod` (`DirectPayment`).
    pub cod_collection_method: Option<String>,
    /// Items shipped; empty means the whole order.
    pub items: Vec<FulfillmentItem>,
}

impl OrderFulfillment {
    /// A shipment of the Amazon order `amazon_order_id`.
    pub fn new(amazon_order_id: impl Into<String>, fulfillment_date: OffsetDateTime) -> Self {
        Self {
            order: OrderRef::Amazon(amazon_order_id.into()),
            merchant_fulfillment_id: None,
            fulfillment_date,
            carrier: None,
            shipping_method: None,
            shipper_tracking_number: None,
            cod_collection_method: None,
            items: Vec::new(),
        }
    }

    /// Carrier by Amazon code.
    pub fn carrier_code(mut self, code: CarrierCode) -> Self {
        self.carrier = Some(Carrier::Code(code));
        self
    }

    /// Carrier by name (when it has no code).
    pub fn carrier_name(mut self, name: impl Into<String>) -> Self {
        self.carrier = Some(Carrier::Name(name.into()));
        self
    }

    /// Shipping method (`Standard`, `2nd Day`, ...).
    pub fn shipping_method(mut self, method: impl Into<String>) -> Self {
        self.shipping_method = Some(method.into());
        self
    }

    /// Tracking number.
    pub fn tracking_number(mut self, number: impl Into<String>) -> Self {
        self.shipper_tracking_number = Some(number.into());
        self
    }

    /// The merchant's shipment id.
    pub fn merchant_fulfillment_id(mut self, id: impl Into<String>) -> Self {
        self.merchant_fulfillment_id = Some(id.into());
        self
    }

    /// Adds an item (partial shipment).
    pub fn item(mut self, item: FulfillmentItem) -> Self {
        self.items.push(item);
        self
    }

    fn validate(&self, at: &str) -> Result<(), BuildError> {
        validate_order_ref(&self.order, at)?;
        if let Some(id) = &self.merchant_fulfillment_id {
            not_blank(id, &format!("{at}/MerchantFulfillmentID"))?;
        }
        if self.carrier.is_none() {
            if self.shipping_method.is_some() {
                return Err(BuildError::new(
                    format!("{at}/FulfillmentData/CarrierCode"),
                    Rule::Conflict(
                        "is required (or CarrierName) when ShippingMethod is given".into(),
                    ),
                ));
            }
            if self.shipper_tracking_number.is_some() {
                return Err(BuildError::new(
                    format!("{at}/FulfillmentData/CarrierCode"),
                    Rule::Conflict(
                        "is required (or CarrierName) when ShipperTrackingNumber is given".into(),
                    ),
                ));
            }
        }
        match &self.carrier {
            Some(Carrier::Name(n)) => not_blank(n, &format!("{at}/FulfillmentData/CarrierName"))?,
            Some(Carrier::Code(CarrierCode::Other(c))) => {
                not_blank(c, &format!("{at}/FulfillmentData/CarrierCode"))?
            }
            _ => {}
        }
        if let Some(t) = &self.shipper_tracking_number {
            not_blank(t, &format!("{at}/FulfillmentData/ShipperTrackingNumber"))?;
        }
        if let Some(m) = &self.shipping_method {
            not_blank(m, &format!("{at}/FulfillmentData/ShippingMethod"))?;
        }
        if let Some(m) = &self.cod_collection_method {
            if m != "DirectPayment" {
                return Err(BuildError::new(
                    format!("{at}/CODCollectionMethod"),
                    Rule::Enumeration { value: m.clone() },
                ));
            }
        }
        for (i, item) in self.items.iter().enumerate() {
            let at = format!("{at}/Item[{}]", i + 1);
            validate_item_ref(&item.item, &at)?;
            if item.quantity == Some(0) {
                return Err(BuildError::new(format!("{at}/Quantity"), Rule::Positive));
            }
            if item.transparency_codes.len() > 10 {
                return Err(BuildError::new(
                    format!("{at}/TransparencyCode"),
                    Rule::MaxOccurs(10),
                ));
            }
            for (j, code) in item.transparency_codes.iter().enumerate() {
                not_blank(code, &format!("{at}/TransparencyCode[{}]", j + 1))?;
            }
        }
        Ok(())
    }
}

/// One item of an acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AcknowledgementItem {
    /// Amazon's item code.
    pub amazon_order_item_code: String,
    /// The merchant's item id.
    pub merchant_order_item_id: Option<String>,
    /// Why the item is cancelled.
    pub cancel_reason: Option<CancelReason>,
    /// Quantity.
    pub quantity: Option<u32>,
}

impl AcknowledgementItem {
    /// An item, optionally mapped to the merchant's id.
    pub fn new(amazon_order_item_code: impl Into<String>) -> Self {
        Self {
            amazon_order_item_code: amazon_order_item_code.into(),
            merchant_order_item_id: None,
            cancel_reason: None,
            quantity: None,
        }
    }

    /// The merchant's id of the item.
    pub fn merchant_order_item_id(mut self, id: impl Into<String>) -> Self {
        self.merchant_order_item_id = Some(id.into());
        self
    }

    /// Cancels the item for `reason`.
    pub fn cancel(mut self, reason: CancelReason) -> Self {
        self.cancel_reason = Some(reason);
        self
    }

    /// Quantity concerned.
    pub fn quantity(mut self, quantity: u32) -> Self {
        self.quantity = Some(quantity);
        self
    }
}

/// An `OrderAcknowledgement` message: accept an order (and map ids), or refuse/cancel it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderAcknowledgement {
    /// Amazon's order id.
    pub amazon_order_id: String,
    /// The merchant's order id.
    pub merchant_order_id: Option<String>,
    /// Success or Failure.
    pub status_code: AcknowledgementStatus,
    /// Items.
    pub items: Vec<AcknowledgementItem>,
}

impl OrderAcknowledgement {
    /// The order was accepted.
    pub fn success(amazon_order_id: impl Into<String>) -> Self {
        Self {
            amazon_order_id: amazon_order_id.into(),
            merchant_order_id: None,
            status_code: AcknowledgementStatus::Success,
            items: Vec::new(),
        }
    }

    /// The order is refused (cancelled); give per-item reasons with [`Self::item`].
    pub fn failure(amazon_order_id: impl Into<String>) -> Self {
        Self {
            status_code: AcknowledgementStatus::Failure,
            ..Self::success(amazon_order_id)
        }
    }

    /// Acknowledges the order and tells Amazon the merchant's id for it (shown in reports and
    /// usable as `MerchantOrderID` in later fulfilment and adjustment feeds).
    pub fn acknowledge(
        amazon_order_id: impl Into<String>,
        merchant_order_id: impl Into<String>,
    ) -> Self {
        Self::success(amazon_order_id).merchant_order_id(merchant_order_id)
    }

    /// Cancels the whole order without a reason code: `Failure` and no items.
    ///
    /// Amazon then cancels every unshipped item. To give Amazon a reason (so that the
    /// cancellation is not held against the seller), list the items with [`Self::cancel`].
    /// Never send this after an item shipped: it refunds the whole order.
    pub fn cancel_order(amazon_order_id: impl Into<String>) -> Self {
        Self::failure(amazon_order_id)
    }

    /// Cancels the listed items for `reason` (the whole order when every item is listed):
    /// `Failure` with `reason` on each. For different reasons per item, use
    /// [`Self::failure`] and [`Self::item`] with [`AcknowledgementItem::cancel`].
    pub fn cancel<I, S>(
        amazon_order_id: impl Into<String>,
        item_codes: I,
        reason: CancelReason,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut ack = Self::failure(amazon_order_id);
        ack.items = item_codes
            .into_iter()
            .map(|code| AcknowledgementItem::new(code).cancel(reason.clone()))
            .collect();
        ack
    }

    /// The merchant's id of the order.
    pub fn merchant_order_id(mut self, id: impl Into<String>) -> Self {
        self.merchant_order_id = Some(id.into());
        self
    }

    /// Adds an item.
    pub fn item(mut self, item: AcknowledgementItem) -> Self {
        self.items.push(item);
        self
    }

    fn validate(&self, at: &str) -> Result<(), BuildError> {
        not_blank(&self.amazon_order_id, &format!("{at}/AmazonOrderID"))?;
        if let Some(id) = &self.merchant_order_id {
            not_blank(id, &format!("{at}/MerchantOrderID"))?;
        }
        known(&self.status_code, &format!("{at}/StatusCode"))?;
        for (i, item) in self.items.iter().enumerate() {
            let at = format!("{at}/Item[{}]", i + 1);
            not_blank(
                &item.amazon_order_item_code,
                &format!("{at}/AmazonOrderItemCode"),
            )?;
            if let Some(id) = &item.merchant_order_item_id {
                not_blank(id, &format!("{at}/MerchantOrderItemID"))?;
            }
            if let Some(reason) = &item.cancel_reason {
                known(reason, &format!("{at}/CancelReason"))?;
                if self.status_code == AcknowledgementStatus::Success {
                    return Err(BuildError::new(
                        format!("{at}/CancelReason"),
                        Rule::Conflict(
                            "is not allowed when StatusCode is Success (cancel with Failure)"
                                .into(),
                        ),
                    ));
                }
            }
            if item.quantity == Some(0) {
                return Err(BuildError::new(format!("{at}/Quantity"), Rule::Positive));
            }
        }
        Ok(())
    }
}

/// An amount for one price component (`Component`: `Type` + `Amount currency=`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PriceComponent {
    /// What the amount applies to.
    pub component_type: PriceComponentType,
    /// The amount (written with two decimals).
    pub amount: Decimal,
    /// ISO 4217 currency.
    pub currency: String,
}

impl PriceComponent {
    /// A component.
    pub fn new(
        component_type: PriceComponentType,
        amount: Decimal,
        currency: impl Into<String>,
    ) -> Self {
        Self {
            component_type,
            amount,
            currency: currency.into(),
        }
    }
}

/// A promotion adjustment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PromotionAdjustment {
    /// Claim code.
    pub promotion_claim_code: Option<String>,
    /// The merchant's promotion id.
    pub merchant_promotion_id: Option<String>,
    /// Amounts (`Principal` or `Shipping`).
    pub components: Vec<PriceComponent>,
}

impl PromotionAdjustment {
    /// A promotion adjustment for the merchant's promotion `merchant_promotion_id`.
    pub fn new(merchant_promotion_id: impl Into<String>) -> Self {
        Self {
            promotion_claim_code: None,
            merchant_promotion_id: Some(merchant_promotion_id.into()),
            components: Vec::new(),
        }
    }

    /// Sets the claim code.
    pub fn claim_code(mut self, code: impl Into<String>) -> Self {
        self.promotion_claim_code = Some(code.into());
        self
    }

    /// Adds an amount.
    pub fn component(
        mut self,
        component_type: PriceComponentType,
        amount: Decimal,
        currency: impl Into<String>,
    ) -> Self {
        self.components
            .push(PriceComponent::new(component_type, amount, currency));
        self
    }
}

/// One adjusted (refunded) item.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AdjustedItem {
    /// The item.
    pub item: ItemRef,
    /// The merchant's id for this adjustment.
    pub merchant_adjustment_item_id: Option<String>,
    /// Why.
    pub adjustment_reason: AdjustmentReason,
    /// Amounts refunded per component.
    pub item_price_adjustments: Vec<PriceComponent>,
    /// Promotion amounts.
    pub promotion_adjustments: Vec<PromotionAdjustment>,
    /// Quantity cancelled.
    pub quantity_cancelled: Option<u32>,
}

impl AdjustedItem {
    /// An adjustment of the Amazon order item `code` for `reason`.
    pub fn new(amazon_order_item_code: impl Into<String>, reason: AdjustmentReason) -> Self {
        Self {
            item: ItemRef::Amazon(amazon_order_item_code.into()),
            merchant_adjustment_item_id: None,
            adjustment_reason: reason,
            item_price_adjustments: Vec::new(),
            promotion_adjustments: Vec::new(),
            quantity_cancelled: None,
        }
    }

    /// Adds an amount for a price component.
    pub fn component(
        mut self,
        component_type: PriceComponentType,
        amount: Decimal,
        currency: impl Into<String>,
    ) -> Self {
        self.item_price_adjustments
            .push(PriceComponent::new(component_type, amount, currency));
        self
    }

    /// Adds a promotion adjustment.
    pub fn promotion(mut self, promotion: PromotionAdjustment) -> Self {
        self.promotion_adjustments.push(promotion);
        self
    }

    /// The merchant's adjustment id.
    pub fn merchant_adjustment_item_id(mut self, id: impl Into<String>) -> Self {
        self.merchant_adjustment_item_id = Some(id.into());
        self
    }

    /// Quantity cancelled.
    pub fn quantity_cancelled(mut self, quantity: u32) -> Self {
        self.quantity_cancelled = Some(quantity);
        self
    }
}

/// An `OrderAdjustment` message: refunds for order items.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderAdjustment {
    /// The order.
    pub order: OrderRef,
    /// `ActionType` (newer schema; omitted when `None`).
    pub action_type: Option<AdjustmentActionType>,
    /// The adjusted items (at least one).
    pub items: Vec<AdjustedItem>,
}

impl OrderAdjustment {
    /// A refund on the Amazon order `amazon_order_id`.
    pub fn refund(amazon_order_id: impl Into<String>) -> Self {
        Self {
            order: OrderRef::Amazon(amazon_order_id.into()),
            action_type: None,
            items: Vec::new(),
        }
    }

    /// Sets `ActionType`.
    pub fn action_type(mut self, action: AdjustmentActionType) -> Self {
        self.action_type = Some(action);
        self
    }

    /// Adds an adjusted item.
    pub fn item(mut self, item: AdjustedItem) -> Self {
        self.items.push(item);
        self
    }

    fn validate(&self, at: &str) -> Result<(), BuildError> {
        validate_order_ref(&self.order, at)?;
        if let Some(action) = &self.action_type {
            known(action, &format!("{at}/ActionType"))?;
        }
        if self.items.is_empty() {
            return Err(BuildError::new(
                format!("{at}/AdjustedItem"),
                Rule::MinOccurs(1),
            ));
        }
        for (i, item) in self.items.iter().enumerate() {
            let at = format!("{at}/AdjustedItem[{}]", i + 1);
            validate_item_ref(&item.item, &at)?;
            if let Some(id) = &item.merchant_adjustment_item_id {
                not_blank(id, &format!("{at}/MerchantAdjustmentItemID"))?;
            }
            known(&item.adjustment_reason, &format!("{at}/AdjustmentReason"))?;
            if item.item_price_adjustments.is_empty() {
                return Err(BuildError::new(
                    format!("{at}/ItemPriceAdjustments/Component"),
                    Rule::MinOccurs(1),
                ));
            }
            let mut currency: Option<&str> = None;
            for (j, c) in item.item_price_adjustments.iter().enumerate() {
                let at = format!("{at}/ItemPriceAdjustments/Component[{}]", j + 1);
                validate_component(c, &at, &mut currency)?;
            }
            for (k, p) in item.promotion_adjustments.iter().enumerate() {
                let at = format!("{at}/PromotionAdjustments[{}]", k + 1);
                if let Some(code) = &p.promotion_claim_code {
                    not_blank(code, &format!("{at}/PromotionClaimCode"))?;
                }
                if let Some(id) = &p.merchant_promotion_id {
                    not_blank(id, &format!("{at}/MerchantPromotionID"))?;
                }
                if p.components.is_empty() {
                    return Err(BuildError::new(
                        format!("{at}/Component"),
                        Rule::MinOccurs(1),
                    ));
                }
                for (j, c) in p.components.iter().enumerate() {
                    let at = format!("{at}/Component[{}]", j + 1);
                    if !matches!(
                        c.component_type,
                        PriceComponentType::Principal | PriceComponentType::Shipping
                    ) {
                        return Err(BuildError::new(
                            format!("{at}/Type"),
                            Rule::Conflict(format!(
                                "{:?} is not allowed in PromotionAdjustments (Principal or Shipping only)",
                                c.component_type.as_str()
                            )),
                        ));
                    }
                    validate_component(c, &at, &mut currency)?;
                }
            }
            if item.quantity_cancelled == Some(0) {
                return Err(BuildError::new(
                    format!("{at}/QuantityCancelled"),
                    Rule::Positive,
                ));
            }
        }
        Ok(())
    }
}

/// What an inventory message sets.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InventoryAvailability {
    /// `Available` (true/false).
    Available(bool),
    /// `Quantity`.
    Quantity(u32),
    /// `Lookup` (`FulfillmentNetwork`).
    Lookup(String),
}

/// An `Inventory` message (read from historical feeds; MWS-era only).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Inventory {
    /// SKU.
    pub sku: String,
    /// Fulfilment centre.
    pub fulfillment_center_id: Option<String>,
    /// Availability.
    pub availability: Option<InventoryAvailability>,
    /// Restock date.
    pub restock_date: Option<Date>,
    /// Handling time in days.
    pub fulfillment_latency: Option<u32>,
    /// `SwitchFulfillmentTo` (MFN/AFN).
    pub switch_fulfillment_to: Option<String>,
}

impl Inventory {
    /// Sets the quantity of `sku`.
    pub fn quantity(sku: impl Into<String>, quantity: u32) -> Self {
        Self {
            sku: sku.into(),
            fulfillment_center_id: None,
            availability: Some(InventoryAvailability::Quantity(quantity)),
            restock_date: None,
            fulfillment_latency: None,
            switch_fulfillment_to: None,
        }
    }
}

/// The payload of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageBody {
    /// Ship confirmation.
    OrderFulfillment(OrderFulfillment),
    /// Acknowledgement or cancellation.
    OrderAcknowledgement(OrderAcknowledgement),
    /// Refund.
    OrderAdjustment(OrderAdjustment),
    /// Inventory.
    Inventory(Inventory),
    /// Processing report.
    ProcessingReport(ProcessingReport),
    /// A payload this crate does not model (Product, Price, ...): its element name.
    Other {
        /// Element name.
        element: String,
    },
}

impl MessageBody {
    fn message_type(&self) -> MessageType {
        match self {
            MessageBody::OrderFulfillment(_) => MessageType::OrderFulfillment,
            MessageBody::OrderAcknowledgement(_) => MessageType::OrderAcknowledgement,
            MessageBody::OrderAdjustment(_) => MessageType::OrderAdjustment,
            MessageBody::Inventory(_) => MessageType::Inventory,
            MessageBody::ProcessingReport(_) => MessageType::ProcessingReport,
            MessageBody::Other { element } => MessageType::from(element.as_str()),
        }
    }
}

/// One `Message` of an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// `MessageID` (positive, unique in the document).
    pub message_id: u64,
    /// `OperationType`.
    pub operation_type: Option<OperationType>,
    /// Payload.
    pub body: MessageBody,
}

/// An `AmazonEnvelope` feed document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Envelope {
    /// `Header/DocumentVersion` (`1.01` for feeds, `1.02` in reports).
    pub document_version: String,
    /// `Header/MerchantIdentifier` (the merchant token / seller id).
    pub merchant_identifier: String,
    /// `MessageType`.
    pub message_type: MessageType,
    /// `PurgeAndReplace`.
    pub purge_and_replace: Option<bool>,
    /// Messages.
    pub messages: Vec<Message>,
}

impl Envelope {
    /// An empty envelope of `message_type`.
    pub fn new(merchant_identifier: impl Into<String>, message_type: MessageType) -> Self {
        Self {
            document_version: "1.01".into(),
            merchant_identifier: merchant_identifier.into(),
            message_type,
            purge_and_replace: None,
            messages: Vec::new(),
        }
    }

    fn with_bodies(
        merchant: impl Into<String>,
        t: MessageType,
        bodies: impl IntoIterator<Item = MessageBody>,
    ) -> Self {
        let mut e = Self::new(merchant, t);
        for body in bodies {
            e.push(body);
        }
        e
    }

    /// An `_POST_ORDER_FULFILLMENT_DATA_` document.
    pub fn order_fulfillment(
        merchant: impl Into<String>,
        messages: impl IntoIterator<Item = OrderFulfillment>,
    ) -> Self {
        Self::with_bodies(
            merchant,
            MessageType::OrderFulfillment,
            messages.into_iter().map(MessageBody::OrderFulfillment),
        )
    }

    /// An `_POST_ORDER_ACKNOWLEDGEMENT_DATA_` document.
    pub fn order_acknowledgement(
        merchant: impl Into<String>,
        messages: impl IntoIterator<Item = OrderAcknowledgement>,
    ) -> Self {
        Self::with_bodies(
            merchant,
            MessageType::OrderAcknowledgement,
            messages.into_iter().map(MessageBody::OrderAcknowledgement),
        )
    }

    /// An `_POST_PAYMENT_ADJUSTMENT_DATA_` document.
    pub fn order_adjustment(
        merchant: impl Into<String>,
        messages: impl IntoIterator<Item = OrderAdjustment>,
    ) -> Self {
        Self::with_bodies(
            merchant,
            MessageType::OrderAdjustment,
            messages.into_iter().map(MessageBody::OrderAdjustment),
        )
    }

    /// Appends a message with the next `MessageID`.
    pub fn push(&mut self, body: MessageBody) -> u64 {
        let id = self
            .messages
            .iter()
            .map(|m| m.message_id)
            .max()
            .unwrap_or(0)
            + 1;
        self.messages.push(Message {
            message_id: id,
            operation_type: None,
            body,
        });
        id
    }

    /// The feed type this document is submitted as (`None` for message types this crate
    /// does not write).
    pub fn feed_type(&self) -> Option<FeedType> {
        match self.message_type {
            MessageType::OrderFulfillment => Some(FeedType::OrderFulfillment),
            MessageType::OrderAcknowledgement => Some(FeedType::OrderAcknowledgement),
            MessageType::OrderAdjustment => Some(FeedType::PaymentAdjustment),
            MessageType::Inventory => Some(FeedType::InventoryAvailability),
            _ => None,
        }
    }

    /// Checks the document against the rules of the schema that the types do not enforce.
    pub fn validate(&self) -> Result<(), BuildError> {
        not_blank(&self.merchant_identifier, "Header/MerchantIdentifier")?;
        not_blank(&self.document_version, "Header/DocumentVersion")?;
        if self.messages.is_empty() {
            return Err(BuildError::new("Message", Rule::MinOccurs(1)));
        }
        if !matches!(
            self.message_type,
            MessageType::OrderFulfillment
                | MessageType::OrderAcknowledgement
                | MessageType::OrderAdjustment
                | MessageType::Inventory
        ) {
            return Err(BuildError::new(
                "MessageType",
                Rule::Conflict(format!(
                    "{} documents cannot be written by this crate",
                    self.message_type
                )),
            ));
        }
        let mut ids = std::collections::HashSet::new();
        for (i, m) in self.messages.iter().enumerate() {
            let at = format!("Message[{}]", i + 1);
            if m.message_id == 0 {
                return Err(BuildError::new(format!("{at}/MessageID"), Rule::Positive));
            }
            if !ids.insert(m.message_id) {
                return Err(BuildError::new(format!("{at}/MessageID"), Rule::Unique));
            }
            if let Some(op) = &m.operation_type {
                known(op, &format!("{at}/OperationType"))?;
            }
            if m.body.message_type() != self.message_type {
                return Err(BuildError::new(
                    format!("{at}/{}", m.body.message_type()),
                    Rule::Conflict(format!(
                        "does not belong in a {} envelope (MessageType)",
                        self.message_type
                    )),
                ));
            }
            match &m.body {
                MessageBody::OrderFulfillment(f) => {
                    f.validate(&format!("{at}/OrderFulfillment"))?
                }
                MessageBody::OrderAcknowledgement(a) => {
                    a.validate(&format!("{at}/OrderAcknowledgement"))?
                }
                MessageBody::OrderAdjustment(a) => a.validate(&format!("{at}/OrderAdjustment"))?,
                MessageBody::Inventory(inv) => not_blank(&inv.sku, &format!("{at}/Inventory/SKU"))?,
                MessageBody::ProcessingReport(_) | MessageBody::Other { .. } => {
                    return Err(BuildError::new(
                        format!("{at}/{}", m.body.message_type()),
                        Rule::Conflict("cannot be written by this crate".into()),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Writes the document (validated first), elements in XSD order.
    pub fn to_xml(&self) -> Result<String, BuildError> {
        self.validate()?;
        let mut w = Writer::default();
        w.out
            .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        w.out.push_str("<AmazonEnvelope xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"amzn-envelope.xsd\">\n");
        w.depth = 1;
        w.open("Header");
        w.leaf("DocumentVersion", &self.document_version);
        w.leaf("MerchantIdentifier", &self.merchant_identifier);
        w.close("Header");
        w.leaf("MessageType", self.message_type.as_str());
        if let Some(p) = self.purge_and_replace {
            w.leaf("PurgeAndReplace", if p { "true" } else { "false" });
        }
        for m in &self.messages {
            w.open("Message");
            w.leaf("MessageID", &m.message_id.to_string());
            if let Some(op) = &m.operation_type {
                w.leaf("OperationType", op.as_str());
            }
            match &m.body {
                MessageBody::OrderFulfillment(f) => write_fulfillment(&mut w, f),
                MessageBody::OrderAcknowledgement(a) => write_acknowledgement(&mut w, a),
                MessageBody::OrderAdjustment(a) => write_adjustment(&mut w, a),
                MessageBody::Inventory(i) => write_inventory(&mut w, i),
                MessageBody::ProcessingReport(_) | MessageBody::Other { .. } => {}
            }
            w.close("Message");
        }
        w.out.push_str("</AmazonEnvelope>\n");
        // Every field is checked above; this guards fields a future edit forgets.
        xml_text(&w.out, "AmazonEnvelope")?;
        Ok(w.out)
    }

    /// Reads a feed document or processing report.
    pub fn from_xml(xml: &str) -> Result<Envelope, XmlError> {
        let doc = Doc::parse(xml)?;
        let root = expect_root(&doc, &["AmazonEnvelope"])?;
        let header = root.req("Header")?;
        let message_type: MessageType = root.req_str("MessageType")?.as_str().into();
        let messages = root
            .children_named("Message")
            .map(read_message)
            .collect::<Result<_, _>>()?;
        Ok(Envelope {
            document_version: header.opt_str("DocumentVersion").unwrap_or_default(),
            merchant_identifier: header.opt_str("MerchantIdentifier").unwrap_or_default(),
            message_type,
            purge_and_replace: root.child_opt("PurgeAndReplace", xml::parse_bool)?,
            messages,
        })
    }
}

// ------------------------------------------------------------------ writing

#[derive(Default)]
struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, name: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{name}>");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{name}>{}</{name}>", escape(text));
    }

    fn opt(&mut self, name: &str, text: Option<&str>) {
        if let Some(t) = text {
            self.leaf(name, t);
        }
    }

    fn amount(&mut self, name: &str, amount: Decimal, currency: &str) {
        self.indent();
        let _ = writeln!(
            self.out,
            "<{name} currency=\"{}\">{}</{name}>",
            escape(currency),
            format_amount(amount)
        );
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn feed_datetime(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn write_order_ref(w: &mut Writer, r: &OrderRef) {
    match r {
        OrderRef::Amazon(id) => w.leaf("AmazonOrderID", id),
        OrderRef::Merchant(id) => w.leaf("MerchantOrderID", id),
    }
}

fn write_item_ref(w: &mut Writer, r: &ItemRef) {
    match r {
        ItemRef::Amazon(id) => w.leaf("AmazonOrderItemCode", id),
        ItemRef::Merchant(id) => w.leaf("MerchantOrderItemID", id),
    }
}

fn write_fulfillment(w: &mut Writer, f: &OrderFulfillment) {
    w.open("OrderFulfillment");
    write_order_ref(w, &f.order);
    w.opt(
        "MerchantFulfillmentID",
        f.merchant_fulfillment_id.as_deref(),
    );
    w.leaf("FulfillmentDate", &feed_datetime(f.fulfillment_date));
    if let Some(carrier) = &f.carrier {
        w.open("FulfillmentData");
        match carrier {
            Carrier::Code(c) => w.leaf("CarrierCode", c.as_str()),
            Carrier::Name(n) => w.leaf("CarrierName", n),
        }
        w.opt("ShippingMethod", f.shipping_method.as_deref());
        w.opt(
            "ShipperTrackingNumber",
            f.shipper_tracking_number.as_deref(),
        );
        w.close("FulfillmentData");
    }
    w.opt("CODCollectionMethod", f.cod_collection_method.as_deref());
    for item in &f.items {
        w.open("Item");
        write_item_ref(w, &item.item);
        w.opt(
            "MerchantFulfillmentItemID",
            item.merchant_fulfillment_item_id.as_deref(),
        );
        if let Some(q) = item.quantity {
            w.leaf("Quantity", &q.to_string());
        }
        for code in &item.transparency_codes {
            w.leaf("TransparencyCode", code);
        }
        w.close("Item");
    }
    w.close("OrderFulfillment");
}

fn write_acknowledgement(w: &mut Writer, a: &OrderAcknowledgement) {
    w.open("OrderAcknowledgement");
    w.leaf("AmazonOrderID", &a.amazon_order_id);
    w.opt("MerchantOrderID", a.merchant_order_id.as_deref());
    w.leaf("StatusCode", a.status_code.as_str());
    for item in &a.items {
        w.open("Item");
        w.leaf("AmazonOrderItemCode", &item.amazon_order_item_code);
        w.opt(
            "MerchantOrderItemID",
            item.merchant_order_item_id.as_deref(),
        );
        w.opt(
            "CancelReason",
            item.cancel_reason.as_ref().map(|r| r.as_str()),
        );
        if let Some(q) = item.quantity {
            w.leaf("Quantity", &q.to_string());
        }
        w.close("Item");
    }
    w.close("OrderAcknowledgement");
}

fn write_components(w: &mut Writer, components: &[PriceComponent]) {
    for c in components {
        w.open("Component");
        w.leaf("Type", c.component_type.as_str());
        w.amount("Amount", c.amount, &c.currency);
        w.close("Component");
    }
}

fn write_adjustment(w: &mut Writer, a: &OrderAdjustment) {
    w.open("OrderAdjustment");
    write_order_ref(w, &a.order);
    w.opt("ActionType", a.action_type.as_ref().map(|t| t.as_str()));
    for item in &a.items {
        w.open("AdjustedItem");
        write_item_ref(w, &item.item);
        w.opt(
            "MerchantAdjustmentItemID",
            item.merchant_adjustment_item_id.as_deref(),
        );
        w.leaf("AdjustmentReason", item.adjustment_reason.as_str());
        w.open("ItemPriceAdjustments");
        write_components(w, &item.item_price_adjustments);
        w.close("ItemPriceAdjustments");
        for p in &item.promotion_adjustments {
            w.open("PromotionAdjustments");
            w.opt("PromotionClaimCode", p.promotion_claim_code.as_deref());
            w.opt("MerchantPromotionID", p.merchant_promotion_id.as_deref());
            write_components(w, &p.components);
            w.close("PromotionAdjustments");
        }
        if let Some(q) = item.quantity_cancelled {
            w.leaf("QuantityCancelled", &q.to_string());
        }
        w.close("AdjustedItem");
    }
    w.close("OrderAdjustment");
}

fn write_inventory(w: &mut Writer, i: &Inventory) {
    w.open("Inventory");
    w.leaf("SKU", &i.sku);
    w.opt("FulfillmentCenterID", i.fulfillment_center_id.as_deref());
    match &i.availability {
        Some(InventoryAvailability::Available(b)) => {
            w.leaf("Available", if *b { "true" } else { "false" })
        }
        Some(InventoryAvailability::Quantity(q)) => w.leaf("Quantity", &q.to_string()),
        Some(InventoryAvailability::Lookup(l)) => w.leaf("Lookup", l),
        None => {}
    }
    if let Some(d) = i.restock_date {
        w.leaf(
            "RestockDate",
            &format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        );
    }
    if let Some(l) = i.fulfillment_latency {
        w.leaf("FulfillmentLatency", &l.to_string());
    }
    w.opt("SwitchFulfillmentTo", i.switch_fulfillment_to.as_deref());
    w.close("Inventory");
}

fn validate_order_ref(r: &OrderRef, at: &str) -> Result<(), BuildError> {
    match r {
        OrderRef::Amazon(s) => not_blank(s, &format!("{at}/AmazonOrderID")),
        OrderRef::Merchant(s) => not_blank(s, &format!("{at}/MerchantOrderID")),
    }
}

fn validate_item_ref(r: &ItemRef, at: &str) -> Result<(), BuildError> {
    match r {
        ItemRef::Amazon(s) => not_blank(s, &format!("{at}/AmazonOrderItemCode")),
        ItemRef::Merchant(s) => not_blank(s, &format!("{at}/MerchantOrderItemID")),
    }
}

/// Text must be present and must hold only characters XML 1.0 can carry.
fn not_blank(text: &str, field: &str) -> Result<(), BuildError> {
    if text.trim().is_empty() {
        return Err(BuildError::new(field, Rule::NotEmpty));
    }
    xml_text(text, field)
}

fn xml_text(text: &str, field: &str) -> Result<(), BuildError> {
    match text.chars().find(|&c| !is_xml_char(c)) {
        Some(c) => Err(BuildError::new(field, Rule::XmlCharacter(c))),
        None => Ok(()),
    }
}

/// Closed enumerations of the XSD: an `Other` value is refused.
trait Known {
    fn known_str(&self) -> Option<&str>;
}

macro_rules! impl_known {
    ($($t:ty),*) => {$(
        impl Known for $t {
            fn known_str(&self) -> Option<&str> {
                self.is_known().then(|| self.as_str())
            }
        }
    )*};
}
impl_known!(
    AcknowledgementStatus,
    CancelReason,
    AdjustmentReason,
    AdjustmentActionType,
    PriceComponentType,
    OperationType
);

fn known<T: Known + std::fmt::Display>(value: &T, field: &str) -> Result<(), BuildError> {
    match value.known_str() {
        Some(_) => Ok(()),
        None => Err(BuildError::new(
            field,
            Rule::Enumeration {
                value: value.to_string(),
            },
        )),
    }
}

/// The XSD's `BaseCurrencyAmount`: `xs:decimal`, at most 20 digits, of them at most 2
/// after the point (counted without trailing zeros, as the XSD counts them).
pub(crate) fn check_amount(amount: Decimal, field: &str) -> Result<(), BuildError> {
    let n = amount.normalize();
    if n.scale() > 2 {
        return Err(BuildError::new(
            field,
            Rule::FractionDigits {
                max: 2,
                found: n.scale(),
            },
        ));
    }
    let digits = n.mantissa().unsigned_abs().to_string().len() as u32;
    if digits.max(n.scale() + 1) > 20 {
        return Err(BuildError::new(field, Rule::TotalDigits(20)));
    }
    Ok(())
}

/// An amount that passed [`check_amount`], written with exactly two decimals.
fn format_amount(amount: Decimal) -> String {
    format!("{:.2}", amount.normalize())
}

fn validate_component<'a>(
    c: &'a PriceComponent,
    at: &str,
    currency: &mut Option<&'a str>,
) -> Result<(), BuildError> {
    known(&c.component_type, &format!("{at}/Type"))?;
    check_amount(c.amount, &format!("{at}/Amount"))?;
    if c.currency.len() != 3 || !c.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(BuildError::new(
            format!("{at}/Amount/@currency"),
            Rule::Pattern("an ISO 4217 currency code (three capital letters)"),
        ));
    }
    match currency {
        Some(first) if *first != c.currency => Err(BuildError::new(
            format!("{at}/Amount/@currency"),
            Rule::Conflict(format!(
                "is {} where the item's other amounts are in {first}; one currency per item",
                c.currency
            )),
        )),
        Some(_) => Ok(()),
        None => {
            *currency = Some(&c.currency);
            Ok(())
        }
    }
}

// ------------------------------------------------------------------ reading

fn read_order_ref(n: Node<'_>) -> Result<OrderRef, XmlError> {
    if let Some(id) = n.opt_str("AmazonOrderID") {
        Ok(OrderRef::Amazon(id))
    } else if let Some(id) = n.opt_str("MerchantOrderID") {
        Ok(OrderRef::Merchant(id))
    } else {
        Err(n.missing("AmazonOrderID"))
    }
}

fn read_item_ref(n: Node<'_>) -> Result<ItemRef, XmlError> {
    if let Some(id) = n.opt_str("AmazonOrderItemCode") {
        Ok(ItemRef::Amazon(id))
    } else if let Some(id) = n.opt_str("MerchantOrderItemID") {
        Ok(ItemRef::Merchant(id))
    } else {
        Err(n.missing("AmazonOrderItemCode"))
    }
}

fn read_components(n: Node<'_>) -> Result<Vec<PriceComponent>, XmlError> {
    n.children_named("Component")
        .map(|c| {
            let amount = c.req("Amount")?;
            Ok(PriceComponent {
                component_type: c.req_str("Type")?.as_str().into(),
                amount: amount.parse_with(xml::parse_decimal)?,
                currency: amount
                    .attr("currency")
                    .map(str::to_owned)
                    .ok_or_else(|| amount.error("the currency attribute is missing"))?,
            })
        })
        .collect()
}

fn read_message(m: Node<'_>) -> Result<Message, XmlError> {
    let message_id = m.child_req("MessageID", xml::parse_u64)?;
    let operation_type = m.opt_str("OperationType").map(|s| s.as_str().into());
    let payload = m
        .children()
        .find(|c| !matches!(c.name(), "MessageID" | "OperationType"))
        .ok_or_else(|| m.error("the message has no payload element"))?;
    let body = match payload.name() {
        "OrderFulfillment" => {
            let data = payload.child("FulfillmentData");
            let carrier = match data {
                Some(d) => match (d.opt_str("CarrierCode"), d.opt_str("CarrierName")) {
                    (Some(code), _) => Some(Carrier::Code(code.as_str().into())),
                    (None, Some(name)) => Some(Carrier::Name(name)),
                    (None, None) => None,
                },
                None => None,
            };
            let items = payload
                .children_named("Item")
                .map(|i| {
                    Ok(FulfillmentItem {
                        item: read_item_ref(i)?,
                        merchant_fulfillment_item_id: i.opt_str("MerchantFulfillmentItemID"),
                        quantity: i.child_opt("Quantity", xml::parse_u32)?,
                        transparency_codes: i
                            .children_named("TransparencyCode")
                            .filter_map(|t| t.opt_text())
                            .collect(),
                    })
                })
                .collect::<Result<_, XmlError>>()?;
            MessageBody::OrderFulfillment(OrderFulfillment {
                order: read_order_ref(payload)?,
                merchant_fulfillment_id: payload.opt_str("MerchantFulfillmentID"),
                fulfillment_date: payload.child_req("FulfillmentDate", xml::parse_datetime)?,
                carrier,
                shipping_method: data.and_then(|d| d.opt_str("ShippingMethod")),
                shipper_tracking_number: data.and_then(|d| d.opt_str("ShipperTrackingNumber")),
                cod_collection_method: payload.opt_str("CODCollectionMethod"),
                items,
            })
        }
        "OrderAcknowledgement" => MessageBody::OrderAcknowledgement(OrderAcknowledgement {
            amazon_order_id: payload.req_str("AmazonOrderID")?,
            merchant_order_id: payload.opt_str("MerchantOrderID"),
            status_code: payload.req_str("StatusCode")?.as_str().into(),
            items: payload
                .children_named("Item")
                .map(|i| {
                    Ok(AcknowledgementItem {
                        amazon_order_item_code: i.req_str("AmazonOrderItemCode")?,
                        merchant_order_item_id: i.opt_str("MerchantOrderItemID"),
                        cancel_reason: i.opt_str("CancelReason").map(|s| s.as_str().into()),
                        quantity: i.child_opt("Quantity", xml::parse_u32)?,
                    })
                })
                .collect::<Result<_, XmlError>>()?,
        }),
        "OrderAdjustment" => MessageBody::OrderAdjustment(OrderAdjustment {
            order: read_order_ref(payload)?,
            action_type: payload.opt_str("ActionType").map(|s| s.as_str().into()),
            items: payload
                .children_named("AdjustedItem")
                .map(|i| {
                    Ok(AdjustedItem {
                        item: read_item_ref(i)?,
                        merchant_adjustment_item_id: i.opt_str("MerchantAdjustmentItemID"),
                        adjustment_reason: i.req_str("AdjustmentReason")?.as_str().into(),
                        item_price_adjustments: match i.child("ItemPriceAdjustments") {
                            Some(p) => read_components(p)?,
                            None => Vec::new(),
                        },
                        promotion_adjustments: i
                            .children_named("PromotionAdjustments")
                            .map(|p| {
                                Ok(PromotionAdjustment {
                                    promotion_claim_code: p.opt_str("PromotionClaimCode"),
                                    merchant_promotion_id: p.opt_str("MerchantPromotionID"),
                                    components: read_components(p)?,
                                })
                            })
                            .collect::<Result<_, XmlError>>()?,
                        quantity_cancelled: i.child_opt("QuantityCancelled", xml::parse_u32)?,
                    })
                })
                .collect::<Result<_, XmlError>>()?,
        }),
        "Inventory" => {
            let availability = if let Some(q) = payload.child_opt("Quantity", xml::parse_u32)? {
                Some(InventoryAvailability::Quantity(q))
            } else if let Some(a) = payload.child_opt("Available", xml::parse_bool)? {
                Some(InventoryAvailability::Available(a))
            } else {
                payload.opt_str("Lookup").map(InventoryAvailability::Lookup)
            };
            let restock_date = match payload.child("RestockDate") {
                Some(d) => d.parse_opt(xml::parse_datetime)?.map(|t| t.date()),
                None => None,
            };
            MessageBody::Inventory(Inventory {
                sku: payload.req_str("SKU")?,
                fulfillment_center_id: payload.opt_str("FulfillmentCenterID"),
                availability,
                restock_date,
                fulfillment_latency: payload.child_opt("FulfillmentLatency", xml::parse_u32)?,
                switch_fulfillment_to: payload.opt_str("SwitchFulfillmentTo"),
            })
        }
        "ProcessingReport" => MessageBody::ProcessingReport(ProcessingReport::read(payload)?),
        other => MessageBody::Other {
            element: other.to_owned(),
        },
    };
    Ok(Message {
        message_id,
        operation_type,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn fulfillment() -> OrderFulfillment {
        OrderFulfillment::new("111-1234567-1234567", datetime!(2020-05-01 12:00 UTC))
            .carrier_code(CarrierCode::Ups)
            .shipping_method("Ground")
            .tracking_number("1Z999AA10123456784")
            .item(FulfillmentItem::new("12345678901234", 2))
    }

    #[test]
    fn fulfillment_xml_follows_the_xsd_order() {
        let xml = Envelope::order_fulfillment("M_SELLER_1", [fulfillment()])
            .to_xml()
            .unwrap();
        let order = [
            "<DocumentVersion>1.01</DocumentVersion>",
            "<MerchantIdentifier>M_SELLER_1</MerchantIdentifier>",
            "<MessageType>OrderFulfillment</MessageType>",
            "<MessageID>1</MessageID>",
            "<AmazonOrderID>111-1234567-1234567</AmazonOrderID>",
            "<FulfillmentDate>2020-05-01T12:00:00Z</FulfillmentDate>",
            "<CarrierCode>UPS</CarrierCode>",
            "<ShippingMethod>Ground</ShippingMethod>",
            "<ShipperTrackingNumber>1Z999AA10123456784</ShipperTrackingNumber>",
            "<AmazonOrderItemCode>12345678901234</AmazonOrderItemCode>",
            "<Quantity>2</Quantity>",
        ];
        let mut at = 0;
        for piece in order {
            let found = xml[at..]
                .find(piece)
                .unwrap_or_else(|| panic!("{piece} missing or out of order in\n{xml}"));
            at += found + piece.len();
        }
    }

    #[test]
    fn escaping_and_validation() {
        let f = OrderFulfillment::new("1", datetime!(2020-05-01 12:00 UTC))
            .carrier_name("Bob & Sons <Express>");
        let xml = Envelope::order_fulfillment("M", [f]).to_xml().unwrap();
        assert!(xml.contains("<CarrierName>Bob &amp; Sons &lt;Express&gt;</CarrierName>"));
        let back = Envelope::from_xml(&xml).unwrap();
        match &back.messages[0].body {
            MessageBody::OrderFulfillment(f) => assert_eq!(
                f.carrier,
                Some(Carrier::Name("Bob & Sons <Express>".into()))
            ),
            other => panic!("{other:?}"),
        }
        let no_carrier =
            OrderFulfillment::new("1", datetime!(2020-05-01 12:00 UTC)).tracking_number("T");
        assert!(
            Envelope::order_fulfillment("M", [no_carrier])
                .to_xml()
                .is_err()
        );
        assert!(
            Envelope::order_fulfillment("M", []).to_xml().is_err(),
            "no messages"
        );
        let zero = fulfillment().item(FulfillmentItem::new("1", 0));
        assert!(Envelope::order_fulfillment("M", [zero]).to_xml().is_err());
        let mut mixed = Envelope::order_fulfillment("M", [fulfillment()]);
        mixed.push(MessageBody::OrderAcknowledgement(
            OrderAcknowledgement::success("1"),
        ));
        assert!(mixed.to_xml().is_err(), "mixed message types");
        let bad_ack = OrderAcknowledgement::success("1")
            .item(AcknowledgementItem::new("2").cancel(CancelReason::NoInventory));
        assert!(
            Envelope::order_acknowledgement("M", [bad_ack])
                .to_xml()
                .is_err()
        );
        assert!(
            Envelope::order_adjustment("M", [OrderAdjustment::refund("1")])
                .to_xml()
                .is_err()
        );
    }
}
