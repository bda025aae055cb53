//! Feeds 2009-01-01 operations.

use time::OffsetDateTime;

/// The SP-API name of a document's feed type ([`Envelope::feed_type`]); the MWS name is
/// [`FeedType`].
pub use amazon_feed_documents::FeedType as DocumentFeedType;
pub use amazon_feed_documents::order_feeds::*;
pub use amazon_feed_documents::processing_report::*;
pub use amazon_feed_documents::{BuildError, Rule};

use crate::error::{Error, Result, XmlError};
pub use crate::feeds_model::*;
use crate::operation::{Operation, RawResponse, RequestBody, Section};
use crate::orders_model::NextToken;
use crate::sign::{content_md5, format_timestamp};

/// A feed document that breaks a schema rule is an invalid request (nothing was sent).
impl From<BuildError> for Error {
    fn from(e: BuildError) -> Self {
        Error::InvalidRequest(e.to_string())
    }
}

/// A feed document or processing report that cannot be read, with its element path.
impl From<amazon_feed_documents::XmlError> for Error {
    fn from(e: amazon_feed_documents::XmlError) -> Self {
        Error::Xml(XmlError::new(e.path, e.message))
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidRequest(msg.into())
}

fn push_list(
    params: &mut Vec<(String, String)>,
    prefix: &str,
    items: impl IntoIterator<Item = String>,
) {
    for (i, item) in items.into_iter().enumerate() {
        params.push((format!("{prefix}.{}", i + 1), item));
    }
}

/// `SubmitFeed`: uploads a feed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitFeed {
    feed_type: FeedType,
    content: Vec<u8>,
    content_type: String,
    marketplace_ids: Vec<String>,
    purge_and_replace: Option<bool>,
    feed_options: Option<String>,
}

impl SubmitFeed {
    /// A feed of `feed_type` with `content` sent as `content_type`.
    pub fn new(
        feed_type: FeedType,
        content: impl Into<Vec<u8>>,
        content_type: impl Into<String>,
    ) -> Self {
        Self {
            feed_type,
            content: content.into(),
            content_type: content_type.into(),
            marketplace_ids: Vec::new(),
            purge_and_replace: None,
            feed_options: None,
        }
    }

    /// An XML feed document (`text/xml`), validated and written.
    pub fn from_envelope(envelope: &Envelope) -> Result<Self> {
        let feed_type = envelope
            .feed_type()
            .and_then(|t| t.mws_name())
            .map(|name| FeedType::from(name.as_str()))
            .ok_or_else(|| {
                invalid(format!(
                    "no feed type for {} documents",
                    envelope.message_type
                ))
            })?;
        Ok(Self::new(feed_type, envelope.to_xml()?, "text/xml"))
    }

    /// Adds a marketplace (`MarketplaceIdList.Id.n`).
    pub fn marketplace_id(mut self, id: impl Into<String>) -> Self {
        self.marketplace_ids.push(id.into());
        self
    }

    /// Sets `PurgeAndReplace` (at most once a day; replaces the whole catalogue).
    pub fn purge_and_replace(mut self, purge: bool) -> Self {
        self.purge_and_replace = Some(purge);
        self
    }

    /// Sets `FeedOptions`.
    pub fn feed_options(mut self, options: impl Into<String>) -> Self {
        self.feed_options = Some(options.into());
        self
    }

    /// The document bytes.
    pub fn content(&self) -> &[u8] {
        &self.content
    }

    /// `Base64(MD5(content))`, sent as `ContentMD5Value` and `Content-MD5`.
    pub fn content_md5(&self) -> String {
        content_md5(&self.content)
    }
}

impl Operation for SubmitFeed {
    type Output = SubmitFeedResponse;

    fn action(&self) -> &'static str {
        "SubmitFeed"
    }

    fn section(&self) -> Section {
        Section::FEEDS
    }

    fn params(&self) -> Result<Vec<(String, String)>> {
        if self.content.is_empty() {
            return Err(invalid("the feed is empty"));
        }
        if self.content.len() as u64 >= 2 * 1024 * 1024 * 1024 {
            return Err(invalid("feeds must be smaller than 2 GiB"));
        }
        let mut p = vec![
            ("FeedType".to_owned(), self.feed_type.as_str().to_owned()),
            ("ContentMD5Value".to_owned(), self.content_md5()),
        ];
        push_list(
            &mut p,
            "MarketplaceIdList.Id",
            self.marketplace_ids.iter().cloned(),
        );
        if let Some(purge) = self.purge_and_replace {
            p.push(("PurgeAndReplace".into(), purge.to_string()));
        }
        if let Some(o) = &self.feed_options {
            p.push(("FeedOptions".into(), o.clone()));
        }
        Ok(p)
    }

    fn body(&self) -> Option<RequestBody> {
        Some(RequestBody {
            bytes: self.content.clone(),
            content_type: self.content_type.clone(),
        })
    }

    fn idempotent(&self) -> bool {
        false
    }

    fn parse(&self, response: RawResponse) -> Result<SubmitFeedResponse> {
        Ok(SubmitFeedResponse::from_xml(&response.text())?)
    }
}

/// Filters shared by the list, count and cancel operations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedSubmissionFilter {
    feed_types: Vec<FeedType>,
    statuses: Vec<FeedProcessingStatus>,
    submitted_from: Option<OffsetDateTime>,
    submitted_to: Option<OffsetDateTime>,
}

impl FeedSubmissionFilter {
    /// Adds a feed type (`FeedTypeList.Type.n`).
    pub fn feed_type(mut self, t: FeedType) -> Self {
        self.feed_types.push(t);
        self
    }

    /// Adds a status (`FeedProcessingStatusList.Status.n`).
    pub fn status(mut self, s: FeedProcessingStatus) -> Self {
        self.statuses.push(s);
        self
    }

    /// `SubmittedFromDate` (Amazon's default: 90 days ago).
    pub fn submitted_from(mut self, t: OffsetDateTime) -> Self {
        self.submitted_from = Some(t);
        self
    }

    /// `SubmittedToDate`.
    pub fn submitted_to(mut self, t: OffsetDateTime) -> Self {
        self.submitted_to = Some(t);
        self
    }

    fn push(&self, p: &mut Vec<(String, String)>, with_status: bool) -> Result<()> {
        if let (Some(a), Some(b)) = (self.submitted_from, self.submitted_to) {
            if b <= a {
                return Err(invalid(
                    "SubmittedToDate must be later than SubmittedFromDate",
                ));
            }
        }
        push_list(
            p,
            "FeedTypeList.Type",
            self.feed_types.iter().map(|t| t.as_str().to_owned()),
        );
        if with_status {
            push_list(
                p,
                "FeedProcessingStatusList.Status",
                self.statuses.iter().map(|s| s.as_str().to_owned()),
            );
        } else if !self.statuses.is_empty() {
            return Err(invalid("CancelFeedSubmissions does not filter by status"));
        }
        if let Some(t) = self.submitted_from {
            p.push(("SubmittedFromDate".into(), format_timestamp(t)));
        }
        if let Some(t) = self.submitted_to {
            p.push(("SubmittedToDate".into(), format_timestamp(t)));
        }
        Ok(())
    }
}

/// `GetFeedSubmissionList`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetFeedSubmissionList {
    ids: Vec<FeedSubmissionId>,
    max_count: Option<u32>,
    filter: FeedSubmissionFilter,
}

impl GetFeedSubmissionList {
    /// All recent submissions (filters optional).
    pub fn new() -> Self {
        Self::default()
    }

    /// Specific submissions (`FeedSubmissionIdList.Id.n`, up to 100; overrides filters).
    pub fn id(mut self, id: impl Into<FeedSubmissionId>) -> Self {
        self.ids.push(id.into());
        self
    }

    /// `MaxCount`, 1 to 100 (Amazon's default 10).
    pub fn max_count(mut self, n: u32) -> Self {
        self.max_count = Some(n);
        self
    }

    /// Type, status and date filters.
    pub fn filter(mut self, filter: FeedSubmissionFilter) -> Self {
        self.filter = filter;
        self
    }
}

impl Operation for GetFeedSubmissionList {
    type Output = FeedSubmissionList;

    fn action(&self) -> &'static str {
        "GetFeedSubmissionList"
    }

    fn section(&self) -> Section {
        Section::FEEDS
    }

    fn params(&self) -> Result<Vec<(String, String)>> {
        if self.ids.len() > 100 {
            return Err(invalid("at most 100 FeedSubmissionId values"));
        }
        let mut p = Vec::new();
        push_list(
            &mut p,
            "FeedSubmissionIdList.Id",
            self.ids.iter().map(|i| i.0.clone()),
        );
        if let Some(n) = self.max_count {
            if !(1..=100).contains(&n) {
                return Err(invalid(format!("MaxCount must be 1 to 100, got {n}")));
            }
            p.push(("MaxCount".into(), n.to_string()));
        }
        self.filter.push(&mut p, true)?;
        Ok(p)
    }

    fn parse(&self, response: RawResponse) -> Result<FeedSubmissionList> {
        Ok(FeedSubmissionList::from_xml(&response.text())?)
    }
}

/// `GetFeedSubmissionListByNextToken`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetFeedSubmissionListByNextToken(pub NextToken);

impl Operation for GetFeedSubmissionListByNextToken {
    type Output = FeedSubmissionList;

    fn action(&self) -> &'static str {
        "GetFeedSubmissionListByNextToken"
    }

    fn section(&self) -> Section {
        Section::FEEDS
    }

    fn params(&self) -> Result<Vec<(String, String)>> {
        if self.0.as_str().is_empty() {
            return Err(invalid("NextToken must not be empty"));
        }
        Ok(vec![("NextToken".into(), self.0.as_str().to_owned())])
    }

    fn parse(&self, response: RawResponse) -> Result<FeedSubmissionList> {
        Ok(FeedSubmissionList::from_xml(&response.text())?)
    }
}

/// `GetFeedSubmissionCount`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetFeedSubmissionCount(pub FeedSubmissionFilter);

impl Operation for GetFeedSubmissionCount {
    type Output = FeedSubmissionCount;

    fn action(&self) -> &'static str {
        "GetFeedSubmissionCount"
    }

    fn section(&self) -> Section {
        Section::FEEDS
    }

    fn params(&self) -> Result<Vec<(String, String)>> {
        let mut p = Vec::new();
        self.0.push(&mut p, true)?;
        Ok(p)
    }

    fn parse(&self, response: RawResponse) -> Result<FeedSubmissionCount> {
        Ok(FeedSubmissionCount::from_xml(&response.text())?)
    }
}

/// `CancelFeedSubmissions`: without ids or filters it cancels every submission not yet
/// started, so [`CancelFeedSubmissions::all_not_started`] must be chosen explicitly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelFeedSubmissions {
    ids: Vec<FeedSubmissionId>,
    filter: FeedSubmissionFilter,
    everything: bool,
}

impl CancelFeedSubmissions {
    /// Cancels the given submissions.
    pub fn ids<I, S>(ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<FeedSubmissionId>,
    {
        Self {
            ids: ids.into_iter().map(Into::into).collect(),
            filter: FeedSubmissionFilter::default(),
            everything: false,
        }
    }

    /// Cancels submissions matching a type/date filter.
    pub fn matching(filter: FeedSubmissionFilter) -> Self {
        Self {
            ids: Vec::new(),
            filter,
            everything: false,
        }
    }

    /// Cancels every submission that has not started processing.
    pub fn all_not_started() -> Self {
        Self {
            ids: Vec::new(),
            filter: FeedSubmissionFilter::default(),
            everything: true,
        }
    }
}

impl Operation for CancelFeedSubmissions {
    type Output = CancelledFeedSubmissions;

    fn action(&self) -> &'static str {
        "CancelFeedSubmissions"
    }

    fn section(&self) -> Section {
        Section::FEEDS
    }

    fn params(&self) -> Result<Vec<(String, String)>> {
        let mut p = Vec::new();
        push_list(
            &mut p,
            "FeedSubmissionIdList.Id",
            self.ids.iter().map(|i| i.0.clone()),
        );
        self.filter.push(&mut p, false)?;
        if p.is_empty() && !self.everything {
            return Err(invalid(
                "CancelFeedSubmissions without ids or filters cancels everything; use all_not_started()",
            ));
        }
        Ok(p)
    }

    fn parse(&self, response: RawResponse) -> Result<CancelledFeedSubmissions> {
        Ok(CancelledFeedSubmissions::from_xml(&response.text())?)
    }
}

/// `GetFeedSubmissionResult`: the processing report, its `Content-MD5` verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetFeedSubmissionResult(pub FeedSubmissionId);

impl GetFeedSubmissionResult {
    /// The report of `id`.
    pub fn new(id: impl Into<FeedSubmissionId>) -> Self {
        Self(id.into())
    }
}

/// The raw result of a feed submission, verified against its `Content-MD5`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FeedSubmissionResult {
    /// The report bytes as received.
    pub body: Vec<u8>,
    /// The `Content-MD5` MWS sent (equal to the MD5 of `body`).
    pub content_md5: String,
    /// `x-mws-request-id`.
    pub request_id: Option<String>,
}

impl FeedSubmissionResult {
    /// Reads the body as a processing report.
    pub fn processing_report(&self) -> Result<ProcessingReport> {
        Ok(ProcessingReport::from_bytes(&self.body)?)
    }
}

/// Checks a body against a `Content-MD5` value.
pub fn verify_content_md5(body: &[u8], expected: &str) -> Result<()> {
    let actual = content_md5(body);
    if actual == expected.trim() {
        Ok(())
    } else {
        Err(Error::ContentMd5Mismatch {
            expected: expected.trim().to_owned(),
            actual,
        })
    }
}

impl Operation for GetFeedSubmissionResult {
    type Output = FeedSubmissionResult;

    fn action(&self) -> &'static str {
        "GetFeedSubmissionResult"
    }

    fn section(&self) -> Section {
        Section::FEEDS
    }

    fn params(&self) -> Result<Vec<(String, String)>> {
        if self.0.as_str().is_empty() {
            return Err(invalid("FeedSubmissionId must not be empty"));
        }
        Ok(vec![(
            "FeedSubmissionId".into(),
            self.0.as_str().to_owned(),
        )])
    }

    fn parse(&self, response: RawResponse) -> Result<FeedSubmissionResult> {
        let expected = response
            .header("content-md5")
            .map(str::to_owned)
            .ok_or(Error::ContentMd5Missing)?;
        verify_content_md5(&response.body, &expected)?;
        Ok(FeedSubmissionResult {
            request_id: response.header("x-mws-request-id").map(str::to_owned),
            content_md5: expected.trim().to_owned(),
            body: response.body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_feed_params() {
        let f = SubmitFeed::new(FeedType::Product, b"mws".to_vec(), "text/xml")
            .marketplace_id("A2EUQ1WTGCTBG2")
            .purge_and_replace(false);
        let p = f.params().unwrap();
        assert_eq!(p[0], ("FeedType".into(), "_POST_PRODUCT_DATA_".into()));
        assert_eq!(
            p[1],
            ("ContentMD5Value".into(), "mA5nPbh1CSx9M3dbkr3Cyg==".into())
        );
        assert_eq!(
            p[2],
            ("MarketplaceIdList.Id.1".into(), "A2EUQ1WTGCTBG2".into())
        );
        assert_eq!(p[3], ("PurgeAndReplace".into(), "false".into()));
        assert!(
            SubmitFeed::new(FeedType::Product, Vec::new(), "text/xml")
                .params()
                .is_err()
        );
    }

    #[test]
    fn cancel_needs_an_explicit_everything() {
        assert!(
            CancelFeedSubmissions::ids(Vec::<String>::new())
                .params()
                .is_err()
        );
        assert!(
            CancelFeedSubmissions::all_not_started()
                .params()
                .unwrap()
                .is_empty()
        );
        let p = CancelFeedSubmissions::ids(["1", "2"]).params().unwrap();
        assert_eq!(p[1], ("FeedSubmissionIdList.Id.2".into(), "2".into()));
        let with_status = CancelFeedSubmissions::matching(
            FeedSubmissionFilter::default().status(FeedProcessingStatus::Done),
        );
        assert!(with_status.params().is_err());
    }

    #[test]
    fn list_params() {
        let p = GetFeedSubmissionList::new()
            .max_count(100)
            .filter(
                FeedSubmissionFilter::default()
                    .feed_type(FeedType::OrderFulfillment)
                    .status(FeedProcessingStatus::Done),
            )
            .params()
            .unwrap();
        let names: Vec<&str> = p.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "MaxCount",
                "FeedTypeList.Type.1",
                "FeedProcessingStatusList.Status.1"
            ]
        );
        assert!(
            GetFeedSubmissionList::new()
                .max_count(101)
                .params()
                .is_err()
        );
    }

    #[test]
    fn md5_verification() {
        assert!(verify_content_md5(b"mws", "mA5nPbh1CSx9M3dbkr3Cyg==").is_ok());
        let err = verify_content_md5(b"mwz", "mA5nPbh1CSx9M3dbkr3Cyg==").unwrap_err();
        assert!(matches!(err, Error::ContentMd5Mismatch { .. }));
        assert_eq!(err.kind(), crate::ErrorKind::Transient);
    }
}
