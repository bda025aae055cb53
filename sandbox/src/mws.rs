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
use crate::feeds::{FEED_DONE_SECS, FEED_START_SECS, feed_status};
use crate::model::{OrderStatus, SimItem, SimOrder};
use crate::state::Shared;
use crate::world::{MwsFeed, OrderQuery, PageState, World};
use crate::xml::X;

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
        "GetFeedSubmissionListByNextToken" => feed_list_next(&w, p, now, rid),
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
    if let Some(bad) = ids.iter().find(|i| !crate::model::valid_order_id(i)) {
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
    let Some(o) = w.order(id).filter(|_| crate::model::valid_order_id(id)) else {
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
    let ids: Vec<&str> = matching.iter().map(|f| f.id.as_str()).collect();
    Ok(feed_page(w, &ids, max, now, rid, "GetFeedSubmissionList"))
}

/// One page of a feed submission list: up to `max` of `ids`, and a `NextToken` that holds
/// the rest (the submissions listed stay those that matched the first call).
fn feed_page(
    w: &World,
    ids: &[&str],
    max: usize,
    now: OffsetDateTime,
    rid: &str,
    action: &str,
) -> String {
    let mut x = X::new();
    let (response, result) = (format!("{action}Response"), format!("{action}Result"));
    x.open_ns(&response, FEEDS_NS).open(&result);
    let rest = ids.get(max..).unwrap_or_default();
    if rest.is_empty() {
        x.leaf("HasNext", "false");
    } else {
        use base64::Engine as _;
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("{max}|{}", rest.join(",")));
        x.leaf("NextToken", token).leaf("HasNext", "true");
    }
    for id in ids.iter().take(max) {
        if let Some(f) = w.feeds.iter().find(|f| f.id == *id) {
            info_xml(&mut x, f, now);
        }
    }
    x.close(&result).meta(rid).close(&response);
    x.0
}

/// `GetFeedSubmissionListByNextToken`: the next page of the first call's submissions.
fn feed_list_next(
    w: &World,
    p: &MwsParams,
    now: OffsetDateTime,
    rid: &str,
) -> Result<String, MwsReply> {
    use base64::Engine as _;
    let Some(token) = p.get("NextToken") else {
        return Err(missing(FEEDS_NS, "NextToken", rid));
    };
    let bad = || {
        error(
            FEEDS_NS,
            400,
            "Sender",
            "ValidationError",
            "Invalid NextToken.",
            rid,
        )
    };
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token)
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (max, ids) = text.split_once('|').ok_or_else(bad)?;
    let max: usize = max.parse().map_err(|_| bad())?;
    let ids: Vec<&str> = ids.split(',').filter(|s| !s.is_empty()).collect();
    if max == 0 || ids.is_empty() {
        return Err(bad());
    }
    Ok(feed_page(
        w,
        &ids,
        max,
        now,
        rid,
        "GetFeedSubmissionListByNextToken",
    ))
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
    fn signed_helper_runs() {
        let _ = signed("s", "h", "/", vec![]);
    }
}
