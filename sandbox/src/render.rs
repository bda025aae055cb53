//! Renders the sandbox's orders to the wire shapes of Orders v0 and v2026-01-01, written
//! from the official models (`ordersV0.json`, `orders_2026-01-01.json`), not from any
//! client crate's types.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::clock::iso;
use crate::model::{CancelledBy, OrderStatus, SimItem, SimOrder};

/// Which restricted data a request may see (from its RDT's data elements).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Pii {
    pub(crate) shipping_address: bool,
    pub(crate) buyer_info: bool,
}

fn money_v0(o: &SimOrder, d: Decimal) -> Value {
    json!({"CurrencyCode": o.mp.currency, "Amount": o.money_str(d)})
}

fn money_26(o: &SimOrder, d: Decimal) -> Value {
    json!({"amount": o.money_str(d), "currencyCode": o.mp.currency})
}

fn has_address(o: &SimOrder) -> bool {
    matches!(
        o.status,
        OrderStatus::Unshipped | OrderStatus::PartiallyShipped | OrderStatus::Shipped
    )
}

/// The v0 `Address`; without the RDT only the non-identifying parts.
pub(crate) fn address_v0(o: &SimOrder, full: bool) -> Value {
    let a = &o.address;
    let mut m = Map::new();
    if full {
        m.insert("Name".into(), a.name.clone().into());
        if let Some(c) = &a.company {
            m.insert("CompanyName".into(), c.clone().into());
        }
        m.insert("AddressLine1".into(), a.line1.clone().into());
        if let Some(l) = &a.line2 {
            m.insert("AddressLine2".into(), l.clone().into());
        }
    }
    m.insert("City".into(), a.city.clone().into());
    m.insert("StateOrRegion".into(), a.state.clone().into());
    m.insert("PostalCode".into(), a.postal.clone().into());
    m.insert("CountryCode".into(), a.country.into());
    if full {
        // Phone is suppressed for AFN orders and for shipped orders after delivery.
        if !o.afn && o.status != OrderStatus::Shipped {
            m.insert("Phone".into(), a.phone.clone().into());
        }
        m.insert(
            "AddressType".into(),
            if a.residential {
                "Residential"
            } else {
                "Commercial"
            }
            .into(),
        );
    }
    Value::Object(m)
}

/// The v0 `BuyerInfo` (restricted).
pub(crate) fn buyer_info_v0(o: &SimOrder) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("BuyerEmail".into(), o.buyer_email.clone().into());
    m.insert("BuyerName".into(), o.buyer_name.clone().into());
    if let Some(c) = &o.address.company {
        m.insert("BuyerTaxInfo".into(), json!({"CompanyLegalName": c}));
    }
    if let Some(po) = &o.po_number {
        m.insert("PurchaseOrderNumber".into(), po.clone().into());
    }
    m
}

/// The v0 `Order`.
pub(crate) fn order_v0(o: &SimOrder, pii: Pii) -> Value {
    let pending = matches!(
        o.status,
        OrderStatus::Pending | OrderStatus::PendingAvailability
    );
    let mut m = Map::new();
    m.insert("AmazonOrderId".into(), o.id.clone().into());
    m.insert("SellerOrderId".into(), o.seller_order_id.clone().into());
    m.insert("PurchaseDate".into(), iso(o.purchase).into());
    m.insert("LastUpdateDate".into(), iso(o.last_update).into());
    m.insert("OrderStatus".into(), o.status.v0().into());
    m.insert(
        "FulfillmentChannel".into(),
        if o.afn { "AFN" } else { "MFN" }.into(),
    );
    m.insert("SalesChannel".into(), o.mp.name.into());
    m.insert(
        "ShipServiceLevel".into(),
        o.service.ship_service_level(o.mp.country).into(),
    );
    if !pending {
        m.insert("OrderTotal".into(), money_v0(o, o.total()));
    }
    m.insert("NumberOfItemsShipped".into(), o.items_shipped().into());
    m.insert("NumberOfItemsUnshipped".into(), o.items_unshipped().into());
    // Only COD orders (and multi-payment BR orders, not generated) list payments.
    if !pending && o.cod {
        m.insert(
            "PaymentExecutionDetail".into(),
            json!([{"Payment": money_v0(o, o.total()), "PaymentMethod": "COD"}]),
        );
    }
    m.insert(
        "PaymentMethod".into(),
        if o.cod { "COD" } else { "Other" }.into(),
    );
    m.insert(
        "PaymentMethodDetails".into(),
        json!([if o.cod { "COD" } else { "Standard" }]),
    );
    m.insert("MarketplaceId".into(), o.mp.id.into());
    m.insert("ShipmentServiceLevelCategory".into(), o.service.v0().into());
    m.insert(
        "OrderType".into(),
        if o.preorder {
            "Preorder"
        } else {
            "StandardOrder"
        }
        .into(),
    );
    m.insert("EarliestShipDate".into(), iso(o.earliest_ship).into());
    m.insert("LatestShipDate".into(), iso(o.latest_ship).into());
    if !o.afn {
        m.insert(
            "EarliestDeliveryDate".into(),
            iso(o.earliest_delivery).into(),
        );
        if !pending && o.status != OrderStatus::Canceled {
            m.insert("LatestDeliveryDate".into(), iso(o.latest_delivery).into());
        }
    }
    m.insert("IsBusinessOrder".into(), o.business.into());
    m.insert("IsPrime".into(), o.prime.into());
    m.insert("IsPremiumOrder".into(), o.premium.into());
    m.insert("IsGlobalExpressEnabled".into(), false.into());
    m.insert("IsReplacementOrder".into(), false.into());
    m.insert("IsSoldByAB".into(), false.into());
    m.insert("IsIBA".into(), false.into());
    m.insert("IsISPU".into(), false.into());
    m.insert("IsAccessPointOrder".into(), false.into());
    m.insert("HasRegulatedItems".into(), false.into());
    m.insert("ElectronicInvoiceStatus".into(), "NotRequired".into());
    if !o.afn {
        m.insert(
            "AutomatedShippingSettings".into(),
            json!({"HasAutomatedShippingSettings": false}),
        );
    }
    if has_address(o) {
        m.insert(
            "ShippingAddress".into(),
            address_v0(o, pii.shipping_address),
        );
    }
    if pii.buyer_info {
        m.insert("BuyerInfo".into(), Value::Object(buyer_info_v0(o)));
    }
    Value::Object(m)
}

/// The v0 `OrderItem`; `buyer_info` adds the restricted item `BuyerInfo`.
pub(crate) fn item_v0(o: &SimOrder, i: &SimItem, buyer_info: bool) -> Value {
    let pending = matches!(
        o.status,
        OrderStatus::Pending | OrderStatus::PendingAvailability
    );
    let a = o.amounts(i);
    let mut m = Map::new();
    m.insert("ASIN".into(), i.asin.clone().into());
    m.insert("SellerSKU".into(), i.sku.clone().into());
    m.insert("OrderItemId".into(), i.id.clone().into());
    m.insert("Title".into(), i.title.clone().into());
    m.insert("QuantityOrdered".into(), i.qty.into());
    m.insert("QuantityShipped".into(), i.shipped.into());
    m.insert("ProductInfo".into(), json!({"NumberOfItems": "1"}));
    if !pending {
        m.insert("ItemPrice".into(), money_v0(o, a.item_price));
        m.insert("ShippingPrice".into(), money_v0(o, a.shipping));
        m.insert("ItemTax".into(), money_v0(o, a.item_tax));
        m.insert("ShippingTax".into(), money_v0(o, a.shipping_tax));
        m.insert("ShippingDiscount".into(), money_v0(o, a.shipping_discount));
        m.insert("ShippingDiscountTax".into(), money_v0(o, Decimal::ZERO));
        m.insert(
            "PromotionDiscount".into(),
            money_v0(o, a.promotion_discount),
        );
        m.insert("PromotionDiscountTax".into(), money_v0(o, Decimal::ZERO));
        if let Some((id, _)) = &i.promotion {
            m.insert("PromotionIds".into(), json!([id]));
        }
        if o.cod {
            m.insert("CODFee".into(), money_v0(o, Decimal::ZERO));
            m.insert("CODFeeDiscount".into(), money_v0(o, Decimal::ZERO));
        }
    }
    m.insert(
        "IsGift".into(),
        if i.gift.is_some() { "true" } else { "false" }.into(),
    );
    m.insert("ConditionId".into(), i.condition.into());
    m.insert(
        "ConditionSubtypeId".into(),
        if i.condition == "New" { "New" } else { "Good" }.into(),
    );
    if i.business_price {
        m.insert("PriceDesignation".into(), "BusinessPrice".into());
    }
    if o.mp.country == "US" {
        m.insert(
            "TaxCollection".into(),
            json!({"Model": "MarketplaceFacilitator", "ResponsibleParty": "Amazon Services, Inc."}),
        );
    }
    m.insert("SerialNumberRequired".into(), false.into());
    m.insert("IsTransparency".into(), i.transparency.into());
    m.insert(
        "BuyerRequestedCancel".into(),
        match &i.buyer_cancel {
            Some(r) => json!({"IsBuyerRequestedCancel": "true", "BuyerCancelReason": r}),
            None => json!({"IsBuyerRequestedCancel": "false"}),
        },
    );
    if buyer_info {
        if let Some(b) = item_buyer_info(o, i) {
            m.insert("BuyerInfo".into(), Value::Object(b));
        }
    }
    Value::Object(m)
}

/// The v0 `ItemBuyerInfo` fields (gift wrap and message), when the item has any.
pub(crate) fn item_buyer_info(o: &SimOrder, i: &SimItem) -> Option<Map<String, Value>> {
    let g = i.gift.as_ref()?;
    let a = o.amounts(i);
    let mut m = Map::new();
    m.insert("GiftWrapPrice".into(), money_v0(o, a.gift_wrap));
    m.insert("GiftWrapTax".into(), money_v0(o, a.gift_wrap_tax));
    m.insert("GiftMessageText".into(), g.message.clone().into());
    m.insert("GiftWrapLevel".into(), g.wrap_level.clone().into());
    Some(m)
}

/// v2026 datasets requested through `includedData`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Included {
    pub(crate) buyer: bool,
    pub(crate) recipient: bool,
    pub(crate) proceeds: bool,
    pub(crate) expense: bool,
    pub(crate) promotion: bool,
    pub(crate) cancellation: bool,
    pub(crate) fulfillment: bool,
    pub(crate) packages: bool,
    pub(crate) tax: bool,
    pub(crate) payment: bool,
    pub(crate) fulfillment_orders: bool,
}

impl Included {
    pub(crate) const VALUES: [&'static str; 11] = [
        "BUYER",
        "RECIPIENT",
        "PROCEEDS",
        "EXPENSE",
        "PROMOTION",
        "CANCELLATION",
        "FULFILLMENT",
        "PACKAGES",
        "TAX",
        "PAYMENT",
        "FULFILLMENT_ORDERS",
    ];

    /// Sets one dataset; `false` for an unknown name.
    pub(crate) fn set(&mut self, name: &str) -> bool {
        let f = match name {
            "BUYER" => &mut self.buyer,
            "RECIPIENT" => &mut self.recipient,
            "PROCEEDS" => &mut self.proceeds,
            "EXPENSE" => &mut self.expense,
            "PROMOTION" => &mut self.promotion,
            "CANCELLATION" => &mut self.cancellation,
            "FULFILLMENT" => &mut self.fulfillment,
            "PACKAGES" => &mut self.packages,
            "TAX" => &mut self.tax,
            "PAYMENT" => &mut self.payment,
            "FULFILLMENT_ORDERS" => &mut self.fulfillment_orders,
            _ => return false,
        };
        *f = true;
        true
    }
}

fn breakdown(o: &SimOrder, kind: &str, d: Decimal) -> Value {
    json!({"type": kind, "subtotal": money_26(o, d)})
}

/// The v2026-01-01 `Order` with the requested datasets.
pub(crate) fn order_2026(o: &SimOrder, inc: Included) -> Value {
    let pending = matches!(
        o.status,
        OrderStatus::Pending | OrderStatus::PendingAvailability
    );
    let mut m = Map::new();
    m.insert("orderId".into(), o.id.clone().into());
    m.insert(
        "orderAliases".into(),
        json!([{"aliasId": o.seller_order_id, "aliasType": "SELLER_ORDER_ID"}]),
    );
    m.insert("createdTime".into(), iso(o.purchase).into());
    m.insert("lastUpdatedTime".into(), iso(o.last_update).into());
    let mut programs = Vec::new();
    if o.business {
        programs.push("AMAZON_BUSINESS");
    }
    if o.premium {
        programs.push("PREMIUM");
    }
    if o.preorder {
        programs.push("PREORDER");
    }
    if o.prime {
        programs.push("PRIME");
    }
    m.insert("programs".into(), json!(programs));
    m.insert(
        "salesChannel".into(),
        json!({"channelName": "AMAZON", "marketplaceId": o.mp.id, "marketplaceName": o.mp.name}),
    );
    if inc.buyer {
        let mut b = Map::new();
        b.insert("buyerName".into(), o.buyer_name.clone().into());
        if !o.afn {
            b.insert("buyerEmail".into(), o.buyer_email.clone().into());
        }
        if let Some(c) = &o.address.company {
            b.insert("buyerCompanyName".into(), c.clone().into());
        }
        if let Some(po) = &o.po_number {
            b.insert("buyerPurchaseOrderNumber".into(), po.clone().into());
        }
        m.insert("buyer".into(), Value::Object(b));
    }
    if inc.recipient && has_address(o) {
        let a = &o.address;
        let mut d = Map::new();
        d.insert("name".into(), a.name.clone().into());
        if let Some(c) = &a.company {
            d.insert("companyName".into(), c.clone().into());
        }
        d.insert("addressLine1".into(), a.line1.clone().into());
        if let Some(l) = &a.line2 {
            d.insert("addressLine2".into(), l.clone().into());
        }
        d.insert("city".into(), a.city.clone().into());
        d.insert("stateOrRegion".into(), a.state.clone().into());
        d.insert("postalCode".into(), a.postal.clone().into());
        d.insert("countryCode".into(), a.country.into());
        if !o.afn && o.status != OrderStatus::Shipped {
            d.insert("phone".into(), a.phone.clone().into());
        }
        d.insert(
            "addressType".into(),
            if a.residential {
                "RESIDENTIAL"
            } else {
                "COMMERCIAL"
            }
            .into(),
        );
        m.insert("recipient".into(), json!({"deliveryAddress": d}));
    }
    if inc.proceeds && !pending {
        let inc_tax = o.tax_included();
        let (mut item, mut ship, mut gift, mut tax, mut disc) = (
            Decimal::ZERO,
            Decimal::ZERO,
            Decimal::ZERO,
            Decimal::ZERO,
            Decimal::ZERO,
        );
        for i in &o.items {
            let a = o.amounts(i);
            item += a.item_price;
            ship += a.shipping;
            gift += a.gift_wrap;
            if !inc_tax {
                tax += a.item_tax + a.shipping_tax + a.gift_wrap_tax;
            }
            disc += a.promotion_discount + a.shipping_discount;
        }
        let mut b = vec![breakdown(o, "ITEM", item), breakdown(o, "SHIPPING", ship)];
        if !gift.is_zero() {
            b.push(breakdown(o, "GIFT_WRAP", gift));
        }
        b.push(breakdown(o, "TAX", tax));
        b.push(breakdown(o, "DISCOUNT", -disc));
        m.insert(
            "proceeds".into(),
            json!({"grandTotal": money_26(o, o.total()), "breakdowns": b}),
        );
    }
    if inc.payment && !pending {
        m.insert(
            "payment".into(),
            json!({"paymentExecutions": [{"paymentMethod": if o.cod { "COD" } else { "Other" }, "paymentAmount": money_26(o, o.total())}]}),
        );
    }
    if inc.tax {
        let mut t = Map::new();
        if let Some(c) = &o.address.company {
            t.insert(
                "taxRegistrations".into(),
                json!([{"entityType": "BUYER", "legalName": c, "taxRegistrationType": "BUSINESS"}]),
            );
        }
        t.insert(
            "taxInvoicing".into(),
            json!({"invoiceStatus": "NOT_REQUIRED"}),
        );
        m.insert("tax".into(), Value::Object(t));
    }
    if inc.fulfillment {
        let mut f = Map::new();
        f.insert("fulfillmentStatus".into(), o.status.v2026().into());
        f.insert(
            "fulfilledBy".into(),
            if o.afn { "AMAZON" } else { "MERCHANT" }.into(),
        );
        f.insert("fulfillmentServiceLevel".into(), o.service.v2026().into());
        f.insert(
            "shipByWindow".into(),
            json!({"earliestDateTime": iso(o.earliest_ship), "latestDateTime": iso(o.latest_ship)}),
        );
        if !o.afn {
            f.insert(
                "deliverByWindow".into(),
                json!({"earliestDateTime": iso(o.earliest_delivery), "latestDateTime": iso(o.latest_delivery)}),
            );
        }
        m.insert("fulfillment".into(), Value::Object(f));
    }
    let items: Vec<Value> = o
        .items
        .iter()
        .map(|i| item_2026(o, i, inc, pending))
        .collect();
    m.insert("orderItems".into(), Value::Array(items));
    if inc.packages && !o.afn {
        let pk: Vec<Value> = o
            .packages
            .iter()
            .map(|p| {
                let mut pm = Map::new();
                pm.insert("packageReferenceId".into(), p.reference_id.clone().into());
                pm.insert("createdTime".into(), iso(p.created).into());
                pm.insert("packageStatus".into(), json!({"status": "SHIPPED"}));
                pm.insert(
                    "carrier".into(),
                    p.carrier_name
                        .clone()
                        .unwrap_or_else(|| p.carrier_code.clone())
                        .into(),
                );
                pm.insert("shipTime".into(), iso(p.ship_date).into());
                if let Some(s) = &p.shipping_method {
                    pm.insert("shippingService".into(), s.clone().into());
                }
                pm.insert("trackingNumber".into(), p.tracking.clone().into());
                pm.insert(
                    "packageItems".into(),
                    Value::Array(
                        p.items
                            .iter()
                            .map(|(id, q, codes)| {
                                let mut it = json!({"orderItemId": id, "quantity": q});
                                if !codes.is_empty() {
                                    it["transparencyCodes"] = json!(codes);
                                }
                                it
                            })
                            .collect(),
                    ),
                );
                Value::Object(pm)
            })
            .collect();
        m.insert("packages".into(), Value::Array(pk));
    }
    if inc.fulfillment_orders && o.afn {
        m.insert("fulfillmentOrders".into(), json!([]));
    }
    Value::Object(m)
}

fn item_2026(o: &SimOrder, i: &SimItem, inc: Included, pending: bool) -> Value {
    let a = o.amounts(i);
    let mut m = Map::new();
    m.insert("orderItemId".into(), i.id.clone().into());
    m.insert("quantityOrdered".into(), i.qty.into());
    if i.transparency {
        m.insert("programs".into(), json!(["TRANSPARENCY"]));
    }
    let mut product = Map::new();
    product.insert("asin".into(), i.asin.clone().into());
    product.insert("title".into(), i.title.clone().into());
    product.insert("sellerSku".into(), i.sku.clone().into());
    product.insert(
        "condition".into(),
        json!({"conditionType": i.condition.to_ascii_uppercase(), "conditionSubtype": if i.condition == "New" { "NEW" } else { "GOOD" }}),
    );
    if !pending {
        let mut price = Map::new();
        price.insert("unitPrice".into(), money_26(o, i.unit_price));
        if i.business_price {
            price.insert("priceDesignation".into(), "BUSINESS_PRICE".into());
        }
        product.insert("price".into(), Value::Object(price));
    }
    m.insert("product".into(), Value::Object(product));
    if inc.proceeds && !pending {
        let inc_tax = o.tax_included();
        let tax = if inc_tax {
            Decimal::ZERO
        } else {
            a.item_tax + a.shipping_tax + a.gift_wrap_tax
        };
        let mut b = vec![
            breakdown(o, "ITEM", a.item_price),
            breakdown(o, "SHIPPING", a.shipping),
        ];
        if i.gift.is_some() {
            b.push(breakdown(o, "GIFT_WRAP", a.gift_wrap));
        }
        b.push(breakdown(o, "TAX", tax));
        let disc = a.promotion_discount + a.shipping_discount;
        if !disc.is_zero() {
            b.push(breakdown(o, "DISCOUNT", -disc));
        }
        m.insert(
            "proceeds".into(),
            json!({"proceedsTotal": money_26(o, a.total(inc_tax)), "breakdowns": b}),
        );
    }
    if inc.promotion {
        if let Some((id, _)) = &i.promotion {
            m.insert(
                "promotion".into(),
                json!({"breakdowns": [{"promotionId": id}]}),
            );
        }
    }
    if inc.cancellation {
        let mut c = Map::new();
        if let Some(r) = &i.buyer_cancel {
            c.insert(
                "cancellationRequest".into(),
                json!({"requester": "BUYER", "cancelReason": r}),
            );
        }
        if let Some(r) = i.seller_cancel.as_ref().filter(|_| o.cancelled.is_none()) {
            c.insert(
                "cancellationExecution".into(),
                json!({"cancelledBy": "MERCHANT", "cancelReason": r}),
            );
        }
        if let Some((by, r)) = &o.cancelled {
            let by = match by {
                CancelledBy::Buyer => "BUYER",
                CancelledBy::Amazon => "AMAZON",
                CancelledBy::Merchant => "MERCHANT",
            };
            c.insert(
                "cancellationExecution".into(),
                json!({"cancelledBy": by, "cancelReason": r}),
            );
        }
        if !c.is_empty() {
            m.insert("cancellation".into(), Value::Object(c));
        }
    }
    if inc.fulfillment {
        let unf = if o.status == OrderStatus::Canceled {
            0
        } else {
            i.qty - i.shipped.min(i.qty)
        };
        let mut f = json!({"quantityFulfilled": i.shipped, "quantityUnfulfilled": unf});
        if let Some(g) = &i.gift {
            f["packing"] =
                json!({"giftOption": {"giftMessage": g.message, "giftWrapLevel": g.wrap_level}});
        }
        m.insert("fulfillment".into(), f);
    }
    if inc.tax && o.mp.country == "US" {
        m.insert(
            "tax".into(),
            json!({"taxCollections": [{"model": "MARKETPLACE_FACILITATOR", "responsibleParty": "Amazon Services, Inc."}]}),
        );
    }
    Value::Object(m)
}
