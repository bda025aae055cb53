//! The SP-API operations: validation as Amazon does it, then answers in the models' shapes.

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::auth::{Caller, Rdt, RestrictedResource};
use crate::clock::{iso, parse_iso, trunc};
use crate::marketplaces;
use crate::model::{OrderStatus, SimPackage};
use crate::render::{self, Included, Pii};
use crate::server::or_reply;
use crate::server::{Ctx, Reply};
use crate::world::{OrderQuery, PageState, World};

/// Query parameters; arrays are comma-separated (Swagger `csv`) and may also repeat.
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    pub(crate) fn parse(q: &str) -> Result<Self, Reply> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .map(|pairs| Params { pairs })
            .map_err(|_| Reply::invalid("The query string could not be parsed."))
    }
    pub(crate) fn one(&self, k: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
    }
    pub(crate) fn has(&self, k: &str) -> bool {
        self.pairs.iter().any(|(a, _)| a == k)
    }
    pub(crate) fn list(&self, k: &str) -> Option<Vec<String>> {
        let v: Vec<String> = self
            .pairs
            .iter()
            .filter(|(a, _)| a == k)
            .flat_map(|(_, v)| v.split(','))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        self.has(k).then_some(v)
    }
    /// A canonical form of the filters (for checking that a page token is resent with the
    /// same filters).
    fn canonical(&self, exclude: &[&str]) -> String {
        let mut v: Vec<String> = self
            .pairs
            .iter()
            .filter(|(k, _)| !exclude.contains(&k.as_str()))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        v.sort();
        v.join("&")
    }
}

pub(crate) fn dispatch(op: &str, ctx: &Ctx<'_>) -> Reply {
    match op {
        "getOrders" => get_orders(ctx),
        "getOrder" => get_order(ctx),
        "getOrderItems" => get_order_items(ctx),
        "getOrderAddress" => get_order_address(ctx),
        "getOrderBuyerInfo" => get_order_buyer_info(ctx),
        "getOrderItemsBuyerInfo" => get_order_items_buyer_info(ctx),
        "confirmShipment" => confirm_shipment(ctx),
        "searchOrders" => search_orders(ctx),
        "orders2026.getOrder" => get_order_2026(ctx),
        "createRestrictedDataToken" => create_rdt(ctx),
        "getMarketplaceParticipations" => marketplace_participations(ctx),
        "createFeedDocument" => crate::sp_feeds::create_document(ctx),
        "getFeedDocument" => crate::sp_feeds::get_document(ctx),
        "createFeed" => crate::sp_feeds::create_feed(ctx),
        "getFeeds" => crate::sp_feeds::get_feeds(ctx),
        "getFeed" => crate::sp_feeds::get_feed(ctx),
        "cancelFeed" => crate::sp_feeds::cancel_feed(ctx),
        _ => Reply::not_found("Unknown operation."),
    }
}

/// Amazon order ids are 3-7-7 digits.
pub(crate) fn valid_order_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.len() == 3
        && parts
            .iter()
            .zip([3, 7, 7])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The data elements an RDT grants for this request (none for an LWA token).
fn pii(ctx: &Ctx<'_>) -> Pii {
    match &ctx.caller {
        Caller::Lwa(_) => Pii::default(),
        Caller::Rdt(r) => {
            let mut p = Pii::default();
            for res in r.resources.iter().filter(|res| {
                res.method == ctx.method.as_str() && crate::auth::path_matches(&res.path, ctx.path)
            }) {
                p.buyer_info |= res.data_elements.iter().any(|d| d == "buyerInfo");
                p.shipping_address |= res.data_elements.iter().any(|d| d == "shippingAddress");
            }
            p
        }
    }
}

fn rdt_present(ctx: &Ctx<'_>) -> bool {
    matches!(ctx.caller, Caller::Rdt(_))
}

fn seller_marketplaces(ctx: &Ctx<'_>) -> Vec<String> {
    ctx.shared.cfg.marketplaces.clone()
}

fn check_marketplaces(ctx: &Ctx<'_>, ids: &[String], name: &str) -> Result<(), Reply> {
    if ids.len() > 50 {
        return Err(Reply::invalid(format!(
            "{name} may contain at most 50 values."
        )));
    }
    let mine = seller_marketplaces(ctx);
    for id in ids {
        if !marketplaces::is_known_marketplace(id) {
            return Err(Reply::invalid(format!(
                "Invalid {name}: {id} is not a valid marketplace identifier."
            )));
        }
        if !mine.contains(id) {
            return Err(Reply::invalid(format!(
                "Invalid {name}: the seller does not participate in marketplace {id}."
            )));
        }
    }
    Ok(())
}

fn date(p: &Params, k: &str) -> Result<Option<OffsetDateTime>, Reply> {
    match p.one(k) {
        None => Ok(None),
        Some(v) => parse_iso(v)
            .map(Some)
            .ok_or_else(|| Reply::invalid(format!("{k} {v:?} is not a valid ISO 8601 date-time."))),
    }
}

struct Bounds {
    created_after: Option<OffsetDateTime>,
    created_before: Option<OffsetDateTime>,
    updated_after: Option<OffsetDateTime>,
    updated_before: Option<OffsetDateTime>,
}

/// The CreatedAfter/LastUpdatedAfter rules shared by getOrders and searchOrders.
/// `names` = (createdAfter, createdBefore, lastUpdatedAfter, lastUpdatedBefore).
impl Bounds {
    /// The order window these bounds select (see [`OrderQuery::window`]).
    fn query(&self, now: OffsetDateTime) -> OrderQuery {
        OrderQuery::window(
            self.created_after,
            self.created_before,
            self.updated_after,
            self.updated_before,
            now,
        )
    }
}

fn bounds(p: &Params, names: [&str; 4], now: OffsetDateTime) -> Result<Bounds, Reply> {
    let [ca, cb, ua, ub] = names;
    let b = Bounds {
        created_after: date(p, ca)?,
        created_before: date(p, cb)?,
        updated_after: date(p, ua)?,
        updated_before: date(p, ub)?,
    };
    match (b.created_after.is_some(), b.updated_after.is_some()) {
        (false, false) => {
            return Err(Reply::invalid(format!(
                "Either {ca} or {ua} must be specified."
            )));
        }
        (true, true) => {
            return Err(Reply::invalid(format!(
                "{ca} and {ua} cannot both be specified."
            )));
        }
        _ => {}
    }
    if b.created_after.is_some() && (b.updated_before.is_some()) {
        return Err(Reply::invalid(format!(
            "{ub} cannot be set when {ca} is set."
        )));
    }
    if b.updated_after.is_some() && b.created_before.is_some() {
        return Err(Reply::invalid(format!(
            "{cb} cannot be set when {ua} is set."
        )));
    }
    let latest = now - time::Duration::minutes(2);
    for (after, before, an, bn) in [
        (b.created_after, b.created_before, ca, cb),
        (b.updated_after, b.updated_before, ua, ub),
    ] {
        if let Some(a) = after {
            if a > now {
                return Err(Reply::invalid(format!("{an} cannot be in the future.")));
            }
        }
        if let Some(bv) = before {
            if after.is_some_and(|a| bv < a) {
                return Err(Reply::invalid(format!(
                    "{bn} must be equal to or after {an}."
                )));
            }
            if bv > latest {
                return Err(Reply::invalid(format!(
                    "{bn} must be at least two minutes before the current time."
                )));
            }
        }
    }
    Ok(b)
}

fn page_size(p: &Params, name: &str) -> Result<usize, Reply> {
    match p.one(name) {
        None => Ok(100),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err(Reply::invalid(format!(
                "{name} must be an integer between 1 and 100."
            ))),
        },
    }
}

fn enum_list(p: &Params, name: &str, allowed: &[&str]) -> Result<Option<Vec<String>>, Reply> {
    let Some(v) = p.list(name) else {
        return Ok(None);
    };
    if let Some(bad) = v.iter().find(|x| !allowed.contains(&x.as_str())) {
        return Err(Reply::invalid(format!(
            "{bad} is not a valid value for {name}."
        )));
    }
    Ok(Some(v))
}

const V0_STATUSES: &[&str] = &[
    "PendingAvailability",
    "Pending",
    "Unshipped",
    "PartiallyShipped",
    "Shipped",
    "InvoiceUnconfirmed",
    "Canceled",
    "Unfulfillable",
];
const EASY_SHIP: &[&str] = &[
    "PendingSchedule",
    "PendingPickUp",
    "PendingDropOff",
    "LabelCanceled",
    "PickedUp",
    "DroppedOff",
    "AtOriginFC",
    "AtDestinationFC",
    "Delivered",
    "RejectedByBuyer",
    "Undeliverable",
    "ReturningToSeller",
    "ReturnedToSeller",
    "Lost",
    "OutForDelivery",
    "Damaged",
];

fn statuses(v: Option<Vec<String>>) -> Option<Vec<OrderStatus>> {
    v.map(|v| v.iter().filter_map(|s| OrderStatus::parse(s)).collect())
}

/// Resolves a page token, checking it was resent with the same filters.
fn resume(
    w: &World,
    token: &str,
    canonical: &str,
    only_marketplaces: bool,
    marketplaces: &[String],
    api: &'static str,
    now: OffsetDateTime,
) -> Result<PageState, Reply> {
    let st = w
        .pages
        .get(token)
        .filter(|s| s.api == api && (now - s.issued).whole_hours() < 24);
    let Some(st) = st else {
        return Err(Reply::invalid("Invalid or expired pagination token."));
    };
    if only_marketplaces {
        if st.query.marketplaces != marketplaces {
            return Err(Reply::invalid(
                "The pagination token does not match the request's filters.",
            ));
        }
    } else if st.canonical != canonical {
        return Err(Reply::invalid(
            "The pagination token does not match the request's filters.",
        ));
    }
    Ok(st.clone())
}

fn get_orders(ctx: &Ctx<'_>) -> Reply {
    let p = or_reply!(Params::parse(ctx.query));
    let now = ctx.shared.now();
    let Some(mps) = p.list("MarketplaceIds").filter(|v| !v.is_empty()) else {
        return Reply::invalid("Missing required parameter: MarketplaceIds.");
    };
    if let Err(r) = check_marketplaces(ctx, &mps, "MarketplaceIds") {
        return r;
    }
    let limit = or_reply!(page_size(&p, "MaxResultsPerPage"));
    let mut w = ctx.shared.world(ctx.seller);
    let exclude = ["NextToken", "MaxResultsPerPage"];
    let canonical = p.canonical(&exclude);
    let (query, after, token_state) = if let Some(token) = p.one("NextToken") {
        let only_mps = !p.has("CreatedAfter") && !p.has("LastUpdatedAfter");
        match resume(&w, token, &canonical, only_mps, &mps, "v0", now) {
            Ok(st) => (st.query.clone(), Some(st.after), Some(st)),
            Err(r) => return r,
        }
    } else {
        let b = or_reply!(bounds(
            &p,
            [
                "CreatedAfter",
                "CreatedBefore",
                "LastUpdatedAfter",
                "LastUpdatedBefore",
            ],
            now,
        ));
        if p.has("SellerOrderId") {
            for k in [
                "FulfillmentChannels",
                "OrderStatuses",
                "PaymentMethods",
                "LastUpdatedAfter",
                "LastUpdatedBefore",
                "BuyerEmail",
            ] {
                if p.has(k) {
                    return Reply::invalid(format!(
                        "{k} cannot be specified when SellerOrderId is specified."
                    ));
                }
            }
        }
        let st = or_reply!(enum_list(&p, "OrderStatuses", V0_STATUSES));
        let channels = or_reply!(enum_list(&p, "FulfillmentChannels", &["AFN", "MFN"]));
        let payments = or_reply!(enum_list(&p, "PaymentMethods", &["COD", "CVS", "Other"]));
        let easy = or_reply!(enum_list(&p, "EasyShipShipmentStatuses", EASY_SHIP));
        let invoice = or_reply!(enum_list(
            &p,
            "ElectronicInvoiceStatuses",
            &[
                "NotRequired",
                "NotFound",
                "Processing",
                "Errored",
                "Accepted",
            ],
        ));
        let ids = p.list("AmazonOrderIds");
        if let Some(ids) = &ids {
            if ids.len() > 50 {
                return Reply::invalid("AmazonOrderIds may contain at most 50 values.");
            }
            if let Some(bad) = ids.iter().find(|i| !valid_order_id(i)) {
                return Reply::invalid(format!(
                    "{bad} is not a valid AmazonOrderId (3-7-7 format)."
                ));
            }
        }
        let is_ispu = match p.one("IsISPU") {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(v) => return Reply::invalid(format!("IsISPU {v:?} is not a boolean.")),
        };
        let mut dates = [None; 4];
        for (i, k) in [
            "EarliestDeliveryDateBefore",
            "EarliestDeliveryDateAfter",
            "LatestDeliveryDateBefore",
            "LatestDeliveryDateAfter",
        ]
        .into_iter()
        .enumerate()
        {
            match date(&p, k) {
                Ok(d) => dates[i] = d,
                Err(r) => return r,
            }
        }
        let q = OrderQuery {
            marketplaces: mps.clone(),
            statuses: statuses(st),
            afn: channels.map(|c| c.iter().map(|x| x == "AFN").collect()),
            payment_methods: payments,
            buyer_email: p.one("BuyerEmail").map(str::to_owned),
            seller_order_id: p.one("SellerOrderId").map(str::to_owned),
            order_ids: ids,
            is_ispu,
            easy_ship: easy.is_some(),
            invoice_statuses: invoice,
            earliest_delivery_before: dates[0],
            earliest_delivery_after: dates[1],
            latest_delivery_before: dates[2],
            latest_delivery_after: dates[3],
            ..b.query(now)
        };
        (q, None, None)
    };
    let (page, next) = w.query(&query, after, limit);
    let pii = pii(ctx);
    let orders: Vec<Value> = page
        .iter()
        .map(|s| render::order_v0(&w.orders[*s as usize], pii))
        .collect();
    let mut payload = Map::new();
    payload.insert("Orders".into(), Value::Array(orders));
    if let Some(pos) = next {
        let canonical = token_state
            .as_ref()
            .map(|s| s.canonical.clone())
            .unwrap_or(canonical);
        let token = w.save_page(PageState {
            query: query.clone(),
            after: pos,
            issued: now,
            api: "v0",
            canonical,
        });
        payload.insert("NextToken".into(), token.into());
    }
    if let Some(b) = query.updated_before {
        payload.insert("LastUpdatedBefore".into(), iso(b).into());
    }
    if let Some(b) = query.created_before {
        payload.insert("CreatedBefore".into(), iso(b).into());
    }
    Reply::ok(json!({ "payload": payload }))
}

/// Looks the path's order up: 400 for a malformed id, 404 for an unknown one.
fn find<'w>(ctx: &Ctx<'_>, w: &'w World) -> Result<&'w crate::model::SimOrder, Reply> {
    let id = ctx.order_id.unwrap_or_default();
    if !valid_order_id(id) {
        return Err(Reply::invalid(format!("Invalid AmazonOrderId: {id}")));
    }
    w.order(id)
        .ok_or_else(|| Reply::not_found(format!("Order {id} was not found.")))
}

fn get_order(ctx: &Ctx<'_>) -> Reply {
    let w = ctx.shared.world(ctx.seller);
    match find(ctx, &w) {
        Ok(o) => Reply::ok(json!({"payload": render::order_v0(o, pii(ctx))})),
        Err(r) => r,
    }
}

fn get_order_items(ctx: &Ctx<'_>) -> Reply {
    let p = or_reply!(Params::parse(ctx.query));
    let w = ctx.shared.world(ctx.seller);
    let o = or_reply!(find(ctx, &w));
    if p.one("NextToken").is_some() {
        // Orders never have more than one page of items here.
        return Reply::invalid("Invalid NextToken.");
    }
    let pii = pii(ctx);
    let items: Vec<Value> = o
        .items
        .iter()
        .map(|i| render::item_v0(o, i, pii.buyer_info))
        .collect();
    Reply::ok(json!({"payload": {"OrderItems": items, "AmazonOrderId": o.id}}))
}

fn get_order_address(ctx: &Ctx<'_>) -> Reply {
    let w = ctx.shared.world(ctx.seller);
    let o = or_reply!(find(ctx, &w));
    let full = rdt_present(ctx);
    let mut m = Map::new();
    m.insert("AmazonOrderId".into(), o.id.clone().into());
    if matches!(
        o.status,
        OrderStatus::Unshipped | OrderStatus::PartiallyShipped | OrderStatus::Shipped
    ) {
        if full {
            if let Some(c) = &o.address.company {
                m.insert("BuyerCompanyName".into(), c.clone().into());
            }
        }
        m.insert("ShippingAddress".into(), render::address_v0(o, full));
    }
    Reply::ok(json!({ "payload": m }))
}

fn get_order_buyer_info(ctx: &Ctx<'_>) -> Reply {
    let w = ctx.shared.world(ctx.seller);
    let o = or_reply!(find(ctx, &w));
    let mut m = Map::new();
    m.insert("AmazonOrderId".into(), o.id.clone().into());
    if rdt_present(ctx) {
        m.extend(render::buyer_info_v0(o));
    }
    Reply::ok(json!({ "payload": m }))
}

fn get_order_items_buyer_info(ctx: &Ctx<'_>) -> Reply {
    let w = ctx.shared.world(ctx.seller);
    let o = or_reply!(find(ctx, &w));
    let full = rdt_present(ctx);
    let items: Vec<Value> = o
        .items
        .iter()
        .map(|i| {
            let mut m = Map::new();
            m.insert("OrderItemId".into(), i.id.clone().into());
            if full {
                if let Some(b) = render::item_buyer_info(o, i) {
                    m.extend(b);
                }
            }
            Value::Object(m)
        })
        .collect();
    Reply::ok(json!({"payload": {"OrderItems": items, "AmazonOrderId": o.id}}))
}

/// Carrier codes the sandbox accepts: the values of Amazon's feed base schema
/// (`amzn-base.xsd`, `CarrierCode`) plus `Australia Post` and `Amazon Shipping`; anything
/// else must be sent as `Other` with a `carrierName`.
pub(crate) const CARRIER_CODES: &[&str] = &[
    "USPS",
    "UPS",
    "UPSMI",
    "FedEx",
    "DHL",
    "Fastway",
    "GLS",
    "GO!",
    "Hermes Logistik Gruppe",
    "Royal Mail",
    "Parcelforce",
    "City Link",
    "TNT",
    "Target",
    "SagawaExpress",
    "NipponExpress",
    "YamatoTransport",
    "DHL Global Mail",
    "UPS Mail Innovations",
    "FedEx SmartPost",
    "OSM",
    "OnTrac",
    "Streamlite",
    "Newgistics",
    "Canada Post",
    "Blue Package",
    "Chronopost",
    "Deutsche Post",
    "DPD",
    "La Poste",
    "Parcelnet",
    "Poste Italiane",
    "SDA",
    "Smartmail",
    "FEDEX_JP",
    "JP_EXPRESS",
    "NITTSU",
    "SAGAWA",
    "YAMATO",
    "BlueDart",
    "AFL/Fedex",
    "Aramex",
    "India Post",
    "Professional",
    "DTDC",
    "Overnite Express",
    "First Flight",
    "Delhivery",
    "Lasership",
    "Yodel",
    "Other",
    "Australia Post",
    "Amazon Shipping",
];

fn str_field<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn confirm_shipment(ctx: &Ctx<'_>) -> Reply {
    let now = ctx.shared.now();
    let body: Value = match serde_json::from_slice(ctx.body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return Reply::invalid(
                "The request body is not a valid ConfirmShipmentRequest JSON object.",
            );
        }
    };
    let Some(marketplace_id) = str_field(&body, "marketplaceId").filter(|s| !s.is_empty()) else {
        return Reply::invalid("Missing required field: marketplaceId.");
    };
    if let Some(m) = body.get("codCollectionMethod") {
        if m.as_str() != Some("DirectPayment") {
            return Reply::invalid("codCollectionMethod must be DirectPayment.");
        }
    }
    let Some(pkg) = body.get("packageDetail").filter(|v| v.is_object()) else {
        return Reply::invalid("Missing required field: packageDetail.");
    };
    let Some(reference) = str_field(pkg, "packageReferenceId").filter(|s| !s.is_empty()) else {
        return Reply::invalid("Missing required field: packageDetail.packageReferenceId.");
    };
    if !reference.bytes().all(|b| b.is_ascii_digit())
        || reference.trim_start_matches('0').is_empty()
    {
        return Reply::invalid("packageReferenceId must be a positive number.");
    }
    let Some(carrier_code) = str_field(pkg, "carrierCode")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Reply::invalid("Missing required field: packageDetail.carrierCode.");
    };
    if ctx.shared.cfg.strict_carrier_codes && !CARRIER_CODES.contains(&carrier_code) {
        return Reply::invalid(format!(
            "Invalid carrierCode {carrier_code:?}: use one of Amazon's carrier codes, or Other with a carrierName."
        ));
    }
    let carrier_name = str_field(pkg, "carrierName")
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if carrier_code == "Other" && carrier_name.is_none() {
        return Reply::invalid("carrierName is required when carrierCode is Other.");
    }
    let Some(tracking) = str_field(pkg, "trackingNumber")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Reply::invalid("Missing required field: packageDetail.trackingNumber.");
    };
    let Some(ship_date_s) = str_field(pkg, "shipDate") else {
        return Reply::invalid("Missing required field: packageDetail.shipDate.");
    };
    let Some(ship_date) =
        time::OffsetDateTime::parse(ship_date_s, &time::format_description::well_known::Rfc3339)
            .ok()
    else {
        return Reply::error(
            400,
            "InvalidInput",
            format!("shipDate {ship_date_s:?} is not a valid ISO 8601 date-time."),
        );
    };
    if ship_date > now {
        return Reply::invalid("shipDate cannot be in the future.");
    }
    let Some(items) = pkg
        .get("orderItems")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
    else {
        return Reply::invalid("Missing required field: packageDetail.orderItems.");
    };
    let mut wanted: Vec<(String, u32, Vec<String>)> = Vec::new();
    for it in items {
        let Some(id) = str_field(it, "orderItemId").filter(|s| !s.is_empty()) else {
            return Reply::invalid("Missing required field: orderItems.orderItemId.");
        };
        let Some(q) = it.get("quantity").and_then(Value::as_u64) else {
            return Reply::invalid(format!("Missing or invalid quantity for order item {id}."));
        };
        if q == 0 {
            return Reply::invalid(format!("Quantity for order item {id} must be at least 1."));
        }
        if wanted.iter().any(|w| w.0 == id) {
            return Reply::invalid(format!("Order item {id} is listed more than once."));
        }
        let codes: Vec<String> = it
            .get("transparencyCodes")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        wanted.push((id.to_owned(), u32::try_from(q).unwrap_or(u32::MAX), codes));
    }

    let mut w = ctx.shared.world(ctx.seller);
    let seq = {
        let o = or_reply!(find(ctx, &w));
        if o.mp.id != marketplace_id {
            return Reply::invalid(format!(
                "marketplaceId {marketplace_id} does not match the order's marketplace."
            ));
        }
        if o.afn {
            return Reply::invalid(
                "Shipment confirmation is not allowed for orders fulfilled by Amazon (AFN).",
            );
        }
        match o.status {
            OrderStatus::Unshipped | OrderStatus::PartiallyShipped | OrderStatus::Shipped => {}
            OrderStatus::Canceled => {
                return Reply::invalid("The order is canceled and cannot be shipped.");
            }
            _ => {
                return Reply::invalid(format!(
                    "An order in status {} cannot be shipped yet.",
                    o.status.v0()
                ));
            }
        }
        if ship_date < o.purchase {
            return Reply::invalid("shipDate cannot be before the order's purchase date.");
        }
        // Quantities already shipped in other packages (the same reference id is an edit).
        let existing = o.packages.iter().find(|p| p.reference_id == reference);
        for (id, q, codes) in &wanted {
            let Some(item) = o.items.iter().find(|i| &i.id == id) else {
                return Reply::invalid(format!(
                    "Order item {id} does not belong to order {}.",
                    o.id
                ));
            };
            let in_this = existing
                .and_then(|p| p.items.iter().find(|x| &x.0 == id))
                .map(|x| x.1)
                .unwrap_or(0);
            let available = item.qty - item.shipped.min(item.qty) + in_this;
            if *q > available {
                return Reply::invalid(format!(
                    "Quantity {q} for order item {id} exceeds the unshipped quantity {available}."
                ));
            }
            if item.transparency && codes.len() != *q as usize {
                return Reply::invalid(format!(
                    "Order item {id} requires {q} Transparency code(s) in transparencyCodes."
                ));
            }
        }
        o.seq
    };
    let package = SimPackage {
        reference_id: reference.to_owned(),
        carrier_code: carrier_code.to_owned(),
        carrier_name: carrier_name.map(str::to_owned),
        shipping_method: str_field(pkg, "shippingMethod").map(str::to_owned),
        tracking: tracking.to_owned(),
        ship_date: trunc(ship_date),
        created: trunc(now),
        ship_from_supply_source_id: str_field(pkg, "shipFromSupplySourceId").map(str::to_owned),
        items: wanted.clone(),
    };
    w.apply_package(
        seq,
        marketplace_id,
        package,
        now,
        crate::world::PackageWrite::ConfirmShipment,
    );
    Reply::empty(204)
}

fn search_orders(ctx: &Ctx<'_>) -> Reply {
    let p = or_reply!(Params::parse(ctx.query));
    let now = ctx.shared.now();
    let mps = p
        .list("marketplaceIds")
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| seller_marketplaces(ctx));
    if let Err(r) = check_marketplaces(ctx, &mps, "marketplaceIds") {
        return r;
    }
    let limit = or_reply!(page_size(&p, "maxResultsPerPage"));
    let inc = or_reply!(included(&p));
    let exclude = ["paginationToken", "maxResultsPerPage", "includedData"];
    let canonical = p.canonical(&exclude);
    let mut w = ctx.shared.world(ctx.seller);
    let (query, after) = if let Some(token) = p.one("paginationToken") {
        match resume(&w, token, &canonical, false, &mps, "v2026", now) {
            Ok(st) => (st.query.clone(), Some(st.after)),
            Err(r) => return r,
        }
    } else {
        let b = or_reply!(bounds(
            &p,
            [
                "createdAfter",
                "createdBefore",
                "lastUpdatedAfter",
                "lastUpdatedBefore",
            ],
            now,
        ));
        let st = or_reply!(enum_list(
            &p,
            "fulfillmentStatuses",
            &[
                "PENDING_AVAILABILITY",
                "PENDING",
                "UNSHIPPED",
                "PARTIALLY_SHIPPED",
                "SHIPPED",
                "CANCELLED",
                "UNFULFILLABLE",
            ],
        ));
        let by = or_reply!(enum_list(&p, "fulfilledBy", &["MERCHANT", "AMAZON"]));
        let q = OrderQuery {
            marketplaces: mps.clone(),
            statuses: statuses(st),
            afn: by.map(|c| c.iter().map(|x| x == "AMAZON").collect()),
            ..b.query(now)
        };
        (q, None)
    };
    let (page, next) = w.query(&query, after, limit);
    let orders: Vec<Value> = page
        .iter()
        .map(|s| render::order_2026(&w.orders[*s as usize], inc))
        .collect();
    let mut out = Map::new();
    out.insert("orders".into(), Value::Array(orders));
    if let Some(pos) = next {
        let token = w.save_page(PageState {
            query: query.clone(),
            after: pos,
            issued: now,
            api: "v2026",
            canonical,
        });
        out.insert("pagination".into(), json!({ "nextToken": token }));
    }
    if let Some(b) = query.updated_before {
        out.insert("lastUpdatedBefore".into(), iso(b).into());
    }
    if let Some(b) = query.created_before {
        out.insert("createdBefore".into(), iso(b).into());
    }
    Reply::ok(Value::Object(out))
}

fn included(p: &Params) -> Result<Included, Reply> {
    let mut inc = Included::default();
    for v in p.list("includedData").unwrap_or_default() {
        if !inc.set(&v) {
            return Err(Reply::invalid(format!(
                "{v} is not a valid value for includedData. Valid values: {}.",
                Included::VALUES.join(", ")
            )));
        }
    }
    Ok(inc)
}

fn get_order_2026(ctx: &Ctx<'_>) -> Reply {
    let p = or_reply!(Params::parse(ctx.query));
    let inc = or_reply!(included(&p));
    let w = ctx.shared.world(ctx.seller);
    match find(ctx, &w) {
        Ok(o) => Reply::ok(json!({"order": render::order_2026(o, inc)})),
        Err(r) => r,
    }
}

fn rdt_invalid(details: impl Into<String>) -> Reply {
    Reply {
        status: 400,
        body: Some(json!({"errors": [{
            "code": "InvalidInput",
            "message": "Request is missing or has invalid parameters",
            "details": details.into()
        }]})),
    }
}

fn create_rdt(ctx: &Ctx<'_>) -> Reply {
    let Caller::Lwa(token) = &ctx.caller else {
        return Reply::error(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
        );
    };
    let body: Value = match serde_json::from_slice(ctx.body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return rdt_invalid("The request body is not valid JSON."),
    };
    let Some(list) = body
        .get("restrictedResources")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
    else {
        return rdt_invalid("Resource not provided.");
    };
    if list.len() > 50 {
        return rdt_invalid("At most 50 restricted resources may be requested.");
    }
    let mut resources = Vec::new();
    for r in list {
        let method = str_field(r, "method").unwrap_or_default();
        let path = str_field(r, "path").unwrap_or_default();
        if !["GET", "PUT", "POST", "DELETE"].contains(&method) || path.is_empty() {
            return rdt_invalid("Resource not provided.");
        }
        if method != "GET" || !crate::auth::restricted_path_ok(path) {
            return rdt_invalid(format!("{method} {path} is not a restricted resource."));
        }
        let elements: Vec<String> = r
            .get("dataElements")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(bad) = elements.iter().find(|e| {
            !["buyerInfo", "shippingAddress", "buyerTaxInformation"].contains(&e.as_str())
        }) {
            return rdt_invalid(format!("{bad} is not a valid data element."));
        }
        resources.push(RestrictedResource {
            method: method.to_owned(),
            path: path.to_owned(),
            data_elements: elements,
        });
    }
    let now = ctx.shared.now();
    let lifetime =
        time::Duration::try_from(ctx.shared.cfg.token_lifetime).unwrap_or(time::Duration::HOUR);
    let rdt = Rdt {
        seller: token.seller.clone().unwrap_or_default(),
        client_id: token.client_id.clone(),
        expires: now + lifetime,
        resources,
    };
    let t = crate::server::lock(&ctx.shared.tokens).issue_rdt(rdt);
    Reply::ok(
        json!({"restrictedDataToken": t, "expiresIn": ctx.shared.real_secs(ctx.shared.cfg.token_lifetime)}),
    )
}

fn marketplace_participations(ctx: &Ctx<'_>) -> Reply {
    let list: Vec<Value> = seller_marketplaces(ctx)
        .iter()
        .filter_map(|id| marketplaces::by_id(id))
        .map(|m| {
            json!({
                "marketplace": {
                    "id": m.id,
                    "name": m.name,
                    "countryCode": m.country,
                    "defaultCurrencyCode": m.currency,
                    "defaultLanguageCode": m.language,
                    "domainName": m.domain
                },
                "participation": {"isParticipating": true, "hasSuspendedListings": false}
            })
        })
        .collect();
    Reply::ok(json!({ "payload": list }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shared() -> crate::server::Shared {
        let cfg = crate::config::SandboxConfig::default()
            .initial_orders(30)
            .orders_per_hour(0.0)
            .manual_clock_at(time::macros::datetime!(2026-06-01 12:00 UTC));
        let start = time::macros::datetime!(2026-06-01 12:00 UTC);
        let mps: Vec<_> = cfg
            .marketplaces
            .iter()
            .filter_map(|m| marketplaces::by_id(m))
            .collect();
        let world = World::new(1, mps, 30, cfg.history, 0.0, start);
        let clock = crate::clock::Clock::new(start, 1.0, crate::config::ClockMode::Manual);
        let seller = cfg.credentials.selling_partner_id.clone();
        crate::server::Shared::new(
            cfg,
            clock,
            vec![(seller, world)],
            "http://127.0.0.1:1".into(),
        )
    }

    fn call(
        s: &crate::server::Shared,
        op: &str,
        method: &axum::http::Method,
        path: &str,
        query: &str,
        body: &[u8],
        order_id: Option<&str>,
    ) -> u16 {
        let caller = Caller::Lwa(crate::auth::AccessToken {
            seller: Some(s.cfg.credentials.selling_partner_id.clone()),
            client_id: s.cfg.credentials.client_id.clone(),
            expires: time::macros::datetime!(2027-01-01 0:00 UTC),
        });
        let body = axum::body::Bytes::copy_from_slice(body);
        let ctx = Ctx {
            shared: s,
            caller,
            method,
            path,
            query,
            body: &body,
            order_id,
            seller: 0,
        };
        dispatch(op, &ctx).status
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Whatever the query, listings answer 200 or a 400, never a server error or a panic.
        #[test]
        fn listings_never_fail_on_odd_queries(
            keys in proptest::collection::vec(prop_oneof![
                Just("MarketplaceIds"), Just("CreatedAfter"), Just("CreatedBefore"), Just("LastUpdatedAfter"),
                Just("LastUpdatedBefore"), Just("MaxResultsPerPage"), Just("NextToken"), Just("OrderStatuses"),
                Just("AmazonOrderIds"), Just("SellerOrderId"), Just("marketplaceIds"), Just("createdAfter"),
                Just("lastUpdatedAfter"), Just("includedData"), Just("paginationToken"), Just("maxResultsPerPage"),
                Just("IsISPU"), Just("EarliestDeliveryDateBefore"),
            ], 0..6),
            values in proptest::collection::vec(prop_oneof![
                Just("ATVPDKIKX0DER".to_owned()), Just("2026-05-01T00:00:00Z".to_owned()), Just("2026-06-01T11:59:59Z".to_owned()),
                Just("9999-12-31T23:59:59Z".to_owned()), Just("-1".to_owned()), Just("50".to_owned()), Just("Shipped,Canceled".to_owned()),
                Just("BUYER,TAX".to_owned()), Just("111-1111111-1111111".to_owned()), "[ -~]{0,12}", "\\PC{0,6}",
            ], 6),
        ) {
            let s = shared();
            let q: Vec<String> = keys.iter().zip(&values).map(|(k, v)| {
                format!("{k}={}", v.bytes().map(|b| format!("%{b:02X}")).collect::<String>())
            }).collect();
            let q = q.join("&");
            for (op, path) in [("getOrders", "/orders/v0/orders"), ("searchOrders", "/orders/2026-01-01/orders")] {
                let status = call(&s, op, &axum::http::Method::GET, path, &q, b"", None);
                prop_assert!(status == 200 || status == 400, "{op} {q} -> {status}");
            }
        }

        /// confirmShipment bodies of any shape get 204, 400 or 404, never a panic.
        #[test]
        fn confirm_shipment_never_fails_on_odd_bodies(body in "\\PC{0,200}", id in "[0-9-]{0,20}") {
            let s = shared();
            let status = call(&s, "confirmShipment", &axum::http::Method::POST, "/x", "", body.as_bytes(), Some(&id));
            prop_assert!(matches!(status, 204 | 400 | 404), "{status}");
        }
    }

    #[test]
    fn order_ids() {
        assert!(valid_order_id("902-1845936-5435065"));
        assert!(!valid_order_id("TEST_CASE_400"));
        assert!(!valid_order_id("902-1845936-543506"));
    }

    proptest! {
        #[test]
        fn params_split_csv_and_repeats(a in "[A-Z0-9]{1,12}", b in "[A-Z0-9]{1,12}", c in "[A-Z0-9]{1,12}") {
            let p = Params::parse(&format!("MarketplaceIds={a}%2C{b}&MarketplaceIds={c}")).unwrap();
            prop_assert_eq!(p.list("MarketplaceIds").unwrap(), vec![a, b, c]);
        }
    }
}
