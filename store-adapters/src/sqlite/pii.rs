//! Buyer and recipient PII: one row per value in `order_pii`, sealed by a [`PiiCipher`].
//!
//! Every personal value of an order (buyer name, e-mail, company, tax id, purchase order
//! number; recipient name, company, phone, address lines, city, county, region, postal
//! code; gift messages; the customer name shaped for the host) is a row
//! `(order_id, field, ordinal, value)`. Nothing personal is stored anywhere else, so:
//!
//! - redaction is one `UPDATE order_pii SET value = ? WHERE order_id = ?`;
//! - erasure is one `DELETE`;
//! - encryption at rest wraps `value` alone: every value passes through
//!   [`PiiCipher::seal`] on the way in and [`PiiCipher::open`] on the way out.
//!
//! The country code and the address type are not personal on their own and stay in
//! `orders`, so reports by country survive redaction.

use std::collections::HashMap;
use std::fmt;

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use order_sync_core::host::HostOrder;

use super::codec::{DbError, DbResult};

/// Seals PII values before they are written and opens them when read: the place where
/// encryption at rest plugs in.
///
/// The default, [`PlaintextPii`], stores values as they are (PII then sits in one table,
/// ready for a cipher, and is still never logged). A deployment that needs encryption at
/// rest supplies an AEAD implementation (for instance XChaCha20-Poly1305 with a key from
/// its secret store, the output encoded as base64 text) through
/// [`SqliteConfig::pii_cipher`](super::SqliteConfig::pii_cipher). The same cipher must
/// be given every time the file is opened.
///
/// Redaction writes `seal(marker)` over every value of an order in one statement, so a
/// cipher must not depend on which field it seals.
pub trait PiiCipher: Send + Sync + fmt::Debug {
    /// Turns a plaintext value into the text stored in the database.
    fn seal(&self, plaintext: &str) -> Result<String, PiiCipherError>;

    /// Turns stored text back into the plaintext value.
    fn open(&self, sealed: &str) -> Result<String, PiiCipherError>;
}

/// A [`PiiCipher`] failed (wrong key, tampered value, ...). Carries no PII.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("PII cipher: {0}")]
pub struct PiiCipherError(pub String);

/// The identity [`PiiCipher`]: values are stored as given.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlaintextPii;

impl PiiCipher for PlaintextPii {
    fn seal(&self, plaintext: &str) -> Result<String, PiiCipherError> {
        Ok(plaintext.to_owned())
    }

    fn open(&self, sealed: &str) -> Result<String, PiiCipherError> {
        Ok(sealed.to_owned())
    }
}

/// One PII value as stored (sealed).
#[derive(Clone)]
pub(crate) struct PiiRow {
    pub(crate) field: String,
    pub(crate) ordinal: i64,
    pub(crate) value: String,
}

// Never print the value, sealed or not.
impl fmt::Debug for PiiRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PiiRow({}[{}])", self.field, self.ordinal)
    }
}

impl PiiRow {
    pub(crate) fn from_row(row: &SqliteRow) -> DbResult<Self> {
        Ok(Self {
            field: row.try_get("field")?,
            ordinal: row.try_get("ordinal")?,
            value: row.try_get("value")?,
        })
    }
}

/// Seals `value` with `cipher`.
pub(crate) fn seal(cipher: &dyn PiiCipher, value: &str) -> DbResult<String> {
    cipher
        .seal(value)
        .map_err(|e| DbError::Invalid(e.to_string()))
}

/// The PII rows of `h`, sealed.
pub(crate) fn pii_rows(h: &HostOrder, cipher: &dyn PiiCipher) -> DbResult<Vec<PiiRow>> {
    let mut rows = Vec::new();
    let mut put = |field: &str, ordinal: usize, value: &str| -> DbResult<()> {
        rows.push(PiiRow {
            field: field.to_owned(),
            ordinal: i64::try_from(ordinal).unwrap_or(i64::MAX),
            value: seal(cipher, value)?,
        });
        Ok(())
    };
    let o = &h.order;
    if let Some(b) = &o.buyer {
        for (field, v) in [
            ("buyer.name", &b.name),
            ("buyer.email", &b.email),
            ("buyer.company", &b.company),
            ("buyer.tax_id", &b.tax_id),
            ("buyer.purchase_order_number", &b.purchase_order_number),
        ] {
            if let Some(v) = v {
                put(field, 0, v)?;
            }
        }
    }
    if let Some(r) = &o.recipient {
        let a = &r.address;
        for (field, v) in [
            ("recipient.name", &r.name),
            ("recipient.company", &r.company),
            ("recipient.phone", &r.phone),
            ("address.city", &a.city),
            ("address.county", &a.county),
            ("address.state_or_region", &a.state_or_region),
            ("address.postal_code", &a.postal_code),
        ] {
            if let Some(v) = v {
                put(field, 0, v)?;
            }
        }
        for (i, line) in a.lines.iter().enumerate() {
            put("address.line", i, line)?;
        }
    }
    for (i, line) in o.lines.iter().enumerate() {
        if let Some(m) = line.gift.as_ref().and_then(|g| g.message.as_deref()) {
            put("gift.message", i, m)?;
        }
    }
    // An empty shaped name means "no such field in the host": nothing to store.
    let c = &h.mapped.customer;
    if !c.first.is_empty() {
        put("customer.first", 0, &c.first)?;
    }
    if !c.last.is_empty() {
        put("customer.last", 0, &c.last)?;
    }
    Ok(rows)
}

/// An order's PII values, opened.
pub(crate) struct PiiValues(HashMap<(String, i64), String>);

impl PiiValues {
    pub(crate) fn get(&self, field: &str) -> Option<String> {
        self.get_at(field, 0)
    }

    pub(crate) fn get_at(&self, field: &str, ordinal: usize) -> Option<String> {
        let ordinal = i64::try_from(ordinal).ok()?;
        self.0.get(&(field.to_owned(), ordinal)).cloned()
    }

    /// Every value of a repeated field, by ordinal.
    pub(crate) fn all(&self, field: &str) -> Vec<String> {
        let mut v: Vec<(i64, &String)> = self
            .0
            .iter()
            .filter(|((f, _), _)| f == field)
            .map(|((_, o), v)| (*o, v))
            .collect();
        v.sort_by_key(|(o, _)| *o);
        v.into_iter().map(|(_, v)| v.clone()).collect()
    }
}

/// Opens the stored rows of one order.
pub(crate) fn read_pii(rows: Vec<PiiRow>, cipher: &dyn PiiCipher) -> DbResult<PiiValues> {
    let mut map = HashMap::with_capacity(rows.len());
    for r in rows {
        let value = cipher
            .open(&r.value)
            .map_err(|e| DbError::Corrupt(format!("order_pii.{}: {e}", r.field)))?;
        map.insert((r.field, r.ordinal), value);
    }
    Ok(PiiValues(map))
}
