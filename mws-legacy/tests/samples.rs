//! Every recorded MWS document in `shared/mws-samples/` is read with the type its name
//! announces; the deliberately broken documentation examples fail with an element path.

use std::path::{Path, PathBuf};

use mws_legacy::feeds::{
    Carrier, Envelope, FeedProcessingStatus, FeedSubmissionCount, FeedSubmissionList, FeedType,
    InventoryAvailability, MessageBody, MessageType, OrderRef, ProcessingReport, ReportStatus,
    ResultCode, SubmitFeedResponse,
};
use mws_legacy::orders::{
    AmazonOrderId, FulfillmentChannel, GetOrderResponse, OrderItemsPage, OrderStatus, OrdersPage,
    PaymentMethod, ServiceStatus, ServiceStatusCode, ShipmentServiceLevelCategory,
};
use mws_legacy::sign::content_md5;
use mws_legacy::{Amount, XmlError, parse_error_response};
use rust_decimal::Decimal;

fn samples_dir(test: &str) -> Option<PathBuf> {
    amz_testkit::shared_dir(test).map(|d| d.join("mws-samples"))
}

fn read(dir: &Path, name: &str) -> String {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{name} is not UTF-8: {e}"))
}

/// Files that must fail, with a fragment of the element path and of the message.
const EXPECTED_FAILURES: &[(&str, &str, &str)] = &[
    // Amazon's example has a five-digit year in the second order.
    (
        "ListOrders.docs-example.xml",
        "ListOrdersResponse/ListOrdersResult/Orders/Order[2]/PurchaseDate",
        "20178-02-20",
    ),
    // python-amazon-mws copied that docs example, typo included.
    (
        "ListOrders.python-amazon-mws-fixture.xml",
        "Orders/Order[2]/PurchaseDate",
        "20178-02-20",
    ),
    // "2013-09-071" is not a date.
    (
        "ListOrderItems.docs-example.xml",
        "OrderItem[1]/ScheduledDeliveryStartDate",
        "2013-09-071",
    ),
    (
        "ListOrderItemsByNextToken.docs-example.xml",
        "OrderItem[1]/ScheduledDeliveryEndDate",
        "2013-09-091",
    ),
    // The PHP library's mock puts the placeholder "String" into date elements.
    (
        "ListOrderItems.amazon-php-client-mock.xml",
        "OrderItem/ScheduledDeliveryStartDate",
        "\"String\"",
    ),
    // A real feed body with day and month swapped ("2013-22-10"); Amazon took the upload,
    // but the value is not an xs:dateTime, so the typed reader refuses it.
    (
        "feed.OrderFulfillment.request-body.real.spree-2013-10-22.xml",
        "AmazonEnvelope/Message/OrderFulfillment/FulfillmentDate",
        "2013-22-10T13:22:33",
    ),
];

fn expected_failure(name: &str) -> Option<(&'static str, &'static str)> {
    EXPECTED_FAILURES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, path, msg)| (*path, *msg))
}

fn check_failure(name: &str, err: XmlError) {
    let (path, msg) =
        expected_failure(name).unwrap_or_else(|| panic!("{name} failed unexpectedly: {err}"));
    assert!(
        err.path.contains(path),
        "{name}: path {} lacks {path}",
        err.path
    );
    assert!(
        err.message.contains(msg),
        "{name}: message {} lacks {msg}",
        err.message
    );
    let shown = err.to_string();
    assert!(shown.contains(&err.path), "{shown}");
}

/// A feed document's read error (from `amazon-feed-documents`) as this crate reports it.
fn doc<T>(result: Result<T, amazon_feed_documents::XmlError>) -> Result<T, XmlError> {
    result.map_err(|e| match mws_legacy::Error::from(e) {
        mws_legacy::Error::Xml(x) => x,
        other => panic!("not an XML error: {other}"),
    })
}

fn check<T>(name: &str, result: Result<T, XmlError>, verify: impl FnOnce(T)) {
    match result {
        Ok(v) => {
            assert!(
                expected_failure(name).is_none(),
                "{name} was expected to fail but parsed"
            );
            verify(v);
        }
        Err(e) => check_failure(name, e),
    }
}

#[test]
fn every_orders_and_error_sample_reads() {
    let Some(dir) = samples_dir("every_orders_and_error_sample_reads") else {
        return;
    };
    let mut seen = 0;
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 48,
        "expected the 48 recorded files, found {}",
        names.len()
    );
    for name in &names {
        let xml = read(&dir, name);
        if name.starts_with("ListOrders.") || name.starts_with("ListOrdersByNextToken.") {
            check(name, OrdersPage::from_xml(&xml), |p| {
                assert!(p.request_id.is_some(), "{name}");
                for o in &p.orders {
                    assert!(!o.amazon_order_id.as_str().is_empty(), "{name}");
                }
            });
        } else if name.starts_with("GetOrder.") {
            check(name, GetOrderResponse::from_xml(&xml), |r| {
                assert!(r.request_id.is_some(), "{name}")
            });
        } else if name.starts_with("ListOrderItems") {
            check(name, OrderItemsPage::from_xml(&xml), |p| {
                assert!(!p.order_items.is_empty(), "{name}");
            });
        } else if name.starts_with("GetServiceStatus.") {
            check(name, ServiceStatus::from_xml(&xml), |s| {
                assert_eq!(s.status, ServiceStatusCode::Green)
            });
        } else if name.starts_with("ErrorResponse.") {
            let (errors, rid) =
                parse_error_response(xml.as_bytes()).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(errors.len(), 1, "{name}");
            assert!(
                !errors[0].code.is_empty() && !errors[0].message.is_empty(),
                "{name}"
            );
            assert!(rid.is_some(), "{name}: request id");
        } else {
            continue;
        }
        seen += 1;
    }
    assert_eq!(seen, 30, "orders + error samples covered");
}

#[test]
fn real_list_orders_values() {
    let Some(dir) = samples_dir("real_list_orders_values") else {
        return;
    };
    let page = OrdersPage::from_xml(&read(
        &dir,
        "ListOrders.real.peddler-2016-01-20.NA-endpoint.Amazon-ca.xml",
    ))
    .unwrap();
    assert_eq!(page.orders.len(), 5);
    let o = &page.orders[0];
    assert_eq!(o.order_status, OrderStatus::Shipped);
    assert_eq!(o.fulfillment_channel, Some(FulfillmentChannel::Mfn));
    assert_eq!(o.payment_method, Some(PaymentMethod::OtherMethod));
    assert_eq!(o.marketplace_id.as_deref(), Some("A2EUQ1WTGCTBG2"));
    assert_eq!(o.purchase_date.unix_timestamp(), 1_420_070_489); // 2015-01-01T00:01:29Z
    assert_eq!(o.shipped_by_amazon_tfm, Some(false));
    let total = o.order_total.as_ref().unwrap();
    assert_eq!(total.currency_code, "CAD");
    assert_eq!(
        total.amount,
        Amount::Unreadable("FILTERED".into()),
        "the recorder redacted amounts"
    );
    let addr = o.shipping_address.as_ref().unwrap();
    assert_eq!(addr.state_or_region.as_deref(), Some("Ontario"));
    assert_eq!(addr.country_code.as_deref(), Some("CA"));
    assert_eq!(page.created_before.unwrap().unix_timestamp(), 1_453_315_631); // 2016-01-20T18:47:11Z
    assert!(
        page.next_token
            .as_ref()
            .unwrap()
            .as_str()
            .starts_with("NAhRez")
    );

    let empty = OrdersPage::from_xml(&read(
        &dir,
        "ListOrders.empty.real.peddler-2020-10-12.EU.xml",
    ))
    .unwrap();
    assert!(empty.orders.is_empty() && empty.next_token.is_none());
    assert!(empty.created_before.is_some());

    let none =
        GetOrderResponse::from_xml(&read(&dir, "GetOrder.empty.real.peddler-2020-10-12.xml"))
            .unwrap();
    assert!(none.orders.is_empty());
}

#[test]
fn docs_and_mock_values() {
    let Some(dir) = samples_dir("docs_and_mock_values") else {
        return;
    };
    // The docs GetOrder has a stray '>' and a line break inside an enum value.
    let r = GetOrderResponse::from_xml(&read(&dir, "GetOrder.docs-example.xml")).unwrap();
    let o = &r.orders[0];
    assert_eq!(
        o.amazon_order_id,
        AmazonOrderId::from("902-3159896-1390916")
    );
    assert_eq!(o.marketplace_id.as_deref(), Some("ATVPDKIKX0DER"));
    assert_eq!(
        o.shipment_service_level_category,
        Some(ShipmentServiceLevelCategory::Standard)
    );
    assert_eq!(o.payment_method_details, ["CreditCard", "GiftCerificate"]);
    assert_eq!(o.is_access_point_order, Some(false));

    let m = GetOrderResponse::from_xml(&read(&dir, "GetOrder.amazon-php-client-mock.xml")).unwrap();
    let o = &m.orders[0];
    assert_eq!(o.order_status, OrderStatus::Other("String".into()));
    assert_eq!(o.is_replacement_order, Some(true));
    assert_eq!(o.payment_execution_detail.len(), 1);
    assert_eq!(o.tfm_shipment_status.as_deref(), Some("String"));
    assert_eq!(
        o.buyer_tax_info.as_ref().unwrap().tax_classifications.len(),
        1
    );

    let items = OrderItemsPage::from_xml(&read(
        &dir,
        "ListOrderItems.real.spree-2013-07-02.US.v2011-01-01.xml",
    ))
    .unwrap();
    assert_eq!(items.amazon_order_id.as_str(), "111-2374817-1293015");
    assert_eq!(items.order_items.len(), 2);
    let first = &items.order_items[0];
    assert_eq!(first.order_item_id, "01029183238402");
    assert_eq!(
        first.shipping_price.as_ref().unwrap().value(),
        Some(Decimal::new(1375, 2))
    );
    assert_eq!(first.condition_id.as_deref(), Some("Refurbished"));
    assert_eq!(first.quantity_shipped, Some(0));
}

#[test]
fn every_feeds_sample_reads() {
    let Some(dir) = samples_dir("every_feeds_sample_reads") else {
        return;
    };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    let mut seen = 0;
    for name in &names {
        let xml = read(&dir, name);
        if name.starts_with("FeedProcessingReport.") {
            check(name, doc(ProcessingReport::from_xml(&xml)), |r| {
                assert!(!r.document_transaction_id.is_empty())
            });
            check(name, doc(Envelope::from_xml(&xml)), |e| {
                assert_eq!(e.message_type, MessageType::ProcessingReport, "{name}");
                assert_eq!(e.document_version, "1.02", "{name}");
                assert!(
                    matches!(e.messages[0].body, MessageBody::ProcessingReport(_)),
                    "{name}"
                );
            });
        } else if name.starts_with("GetFeedSubmissionCount.") {
            check(name, FeedSubmissionCount::from_xml(&xml), |c| {
                assert_eq!(c.count, 13938)
            });
        } else if name.starts_with("GetFeedSubmissionList.") {
            check(name, FeedSubmissionList::from_xml(&xml), |l| {
                assert!(!l.feed_submission_info.is_empty())
            });
        } else if name.starts_with("SubmitFeed.response.") {
            check(name, SubmitFeedResponse::from_xml(&xml), |r| {
                assert_eq!(
                    r.feed_submission_info.feed_processing_status,
                    FeedProcessingStatus::Submitted,
                    "{name}"
                );
                assert!(r.request_id.is_some());
            });
        } else if name.starts_with("feed.") {
            check(name, doc(Envelope::from_xml(&xml)), |e| {
                assert_eq!(e.messages.len(), 1, "{name}")
            });
        } else {
            continue;
        }
        seen += 1;
    }
    assert_eq!(seen, 18, "feeds samples covered");
}

#[test]
fn every_sample_is_classified() {
    let Some(dir) = samples_dir("every_sample_is_classified") else {
        return;
    };
    let prefixes = [
        "ListOrders.",
        "ListOrdersByNextToken.",
        "GetOrder.",
        "ListOrderItems",
        "GetServiceStatus.",
        "ErrorResponse.",
        "FeedProcessingReport.",
        "GetFeedSubmissionCount.",
        "GetFeedSubmissionList.",
        "SubmitFeed.response.",
        "feed.",
    ];
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".xml") {
            assert!(
                prefixes.iter().any(|p| name.starts_with(p)),
                "{name} is not covered by any reader test"
            );
        }
    }
}

#[test]
fn processing_report_values() {
    let Some(dir) = samples_dir("processing_report_values") else {
        return;
    };
    let r = ProcessingReport::from_xml(&read(
        &dir,
        "FeedProcessingReport.Inventory.error13013.real.spree-2013-10-23.xml",
    ))
    .unwrap();
    assert_eq!(r.document_transaction_id, "8259737688");
    assert_eq!(r.status_code, Some(ReportStatus::Complete));
    let s = r.summary.unwrap();
    assert_eq!(
        (
            s.messages_processed,
            s.messages_successful,
            s.messages_with_error,
            s.messages_with_warning
        ),
        (1, 0, 1, 0)
    );
    assert!(!r.is_success());
    let res = r.results_for(1).next().unwrap();
    assert_eq!(res.result_code, ResultCode::Error);
    assert_eq!(res.result_message_code, 13013);
    assert!(res.result_description.contains("SKU does not exist"));
    assert_eq!(
        res.additional_info.as_ref().unwrap().sku.as_deref(),
        Some("invalid")
    );

    let r = ProcessingReport::from_xml(&read(
        &dir,
        "FeedProcessingReport.OrderFulfillment.error18021.captured.spree-2013.xml",
    ))
    .unwrap();
    assert_eq!(r.results[0].result_message_code, 18021);
    assert_eq!(
        r.results[0]
            .additional_info
            .as_ref()
            .unwrap()
            .amazon_order_id
            .as_deref(),
        Some("103-6652650-4045858")
    );

    let ok = ProcessingReport::from_xml(&read(
        &dir,
        "FeedProcessingReport.OrderFulfillment.success.real.spree-2013-10-23.xml",
    ))
    .unwrap();
    assert!(ok.is_success());
    let docs =
        ProcessingReport::from_xml(&read(&dir, "FeedProcessingReport.docs-example.xml")).unwrap();
    assert_eq!((docs.status_code, docs.summary), (None, None));

    let list = FeedSubmissionList::from_xml(&read(
        &dir,
        "GetFeedSubmissionList.real.peddler-2018-04-27.NA.xml",
    ))
    .unwrap();
    assert!(list.has_next && list.next_token.is_some());
    let first = &list.feed_submission_info[0];
    assert_eq!(first.feed_submission_id.as_str(), "475872017648");
    assert_eq!(
        first.feed_type,
        FeedType::FlatFilePriceAndQuantityOnlyUpdate
    );
    assert_eq!(first.feed_processing_status, FeedProcessingStatus::Done);
    assert_eq!(
        first.completed_processing_date.unwrap().unix_timestamp(),
        1_524_836_818
    ); // 2018-04-27T13:46:58Z
    let docs = FeedSubmissionList::from_xml(&read(&dir, "GetFeedSubmissionList.docs-example.xml"))
        .unwrap();
    assert_eq!(
        docs.next_token.as_ref().unwrap().as_str(),
        "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4="
    );
}

#[test]
fn feed_request_bodies() {
    let Some(dir) = samples_dir("feed_request_bodies") else {
        return;
    };
    let e = Envelope::from_xml(&read(
        &dir,
        "feed.OrderFulfillment.request-body.amazon-php-sample.xml",
    ))
    .unwrap();
    assert_eq!(e.merchant_identifier, "M_MWSTEST_49045593");
    let MessageBody::OrderFulfillment(f) = &e.messages[0].body else {
        panic!("{e:?}")
    };
    assert_eq!(f.order, OrderRef::Amazon("002-3275191-2204215".into()));
    assert_eq!(f.fulfillment_date.unix_timestamp(), 1_248_332_399); // 2009-07-22T23:59:59-07:00
    assert_eq!(
        f.carrier,
        Some(Carrier::Name("Contact Us for Details".into()))
    );
    assert_eq!(f.shipping_method.as_deref(), Some("Standard"));
    assert_eq!(f.items[0].quantity, Some(1));

    let inv = Envelope::from_xml(&read(
        &dir,
        "feed.Inventory.request-body.real.spree-2013-10-23.xml",
    ))
    .unwrap();
    let MessageBody::Inventory(i) = &inv.messages[0].body else {
        panic!()
    };
    assert_eq!(
        (i.sku.as_str(), &i.availability),
        ("2Y-0BPV-TWZY", &Some(InventoryAvailability::Quantity(20)))
    );

    let product = Envelope::from_xml(&read(
        &dir,
        "feed.Product.request-body.real.scaleleap-2020-06-25.xml",
    ))
    .unwrap();
    assert_eq!(product.purge_and_replace, Some(false));
    assert_eq!(
        product.messages[0].body,
        MessageBody::Other {
            element: "Product".into()
        }
    );
    // Product feeds are read but not written (SP-API removed them), so they have no type.
    assert_eq!(product.feed_type(), None);
}

#[test]
fn content_md5_vectors() {
    let Some(shared) = amz_testkit::shared_dir("content_md5_vectors") else {
        return;
    };
    let dir = shared.join("mws-samples");
    let json: serde_json::Value =
        serde_json::from_str(&read(&dir, "mws-content-md5-vectors.json")).unwrap();
    let vectors = json["content_md5_vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 7);
    for v in vectors {
        let body: Vec<u8> = match (v["body_utf8"].as_str(), v["body_file"].as_str()) {
            (Some(text), _) => text.as_bytes().to_vec(),
            (None, Some(file)) => {
                let file = file.rsplit('/').next().unwrap();
                std::fs::read(dir.join(file)).unwrap()
            }
            _ => panic!("vector without body: {v}"),
        };
        assert_eq!(
            content_md5(&body),
            v["expected_content_md5"].as_str().unwrap(),
            "{}",
            v["id"]
        );
    }
}
