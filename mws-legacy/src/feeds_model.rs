//! Feeds 2009-01-01 response types and the feed processing report.

use time::OffsetDateTime;

use crate::common::{request_id, string_enum};
use crate::error::XmlError;
use crate::orders_model::NextToken;
use crate::xml::{self, Doc, Node, expect_root};

string_enum! {
    /// A feed type (`_POST_ORDER_FULFILLMENT_DATA_`, ...).
    pub enum FeedType {
        OrderFulfillment => "_POST_ORDER_FULFILLMENT_DATA_",
        OrderAcknowledgement => "_POST_ORDER_ACKNOWLEDGEMENT_DATA_",
        PaymentAdjustment => "_POST_PAYMENT_ADJUSTMENT_DATA_",
        InventoryAvailability => "_POST_INVENTORY_AVAILABILITY_DATA_",
        FlatFileFulfillment => "_POST_FLAT_FILE_FULFILLMENT_DATA_",
        FlatFileOrderAcknowledgement => "_POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA_",
        FlatFilePaymentAdjustment => "_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_",
        Product => "_POST_PRODUCT_DATA_",
        ProductPricing => "_POST_PRODUCT_PRICING_DATA_",
        ProductImage => "_POST_PRODUCT_IMAGE_DATA_",
        ProductRelationship => "_POST_PRODUCT_RELATIONSHIP_DATA_",
        FlatFileListings => "_POST_FLAT_FILE_LISTINGS_DATA_",
        FlatFileInvLoader => "_POST_FLAT_FILE_INVLOADER_DATA_",
        FlatFilePriceAndQuantityOnlyUpdate => "_POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA_",
    }
}

string_enum! {
    /// Processing status of a feed submission.
    pub enum FeedProcessingStatus {
        AwaitingAsynchronousReply => "_AWAITING_ASYNCHRONOUS_REPLY_",
        Cancelled => "_CANCELLED_",
        Done => "_DONE_",
        InProgress => "_IN_PROGRESS_",
        InSafetyNet => "_IN_SAFETY_NET_",
        Submitted => "_SUBMITTED_",
        Unconfirmed => "_UNCONFIRMED_",
    }
}

/// A feed submission id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FeedSubmissionId(pub String);

impl FeedSubmissionId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for FeedSubmissionId {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<String> for FeedSubmissionId {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl std::fmt::Display for FeedSubmissionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `FeedSubmissionInfo`: one submission and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FeedSubmissionInfo {
    /// Submission id.
    pub feed_submission_id: FeedSubmissionId,
    /// Feed type.
    pub feed_type: FeedType,
    /// When it was submitted.
    pub submitted_date: OffsetDateTime,
    /// Processing status.
    pub feed_processing_status: FeedProcessingStatus,
    /// When processing started.
    pub started_processing_date: Option<OffsetDateTime>,
    /// When processing completed.
    pub completed_processing_date: Option<OffsetDateTime>,
}

impl FeedSubmissionInfo {
    fn read(node: Node<'_>) -> Result<Self, XmlError> {
        Ok(Self {
            feed_submission_id: FeedSubmissionId(node.req_str("FeedSubmissionId")?),
            feed_type: node.req_str("FeedType")?.as_str().into(),
            submitted_date: node.child_req("SubmittedDate", xml::parse_datetime)?,
            feed_processing_status: node.req_str("FeedProcessingStatus")?.as_str().into(),
            started_processing_date: node
                .child_opt("StartedProcessingDate", xml::parse_datetime)?,
            completed_processing_date: node
                .child_opt("CompletedProcessingDate", xml::parse_datetime)?,
        })
    }

    fn read_all(result: Node<'_>) -> Result<Vec<Self>, XmlError> {
        result
            .children_named("FeedSubmissionInfo")
            .map(Self::read)
            .collect()
    }
}

/// The answer of `SubmitFeed`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubmitFeedResponse {
    /// The new submission.
    pub feed_submission_info: FeedSubmissionInfo,
    /// Request id.
    pub request_id: Option<String>,
}

impl SubmitFeedResponse {
    /// Reads a `SubmitFeedResponse` document.
    pub fn from_xml(xml: &str) -> Result<Self, XmlError> {
        let doc = Doc::parse(xml)?;
        let root = expect_root(&doc, &["SubmitFeedResponse"])?;
        let result = root.req("SubmitFeedResult")?;
        Ok(Self {
            feed_submission_info: FeedSubmissionInfo::read(result.req("FeedSubmissionInfo")?)?,
            request_id: request_id(root),
        })
    }
}

/// A page of `GetFeedSubmissionList` (or `...ByNextToken`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FeedSubmissionList {
    /// Token for the next page.
    pub next_token: Option<NextToken>,
    /// Whether there is a next page.
    pub has_next: bool,
    /// The submissions.
    pub feed_submission_info: Vec<FeedSubmissionInfo>,
    /// Request id.
    pub request_id: Option<String>,
}

impl FeedSubmissionList {
    /// Reads a `GetFeedSubmissionListResponse` or `...ByNextTokenResponse` document.
    pub fn from_xml(xml: &str) -> Result<Self, XmlError> {
        let doc = Doc::parse(xml)?;
        let root = expect_root(
            &doc,
            &[
                "GetFeedSubmissionListResponse",
                "GetFeedSubmissionListByNextTokenResponse",
            ],
        )?;
        let result_name = if root.name() == "GetFeedSubmissionListResponse" {
            "GetFeedSubmissionListResult"
        } else {
            "GetFeedSubmissionListByNextTokenResult"
        };
        let result = root.req(result_name)?;
        let next_token = result.opt_str("NextToken").map(NextToken);
        Ok(Self {
            has_next: result
                .child_opt("HasNext", xml::parse_bool)?
                .unwrap_or(next_token.is_some()),
            next_token,
            feed_submission_info: FeedSubmissionInfo::read_all(result)?,
            request_id: request_id(root),
        })
    }
}

/// The answer of `GetFeedSubmissionCount`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FeedSubmissionCount {
    /// How many submissions match.
    pub count: u64,
    /// Request id.
    pub request_id: Option<String>,
}

impl FeedSubmissionCount {
    /// Reads a `GetFeedSubmissionCountResponse` document.
    pub fn from_xml(xml: &str) -> Result<Self, XmlError> {
        let doc = Doc::parse(xml)?;
        let root = expect_root(&doc, &["GetFeedSubmissionCountResponse"])?;
        let result = root.req("GetFeedSubmissionCountResult")?;
        Ok(Self {
            count: result.child_req("Count", xml::parse_u64)?,
            request_id: request_id(root),
        })
    }
}

/// The answer of `CancelFeedSubmissions`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CancelledFeedSubmissions {
    /// How many submissions were cancelled.
    pub count: u64,
    /// The first 100 of them.
    pub feed_submission_info: Vec<FeedSubmissionInfo>,
    /// Request id.
    pub request_id: Option<String>,
}

impl CancelledFeedSubmissions {
    /// Reads a `CancelFeedSubmissionsResponse` document.
    pub fn from_xml(xml: &str) -> Result<Self, XmlError> {
        let doc = Doc::parse(xml)?;
        let root = expect_root(&doc, &["CancelFeedSubmissionsResponse"])?;
        let result = root.req("CancelFeedSubmissionsResult")?;
        Ok(Self {
            count: result.child_req("Count", xml::parse_u64)?,
            feed_submission_info: FeedSubmissionInfo::read_all(result)?,
            request_id: request_id(root),
        })
    }
}
