//! SP-API Feeds 2021-06-30 (`feeds_2021-06-30.json`): feed documents uploaded to a
//! presigned-style URL on the sandbox, feeds processed like the MWS ones (same order feed
//! formats, same processing report), statuses moving with the sandbox clock.

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::clock::{iso, parse_iso, trunc};
use crate::feeds::{FEED_DONE_SECS, FEED_START_SECS};
use crate::http::{Ctx, Reply, or_reply};
use crate::world::{FeedDoc, MwsFeed, SpFeedMeta};

/// Feed types processed (SP-API spelling).
const SUPPORTED: &[&str] = &[
    "POST_ORDER_FULFILLMENT_DATA",
    "POST_ORDER_ACKNOWLEDGEMENT_DATA",
    "POST_FLAT_FILE_FULFILLMENT_DATA",
    "POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA",
    "POST_PAYMENT_ADJUSTMENT_DATA",
    "JSON_LISTINGS_FEED",
];

/// Legacy listings feeds Amazon removed on 2025-07-31: accepted, then `FATAL`.
const REMOVED: &[&str] = &[
    "POST_INVENTORY_AVAILABILITY_DATA",
    "POST_PRODUCT_PRICING_DATA",
    "POST_PRODUCT_DATA",
    "POST_PRODUCT_OVERRIDES_DATA",
    "POST_PRODUCT_IMAGE_DATA",
    "POST_PRODUCT_RELATIONSHIP_DATA",
    "POST_FLAT_FILE_INVLOADER_DATA",
    "POST_FLAT_FILE_LISTINGS_DATA",
    "POST_FLAT_FILE_BOOKLOADER_DATA",
    "POST_FLAT_FILE_CONVERGENCE_LISTINGS_DATA",
    "POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA",
    "POST_UIEE_BOOKLOADER_DATA",
];

/// The URL a feed document is uploaded to and downloaded from.
pub(crate) fn document_url(base: &str, id: &str) -> String {
    format!("{base}/_sandbox/feed-documents/{id}")
}

fn body_json(ctx: &Ctx<'_>) -> Result<Value, Reply> {
    match serde_json::from_slice(ctx.body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(Reply::invalid("The request body is not a JSON object.")),
    }
}

pub(crate) fn create_document(ctx: &Ctx<'_>) -> Reply {
    let body = or_reply!(body_json(ctx));
    let Some(content_type) = body
        .get("contentType")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
    else {
        return Reply::invalid("Missing required field: contentType.");
    };
    let mut w = ctx.shared.world(ctx.seller);
    let id = format!(
        "amzn1.tortuga.4.sbx.{}.{:08}",
        ctx.seller,
        w.feed_docs.len() + 1
    );
    w.feed_docs.insert(
        id.clone(),
        FeedDoc {
            content_type: content_type.trim().to_owned(),
            body: None,
        },
    );
    Reply {
        status: 201,
        body: Some(json!({"feedDocumentId": id, "url": document_url(&ctx.shared.base_url, &id)})),
    }
}

pub(crate) fn get_document(ctx: &Ctx<'_>) -> Reply {
    let id = ctx.order_id.unwrap_or_default();
    let w = ctx.shared.world(ctx.seller);
    if !w.feed_docs.contains_key(id) {
        return Reply::not_found(format!("Feed document {id} was not found."));
    }
    Reply::ok(json!({"feedDocumentId": id, "url": document_url(&ctx.shared.base_url, id)}))
}

pub(crate) fn create_feed(ctx: &Ctx<'_>) -> Reply {
    let body = or_reply!(body_json(ctx));
    let Some(feed_type) = body.get("feedType").and_then(Value::as_str) else {
        return Reply::invalid("Missing required field: feedType.");
    };
    let removed = REMOVED.contains(&feed_type);
    if !SUPPORTED.contains(&feed_type) && !removed {
        return Reply::invalid(format!(
            "Invalid feedType {feed_type}: the sandbox processes {}.",
            SUPPORTED.join(", ")
        ));
    }
    let Some(mps) = body
        .get("marketplaceIds")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
    else {
        return Reply::invalid("Missing required field: marketplaceIds.");
    };
    let mps: Vec<String> = mps
        .iter()
        .filter_map(|m| m.as_str().map(str::to_owned))
        .collect();
    if let Some(bad) = mps
        .iter()
        .find(|m| !ctx.shared.cfg.marketplaces.contains(m))
    {
        return Reply::invalid(format!(
            "Invalid marketplaceIds: {bad} is not a marketplace of this seller."
        ));
    }
    let Some(doc_id) = body.get("inputFeedDocumentId").and_then(Value::as_str) else {
        return Reply::invalid("Missing required field: inputFeedDocumentId.");
    };
    let now = ctx.shared.now();
    let mut w = ctx.shared.world(ctx.seller);
    let content = match w.feed_docs.get(doc_id) {
        None => return Reply::invalid(format!("Invalid inputFeedDocumentId {doc_id}.")),
        Some(FeedDoc { body: None, .. }) => {
            return Reply::invalid(format!(
                "The feed document {doc_id} has no content: upload it first."
            ));
        }
        Some(FeedDoc { body: Some(b), .. }) => String::from_utf8_lossy(b).into_owned(),
    };
    if feed_type == "JSON_LISTINGS_FEED" && ctx.shared.cfg.rate_limits {
        // At most 5 listings feeds per 5 minutes (per seller and region here).
        let recent = w
            .feeds
            .iter()
            .filter(|f| {
                f.sp.is_some()
                    && f.feed_type == "_JSON_LISTINGS_FEED_"
                    && now - f.submitted < time::Duration::minutes(5)
            })
            .count();
        if recent >= 5 {
            return Reply::error(
                429,
                "QuotaExceeded",
                "You exceeded your quota for the requested resource.",
            );
        }
    }
    let id = (50_001_000_000u64 + w.feeds.len() as u64 * 137 + 11).to_string();
    let result_doc = format!("amzn1.tortuga.4.sbx.{}.r{id}", ctx.seller);
    let merchant = ctx.shared.worlds[ctx.seller].0.clone();
    w.feeds.push(MwsFeed {
        id: id.clone(),
        feed_type: format!("_{feed_type}_"),
        submitted: trunc(now),
        body: content,
        merchant,
        strict_carrier_codes: ctx.shared.cfg.strict_carrier_codes,
        cancelled: false,
        report: None,
        sp: Some(SpFeedMeta {
            marketplace_ids: mps,
            result_doc,
            fatal: removed,
        }),
    });
    Reply {
        status: 202,
        body: Some(json!({ "feedId": id })),
    }
}

fn status(f: &MwsFeed, now: OffsetDateTime) -> &'static str {
    let age = now - f.submitted;
    let fatal = f.sp.as_ref().is_some_and(|m| m.fatal);
    if f.cancelled {
        "CANCELLED"
    } else if age < time::Duration::seconds(FEED_START_SECS) {
        "IN_QUEUE"
    } else if age < time::Duration::seconds(FEED_DONE_SECS) {
        "IN_PROGRESS"
    } else if fatal {
        "FATAL"
    } else {
        "DONE"
    }
}

fn feed_json(f: &MwsFeed, now: OffsetDateTime) -> Value {
    let st = status(f, now);
    let mut v = json!({
        "feedId": f.id,
        "feedType": f.feed_type.trim_matches('_'),
        "createdTime": iso(f.submitted),
        "processingStatus": st,
    });
    if let Some(meta) = &f.sp {
        v["marketplaceIds"] = json!(meta.marketplace_ids);
        if matches!(st, "IN_PROGRESS" | "DONE" | "FATAL") {
            v["processingStartTime"] =
                json!(iso(f.submitted + time::Duration::seconds(FEED_START_SECS)));
        }
        if matches!(st, "DONE" | "FATAL") {
            v["processingEndTime"] =
                json!(iso(f.submitted + time::Duration::seconds(FEED_DONE_SECS)));
        }
        if st == "DONE" {
            v["resultFeedDocumentId"] = json!(meta.result_doc);
        }
    }
    v
}

pub(crate) fn get_feed(ctx: &Ctx<'_>) -> Reply {
    let id = ctx.order_id.unwrap_or_default();
    let now = ctx.shared.now();
    let w = ctx.shared.world(ctx.seller);
    match w.feeds.iter().find(|f| f.id == id && f.sp.is_some()) {
        Some(f) => Reply::ok(feed_json(f, now)),
        None => Reply::not_found(format!("Feed {id} was not found.")),
    }
}

pub(crate) fn cancel_feed(ctx: &Ctx<'_>) -> Reply {
    let id = ctx.order_id.unwrap_or_default();
    let now = ctx.shared.now();
    let mut w = ctx.shared.world(ctx.seller);
    let Some(f) = w.feeds.iter_mut().find(|f| f.id == id && f.sp.is_some()) else {
        return Reply::not_found(format!("Feed {id} was not found."));
    };
    match status(f, now) {
        "IN_QUEUE" => {
            f.cancelled = true;
            Reply::empty(200)
        }
        st => Reply::invalid(format!(
            "Feed {id} is {st}: only IN_QUEUE feeds can be cancelled."
        )),
    }
}

/// A `getFeeds` page token: the original filters and the position, so that a token alone
/// resumes the listing (Amazon ignores other parameters sent with `nextToken`).
fn page_token(query: &str, offset: usize) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{offset}|{query}"))
}

fn read_page_token(token: &str) -> Option<(usize, String)> {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (offset, query) = text.split_once('|')?;
    Some((offset.parse().ok()?, query.to_owned()))
}

pub(crate) fn get_feeds(ctx: &Ctx<'_>) -> Reply {
    let p = or_reply!(crate::http::Params::parse(ctx.query));
    let (offset, p, filters) = match p.one("nextToken") {
        None => {
            let filters: Vec<(String, String)> =
                serde_urlencoded::from_str::<Vec<(String, String)>>(ctx.query).unwrap_or_default();
            let filters = serde_urlencoded::to_string(&filters).unwrap_or_default();
            (0, p, filters)
        }
        Some(t) => {
            let Some((offset, filters)) = read_page_token(t) else {
                return Reply::invalid("Invalid nextToken.");
            };
            (
                offset,
                or_reply!(crate::http::Params::parse(&filters)),
                filters,
            )
        }
    };
    let Some(types) = p.list("feedTypes").filter(|t| !t.is_empty()) else {
        return Reply::invalid("feedTypes is required when nextToken is not given.");
    };
    if types.len() > 10 {
        return Reply::invalid("feedTypes may contain at most 10 values.");
    }
    let mps = p.list("marketplaceIds");
    if mps.as_ref().is_some_and(|m| m.is_empty() || m.len() > 10) {
        return Reply::invalid("marketplaceIds must contain 1 to 10 values.");
    }
    let page = match p.one("pageSize") {
        None => 10,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => return Reply::invalid("pageSize must be between 1 and 100."),
        },
    };
    let statuses = p.list("processingStatuses");
    const STATUSES: &[&str] = &["CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE"];
    if let Some(bad) = statuses
        .iter()
        .flatten()
        .find(|s| !STATUSES.contains(&s.as_str()))
    {
        return Reply::invalid(format!("{bad} is not a valid processingStatus."));
    }
    let now = ctx.shared.now();
    let date = |k: &str, default: OffsetDateTime| match p.one(k) {
        None => Ok(default),
        Some(v) => parse_iso(v)
            .ok_or_else(|| Reply::invalid(format!("{k} is not a valid ISO 8601 date-time."))),
    };
    let since = or_reply!(date("createdSince", now - time::Duration::days(90)));
    let until = or_reply!(date("createdUntil", now));
    let w = ctx.shared.world(ctx.seller);
    let matching: Vec<&MwsFeed> = w
        .feeds
        .iter()
        .rev()
        .filter(|f| {
            let Some(meta) = &f.sp else { return false };
            types.iter().any(|t| f.feed_type.trim_matches('_') == t)
                && mps
                    .as_ref()
                    .is_none_or(|m| meta.marketplace_ids.iter().any(|x| m.contains(x)))
                && statuses
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|x| x == status(f, now)))
                && f.submitted >= since
                && f.submitted <= until
        })
        .collect();
    let feeds: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(page)
        .map(|f| feed_json(f, now))
        .collect();
    let mut out = json!({ "feeds": feeds });
    if matching.len() > offset + page {
        out["nextToken"] = page_token(&filters, offset + page).into();
    }
    Reply::ok(out)
}
