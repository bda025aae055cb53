//! The XML all-orders report: item codes, price components, charsets, errors with element
//! paths, and generated reports read back unchanged.

use std::io::{BufReader, Read};

use amazon_feed_documents::ReportError;
use amazon_feed_documents::flat_file::{Charset, ReportFulfillmentChannel, ReportOrderStatus};
use amazon_feed_documents::order_feeds::PriceComponentType;
use amazon_feed_documents::order_report_xml::{XmlOrder, XmlOrderReportReader};
use proptest::prelude::*;
use rust_decimal::Decimal;
use time::macros::datetime;

const REPORT: &str = r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header><DocumentVersion>1.00</DocumentVersion></Header>
  <MessageType>AllOrdersReport</MessageType>
  <Message>
    <Order>
      <AmazonOrderID>302-1234567-1234567</AmazonOrderID>
      <MerchantOrderID>HOST-1</MerchantOrderID>
      <PurchaseDate>2024-03-01T09:15:00+00:00</PurchaseDate>
      <LastUpdatedDate>2024-03-02T10:00:00+01:00</LastUpdatedDate>
      <OrderStatus>Shipped</OrderStatus>
      <SalesChannel>Amazon.de</SalesChannel>
      <FulfillmentData>
        <FulfillmentChannel>Merchant</FulfillmentChannel>
        <ShipServiceLevel>Standard</ShipServiceLevel>
        <Address><City>K@o@ln</City><State>NRW</State><PostalCode>50667</PostalCode><Country>DE</Country></Address>
      </FulfillmentData>
      <IsBusinessOrder>false</IsBusinessOrder>
      <SomethingNew>ignored</SomethingNew>
      <OrderItem>
        <AmazonOrderItemCode>12345678901234</AmazonOrderItemCode>
        <ASIN>B000000001</ASIN>
        <SKU>MUG-03</SKU>
        <ItemStatus>Shipped</ItemStatus>
        <ProductName>Tasse &amp; Untertasse</ProductName>
        <Quantity>2</Quantity>
        <ItemPrice>
          <Component><Type>Principal</Type><Amount currency="EUR">25.98</Amount></Component>
          <Component><Type>Tax</Type><Amount currency="EUR">4.15</Amount></Component>
          <Component><Type>Shipping</Type><Amount currency="EUR">4.90</Amount></Component>
        </ItemPrice>
        <Promotion>
          <PromotionIDs>PROMO-1, PROMO-2</PromotionIDs>
          <ItemPromotionDiscount>-2.00</ItemPromotionDiscount>
        </Promotion>
      </OrderItem>
      <OrderItem>
        <AmazonOrderItemCode>12345678901235</AmazonOrderItemCode>
        <SKU>MUG-03</SKU>
        <Quantity>1</Quantity>
      </OrderItem>
    </Order>
  </Message>
  <Message>
    <Order>
      <AmazonOrderID>302-7654321-7654321</AmazonOrderID>
      <PurchaseDate>yesterday</PurchaseDate>
      <LastUpdatedDate>2024-03-02T10:00:00Z</LastUpdatedDate>
      <OrderStatus>Pending</OrderStatus>
    </Order>
  </Message>
  <Message>
    <Order>
      <AmazonOrderID>302-0000000-0000000</AmazonOrderID>
      <PurchaseDate>2024-03-03T00:00:00Z</PurchaseDate>
      <LastUpdatedDate>2024-03-03T00:00:00Z</LastUpdatedDate>
      <OrderStatus>Pending</OrderStatus>
    </Order>
  </Message>
</AmazonEnvelope>
"#;

/// The report in ISO-8859-1 (`ö` as the single byte 0xF6).
fn latin1() -> Vec<u8> {
    REPORT
        .replace("@o@", "\u{1}")
        .bytes()
        .map(|b| if b == 1 { 0xf6 } else { b })
        .collect()
}

/// A reader that hands out at most 3 bytes at a time.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.0.len()).min(3);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn orders_items_and_codes_are_read_message_by_message() {
    let bytes = latin1();
    let reader =
        XmlOrderReportReader::new(BufReader::with_capacity(7, Trickle(&bytes)), None).unwrap();
    let results: Vec<_> = reader.collect();
    assert_eq!(results.len(), 3);
    let o = results[0].as_ref().unwrap();
    assert_eq!(o.amazon_order_id, "302-1234567-1234567");
    assert_eq!(o.merchant_order_id.as_deref(), Some("HOST-1"));
    assert_eq!(o.last_updated_date, datetime!(2024-03-02 09:00 UTC));
    assert_eq!(o.order_status, ReportOrderStatus::Shipped);
    assert_eq!(
        o.fulfillment_channel,
        Some(ReportFulfillmentChannel::Merchant)
    );
    let ship_to = o.ship_to.as_ref().unwrap();
    assert_eq!(ship_to.city.as_deref(), Some("Köln"), "decoded as declared");
    assert_eq!(o.is_business_order, Some(false));
    assert_eq!(o.items.len(), 2);
    let item = &o.items[0];
    assert_eq!(
        item.amazon_order_item_code.as_deref(),
        Some("12345678901234")
    );
    assert_eq!(item.product_name.as_deref(), Some("Tasse & Untertasse"));
    assert_eq!(item.quantity, 2);
    assert_eq!(
        item.price_of(&PriceComponentType::Principal),
        Some(Decimal::new(2598, 2))
    );
    assert_eq!(item.price_of(&PriceComponentType::GiftWrap), None);
    assert_eq!(item.item_price[1].currency, "EUR");
    assert_eq!(item.promotions[0].promotion_ids, ["PROMO-1", "PROMO-2"]);
    assert_eq!(
        item.promotions[0].item_promotion_discount,
        Some(Decimal::new(-200, 2))
    );
    // Same SKU twice, told apart by the item code (the flat file cannot).
    assert_eq!(o.items[1].sku, item.sku);
    assert_ne!(
        o.items[1].amazon_order_item_code,
        item.amazon_order_item_code
    );

    let ReportError::Xml(err) = results[1].as_ref().unwrap_err() else {
        panic!("{:?}", results[1])
    };
    assert_eq!(err.path, "AmazonEnvelope/Message[2]/Order/PurchaseDate");
    assert!(results[2].is_ok(), "a bad order does not end the stream");
}

#[test]
fn the_content_type_charset_wins_and_wrong_bytes_are_errors() {
    let sjis_city = REPORT
        .replace("ISO-8859-1", "Shift_JIS")
        .replace("K@o@ln", "@J@");
    let (before, after) = sjis_city.split_once("@J@").unwrap();
    let bytes = [
        before.as_bytes(),
        b"\x93\x8c\x8b\x9e \x87\x40",
        after.as_bytes(),
    ]
    .concat();
    let charset = Charset::from_content_type("text/xml; charset=cp932").unwrap();
    let first = XmlOrderReportReader::new(&bytes[..], Some(charset))
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(first.ship_to.unwrap().city.as_deref(), Some("東京 ①"));
    // Read as UTF-8, the same bytes are refused, not turned into mojibake.
    let err = XmlOrderReportReader::new(&bytes[..], Some(Charset::Utf8))
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, ReportError::Io(_)), "{err:?}");
}

#[test]
fn malformed_xml_ends_the_stream_with_a_path() {
    let cut = &REPORT[..REPORT.find("<Quantity>2").unwrap()];
    let results: Vec<_> = XmlOrderReportReader::new(cut.as_bytes(), Some(Charset::Utf8))
        .unwrap()
        .collect();
    assert_eq!(results.len(), 1);
    let err = results[0].as_ref().unwrap_err();
    assert!(err.to_string().contains("Message[1]"), "{err}");
    let broken = REPORT.replace("</OrderStatus>", "</OrderStatu>");
    let results: Vec<_> = XmlOrderReportReader::new(broken.as_bytes(), Some(Charset::Utf8))
        .unwrap()
        .collect();
    assert!(results.last().unwrap().is_err());
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An item: (code, SKU, quantity, price in cents).
type Item = (String, String, u32, i64);

fn write(orders: &[(String, Vec<Item>)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AmazonEnvelope><Header><DocumentVersion>1.00</DocumentVersion></Header><MessageType>AllOrdersReport</MessageType>",
    );
    for (id, items) in orders {
        out += &format!(
            "<Message><Order><AmazonOrderID>{}</AmazonOrderID><PurchaseDate>2024-01-01T00:00:00Z</PurchaseDate><LastUpdatedDate>2024-01-02T00:00:00Z</LastUpdatedDate><OrderStatus>Unshipped</OrderStatus>",
            escape(id)
        );
        for (code, sku, qty, cents) in items {
            out += &format!(
                "<OrderItem><AmazonOrderItemCode>{code}</AmazonOrderItemCode><SKU>{}</SKU><Quantity>{qty}</Quantity><ItemPrice><Component><Type>Principal</Type><Amount currency=\"JPY\">{}</Amount></Component></ItemPrice></OrderItem>",
                escape(sku),
                Decimal::new(*cents, 2)
            );
        }
        out += "</Order></Message>";
    }
    out + "</AmazonEnvelope>"
}

fn text() -> impl Strategy<Value = String> {
    "[!-~äöü日本①][ -~äöü日本①]{0,10}[!-~äöü日本①]"
}

proptest! {
    #[test]
    fn generated_reports_read_back(
        orders in proptest::collection::vec(
            (text(), proptest::collection::vec(("[0-9]{14}", text(), 1u32..100, -100_000i64..100_000), 0..4)),
            0..6,
        ),
        chunk in 1usize..64,
    ) {
        let xml = write(&orders);
        let reader = XmlOrderReportReader::new(BufReader::with_capacity(chunk, xml.as_bytes()), None).unwrap();
        let read: Vec<XmlOrder> = reader.collect::<Result<_, _>>().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(read.len(), orders.len());
        for (o, (id, items)) in read.iter().zip(&orders) {
            prop_assert_eq!(&o.amazon_order_id, id);
            prop_assert_eq!(o.items.len(), items.len());
            for (i, (code, sku, qty, cents)) in o.items.iter().zip(items) {
                prop_assert_eq!(i.amazon_order_item_code.as_deref(), Some(code.as_str()));
                prop_assert_eq!(&i.sku, sku);
                prop_assert_eq!(i.quantity, *qty);
                prop_assert_eq!(i.price_of(&PriceComponentType::Principal), Some(Decimal::new(*cents, 2)));
            }
        }
    }

    #[test]
    fn mangled_reports_never_panic(cut in 0usize..3000, junk in "[<>&/a-zA-Z \"'=?]{0,8}") {
        let cut = cut.min(REPORT.len());
        let mangled = format!("{}{}{}", &REPORT[..cut], junk, &REPORT[cut..]);
        for charset in [None, Some(Charset::Utf8), Some(Charset::Windows1252)] {
            if let Ok(reader) = XmlOrderReportReader::new(mangled.as_bytes(), charset) {
                for _ in reader.take(10) {}
            }
        }
    }
}
