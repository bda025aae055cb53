//! Streaming reader of the XML all-orders reports (`GET_XML_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL`
//! and `..._BY_ORDER_DATE_GENERAL`): one [`XmlOrder`] per `Message`, read from any [`BufRead`]
//! with one message in memory at a time.
//!
//! Unlike the flat file, it carries each item's `AmazonOrderItemCode`, which makes rows
//! unique and lets a backfill upsert items idempotently. Prices come as `Component`s
//! (`Principal`, `Tax`, `Shipping`, ...). The charset is the one the `Content-Type` names or,
//! failing that, the XML declaration (`ISO-8859-1` is read as windows-1252).

use std::io::{BufRead, Chain, Cursor, Read};
use std::str::FromStr;

use quick_xml::Reader;
use quick_xml::events::Event;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::decode::DecodingReader;
use crate::error::{ReportError, XmlError};
use crate::flat_file::{Charset, ReportFulfillmentChannel, ReportItemStatus, ReportOrderStatus};
use crate::order_feeds::{PriceComponent, PriceComponentType};
use crate::xml::{parse_bool, parse_datetime};

/// Deepest nesting accepted inside a message.
const MAX_DEPTH: usize = 32;

/// The shipping destination of an order (no street, no name: the report carries none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShipTo {
    /// City.
    pub city: Option<String>,
    /// State or region.
    pub state: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// ISO country code.
    pub country: Option<String>,
}

/// A promotion applied to an item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct XmlPromotion {
    /// `PromotionIDs`, split on commas.
    pub promotion_ids: Vec<String>,
    /// `ItemPromotionDiscount`.
    pub item_promotion_discount: Option<Decimal>,
    /// `ShipPromotionDiscount`.
    pub ship_promotion_discount: Option<Decimal>,
}

/// One `OrderItem`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct XmlOrderItem {
    /// `AmazonOrderItemCode` (absent on some pending orders).
    pub amazon_order_item_code: Option<String>,
    /// `ASIN`.
    pub asin: Option<String>,
    /// `SKU`.
    pub sku: String,
    /// `ItemStatus`.
    pub item_status: Option<ReportItemStatus>,
    /// `ProductName`.
    pub product_name: Option<String>,
    /// `Quantity`.
    pub quantity: u32,
    /// `ItemPrice/Component`s.
    pub item_price: Vec<PriceComponent>,
    /// `Promotion`s.
    pub promotions: Vec<XmlPromotion>,
}

impl XmlOrderItem {
    /// The sum of the price components of `component_type`, if any.
    pub fn price_of(&self, component_type: &PriceComponentType) -> Option<Decimal> {
        let mut found = self
            .item_price
            .iter()
            .filter(|c| &c.component_type == component_type)
            .peekable();
        found.peek()?;
        Some(found.map(|c| c.amount).sum())
    }
}

/// One order of the XML report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct XmlOrder {
    /// `AmazonOrderID`.
    pub amazon_order_id: String,
    /// `MerchantOrderID`.
    pub merchant_order_id: Option<String>,
    /// `PurchaseDate`, UTC.
    pub purchase_date: OffsetDateTime,
    /// `LastUpdatedDate`, UTC.
    pub last_updated_date: OffsetDateTime,
    /// `OrderStatus`.
    pub order_status: ReportOrderStatus,
    /// `SalesChannel` (`Amazon.com`).
    pub sales_channel: Option<String>,
    /// `FulfillmentData/FulfillmentChannel`.
    pub fulfillment_channel: Option<ReportFulfillmentChannel>,
    /// `FulfillmentData/ShipServiceLevel`.
    pub ship_service_level: Option<String>,
    /// `FulfillmentData/Address`.
    pub ship_to: Option<ShipTo>,
    /// `IsBusinessOrder`.
    pub is_business_order: Option<bool>,
    /// `PurchaseOrderNumber`.
    pub purchase_order_number: Option<String>,
    /// The items.
    pub items: Vec<XmlOrderItem>,
}

/// An element of the message being read.
#[derive(Debug, Default)]
struct El {
    name: String,
    text: String,
    currency: Option<String>,
    children: Vec<El>,
}

impl El {
    fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }

    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn opt(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    }
}

/// Reads an XML all-orders report order by order (an [`Iterator`]).
pub struct XmlOrderReportReader<R: BufRead> {
    reader: Reader<DecodingReader<Chain<Cursor<Vec<u8>>, R>>>,
    buf: Vec<u8>,
    message: u64,
    done: bool,
}

impl<R: BufRead> XmlOrderReportReader<R> {
    /// Reads `source` in `charset`; with `None`, the charset of the XML declaration (UTF-8
    /// when there is none).
    pub fn new(mut source: R, charset: Option<Charset>) -> Result<Self, ReportError> {
        // The first tag (the declaration, if any) is read ahead and put back in front.
        let mut head = Vec::new();
        if charset.is_none() {
            loop {
                let buf = source.fill_buf()?;
                if buf.is_empty() {
                    break;
                }
                let (take, done) = match buf.iter().position(|&b| b == b'>') {
                    Some(i) => (i + 1, true),
                    None => (buf.len(), false),
                };
                head.extend_from_slice(&buf[..take]);
                source.consume(take);
                if done || head.len() > 1024 {
                    break;
                }
            }
        }
        let charset = match charset {
            Some(c) => c,
            None => declared_charset(&head)?,
        };
        let source = Cursor::new(head).chain(source);
        let mut reader = Reader::from_reader(DecodingReader::new(source, charset));
        reader.config_mut().trim_text(false);
        Ok(Self {
            reader,
            buf: Vec::with_capacity(4096),
            message: 0,
            done: false,
        })
    }

    fn xml_error(&self, rest: &str, message: impl Into<String>) -> ReportError {
        error_at(self.message, rest, message)
    }

    /// Reads up to the next `Message` and returns it as a tree, `None` at the end.
    fn next_message(&mut self) -> Result<Option<El>, ReportError> {
        let mut stack: Vec<El> = Vec::new();
        loop {
            self.buf.clear();
            let message = self.message;
            let event = self
                .reader
                .read_event_into(&mut self.buf)
                .map_err(|e| match e {
                    quick_xml::Error::Io(io) => {
                        ReportError::Io(std::io::Error::new(io.kind(), io.to_string()))
                    }
                    other => error_at(message.max(1), "", format!("malformed XML: {other}")),
                })?;
            match event {
                Event::Start(e) if stack.is_empty() && e.local_name().as_ref() == b"Message" => {
                    self.message += 1;
                    stack.push(El {
                        name: "Message".into(),
                        ..El::default()
                    });
                }
                Event::Empty(e) if stack.is_empty() && e.local_name().as_ref() == b"Message" => {
                    self.message += 1;
                    return Ok(Some(El {
                        name: "Message".into(),
                        ..El::default()
                    }));
                }
                // Header, MessageType and the envelope itself.
                Event::Start(_) | Event::Empty(_) if stack.is_empty() => {}
                Event::Start(e) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(error_at(message, "", "nesting too deep"));
                    }
                    stack.push(element(&e));
                }
                Event::Empty(e) => {
                    let el = element(&e);
                    if let Some(top) = stack.last_mut() {
                        top.children.push(el);
                    }
                }
                Event::End(_) if !stack.is_empty() => {
                    let done = stack.pop().unwrap_or_default();
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => return Ok(Some(done)),
                    }
                }
                Event::Text(t) if !stack.is_empty() => {
                    let text = t
                        .unescape()
                        .map_err(|e| error_at(message, "", format!("bad text: {e}")))?;
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&text);
                    }
                }
                Event::CData(c) if !stack.is_empty() => {
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&String::from_utf8_lossy(&c));
                    }
                }
                Event::Eof => {
                    if !stack.is_empty() {
                        return Err(error_at(
                            message,
                            "",
                            "the document ends inside this message",
                        ));
                    }
                    return Ok(None);
                }
                _ => {}
            }
        }
    }

    fn read_order(&self, message: &El) -> Result<XmlOrder, ReportError> {
        let order = message
            .child("Order")
            .ok_or_else(|| self.xml_error("Order", "required element is missing"))?;
        let req = |name: &str| {
            order.opt(name).ok_or_else(|| {
                self.xml_error(&format!("Order/{name}"), "required element is missing")
            })
        };
        let date = |name: &str| -> Result<OffsetDateTime, ReportError> {
            parse_datetime(&req(name)?).map_err(|m| self.xml_error(&format!("Order/{name}"), m))
        };
        let fulfillment = order.child("FulfillmentData");
        let items = order
            .children_named("OrderItem")
            .enumerate()
            .map(|(i, item)| self.read_item(item, i + 1))
            .collect::<Result<_, _>>()?;
        Ok(XmlOrder {
            amazon_order_id: req("AmazonOrderID")?,
            merchant_order_id: order.opt("MerchantOrderID"),
            purchase_date: date("PurchaseDate")?,
            last_updated_date: date("LastUpdatedDate")?,
            order_status: ReportOrderStatus::from(req("OrderStatus")?.as_str()),
            sales_channel: order.opt("SalesChannel"),
            fulfillment_channel: fulfillment
                .and_then(|f| f.opt("FulfillmentChannel"))
                .map(|s| ReportFulfillmentChannel::from(s.as_str())),
            ship_service_level: fulfillment.and_then(|f| f.opt("ShipServiceLevel")),
            ship_to: fulfillment
                .and_then(|f| f.child("Address"))
                .map(|a| ShipTo {
                    city: a.opt("City"),
                    state: a.opt("State"),
                    postal_code: a.opt("PostalCode"),
                    country: a.opt("Country"),
                }),
            is_business_order: match order.opt("IsBusinessOrder") {
                Some(b) => {
                    Some(parse_bool(&b).map_err(|m| self.xml_error("Order/IsBusinessOrder", m))?)
                }
                None => None,
            },
            purchase_order_number: order.opt("PurchaseOrderNumber"),
            items,
        })
    }

    fn read_item(&self, item: &El, n: usize) -> Result<XmlOrderItem, ReportError> {
        let at = |rest: &str| format!("Order/OrderItem[{n}]/{rest}");
        let decimal = |el: &El, rest: &str| -> Result<Decimal, ReportError> {
            let t = el.text.trim();
            Decimal::from_str(t)
                .map_err(|_| self.xml_error(&at(rest), format!("{t:?} is not a decimal amount")))
        };
        let quantity = match item.opt("Quantity") {
            Some(q) => u32::from_str(&q).map_err(|_| {
                self.xml_error(&at("Quantity"), format!("{q:?} is not a whole number"))
            })?,
            None => return Err(self.xml_error(&at("Quantity"), "required element is missing")),
        };
        let mut item_price = Vec::new();
        if let Some(price) = item.child("ItemPrice") {
            for (j, c) in price.children_named("Component").enumerate() {
                let rest = format!("ItemPrice/Component[{}]/Amount", j + 1);
                let amount = c
                    .child("Amount")
                    .ok_or_else(|| self.xml_error(&at(&rest), "required element is missing"))?;
                item_price.push(PriceComponent::new(
                    PriceComponentType::from(c.opt("Type").unwrap_or_default().as_str()),
                    decimal(amount, &rest)?,
                    amount.currency.clone().unwrap_or_default(),
                ));
            }
        }
        let promotions = item
            .children_named("Promotion")
            .enumerate()
            .map(|(j, p)| {
                let money = |name: &str| -> Result<Option<Decimal>, ReportError> {
                    match p.child(name) {
                        Some(el) if !el.text.trim().is_empty() => {
                            decimal(el, &format!("Promotion[{}]/{name}", j + 1)).map(Some)
                        }
                        _ => Ok(None),
                    }
                };
                Ok(XmlPromotion {
                    promotion_ids: p
                        .opt("PromotionIDs")
                        .map(|ids| {
                            ids.split(',')
                                .map(str::trim)
                                .filter(|s| !s.is_empty())
                                .map(str::to_owned)
                                .collect()
                        })
                        .unwrap_or_default(),
                    item_promotion_discount: money("ItemPromotionDiscount")?,
                    ship_promotion_discount: money("ShipPromotionDiscount")?,
                })
            })
            .collect::<Result<_, ReportError>>()?;
        Ok(XmlOrderItem {
            amazon_order_item_code: item.opt("AmazonOrderItemCode"),
            asin: item.opt("ASIN"),
            sku: item
                .opt("SKU")
                .ok_or_else(|| self.xml_error(&at("SKU"), "required element is missing"))?,
            item_status: item
                .opt("ItemStatus")
                .map(|s| ReportItemStatus::from(s.as_str())),
            product_name: item.opt("ProductName"),
            quantity,
            item_price,
            promotions,
        })
    }
}

impl<R: BufRead> Iterator for XmlOrderReportReader<R> {
    type Item = Result<XmlOrder, ReportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_message() {
            Ok(Some(message)) => Some(self.read_order(&message)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                // Malformed XML cannot be resynchronised: the stream ends with the error.
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// An error at `rest` inside message number `message`.
fn error_at(message: u64, rest: &str, text: impl Into<String>) -> ReportError {
    let path = if rest.is_empty() {
        format!("AmazonEnvelope/Message[{message}]")
    } else {
        format!("AmazonEnvelope/Message[{message}]/{rest}")
    };
    ReportError::Xml(XmlError::new(path, text))
}

fn element(e: &quick_xml::events::BytesStart<'_>) -> El {
    let currency = e
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == b"currency")
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()));
    El {
        name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
        currency,
        ..El::default()
    }
}

/// The charset of an XML declaration at the start of `head` (UTF-8 without one).
fn declared_charset(head: &[u8]) -> Result<Charset, ReportError> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if !head.starts_with(b"<?xml") {
        return Ok(Charset::Utf8);
    }
    let end = head
        .windows(2)
        .position(|w| w == b"?>")
        .unwrap_or(head.len());
    let decl = String::from_utf8_lossy(&head[..end]);
    let Some(at) = decl.find("encoding") else {
        return Ok(Charset::Utf8);
    };
    let rest = decl[at + "encoding".len()..].trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'');
    let label = match quote {
        Some(q) => rest[1..].split(q).next().unwrap_or(""),
        None => rest.split_whitespace().next().unwrap_or(""),
    };
    Charset::from_label(label)
}
