//! Feeds end to end against the sandbox: each XML order feed is submitted through
//! `submit_feed` (document, upload, feed), the sandbox's clock moves past its processing,
//! and the processing report comes back parsed, each result tied to its message.

use amazon_feed_documents::order_feeds::{
    AdjustedItem, AdjustmentReason, CarrierCode, Envelope, FulfillmentItem, OrderAcknowledgement,
    OrderAdjustment, OrderFulfillment, PriceComponentType,
};
use amazon_feed_documents::processing_report::OutcomeState;
use amazon_sandbox::{Sandbox, SandboxConfig};
use rust_decimal::Decimal;
use secrecy::SecretString;
use spapi_client::feeds::{FeedContent, FeedOutcome, FeedPoll, FeedReport, ProcessingStatus};
use spapi_client::{Client, LwaCredentials, RetryConfig};
use std::time::Duration;
use time::macros::datetime;

const START: time::OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

async fn sandbox() -> (Sandbox, Client, String) {
    let sandbox = Sandbox::start(
        SandboxConfig::default()
            .seed(21)
            .initial_orders(0)
            .orders_per_hour(0.0)
            .rate_limits(false)
            .manual_clock_at(START),
    )
    .await
    .expect("sandbox");
    let creds = sandbox.credentials();
    let client = Client::builder()
        .credentials(LwaCredentials {
            client_id: creds.client_id.clone(),
            client_secret: SecretString::from(creds.client_secret.clone()),
            refresh_token: SecretString::from(creds.refresh_token.clone()),
        })
        .endpoint(sandbox.base_url())
        .lwa_endpoint(sandbox.lwa_url())
        .retry(RetryConfig::disabled())
        .build()
        .expect("client");
    let seller = creds.selling_partner_id.clone();
    (sandbox, client, seller)
}

/// Submits, moves the sandbox past processing, and waits (no sleeping: the first poll
/// comes at once and finds the feed done).
async fn submit(sandbox: &Sandbox, client: &Client, envelope: &Envelope, mp: &str) -> FeedOutcome {
    let content = FeedContent::order_feed(envelope).expect("content");
    let submission = client
        .feeds()
        .submit_feed(content, [mp])
        .await
        .expect("submitted");
    let first = submission.status().await.expect("status");
    assert!(!first.processing_status.is_terminal(), "{first:?}");
    sandbox.advance_clock(Duration::from_secs(180));
    submission
        .poll(FeedPoll {
            initial: Duration::ZERO,
            timeout: Some(Duration::from_secs(60)),
            ..FeedPoll::default()
        })
        .wait()
        .await
        .expect("done")
}

fn xml_report(outcome: FeedOutcome) -> amazon_feed_documents::ProcessingReport {
    assert_eq!(outcome.feed.processing_status, ProcessingStatus::Done);
    match outcome.report {
        Some(FeedReport::Xml(r)) => r,
        other => panic!("expected an XML processing report, got {other:?}"),
    }
}

#[tokio::test]
async fn acknowledgement_feed_reports_each_message() {
    let (sandbox, client, seller) = sandbox().await;
    let ids = sandbox.add_unshipped_mfn_orders(1, None);
    let order = &sandbox.orders()[0];
    let envelope = Envelope::order_acknowledgement(
        seller.as_str(),
        [
            OrderAcknowledgement::success(ids[0].clone()).merchant_order_id("HOST-1"),
            OrderAcknowledgement::success("999-0000000-0000000").merchant_order_id("HOST-2"),
        ],
    );
    let report = xml_report(submit(&sandbox, &client, &envelope, &order.marketplace_id).await);
    assert_eq!(
        report.outcome(1).state,
        OutcomeState::Accepted,
        "{report:?}"
    );
    assert_eq!(report.outcome(2).state, OutcomeState::Failed, "{report:?}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn fulfillment_feed_confirms_the_shipment() {
    let (sandbox, client, seller) = sandbox().await;
    sandbox.add_unshipped_mfn_orders(3, None);
    let order = sandbox
        .orders()
        .into_iter()
        .find(|o| o.items.iter().all(|i| !i.transparency))
        .expect("an order without transparency items");
    let mut shipment =
        OrderFulfillment::new(order.order_id.clone(), START - time::Duration::hours(1))
            .carrier_code(CarrierCode::Ups)
            .shipping_method("Ground")
            .tracking_number("1Z999AA10123456784");
    for item in &order.items {
        shipment = shipment.item(FulfillmentItem::new(
            item.order_item_id.clone(),
            item.quantity_ordered,
        ));
    }
    let envelope = Envelope::order_fulfillment(seller.as_str(), [shipment]);
    let report = xml_report(submit(&sandbox, &client, &envelope, &order.marketplace_id).await);
    assert_eq!(
        report.outcome(1).state,
        OutcomeState::Accepted,
        "{report:?}"
    );
    let shipped = sandbox
        .orders()
        .into_iter()
        .find(|o| o.order_id == order.order_id)
        .expect("order");
    assert!(
        shipped
            .items
            .iter()
            .all(|i| i.quantity_shipped == i.quantity_ordered),
        "{shipped:?}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn payment_adjustment_feed_records_the_refund() {
    let (sandbox, client, seller) = sandbox().await;
    sandbox.add_unshipped_mfn_orders(1, None);
    let order = sandbox.orders().remove(0);
    let item = &order.items[0];
    let envelope = Envelope::order_adjustment(
        seller.as_str(),
        [OrderAdjustment::refund(order.order_id.clone()).item(
            AdjustedItem::new(item.order_item_id.clone(), AdjustmentReason::CustomerReturn)
                .component(
                    PriceComponentType::Principal,
                    Decimal::new(-100, 2),
                    order.currency.clone(),
                ),
        )],
    );
    let report = xml_report(submit(&sandbox, &client, &envelope, &order.marketplace_id).await);
    assert_eq!(
        report.outcome(1).state,
        OutcomeState::Accepted,
        "{report:?}"
    );
    let adjustments = sandbox.payment_adjustments();
    assert_eq!(adjustments.len(), 1, "{adjustments:?}");
    assert_eq!(adjustments[0].order_id, order.order_id);
    sandbox.shutdown().await;
}
