//! The processing report of a `JSON_LISTINGS_FEED` (schema v2.0): issues per `messageId`,
//! tied back to the SKU of the feed message, read tolerantly (unknown fields ignored, an
//! unknown severity kept, issues without a message id treated as feed-level).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::enums::string_enum;
use crate::error::ReportError;
use crate::listings::ListingsFeed;

string_enum! {
    /// How bad an issue is.
    pub enum Severity {
        Error => "ERROR",
        Warning => "WARNING",
        Info => "INFO",
    }
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Severity::from(s.as_str()))
    }
}

/// `header` of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct ReportHeader {
    /// The seller.
    pub seller_id: String,
    /// Schema version (`2.0`).
    pub version: String,
    /// The feed id.
    pub feed_id: String,
}

/// One issue of the report.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListingsIssue {
    /// The message it concerns; `None` for a feed-level issue (formatting, header).
    #[serde(default)]
    pub message_id: Option<u32>,
    /// The SKU, when Amazon gives it.
    #[serde(default)]
    pub sku: Option<String>,
    /// Amazon's issue code (`90220`, `4002001`, ...).
    #[serde(default)]
    pub code: Option<String>,
    /// Severity.
    pub severity: Severity,
    /// Localized message.
    #[serde(default)]
    pub message: String,
    /// The attribute concerned, when given.
    #[serde(default)]
    pub attribute_name: Option<String>,
}

/// `summary` counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct ListingsSummary {
    /// Errors found.
    pub errors: u64,
    /// Warnings found.
    pub warnings: u64,
    /// Messages processed.
    pub messages_processed: u64,
    /// Messages accepted (queued for processing; not proof that they applied).
    pub messages_accepted: u64,
    /// Messages refused.
    pub messages_invalid: u64,
}

/// The processing report of a `JSON_LISTINGS_FEED`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListingsReport {
    /// Header.
    #[serde(default)]
    pub header: ReportHeader,
    /// Issues, in report order.
    #[serde(default)]
    pub issues: Vec<ListingsIssue>,
    /// Counts.
    #[serde(default)]
    pub summary: Option<ListingsSummary>,
    /// Listing items as the Listings Items API returns them, when `includedData` was
    /// requested (kept as JSON).
    #[serde(default)]
    pub items: Vec<serde_json::Value>,
}

/// The verdict on one message of a listings feed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListingsOutcome<'r> {
    /// The message id.
    pub message_id: u32,
    /// The SKU the feed sent in that message.
    pub sku: String,
    /// `true` when no error concerns the message (accepted; not yet proof it applied).
    pub accepted: bool,
    /// Issues of this message, and feed-level issues.
    pub issues: Vec<&'r ListingsIssue>,
}

impl ListingsReport {
    /// Reads a report; decode errors carry the JSON path.
    pub fn from_json(text: &str) -> Result<Self, ReportError> {
        Self::from_slice(text.as_bytes())
    }

    /// Reads a report from bytes (UTF-8, with or without a byte order mark).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, ReportError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut de = serde_json::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(&mut de).map_err(|e| ReportError::Json {
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })
    }

    /// Issues that concern message `message_id`, plus feed-level ones.
    pub fn issues_for(&self, message_id: u32) -> impl Iterator<Item = &ListingsIssue> {
        self.issues
            .iter()
            .filter(move |i| i.message_id.is_none_or(|id| id == message_id))
    }

    /// Whether the whole feed failed: an error that names no message.
    pub fn has_feed_level_error(&self) -> bool {
        self.issues
            .iter()
            .any(|i| i.message_id.is_none() && i.severity == Severity::Error)
    }

    /// Ties each message of `feed` to its outcome, by message id. An issue that names a
    /// SKU other than the message's is kept with the message (Amazon's `sku` field is
    /// sometimes empty); issues for ids the feed does not have are in
    /// [`Self::unmatched_issues`].
    pub fn outcomes<'r>(&'r self, feed: &ListingsFeed) -> Vec<ListingsOutcome<'r>> {
        let mut by_id: BTreeMap<u32, Vec<&ListingsIssue>> = BTreeMap::new();
        for issue in &self.issues {
            match issue.message_id {
                Some(id) => by_id.entry(id).or_default().push(issue),
                None => {
                    for m in &feed.messages {
                        by_id.entry(m.message_id).or_default().push(issue);
                    }
                }
            }
        }
        feed.messages
            .iter()
            .map(|m| {
                let issues = by_id.remove(&m.message_id).unwrap_or_default();
                ListingsOutcome {
                    message_id: m.message_id,
                    sku: m.sku.clone(),
                    accepted: !issues.iter().any(|i| i.severity == Severity::Error),
                    issues,
                }
            })
            .collect()
    }

    /// Issues whose message id is not in `feed`.
    pub fn unmatched_issues<'r>(
        &'r self,
        feed: &ListingsFeed,
    ) -> impl Iterator<Item = &'r ListingsIssue> {
        let ids: Vec<u32> = feed.messages.iter().map(|m| m.message_id).collect();
        self.issues
            .iter()
            .filter(move |i| i.message_id.is_some_and(|id| !ids.contains(&id)))
    }

    /// Errors by SKU: the SKU of the feed message each error names (or the issue's own SKU
    /// when the feed has no such message).
    pub fn errors_by_sku<'r>(
        &'r self,
        feed: &ListingsFeed,
    ) -> BTreeMap<String, Vec<&'r ListingsIssue>> {
        let skus = feed.skus_by_message();
        let mut out: BTreeMap<String, Vec<&ListingsIssue>> = BTreeMap::new();
        for issue in self.issues.iter().filter(|i| i.severity == Severity::Error) {
            let sku = issue
                .message_id
                .and_then(|id| skus.get(&id).map(|s| (*s).to_owned()))
                .or_else(|| issue.sku.clone().filter(|s| !s.is_empty()));
            if let Some(sku) = sku {
                out.entry(sku).or_default().push(issue);
            }
        }
        out
    }
}
