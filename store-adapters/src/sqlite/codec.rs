//! Conversions between the domain model and SQL values, and the adapter's internal error.
//!
//! Times are RFC 3339 UTC text with nine fractional digits (fixed width, so text order is
//! time order); money is an exact decimal text plus a currency code; enums are their
//! stable spelling.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Arguments;
use sqlx::sqlite::SqliteArguments;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use order_sync_core::error::{StateError, StoreError};
use order_sync_core::money::Money;

/// An error inside the adapter, converted to the trait's error at the boundary.
///
/// Messages never carry PII: they name columns and fields, never values of PII fields.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DbError {
    /// The database failed (I/O, busy beyond the timeout, constraint, ...).
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    /// A stored value could not be decoded (the file was changed outside the adapter).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The value given cannot be stored (e.g. a time outside years 0000-9999).
    #[error("value cannot be stored: {0}")]
    Invalid(String),
    /// The caller referred to something the store does not hold.
    #[error("not found: {0}")]
    NotFound(String),
}

impl DbError {
    /// Whether the database refused the data itself (a constraint), rather than failing.
    fn is_constraint(&self) -> bool {
        use sqlx::error::ErrorKind as K;
        match self {
            DbError::Sql(sqlx::Error::Database(e)) => matches!(
                e.kind(),
                K::UniqueViolation
                    | K::ForeignKeyViolation
                    | K::NotNullViolation
                    | K::CheckViolation
            ),
            _ => false,
        }
    }
}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        if e.is_constraint() {
            return StoreError::Rejected {
                reason: e.to_string(),
            };
        }
        match e {
            DbError::Invalid(reason) => StoreError::Rejected { reason },
            DbError::NotFound(what) => StoreError::NotFound { what },
            other => StoreError::Unavailable(Box::new(other)),
        }
    }
}

impl From<DbError> for StateError {
    fn from(e: DbError) -> Self {
        StateError::Backend(Box::new(e))
    }
}

pub(crate) type DbResult<T> = Result<T, DbError>;

const TS_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z"
);

/// A time as stored: RFC 3339, UTC, nine fractional digits.
pub(crate) fn ts(t: OffsetDateTime) -> DbResult<String> {
    let utc = t.to_offset(time::UtcOffset::UTC);
    if !(0..=9999).contains(&utc.year()) {
        return Err(DbError::Invalid(format!(
            "time {} is outside the years 0000-9999",
            utc.year()
        )));
    }
    utc.format(TS_FORMAT)
        .map_err(|e| DbError::Invalid(format!("time cannot be formatted: {e}")))
}

/// An optional time as stored.
pub(crate) fn ts_opt(t: Option<OffsetDateTime>) -> DbResult<Option<String>> {
    t.map(ts).transpose()
}

/// A stored time back.
pub(crate) fn parse_ts(s: &str, column: &str) -> DbResult<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map(|t| t.to_offset(time::UtcOffset::UTC))
        .map_err(|e| DbError::Corrupt(format!("{column}: not an RFC 3339 time: {e}")))
}

/// A stored optional time back.
pub(crate) fn parse_ts_opt(s: Option<String>, column: &str) -> DbResult<Option<OffsetDateTime>> {
    s.as_deref().map(|s| parse_ts(s, column)).transpose()
}

/// Money as its two columns (amount, currency).
pub(crate) fn money(m: Option<&Money>) -> (Option<String>, Option<String>) {
    match m {
        Some(m) => (Some(m.amount.to_string()), Some(m.currency.clone())),
        None => (None, None),
    }
}

/// Money back from its two columns.
pub(crate) fn parse_money(
    amount: Option<String>,
    currency: Option<String>,
    column: &str,
) -> DbResult<Option<Money>> {
    match (amount, currency) {
        (None, None) => Ok(None),
        (Some(a), Some(c)) => {
            let amount = Decimal::from_str(&a)
                .map_err(|e| DbError::Corrupt(format!("{column}_amount: not a decimal: {e}")))?;
            Ok(Some(Money::new(amount, c)))
        }
        _ => Err(DbError::Corrupt(format!(
            "{column}: amount and currency must both be set or both be NULL"
        ))),
    }
}

/// A unit enum variant as its serde name (e.g. `Completed`).
pub(crate) fn enum_str<T: Serialize>(v: &T) -> DbResult<String> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(DbError::Invalid("enum value has no plain name".to_owned())),
    }
}

/// A unit enum variant back from its serde name.
pub(crate) fn parse_enum<T: DeserializeOwned>(s: String, column: &str) -> DbResult<T> {
    serde_json::from_value(serde_json::Value::String(s))
        .map_err(|e| DbError::Corrupt(format!("{column}: unknown value: {e}")))
}

/// A value as JSON text.
pub(crate) fn json<T: Serialize + ?Sized>(v: &T) -> DbResult<String> {
    serde_json::to_string(v).map_err(|e| DbError::Invalid(format!("cannot encode as JSON: {e}")))
}

/// A value back from JSON text.
pub(crate) fn parse_json<T: DeserializeOwned>(s: &str, column: &str) -> DbResult<T> {
    serde_json::from_str(s).map_err(|e| DbError::Corrupt(format!("{column}: bad JSON: {e}")))
}

/// A count or quantity as an SQL integer.
pub(crate) fn int(n: u32) -> i64 {
    i64::from(n)
}

/// An SQL integer back as a count or quantity.
pub(crate) fn parse_u32(n: i64, column: &str) -> DbResult<u32> {
    u32::try_from(n).map_err(|_| DbError::Corrupt(format!("{column}: {n} is out of range")))
}

/// A `LIMIT` value (SQLite and PostgreSQL take a signed 64-bit integer).
pub(crate) fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// One bound parameter, so that column lists and their values can be built as data.
#[derive(Clone)]
pub(crate) enum Param {
    /// A text value or NULL.
    Text(Option<String>),
    /// An integer value or NULL.
    Int(Option<i64>),
}

impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(Some(v))
    }
}

impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(Some(v.to_owned()))
    }
}

impl From<Option<String>> for Param {
    fn from(v: Option<String>) -> Self {
        Param::Text(v)
    }
}

impl From<Option<&str>> for Param {
    fn from(v: Option<&str>) -> Self {
        Param::Text(v.map(str::to_owned))
    }
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(Some(v))
    }
}

impl From<bool> for Param {
    fn from(v: bool) -> Self {
        Param::Int(Some(i64::from(v)))
    }
}

/// Binds `params` in order to SQLite arguments.
pub(crate) fn arguments(params: Vec<Param>) -> DbResult<SqliteArguments<'static>> {
    let mut args = SqliteArguments::default();
    for p in params {
        let r = match p {
            Param::Text(v) => args.add(v),
            Param::Int(v) => args.add(v),
        };
        r.map_err(|e| DbError::Invalid(format!("cannot bind a parameter: {e}")))?;
    }
    Ok(args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_are_fixed_width_utc_and_round_trip() {
        let t = datetime!(2026-06-01 14:00:00.5 +02:00);
        let s = ts(t).unwrap();
        assert_eq!(s, "2026-06-01T12:00:00.500000000Z");
        assert_eq!(parse_ts(&s, "t").unwrap(), t);
        let early = ts(datetime!(999-01-01 0:00 UTC)).unwrap();
        assert_eq!(early, "0999-01-01T00:00:00.000000000Z");
        assert!(early < s, "text order must be time order");
    }

    #[test]
    fn negative_years_are_refused() {
        assert!(matches!(
            ts(datetime!(-0001-01-01 0:00 UTC)),
            Err(DbError::Invalid(_))
        ));
    }

    #[test]
    fn money_keeps_scale_and_currency() {
        let m = Money::new(Decimal::new(2000, 2), "EUR");
        let (a, c) = money(Some(&m));
        assert_eq!(a.as_deref(), Some("20.00"));
        let back = parse_money(a, c, "x").unwrap().unwrap();
        assert_eq!(back.amount.to_string(), "20.00");
        assert_eq!(back, m);
        assert!(parse_money(Some("1".into()), None, "x").is_err());
        assert!(parse_money(Some("abc".into()), Some("USD".into()), "x").is_err());
        assert_eq!(parse_money(None, None, "x").unwrap(), None);
    }
}
