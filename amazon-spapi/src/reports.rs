//! Reports API 2021-06-30: reports (`createReport`, `getReport`, `getReports`,
//! `cancelReport`), their documents (`getReportDocument`, downloaded and decompressed when
//! GZIP), schedules, and the all-orders flat-file report read row by row in the charset
//! its `Content-Type` names (with [`amazon_feed_documents::flat_file`]).
//!
//! Published limits: `createReport` 0.0167/s burst 15, `getReport` 2/s burst 15,
//! `getReports`, `cancelReport` and the schedule operations 0.0222/s burst 10,
//! `getReportDocument` 0.0167/s burst 15. `createReport` and `createReportSchedule` are not
//! repeated after an ambiguous failure.

use crate::client::{Client, Document};
use crate::error::{Error, Result};
use crate::feeds::FeedPoll;
use crate::operation::{
    Method, Operation, OperationInfo, RequestContext, RequestParts, decode_json, encode_component,
};
use crate::pagination::{Listing, PageOf};
use crate::serde_util::open_enum;
use amazon_feed_documents::flat_file::{Charset, OrderReportReader};
use futures::{Stream, TryStreamExt};
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// `createReport`: 0.0167 requests/s, burst 15.
pub const CREATE_REPORT: OperationInfo = OperationInfo::new("createReport", 0.0167, 15, false);
/// `getReport`: 2 / 15.
pub const GET_REPORT: OperationInfo = OperationInfo::new("getReport", 2.0, 15, true);
/// `getReports`: 0.0222 / 10.
pub const GET_REPORTS: OperationInfo = OperationInfo::new("getReports", 0.0222, 10, true);
/// `cancelReport`: 0.0222 / 10.
pub const CANCEL_REPORT: OperationInfo = OperationInfo::new("cancelReport", 0.0222, 10, true);
/// `getReportDocument`: 0.0167 / 15.
pub const GET_REPORT_DOCUMENT: OperationInfo =
    OperationInfo::new("getReportDocument", 0.0167, 15, true);
/// `getReportSchedules`: 0.0222 / 10.
pub const GET_REPORT_SCHEDULES: OperationInfo =
    OperationInfo::new("getReportSchedules", 0.0222, 10, true);
/// `createReportSchedule`: 0.0222 / 10.
pub const CREATE_REPORT_SCHEDULE: OperationInfo =
    OperationInfo::new("createReportSchedule", 0.0222, 10, false);
/// `getReportSchedule`: 0.0222 / 10.
pub const GET_REPORT_SCHEDULE: OperationInfo =
    OperationInfo::new("getReportSchedule", 0.0222, 10, true);
/// `cancelReportSchedule`: 0.0222 / 10.
pub const CANCEL_REPORT_SCHEDULE: OperationInfo =
    OperationInfo::new("cancelReportSchedule", 0.0222, 10, true);

/// Every Reports operation.
pub const OPERATIONS: &[&OperationInfo] = &[
    &CREATE_REPORT,
    &GET_REPORT,
    &GET_REPORTS,
    &CANCEL_REPORT,
    &GET_REPORT_DOCUMENT,
    &GET_REPORT_SCHEDULES,
    &CREATE_REPORT_SCHEDULE,
    &GET_REPORT_SCHEDULE,
    &CANCEL_REPORT_SCHEDULE,
];

const BASE: &str = "/reports/2021-06-30";

/// The all-orders flat-file report by last update.
pub const ALL_ORDERS_BY_LAST_UPDATE: &str = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL";
/// The all-orders flat-file report by order date.
pub const ALL_ORDERS_BY_ORDER_DATE: &str = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL";

open_enum! {
    /// `processingStatus` of a report.
    pub enum ReportStatus {
        /// Cancelled (also: Amazon found no data for the range).
        Cancelled => "CANCELLED",
        /// Done: the document is ready.
        Done => "DONE",
        /// Failed (a document may explain why).
        Fatal => "FATAL",
        /// Being made.
        InProgress => "IN_PROGRESS",
        /// Waiting.
        InQueue => "IN_QUEUE",
    }
}

impl ReportStatus {
    /// Whether the report will not change any more.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ReportStatus::Done | ReportStatus::Cancelled | ReportStatus::Fatal
        )
    }
}

open_enum! {
    /// How often a schedule makes its report.
    pub enum SchedulePeriod {
        /// 5 minutes.
        Pt5m => "PT5M",
        /// 15 minutes.
        Pt15m => "PT15M",
        /// 30 minutes.
        Pt30m => "PT30M",
        /// 1 hour.
        Pt1h => "PT1H",
        /// 2 hours.
        Pt2h => "PT2H",
        /// 4 hours.
        Pt4h => "PT4H",
        /// 8 hours.
        Pt8h => "PT8H",
        /// 12 hours.
        Pt12h => "PT12H",
        /// 1 day.
        P1d => "P1D",
        /// 2 days.
        P2d => "P2D",
        /// 3 days.
        P3d => "P3D",
        /// 84 hours.
        Pt84h => "PT84H",
        /// 7 days.
        P7d => "P7D",
        /// 14 days.
        P14d => "P14D",
        /// 15 days.
        P15d => "P15D",
        /// 18 days.
        P18d => "P18D",
        /// 30 days.
        P30d => "P30D",
        /// 1 month.
        P1m => "P1M",
    }
}

/// A report.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Report {
    /// The report id.
    pub report_id: String,
    /// The report type.
    pub report_type: String,
    /// Marketplaces.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub marketplace_ids: Vec<String>,
    /// Start of the data range.
    #[serde(default, with = "crate::serde_util::timestamp_opt_strict")]
    pub data_start_time: Option<OffsetDateTime>,
    /// End of the data range.
    #[serde(default, with = "crate::serde_util::timestamp_opt_strict")]
    pub data_end_time: Option<OffsetDateTime>,
    /// The schedule that made it, if any.
    #[serde(default)]
    pub report_schedule_id: Option<String>,
    /// Created.
    #[serde(with = "crate::serde_util::timestamp")]
    pub created_time: OffsetDateTime,
    /// Where processing stands.
    pub processing_status: ReportStatus,
    /// Processing started.
    #[serde(default, with = "crate::serde_util::timestamp_opt_strict")]
    pub processing_start_time: Option<OffsetDateTime>,
    /// Processing ended.
    #[serde(default, with = "crate::serde_util::timestamp_opt_strict")]
    pub processing_end_time: Option<OffsetDateTime>,
    /// The document (when `DONE`, sometimes when `FATAL`).
    #[serde(default)]
    pub report_document_id: Option<String>,
}

/// A page of `getReports`.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetReportsResponse {
    /// The reports.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub reports: Vec<Report>,
    /// Token of the next page (sent alone).
    #[serde(default)]
    pub next_token: Option<String>,
}

/// Answer of `createReport`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateReportResponse {
    /// The new report's id.
    pub report_id: String,
}

/// Answer of `getReportDocument`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReportDocument {
    /// The document id.
    pub report_document_id: String,
    /// Pre-signed download URL (valid 5 minutes). `Debug` hides it.
    pub url: String,
    /// `GZIP` when compressed.
    #[serde(default)]
    pub compression_algorithm: Option<crate::feeds::CompressionAlgorithm>,
}

impl std::fmt::Debug for ReportDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportDocument")
            .field("report_document_id", &self.report_document_id)
            .field("url", &"<pre-signed>")
            .field("compression_algorithm", &self.compression_algorithm)
            .finish()
    }
}

/// A report schedule.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReportSchedule {
    /// The schedule id.
    pub report_schedule_id: String,
    /// The report type.
    pub report_type: String,
    /// Marketplaces.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub marketplace_ids: Vec<String>,
    /// Options.
    #[serde(default)]
    pub report_options: BTreeMap<String, String>,
    /// The period.
    pub period: SchedulePeriod,
    /// When the next report is made.
    #[serde(default, with = "crate::serde_util::timestamp_opt_strict")]
    pub next_report_creation_time: Option<OffsetDateTime>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportScheduleList {
    #[serde(default)]
    report_schedules: Vec<ReportSchedule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateReportScheduleResponse {
    report_schedule_id: String,
}

/// Body of `createReport`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateReportSpecification {
    /// The report type.
    pub report_type: String,
    /// Marketplaces (at least one).
    pub marketplace_ids: Vec<String>,
    /// Start of the data range.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::serde_util::timestamp_opt_strict"
    )]
    pub data_start_time: Option<OffsetDateTime>,
    /// End of the data range.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::serde_util::timestamp_opt_strict"
    )]
    pub data_end_time: Option<OffsetDateTime>,
    /// Options that vary by report type.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub report_options: BTreeMap<String, String>,
}

impl CreateReportSpecification {
    /// A report of `report_type` for these marketplaces.
    pub fn new<I, S>(report_type: impl Into<String>, marketplace_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CreateReportSpecification {
            report_type: report_type.into(),
            marketplace_ids: marketplace_ids.into_iter().map(Into::into).collect(),
            data_start_time: None,
            data_end_time: None,
            report_options: BTreeMap::new(),
        }
    }

    /// The data range `[start, end]`.
    pub fn range(mut self, start: OffsetDateTime, end: OffsetDateTime) -> Self {
        self.data_start_time = Some(start);
        self.data_end_time = Some(end);
        self
    }

    /// Adds a `reportOptions` entry.
    pub fn option(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.report_options.insert(name.into(), value.into());
        self
    }
}

impl Operation for CreateReportSpecification {
    type Output = CreateReportResponse;

    fn info(&self) -> &'static OperationInfo {
        &CREATE_REPORT
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        let bad = |m: &str| Err(Error::InvalidRequest(format!("createReport: {m}")));
        if self.report_type.trim().is_empty() {
            return bad("reportType is empty");
        }
        if self.marketplace_ids.is_empty() {
            return bad("marketplaceIds is required");
        }
        if let (Some(a), Some(b)) = (self.data_start_time, self.data_end_time) {
            if b < a {
                return bad("dataEndTime is earlier than dataStartTime");
            }
        }
        Ok(post(
            format!("{BASE}/reports"),
            serde_json::to_value(self).map_err(|e| Error::InvalidRequest(e.to_string()))?,
        ))
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<CreateReportResponse> {
        decode_json(CREATE_REPORT.name, body)
    }
}

fn post(path: String, body: serde_json::Value) -> RequestParts {
    RequestParts {
        method: Method::Post,
        path,
        query: Vec::new(),
        body: Some(body),
        restricted: None,
    }
}

fn delete(path: String) -> RequestParts {
    RequestParts {
        method: Method::Delete,
        path,
        query: Vec::new(),
        body: None,
        restricted: None,
    }
}

fn id_path(what: &str, kind: &str, id: &str) -> Result<String> {
    if id.trim().is_empty() {
        return Err(Error::InvalidRequest(format!("{what} is empty")));
    }
    Ok(format!("{BASE}/{kind}/{}", encode_component(id)))
}

macro_rules! by_id {
    ($(#[$m:meta])* $name:ident, $info:ident, $kind:literal, $what:literal, $method:expr, $out:ty, $decode:expr) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name {
            /// The id.
            pub id: String,
        }

        impl $name {
            /// For this id.
            pub fn new(id: impl Into<String>) -> Self {
                $name { id: id.into() }
            }
        }

        impl Operation for $name {
            type Output = $out;

            fn info(&self) -> &'static OperationInfo {
                &$info
            }

            fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
                Ok($method(id_path($what, $kind, &self.id)?))
            }

            fn decode(&self, _status: u16, body: &[u8]) -> Result<$out> {
                $decode(body)
            }
        }
    };
}

by_id!(
    /// `getReport`.
    GetReport, GET_REPORT, "reports", "reportId", RequestParts::get, Report,
    |b: &[u8]| decode_json(GET_REPORT.name, b)
);
by_id!(
    /// `cancelReport`.
    CancelReport, CANCEL_REPORT, "reports", "reportId", delete, (),
    |_: &[u8]| Ok(())
);
by_id!(
    /// `getReportDocument`.
    GetReportDocument, GET_REPORT_DOCUMENT, "documents", "reportDocumentId", RequestParts::get, ReportDocument,
    |b: &[u8]| decode_json(GET_REPORT_DOCUMENT.name, b)
);
by_id!(
    /// `getReportSchedule`.
    GetReportSchedule, GET_REPORT_SCHEDULE, "schedules", "reportScheduleId", RequestParts::get, ReportSchedule,
    |b: &[u8]| decode_json(GET_REPORT_SCHEDULE.name, b)
);
by_id!(
    /// `cancelReportSchedule`.
    CancelReportSchedule, CANCEL_REPORT_SCHEDULE, "schedules", "reportScheduleId", delete, (),
    |_: &[u8]| Ok(())
);

/// `getReports`. Without a `next_token`, `report_types` is required (1–10); with one, the
/// token is sent alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetReportsRequest {
    /// `reportTypes` (1–10).
    pub report_types: Vec<String>,
    /// `processingStatuses`.
    pub processing_statuses: Vec<ReportStatus>,
    /// `marketplaceIds` (1–10 when given).
    pub marketplace_ids: Vec<String>,
    /// `pageSize` (1–100).
    pub page_size: Option<u32>,
    /// `createdSince`.
    pub created_since: Option<OffsetDateTime>,
    /// `createdUntil`.
    pub created_until: Option<OffsetDateTime>,
    /// `nextToken`.
    pub next_token: Option<String>,
}

impl GetReportsRequest {
    /// Reports of these types.
    pub fn new<I, S>(report_types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        GetReportsRequest {
            report_types: report_types.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    /// `processingStatuses`.
    pub fn processing_statuses(mut self, s: Vec<ReportStatus>) -> Self {
        self.processing_statuses = s;
        self
    }

    /// `pageSize`.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// `createdSince`.
    pub fn created_since(mut self, t: OffsetDateTime) -> Self {
        self.created_since = Some(t);
        self
    }

    /// `nextToken` (sent alone).
    pub fn next_token(mut self, t: impl Into<String>) -> Self {
        self.next_token = Some(t.into());
        self
    }
}

impl Operation for GetReportsRequest {
    type Output = GetReportsResponse;

    fn info(&self) -> &'static OperationInfo {
        &GET_REPORTS
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        let bad = |m: &str| Err(Error::InvalidRequest(format!("getReports: {m}")));
        let path = format!("{BASE}/reports");
        if let Some(t) = &self.next_token {
            return Ok(RequestParts::get(path).query("nextToken", t.clone()));
        }
        if self.report_types.is_empty() || self.report_types.len() > 10 {
            return bad("reportTypes must hold 1 to 10 types unless nextToken is given");
        }
        if self.marketplace_ids.len() > 10 {
            return bad("at most 10 marketplaceIds");
        }
        if let Some(n) = self.page_size {
            if !(1..=100).contains(&n) {
                return bad("pageSize must be 1-100");
            }
        }
        let statuses: Vec<&str> = self
            .processing_statuses
            .iter()
            .map(ReportStatus::as_str)
            .collect();
        Ok(RequestParts::get(path)
            .query_csv("reportTypes", &self.report_types)
            .query_csv("processingStatuses", &statuses)
            .query_csv("marketplaceIds", &self.marketplace_ids)
            .query_opt("pageSize", self.page_size.map(|n| n.to_string()))
            .query_opt("createdSince", self.created_since.map(crate::format_utc))
            .query_opt("createdUntil", self.created_until.map(crate::format_utc)))
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<GetReportsResponse> {
        decode_json(GET_REPORTS.name, body)
    }
}

/// `getReportSchedules`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetReportSchedules {
    /// `reportTypes` (1–10).
    pub report_types: Vec<String>,
}

impl Operation for GetReportSchedules {
    type Output = Vec<ReportSchedule>;

    fn info(&self) -> &'static OperationInfo {
        &GET_REPORT_SCHEDULES
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        if self.report_types.is_empty() || self.report_types.len() > 10 {
            return Err(Error::InvalidRequest(
                "getReportSchedules: reportTypes must hold 1 to 10 types".into(),
            ));
        }
        Ok(RequestParts::get(format!("{BASE}/schedules"))
            .query_csv("reportTypes", &self.report_types))
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<Vec<ReportSchedule>> {
        decode_json::<ReportScheduleList>(GET_REPORT_SCHEDULES.name, body)
            .map(|l| l.report_schedules)
    }
}

/// Body of `createReportSchedule`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateReportScheduleSpecification {
    /// The report type.
    pub report_type: String,
    /// Marketplaces.
    pub marketplace_ids: Vec<String>,
    /// Options.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub report_options: BTreeMap<String, String>,
    /// How often.
    pub period: SchedulePeriod,
    /// When the first report is made.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::serde_util::timestamp_opt_strict"
    )]
    pub next_report_creation_time: Option<OffsetDateTime>,
}

impl CreateReportScheduleSpecification {
    /// A schedule making `report_type` every `period`.
    pub fn new<I, S>(
        report_type: impl Into<String>,
        marketplace_ids: I,
        period: SchedulePeriod,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CreateReportScheduleSpecification {
            report_type: report_type.into(),
            marketplace_ids: marketplace_ids.into_iter().map(Into::into).collect(),
            report_options: BTreeMap::new(),
            period,
            next_report_creation_time: None,
        }
    }
}

impl Operation for CreateReportScheduleSpecification {
    type Output = String;

    fn info(&self) -> &'static OperationInfo {
        &CREATE_REPORT_SCHEDULE
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        if self.report_type.trim().is_empty() || self.marketplace_ids.is_empty() {
            return Err(Error::InvalidRequest(
                "createReportSchedule: reportType and marketplaceIds are required".into(),
            ));
        }
        Ok(post(
            format!("{BASE}/schedules"),
            serde_json::to_value(self).map_err(|e| Error::InvalidRequest(e.to_string()))?,
        ))
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<String> {
        decode_json::<CreateReportScheduleResponse>(CREATE_REPORT_SCHEDULE.name, body)
            .map(|r| r.report_schedule_id)
    }
}

/// The Reports API, from [`Client::reports`].
#[derive(Clone, Debug)]
pub struct ReportsApi {
    pub(crate) client: Client,
}

impl ReportsApi {
    /// `createReport`: the new report's id.
    pub async fn create_report(&self, spec: CreateReportSpecification) -> Result<String> {
        self.client.execute(&spec).await.map(|r| r.report_id)
    }

    /// `getReport`.
    pub async fn get_report(&self, report_id: &str) -> Result<Report> {
        self.client.execute(&GetReport::new(report_id)).await
    }

    /// `getReports`: one page.
    pub async fn get_reports(&self, request: GetReportsRequest) -> Result<GetReportsResponse> {
        self.client.execute(&request).await
    }

    /// `getReports` page by page (later pages send `nextToken` alone).
    pub fn get_reports_pages(
        &self,
        request: GetReportsRequest,
    ) -> impl Stream<Item = Result<GetReportsResponse>> + Send + 'static {
        crate::pagination::pages(
            self.client.clone(),
            request,
            |op: &GetReportsRequest, page: &GetReportsResponse| {
                crate::pagination::fresh_token(op.next_token.as_deref(), page.next_token.as_deref())
                    .map(|t| GetReportsRequest::default().next_token(t))
            },
        )
    }

    /// `getReports` as a stream of reports across all pages.
    pub fn get_reports_stream(&self, request: GetReportsRequest) -> Listing<Report> {
        let first = request.next_token.clone();
        let pages = self
            .get_reports_pages(request)
            .map_ok(|p: GetReportsResponse| PageOf {
                items: p.reports,
                next_token: p.next_token,
                watermark: None,
            });
        Listing::new(pages, first)
    }

    /// `cancelReport`.
    pub async fn cancel_report(&self, report_id: &str) -> Result<()> {
        self.client.execute(&CancelReport::new(report_id)).await
    }

    /// `getReportDocument`.
    pub async fn get_report_document(&self, report_document_id: &str) -> Result<ReportDocument> {
        self.client
            .execute(&GetReportDocument::new(report_document_id))
            .await
    }

    /// Downloads a report document, decompressing it when GZIP. The document's
    /// `Content-Type` (which names its charset) is kept.
    pub async fn download_report_document(&self, document: &ReportDocument) -> Result<Document> {
        let gzip = match &document.compression_algorithm {
            None => false,
            Some(crate::feeds::CompressionAlgorithm::Gzip) => true,
            Some(other) => {
                return Err(Error::Report {
                    operation: "downloadReportDocument",
                    message: format!("unsupported compressionAlgorithm {other}"),
                });
            }
        };
        self.client
            .download_document("downloadReportDocument", &document.url, gzip)
            .await
    }

    /// Polls `getReport` with back-off until the report is `DONE`, `CANCELLED` or
    /// `FATAL` (a `CANCELLED` report often means there was no data for the range).
    pub async fn wait_for_report(&self, report_id: &str, poll: FeedPoll) -> Result<Report> {
        let started = tokio::time::Instant::now();
        let mut delay = poll.initial;
        loop {
            tokio::time::sleep(delay).await;
            let report = self.get_report(report_id).await?;
            if report.processing_status.is_terminal() {
                return Ok(report);
            }
            let next = std::time::Duration::from_secs_f64(
                (delay.as_secs_f64() * poll.factor.max(1.0)).min(poll.max.as_secs_f64()),
            );
            if let Some(t) = poll.timeout {
                if started.elapsed() + next > t {
                    return Err(Error::Timeout {
                        operation: GET_REPORT.name,
                        after: t,
                    });
                }
            }
            delay = next;
        }
    }

    /// `getReportSchedules`.
    pub async fn get_report_schedules<I, S>(&self, report_types: I) -> Result<Vec<ReportSchedule>>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.client
            .execute(&GetReportSchedules {
                report_types: report_types.into_iter().map(Into::into).collect(),
            })
            .await
    }

    /// `createReportSchedule`: the schedule's id.
    pub async fn create_report_schedule(
        &self,
        spec: CreateReportScheduleSpecification,
    ) -> Result<String> {
        self.client.execute(&spec).await
    }

    /// `getReportSchedule`.
    pub async fn get_report_schedule(&self, id: &str) -> Result<ReportSchedule> {
        self.client.execute(&GetReportSchedule::new(id)).await
    }

    /// `cancelReportSchedule`.
    pub async fn cancel_report_schedule(&self, id: &str) -> Result<()> {
        self.client.execute(&CancelReportSchedule::new(id)).await
    }
}

/// Reads a downloaded all-orders flat-file report row by row, in the charset its
/// `Content-Type` names (UTF-8 when it names none; Cp1252 in Europe, cp932 in Japan).
///
/// ```no_run
/// # async fn doc(client: spapi_client::Client, report: spapi_client::reports::Report) -> spapi_client::Result<()> {
/// let Some(id) = report.report_document_id.as_deref() else { return Ok(()) };
/// let reports = client.reports();
/// let document = reports.download_report_document(&reports.get_report_document(id).await?).await?;
/// for row in spapi_client::reports::order_report_rows(&document)? {
///     let row = row.map_err(|e| spapi_client::Error::Report { operation: "orderReport", message: e.to_string() })?;
///     println!("{} {} x{}", row.amazon_order_id, row.sku, row.quantity);
/// }
/// # Ok(()) }
/// ```
pub fn order_report_rows(document: &Document) -> Result<OrderReportReader<&[u8]>> {
    let report_err = |e: amazon_feed_documents::ReportError| Error::Report {
        operation: "orderReport",
        message: e.to_string(),
    };
    let charset = match document.content_type.as_deref() {
        Some(ct) => Charset::from_content_type(ct).map_err(report_err)?,
        None => Charset::Utf8,
    };
    OrderReportReader::new(document.body.as_slice(), charset).map_err(report_err)
}
