//! Sans-IO operations: each SP-API operation is a value that knows how to become an HTTP
//! request and how to decode its success body. The [`Client`](crate::Client) does the I/O.

use crate::error::{Error, Result};
use crate::rate_limit::RateLimit;
use crate::tokens::RestrictedResource;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

/// Static facts about one operation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OperationInfo {
    /// Amazon's `operationId`, e.g. `getOrders`.
    pub name: &'static str,
    /// Published default usage plan.
    pub limit: RateLimit,
    /// Whether repeating the request after an ambiguous failure (timeout, 5xx) is safe.
    /// Operations that are not are retried only after 429 or a failure to connect.
    pub idempotent: bool,
}

impl OperationInfo {
    pub(crate) const fn new(name: &'static str, rate: f64, burst: u32, idempotent: bool) -> Self {
        OperationInfo {
            name,
            limit: RateLimit { rate, burst },
            idempotent,
        }
    }
}

/// Which limit a 429 exhausted. Listings names it at the end of the message ("... allowed
/// for the application.", "... for relationships.", "... for product data."); other APIs
/// throttle per selling partner and application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ThrottleScope {
    /// The selling partner's limit for this application (the per-seller bucket).
    SellingPartner,
    /// The application's limit across all its sellers.
    Application,
    /// The application's limit for requests touching variation relationships.
    Relationships,
    /// The application's limit for requests touching product data.
    ProductData,
}

impl ThrottleScope {
    /// Reads the scope from a 429's error message (`None`: the message names none).
    pub fn from_message(message: &str) -> Option<Self> {
        let m = message.trim().trim_end_matches('.').to_ascii_lowercase();
        if m.ends_with("for the application") {
            Some(ThrottleScope::Application)
        } else if m.ends_with("for relationships") {
            Some(ThrottleScope::Relationships)
        } else if m.ends_with("for product data") {
            Some(ThrottleScope::ProductData)
        } else {
            None
        }
    }
}

/// An application-wide bucket a request draws from on top of its per-seller one: one
/// bucket per (application, endpoint, name), shared by every seller the application
/// serves through the same [`RateLimiter`](crate::RateLimiter). Amazon's
/// `x-amzn-RateLimit-Limit` never shows these limits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ApplicationLimit {
    /// The bucket's name (e.g. `patchListingsItem`, `listings:productData`).
    pub name: &'static str,
    /// The 429 scope that names this limit.
    pub scope: ThrottleScope,
    /// The published limit.
    pub limit: RateLimit,
}

/// HTTP methods SP-API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

/// What to send: the client adds host, auth, user agent and content type. `Debug` prints
/// the values of buyer-PII query parameters (`BuyerEmail`) as `<redacted>`.
#[derive(Clone, PartialEq)]
pub struct RequestParts {
    /// HTTP method.
    pub method: Method,
    /// Path, already percent-encoded (e.g. `/orders/v0/orders/902-1845936-5435065`).
    pub path: String,
    /// Query parameters in order, not yet encoded (the client encodes them).
    pub query: Vec<(String, String)>,
    /// JSON body, if any.
    pub body: Option<serde_json::Value>,
    /// When set, the call needs a restricted data token for this resource instead of the
    /// plain LWA access token.
    pub restricted: Option<RestrictedResource>,
}

/// Query parameters whose values are buyer PII.
const PII_QUERY_PARAMS: &[&str] = &["BuyerEmail"];

impl std::fmt::Debug for RequestParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        struct Query<'a>(&'a [(String, String)]);
        impl std::fmt::Debug for Query<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(|(name, value)| {
                        let shown = if PII_QUERY_PARAMS.contains(&name.as_str()) {
                            "<redacted>"
                        } else {
                            value.as_str()
                        };
                        (name, shown)
                    }))
                    .finish()
            }
        }
        // Destructured so that a new field cannot be left out of `Debug` unnoticed.
        let RequestParts {
            method,
            path,
            query,
            body,
            restricted,
        } = self;
        f.debug_struct("RequestParts")
            .field("method", method)
            .field("path", path)
            .field("query", &Query(query))
            .field("body", body)
            .field("restricted", restricted)
            .finish()
    }
}

impl RequestParts {
    pub(crate) fn get(path: String) -> Self {
        RequestParts {
            method: Method::Get,
            path,
            query: Vec::new(),
            body: None,
            restricted: None,
        }
    }

    pub(crate) fn query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.push((name.to_owned(), value.into()));
        self
    }

    pub(crate) fn query_opt(self, name: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// Arrays are comma-joined into one parameter (Swagger 2 `csv`, the models' default).
    pub(crate) fn query_csv<T: AsRef<str>>(self, name: &str, values: &[T]) -> Self {
        if values.is_empty() {
            return self;
        }
        let joined = values
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join(",");
        self.query(name, joined)
    }

    /// The query string as the client sends it (`application/x-www-form-urlencoded` style
    /// escaping of every reserved character, `%20` for spaces).
    pub fn encoded_query(&self) -> String {
        let mut out = String::new();
        for (i, (k, v)) in self.query.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(&encode_component(k));
            out.push('=');
            out.push_str(&encode_component(v));
        }
        out
    }
}

/// Characters left as-is in a query component or path segment: RFC 3986 unreserved.
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one query component or path segment (everything but unreserved
/// characters), so tokens containing `+`, `/`, `=` or `%` survive intact.
pub fn encode_component(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, COMPONENT).to_string()
}

/// Values the client gives operations when building a request.
#[derive(Clone, Copy, Debug)]
pub struct RequestContext {
    /// The client's wall-clock time (see [`Clock`](crate::Clock)).
    pub now: OffsetDateTime,
}

/// One SP-API operation, free of I/O.
pub trait Operation {
    /// The decoded success value.
    type Output;

    /// Static facts (name, published limits, idempotency).
    fn info(&self) -> &'static OperationInfo;

    /// Builds the request. Fails with [`Error::InvalidRequest`] on contradictory input.
    fn to_request(&self, ctx: &RequestContext) -> Result<RequestParts>;

    /// Decodes a 2xx response body.
    fn decode(&self, status: u16, body: &[u8]) -> Result<Self::Output>;

    /// Application-wide limits this request draws from, on top of the per-seller one of
    /// [`info`](Self::info) (default: none; Listings has them).
    fn application_limits(&self) -> Vec<ApplicationLimit> {
        Vec::new()
    }
}

/// Decodes JSON, reporting the JSON path of the first failure. The fast path decodes
/// without path tracking; only a failing body is decoded a second time to find the path.
pub(crate) fn decode_json<T: DeserializeOwned>(operation: &'static str, body: &[u8]) -> Result<T> {
    if let Ok(v) = serde_json::from_slice::<T>(body) {
        return Ok(v);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        Error::Decode {
            operation,
            path,
            request_id: None,
            source: e.into_inner(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_fully_encoded() {
        let p = RequestParts::get("/x".into())
            .query("NextToken", "a+b/c==%")
            .query_csv("MarketplaceIds", &["A", "B"]);
        assert_eq!(
            p.encoded_query(),
            "NextToken=a%2Bb%2Fc%3D%3D%25&MarketplaceIds=A%2CB"
        );
    }

    #[test]
    fn decode_reports_path() {
        #[derive(serde::Deserialize, Debug)]
        struct Outer {
            #[allow(dead_code)]
            a: Vec<Inner>,
        }
        #[derive(serde::Deserialize, Debug)]
        struct Inner {
            #[allow(dead_code)]
            n: u32,
        }
        let err = decode_json::<Outer>("op", br#"{"a":[{"n":1},{"n":"x"}]}"#).unwrap_err();
        match err {
            Error::Decode { path, .. } => assert_eq!(path, "a[1].n"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
