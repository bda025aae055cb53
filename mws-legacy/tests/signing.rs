//! Signature Version 2 known-answer vectors (fixture file) and properties of the
//! canonicalisation.

use mws_legacy::sign::{self, SignedQuery};
use proptest::prelude::*;
use secrecy::SecretString;
use url::Url;

fn vectors() -> Vec<serde_json::Value> {
    let text = include_str!("fixtures/sigv2-vectors.json");
    let json: serde_json::Value = serde_json::from_str(text).expect("fixture is JSON");
    json["vectors"].as_array().expect("vectors array").clone()
}

#[test]
fn known_answer_vectors() {
    let vectors = vectors();
    assert!(vectors.len() >= 5);
    for v in vectors {
        let id = v["id"].as_str().unwrap();
        let params: Vec<(String, String)> = v["params"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_owned(),
                    p[1].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let url = Url::parse(v["url"].as_str().unwrap()).unwrap();
        let secret = SecretString::from(v["secret"].as_str().unwrap().to_owned());
        let signed = SignedQuery::sign(v["method"].as_str().unwrap(), &url, &params, &secret);
        assert_eq!(
            signed.canonical_query,
            v["canonical_query"].as_str().unwrap(),
            "{id}: canonical query"
        );
        assert_eq!(
            signed.string_to_sign,
            v["string_to_sign"].as_str().unwrap(),
            "{id}: string to sign"
        );
        assert_eq!(
            signed.signature,
            v["signature"].as_str().unwrap(),
            "{id}: signature"
        );
        assert_eq!(signed.signature.len(), 44, "{id}");
        assert_eq!(
            signed.to_query_string(),
            v["query_string"].as_str().unwrap(),
            "{id}: query"
        );
    }
}

#[test]
fn the_published_aws_example_signature() {
    // Kept explicit so the fixture can never drift from the published value.
    let v = &vectors()[0];
    assert_eq!(
        v["signature"],
        "i91nKc4PWAt0JJIdXwz9HxZCJDdiy6cf/Mj6vPxyYIs="
    );
}

#[test]
fn wrong_secret_changes_the_signature() {
    let url = Url::parse("https://mws.amazonservices.com/Orders/2013-09-01").unwrap();
    let p = [("Action", "GetServiceStatus")];
    let a = SignedQuery::sign("POST", &url, &p, &SecretString::from("a".to_owned()));
    let b = SignedQuery::sign("POST", &url, &p, &SecretString::from("b".to_owned()));
    assert_ne!(a.signature, b.signature);
    let get = SignedQuery::sign("GET", &url, &p, &SecretString::from("a".to_owned()));
    assert_ne!(a.signature, get.signature, "the verb is signed");
}

fn is_canonically_encoded(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => i += 1,
            b'%' => {
                let hex = |c: u8| c.is_ascii_digit() || (b'A'..=b'F').contains(&c);
                if i + 2 >= b.len() {
                    return false;
                }
                if !(hex(b[i + 1]) && hex(b[i + 2])) {
                    return false;
                }
                i += 3;
            }
            _ => return false,
        }
    }
    true
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

proptest! {
    #[test]
    fn encoding_round_trips_and_uses_only_the_allowed_alphabet(s in any::<String>()) {
        let e = sign::percent_encode(&s);
        prop_assert!(is_canonically_encoded(&e), "not canonical: {}", e);
        prop_assert_eq!(decode(&e), s.clone());
        prop_assert!(!e.contains('+') && !e.contains(' ') && !e.contains("%7E"));
        // Unreserved characters are never encoded, so ASCII alphanumerics survive.
        let kept: String = s.chars().filter(|c| c.is_ascii_alphanumeric() || "-_.~".contains(*c)).collect();
        let kept_in_e: String = e.split('%').enumerate()
            .map(|(i, part)| if i == 0 { part.to_owned() } else { part.chars().skip(2).collect() })
            .collect();
        prop_assert_eq!(kept, kept_in_e);
    }

    #[test]
    fn canonical_query_is_sorted_lossless_and_order_independent(
        params in proptest::collection::vec(("[A-Za-z][A-Za-z0-9.]{0,12}", any::<String>()), 0..12),
        seed in any::<u64>(),
    ) {
        let q = sign::canonical_query(&params);
        // Decoding gives back every parameter (except Signature), sorted by name bytes.
        let decoded: Vec<(String, String)> = if q.is_empty() { vec![] } else {
            q.split('&').map(|kv| {
                let (k, v) = kv.split_once('=').expect("every pair has '='");
                (decode(k), decode(v))
            }).collect()
        };
        let mut expected: Vec<(String, String)> = params.iter().filter(|(k, _)| k != "Signature").cloned().collect();
        expected.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(&b.1)));
        prop_assert_eq!(&decoded, &expected);
        for w in decoded.windows(2) {
            prop_assert!(w[0].0.as_bytes() <= w[1].0.as_bytes());
        }
        // Input order does not matter.
        let mut shuffled = params.clone();
        let n = shuffled.len();
        if n > 1 {
            let mut x = seed;
            for i in (1..n).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                shuffled.swap(i, (x % (i as u64 + 1)) as usize);
            }
        }
        prop_assert_eq!(sign::canonical_query(&shuffled), q);
    }

    #[test]
    fn signature_is_44_base64_chars_and_deterministic(
        params in proptest::collection::vec(("[A-Za-z]{1,8}", ".{0,20}"), 0..6),
        secret in ".{0,40}",
    ) {
        let url = Url::parse("https://mws.amazonservices.com/Orders/2013-09-01").unwrap();
        let secret = SecretString::from(secret);
        let a = SignedQuery::sign("POST", &url, &params, &secret);
        let b = SignedQuery::sign("POST", &url, &params, &secret);
        prop_assert_eq!(a.signature.len(), 44);
        prop_assert!(a.signature.ends_with('='));
        prop_assert_eq!(&a, &b);
        let tail = format!("Signature={}", sign::percent_encode(&a.signature));
        prop_assert!(a.to_query_string().ends_with(&tail));
    }
}
