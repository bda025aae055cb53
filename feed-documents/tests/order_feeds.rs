//! Order feed builders write documents that the crate's own reader gives back unchanged,
//! for hand-picked and for generated values.

use amazon_feed_documents::order_feeds::{
    AcknowledgementItem, AdjustedItem, AdjustmentActionType, AdjustmentReason, CancelReason,
    CarrierCode, Envelope, FulfillmentItem, MessageBody, MessageType, OrderAcknowledgement,
    OrderAdjustment, OrderFulfillment, PriceComponentType, PromotionAdjustment,
};
use amazon_feed_documents::{FeedType, Rule};
use proptest::prelude::*;
use rust_decimal::Decimal;
use time::OffsetDateTime;
use time::macros::datetime;

fn round_trip(envelope: &Envelope) -> Envelope {
    let xml = envelope
        .to_xml()
        .unwrap_or_else(|e| panic!("{e}: {envelope:?}"));
    Envelope::from_xml(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"))
}

#[test]
fn fulfillment_round_trips() {
    let e = Envelope::order_fulfillment(
        "M_SELLER_1",
        [
            OrderFulfillment::new("111-1234567-1234567", datetime!(2020-05-01 12:00 UTC))
                .merchant_fulfillment_id("4711")
                .carrier_code(CarrierCode::DhlGlobalMail)
                .shipping_method("Standard")
                .tracking_number("GM123")
                .item(FulfillmentItem::new("12345678901234", 1).transparency_code("AZ:1"))
                .item(FulfillmentItem::new("12345678901235", 3)),
            OrderFulfillment::new("111-7654321-7654321", datetime!(2020-05-02 00:00 UTC))
                .carrier_code(CarrierCode::Other("Hermes Logistik Gruppe".into())),
        ],
    );
    assert_eq!(round_trip(&e), e);
    assert_eq!(e.feed_type(), Some(FeedType::OrderFulfillment));
    assert_eq!(
        FeedType::OrderFulfillment.mws_name().as_deref(),
        Some("_POST_ORDER_FULFILLMENT_DATA_")
    );
}

#[test]
fn acknowledgement_round_trips() {
    let e = Envelope::order_acknowledgement(
        "M_SELLER_1",
        [
            OrderAcknowledgement::success("111-1234567-1234567")
                .merchant_order_id("HOST-1")
                .item(
                    AcknowledgementItem::new("12345678901234").merchant_order_item_id("HOST-1-1"),
                ),
            OrderAcknowledgement::cancel(
                "111-7654321-7654321",
                ["12345678901235", "12345678901236"],
                CancelReason::NoInventory,
            ),
            OrderAcknowledgement::failure("111-0000000-0000000").item(
                AcknowledgementItem::new("12345678901237")
                    .cancel(CancelReason::BuyerCanceled)
                    .quantity(1),
            ),
        ],
    );
    let back = round_trip(&e);
    assert_eq!(back, e);
    assert_eq!(back.message_type, MessageType::OrderAcknowledgement);
    assert_eq!(e.feed_type(), Some(FeedType::OrderAcknowledgement));
    let xml = e.to_xml().unwrap();
    assert!(
        xml.contains("<StatusCode>Failure</StatusCode>")
            && xml.contains("<CancelReason>NoInventory</CancelReason>")
    );
}

#[test]
fn adjustment_round_trips_with_amounts_and_currency() {
    let e = Envelope::order_adjustment(
        "M_SELLER_1",
        [OrderAdjustment::refund("111-1234567-1234567")
            .action_type(AdjustmentActionType::Refund)
            .item(
                AdjustedItem::new("12345678901234", AdjustmentReason::CustomerReturn)
                    .merchant_adjustment_item_id("RMA-9")
                    .component(PriceComponentType::Principal, Decimal::new(1999, 2), "USD")
                    .component(PriceComponentType::Shipping, Decimal::new(499, 2), "USD")
                    .promotion(PromotionAdjustment::new("SPRING").component(
                        PriceComponentType::Principal,
                        Decimal::new(-200, 2),
                        "USD",
                    ))
                    .quantity_cancelled(1),
            )],
    );
    assert_eq!(round_trip(&e), e);
    assert_eq!(e.feed_type(), Some(FeedType::PaymentAdjustment));
    let xml = e.to_xml().unwrap();
    assert!(
        xml.contains(r#"<Amount currency="USD">19.99</Amount>"#),
        "{xml}"
    );
    let bad_currency = Envelope::order_adjustment(
        "M",
        [OrderAdjustment::refund("1").item(
            AdjustedItem::new("2", AdjustmentReason::NoInventory).component(
                PriceComponentType::Principal,
                Decimal::ONE,
                "usd",
            ),
        )],
    );
    let err = bad_currency.to_xml().unwrap_err();
    assert_eq!(
        err.field,
        "Message[1]/OrderAdjustment/AdjustedItem[1]/ItemPriceAdjustments/Component[1]/Amount/@currency"
    );
    assert!(matches!(err.rule, Rule::Pattern(_)), "{err}");
}

#[test]
fn characters_xml_cannot_carry_are_refused() {
    let e = Envelope::order_fulfillment(
        "M",
        [OrderFulfillment::new("1", datetime!(2020-05-01 12:00 UTC)).carrier_name("bell\u{7}")],
    );
    let err = e.to_xml().unwrap_err();
    assert_eq!(
        err.field,
        "Message[1]/OrderFulfillment/FulfillmentData/CarrierName"
    );
    assert_eq!(err.rule, Rule::XmlCharacter('\u{7}'));
    assert!(err.to_string().contains("U+0007"), "{err}");
}

fn text() -> impl Strategy<Value = String> {
    // Printable text with XML-special characters, no leading/trailing space (the reader
    // trims element text).
    "[!-~äöü€日本][ -~äöü€日本]{0,20}[!-~äöü€日本]"
}

fn instant() -> impl Strategy<Value = OffsetDateTime> {
    (946_684_800i64..4_102_444_800).prop_map(|s| OffsetDateTime::from_unix_timestamp(s).unwrap())
}

fn carrier_code() -> impl Strategy<Value = CarrierCode> {
    prop_oneof![
        proptest::sample::select(CarrierCode::KNOWN.to_vec()),
        text().prop_map(|s| CarrierCode::from(s.as_str())),
    ]
}

prop_compose! {
    fn fulfillment()(
        order in text(),
        date in instant(),
        code in proptest::option::of(carrier_code()),
        name in text(),
        method in proptest::option::of(text()),
        tracking in proptest::option::of(text()),
        items in proptest::collection::vec((text(), 1u32..1000, proptest::collection::vec(text(), 0..3)), 0..4),
    ) -> OrderFulfillment {
        let mut f = OrderFulfillment::new(order, date);
        f = match code { Some(c) => f.carrier_code(c), None => f.carrier_name(name) };
        if let Some(m) = method { f = f.shipping_method(m); }
        if let Some(t) = tracking { f = f.tracking_number(t); }
        for (code, qty, transparency) in items {
            let mut item = FulfillmentItem::new(code, qty);
            for t in transparency { item = item.transparency_code(t); }
            f = f.item(item);
        }
        f
    }
}

proptest! {
    #[test]
    fn generated_fulfillment_feeds_round_trip(merchant in text(), messages in proptest::collection::vec(fulfillment(), 1..5)) {
        let e = Envelope::order_fulfillment(merchant, messages);
        let back = round_trip(&e);
        prop_assert_eq!(back, e);
    }

    #[test]
    fn generated_acknowledgements_round_trip(
        order in text(),
        success in any::<bool>(),
        items in proptest::collection::vec((text(), proptest::option::of(proptest::sample::select(CancelReason::KNOWN.to_vec())), proptest::option::of(1u32..50)), 0..4),
    ) {
        let mut ack = if success { OrderAcknowledgement::success(order) } else { OrderAcknowledgement::failure(order) };
        for (code, reason, qty) in items {
            let mut item = AcknowledgementItem::new(code);
            if let (false, Some(r)) = (success, reason) { item = item.cancel(r); }
            if let Some(q) = qty { item = item.quantity(q); }
            ack = ack.item(item);
        }
        let e = Envelope::order_acknowledgement("M", [ack]);
        prop_assert_eq!(round_trip(&e), e);
    }

    #[test]
    fn generated_adjustments_round_trip(
        order in text(),
        cents in proptest::collection::vec((proptest::sample::select(PriceComponentType::KNOWN.to_vec()), -1_000_000i64..1_000_000), 1..5),
        reason in proptest::sample::select(AdjustmentReason::KNOWN.to_vec()),
    ) {
        let mut item = AdjustedItem::new("12345678901234", reason);
        for (t, c) in cents { item = item.component(t, Decimal::new(c, 2), "EUR"); }
        let e = Envelope::order_adjustment("M", [OrderAdjustment::refund(order).item(item)]);
        let back = round_trip(&e);
        prop_assert_eq!(&back, &e);
        let MessageBody::OrderAdjustment(a) = &back.messages[0].body else { unreachable!() };
        prop_assert!(!a.items[0].item_price_adjustments.is_empty());
    }

    #[test]
    fn the_reader_never_panics_on_mangled_documents(cut in 0usize..2000, junk in "[<>&/a-zA-Z \"']{0,8}") {
        let xml = Envelope::order_fulfillment("M", [OrderFulfillment::new("1", datetime!(2020-05-01 12:00 UTC)).carrier_code(CarrierCode::Ups)])
            .to_xml()
            .unwrap();
        let cut = cut.min(xml.len());
        let mangled = format!("{}{}{}", &xml[..cut], junk, &xml[cut..]);
        let _ = Envelope::from_xml(&mangled);
        let _ = amazon_feed_documents::ProcessingReport::from_xml(&mangled);
    }
}

fn refund_with(amount: Decimal) -> Envelope {
    Envelope::order_adjustment(
        "M",
        [OrderAdjustment::refund("111-1234567-1234567").item(
            AdjustedItem::new("12345678901234", AdjustmentReason::CustomerReturn).component(
                PriceComponentType::Principal,
                amount,
                "EUR",
            ),
        )],
    )
}

#[test]
fn amounts_with_more_than_two_decimals_are_refused_not_rounded() {
    let err = refund_with(Decimal::new(19_995, 3)).to_xml().unwrap_err();
    assert_eq!(
        err.field,
        "Message[1]/OrderAdjustment/AdjustedItem[1]/ItemPriceAdjustments/Component[1]/Amount"
    );
    assert_eq!(err.rule, Rule::FractionDigits { max: 2, found: 3 });
    // Trailing zeros carry no precision: 19.990 is 19.99, as the XSD's fractionDigits counts.
    let xml = refund_with(Decimal::new(19_990, 3)).to_xml().unwrap();
    assert!(
        xml.contains(r#"<Amount currency="EUR">19.99</Amount>"#),
        "{xml}"
    );
    let xml = refund_with(Decimal::new(5, 0)).to_xml().unwrap();
    assert!(
        xml.contains(r#"<Amount currency="EUR">5.00</Amount>"#),
        "{xml}"
    );
    let err = refund_with(Decimal::from_i128_with_scale(10i128.pow(21), 0))
        .to_xml()
        .unwrap_err();
    assert_eq!(err.rule, Rule::TotalDigits(20));
}

#[test]
fn promotion_adjustments_need_a_principal_or_shipping_component() {
    let item = AdjustedItem::new("12345678901234", AdjustmentReason::CustomerReturn).component(
        PriceComponentType::Principal,
        Decimal::new(1000, 2),
        "EUR",
    );
    let empty =
        Envelope::order_adjustment(
            "M",
            [OrderAdjustment::refund("1")
                .item(item.clone().promotion(PromotionAdjustment::new("P1")))],
        );
    let err = empty.to_xml().unwrap_err();
    assert_eq!(
        err.field,
        "Message[1]/OrderAdjustment/AdjustedItem[1]/PromotionAdjustments[1]/Component"
    );
    assert_eq!(err.rule, Rule::MinOccurs(1));
    let tax = Envelope::order_adjustment(
        "M",
        [OrderAdjustment::refund("1").item(item.clone().promotion(
            PromotionAdjustment::new("P1").component(PriceComponentType::Tax, Decimal::ONE, "EUR"),
        ))],
    );
    let err = tax.to_xml().unwrap_err();
    assert!(
        err.field
            .ends_with("PromotionAdjustments[1]/Component[1]/Type"),
        "{err}"
    );
    let mixed = Envelope::order_adjustment(
        "M",
        [OrderAdjustment::refund("1").item(item.component(
            PriceComponentType::Shipping,
            Decimal::ONE,
            "USD",
        ))],
    );
    let err = mixed.to_xml().unwrap_err();
    assert!(matches!(err.rule, Rule::Conflict(_)), "{err}");
    assert!(
        err.field.ends_with("Component[2]/Amount/@currency"),
        "{err}"
    );
}

#[test]
fn closed_enumerations_refuse_unknown_values() {
    let e = Envelope::order_adjustment(
        "M",
        [OrderAdjustment::refund("1").item(
            AdjustedItem::new("2", AdjustmentReason::from("BecauseISaidSo")).component(
                PriceComponentType::Principal,
                Decimal::ONE,
                "USD",
            ),
        )],
    );
    let err = e.to_xml().unwrap_err();
    assert_eq!(
        err.field,
        "Message[1]/OrderAdjustment/AdjustedItem[1]/AdjustmentReason"
    );
    assert_eq!(
        err.rule,
        Rule::Enumeration {
            value: "BecauseISaidSo".into()
        }
    );
    let ack = Envelope::order_acknowledgement(
        "M",
        [OrderAcknowledgement::failure("1")
            .item(AcknowledgementItem::new("2").cancel(CancelReason::from("Bored")))],
    );
    let err = ack.to_xml().unwrap_err();
    assert_eq!(
        err.field,
        "Message[1]/OrderAcknowledgement/Item[1]/CancelReason"
    );
    // A carrier code outside the crate's list is written as given: Amazon's list is long
    // and grows, and the XSD leaves CarrierName for carriers without a code.
    let f = OrderFulfillment::new("1", datetime!(2020-05-01 12:00 UTC))
        .carrier_code(CarrierCode::from("Hermes"));
    assert!(Envelope::order_fulfillment("M", [f]).to_xml().is_ok());
}

#[test]
fn acknowledgement_and_cancellation_shapes() {
    let e = Envelope::order_acknowledgement(
        "M",
        [
            OrderAcknowledgement::acknowledge("111-1111111-1111111", "HOST-7"),
            OrderAcknowledgement::cancel_order("111-2222222-2222222"),
            OrderAcknowledgement::failure("111-3333333-3333333")
                .item(AcknowledgementItem::new("A1").cancel(CancelReason::NoInventory))
                .item(AcknowledgementItem::new("A2").cancel(CancelReason::BuyerCanceled)),
        ],
    );
    let xml = e.to_xml().unwrap();
    let ack = xml.split("<Message>").nth(1).expect("first message");
    let pos = |s: &str| {
        ack.find(s)
            .unwrap_or_else(|| panic!("{s} missing in {ack}"))
    };
    assert!(pos("<AmazonOrderID>") < pos("<MerchantOrderID>HOST-7"));
    assert!(pos("<MerchantOrderID>") < pos("<StatusCode>Success"));
    let whole = xml.split("<Message>").nth(2).expect("second message");
    assert!(whole.contains("<StatusCode>Failure</StatusCode>") && !whole.contains("<Item>"));
    assert_eq!(round_trip(&e), e);
    let success_with_reason = Envelope::order_acknowledgement(
        "M",
        [OrderAcknowledgement::success("1")
            .item(AcknowledgementItem::new("2").cancel(CancelReason::NoInventory))],
    );
    let err = success_with_reason.to_xml().unwrap_err();
    assert!(matches!(err.rule, Rule::Conflict(_)));
    assert_eq!(
        err.field,
        "Message[1]/OrderAcknowledgement/Item[1]/CancelReason"
    );
}

#[test]
fn envelope_rules_name_the_message() {
    let mut e = Envelope::order_fulfillment(
        "M",
        [OrderFulfillment::new("1", datetime!(2020-05-01 12:00 UTC)).tracking_number("T")],
    );
    let err = e.to_xml().unwrap_err();
    assert_eq!(
        err.field,
        "Message[1]/OrderFulfillment/FulfillmentData/CarrierCode"
    );
    e.messages[0].message_id = 0;
    assert_eq!(e.to_xml().unwrap_err().rule, Rule::Positive);
    let none = Envelope::order_fulfillment("M", []);
    assert_eq!(
        none.to_xml().unwrap_err(),
        amazon_feed_documents::BuildError::new("Message", Rule::MinOccurs(1))
    );
    let blank = Envelope::order_acknowledgement(" ", [OrderAcknowledgement::success("1")]);
    assert_eq!(
        blank.to_xml().unwrap_err().field,
        "Header/MerchantIdentifier"
    );
}

proptest! {
    #[test]
    fn amounts_are_written_exactly_or_refused(mantissa in -10_000_000_000i64..10_000_000_000, scale in 0u32..6) {
        let amount = Decimal::new(mantissa, scale);
        match refund_with(amount).to_xml() {
            Ok(xml) => {
                prop_assert!(amount.normalize().scale() <= 2);
                let back = Envelope::from_xml(&xml).unwrap();
                let MessageBody::OrderAdjustment(a) = &back.messages[0].body else { unreachable!() };
                prop_assert_eq!(a.items[0].item_price_adjustments[0].amount, amount);
                let written = format!(">{:.2}</Amount>", amount.normalize());
                prop_assert!(xml.contains(&written), "{} not in {}", written, xml);
            }
            Err(e) => {
                prop_assert!(amount.normalize().scale() > 2, "{}", e);
                prop_assert_eq!(e.rule, Rule::FractionDigits { max: 2, found: amount.normalize().scale() });
            }
        }
    }
}
