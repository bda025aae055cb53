//! The Amazon side over SP-API (feature `spapi`).
//!
//! Reads orders through Orders v2026-01-01 `searchOrders`/`getOrder` (items inline, buyer
//! and recipient as `includedData`, no RDT) or through Orders v0 `getOrders` +
//! `getOrderItems` (buyer and address through a restricted data token), chosen per
//! account with [`ReadApi`]; writes shipments through v0 `confirmShipment`.
//!
//! # Paging
//!
//! Amazon accepts a page token only with the filters of the first page. The client clamps
//! "before" bounds later than two minutes before now (by its clock) each time it builds a
//! request, so a query whose `updated_before` is later than that would go out with a
//! different bound on every page. [`SpApiAmazon`] therefore clamps once, before the first
//! page, and carries the bound it sent inside the [`PageToken`] it returns: every later
//! page resends that bound byte for byte (as a raw date, never clamped again), whatever
//! the clock says by then. Its page tokens are its own (`spapi1|bound|Amazon's token`);
//! a token from elsewhere is refused as a client error.

use async_trait::async_trait;
use futures::TryStreamExt;
use order_mapping::vocab::{
    FulfillmentChannel, OrderProgram, OrderStatus, PaymentMethod, ServiceLevelCategory,
    V0OrderFlags,
};
use rust_decimal::Decimal;
use spapi_client::Client;
use spapi_client::orders_v0::{self as v0, DateParam};
use spapi_client::orders_v2026::{self as v26, IncludedData};
use spapi_client::tokens::{DataElement, RestrictedResource};

use crate::amazon::{AmazonSide, Include, OrderPage, OrderQuery, PageToken, ShipmentConfirmation};
use crate::error::{AmazonError, ErrorKind};
use crate::ids::{AmazonOrderId, MarketplaceId, OrderItemId, PackageRef};
use crate::model::{
    BuyerCancelRequest, DateWindow, GiftOptions, Order, OrderLine, OrderTotals, Package,
    PackageItem, Payment,
};
use crate::money::Money;
use crate::pii::{Address, AddressType, BuyerPii, Recipient};

/// Which Orders API an account reads through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ReadApi {
    /// Orders v2026-01-01 (`searchOrders`: items inline, PII without RDT; ~1 call per
    /// 3 minutes sustained, burst 20). The path forward.
    #[default]
    V2026,
    /// Orders v0 (`getOrders` + `getOrderItems` per order, PII through an RDT; 1 call per
    /// minute sustained). Deprecated by Amazon, removal announced for 2027-03-27.
    V0,
}

/// [`AmazonSide`] over an [`spapi_client::Client`] for one seller account.
#[derive(Debug, Clone)]
pub struct SpApiAmazon {
    client: Client,
    read: ReadApi,
    marketplaces: Vec<String>,
    page_size: u32,
    /// Until when the one restricted data token minted for the v0 reads (per set of
    /// restricted data) is good, shared by clones.
    rdt: std::sync::Arc<tokio::sync::Mutex<Option<(Include, std::time::Instant)>>>,
}

impl SpApiAmazon {
    /// An Amazon side reading through `read`, searching `marketplaces` when a query names
    /// none.
    pub fn new<I, S>(client: Client, read: ReadApi, marketplaces: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            client,
            read,
            marketplaces: marketplaces.into_iter().map(Into::into).collect(),
            page_size: 100,
            rdt: Default::default(),
        }
    }

    /// Orders per page (1-100, default 100).
    pub fn with_page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, 100);
        self
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn marketplaces(&self, q: &OrderQuery) -> Vec<String> {
        if q.marketplaces.is_empty() {
            self.marketplaces.clone()
        } else {
            q.marketplaces
                .iter()
                .map(|m| m.as_str().to_owned())
                .collect()
        }
    }

    /// Orders v0 serves buyer and address data only with a restricted data token. Instead
    /// of one token per operation (`getOrders`, `getOrder`, `getOrderItems`), one token
    /// covering all three generic paths is minted and used until it nears its end.
    async fn v0_rdt(&self, include: Include) -> Result<(), AmazonError> {
        if !include.buyer && !include.recipient {
            return Ok(());
        }
        let mut held = self.rdt.lock().await;
        let now = std::time::Instant::now();
        if let Some((covered, until)) = *held {
            if covered == include && until > now {
                return Ok(());
            }
        }
        let elements = v0_elements(include);
        let mut resources = vec![
            RestrictedResource::get("/orders/v0/orders", elements.clone()),
            RestrictedResource::get("/orders/v0/orders/{orderId}", elements),
        ];
        if include.buyer {
            resources.push(RestrictedResource::get(
                "/orders/v0/orders/{orderId}/orderItems",
                vec![DataElement::BuyerInfo],
            ));
        }
        let ttl = self
            .client
            .mint_restricted_data_token(resources)
            .await
            .map_err(convert_error)?;
        // Mint again a minute before the end (the client also refreshes by itself).
        let margin = std::time::Duration::from_secs(60);
        *held = Some((include, now + ttl.saturating_sub(margin)));
        Ok(())
    }

    async fn v0_items(
        &self,
        id: &str,
        include: Include,
    ) -> Result<Vec<v0::OrderItem>, AmazonError> {
        let mut req = v0::GetOrderItems::new(id);
        if include.buyer {
            req = req.data_elements(vec![DataElement::BuyerInfo]);
        }
        self.client
            .orders_v0()
            .get_order_items_stream(req)
            .try_collect()
            .await
            .map_err(convert_error)
    }

    async fn v0_full(&self, o: v0::Order, include: Include) -> Result<Order, AmazonError> {
        let items = self.v0_items(&o.amazon_order_id, include).await?;
        Ok(from_v0(o, items))
    }
}

fn v0_elements(include: Include) -> Vec<DataElement> {
    let mut e = Vec::new();
    if include.buyer {
        e.push(DataElement::BuyerInfo);
    }
    if include.recipient {
        e.push(DataElement::ShippingAddress);
    }
    e
}

fn v26_included(include: Include) -> Vec<IncludedData> {
    let mut d = vec![
        IncludedData::Fulfillment,
        IncludedData::Proceeds,
        IncludedData::Packages,
        IncludedData::Payment,
        IncludedData::Cancellation,
    ];
    if include.buyer {
        d.push(IncludedData::Buyer);
    }
    if include.recipient {
        d.push(IncludedData::Recipient);
    }
    d
}

/// Converts a client error to the engine's, keeping Amazon's first error code and message.
pub fn convert_error(e: spapi_client::Error) -> AmazonError {
    let kind = match e.kind() {
        spapi_client::ErrorKind::Throttled { retry_after } => ErrorKind::Throttled { retry_after },
        spapi_client::ErrorKind::Transient => ErrorKind::Transient,
        spapi_client::ErrorKind::Server => ErrorKind::Server,
        spapi_client::ErrorKind::Auth => ErrorKind::Auth,
        _ => ErrorKind::Client,
    };
    let first = e.api_errors().first();
    AmazonError {
        kind,
        code: first.map(|a| a.code.clone()),
        message: first.map_or_else(|| e.to_string(), |a| a.message.clone()),
        request_id: e.request_id().map(str::to_owned),
    }
}

/// What an [`SpApiAmazon`] page token carries: Amazon's token and the "before" bound the
/// first page sent (its wire form), so every later page asks exactly what page 1 asked.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PageCursor {
    before: Option<String>,
    token: String,
}

impl PageCursor {
    const TAG: &'static str = "spapi1|";

    fn encode(before: Option<String>, token: &str) -> PageToken {
        // Wire dates hold no `|`, so the first `|` after the tag ends the bound; Amazon's
        // token follows unchanged, whatever it contains.
        PageToken(format!(
            "{}{}|{token}",
            Self::TAG,
            before.as_deref().unwrap_or("")
        ))
    }

    fn decode(page: &PageToken) -> Result<Self, AmazonError> {
        page.0
            .strip_prefix(Self::TAG)
            .and_then(|rest| rest.split_once('|'))
            .filter(|(_, token)| !token.is_empty())
            .map(|(before, token)| PageCursor {
                before: (!before.is_empty()).then(|| before.to_owned()),
                token: token.to_owned(),
            })
            .ok_or_else(|| {
                AmazonError::new(
                    ErrorKind::Client,
                    "page token was not issued by this SP-API Amazon side",
                )
            })
    }
}

fn is_not_found(e: &spapi_client::Error) -> bool {
    e.status() == Some(404)
}

#[async_trait]
impl AmazonSide for SpApiAmazon {
    async fn list_orders(
        &self,
        q: &OrderQuery,
        page: Option<&PageToken>,
    ) -> Result<OrderPage, AmazonError> {
        let marketplaces = self.marketplaces(q);
        // Page 1 clamps the caller's bound once; later pages resend what page 1 sent.
        let resumed = page.map(PageCursor::decode).transpose()?;
        let before = |first: Option<time::OffsetDateTime>| match &resumed {
            Some(c) => c.before.clone().map(DateParam::Raw),
            None => first.map(DateParam::At),
        };
        let now = self.client.now();
        match self.read {
            ReadApi::V2026 => {
                let mut req = v26::SearchOrdersRequest::new(marketplaces)
                    .last_updated_after(q.updated_after)
                    .max_results_per_page(self.page_size)
                    .included_data(v26_included(q.include));
                if let Some(b) = before(q.updated_before) {
                    req = req.last_updated_before(b);
                }
                if let Some(ch) = &q.channels {
                    req = req.fulfilled_by(
                        ch.iter()
                            .filter_map(|c| c.as_v2026().parse::<v26::FulfilledBy>().ok())
                            .collect(),
                    );
                }
                let req = req.clamped(now);
                let sent = req.last_updated_before.as_ref().map(DateParam::to_wire);
                let req = match &resumed {
                    Some(c) => req.pagination_token(c.token.clone()),
                    None => req,
                };
                let resp = self
                    .client
                    .orders_v2026()
                    .search_orders(req)
                    .await
                    .map_err(convert_error)?;
                let next = resp.next_token().map(|t| PageCursor::encode(sent, t));
                Ok(OrderPage {
                    next_page: next,
                    updated_before: resp.last_updated_before,
                    orders: resp.orders.into_iter().map(from_v2026).collect(),
                })
            }
            ReadApi::V0 => {
                let mut req = v0::GetOrdersRequest::new(marketplaces)
                    .last_updated_after(DateParam::At(q.updated_after))
                    .max_results_per_page(self.page_size)
                    .data_elements(v0_elements(q.include));
                if let Some(b) = before(q.updated_before) {
                    req = req.last_updated_before(b);
                }
                if let Some(ch) = &q.channels {
                    req = req.fulfillment_channels(
                        ch.iter()
                            .filter_map(|c| c.as_v0().parse::<v0::FulfillmentChannel>().ok())
                            .collect(),
                    );
                }
                let req = req.clamped(now);
                let sent = req.last_updated_before.as_ref().map(DateParam::to_wire);
                let req = match &resumed {
                    Some(c) => req.next_token(c.token.clone()),
                    None => req,
                };
                self.v0_rdt(q.include).await?;
                let list = self
                    .client
                    .orders_v0()
                    .get_orders(req)
                    .await
                    .map_err(convert_error)?;
                let mut orders = Vec::with_capacity(list.orders.len());
                for o in list.orders {
                    orders.push(self.v0_full(o, q.include).await?);
                }
                Ok(OrderPage {
                    orders,
                    next_page: list
                        .next_token
                        .filter(|t| !t.is_empty())
                        .map(|t| PageCursor::encode(sent, &t)),
                    updated_before: list.last_updated_before,
                })
            }
        }
    }

    async fn get_order(
        &self,
        id: &AmazonOrderId,
        include: Include,
    ) -> Result<Option<Order>, AmazonError> {
        match self.read {
            ReadApi::V2026 => {
                match self
                    .client
                    .orders_v2026()
                    .get_order(id.as_str(), v26_included(include))
                    .await
                {
                    Ok(o) => Ok(Some(from_v2026(o))),
                    Err(e) if is_not_found(&e) => Ok(None),
                    Err(e) => Err(convert_error(e)),
                }
            }
            ReadApi::V0 => {
                self.v0_rdt(include).await?;
                let req = v0::GetOrder::new(id.as_str()).data_elements(v0_elements(include));
                match self.client.orders_v0().get_order(req).await {
                    Ok(o) => Ok(Some(self.v0_full(o, include).await?)),
                    Err(e) if is_not_found(&e) => Ok(None),
                    Err(e) => Err(convert_error(e)),
                }
            }
        }
    }

    fn shows_packages(&self) -> bool {
        self.read == ReadApi::V2026
    }

    async fn confirm_shipment(&self, c: &ShipmentConfirmation) -> Result<(), AmazonError> {
        let request = v0::ConfirmShipmentRequest {
            package_detail: v0::PackageDetail {
                package_reference_id: c.package.as_str().to_owned(),
                carrier_code: c.carrier_code.clone(),
                carrier_name: c.carrier_name.clone(),
                shipping_method: c.shipping_method.clone(),
                tracking_number: c.tracking_number.clone(),
                ship_date: DateParam::At(c.ship_date),
                ship_from_supply_source_id: None,
                order_items: c
                    .items
                    .iter()
                    .map(|i| v0::ConfirmShipmentOrderItem {
                        order_item_id: i.item_id.as_str().to_owned(),
                        quantity: i.quantity,
                        transparency_codes: Vec::new(),
                    })
                    .collect(),
            },
            cod_collection_method: None,
            marketplace_id: c.marketplace.as_str().to_owned(),
        };
        self.client
            .orders_v0()
            .confirm_shipment(c.order_id.as_str(), request)
            .await
            .map_err(convert_error)
    }
}

fn money26(m: &v26::Money) -> Money {
    Money::new(m.amount, m.currency_code.clone())
}

fn money0(m: &Option<v0::Money>) -> Option<Money> {
    let m = m.as_ref()?;
    Some(Money::new(m.amount?, m.currency_code.clone()?))
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

fn lines_of(parts: [Option<String>; 3]) -> Vec<String> {
    parts
        .into_iter()
        .flatten()
        .filter(|l| !l.trim().is_empty())
        .collect()
}

fn breakdown(p: &Option<v26::ItemProceeds>, kind: &v26::ProceedsType) -> Option<Money> {
    let found: Vec<Money> = p
        .as_ref()?
        .breakdowns
        .iter()
        .filter(|b| &b.kind == kind)
        .map(|b| money26(&b.subtotal))
        .collect();
    Money::sum(found.iter()).ok().flatten()
}

/// Converts an Orders v2026-01-01 order.
pub fn from_v2026(o: v26::Order) -> Order {
    let fulfillment = o.fulfillment.as_ref();
    let status = fulfillment.map_or_else(
        || OrderStatus::Other("UNKNOWN".into()),
        |f| OrderStatus::from_v2026(f.fulfillment_status.as_str()),
    );
    let channel = fulfillment
        .and_then(|f| f.fulfilled_by.as_ref())
        .map_or(FulfillmentChannel::Merchant, |b| {
            FulfillmentChannel::from(b.as_str())
        });
    let lines: Vec<OrderLine> = o
        .order_items
        .iter()
        .map(|i| {
            let unit = i
                .product
                .price
                .as_ref()
                .and_then(|p| p.unit_price.as_ref())
                .map(money26);
            let line = breakdown(&i.proceeds, &v26::ProceedsType::Item)
                .or_else(|| unit.as_ref().map(|u| u.times(i.quantity_ordered)));
            let gift_option = i
                .fulfillment
                .as_ref()
                .and_then(|f| f.packing.as_ref())
                .and_then(|p| p.gift_option.as_ref());
            let wrap = breakdown(&i.proceeds, &v26::ProceedsType::GiftWrap);
            let gift = (gift_option.is_some() || wrap.is_some()).then(|| GiftOptions {
                message: gift_option.and_then(|g| nonempty(g.gift_message.clone())),
                wrap_level: gift_option.and_then(|g| g.gift_wrap_level.clone()),
                wrap_price: wrap,
                wrap_tax: None,
            });
            OrderLine {
                item_id: OrderItemId::new(i.order_item_id.clone()),
                sku: i.product.seller_sku.clone(),
                asin: i.product.asin.clone().unwrap_or_default(),
                title: i.product.title.clone(),
                quantity_ordered: i.quantity_ordered,
                quantity_shipped: i
                    .fulfillment
                    .as_ref()
                    .and_then(|f| f.quantity_fulfilled)
                    .unwrap_or(0),
                unit_price: unit,
                line_price: line,
                tax: breakdown(&i.proceeds, &v26::ProceedsType::Tax),
                shipping_price: breakdown(&i.proceeds, &v26::ProceedsType::Shipping),
                shipping_tax: None,
                shipping_discount: None,
                promotion_discount: breakdown(&i.proceeds, &v26::ProceedsType::Discount)
                    .map(Money::abs),
                gift,
                buyer_cancel_request: i
                    .cancellation
                    .as_ref()
                    .and_then(|c| c.cancellation_request.as_ref())
                    .filter(|r| {
                        r.requester
                            .as_deref()
                            .is_none_or(|who| who.eq_ignore_ascii_case("BUYER"))
                    })
                    .map(|r| BuyerCancelRequest {
                        reason: nonempty(r.cancel_reason.clone()),
                    }),
            }
        })
        .collect();
    // v2026 lines carry no shipping discount, so their discounts are the promotions.
    let totals = OrderTotals::from_lines(
        o.proceeds
            .as_ref()
            .and_then(|p| p.grand_total.as_ref())
            .map(money26),
        &lines,
    );
    let payment = Payment {
        method: o
            .payment
            .as_ref()
            .and_then(|p| {
                p.payment_executions
                    .iter()
                    .find_map(|e| e.payment_method.as_deref())
            })
            .map(PaymentMethod::from),
        details: Vec::new(),
    };
    let buyer = o.buyer.as_ref().map(|b| BuyerPii {
        name: b.buyer_name.clone(),
        email: b.buyer_email.clone(),
        company: b.buyer_company_name.clone(),
        tax_id: None,
        purchase_order_number: b.buyer_purchase_order_number.clone(),
    });
    let recipient = o
        .recipient
        .as_ref()
        .and_then(|r| r.delivery_address.as_ref())
        .map(|a| Recipient {
            name: a.name.clone(),
            company: a.company_name.clone(),
            phone: a.phone.clone(),
            address: Address {
                lines: lines_of([
                    a.address_line1.clone(),
                    a.address_line2.clone(),
                    a.address_line3.clone(),
                ]),
                city: a.city.clone(),
                county: a.district_or_county.clone(),
                state_or_region: a.state_or_region.clone(),
                postal_code: a.postal_code.clone(),
                country_code: a.country_code.clone(),
                address_type: a.address_type.as_ref().and_then(|t| match t {
                    v26::AddressType::Residential => Some(AddressType::Residential),
                    v26::AddressType::Commercial => Some(AddressType::Commercial),
                    v26::AddressType::PickupPoint => Some(AddressType::PickupPoint),
                    _ => None,
                }),
            },
        });
    let packages = o
        .packages
        .iter()
        .map(|p| Package {
            reference: PackageRef::new(p.package_reference_id.clone()),
            carrier: p.carrier.clone(),
            tracking_number: p.tracking_number.clone(),
            shipped_at: p.ship_time,
            items: p
                .package_items
                .iter()
                .map(|i| PackageItem {
                    item_id: OrderItemId::new(i.order_item_id.clone()),
                    quantity: i.quantity,
                })
                .collect(),
        })
        .collect();
    Order {
        id: AmazonOrderId::new(o.order_id.clone()),
        seller_order_id: o
            .order_aliases
            .iter()
            .find(|a| a.alias_type == "SELLER_ORDER_ID")
            .map(|a| a.alias_id.clone()),
        marketplace: MarketplaceId::new(o.sales_channel.marketplace_id.clone().unwrap_or_default()),
        purchased_at: o.created_time,
        last_updated_at: o.last_updated_time,
        ship_by: fulfillment
            .and_then(|f| f.ship_by_window.as_ref())
            .and_then(|w| DateWindow::from_bounds(w.earliest_date_time, w.latest_date_time)),
        deliver_by: fulfillment
            .and_then(|f| f.deliver_by_window.as_ref())
            .and_then(|w| DateWindow::from_bounds(w.earliest_date_time, w.latest_date_time)),
        delivered_at: None,
        status,
        channel,
        service_level: fulfillment
            .and_then(|f| f.fulfillment_service_level.as_deref())
            .map(ServiceLevelCategory::from),
        ship_service_level: None,
        programs: o
            .programs
            .iter()
            .map(|p| OrderProgram::from(p.as_str()))
            .collect(),
        lines,
        totals,
        payment,
        buyer,
        recipient,
        packages,
    }
}

/// Converts an Orders v0 order and its items.
pub fn from_v0(o: v0::Order, items: Vec<v0::OrderItem>) -> Order {
    let lines: Vec<OrderLine> = items
        .into_iter()
        .map(|i| {
            let line = money0(&i.item_price);
            let unit = line.as_ref().and_then(|l| {
                (i.quantity_ordered > 0).then(|| {
                    Money::new(
                        l.amount / Decimal::from(i.quantity_ordered),
                        l.currency.clone(),
                    )
                })
            });
            let b = i.buyer_info.as_ref();
            let gift = (i.is_gift == Some(true)
                || b.is_some_and(|b| b.gift_message_text.is_some()))
            .then(|| GiftOptions {
                message: b.and_then(|b| nonempty(b.gift_message_text.clone())),
                wrap_level: b.and_then(|b| b.gift_wrap_level.clone()),
                wrap_price: b.and_then(|b| money0(&b.gift_wrap_price)),
                wrap_tax: b.and_then(|b| money0(&b.gift_wrap_tax)),
            });
            OrderLine {
                item_id: OrderItemId::new(i.order_item_id.clone()),
                sku: i.seller_sku.clone(),
                asin: i.asin.clone(),
                title: i.title.clone(),
                quantity_ordered: i.quantity_ordered,
                quantity_shipped: i.quantity_shipped.unwrap_or(0),
                unit_price: unit,
                line_price: line,
                tax: money0(&i.item_tax),
                shipping_price: money0(&i.shipping_price),
                shipping_tax: money0(&i.shipping_tax),
                shipping_discount: money0(&i.shipping_discount).map(Money::abs),
                promotion_discount: money0(&i.promotion_discount).map(Money::abs),
                gift,
                buyer_cancel_request: i
                    .buyer_requested_cancel
                    .as_ref()
                    .filter(|c| c.is_buyer_requested_cancel == Some(true))
                    .map(|c| BuyerCancelRequest {
                        reason: nonempty(c.buyer_cancel_reason.clone()),
                    }),
            }
        })
        .collect();
    let flags = V0OrderFlags {
        is_prime: o.is_prime == Some(true),
        is_premium_order: o.is_premium_order == Some(true),
        is_business_order: o.is_business_order == Some(true),
        is_ispu: o.is_ispu == Some(true),
        is_iba: o.is_iba == Some(true),
        is_preorder: o
            .order_type
            .as_ref()
            .is_some_and(|t| t.as_str() == "Preorder"),
    };
    let totals = OrderTotals::from_lines(money0(&o.order_total), &lines);
    let method = o
        .payment_execution_detail
        .first()
        .map(|p| PaymentMethod::from(p.payment_method.as_str()))
        .or_else(|| {
            o.payment_method
                .as_ref()
                .map(|m| PaymentMethod::from(m.as_str()))
        });
    let buyer = o.buyer_info.as_ref().map(|b| BuyerPii {
        name: b.buyer_name.clone(),
        email: b.buyer_email.clone(),
        company: b
            .buyer_tax_info
            .as_ref()
            .and_then(|t| t.company_legal_name.clone()),
        tax_id: None,
        purchase_order_number: b.purchase_order_number.clone(),
    });
    let recipient = o.shipping_address.as_ref().map(|a| Recipient {
        name: a.name.clone(),
        company: a.company_name.clone(),
        phone: a.phone.clone(),
        address: Address {
            lines: lines_of([
                a.address_line1.clone(),
                a.address_line2.clone(),
                a.address_line3.clone(),
            ]),
            city: a.city.clone(),
            county: a.county.clone().or_else(|| a.district.clone()),
            state_or_region: a.state_or_region.clone(),
            postal_code: a.postal_code.clone(),
            country_code: a.country_code.clone(),
            address_type: a.address_type.as_ref().and_then(|t| match t.as_str() {
                "Residential" => Some(AddressType::Residential),
                "Commercial" => Some(AddressType::Commercial),
                _ => None,
            }),
        },
    });
    Order {
        id: AmazonOrderId::new(o.amazon_order_id.clone()),
        seller_order_id: o.seller_order_id.clone(),
        marketplace: MarketplaceId::new(o.marketplace_id.clone().unwrap_or_default()),
        purchased_at: o.purchase_date,
        last_updated_at: o.last_update_date,
        ship_by: DateWindow::from_bounds(o.earliest_ship_date, o.latest_ship_date),
        deliver_by: DateWindow::from_bounds(o.earliest_delivery_date, o.latest_delivery_date),
        delivered_at: None,
        status: OrderStatus::from_v0(o.order_status.as_str()),
        channel: o
            .fulfillment_channel
            .as_ref()
            .map_or(FulfillmentChannel::Merchant, |c| {
                FulfillmentChannel::from(c.as_str())
            }),
        service_level: o
            .shipment_service_level_category
            .as_deref()
            .map(ServiceLevelCategory::from),
        ship_service_level: o.ship_service_level.clone(),
        programs: flags.programs(),
        lines,
        totals,
        payment: Payment {
            method,
            details: o.payment_method_details.clone(),
        },
        buyer,
        recipient,
        packages: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use time::macros::datetime;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn v2026_order_converts_with_prices_gifts_pii_and_packages() {
        let o: v26::Order = serde_json::from_value(serde_json::json!({
            "orderId": "902-1111111-2222222",
            "orderAliases": [{"aliasId": "SO-77", "aliasType": "SELLER_ORDER_ID"}],
            "createdTime": "2026-05-01T10:00:00Z",
            "lastUpdatedTime": "2026-05-02T11:30:00Z",
            "programs": ["PRIME", "AMAZON_BUSINESS"],
            "salesChannel": {"channelName": "Amazon.com", "marketplaceId": "ATVPDKIKX0DER"},
            "buyer": {"buyerName": "Ada Lovelace", "buyerEmail": "x@marketplace.amazon.com"},
            "recipient": {"deliveryAddress": {
                "name": "Ada Lovelace", "addressLine1": "12 Analytical Way", "addressLine2": "",
                "city": "Seattle", "postalCode": "98101", "countryCode": "US",
                "addressType": "COMMERCIAL", "phone": "+1 206 555 0100"
            }},
            "proceeds": {"grandTotal": {"amount": "47.50", "currencyCode": "USD"}},
            "fulfillment": {
                "fulfillmentStatus": "PARTIALLY_SHIPPED",
                "fulfilledBy": "MERCHANT",
                "fulfillmentServiceLevel": "NEXT_DAY",
                "shipByWindow": {"latestDateTime": "2026-05-03T00:00:00Z"}
            },
            "orderItems": [{
                "orderItemId": "11",
                "quantityOrdered": 2,
                "product": {"asin": "B00TEST001", "title": "Mug", "sellerSku": "MUG-1",
                            "price": {"unitPrice": {"amount": "20.00", "currencyCode": "USD"}}},
                "proceeds": {"proceedsTotal": {"amount": "47.50", "currencyCode": "USD"},
                             "breakdowns": [
                    {"type": "ITEM", "subtotal": {"amount": "40.00", "currencyCode": "USD"}},
                    {"type": "TAX", "subtotal": {"amount": "3.50", "currencyCode": "USD"}},
                    {"type": "SHIPPING", "subtotal": {"amount": "5.00", "currencyCode": "USD"}},
                    {"type": "DISCOUNT", "subtotal": {"amount": "-1.00", "currencyCode": "USD"}}
                ]},
                "fulfillment": {"quantityFulfilled": 1,
                                "packing": {"giftOption": {"giftMessage": "Enjoy", "giftWrapLevel": "Classic"}}}
            }],
            "packages": [{"packageReferenceId": "1", "carrier": "UPS", "trackingNumber": "1Z1",
                          "shipTime": "2026-05-02T09:00:00Z",
                          "packageItems": [{"orderItemId": "11", "quantity": 1}]}]
        }))
        .expect("a v2026 order decodes");
        let order = from_v2026(o);
        assert_eq!(order.id.as_str(), "902-1111111-2222222");
        assert_eq!(order.seller_order_id.as_deref(), Some("SO-77"));
        assert_eq!(order.marketplace.as_str(), "ATVPDKIKX0DER");
        assert_eq!(order.status, OrderStatus::PartiallyShipped);
        assert_eq!(order.channel, FulfillmentChannel::Merchant);
        assert_eq!(order.service_level, Some(ServiceLevelCategory::NextDay));
        assert_eq!(
            order.programs,
            vec![OrderProgram::Prime, OrderProgram::Business]
        );
        assert_eq!(order.last_updated_at, datetime!(2026-05-02 11:30 UTC));
        assert_eq!(
            order.ship_by.and_then(|w| w.latest),
            Some(datetime!(2026-05-03 0:00 UTC))
        );
        let l = &order.lines[0];
        assert_eq!(l.unit_price.as_ref().map(|m| m.amount), Some(dec("20.00")));
        assert_eq!(l.line_price.as_ref().map(|m| m.amount), Some(dec("40.00")));
        assert_eq!(l.tax.as_ref().map(|m| m.amount), Some(dec("3.50")));
        assert_eq!(
            l.shipping_price.as_ref().map(|m| m.amount),
            Some(dec("5.00"))
        );
        assert_eq!(
            l.promotion_discount.as_ref().map(|m| m.amount),
            Some(dec("1.00"))
        );
        assert_eq!((l.quantity_ordered, l.quantity_shipped), (2, 1));
        let gift = l.gift.as_ref().expect("gift");
        assert_eq!(gift.message.as_deref(), Some("Enjoy"));
        assert_eq!(
            order.totals.order_total,
            Some(Money::new(dec("47.50"), "USD"))
        );
        let r = order.recipient.as_ref().expect("recipient");
        assert_eq!(r.address.lines, vec!["12 Analytical Way".to_owned()]);
        assert_eq!(r.address.address_type, Some(AddressType::Commercial));
        assert_eq!(r.phone.as_deref(), Some("+1 206 555 0100"));
        assert_eq!(
            order.buyer.as_ref().and_then(|b| b.name.as_deref()),
            Some("Ada Lovelace")
        );
        assert_eq!(order.packages.len(), 1);
        assert_eq!(order.packages[0].reference.as_str(), "1");
        assert_eq!(order.packages[0].tracking_number.as_deref(), Some("1Z1"));
        assert!(!format!("{order:?}").contains("Ada"), "PII in Debug");
    }

    #[test]
    fn v0_order_converts_line_totals_flags_and_restricted_data() {
        let o: v0::Order = serde_json::from_value(serde_json::json!({
            "AmazonOrderId": "028-1111111-2222222",
            "PurchaseDate": "2026-05-01T10:00:00Z",
            "LastUpdateDate": "2026-05-01T12:00:00Z",
            "OrderStatus": "Unshipped",
            "FulfillmentChannel": "AFN",
            "MarketplaceId": "A1PA6795UKMFR9",
            "ShipmentServiceLevelCategory": "Expedited",
            "ShipServiceLevel": "Exp DE Dom",
            "OrderTotal": {"CurrencyCode": "EUR", "Amount": "31.50"},
            "IsPrime": true,
            "IsBusinessOrder": true,
            "OrderType": "Preorder",
            "PaymentMethod": "COD",
            "PaymentMethodDetails": ["CashOnDelivery"],
            "BuyerInfo": {"BuyerName": "Grete Muster", "BuyerEmail": "g@marketplace.amazon.de"},
            "ShippingAddress": {"Name": "Grete Muster", "AddressLine1": "Weg 1",
                                "AddressLine2": "Hinterhaus", "City": "Berlin",
                                "CountryCode": "DE", "AddressType": "Commercial"},
            "LatestDeliveryDate": "2026-05-05T00:00:00Z"
        }))
        .expect("a v0 order decodes");
        let items: Vec<v0::OrderItem> = serde_json::from_value(serde_json::json!([{
            "ASIN": "B00TEST002",
            "OrderItemId": "71",
            "SellerSKU": "TASSE",
            "QuantityOrdered": 3,
            "QuantityShipped": 1,
            "ItemPrice": {"CurrencyCode": "EUR", "Amount": "30.00"},
            "ItemTax": {"CurrencyCode": "EUR", "Amount": "4.79"},
            "PromotionDiscount": {"CurrencyCode": "EUR", "Amount": "-1.50"},
            "BuyerInfo": {"GiftMessageText": "Alles Gute", "GiftWrapLevel": "Classic",
                          "GiftWrapPrice": {"CurrencyCode": "EUR", "Amount": "3.00"}}
        }]))
        .expect("v0 items decode");
        let order = from_v0(o, items);
        assert_eq!(order.channel, FulfillmentChannel::Amazon);
        assert_eq!(order.status, OrderStatus::Unshipped);
        assert_eq!(order.marketplace.as_str(), "A1PA6795UKMFR9");
        assert_eq!(order.service_level, Some(ServiceLevelCategory::Expedited));
        assert_eq!(order.ship_service_level.as_deref(), Some("Exp DE Dom"));
        assert!(order.programs.contains(&OrderProgram::Prime));
        assert!(order.programs.contains(&OrderProgram::Business));
        assert!(order.programs.contains(&OrderProgram::Preorder));
        assert_eq!(order.payment.method, Some(PaymentMethod::Cod));
        assert_eq!(
            order.deliver_by.and_then(|w| w.latest),
            Some(datetime!(2026-05-05 0:00 UTC))
        );
        let l = &order.lines[0];
        // v0 ItemPrice is the line total; the unit price is derived.
        assert_eq!(l.line_price, Some(Money::new(dec("30.00"), "EUR")));
        assert_eq!(l.unit_price, Some(Money::new(dec("10.00"), "EUR")));
        assert_eq!(l.promotion_discount, Some(Money::new(dec("1.50"), "EUR")));
        let gift = l.gift.as_ref().expect("gift");
        assert_eq!(gift.message.as_deref(), Some("Alles Gute"));
        assert_eq!(gift.wrap_price, Some(Money::new(dec("3.00"), "EUR")));
        let r = order.recipient.as_ref().expect("recipient");
        assert_eq!(
            r.address.lines,
            vec!["Weg 1".to_owned(), "Hinterhaus".to_owned()]
        );
        assert_eq!(
            order.totals.order_total,
            Some(Money::new(dec("31.50"), "EUR"))
        );
        assert_eq!(order.totals.items, Some(Money::new(dec("30.00"), "EUR")));
    }

    /// The client's wall clock, driven by tokio's (paused) clock.
    #[derive(Debug)]
    struct TokioClock {
        base: time::OffsetDateTime,
        start: tokio::time::Instant,
    }

    impl spapi_client::Clock for TokioClock {
        fn now_utc(&self) -> time::OffsetDateTime {
            self.base + self.start.elapsed()
        }
    }

    const T0: time::OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

    async fn paging_server(read: ReadApi) -> wiremock::MockServer {
        use wiremock::matchers::{method, path, query_param, query_param_is_missing};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/auth/o2/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"access_token": "Atza|t", "token_type": "bearer", "expires_in": 3600}),
            ))
            .mount(&server)
            .await;
        // Amazon's token holds a `|` and a space: it must come back unchanged.
        let (list_path, token_param, first, last) = match read {
            ReadApi::V2026 => (
                "/orders/2026-01-01/orders",
                "paginationToken",
                serde_json::json!({"orders": [], "pagination": {"nextToken": "tok|2 x"}}),
                serde_json::json!({"orders": []}),
            ),
            ReadApi::V0 => (
                "/orders/v0/orders",
                "NextToken",
                serde_json::json!({"payload": {"Orders": [], "NextToken": "tok|2 x"}}),
                serde_json::json!({"payload": {"Orders": []}}),
            ),
        };
        Mock::given(method("GET"))
            .and(path(list_path))
            .and(query_param_is_missing(token_param))
            .respond_with(ResponseTemplate::new(200).set_body_json(first))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(list_path))
            .and(query_param(token_param, "tok|2 x"))
            .respond_with(ResponseTemplate::new(200).set_body_json(last))
            .expect(1)
            .mount(&server)
            .await;
        server
    }

    fn paging_client(server: &wiremock::MockServer) -> Client {
        Client::builder()
            .credentials(spapi_client::LwaCredentials {
                client_id: "amzn1.application-oa2-client.test".into(),
                client_secret: "secret".into(),
                refresh_token: "Atzr|refresh".into(),
            })
            .endpoint(server.uri())
            .lwa_endpoint(format!("{}/auth/o2/token", server.uri()))
            .retry(spapi_client::RetryConfig {
                // No tokio timers while waiting on sockets: with a paused clock the
                // runtime would jump to them.
                attempt_timeout: None,
                ..spapi_client::RetryConfig::disabled()
            })
            .pool_idle_timeout(None)
            .connect_timeout(None)
            .clock(TokioClock {
                base: T0,
                start: tokio::time::Instant::now(),
            })
            .build()
            .expect("client builds")
    }

    /// Every query parameter of a request but the page token, sorted.
    fn filters(r: &wiremock::Request) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = r
            .url
            .query_pairs()
            .filter(|(k, _)| k != "paginationToken" && k != "NextToken")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        v.sort();
        v
    }

    fn param(r: &wiremock::Request, name: &str) -> Option<String> {
        r.url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// Lists two pages of a window whose before bound is later than now − 2 min, with the
    /// client's clock moving 90 s between the pages; returns the two requests sent.
    async fn two_pages(
        read: ReadApi,
        before: Option<time::OffsetDateTime>,
    ) -> Vec<wiremock::Request> {
        let server = paging_server(read).await;
        let amazon = SpApiAmazon::new(paging_client(&server), read, ["ATVPDKIKX0DER"]);
        let q = OrderQuery {
            marketplaces: vec![],
            updated_after: T0 - time::Duration::days(1),
            updated_before: before,
            channels: Some(vec![FulfillmentChannel::Merchant]),
            include: Include::default(),
        };
        let first = amazon.list_orders(&q, None).await.expect("page 1");
        let token = first.next_page.expect("a next page");
        tokio::time::advance(std::time::Duration::from_secs(90)).await;
        let second = amazon.list_orders(&q, Some(&token)).await.expect("page 2");
        assert_eq!(second.next_page, None);
        let list_path = match read {
            ReadApi::V2026 => "/orders/2026-01-01/orders",
            ReadApi::V0 => "/orders/v0/orders",
        };
        let sent: Vec<wiremock::Request> = server
            .received_requests()
            .await
            .expect("recording on")
            .into_iter()
            .filter(|r| r.url.path() == list_path)
            .collect();
        assert_eq!(sent.len(), 2, "{read:?}");
        sent
    }

    #[tokio::test(start_paused = true)]
    async fn later_pages_resend_the_first_pages_clamped_filters() {
        for (read, before_param) in [
            (ReadApi::V2026, "lastUpdatedBefore"),
            (ReadApi::V0, "LastUpdatedBefore"),
        ] {
            // A bound an hour in the future: clamped to now − 2 min, once.
            let sent = two_pages(read, Some(T0 + time::Duration::HOUR)).await;
            assert_eq!(
                param(&sent[0], before_param).as_deref(),
                Some("2026-06-01T11:58:00Z"),
                "{read:?}: page 1 clamps to now - 2 min"
            );
            assert_eq!(filters(&sent[1]), filters(&sent[0]), "{read:?}");
            let token = match read {
                ReadApi::V2026 => "paginationToken",
                ReadApi::V0 => "NextToken",
            };
            assert_eq!(param(&sent[0], token), None);
            assert_eq!(
                param(&sent[1], token).as_deref(),
                Some("tok|2 x"),
                "{read:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_window_without_a_before_bound_sends_none_on_every_page() {
        for read in [ReadApi::V2026, ReadApi::V0] {
            let sent = two_pages(read, None).await;
            assert_eq!(filters(&sent[1]), filters(&sent[0]), "{read:?}");
            assert!(
                !filters(&sent[0])
                    .iter()
                    .any(|(k, _)| k.ends_with("pdatedBefore")),
                "{read:?}: {:?}",
                filters(&sent[0])
            );
        }
    }

    #[tokio::test]
    async fn foreign_page_tokens_are_refused_before_sending() {
        let server = wiremock::MockServer::start().await;
        let amazon = SpApiAmazon::new(paging_client(&server), ReadApi::V2026, ["ATVPDKIKX0DER"]);
        let q = OrderQuery {
            marketplaces: vec![],
            updated_after: T0 - time::Duration::days(1),
            updated_before: None,
            channels: None,
            include: Include::default(),
        };
        for raw in ["tok-2", "spapi1|", "spapi1|2026-06-01T11:58:00Z|"] {
            let e = amazon
                .list_orders(&q, Some(&PageToken(raw.into())))
                .await
                .expect_err(raw);
            assert_eq!(e.kind, ErrorKind::Client, "{raw}");
        }
        assert!(
            server
                .received_requests()
                .await
                .unwrap_or_default()
                .is_empty()
        );
    }

    #[test]
    fn page_cursors_round_trip() {
        for (before, token) in [
            (Some("2026-06-01T11:58:00.123Z".to_owned()), "a|b||c"),
            (None, "x"),
        ] {
            let t = PageCursor::encode(before.clone(), token);
            let c = PageCursor::decode(&t).expect("decodes");
            assert_eq!(c.before, before);
            assert_eq!(c.token, token);
        }
    }

    #[test]
    fn client_errors_keep_kind_code_message_and_request_id() {
        let errors: Vec<spapi_client::ApiError> = serde_json::from_value(serde_json::json!([
            {"code": "InvalidInput", "message": "Invalid carrier code"}
        ]))
        .unwrap();
        let e = convert_error(spapi_client::Error::api(
            "confirmShipment",
            400,
            Some("req-1".into()),
            errors,
        ));
        assert_eq!(e.kind, ErrorKind::Client);
        assert_eq!(e.code.as_deref(), Some("InvalidInput"));
        assert_eq!(e.message, "Invalid carrier code");
        assert_eq!(e.request_id.as_deref(), Some("req-1"));
        let throttled = convert_error(spapi_client::Error::api("getOrders", 429, None, vec![]));
        assert!(matches!(throttled.kind, ErrorKind::Throttled { .. }));
        assert!(!throttled.message.is_empty());
        let server = convert_error(spapi_client::Error::api("getOrders", 500, None, vec![]));
        assert_eq!(server.kind, ErrorKind::Server);
        let auth = convert_error(spapi_client::Error::api("getOrders", 403, None, vec![]));
        assert_eq!(auth.kind, ErrorKind::Auth);
    }
}
