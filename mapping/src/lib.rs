//! Amazon order vocabulary and the configurable rules that map it to a host's own words.
//!
//! This crate is pure: no I/O, no async, no HTTP. It has three parts:
//!
//! - [`vocab`]: Amazon's order vocabulary (order status in both the Orders API v0 and
//!   v2026-01-01 spellings, fulfilment channel, service level category, payment method,
//!   order programs, carrier codes) as open enums that keep values they do not know;
//! - [`config`]: the rules a host configures ([`MappingConfig`], TOML first) and the
//!   validation errors ([`ConfigErrors`]), which name the key path of every problem;
//! - [`Mapper`]: the validated rules, applied by plain lookups that never fail on Amazon
//!   input, except that a carrier with no mapping is refused ([`UnmappedCarrier`]).
//!
//! # Example
//!
//! A complete configuration (every key shown; every key is optional):
//!
//! ```
//! use order_mapping::vocab::{
//!     Carrier, FulfillmentChannel, OrderProgram, OrderStatus, PaymentMethod,
//!     ServiceLevelCategory,
//! };
//! use order_mapping::{Mapper, MappingConfig, PriorityClass, ShapedName};
//!
//! let config = MappingConfig::from_toml_str(r#"
//! order_number_prefix = "AMZ-"
//! match_amazon_carrier_codes = true
//!
//! [order_status]
//! merchant_default = "On Hold"
//! amazon_default = "Fulfilled by Amazon"
//!
//! [order_status.merchant]
//! Pending = "Unpaid"
//! Unshipped = "New"
//! CANCELLED = "Cancelled"        # v2026-01-01 spellings work too
//!
//! [order_status.amazon]
//! Shipped = "FBA Shipped"
//!
//! [payment]
//! default = "Amazon Pay"
//! methods = { COD = "Cash on Delivery", Invoice = "Pay by Invoice" }
//!
//! [shipping]
//! default = "Ground"
//! by_service_level = { "Std US D2D Dom" = "USPS Ground Advantage" }
//! by_category = { NextDay = "Overnight", SecondDay = "2-Day", Expedited = "2-Day" }
//!
//! [warehouse]
//! default = "STD"
//! by_category = { NextDay = "EXP1", SameDay = "EXP0" }
//!
//! [[carriers]]
//! host_carrier = "FedEx"
//! host_service = "Ground"
//! amazon_code = "FedEx"
//! shipping_method = "FedEx Ground"
//!
//! [[carriers]]
//! host_carrier = "FedEx"
//! amazon_code = "FedEx"
//!
//! [[carriers]]
//! host_carrier = "Bike Courier"
//! amazon_code = "Other"
//! carrier_name = "Speedy Bikes Ltd"
//!
//! [[carriers]]
//! host_carrier = "Evri"
//! amazon_code = "Evri"
//! allow_unlisted_code = true
//!
//! [sku]
//! round_trip = true
//! passthrough_unmapped = true
//! activated_only = true
//! activated = ["MUG-RED", "MUG-BLUE"]
//! pairs = [
//!     { host = "MUG-RED", amazon = "AMZ-MUG-RED-01" },
//!     { host = "MUG-BLUE", amazon = "AMZ-MUG-BLUE-01" },
//! ]
//!
//! [priority]
//! premium = "Rush"
//! prime = "High"
//! regular = "Normal"
//!
//! [names]
//! style = "first_last"
//! fba_placeholder = "FBA Orders"
//! redaction_marker = "Amazon Replaced"
//!
//! [address]
//! street = "split"
//! street_lines = 2
//! separator = ", "
//! "#).expect("a valid config");
//! let mapper = Mapper::new(config).expect("validated already");
//!
//! let fbm = FulfillmentChannel::from("MFN");
//! assert_eq!(mapper.host_order_status(&fbm, &OrderStatus::from("Unshipped")), "New");
//! assert_eq!(mapper.host_order_status(&fbm, &OrderStatus::from("Canceled")), "Cancelled");
//! // Not overridden: the built-in table.
//! assert_eq!(mapper.host_order_status(&fbm, &OrderStatus::Shipped), "Shipped");
//! // A status Amazon adds later: the channel's default.
//! assert_eq!(mapper.host_order_status(&fbm, &OrderStatus::from("Misplaced")), "On Hold");
//! let fba = FulfillmentChannel::from("AMAZON");
//! assert_eq!(mapper.host_order_status(&fba, &OrderStatus::Shipped), "FBA Shipped");
//!
//! assert_eq!(mapper.host_payment(&PaymentMethod::from("CashOnDelivery")), "Cash on Delivery");
//! assert_eq!(mapper.host_payment(&PaymentMethod::from("Other")), "Amazon Pay");
//!
//! let next_day = ServiceLevelCategory::from("NEXT_DAY");
//! assert_eq!(mapper.host_shipping_method(Some(&next_day), Some("Std US D2D Dom")),
//!            "USPS Ground Advantage"); // the exact raw string wins
//! assert_eq!(mapper.host_shipping_method(Some(&next_day), Some("Next US D2D")), "Overnight");
//! assert_eq!(mapper.host_shipping_method(None, None), "Ground");
//! assert_eq!(mapper.warehouse_service(Some(&next_day), None), "EXP1");
//!
//! let ground = mapper.amazon_carrier("fedex", Some("ground")).unwrap();
//! assert_eq!(ground.carrier_code, Carrier::FedEx);
//! assert_eq!(ground.shipping_method.as_deref(), Some("FedEx Ground"));
//! let bike = mapper.amazon_carrier("Bike Courier", None).unwrap();
//! assert!(bike.carrier_code.is_other_code());
//! assert_eq!(bike.carrier_name.as_deref(), Some("Speedy Bikes Ltd"));
//! // "UPS" has no rule but is a known Amazon code.
//! assert_eq!(mapper.amazon_carrier("UPS", Some("Next Day Air")).unwrap().carrier_code,
//!            Carrier::Ups);
//! let refused = mapper.amazon_carrier("Pigeon Post", None).unwrap_err();
//! assert!(refused.to_string().contains("\"Pigeon Post\""));
//!
//! assert_eq!(mapper.sku_to_amazon("MUG-RED").as_deref(), Some("AMZ-MUG-RED-01"));
//! assert_eq!(mapper.sku_from_amazon("AMZ-MUG-RED-01").as_deref(), Some("MUG-RED"));
//! assert_eq!(mapper.sku_to_amazon("TEAPOT").as_deref(), Some("TEAPOT")); // passthrough
//! assert!(mapper.is_sku_activated("MUG-BLUE"));
//! assert!(!mapper.is_sku_activated("TEAPOT"));
//!
//! assert_eq!(mapper.host_order_number("113-1234567-1234567"), "AMZ-113-1234567-1234567");
//! let rush = mapper.fulfilment_priority(&[OrderProgram::Prime, OrderProgram::Premium]);
//! assert_eq!((rush.class, rush.host_value.as_str()), (PriorityClass::Premium, "Rush"));
//!
//! assert_eq!(mapper.shape_name("  Ludwig van  Beethoven "),
//!            ShapedName::Split { first: "Ludwig".into(), last: "van Beethoven".into() });
//! assert_eq!(mapper.shape_street(&["1 Main St", "", "Apt 2", "Back door"]),
//!            vec!["1 Main St".to_owned(), "Apt 2, Back door".to_owned()]);
//! assert_eq!(mapper.fba_placeholder_name(), "FBA Orders");
//! assert!(!mapper.include_address(&fba));
//! assert_eq!(mapper.redaction_marker(), "Amazon Replaced");
//! ```
//!
//! # Configuration keys
//!
//! Tables keyed by an Amazon value *override* the built-in table entry by entry; values no
//! table names fall back to the section's `default`. Host-side values must not be empty.
//!
//! | key | type | default | meaning |
//! | --- | --- | --- | --- |
//! | `order_number_prefix` | string | `"AMZ-"` | host order/invoice number = prefix + Amazon order id (at most 32 characters, no control characters) |
//! | `match_amazon_carrier_codes` | bool | `true` | a host carrier named like a known Amazon carrier code (ignoring case, spaces, `-`, `_`) maps to it without a rule |
//! | `order_status.merchant` | table: Amazon status → host status | Pending/PendingAvailability → `Unpaid`, Unshipped → `New`, PartiallyShipped → `Partially Shipped`, Shipped/InvoiceUnconfirmed → `Shipped`, Canceled/Unfulfillable → `Cancelled` | merchant-fulfilled (FBM) orders; keys in v0 (`Canceled`) or v2026-01-01 (`CANCELLED`) spelling, each status once |
//! | `order_status.amazon` | same | Pending/PendingAvailability → `Pending`, Unshipped/PartiallyShipped → `Fulfilled by Amazon`, Shipped/InvoiceUnconfirmed → `Shipped`, Canceled/Unfulfillable → `Cancelled` | Amazon-fulfilled (FBA) orders, for reporting |
//! | `order_status.merchant_default` | string | `"On Hold"` | FBM status for a status no table names |
//! | `order_status.amazon_default` | string | `"Fulfilled by Amazon"` | FBA status for a status no table names |
//! | `payment.methods` | table: Amazon method → host option | COD → `Cash on Delivery`, CVS → `Convenience Store` | keys in either version's spelling or a new method name; a near miss of a known name is an error |
//! | `payment.default` | string | `"Amazon"` | every other method |
//! | `shipping.by_service_level` | table: raw `ShipServiceLevel` → host method | empty | exact, case-sensitive match, checked first |
//! | `shipping.by_category` | table: category → host method | each category → its English name (`NextDay` → `Next Day`, `FreeEconomy` → `Economy`, …) | `Expedited`, `FreeEconomy`, `NextDay`, `Priority`, `SameDay`, `SecondDay`, `Scheduled`, `Standard` (or `NEXT_DAY` …) |
//! | `shipping.default` | string | `"Standard"` | neither raw string nor category mapped |
//! | `warehouse.*` | as `shipping.*` | as `shipping.*` | the same lookup for a warehouse (3PL) service |
//! | `carriers[].host_carrier` | string | required | host carrier, compared ignoring case and surrounding spaces |
//! | `carriers[].host_service` | string | none (whole carrier) | host service; a rule with the service wins over one without |
//! | `carriers[].amazon_code` | string | required | Amazon `carrierCode`: a code of [`vocab::Carrier`] or `"Other"` |
//! | `carriers[].carrier_name` | string | none | Amazon `carrierName`; required with `"Other"` |
//! | `carriers[].shipping_method` | string | the host service | Amazon `shippingMethod` |
//! | `carriers[].allow_unlisted_code` | bool | `false` | accept an `amazon_code` outside the curated table |
//! | `sku.pairs` | array of `{ host, amazon }` | empty | explicit SKU pairs (no empty SKUs, no surrounding spaces) |
//! | `sku.round_trip` | bool | `true` | claim the pairs are one-to-one: a SKU listed twice on either side is an error; otherwise the first pair wins |
//! | `sku.passthrough_unmapped` | bool | `true` | an unlisted SKU maps to itself (unless it is the other side of a pair) |
//! | `sku.activated_only` | bool | `false` | export inventory only for activated SKUs |
//! | `sku.activated` | array of strings | empty | the activated host SKUs |
//! | `priority.premium` / `.prime` / `.regular` | string | `"Premium"` / `"Prime"` / `"Regular"` | host priority for `PREMIUM` orders, `PRIME` orders, others |
//! | `names.style` | `"single"` or `"first_last"` | `"single"` | one name field, or first/last split |
//! | `names.fba_placeholder` | string | `"FBA Orders"` | buyer name of Amazon-fulfilled orders (which get no address) |
//! | `names.redaction_marker` | string | `"Amazon Replaced"` | text that replaces redacted PII |
//! | `address.street` | `"joined"` or `"split"` | `"joined"` | one street field, or several |
//! | `address.street_lines` | integer 1–3 | `2` | number of street fields with `"split"` |
//! | `address.separator` | string | `", "` | between joined lines |
//!
//! Errors name their key path. A document whose only table is `[mapping]` is read as the
//! mapping section and its paths start with `mapping.`; for a section taken out of a larger
//! file, use [`MappingConfig::from_toml_table`] and [`ConfigErrors::with_prefix`] (e.g.
//! `mapping.carriers[2].amazon_code: unknown carrier "Fedx", did you mean "FedEx"?`).
//!
//! # Choices worth knowing
//!
//! - **One enum per concept, two spellings.** Amazon's v0 and v2026-01-01 names decode to
//!   the same variant; `as_str()` and serde use the v0 spelling, `as_v2026()` the other.
//!   Only `InvoiceUnconfirmed` has no v2026 twin (it becomes `SHIPPED`).
//! - **Unknown values are kept, never rejected**, when they come from Amazon; in the
//!   *config*, closed lists (order statuses, service level categories, carrier codes) are
//!   checked so a typo is caught at start-up, while payment methods, an open list at
//!   Amazon, accept new names unless they look like a typo of a known one.
//! - **Overrides merge** with the built-in tables, so a one-line change cannot silently
//!   send every other status to the default.
//! - **Unmapped carriers are refused** ([`UnmappedCarrier`]): Amazon rejects or penalises
//!   tracking with a wrong carrier, so the engine must park such shipments visibly.
//! - **SKU passthrough never breaks the round trip**: an unlisted SKU that equals the other
//!   side of a pair is refused instead of passed through.
//! - **Buyer names are PII**: [`ShapedName`]'s `Debug` prints no name.

pub mod config;
pub mod vocab;

mod mapper;
mod schema;
mod suggest;

pub use config::{ConfigError, ConfigErrors, MappingConfig, NameStyle, StreetStyle};
pub use mapper::{AmazonShipping, Mapper, Priority, PriorityClass, ShapedName, UnmappedCarrier};
