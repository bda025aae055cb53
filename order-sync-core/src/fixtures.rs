//! Sample orders and shipments for tests of the engine and of adapters.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use order_mapping::vocab::{FulfillmentChannel, OrderStatus, PaymentMethod, ServiceLevelCategory};

use crate::host::{HostOrder, MappedFields};
use crate::ids::{AccountId, AmazonOrderId, MarketplaceId, OrderItemId, PackageRef};
use crate::model::{
    DateWindow, GiftOptions, HostShipment, Order, OrderLine, OrderTotals, PackageItem, Payment,
};
use crate::money::Money;
use crate::pii::{Address, AddressType, BuyerPii, Recipient};

/// A merchant-fulfilled, unshipped US order with two lines, buyer and recipient PII and a
/// gift message, last updated at `updated`.
pub fn sample_order(id: &str, updated: OffsetDateTime) -> Order {
    let usd = |cents: i64| Money::new(Decimal::new(cents, 2), "USD");
    let line = |n: u32, sku: &str, unit: i64, qty: u32| OrderLine {
        item_id: OrderItemId::new(format!("{id}-{n}")),
        sku: Some(sku.to_owned()),
        asin: format!("B0000000{n:02}"),
        title: Some(format!("Item {n}")),
        quantity_ordered: qty,
        quantity_shipped: 0,
        unit_price: Some(usd(unit)),
        line_price: Some(usd(unit * i64::from(qty))),
        tax: Some(usd(unit * i64::from(qty) / 10)),
        shipping_price: Some(usd(499)),
        shipping_tax: None,
        shipping_discount: None,
        promotion_discount: None,
        gift: None,
        buyer_cancel_request: None,
    };
    let mut first = line(1, "SKU-RED", 1999, 2);
    first.gift = Some(GiftOptions {
        message: Some("Happy birthday, Ada!".into()),
        wrap_level: Some("Classic".into()),
        wrap_price: Some(usd(300)),
        wrap_tax: None,
    });
    let lines = vec![first, line(2, "SKU-BLUE", 500, 1)];
    Order {
        id: AmazonOrderId::new(id),
        seller_order_id: None,
        marketplace: MarketplaceId::new("ATVPDKIKX0DER"),
        purchased_at: updated - time::Duration::hours(1),
        last_updated_at: updated,
        ship_by: Some(DateWindow {
            earliest: Some(updated),
            latest: Some(updated + time::Duration::days(2)),
        }),
        deliver_by: Some(DateWindow {
            earliest: Some(updated + time::Duration::days(3)),
            latest: Some(updated + time::Duration::days(7)),
        }),
        delivered_at: None,
        status: OrderStatus::Unshipped,
        channel: FulfillmentChannel::Merchant,
        service_level: Some(ServiceLevelCategory::Standard),
        ship_service_level: Some("Std US D2D Dom".into()),
        programs: vec![],
        lines,
        totals: OrderTotals {
            order_total: Some(usd(4498 + 998 + 300 + 449)),
            items: Some(usd(4498)),
            shipping: Some(usd(998)),
            tax: Some(usd(449)),
            discounts: None,
        },
        payment: Payment {
            method: Some(PaymentMethod::CreditCard),
            details: vec!["Standard".into()],
        },
        buyer: Some(BuyerPii {
            name: Some("Ada Lovelace".into()),
            email: Some("ada@marketplace.amazon.com".into()),
            ..Default::default()
        }),
        recipient: Some(Recipient {
            name: Some("Ada Lovelace".into()),
            company: None,
            phone: Some("+1 206 555 0100".into()),
            address: Address {
                lines: vec!["12 Analytical Way".into()],
                city: Some("Seattle".into()),
                county: None,
                state_or_region: Some("WA".into()),
                postal_code: Some("98101".into()),
                country_code: Some("US".into()),
                address_type: Some(AddressType::Residential),
            },
        }),
        packages: vec![],
    }
}

/// `order` wrapped for a host with plain mapped fields.
pub fn host_order(account: &AccountId, order: Order) -> HostOrder {
    HostOrder {
        account: account.clone(),
        mapped: MappedFields {
            order_number: format!("AMZ-{}", order.id),
            status: order.status.as_str().to_owned(),
            payment: None,
            shipping_method: Some("Standard".into()),
            priority: "Normal".into(),
            customer: crate::host::HostName {
                first: "Ada".into(),
                last: "Lovelace".into(),
            },
        },
        order,
    }
}

/// A shipment of every line of `order` in package `package`, by UPS.
pub fn shipment_for(order: &Order, package: &str, ship_date: OffsetDateTime) -> HostShipment {
    HostShipment {
        amazon_order_id: order.id.clone(),
        package: PackageRef::new(package),
        carrier: "UPS".into(),
        service: Some("Ground".into()),
        tracking_number: format!("1Z999AA1{package:0>10}"),
        ship_date,
        items: order
            .lines
            .iter()
            .map(|l| PackageItem {
                item_id: l.item_id.clone(),
                quantity: l.quantity_ordered,
            })
            .collect(),
        shipped_despite_cancellation: false,
    }
}
