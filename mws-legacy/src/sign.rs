//! Signature Version 2 (HmacSHA256) and `Content-MD5`, as MWS specifies them.
//!
//! The signature covers `HTTPVerb \n lowercase(Host) \n HTTPRequestURI \n CanonicalizedQuery`,
//! where the canonical query holds every parameter except `Signature`, sorted by name in
//! byte order, each name and value percent-encoded per RFC 3986 (unreserved characters
//! `A-Z a-z 0-9 - _ . ~` kept, everything else `%XX` with upper-case hex, space as `%20`).
//! Everything here is pure: no clock, no I/O.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use md5::{Digest as _, Md5};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use time::OffsetDateTime;
use url::Url;

/// Every byte except the RFC 3986 unreserved characters is percent-encoded.
const ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The only signature method this crate emits.
pub const SIGNATURE_METHOD: &str = "HmacSHA256";
/// The signature version this crate emits.
pub const SIGNATURE_VERSION: &str = "2";

/// Percent-encodes `s` the way Signature Version 2 requires (RFC 3986, upper-case hex,
/// UTF-8 bytes, space as `%20`, `~` kept, `*` as `%2A`).
pub fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, ENCODE_SET).to_string()
}

/// Builds the canonical query string: all parameters except `Signature`, sorted by name in
/// byte order (then by value, so duplicates are deterministic), names and values encoded
/// with [`percent_encode`], joined as `name=value` with `&`.
pub fn canonical_query<K, V>(params: &[(K, V)]) -> String
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .filter(|(k, _)| *k != "Signature")
        .collect();
    pairs.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(b.1)));
    let mut out = String::with_capacity(pairs.iter().map(|(k, v)| k.len() + v.len() + 8).sum());
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(utf8_percent_encode(k, ENCODE_SET));
        out.push('=');
        out.extend(utf8_percent_encode(v, ENCODE_SET));
    }
    out
}

/// The `Host` value that is signed: the host in lower case, with `:port` only when the URL
/// names a port that is not the scheme's default.
pub fn signing_host(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

/// The `HTTPRequestURI` that is signed: the absolute path, each segment percent-encoded,
/// `/` when the path is empty.
pub fn signing_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    let mut out = String::with_capacity(path.len());
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        // The path may arrive already percent-encoded (from `Url::path`); decode first so
        // that it is encoded exactly once.
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        out.extend(utf8_percent_encode(&decoded, ENCODE_SET));
    }
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    out
}

/// Assembles the string to sign from its four parts.
pub fn string_to_sign(method: &str, host: &str, path: &str, canonical_query: &str) -> String {
    format!(
        "{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        host.to_ascii_lowercase(),
        path,
        canonical_query
    )
}

/// `Base64(HMAC-SHA256(secret, string_to_sign))`.
pub fn hmac_sha256_base64(secret: &SecretString, string_to_sign: &str) -> String {
    // HMAC accepts keys of any length, so `new_from_slice` never fails; should it ever,
    // an empty signature makes Amazon answer `SignatureDoesNotMatch` instead of a panic.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()) else {
        return String::new();
    };
    mac.update(string_to_sign.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// `Base64(MD5(body))`, the value of `ContentMD5Value` / `Content-MD5`.
pub fn content_md5(body: &[u8]) -> String {
    BASE64.encode(Md5::digest(body))
}

/// Formats a timestamp as MWS expects it (`2020-05-28T11:22:24.768Z`, always UTC,
/// milliseconds).
pub fn format_timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// The result of signing one request: what was signed and the signature. `Debug` prints
/// the credential parameters (`AWSAccessKeyId`, `MWSAuthToken`, `SellerId`, `Merchant`) as
/// `[redacted]`, as [`Credentials`](crate::Credentials) does, and the buyer's `BuyerEmail`
/// too.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedQuery {
    /// The canonical query (without `Signature`).
    pub canonical_query: String,
    /// The exact string that was signed.
    pub string_to_sign: String,
    /// The Base64 signature (44 characters).
    pub signature: String,
}

/// Parameters whose values identify or authorise the seller, or are buyer PII.
const REDACTED_PARAMS: &[&str] = &[
    "AWSAccessKeyId",
    "MWSAuthToken",
    "SellerId",
    "Merchant",
    "BuyerEmail",
];

/// `text` (a canonical query, or a string to sign ending in one) with the values of
/// [`REDACTED_PARAMS`] replaced by `[redacted]`.
fn redact_credentials(text: &str) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            // In a string to sign the first name follows the method, host and path lines.
            Some((name, _))
                if REDACTED_PARAMS.contains(&name.rsplit('\n').next().unwrap_or(name)) =>
            {
                format!("{name}=[redacted]")
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

impl fmt::Debug for SignedQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedQuery")
            .field(
                "canonical_query",
                &redact_credentials(&self.canonical_query),
            )
            .field("string_to_sign", &redact_credentials(&self.string_to_sign))
            .field("signature", &self.signature)
            .finish()
    }
}

impl SignedQuery {
    /// Signs `params` for a request with `method` to `url` (whose path is the signed
    /// `HTTPRequestURI`; its query is ignored).
    pub fn sign<K, V>(method: &str, url: &Url, params: &[(K, V)], secret: &SecretString) -> Self
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let canonical_query = canonical_query(params);
        let string_to_sign = string_to_sign(
            method,
            &signing_host(url),
            &signing_path(url.path()),
            &canonical_query,
        );
        let signature = hmac_sha256_base64(secret, &string_to_sign);
        Self {
            canonical_query,
            string_to_sign,
            signature,
        }
    }

    /// The query (or form body) to send: the canonical query followed by
    /// `&Signature=<encoded signature>`.
    pub fn to_query_string(&self) -> String {
        let mut out = String::with_capacity(self.canonical_query.len() + 70);
        out.push_str(&self.canonical_query);
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str("Signature=");
        out.push_str(&percent_encode(&self.signature));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_query_debug_hides_credentials() {
        let url = Url::parse("https://mws.amazonservices.com/Orders/2013-09-01").unwrap();
        let params = [
            ("AWSAccessKeyId", "AKIA-ACCESS-9X"),
            ("Action", "ListOrders"),
            ("BuyerEmail", "jane@buyer.example"),
            ("MWSAuthToken", "amzn.mws.tok-55"),
            ("SellerId", "SELLER-7Q2"),
            ("Timestamp", "2020-01-01T00:00:00Z"),
        ];
        let signed = SignedQuery::sign("POST", &url, &params, &SecretString::from("k".to_owned()));
        assert!(
            signed
                .canonical_query
                .contains("MWSAuthToken=amzn.mws.tok-55")
        );
        let shown = format!("{signed:?}");
        for secret in [
            "AKIA-ACCESS-9X",
            "amzn.mws.tok-55",
            "SELLER-7Q2",
            "buyer.example",
        ] {
            assert!(!shown.contains(secret), "{secret} shown in {shown}");
        }
        assert!(
            shown.contains("AWSAccessKeyId=[redacted]&Action=ListOrders"),
            "{shown}"
        );
        assert!(
            shown.contains("Timestamp=2020-01-01T00%3A00%3A00Z"),
            "{shown}"
        );
        assert!(shown.contains(&signed.signature), "{shown}");
    }

    #[test]
    fn encoding_classes() {
        assert_eq!(percent_encode("a b"), "a%20b");
        assert_eq!(percent_encode("~,"), "~%2C");
        assert_eq!(percent_encode("*"), "%2A");
        assert_eq!(percent_encode("+/="), "%2B%2F%3D");
        assert_eq!(percent_encode("\u{2026}"), "%E2%80%A6");
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
    }

    #[test]
    fn sorting_is_byte_order() {
        let q = canonical_query(&[
            ("MarketplaceId", "x"),
            ("MWSAuthToken", "y"),
            ("A10", ""),
            ("A1", "1"),
            ("Signature", "dropped"),
        ]);
        assert_eq!(q, "A1=1&A10=&MWSAuthToken=y&MarketplaceId=x");
    }

    #[test]
    fn host_and_path_rules() {
        let url = Url::parse("https://MWS.AmazonServices.com/Orders/2013-09-01").unwrap();
        assert_eq!(signing_host(&url), "mws.amazonservices.com");
        let url = Url::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(signing_host(&url), "127.0.0.1:8080");
        assert_eq!(signing_path(url.path()), "/");
        let url = Url::parse("https://example.com:443/a b/c").unwrap();
        assert_eq!(signing_host(&url), "example.com");
        assert_eq!(signing_path(url.path()), "/a%20b/c");
        assert_eq!(signing_path(""), "/");
    }

    #[test]
    fn timestamp_format() {
        let t = time::macros::datetime!(2020-05-28 13:22:24.768 +02:00);
        assert_eq!(format_timestamp(t), "2020-05-28T11:22:24.768Z");
    }

    #[test]
    fn md5_known_answers() {
        assert_eq!(content_md5(b"abc\tdef"), "Zj+Bh1BJ8HzBb9ToK28qFQ==");
        assert_eq!(content_md5(b"mws"), "mA5nPbh1CSx9M3dbkr3Cyg==");
    }
}
