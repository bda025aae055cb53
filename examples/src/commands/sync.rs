//! `amzsync run`, `once` and `backfill`: the engine over the configured accounts and the
//! SQLite store.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use order_sync_core::engine::{Account, Engine};
use order_sync_core::report::{RunOutcome, RunReport};
use order_sync_core::scheduler::Scheduler;
use order_sync_core::shutdown::Shutdown;
use order_sync_core::state::{JobKind, SyncState};
use store_adapters::sqlite::SqliteStore;

use crate::cli::{BackfillArgs, EXIT_CONFIG, EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, OnceArgs};

/// Exit status of a usage error (the status clap itself uses for bad arguments).
const EXIT_USAGE: u8 = EXIT_UNAVAILABLE;
use crate::config::{Config, JOB_NAMES, Needs, parse_date_or_datetime, process_env};
use crate::{notify, wiring};

struct Setup {
    engine: Arc<Engine>,
    accounts: Vec<(Account, spapi_client::Client)>,
    /// Account key → the configured name (the label shown to the user).
    labels: std::collections::BTreeMap<order_sync_core::AccountId, String>,
    db: SqliteStore,
}

/// Everything checked first (config, credentials, notifiers); only then the store opens.
async fn setup(config: &Config, path: &Path, only: Option<&str>) -> Result<Setup, u8> {
    let now = time::OffsetDateTime::now_utc();
    let mut accounts = match wiring::engine_accounts(config, only, &process_env, now) {
        Ok(a) => a,
        Err(problems) => {
            let errors = crate::config::ConfigErrors::new(problems);
            super::report_config_errors(path, &errors);
            return Err(EXIT_CONFIG);
        }
    };
    let notifier = match notify::from_config(&config.notifications, &process_env) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("amzsync: {}: notifications: {e}", path.display());
            return Err(EXIT_CONFIG);
        }
    };
    let pii_key = match config.store.pii_key(&process_env) {
        Ok(k) => k,
        Err(p) => {
            super::report_config_errors(path, &crate::config::ConfigErrors::new(vec![p]));
            return Err(EXIT_CONFIG);
        }
    };
    let db = match wiring::open_store(&config.store.path, pii_key.as_ref()).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("amzsync: cannot open the store: {e}");
            return Err(EXIT_FAILED);
        }
    };
    // The data is keyed by the seller, not by the configured name.
    let labels = match wiring::resolve_keys(config, &mut accounts, &db, &process_env).await {
        Ok(l) => l,
        Err(problems) => {
            db.close().await;
            super::report_config_errors(path, &crate::config::ConfigErrors::new(problems));
            return Err(EXIT_CONFIG);
        }
    };
    let notifier = Arc::new(notify::Labelled::new(labels.clone(), notifier));
    let engine = Engine::builder(Arc::new(db.clone()))
        .store(Arc::new(db.clone()))
        .notifier(notifier)
        .build()
        .map_err(|e| {
            eprintln!("amzsync: {e}");
            EXIT_FAILED
        })?;
    Ok(Setup {
        engine: Arc::new(engine),
        accounts,
        labels,
        db,
    })
}

fn print_report(
    r: &RunReport,
    labels: &std::collections::BTreeMap<order_sync_core::AccountId, String>,
) {
    // The user knows the account by its configured name, not by its key.
    let mut shown = r.clone();
    if let Some(label) = labels.get(&r.account) {
        shown.account = order_sync_core::AccountId::new(label.as_str());
    }
    println!("{}", notify::summary(&shown));
    for e in r.errors.iter().take(20) {
        println!("    {e}");
    }
    if r.errors.len() > 20 {
        println!("    ... and {} more", r.errors.len() - 20);
    }
}

/// `amzsync once`.
pub async fn once(args: OnceArgs) -> u8 {
    let job = match args.job.as_deref() {
        None => None,
        Some(name) => match JobKind::parse(name) {
            Some(j) => Some(j),
            None => {
                eprintln!(
                    "amzsync once: --job: unknown job {name:?}; {}",
                    crate::config::ConfigProblem::new("", "")
                        .hint(format!("expected one of {}", JOB_NAMES.join(", ")))
                        .hint
                        .unwrap_or_default()
                );
                return EXIT_CONFIG;
            }
        },
    };
    // With --account, only that account's credentials are needed.
    let config = match super::load_for(
        &args.config,
        Needs::SellerCredentials,
        args.account.as_deref(),
    ) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Some(name) = &args.account {
        if let Err(p) = config.account(name) {
            eprintln!("amzsync once: {p}");
            return EXIT_CONFIG;
        }
    }
    let setup = match setup(&config, &args.config, args.account.as_deref()).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut failed = false;
    for (account, _) in &setup.accounts {
        let jobs: Vec<JobKind> = match job {
            Some(j) => vec![j],
            None => JobKind::ALL
                .into_iter()
                .filter(|j| account.config.schedule.interval(*j).is_some())
                .collect(),
        };
        for j in jobs {
            let report = setup.engine.run(account, j, &Shutdown::never()).await;
            print_report(&report, &setup.labels);
            failed |= report.outcome == RunOutcome::Failed;
        }
    }
    setup.db.close().await;
    if failed { EXIT_FAILED } else { EXIT_OK }
}

/// Ctrl-C and SIGTERM, registered when created (so a signal that arrives while the
/// scheduler starts is not lost to the default action).
struct StopSignals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    fn register() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Self {
                term: signal(SignalKind::terminate()).ok(),
                int: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    async fn wait(&mut self) {
        #[cfg(unix)]
        {
            async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            if self.term.is_none() && self.int.is_none() {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
            tokio::select! {
                () = recv(&mut self.term) => {}
                () = recv(&mut self.int) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// `amzsync run`.
pub async fn run_daemon(path: &Path) -> u8 {
    let config = match super::load(path, Needs::SellerCredentials) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let setup = match setup(&config, path, None).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    if setup.accounts.is_empty() {
        eprintln!("amzsync run: no enabled account in {}", path.display());
        return EXIT_CONFIG;
    }
    let mut signals = StopSignals::register();
    let (trigger, shutdown) = Shutdown::new();
    let mut scheduler = Scheduler::new(setup.engine.clone());
    for (a, _) in &setup.accounts {
        scheduler.add_account(a.clone());
    }
    tracing::info!(
        accounts = setup.accounts.len(),
        store = %config.store.path.display(),
        "amzsync running; Ctrl-C or SIGTERM stops it"
    );
    let task = tokio::spawn(scheduler.run(shutdown, Duration::from_secs(30)));
    signals.wait().await;
    tracing::info!("stopping: no new runs; runs in flight finish their current step");
    trigger.trigger();
    let summary = match task.await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("amzsync run: the scheduler stopped abnormally: {e}");
            setup.db.close().await;
            return EXIT_FAILED;
        }
    };
    setup.db.close().await;
    let total: u64 = summary.runs.values().map(|t| t.total()).sum();
    let failed: u64 = summary.runs.values().map(|t| t.failed).sum();
    tracing::info!(
        runs = total,
        failed,
        abandoned = summary.abandoned,
        "amzsync stopped"
    );
    EXIT_OK
}

/// The end of a `--to` range: a date means the whole day (up to the next midnight), a
/// date-time is the exclusive bound itself.
fn parse_to(s: &str) -> Option<time::OffsetDateTime> {
    let day = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(s.trim(), &day) {
        Ok(d) => d.next_day().map(|d| d.midnight().assume_utc()),
        Err(_) => parse_date_or_datetime(s),
    }
}

/// A time as RFC 3339 (UTC), for messages.
fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// `amzsync backfill`: the first import from `--from` (with a progress bar over the range
/// and Amazon's pace), or, when the account was imported before, a reconcile run over a
/// window reaching back to `--from`. With `--to`, always a reconcile run bounded to
/// `[from, to)`: it imports what the store lacks and never moves the import cursor (so a
/// never-imported account's first import still starts at its `import_from`).
pub async fn backfill(args: BackfillArgs) -> u8 {
    let Some(from) = parse_date_or_datetime(&args.from) else {
        eprintln!(
            "amzsync backfill: --from: not a date: {:?}; hint: write 2026-09-01 or 2026-09-01T00:00:00Z",
            args.from
        );
        return EXIT_CONFIG;
    };
    // A bad --to is a usage error (status 2, as clap's own), not a configuration error.
    let to = match args.to.as_deref().map(|s| (s, parse_to(s))) {
        None => None,
        Some((_, Some(t))) if t > from => Some(t),
        Some((s, Some(_))) => {
            eprintln!(
                "amzsync backfill: --to {s:?} must be later than --from {:?}; hint: a date as --to includes that whole day",
                args.from
            );
            return EXIT_USAGE;
        }
        Some((s, None)) => {
            eprintln!(
                "amzsync backfill: --to: not a date: {s:?}; hint: write 2026-09-30 (the whole day) or 2026-09-30T12:00:00Z"
            );
            return EXIT_USAGE;
        }
    };
    let config = match super::load_for(&args.config, Needs::SellerCredentials, Some(&args.account))
    {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Err(p) = config.account(&args.account) {
        eprintln!("amzsync backfill: {p}");
        return EXIT_CONFIG;
    }
    let mut setup = match setup(&config, &args.config, Some(&args.account)).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let Some((mut account, client)) = setup.accounts.pop() else {
        return EXIT_CONFIG;
    };
    let now = time::OffsetDateTime::now_utc();
    if from >= now {
        eprintln!("amzsync backfill: --from is in the future");
        return EXIT_CONFIG;
    }
    let id = account.id().clone();
    let operation = search_operation(&config, &args.account);
    // Published sustained rate of the listing call: one page per this many seconds.
    let page_secs: u64 = if operation == "getOrders" { 60 } else { 180 };
    let cursor = match setup.db.cursor(&id, JobKind::ImportOrders).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("amzsync backfill: cannot read the import cursor: {e}");
            return EXIT_FAILED;
        }
    };
    let days = (to.unwrap_or(now).min(now) - from).whole_days().max(1);
    // No import yet (and no --to): the backfill is the first import, window by window, and
    // its cursor shows how far it got. Otherwise: one reconcile run over the whole range,
    // bounded by --to when given; it never moves the import cursor.
    let first_import = cursor.is_none() && to.is_none();
    let (job_kind, total_secs) = if first_import {
        account.config.import.import_from = from;
        let end = now - account.config.import.lag;
        let windows = ((end - from).whole_seconds().max(1) as f64
            / account.config.import.max_window.whole_seconds().max(60) as f64)
            .ceil() as u64;
        let at_least = windows.saturating_sub(20) * page_secs;
        eprintln!(
            "backfill of {} from {} ({days} days) as its first import: {windows} window{} of at most {}, each at least one {operation} call (100 orders a page). Amazon allows 20 calls at once, then one every {page_secs} s: at least {} for the windows alone, more if a window holds more than one page.",
            args.account,
            from.date(),
            if windows == 1 { "" } else { "s" },
            human(account.config.import.max_window.unsigned_abs()),
            human(Duration::from_secs(at_least))
        );
        if windows > 20 {
            eprintln!(
                "hint: a larger [sync] max_window (e.g. \"30d\") needs fewer calls: one per 100 orders instead of at least one per window"
            );
        }
        (
            JobKind::ImportOrders,
            (end - from).whole_seconds().max(1) as u64,
        )
    } else if let Some(to) = to {
        account.config.reconcile.window = to - from;
        account.config.reconcile.until = Some(to);
        eprintln!(
            "backfill of {} from {} to {} ({days} days, orders last updated in that range; an end later than {} min ago is clamped to that): one {operation} listing over the whole range, importing what the store lacks or holds in an older version. Amazon allows 20 pages (100 orders each) at once, then one every {page_secs} s.",
            args.account,
            rfc3339(from),
            rfc3339(to),
            account.config.import.lag.whole_minutes(),
        );
        if cursor.is_none() {
            eprintln!(
                "note: {} was never imported; a bounded backfill does not start its import, whose first run still starts at import_from (leave out --to to import up to now instead)",
                args.account
            );
        }
        (JobKind::Reconcile, 0)
    } else {
        account.config.reconcile.window = now - from;
        eprintln!(
            "backfill of {} from {} ({days} days): one {operation} listing over the whole range, importing what the store lacks or holds in an older version. Amazon allows 20 pages (100 orders each) at once, then one every {page_secs} s.",
            args.account,
            from.date()
        );
        (JobKind::Reconcile, 0)
    };
    let before = setup.db.count_orders(&id).await.unwrap_or(0);
    let pb = if first_import {
        let pb = ProgressBar::new(total_secs);
        pb.set_style(
            ProgressStyle::with_template(
                "{spinner} [{bar:30}] {percent}% of the range, {msg} ({elapsed}, about {eta} left at this pace)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        pb
    } else {
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb
    };
    pb.enable_steady_tick(Duration::from_millis(120));
    let engine = setup.engine.clone();
    let acc = account.clone();
    let job = tokio::spawn(async move { engine.run(&acc, job_kind, &Shutdown::never()).await });
    let report = loop {
        if job.is_finished() {
            break job.await;
        }
        let n = setup.db.count_orders(&id).await.unwrap_or(before);
        let added = n.saturating_sub(before);
        if first_import {
            if let Ok(Some(c)) = setup.db.cursor(&id, JobKind::ImportOrders).await {
                let done = (c.position - from).whole_seconds().max(0) as u64;
                pb.set_position(done.min(total_secs));
            }
        }
        let wait = client.wait_time(operation);
        pb.set_message(format!(
            "{added} orders added{}",
            if wait > Duration::from_secs(1) {
                format!(
                    "; next page allowed in {} s (Amazon rate limit)",
                    wait.as_secs()
                )
            } else {
                String::new()
            }
        ));
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    pb.finish_and_clear();
    setup.db.close().await;
    match report {
        Ok(r) => {
            print_report(&r, &setup.labels);
            if r.outcome == RunOutcome::Failed {
                EXIT_FAILED
            } else {
                EXIT_OK
            }
        }
        Err(e) => {
            eprintln!("amzsync backfill: the run stopped abnormally: {e}");
            EXIT_FAILED
        }
    }
}

/// A duration in the largest whole unit that fits (`3 h`, `14 min`, `20 s`).
fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{} d", s / 86_400),
        s if s >= 3600 => format!("{:.1} h", s as f64 / 3600.0),
        s if s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// The listing operation whose rate limit paces a backfill.
fn search_operation(config: &Config, account: &str) -> &'static str {
    match config.account(account).map(|a| a.api) {
        Ok(crate::config::ApiFlavour::V0) => "getOrders",
        _ => "searchOrders",
    }
}
