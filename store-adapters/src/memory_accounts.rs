//! The in-memory [`AccountDirectory`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use std::sync::Arc;
//! use order_sync_core::accounts::{AccountDirectory, AccountIdentity};
//! use store_adapters::memory::MemoryState;
//! use store_adapters::memory_accounts::MemoryAccounts;
//!
//! let state = Arc::new(MemoryState::new());
//! let accounts = MemoryAccounts::new(state.clone());
//! let me = AccountIdentity::new("na", "us-main").selling_partner_id("A1EXAMPLE");
//! assert_eq!(accounts.resolve(&me).await.unwrap().as_str(), "na:A1EXAMPLE");
//! # }
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use order_sync_core::accounts::{
    AccountDirectory, AccountIdentity, KnownAccount, Write, plan_resolution,
};
use order_sync_core::error::StateError;
use order_sync_core::ids::AccountId;
use order_sync_core::state::{JobKind, SyncState};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Accounts kept in memory, next to a [`SyncState`] (usually a
/// [`MemoryState`](crate::memory::MemoryState)) whose data keyed by a bare label counts as
/// legacy data to adopt. Each resolution is atomic (one mutex).
pub struct MemoryAccounts {
    state: Option<Arc<dyn SyncState>>,
    accounts: Mutex<BTreeMap<AccountId, KnownAccount>>,
}

impl std::fmt::Debug for MemoryAccounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryAccounts")
            .field("accounts", &lock(&self.accounts).len())
            .finish_non_exhaustive()
    }
}

impl Default for MemoryAccounts {
    fn default() -> Self {
        Self {
            state: None,
            accounts: Mutex::new(BTreeMap::new()),
        }
    }
}

impl MemoryAccounts {
    /// An empty directory beside `state`: a label under which `state` holds cursors, run
    /// reports or parked orders is adopted as its own key on first resolution.
    pub fn new(state: Arc<dyn SyncState>) -> Self {
        Self {
            state: Some(state),
            accounts: Mutex::new(BTreeMap::new()),
        }
    }

    /// An empty directory with no state to migrate from.
    pub fn empty() -> Self {
        Self::default()
    }

    async fn legacy_data(&self, label: &str) -> Result<bool, StateError> {
        let Some(state) = &self.state else {
            return Ok(false);
        };
        let account = AccountId::new(label);
        if !state.recent_runs(&account, None, 1).await?.is_empty()
            || !state.parked(&account).await?.is_empty()
        {
            return Ok(true);
        }
        for job in JobKind::ALL {
            if state.cursor(&account, job).await?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

#[async_trait]
impl AccountDirectory for MemoryAccounts {
    async fn resolve(&self, identity: &AccountIdentity) -> Result<AccountId, StateError> {
        // Looked up before the lock (the state is async); a label's legacy data only
        // matters to the first resolution, which the lock below still serialises.
        let legacy = self.legacy_data(&identity.label).await?;
        let mut accounts = lock(&self.accounts);
        let snapshot: Vec<KnownAccount> = accounts.values().cloned().collect();
        let plan = plan_resolution(identity, &snapshot, legacy)?;
        let rows = plan
            .writes
            .into_iter()
            .map(|w| match w {
                Write::Insert(a) | Write::Update(a) => Ok(a),
                _ => Err(StateError::backend("unknown directory write")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        for a in rows {
            accounts.insert(a.key.clone(), a);
        }
        Ok(plan.key)
    }

    async fn list(&self) -> Result<Vec<KnownAccount>, StateError> {
        Ok(lock(&self.accounts).values().cloned().collect())
    }
}
