//! Amazon's feed and report documents, without I/O: no HTTP, no async.
//!
//! The XML order feeds are the same documents in MWS and in the Selling Partner API; this
//! crate is their one home, used by both clients.
//!
//! - [`order_feeds`]: `POST_ORDER_FULFILLMENT_DATA`, `POST_ORDER_ACKNOWLEDGEMENT_DATA`
//!   (acknowledgement, seller cancellation) and `POST_PAYMENT_ADJUSTMENT_DATA` (refunds) as
//!   typed [`Envelope`]s, checked against the rules of Amazon's XSDs before they are
//!   written. Each refusal is a [`BuildError`] naming the field and the [`Rule`] it breaks.
//! - [`processing_report`]: the XML `ProcessingReport` of those feeds, results tied back to
//!   each `MessageID`.
//! - [`listings`]: `JSON_LISTINGS_FEED` messages (quantity and handling time as a `merge` of
//!   `fulfillment_availability`, price as `purchasable_offer`, offer deletion), one
//!   `messageId` each; [`listings_report`] reads its JSON processing report and ties each
//!   issue back to the message and its SKU.
//! - [`flat_file`]: the all-orders flat-file reports, streamed row by row from any
//!   [`std::io::BufRead`] in constant memory, decoded by the charset their `Content-Type`
//!   names (UTF-8, Cp1252, cp932); [`order_report_xml`] streams the XML variant, which
//!   carries each item's `AmazonOrderItemCode`.
//!
//! Money is [`rust_decimal::Decimal`]: an amount with more than two decimals is refused,
//! never rounded. Times are [`time::OffsetDateTime`], written in UTC.
//!
//! ```
//! use amazon_feed_documents::order_feeds::{CancelReason, Envelope, OrderAcknowledgement};
//!
//! let feed = Envelope::order_acknowledgement(
//!     "A1SELLER",
//!     [
//!         OrderAcknowledgement::success("111-1234567-1234567").merchant_order_id("HOST-1"),
//!         OrderAcknowledgement::cancel(
//!             "111-7654321-7654321",
//!             ["12345678901234"],
//!             CancelReason::NoInventory,
//!         ),
//!     ],
//! );
//! let xml = feed.to_xml()?;
//! assert!(xml.contains("<MerchantOrderID>HOST-1</MerchantOrderID>"));
//! # Ok::<(), amazon_feed_documents::BuildError>(())
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod decode;
mod enums;
pub mod error;
pub mod flat_file;
mod json;
pub mod listings;
pub mod listings_report;
pub mod order_feeds;
pub mod order_report_xml;
pub mod processing_report;
mod xml;

pub use decode::DecodingReader;
pub use error::{BuildError, ReportError, Rule, XmlError};
pub use listings::ListingsFeed;
pub use listings_report::ListingsReport;
pub use order_feeds::Envelope;
pub use processing_report::ProcessingReport;

enums::string_enum! {
    /// A feed type of the SP-API Feeds API that this crate writes documents for.
    pub enum FeedType {
        OrderFulfillment => "POST_ORDER_FULFILLMENT_DATA",
        OrderAcknowledgement => "POST_ORDER_ACKNOWLEDGEMENT_DATA",
        PaymentAdjustment => "POST_PAYMENT_ADJUSTMENT_DATA",
        InventoryAvailability => "POST_INVENTORY_AVAILABILITY_DATA",
        JsonListings => "JSON_LISTINGS_FEED",
    }
}

impl FeedType {
    /// The MWS name of the feed type (`_POST_ORDER_FULFILLMENT_DATA_`); `None` for
    /// `JSON_LISTINGS_FEED`, which MWS never had.
    pub fn mws_name(&self) -> Option<String> {
        match self {
            FeedType::JsonListings => None,
            other => Some(format!("_{}_", other.as_str())),
        }
    }

    /// The content type to declare in `createFeedDocument` and on the upload: Amazon wants
    /// the charset named, and the same value in both places.
    pub fn content_type(&self) -> &'static str {
        match self {
            FeedType::JsonListings => "application/json; charset=UTF-8",
            _ => "text/xml; charset=UTF-8",
        }
    }
}
