//! The seeded order generator: realistic mixes of marketplaces, channels, programs,
//! lines, gifts, promotions and life cycles. Same seed and same calls, same orders.

use rand::Rng;
use rand::rngs::SmallRng;
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

use crate::marketplaces::Marketplace;
use crate::model::{Gift, OrderStatus, ServiceLevel, SimAddress, SimItem, SimOrder};

/// (ASIN, SKU, title, USD price in cents)
pub(crate) const CATALOGUE: &[(&str, &str, &str, i64)] = &[
    (
        "B07XJ8C8F5",
        "MUG-CER-350",
        "Ceramic Coffee Mug 350 ml, Speckled Blue",
        1499,
    ),
    (
        "B08N5WRWNW",
        "CHG-USBC-65W",
        "65W USB-C GaN Charger, 3 Ports",
        3999,
    ),
    (
        "B0C1H26C46",
        "TEA-MATCHA-100",
        "抹茶 Matcha Green Tea Powder 100 g",
        2450,
    ),
    (
        "B09B8V1LZ3",
        "CAFE-TASSE-4",
        "Café-Espresso Tassen 4er-Set, Porzellan",
        2999,
    ),
    (
        "B01N5IB20Q",
        "TORCH-CRB",
        "Chalumeau de cuisine pour crème brûlée",
        1899,
    ),
    (
        "B07PGL2ZSL",
        "CABLE-HDMI-2M",
        "HDMI 2.1 Cable 2 m, 8K@60Hz",
        1299,
    ),
    (
        "B0BSHF7WHW",
        "SPK-POP-BLK",
        "Compact Smart Speaker, Charcoal",
        3999,
    ),
    (
        "B08L5TNJHG",
        "BOOK-SEAL-1",
        "Ñandú y el cóndor — illustrated children's book",
        1750,
    ),
    (
        "B0D5CX9N4P",
        "YOGA-MAT-6",
        "Yoga Mat 6 mm, Non-slip, Öko-Tex certified",
        3299,
    ),
    (
        "B07ZPKN6YR",
        "LED-STRIP-5M",
        "LED Strip 5 m RGB with Remote",
        2199,
    ),
    (
        "B09JQMJHXY",
        "PEN-FOUNT-F",
        "Fountain Pen, Fine Nib, Brushed Steel",
        4500,
    ),
    (
        "B0CHX3QBCH",
        "KB-MECH-TKL",
        "Mechanical Keyboard TKL, Brown Switches",
        8999,
    ),
    (
        "B0B7BP6CJN",
        "SOCKS-WOOL-3",
        "Merino Wool Socks, 3 Pairs, Size 43–46",
        2599,
    ),
    (
        "B07FZ8S74R",
        "BTL-STEEL-750",
        "Insulated Steel Bottle 750 ml",
        2799,
    ),
    (
        "B0BDJ7Y3YH",
        "PUZ-1000-ALP",
        "Puzzle 1000 Teile — Alpenpanorama",
        1999,
    ),
    (
        "B08KTZ8249",
        "HDPH-ANC-W",
        "Wireless ANC Headphones, White",
        12999,
    ),
    (
        "B0CJ4Y2S9H",
        "SAUCE-SRIR",
        "Sriracha Hot Chili Sauce 482 g",
        699,
    ),
    (
        "B01LTHXAO0",
        "KNIFE-SANTOKU",
        "三徳包丁 Santoku Knife 165 mm",
        5900,
    ),
    (
        "B0C8Q4TZ6M",
        "LAMP-DESK-LED",
        "LED Desk Lamp with Wireless Charger",
        4599,
    ),
    (
        "B07D6ZJ7SC",
        "GAME-CARD-UNO",
        "Card Game for Families, 112 Cards",
        999,
    ),
];

const GIFT_MESSAGES: &[&str] = &[
    "Happy birthday! 🎂",
    "Alles Gute zum Geburtstag, liebe Jürgen!",
    "Joyeux Noël et bonne année — bisous",
    "お誕生日おめでとう！",
    "For the best dad. Love, Zoë",
    "¡Feliz cumpleaños, Begoña!",
];

const CANCEL_REASONS: &[&str] = &[
    "Ordered by mistake",
    "Found a better price",
    "Delivery takes too long",
    "Buyer canceled",
];

/// A status change the world applies when the sandbox clock reaches its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum EventKind {
    /// PendingAvailability → Pending (release date reached).
    Release,
    /// Pending → Unshipped (payment authorised).
    Authorize,
    /// Pending → Canceled (payment never authorised).
    CancelUnpaid,
    /// AFN: Unshipped → Shipped by Amazon.
    AmazonShips,
    /// MFN: the buyer asks to cancel.
    BuyerCancelRequest,
    /// MFN backlog order the seller shipped before the sandbox started.
    SellerShippedBefore,
}

pub(crate) struct Generator {
    pub(crate) rng: SmallRng,
}

fn pick<'a, T>(rng: &mut SmallRng, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

fn secs(rng: &mut SmallRng, lo: i64, hi: i64) -> Duration {
    Duration::seconds(rng.gen_range(lo..=hi))
}

fn digits(rng: &mut SmallRng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

impl Generator {
    /// A fresh order id in Amazon's 3-7-7 form.
    pub(crate) fn order_id(&mut self) -> String {
        let prefix = self.rng.gen_range(111..=999);
        format!(
            "{prefix}-{}-{}",
            digits(&mut self.rng, 7),
            digits(&mut self.rng, 7)
        )
    }

    /// Generates one order placed at `purchase` in one of `mps`, and its planned events.
    /// `backlog` orders were placed before the sandbox started: MFN ones the seller has
    /// long shipped are planned as shipped.
    pub(crate) fn order(
        &mut self,
        seq: u32,
        id: String,
        purchase: OffsetDateTime,
        mps: &[&'static Marketplace],
        backlog_until: Option<OffsetDateTime>,
    ) -> (SimOrder, Vec<(OffsetDateTime, EventKind)>) {
        let rng = &mut self.rng;
        // The first marketplace gets about half the orders.
        let mp = if mps.len() == 1 || rng.gen_bool(0.5) {
            mps[0]
        } else {
            mps[rng.gen_range(1..mps.len())]
        };
        let afn = rng.gen_bool(0.35);
        let business = rng.gen_bool(0.08);
        let premium = rng.gen_bool(0.05);
        let prime = if afn {
            rng.gen_bool(0.6)
        } else {
            rng.gen_bool(0.1)
        };
        let preorder = rng.gen_bool(0.01);
        let cod = mp.country == "JP" && rng.gen_bool(0.05);
        let service = if premium {
            ServiceLevel::NextDay
        } else if prime {
            *pick(
                rng,
                &[
                    ServiceLevel::SecondDay,
                    ServiceLevel::NextDay,
                    ServiceLevel::Expedited,
                ],
            )
        } else {
            *pick(
                rng,
                &[
                    ServiceLevel::Standard,
                    ServiceLevel::Standard,
                    ServiceLevel::Standard,
                    ServiceLevel::FreeEconomy,
                    ServiceLevel::Expedited,
                ],
            )
        };
        let (first, last) = (pick(rng, mp.first_names), pick(rng, mp.last_names));
        let name = if mp.country == "JP" {
            format!("{last} {first}")
        } else {
            format!("{first} {last}")
        };
        let company = business.then(|| {
            format!(
                "{last} {}",
                pick(rng, &["GmbH", "LLC", "Ltd", "SARL", "株式会社", "S.A."])
            )
        });
        let (city, state, postal) = *pick(rng, mp.cities);
        let line1 = if mp.country == "US" || mp.country == "CA" || mp.country == "GB" {
            format!("{} {}", rng.gen_range(1..2000), pick(rng, mp.streets))
        } else {
            format!("{} {}", pick(rng, mp.streets), rng.gen_range(1..200))
        };
        let address = SimAddress {
            name: name.clone(),
            company: company.clone(),
            line1,
            line2: rng
                .gen_bool(0.2)
                .then(|| format!("Apt {}", rng.gen_range(1..90))),
            city: city.into(),
            state: state.into(),
            postal: postal.into(),
            country: mp.country,
            phone: format!("{}{}", mp.phone_prefix, digits(rng, 4)),
            residential: !business,
        };
        let lines = match rng.gen_range(0..100) {
            0..=69 => 1,
            70..=89 => 2,
            90..=96 => 3,
            _ => 4,
        };
        let mut used = Vec::new();
        let mut items = Vec::new();
        for _ in 0..lines {
            let mut p = rng.gen_range(0..CATALOGUE.len());
            while used.contains(&p) {
                p = (p + 1) % CATALOGUE.len();
            }
            used.push(p);
            let (asin, sku, title, cents) = CATALOGUE[p];
            let qty = if rng.gen_bool(0.8) {
                1
            } else {
                rng.gen_range(2..=3)
            };
            let mut unit = (Decimal::new(cents, 2) * mp.fx).round_dp(mp.scale);
            if business && rng.gen_bool(0.5) {
                unit = (unit * Decimal::new(95, 2)).round_dp(mp.scale);
            }
            let ship_base = if afn || prime {
                Decimal::ZERO
            } else {
                (Decimal::new(499, 2) * mp.fx).round_dp(mp.scale)
            };
            let free_ship_promo = !ship_base.is_zero() && rng.gen_bool(0.2);
            let promotion = rng.gen_bool(0.15).then(|| {
                let id = format!("PLM-{}", digits(rng, 10));
                (
                    id,
                    (unit * Decimal::from(qty) * Decimal::new(10, 2)).round_dp(mp.scale),
                )
            });
            let gift = rng.gen_bool(0.05).then(|| Gift {
                message: (*pick(rng, GIFT_MESSAGES)).to_owned(),
                wrap_level: "Classic".into(),
                wrap_price: (Decimal::new(399, 2) * mp.fx).round_dp(mp.scale),
            });
            items.push(SimItem {
                id: digits(rng, 14),
                asin: asin.into(),
                sku: crate::catalog::sku_for(sku, mp, afn),
                title: title.into(),
                qty,
                shipped: 0,
                unit_price: unit,
                shipping: ship_base,
                shipping_discount: if free_ship_promo {
                    ship_base
                } else {
                    Decimal::ZERO
                },
                promotion,
                gift,
                transparency: rng.gen_bool(0.03),
                business_price: business,
                buyer_cancel: None,
                seller_cancel: None,
                condition: if rng.gen_bool(0.95) { "New" } else { "Used" },
            });
        }
        let handling = if afn { 0 } else { rng.gen_range(1..=2) };
        let earliest_ship = purchase + Duration::hours(if afn { 2 } else { 12 });
        let latest_ship = purchase + Duration::days(handling + 1);
        let transit = match service {
            ServiceLevel::NextDay => 1,
            ServiceLevel::SecondDay => 2,
            ServiceLevel::Expedited => 3,
            ServiceLevel::Standard => 5,
            ServiceLevel::FreeEconomy => 8,
        };
        let earliest_delivery = latest_ship + Duration::days(transit - 1).max(Duration::hours(12));
        let latest_delivery = latest_ship + Duration::days(transit + 1);
        let buyer_email = format!(
            "{}@marketplace.amazon.{}",
            digits(rng, 12),
            mp.domain.rsplit("amazon.").next().unwrap_or("com")
        );
        let order = SimOrder {
            seq,
            id,
            seller_order_id: format!("SO-{}", digits(rng, 8)),
            mp,
            purchase,
            last_update: purchase,
            status: if preorder {
                OrderStatus::PendingAvailability
            } else {
                OrderStatus::Pending
            },
            afn,
            service,
            prime,
            premium,
            business,
            preorder,
            cod,
            earliest_ship,
            latest_ship,
            earliest_delivery,
            latest_delivery,
            buyer_name: name,
            buyer_email,
            po_number: business.then(|| format!("PO-{}", digits(rng, 6))),
            address,
            items,
            packages: Vec::new(),
            cancelled: None,
        };

        // Life cycle.
        let mut events = Vec::new();
        let mut t = purchase;
        if preorder {
            t += secs(rng, 86_400, 5 * 86_400);
            events.push((t, EventKind::Release));
        }
        t += secs(rng, 120, 40 * 60);
        if rng.gen_bool(0.03) {
            events.push((t, EventKind::CancelUnpaid));
            return (order, events);
        }
        events.push((t, EventKind::Authorize));
        if afn {
            events.push((t + secs(rng, 4 * 3600, 36 * 3600), EventKind::AmazonShips));
        } else {
            if rng.gen_bool(0.04) {
                events.push((
                    t + secs(rng, 1800, 12 * 3600),
                    EventKind::BuyerCancelRequest,
                ));
            }
            let ship = t + secs(rng, 12 * 3600, 48 * 3600);
            if backlog_until.is_some_and(|start| ship < start) {
                events.push((ship, EventKind::SellerShippedBefore));
            }
        }
        (order, events)
    }

    pub(crate) fn cancel_reason(&mut self) -> String {
        (*pick(&mut self.rng, CANCEL_REASONS)).to_owned()
    }

    pub(crate) fn tracking(&mut self) -> String {
        format!("1Z{}", digits(&mut self.rng, 16))
    }

    pub(crate) fn carrier(&mut self, mp: &'static Marketplace) -> String {
        (*pick(&mut self.rng, mp.carriers)).to_owned()
    }

    /// Exponential inter-arrival time for `per_hour` orders per hour.
    pub(crate) fn inter_arrival(&mut self, per_hour: f64) -> Option<Duration> {
        if per_hour <= 0.0 || !per_hour.is_finite() {
            return None;
        }
        let u: f64 = self.rng.r#gen::<f64>();
        let hours = -(1.0 - u).ln() / per_hour;
        Duration::checked_seconds_f64((hours * 3600.0).max(1.0))
    }
}
