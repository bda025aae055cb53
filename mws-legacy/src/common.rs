//! Types shared by the sections: string enums with an `Other` arm, money, PII wrapper,
//! and the reading of `ErrorResponse` documents.

use std::fmt;

use rust_decimal::Decimal;

use crate::error::{ApiError, Error, MwsError, XmlError};
use crate::xml::{self, Doc, Node};

/// Declares a `#[non_exhaustive]` enum of MWS wire strings with an `Other(String)` arm that
/// keeps unknown values verbatim. Parsing trims whitespace and never fails.
macro_rules! string_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident => $wire:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                #[doc = concat!("`", $wire, "`")]
                $variant,
            )*
            /// A value this crate does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The value as MWS writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Other(s) => s.as_str(),
                }
            }

            /// Every known value (without `Other`).
            pub const KNOWN: &'static [$name] = &[$(Self::$variant),*];
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s.trim() {
                    $($wire => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

/// Buyer personal data. `Debug` prints `[PII]`; read the value with [`Pii::expose`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Pii<T>(T);

impl<T> Pii<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The wrapped value. Do not log it.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Pii<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[PII]")
    }
}

/// An amount as MWS sent it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Amount {
    /// A decimal amount.
    Value(Decimal),
    /// Text that is not a number, kept verbatim: recorded traffic whose amounts were
    /// redacted (`FILTERED`) or schema placeholders (`String`). Amazon itself always sent
    /// numbers; treat this as "amount unknown", never as zero.
    Unreadable(String),
}

/// A currency amount (`CurrencyCode` + `Amount`, in either order).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Money {
    /// ISO 4217 currency code (may be empty if MWS omitted it).
    pub currency_code: String,
    /// The amount.
    pub amount: Amount,
}

impl Money {
    /// Money with a known decimal amount.
    pub fn new(currency_code: impl Into<String>, amount: Decimal) -> Self {
        Self {
            currency_code: currency_code.into(),
            amount: Amount::Value(amount),
        }
    }

    /// The decimal amount, `None` when it was unreadable.
    pub fn value(&self) -> Option<Decimal> {
        match &self.amount {
            Amount::Value(d) => Some(*d),
            Amount::Unreadable(_) => None,
        }
    }

    pub(crate) fn read(node: Node<'_>) -> Result<Money, XmlError> {
        let currency_code = node.opt_str("CurrencyCode").unwrap_or_default();
        let amount_node = node.req("Amount")?;
        let text = amount_node.text();
        let amount = match xml::parse_decimal(text) {
            Ok(d) => Amount::Value(d),
            Err(_) if !text.is_empty() && !text.bytes().any(|b| b.is_ascii_digit()) => {
                Amount::Unreadable(text.to_owned())
            }
            Err(e) => return Err(amount_node.error(e)),
        };
        Ok(Money {
            currency_code,
            amount,
        })
    }

    pub(crate) fn read_opt(node: Node<'_>, name: &str) -> Result<Option<Money>, XmlError> {
        match node.child(name) {
            Some(c) if c.has_children() => Money::read(c).map(Some),
            _ => Ok(None),
        }
    }
}

/// The `ResponseMetadata/RequestId` of a success response.
pub(crate) fn request_id(root: Node<'_>) -> Option<String> {
    root.child("ResponseMetadata")
        .and_then(|m| m.opt_str("RequestId"))
        .or_else(|| root.opt_str("RequestId"))
        .or_else(|| root.opt_str("RequestID"))
}

/// Reads an `ErrorResponse` document. Returns `None` when `body` is not one.
pub fn parse_error_response(body: &[u8]) -> Option<(Vec<MwsError>, Option<String>)> {
    let text = xml::decode_bytes(body);
    let doc = Doc::parse(&text).ok()?;
    let root = doc.root();
    if root.name() != "ErrorResponse" {
        return None;
    }
    let errors = root
        .children_named("Error")
        .map(|e| MwsError {
            error_type: e.opt_str("Type"),
            code: e.opt_str("Code").unwrap_or_default(),
            message: e.opt_str("Message").unwrap_or_default(),
            detail: e.child("Detail").and_then(|d| {
                if d.has_children() {
                    Some(
                        d.children()
                            .map(|c| c.name().to_owned())
                            .collect::<Vec<_>>()
                            .join(","),
                    )
                    .filter(|s| !s.is_empty())
                } else {
                    d.opt_text()
                }
            }),
        })
        .collect();
    Some((errors, request_id(root)))
}

/// Builds the [`Error`] for a non-success HTTP response.
pub(crate) fn api_error(
    operation: &'static str,
    status: u16,
    body: &[u8],
    header_request_id: Option<String>,
) -> Error {
    let (errors, request_id, body_excerpt) = match parse_error_response(body) {
        Some((errors, rid)) => (errors, rid.or(header_request_id), None),
        None => {
            let text = String::from_utf8_lossy(body);
            let excerpt: String = text.chars().take(200).collect();
            (Vec::new(), header_request_id, Some(excerpt))
        }
    };
    Error::Api(Box::new(ApiError {
        operation,
        status,
        errors,
        request_id,
        body_excerpt,
    }))
}

#[cfg(test)]
#[allow(unreachable_pub)]
mod tests {
    use super::*;

    string_enum! {
        /// Test enum.
        pub enum Colour { Red => "Red", Green => "Green", }
    }

    #[test]
    fn string_enum_round_trips_and_keeps_unknowns() {
        assert_eq!(Colour::from(" Red\n"), Colour::Red);
        assert_eq!(Colour::from("Blue"), Colour::Other("Blue".into()));
        assert_eq!(Colour::from("Blue").as_str(), "Blue");
        assert_eq!(Colour::KNOWN.len(), 2);
        assert_eq!(Colour::Green.to_string(), "Green");
    }

    #[test]
    fn pii_is_hidden() {
        let p = Pii::new("Jane Doe".to_owned());
        assert_eq!(format!("{p:?}"), "[PII]");
        assert_eq!(p.expose(), "Jane Doe");
    }

    #[test]
    fn money_either_order_and_unreadable() {
        let doc =
            Doc::parse("<M><Amount>1.50</Amount><CurrencyCode>EUR</CurrencyCode></M>").unwrap();
        let m = Money::read(doc.root()).unwrap();
        assert_eq!(m.value().unwrap().to_string(), "1.50");
        assert_eq!(m.currency_code, "EUR");
        let doc =
            Doc::parse("<M><CurrencyCode>SGD</CurrencyCode><Amount>FILTERED</Amount></M>").unwrap();
        let m = Money::read(doc.root()).unwrap();
        assert_eq!(m.amount, Amount::Unreadable("FILTERED".into()));
        let doc =
            Doc::parse("<M><CurrencyCode>SGD</CurrencyCode><Amount>1,5</Amount></M>").unwrap();
        let err = Money::read(doc.root()).unwrap_err();
        assert_eq!(err.path, "M/Amount");
    }

    #[test]
    fn error_response_with_empty_type() {
        let body = br#"<?xml version="1.0"?><ErrorResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01"><Error><Type></Type><Code>RequestThrottled</Code><Message>Request is throttled</Message></Error><RequestID>c09d</RequestID></ErrorResponse>"#;
        let (errors, rid) = parse_error_response(body).unwrap();
        assert_eq!(errors[0].code, "RequestThrottled");
        assert_eq!(errors[0].error_type, None);
        assert_eq!(rid.as_deref(), Some("c09d"));
        assert!(parse_error_response(b"<html>oops</html>").is_none());
    }
}
