//! Feeds 2021-06-30 models (`feeds_2021-06-30.json`).

use crate::serde_util::open_enum;
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};
use std::collections::BTreeMap;
use time::OffsetDateTime;

open_enum! {
    /// `processingStatus` of a feed.
    pub enum ProcessingStatus {
        /// Cancelled before processing started.
        Cancelled => "CANCELLED",
        /// Processed: read the result document for per-message outcomes.
        Done => "DONE",
        /// Aborted: some, none or all of its messages may have been applied.
        Fatal => "FATAL",
        /// Being processed.
        InProgress => "IN_PROGRESS",
        /// Waiting (possibly behind another feed of the account).
        InQueue => "IN_QUEUE",
    }
}

impl ProcessingStatus {
    /// Whether the feed will not change any more (`DONE`, `CANCELLED`, `FATAL`).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ProcessingStatus::Done | ProcessingStatus::Cancelled | ProcessingStatus::Fatal
        )
    }
}

open_enum! {
    /// `compressionAlgorithm` of a document.
    pub enum CompressionAlgorithm {
        /// gzip.
        Gzip => "GZIP",
    }
}

/// A feed.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Feed {
    /// The feed id (unique per seller).
    pub feed_id: String,
    /// The feed type.
    pub feed_type: String,
    /// Marketplaces the feed applies to.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub marketplace_ids: Vec<String>,
    /// When the feed was created.
    #[serde(with = "crate::serde_util::timestamp")]
    pub created_time: OffsetDateTime,
    /// Where processing stands.
    pub processing_status: ProcessingStatus,
    /// When processing started.
    #[serde(default, with = "crate::serde_util::timestamp_opt_strict")]
    pub processing_start_time: Option<OffsetDateTime>,
    /// When processing ended.
    #[serde(default, with = "crate::serde_util::timestamp_opt_strict")]
    pub processing_end_time: Option<OffsetDateTime>,
    /// The processing report's document id (when `DONE`, sometimes when `FATAL`).
    #[serde(default)]
    pub result_feed_document_id: Option<String>,
}

/// A page of `getFeeds`.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetFeedsResponse {
    /// The feeds.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub feeds: Vec<Feed>,
    /// Token of the next page (send it alone).
    #[serde(default)]
    pub next_token: Option<String>,
}

/// Answer of `createFeedDocument`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateFeedDocumentResponse {
    /// The document id to name in `createFeed`.
    pub feed_document_id: String,
    /// Pre-signed upload URL (valid 5 minutes). Its query is a signature: `Debug` hides it.
    pub url: String,
}

impl std::fmt::Debug for CreateFeedDocumentResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateFeedDocumentResponse")
            .field("feed_document_id", &self.feed_document_id)
            .field("url", &"<pre-signed>")
            .finish()
    }
}

/// Answer of `getFeedDocument`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FeedDocument {
    /// The document id.
    pub feed_document_id: String,
    /// Pre-signed download URL (valid 5 minutes). `Debug` hides it.
    pub url: String,
    /// How the content is compressed (`None`: not compressed).
    #[serde(default)]
    pub compression_algorithm: Option<CompressionAlgorithm>,
}

impl std::fmt::Debug for FeedDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedDocument")
            .field("feed_document_id", &self.feed_document_id)
            .field("url", &"<pre-signed>")
            .field("compression_algorithm", &self.compression_algorithm)
            .finish()
    }
}

/// Body of `createFeed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateFeedSpecification {
    /// The feed type.
    pub feed_type: String,
    /// Marketplaces (1–25).
    pub marketplace_ids: Vec<String>,
    /// The uploaded document.
    pub input_feed_document_id: String,
    /// Options that vary by feed type.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub feed_options: BTreeMap<String, String>,
}

impl CreateFeedSpecification {
    /// A feed of `feed_type` over an uploaded document.
    pub fn new<I, S>(
        feed_type: impl Into<String>,
        marketplace_ids: I,
        input_feed_document_id: impl Into<String>,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CreateFeedSpecification {
            feed_type: feed_type.into(),
            marketplace_ids: marketplace_ids.into_iter().map(Into::into).collect(),
            input_feed_document_id: input_feed_document_id.into(),
            feed_options: BTreeMap::new(),
        }
    }

    /// Adds a `feedOptions` entry.
    pub fn option(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.feed_options.insert(name.into(), value.into());
        self
    }
}

/// Answer of `createFeed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateFeedResponse {
    /// The new feed's id.
    pub feed_id: String,
}
