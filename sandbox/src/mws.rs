//! Legacy MWS: Orders 2013-09-01 and Feeds 2009-01-01, signed with Signature Version 2,
//! throttled with MWS's quotas, answered in MWS's XML. Built from `facts/mws.md` and the
//! recorded samples, not from the `mws-legacy` crate.

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, header};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::Digest as _;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::clock::{iso, parse_iso, trunc};
use crate::model::{CancelledBy, OrderStatus, SimItem, SimOrder, SimPackage};
use crate::server::Shared;
use crate::world::{MwsFeed, OrderQuery, PageState, World};

/// Sandbox seconds between a feed's submission and the start of its processing.
pub(crate) const FEED_START_SECS: i64 = 30;
/// Sandbox seconds between a feed's submission and the end of its processing.
pub(crate) const FEED_DONE_SECS: i64 = 120;

pub(crate) const ORDERS_NS: &str = "https://mws.amazonservices.com/Orders/2013-09-01";
pub(crate) const FEEDS_NS: &str = "http://mws.amazonaws.com/doc/2009-01-01/";

/// An MWS answer: status, XML body, content type.
pub(crate) struct MwsReply {
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) content_type: &'static str,
    pub(crate) content_md5: bool,
}

/// The MWS section a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Orders,
    Feeds,
}

impl Section {
    pub(crate) fn of(path: &str) -> Option<Section> {
        match path.trim_end_matches('/') {
            "/Orders/2013-09-01" => Some(Section::Orders),
            "/Feeds/2009-01-01" | "" => Some(Section::Feeds),
            _ => None,
        }
    }
    fn ns(self) -> &'static str {
        match self {
            Section::Orders => ORDERS_NS,
            Section::Feeds => FEEDS_NS,
        }
    }
    fn version(self) -> &'static str {
        match self {
            Section::Orders => "2013-09-01",
            Section::Feeds => "2009-01-01",
        }
    }
}

/// (statistics name, throttle bucket) of an action.
pub(crate) fn operation(section: Section, action: &str) -> Option<(&'static str, &'static str)> {
    Some(match (section, action) {
        (Section::Orders, "ListOrders") => ("mws.ListOrders", "mws.ListOrders"),
        (Section::Orders, "ListOrdersByNextToken") => {
            ("mws.ListOrdersByNextToken", "mws.ListOrders")
        }
        (Section::Orders, "GetOrder") => ("mws.GetOrder", "mws.GetOrder"),
        (Section::Orders, "ListOrderItems") => ("mws.ListOrderItems", "mws.ListOrderItems"),
        (Section::Orders, "ListOrderItemsByNextToken") => {
            ("mws.ListOrderItemsByNextToken", "mws.ListOrderItems")
        }
        (Section::Orders, "GetServiceStatus") => {
            ("mws.Orders.GetServiceStatus", "mws.Orders.GetServiceStatus")
        }
        (Section::Feeds, "SubmitFeed") => ("mws.SubmitFeed", "mws.SubmitFeed"),
        (Section::Feeds, "GetFeedSubmissionList") => {
            ("mws.GetFeedSubmissionList", "mws.GetFeedSubmissionList")
        }
        (Section::Feeds, "GetFeedSubmissionListByNextToken") => (
            "mws.GetFeedSubmissionListByNextToken",
            "mws.GetFeedSubmissionListByNextToken",
        ),
        (Section::Feeds, "GetFeedSubmissionCount") => {
            ("mws.GetFeedSubmissionCount", "mws.GetFeedSubmissionCount")
        }
        (Section::Feeds, "GetFeedSubmissionResult") => {
            ("mws.GetFeedSubmissionResult", "mws.GetFeedSubmissionResult")
        }
        (Section::Feeds, "CancelFeedSubmissions") => {
            ("mws.CancelFeedSubmissions", "mws.CancelFeedSubmissions")
        }
        _ => return None,
    })
}

/// Hourly request quotas of the Feeds operations (by statistics name).
pub(crate) fn hourly_quota(op: &str) -> Option<u32> {
    Some(match op {
        "mws.SubmitFeed" => 30,
        "mws.GetFeedSubmissionList"
        | "mws.GetFeedSubmissionCount"
        | "mws.CancelFeedSubmissions" => 80,
        "mws.GetFeedSubmissionResult" => 60,
        "mws.GetFeedSubmissionListByNextToken" => 1800,
        _ => return None,
    })
}

/// MWS quotas as (restore rate per second, quota).
pub(crate) fn published(bucket: &str) -> Option<(f64, u32)> {
    Some(match bucket {
        "mws.ListOrders" | "mws.GetOrder" => (1.0 / 60.0, 6),
        "mws.ListOrderItems" => (0.5, 30),
        "mws.Orders.GetServiceStatus" => (1.0 / 300.0, 2),
        "mws.SubmitFeed" => (1.0 / 120.0, 15),
        "mws.GetFeedSubmissionList"
        | "mws.GetFeedSubmissionCount"
        | "mws.CancelFeedSubmissions" => (1.0 / 45.0, 10),
        "mws.GetFeedSubmissionListByNextToken" => (0.5, 30),
        "mws.GetFeedSubmissionResult" => (1.0 / 60.0, 15),
        _ => return None,
    })
}

pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// A tiny XML writer.
struct X(String);

impl X {
    fn new() -> Self {
        X(String::from("<?xml version=\"1.0\"?>\n"))
    }
    fn open(&mut self, tag: &str) -> &mut Self {
        self.0.push('<');
        self.0.push_str(tag);
        self.0.push('>');
        self
    }
    fn open_ns(&mut self, tag: &str, ns: &str) -> &mut Self {
        self.0.push_str(&format!("<{tag} xmlns=\"{ns}\">"));
        self
    }
    fn close(&mut self, tag: &str) -> &mut Self {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }
    fn leaf(&mut self, tag: &str, text: impl AsRef<str>) -> &mut Self {
        self.0
            .push_str(&format!("<{tag}>{}</{tag}>", esc(text.as_ref())));
        self
    }
    fn money(&mut self, tag: &str, o: &SimOrder, d: Decimal) -> &mut Self {
        self.open(tag)
            .leaf("CurrencyCode", o.mp.currency)
            .leaf("Amount", o.money_str(d))
            .close(tag)
    }
    fn meta(&mut self, request_id: &str) -> &mut Self {
        self.open("ResponseMetadata")
            .leaf("RequestId", request_id)
            .close("ResponseMetadata")
    }
}

/// An MWS error document.
pub(crate) fn error(
    ns: &str,
    status: u16,
    kind: &str,
    code: &str,
    message: &str,
    request_id: &str,
) -> MwsReply {
    let mut x = X::new();
    x.open_ns("ErrorResponse", ns)
        .open("Error")
        .leaf("Type", kind)
        .leaf("Code", code)
        .leaf("Message", message)
        .close("Error")
        .leaf("RequestID", request_id)
        .close("ErrorResponse");
    MwsReply {
        status,
        body: x.0,
        content_type: "text/xml",
        content_md5: false,
    }
}

/// `503 RequestThrottled` (MWS sends it with an empty error type).
pub(crate) fn throttled(ns: &str, rid: &str) -> MwsReply {
    error(ns, 503, "", "RequestThrottled", "Request is throttled", rid)
}

/// `MissingParameter`: the request lacks parameter `name`.
fn missing(ns: &str, name: &str, rid: &str) -> MwsReply {
    error(
        ns,
        400,
        "Sender",
        "MissingParameter",
        &format!("The request must contain the parameter {name}."),
        rid,
    )
}

fn invalid(ns: &str, message: &str, rid: &str) -> MwsReply {
    error(ns, 400, "Sender", "InvalidParameterValue", message, rid)
}

/// SigV2 percent-encoding: unreserved bytes as-is, the rest `%XX` upper-case.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The Signature Version 2 string to sign.
pub(crate) fn string_to_sign(
    method: &str,
    host: &str,
    path: &str,
    params: &[(String, String)],
) -> String {
    let mut sorted: Vec<&(String, String)> =
        params.iter().filter(|(k, _)| k != "Signature").collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let canonical: Vec<String> = sorted
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    let path = if path.is_empty() { "/" } else { path };
    let path: Vec<String> = path.split('/').map(encode).collect();
    format!(
        "{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        host.to_ascii_lowercase(),
        path.join("/"),
        canonical.join("&")
    )
}

/// Base64(HMAC-SHA256(secret, string)).
pub(crate) fn sign(secret: &str, string: &str) -> String {
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(string.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn md5_b64(body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(body))
}

/// Parameters of an MWS request (query string, plus the form body unless SubmitFeed).
pub(crate) struct MwsParams {
    pub(crate) pairs: Vec<(String, String)>,
}

impl MwsParams {
    pub(crate) fn parse(headers: &HeaderMap, query: &str, body: &Bytes) -> Option<MwsParams> {
        let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
        let form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if form {
            pairs.extend(serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).ok()?);
        }
        Some(MwsParams { pairs })
    }
    pub(crate) fn get(&self, k: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
    }
    /// Values of a structured list `Name.Member.n`, in `n` order.
    fn list(&self, prefix: &str) -> Vec<String> {
        let mut v: Vec<(u32, String)> = self
            .pairs
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix(prefix)
                    .and_then(|n| n.parse::<u32>().ok())
                    .map(|n| (n, v.clone()))
            })
            .collect();
        v.sort();
        v.into_iter().map(|(_, v)| v).collect()
    }
}

/// Checks the common parameters and the signature. `Err` is the error answer.
pub(crate) fn authenticate(
    s: &Shared,
    section: Section,
    method: &Method,
    headers: &HeaderMap,
    path: &str,
    p: &MwsParams,
    rid: &str,
) -> Result<usize, MwsReply> {
    let ns = section.ns();
    for k in [
        "AWSAccessKeyId",
        "Action",
        "SignatureMethod",
        "SignatureVersion",
        "Timestamp",
        "Version",
        "Signature",
    ] {
        if p.get(k).is_none_or(str::is_empty) {
            return Err(missing(ns, k, rid));
        }
    }
    let seller = p
        .get("SellerId")
        .or_else(|| p.get("Merchant"))
        .unwrap_or_default();
    if seller.is_empty() {
        return Err(missing(ns, "SellerId", rid));
    }
    if p.get("Version") != Some(section.version()) {
        return Err(error(
            ns,
            400,
            "Sender",
            "InvalidParameterValue",
            "Invalid Version for this section.",
            rid,
        ));
    }
    if p.get("SignatureVersion") != Some("2") {
        return Err(invalid(ns, "SignatureVersion must be 2.", rid));
    }
    if p.get("SignatureMethod") != Some("HmacSHA256") {
        return Err(invalid(
            ns,
            "The sandbox accepts SignatureMethod HmacSHA256 only.",
            rid,
        ));
    }
    // Clients stamp requests with their own clock: within 15 minutes of the real clock or
    // of the sandbox clock is accepted (a manual sandbox clock may be far from real time).
    let ts = p.get("Timestamp").and_then(parse_iso);
    let near =
        |t: OffsetDateTime, now: OffsetDateTime| (t - now).abs() <= time::Duration::minutes(15);
    match ts {
        Some(t) if near(t, OffsetDateTime::now_utc()) || near(t, s.now()) => {}
        Some(_) => {
            return Err(invalid(
                ns,
                "Timestamp must be within 15 minutes of the server time.",
                rid,
            ));
        }
        None => {
            return Err(invalid(
                ns,
                "Timestamp is not a valid ISO 8601 date-time.",
                rid,
            ));
        }
    }
    let creds = &s.cfg.credentials;
    if p.get("AWSAccessKeyId") != Some(creds.mws_access_key_id.as_str()) {
        return Err(error(
            ns,
            403,
            "Sender",
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            rid,
        ));
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let expected = sign(
        &creds.mws_secret_key,
        &string_to_sign(method.as_str(), host, path, &p.pairs),
    );
    if p.get("Signature") != Some(expected.as_str()) {
        return Err(error(
            ns,
            403,
            "Sender",
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
            rid,
        ));
    }
    let Some(ix) = s.seller_index(seller) else {
        return Err(error(
            ns,
            401,
            "Sender",
            "AccessDenied",
            "Access denied: unknown seller.",
            rid,
        ));
    };
    if let Some(t) = p.get("MWSAuthToken") {
        if t != creds.mws_auth_token {
            return Err(error(
                ns,
                401,
                "Sender",
                "AccessDenied",
                "Access denied: invalid MWSAuthToken.",
                rid,
            ));
        }
    }
    Ok(ix)
}

/// Runs an authenticated, unthrottled MWS action.
pub(crate) fn dispatch(
    s: &Shared,
    seller: usize,
    section: Section,
    p: &MwsParams,
    body: &Bytes,
    headers: &HeaderMap,
    rid: &str,
) -> MwsReply {
    let action = p.get("Action").unwrap_or_default();
    let ns = section.ns();
    let now = s.now();
    let mut w = s.world(seller);
    let mid = s.worlds[seller].0.clone();
    let r = match action {
        "ListOrders" => list_orders(s, &mut w, p, now, rid),
        "ListOrdersByNextToken" => list_orders_next(&mut w, p, now, rid),
        "GetOrder" => get_order(&w, p, rid),
        "ListOrderItems" => list_items(&w, p, rid),
        "ListOrderItemsByNextToken" => Err(invalid(ns, "Invalid NextToken.", rid)),
        "GetServiceStatus" => {
            let mut x = X::new();
            x.open_ns("GetServiceStatusResponse", ns)
                .open("GetServiceStatusResult")
                .leaf("Status", "GREEN")
                .leaf("Timestamp", iso(now))
                .close("GetServiceStatusResult")
                .meta(rid)
                .close("GetServiceStatusResponse");
            Ok(x.0)
        }
        "SubmitFeed" => submit_feed(s, &mut w, &mid, p, body, headers, now, rid),
        "GetFeedSubmissionList" => feed_list(&w, p, now, rid, false),
        "GetFeedSubmissionListByNextToken" => Err(error(
            ns,
            400,
            "Sender",
            "ValidationError",
            "Invalid NextToken.",
            rid,
        )),
        "GetFeedSubmissionCount" => feed_list(&w, p, now, rid, true),
        "GetFeedSubmissionResult" => return feed_result(&w, p, now, rid),
        "CancelFeedSubmissions" => cancel_feeds(&mut w, p, now, rid),
        _ => Err(invalid(ns, &format!("Invalid action {action}."), rid)),
    };
    match r {
        Ok(body) => MwsReply {
            status: 200,
            body,
            content_type: "text/xml",
            content_md5: false,
        },
        Err(e) => e,
    }
}

fn mws_bounds(p: &MwsParams, now: OffsetDateTime, rid: &str) -> Result<OrderQuery, MwsReply> {
    let d = |k: &str| -> Result<Option<OffsetDateTime>, MwsReply> {
        match p.get(k) {
            None => Ok(None),
            Some(v) => parse_iso(v).map(Some).ok_or_else(|| {
                invalid(
                    ORDERS_NS,
                    &format!("{k} is not a valid ISO 8601 date."),
                    rid,
                )
            }),
        }
    };
    let (ca, cb, ua, ub) = (
        d("CreatedAfter")?,
        d("CreatedBefore")?,
        d("LastUpdatedAfter")?,
        d("LastUpdatedBefore")?,
    );
    match (ca.is_some(), ua.is_some()) {
        (false, false) => {
            return Err(invalid(
                ORDERS_NS,
                "Either CreatedAfter or LastUpdatedAfter must be specified.",
                rid,
            ));
        }
        (true, true) => {
            return Err(invalid(
                ORDERS_NS,
                "CreatedAfter and LastUpdatedAfter cannot both be specified.",
                rid,
            ));
        }
        _ => {}
    }
    if (ca.is_some() && ub.is_some()) || (ua.is_some() && cb.is_some()) {
        return Err(invalid(
            ORDERS_NS,
            "Created and LastUpdated bounds cannot be mixed.",
            rid,
        ));
    }
    if ua.is_some() && (p.get("BuyerEmail").is_some() || p.get("SellerOrderId").is_some()) {
        return Err(invalid(
            ORDERS_NS,
            "BuyerEmail and SellerOrderId cannot be used with LastUpdatedAfter.",
            rid,
        ));
    }
    let latest = trunc(now - time::Duration::minutes(2));
    for (a, b) in [(ca, cb), (ua, ub)] {
        if let Some(b) = b {
            if a.is_some_and(|a| b <= a) {
                return Err(invalid(
                    ORDERS_NS,
                    "The Before date must be later than the After date.",
                    rid,
                ));
            }
            if b > latest {
                return Err(invalid(
                    ORDERS_NS,
                    "The Before date must be no later than two minutes before the request time.",
                    rid,
                ));
            }
        }
        if a.is_some_and(|a| a > now) {
            return Err(invalid(
                ORDERS_NS,
                "The After date cannot be in the future.",
                rid,
            ));
        }
    }
    let statuses = p.list("OrderStatus.Status.");
    if statuses.iter().any(|x| x == "Unshipped") != statuses.iter().any(|x| x == "PartiallyShipped")
    {
        return Err(invalid(
            ORDERS_NS,
            "OrderStatus values Unshipped and PartiallyShipped must be used together.",
            rid,
        ));
    }
    let st: Option<Vec<OrderStatus>> = if statuses.is_empty() {
        None
    } else {
        let mut v = Vec::new();
        for x in &statuses {
            match OrderStatus::parse(x) {
                Some(s) if x == s.v0() => v.push(s),
                _ if x == "Unfulfillable" => {}
                _ => {
                    return Err(invalid(
                        ORDERS_NS,
                        &format!("Invalid OrderStatus {x}."),
                        rid,
                    ));
                }
            }
        }
        Some(v)
    };
    let channels = p.list("FulfillmentChannel.Channel.");
    if let Some(bad) = channels.iter().find(|c| *c != "AFN" && *c != "MFN") {
        return Err(invalid(
            ORDERS_NS,
            &format!("Invalid FulfillmentChannel {bad}."),
            rid,
        ));
    }
    let payments = p.list("PaymentMethod.Method.");
    Ok(OrderQuery {
        statuses: st,
        afn: (!channels.is_empty()).then(|| channels.iter().map(|c| c == "AFN").collect()),
        payment_methods: (!payments.is_empty()).then_some(payments),
        buyer_email: p.get("BuyerEmail").map(str::to_owned),
        seller_order_id: p.get("SellerOrderId").map(str::to_owned),
        ..OrderQuery::window(ca, cb, ua, ub, now)
    })
}

fn list_orders(
    s: &Shared,
    w: &mut World,
    p: &MwsParams,
    now: OffsetDateTime,
    rid: &str,
) -> Result<String, MwsReply> {
    let mps = p.list("MarketplaceId.Id.");
    if mps.is_empty() {
        return Err(missing(ORDERS_NS, "MarketplaceId", rid));
    }
    if mps.len() > 50 {
        return Err(invalid(ORDERS_NS, "At most 50 MarketplaceId values.", rid));
    }
    if let Some(bad) = mps.iter().find(|m| !s.cfg.marketplaces.contains(m)) {
        return Err(invalid(
            ORDERS_NS,
            &format!("Invalid MarketplaceId {bad}: the seller is not registered in it."),
            rid,
        ));
    }
    let limit = match p.get("MaxResultsPerPage") {
        None => 100,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return Err(invalid(
                    ORDERS_NS,
                    "MaxResultsPerPage must be between 1 and 100.",
                    rid,
                ));
            }
        },
    };
    let mut q = mws_bounds(p, now, rid)?;
    q.marketplaces = mps;
    Ok(orders_page(w, q, None, limit, now, rid, "ListOrders"))
}

fn list_orders_next(
    w: &mut World,
    p: &MwsParams,
    now: OffsetDateTime,
    rid: &str,
) -> Result<String, MwsReply> {
    let token = p.get("NextToken").unwrap_or_default();
    let st = w
        .pages
        .get(token)
        .filter(|st| st.api == "mws" && (now - st.issued).whole_hours() < 24)
        .cloned()
        .ok_or_else(|| invalid(ORDERS_NS, "Invalid NextToken.", rid))?;
    Ok(orders_page(
        w,
        st.query,
        Some(st.after),
        st.canonical.parse().unwrap_or(100),
        now,
        rid,
        "ListOrdersByNextToken",
    ))
}

fn orders_page(
    w: &mut World,
    q: OrderQuery,
    after: Option<(i64, u32)>,
    limit: usize,
    now: OffsetDateTime,
    rid: &str,
    action: &str,
) -> String {
    let (page, next) = w.query(&q, after, limit);
    let mut x = X::new();
    x.open_ns(&format!("{action}Response"), ORDERS_NS)
        .open(&format!("{action}Result"));
    if let Some(pos) = next {
        let token = w.save_page(PageState {
            query: q.clone(),
            after: pos,
            issued: now,
            api: "mws",
            canonical: limit.to_string(),
        });
        x.leaf("NextToken", token);
    }
    if let Some(b) = q.created_before {
        x.leaf("CreatedBefore", iso(b));
    }
    if let Some(b) = q.updated_before {
        x.leaf("LastUpdatedBefore", iso(b));
    }
    x.open("Orders");
    for seq in page {
        order_xml(&mut x, &w.orders[seq as usize]);
    }
    x.close("Orders")
        .close(&format!("{action}Result"))
        .meta(rid)
        .close(&format!("{action}Response"));
    x.0
}

fn get_order(w: &World, p: &MwsParams, rid: &str) -> Result<String, MwsReply> {
    let ids = p.list("AmazonOrderId.Id.");
    if ids.is_empty() {
        return Err(missing(ORDERS_NS, "AmazonOrderId", rid));
    }
    if ids.len() > 50 {
        return Err(invalid(ORDERS_NS, "At most 50 AmazonOrderId values.", rid));
    }
    if let Some(bad) = ids.iter().find(|i| !crate::api::valid_order_id(i)) {
        return Err(invalid(
            ORDERS_NS,
            &format!("Invalid AmazonOrderId: {bad}"),
            rid,
        ));
    }
    let mut x = X::new();
    x.open_ns("GetOrderResponse", ORDERS_NS)
        .open("GetOrderResult")
        .open("Orders");
    for id in &ids {
        if let Some(o) = w.order(id) {
            order_xml(&mut x, o);
        }
    }
    x.close("Orders")
        .close("GetOrderResult")
        .meta(rid)
        .close("GetOrderResponse");
    Ok(x.0)
}

fn list_items(w: &World, p: &MwsParams, rid: &str) -> Result<String, MwsReply> {
    let Some(id) = p.get("AmazonOrderId") else {
        return Err(missing(ORDERS_NS, "AmazonOrderId", rid));
    };
    let Some(o) = w.order(id).filter(|_| crate::api::valid_order_id(id)) else {
        return Err(invalid(
            ORDERS_NS,
            &format!("Invalid AmazonOrderId: {id}"),
            rid,
        ));
    };
    let mut x = X::new();
    x.open_ns("ListOrderItemsResponse", ORDERS_NS)
        .open("ListOrderItemsResult")
        .leaf("AmazonOrderId", &o.id)
        .open("OrderItems");
    for i in &o.items {
        item_xml(&mut x, o, i);
    }
    x.close("OrderItems")
        .close("ListOrderItemsResult")
        .meta(rid)
        .close("ListOrderItemsResponse");
    Ok(x.0)
}

fn yes(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn order_xml(x: &mut X, o: &SimOrder) {
    let pending = matches!(
        o.status,
        OrderStatus::Pending | OrderStatus::PendingAvailability
    );
    x.open("Order")
        .leaf("AmazonOrderId", &o.id)
        .leaf("SellerOrderId", &o.seller_order_id)
        .leaf("PurchaseDate", iso(o.purchase))
        .leaf("LastUpdateDate", iso(o.last_update))
        .leaf("OrderStatus", o.status.v0())
        .leaf("FulfillmentChannel", if o.afn { "AFN" } else { "MFN" })
        .leaf("SalesChannel", o.mp.name)
        .leaf(
            "ShipServiceLevel",
            o.service.ship_service_level(o.mp.country),
        );
    if matches!(
        o.status,
        OrderStatus::Unshipped | OrderStatus::PartiallyShipped | OrderStatus::Shipped
    ) {
        let a = &o.address;
        x.open("ShippingAddress")
            .leaf("Name", &a.name)
            .leaf("AddressLine1", &a.line1);
        if let Some(l) = &a.line2 {
            x.leaf("AddressLine2", l);
        }
        x.leaf("City", &a.city)
            .leaf("StateOrRegion", &a.state)
            .leaf("PostalCode", &a.postal)
            .leaf("CountryCode", a.country);
        if !o.afn && o.status != OrderStatus::Shipped {
            x.leaf("Phone", &a.phone);
        }
        x.leaf(
            "AddressType",
            if a.residential {
                "Residential"
            } else {
                "Commercial"
            },
        )
        .close("ShippingAddress");
    }
    if !pending {
        x.money("OrderTotal", o, o.total());
    }
    x.leaf("NumberOfItemsShipped", o.items_shipped().to_string())
        .leaf("NumberOfItemsUnshipped", o.items_unshipped().to_string());
    if o.cod && !pending {
        x.open("PaymentExecutionDetail")
            .open("PaymentExecutionDetailItem");
        x.money("Payment", o, o.total())
            .leaf("PaymentMethod", "COD");
        x.close("PaymentExecutionDetailItem")
            .close("PaymentExecutionDetail");
    }
    x.leaf("PaymentMethod", if o.cod { "COD" } else { "Other" })
        .open("PaymentMethodDetails")
        .leaf(
            "PaymentMethodDetail",
            if o.cod { "COD" } else { "Standard" },
        )
        .close("PaymentMethodDetails")
        .leaf("IsReplacementOrder", "false")
        .leaf("MarketplaceId", o.mp.id);
    if !pending {
        x.leaf("BuyerEmail", &o.buyer_email)
            .leaf("BuyerName", &o.buyer_name);
        if let Some(c) = &o.address.company {
            x.open("BuyerTaxInfo")
                .leaf("CompanyLegalName", c)
                .close("BuyerTaxInfo");
        }
    }
    x.leaf("ShipmentServiceLevelCategory", o.service.v0())
        .leaf(
            "OrderType",
            if o.preorder {
                "Preorder"
            } else {
                "StandardOrder"
            },
        )
        .leaf("EarliestShipDate", iso(o.earliest_ship))
        .leaf("LatestShipDate", iso(o.latest_ship));
    if !o.afn {
        x.leaf("EarliestDeliveryDate", iso(o.earliest_delivery));
        if !pending && o.status != OrderStatus::Canceled {
            x.leaf("LatestDeliveryDate", iso(o.latest_delivery));
        }
    }
    x.leaf("IsBusinessOrder", yes(o.business));
    if let Some(po) = &o.po_number {
        x.leaf("PurchaseOrderNumber", po);
    }
    x.leaf("IsPrime", yes(o.prime))
        .leaf("IsPremiumOrder", yes(o.premium))
        .leaf("IsGlobalExpressEnabled", "false")
        .leaf("IsSoldByAB", "false")
        .close("Order");
}

fn item_xml(x: &mut X, o: &SimOrder, i: &SimItem) {
    let pending = matches!(
        o.status,
        OrderStatus::Pending | OrderStatus::PendingAvailability
    );
    let a = o.amounts(i);
    x.open("OrderItem")
        .leaf("ASIN", &i.asin)
        .leaf("OrderItemId", &i.id)
        .leaf("SellerSKU", &i.sku)
        .leaf("Title", &i.title)
        .leaf("QuantityOrdered", i.qty.to_string())
        .leaf("QuantityShipped", i.shipped.to_string())
        .open("ProductInfo")
        .leaf("NumberOfItems", "1")
        .close("ProductInfo");
    if !pending {
        x.money("ItemPrice", o, a.item_price)
            .money("ShippingPrice", o, a.shipping);
        if i.gift.is_some() {
            x.money("GiftWrapPrice", o, a.gift_wrap);
        }
        if o.mp.country == "US" {
            x.open("TaxCollection")
                .leaf("Model", "MarketplaceFacilitator")
                .leaf("ResponsibleParty", "Amazon Services, Inc.")
                .close("TaxCollection");
        }
        x.money("ItemTax", o, a.item_tax)
            .money("ShippingTax", o, a.shipping_tax);
        if i.gift.is_some() {
            x.money("GiftWrapTax", o, a.gift_wrap_tax);
        }
        x.money("ShippingDiscount", o, a.shipping_discount)
            .money("ShippingDiscountTax", o, Decimal::ZERO)
            .money("PromotionDiscount", o, a.promotion_discount)
            .money("PromotionDiscountTax", o, Decimal::ZERO);
        if let Some((id, _)) = &i.promotion {
            x.open("PromotionIds")
                .leaf("PromotionId", id)
                .close("PromotionIds");
        }
    }
    x.leaf("IsGift", yes(i.gift.is_some()));
    if let Some(g) = &i.gift {
        x.leaf("GiftMessageText", &g.message)
            .leaf("GiftWrapLevel", &g.wrap_level);
    }
    x.leaf("ConditionId", i.condition).leaf(
        "ConditionSubtypeId",
        if i.condition == "New" { "New" } else { "Good" },
    );
    if i.business_price {
        x.leaf("PriceDesignation", "BusinessPrice");
    }
    x.leaf("IsTransparency", yes(i.transparency))
        .leaf("SerialNumberRequired", "false")
        .close("OrderItem");
}

// ---------------------------------------------------------------- feeds

const FEED_TYPES: &[&str] = &[
    "_POST_PAYMENT_ADJUSTMENT_DATA_",
    "_POST_ORDER_FULFILLMENT_DATA_",
    "_POST_ORDER_ACKNOWLEDGEMENT_DATA_",
    "_POST_FLAT_FILE_FULFILLMENT_DATA_",
    "_POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA_",
    "_POST_INVENTORY_AVAILABILITY_DATA_",
];

/// A parsed XML element (enough for feed documents).
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }
}

fn parse_xml(text: &str) -> Result<Node, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => stack.push(Node {
                name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                ..Node::default()
            }),
            Event::Empty(e) => {
                let n = Node {
                    name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    ..Node::default()
                };
                if let Some(top) = stack.last_mut() {
                    top.children.push(n);
                }
            }
            Event::Text(t) => {
                let t = t.unescape().map_err(|e| e.to_string())?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::End(_) => {
                let n = stack.pop().ok_or("unbalanced end tag")?;
                match stack.last_mut() {
                    Some(top) => top.children.push(n),
                    None => return Err("unbalanced end tag".into()),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("unexpected end of document".into());
    }
    stack
        .pop()
        .and_then(|mut root| root.children.pop())
        .ok_or_else(|| "empty document".into())
}

/// One result line of a processing report.
struct FeedResult {
    message_id: String,
    code: &'static str,
    message_code: u32,
    description: String,
    order_id: Option<String>,
}

/// Ship or cancel per one feed message; `Err` is (message code, description).
struct Fulfilment<'a> {
    order_id: &'a str,
    reference: String,
    date: Option<&'a str>,
    carrier_code: Option<&'a str>,
    carrier_name: Option<&'a str>,
    method: Option<&'a str>,
    tracking: Option<&'a str>,
    items: Vec<(String, Option<u32>)>,
}

fn fulfil(
    w: &mut World,
    f: &Fulfilment<'_>,
    strict: bool,
    now: OffsetDateTime,
) -> Result<(), (u32, String)> {
    let seq = *w
        .by_id
        .get(f.order_id)
        .ok_or((18028, format!("Order ID {} was not found.", f.order_id)))?;
    let o = &w.orders[seq as usize];
    if o.afn {
        return Err((
            18126,
            format!(
                "Order {} is fulfilled by Amazon and cannot be confirmed.",
                o.id
            ),
        ));
    }
    if !matches!(
        o.status,
        OrderStatus::Unshipped | OrderStatus::PartiallyShipped | OrderStatus::Shipped
    ) {
        return Err((
            18138,
            format!("Order {} is {} and cannot be shipped.", o.id, o.status.v0()),
        ));
    }
    let date = f.date.and_then(parse_iso).ok_or((
        5000,
        "FulfillmentDate is missing or not a valid dateTime.".to_owned(),
    ))?;
    if date > now {
        return Err((18057, "FulfillmentDate cannot be in the future.".to_owned()));
    }
    let (code, name) = match (f.carrier_code, f.carrier_name) {
        (Some(c), n) => {
            if strict && !crate::api::CARRIER_CODES.contains(&c) {
                return Err((5000, format!("CarrierCode {c:?} is not a valid value.")));
            }
            (c.to_owned(), n.map(str::to_owned))
        }
        (None, Some(n)) => ("Other".to_owned(), Some(n.to_owned())),
        (None, None) => {
            return Err((
                5000,
                "FulfillmentData needs a CarrierCode or a CarrierName.".to_owned(),
            ));
        }
    };
    let existing = o.packages.iter().find(|p| p.reference_id == f.reference);
    let mut items = Vec::new();
    if f.items.is_empty() {
        for i in &o.items {
            let left = i.qty - i.shipped.min(i.qty);
            if left > 0 {
                items.push((i.id.clone(), left, Vec::new()));
            }
        }
        if items.is_empty() && existing.is_none() {
            return Err((18021, format!("Order {} has nothing left to ship.", o.id)));
        }
    }
    for (id, q) in &f.items {
        let Some(item) = o.items.iter().find(|i| &i.id == id) else {
            return Err((
                18025,
                format!("Order item {id} does not belong to order {}.", o.id),
            ));
        };
        let in_this = existing
            .and_then(|p| p.items.iter().find(|x| &x.0 == id))
            .map(|x| x.1)
            .unwrap_or(0);
        let left = item.qty - item.shipped.min(item.qty) + in_this;
        let q = q.unwrap_or(left);
        if q == 0 || q > left {
            return Err((
                18021,
                format!(
                    "The quantities you provided for order id ({}) were larger than the quantities that could be fulfilled.",
                    o.id
                ),
            ));
        }
        items.push((id.clone(), q, Vec::new()));
    }
    let marketplace = o.mp.id;
    let package = SimPackage {
        reference_id: f.reference.clone(),
        carrier_code: code,
        carrier_name: name,
        shipping_method: f.method.map(str::to_owned),
        tracking: f.tracking.unwrap_or_default().to_owned(),
        ship_date: trunc(date),
        created: trunc(now),
        ship_from_supply_source_id: None,
        items,
    };
    w.apply_package(
        seq,
        marketplace,
        package,
        now,
        crate::world::PackageWrite::Feed,
    );
    Ok(())
}

/// Records a refund/adjustment message (`OrderAdjustment`).
fn adjust(
    w: &mut World,
    a: &Node,
    order_id: &str,
    feed_id: &str,
    now: OffsetDateTime,
) -> Result<(), (u32, String)> {
    let seq = *w
        .by_id
        .get(order_id)
        .ok_or((18028, format!("Order ID {order_id} was not found.")))?;
    let o = &w.orders[seq as usize];
    let mut items = Vec::new();
    for it in a.all("AdjustedItem") {
        let code = it.text_of("AmazonOrderItemCode").unwrap_or_default();
        if !o.items.iter().any(|i| i.id == code) {
            return Err((
                18025,
                format!("Order item {code} does not belong to order {order_id}."),
            ));
        }
        let reason = it
            .text_of("AdjustmentReason")
            .unwrap_or_default()
            .to_owned();
        let mut amount = Decimal::ZERO;
        for group in it
            .children
            .iter()
            .filter(|c| c.name.ends_with("Adjustments"))
        {
            for comp in group.all("Component") {
                let value = comp
                    .text_of("Amount")
                    .and_then(|v| v.parse::<Decimal>().ok());
                amount +=
                    value.ok_or((5000, format!("Invalid adjustment Amount for item {code}.")))?;
            }
        }
        items.push((code.to_owned(), reason, amount));
    }
    if items.is_empty() {
        return Err((
            5000,
            "OrderAdjustment needs at least one AdjustedItem.".to_owned(),
        ));
    }
    w.adjustments.push(crate::world::PaymentAdjustment {
        order_id: order_id.to_owned(),
        feed_id: feed_id.to_owned(),
        items,
        currency: o.mp.currency.to_owned(),
        applied_at: trunc(now),
    });
    Ok(())
}

fn cancel(w: &mut World, order_id: &str, now: OffsetDateTime) -> Result<(), (u32, String)> {
    let seq = *w
        .by_id
        .get(order_id)
        .ok_or((18028, format!("Order ID {order_id} was not found.")))?;
    let o = &mut w.orders[seq as usize];
    match o.status {
        OrderStatus::Pending | OrderStatus::PendingAvailability | OrderStatus::Unshipped => {
            o.status = OrderStatus::Canceled;
            o.cancelled = Some((CancelledBy::Merchant, "Canceled by the seller".into()));
            w.touch(seq, now);
            Ok(())
        }
        OrderStatus::Canceled => Ok(()),
        s => Err((
            18138,
            format!("Order {order_id} is {} and cannot be canceled.", s.v0()),
        )),
    }
}

fn process_feed(
    w: &mut World,
    feed_type: &str,
    text: &str,
    feed_id: &str,
    strict: bool,
    now: OffsetDateTime,
) -> (usize, Vec<FeedResult>) {
    let mut results = Vec::new();
    let mut processed = 0;
    let mut push = |message_id: &str, order: Option<&str>, r: Result<(), (u32, String)>| {
        if let Err((code, description)) = r {
            results.push(FeedResult {
                message_id: message_id.to_owned(),
                code: "Error",
                message_code: code,
                description,
                order_id: order.map(str::to_owned),
            });
        }
    };
    match feed_type {
        "_POST_ORDER_FULFILLMENT_DATA_"
        | "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"
        | "_POST_PAYMENT_ADJUSTMENT_DATA_"
        | "_POST_INVENTORY_AVAILABILITY_DATA_" => {
            let root = match parse_xml(text) {
                Ok(r) if r.name == "AmazonEnvelope" => r,
                Ok(r) => {
                    push(
                        "0",
                        None,
                        Err((
                            5001,
                            format!("The root element is {}, not AmazonEnvelope.", r.name),
                        )),
                    );
                    return (0, results);
                }
                Err(e) => {
                    push(
                        "0",
                        None,
                        Err((5001, format!("XML Parsing Fatal Error: {e}"))),
                    );
                    return (0, results);
                }
            };
            for m in root.all("Message") {
                processed += 1;
                let mid = m.text_of("MessageID").unwrap_or("0").to_owned();
                if let Some(f) = m.child("OrderFulfillment") {
                    let order = f.text_of("AmazonOrderID").unwrap_or_default();
                    let data = f.child("FulfillmentData");
                    let items = f
                        .all("Item")
                        .map(|i| {
                            (
                                i.text_of("AmazonOrderItemCode")
                                    .unwrap_or_default()
                                    .to_owned(),
                                i.text_of("Quantity").and_then(|q| q.parse().ok()),
                            )
                        })
                        .collect();
                    let ff = Fulfilment {
                        order_id: order,
                        reference: f
                            .text_of("MerchantFulfillmentID")
                            .map(str::to_owned)
                            .unwrap_or_else(|| format!("{feed_id}-{mid}")),
                        date: f.text_of("FulfillmentDate"),
                        carrier_code: data.and_then(|d| d.text_of("CarrierCode")),
                        carrier_name: data.and_then(|d| d.text_of("CarrierName")),
                        method: data.and_then(|d| d.text_of("ShippingMethod")),
                        tracking: data.and_then(|d| d.text_of("ShipperTrackingNumber")),
                        items,
                    };
                    let r = fulfil(w, &ff, strict, now);
                    push(&mid, Some(order), r);
                } else if let Some(a) = m.child("OrderAcknowledgement") {
                    let order = a.text_of("AmazonOrderID").unwrap_or_default();
                    let r = match a.text_of("StatusCode") {
                        Some("Success") => w
                            .by_id
                            .contains_key(order)
                            .then_some(())
                            .ok_or((18028, format!("Order ID {order} was not found."))),
                        Some("Failure") => cancel(w, order, now),
                        _ => Err((5000, "StatusCode must be Success or Failure.".to_owned())),
                    };
                    push(&mid, Some(order), r);
                } else if let Some(a) = m.child("OrderAdjustment") {
                    let order = a.text_of("AmazonOrderID").unwrap_or_default();
                    let r = adjust(w, a, order, feed_id, now);
                    push(&mid, Some(order), r);
                } else if m.child("Inventory").is_none() {
                    push(
                        &mid,
                        None,
                        Err((
                            5000,
                            "The message has no payload matching its MessageType.".to_owned(),
                        )),
                    );
                }
            }
        }
        _ => {
            // Tab-separated flat files: a header row, then one row per line or order.
            let mut lines = text
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with("TemplateType"));
            let header: Vec<&str> = lines
                .next()
                .unwrap_or_default()
                .split('\t')
                .map(str::trim)
                .collect();
            let col = |row: &[&str], name: &str| {
                header
                    .iter()
                    .position(|h| *h == name)
                    .and_then(|i| row.get(i).copied())
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            };
            for (n, line) in lines.enumerate() {
                processed += 1;
                let row: Vec<&str> = line.split('\t').collect();
                let mid = (n + 1).to_string();
                let order = col(&row, "order-id").unwrap_or_default();
                let r = if feed_type == "_POST_FLAT_FILE_FULFILLMENT_DATA_" {
                    let (item, qty, date, code, name, track, method) = (
                        col(&row, "order-item-id"),
                        col(&row, "quantity").and_then(|q| q.parse().ok()),
                        col(&row, "ship-date"),
                        col(&row, "carrier-code"),
                        col(&row, "carrier-name"),
                        col(&row, "tracking-number"),
                        col(&row, "ship-method"),
                    );
                    let ff = Fulfilment {
                        order_id: &order,
                        reference: format!("{feed_id}-{mid}"),
                        date: date.as_deref(),
                        carrier_code: code.as_deref(),
                        carrier_name: name.as_deref(),
                        method: method.as_deref(),
                        tracking: track.as_deref(),
                        items: item.map(|i| vec![(i, qty)]).unwrap_or_default(),
                    };
                    fulfil(w, &ff, strict, now)
                } else {
                    cancel(w, &order, now)
                };
                push(&mid, Some(&order), r);
            }
        }
    }
    (processed, results)
}

fn report_xml(merchant: &str, feed_id: &str, processed: usize, results: &[FeedResult]) -> String {
    let errors = results
        .iter()
        .map(|r| &r.message_id)
        .collect::<std::collections::HashSet<_>>()
        .len();
    let mut x = X::new();
    x.0.push_str("<AmazonEnvelope xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"amzn-envelope.xsd\">");
    x.open("Header")
        .leaf("DocumentVersion", "1.02")
        .leaf("MerchantIdentifier", merchant)
        .close("Header");
    x.leaf("MessageType", "ProcessingReport")
        .open("Message")
        .leaf("MessageID", "1")
        .open("ProcessingReport");
    x.leaf("DocumentTransactionID", feed_id)
        .leaf("StatusCode", "Complete");
    x.open("ProcessingSummary")
        .leaf("MessagesProcessed", processed.to_string())
        .leaf(
            "MessagesSuccessful",
            processed.saturating_sub(errors).to_string(),
        )
        .leaf("MessagesWithError", errors.to_string())
        .leaf("MessagesWithWarning", "0")
        .close("ProcessingSummary");
    for r in results {
        x.open("Result")
            .leaf("MessageID", &r.message_id)
            .leaf("ResultCode", r.code)
            .leaf("ResultMessageCode", r.message_code.to_string())
            .leaf("ResultDescription", &r.description);
        if let Some(o) = &r.order_id {
            x.open("AdditionalInfo")
                .leaf("AmazonOrderID", o)
                .close("AdditionalInfo");
        }
        x.close("Result");
    }
    x.close("ProcessingReport")
        .close("Message")
        .close("AmazonEnvelope");
    x.0
}

#[allow(clippy::too_many_arguments)]
fn submit_feed(
    s: &Shared,
    w: &mut World,
    merchant: &str,
    p: &MwsParams,
    body: &Bytes,
    headers: &HeaderMap,
    now: OffsetDateTime,
    rid: &str,
) -> Result<String, MwsReply> {
    let Some(feed_type) = p.get("FeedType") else {
        return Err(missing(FEEDS_NS, "FeedType", rid));
    };
    if !FEED_TYPES.contains(&feed_type) {
        return Err(error(
            FEEDS_NS,
            400,
            "Sender",
            "InvalidFeedType",
            &format!("Invalid FeedType {feed_type}."),
            rid,
        ));
    }
    let param_md5 = p.get("ContentMD5Value");
    let header_md5 = headers.get("content-md5").and_then(|v| v.to_str().ok());
    let actual = md5_b64(body);
    match (param_md5, header_md5) {
        (None, None) => {
            return Err(error(
                FEEDS_NS,
                400,
                "Sender",
                "ContentMD5Missing",
                "The Content-MD5 of the feed is required.",
                rid,
            ));
        }
        (Some(a), Some(b)) if a != b => {
            return Err(invalid(
                FEEDS_NS,
                "The ContentMD5Value parameter and the Content-MD5 header differ.",
                rid,
            ));
        }
        (Some(m), _) | (None, Some(m)) if m != actual => {
            return Err(error(
                FEEDS_NS,
                400,
                "Sender",
                "ContentMD5DoesNotMatch",
                "The Content-MD5 you specified did not match what we received.",
                rid,
            ));
        }
        _ => {}
    }
    let id = (50_001_000_000u64 + w.feeds.len() as u64 * 137 + 11).to_string();
    w.feeds.push(MwsFeed {
        id,
        feed_type: feed_type.to_owned(),
        submitted: trunc(now),
        body: String::from_utf8_lossy(body).into_owned(),
        merchant: merchant.to_owned(),
        strict_carrier_codes: s.cfg.strict_carrier_codes,
        cancelled: false,
        report: None,
        sp: None,
    });
    let mut x = X::new();
    x.open_ns("SubmitFeedResponse", FEEDS_NS)
        .open("SubmitFeedResult");
    if let Some(f) = w.feeds.last() {
        info_xml(&mut x, f, now);
    }
    x.close("SubmitFeedResult")
        .meta(rid)
        .close("SubmitFeedResponse");
    Ok(x.0)
}

/// Processes feed `ix` of the world at sandbox time `at` (called from `World::catch_up`).
pub(crate) fn process_submission(w: &mut World, ix: usize, at: OffsetDateTime) {
    let f = &mut w.feeds[ix];
    let (id, feed_type, merchant, strict) = (
        f.id.clone(),
        f.feed_type.clone(),
        f.merchant.clone(),
        f.strict_carrier_codes,
    );
    let text = std::mem::take(&mut f.body);
    if w.feeds[ix].sp.as_ref().is_some_and(|m| m.fatal) {
        return;
    }
    let (processed, results) = process_feed(w, &feed_type, &text, &id, strict, at);
    let report = report_xml(&merchant, &id, processed, &results);
    if let Some(meta) = &w.feeds[ix].sp {
        let doc = crate::world::FeedDoc {
            content_type: "text/xml; charset=UTF-8".into(),
            body: Some(report.clone().into_bytes()),
        };
        let key = meta.result_doc.clone();
        w.feed_docs.insert(key, doc);
    }
    w.feeds[ix].report = Some(report);
}

/// `_SUBMITTED_` for 30 sandbox seconds (cancellable), `_IN_PROGRESS_` until two minutes,
/// then `_DONE_`; `_CANCELLED_` once cancelled.
pub(crate) fn feed_status(f: &MwsFeed, now: OffsetDateTime) -> &'static str {
    let age = now - f.submitted;
    if f.cancelled {
        "_CANCELLED_"
    } else if age < time::Duration::seconds(FEED_START_SECS) {
        "_SUBMITTED_"
    } else if age < time::Duration::seconds(FEED_DONE_SECS) {
        "_IN_PROGRESS_"
    } else {
        "_DONE_"
    }
}

pub(crate) fn mws_date(t: OffsetDateTime) -> String {
    iso(t).replace('Z', "+00:00")
}

fn info_xml(x: &mut X, f: &MwsFeed, now: OffsetDateTime) {
    let status = feed_status(f, now);
    x.open("FeedSubmissionInfo")
        .leaf("FeedSubmissionId", &f.id)
        .leaf("FeedType", &f.feed_type)
        .leaf("SubmittedDate", mws_date(f.submitted))
        .leaf("FeedProcessingStatus", status);
    if status == "_IN_PROGRESS_" || status == "_DONE_" {
        x.leaf(
            "StartedProcessingDate",
            mws_date(f.submitted + time::Duration::seconds(FEED_START_SECS)),
        );
    }
    if status == "_DONE_" {
        x.leaf(
            "CompletedProcessingDate",
            mws_date(f.submitted + time::Duration::seconds(FEED_DONE_SECS)),
        );
    }
    x.close("FeedSubmissionInfo");
}

fn feed_list(
    w: &World,
    p: &MwsParams,
    now: OffsetDateTime,
    rid: &str,
    count_only: bool,
) -> Result<String, MwsReply> {
    let ids = p.list("FeedSubmissionIdList.Id.");
    let types = p.list("FeedTypeList.Type.");
    let statuses = p.list("FeedProcessingStatusList.Status.");
    let max = match p.get("MaxCount") {
        None => 10,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return Err(invalid(
                    FEEDS_NS,
                    "MaxCount must be between 1 and 100.",
                    rid,
                ));
            }
        },
    };
    let from = match p.get("SubmittedFromDate") {
        None => now - time::Duration::days(90),
        Some(v) => parse_iso(v)
            .ok_or_else(|| invalid(FEEDS_NS, "SubmittedFromDate is not a valid date.", rid))?,
    };
    let to = match p.get("SubmittedToDate") {
        None => now,
        Some(v) => parse_iso(v)
            .ok_or_else(|| invalid(FEEDS_NS, "SubmittedToDate is not a valid date.", rid))?,
    };
    let matching: Vec<&MwsFeed> = w
        .feeds
        .iter()
        .rev()
        .filter(|f| f.sp.is_none())
        .filter(|f| {
            if !ids.is_empty() {
                return ids.contains(&f.id);
            }
            (types.is_empty() || types.contains(&f.feed_type))
                && (statuses.is_empty() || statuses.iter().any(|s| s == feed_status(f, now)))
                && f.submitted >= from
                && f.submitted <= to
        })
        .collect();
    let mut x = X::new();
    if count_only {
        x.open_ns("GetFeedSubmissionCountResponse", FEEDS_NS)
            .open("GetFeedSubmissionCountResult")
            .leaf("Count", matching.len().to_string())
            .close("GetFeedSubmissionCountResult")
            .meta(rid)
            .close("GetFeedSubmissionCountResponse");
        return Ok(x.0);
    }
    x.open_ns("GetFeedSubmissionListResponse", FEEDS_NS)
        .open("GetFeedSubmissionListResult");
    // The sandbox keeps few feeds: everything fits one page of up to MaxCount.
    x.leaf("HasNext", "false");
    for f in matching.into_iter().take(max) {
        info_xml(&mut x, f, now);
    }
    x.close("GetFeedSubmissionListResult")
        .meta(rid)
        .close("GetFeedSubmissionListResponse");
    Ok(x.0)
}

/// Cancels the feeds not yet processing that match the filters (no ids and no types: all
/// of them), answering their count and infos.
fn cancel_feeds(
    w: &mut World,
    p: &MwsParams,
    now: OffsetDateTime,
    rid: &str,
) -> Result<String, MwsReply> {
    let ids = p.list("FeedSubmissionIdList.Id.");
    let types = p.list("FeedTypeList.Type.");
    let mut hit = Vec::new();
    for (ix, f) in w.feeds.iter().enumerate().filter(|(_, f)| f.sp.is_none()) {
        let selected = (ids.is_empty() || ids.contains(&f.id))
            && (types.is_empty() || types.contains(&f.feed_type));
        if selected && feed_status(f, now) == "_SUBMITTED_" {
            hit.push(ix);
        }
    }
    for ix in &hit {
        w.feeds[*ix].cancelled = true;
    }
    let mut x = X::new();
    x.open_ns("CancelFeedSubmissionsResponse", FEEDS_NS)
        .open("CancelFeedSubmissionsResult")
        .leaf("Count", hit.len().to_string());
    for ix in hit.iter().take(100) {
        info_xml(&mut x, &w.feeds[*ix], now);
    }
    x.close("CancelFeedSubmissionsResult")
        .meta(rid)
        .close("CancelFeedSubmissionsResponse");
    Ok(x.0)
}

fn feed_result(w: &World, p: &MwsParams, now: OffsetDateTime, rid: &str) -> MwsReply {
    let Some(id) = p.get("FeedSubmissionId") else {
        return missing(FEEDS_NS, "FeedSubmissionId", rid);
    };
    let Some(f) = w.feeds.iter().find(|f| f.id == id && f.sp.is_none()) else {
        return error(
            FEEDS_NS,
            400,
            "Sender",
            "InvalidFeedSubmissionId",
            &format!("Invalid FeedSubmissionId {id}."),
            rid,
        );
    };
    if f.cancelled {
        return error(
            FEEDS_NS,
            400,
            "Sender",
            "FeedCanceled",
            &format!("Feed Submission {id} was cancelled."),
            rid,
        );
    }
    match (&f.report, feed_status(f, now)) {
        (Some(report), "_DONE_") => MwsReply {
            status: 200,
            body: report.clone(),
            content_type: "text/xml",
            content_md5: true,
        },
        _ => {
            let msg = format!("Feed Submission Result is not ready for Feed Submission Id: {id}");
            error(
                FEEDS_NS,
                404,
                "Sender",
                "FeedProcessingResultNotReady",
                &msg,
                rid,
            )
        }
    }
}

/// Content-MD5 of a body, for answers that carry it.
pub(crate) fn content_md5(body: &str) -> String {
    md5_b64(body.as_bytes())
}

/// A convenience for tests: signs `params` for `POST {path}` on `host`.
#[cfg(test)]
pub(crate) fn signed(
    secret: &str,
    host: &str,
    path: &str,
    mut params: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let sig = sign(secret, &string_to_sign("POST", host, path, &params));
    params.push(("Signature".into(), sig));
    params
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shared() -> Shared {
        let start = time::macros::datetime!(2026-06-01 12:00 UTC);
        let cfg = crate::config::SandboxConfig::default().manual_clock_at(start);
        let mps: Vec<_> = cfg
            .marketplaces
            .iter()
            .filter_map(|m| crate::marketplaces::by_id(m))
            .collect();
        let world = World::new(3, mps, 40, cfg.history, 0.0, start);
        let clock = crate::clock::Clock::new(start, 1.0, crate::config::ClockMode::Manual);
        let seller = cfg.credentials.selling_partner_id.clone();
        Shared::new(
            cfg,
            clock,
            vec![(seller, world)],
            "http://127.0.0.1:1".into(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Authenticated MWS Orders calls answer 200 or 400 whatever their parameters.
        #[test]
        fn orders_actions_never_fail_on_odd_parameters(
            action in prop_oneof![Just("ListOrders"), Just("ListOrdersByNextToken"), Just("GetOrder"), Just("ListOrderItems")],
            keys in proptest::collection::vec(prop_oneof![
                Just("MarketplaceId.Id.1"), Just("MarketplaceId.Id.2"), Just("CreatedAfter"), Just("CreatedBefore"),
                Just("LastUpdatedAfter"), Just("LastUpdatedBefore"), Just("MaxResultsPerPage"), Just("NextToken"),
                Just("OrderStatus.Status.1"), Just("AmazonOrderId.Id.1"), Just("AmazonOrderId"), Just("BuyerEmail"),
            ], 0..6),
            values in proptest::collection::vec(prop_oneof![
                Just("ATVPDKIKX0DER".to_owned()), Just("2026-05-01T00:00:00Z".to_owned()), Just("2026-06-01T11:59:00Z".to_owned()),
                Just("9999-01-01".to_owned()), Just("Unshipped".to_owned()), Just("0".to_owned()), "[ -~]{0,12}",
            ], 6),
        ) {
            let s = shared();
            let mut pairs: Vec<(String, String)> = vec![("Action".into(), action.into())];
            pairs.extend(keys.iter().zip(&values).map(|(k, v)| ((*k).to_owned(), v.clone())));
            let p = MwsParams { pairs };
            let r = dispatch(&s, 0, Section::Orders, &p, &Bytes::new(), &HeaderMap::new(), "rid");
            prop_assert!(r.status == 200 || r.status == 400, "{action} -> {} {}", r.status, r.body);
        }
    }

    #[test]
    fn encoding_and_string_to_sign() {
        assert_eq!(encode("a b*~é"), "a%20b%2A~%C3%A9");
        let params = vec![
            ("Timestamp".to_owned(), "2026-01-01T00:00:00Z".to_owned()),
            ("AWSAccessKeyId".to_owned(), "K".to_owned()),
            ("Action".to_owned(), "ListOrders".to_owned()),
            ("Signature".to_owned(), "ignored".to_owned()),
        ];
        assert_eq!(
            string_to_sign(
                "post",
                "MWS.amazonservices.com",
                "/Orders/2013-09-01",
                &params
            ),
            "POST\nmws.amazonservices.com\n/Orders/2013-09-01\nAWSAccessKeyId=K&Action=ListOrders&Timestamp=2026-01-01T00%3A00%3A00Z"
        );
        assert_eq!(sign("secret", "x").len(), 44);
    }

    #[test]
    fn content_md5_vectors() {
        assert_eq!(md5_b64(b"abc\tdef"), "Zj+Bh1BJ8HzBb9ToK28qFQ==");
        assert_eq!(md5_b64(b"mws"), "mA5nPbh1CSx9M3dbkr3Cyg==");
    }

    #[test]
    fn xml_tree() {
        let n = parse_xml("<?xml version=\"1.0\"?><A><B>x &amp; y</B><C/><B>z</B></A>").unwrap();
        assert_eq!(n.name, "A");
        assert_eq!(n.all("B").count(), 2);
        assert_eq!(n.text_of("B"), Some("x & y"));
        assert!(parse_xml("<A><B></A>").is_err());
        let _ = signed("s", "h", "/", vec![]);
    }
}
