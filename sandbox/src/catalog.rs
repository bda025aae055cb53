//! The seller's catalog: one listing per (marketplace, SKU), seeded from the generator's
//! products, with product type, quantity (merchant-fulfilled; Amazon owns FBA quantities),
//! handling time, price and a buyable or closed state. Listings writes are queued and
//! applied on the sandbox clock, as on Amazon, where `ACCEPTED` only means queued.
//! World layer: no HTTP here; the Listings Items API module validates and renders.

use std::collections::BTreeMap;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::generator::CATALOGUE;
use crate::marketplaces::Marketplace;

/// Sandbox seconds between an accepted listings write and its effect (and its late issues).
pub(crate) const LISTING_APPLY_SECS: i64 = 120;

/// The largest handling time Amazon accepts (days).
pub(crate) const MAX_LEAD_TIME_DAYS: u64 = 30;

/// Product types of the generator's products, by catalogue index.
const PRODUCT_TYPES: [&str; 20] = [
    "DRINKING_CUP",
    "CHARGING_ADAPTER",
    "GROCERY",
    "DRINKING_CUP",
    "KITCHEN",
    "ELECTRONIC_CABLE",
    "SPEAKERS",
    "ABIS_BOOK",
    "EXERCISE_MAT",
    "LIGHT_FIXTURE",
    "WRITING_INSTRUMENT",
    "KEYBOARDS",
    "SOCKS",
    "BOTTLE",
    "PUZZLES",
    "HEADPHONES",
    "GROCERY",
    "CUTTING_KNIFE",
    "LAMP",
    "TOY_FIGURE",
];

/// The SKU of a catalogue product in a marketplace: FBA listings carry `-FBA`.
pub(crate) fn sku_for(base: &str, mp: &Marketplace, fba: bool) -> String {
    if fba {
        format!("{base}-{}-FBA", mp.country)
    } else {
        format!("{base}-{}", mp.country)
    }
}

/// The same product's SKU on the other channel.
pub(crate) fn switch_channel(sku: &str, fba: bool) -> String {
    match (sku.strip_suffix("-FBA"), fba) {
        (Some(base), false) => base.to_owned(),
        (None, true) => format!("{sku}-FBA"),
        _ => sku.to_owned(),
    }
}

/// The FBA fulfilment channel code of a marketplace's region.
pub(crate) fn fba_channel(mp: &Marketplace) -> &'static str {
    match mp.country {
        "US" | "CA" | "MX" | "BR" => "AMAZON_NA",
        "JP" => "AMAZON_JP",
        "AU" => "AMAZON_AU",
        _ => "AMAZON_EU",
    }
}

/// An issue on a listing, in the Listings Items model's terms.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ListingIssue {
    pub(crate) code: String,
    pub(crate) message: String,
    /// `ERROR`, `WARNING` or `INFO`.
    pub(crate) severity: &'static str,
    pub(crate) attribute: Option<String>,
    /// `INVALID_ATTRIBUTE`, `MISSING_ATTRIBUTE`, …
    pub(crate) category: &'static str,
}

impl ListingIssue {
    pub(crate) fn error(
        code: &str,
        message: impl Into<String>,
        attribute: Option<&str>,
        category: &'static str,
    ) -> Self {
        ListingIssue {
            code: code.to_owned(),
            message: message.into(),
            severity: "ERROR",
            attribute: attribute.map(str::to_owned),
            category,
        }
    }
}

/// One listing of the seller in one marketplace.
#[derive(Debug, Clone)]
pub(crate) struct Listing {
    pub(crate) sku: String,
    pub(crate) marketplace: &'static Marketplace,
    pub(crate) asin: String,
    pub(crate) product_type: String,
    /// Fulfilled by Amazon: the quantity is Amazon's, not the seller's.
    pub(crate) fba: bool,
    /// The attributes as the seller last wrote them (Amazon's JSON shape).
    pub(crate) attributes: Map<String, Value>,
    /// The quantity Amazon's fulfilment centres hold (FBA listings).
    pub(crate) fba_quantity: u32,
    pub(crate) created: OffsetDateTime,
    pub(crate) updated: OffsetDateTime,
    /// Issues found by the checks that run after acceptance.
    pub(crate) issues: Vec<ListingIssue>,
}

impl Listing {
    fn instances<'a>(&'a self, attr: &str) -> impl Iterator<Item = &'a Value> + 'a {
        self.attributes
            .get(attr)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    }

    /// The merchant-fulfilled availability instance (`fulfillment_channel_code` DEFAULT).
    fn default_availability(&self) -> Option<&Value> {
        self.instances("fulfillment_availability")
            .find(|v| v["fulfillment_channel_code"] == "DEFAULT")
    }

    /// The quantity buyers can order.
    pub(crate) fn quantity(&self) -> u32 {
        if self.fba {
            return self.fba_quantity;
        }
        self.default_availability()
            .and_then(|v| v["quantity"].as_u64())
            .map_or(0, |q| u32::try_from(q).unwrap_or(u32::MAX))
    }

    /// Handling time in days (merchant-fulfilled), when set.
    pub(crate) fn lead_time(&self) -> Option<u32> {
        self.default_availability()
            .and_then(|v| v["lead_time_to_ship_max_days"].as_u64())
            .and_then(|d| u32::try_from(d).ok())
    }

    /// The standard (audience ALL) offer in the marketplace's currency.
    fn offer(&self) -> Option<&Value> {
        self.instances("purchasable_offer").find(|v| {
            v["currency"] == self.marketplace.currency
                && v.get("audience").is_none_or(|a| a == "ALL")
        })
    }

    /// The price (`our_price`) of the standard offer.
    pub(crate) fn price(&self) -> Option<Decimal> {
        let p = &self.offer()?["our_price"][0]["schedule"][0]["value_with_tax"];
        match p {
            Value::String(s) => s.parse().ok(),
            Value::Number(n) => n.to_string().parse().ok(),
            _ => None,
        }
    }

    /// Closed: the offer's `end_at` has passed (Amazon has no other close operation).
    pub(crate) fn closed(&self, now: OffsetDateTime) -> bool {
        self.offer()
            .and_then(|o| o["end_at"]["value"].as_str())
            .and_then(crate::clock::parse_iso)
            .is_some_and(|end| end <= now)
    }

    /// Buyable: open, priced and in stock.
    pub(crate) fn buyable(&self, now: OffsetDateTime) -> bool {
        !self.closed(now) && self.price().is_some() && self.quantity() > 0
    }
}

/// A JSON Patch operation of a listings write, already checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Patch {
    /// `add`, `replace`, `merge` or `delete`.
    pub(crate) op: String,
    /// The top-level attribute name.
    pub(crate) attribute: String,
    pub(crate) value: Vec<Value>,
}

/// What an accepted listings write does once applied.
#[derive(Debug, Clone)]
pub(crate) enum ListingChange {
    Patch {
        patches: Vec<Patch>,
    },
    Put {
        product_type: String,
        attributes: Map<String, Value>,
    },
    Delete,
}

/// A listing as the sandbox holds it now.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ListingSnapshot {
    /// The SKU.
    pub sku: String,
    /// The marketplace.
    pub marketplace_id: String,
    /// The ASIN.
    pub asin: String,
    /// The product type.
    pub product_type: String,
    /// Fulfilled by Amazon (the quantity is Amazon's).
    pub fba: bool,
    /// The quantity buyers can order (Amazon's for FBA).
    pub quantity: u32,
    /// Handling time in days (`lead_time_to_ship_max_days`), when set.
    pub lead_time_days: Option<u32>,
    /// The standard offer's price.
    pub price: Option<Decimal>,
    /// The marketplace's currency.
    pub currency: String,
    /// The offer has ended.
    pub closed: bool,
    /// Open, priced and in stock.
    pub buyable: bool,
    /// Messages of the issues on the listing.
    pub issues: Vec<String>,
    /// The attributes as last written (Amazon's JSON).
    pub attributes: Value,
}

impl Listing {
    pub(crate) fn snapshot(&self, now: OffsetDateTime) -> ListingSnapshot {
        ListingSnapshot {
            sku: self.sku.clone(),
            marketplace_id: self.marketplace.id.to_owned(),
            asin: self.asin.clone(),
            product_type: self.product_type.clone(),
            fba: self.fba,
            quantity: self.quantity(),
            lead_time_days: self.lead_time(),
            price: self.price(),
            currency: self.marketplace.currency.to_owned(),
            closed: self.closed(now),
            buyable: self.buyable(now),
            issues: self.issues.iter().map(|i| i.message.clone()).collect(),
            attributes: Value::Object(self.attributes.clone()),
        }
    }
}

/// A listings write accepted and waiting to be applied.
#[derive(Debug, Clone)]
pub(crate) struct PendingListingWrite {
    pub(crate) due: OffsetDateTime,
    pub(crate) marketplace_id: String,
    pub(crate) sku: String,
    pub(crate) submission_id: String,
    pub(crate) change: ListingChange,
    /// Where it came from: `api` or a feed id.
    pub(crate) source: String,
}

/// A listings write applied (or refused by the late checks), for the control API.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AppliedListingWrite {
    /// The submission id answered when it was accepted.
    pub submission_id: String,
    /// The SKU.
    pub sku: String,
    /// The marketplace.
    pub marketplace_id: String,
    /// `PATCH`, `PUT` or `DELETE`.
    pub kind: String,
    /// `patchListingsItem`/`putListingsItem`/`deleteListingsItem` (`api`) or the feed id.
    pub source: String,
    /// Sandbox time it took effect.
    pub applied_at: OffsetDateTime,
    /// Whether it changed the listing (`false` when a late check refused it).
    pub applied: bool,
    /// Messages of the issues the late checks raised.
    pub issues: Vec<String>,
}

/// The catalog of one seller.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    /// (marketplace id, SKU) → listing.
    pub(crate) listings: BTreeMap<(String, String), Listing>,
    pub(crate) pending: Vec<PendingListingWrite>,
    pub(crate) applied: Vec<AppliedListingWrite>,
    submissions: u64,
    seed: u64,
}

/// The `fulfillment_availability` instance of a merchant-fulfilled listing.
pub(crate) fn availability(quantity: u32, lead_time: Option<u32>) -> Value {
    let mut v = json!({"fulfillment_channel_code": "DEFAULT", "quantity": quantity});
    if let Some(d) = lead_time {
        v["lead_time_to_ship_max_days"] = d.into();
    }
    v
}

/// A standard `purchasable_offer` instance.
pub(crate) fn offer(mp: &Marketplace, price: Decimal, end_at: Option<OffsetDateTime>) -> Value {
    let mut v = json!({
        "marketplace_id": mp.id,
        "currency": mp.currency,
        "audience": "ALL",
        "our_price": [{"schedule": [{"value_with_tax": price.to_string()}]}],
    });
    if let Some(end) = end_at {
        v["end_at"] = json!({"value": crate::clock::iso(end)});
    }
    v
}

impl Catalog {
    /// Seeds the catalog: every generator product in every marketplace, merchant-fulfilled
    /// and FBA, with its own random generator so the orders stay as they were.
    pub(crate) fn seed(seed: u64, mps: &[&'static Marketplace], now: OffsetDateTime) -> Self {
        let mut rng = SmallRng::seed_from_u64(seed ^ 0xCA7A_1065);
        let mut listings = BTreeMap::new();
        for mp in mps {
            for (ix, (asin, base, title, cents)) in CATALOGUE.iter().enumerate() {
                let price = (Decimal::new(*cents, 2) * mp.fx).round_dp(mp.scale);
                let created = now - time::Duration::days(rng.gen_range(30..400));
                for fba in [false, true] {
                    let sku = sku_for(base, mp, fba);
                    // One listing in twenty is closed (its offer ended yesterday).
                    let end_at = rng.gen_bool(0.05).then(|| now - time::Duration::days(1));
                    let mut attributes = Map::new();
                    attributes.insert(
                        "item_name".into(),
                        json!([{"value": title, "marketplace_id": mp.id}]),
                    );
                    attributes.insert(
                        "condition_type".into(),
                        json!([{"value": "new_new", "marketplace_id": mp.id}]),
                    );
                    attributes.insert(
                        "merchant_suggested_asin".into(),
                        json!([{"value": asin, "marketplace_id": mp.id}]),
                    );
                    let availability = if fba {
                        json!({"fulfillment_channel_code": fba_channel(mp)})
                    } else {
                        availability(rng.gen_range(0..60), Some(rng.gen_range(1..=3)))
                    };
                    attributes.insert("fulfillment_availability".into(), json!([availability]));
                    attributes.insert(
                        "purchasable_offer".into(),
                        json!([offer(mp, price, end_at)]),
                    );
                    listings.insert(
                        (mp.id.to_owned(), sku.clone()),
                        Listing {
                            sku,
                            marketplace: mp,
                            asin: (*asin).to_owned(),
                            product_type: PRODUCT_TYPES[ix % PRODUCT_TYPES.len()].to_owned(),
                            fba,
                            attributes,
                            fba_quantity: if fba { rng.gen_range(0..200) } else { 0 },
                            created,
                            updated: created,
                            issues: Vec::new(),
                        },
                    );
                }
            }
        }
        Catalog {
            listings,
            pending: Vec::new(),
            applied: Vec::new(),
            submissions: 0,
            seed,
        }
    }

    pub(crate) fn get(&self, marketplace_id: &str, sku: &str) -> Option<&Listing> {
        self.listings
            .get(&(marketplace_id.to_owned(), sku.to_owned()))
    }

    /// A new submission id (a UUID-shaped token, deterministic under the seed).
    pub(crate) fn submission_id(&mut self) -> String {
        self.submissions += 1;
        let a = crate::hash::mix(self.seed ^ 0x5B51 ^ self.submissions);
        let b = crate::hash::mix(a);
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48 & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    /// Queues an accepted write.
    pub(crate) fn queue(&mut self, write: PendingListingWrite) {
        self.pending.push(write);
    }

    /// Applies every queued write due by `now`, in acceptance order.
    pub(crate) fn catch_up(&mut self, now: OffsetDateTime, mps: &[&'static Marketplace]) {
        if self.pending.iter().all(|p| p.due > now) {
            return;
        }
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| p.due <= now);
        self.pending = later;
        for w in due {
            let at = w.due;
            let record = self.apply(w, at, mps);
            self.applied.push(record);
        }
    }

    fn apply(
        &mut self,
        w: PendingListingWrite,
        at: OffsetDateTime,
        mps: &[&'static Marketplace],
    ) -> AppliedListingWrite {
        let key = (w.marketplace_id.clone(), w.sku.clone());
        let mut record = AppliedListingWrite {
            submission_id: w.submission_id.clone(),
            sku: w.sku.clone(),
            marketplace_id: w.marketplace_id.clone(),
            kind: match &w.change {
                ListingChange::Patch { .. } => "PATCH",
                ListingChange::Put { .. } => "PUT",
                ListingChange::Delete => "DELETE",
            }
            .to_owned(),
            source: w.source.clone(),
            applied_at: at,
            applied: false,
            issues: Vec::new(),
        };
        match w.change {
            ListingChange::Delete => {
                record.applied = self.listings.remove(&key).is_some();
            }
            ListingChange::Put {
                product_type,
                attributes,
            } => {
                let Some(mp) = mps.iter().find(|m| m.id == w.marketplace_id) else {
                    return record;
                };
                let fba = attributes
                    .get("fulfillment_availability")
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.iter().any(|v| v["fulfillment_channel_code"] != "DEFAULT"));
                let asin = attributes
                    .get("merchant_suggested_asin")
                    .and_then(|v| v[0]["value"].as_str())
                    .unwrap_or_default()
                    .to_owned();
                let mut candidate = Listing {
                    sku: w.sku.clone(),
                    marketplace: mp,
                    asin,
                    product_type,
                    fba,
                    attributes,
                    fba_quantity: 0,
                    created: at,
                    updated: at,
                    issues: Vec::new(),
                };
                if let Some(old) = self.listings.get(&key) {
                    candidate.created = old.created;
                    candidate.fba_quantity = old.fba_quantity;
                    candidate.asin = if candidate.asin.is_empty() {
                        old.asin.clone()
                    } else {
                        candidate.asin
                    };
                }
                let issues = late_checks(&candidate);
                record.issues = issues.iter().map(|i| i.message.clone()).collect();
                if issues.is_empty() {
                    record.applied = true;
                    self.listings.insert(key, candidate);
                } else if let Some(old) = self.listings.get_mut(&key) {
                    old.issues = issues;
                }
            }
            ListingChange::Patch { patches, .. } => {
                let Some(old) = self.listings.get(&key) else {
                    return record;
                };
                let mut candidate = old.clone();
                for p in &patches {
                    apply_patch(&mut candidate.attributes, p);
                }
                let mut issues = late_checks(&candidate);
                if old.fba && touches_quantity(&patches) {
                    issues.push(ListingIssue::error(
                        "90000904",
                        "The quantity of a listing fulfilled by Amazon is managed by Amazon and cannot be updated.",
                        Some("fulfillment_availability"),
                        "INVALID_ATTRIBUTE",
                    ));
                }
                record.issues = issues.iter().map(|i| i.message.clone()).collect();
                if issues.is_empty() {
                    candidate.updated = at;
                    candidate.issues = Vec::new();
                    record.applied = true;
                    self.listings.insert(key, candidate);
                } else if let Some(l) = self.listings.get_mut(&key) {
                    l.issues = issues;
                }
            }
        }
        record
    }
}

/// Whether a patch sets a quantity.
fn touches_quantity(patches: &[Patch]) -> bool {
    patches.iter().any(|p| {
        p.attribute == "fulfillment_availability"
            && p.op != "delete"
            && p.value.iter().any(|v| v.get("quantity").is_some())
    })
}

/// The checks Amazon runs after acceptance: they raise issues on the listing instead of
/// refusing the request.
fn late_checks(l: &Listing) -> Vec<ListingIssue> {
    let mut out = Vec::new();
    for v in l.instances("fulfillment_availability") {
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

/// The selector values that identify an instance of an attribute.
fn selectors(attribute: &str, v: &Value) -> Vec<Value> {
    let keys: &[&str] = match attribute {
        "fulfillment_availability" => &["fulfillment_channel_code"],
        "purchasable_offer" => &["marketplace_id", "currency", "audience"],
        _ => &["marketplace_id", "language_tag"],
    };
    keys.iter()
        .map(|k| match (v.get(*k), *k) {
            (None, "audience") => json!("ALL"),
            (x, _) => x.cloned().unwrap_or(Value::Null),
        })
        .collect()
}

/// Applies one patch to a listing's attributes. Instances are matched by their selectors
/// (`fulfillment_channel_code`; `marketplace_id`, `currency`, `audience` for offers):
/// `replace`/`add` put the given instance in place of the matching one (fields left out
/// are gone: a `replace` of availability without `lead_time_to_ship_max_days` wipes it),
/// `merge` updates only the fields given, `delete` removes the matching instances. An
/// instance matching none is added, so a `replace` with another channel code adds a
/// second availability rather than switching channel, as on Amazon.
pub(crate) fn apply_patch(attributes: &mut Map<String, Value>, p: &Patch) {
    let list = attributes
        .entry(p.attribute.clone())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    let Some(arr) = list.as_array_mut() else {
        return;
    };
    for v in &p.value {
        let sel = selectors(&p.attribute, v);
        let pos = arr.iter().position(|x| selectors(&p.attribute, x) == sel);
        match (p.op.as_str(), pos) {
            ("delete", Some(i)) => {
                arr.remove(i);
            }
            ("delete", None) => {}
            ("merge", Some(i)) => {
                if let (Some(old), Some(new)) = (arr[i].as_object_mut(), v.as_object()) {
                    for (k, x) in new {
                        old.insert(k.clone(), x.clone());
                    }
                }
            }
            (_, Some(i)) => arr[i] = v.clone(),
            (_, None) => arr.push(v.clone()),
        }
    }
    if p.op == "delete" && p.value.is_empty() {
        arr.clear();
    }
    if arr.is_empty() {
        attributes.remove(&p.attribute);
    }
}

/// Attributes the sandbox knows; any other name is refused as Amazon refuses unknown or
/// misspelt ones (`90000900`).
pub(crate) const KNOWN_ATTRIBUTES: &[&str] = &[
    "item_name",
    "brand",
    "manufacturer",
    "bullet_point",
    "product_description",
    "condition_type",
    "condition_note",
    "merchant_suggested_asin",
    "externally_assigned_product_identifier",
    "supplier_declared_has_product_identifier_exemption",
    "fulfillment_availability",
    "purchasable_offer",
    "list_price",
    "main_product_image_locator",
    "other_product_image_locator_1",
    "item_package_quantity",
    "item_weight",
    "country_of_origin",
    "batteries_required",
    "supplier_declared_dg_hz_regulation",
    "skip_offer",
    "merchant_shipping_group",
    "max_order_quantity",
    "gift_options",
];

/// Attributes an offer-only write may carry with the generic `PRODUCT` type.
pub(crate) const OFFER_ATTRIBUTES: &[&str] = &[
    "fulfillment_availability",
    "purchasable_offer",
    "list_price",
    "condition_type",
    "condition_note",
    "merchant_shipping_group",
    "max_order_quantity",
    "skip_offer",
    "gift_options",
];

/// The issues of an attribute's instances that the schema catches at once.
pub(crate) fn schema_issues(
    attribute: &str,
    values: &[Value],
    mp: &Marketplace,
) -> Vec<ListingIssue> {
    let mut out = Vec::new();
    let invalid =
        |msg: String| ListingIssue::error("90000900", msg, Some(attribute), "INVALID_ATTRIBUTE");
    for v in values {
        if !v.is_object() {
            out.push(invalid(format!(
                "The value provided for '{attribute}' is not an object."
            )));
            continue;
        }
        match attribute {
            "fulfillment_availability" => {
                if v["fulfillment_channel_code"]
                    .as_str()
                    .is_none_or(str::is_empty)
                {
                    out.push(invalid(
                        "The field 'fulfillment_channel_code' in 'fulfillment_availability' does not have enough values. The minimum number of values is 1.".into(),
                    ));
                }
                if let Some(q) = v.get("quantity") {
                    match q.as_i64() {
                        Some(n) if n < 0 => out.push(invalid(format!(
                            "The value '{n}' provided for 'quantity' is less than the allowed minimum '0'."
                        ))),
                        Some(_) => {}
                        None => out.push(invalid(format!(
                            "The value '{q}' provided for 'quantity' is not an integer."
                        ))),
                    }
                }
                if let Some(d) = v.get("lead_time_to_ship_max_days") {
                    if d.as_i64().is_none_or(|d| d < 0) {
                        out.push(invalid(format!(
                            "The value '{d}' provided for 'lead_time_to_ship_max_days' is not a valid number of days."
                        )));
                    }
                }
            }
            "purchasable_offer" => {
                if let Some(c) = v.get("currency").and_then(Value::as_str) {
                    if c != mp.currency {
                        out.push(invalid(format!(
                            "The currency '{c}' is not valid for marketplace {}; use {}.",
                            mp.id, mp.currency
                        )));
                    }
                }
                if let Some(m) = v.get("marketplace_id").and_then(Value::as_str) {
                    if m != mp.id {
                        out.push(invalid(format!(
                            "The marketplace_id '{m}' does not match the request's marketplace {}.",
                            mp.id
                        )));
                    }
                }
                let price = &v["our_price"][0]["schedule"][0]["value_with_tax"];
                let amount = match price {
                    Value::String(s) => s.parse::<rust_decimal::Decimal>().ok(),
                    Value::Number(n) => n.to_string().parse().ok(),
                    Value::Null => Some(rust_decimal::Decimal::ONE),
                    _ => None,
                };
                if amount.is_none_or(|a| a <= rust_decimal::Decimal::ZERO) {
                    out.push(invalid(format!(
                        "The value '{price}' provided for 'our_price' is not a positive amount."
                    )));
                }
            }
            _ => {}
        }
    }
    out
}

/// The product type rule: the listing's own type, or `PRODUCT` for offer-only writes.
pub(crate) fn product_type_issue(
    given: &str,
    existing: Option<&Listing>,
    attributes: &[&str],
) -> Option<ListingIssue> {
    let offer_only = attributes.iter().all(|a| OFFER_ATTRIBUTES.contains(a));
    let ok = match existing {
        Some(l) => given == l.product_type || (given == "PRODUCT" && offer_only),
        None => given != "PRODUCT" && given.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
    };
    (!ok).then(|| {
        ListingIssue::error(
            "4000003",
            "The Amazon product type specified is invalid or not supported.",
            None,
            "INVALID_ATTRIBUTE",
        )
    })
}

/// Parses and checks `patches` (a `400` for what cannot be read at all).
pub(crate) fn parse_patches(v: &Value) -> Result<Vec<Patch>, String> {
    let Some(list) = v.as_array().filter(|l| !l.is_empty()) else {
        return Err("Request has missing or invalid parameters and cannot be parsed.".into());
    };
    let mut out = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let Some(op) = p["op"].as_str() else {
            return Err(format!(
                "Invalid operation provided in patch at index of {i}."
            ));
        };
        if !["add", "replace", "merge", "delete"].contains(&op) {
            return Err(format!(
                "Invalid operation provided in patch at index of {i}."
            ));
        }
        let path = p["path"].as_str().unwrap_or_default();
        let name = path
            .strip_prefix("/attributes/")
            .or_else(|| path.strip_prefix('/'))
            .unwrap_or(path);
        if name.is_empty() || name.contains('/') {
            return Err(format!("Invalid path provided in patch at index of {i}."));
        }
        let value = match p.get("value") {
            None if op == "delete" => Vec::new(),
            None => return Err(format!("Value is missing for patch at index of {i}.")),
            Some(Value::Array(a)) => a.clone(),
            Some(_) => {
                return Err(format!(
                    "Invalid empty value provided in patch at index of {i}."
                ));
            }
        };
        out.push(Patch {
            op: op.to_owned(),
            attribute: name.to_owned(),
            value,
        });
    }
    Ok(out)
}

/// The checks of a patch request that answer at once (`INVALID`).
pub(crate) fn check_patch(
    listing: Option<&Listing>,
    sku: &str,
    mp: &Marketplace,
    product_type: &str,
    patches: &[Patch],
) -> Vec<ListingIssue> {
    let Some(l) = listing else {
        return vec![ListingIssue::error(
            "4000001",
            format!("The SKU '{sku}' does not exist in marketplace {}.", mp.id),
            None,
            "INVALID_ATTRIBUTE",
        )];
    };
    let mut issues = Vec::new();
    let names: Vec<&str> = patches.iter().map(|p| p.attribute.as_str()).collect();
    let unknown: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !KNOWN_ATTRIBUTES.contains(n))
        .collect();
    if !unknown.is_empty() {
        let mut i = ListingIssue::error(
            "90000900",
            "The attributes are invalid.",
            unknown.first().copied(),
            "INVALID_ATTRIBUTE",
        );
        i.message = format!("The attributes are invalid. ({})", unknown.join(", "));
        issues.push(i);
    }
    if let Some(i) = product_type_issue(product_type, Some(l), &names) {
        issues.push(i);
    }
    for p in patches.iter().filter(|p| p.op != "delete") {
        issues.extend(schema_issues(&p.attribute, &p.value, mp));
    }
    issues
}

/// The checks of a put (or a feed `UPDATE`) that answer at once (`INVALID`).
pub(crate) fn check_put(
    existing: Option<&Listing>,
    mp: &Marketplace,
    product_type: &str,
    attributes: &Map<String, Value>,
) -> Vec<ListingIssue> {
    let mut issues = Vec::new();
    let names: Vec<&str> = attributes.keys().map(String::as_str).collect();
    let unknown: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !KNOWN_ATTRIBUTES.contains(n))
        .collect();
    if !unknown.is_empty() {
        issues.push(ListingIssue::error(
            "90000900",
            format!("The attributes are invalid. ({})", unknown.join(", ")),
            unknown.first().copied(),
            "INVALID_ATTRIBUTE",
        ));
    }
    for (name, v) in attributes {
        match v.as_array() {
            Some(a) => issues.extend(schema_issues(name, a, mp)),
            None => issues.push(ListingIssue::error(
                "90000900",
                format!("The value provided for '{name}' is not an array."),
                Some(name),
                "INVALID_ATTRIBUTE",
            )),
        }
    }
    if let Some(i) = product_type_issue(product_type, existing, &names) {
        issues.push(i);
    }
    if existing.is_none() && !attributes.contains_key("merchant_suggested_asin") {
        issues.push(ListingIssue::error(
            "90220",
            "'merchant_suggested_asin' is required but not supplied.",
            Some("merchant_suggested_asin"),
            "MISSING_ATTRIBUTE",
        ));
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(op: &str, attribute: &str, value: Value) -> Patch {
        Patch {
            op: op.into(),
            attribute: attribute.into(),
            value: value.as_array().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn replace_wipes_the_lead_time_and_merge_keeps_it() {
        let mut a = Map::new();
        a.insert(
            "fulfillment_availability".into(),
            json!([availability(5, Some(2))]),
        );
        let mut b = a.clone();
        apply_patch(
            &mut a,
            &patch(
                "replace",
                "fulfillment_availability",
                json!([{"fulfillment_channel_code": "DEFAULT", "quantity": 9}]),
            ),
        );
        assert_eq!(
            a["fulfillment_availability"],
            json!([{"fulfillment_channel_code": "DEFAULT", "quantity": 9}])
        );
        apply_patch(
            &mut b,
            &patch(
                "merge",
                "fulfillment_availability",
                json!([{"fulfillment_channel_code": "DEFAULT", "quantity": 9}]),
            ),
        );
        assert_eq!(
            b["fulfillment_availability"],
            json!([availability(9, Some(2))])
        );
    }

    #[test]
    fn another_channel_code_adds_an_instance_and_delete_removes_it() {
        let mut a = Map::new();
        a.insert(
            "fulfillment_availability".into(),
            json!([availability(5, Some(2))]),
        );
        let other = json!([{"fulfillment_channel_code": "AMAZON_NA"}]);
        apply_patch(
            &mut a,
            &patch("replace", "fulfillment_availability", other.clone()),
        );
        assert_eq!(a["fulfillment_availability"].as_array().unwrap().len(), 2);
        apply_patch(&mut a, &patch("delete", "fulfillment_availability", other));
        assert_eq!(
            a["fulfillment_availability"],
            json!([availability(5, Some(2))])
        );
    }

    #[test]
    fn seeded_catalog_has_both_channels_and_prices_in_the_marketplace_currency() {
        let mps: Vec<&'static Marketplace> =
            crate::marketplaces::MARKETPLACES.iter().take(3).collect();
        let now = time::macros::datetime!(2026-06-01 12:00 UTC);
        let c = Catalog::seed(7, &mps, now);
        assert_eq!(c.listings.len(), 3 * CATALOGUE.len() * 2);
        for l in c.listings.values() {
            assert_eq!(l.fba, l.sku.ends_with("-FBA"));
            assert!(l.price().is_some_and(|p| p > Decimal::ZERO), "{}", l.sku);
            if !l.fba {
                assert!(l.lead_time().is_some());
            }
        }
        assert!(c.listings.values().any(|l| l.closed(now)));
        assert!(c.listings.values().any(|l| l.buyable(now)));
    }
}
