//! The readers never panic: arbitrary input, and recorded documents with bytes changed,
//! give values or errors with an element path.

use mws_legacy::feeds::{
    CancelledFeedSubmissions, Envelope, FeedSubmissionCount, FeedSubmissionList, ProcessingReport,
    SubmitFeedResponse,
};
use mws_legacy::orders::{GetOrderResponse, OrderItemsPage, OrdersPage, ServiceStatus};
use proptest::prelude::*;

fn read_everything(text: &str) {
    let _ = OrdersPage::from_xml(text);
    let _ = GetOrderResponse::from_xml(text);
    let _ = OrderItemsPage::from_xml(text);
    let _ = ServiceStatus::from_xml(text);
    let _ = SubmitFeedResponse::from_xml(text);
    let _ = FeedSubmissionList::from_xml(text);
    let _ = FeedSubmissionCount::from_xml(text);
    let _ = CancelledFeedSubmissions::from_xml(text);
    let _ = ProcessingReport::from_xml(text);
    let _ = Envelope::from_xml(text);
    let _ = mws_legacy::parse_error_response(text.as_bytes());
}

const SEED: &str = r#"<?xml version="1.0"?>
<ListOrdersResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01"><ListOrdersResult>
<Orders><Order><AmazonOrderId>1</AmazonOrderId><PurchaseDate>2020-01-01T00:00:00Z</PurchaseDate>
<LastUpdateDate>2020-01-01T00:00:00Z</LastUpdateDate><OrderStatus>Shipped</OrderStatus>
<OrderTotal><CurrencyCode>USD</CurrencyCode><Amount>1.00</Amount></OrderTotal></Order></Orders>
</ListOrdersResult></ListOrdersResponse>"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text(text in any::<String>()) {
        read_everything(&text);
    }

    #[test]
    fn xml_like_text(text in "(<[A-Za-z:]{1,12}( [a-z]{1,4}=\"[^\"]{0,4}\")?/?>|</[A-Za-z]{1,12}>|[^<]{0,12}|&[a-z#0-9]{0,5};){0,40}") {
        read_everything(&text);
    }

    #[test]
    fn mutated_documents(pos in 0usize..2000, byte in any::<u8>(), delete in any::<bool>()) {
        let mut bytes = SEED.as_bytes().to_vec();
        let pos = pos % bytes.len();
        if delete { bytes.remove(pos); } else { bytes[pos] = byte; }
        let text = String::from_utf8_lossy(&bytes);
        read_everything(&text);
        if let Err(e) = OrdersPage::from_xml(&text) {
            prop_assert!(!e.path.is_empty());
            prop_assert!(!e.message.is_empty());
        }
    }
}

#[test]
fn recorded_samples_survive_single_byte_damage() {
    let Some(dir) = amz_testkit::shared_dir("recorded_samples_survive_single_byte_damage") else {
        return;
    };
    let dir = dir.join("mws-samples");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "xml") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        // Damage every 211th position with a byte that breaks structure or values.
        for pos in (0..bytes.len()).step_by(211) {
            for b in [b'<', b'&', b'9', 0xFF] {
                let mut damaged = bytes.clone();
                damaged[pos] = b;
                read_everything(&String::from_utf8_lossy(&damaged));
            }
        }
        files += 1;
    }
    assert!(files >= 48);
}

#[test]
fn client_and_streams_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>(_: &T) {}
    fn assert_send<T: Send + 'static>(_: T) {}
    let client = mws_legacy::Client::builder(mws_legacy::Credentials::new("S", "A", "K"))
        .build()
        .unwrap();
    assert_send_sync(&client);
    let request = mws_legacy::orders::ListOrders::created_after(time::OffsetDateTime::UNIX_EPOCH)
        .marketplace_id("X");
    assert_send(client.list_orders_stream(request));
    assert_send(client.feed_submissions_stream(mws_legacy::feeds::GetFeedSubmissionList::new()));
}
