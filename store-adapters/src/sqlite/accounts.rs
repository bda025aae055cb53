//! The account directory in SQL (`sync_accounts`): resolution runs in one `BEGIN
//! IMMEDIATE` transaction, so two processes resolving one seller at once agree on one key.

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use order_sync_core::accounts::{
    AccountDirectory, AccountIdentity, KnownAccount, TokenFingerprint, Write, plan_resolution,
};
use order_sync_core::error::StateError;
use order_sync_core::ids::AccountId;

use super::SqliteStore;
use super::codec::{DbError, DbResult};

const COLUMNS: &str = "key, label, region, selling_partner_id, token_fingerprint";

fn known(row: &SqliteRow) -> DbResult<KnownAccount> {
    let fingerprint = row
        .try_get::<Option<String>, _>("token_fingerprint")?
        .map(|hex| {
            TokenFingerprint::from_hex(&hex).ok_or_else(|| {
                DbError::Corrupt("sync_accounts.token_fingerprint: not a fingerprint".into())
            })
        })
        .transpose()?;
    Ok(KnownAccount::new(
        AccountId::new(row.try_get::<String, _>("key")?),
        row.try_get::<String, _>("label")?,
        row.try_get::<String, _>("region")?,
        row.try_get("selling_partner_id")?,
        fingerprint,
    ))
}

/// The stored accounts a resolution of `identity` may look at: its matches and the rows
/// keyed by one of its relevant keys.
async fn candidates(
    conn: &mut SqliteConnection,
    identity: &AccountIdentity,
) -> DbResult<Vec<KnownAccount>> {
    let keys: Vec<String> = identity
        .relevant_keys()
        .into_iter()
        .map(AccountId::into_inner)
        .collect();
    let keys = serde_json::to_string(&keys).map_err(|e| DbError::Invalid(e.to_string()))?;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM sync_accounts \
         WHERE (region = ?1 AND (selling_partner_id = ?2 OR token_fingerprint = ?3)) \
            OR key IN (SELECT value FROM json_each(?4)) \
         ORDER BY key"
    ))
    .bind(&identity.region)
    .bind(identity.selling_partner_id.as_deref())
    .bind(
        identity
            .token_fingerprint
            .as_ref()
            .map(TokenFingerprint::as_hex),
    )
    .bind(keys)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(known).collect()
}

/// Whether the state or the host holds data under `label` itself, written before the
/// directory existed. Only tables every schema version keeps are consulted: an account
/// that ever imported or ran has cursors, id map entries, run reports or orders.
async fn legacy_data(conn: &mut SqliteConnection, label: &str) -> DbResult<bool> {
    let found: i64 = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sync_cursors WHERE account = ?1) \
             OR EXISTS (SELECT 1 FROM sync_id_map WHERE account = ?1) \
             OR EXISTS (SELECT 1 FROM sync_runs WHERE account = ?1) \
             OR EXISTS (SELECT 1 FROM orders WHERE account = ?1)",
    )
    .bind(label)
    .fetch_one(&mut *conn)
    .await?;
    Ok(found != 0)
}

async fn apply(conn: &mut SqliteConnection, write: &Write) -> DbResult<()> {
    let (sql, a) = match write {
        Write::Insert(a) => (
            "INSERT INTO sync_accounts (label, region, selling_partner_id, token_fingerprint, key) \
             VALUES (?, ?, ?, ?, ?)",
            a,
        ),
        Write::Update(a) => (
            "UPDATE sync_accounts SET label = ?, region = ?, selling_partner_id = ?, \
             token_fingerprint = ? WHERE key = ?",
            a,
        ),
        _ => return Err(DbError::Invalid("unknown directory write".into())),
    };
    sqlx::query(sql)
        .bind(&a.label)
        .bind(&a.region)
        .bind(a.selling_partner_id.as_deref())
        .bind(a.token_fingerprint.as_ref().map(TokenFingerprint::as_hex))
        .bind(a.key.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

enum ResolveError {
    Db(DbError),
    Refused(StateError),
}

impl From<DbError> for ResolveError {
    fn from(e: DbError) -> Self {
        ResolveError::Db(e)
    }
}

impl From<sqlx::Error> for ResolveError {
    fn from(e: sqlx::Error) -> Self {
        ResolveError::Db(e.into())
    }
}

impl SqliteStore {
    async fn resolve_tx(&self, identity: &AccountIdentity) -> Result<AccountId, ResolveError> {
        let mut tx = self.write().await?;
        let accounts = candidates(&mut tx, identity).await?;
        let legacy = legacy_data(&mut tx, &identity.label).await?;
        let plan = plan_resolution(identity, &accounts, legacy).map_err(ResolveError::Refused)?;
        for w in &plan.writes {
            apply(&mut tx, w).await?;
        }
        if !plan.writes.is_empty() {
            tx.commit().await?;
        }
        Ok(plan.key)
    }
}

#[async_trait]
impl AccountDirectory for SqliteStore {
    async fn resolve(&self, identity: &AccountIdentity) -> Result<AccountId, StateError> {
        match self.resolve_tx(identity).await {
            Ok(key) => Ok(key),
            Err(ResolveError::Refused(e)) => Err(e),
            Err(ResolveError::Db(e)) => Err(e.into()),
        }
    }

    async fn list(&self) -> Result<Vec<KnownAccount>, StateError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM sync_accounts ORDER BY key"))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| StateError::from(DbError::from(e)))?;
        rows.iter()
            .map(known)
            .collect::<DbResult<Vec<_>>>()
            .map_err(StateError::from)
    }
}
