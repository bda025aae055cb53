//! The sans-IO description of an MWS call: which section and action, which parameters,
//! which body, and how to read the answer. [`crate::Client::send`] executes any of them.

use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::error::Result;

/// An MWS API section: its path and version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Section {
    /// Short name (`Orders`, `Feeds`).
    pub name: &'static str,
    /// Path requests are posted (and signed) to.
    pub path: &'static str,
    /// The `Version` parameter.
    pub version: &'static str,
}

impl Section {
    /// Orders 2013-09-01.
    pub const ORDERS: Section = Section {
        name: "Orders",
        path: "/Orders/2013-09-01",
        version: "2013-09-01",
    };
    /// Feeds 2009-01-01.
    pub const FEEDS: Section = Section {
        name: "Feeds",
        path: "/Feeds/2009-01-01",
        version: "2009-01-01",
    };
}

/// A throttling rule: a leaky bucket of `quota` requests refilled by one every `restore`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRule {
    /// The bucket that is charged (operations that share a quota share a bucket).
    pub bucket: &'static str,
    /// Maximum burst.
    pub quota: u32,
    /// Time to restore one request.
    pub restore: Duration,
}

impl ThrottleRule {
    const fn new(bucket: &'static str, quota: u32, restore_secs: u64) -> Self {
        Self {
            bucket,
            quota,
            restore: Duration::from_secs(restore_secs),
        }
    }

    /// Amazon's published default for an action (section-qualified bucket names).
    pub fn for_action(action: &str) -> ThrottleRule {
        match action {
            "ListOrders" | "ListOrdersByNextToken" => Self::new("Orders/ListOrders", 6, 60),
            "GetOrder" => Self::new("Orders/GetOrder", 6, 60),
            "ListOrderItems" | "ListOrderItemsByNextToken" => {
                Self::new("Orders/ListOrderItems", 30, 2)
            }
            "GetServiceStatus" => Self::new("Orders/GetServiceStatus", 2, 300),
            "SubmitFeed" => Self::new("Feeds/SubmitFeed", 15, 120),
            "GetFeedSubmissionList" => Self::new("Feeds/GetFeedSubmissionList", 10, 45),
            "GetFeedSubmissionListByNextToken" => {
                Self::new("Feeds/GetFeedSubmissionListByNextToken", 30, 2)
            }
            "GetFeedSubmissionCount" => Self::new("Feeds/GetFeedSubmissionCount", 10, 45),
            "CancelFeedSubmissions" => Self::new("Feeds/CancelFeedSubmissions", 10, 45),
            "GetFeedSubmissionResult" => Self::new("Feeds/GetFeedSubmissionResult", 15, 60),
            // Unknown actions get the most conservative rule of the table.
            _ => Self::new("Other", 2, 300),
        }
    }
}

/// A raw request body (only `SubmitFeed` has one; other calls post their parameters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestBody {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Its `Content-Type`.
    pub content_type: String,
}

/// A response as received.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl RawResponse {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as text (UTF-8, or ISO-8859-1 when it is not UTF-8).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        crate::xml::decode_bytes(&self.body)
    }
}

/// One MWS operation: what to send and how to read the answer.
pub trait Operation {
    /// What a successful call returns.
    type Output;

    /// The `Action` parameter.
    fn action(&self) -> &'static str;

    /// The section (path and version).
    fn section(&self) -> Section;

    /// The operation's own parameters (without the common ones), validated.
    fn params(&self) -> Result<Vec<(String, String)>>;

    /// A raw body; when present, parameters travel in the query string.
    fn body(&self) -> Option<RequestBody> {
        None
    }

    /// The throttling rule charged for it (Amazon's published default by action name;
    /// override for operations this crate does not know).
    fn throttle(&self) -> ThrottleRule {
        ThrottleRule::for_action(self.action())
    }

    /// Whether sending it twice is harmless (reads are; `SubmitFeed` is not).
    fn idempotent(&self) -> bool {
        true
    }

    /// Reads a successful (2xx) response.
    fn parse(&self, response: RawResponse) -> Result<Self::Output>;
}
