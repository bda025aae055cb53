//! Errors: a document that breaks a schema rule ([`BuildError`], naming the field and the
//! rule), and a document that cannot be read ([`XmlError`], [`ReportError`]).

use std::fmt;

/// A schema rule that a document to be written breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// The element or field is required (`minOccurs="1"`, JSON `required`).
    Required,
    /// The value must not be empty or blank.
    NotEmpty,
    /// At least this many occurrences are required.
    MinOccurs(usize),
    /// At most this many occurrences are allowed.
    MaxOccurs(usize),
    /// The number must be greater than zero.
    Positive,
    /// The number must lie in this inclusive range.
    Range {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// A decimal amount carries more fraction digits than allowed; it is refused, never
    /// rounded.
    FractionDigits {
        /// Digits allowed after the decimal point.
        max: u32,
        /// Significant digits found.
        found: u32,
    },
    /// A decimal amount has more significant digits than allowed.
    TotalDigits(u32),
    /// The value is not one of the schema's enumeration.
    Enumeration {
        /// The value given.
        value: String,
    },
    /// The value does not have the required shape.
    Pattern(&'static str),
    /// The value must be unique in the document.
    Unique,
    /// The text contains a character that XML 1.0 cannot carry.
    XmlCharacter(char),
    /// Two fields contradict each other, or a field is not allowed here.
    Conflict(String),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Required => f.write_str("is required"),
            Rule::NotEmpty => f.write_str("must not be empty"),
            Rule::MinOccurs(n) => write!(f, "needs at least {n} occurrence(s)"),
            Rule::MaxOccurs(n) => write!(f, "allows at most {n} occurrence(s)"),
            Rule::Positive => f.write_str("must be greater than zero"),
            Rule::Range { min, max } => write!(f, "must be between {min} and {max}"),
            Rule::FractionDigits { max, found } => write!(
                f,
                "has {found} decimal places where at most {max} are allowed (amounts are not rounded)"
            ),
            Rule::TotalDigits(n) => write!(f, "has more than {n} digits"),
            Rule::Enumeration { value } => {
                write!(
                    f,
                    "{value:?} is not a value the schema's enumeration allows"
                )
            }
            Rule::Pattern(what) => write!(f, "must be {what}"),
            Rule::Unique => f.write_str("must be unique in the document"),
            Rule::XmlCharacter(c) => write!(
                f,
                "contains U+{:04X}, which XML 1.0 cannot carry",
                u32::from(*c)
            ),
            Rule::Conflict(why) => f.write_str(why),
        }
    }
}

/// A document that breaks a rule of its schema, found before anything is written.
///
/// `field` is the path of the offending field, e.g.
/// `Message[1]/OrderAdjustment/AdjustedItem[1]/ItemPriceAdjustments/Component[2]/Amount` for
/// XML feeds or `messages[0].patches[0].value` for JSON listings feeds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {rule}")]
#[non_exhaustive]
pub struct BuildError {
    /// Path of the field at fault.
    pub field: String,
    /// The rule it breaks.
    pub rule: Rule,
}

impl BuildError {
    /// An error at `field` for `rule`.
    pub fn new(field: impl Into<String>, rule: Rule) -> Self {
        Self {
            field: field.into(),
            rule,
        }
    }
}

/// An XML document that could not be read, with the path of the element at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read XML at {path}: {message}")]
#[non_exhaustive]
pub struct XmlError {
    /// Element path such as `AmazonEnvelope/Message[2]/OrderFulfillment/FulfillmentDate`.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

impl XmlError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// A report (flat file, JSON) that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// Reading the underlying source failed.
    #[error("I/O error reading the report: {0}")]
    Io(#[from] std::io::Error),
    /// A line or cell is not valid in the document's charset or type.
    #[error("line {line}{}: {message}", column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default())]
    Invalid {
        /// 1-based line number (the header is line 1).
        line: u64,
        /// The column name (or 1-based position when the header has no name for it).
        column: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A JSON document does not match its schema; `path` is the JSON path.
    #[error("cannot read JSON at {path}: {message}")]
    Json {
        /// JSON path of the value at fault (`issues[3].messageId`).
        path: String,
        /// What is wrong there.
        message: String,
    },
    /// An XML report could not be read; the error names the element path.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// The charset the document declares is not one this crate decodes.
    #[error("unsupported charset {0:?}")]
    UnsupportedCharset(String),
}
