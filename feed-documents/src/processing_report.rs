//! The XML `ProcessingReport` that Amazon returns for an XML feed (MWS
//! `GetFeedSubmissionResult`, SP-API `getFeedDocument` of the result), read tolerantly: any
//! namespace, element order and extra elements, the envelope or a bare report, a missing
//! `MessageID` (a document-level result) or summary. Results are tied back to the
//! `MessageID`s of the feed.

use crate::enums::string_enum;
use crate::error::XmlError;
use crate::xml::{self, Doc, Node};

string_enum! {
    /// `StatusCode` of a processing report.
    pub enum ReportStatus {
        Complete => "Complete",
        Processing => "Processing",
        Rejected => "Rejected",
    }
}

string_enum! {
    /// `ResultCode` of a processing report result.
    pub enum ResultCode {
        Error => "Error",
        Warning => "Warning",
    }
}

/// `ProcessingSummary` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProcessingSummary {
    /// Messages processed.
    pub messages_processed: u64,
    /// Messages that succeeded.
    pub messages_successful: u64,
    /// Messages with an error.
    pub messages_with_error: u64,
    /// Messages with a warning.
    pub messages_with_warning: u64,
}

/// `AdditionalInfo` of a result: what the message was about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AdditionalInfo {
    /// SKU.
    pub sku: Option<String>,
    /// Fulfilment centre.
    pub fulfillment_center_id: Option<String>,
    /// Amazon order id.
    pub amazon_order_id: Option<String>,
    /// Amazon order item code.
    pub amazon_order_item_code: Option<String>,
    /// Marketplace (Webstore).
    pub marketplace: Option<String>,
}

/// One `Result` of a processing report: a message that failed or warned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProcessingResult {
    /// The `MessageID` of the feed message (0 for a document-level error).
    pub message_id: u64,
    /// Error or warning.
    pub result_code: ResultCode,
    /// Amazon's numeric message code (13013, 18021, 6001, ...).
    pub result_message_code: u64,
    /// Human-readable description.
    pub result_description: String,
    /// What the message was about.
    pub additional_info: Option<AdditionalInfo>,
}

/// The processing report of a feed (the body of `GetFeedSubmissionResult`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProcessingReport {
    /// The feed submission id it reports on.
    pub document_transaction_id: String,
    /// Complete, Processing or Rejected (the docs example omits it).
    pub status_code: Option<ReportStatus>,
    /// Counts.
    pub summary: Option<ProcessingSummary>,
    /// Per-message results (errors and warnings only).
    pub results: Vec<ProcessingResult>,
}

impl ProcessingReport {
    pub(crate) fn read(node: Node<'_>) -> Result<Self, XmlError> {
        let count = |s: Node<'_>, name: &str| -> Result<u64, XmlError> {
            Ok(s.child_opt(name, xml::parse_u64)?.unwrap_or(0))
        };
        let summary = match node.child("ProcessingSummary") {
            Some(s) => Some(ProcessingSummary {
                messages_processed: count(s, "MessagesProcessed")?,
                messages_successful: count(s, "MessagesSuccessful")?,
                messages_with_error: count(s, "MessagesWithError")?,
                messages_with_warning: count(s, "MessagesWithWarning")?,
            }),
            None => None,
        };
        let results = node
            .children_named("Result")
            .map(|r| {
                Ok(ProcessingResult {
                    message_id: r.child_opt("MessageID", xml::parse_u64)?.unwrap_or(0),
                    result_code: r.req_str("ResultCode")?.as_str().into(),
                    result_message_code: r
                        .child_opt("ResultMessageCode", xml::parse_u64)?
                        .unwrap_or(0),
                    result_description: r.opt_str("ResultDescription").unwrap_or_default(),
                    additional_info: r.child("AdditionalInfo").map(|a| AdditionalInfo {
                        sku: a.opt_str("SKU"),
                        fulfillment_center_id: a.opt_str("FulfillmentCenterID"),
                        amazon_order_id: a.opt_str("AmazonOrderID"),
                        amazon_order_item_code: a.opt_str("AmazonOrderItemCode"),
                        marketplace: a.opt_str("Marketplace"),
                    }),
                })
            })
            .collect::<Result<_, XmlError>>()?;
        Ok(Self {
            document_transaction_id: node.opt_str("DocumentTransactionID").unwrap_or_default(),
            status_code: node.opt_str("StatusCode").map(|s| s.as_str().into()),
            summary,
            results,
        })
    }

    /// Reads a processing report: an `AmazonEnvelope` with `MessageType` ProcessingReport,
    /// as `GetFeedSubmissionResult` returns it.
    ///
    /// A bare `ProcessingReport` root is accepted too, and so is an envelope whose
    /// processing report is not in its first message.
    pub fn from_xml(xml: &str) -> Result<Self, XmlError> {
        let doc = Doc::parse(xml)?;
        let root = doc.root();
        match root.name() {
            "ProcessingReport" => Self::read(root),
            "AmazonEnvelope" => {
                let report = root
                    .children_named("Message")
                    .find_map(|m| m.child("ProcessingReport"));
                match report {
                    Some(r) => Self::read(r),
                    None => Err(XmlError::new(
                        "AmazonEnvelope/Message/ProcessingReport",
                        "required element is missing",
                    )),
                }
            }
            _ => {
                Err(root
                    .error("unexpected root element, expected AmazonEnvelope or ProcessingReport"))
            }
        }
    }

    /// Reads a processing report from its bytes: UTF-8 (with or without a byte order
    /// mark), or ISO-8859-1 when the bytes are not UTF-8 (older reports declare it).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, XmlError> {
        Self::from_xml(&xml::decode_bytes(bytes))
    }

    /// Whether every message was processed without error.
    pub fn is_success(&self) -> bool {
        self.status_code == Some(ReportStatus::Complete)
            && self.summary.is_some_and(|s| s.messages_with_error == 0)
            && !self
                .results
                .iter()
                .any(|r| r.result_code == ResultCode::Error)
    }

    /// What became of message `message_id` of the feed: its errors and warnings, and
    /// results that concern the whole document (`MessageID` 0). A message with no error
    /// of its own or of the document, in a complete report that counted it, was accepted.
    pub fn outcome(&self, message_id: u64) -> MessageOutcome<'_> {
        let results: Vec<&ProcessingResult> = self
            .results
            .iter()
            .filter(|r| r.message_id == message_id || r.message_id == 0)
            .collect();
        let failed = results.iter().any(|r| r.result_code == ResultCode::Error)
            || self.status_code == Some(ReportStatus::Rejected);
        let state = if failed {
            OutcomeState::Failed
        } else if self.status_code == Some(ReportStatus::Processing) {
            OutcomeState::Pending
        } else if self
            .summary
            .is_some_and(|s| s.messages_processed > 0 && s.messages_processed < message_id)
        {
            OutcomeState::NotProcessed
        } else {
            OutcomeState::Accepted
        };
        MessageOutcome { state, results }
    }

    /// The results for one feed message.
    pub fn results_for(&self, message_id: u64) -> impl Iterator<Item = &ProcessingResult> {
        self.results
            .iter()
            .filter(move |r| r.message_id == message_id)
    }
}

/// What a processing report says about one message (see [`ProcessingReport::outcome`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageOutcome<'r> {
    /// The verdict.
    pub state: OutcomeState,
    /// Results of the message and of the whole document (errors and warnings).
    pub results: Vec<&'r ProcessingResult>,
}

/// The verdict on one message of a feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutcomeState {
    /// Processed without error (warnings may be present).
    Accepted,
    /// An error for the message or the document, or the document was rejected.
    Failed,
    /// The report is still `Processing`.
    Pending,
    /// The summary counts fewer messages than this id: it was not processed.
    NotProcessed,
}
