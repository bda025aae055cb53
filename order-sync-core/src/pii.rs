//! Buyer and recipient personal data, kept apart from the rest of the order.
//!
//! These types hold PII and nothing else. Their `Debug` output never shows a value (only
//! which fields are present), so an order can be logged with `{:?}` safely. Redaction
//! replaces every text field with the marker; the types stay present so a host can tell
//! "redacted" from "never had it".

use std::fmt;

use serde::{Deserialize, Serialize};

/// The default marker written over PII once the retention window has passed.
pub const DEFAULT_REDACTION_MARKER: &str = "Amazon Replaced";

fn redact_field(field: &mut Option<String>, marker: &str) {
    if field.is_some() {
        *field = Some(marker.to_owned());
    }
}

fn presence(f: &mut fmt::DebugStruct<'_, '_>, name: &str, value: &Option<String>) {
    f.field(
        name,
        &if value.is_some() {
            "<redacted>"
        } else {
            "None"
        },
    );
}

/// Who bought the order: name, relay e-mail, company and tax data. Restricted data.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerPii {
    /// The buyer's name.
    pub name: Option<String>,
    /// Amazon's anonymised relay e-mail address.
    pub email: Option<String>,
    /// The buyer's company (business orders).
    pub company: Option<String>,
    /// The buyer's tax registration id (business orders).
    pub tax_id: Option<String>,
    /// The buyer's purchase order number (business orders).
    pub purchase_order_number: Option<String>,
}

impl BuyerPii {
    /// Replaces every present field with `marker`.
    pub fn redact(&mut self, marker: &str) {
        redact_field(&mut self.name, marker);
        redact_field(&mut self.email, marker);
        redact_field(&mut self.company, marker);
        redact_field(&mut self.tax_id, marker);
        redact_field(&mut self.purchase_order_number, marker);
    }

    /// Whether every present field equals `marker`.
    pub fn is_redacted(&self, marker: &str) -> bool {
        [
            &self.name,
            &self.email,
            &self.company,
            &self.tax_id,
            &self.purchase_order_number,
        ]
        .iter()
        .all(|f| f.as_deref().is_none_or(|v| v == marker))
    }
}

impl fmt::Debug for BuyerPii {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("BuyerPii");
        presence(&mut d, "name", &self.name);
        presence(&mut d, "email", &self.email);
        presence(&mut d, "company", &self.company);
        presence(&mut d, "tax_id", &self.tax_id);
        presence(&mut d, "purchase_order_number", &self.purchase_order_number);
        d.finish()
    }
}

/// Whether an address is a home, a business or a pickup point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AddressType {
    /// A home address.
    Residential,
    /// A business address.
    Commercial,
    /// A pickup point or locker.
    PickupPoint,
}

/// A postal address. Every text field except the country code is PII.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Street lines (Amazon sends up to three).
    pub lines: Vec<String>,
    /// City.
    pub city: Option<String>,
    /// County or district.
    pub county: Option<String>,
    /// State or region.
    pub state_or_region: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// ISO 3166 alpha-2 country code. Not PII on its own; kept after redaction.
    pub country_code: Option<String>,
    /// Residential, commercial or pickup point.
    pub address_type: Option<AddressType>,
}

impl Address {
    /// Replaces every PII field with `marker`; keeps the country and address type.
    pub fn redact(&mut self, marker: &str) {
        for line in &mut self.lines {
            *line = marker.to_owned();
        }
        redact_field(&mut self.city, marker);
        redact_field(&mut self.county, marker);
        redact_field(&mut self.state_or_region, marker);
        redact_field(&mut self.postal_code, marker);
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Address");
        d.field("lines", &format_args!("<{} redacted>", self.lines.len()));
        presence(&mut d, "city", &self.city);
        presence(&mut d, "county", &self.county);
        presence(&mut d, "state_or_region", &self.state_or_region);
        presence(&mut d, "postal_code", &self.postal_code);
        d.field("country_code", &self.country_code);
        d.field("address_type", &self.address_type);
        d.finish()
    }
}

/// Who receives the order and where: name, company, phone and delivery address.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// The recipient's name.
    pub name: Option<String>,
    /// The recipient's company.
    pub company: Option<String>,
    /// The recipient's phone (Amazon suppresses it for FBA and after delivery).
    pub phone: Option<String>,
    /// The delivery address.
    pub address: Address,
}

impl Recipient {
    /// Replaces every PII field with `marker`.
    pub fn redact(&mut self, marker: &str) {
        redact_field(&mut self.name, marker);
        redact_field(&mut self.company, marker);
        redact_field(&mut self.phone, marker);
        self.address.redact(marker);
    }

    /// Whether every PII field is absent or equals `marker`.
    pub fn is_redacted(&self, marker: &str) -> bool {
        let a = &self.address;
        [
            &self.name,
            &self.company,
            &self.phone,
            &a.city,
            &a.county,
            &a.state_or_region,
            &a.postal_code,
        ]
        .iter()
        .all(|f| f.as_deref().is_none_or(|v| v == marker))
            && a.lines.iter().all(|l| l == marker)
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Recipient");
        presence(&mut d, "name", &self.name);
        presence(&mut d, "company", &self.company);
        presence(&mut d, "phone", &self.phone);
        d.field("address", &self.address);
        d.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipient() -> Recipient {
        Recipient {
            name: Some("Jane Q. Buyer".into()),
            company: None,
            phone: Some("+1 555 0100".into()),
            address: Address {
                lines: vec!["1 Secret Lane".into()],
                city: Some("Springfield".into()),
                county: None,
                state_or_region: Some("IL".into()),
                postal_code: Some("62704".into()),
                country_code: Some("US".into()),
                address_type: Some(AddressType::Residential),
            },
        }
    }

    #[test]
    fn debug_never_shows_values() {
        let r = recipient();
        let b = BuyerPii {
            name: Some("Jane Q. Buyer".into()),
            email: Some("abc@marketplace.amazon.com".into()),
            ..Default::default()
        };
        let out = format!("{r:?} {b:?} {r:#?}");
        for secret in [
            "Jane",
            "Secret",
            "Springfield",
            "62704",
            "555",
            "abc@",
            "IL",
        ] {
            assert!(!out.contains(secret), "{secret} leaked in {out}");
        }
        assert!(out.contains("US"));
    }

    #[test]
    fn redaction_replaces_everything_but_country() {
        let mut r = recipient();
        assert!(!r.is_redacted("X"));
        r.redact("X");
        assert!(r.is_redacted("X"));
        assert_eq!(r.address.country_code.as_deref(), Some("US"));
        assert_eq!(r.company, None);
        let mut b = BuyerPii {
            email: Some("e".into()),
            ..Default::default()
        };
        b.redact("X");
        assert!(b.is_redacted("X"));
        assert_eq!(b.email.as_deref(), Some("X"));
    }
}
