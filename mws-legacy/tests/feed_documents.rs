//! The order feed documents come from `amazon-feed-documents` (tested there); here, how the
//! MWS client submits them: the MWS feed type, and schema refusals as invalid requests.

use mws_legacy::Error;
use mws_legacy::feeds::{
    AdjustedItem, AdjustmentReason, CarrierCode, Envelope, FeedType, FulfillmentItem,
    OrderAcknowledgement, OrderAdjustment, OrderFulfillment, PriceComponentType, Rule, SubmitFeed,
};
use rust_decimal::Decimal;
use time::macros::datetime;

#[test]
fn envelopes_are_submitted_under_their_mws_feed_type() {
    let fulfillment = Envelope::order_fulfillment(
        "M_SELLER_1",
        [
            OrderFulfillment::new("111-1234567-1234567", datetime!(2020-05-01 12:00 UTC))
                .carrier_code(CarrierCode::Ups)
                .tracking_number("1Z999AA10123456784")
                .item(FulfillmentItem::new("12345678901234", 1)),
        ],
    );
    let feed = SubmitFeed::from_envelope(&fulfillment).unwrap();
    assert_eq!(feed.content(), fulfillment.to_xml().unwrap().as_bytes());
    let ack = Envelope::order_acknowledgement(
        "M_SELLER_1",
        [OrderAcknowledgement::success("111-1234567-1234567")],
    );
    let refund = Envelope::order_adjustment(
        "M_SELLER_1",
        [OrderAdjustment::refund("111-1234567-1234567").item(
            AdjustedItem::new("12345678901234", AdjustmentReason::CustomerReturn).component(
                PriceComponentType::Principal,
                Decimal::new(1999, 2),
                "USD",
            ),
        )],
    );
    for (envelope, expected) in [
        (&fulfillment, FeedType::OrderFulfillment),
        (&ack, FeedType::OrderAcknowledgement),
        (&refund, FeedType::PaymentAdjustment),
    ] {
        let params =
            mws_legacy::Operation::params(&SubmitFeed::from_envelope(envelope).unwrap()).unwrap();
        assert_eq!(params[0], ("FeedType".into(), expected.as_str().into()));
    }
}

#[test]
fn schema_refusals_are_invalid_requests_naming_field_and_rule() {
    let three_decimals = Envelope::order_adjustment(
        "M",
        [OrderAdjustment::refund("1").item(
            AdjustedItem::new("2", AdjustmentReason::NoInventory).component(
                PriceComponentType::Principal,
                Decimal::new(1_005, 3),
                "USD",
            ),
        )],
    );
    let built = three_decimals.to_xml().unwrap_err();
    assert!(matches!(
        built.rule,
        Rule::FractionDigits { max: 2, found: 3 }
    ));
    let err = SubmitFeed::from_envelope(&three_decimals).unwrap_err();
    let Error::InvalidRequest(message) = err else {
        panic!("{err:?}")
    };
    assert!(
        message.contains(
            "Message[1]/OrderAdjustment/AdjustedItem[1]/ItemPriceAdjustments/Component[1]/Amount"
        ),
        "{message}"
    );
    assert!(message.contains("3 decimal places"), "{message}");
}
