//! Amazon's order vocabulary as open enums.
//!
//! Every enum here follows the same contract:
//!
//! - it is `#[non_exhaustive]` and has an `Other(String)` arm, so a value Amazon adds
//!   tomorrow decodes instead of failing;
//! - `From<&str>` (and `FromStr`, which never fails) decode the Amazon spelling;
//! - `as_str()` and `Display` give the Amazon spelling back, and for an `Other` value
//!   exactly the string that was decoded, so unknown values round-trip;
//! - serde serialises to and deserialises from that string.
//!
//! Where the Orders API v0 and v2026-01-01 spell a value differently ([`OrderStatus`],
//! [`FulfillmentChannel`], [`ServiceLevelCategory`], [`PaymentMethod`]), `From<&str>`
//! accepts both spellings, `as_str()` and serde use the v0 spelling, and `as_v0()` /
//! `as_v2026()` / `from_v0()` / `from_v2026()` handle one version strictly.
//!
//! ```
//! use order_mapping::vocab::{FulfillmentChannel, OrderStatus};
//!
//! assert_eq!(OrderStatus::from("CANCELLED"), OrderStatus::Canceled);
//! assert_eq!(OrderStatus::Canceled.as_v2026(), "CANCELLED");
//! assert_eq!(FulfillmentChannel::from("AFN"), FulfillmentChannel::Amazon);
//!
//! // A value this crate does not know survives a decode/encode round trip.
//! let future = OrderStatus::from("AwaitingPickup");
//! assert_eq!(future, OrderStatus::Other("AwaitingPickup".into()));
//! assert_eq!(future.as_str(), "AwaitingPickup");
//! ```

use std::fmt;
use std::str::FromStr;

/// Picks the v2026 spelling when one is given, else the primary one.
macro_rules! alt_or_primary {
    ($alt:literal, $primary:literal) => {
        $alt
    };
    (, $primary:literal) => {
        $primary
    };
}

/// Defines an open Amazon enum: the named variants, an `Other(String)` arm, decoding,
/// encoding, `Display`, `FromStr` and serde.
///
/// Each variant is written `Variant = "primary"` or `Variant = "primary" / "v2026"`.
macro_rules! amazon_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $var:ident = $primary:literal $(/ $alt:literal)?,
            )*
        }
    ) => {
        $(#[$meta])*
        #[non_exhaustive]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                $var,
            )*
            /// A value this crate does not know, kept exactly as Amazon sent it.
            Other(String),
        }

        impl $name {
            /// Every named (non-`Other`) value, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$var),*];

            const NAMES: &'static [&'static str] = &[$($primary, $($alt,)?)*];

            /// The Amazon spelling of this value (the v0 spelling where the versions
            /// differ); for `Other`, the string that was decoded.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$var => $primary,)*
                    $name::Other(s) => s,
                }
            }

            /// Every spelling that decodes to a named value (both versions where they
            /// differ). Useful for "did you mean" hints and documentation.
            pub fn known_names() -> &'static [&'static str] {
                Self::NAMES
            }

            /// `true` unless this is the `Other` arm.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }

            /// Decodes either spelling, without allocating; `None` for unknown values.
            pub fn parse_known(s: &str) -> Option<Self> {
                match s {
                    $($primary => Some($name::$var),)*
                    $($($alt => Some($name::$var),)?)*
                    _ => None,
                }
            }

            #[allow(dead_code)]
            fn primary_known(s: &str) -> Option<Self> {
                match s {
                    $($primary => Some($name::$var),)*
                    _ => None,
                }
            }

            #[allow(dead_code)]
            fn alt_known(s: &str) -> Option<Self> {
                match s {
                    $(alt_or_primary!($($alt)?, $primary) => Some($name::$var),)*
                    _ => None,
                }
            }

            #[allow(dead_code)]
            fn alt_str(&self) -> &str {
                match self {
                    $($name::$var => alt_or_primary!($($alt)?, $primary),)*
                    $name::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::parse_known(s).unwrap_or_else(|| $name::Other(s.to_owned()))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self::parse_known(&s).unwrap_or($name::Other(s))
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;

                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }

                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from(v))
                    }

                    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                }

                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

/// Generates `from_v0`/`from_v2026`/`as_v0`/`as_v2026` for enums whose two API versions
/// spell values differently.
macro_rules! two_versions {
    ($name:ident, $v0_example:literal, $v2026_example:literal) => {
        impl $name {
            #[doc = concat!("Decodes an Orders API v0 value strictly (e.g. `", $v0_example, "`); a v2026 spelling becomes `Other`.")]
            pub fn from_v0(s: &str) -> Self {
                Self::primary_known(s).unwrap_or_else(|| $name::Other(s.to_owned()))
            }

            #[doc = concat!("Decodes an Orders API v2026-01-01 value strictly (e.g. `", $v2026_example, "`); a v0-only spelling becomes `Other`.")]
            pub fn from_v2026(s: &str) -> Self {
                Self::alt_known(s).unwrap_or_else(|| $name::Other(s.to_owned()))
            }

            /// The Orders API v0 spelling (same as [`Self::as_str`]).
            pub fn as_v0(&self) -> &str {
                self.as_str()
            }
        }
    };
}

amazon_enum! {
    /// The status of an order: v0 `OrderStatus` and v2026-01-01
    /// `fulfillment.fulfillmentStatus` in one type.
    ///
    /// The correspondence between the two versions:
    ///
    /// | variant | v0 | v2026-01-01 |
    /// | --- | --- | --- |
    /// | `PendingAvailability` | `PendingAvailability` | `PENDING_AVAILABILITY` |
    /// | `Pending` | `Pending` | `PENDING` |
    /// | `Unshipped` | `Unshipped` | `UNSHIPPED` |
    /// | `PartiallyShipped` | `PartiallyShipped` | `PARTIALLY_SHIPPED` |
    /// | `Shipped` | `Shipped` | `SHIPPED` |
    /// | `InvoiceUnconfirmed` | `InvoiceUnconfirmed` | `SHIPPED` (v2026 has no such status: every item has shipped and the invoice state lives in `tax.taxInvoicing`) |
    /// | `Canceled` | `Canceled` | `CANCELLED` |
    /// | `Unfulfillable` | `Unfulfillable` | `UNFULFILLABLE` |
    ///
    /// The mapping is one-to-one except for `InvoiceUnconfirmed`, which v2026 reports as
    /// `SHIPPED`; decoding `SHIPPED` always gives `Shipped`.
    pub enum OrderStatus {
        /// Pre-order placed, payment not authorised, release date in the future.
        PendingAvailability = "PendingAvailability" / "PENDING_AVAILABILITY",
        /// Placed, but not ready for shipment (payment not yet authorised).
        Pending = "Pending" / "PENDING",
        /// Ready for shipment; nothing shipped yet.
        Unshipped = "Unshipped" / "UNSHIPPED",
        /// At least one, but not every, item has shipped.
        PartiallyShipped = "PartiallyShipped" / "PARTIALLY_SHIPPED",
        /// Every item has shipped.
        Shipped = "Shipped" / "SHIPPED",
        /// Every item has shipped but the seller has not confirmed the invoice (v0 only).
        InvoiceUnconfirmed = "InvoiceUnconfirmed",
        /// The order was canceled.
        Canceled = "Canceled" / "CANCELLED",
        /// The order cannot be fulfilled (Amazon-fulfilled, multi-channel orders only).
        Unfulfillable = "Unfulfillable" / "UNFULFILLABLE",
    }
}

impl OrderStatus {
    /// Decodes an Orders API v0 `OrderStatus` strictly (e.g. `Canceled`); a v2026 spelling
    /// becomes `Other`.
    pub fn from_v0(s: &str) -> Self {
        Self::primary_known(s).unwrap_or_else(|| OrderStatus::Other(s.to_owned()))
    }

    /// Decodes an Orders API v2026-01-01 `fulfillmentStatus` strictly (e.g. `CANCELLED`);
    /// a v0 spelling becomes `Other`.
    pub fn from_v2026(s: &str) -> Self {
        match Self::alt_known(s) {
            // "InvoiceUnconfirmed" is only a v0 name; alt_known falls back to it.
            Some(OrderStatus::InvoiceUnconfirmed) | None => OrderStatus::Other(s.to_owned()),
            Some(known) => known,
        }
    }

    /// The Orders API v0 spelling (same as [`Self::as_str`]).
    pub fn as_v0(&self) -> &str {
        self.as_str()
    }

    /// The Orders API v2026-01-01 spelling; `InvoiceUnconfirmed` becomes `SHIPPED`.
    pub fn as_v2026(&self) -> &str {
        match self {
            OrderStatus::InvoiceUnconfirmed => "SHIPPED",
            other => other.alt_str(),
        }
    }

    /// `true` for statuses after which nothing more will ship (`Shipped`,
    /// `InvoiceUnconfirmed`, `Canceled`, `Unfulfillable`).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            OrderStatus::Shipped
                | OrderStatus::InvoiceUnconfirmed
                | OrderStatus::Canceled
                | OrderStatus::Unfulfillable
        )
    }
}

amazon_enum! {
    /// Who fulfils the order: v0 `FulfillmentChannel` (`MFN`/`AFN`) and v2026-01-01
    /// `fulfillment.fulfilledBy` (`MERCHANT`/`AMAZON`).
    pub enum FulfillmentChannel {
        /// The seller ships the order (FBM): v0 `MFN`, v2026 `MERCHANT`.
        Merchant = "MFN" / "MERCHANT",
        /// Amazon ships the order (FBA): v0 `AFN`, v2026 `AMAZON`.
        Amazon = "AFN" / "AMAZON",
    }
}

two_versions!(FulfillmentChannel, "MFN", "MERCHANT");

impl FulfillmentChannel {
    /// The Orders API v2026-01-01 spelling (`MERCHANT`/`AMAZON`).
    pub fn as_v2026(&self) -> &str {
        self.alt_str()
    }
}

amazon_enum! {
    /// The shipping speed the buyer chose: v0 `ShipmentServiceLevelCategory` and v2026-01-01
    /// `fulfillment.fulfillmentServiceLevel` (UPPER_SNAKE spelling).
    pub enum ServiceLevelCategory {
        /// `Expedited` / `EXPEDITED`.
        Expedited = "Expedited" / "EXPEDITED",
        /// `FreeEconomy` / `FREE_ECONOMY`.
        FreeEconomy = "FreeEconomy" / "FREE_ECONOMY",
        /// `NextDay` / `NEXT_DAY`.
        NextDay = "NextDay" / "NEXT_DAY",
        /// `Priority` / `PRIORITY`.
        Priority = "Priority" / "PRIORITY",
        /// `SameDay` / `SAME_DAY`.
        SameDay = "SameDay" / "SAME_DAY",
        /// `SecondDay` / `SECOND_DAY`.
        SecondDay = "SecondDay" / "SECOND_DAY",
        /// `Scheduled` / `SCHEDULED`.
        Scheduled = "Scheduled" / "SCHEDULED",
        /// `Standard` / `STANDARD`.
        Standard = "Standard" / "STANDARD",
    }
}

two_versions!(ServiceLevelCategory, "NextDay", "NEXT_DAY");

impl ServiceLevelCategory {
    /// The Orders API v2026-01-01 spelling (e.g. `NEXT_DAY`).
    pub fn as_v2026(&self) -> &str {
        self.alt_str()
    }
}

amazon_enum! {
    /// How the buyer paid.
    ///
    /// Covers the v0 order-level `PaymentMethod` (`COD`, `CVS`, `Other`), the v0
    /// `PaymentExecutionDetail` methods (`GC`, `PointsAccount`, `Invoice`, `CreditCard`,
    /// `Pix`) and the v2026-01-01 `paymentExecutions[].paymentMethod` spellings
    /// (`CashOnDelivery`, `ConvenienceStore`, …).
    ///
    /// Amazon's own catch-all value `Other` decodes to `PaymentMethod::Other("Other")`:
    /// like any unknown method it means "none of the named ones".
    pub enum PaymentMethod {
        /// Cash on delivery: v0 `COD`, v2026 `CashOnDelivery`.
        Cod = "COD" / "CashOnDelivery",
        /// Convenience store payment (JP): v0 `CVS`, v2026 `ConvenienceStore`.
        Cvs = "CVS" / "ConvenienceStore",
        /// Credit card.
        CreditCard = "CreditCard",
        /// Invoice (pay later).
        Invoice = "Invoice",
        /// Pix (BR).
        Pix = "Pix",
        /// Gift card balance: v0 `GC`.
        GiftCard = "GC",
        /// Amazon points.
        PointsAccount = "PointsAccount",
    }
}

two_versions!(PaymentMethod, "COD", "CashOnDelivery");

impl PaymentMethod {
    /// The Orders API v2026-01-01 spelling (e.g. `CashOnDelivery`).
    pub fn as_v2026(&self) -> &str {
        self.alt_str()
    }
}

amazon_enum! {
    /// A program an order belongs to: the v2026-01-01 `programs[]` values. Orders API v0
    /// reports these as boolean flags instead; see [`V0OrderFlags::programs`].
    pub enum OrderProgram {
        /// `AMAZON_BAZAAR`.
        AmazonBazaar = "AMAZON_BAZAAR",
        /// `AMAZON_BUSINESS` (v0 `IsBusinessOrder`).
        Business = "AMAZON_BUSINESS",
        /// `AMAZON_EASY_SHIP`.
        EasyShip = "AMAZON_EASY_SHIP",
        /// `AMAZON_HAUL`.
        AmazonHaul = "AMAZON_HAUL",
        /// `DELIVERY_BY_AMAZON`.
        DeliveryByAmazon = "DELIVERY_BY_AMAZON",
        /// `FBM_SHIP_PLUS`.
        FbmShipPlus = "FBM_SHIP_PLUS",
        /// `INVOICE_BY_AMAZON` (v0 `IsIBA`).
        InvoiceByAmazon = "INVOICE_BY_AMAZON",
        /// `IN_STORE_PICK_UP` (v0 `IsISPU`).
        InStorePickUp = "IN_STORE_PICK_UP",
        /// `PREMIUM` (v0 `IsPremiumOrder`).
        Premium = "PREMIUM",
        /// `PREORDER`.
        Preorder = "PREORDER",
        /// `PRIME` (v0 `IsPrime`, seller-fulfilled Prime).
        Prime = "PRIME",
    }
}

/// The Orders API v0 boolean flags that correspond to v2026-01-01 programs.
///
/// ```
/// use order_mapping::vocab::{OrderProgram, V0OrderFlags};
///
/// let flags = V0OrderFlags { is_prime: true, is_business_order: true, ..Default::default() };
/// assert_eq!(flags.programs(), vec![OrderProgram::Business, OrderProgram::Prime]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct V0OrderFlags {
    /// `IsPrime`.
    pub is_prime: bool,
    /// `IsPremiumOrder`.
    pub is_premium_order: bool,
    /// `IsBusinessOrder`.
    pub is_business_order: bool,
    /// `IsISPU` (in-store pickup).
    pub is_ispu: bool,
    /// `IsIBA` (invoice by Amazon).
    pub is_iba: bool,
    /// `OrderType` is `Preorder`.
    pub is_preorder: bool,
}

impl V0OrderFlags {
    /// The programs these flags stand for, in [`OrderProgram::KNOWN`] order.
    pub fn programs(&self) -> Vec<OrderProgram> {
        let mut out = Vec::new();
        let pairs = [
            (self.is_business_order, OrderProgram::Business),
            (self.is_iba, OrderProgram::InvoiceByAmazon),
            (self.is_ispu, OrderProgram::InStorePickUp),
            (self.is_premium_order, OrderProgram::Premium),
            (self.is_preorder, OrderProgram::Preorder),
            (self.is_prime, OrderProgram::Prime),
        ];
        for (set, program) in pairs {
            if set {
                out.push(program);
            }
        }
        out
    }
}

amazon_enum! {
    /// A `carrierCode` for `confirmShipment` (and the fulfilment feeds).
    ///
    /// Amazon keeps the authoritative list in Seller Central and the feed XSD; it is longer
    /// than this curated table, which holds the values of the 2012 `amzn-base.xsd` copy plus
    /// `Australia Post` and `Amazon Shipping`. Any other code decodes to `Other(code)`.
    ///
    /// Amazon's literal code `Other` (for a carrier with no code; a `carrierName` must then
    /// be sent) decodes to `Carrier::Other("Other")`; build it with [`Carrier::other`].
    pub enum Carrier {
        /// `USPS`.
        Usps = "USPS",
        /// `UPS`.
        Ups = "UPS",
        /// `UPSMI`.
        UpsMi = "UPSMI",
        /// `FedEx`.
        FedEx = "FedEx",
        /// `DHL`.
        Dhl = "DHL",
        /// `Fastway`.
        Fastway = "Fastway",
        /// `GLS`.
        Gls = "GLS",
        /// `GO!`.
        Go = "GO!",
        /// `Hermes Logistik Gruppe`.
        HermesLogistikGruppe = "Hermes Logistik Gruppe",
        /// `Royal Mail`.
        RoyalMail = "Royal Mail",
        /// `Parcelforce`.
        Parcelforce = "Parcelforce",
        /// `City Link`.
        CityLink = "City Link",
        /// `TNT`.
        Tnt = "TNT",
        /// `Target`.
        Target = "Target",
        /// `SagawaExpress`.
        SagawaExpress = "SagawaExpress",
        /// `NipponExpress`.
        NipponExpress = "NipponExpress",
        /// `YamatoTransport`.
        YamatoTransport = "YamatoTransport",
        /// `DHL Global Mail`.
        DhlGlobalMail = "DHL Global Mail",
        /// `UPS Mail Innovations`.
        UpsMailInnovations = "UPS Mail Innovations",
        /// `FedEx SmartPost`.
        FedExSmartPost = "FedEx SmartPost",
        /// `OSM`.
        Osm = "OSM",
        /// `OnTrac`.
        OnTrac = "OnTrac",
        /// `Streamlite`.
        Streamlite = "Streamlite",
        /// `Newgistics`.
        Newgistics = "Newgistics",
        /// `Canada Post`.
        CanadaPost = "Canada Post",
        /// `Blue Package`.
        BluePackage = "Blue Package",
        /// `Chronopost`.
        Chronopost = "Chronopost",
        /// `Deutsche Post`.
        DeutschePost = "Deutsche Post",
        /// `DPD`.
        Dpd = "DPD",
        /// `La Poste`.
        LaPoste = "La Poste",
        /// `Parcelnet`.
        Parcelnet = "Parcelnet",
        /// `Poste Italiane`.
        PosteItaliane = "Poste Italiane",
        /// `SDA`.
        Sda = "SDA",
        /// `Smartmail`.
        Smartmail = "Smartmail",
        /// `FEDEX_JP`.
        FedExJp = "FEDEX_JP",
        /// `JP_EXPRESS`.
        JpExpress = "JP_EXPRESS",
        /// `NITTSU`.
        Nittsu = "NITTSU",
        /// `SAGAWA`.
        Sagawa = "SAGAWA",
        /// `YAMATO`.
        Yamato = "YAMATO",
        /// `BlueDart`.
        BlueDart = "BlueDart",
        /// `AFL/Fedex`.
        AflFedex = "AFL/Fedex",
        /// `Aramex`.
        Aramex = "Aramex",
        /// `India Post`.
        IndiaPost = "India Post",
        /// `Professional`.
        Professional = "Professional",
        /// `DTDC`.
        Dtdc = "DTDC",
        /// `Overnite Express`.
        OverniteExpress = "Overnite Express",
        /// `First Flight`.
        FirstFlight = "First Flight",
        /// `Delhivery`.
        Delhivery = "Delhivery",
        /// `Lasership`.
        Lasership = "Lasership",
        /// `Yodel`.
        Yodel = "Yodel",
        /// `Australia Post`.
        AustraliaPost = "Australia Post",
        /// `Amazon Shipping`.
        AmazonShipping = "Amazon Shipping",
    }
}

impl Carrier {
    /// Amazon's catch-all carrier code, sent together with a `carrierName`.
    pub const OTHER_CODE: &'static str = "Other";

    /// Amazon's catch-all code `Other` (a `carrierName` must accompany it).
    pub fn other() -> Self {
        Carrier::Other(Self::OTHER_CODE.to_owned())
    }

    /// `true` when this is Amazon's literal `Other` code, for which `confirmShipment`
    /// requires a `carrierName`.
    pub fn is_other_code(&self) -> bool {
        matches!(self, Carrier::Other(code) if code == Self::OTHER_CODE)
    }

    /// The known carrier code closest to `input`, for "did you mean" hints: `"Fedx"` and
    /// `"fedex"` give `Some("FedEx")`, `"royalmail"` gives `Some("Royal Mail")`. `None`
    /// when nothing is plausibly meant (an exact known code also returns itself).
    pub fn suggest(input: &str) -> Option<&'static str> {
        crate::suggest::closest(
            input,
            Self::NAMES
                .iter()
                .copied()
                .chain(std::iter::once(Self::OTHER_CODE)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_status_decodes_both_versions() {
        for status in OrderStatus::KNOWN {
            assert_eq!(OrderStatus::from(status.as_v0()), *status);
            assert_eq!(OrderStatus::from_v0(status.as_v0()), *status);
            if *status != OrderStatus::InvoiceUnconfirmed {
                assert_eq!(OrderStatus::from_v2026(status.as_v2026()), *status);
                assert_eq!(OrderStatus::from(status.as_v2026()), *status);
            }
        }
        assert_eq!(OrderStatus::from("CANCELLED"), OrderStatus::Canceled);
        assert_eq!(OrderStatus::from("Canceled"), OrderStatus::Canceled);
        assert_eq!(
            OrderStatus::from("PENDING_AVAILABILITY"),
            OrderStatus::PendingAvailability
        );
    }

    #[test]
    fn order_status_version_decoding_is_strict() {
        assert_eq!(
            OrderStatus::from_v0("CANCELLED"),
            OrderStatus::Other("CANCELLED".into())
        );
        assert_eq!(
            OrderStatus::from_v2026("Canceled"),
            OrderStatus::Other("Canceled".into())
        );
        assert_eq!(
            OrderStatus::from_v2026("InvoiceUnconfirmed"),
            OrderStatus::Other("InvoiceUnconfirmed".into())
        );
    }

    #[test]
    fn invoice_unconfirmed_is_shipped_in_v2026() {
        assert_eq!(OrderStatus::InvoiceUnconfirmed.as_v2026(), "SHIPPED");
        assert_eq!(OrderStatus::from_v2026("SHIPPED"), OrderStatus::Shipped);
        assert!(OrderStatus::InvoiceUnconfirmed.is_final());
        assert!(!OrderStatus::Unshipped.is_final());
    }

    #[test]
    fn channel_decodes_both_versions() {
        assert_eq!(
            FulfillmentChannel::from("MFN"),
            FulfillmentChannel::Merchant
        );
        assert_eq!(
            FulfillmentChannel::from("MERCHANT"),
            FulfillmentChannel::Merchant
        );
        assert_eq!(FulfillmentChannel::from("AFN"), FulfillmentChannel::Amazon);
        assert_eq!(
            FulfillmentChannel::from("AMAZON"),
            FulfillmentChannel::Amazon
        );
        assert_eq!(FulfillmentChannel::Amazon.as_str(), "AFN");
        assert_eq!(FulfillmentChannel::Amazon.as_v2026(), "AMAZON");
        assert_eq!(
            FulfillmentChannel::from_v0("AMAZON"),
            FulfillmentChannel::Other("AMAZON".into())
        );
    }

    #[test]
    fn service_level_and_payment_spellings() {
        assert_eq!(
            ServiceLevelCategory::from("FREE_ECONOMY"),
            ServiceLevelCategory::FreeEconomy
        );
        assert_eq!(ServiceLevelCategory::NextDay.as_v2026(), "NEXT_DAY");
        assert_eq!(ServiceLevelCategory::NextDay.to_string(), "NextDay");
        assert_eq!(PaymentMethod::from("CashOnDelivery"), PaymentMethod::Cod);
        assert_eq!(PaymentMethod::Cod.as_str(), "COD");
        assert_eq!(PaymentMethod::CreditCard.as_v2026(), "CreditCard");
        assert_eq!(
            PaymentMethod::from_v2026("CreditCard"),
            PaymentMethod::CreditCard
        );
        assert_eq!(
            PaymentMethod::from("Other"),
            PaymentMethod::Other("Other".into())
        );
    }

    #[test]
    fn programs_from_v0_flags() {
        assert!(V0OrderFlags::default().programs().is_empty());
        let all = V0OrderFlags {
            is_prime: true,
            is_premium_order: true,
            is_business_order: true,
            is_ispu: true,
            is_iba: true,
            is_preorder: true,
        };
        let programs = all.programs();
        assert_eq!(programs.len(), 6);
        assert!(programs.contains(&OrderProgram::Premium));
        assert_eq!(OrderProgram::from("PRIME"), OrderProgram::Prime);
    }

    #[test]
    fn carrier_table_and_other() {
        assert_eq!(Carrier::from("FedEx"), Carrier::FedEx);
        assert_eq!(Carrier::from("Royal Mail").to_string(), "Royal Mail");
        assert!(Carrier::from("Other").is_other_code());
        assert_eq!(Carrier::other().as_str(), "Other");
        assert!(!Carrier::from("Evri").is_other_code());
        assert_eq!(Carrier::from("Evri").as_str(), "Evri");
        // The 51 XSD values minus `Other`, plus Australia Post and Amazon Shipping.
        assert_eq!(Carrier::KNOWN.len(), 52);
    }

    #[test]
    fn carrier_suggestions() {
        assert_eq!(Carrier::suggest("Fedx"), Some("FedEx"));
        assert_eq!(Carrier::suggest("FEDEX"), Some("FedEx"));
        assert_eq!(Carrier::suggest("royal-mail"), Some("Royal Mail"));
        assert_eq!(Carrier::suggest("other"), Some("Other"));
        assert_eq!(Carrier::suggest("Quux Freight Consolidators"), None);
    }

    #[test]
    fn serde_uses_the_amazon_string() {
        let json = serde_json::to_string(&OrderStatus::Canceled).unwrap();
        assert_eq!(json, "\"Canceled\"");
        let back: OrderStatus = serde_json::from_str("\"CANCELLED\"").unwrap();
        assert_eq!(back, OrderStatus::Canceled);
        let other: Carrier = serde_json::from_str("\"Evri\"").unwrap();
        assert_eq!(serde_json::to_string(&other).unwrap(), "\"Evri\"");
        assert!(serde_json::from_str::<Carrier>("42").is_err());
    }

    #[test]
    fn known_names_cover_both_spellings() {
        let names = OrderStatus::known_names();
        assert!(names.contains(&"Canceled"));
        assert!(names.contains(&"CANCELLED"));
        assert_eq!(names.len(), 15);
    }
}
