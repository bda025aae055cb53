//! Feeds API 2021-06-30: feed documents, feeds, and [`submit_feed`](FeedsApi::submit_feed),
//! which uploads a document, creates the feed, waits for it and returns its parsed
//! processing report.
//!
//! The flow Amazon prescribes:
//!
//! 1. `createFeedDocument` with the document's content type → a document id and a
//!    pre-signed upload URL (valid 5 minutes);
//! 2. `PUT` the content to that URL with **the same** `Content-Type` (the storage service
//!    refuses another one with 403);
//! 3. `createFeed` naming the document, the feed type and the marketplaces;
//! 4. poll `getFeed` until `DONE`, `CANCELLED` or `FATAL`;
//! 5. `getFeedDocument` of `resultFeedDocumentId` → a pre-signed download URL, GZIP when
//!    `compressionAlgorithm` says so; the content is the processing report (XML
//!    `ProcessingReport` for the order feeds, JSON for `JSON_LISTINGS_FEED`), parsed with
//!    [`amazon_feed_documents`].
//!
//! Published limits: `createFeedDocument` 0.5/s burst 15, `createFeed` 0.0083/s burst 15,
//! `getFeed` and `cancelFeed` 2/s burst 15, `getFeeds` and `getFeedDocument` 0.0222/s
//! burst 10. `createFeed` is not repeated after an ambiguous failure (a timeout, a 5xx):
//! the feed may exist, and a second one would apply its messages twice.

mod model;

pub use model::*;

use crate::client::{Client, Document};
use crate::error::{Error, Result};
use crate::operation::{
    Method, Operation, OperationInfo, RequestContext, RequestParts, decode_json, encode_component,
};
use crate::pagination::{Listing, PageOf};
use amazon_feed_documents::{Envelope, FeedType, ListingsFeed, ListingsReport, ProcessingReport};
use futures::{Stream, TryStreamExt};
use std::collections::BTreeMap;
use std::time::Duration;
use time::OffsetDateTime;

/// `createFeedDocument`: 0.5 requests/s, burst 15. A repeat only makes an unused document.
pub const CREATE_FEED_DOCUMENT: OperationInfo =
    OperationInfo::new("createFeedDocument", 0.5, 15, true);
/// `getFeedDocument`: 0.0222 / 10.
pub const GET_FEED_DOCUMENT: OperationInfo =
    OperationInfo::new("getFeedDocument", 0.0222, 10, true);
/// `createFeed`: 0.0083 / 15. Not repeated after an ambiguous failure.
pub const CREATE_FEED: OperationInfo = OperationInfo::new("createFeed", 0.0083, 15, false);
/// `getFeed`: 2 / 15.
pub const GET_FEED: OperationInfo = OperationInfo::new("getFeed", 2.0, 15, true);
/// `getFeeds`: 0.0222 / 10.
pub const GET_FEEDS: OperationInfo = OperationInfo::new("getFeeds", 0.0222, 10, true);
/// `cancelFeed`: 2 / 15 (cancelling twice is harmless).
pub const CANCEL_FEED: OperationInfo = OperationInfo::new("cancelFeed", 2.0, 15, true);

/// Every Feeds operation.
pub const OPERATIONS: &[&OperationInfo] = &[
    &CREATE_FEED_DOCUMENT,
    &GET_FEED_DOCUMENT,
    &CREATE_FEED,
    &GET_FEED,
    &GET_FEEDS,
    &CANCEL_FEED,
];

const BASE: &str = "/feeds/2021-06-30";

fn json_body<T: serde::Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| Error::InvalidRequest(e.to_string()))
}

fn non_empty(what: &str, v: &str) -> Result<()> {
    if v.trim().is_empty() {
        Err(Error::InvalidRequest(format!("{what} is empty")))
    } else {
        Ok(())
    }
}

/// `createFeedDocument`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateFeedDocument {
    /// The content type the document will be uploaded with (e.g.
    /// `text/xml; charset=UTF-8`).
    pub content_type: String,
}

impl CreateFeedDocument {
    /// A document of this content type.
    pub fn new(content_type: impl Into<String>) -> Self {
        CreateFeedDocument {
            content_type: content_type.into(),
        }
    }
}

impl Operation for CreateFeedDocument {
    type Output = CreateFeedDocumentResponse;

    fn info(&self) -> &'static OperationInfo {
        &CREATE_FEED_DOCUMENT
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        non_empty("contentType", &self.content_type)?;
        Ok(RequestParts {
            method: Method::Post,
            path: format!("{BASE}/documents"),
            query: Vec::new(),
            body: Some(serde_json::json!({ "contentType": self.content_type })),
            restricted: None,
        })
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<CreateFeedDocumentResponse> {
        decode_json(CREATE_FEED_DOCUMENT.name, body)
    }
}

/// `getFeedDocument`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetFeedDocument {
    /// The document id (`resultFeedDocumentId` of a feed).
    pub feed_document_id: String,
}

impl GetFeedDocument {
    /// The document with this id.
    pub fn new(feed_document_id: impl Into<String>) -> Self {
        GetFeedDocument {
            feed_document_id: feed_document_id.into(),
        }
    }
}

impl Operation for GetFeedDocument {
    type Output = FeedDocument;

    fn info(&self) -> &'static OperationInfo {
        &GET_FEED_DOCUMENT
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        non_empty("feedDocumentId", &self.feed_document_id)?;
        Ok(RequestParts::get(format!(
            "{BASE}/documents/{}",
            encode_component(&self.feed_document_id)
        )))
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<FeedDocument> {
        decode_json(GET_FEED_DOCUMENT.name, body)
    }
}

/// `createFeed`: the body of the request ([`CreateFeedSpecification`]).
impl Operation for CreateFeedSpecification {
    type Output = CreateFeedResponse;

    fn info(&self) -> &'static OperationInfo {
        &CREATE_FEED
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        non_empty("feedType", &self.feed_type)?;
        non_empty("inputFeedDocumentId", &self.input_feed_document_id)?;
        if self.marketplace_ids.is_empty() || self.marketplace_ids.len() > 25 {
            return Err(Error::InvalidRequest(
                "createFeed: marketplaceIds must hold 1 to 25 ids".into(),
            ));
        }
        Ok(RequestParts {
            method: Method::Post,
            path: format!("{BASE}/feeds"),
            query: Vec::new(),
            body: Some(json_body(self)?),
            restricted: None,
        })
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<CreateFeedResponse> {
        decode_json(CREATE_FEED.name, body)
    }
}

/// `getFeed`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetFeed {
    /// The feed id.
    pub feed_id: String,
}

impl GetFeed {
    /// The feed with this id.
    pub fn new(feed_id: impl Into<String>) -> Self {
        GetFeed {
            feed_id: feed_id.into(),
        }
    }
}

impl Operation for GetFeed {
    type Output = Feed;

    fn info(&self) -> &'static OperationInfo {
        &GET_FEED
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        non_empty("feedId", &self.feed_id)?;
        Ok(RequestParts::get(format!(
            "{BASE}/feeds/{}",
            encode_component(&self.feed_id)
        )))
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<Feed> {
        decode_json(GET_FEED.name, body)
    }
}

/// `cancelFeed` (only an `IN_QUEUE` feed can be cancelled).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CancelFeed {
    /// The feed id.
    pub feed_id: String,
}

impl CancelFeed {
    /// Cancels the feed with this id.
    pub fn new(feed_id: impl Into<String>) -> Self {
        CancelFeed {
            feed_id: feed_id.into(),
        }
    }
}

impl Operation for CancelFeed {
    type Output = ();

    fn info(&self) -> &'static OperationInfo {
        &CANCEL_FEED
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        non_empty("feedId", &self.feed_id)?;
        Ok(RequestParts {
            method: Method::Delete,
            path: format!("{BASE}/feeds/{}", encode_component(&self.feed_id)),
            query: Vec::new(),
            body: None,
            restricted: None,
        })
    }

    fn decode(&self, _status: u16, _body: &[u8]) -> Result<()> {
        Ok(())
    }
}

/// `getFeeds`. Without a `next_token`, `feed_types` is required (1–10); with one, Amazon
/// wants the token **alone**, and the client sends nothing else.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetFeedsRequest {
    /// `feedTypes` (1–10).
    pub feed_types: Vec<String>,
    /// `marketplaceIds` (1–10 when given).
    pub marketplace_ids: Vec<String>,
    /// `pageSize` (1–100, Amazon's default 10).
    pub page_size: Option<u32>,
    /// `processingStatuses`.
    pub processing_statuses: Vec<ProcessingStatus>,
    /// `createdSince` (Amazon's default: 90 days ago).
    pub created_since: Option<OffsetDateTime>,
    /// `createdUntil` (Amazon's default: now).
    pub created_until: Option<OffsetDateTime>,
    /// `nextToken` of the previous page.
    pub next_token: Option<String>,
}

impl GetFeedsRequest {
    /// Feeds of these types.
    pub fn new<I, S>(feed_types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        GetFeedsRequest {
            feed_types: feed_types.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    /// `marketplaceIds`.
    pub fn marketplace_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.marketplace_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// `pageSize`.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// `processingStatuses`.
    pub fn processing_statuses(mut self, s: Vec<ProcessingStatus>) -> Self {
        self.processing_statuses = s;
        self
    }

    /// `createdSince`.
    pub fn created_since(mut self, t: OffsetDateTime) -> Self {
        self.created_since = Some(t);
        self
    }

    /// `createdUntil`.
    pub fn created_until(mut self, t: OffsetDateTime) -> Self {
        self.created_until = Some(t);
        self
    }

    /// `nextToken` (sent alone).
    pub fn next_token(mut self, t: impl Into<String>) -> Self {
        self.next_token = Some(t.into());
        self
    }
}

impl Operation for GetFeedsRequest {
    type Output = GetFeedsResponse;

    fn info(&self) -> &'static OperationInfo {
        &GET_FEEDS
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        let bad = |m: &str| Err(Error::InvalidRequest(format!("getFeeds: {m}")));
        let path = format!("{BASE}/feeds");
        if let Some(t) = &self.next_token {
            return Ok(RequestParts::get(path).query("nextToken", t.clone()));
        }
        if self.feed_types.is_empty() || self.feed_types.len() > 10 {
            return bad("feedTypes must hold 1 to 10 types unless nextToken is given");
        }
        if self.marketplace_ids.len() > 10 {
            return bad("at most 10 marketplaceIds");
        }
        if let Some(n) = self.page_size {
            if !(1..=100).contains(&n) {
                return bad("pageSize must be 1-100");
            }
        }
        if let (Some(a), Some(b)) = (self.created_since, self.created_until) {
            if b < a {
                return bad("createdUntil is earlier than createdSince");
            }
        }
        let statuses: Vec<&str> = self
            .processing_statuses
            .iter()
            .map(ProcessingStatus::as_str)
            .collect();
        Ok(RequestParts::get(path)
            .query_csv("feedTypes", &self.feed_types)
            .query_csv("marketplaceIds", &self.marketplace_ids)
            .query_opt("pageSize", self.page_size.map(|n| n.to_string()))
            .query_csv("processingStatuses", &statuses)
            .query_opt("createdSince", self.created_since.map(crate::format_utc))
            .query_opt("createdUntil", self.created_until.map(crate::format_utc)))
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<GetFeedsResponse> {
        decode_json(GET_FEEDS.name, body)
    }
}

/// A feed document ready to submit: its feed type, content type and bytes.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FeedContent {
    /// The feed type, e.g. `POST_ORDER_ACKNOWLEDGEMENT_DATA`.
    pub feed_type: String,
    /// The content type declared to `createFeedDocument` and sent on the upload.
    pub content_type: String,
    /// The document.
    pub body: Vec<u8>,
    /// `feedOptions` (vary by feed type).
    pub options: BTreeMap<String, String>,
}

impl std::fmt::Debug for FeedContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Order feeds can carry buyer-facing data: show the size only.
        f.debug_struct("FeedContent")
            .field("feed_type", &self.feed_type)
            .field("content_type", &self.content_type)
            .field("bytes", &self.body.len())
            .field("options", &self.options)
            .finish()
    }
}

impl FeedContent {
    /// Any document.
    pub fn new(
        feed_type: impl Into<String>,
        content_type: impl Into<String>,
        body: impl Into<Vec<u8>>,
    ) -> Self {
        FeedContent {
            feed_type: feed_type.into(),
            content_type: content_type.into(),
            body: body.into(),
            options: BTreeMap::new(),
        }
    }

    /// An XML order feed (fulfilment, acknowledgement and cancellation, payment
    /// adjustment), checked against the XSD rules as it is written.
    pub fn order_feed(envelope: &Envelope) -> Result<Self> {
        let feed_type = envelope.feed_type().ok_or_else(|| {
            Error::InvalidRequest("this envelope's message type has no SP-API feed type".into())
        })?;
        let xml = envelope
            .to_xml()
            .map_err(|e| Error::InvalidRequest(format!("feed document: {e}")))?;
        Ok(Self::new(feed_type.as_str(), feed_type.content_type(), xml))
    }

    /// A `JSON_LISTINGS_FEED`.
    pub fn listings(feed: &ListingsFeed) -> Result<Self> {
        let json = feed
            .to_json()
            .map_err(|e| Error::InvalidRequest(format!("feed document: {e}")))?;
        Ok(Self::new(
            FeedType::JsonListings.as_str(),
            FeedType::JsonListings.content_type(),
            json,
        ))
    }

    /// Adds a `feedOptions` entry.
    pub fn option(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.insert(name.into(), value.into());
        self
    }
}

/// How [`FeedSubmission::wait`] polls `getFeed`: the first poll after `initial`, each
/// later one `factor` times later, at most `max` apart, giving up after `timeout`.
///
/// Amazon processes most feeds in minutes but documents up to eight hours under load;
/// the defaults poll after 30 s, then every 1, 2, 4 and at most 5 minutes, and never give
/// up (`timeout: None`). Each poll also waits for `getFeed` capacity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FeedPoll {
    /// Wait before the first poll.
    pub initial: Duration,
    /// Longest wait between two polls.
    pub max: Duration,
    /// Growth of the wait between polls.
    pub factor: f64,
    /// Give up waiting after this long (`None`: wait until the feed ends).
    pub timeout: Option<Duration>,
}

impl Default for FeedPoll {
    fn default() -> Self {
        FeedPoll {
            initial: Duration::from_secs(30),
            max: Duration::from_secs(300),
            factor: 2.0,
            timeout: None,
        }
    }
}

/// A processing report, parsed by the feed type it belongs to.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum FeedReport {
    /// The XML `ProcessingReport` of an order feed: results tied to each `MessageID`.
    Xml(ProcessingReport),
    /// The JSON report of a `JSON_LISTINGS_FEED`: issues tied to each `messageId`.
    Listings(ListingsReport),
    /// Another feed type's report, as downloaded.
    Raw(Document),
}

/// What a finished feed left: the feed and its processing report, if it has one.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FeedOutcome {
    /// The feed as `getFeed` last returned it (`DONE`, `CANCELLED` or `FATAL`).
    pub feed: Feed,
    /// The processing report (`None` for a cancelled feed, or a fatal one without report).
    pub report: Option<FeedReport>,
}

/// A submitted feed, from [`FeedsApi::submit_feed`]: poll it with
/// [`wait`](Self::wait).
#[derive(Clone, Debug)]
pub struct FeedSubmission {
    api: FeedsApi,
    feed_id: String,
    feed_type: String,
    poll: FeedPoll,
}

impl FeedSubmission {
    /// A handle on a feed created earlier (e.g. after a restart), to wait for it.
    pub fn resume(api: FeedsApi, feed_id: impl Into<String>, feed_type: impl Into<String>) -> Self {
        FeedSubmission {
            api,
            feed_id: feed_id.into(),
            feed_type: feed_type.into(),
            poll: FeedPoll::default(),
        }
    }

    /// How to poll (default [`FeedPoll::default`]).
    pub fn poll(mut self, poll: FeedPoll) -> Self {
        self.poll = poll;
        self
    }

    /// The feed id Amazon gave.
    pub fn feed_id(&self) -> &str {
        &self.feed_id
    }

    /// The feed type.
    pub fn feed_type(&self) -> &str {
        &self.feed_type
    }

    /// One `getFeed`.
    pub async fn status(&self) -> Result<Feed> {
        self.api.get_feed(&self.feed_id).await
    }

    /// Polls `getFeed` with back-off until the feed is `DONE`, `CANCELLED` or `FATAL`,
    /// then downloads and parses its processing report.
    ///
    /// Fails with [`Error::Timeout`] when [`FeedPoll::timeout`] passes first (the feed
    /// goes on at Amazon: wait again later with [`FeedSubmission::resume`]).
    pub async fn wait(&self) -> Result<FeedOutcome> {
        let started = tokio::time::Instant::now();
        let mut delay = self.poll.initial;
        loop {
            tokio::time::sleep(delay).await;
            let feed = self.status().await?;
            if feed.processing_status.is_terminal() {
                let report = match feed.result_feed_document_id.as_deref() {
                    Some(doc) => Some(self.api.processing_report(&self.feed_type, doc).await?),
                    None => None,
                };
                return Ok(FeedOutcome { feed, report });
            }
            tracing::debug!(feed_id = %self.feed_id, status = %feed.processing_status, "feed not done yet");
            let next = Duration::from_secs_f64(
                (delay.as_secs_f64() * self.poll.factor.max(1.0)).min(self.poll.max.as_secs_f64()),
            );
            if let Some(t) = self.poll.timeout {
                if started.elapsed() + next > t {
                    return Err(Error::Timeout {
                        operation: GET_FEED.name,
                        after: t,
                    });
                }
            }
            delay = next;
        }
    }
}

/// The Feeds API, from [`Client::feeds`].
#[derive(Clone, Debug)]
pub struct FeedsApi {
    pub(crate) client: Client,
}

impl FeedsApi {
    /// `createFeedDocument`: a document id and a pre-signed upload URL.
    pub async fn create_feed_document(
        &self,
        content_type: impl Into<String>,
    ) -> Result<CreateFeedDocumentResponse> {
        self.client
            .execute(&CreateFeedDocument::new(content_type))
            .await
    }

    /// Uploads a feed document's content to the URL of
    /// [`create_feed_document`](Self::create_feed_document), with the same content type.
    pub async fn upload_feed_document(
        &self,
        document: &CreateFeedDocumentResponse,
        content_type: &str,
        body: &[u8],
    ) -> Result<()> {
        self.client
            .upload_document("uploadFeedDocument", &document.url, content_type, body)
            .await
    }

    /// `createFeed`.
    pub async fn create_feed(&self, spec: CreateFeedSpecification) -> Result<CreateFeedResponse> {
        self.client.execute(&spec).await
    }

    /// `getFeed`.
    pub async fn get_feed(&self, feed_id: &str) -> Result<Feed> {
        self.client.execute(&GetFeed::new(feed_id)).await
    }

    /// `getFeeds`: one page.
    pub async fn get_feeds(&self, request: GetFeedsRequest) -> Result<GetFeedsResponse> {
        self.client.execute(&request).await
    }

    /// `getFeeds` page by page (the later pages send `nextToken` alone).
    pub fn get_feeds_pages(
        &self,
        request: GetFeedsRequest,
    ) -> impl Stream<Item = Result<GetFeedsResponse>> + Send + 'static {
        crate::pagination::pages(
            self.client.clone(),
            request,
            |op: &GetFeedsRequest, page: &GetFeedsResponse| {
                crate::pagination::fresh_token(op.next_token.as_deref(), page.next_token.as_deref())
                    .map(|t| GetFeedsRequest::default().next_token(t))
            },
        )
    }

    /// `getFeeds` as a stream of feeds across all pages.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::feeds::{GetFeedsRequest, ProcessingStatus};
    /// use futures::TryStreamExt;
    /// let open: Vec<_> = client
    ///     .feeds()
    ///     .get_feeds_stream(
    ///         GetFeedsRequest::new(["POST_ORDER_ACKNOWLEDGEMENT_DATA"])
    ///             .processing_statuses(vec![ProcessingStatus::InQueue, ProcessingStatus::InProgress]),
    ///     )
    ///     .try_collect()
    ///     .await?;
    /// # let _ = open;
    /// # Ok(()) }
    /// ```
    pub fn get_feeds_stream(&self, request: GetFeedsRequest) -> Listing<Feed> {
        let first = request.next_token.clone();
        let pages = self
            .get_feeds_pages(request)
            .map_ok(|p: GetFeedsResponse| PageOf {
                items: p.feeds,
                next_token: p.next_token,
                watermark: None,
            });
        Listing::new(pages, first)
    }

    /// `cancelFeed`.
    pub async fn cancel_feed(&self, feed_id: &str) -> Result<()> {
        self.client.execute(&CancelFeed::new(feed_id)).await
    }

    /// `getFeedDocument`: the document's pre-signed download URL and compression.
    pub async fn get_feed_document(&self, feed_document_id: &str) -> Result<FeedDocument> {
        self.client
            .execute(&GetFeedDocument::new(feed_document_id))
            .await
    }

    /// Downloads a feed document, decompressing it when `compressionAlgorithm` is `GZIP`.
    pub async fn download_feed_document(&self, document: &FeedDocument) -> Result<Document> {
        let gzip = match &document.compression_algorithm {
            None => false,
            Some(CompressionAlgorithm::Gzip) => true,
            Some(other) => {
                return Err(Error::Report {
                    operation: "downloadFeedDocument",
                    message: format!("unsupported compressionAlgorithm {other}"),
                });
            }
        };
        self.client
            .download_document("downloadFeedDocument", &document.url, gzip)
            .await
    }

    /// The processing report of a feed of `feed_type`, from its result document, parsed.
    pub async fn processing_report(
        &self,
        feed_type: &str,
        result_feed_document_id: &str,
    ) -> Result<FeedReport> {
        let doc = self.get_feed_document(result_feed_document_id).await?;
        let content = self.download_feed_document(&doc).await?;
        parse_report(feed_type, content)
    }

    /// Uploads `content`, creates the feed for `marketplace_ids` and returns a handle
    /// that [waits](FeedSubmission::wait) for its processing report.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use amazon_feed_documents::order_feeds::{Envelope, OrderAcknowledgement};
    /// use spapi_client::feeds::{FeedContent, FeedReport};
    /// let envelope = Envelope::order_acknowledgement(
    ///     "A1SELLER",
    ///     [OrderAcknowledgement::success("111-1234567-1234567").merchant_order_id("HOST-1")],
    /// );
    /// let submission = client
    ///     .feeds()
    ///     .submit_feed(FeedContent::order_feed(&envelope)?, ["ATVPDKIKX0DER"])
    ///     .await?;
    /// let outcome = submission.wait().await?;
    /// if let Some(FeedReport::Xml(report)) = outcome.report {
    ///     println!("all accepted: {}", report.is_success());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn submit_feed<I, S>(
        &self,
        content: FeedContent,
        marketplace_ids: I,
    ) -> Result<FeedSubmission>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut spec =
            CreateFeedSpecification::new(content.feed_type.clone(), marketplace_ids, String::new());
        // Refuse a bad specification before creating and uploading the document.
        spec.input_feed_document_id = "-".into();
        spec.to_request(&RequestContext {
            now: self.client.now(),
        })?;
        let document = self
            .create_feed_document(content.content_type.clone())
            .await?;
        self.upload_feed_document(&document, &content.content_type, &content.body)
            .await?;
        spec.input_feed_document_id = document.feed_document_id.clone();
        spec.feed_options = content.options.clone();
        let created = self.create_feed(spec).await?;
        tracing::info!(feed_id = %created.feed_id, feed_type = %content.feed_type, "feed submitted");
        Ok(FeedSubmission {
            api: self.clone(),
            feed_id: created.feed_id,
            feed_type: content.feed_type,
            poll: FeedPoll::default(),
        })
    }
}

/// Parses a processing report by its feed type.
pub fn parse_report(feed_type: &str, content: Document) -> Result<FeedReport> {
    const OP: &str = "feedProcessingReport";
    let feed_type = feed_type.trim_matches('_');
    if feed_type == FeedType::JsonListings.as_str() {
        return ListingsReport::from_slice(&content.body)
            .map(FeedReport::Listings)
            .map_err(|e| Error::Report {
                operation: OP,
                message: e.to_string(),
            });
    }
    let xml_types = [
        FeedType::OrderFulfillment,
        FeedType::OrderAcknowledgement,
        FeedType::PaymentAdjustment,
    ];
    if xml_types.iter().any(|t| t.as_str() == feed_type) {
        return ProcessingReport::from_bytes(&content.body)
            .map(FeedReport::Xml)
            .map_err(|e| Error::Report {
                operation: OP,
                message: e.to_string(),
            });
    }
    Ok(FeedReport::Raw(content))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> RequestContext {
        RequestContext {
            now: time::macros::datetime!(2026-03-01 12:00 UTC),
        }
    }

    #[test]
    fn get_feeds_sends_the_token_alone() {
        let p = GetFeedsRequest::new(["POST_ORDER_FULFILLMENT_DATA"])
            .page_size(5)
            .next_token("abc+/=")
            .to_request(&ctx())
            .expect("parts");
        assert_eq!(p.encoded_query(), "nextToken=abc%2B%2F%3D");
    }

    #[test]
    fn get_feeds_refuses_what_amazon_refuses() {
        for r in [
            GetFeedsRequest::default(),
            GetFeedsRequest::new((0..11).map(|i| format!("T{i}"))),
            GetFeedsRequest::new(["T"]).page_size(0),
            GetFeedsRequest::new(["T"]).page_size(101),
            GetFeedsRequest::new(["T"]).marketplace_ids((0..11).map(|i| format!("M{i}"))),
            GetFeedsRequest::new(["T"])
                .created_since(time::macros::datetime!(2026-03-01 0:00 UTC))
                .created_until(time::macros::datetime!(2026-02-01 0:00 UTC)),
        ] {
            assert!(
                matches!(r.to_request(&ctx()), Err(Error::InvalidRequest(_))),
                "{r:?}"
            );
        }
    }

    #[test]
    fn create_feed_needs_marketplaces_and_a_document() {
        let none = CreateFeedSpecification::new("T", Vec::<String>::new(), "doc");
        assert!(none.to_request(&ctx()).is_err());
        let many = CreateFeedSpecification::new("T", (0..26).map(|i| format!("M{i}")), "doc");
        assert!(many.to_request(&ctx()).is_err());
        let no_doc = CreateFeedSpecification::new("T", ["M"], " ");
        assert!(no_doc.to_request(&ctx()).is_err());
    }

    #[test]
    fn other_feed_types_keep_their_report_raw() {
        let doc = Document {
            content_type: Some("text/plain".into()),
            body: b"report".to_vec(),
        };
        assert!(matches!(
            parse_report("POST_FLAT_FILE_FULFILLMENT_DATA", doc),
            Ok(FeedReport::Raw(_))
        ));
        let bad = Document {
            content_type: None,
            body: b"<not-xml".to_vec(),
        };
        let err = parse_report("POST_ORDER_FULFILLMENT_DATA", bad).expect_err("bad xml");
        assert_eq!(err.kind(), crate::ErrorKind::Decode);
    }
}
