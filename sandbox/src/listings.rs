//! SP-API Listings Items 2021-08-01 (`listingsItems_2021-08-01.json`): `getListingsItem`,
//! `putListingsItem`, `patchListingsItem` and `deleteListingsItem` on the seller's catalog.
//!
//! The request's syntax and schema are checked at once (a `400`, or `INVALID` with
//! issues); a valid write is answered `ACCEPTED` and applied [`LISTING_APPLY_SECS`] later
//! on the sandbox clock, when the late checks run: their issues then appear on
//! `getListingsItem`, as on Amazon. `mode=VALIDATION_PREVIEW` runs every check and changes
//! nothing (`VALID` or `INVALID`).

use serde_json::{Map, Value, json};

use crate::catalog::{
    LISTING_APPLY_SECS, Listing, ListingChange, ListingIssue, MAX_LEAD_TIME_DAYS,
    PendingListingWrite, apply_patch, check_patch, check_put, parse_patches,
};
use crate::clock::iso;
use crate::http::{Ctx, Params, Reply, or_reply};
use crate::state::lock;

/// `/listings/2021-08-01/items/{sellerId}/{sku}` → (sellerId, SKU), percent-decoded.
fn path_parts(path: &str) -> Option<(String, String)> {
    let rest = path.strip_prefix("/listings/2021-08-01/items/")?;
    let (seller, sku) = rest.split_once('/')?;
    let sku = percent_decode(sku)?;
    (!seller.is_empty() && !sku.is_empty()).then(|| (seller.to_owned(), sku))
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The one marketplace of the request (the model allows exactly one).
fn marketplace(ctx: &Ctx<'_>, p: &Params) -> Result<String, Reply> {
    let Some(ids) = p.list("marketplaceIds").filter(|v| !v.is_empty()) else {
        return Err(Reply::invalid(
            "Missing required parameter: marketplaceIds.",
        ));
    };
    if ids.len() > 1 {
        return Err(Reply::invalid("marketplaceIds may contain only one value."));
    }
    let id = ids[0].clone();
    if !ctx.shared.cfg.marketplaces.contains(&id) {
        return Err(Reply::invalid(format!(
            "Invalid marketplaceIds: the seller does not participate in marketplace {id}."
        )));
    }
    Ok(id)
}

/// Checks the path's seller against the caller and returns (marketplace, SKU).
fn target(ctx: &Ctx<'_>, p: &Params) -> Result<(String, String), Reply> {
    let Some((seller, sku)) = path_parts(ctx.path) else {
        return Err(Reply::invalid("The SKU in the path could not be read."));
    };
    if Some(seller.as_str()) != ctx.caller.seller() {
        return Err(Reply::error(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
        ));
    }
    if sku.chars().count() > 40 {
        return Err(Reply::invalid(
            "The SKU must be at most 40 characters long.",
        ));
    }
    Ok((marketplace(ctx, p)?, sku))
}

fn issue_json(i: &ListingIssue, marketplace_id: &str) -> Value {
    let mut v = json!({
        "code": i.code,
        "message": i.message,
        "severity": i.severity,
        "categories": [i.category],
        "marketplaceIds": [marketplace_id],
    });
    if let Some(a) = &i.attribute {
        v["attributeNames"] = json!([a]);
    }
    v
}

const INCLUDED: &[&str] = &[
    "summaries",
    "attributes",
    "issues",
    "offers",
    "fulfillmentAvailability",
    "procurement",
    "relationships",
    "productTypes",
];

pub(crate) fn get_listings_item(ctx: &Ctx<'_>) -> Reply {
    let p = or_reply!(Params::parse(ctx.query));
    let (mp, sku) = or_reply!(target(ctx, &p));
    let included = p
        .list("includedData")
        .unwrap_or_else(|| vec!["summaries".into()]);
    if let Some(bad) = included.iter().find(|x| !INCLUDED.contains(&x.as_str())) {
        return Reply::invalid(format!("{bad} is not a valid value for includedData."));
    }
    if let Some(r) = app_cap(ctx, "listingsApp.getListingsItem") {
        return r;
    }
    let now = ctx.shared.now();
    let w = ctx.shared.world(ctx.seller);
    let Some(l) = w.catalog.get(&mp, &sku) else {
        return Reply::error(
            404,
            "NOT_FOUND",
            format!("SKU '{sku}' not found in marketplace {mp}"),
        );
    };
    Reply::ok(item_json(l, &included, now))
}

fn item_json(l: &Listing, included: &[String], now: time::OffsetDateTime) -> Value {
    let mp = l.marketplace;
    let has = |k: &str| included.iter().any(|x| x == k);
    let mut out = Map::new();
    out.insert("sku".into(), l.sku.clone().into());
    if has("summaries") {
        let mut status = Vec::new();
        if !l.closed(now) {
            status.push("DISCOVERABLE");
            if l.buyable(now) {
                status.push("BUYABLE");
            }
        }
        let mut s = json!({
            "marketplaceId": mp.id,
            "asin": l.asin,
            "productType": l.product_type,
            "conditionType": "new_new",
            "status": status,
            "createdDate": iso(l.created),
            "lastUpdatedDate": iso(l.updated),
        });
        if let Some(name) = l
            .attributes
            .get("item_name")
            .and_then(|v| v[0]["value"].as_str())
        {
            s["itemName"] = name.into();
        }
        if l.fba {
            s["fnSku"] = format!("X00{}", &l.asin[l.asin.len().saturating_sub(7)..]).into();
        }
        out.insert("summaries".into(), json!([s]));
    }
    if has("attributes") {
        out.insert("attributes".into(), Value::Object(l.attributes.clone()));
    }
    if has("issues") {
        out.insert(
            "issues".into(),
            Value::Array(l.issues.iter().map(|i| issue_json(i, mp.id)).collect()),
        );
    }
    if has("offers") {
        let offers: Vec<Value> = l
            .price()
            .filter(|_| !l.closed(now))
            .map(|p| {
                json!({
                    "marketplaceId": mp.id,
                    "offerType": "B2C",
                    "price": {"currencyCode": mp.currency, "amount": p.to_string()},
                    "audience": {"value": "ALL", "displayName": "Sell on Amazon"},
                })
            })
            .into_iter()
            .collect();
        out.insert("offers".into(), Value::Array(offers));
    }
    if has("fulfillmentAvailability") {
        let code = if l.fba {
            crate::catalog::fba_channel(mp)
        } else {
            "DEFAULT"
        };
        out.insert(
            "fulfillmentAvailability".into(),
            json!([{"fulfillmentChannelCode": code, "quantity": l.quantity()}]),
        );
    }
    if has("productTypes") {
        out.insert(
            "productTypes".into(),
            json!([{"marketplaceId": mp.id, "productType": l.product_type}]),
        );
    }
    if has("relationships") {
        out.insert(
            "relationships".into(),
            json!([{"marketplaceId": mp.id, "relationships": []}]),
        );
    }
    if has("procurement") {
        out.insert("procurement".into(), json!([]));
    }
    Value::Object(out)
}

/// The per-application cap of Listings (all sellers of the application together).
fn app_cap(ctx: &Ctx<'_>, bucket: &'static str) -> Option<Reply> {
    if !ctx.shared.cfg.rate_limits {
        return None;
    }
    let now = ctx.shared.now();
    let app = ctx.caller.client_id().to_owned();
    if lock(&ctx.shared.limiter).try_take("", &app, bucket, now) {
        return None;
    }
    Some(Reply::error(
        429,
        "QuotaExceeded",
        "You exceeded your quota for the requested resource allowed for the application.",
    ))
}

fn body(ctx: &Ctx<'_>) -> Result<Map<String, Value>, Reply> {
    match serde_json::from_slice(ctx.body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Reply::invalid(
            "Request has missing or invalid parameters and cannot be parsed.",
        )),
    }
}

/// `VALIDATION_PREVIEW`, or a real write.
fn preview(p: &Params) -> Result<bool, Reply> {
    match p.one("mode") {
        None => Ok(false),
        Some("VALIDATION_PREVIEW") => Ok(true),
        Some(m) => Err(Reply::invalid(format!(
            "{m} is not a valid value for mode."
        ))),
    }
}

fn submission(sku: &str, status: &str, id: &str, issues: &[ListingIssue], mp: &str) -> Reply {
    Reply::ok(json!({
        "sku": sku,
        "status": status,
        "submissionId": id,
        "issues": issues.iter().map(|i| issue_json(i, mp)).collect::<Vec<_>>(),
    }))
}

/// Answers a checked write: INVALID with its issues, VALID for a preview (with the late
/// checks' issues as well), or ACCEPTED and queued.
fn conclude(
    ctx: &Ctx<'_>,
    mp: &str,
    sku: &str,
    preview: bool,
    issues: Vec<ListingIssue>,
    change: ListingChange,
) -> Reply {
    let now = ctx.shared.now();
    let mut w = ctx.shared.world(ctx.seller);
    let id = w.catalog.submission_id();
    if !issues.is_empty() {
        return submission(sku, "INVALID", &id, &issues, mp);
    }
    if preview {
        let late = preview_late_issues(&w.catalog, mp, sku, &change);
        let status = if late.is_empty() { "VALID" } else { "INVALID" };
        return submission(sku, status, &id, &late, mp);
    }
    w.catalog.queue(PendingListingWrite {
        due: now + time::Duration::seconds(LISTING_APPLY_SECS),
        marketplace_id: mp.to_owned(),
        sku: sku.to_owned(),
        submission_id: id.clone(),
        change,
        source: "api".into(),
    });
    submission(sku, "ACCEPTED", &id, &[], mp)
}

/// What the late checks would say, for `VALIDATION_PREVIEW`.
fn preview_late_issues(
    c: &crate::catalog::Catalog,
    mp: &str,
    sku: &str,
    change: &ListingChange,
) -> Vec<ListingIssue> {
    let mut out = Vec::new();
    let attributes = match change {
        ListingChange::Patch { patches, .. } => {
            let Some(l) = c.get(mp, sku) else {
                return out;
            };
            let mut a = l.attributes.clone();
            for p in patches {
                apply_patch(&mut a, p);
            }
            if l.fba
                && patches.iter().any(|p| {
                    p.attribute == "fulfillment_availability"
                        && p.value.iter().any(|v| v.get("quantity").is_some())
                })
            {
                out.push(ListingIssue::error(
                    "90000904",
                    "The quantity of a listing fulfilled by Amazon is managed by Amazon and cannot be updated.",
                    Some("fulfillment_availability"),
                    "INVALID_ATTRIBUTE",
                ));
            }
            a
        }
        ListingChange::Put { attributes, .. } => attributes.clone(),
        ListingChange::Delete => return out,
    };
    for v in attributes
        .get("fulfillment_availability")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(d) = v["lead_time_to_ship_max_days"].as_u64() {
            if d > MAX_LEAD_TIME_DAYS {
                out.push(ListingIssue::error(
                    "90000900",
                    format!(
                        "The value '{d}' provided for 'lead_time_to_ship_max_days' is greater than the allowed maximum '{MAX_LEAD_TIME_DAYS}'."
                    ),
                    Some("fulfillment_availability"),
                    "INVALID_ATTRIBUTE",
                ));
            }
        }
    }
    out
}

pub(crate) fn patch_listings_item(ctx: &Ctx<'_>) -> Reply {
    let p = or_reply!(Params::parse(ctx.query));
    let (mp_id, sku) = or_reply!(target(ctx, &p));
    let preview = or_reply!(preview(&p));
    let b = or_reply!(body(ctx));
    let Some(product_type) = b.get("productType").and_then(Value::as_str) else {
        return Reply::invalid("Request has missing or invalid parameters and cannot be parsed.");
    };
    let patches = match parse_patches(b.get("patches").unwrap_or(&Value::Null)) {
        Ok(p) => p,
        Err(msg) => return Reply::invalid(msg),
    };
    let bucket = if preview {
        "listingsApp.validationPreview"
    } else {
        "listingsApp.patchListingsItem"
    };
    if let Some(r) = app_cap(ctx, bucket) {
        return r;
    }
    let Some(mp) = crate::marketplaces::by_id(&mp_id) else {
        return Reply::invalid("Unknown marketplace.");
    };
    let issues = {
        let w = ctx.shared.world(ctx.seller);
        check_patch(
            w.catalog.get(&mp_id, &sku),
            &sku,
            mp,
            product_type,
            &patches,
        )
    };
    let change = ListingChange::Patch { patches };
    conclude(ctx, &mp_id, &sku, preview, issues, change)
}

pub(crate) fn put_listings_item(ctx: &Ctx<'_>) -> Reply {
    let p = or_reply!(Params::parse(ctx.query));
    let (mp_id, sku) = or_reply!(target(ctx, &p));
    let preview = or_reply!(preview(&p));
    let b = or_reply!(body(ctx));
    let (Some(product_type), Some(Value::Object(attributes))) = (
        b.get("productType").and_then(Value::as_str),
        b.get("attributes"),
    ) else {
        return Reply::invalid("Request has missing or invalid parameters and cannot be parsed.");
    };
    if let Some(r) = b.get("requirements").and_then(Value::as_str) {
        if !["LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY"].contains(&r) {
            return Reply::invalid(format!("{r} is not a valid value for requirements."));
        }
    }
    let bucket = if preview {
        "listingsApp.validationPreview"
    } else {
        "listingsApp.putListingsItem"
    };
    if let Some(r) = app_cap(ctx, bucket) {
        return r;
    }
    let Some(mp) = crate::marketplaces::by_id(&mp_id) else {
        return Reply::invalid("Unknown marketplace.");
    };
    let issues = {
        let w = ctx.shared.world(ctx.seller);
        check_put(w.catalog.get(&mp_id, &sku), mp, product_type, attributes)
    };
    let change = ListingChange::Put {
        product_type: product_type.to_owned(),
        attributes: attributes.clone(),
    };
    conclude(ctx, &mp_id, &sku, preview, issues, change)
}

pub(crate) fn delete_listings_item(ctx: &Ctx<'_>) -> Reply {
    let p = or_reply!(Params::parse(ctx.query));
    let (mp_id, sku) = or_reply!(target(ctx, &p));
    if let Some(r) = app_cap(ctx, "listingsApp.deleteListingsItem") {
        return r;
    }
    let issues = {
        let w = ctx.shared.world(ctx.seller);
        match w.catalog.get(&mp_id, &sku) {
            Some(_) => Vec::new(),
            None => vec![ListingIssue::error(
                "4000001",
                format!("The SKU '{sku}' does not exist in marketplace {mp_id}."),
                None,
                "INVALID_ATTRIBUTE",
            )],
        }
    };
    conclude(ctx, &mp_id, &sku, false, issues, ListingChange::Delete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shared() -> crate::state::Shared {
        let start = time::macros::datetime!(2026-06-01 12:00 UTC);
        let cfg = crate::config::SandboxConfig::default()
            .initial_orders(0)
            .orders_per_hour(0.0)
            .rate_limits(false)
            .manual_clock_at(start);
        let mps: Vec<_> = cfg
            .marketplaces
            .iter()
            .filter_map(|m| crate::marketplaces::by_id(m))
            .collect();
        let world = crate::world::World::new(1, mps, 0, cfg.history, 0.0, start);
        let clock = crate::clock::Clock::new(start, 1.0, crate::config::ClockMode::Manual);
        let seller = cfg.credentials.selling_partner_id.clone();
        crate::state::Shared::new(
            cfg,
            clock,
            vec![(seller, world)],
            "http://127.0.0.1:1".into(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(120))]
        /// Whatever the body, writes answer 200 or 400, never a panic or a 5xx.
        #[test]
        fn writes_never_fail_on_odd_bodies(
            body in prop_oneof![
                "\\PC{0,120}",
                (prop_oneof![Just("add"), Just("replace"), Just("merge"), Just("delete"), Just("x")],
                 prop_oneof![Just("/attributes/fulfillment_availability"), Just("/attributes/purchasable_offer"), Just("item_name"), Just("/a/b"), Just("")],
                 prop_oneof![Just("[]".to_owned()), Just("{}".to_owned()), Just("[1, null, \"x\"]".to_owned()),
                     Just("[{\"fulfillment_channel_code\": \"DEFAULT\", \"quantity\": -1e99}]".to_owned()),
                     Just("[{\"currency\": 5, \"our_price\": [[]]}]".to_owned())],
                 prop_oneof![Just("PRODUCT"), Just("DRINKING_CUP"), Just("")])
                    .prop_map(|(op, path, value, pt)| format!(
                        "{{\"productType\": \"{pt}\", \"attributes\": {{\"x\": {value}}}, \"patches\": [{{\"op\": \"{op}\", \"path\": \"{path}\", \"value\": {value}}}]}}"
                    )),
            ],
            preview in any::<bool>(),
            sku in prop_oneof![Just("MUG-CER-350-US".to_owned()), Just("MUG-CER-350-US-FBA".to_owned()), "[A-Z%0-9]{1,12}"],
        ) {
            let s = shared();
            let caller = crate::auth::Caller::Lwa(crate::auth::AccessToken {
                seller: Some(s.cfg.credentials.selling_partner_id.clone()),
                client_id: s.cfg.credentials.client_id.clone(),
                expires: time::macros::datetime!(2027-01-01 0:00 UTC),
            });
            let path = format!("/listings/2021-08-01/items/{}/{sku}", s.cfg.credentials.selling_partner_id);
            let query = if preview { "marketplaceIds=ATVPDKIKX0DER&mode=VALIDATION_PREVIEW" } else { "marketplaceIds=ATVPDKIKX0DER" };
            let bytes = axum::body::Bytes::copy_from_slice(body.as_bytes());
            for (method, f) in [
                (axum::http::Method::PATCH, patch_listings_item as fn(&Ctx<'_>) -> Reply),
                (axum::http::Method::PUT, put_listings_item),
                (axum::http::Method::DELETE, delete_listings_item),
            ] {
                let ctx = Ctx { shared: &s, caller: caller.clone(), method: &method, path: &path, query, body: &bytes, order_id: None, seller: 0 };
                let status = f(&ctx).status;
                prop_assert!(status == 200 || status == 400, "{method} {body} -> {status}");
            }
            let _ = s.advance(std::time::Duration::from_secs(600));
        }
    }

    #[test]
    fn sku_paths_are_percent_decoded() {
        assert_eq!(
            path_parts("/listings/2021-08-01/items/A1/AB%2FC%20D"),
            Some(("A1".into(), "AB/C D".into()))
        );
        assert_eq!(path_parts("/listings/2021-08-01/items/A1/%ZZ"), None);
        assert_eq!(path_parts("/listings/2021-08-01/items/A1/"), None);
    }

    #[test]
    fn patch_syntax_errors_carry_amazons_messages() {
        let e = |v: Value| parse_patches(&v).unwrap_err();
        assert_eq!(
            e(json!([{"op": "replace", "path": "/attributes/purchasable_offer/0", "value": []}])),
            "Invalid path provided in patch at index of 0."
        );
        assert_eq!(
            e(json!([{"op": "replace", "path": "/attributes/item_name"}])),
            "Value is missing for patch at index of 0."
        );
        assert_eq!(
            e(
                json!([{"op": "merge", "path": "/attributes/item_name", "value": []}, {"op": "replace", "path": "/attributes/item_name", "value": {}}])
            ),
            "Invalid empty value provided in patch at index of 1."
        );
        let ok = parse_patches(&json!([{"op": "delete", "path": "item_name"}])).unwrap();
        assert_eq!(ok[0].attribute, "item_name");
    }
}
