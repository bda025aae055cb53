//! The embedded SQLite store: a ready-to-use order store ("the host") and the engine's
//! sync state in one file.
//!
//! [`SqliteStore`] implements [`OrderStore`] and [`SyncState`]; one value (it is a cheap
//! `Clone` over a connection pool) can serve as both. It is also the
//! [`AccountDirectory`](order_sync_core::accounts::AccountDirectory) (table
//! `sync_accounts`) that gives each seller account its stable key. [`SqliteStore::warehouse`] gives a
//! [`SqliteWarehouse`] (the [`Warehouse`](order_sync_core::host::Warehouse) trait) kept
//! in the same file, for setups and tests where a 3PL fulfils the orders.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use order_sync_core::host::OrderStore;
//! use order_sync_core::state::SyncState;
//! use order_sync_core::ids::{AccountId, AmazonOrderId};
//! use store_adapters::sqlite::{ShippedPackage, SqliteStore};
//! use time::macros::datetime;
//!
//! let db = SqliteStore::open("orders.db").await?;
//! let store: Arc<dyn OrderStore> = Arc::new(db.clone());
//! let state: Arc<dyn SyncState> = Arc::new(db.clone());
//!
//! // ... the engine imports orders through `store` and `state` ...
//!
//! // The host ships an order; the next "export shipments" run confirms it to Amazon.
//! let account = AccountId::new("seller-1");
//! let order = AmazonOrderId::new("902-3159896-1390916");
//! let package = db
//!     .mark_shipped(
//!         &account,
//!         &order,
//!         ShippedPackage::new("UPS", "1Z999AA10123456784", datetime!(2026-06-02 09:00 UTC))
//!             .service("Ground"),
//!     )
//!     .await?;
//! println!("package {package} ready; {} orders held", db.count_orders(&account).await?);
//! # let _ = (store, state);
//! # Ok(()) }
//! ```
//!
//! # The file
//!
//! - Opening applies the embedded, versioned migrations (`migrations/sqlite/*.sql`,
//!   tracked in sqlx's `_sqlx_migrations` table, so reopening is a no-op and the
//!   `sqlx migrate` tooling understands the file).
//! - WAL journal, `synchronous = NORMAL` by default (a committed write survives a crash of
//!   the process; [`SqliteConfig::synchronous_full`] also makes it survive a power
//!   loss, at the cost of an fsync per commit), foreign keys on, a busy timeout
//!   ([`SqliteConfig::busy_timeout`], 10 s by default) so several processes and
//!   connections can share the file.
//! - Every write that touches more than one row runs in one `BEGIN IMMEDIATE`
//!   transaction: a failed write leaves the previous state intact, and a writer takes the
//!   write lock before it reads, so concurrent writers queue instead of failing. A write
//!   whose future is dropped (a cancelled job) applies all or nothing, and its connection
//!   goes back to the pool outside any transaction.
//!
//! # Storage conventions
//!
//! - **Times** are TEXT, RFC 3339 in UTC with exactly nine fractional digits
//!   (`2026-06-01T12:00:00.000000000Z`): readable, exact to the nanosecond, and ordered
//!   as text, so comparisons (newer wins, due dates) happen in SQL. Years outside
//!   0000-9999 are refused.
//! - **Money** is two TEXT columns, `<name>_amount` (the exact decimal as written, scale
//!   kept: `20.00`) and `<name>_currency`.
//! - **Enums** are their stable spelling (Amazon's for Amazon values, `import_orders`
//!   for jobs).
//! - **Host ids** are the `orders.id` integer as text; never reused.
//!
//! # PII
//!
//! Buyer and recipient PII (names, e-mail, phone, company, tax id, address lines, city,
//! region, postal code, gift messages, the shaped customer name) lives only in the
//! `order_pii` table, one value per row. Redaction ([`OrderStore::redact_pii`]) is a
//! single `UPDATE` of that table; with `secure_delete` on and a WAL checkpoint right
//! after it (or, when another connection is busy at that moment, at the next completed
//! checkpoint, at the latest on [`close`](SqliteStore::close)), no older copy of a
//! redacted value stays in the file or its WAL. The sync
//! state tables hold no PII at all. Values are bound as parameters, never spliced into
//! SQL, so sqlx's statement logging cannot show them, and errors name fields, never
//! values.
//!
//! Encryption at rest plugs in at one point: a [`PiiCipher`] given with
//! [`SqliteConfig::pii_cipher`] seals every PII value before it is written and opens it
//! when read. [`XChaChaPii`] encrypts with XChaCha20-Poly1305 under a key the deployment
//! supplies; the default, [`PlaintextPii`], stores values as given (for demos and tests,
//! or where the disk itself is encrypted). A file remembers its cipher and refuses to
//! open with another; [`SqliteStore::reseal_pii`] turns encryption on for an existing
//! file, or rotates the key.
//!
//! # Newer wins, in SQL
//!
//! [`upsert_order`](OrderStore::upsert_order) runs in one `BEGIN IMMEDIATE` transaction
//! (the write lock is taken before anything is read) and each write carries its own
//! guard: `INSERT .. ON CONFLICT DO NOTHING` creates, `UPDATE .. WHERE last_updated_at
//! < ?` updates. No interleaving of writers, in one process or several, can let an
//! older version replace a newer one or create an order twice. Id map entries (`ON
//! CONFLICT .. DO UPDATE .. WHERE excluded.last_updated_at >= ..`), the cursor
//! (compare-and-set: `UPDATE .. WHERE position = ?`) and confirmed outbox entries are
//! guarded in SQL the same way.
//!
//! [`upsert_orders`](OrderStore::upsert_orders) writes a whole page in one transaction
//! (several times faster than one transaction per order); an order the store cannot
//! hold is refused in its slot before the transaction starts, and a database failure
//! applies nothing of the batch.

mod accounts;
mod codec;
mod host;
mod orders;
mod outbox;
mod pii;
mod shipments;
mod state;
mod warehouse;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::Row;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use time::OffsetDateTime;

use order_sync_core::error::{StateError, StoreError};
use order_sync_core::host::{HostOrder, HostOrderRef, OrderStore, ShipmentResult, UpsertOutcome};
use order_sync_core::ids::{AccountId, AmazonOrderId, HostOrderId, OrderItemId, PackageRef};
use order_sync_core::model::{HostShipment, PackageItem};
use order_sync_core::report::RunReport;
use order_sync_core::state::{
    Claim, Cursor, Finish, IdMapEntry, ImportCommit, JobKind, Offered, Origin, OutboxEntry,
    OutboxKind, OutboxPayload, ParkedOrder, RunLock, SyncState,
};

use codec::DbError;
use host::sql_err;
use orders::Kind;
pub use pii::{PiiCipher, PiiCipherError, PlaintextPii, XChaChaPii};
pub use warehouse::SqliteWarehouse;

/// The statement that opens every write transaction: takes the write lock first, so a
/// writer never has to upgrade a read lock (which SQLite cannot wait for).
const IMMEDIATE: &str = "BEGIN IMMEDIATE";

/// The migrations, in version order: (version, description, SQL).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "store meta",
        include_str!("../migrations/sqlite/0002_store_meta.sql"),
    ),
    (
        3,
        "accounts",
        include_str!("../migrations/sqlite/0003_accounts.sql"),
    ),
    (
        4,
        "outbox leases",
        include_str!("../migrations/sqlite/0004_outbox_leases.sql"),
    ),
];

/// The embedded migrations as an sqlx migration source.
#[derive(Debug)]
struct Embedded;

type BoxDynError = Box<dyn std::error::Error + Send + Sync + 'static>;
type MigrationsFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>,
>;

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> MigrationsFuture {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*description),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// The latest schema version this build of the crate knows.
pub const SCHEMA_VERSION: i64 = 4;

/// Opening a store failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SqliteError {
    /// The file could not be opened or configured.
    #[error("cannot open the SQLite store: {0}")]
    Open(#[source] sqlx::Error),
    /// A migration failed (or the file was written by a newer version of this crate).
    #[error("cannot migrate the SQLite store: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// The file's PII was sealed with another cipher or key than the one given: its
    /// values would not open. Give the cipher the file was written with.
    #[error("the PII cipher does not match the one this file was written with: {0}")]
    PiiCipherMismatch(String),
    /// Re-sealing the PII with a new cipher failed; nothing was changed.
    #[error("cannot re-seal the PII: {0}")]
    Reseal(String),
}

/// Makes sure a connection goes back to the pool outside any transaction.
///
/// A write dropped at the wrong moment (a cancelled job, a timeout) can leave its
/// connection inside a transaction that no `Transaction` value owns any more: sqlx
/// started it (`BEGIN IMMEDIATE` ran) but the caller was gone before it received it.
/// Such a connection would hold the write lock, and the next user of it would either
/// fail to begin or, worse, nest its writes in the orphaned transaction. Roll back
/// whatever is open (a rollback queued by a dropped `Transaction` runs first and makes
/// this one a no-op); a connection that cannot be cleaned is closed (which rolls back
/// too). Costs nothing when no transaction is open.
async fn release_clean(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    use sqlx::{Connection, TransactionManager};
    type Manager = <sqlx::Sqlite as sqlx::Database>::TransactionManager;
    while conn.is_in_transaction() {
        tracing::debug!("rolling back a transaction left open by a dropped write");
        if Manager::rollback(conn).await.is_err() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The text sealed into `store_meta` on first open, to recognise the cipher later.
const CIPHER_CHECK: &str = "store-adapters PII cipher check";

/// Fails when the file was written with another PII cipher (or key) than `cipher`; on
/// a fresh file, records a value sealed by `cipher` for the next open to check.
async fn check_cipher(pool: &SqlitePool, cipher: &dyn PiiCipher) -> Result<(), SqliteError> {
    let sealed = cipher
        .seal(CIPHER_CHECK)
        .map_err(|e| SqliteError::PiiCipherMismatch(e.to_string()))?;
    sqlx::query("INSERT INTO store_meta (name, value) VALUES ('pii_cipher_check', ?) ON CONFLICT (name) DO NOTHING")
        .bind(sealed)
        .execute(pool)
        .await
        .map_err(SqliteError::Open)?;
    let stored: String =
        sqlx::query_scalar("SELECT value FROM store_meta WHERE name = 'pii_cipher_check'")
            .fetch_one(pool)
            .await
            .map_err(SqliteError::Open)?;
    match cipher.open(&stored) {
        Ok(v) if v == CIPHER_CHECK => Ok(()),
        Ok(_) => Err(SqliteError::PiiCipherMismatch(
            "the check value opened to something else".into(),
        )),
        Err(e) => Err(SqliteError::PiiCipherMismatch(e.to_string())),
    }
}

/// How to open a [`SqliteStore`]. `Default` suits one process with a few workers.
#[derive(Clone)]
pub struct SqliteConfig {
    busy_timeout: Duration,
    max_connections: u32,
    synchronous_full: bool,
    pii_cipher: Arc<dyn PiiCipher>,
}

impl Default for SqliteConfig {
    fn default() -> Self {
        Self {
            busy_timeout: Duration::from_secs(10),
            max_connections: 4,
            synchronous_full: false,
            pii_cipher: Arc::new(PlaintextPii),
        }
    }
}

impl fmt::Debug for SqliteConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteConfig")
            .field("busy_timeout", &self.busy_timeout)
            .field("max_connections", &self.max_connections)
            .field("synchronous_full", &self.synchronous_full)
            .field("pii_cipher", &self.pii_cipher)
            .finish()
    }
}

impl SqliteConfig {
    /// How long a statement waits for another connection's write lock before failing
    /// with a (retryable) error. Default 10 s.
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// The size of the connection pool (at least 1). Default 4. Readers run in
    /// parallel (WAL); writers take turns.
    pub fn max_connections(mut self, n: u32) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// `synchronous = FULL` instead of `NORMAL`: a commit is fsynced, so it survives a
    /// power loss too (slower). Default off.
    pub fn synchronous_full(mut self, on: bool) -> Self {
        self.synchronous_full = on;
        self
    }

    /// The cipher that seals PII values at rest. Default [`PlaintextPii`]. A file
    /// remembers the cipher it was first opened with: opening it with another fails with
    /// [`SqliteError::PiiCipherMismatch`].
    pub fn pii_cipher(mut self, cipher: Arc<dyn PiiCipher>) -> Self {
        self.pii_cipher = cipher;
        self
    }
}

/// A package the host shipped, for [`SqliteStore::mark_shipped`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippedPackage {
    /// The host's carrier name (e.g. `UPS`), mapped to Amazon's code on export.
    pub carrier: String,
    /// The shipping service (e.g. `Ground`), if any.
    pub service: Option<String>,
    /// The tracking number.
    pub tracking_number: String,
    /// When the package shipped (or will ship: a future date is held back on export).
    pub ship_date: OffsetDateTime,
    /// The lines and quantities in the package; empty means every line in full.
    pub items: Vec<PackageItem>,
    /// The package shipped although the buyer asked to cancel one of its lines (without
    /// it, the engine refuses to confirm such a package).
    pub shipped_despite_cancellation: bool,
}

impl ShippedPackage {
    /// A package holding every line of the order in full.
    pub fn new(
        carrier: impl Into<String>,
        tracking_number: impl Into<String>,
        ship_date: OffsetDateTime,
    ) -> Self {
        Self {
            carrier: carrier.into(),
            service: None,
            tracking_number: tracking_number.into(),
            ship_date,
            items: Vec::new(),
            shipped_despite_cancellation: false,
        }
    }

    /// Marks the package as shipped despite a buyer's cancellation request.
    pub fn despite_cancellation(mut self) -> Self {
        self.shipped_despite_cancellation = true;
        self
    }

    /// Sets the shipping service.
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    /// Adds `quantity` units of line `item_id` (making this a partial shipment unless
    /// every line is added in full).
    pub fn item(mut self, item_id: impl Into<OrderItemId>, quantity: u32) -> Self {
        self.items.push(PackageItem {
            item_id: item_id.into(),
            quantity,
        });
        self
    }
}

/// The embedded SQLite order store and sync state. See the [module docs](self).
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    cipher: Arc<dyn PiiCipher>,
    path: Option<PathBuf>,
    checkpointer: Option<SqlitePool>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("connections", &self.pool.size())
            .finish_non_exhaustive()
    }
}

fn state_err(e: DbError) -> StateError {
    e.into()
}

impl SqliteStore {
    /// Opens (creating if needed) the store in the file at `path`, with the default
    /// [`SqliteConfig`], and applies pending migrations.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, SqliteError> {
        Self::open_with(path, SqliteConfig::default()).await
    }

    /// Opens the store at `path` with `config`.
    pub async fn open_with(
        path: impl AsRef<Path>,
        config: SqliteConfig,
    ) -> Result<Self, SqliteError> {
        let path = path.as_ref().to_path_buf();
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(if config.synchronous_full {
                SqliteSynchronous::Full
            } else {
                SqliteSynchronous::Normal
            })
            .foreign_keys(true)
            // Overwrite deleted and replaced content, so redacted PII leaves no copy in
            // free pages.
            .pragma("secure_delete", "ON")
            // After a burst of writes, give the WAL file back beyond 64 MiB.
            .pragma("journal_size_limit", "67108864")
            .busy_timeout(config.busy_timeout);
        // One connection that never waits for locks, for checkpoints that must not
        // hold up a caller (see `checkpoint_now`). Connects lazily.
        let checkpointer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .connect_lazy_with(options.clone().busy_timeout(Duration::ZERO));
        let pool = SqlitePoolOptions::new()
            .max_connections(config.max_connections)
            // A local file does not drop connections: skip the ping before each use.
            .test_before_acquire(false)
            .after_release(|conn, _| Box::pin(release_clean(conn)))
            .acquire_timeout(config.busy_timeout + Duration::from_secs(20))
            .connect_with(options)
            .await
            .map_err(SqliteError::Open)?;
        let mut store = Self::finish_open(pool, config, Some(path)).await?;
        store.checkpointer = Some(checkpointer);
        Ok(store)
    }

    /// A store in memory (nothing survives the value): for tests and demos. One
    /// connection, so every call is serialised.
    pub async fn open_in_memory() -> Result<Self, SqliteError> {
        Self::open_in_memory_with(SqliteConfig::default()).await
    }

    /// A store in memory with `config` (its pool size and durability are ignored).
    pub async fn open_in_memory_with(config: SqliteConfig) -> Result<Self, SqliteError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(SqliteError::Open)?
            .foreign_keys(true)
            .pragma("secure_delete", "ON");
        // The database lives as long as its one connection: never let the pool drop it.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .after_release(|conn, _| Box::pin(release_clean(conn)))
            .connect_with(options)
            .await
            .map_err(SqliteError::Open)?;
        Self::finish_open(pool, config, None).await
    }

    async fn finish_open(
        pool: SqlitePool,
        config: SqliteConfig,
        path: Option<PathBuf>,
    ) -> Result<Self, SqliteError> {
        let migrator = Migrator::new(Embedded)
            .await
            .map_err(SqliteError::Migrate)?;
        // SQLite has no migration lock: two stores opening the same fresh file at once
        // both try to apply a migration, and the one that loses fails when it runs a
        // statement the winner already ran. Running again finds the migration applied
        // (its checksum checked), so a failed run is retried a few times.
        let mut attempts = 0;
        loop {
            match migrator.run(&pool).await {
                Ok(()) => break,
                Err(
                    e @ (sqlx::migrate::MigrateError::Execute(_)
                    | sqlx::migrate::MigrateError::ExecuteMigration(..)),
                ) if attempts < 5 => {
                    attempts += 1;
                    tracing::debug!(error = %e, attempts, "sqlite migration raced, retrying");
                }
                Err(e) => return Err(SqliteError::Migrate(e)),
            }
        }
        let moved = outbox::migrate_legacy(&pool).await.map_err(|e| {
            SqliteError::Migrate(sqlx::migrate::MigrateError::Execute(match e {
                DbError::Sql(e) => e,
                other => sqlx::Error::Protocol(other.to_string()),
            }))
        })?;
        if moved > 0 {
            tracing::info!(
                moved,
                "moved outbox entries of schema version 2 to the new outbox"
            );
        }
        check_cipher(&pool, &*config.pii_cipher).await?;
        tracing::debug!(path = ?path, version = SCHEMA_VERSION, "sqlite store open");
        Ok(Self {
            pool,
            cipher: config.pii_cipher,
            path,
            checkpointer: None,
        })
    }

    /// Closes every connection (checkpointing the WAL). Clones of this store are closed
    /// too; calls made afterwards fail.
    pub async fn close(&self) {
        if self.path.is_some() {
            // Keep the query planner's statistics fresh (cheap). This runs here, before
            // the checkpoint, rather than as each connection closes: statistics written
            // while the pools close concurrently would be left behind in the WAL.
            let _ = sqlx::query("PRAGMA optimize").execute(&self.pool).await;
            // Move everything into the main file and empty the WAL, so the file is
            // complete on its own; best effort (a busy reader only defers it).
            let _ = self.checkpoint().await;
        }
        self.pool.close().await;
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.close().await;
        }
    }

    /// Copies the WAL into the main file and truncates the WAL (`PRAGMA
    /// wal_checkpoint(TRUNCATE)`), waiting up to the busy timeout for writers and
    /// readers to finish. Returns `false` when it could not complete (a later
    /// checkpoint finishes the work).
    pub async fn checkpoint(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&self.pool)
            .await
            .map_err(sql_err)?;
        let busy: i64 = row.try_get(0).map_err(sql_err)?;
        Ok(busy == 0)
    }

    /// [`checkpoint`](Self::checkpoint) without waiting, on its own connection whose
    /// busy timeout is zero: when another connection is writing or reading an older
    /// snapshot right now, it gives up at once (`false`).
    pub(crate) async fn checkpoint_now(&self) -> Result<bool, DbError> {
        let Some(checkpointer) = &self.checkpointer else {
            return Ok(true);
        };
        let done = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(checkpointer)
            .await
            .and_then(|row| row.try_get::<i64, _>(0))
            .map(|busy| busy == 0);
        Ok(done.unwrap_or(false))
    }

    /// Re-seals every PII value of the file at `path` with `new` (key rotation, or
    /// turning encryption on for a file written in plain text), in one transaction, and
    /// returns how many values it re-sealed. `old` is the configuration the file is
    /// opened with today. Run it while nothing else uses the file: afterwards the file
    /// opens only with `new`.
    pub async fn reseal_pii(
        path: impl AsRef<Path>,
        old: SqliteConfig,
        new: Arc<dyn PiiCipher>,
    ) -> Result<u64, SqliteError> {
        let store = Self::open_with(path, old).await?;
        let result = store.reseal_all(&*new).await;
        store.close().await;
        result
    }

    async fn reseal_all(&self, new: &dyn PiiCipher) -> Result<u64, SqliteError> {
        let fail = |e: &dyn fmt::Display| SqliteError::Reseal(e.to_string());
        let mut tx = self
            .pool
            .begin_with(IMMEDIATE)
            .await
            .map_err(|e| fail(&e))?;
        let mut count = 0u64;
        let mut after = (i64::MIN, String::new(), i64::MIN);
        loop {
            let rows = sqlx::query(
                "SELECT order_id, field, ordinal, value FROM order_pii \
                 WHERE (order_id, field, ordinal) > (?, ?, ?) \
                 ORDER BY order_id, field, ordinal LIMIT 1000",
            )
            .bind(after.0)
            .bind(&after.1)
            .bind(after.2)
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| fail(&e))?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let key: (i64, String, i64) = (
                    row.try_get("order_id").map_err(|e| fail(&e))?,
                    row.try_get("field").map_err(|e| fail(&e))?,
                    row.try_get("ordinal").map_err(|e| fail(&e))?,
                );
                let value: String = row.try_get("value").map_err(|e| fail(&e))?;
                let plain = self.cipher.open(&value).map_err(|e| fail(&e))?;
                let sealed = new.seal(&plain).map_err(|e| fail(&e))?;
                sqlx::query(
                    "UPDATE order_pii SET value = ? \
                     WHERE order_id = ? AND field = ? AND ordinal = ?",
                )
                .bind(sealed)
                .bind(key.0)
                .bind(&key.1)
                .bind(key.2)
                .execute(&mut *tx)
                .await
                .map_err(|e| fail(&e))?;
                count += 1;
                after = key;
            }
        }
        let check = new.seal(CIPHER_CHECK).map_err(|e| fail(&e))?;
        sqlx::query("UPDATE store_meta SET value = ? WHERE name = 'pii_cipher_check'")
            .bind(check)
            .execute(&mut *tx)
            .await
            .map_err(|e| fail(&e))?;
        tx.commit().await.map_err(|e| fail(&e))?;
        Ok(count)
    }

    /// The file, or `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The applied migration versions, in order (e.g. `[1]`).
    pub async fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        let v: Vec<i64> = sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success = 1 ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(sql_err)?;
        Ok(v)
    }

    // ----- the host API (what a cart's user does, and what demos and tests read) -----

    /// The warehouse (3PL) kept in the same file: a [`Warehouse`] with its own orders
    /// and shipments, sharing the pool and the PII cipher.
    ///
    /// [`Warehouse`]: order_sync_core::host::Warehouse
    pub fn warehouse(&self) -> SqliteWarehouse {
        SqliteWarehouse {
            store: self.clone(),
        }
    }

    /// Records a package as shipped with tracking, under the reference `shipment.package`;
    /// it is then reported by [`shipments_ready`](OrderStore::shipments_ready). Shipping
    /// the same reference again replaces the package and clears its previous result (the
    /// host changed the shipment).
    ///
    /// Fails with [`StoreError::NotFound`] when the store lacks the order, and
    /// [`StoreError::Rejected`] when the reference is not a positive number, the package
    /// is empty, or an item names no line of the order or has quantity 0.
    pub async fn ship(
        &self,
        account: &AccountId,
        shipment: &HostShipment,
    ) -> Result<(), StoreError> {
        self.h_ship(Kind::Store, account, shipment).await
    }

    /// Records a package of an order as shipped, under the next free package reference
    /// (`1`, `2`, ...), which it returns. A package with no items holds every line in
    /// full. See [`ship`](Self::ship) for the errors.
    pub async fn mark_shipped(
        &self,
        account: &AccountId,
        order: &AmazonOrderId,
        package: ShippedPackage,
    ) -> Result<PackageRef, StoreError> {
        self.h_mark_shipped(Kind::Store, account, order, package)
            .await
    }

    /// What the engine recorded for a package (`None`: nothing yet, or no such package).
    pub async fn shipment_result(
        &self,
        account: &AccountId,
        order: &AmazonOrderId,
        package: &PackageRef,
    ) -> Result<Option<ShipmentResult>, StoreError> {
        self.h_result(Kind::Store, account, order, package).await
    }

    /// Every package of an order, in the order they were shipped, with their results.
    pub async fn shipments(
        &self,
        account: &AccountId,
        order: &AmazonOrderId,
    ) -> Result<Vec<(HostShipment, Option<ShipmentResult>)>, StoreError> {
        self.h_shipments(Kind::Store, account, order).await
    }

    /// The order as the store holds it, with lines and PII.
    pub async fn order(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<Option<HostOrder>, StoreError> {
        let mut v = self
            .h_load(orders::Filter::One(Kind::Store, account, id))
            .await?;
        Ok(v.pop().map(|l| l.order))
    }

    /// Every order of an account, sorted by Amazon order id.
    pub async fn orders(&self, account: &AccountId) -> Result<Vec<HostOrder>, StoreError> {
        let v = self
            .h_load(orders::Filter::Account(Kind::Store, account))
            .await?;
        Ok(v.into_iter().map(|l| l.order).collect())
    }

    /// Up to `limit` orders of an account whose Amazon id sorts after `after` (`None`:
    /// from the first), sorted by Amazon order id: for walking a large store page by
    /// page, passing the last id of one page as `after` of the next.
    pub async fn orders_page(
        &self,
        account: &AccountId,
        after: Option<&AmazonOrderId>,
        limit: usize,
    ) -> Result<Vec<HostOrder>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let v = self
            .h_load(orders::Filter::Page(Kind::Store, account, after, limit))
            .await?;
        Ok(v.into_iter().map(|l| l.order).collect())
    }

    /// Every order of an account with its host id, sorted by Amazon order id.
    pub async fn orders_with_ids(
        &self,
        account: &AccountId,
    ) -> Result<Vec<(HostOrderId, HostOrder)>, StoreError> {
        let v = self
            .h_load(orders::Filter::Account(Kind::Store, account))
            .await?;
        Ok(v.into_iter()
            .map(|l| (orders::host_id(l.id), l.order))
            .collect())
    }

    /// How many orders the store holds for an account.
    pub async fn count_orders(&self, account: &AccountId) -> Result<u64, StoreError> {
        self.h_count(Kind::Store, account).await
    }

    /// Order counts of an account per Amazon order status (`Unshipped`, `Shipped`, ...).
    pub async fn counts_by_status(
        &self,
        account: &AccountId,
    ) -> Result<BTreeMap<String, u64>, StoreError> {
        self.h_counts_by(Kind::Store, account, "status").await
    }

    /// Order counts of an account per host status (the mapped status).
    pub async fn counts_by_host_status(
        &self,
        account: &AccountId,
    ) -> Result<BTreeMap<String, u64>, StoreError> {
        self.h_counts_by(Kind::Store, account, "host_status").await
    }

    /// Order counts of an account per marketplace id.
    pub async fn counts_by_marketplace(
        &self,
        account: &AccountId,
    ) -> Result<BTreeMap<String, u64>, StoreError> {
        self.h_counts_by(Kind::Store, account, "marketplace").await
    }

    /// The accounts that have orders in the store, sorted.
    pub async fn accounts(&self) -> Result<Vec<AccountId>, StoreError> {
        self.h_accounts(Kind::Store).await
    }

    /// Removes an order with its lines, PII and shipments, as if the host lost or
    /// deleted it (reconciliation finds it again). Returns whether it existed.
    pub async fn delete_order(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<bool, StoreError> {
        self.h_delete(Kind::Store, account, id).await
    }

    // ----- sync state reads beyond the trait -----

    /// Every outbox entry of an account, confirmed ones included, oldest first.
    pub async fn outbox_all(&self, account: &AccountId) -> Result<Vec<OutboxEntry>, StateError> {
        outbox::list(&self.pool, account, usize::MAX, true)
            .await
            .map_err(state_err)
    }

    /// The marker an order's PII was redacted with, as recorded by
    /// [`mark_redacted`](SyncState::mark_redacted).
    pub async fn redaction_marker(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<Option<String>, StateError> {
        state::redaction_marker(&self.pool, account, id)
            .await
            .map_err(state_err)
    }
}

#[async_trait]
impl OrderStore for SqliteStore {
    async fn upsert_order(&self, order: &HostOrder) -> Result<UpsertOutcome, StoreError> {
        self.h_upsert(Kind::Store, order, None).await
    }

    /// One transaction for the whole batch. Orders the store cannot hold (bad times,
    /// two lines with one item id, a failing cipher) are refused in their slot before
    /// the transaction starts; a database failure fails the whole batch and applies
    /// nothing.
    async fn upsert_orders(
        &self,
        orders: &[HostOrder],
    ) -> Result<Vec<Result<UpsertOutcome, StoreError>>, StoreError> {
        let batch: Vec<(&HostOrder, Option<&str>)> = orders.iter().map(|o| (o, None)).collect();
        self.h_upsert_batch(Kind::Store, &batch).await
    }

    async fn find_order(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<Option<HostOrderRef>, StoreError> {
        self.h_find(Kind::Store, account, id).await
    }

    async fn shipments_ready(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<HostShipment>, StoreError> {
        self.h_ready(Kind::Store, account, limit).await
    }

    async fn record_shipment_result(
        &self,
        account: &AccountId,
        shipment: &HostShipment,
        result: &ShipmentResult,
    ) -> Result<(), StoreError> {
        self.h_record(Kind::Store, account, shipment, result).await
    }

    /// Replaces the order's PII in one statement, then checkpoints the WAL so no older
    /// copy stays on disk.
    async fn redact_pii(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
        marker: &str,
    ) -> Result<(), StoreError> {
        self.h_redact(Kind::Store, account, id, marker).await
    }
}

#[async_trait]
impl SyncState for SqliteStore {
    async fn cursor(
        &self,
        account: &AccountId,
        job: JobKind,
    ) -> Result<Option<Cursor>, StateError> {
        state::cursor(&self.pool, account, job)
            .await
            .map_err(state_err)
    }

    async fn commit_import(
        &self,
        account: &AccountId,
        commit: &ImportCommit,
    ) -> Result<(), StateError> {
        state::commit_import(self, account, commit).await
    }

    async fn id_map_get(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
    ) -> Result<Option<IdMapEntry>, StateError> {
        state::id_map_get(&self.pool, account, id)
            .await
            .map_err(state_err)
    }

    async fn id_map_get_many(
        &self,
        account: &AccountId,
        ids: &[AmazonOrderId],
    ) -> Result<HashMap<AmazonOrderId, IdMapEntry>, StateError> {
        state::id_map_get_many(&self.pool, account, ids)
            .await
            .map_err(state_err)
    }

    async fn parked(&self, account: &AccountId) -> Result<Vec<ParkedOrder>, StateError> {
        state::parked(&self.pool, account).await.map_err(state_err)
    }

    async fn outbox_get(
        &self,
        account: &AccountId,
        kind: OutboxKind,
        subject: &str,
    ) -> Result<Option<OutboxEntry>, StateError> {
        outbox::get(&self.pool, account, kind, subject)
            .await
            .map_err(state_err)
    }

    async fn outbox_offer(
        &self,
        account: &AccountId,
        payload: &OutboxPayload,
        origin: Origin,
        now: OffsetDateTime,
    ) -> Result<Offered, StateError> {
        outbox::offer(self, account, payload, origin, now)
            .await
            .map_err(state_err)
    }

    async fn outbox_claim(
        &self,
        account: &AccountId,
        kind: OutboxKind,
        subject: &str,
        owner: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> Result<Claim, StateError> {
        outbox::claim(self, account, kind, subject, owner, now, lease_until)
            .await
            .map_err(state_err)
    }

    async fn outbox_finish(
        &self,
        account: &AccountId,
        kind: OutboxKind,
        subject: &str,
        owner: Option<&str>,
        finish: &Finish,
        now: OffsetDateTime,
    ) -> Result<bool, StateError> {
        outbox::finish(self, account, kind, subject, owner, finish, now)
            .await
            .map_err(state_err)
    }

    async fn outbox_release_owner(
        &self,
        account: &AccountId,
        owner: &str,
        now: OffsetDateTime,
    ) -> Result<u64, StateError> {
        outbox::release_owner(self, account, owner, now)
            .await
            .map_err(state_err)
    }

    async fn outbox_reported(
        &self,
        account: &AccountId,
        kind: OutboxKind,
        subject: &str,
        version: u32,
    ) -> Result<(), StateError> {
        outbox::reported(self, account, kind, subject, version)
            .await
            .map_err(state_err)
    }

    async fn outbox_due(
        &self,
        account: &AccountId,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StateError> {
        outbox::due(&self.pool, account, now, limit)
            .await
            .map_err(state_err)
    }

    async fn outbox_open(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StateError> {
        outbox::list(&self.pool, account, limit, false)
            .await
            .map_err(state_err)
    }

    async fn run_lock(
        &self,
        account: &AccountId,
        job: JobKind,
        owner: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
        take_over_from: Option<&str>,
    ) -> Result<RunLock, StateError> {
        outbox::run_lock(self, account, job, owner, now, until, take_over_from)
            .await
            .map_err(state_err)
    }

    async fn run_unlock(
        &self,
        account: &AccountId,
        job: JobKind,
        owner: &str,
    ) -> Result<(), StateError> {
        outbox::run_unlock(&self.pool, account, job, owner)
            .await
            .map_err(state_err)
    }

    async fn cancel_requests(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<IdMapEntry>, StateError> {
        state::cancel_requests(&self.pool, account, limit)
            .await
            .map_err(state_err)
    }

    async fn due_for_redaction(
        &self,
        account: &AccountId,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<IdMapEntry>, StateError> {
        state::due_for_redaction(&self.pool, account, now, limit)
            .await
            .map_err(state_err)
    }

    async fn mark_redacted(
        &self,
        account: &AccountId,
        id: &AmazonOrderId,
        marker: &str,
        at: OffsetDateTime,
    ) -> Result<(), StateError> {
        state::mark_redacted(&self.pool, account, id, marker, at)
            .await
            .map_err(state_err)
    }

    async fn record_run(&self, report: &RunReport) -> Result<(), StateError> {
        state::record_run(&self.pool, report)
            .await
            .map_err(state_err)
    }

    async fn recent_runs(
        &self,
        account: &AccountId,
        job: Option<JobKind>,
        limit: usize,
    ) -> Result<Vec<RunReport>, StateError> {
        state::recent_runs(&self.pool, account, job, limit)
            .await
            .map_err(state_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_version_is_the_last_migration() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|(v, _, _)| *v).collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "in version order");
        assert_eq!(versions.last().copied(), Some(SCHEMA_VERSION));
    }
}
