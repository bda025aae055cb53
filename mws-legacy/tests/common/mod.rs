//! Helpers shared by the HTTP tests.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use mws_legacy::sign::SignedQuery;
use mws_legacy::{Client, Credentials, Endpoint, RetryConfig};
use secrecy::SecretString;
use time::macros::datetime;
use url::Url;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const SELLER: &str = "A1EXAMPLESELLER";
pub const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
pub const AUTH_TOKEN: &str = "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE";

/// A 200 answer with an XML body.
pub fn xml(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "text/xml")
        .set_body_string(body)
}

pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A client for `server`, with a fixed clock, no request timeout (paused-time tests) and
/// fast retries.
pub fn client(server: &MockServer) -> Client {
    client_with(
        server,
        RetryConfig::default().with_backoff(Duration::from_millis(100), Duration::from_secs(2)),
    )
}

pub fn client_with(server: &MockServer, retry: RetryConfig) -> Client {
    Client::builder(Credentials::new(SELLER, ACCESS_KEY, SECRET).with_mws_auth_token(AUTH_TOKEN))
        .endpoint(Endpoint::custom(&server.uri()).unwrap())
        // No request timeout and no idle-connection timer: with paused tokio time, any
        // pending timer would be auto-advanced while the test waits on the socket.
        .http_client(
            reqwest::Client::builder()
                .pool_idle_timeout(None)
                .build()
                .unwrap(),
        )
        .retry(retry)
        .clock(|| datetime!(2020-05-28 11:22:24.768 UTC))
        .build()
        .unwrap()
}

/// Any request no other mock expects fails loudly.
pub async fn catch_all(server: &MockServer) {
    Mock::given(any())
        .respond_with(|req: &Request| {
            ResponseTemplate::new(599).set_body_string(format!(
                "unexpected request: {} {} {}",
                req.method,
                req.url,
                String::from_utf8_lossy(&req.body)
            ))
        })
        .with_priority(u8::MAX)
        .mount(server)
        .await;
}

/// Splits `a=b&c=d` and percent-decodes; a `+` is kept literally (we never send one).
pub fn decode_pairs(s: &str) -> Vec<(String, String)> {
    if s.is_empty() {
        return Vec::new();
    }
    s.split('&')
        .map(|kv| {
            let (k, v) = kv
                .split_once('=')
                .unwrap_or_else(|| panic!("pair without '=': {kv}"));
            let d = |x: &str| {
                percent_encoding::percent_decode_str(x)
                    .decode_utf8()
                    .unwrap()
                    .into_owned()
            };
            (d(k), d(v))
        })
        .collect()
}

pub fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Checks that `pairs` carry a valid Signature V2 for a POST to `url`.
pub fn assert_signed(server: &MockServer, path: &str, pairs: &[(String, String)], raw: &str) {
    let signature = get(pairs, "Signature").expect("Signature parameter");
    let url = Url::parse(&format!("{}{path}", server.uri())).unwrap();
    let signed = SignedQuery::sign("POST", &url, pairs, &SecretString::from(SECRET.to_owned()));
    assert_eq!(
        signed.signature, signature,
        "signature over {}",
        signed.string_to_sign
    );
    // What was sent is exactly the canonical query plus the signature.
    assert_eq!(raw, signed.to_query_string());
    assert!(
        !raw.contains('+'),
        "a '+' would be decoded as a space: {raw}"
    );
}
