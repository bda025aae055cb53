//! Runs every job of every account on its interval until shutdown.
//!
//! One tokio task per (account, job): it runs the job, waits for the next tick, and runs
//! it again, so a job never overlaps itself for an account (a run longer than the interval
//! delays the next one instead of stacking). Accounts and different jobs run
//! concurrently. All waiting uses tokio time, so tests can `pause()` and `advance()`.
//!
//! Shutdown: the signal stops new runs at once; runs in flight stop at their next safe
//! point (between orders, pages, packages). After the grace period, runs still in flight
//! are dropped: safe, because every job commits only complete steps and repeats the rest
//! on its next run.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::MissedTickBehavior;

use crate::engine::{Account, Engine};
use crate::ids::AccountId;
use crate::report::RunOutcome;
use crate::shutdown::Shutdown;
use crate::state::JobKind;

/// What a scheduler did before it stopped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchedulerSummary {
    /// Finished runs per (account, job), by outcome.
    pub runs: BTreeMap<(AccountId, JobKind), RunTally>,
    /// Job tasks still running at the end of the grace period, dropped.
    pub abandoned: usize,
}

/// Runs of one job of one account, by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunTally {
    /// Completed runs.
    pub completed: u64,
    /// Failed runs.
    pub failed: u64,
    /// Runs stopped by shutdown.
    pub cancelled: u64,
}

impl RunTally {
    /// All runs.
    pub fn total(&self) -> u64 {
        self.completed + self.failed + self.cancelled
    }
}

/// Schedules the jobs of many accounts over one engine.
#[derive(Debug)]
pub struct Scheduler {
    engine: Arc<Engine>,
    accounts: Vec<Account>,
}

impl Scheduler {
    /// A scheduler with no accounts.
    pub fn new(engine: Arc<Engine>) -> Self {
        Self {
            engine,
            accounts: Vec::new(),
        }
    }

    /// Adds an account; its jobs run at the intervals of `account.config.schedule`.
    pub fn add_account(&mut self, account: Account) -> &mut Self {
        self.accounts.push(account);
        self
    }

    /// Runs until `shutdown` fires, then waits up to `grace` for runs in flight and
    /// drops the rest.
    pub async fn run(self, shutdown: Shutdown, grace: Duration) -> SchedulerSummary {
        let mut tasks = JoinSet::new();
        for account in self.accounts {
            let account = Arc::new(account);
            for job in JobKind::ALL {
                let Some(every) = account.config.schedule.interval(job) else {
                    continue;
                };
                let engine = self.engine.clone();
                let account = account.clone();
                let shutdown = shutdown.clone();
                tasks.spawn(async move {
                    let tally = job_loop(&engine, &account, job, every, &shutdown).await;
                    ((account.id().clone(), job), tally)
                });
            }
        }
        let mut summary = SchedulerSummary::default();
        // Until shutdown, tasks only end if they panic; collect them as they come.
        loop {
            tokio::select! {
                biased;
                () = shutdown.wait() => break,
                joined = tasks.join_next() => match joined {
                    Some(Ok((key, tally))) => { summary.runs.insert(key, tally); }
                    Some(Err(e)) => tracing::error!(error = %e, "scheduler task ended abnormally"),
                    None => return summary,
                },
            }
        }
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            match tokio::time::timeout_at(deadline, tasks.join_next()).await {
                Ok(Some(Ok((key, tally)))) => {
                    summary.runs.insert(key, tally);
                }
                Ok(Some(Err(e))) => tracing::error!(error = %e, "scheduler task ended abnormally"),
                Ok(None) => break,
                Err(_) => {
                    summary.abandoned = tasks.len();
                    tracing::warn!(
                        abandoned = summary.abandoned,
                        "grace period over; abandoning runs in flight (they repeat safely next start)"
                    );
                    tasks.abort_all();
                    while tasks.join_next().await.is_some() {}
                    break;
                }
            }
        }
        summary
    }
}

async fn job_loop(
    engine: &Engine,
    account: &Account,
    job: JobKind,
    every: Duration,
    shutdown: &Shutdown,
) -> RunTally {
    let mut tally = RunTally::default();
    let mut ticks = tokio::time::interval(every.max(Duration::from_millis(1)));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = shutdown.wait() => return tally,
            _ = ticks.tick() => {}
        }
        let report = engine.run(account, job, shutdown).await;
        match report.outcome {
            RunOutcome::Completed => tally.completed += 1,
            RunOutcome::Failed => tally.failed += 1,
            _ => tally.cancelled += 1,
        }
    }
}
