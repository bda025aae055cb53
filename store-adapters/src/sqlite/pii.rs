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
/// [`XChaChaPii`] encrypts with XChaCha20-Poly1305; the default, [`PlaintextPii`], stores
/// values as they are (PII then sits in one table, ready for a cipher, and is still never
/// logged). Another scheme (a KMS envelope, a hardware key) implements this trait. The
/// cipher is given through [`SqliteConfig::pii_cipher`](super::SqliteConfig::pii_cipher),
/// and the same one must be given every time the file is opened.
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

/// A [`PiiCipher`] that encrypts every value with XChaCha20-Poly1305 under a 256-bit
/// key: each value gets a fresh random 192-bit nonce and is stored as
/// `x1:` + base64(nonce ‖ ciphertext ‖ tag). A value sealed under another key, or
/// changed in the file, fails to open (an error, never wrong data).
///
/// The key comes from the deployment's secret store; lose it and the PII is gone (the
/// rest of every order stays readable). `Debug` never shows it.
///
/// ```
/// use std::sync::Arc;
/// use store_adapters::sqlite::{PiiCipher, SqliteConfig, XChaChaPii};
///
/// let cipher = XChaChaPii::from_base64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")?;
/// let sealed = cipher.seal("Ada Lovelace")?;
/// assert!(!sealed.contains("Ada"));
/// assert_eq!(cipher.open(&sealed)?, "Ada Lovelace");
/// let config = SqliteConfig::default().pii_cipher(Arc::new(cipher));
/// # let _ = config;
/// # Ok::<(), store_adapters::sqlite::PiiCipherError>(())
/// ```
pub struct XChaChaPii {
    cipher: chacha20poly1305::XChaCha20Poly1305,
}

const SEALED_PREFIX: &str = "x1:";
const NONCE_LEN: usize = 24;

impl XChaChaPii {
    /// A cipher with this 256-bit key.
    pub fn new(key: &[u8; 32]) -> Self {
        use chacha20poly1305::KeyInit;
        Self {
            cipher: chacha20poly1305::XChaCha20Poly1305::new(key.into()),
        }
    }

    /// A cipher with a key given as standard base64 of 32 bytes (as kept in a config or
    /// environment secret).
    pub fn from_base64(key: &str) -> Result<Self, PiiCipherError> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(key.trim())
            .map_err(|_| PiiCipherError("the PII key is not valid base64".into()))?;
        let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
            PiiCipherError(format!("the PII key must be 32 bytes, not {}", bytes.len()))
        })?;
        Ok(Self::new(&key))
    }
}

impl fmt::Debug for XChaChaPii {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("XChaChaPii(<key>)")
    }
}

impl PiiCipher for XChaChaPii {
    fn seal(&self, plaintext: &str) -> Result<String, PiiCipherError> {
        use base64::Engine;
        use chacha20poly1305::aead::{Aead, AeadCore, OsRng};
        let nonce = chacha20poly1305::XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher
            .encrypt(&nonce, plaintext.as_bytes())
            .map_err(|_| PiiCipherError("encryption failed".into()))?;
        let mut raw = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&ciphertext);
        Ok(format!(
            "{SEALED_PREFIX}{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(raw)
        ))
    }

    fn open(&self, sealed: &str) -> Result<String, PiiCipherError> {
        use base64::Engine;
        use chacha20poly1305::aead::Aead;
        let body = sealed
            .strip_prefix(SEALED_PREFIX)
            .ok_or_else(|| PiiCipherError("value is not sealed by XChaChaPii".into()))?;
        let raw = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(body)
            .map_err(|_| PiiCipherError("sealed value is not valid base64".into()))?;
        if raw.len() < NONCE_LEN {
            return Err(PiiCipherError("sealed value is too short".into()));
        }
        let (nonce, ciphertext) = raw.split_at(NONCE_LEN);
        let plaintext = self
            .cipher
            .decrypt(chacha20poly1305::XNonce::from_slice(nonce), ciphertext)
            .map_err(|_| {
                PiiCipherError("sealed value does not open with this key (or was altered)".into())
            })?;
        String::from_utf8(plaintext).map_err(|_| PiiCipherError("opened value is not UTF-8".into()))
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

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn xchacha_round_trips_with_fresh_nonces() {
        let c = XChaChaPii::new(&KEY);
        let a = c.seal("Ada Lovelace").unwrap();
        let b = c.seal("Ada Lovelace").unwrap();
        assert_ne!(a, b, "each seal uses a fresh nonce");
        assert!(a.starts_with("x1:") && !a.contains("Ada"));
        assert_eq!(c.open(&a).unwrap(), "Ada Lovelace");
        assert_eq!(c.open(&c.seal("").unwrap()).unwrap(), "");
        assert_eq!(c.open(&c.seal("Zoë 😀").unwrap()).unwrap(), "Zoë 😀");
    }

    #[test]
    fn xchacha_refuses_other_keys_tampering_and_garbage() {
        let c = XChaChaPii::new(&KEY);
        let sealed = c.seal("12 Analytical Way").unwrap();
        assert!(XChaChaPii::new(&[8; 32]).open(&sealed).is_err());
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(c.open(&String::from_utf8(tampered).unwrap()).is_err());
        for garbage in ["", "x1:", "x1:!!!", "plain text", "x1:AAAA"] {
            assert!(c.open(garbage).is_err(), "{garbage:?}");
        }
        let err = c.open("x1:AAAA").unwrap_err();
        assert!(!format!("{err} {c:?}").contains("Analytical"));
    }

    #[test]
    fn keys_from_base64_must_be_32_bytes() {
        assert!(XChaChaPii::from_base64("AAAA").is_err());
        assert!(XChaChaPii::from_base64("not base64!").is_err());
        let k = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
        let c = XChaChaPii::from_base64(k).unwrap();
        let sealed = XChaChaPii::new(&KEY).seal("x").unwrap();
        assert_eq!(c.open(&sealed).unwrap(), "x", "same key, same result");
    }
}
