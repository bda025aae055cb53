//! The all-orders flat-file report: columns by name, unknown columns kept, charsets, errors
//! with line and column, and generated reports read back unchanged.

use std::io::{BufReader, Read};

use amazon_feed_documents::ReportError;
use amazon_feed_documents::flat_file::{
    ALL_ORDERS_COLUMNS, Charset, OrderReportReader, OrderReportRow, ReportFulfillmentChannel,
    ReportItemStatus, ReportOrderStatus,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use time::macros::datetime;

fn header() -> String {
    ALL_ORDERS_COLUMNS.join("\t")
}

fn line(cells: &[(&str, &str)]) -> String {
    ALL_ORDERS_COLUMNS
        .iter()
        .map(|c| {
            cells
                .iter()
                .find(|(k, _)| k == c)
                .map(|(_, v)| *v)
                .unwrap_or("")
        })
        .collect::<Vec<_>>()
        .join("\t")
}

const SHIPPED: &[(&str, &str)] = &[
    ("amazon-order-id", "028-1234567-1234567"),
    ("merchant-order-id", "HOST-9"),
    ("purchase-date", "2024-03-01T09:15:00+00:00"),
    ("last-updated-date", "2024-03-02T18:00:05-08:00"),
    ("order-status", "Shipped"),
    ("fulfillment-channel", "Merchant"),
    ("sales-channel", "Amazon.de"),
    ("order-channel", ""),
    ("ship-service-level", "Standard"),
    ("product-name", "Tasse \"Bürokaffee\" 0,3 l"),
    ("sku", "MUG-03"),
    ("asin", "B000000001"),
    ("item-status", "Shipped - Delivered to Buyer"),
    ("quantity", "2"),
    ("currency", "EUR"),
    ("item-price", "25.98"),
    ("item-tax", "4.15"),
    ("shipping-price", "4.90"),
    ("shipping-tax", "0.78"),
    ("item-promotion-discount", "-2.00"),
    ("ship-city", "Köln"),
    ("ship-postal-code", "50667"),
    ("ship-country", "DE"),
    ("promotion-ids", "PROMO-1, PROMO-2"),
    ("is-business-order", "false"),
];

#[test]
fn a_real_shaped_row_is_typed() {
    let text = format!("{}\n{}\n", header(), line(SHIPPED));
    let rows: Vec<OrderReportRow> = OrderReportReader::new(text.as_bytes(), Charset::Utf8)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r.amazon_order_id, "028-1234567-1234567");
    assert_eq!(r.merchant_order_id.as_deref(), Some("HOST-9"));
    assert_eq!(r.purchase_date, datetime!(2024-03-01 09:15 UTC));
    assert_eq!(r.last_updated_date, datetime!(2024-03-03 02:00:05 UTC));
    assert_eq!(r.order_status, ReportOrderStatus::Shipped);
    assert_eq!(
        r.fulfillment_channel,
        Some(ReportFulfillmentChannel::Merchant)
    );
    assert_eq!(r.item_status, Some(ReportItemStatus::ShippedDelivered));
    assert_eq!(
        r.product_name.as_deref(),
        Some("Tasse \"Bürokaffee\" 0,3 l")
    );
    assert_eq!(r.order_channel, None);
    assert_eq!(r.quantity, 2);
    assert_eq!(r.item_price, Some(Decimal::new(2598, 2)));
    assert_eq!(r.item_promotion_discount, Some(Decimal::new(-200, 2)));
    assert_eq!(r.gift_wrap_price, None);
    assert_eq!(r.promotion_ids, ["PROMO-1", "PROMO-2"]);
    assert_eq!(r.is_business_order, Some(false));
    assert!(r.extra.is_empty());
}

#[test]
fn columns_are_found_by_name_and_unknown_ones_kept() {
    let text = "sku\tquantity\tsomething-new\tamazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tcpf\n\
                S-1\t1\tvalue\t111-1\t2024-01-01T00:00:00Z\t2024-01-01T00:00:00Z\tPending\t123.456.789-09\textra-cell\n";
    let mut reader = OrderReportReader::new(text.as_bytes(), Charset::Utf8).unwrap();
    assert_eq!(reader.header().len(), 8);
    let row = reader.next().unwrap().unwrap();
    assert_eq!(row.sku, "S-1");
    assert_eq!(row.order_status, ReportOrderStatus::Pending);
    assert_eq!(row.extra.len(), 2);
    assert_eq!(
        (&*row.extra[0].0, row.extra[0].1.as_str()),
        ("something-new", "value")
    );
    assert_eq!(
        (&*row.extra[1].0, row.extra[1].1.as_str()),
        ("column 9", "extra-cell")
    );
    assert_eq!(row.cpf.as_ref().map(|c| c.expose()), Some("123.456.789-09"));
    assert!(
        !format!("{row:?}").contains("123.456"),
        "cpf is not printed"
    );
    assert!(reader.next().is_none());
}

#[test]
fn errors_name_line_and_column_and_reading_goes_on() {
    let mut bad_price = SHIPPED.to_vec();
    bad_price.retain(|(k, _)| *k != "item-price");
    bad_price.push(("item-price", "12,50"));
    let mut bad_date = SHIPPED.to_vec();
    bad_date.retain(|(k, _)| *k != "purchase-date");
    bad_date.push(("purchase-date", "yesterday"));
    let text = format!(
        "{}\n{}\n\n{}\n{}\n",
        header(),
        line(&bad_price),
        line(&bad_date),
        line(SHIPPED)
    );
    let results: Vec<_> = OrderReportReader::new(text.as_bytes(), Charset::Utf8)
        .unwrap()
        .collect();
    assert_eq!(results.len(), 3);
    let msg = results[0].as_ref().unwrap_err().to_string();
    assert!(msg.starts_with("line 2, column item-price:"), "{msg}");
    let ReportError::Invalid { line, column, .. } = results[1].as_ref().unwrap_err() else {
        panic!()
    };
    assert_eq!((*line, column.as_deref()), (4, Some("purchase-date")));
    assert!(results[2].is_ok());

    let no_sku = "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tquantity\n";
    let err = OrderReportReader::new(no_sku.as_bytes(), Charset::Utf8)
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "line 1, column sku: required column is missing from the header"
    );
    assert!(OrderReportReader::new(&b""[..], Charset::Utf8).is_err());
}

#[test]
fn charsets_come_from_the_content_type() {
    assert_eq!(
        Charset::from_content_type("text/plain;charset=Cp1252").unwrap(),
        Charset::Windows1252
    );
    assert_eq!(
        Charset::from_content_type("text/tab-separated-values; charset=\"cp932\"").unwrap(),
        Charset::ShiftJis
    );
    assert_eq!(
        Charset::from_content_type("text/plain; charset=ISO-8859-1").unwrap(),
        Charset::Windows1252
    );
    assert_eq!(
        Charset::from_content_type("text/plain;charset=Shift_JIS").unwrap(),
        Charset::ShiftJis
    );
    assert_eq!(
        Charset::from_content_type("text/plain").unwrap(),
        Charset::Utf8
    );
    assert_eq!(
        Charset::from_content_type("text/plain;charset=UTF-8").unwrap(),
        Charset::Utf8
    );
    assert!(matches!(
        Charset::from_content_type("text/plain;charset=EBCDIC-US"),
        Err(ReportError::UnsupportedCharset(_))
    ));
}

fn report_with_name(name: &[u8]) -> Vec<u8> {
    let mut cells = SHIPPED.to_vec();
    cells.retain(|(k, _)| *k != "product-name");
    cells.push(("product-name", "@NAME@"));
    let text = format!("{}\r\n{}\r\n", header(), line(&cells));
    let (before, after) = text.split_once("@NAME@").unwrap();
    [before.as_bytes(), name, after.as_bytes()].concat()
}

fn product_name(bytes: &[u8], charset: Charset) -> String {
    let mut reader = OrderReportReader::new(bytes, charset).unwrap();
    let row = reader.next().unwrap().unwrap();
    row.product_name.unwrap()
}

#[test]
fn cp1252_keeps_curly_quotes_that_latin1_would_mangle() {
    // „Zitat“ – Café € : 0x84 and 0x93 are quotes in Cp1252 but C1 control codes in
    // ISO-8859-1; 0x80 is the euro sign.
    let name = b"\x84Zitat\x93 \x96 Caf\xe9 \x80";
    let bytes = report_with_name(name);
    assert_eq!(
        product_name(&bytes, Charset::Windows1252),
        "\u{201e}Zitat\u{201c} \u{2013} Café €"
    );
    // The same bytes are not UTF-8: a clear error, not mojibake.
    let err = OrderReportReader::new(&bytes[..], Charset::Utf8)
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().starts_with("line 2:"), "{err}");
}

#[test]
fn cp932_reads_the_windows_extension_characters() {
    // 日本 (0x93FA 0x967B), ① (NEC row 13: 0x8740), 髙 (IBM extension: 0xFBFC), and a
    // half-width katakana ｶ (0xB6). A strict Shift_JIS decoder refuses ① and 髙.
    let name = b"\x93\xfa\x96\x7b \x87\x40 \xfb\xfc \xb6";
    let bytes = report_with_name(name);
    assert_eq!(product_name(&bytes, Charset::ShiftJis), "日本 ① 髙 ｶ");
    // A lone lead byte is invalid: an error naming the line.
    let bytes = report_with_name(b"\x93");
    let err = OrderReportReader::new(&bytes[..], Charset::ShiftJis)
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn a_utf8_byte_order_mark_is_skipped() {
    let text = format!("\u{feff}{}\n{}\n", header(), line(SHIPPED));
    let rows: Vec<_> = OrderReportReader::new(text.as_bytes(), Charset::Utf8)
        .unwrap()
        .collect();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].is_ok());
}

/// A reader that hands out one byte at a time: lines are assembled across reads.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((b, rest)), Some(slot)) => {
                *slot = *b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

fn cell() -> impl Strategy<Value = String> {
    // Text without tabs and line breaks (TSV cannot carry them) and without edge spaces
    // (cells are trimmed), including characters of all three charsets.
    "[!-~äöüéß€日本語ｶ①]([ -~äöüéß€日本語ｶ①]{0,12}[!-~äöüéß€日本語ｶ①])?"
}

prop_compose! {
    fn row()(
        order in "[0-9]{3}-[0-9]{7}-[0-9]{7}",
        name in proptest::option::of(cell()),
        sku in cell(),
        quantity in 0u32..1000,
        cents in proptest::option::of(-1_000_000i64..1_000_000),
        seconds in 946_684_800i64..4_102_444_800,
        extra in proptest::option::of(cell()),
    ) -> (Vec<(String, String)>, Option<String>) {
        let date = time::OffsetDateTime::from_unix_timestamp(seconds).unwrap()
            .format(&time::format_description::well_known::Rfc3339).unwrap();
        let mut cells = vec![
            ("amazon-order-id".to_owned(), order),
            ("purchase-date".to_owned(), date.clone()),
            ("last-updated-date".to_owned(), date),
            ("order-status".to_owned(), "Unshipped".to_owned()),
            ("sku".to_owned(), sku),
            ("quantity".to_owned(), quantity.to_string()),
        ];
        if let Some(n) = name { cells.push(("product-name".to_owned(), n)); }
        if let Some(c) = cents { cells.push(("item-price".to_owned(), Decimal::new(c, 2).to_string())); }
        (cells, extra)
    }
}

proptest! {
    #[test]
    fn generated_reports_read_back(
        rows in proptest::collection::vec(row(), 0..20),
        charset in proptest::sample::select(vec![Charset::Utf8, Charset::Windows1252, Charset::ShiftJis]),
        crlf in any::<bool>(),
    ) {
        let mut columns: Vec<&str> = ALL_ORDERS_COLUMNS.to_vec();
        columns.push("future-column");
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = columns.join("\t") + eol;
        for (cells, extra) in &rows {
            let line: Vec<&str> = columns.iter().map(|c| {
                if *c == "future-column" {
                    return extra.as_deref().unwrap_or("");
                }
                cells.iter().find(|(k, _)| k == c).map(|(_, v)| v.as_str()).unwrap_or("")
            }).collect();
            text += &line.join("\t");
            text += eol;
        }
        let encoding = match charset {
            Charset::Utf8 => encoding_rs::UTF_8,
            Charset::Windows1252 => encoding_rs::WINDOWS_1252,
            _ => encoding_rs::SHIFT_JIS,
        };
        let (bytes, _, unmappable) = encoding.encode(&text);
        prop_assume!(!unmappable);
        let reader = OrderReportReader::new(BufReader::new(Trickle(&bytes)), charset).unwrap();
        let read: Vec<OrderReportRow> = reader.collect::<Result<_, _>>().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(read.len(), rows.len());
        for (r, (cells, extra)) in read.iter().zip(&rows) {
            let get = |k: &str| cells.iter().find(|(c, _)| c == k).map(|(_, v)| v.clone());
            prop_assert_eq!(Some(r.amazon_order_id.clone()), get("amazon-order-id"));
            prop_assert_eq!(Some(r.sku.clone()), get("sku"));
            prop_assert_eq!(r.product_name.clone(), get("product-name"));
            prop_assert_eq!(Some(r.quantity.to_string()), get("quantity"));
            prop_assert_eq!(r.item_price.map(|p| p.to_string()), get("item-price"));
            prop_assert_eq!(Some(r.purchase_date.format(&time::format_description::well_known::Rfc3339).unwrap()), get("purchase-date"));
            prop_assert_eq!(r.extra.len(), 1);
            prop_assert_eq!(&r.extra[0].1, extra.as_deref().unwrap_or(""));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut input = header().into_bytes();
        input.push(b'\n');
        input.extend_from_slice(&bytes);
        for charset in [Charset::Utf8, Charset::Windows1252, Charset::ShiftJis] {
            if let Ok(reader) = OrderReportReader::new(&input[..], charset) {
                for _ in reader {}
            }
            let _ = OrderReportReader::new(&bytes[..], charset).map(|r| r.count());
        }
    }
}
