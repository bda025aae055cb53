//! The engine's sync state in SQL: cursors, the id map, parked orders, the outbox and
//! run reports. Every multi-statement change runs in one `BEGIN IMMEDIATE` transaction.

use std::collections::HashMap;

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};
use time::OffsetDateTime;

use order_mapping::vocab::{FulfillmentChannel, OrderStatus};
use order_sync_core::error::StateError;
use order_sync_core::ids::{AccountId, AmazonOrderId, HostOrderId, MarketplaceId};
use order_sync_core::report::{RunCounts, RunReport};
use order_sync_core::state::{Cursor, IdMapEntry, ImportCommit, JobKind, ParkedOrder};

use super::codec::{
    DbError, DbResult, enum_str, int, json, limit, parse_enum, parse_json, parse_ts, parse_ts_opt,
    parse_u32, ts, ts_opt,
};
use super::{IMMEDIATE, SqliteStore};

/// Why a commit failed: a conflict (nothing applied) or the database.
enum CommitError {
    Conflict {
        expected: Option<OffsetDateTime>,
        found: Option<OffsetDateTime>,
    },
    Db(DbError),
}

impl From<DbError> for CommitError {
    fn from(e: DbError) -> Self {
        CommitError::Db(e)
    }
}

impl From<sqlx::Error> for CommitError {
    fn from(e: sqlx::Error) -> Self {
        CommitError::Db(e.into())
    }
}

impl From<CommitError> for StateError {
    fn from(e: CommitError) -> Self {
        match e {
            CommitError::Conflict { expected, found } => {
                StateError::CursorConflict { expected, found }
            }
            CommitError::Db(e) => e.into(),
        }
    }
}

fn job_of(s: String) -> DbResult<JobKind> {
    JobKind::parse(&s).ok_or_else(|| DbError::Corrupt(format!("job: unknown value {s:?}")))
}

pub(crate) async fn cursor(
    pool: &SqlitePool,
    account: &AccountId,
    job: JobKind,
) -> DbResult<Option<Cursor>> {
    let row =
        sqlx::query("SELECT position, updated_at FROM sync_cursors WHERE account = ? AND job = ?")
            .bind(account.as_str())
            .bind(job.as_str())
            .fetch_optional(pool)
            .await?;
    row.map(|r| {
        Ok(Cursor {
            position: parse_ts(&r.try_get::<String, _>("position")?, "position")?,
            updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?, "updated_at")?,
        })
    })
    .transpose()
}

/// Applies an import step in one transaction: the cursor compare-and-set first (so a
/// conflict costs nothing), then the id map, resolved and parked orders.
pub(crate) async fn commit_import(
    store: &SqliteStore,
    account: &AccountId,
    commit: &ImportCommit,
) -> Result<(), StateError> {
    let mut tx = store
        .pool
        .begin_with(IMMEDIATE)
        .await
        .map_err(DbError::from)?;
    apply_commit(&mut tx, account, commit).await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}

async fn apply_commit(
    conn: &mut SqliteConnection,
    account: &AccountId,
    commit: &ImportCommit,
) -> Result<(), CommitError> {
    if let Some((job, advance)) = &commit.cursor {
        let position = ts(advance.new.position)?;
        let updated_at = ts(advance.new.updated_at)?;
        let moved = match advance.expected {
            None => sqlx::query(
                "INSERT INTO sync_cursors (account, job, position, updated_at) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (account, job) DO NOTHING",
            )
            .bind(account.as_str())
            .bind(job.as_str())
            .bind(position)
            .bind(updated_at)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
            Some(expected) => sqlx::query(
                "UPDATE sync_cursors SET position = ?, updated_at = ? \
                 WHERE account = ? AND job = ? AND position = ?",
            )
            .bind(position)
            .bind(updated_at)
            .bind(account.as_str())
            .bind(job.as_str())
            .bind(ts(expected)?)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
        };
        if moved != 1 {
            let found: Option<String> = sqlx::query_scalar(
                "SELECT position FROM sync_cursors WHERE account = ? AND job = ?",
            )
            .bind(account.as_str())
            .bind(job.as_str())
            .fetch_optional(&mut *conn)
            .await?;
            return Err(CommitError::Conflict {
                expected: advance.expected,
                found: parse_ts_opt(found, "position")?,
            });
        }
    }
    put_entries(conn, account, &commit.entries).await?;
    for id in &commit.resolved {
        sqlx::query("DELETE FROM sync_parked WHERE account = ? AND amazon_order_id = ?")
            .bind(account.as_str())
            .bind(id.as_str())
            .execute(&mut *conn)
            .await?;
    }
    for p in &commit.parked {
        sqlx::query(
            "INSERT INTO sync_parked (account, amazon_order_id, kind, reason, attempts, \
             first_parked_at, last_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (account, amazon_order_id) DO UPDATE SET kind = excluded.kind, \
             reason = excluded.reason, attempts = excluded.attempts, \
             first_parked_at = excluded.first_parked_at, \
             last_attempt_at = excluded.last_attempt_at",
        )
        .bind(account.as_str())
        .bind(p.amazon_order_id.as_str())
        .bind(enum_str(&p.kind)?)
        .bind(&p.reason)
        .bind(int(p.attempts))
        .bind(ts(p.first_parked_at)?)
        .bind(ts(p.last_attempt_at)?)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Newer wins (an equal version replaces), in the SQL itself; ids and a recorded
/// redaction are kept when the new entry lacks them.
///
/// Entries go in statements of up to 250 rows (passed as one JSON array: the statement
/// text never changes); a statement never holds the same order twice, so the rows of
/// one order apply in the given order, as separate statements would.
async fn put_entries(
    conn: &mut SqliteConnection,
    account: &AccountId,
    entries: &[IdMapEntry],
) -> DbResult<()> {
    const MAX_ROWS: usize = 250;
    let mut start = 0;
    while start < entries.len() {
        let mut seen = std::collections::HashSet::new();
        let mut end = start;
        while end < entries.len()
            && end - start < MAX_ROWS
            && seen.insert(entries[end].amazon_order_id.as_str())
        {
            end += 1;
        }
        put_entry_rows(conn, account, &entries[start..end]).await?;
        start = end;
    }
    Ok(())
}

async fn put_entry_rows(
    conn: &mut SqliteConnection,
    account: &AccountId,
    rows: &[IdMapEntry],
) -> DbResult<()> {
    let mut values = Vec::with_capacity(rows.len());
    for e in rows {
        values.push(serde_json::json!([
            e.amazon_order_id.as_str(),
            e.host_order_id.as_ref().map(|h| h.as_str()),
            e.warehouse_id.as_ref().map(|h| h.as_str()),
            e.marketplace.as_str(),
            e.channel.as_str(),
            e.status.as_str(),
            ts(e.last_updated_at)?,
            ts(e.imported_at)?,
            ts_opt(e.pii_expires_at)?,
            ts_opt(e.redacted_at)?,
            json(&e.cancel_requested)?,
        ]));
    }
    // `WHERE true` keeps SQLite from reading `ON CONFLICT` as a join constraint.
    sqlx::query(
        "INSERT INTO sync_id_map (account, amazon_order_id, host_order_id, warehouse_id, \
         marketplace, channel, status, last_updated_at, imported_at, pii_expires_at, redacted_at, \
         cancel_requested) \
         SELECT ?, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, \
         j.value ->> 5, j.value ->> 6, j.value ->> 7, j.value ->> 8, j.value ->> 9, j.value ->> 10 \
         FROM json_each(?) AS j WHERE true \
         ON CONFLICT (account, amazon_order_id) DO UPDATE SET \
         host_order_id = COALESCE(excluded.host_order_id, sync_id_map.host_order_id), \
         warehouse_id = COALESCE(excluded.warehouse_id, sync_id_map.warehouse_id), \
         marketplace = excluded.marketplace, channel = excluded.channel, \
         status = excluded.status, last_updated_at = excluded.last_updated_at, \
         imported_at = excluded.imported_at, pii_expires_at = excluded.pii_expires_at, \
         cancel_requested = excluded.cancel_requested, \
         redacted_at = COALESCE(excluded.redacted_at, sync_id_map.redacted_at) \
         WHERE excluded.last_updated_at >= sync_id_map.last_updated_at",
    )
    .bind(account.as_str())
    .bind(json(&values)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn decode_entry(r: &SqliteRow) -> DbResult<IdMapEntry> {
    Ok(IdMapEntry {
        amazon_order_id: AmazonOrderId::new(r.try_get::<String, _>("amazon_order_id")?),
        host_order_id: r
            .try_get::<Option<String>, _>("host_order_id")?
            .map(HostOrderId::new),
        warehouse_id: r
            .try_get::<Option<String>, _>("warehouse_id")?
            .map(HostOrderId::new),
        marketplace: MarketplaceId::new(r.try_get::<String, _>("marketplace")?),
        channel: FulfillmentChannel::from(r.try_get::<String, _>("channel")?),
        status: OrderStatus::from(r.try_get::<String, _>("status")?),
        last_updated_at: parse_ts(
            &r.try_get::<String, _>("last_updated_at")?,
            "last_updated_at",
        )?,
        imported_at: parse_ts(&r.try_get::<String, _>("imported_at")?, "imported_at")?,
        pii_expires_at: parse_ts_opt(r.try_get("pii_expires_at")?, "pii_expires_at")?,
        redacted_at: parse_ts_opt(r.try_get("redacted_at")?, "redacted_at")?,
        cancel_requested: parse_json(
            &r.try_get::<String, _>("cancel_requested")?,
            "cancel_requested",
        )?,
    })
}

pub(crate) async fn id_map_get(
    pool: &SqlitePool,
    account: &AccountId,
    id: &AmazonOrderId,
) -> DbResult<Option<IdMapEntry>> {
    sqlx::query("SELECT * FROM sync_id_map WHERE account = ? AND amazon_order_id = ?")
        .bind(account.as_str())
        .bind(id.as_str())
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(decode_entry)
        .transpose()
}

/// One query whatever the number of ids (they are passed as one JSON array, so the
/// statement text never changes and stays prepared).
pub(crate) async fn id_map_get_many(
    pool: &SqlitePool,
    account: &AccountId,
    ids: &[AmazonOrderId],
) -> DbResult<HashMap<AmazonOrderId, IdMapEntry>> {
    let mut out = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(out);
    }
    let ids: Vec<&str> = ids.iter().map(AmazonOrderId::as_str).collect();
    let rows = sqlx::query(
        "SELECT * FROM sync_id_map WHERE account = ? \
         AND amazon_order_id IN (SELECT value FROM json_each(?))",
    )
    .bind(account.as_str())
    .bind(json(&ids)?)
    .fetch_all(pool)
    .await?;
    for row in rows {
        let e = decode_entry(&row)?;
        out.insert(e.amazon_order_id.clone(), e);
    }
    Ok(out)
}

pub(crate) async fn parked(pool: &SqlitePool, account: &AccountId) -> DbResult<Vec<ParkedOrder>> {
    let rows = sqlx::query(
        "SELECT * FROM sync_parked WHERE account = ? ORDER BY first_parked_at, amazon_order_id",
    )
    .bind(account.as_str())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ParkedOrder {
                amazon_order_id: AmazonOrderId::new(r.try_get::<String, _>("amazon_order_id")?),
                kind: parse_enum(r.try_get("kind")?, "kind")?,
                reason: r.try_get("reason")?,
                attempts: parse_u32(r.try_get("attempts")?, "attempts")?,
                first_parked_at: parse_ts(
                    &r.try_get::<String, _>("first_parked_at")?,
                    "first_parked_at",
                )?,
                last_attempt_at: parse_ts(
                    &r.try_get::<String, _>("last_attempt_at")?,
                    "last_attempt_at",
                )?,
            })
        })
        .collect()
}

/// Id map entries with an open buyer cancellation request.
pub(crate) async fn cancel_requests(
    pool: &SqlitePool,
    account: &AccountId,
    max: usize,
) -> DbResult<Vec<IdMapEntry>> {
    let rows = sqlx::query(
        "SELECT * FROM sync_id_map WHERE account = ? AND cancel_requested <> '[]' \
         ORDER BY amazon_order_id LIMIT ?",
    )
    .bind(account.as_str())
    .bind(limit(max))
    .fetch_all(pool)
    .await?;
    rows.iter().map(decode_entry).collect()
}

pub(crate) async fn due_for_redaction(
    pool: &SqlitePool,
    account: &AccountId,
    now: OffsetDateTime,
    max: usize,
) -> DbResult<Vec<IdMapEntry>> {
    let rows = sqlx::query(
        "SELECT * FROM sync_id_map WHERE account = ? AND redacted_at IS NULL \
         AND pii_expires_at IS NOT NULL AND pii_expires_at <= ? \
         ORDER BY pii_expires_at, amazon_order_id LIMIT ?",
    )
    .bind(account.as_str())
    .bind(ts(now)?)
    .bind(limit(max))
    .fetch_all(pool)
    .await?;
    rows.iter().map(decode_entry).collect()
}

pub(crate) async fn mark_redacted(
    pool: &SqlitePool,
    account: &AccountId,
    id: &AmazonOrderId,
    marker: &str,
    at: OffsetDateTime,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE sync_id_map SET redacted_at = ?, redaction_marker = ? \
         WHERE account = ? AND amazon_order_id = ?",
    )
    .bind(ts(at)?)
    .bind(marker)
    .bind(account.as_str())
    .bind(id.as_str())
    .execute(pool)
    .await?;
    Ok(())
}

pub(crate) async fn redaction_marker(
    pool: &SqlitePool,
    account: &AccountId,
    id: &AmazonOrderId,
) -> DbResult<Option<String>> {
    Ok(sqlx::query_scalar::<_, Option<String>>(
        "SELECT redaction_marker FROM sync_id_map WHERE account = ? AND amazon_order_id = ?",
    )
    .bind(account.as_str())
    .bind(id.as_str())
    .fetch_optional(pool)
    .await?
    .flatten())
}

pub(crate) async fn record_run(pool: &SqlitePool, r: &RunReport) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO sync_runs (account, job, started_at, finished_at, outcome, counts, errors, \
         cancel_requests) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(r.account.as_str())
    .bind(r.job.as_str())
    .bind(ts(r.started_at)?)
    .bind(ts(r.finished_at)?)
    .bind(enum_str(&r.outcome)?)
    .bind(json(&r.counts)?)
    .bind(json(&r.errors)?)
    .bind(json(&r.cancel_requests)?)
    .execute(pool)
    .await?;
    Ok(())
}

/// Counts stored by an older version lack the fields added since: they read as zero.
fn decode_counts(s: &str) -> DbResult<RunCounts> {
    let stored: serde_json::Value = parse_json(s, "counts")?;
    let mut base = serde_json::to_value(RunCounts::default())
        .map_err(|e| DbError::Corrupt(format!("counts: {e}")))?;
    if let (Some(base), serde_json::Value::Object(stored)) = (base.as_object_mut(), stored) {
        for (k, v) in stored {
            if base.contains_key(&k) {
                base.insert(k, v);
            }
        }
    }
    serde_json::from_value(base).map_err(|e| DbError::Corrupt(format!("counts: {e}")))
}

pub(crate) async fn recent_runs(
    pool: &SqlitePool,
    account: &AccountId,
    job: Option<JobKind>,
    max: usize,
) -> DbResult<Vec<RunReport>> {
    let rows = sqlx::query(
        "SELECT * FROM sync_runs WHERE account = ? AND (? IS NULL OR job = ?) \
         ORDER BY started_at DESC, id DESC LIMIT ?",
    )
    .bind(account.as_str())
    .bind(job.map(JobKind::as_str))
    .bind(job.map(JobKind::as_str))
    .bind(limit(max))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RunReport {
                account: AccountId::new(r.try_get::<String, _>("account")?),
                job: job_of(r.try_get("job")?)?,
                started_at: parse_ts(&r.try_get::<String, _>("started_at")?, "started_at")?,
                finished_at: parse_ts(&r.try_get::<String, _>("finished_at")?, "finished_at")?,
                outcome: parse_enum(r.try_get("outcome")?, "outcome")?,
                counts: decode_counts(&r.try_get::<String, _>("counts")?)?,
                errors: parse_json(&r.try_get::<String, _>("errors")?, "errors")?,
                cancel_requests: parse_json(
                    &r.try_get::<String, _>("cancel_requests")?,
                    "cancel_requests",
                )?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_an_older_version_read_as_zero() {
        let c = decode_counts(r#"{"fetched": 3, "retired_field": 9}"#).unwrap();
        assert_eq!(c.fetched, 3);
        assert_eq!(c.created, 0);
    }
}
