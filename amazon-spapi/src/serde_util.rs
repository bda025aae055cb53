//! Serde helpers shared by the models: open enums, lenient booleans, decimals and dates.
//!
//! Amazon's responses are not always what the models promise (the sandbox sends booleans as
//! strings and echo dates as epoch floats), so the decoders here accept every spelling seen
//! in the official examples and report anything else with its JSON path.
//!
//! Where `serde_with` expresses a rule, the models use it (`null` for an empty list is
//! `#[serde_as(as = "DefaultOnNull")]`). What stays here, and why:
//!
//! * **Timestamps**: one field may hold RFC 3339, ISO 8601 without offset (UTC meant),
//!   or epoch seconds as a float string with an exponent (`1.569521782042E9`), parsed
//!   exactly through a decimal. `serde_with`'s time adapters take one format each and
//!   read epoch fractions through `f64`; the optional, lenient variant
//!   (`timestamp_opt`) must also turn an unparseable echo into `None` while the strict one
//!   (`timestamp_opt_strict`, for watermarks) must fail, which one visitor each states.
//! * **Booleans** (`lenient_bool`): `true`, `"true"`, `"1"`, `"yes"`, `1` and `""` (absent)
//!   all occur; `PickFirst<(_, BoolFromInt, DisplayFromStr)>` covers the first three
//!   spellings but not `"yes"`/`"no"` nor the empty string.
//! * **Decimals** (`decimal`, `decimal_opt`): strings per the models, JSON numbers
//!   leniently, never through binary floating point, with `""` as absent;
//!   `DisplayFromStr` does not accept a JSON number, and rust_decimal's own serde reads a
//!   number through `f64` unless `arbitrary_precision` is on for the whole workspace.
//! * **Open enums** (`open_enum!`): an unknown wire value kept as `Unknown(String)` with
//!   `as_str`, `FromStr` and `KNOWN`; `serde_with` has no such adapter.

use rust_decimal::Decimal;
use serde::Serializer;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;
use std::str::FromStr;
use time::OffsetDateTime;
use time::format_description::well_known::{Iso8601, Rfc3339};

/// Declares an enum whose wire values are strings that Amazon may extend: every listed
/// value gets a variant, anything else decodes into `Unknown(String)`.
///
/// `Unknown` (not `Other`) is the catch-all because some Amazon enums already have a real
/// value named `Other` (for example `PaymentMethod`).
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know; the wire string is kept.
            Unknown(String),
        }

        impl $name {
            /// Every value this version knows, in the model's order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(s) => s.as_str(),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(match s {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                struct V;
                impl<'de> ::serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> ::std::result::Result<$name, E> {
                        Ok(match v {
                            $( $wire => $name::$variant, )+
                            other => $name::Unknown(other.to_owned()),
                        })
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}
pub(crate) use open_enum;

/// Writes a `Debug` impl that prints the listed fields and hides the PII ones.
macro_rules! redacted_debug {
    ($name:ident { show: [$($show:ident),*], hide: [$($hide:ident),*] }) => {
        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let mut d = f.debug_struct(stringify!($name));
                $( d.field(stringify!($show), &self.$show); )*
                $( d.field(stringify!($hide), &$crate::serde_util::Redacted(self.$hide.is_some())); )*
                d.finish()
            }
        }
    };
}
pub(crate) use redacted_debug;

/// Debug stand-in for a PII field: says whether it was present, never what it holds.
pub(crate) struct Redacted(pub(crate) bool);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 {
            f.write_str("Some(<redacted>)")
        } else {
            f.write_str("None")
        }
    }
}

/// Formats a timestamp the way Amazon accepts it: UTC with a `Z` suffix, whole seconds
/// unless the value carries sub-second precision (then milliseconds).
pub fn format_utc(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let (y, mo, d) = (t.year(), u8::from(t.month()), t.day());
    let (h, mi, s) = (t.hour(), t.minute(), t.second());
    let ms = t.millisecond();
    if t.nanosecond() == 0 {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
    }
}

/// Parses an Amazon timestamp: RFC 3339, other ISO 8601 forms, or epoch seconds written as
/// a (possibly float, possibly exponent) number string like the sandbox's `1.569521782042E9`.
pub fn parse_timestamp(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t);
    }
    // A date-time without an offset: Amazon means UTC.
    if let Ok(t) = time::PrimitiveDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t.assume_utc());
    }
    if s.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        // Epoch seconds, parsed exactly (never through f64).
        let secs = Decimal::from_str(s)
            .or_else(|_| Decimal::from_scientific(s))
            .ok()?;
        if secs.abs() >= Decimal::from(100_000_000_000i64) {
            return None;
        }
        let nanos = (secs * Decimal::from(1_000_000_000i64)).trunc();
        let nanos: i128 = nanos.to_string().parse().ok()?;
        return OffsetDateTime::from_unix_timestamp_nanos(nanos).ok();
    }
    None
}

struct TsVisitor;

impl<'de> Visitor<'de> for TsVisitor {
    type Value = Option<OffsetDateTime>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an ISO 8601 timestamp or epoch seconds")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(parse_timestamp(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(OffsetDateTime::from_unix_timestamp(v).ok())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(i64::try_from(v)
            .ok()
            .and_then(|v| OffsetDateTime::from_unix_timestamp(v).ok()))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(TsVisitor)
    }
}

/// Timestamps that must be present and parseable.
pub(crate) mod timestamp {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        struct Strict;
        impl<'de> Visitor<'de> for Strict {
            type Value = OffsetDateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 8601 timestamp")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                parse_timestamp(v)
                    .ok_or_else(|| E::custom(format_args!("unparseable timestamp {v:?}")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                self.visit_str(&v.to_string())
            }
        }
        d.deserialize_any(Strict)
    }

    pub(crate) fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_utc(*t))
    }
}

/// Optional timestamps: missing, `null`, empty or unparseable values become `None` instead
/// of failing the whole response (the sandbox echoes epoch floats and 1970 dates).
pub(crate) mod timestamp_opt {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        d.deserialize_option(TsVisitor)
    }

    pub(crate) fn serialize<S: Serializer>(
        t: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format_utc(*t)),
            None => s.serialize_none(),
        }
    }
}

/// Optional timestamps that must parse when present: a watermark (`LastUpdatedBefore`,
/// `CreatedBefore`) is what a caller stores as its next cursor, so an unparseable one
/// fails the decode (with its JSON path) instead of silently becoming `None`. Missing,
/// `null` and empty values are `None`.
pub(crate) mod timestamp_opt_strict {
    use super::*;

    struct Strict;
    impl<'de> Visitor<'de> for Strict {
        type Value = Option<OffsetDateTime>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an ISO 8601 timestamp or epoch seconds")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.trim().is_empty() {
                return Ok(None);
            }
            parse_timestamp(v)
                .map(Some)
                .ok_or_else(|| E::custom(format_args!("unparseable timestamp {v:?}")))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(Strict)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        d.deserialize_option(Strict)
    }

    pub(crate) use super::timestamp_opt::serialize;
}

/// Booleans that Amazon sometimes sends as `"true"` / `"false"` strings.
pub(crate) mod lenient_bool {
    use super::*;

    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean or \"true\"/\"false\"")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.trim() {
                s if s.eq_ignore_ascii_case("true")
                    || s == "1"
                    || s.eq_ignore_ascii_case("yes") =>
                {
                    Ok(Some(true))
                }
                s if s.eq_ignore_ascii_case("false")
                    || s == "0"
                    || s.eq_ignore_ascii_case("no") =>
                {
                    Ok(Some(false))
                }
                "" => Ok(None),
                other => Err(E::custom(format_args!("not a boolean: {other:?}"))),
            }
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            match v {
                0 => Ok(Some(false)),
                1 => Ok(Some(true)),
                _ => Err(E::custom(format_args!("not a boolean: {v}"))),
            }
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            self.visit_u64(u64::try_from(v).map_err(|_| E::custom("negative boolean"))?)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(V)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        d.deserialize_option(V)
    }

    pub(crate) fn serialize<S: Serializer>(b: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
        match b {
            Some(b) => s.serialize_bool(*b),
            None => s.serialize_none(),
        }
    }
}

/// Decimal amounts sent as strings (as the models say) or, leniently, as JSON numbers.
pub(crate) mod decimal_opt {
    use super::*;

    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Decimal>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal amount")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            Decimal::from_str(v)
                .or_else(|_| Decimal::from_scientific(v))
                .map(Some)
                .map_err(|_| E::custom(format_args!("not a decimal amount: {v:?}")))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            // Go through the shortest decimal text of the float, never through binary maths.
            self.visit_str(&v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(Decimal::from(v)))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(Decimal::from(v)))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(V)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Decimal>, D::Error> {
        d.deserialize_option(V)
    }

    pub(crate) fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&v.to_string()),
            None => s.serialize_none(),
        }
    }
}

/// A required decimal amount (v2026 `Money.amount`).
pub(crate) mod decimal {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        decimal_opt::deserialize(d)?.ok_or_else(|| de::Error::custom("missing decimal amount"))
    }

    pub(crate) fn serialize<S: Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_with_z() {
        let t = time::macros::datetime!(2024-05-01 10:20:30 +02:00);
        assert_eq!(format_utc(t), "2024-05-01T08:20:30Z");
        let t = time::macros::datetime!(2022-02-11 01:00:00.5 UTC);
        assert_eq!(format_utc(t), "2022-02-11T01:00:00.500Z");
    }

    #[test]
    fn parses_epoch_float_strings() {
        let t = parse_timestamp("1.569521782042E9").expect("epoch float");
        assert_eq!(t.unix_timestamp(), 1_569_521_782);
        assert!(parse_timestamp("TEST_CASE_200").is_none());
        assert!(parse_timestamp("02/21/2022").is_none());
        assert_eq!(
            parse_timestamp("2024-12-25T02:30:00Z").map(|t| t.unix_timestamp()),
            Some(1_735_093_800)
        );
        assert!(parse_timestamp("2024-12-25T02:30:00.000Z").is_some());
        assert!(parse_timestamp("2024-12-25T02:30:00").is_some());
    }
}
