//! The outbox and the run locks in SQL.
//!
//! Each change reads the entry inside one `BEGIN IMMEDIATE` transaction (SQLite's write
//! lock, so two processes on one file serialise here), applies the engine's pure
//! transition ([`order_sync_core::outbox::transition`]) and writes the result back: the
//! state machine has one definition, shared with every adapter.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};
use time::OffsetDateTime;

use order_sync_core::ids::{AccountId, AmazonOrderId, PackageRef};
use order_sync_core::model::{HostShipment, PackageItem};
use order_sync_core::outbox::transition;
use order_sync_core::state::{
    Claim, Finish, JobKind, Lease, Offered, Origin, OutboxEntry, OutboxKind, OutboxPayload,
    OutboxStatus, RunLock,
};

use super::codec::{DbError, DbResult, int, json, limit, parse_json, parse_ts, parse_ts_opt, ts};
use super::{IMMEDIATE, SqliteStore};

fn decode(r: &SqliteRow) -> DbResult<OutboxEntry> {
    parse_json(&r.try_get::<String, _>("entry")?, "outbox.entry")
}

async fn load(
    conn: &mut SqliteConnection,
    account: &AccountId,
    kind: OutboxKind,
    subject: &str,
) -> DbResult<Option<OutboxEntry>> {
    sqlx::query("SELECT entry FROM outbox WHERE account = ? AND kind = ? AND subject = ?")
        .bind(account.as_str())
        .bind(kind.as_str())
        .bind(subject)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(decode)
        .transpose()
}

async fn save(conn: &mut SqliteConnection, account: &AccountId, e: &OutboxEntry) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO outbox (account, kind, subject, version, status, final, reported, \
         next_attempt_at, lease_owner, lease_until, updated_at, entry) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (account, kind, subject) DO UPDATE SET \
         version = excluded.version, status = excluded.status, final = excluded.final, \
         reported = excluded.reported, next_attempt_at = excluded.next_attempt_at, \
         lease_owner = excluded.lease_owner, lease_until = excluded.lease_until, \
         updated_at = excluded.updated_at, entry = excluded.entry",
    )
    .bind(account.as_str())
    .bind(e.kind().as_str())
    .bind(e.subject())
    .bind(int(e.version))
    .bind(e.status.name())
    .bind(e.status.is_final())
    .bind(e.reported)
    .bind(ts(e.next_attempt_at)?)
    .bind(e.lease.as_ref().map(|l| l.owner.as_str()))
    .bind(e.lease.as_ref().map(|l| ts(l.expires_at)).transpose()?)
    .bind(ts(e.updated_at)?)
    .bind(json(e)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Reads the entry, applies `step` and writes what it returns, in one write transaction.
async fn change<T>(
    store: &SqliteStore,
    account: &AccountId,
    kind: OutboxKind,
    subject: &str,
    step: impl FnOnce(Option<&OutboxEntry>) -> (T, Option<OutboxEntry>),
) -> DbResult<T> {
    let mut tx = store.pool.begin_with(IMMEDIATE).await?;
    let held = load(&mut tx, account, kind, subject).await?;
    let (answer, write) = step(held.as_ref());
    if let Some(e) = write {
        save(&mut tx, account, &e).await?;
    }
    tx.commit().await?;
    Ok(answer)
}

pub(crate) async fn get(
    pool: &SqlitePool,
    account: &AccountId,
    kind: OutboxKind,
    subject: &str,
) -> DbResult<Option<OutboxEntry>> {
    let mut conn = pool.acquire().await?;
    load(&mut conn, account, kind, subject).await
}

pub(crate) async fn offer(
    store: &SqliteStore,
    account: &AccountId,
    payload: &OutboxPayload,
    origin: Origin,
    now: OffsetDateTime,
) -> DbResult<Offered> {
    change(store, account, payload.kind(), &payload.subject(), |held| {
        transition::offer(held, payload, origin, now)
    })
    .await
}

pub(crate) async fn claim(
    store: &SqliteStore,
    account: &AccountId,
    kind: OutboxKind,
    subject: &str,
    owner: &str,
    now: OffsetDateTime,
    until: OffsetDateTime,
) -> DbResult<Claim> {
    change(store, account, kind, subject, |held| {
        transition::claim(held, owner, now, until)
    })
    .await
}

pub(crate) async fn finish(
    store: &SqliteStore,
    account: &AccountId,
    kind: OutboxKind,
    subject: &str,
    owner: Option<&str>,
    f: &Finish,
    now: OffsetDateTime,
) -> DbResult<bool> {
    change(store, account, kind, subject, |held| {
        let write = transition::finish(held, owner, f, now);
        (write.is_some(), write)
    })
    .await
}

pub(crate) async fn reported(
    store: &SqliteStore,
    account: &AccountId,
    kind: OutboxKind,
    subject: &str,
    version: u32,
) -> DbResult<()> {
    change(store, account, kind, subject, |held| {
        ((), transition::reported(held, version))
    })
    .await
}

/// Ends the live leases of `owner` on the account's entries, in one write transaction.
pub(crate) async fn release_owner(
    store: &SqliteStore,
    account: &AccountId,
    owner: &str,
    now: OffsetDateTime,
) -> DbResult<u64> {
    let mut tx = store.pool.begin_with(IMMEDIATE).await?;
    let rows = sqlx::query(
        "SELECT entry FROM outbox WHERE account = ? AND lease_owner = ? AND lease_until > ?",
    )
    .bind(account.as_str())
    .bind(owner)
    .bind(ts(now)?)
    .fetch_all(&mut *tx)
    .await?;
    let mut released = 0;
    for r in &rows {
        if let Some(freed) = transition::release(&decode(r)?, owner, now) {
            save(&mut tx, account, &freed).await?;
            released += 1;
        }
    }
    tx.commit().await?;
    Ok(released)
}

/// Due entries: not final, due and without a live lease; or final and not reported.
pub(crate) async fn due(
    pool: &SqlitePool,
    account: &AccountId,
    now: OffsetDateTime,
    max: usize,
) -> DbResult<Vec<OutboxEntry>> {
    let now = ts(now)?;
    let rows = sqlx::query(
        "SELECT entry FROM outbox WHERE account = ? AND ( \
           (final = 0 AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)) \
           OR (final = 1 AND reported = 0)) \
         ORDER BY next_attempt_at, seq LIMIT ?",
    )
    .bind(account.as_str())
    .bind(&now)
    .bind(&now)
    .bind(limit(max))
    .fetch_all(pool)
    .await?;
    rows.iter().map(decode).collect()
}

/// Entries that are not final (or every entry with `all`), oldest first.
pub(crate) async fn list(
    pool: &SqlitePool,
    account: &AccountId,
    max: usize,
    all: bool,
) -> DbResult<Vec<OutboxEntry>> {
    let filter = if all { "" } else { "AND final = 0" };
    let rows = sqlx::query(&format!(
        "SELECT entry FROM outbox WHERE account = ? {filter} ORDER BY seq LIMIT ?"
    ))
    .bind(account.as_str())
    .bind(limit(max))
    .fetch_all(pool)
    .await?;
    rows.iter().map(decode).collect()
}

pub(crate) async fn run_lock(
    store: &SqliteStore,
    account: &AccountId,
    job: JobKind,
    owner: &str,
    now: OffsetDateTime,
    until: OffsetDateTime,
    take_over_from: Option<&str>,
) -> DbResult<RunLock> {
    let mut tx = store.pool.begin_with(IMMEDIATE).await?;
    let held = sqlx::query("SELECT owner, until FROM sync_run_locks WHERE account = ? AND job = ?")
        .bind(account.as_str())
        .bind(job.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| -> DbResult<Lease> {
            Ok(Lease {
                owner: r.try_get("owner")?,
                expires_at: parse_ts(&r.try_get::<String, _>("until")?, "until")?,
            })
        })
        .transpose()?;
    let (answer, write) = transition::run_lock(held.as_ref(), owner, now, until, take_over_from);
    if let Some(l) = write {
        sqlx::query(
            "INSERT INTO sync_run_locks (account, job, owner, until) VALUES (?, ?, ?, ?) \
             ON CONFLICT (account, job) DO UPDATE SET owner = excluded.owner, until = excluded.until",
        )
        .bind(account.as_str())
        .bind(job.as_str())
        .bind(&l.owner)
        .bind(ts(l.expires_at)?)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(answer)
}

pub(crate) async fn run_unlock(
    pool: &SqlitePool,
    account: &AccountId,
    job: JobKind,
    owner: &str,
) -> DbResult<()> {
    sqlx::query("DELETE FROM sync_run_locks WHERE account = ? AND job = ? AND owner = ?")
        .bind(account.as_str())
        .bind(job.as_str())
        .bind(owner)
        .execute(pool)
        .await?;
    Ok(())
}

/// Moves the rows of the outbox of schema version 2 (`sync_outbox`, packages only) into
/// `outbox`, once, in one transaction. A row that was in flight becomes `Claimed` with an
/// expired lease, so the next export verifies it on Amazon before any resend; final rows
/// count as reported (the old code told the host at once).
pub(crate) async fn migrate_legacy(pool: &SqlitePool) -> DbResult<u64> {
    let mut tx = pool.begin_with(IMMEDIATE).await?;
    let rows = sqlx::query("SELECT * FROM sync_outbox ORDER BY seq")
        .fetch_all(&mut *tx)
        .await?;
    let mut moved = 0;
    for r in &rows {
        let account = AccountId::new(r.try_get::<String, _>("account")?);
        let e = legacy_entry(r)?;
        save(&mut tx, &account, &e).await?;
        moved += 1;
    }
    if moved > 0 {
        sqlx::query("DELETE FROM sync_outbox")
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(moved)
}

fn legacy_entry(r: &SqliteRow) -> DbResult<OutboxEntry> {
    let items: Vec<PackageItem> = parse_json(&r.try_get::<String, _>("items")?, "items")?;
    let shipment = HostShipment {
        amazon_order_id: AmazonOrderId::new(r.try_get::<String, _>("amazon_order_id")?),
        package: PackageRef::new(r.try_get::<String, _>("package_ref")?),
        carrier: r.try_get("carrier")?,
        service: r.try_get("service")?,
        tracking_number: r.try_get("tracking_number")?,
        ship_date: parse_ts(&r.try_get::<String, _>("ship_date")?, "ship_date")?,
        items,
        shipped_despite_cancellation: false,
    };
    let updated_at = parse_ts(&r.try_get::<String, _>("updated_at")?, "updated_at")?;
    let reason = r
        .try_get::<Option<String>, _>("status_reason")?
        .unwrap_or_default();
    let kind: String = r.try_get("status")?;
    let status = match kind.as_str() {
        "pending" => OutboxStatus::Pending,
        "held" => OutboxStatus::Held {
            reason,
            until: parse_ts_opt(r.try_get("status_until")?, "status_until")?,
        },
        "in_flight" => OutboxStatus::Claimed,
        "confirmed" => OutboxStatus::Confirmed {
            at: parse_ts_opt(r.try_get("status_at")?, "status_at")?.unwrap_or(updated_at),
        },
        "refused" => OutboxStatus::Refused { reason },
        "rejected" => OutboxStatus::Rejected { message: reason },
        other => {
            return Err(DbError::Corrupt(format!(
                "sync_outbox.status: unknown value {other:?}"
            )));
        }
    };
    let mut e = OutboxEntry::new(OutboxPayload::Shipment(shipment), Origin::Store, updated_at);
    e.reported = status.is_final();
    if status == OutboxStatus::Claimed {
        e.lease = Some(Lease {
            owner: "legacy".into(),
            expires_at: updated_at,
        });
    }
    e.status = status;
    e.attempts = u32::try_from(r.try_get::<i64, _>("attempts")?).unwrap_or(0);
    e.last_error = r.try_get("last_error")?;
    Ok(e)
}
