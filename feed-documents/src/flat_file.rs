//! Streaming reader of the flat-file (TSV) order reports
//! `GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL` and
//! `GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL`.
//!
//! - Row by row from any [`BufRead`], in constant memory (one line buffer, reused).
//! - Decoded by the charset the document's `Content-Type` names ([`Charset`]): UTF-8,
//!   windows-1252 (`Cp1252`, seen in Europe; also used for `ISO-8859-1`, of which it is a
//!   superset for text) and Shift_JIS as Windows code page 932 (`cp932`, `windows-31j`, seen
//!   in Japan; a strict Shift_JIS decoder fails on its extension characters). Lines are split
//!   on the raw newline byte, which none of these encodings uses inside a character.
//! - Typed rows ([`OrderReportRow`]) with the report's columns, found by name in the header
//!   (any order); columns this crate does not know are kept in [`OrderReportRow::extra`].
//! - No quoting: Amazon's TSV has none, so a `"` in a product name is text.
//! - Errors name the line (the header is line 1) and the column.
//!
//! One row is one order item; rows are not unique by (order, SKU) (the flat file has no
//! order item id; use the XML report when you need one).

use std::borrow::Cow;
use std::fmt;
use std::io::BufRead;
use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::enums::string_enum;
use crate::error::ReportError;
use crate::xml::parse_datetime;

/// The charset of a report document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Charset {
    /// UTF-8 (a byte order mark is skipped).
    Utf8,
    /// windows-1252 (`Cp1252`; `ISO-8859-1` is read as it too).
    Windows1252,
    /// Shift_JIS with the Windows extensions (`cp932`, `windows-31j`, `Shift_JIS`).
    ShiftJis,
}

impl Charset {
    /// The charset named by a `Content-Type` header value (`text/plain;charset=Cp1252`).
    /// Without a `charset` parameter the document is taken as UTF-8.
    pub fn from_content_type(content_type: &str) -> Result<Self, ReportError> {
        let charset = content_type.split(';').skip(1).find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| v.trim().trim_matches('"'))
        });
        match charset {
            Some(label) => Self::from_label(label),
            None => Ok(Charset::Utf8),
        }
    }

    /// The charset of a label (`UTF-8`, `Cp1252`, `windows-1252`, `ISO-8859-1`, `cp932`,
    /// `Shift_JIS`, `windows-31j`, `MS932`, ...).
    pub fn from_label(label: &str) -> Result<Self, ReportError> {
        let l = label.trim().to_ascii_lowercase();
        match l.as_str() {
            "cp932" | "ms932" | "windows-31j" | "x-ms-cp932" | "ibm-943" => {
                return Ok(Charset::ShiftJis);
            }
            "utf8" | "utf-8" => return Ok(Charset::Utf8),
            _ => {}
        }
        match encoding_rs::Encoding::for_label(l.as_bytes()) {
            Some(e) if e == encoding_rs::UTF_8 => Ok(Charset::Utf8),
            Some(e) if e == encoding_rs::WINDOWS_1252 => Ok(Charset::Windows1252),
            Some(e) if e == encoding_rs::SHIFT_JIS => Ok(Charset::ShiftJis),
            _ => Err(ReportError::UnsupportedCharset(label.trim().to_owned())),
        }
    }

    pub(crate) fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            Charset::Utf8 => encoding_rs::UTF_8,
            Charset::Windows1252 => encoding_rs::WINDOWS_1252,
            Charset::ShiftJis => encoding_rs::SHIFT_JIS,
        }
    }
}

string_enum! {
    /// `order-status` of a report row.
    pub enum ReportOrderStatus {
        Pending => "Pending",
        Unshipped => "Unshipped",
        PartiallyShipped => "PartiallyShipped",
        Shipping => "Shipping",
        Shipped => "Shipped",
        Cancelled => "Cancelled",
        Complete => "Complete",
    }
}

string_enum! {
    /// `item-status` of a report row.
    pub enum ReportItemStatus {
        Unshipped => "Unshipped",
        Shipped => "Shipped",
        Cancelled => "Cancelled",
        ShippedDelivered => "Shipped - Delivered to Buyer",
        ShippedReturning => "Shipped - Returning to Seller",
        ShippedRejected => "Shipped - Rejected by Buyer",
        ShippedLost => "Shipped - Lost in Transit",
        ShippedOutForDelivery => "Shipped - Out for Delivery",
        ShippedPickedUp => "Shipped - Picked Up",
        ShippedReturnedToSeller => "Shipped - Returned to Seller",
        ShippedDamaged => "Shipped - Damaged",
    }
}

string_enum! {
    /// `fulfillment-channel` of a report row.
    pub enum ReportFulfillmentChannel {
        Amazon => "Amazon",
        Merchant => "Merchant",
    }
}

/// A value that must not be printed (`Debug` shows `[PII]`), such as the Brazilian `cpf`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Sensitive(String);

impl Sensitive {
    /// The value. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[PII]")
    }
}

/// One row (one order item) of an all-orders flat-file report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderReportRow {
    /// `amazon-order-id`.
    pub amazon_order_id: String,
    /// `merchant-order-id`.
    pub merchant_order_id: Option<String>,
    /// `purchase-date`, UTC.
    pub purchase_date: OffsetDateTime,
    /// `last-updated-date`, UTC.
    pub last_updated_date: OffsetDateTime,
    /// `order-status`.
    pub order_status: ReportOrderStatus,
    /// `fulfillment-channel`.
    pub fulfillment_channel: Option<ReportFulfillmentChannel>,
    /// `sales-channel` (`Amazon.de`): the report covers the whole region, filter on it.
    pub sales_channel: Option<String>,
    /// `order-channel`.
    pub order_channel: Option<String>,
    /// `url`, in older reports.
    pub url: Option<String>,
    /// `ship-service-level`.
    pub ship_service_level: Option<String>,
    /// `product-name`.
    pub product_name: Option<String>,
    /// `sku`.
    pub sku: String,
    /// `asin`.
    pub asin: Option<String>,
    /// `item-status`.
    pub item_status: Option<ReportItemStatus>,
    /// `quantity`.
    pub quantity: u32,
    /// `currency` (empty for pending MFN orders, which have no prices yet).
    pub currency: Option<String>,
    /// `item-price`.
    pub item_price: Option<Decimal>,
    /// `item-tax`.
    pub item_tax: Option<Decimal>,
    /// `shipping-price`.
    pub shipping_price: Option<Decimal>,
    /// `shipping-tax`.
    pub shipping_tax: Option<Decimal>,
    /// `gift-wrap-price`.
    pub gift_wrap_price: Option<Decimal>,
    /// `gift-wrap-tax`.
    pub gift_wrap_tax: Option<Decimal>,
    /// `item-promotion-discount`.
    pub item_promotion_discount: Option<Decimal>,
    /// `ship-promotion-discount`.
    pub ship_promotion_discount: Option<Decimal>,
    /// `ship-city`.
    pub ship_city: Option<String>,
    /// `ship-state`.
    pub ship_state: Option<String>,
    /// `ship-postal-code`.
    pub ship_postal_code: Option<String>,
    /// `ship-country`.
    pub ship_country: Option<String>,
    /// `promotion-ids`, split on commas.
    pub promotion_ids: Vec<String>,
    /// `is-business-order`.
    pub is_business_order: Option<bool>,
    /// `purchase-order-number`.
    pub purchase_order_number: Option<String>,
    /// `price-designation` (`BusinessPrice`).
    pub price_designation: Option<String>,
    /// `cpf` (Brazil, `..._BY_ORDER_DATE_GENERAL`): a tax id, never printed.
    pub cpf: Option<Sensitive>,
    /// Columns this crate does not know: (header name, value), in column order.
    pub extra: Vec<(Arc<str>, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    AmazonOrderId,
    MerchantOrderId,
    PurchaseDate,
    LastUpdatedDate,
    OrderStatus,
    FulfillmentChannel,
    SalesChannel,
    OrderChannel,
    Url,
    ShipServiceLevel,
    ProductName,
    Sku,
    Asin,
    ItemStatus,
    Quantity,
    Currency,
    ItemPrice,
    ItemTax,
    ShippingPrice,
    ShippingTax,
    GiftWrapPrice,
    GiftWrapTax,
    ItemPromotionDiscount,
    ShipPromotionDiscount,
    ShipCity,
    ShipState,
    ShipPostalCode,
    ShipCountry,
    PromotionIds,
    IsBusinessOrder,
    PurchaseOrderNumber,
    PriceDesignation,
    Cpf,
}

/// Every known column and its header name.
const COLUMNS: &[(&str, Col)] = &[
    ("amazon-order-id", Col::AmazonOrderId),
    ("merchant-order-id", Col::MerchantOrderId),
    ("purchase-date", Col::PurchaseDate),
    ("last-updated-date", Col::LastUpdatedDate),
    ("order-status", Col::OrderStatus),
    ("fulfillment-channel", Col::FulfillmentChannel),
    ("sales-channel", Col::SalesChannel),
    ("order-channel", Col::OrderChannel),
    ("url", Col::Url),
    ("ship-service-level", Col::ShipServiceLevel),
    ("product-name", Col::ProductName),
    ("sku", Col::Sku),
    ("asin", Col::Asin),
    ("item-status", Col::ItemStatus),
    ("quantity", Col::Quantity),
    ("currency", Col::Currency),
    ("item-price", Col::ItemPrice),
    ("item-tax", Col::ItemTax),
    ("shipping-price", Col::ShippingPrice),
    ("shipping-tax", Col::ShippingTax),
    ("gift-wrap-price", Col::GiftWrapPrice),
    ("gift-wrap-tax", Col::GiftWrapTax),
    ("item-promotion-discount", Col::ItemPromotionDiscount),
    ("ship-promotion-discount", Col::ShipPromotionDiscount),
    ("ship-city", Col::ShipCity),
    ("ship-state", Col::ShipState),
    ("ship-postal-code", Col::ShipPostalCode),
    ("ship-country", Col::ShipCountry),
    ("promotion-ids", Col::PromotionIds),
    ("is-business-order", Col::IsBusinessOrder),
    ("purchase-order-number", Col::PurchaseOrderNumber),
    ("price-designation", Col::PriceDesignation),
    ("cpf", Col::Cpf),
];

/// Columns without which a row means nothing.
const REQUIRED: &[Col] = &[
    Col::AmazonOrderId,
    Col::PurchaseDate,
    Col::LastUpdatedDate,
    Col::OrderStatus,
    Col::Sku,
    Col::Quantity,
];

/// The header names of the `..._BY_LAST_UPDATE_GENERAL` report, in Amazon's order
/// (`..._BY_ORDER_DATE_GENERAL` adds `cpf`).
pub const ALL_ORDERS_COLUMNS: &[&str] = &[
    "amazon-order-id",
    "merchant-order-id",
    "purchase-date",
    "last-updated-date",
    "order-status",
    "fulfillment-channel",
    "sales-channel",
    "order-channel",
    "ship-service-level",
    "product-name",
    "sku",
    "asin",
    "item-status",
    "quantity",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "gift-wrap-price",
    "gift-wrap-tax",
    "item-promotion-discount",
    "ship-promotion-discount",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "promotion-ids",
    "is-business-order",
    "purchase-order-number",
    "price-designation",
];

enum Slot {
    Known(Col),
    Extra(Arc<str>),
}

/// Reads an all-orders flat-file report row by row (an [`Iterator`] of rows).
///
/// ```
/// use amazon_feed_documents::flat_file::{Charset, OrderReportReader};
///
/// let report = "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tsku\tquantity\tnew-column\n\
///               111-1\t2024-05-01T10:00:00+00:00\t2024-05-02T08:00:00+00:00\tShipped\tSKU-1\t2\tx\n";
/// let reader = OrderReportReader::new(report.as_bytes(), Charset::Utf8)?;
/// for row in reader {
///     let row = row?;
///     assert_eq!((row.sku.as_str(), row.quantity), ("SKU-1", 2));
///     assert_eq!(&*row.extra[0].0, "new-column");
/// }
/// # Ok::<(), amazon_feed_documents::ReportError>(())
/// ```
pub struct OrderReportReader<R> {
    source: R,
    charset: Charset,
    slots: Vec<Slot>,
    header: Vec<Arc<str>>,
    line: u64,
    raw: Vec<u8>,
    done: bool,
}

impl<R: BufRead> OrderReportReader<R> {
    /// Reads the header line of `source`, decoded as `charset`.
    pub fn new(mut source: R, charset: Charset) -> Result<Self, ReportError> {
        let mut raw = Vec::with_capacity(1024);
        let mut line = 0u64;
        // Leading blank lines are not a header.
        let text = loop {
            raw.clear();
            if source.read_until(b'\n', &mut raw)? == 0 {
                return Err(ReportError::Invalid {
                    line: line.max(1),
                    column: None,
                    message: "the report is empty (no header line)".into(),
                });
            }
            line += 1;
            let t = decode(&raw, charset, line)?.into_owned();
            let t = t.strip_prefix('\u{feff}').unwrap_or(&t).to_owned();
            if !t.trim().is_empty() {
                break t;
            }
        };
        let mut slots = Vec::new();
        let mut header: Vec<Arc<str>> = Vec::new();
        for (i, name) in text.split('\t').enumerate() {
            let name = name.trim();
            let key = name.to_ascii_lowercase();
            let slot = match COLUMNS.iter().find(|(n, _)| *n == key) {
                Some((_, col)) => {
                    if slots
                        .iter()
                        .any(|s| matches!(s, Slot::Known(c) if c == col))
                    {
                        return Err(ReportError::Invalid {
                            line,
                            column: Some(name.to_owned()),
                            message: "the column appears twice in the header".into(),
                        });
                    }
                    Slot::Known(*col)
                }
                None if name.is_empty() => Slot::Extra(Arc::from(format!("column {}", i + 1))),
                None => Slot::Extra(Arc::from(name)),
            };
            header.push(Arc::from(name));
            slots.push(slot);
        }
        for col in REQUIRED {
            if !slots
                .iter()
                .any(|s| matches!(s, Slot::Known(c) if c == col))
            {
                let name = COLUMNS
                    .iter()
                    .find(|(_, c)| c == col)
                    .map(|(n, _)| *n)
                    .unwrap_or("?");
                return Err(ReportError::Invalid {
                    line,
                    column: Some(name.to_owned()),
                    message: "required column is missing from the header".into(),
                });
            }
        }
        Ok(Self {
            source,
            charset,
            slots,
            header,
            line,
            raw,
            done: false,
        })
    }

    /// The header names, in column order.
    pub fn header(&self) -> &[Arc<str>] {
        &self.header
    }

    /// The number of the line read last (the header is line 1).
    pub fn line(&self) -> u64 {
        self.line
    }

    fn read_row(&mut self) -> Result<Option<OrderReportRow>, ReportError> {
        loop {
            self.raw.clear();
            if self.source.read_until(b'\n', &mut self.raw)? == 0 {
                return Ok(None);
            }
            self.line += 1;
            let line = self.line;
            let text = decode(&self.raw, self.charset, line)?;
            let text = text.trim_end_matches(['\n', '\r']);
            if text.trim().is_empty() {
                continue;
            }
            return parse_row(text, &self.slots, line).map(Some);
        }
    }
}

impl<R: BufRead> Iterator for OrderReportReader<R> {
    type Item = Result<OrderReportRow, ReportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.read_row() {
            Ok(Some(row)) => Some(Ok(row)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                // An I/O error ends the stream; a bad row does not (the next call reads on).
                if matches!(e, ReportError::Io(_)) {
                    self.done = true;
                }
                Some(Err(e))
            }
        }
    }
}

fn decode(raw: &[u8], charset: Charset, line: u64) -> Result<Cow<'_, str>, ReportError> {
    match charset {
        Charset::Utf8 => {
            std::str::from_utf8(raw)
                .map(Cow::Borrowed)
                .map_err(|e| ReportError::Invalid {
                    line,
                    column: None,
                    message: format!(
                        "not valid UTF-8 at byte {} of the line (is the charset right?)",
                        e.valid_up_to()
                    ),
                })
        }
        other => other
            .encoding()
            .decode_without_bom_handling_and_without_replacement(raw)
            .ok_or_else(|| ReportError::Invalid {
                line,
                column: None,
                message: format!("bytes that are not valid {}", other.encoding().name()),
            }),
    }
}

fn parse_row(text: &str, slots: &[Slot], line: u64) -> Result<OrderReportRow, ReportError> {
    let mut amazon_order_id = None;
    let mut purchase_date = None;
    let mut last_updated_date = None;
    let mut order_status = None;
    let mut sku = None;
    let mut quantity = None;
    let mut row = OrderReportRow {
        amazon_order_id: String::new(),
        merchant_order_id: None,
        purchase_date: OffsetDateTime::UNIX_EPOCH,
        last_updated_date: OffsetDateTime::UNIX_EPOCH,
        order_status: ReportOrderStatus::Pending,
        fulfillment_channel: None,
        sales_channel: None,
        order_channel: None,
        url: None,
        ship_service_level: None,
        product_name: None,
        sku: String::new(),
        asin: None,
        item_status: None,
        quantity: 0,
        currency: None,
        item_price: None,
        item_tax: None,
        shipping_price: None,
        shipping_tax: None,
        gift_wrap_price: None,
        gift_wrap_tax: None,
        item_promotion_discount: None,
        ship_promotion_discount: None,
        ship_city: None,
        ship_state: None,
        ship_postal_code: None,
        ship_country: None,
        promotion_ids: Vec::new(),
        is_business_order: None,
        purchase_order_number: None,
        price_designation: None,
        cpf: None,
        extra: Vec::new(),
    };
    let mut cells = text.split('\t');
    for (i, slot) in slots.iter().enumerate() {
        let cell = cells.next().unwrap_or("");
        let value = cell.trim();
        let err = |message: String| ReportError::Invalid {
            line,
            column: Some(column_name(slot, i)),
            message,
        };
        let opt = || (!value.is_empty()).then(|| value.to_owned());
        let money = || -> Result<Option<Decimal>, ReportError> {
            if value.is_empty() {
                return Ok(None);
            }
            Decimal::from_str(value)
                .or_else(|_| Decimal::from_scientific(value))
                .map(Some)
                .map_err(|_| err(format!("{value:?} is not a decimal amount")))
        };
        let date = || -> Result<OffsetDateTime, ReportError> {
            if value.is_empty() {
                return Err(err("is empty".into()));
            }
            parse_datetime(value).map_err(err)
        };
        match slot {
            Slot::Extra(name) => row.extra.push((Arc::clone(name), cell.to_owned())),
            Slot::Known(col) => match col {
                Col::AmazonOrderId => amazon_order_id = opt(),
                Col::MerchantOrderId => row.merchant_order_id = opt(),
                Col::PurchaseDate => purchase_date = Some(date()?),
                Col::LastUpdatedDate => last_updated_date = Some(date()?),
                Col::OrderStatus => {
                    order_status = (!value.is_empty()).then(|| ReportOrderStatus::from(value))
                }
                Col::FulfillmentChannel => {
                    row.fulfillment_channel =
                        (!value.is_empty()).then(|| ReportFulfillmentChannel::from(value))
                }
                Col::SalesChannel => row.sales_channel = opt(),
                Col::OrderChannel => row.order_channel = opt(),
                Col::Url => row.url = opt(),
                Col::ShipServiceLevel => row.ship_service_level = opt(),
                Col::ProductName => row.product_name = opt(),
                Col::Sku => sku = opt(),
                Col::Asin => row.asin = opt(),
                Col::ItemStatus => {
                    row.item_status = (!value.is_empty()).then(|| ReportItemStatus::from(value))
                }
                Col::Quantity => {
                    quantity =
                        Some(u32::from_str(value).map_err(|_| {
                            err(format!("{value:?} is not a whole number of units"))
                        })?)
                }
                Col::Currency => row.currency = opt(),
                Col::ItemPrice => row.item_price = money()?,
                Col::ItemTax => row.item_tax = money()?,
                Col::ShippingPrice => row.shipping_price = money()?,
                Col::ShippingTax => row.shipping_tax = money()?,
                Col::GiftWrapPrice => row.gift_wrap_price = money()?,
                Col::GiftWrapTax => row.gift_wrap_tax = money()?,
                Col::ItemPromotionDiscount => row.item_promotion_discount = money()?,
                Col::ShipPromotionDiscount => row.ship_promotion_discount = money()?,
                Col::ShipCity => row.ship_city = opt(),
                Col::ShipState => row.ship_state = opt(),
                Col::ShipPostalCode => row.ship_postal_code = opt(),
                Col::ShipCountry => row.ship_country = opt(),
                Col::PromotionIds => {
                    row.promotion_ids = value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                }
                Col::IsBusinessOrder => {
                    row.is_business_order = match value.to_ascii_lowercase().as_str() {
                        "" => None,
                        "true" | "1" | "yes" => Some(true),
                        "false" | "0" | "no" => Some(false),
                        _ => return Err(err(format!("{value:?} is not a boolean"))),
                    }
                }
                Col::PurchaseOrderNumber => row.purchase_order_number = opt(),
                Col::PriceDesignation => row.price_designation = opt(),
                Col::Cpf => row.cpf = opt().map(Sensitive),
            },
        }
    }
    // Cells beyond the header are kept by position rather than dropped.
    for (j, cell) in cells.enumerate() {
        if !cell.trim().is_empty() {
            row.extra.push((
                Arc::from(format!("column {}", slots.len() + j + 1)),
                cell.to_owned(),
            ));
        }
    }
    let missing = |name: &str| ReportError::Invalid {
        line,
        column: Some(name.to_owned()),
        message: "is empty".into(),
    };
    row.amazon_order_id = amazon_order_id.ok_or_else(|| missing("amazon-order-id"))?;
    row.purchase_date = purchase_date.ok_or_else(|| missing("purchase-date"))?;
    row.last_updated_date = last_updated_date.ok_or_else(|| missing("last-updated-date"))?;
    row.order_status = order_status.ok_or_else(|| missing("order-status"))?;
    row.sku = sku.ok_or_else(|| missing("sku"))?;
    row.quantity = quantity.ok_or_else(|| missing("quantity"))?;
    Ok(row)
}

fn column_name(slot: &Slot, index: usize) -> String {
    match slot {
        Slot::Known(col) => COLUMNS
            .iter()
            .find(|(_, c)| c == col)
            .map(|(n, _)| (*n).to_owned())
            .unwrap_or_else(|| format!("column {}", index + 1)),
        Slot::Extra(name) => name.to_string(),
    }
}
