//! Property: whatever order the engine hands the SQLite store (any text, amounts of any
//! scale, times to the nanosecond, present or absent parts), it reads back exactly, and
//! redaction changes nothing but the PII.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use order_mapping::vocab::{FulfillmentChannel, OrderProgram, OrderStatus, PaymentMethod};
use order_sync_core::fixtures::{host_order, sample_order};
use order_sync_core::host::{HostName, HostOrder, OrderStore};
use order_sync_core::ids::{AccountId, OrderItemId};
use order_sync_core::model::{DateWindow, GiftOptions, OrderLine};
use order_sync_core::money::Money;
use order_sync_core::pii::{Address, AddressType, BuyerPii, Recipient};
use proptest::prelude::*;
use rust_decimal::Decimal;
use store_adapters::sqlite::{SqliteConfig, SqliteStore, XChaChaPii};
use time::OffsetDateTime;

fn text() -> BoxedStrategy<String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9 ,.'-]{1,20}",
        any::<String>(),
        Just("Robert'); DROP TABLE orders;--".to_owned()),
        Just("nul \0 inside, \"quotes\", \\ and \u{1F600}".to_owned()),
    ]
    .boxed()
}

fn opt_text() -> BoxedStrategy<Option<String>> {
    proptest::option::of(text()).boxed()
}

fn time() -> BoxedStrategy<OffsetDateTime> {
    // Years 0000 to 9999, any nanosecond.
    (-62_167_219_200i64..=253_402_300_799, 0u32..1_000_000_000)
        .prop_map(|(s, n)| {
            OffsetDateTime::from_unix_timestamp(s)
                .expect("in range")
                .replace_nanosecond(n)
                .expect("in range")
        })
        .boxed()
}

fn money() -> BoxedStrategy<Option<Money>> {
    proptest::option::of(
        (
            any::<i64>(),
            0u32..=20,
            prop_oneof![Just("USD"), Just("EUR"), Just("JPY")],
        )
            .prop_map(|(m, scale, c)| Money::new(Decimal::new(m, scale), c)),
    )
    .boxed()
}

fn window() -> BoxedStrategy<Option<DateWindow>> {
    proptest::option::of(
        (proptest::option::of(time()), proptest::option::of(time()))
            .prop_map(|(earliest, latest)| DateWindow { earliest, latest }),
    )
    .boxed()
}

fn line(i: usize) -> BoxedStrategy<OrderLine> {
    (
        (opt_text(), text(), opt_text(), any::<u32>(), any::<u32>()),
        (
            money(),
            money(),
            money(),
            money(),
            money(),
            money(),
            money(),
        ),
        proptest::option::of((opt_text(), opt_text(), money(), money())),
        proptest::option::of(opt_text()),
    )
        .prop_map(
            move |((sku, asin, title, qo, qs), m, gift, cancel)| OrderLine {
                item_id: OrderItemId::new(format!("item-{i}")),
                sku,
                asin,
                title,
                quantity_ordered: qo,
                quantity_shipped: qs,
                unit_price: m.0,
                line_price: m.1,
                tax: m.2,
                shipping_price: m.3,
                shipping_tax: m.4,
                shipping_discount: m.5,
                promotion_discount: m.6,
                gift: gift.map(|(message, wrap_level, wrap_price, wrap_tax)| GiftOptions {
                    message,
                    wrap_level,
                    wrap_price,
                    wrap_tax,
                }),
                buyer_cancel_request: cancel
                    .map(|reason| order_sync_core::model::BuyerCancelRequest { reason }),
            },
        )
        .boxed()
}

fn lines() -> BoxedStrategy<Vec<OrderLine>> {
    (0usize..4)
        .prop_flat_map(|n| (0..n).map(line).collect::<Vec<_>>())
        .boxed()
}

fn buyer() -> BoxedStrategy<Option<BuyerPii>> {
    proptest::option::of(
        (opt_text(), opt_text(), opt_text(), opt_text(), opt_text()).prop_map(
            |(name, email, company, tax_id, purchase_order_number)| BuyerPii {
                name,
                email,
                company,
                tax_id,
                purchase_order_number,
            },
        ),
    )
    .boxed()
}

fn recipient() -> BoxedStrategy<Option<Recipient>> {
    proptest::option::of(
        (
            (opt_text(), opt_text(), opt_text()),
            proptest::collection::vec(text(), 0..4),
            (opt_text(), opt_text(), opt_text(), opt_text(), opt_text()),
            proptest::option::of(prop_oneof![
                Just(AddressType::Residential),
                Just(AddressType::Commercial),
                Just(AddressType::PickupPoint),
            ]),
        )
            .prop_map(
                |((name, company, phone), lines, (city, county, state, postal, country), t)| {
                    Recipient {
                        name,
                        company,
                        phone,
                        address: Address {
                            lines,
                            city,
                            county,
                            state_or_region: state,
                            postal_code: postal,
                            country_code: country,
                            address_type: t,
                        },
                    }
                },
            ),
    )
    .boxed()
}

fn status() -> BoxedStrategy<OrderStatus> {
    prop_oneof![
        Just(OrderStatus::Unshipped),
        Just(OrderStatus::Shipped),
        Just(OrderStatus::Canceled),
        "[A-Z_]{1,12}".prop_map(OrderStatus::from),
    ]
    .boxed()
}

fn order() -> BoxedStrategy<HostOrder> {
    (
        (
            time(),
            time(),
            window(),
            window(),
            proptest::option::of(time()),
        ),
        (status(), any::<bool>(), opt_text(), opt_text()),
        lines(),
        (money(), money(), money(), money(), money()),
        (buyer(), recipient()),
        (text(), text(), text(), opt_text()),
    )
        .prop_map(
            |(
                (purchased, updated, ship_by, deliver_by, delivered),
                (status, fba, seller_id, ssl),
                lines,
                totals,
                (buyer, recipient),
                (first, last, host_status, payment),
            )| {
                let mut o = sample_order("000-0000000-0000000", updated);
                o.purchased_at = purchased;
                o.ship_by = ship_by;
                o.deliver_by = deliver_by;
                o.delivered_at = delivered;
                o.status = status;
                o.channel = if fba {
                    FulfillmentChannel::Amazon
                } else {
                    FulfillmentChannel::Merchant
                };
                o.seller_order_id = seller_id;
                o.ship_service_level = ssl;
                o.programs = vec![OrderProgram::Prime, OrderProgram::from("SOMETHING_NEW")];
                o.payment.method = Some(PaymentMethod::from("NewMethod"));
                o.lines = lines;
                o.totals.order_total = totals.0;
                o.totals.items = totals.1;
                o.totals.shipping = totals.2;
                o.totals.tax = totals.3;
                o.totals.discounts = totals.4;
                o.buyer = buyer;
                o.recipient = recipient;
                let mut h = host_order(&AccountId::new("props"), o);
                h.mapped.customer = HostName { first, last };
                h.mapped.status = host_status;
                h.mapped.payment = payment;
                h
            },
        )
        .boxed()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_order_reads_back_exactly_and_redacts_only_pii(mut h in order()) {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let rt = runtime();
        rt.block_on(async {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            h.order.id = format!("900-{n:07}-0000001").as_str().into();
            // Every other case through the real cipher.
            let db = if n % 2 == 0 {
                SqliteStore::open_in_memory().await.expect("open")
            } else {
                let cipher = Arc::new(XChaChaPii::new(&[9; 32]));
                SqliteStore::open_in_memory_with(SqliteConfig::default().pii_cipher(cipher))
                    .await
                    .expect("open")
            };
            // Through the single and the batch path alike.
            if n % 3 == 0 {
                let out = db.upsert_orders(std::slice::from_ref(&h)).await.expect("upsert");
                prop_assert!(out[0].is_ok(), "{:?}", out[0]);
            } else {
                db.upsert_order(&h).await.expect("upsert");
            }
            let back = db.order(&h.account, &h.order.id).await.expect("read");
            prop_assert_eq!(back.as_ref(), Some(&h));

            db.redact_pii(&h.account, &h.order.id, "Amazon Replaced")
                .await
                .expect("redact");
            let mut expected = h.clone();
            expected.redact_pii("Amazon Replaced");
            let back = db.order(&h.account, &h.order.id).await.expect("read");
            prop_assert_eq!(back.as_ref(), Some(&expected));
            Ok(())
        })?;
    }
}
