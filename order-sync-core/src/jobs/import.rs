//! Import orders (incremental, by last-update cursor) and reconcile missing ones.

use std::collections::HashSet;

use order_mapping::ShapedName;
use order_mapping::vocab::{FulfillmentChannel, OrderStatus};
use time::OffsetDateTime;

use super::check_shutdown;
use crate::amazon::{OrderQuery, PageToken};
use crate::engine::{Account, Engine};
use crate::error::{StoreError, SyncError};
use crate::host::{FulfilmentRequest, HostName, HostOrder, MappedFields, UpsertAction};
use crate::ids::{AmazonOrderId, OrderItemId};
use crate::model::Order;
use crate::pii::BuyerPii;
use crate::report::RunReport;
use crate::shutdown::Shutdown;
use crate::state::{
    Cursor, CursorAdvance, IdMapEntry, ImportCommit, JobKind, ParkKind, ParkedOrder,
};

/// Why an order could not be imported.
struct Park {
    kind: ParkKind,
    reason: String,
}

/// What importing one order did.
enum Imported {
    /// The host holds this version (or a newer one); record the entry.
    Done(Box<IdMapEntry>, UpsertAction),
    /// No target wanted this version yet (warehouse only, order not ready): recorded.
    Deferred(Box<IdMapEntry>),
    /// The state already holds this version or a newer one: nothing to do.
    AlreadyCurrent,
    /// Not imported by configuration (FBA while FBA import is off).
    Skipped,
    /// Could not be imported.
    Parked(Park),
}

/// Shapes an Amazon order for the host with the account's mapping rules.
fn to_host_order(account: &Account, mut order: Order, redacted: bool) -> Result<HostOrder, Park> {
    let mapper = &account.mapper;
    // SKUs: Amazon seller SKU -> host SKU.
    for line in &mut order.lines {
        if let Some(sku) = &line.sku {
            match mapper.sku_from_amazon(sku) {
                Some(host) => line.sku = Some(host),
                None => {
                    return Err(Park {
                        kind: ParkKind::Mapping,
                        reason: format!(
                            "seller SKU {sku:?} (line {}) has no host SKU mapping",
                            line.item_id
                        ),
                    });
                }
            }
        }
    }
    let customer = if order.is_fba() {
        // FBA: the placeholder name and no address, whatever Amazon sent.
        let placeholder = mapper.fba_placeholder_name().to_owned();
        order.buyer = Some(BuyerPii {
            name: Some(placeholder),
            ..Default::default()
        });
        order.recipient = None;
        mapper.buyer_name(&order.channel, None)
    } else {
        let full = order
            .recipient
            .as_ref()
            .and_then(|r| r.name.clone())
            .or_else(|| order.buyer.as_ref().and_then(|b| b.name.clone()));
        if let Some(r) = &mut order.recipient {
            if let Some(name) = &r.name {
                r.name = Some(mapper.shape_name(name).full());
            }
            let lines: Vec<&str> = r.address.lines.iter().map(String::as_str).collect();
            let shaped = mapper.shape_street(&lines);
            r.address.lines = shaped.into_iter().filter(|l| !l.is_empty()).collect();
        }
        mapper.buyer_name(&order.channel, full.as_deref())
    };
    let customer = match customer {
        ShapedName::Split { first, last } => HostName { first, last },
        other => HostName {
            first: String::new(),
            last: other.full(),
        },
    };
    let mapped = MappedFields {
        order_number: mapper.host_order_number(order.id.as_str()),
        status: mapper
            .host_order_status(&order.channel, &order.status)
            .to_owned(),
        payment: order
            .payment
            .method
            .as_ref()
            .map(|m| mapper.host_payment(m).to_owned()),
        shipping_method: Some(
            mapper
                .host_shipping_method(
                    order.service_level.as_ref(),
                    order.ship_service_level.as_deref(),
                )
                .to_owned(),
        ),
        priority: mapper.fulfilment_priority(&order.programs).host_value,
        customer,
    };
    let mut host = HostOrder {
        account: account.id().clone(),
        order,
        mapped,
    };
    if redacted {
        // Already past retention: a late update must not bring the PII back.
        host.redact_pii(mapper.redaction_marker());
    }
    Ok(host)
}

fn wants_warehouse(order: &Order, prior: Option<&IdMapEntry>) -> bool {
    if order.channel != FulfillmentChannel::Merchant {
        return false;
    }
    prior.is_some_and(|p| p.warehouse_id.is_some())
        || matches!(
            order.status,
            OrderStatus::Unshipped | OrderStatus::PartiallyShipped
        )
}

fn host_park(e: StoreError, target: &str) -> Result<Park, SyncError> {
    match e {
        StoreError::Rejected { reason } => Ok(Park {
            kind: ParkKind::Host,
            reason: format!("{target} rejected the order: {reason}"),
        }),
        StoreError::NotFound { what } => Ok(Park {
            kind: ParkKind::Host,
            reason: format!("{target}: not found: {what}"),
        }),
        other => Err(other.into()),
    }
}

/// An order that passed the checks and the mapping, on its way to the host.
struct Prepared {
    host: HostOrder,
    prior: Option<IdMapEntry>,
    to_warehouse: bool,
    pii_expires_at: Option<OffsetDateTime>,
}

/// Imports a batch of orders (one page) into the host: one batched state read, one
/// batched store upsert, then the warehouse per order. `force` ignores the state's record
/// (reconcile: the host lacks the order even though the state remembers it). Returns what
/// happened to each order, in order; fails as a whole only when the host or the state is
/// unavailable (every step is idempotent, so the caller can simply retry).
async fn import_many(
    engine: &Engine,
    account: &Account,
    orders: Vec<Order>,
    force: bool,
) -> Result<Vec<(AmazonOrderId, Imported)>, SyncError> {
    let cfg = &account.config.import;
    let to_store = cfg.targets.store && engine.store.is_some();
    let warehouse = engine.warehouse.as_ref().filter(|_| cfg.targets.warehouse);
    if !to_store && warehouse.is_none() {
        return Err(SyncError::Config(
            "no import target: enable the store or the warehouse target".into(),
        ));
    }
    let ids: Vec<AmazonOrderId> = orders.iter().map(|o| o.id.clone()).collect();
    let mut priors = engine.state.id_map_get_many(account.id(), &ids).await?;

    // Check and map every order; keep the outcome slot of each.
    let mut outcomes: Vec<(AmazonOrderId, Option<Imported>)> = Vec::with_capacity(orders.len());
    let mut prepared: Vec<(usize, Prepared)> = Vec::new();
    for order in orders {
        let id = order.id.clone();
        if order.is_fba() && !cfg.fba {
            outcomes.push((id, Some(Imported::Skipped)));
            continue;
        }
        let prior = priors.remove(&id);
        if !force
            && prior
                .as_ref()
                .is_some_and(|p| p.last_updated_at >= order.last_updated_at)
        {
            outcomes.push((id, Some(Imported::AlreadyCurrent)));
            continue;
        }
        let redacted = prior.as_ref().is_some_and(|p| p.redacted_at.is_some());
        let pii_expires_at = account.config.retention.pii_expires_at(&order);
        let to_warehouse = warehouse.is_some() && wants_warehouse(&order, prior.as_ref());
        match to_host_order(account, order, redacted) {
            Ok(host) => {
                prepared.push((
                    outcomes.len(),
                    Prepared {
                        host,
                        prior,
                        to_warehouse,
                        pii_expires_at,
                    },
                ));
                outcomes.push((id, None));
            }
            Err(park) => outcomes.push((id, Some(Imported::Parked(park)))),
        }
    }

    // The order store: one batch.
    let mut store_results: Vec<Option<Result<crate::host::UpsertOutcome, StoreError>>> =
        prepared.iter().map(|_| None).collect();
    if let (true, Some(store)) = (to_store, &engine.store) {
        if !prepared.is_empty() {
            let hosts: Vec<HostOrder> = prepared.iter().map(|(_, p)| p.host.clone()).collect();
            let results = store.upsert_orders(&hosts).await?;
            if results.len() != hosts.len() {
                return Err(StoreError::unavailable(format!(
                    "order store answered {} results for {} orders",
                    results.len(),
                    hosts.len()
                ))
                .into());
            }
            for (slot, r) in store_results.iter_mut().zip(results) {
                *slot = Some(r);
            }
        }
    }

    // The warehouse, per order; then the id map entry.
    for ((slot, p), store_result) in prepared.into_iter().zip(store_results) {
        let mut action = None;
        let mut host_order_id = p.prior.as_ref().and_then(|e| e.host_order_id.clone());
        match store_result {
            Some(Ok(out)) => {
                host_order_id = Some(out.host_id);
                action = Some(out.action);
            }
            Some(Err(e)) => {
                outcomes[slot].1 = Some(Imported::Parked(host_park(e, "order store")?));
                continue;
            }
            None => {}
        }
        let mut warehouse_id = p.prior.as_ref().and_then(|e| e.warehouse_id.clone());
        let order = &p.host.order;
        let cancel_requested: Vec<OrderItemId> = order
            .open_cancel_requests()
            .into_iter()
            .map(|l| l.item_id.clone())
            .collect();
        let newly_requested = !cancel_requested.is_empty()
            && p.prior
                .as_ref()
                .is_none_or(|e| e.cancel_requested != cancel_requested);
        if newly_requested {
            if let (true, Some(store)) = (to_store, &engine.store) {
                store.buyer_cancel_requested(account.id(), order).await?;
            }
            if let Some(wh) = warehouse {
                if p.to_warehouse || warehouse_id.is_some() {
                    wh.buyer_cancel_requested(account.id(), order).await?;
                }
            }
        }
        let (marketplace, channel, status, version) = (
            order.marketplace.clone(),
            order.channel.clone(),
            order.status.clone(),
            order.last_updated_at,
        );
        if let (true, Some(wh)) = (p.to_warehouse, warehouse) {
            let service = account
                .mapper
                .warehouse_service(
                    order.service_level.as_ref(),
                    order.ship_service_level.as_deref(),
                )
                .to_owned();
            let request = FulfilmentRequest {
                order: p.host,
                service,
            };
            match wh.submit(&request).await {
                Ok(out) => {
                    warehouse_id = Some(out.host_id);
                    action = action.or(Some(out.action));
                }
                Err(e) => {
                    outcomes[slot].1 = Some(Imported::Parked(host_park(e, "warehouse")?));
                    continue;
                }
            }
        }
        let entry = IdMapEntry {
            amazon_order_id: outcomes[slot].0.clone(),
            host_order_id,
            warehouse_id,
            marketplace,
            channel,
            status,
            last_updated_at: version,
            imported_at: engine.clock.now(),
            pii_expires_at: p.pii_expires_at,
            redacted_at: p.prior.and_then(|e| e.redacted_at),
            cancel_requested,
        };
        outcomes[slot].1 = Some(match action {
            Some(action) => Imported::Done(Box::new(entry), action),
            // Warehouse only, and not ready for fulfilment (e.g. unpaid): remember the
            // version; a later update that makes it ready is newer and goes out then.
            None => Imported::Deferred(Box::new(entry)),
        });
    }
    Ok(outcomes
        .into_iter()
        .map(|(id, o)| (id, o.unwrap_or(Imported::AlreadyCurrent)))
        .collect())
}

/// Collects one page's (or one retry batch's) changes for a single state commit.
struct Batch<'a> {
    engine: &'a Engine,
    account: &'a Account,
    commit: ImportCommit,
    /// Every order this batch handled, whatever the outcome.
    touched: HashSet<AmazonOrderId>,
    /// Orders parked before this run (their attempts carry on).
    parked_before: &'a std::collections::HashMap<AmazonOrderId, ParkedOrder>,
}

impl<'a> Batch<'a> {
    fn new(
        engine: &'a Engine,
        account: &'a Account,
        parked_before: &'a std::collections::HashMap<AmazonOrderId, ParkedOrder>,
    ) -> Self {
        Self {
            engine,
            account,
            commit: ImportCommit::default(),
            touched: HashSet::new(),
            parked_before,
        }
    }

    /// Imports a batch of orders (one page) and counts what happened. Returns the ids
    /// that ended parked.
    async fn add_many(
        &mut self,
        orders: Vec<Order>,
        force: bool,
        report: &mut RunReport,
    ) -> Result<HashSet<AmazonOrderId>, SyncError> {
        let mut parked = HashSet::new();
        for (id, outcome) in import_many(self.engine, self.account, orders, force).await? {
            self.touched.insert(id.clone());
            if self.record(id.clone(), outcome, report) {
                parked.insert(id);
            }
        }
        Ok(parked)
    }

    /// Counts one order's outcome and stages its state changes. Returns `true` when it
    /// ended parked.
    fn record(&mut self, id: AmazonOrderId, outcome: Imported, report: &mut RunReport) -> bool {
        if let Imported::Done(entry, _) | Imported::Deferred(entry) = &outcome {
            if !entry.cancel_requested.is_empty() && !report.cancel_requests.contains(&id) {
                report.counts.cancel_requests += 1;
                report.cancel_requests.push(id.clone());
            }
        }
        match outcome {
            Imported::Done(entry, action) => {
                match action {
                    UpsertAction::Created => report.counts.created += 1,
                    UpsertAction::Updated => report.counts.updated += 1,
                    _ => report.counts.unchanged += 1,
                }
                if entry.warehouse_id.is_some() {
                    report.counts.sent_to_warehouse += 1;
                }
                if self.parked_before.contains_key(&id) {
                    report.counts.unparked += 1;
                }
                self.commit.resolved.push(id);
                self.commit.entries.push(*entry);
                false
            }
            Imported::Deferred(entry) => {
                report.counts.skipped += 1;
                if self.parked_before.contains_key(&id) {
                    report.counts.unparked += 1;
                }
                self.commit.resolved.push(id);
                self.commit.entries.push(*entry);
                false
            }
            Imported::AlreadyCurrent => {
                report.counts.unchanged += 1;
                if self.parked_before.contains_key(&id) {
                    report.counts.unparked += 1;
                    self.commit.resolved.push(id);
                }
                false
            }
            Imported::Skipped => {
                report.counts.skipped += 1;
                false
            }
            Imported::Parked(park) => {
                let now = self.engine.clock.now();
                let before = self.parked_before.get(&id);
                report.counts.parked += 1;
                report.errors.push(format!("parked {id}: {}", park.reason));
                tracing::warn!(account = %self.account.id(), order = %id, reason = %park.reason, "order parked");
                self.commit.parked.push(ParkedOrder {
                    amazon_order_id: id,
                    kind: park.kind,
                    reason: park.reason,
                    attempts: before.map_or(1, |p| p.attempts + 1),
                    first_parked_at: before.map_or(now, |p| p.first_parked_at),
                    last_attempt_at: now,
                });
                true
            }
        }
    }

    async fn flush(&mut self) -> Result<(), SyncError> {
        let commit = std::mem::take(&mut self.commit);
        if commit != ImportCommit::default() {
            self.engine
                .state
                .commit_import(self.account.id(), &commit)
                .await?;
        }
        Ok(())
    }
}

fn query(account: &Account, after: OffsetDateTime, before: OffsetDateTime) -> OrderQuery {
    let cfg = &account.config.import;
    OrderQuery {
        marketplaces: account.config.marketplaces.clone(),
        updated_after: after,
        updated_before: Some(before),
        channels: (!cfg.fba).then(|| vec![FulfillmentChannel::Merchant]),
        include: cfg.include,
    }
}

/// Lists one window page by page, importing every order; each page is committed to the
/// state before the next is read. Returns the bound Amazon applied.
async fn import_window(
    batch: &mut Batch<'_>,
    q: &OrderQuery,
    force_missing: bool,
    shutdown: &Shutdown,
    report: &mut RunReport,
) -> Result<Option<OffsetDateTime>, SyncError> {
    let account = batch.account;
    let mut token: Option<PageToken> = None;
    loop {
        check_shutdown(shutdown)?;
        let page = account.amazon.list_orders(q, token.as_ref()).await?;
        report.counts.fetched += page.orders.len() as u64;
        let result = if force_missing {
            reconcile_page(batch, page.orders, report).await
        } else {
            batch.add_many(page.orders, false, report).await.map(|_| ())
        };
        // Keep what the host already accepted, then stop on an error or a shutdown.
        batch.flush().await?;
        result?;
        check_shutdown(shutdown)?;
        match page.next_page {
            Some(next) => token = Some(next),
            None => return Ok(page.updated_before),
        }
    }
}

/// Reconcile: imports the orders of a page that the host lacks (or holds in an older
/// version).
async fn reconcile_page(
    batch: &mut Batch<'_>,
    orders: Vec<Order>,
    report: &mut RunReport,
) -> Result<(), SyncError> {
    let (engine, account) = (batch.engine, batch.account);
    let mut missing = HashSet::new();
    let mut todo = Vec::new();
    for order in orders {
        if order.is_fba() && !account.config.import.fba {
            report.counts.skipped += 1;
            continue;
        }
        let held = match &engine.store {
            Some(store) if account.config.import.targets.store => store
                .find_order(account.id(), &order.id)
                .await?
                .map(|r| r.last_updated_at),
            _ => engine
                .state
                .id_map_get(account.id(), &order.id)
                .await?
                .map(|e| e.last_updated_at),
        };
        match held {
            None => {
                missing.insert(order.id.clone());
                todo.push(order);
            }
            Some(v) if v < order.last_updated_at => todo.push(order),
            Some(_) => report.counts.unchanged += 1,
        }
    }
    if todo.is_empty() {
        return Ok(());
    }
    let parked = batch.add_many(todo, true, report).await?;
    report.counts.missing_found += missing.difference(&parked).count() as u64;
    Ok(())
}

/// Retries parked orders: fetches each again and imports it.
async fn retry_parked(
    engine: &Engine,
    account: &Account,
    parked_before: &std::collections::HashMap<AmazonOrderId, ParkedOrder>,
    skip: &HashSet<AmazonOrderId>,
    shutdown: &Shutdown,
    report: &mut RunReport,
) -> Result<(), SyncError> {
    let mut todo: Vec<&ParkedOrder> = parked_before
        .values()
        .filter(|p| !skip.contains(&p.amazon_order_id))
        .collect();
    todo.sort_by_key(|p| (p.last_attempt_at, p.amazon_order_id.clone()));
    todo.truncate(account.config.import.parked_retry_batch);
    let mut batch = Batch::new(engine, account, parked_before);
    for p in todo {
        if shutdown.is_requested() {
            break;
        }
        let fetched = account
            .amazon
            .get_order(&p.amazon_order_id, account.config.import.include)
            .await;
        let order = match fetched {
            Ok(Some(order)) => order,
            Ok(None) => {
                let now = engine.clock.now();
                batch.commit.parked.push(ParkedOrder {
                    kind: ParkKind::Amazon,
                    reason: "Amazon no longer returns this order".into(),
                    attempts: p.attempts + 1,
                    last_attempt_at: now,
                    ..p.clone()
                });
                report.errors.push(format!(
                    "parked {}: Amazon no longer returns it",
                    p.amazon_order_id
                ));
                continue;
            }
            Err(e) if e.kind().is_retryable() => {
                report
                    .errors
                    .push(format!("retrying parked {}: {e}", p.amazon_order_id));
                break;
            }
            Err(e) => {
                batch.flush().await?;
                return Err(e.into());
            }
        };
        report.counts.fetched += 1;
        if let Err(e) = batch.add_many(vec![order], false, report).await {
            batch.flush().await?;
            return Err(e);
        }
    }
    batch.flush().await?;
    check_shutdown(shutdown)
}

/// Imports new and changed orders since the account's cursor.
///
/// The window starts at the cursor minus the overlap (or at `import_from` on the first
/// run) and ends `lag` before now, split into windows of at most `max_window`. Every page
/// is committed to the state (id map entries, parked orders) after the host accepted its
/// orders; the cursor moves to the window's bound only after its last page, by
/// compare-and-set. An order that cannot be mapped or that the host rejects is parked
/// with its reason and retried at the end of every run. A crash or cancellation at any
/// point repeats at most the current window on the next run, which the host's
/// per-Amazon-id upsert makes harmless.
pub async fn import_orders(
    engine: &Engine,
    account: &Account,
    shutdown: &Shutdown,
    report: &mut RunReport,
) -> Result<(), SyncError> {
    let cfg = &account.config.import;
    if cfg.lag < time::Duration::minutes(2) {
        return Err(SyncError::Config(
            "import lag must be at least two minutes (Amazon refuses fresher bounds)".into(),
        ));
    }
    let parked_before: std::collections::HashMap<AmazonOrderId, ParkedOrder> = engine
        .state
        .parked(account.id())
        .await?
        .into_iter()
        .map(|p| (p.amazon_order_id.clone(), p))
        .collect();
    let cursor = engine
        .state
        .cursor(account.id(), JobKind::ImportOrders)
        .await?;
    let mut expected = cursor.map(|c| c.position);
    let mut start = match cursor {
        Some(c) => (c.position - cfg.overlap).max(cfg.import_from.min(c.position)),
        None => cfg.import_from,
    };
    // Whole seconds: Amazon echoes the bound it applied to the second, and a sub-second end
    // would cost one more list call per run for a window shorter than a second.
    let end_all = whole_seconds(engine.clock.now() - cfg.lag);
    let mut batch = Batch::new(engine, account, &parked_before);
    while start < end_all {
        let end = (start + cfg.max_window.max(time::Duration::minutes(1))).min(end_all);
        let q = query(account, start, end);
        let bound = import_window(&mut batch, &q, false, shutdown, report).await?;
        // Amazon may have applied an earlier bound than asked; never move past it.
        let position = bound.map_or(end, |b| b.min(end));
        let advance = CursorAdvance {
            expected,
            new: Cursor {
                position,
                updated_at: engine.clock.now(),
            },
        };
        engine
            .state
            .commit_import(
                account.id(),
                &ImportCommit {
                    cursor: Some((JobKind::ImportOrders, advance)),
                    ..Default::default()
                },
            )
            .await?;
        expected = Some(position);
        if position <= start {
            break;
        }
        start = position;
    }
    // Orders parked before this run and not seen in its windows get another try.
    let skip = std::mem::take(&mut batch.touched);
    retry_parked(engine, account, &parked_before, &skip, shutdown, report).await
}

/// Re-lists the orders last updated in `reconcile.window` before `reconcile.until` (default:
/// now minus the import lag; a later `until` is clamped to that) and imports every order
/// the host lacks (or holds in an older version). Reports how many missing orders it found
/// in `counts.missing_found`. Does not touch the import cursor, so a bounded reconcile
/// (e.g. a backfill of last quarter) never makes the import skip anything.
pub async fn reconcile(
    engine: &Engine,
    account: &Account,
    shutdown: &Shutdown,
    report: &mut RunReport,
) -> Result<(), SyncError> {
    let cfg = &account.config;
    let latest = engine.clock.now() - cfg.import.lag;
    let until = cfg.reconcile.until.unwrap_or(latest);
    let start = until - cfg.reconcile.window;
    let end = until.min(latest);
    if start >= end {
        // Nothing to list: the range is empty or lies entirely in the last `lag`.
        tracing::info!(account = %account.id(), "reconcile: empty range, nothing to list");
        return Ok(());
    }
    let parked_before: std::collections::HashMap<AmazonOrderId, ParkedOrder> = engine
        .state
        .parked(account.id())
        .await?
        .into_iter()
        .map(|p| (p.amazon_order_id.clone(), p))
        .collect();
    let mut batch = Batch::new(engine, account, &parked_before);
    let q = query(account, start, end);
    import_window(&mut batch, &q, true, shutdown, report).await?;
    if report.counts.missing_found > 0 {
        tracing::warn!(account = %account.id(), missing = report.counts.missing_found, "reconcile imported orders the host lacked");
    }
    Ok(())
}

/// `t` without its fraction of a second.
fn whole_seconds(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}
