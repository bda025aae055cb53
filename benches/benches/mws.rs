//! MWS benchmarks: Signature Version 2 signing of a ListOrders request, and reading a
//! generated 100-order ListOrders page.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_main};
use mws_legacy::orders::OrdersPage;
use mws_legacy::sign::{SignedQuery, content_md5};
use secrecy::SecretString;
use url::Url;

fn list_orders_params() -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = [
        ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
        ("Action", "ListOrders"),
        ("SellerId", "A1EXAMPLESELLER"),
        (
            "MWSAuthToken",
            "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE",
        ),
        ("SignatureMethod", "HmacSHA256"),
        ("SignatureVersion", "2"),
        ("Timestamp", "2020-05-28T11:22:24.768Z"),
        ("Version", "2013-09-01"),
        ("CreatedAfter", "2020-01-01T00:00:00.000Z"),
        ("OrderStatus.Status.1", "Unshipped"),
        ("OrderStatus.Status.2", "PartiallyShipped"),
        ("FulfillmentChannel.Channel.1", "MFN"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (i, id) in ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"]
        .iter()
        .enumerate()
    {
        p.push((format!("MarketplaceId.Id.{}", i + 1), (*id).to_owned()));
    }
    p
}

/// A ListOrders page with `n` fully populated orders, fields in varying order.
fn list_orders_page(n: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\"?>\n<ListOrdersResponse xmlns=\"https://mws.amazonservices.com/Orders/2013-09-01\">\n<ListOrdersResult>\n<NextToken>2YgYW55IGNhcm5hbCBwbGVhc3VyZS4=</NextToken>\n<CreatedBefore>2020-05-28T11:20:24Z</CreatedBefore>\n<Orders>\n",
    );
    for i in 0..n {
        let _ = write!(
            xml,
            r#"<Order>
  <LatestShipDate>2020-05-{day:02}T23:59:59Z</LatestShipDate>
  <OrderType>StandardOrder</OrderType>
  <PurchaseDate>2020-05-{day:02}T10:{min:02}:00.123Z</PurchaseDate>
  <BuyerEmail>buyer{i}@marketplace.amazon.com</BuyerEmail>
  <AmazonOrderId>111-{i:07}-{i:07}</AmazonOrderId>
  <LastUpdateDate>2020-05-{day:02}T11:{min:02}:00Z</LastUpdateDate>
  <IsReplacementOrder>false</IsReplacementOrder>
  <NumberOfItemsShipped>0</NumberOfItemsShipped>
  <ShipServiceLevel>Std US D2D Dom</ShipServiceLevel>
  <OrderStatus>Unshipped</OrderStatus>
  <SalesChannel>Amazon.com</SalesChannel>
  <IsBusinessOrder>false</IsBusinessOrder>
  <NumberOfItemsUnshipped>{items}</NumberOfItemsUnshipped>
  <PaymentMethodDetails><PaymentMethodDetail>Standard</PaymentMethodDetail></PaymentMethodDetails>
  <BuyerName>Buyer {i}</BuyerName>
  <OrderTotal><CurrencyCode>USD</CurrencyCode><Amount>{amount}.{cents:02}</Amount></OrderTotal>
  <IsPremiumOrder>false</IsPremiumOrder>
  <EarliestShipDate>2020-05-{day:02}T07:00:00Z</EarliestShipDate>
  <MarketplaceId>ATVPDKIKX0DER</MarketplaceId>
  <FulfillmentChannel>MFN</FulfillmentChannel>
  <PaymentMethod>Other</PaymentMethod>
  <ShippingAddress>
    <Name>Recipient {i}</Name>
    <AddressLine1>{i} Main Street</AddressLine1>
    <City>Seattle</City>
    <StateOrRegion>WA</StateOrRegion>
    <PostalCode>98101</PostalCode>
    <CountryCode>US</CountryCode>
    <Phone>+1 206 555 {phone:04}</Phone>
    <AddressType>Residential</AddressType>
  </ShippingAddress>
  <IsPrime>{prime}</IsPrime>
  <ShipmentServiceLevelCategory>Standard</ShipmentServiceLevelCategory>
</Order>
"#,
            day = 1 + i % 28,
            min = i % 60,
            items = 1 + i % 3,
            amount = 10 + i,
            cents = i % 100,
            phone = i % 10_000,
            prime = i % 2 == 0,
        );
    }
    xml.push_str("</Orders>\n</ListOrdersResult>\n<ResponseMetadata><RequestId>88faca76-b600-46d2-b53c-0c8c4533e43a</RequestId></ResponseMetadata>\n</ListOrdersResponse>\n");
    xml
}

fn signing(c: &mut Criterion) {
    let url = Url::parse("https://mws.amazonservices.com/Orders/2013-09-01").expect("static URL");
    let secret = SecretString::from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_owned());
    let params = list_orders_params();
    let mut group = c.benchmark_group("mws");
    group.bench_function("sign_list_orders", |b| {
        b.iter(|| SignedQuery::sign("POST", black_box(&url), black_box(&params), &secret))
    });
    let feed = vec![b'x'; 64 * 1024];
    group.throughput(Throughput::Bytes(feed.len() as u64));
    group.bench_function("content_md5_64KiB", |b| {
        b.iter(|| content_md5(black_box(&feed)))
    });
    group.finish();
}

fn parsing(c: &mut Criterion) {
    let xml = list_orders_page(100);
    let page = OrdersPage::from_xml(&xml).expect("generated page reads");
    assert_eq!(page.orders.len(), 100);
    let mut group = c.benchmark_group("mws");
    group.throughput(Throughput::Bytes(xml.len() as u64));
    group.bench_function("parse_list_orders_100", |b| {
        b.iter(|| OrdersPage::from_xml(black_box(&xml)).map(|p| p.orders.len()))
    });
    group.finish();
}

mod suite {
    //! The criterion group (its generated function carries no docs).
    #![allow(missing_docs, unreachable_pub)]
    use super::{parsing, signing};
    criterion::criterion_group!(benches, signing, parsing);
}

criterion_main!(suite::benches);
