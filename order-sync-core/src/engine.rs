//! The engine: the shared host, state, clock and notifier, and per-account job runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use order_mapping::Mapper;

use crate::amazon::AmazonSide;
use crate::clock::{Clock, SystemClock};
use crate::config::AccountConfig;
use crate::error::SyncError;
use crate::host::{OrderStore, Warehouse};
use crate::ids::AccountId;
use crate::jobs;
use crate::outbox::{RunLock, owner_id, owner_is_dead};
use crate::report::{LogNotifier, Notifier, RunOutcome, RunReport};
use crate::shutdown::Shutdown;
use crate::state::{JobKind, SyncState};

/// One seller account: its settings, its Amazon side and its mapping rules.
#[derive(Clone)]
pub struct Account {
    /// Settings.
    pub config: AccountConfig,
    /// Amazon, with this account's credentials and rate-limit state.
    pub amazon: Arc<dyn AmazonSide>,
    /// The mapping rules.
    pub mapper: Arc<Mapper>,
}

impl Account {
    /// An account.
    pub fn new(config: AccountConfig, amazon: Arc<dyn AmazonSide>, mapper: Arc<Mapper>) -> Self {
        Self {
            config,
            amazon,
            mapper,
        }
    }

    /// The account's id.
    pub fn id(&self) -> &AccountId {
        &self.config.id
    }
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Aborts a background task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

type JobLocks = HashMap<(AccountId, JobKind), Arc<tokio::sync::Mutex<()>>>;

/// The sync engine: syncs any number of accounts into one host.
pub struct Engine {
    pub(crate) store: Option<Arc<dyn OrderStore>>,
    pub(crate) warehouse: Option<Arc<dyn Warehouse>>,
    pub(crate) state: Arc<dyn SyncState>,
    pub(crate) clock: Arc<dyn Clock>,
    notifier: Arc<dyn Notifier>,
    locks: Mutex<JobLocks>,
    owner: String,
    run_lease: Duration,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.store.is_some())
            .field("warehouse", &self.warehouse.is_some())
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// Builds an [`Engine`].
pub struct EngineBuilder {
    store: Option<Arc<dyn OrderStore>>,
    warehouse: Option<Arc<dyn Warehouse>>,
    state: Arc<dyn SyncState>,
    clock: Arc<dyn Clock>,
    notifier: Arc<dyn Notifier>,
    owner: Option<String>,
    run_lease: Duration,
}

impl EngineBuilder {
    /// The name this engine holds leases and run locks under (default:
    /// [`owner_id`], `host/pid/nonce`). Two engines must never share one.
    pub fn owner(mut self, owner: impl Into<String>) -> Self {
        self.owner = Some(owner.into());
        self
    }

    /// How long a job's run lock lasts unless renewed (default 2 minutes; a running job
    /// renews it every third of that).
    pub fn run_lease(mut self, lease: Duration) -> Self {
        self.run_lease = lease.max(Duration::from_secs(3));
        self
    }

    /// The order store (cart/ERP) orders are imported into.
    pub fn store(mut self, store: Arc<dyn OrderStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The warehouse merchant-fulfilled orders are sent to.
    pub fn warehouse(mut self, warehouse: Arc<dyn Warehouse>) -> Self {
        self.warehouse = Some(warehouse);
        self
    }

    /// The clock (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Where run reports go (default: [`LogNotifier`]).
    pub fn notifier(mut self, notifier: Arc<dyn Notifier>) -> Self {
        self.notifier = notifier;
        self
    }

    /// The engine; fails when there is neither a store nor a warehouse.
    pub fn build(self) -> Result<Engine, SyncError> {
        if self.store.is_none() && self.warehouse.is_none() {
            return Err(SyncError::Config(
                "an engine needs an order store, a warehouse or both".into(),
            ));
        }
        Ok(Engine {
            store: self.store,
            warehouse: self.warehouse,
            state: self.state,
            clock: self.clock,
            notifier: self.notifier,
            locks: Mutex::new(HashMap::new()),
            owner: self.owner.unwrap_or_else(owner_id),
            run_lease: self.run_lease,
        })
    }
}

impl Engine {
    /// Starts building an engine over `state`.
    pub fn builder(state: Arc<dyn SyncState>) -> EngineBuilder {
        EngineBuilder {
            store: None,
            warehouse: None,
            state,
            clock: Arc::new(SystemClock),
            notifier: Arc::new(LogNotifier),
            owner: None,
            run_lease: Duration::from_secs(120),
        }
    }

    /// The name this engine holds leases and locks under.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The sync state.
    pub fn state(&self) -> &Arc<dyn SyncState> {
        &self.state
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    fn lock_for(&self, account: &AccountId, job: JobKind) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry((account.clone(), job)).or_default().clone()
    }

    /// Runs one job for one account and returns its report, after storing it and handing
    /// it to the notifier. A run of the same job for the same account already in progress
    /// (in this engine) is waited for first: a job never overlaps itself. Across processes
    /// the job's lock in the state decides: when another process holds it, the run does
    /// not start and the report ([`RunOutcome::Skipped`]) says who holds it and until
    /// when.
    pub async fn run(&self, account: &Account, job: JobKind, shutdown: &Shutdown) -> RunReport {
        let lock = self.lock_for(account.id(), job);
        let _guard = lock.lock().await;
        self.run_unlocked(account, job, shutdown).await
    }

    /// Like [`run`](Self::run), but returns `None` at once when the same job of the same
    /// account is already running.
    pub async fn try_run(
        &self,
        account: &Account,
        job: JobKind,
        shutdown: &Shutdown,
    ) -> Option<RunReport> {
        let lock = self.lock_for(account.id(), job);
        let _guard = lock.try_lock().ok()?;
        Some(self.run_unlocked(account, job, shutdown).await)
    }

    async fn run_unlocked(
        &self,
        account: &Account,
        job: JobKind,
        shutdown: &Shutdown,
    ) -> RunReport {
        use tracing::Instrument;
        let span = tracing::info_span!("sync_run", account = %account.id(), job = %job);
        async {
            match self.lock_run(account.id(), job).await {
                Ok(None) => {}
                Ok(Some(report)) => return report,
                Err(e) => {
                    let mut report =
                        RunReport::start(account.id().clone(), job, self.clock.now());
                    report.outcome = RunOutcome::Failed;
                    report.errors.push(format!("could not take the job's lock: {e}"));
                    self.notifier.notify(&report).await;
                    return report;
                }
            }
            // Aborted when the run ends, or when its future is dropped mid-way.
            let _renewal = AbortOnDrop(self.spawn_lock_renewal(account.id().clone(), job));
            let report = self.run_in_span(account, job, shutdown).await;
            if let Err(e) = self.state.run_unlock(account.id(), job, &self.owner).await {
                tracing::warn!(error = %e, "could not release the job's lock; it expires by itself");
            }
            report
        }
        .instrument(span)
        .await
    }

    /// Takes the job's lock in the state. `Ok(Some(report))`: another live process holds
    /// it, and the report says so.
    async fn lock_run(
        &self,
        account: &AccountId,
        job: JobKind,
    ) -> Result<Option<RunReport>, SyncError> {
        let lease = time::Duration::try_from(self.run_lease).unwrap_or(time::Duration::MINUTE);
        let mut take_over: Option<String> = None;
        loop {
            let now = self.clock.now();
            let got = self
                .state
                .run_lock(
                    account,
                    job,
                    &self.owner,
                    now,
                    now + lease,
                    take_over.as_deref(),
                )
                .await?;
            match got {
                RunLock::Acquired { .. } => return Ok(None),
                RunLock::Held { owner, until } => {
                    if take_over.is_none() && owner_is_dead(&owner) {
                        tracing::warn!(
                            holder = %owner,
                            "the job's lock is held by a process of this host that no longer runs; taking it over"
                        );
                        // Its claims on outbox entries are as dead as it is.
                        let released = self
                            .state
                            .outbox_release_owner(account, &owner, now)
                            .await?;
                        if released > 0 {
                            tracing::warn!(
                                holder = %owner, released,
                                "released the dead process's outbox claims; their outcomes are verified before any resend"
                            );
                        }
                        take_over = Some(owner);
                        continue;
                    }
                    let mut report = RunReport::start(account.clone(), job, now);
                    report.outcome = RunOutcome::Skipped;
                    let until = until
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_else(|_| until.to_string());
                    report.errors.push(format!(
                        "{job} of account {account} is already running in {owner} (lock held until {until}, renewed while it runs); not started"
                    ));
                    tracing::info!(holder = %owner, until = %until, "{}", report.errors[0]);
                    return Ok(Some(report));
                }
            }
        }
    }

    /// Renews the job's lock every third of its lease while the job runs.
    fn spawn_lock_renewal(&self, account: AccountId, job: JobKind) -> tokio::task::JoinHandle<()> {
        let state = self.state.clone();
        let clock = self.clock.clone();
        let owner = self.owner.clone();
        let every = self.run_lease / 3;
        let lease = time::Duration::try_from(self.run_lease).unwrap_or(time::Duration::MINUTE);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let now = clock.now();
                match state
                    .run_lock(&account, job, &owner, now, now + lease, None)
                    .await
                {
                    Ok(RunLock::Acquired { .. }) => {}
                    Ok(other) => {
                        tracing::error!(?other, "lost the job's lock while running");
                    }
                    Err(e) => tracing::warn!(error = %e, "could not renew the job's lock"),
                }
            }
        })
    }

    async fn run_in_span(&self, account: &Account, job: JobKind, shutdown: &Shutdown) -> RunReport {
        let mut report = RunReport::start(account.id().clone(), job, self.clock.now());
        let result = match job {
            JobKind::ImportOrders => {
                jobs::import_orders(self, account, shutdown, &mut report).await
            }
            JobKind::Reconcile => jobs::reconcile(self, account, shutdown, &mut report).await,
            JobKind::ExportShipments => {
                jobs::export_shipments(self, account, shutdown, &mut report).await
            }
            JobKind::RedactPii => jobs::redact_pii(self, account, shutdown, &mut report).await,
        };
        match result {
            Ok(()) => {}
            Err(SyncError::Cancelled) => report.outcome = RunOutcome::Cancelled,
            Err(e) => {
                report.outcome = RunOutcome::Failed;
                report.errors.push(e.to_string());
            }
        }
        report.finished_at = self.clock.now();
        if let Err(e) = self.state.record_run(&report).await {
            tracing::error!(account = %report.account, job = %job, error = %e, "could not store run report");
        }
        self.notifier.notify(&report).await;
        report
    }
}
