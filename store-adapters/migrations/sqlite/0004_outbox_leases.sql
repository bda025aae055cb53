-- One outbox for every kind of outbound message, with versions, leases and next-attempt
-- times; per-(account, job) run locks; buyer cancellation requests in the id map.
--
-- The entry itself is stored as JSON (`entry`, the engine's `OutboxEntry`); the columns
-- beside it are what the queries filter and order on, kept in step by every write. Rows of
-- the old `sync_outbox` table are moved here by the adapter on open (see
-- `sqlite/outbox.rs`, `migrate_legacy`), then that table is emptied.
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    account         TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    final           INTEGER NOT NULL CHECK (final IN (0, 1)),
    reported        INTEGER NOT NULL CHECK (reported IN (0, 1)),
    next_attempt_at TEXT    NOT NULL,
    lease_owner     TEXT,
    lease_until     TEXT,
    updated_at      TEXT    NOT NULL,
    entry           TEXT    NOT NULL,
    UNIQUE (account, kind, subject)
);
CREATE INDEX outbox_due ON outbox (account, final, next_attempt_at, seq);

CREATE TABLE sync_run_locks (
    account     TEXT NOT NULL,
    job         TEXT NOT NULL,
    owner       TEXT NOT NULL,
    until       TEXT NOT NULL,
    PRIMARY KEY (account, job)
);

ALTER TABLE sync_id_map ADD COLUMN cancel_requested TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sync_runs ADD COLUMN cancel_requests TEXT NOT NULL DEFAULT '[]';
-- A buyer's cancellation request on an order line.
ALTER TABLE order_lines ADD COLUMN buyer_cancel INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN buyer_cancel_reason TEXT;

-- `shipments.result` gains the value `pending` (taken into the outbox, not final yet).
-- SQLite cannot alter a CHECK constraint, so the table is rebuilt with the same rows.
CREATE TABLE shipments_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id        INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    host            TEXT    NOT NULL CHECK (host IN ('store', 'warehouse')),
    account         TEXT    NOT NULL,
    amazon_order_id TEXT    NOT NULL,
    package_ref     TEXT    NOT NULL,
    carrier         TEXT    NOT NULL,
    service         TEXT,
    tracking_number TEXT    NOT NULL,
    ship_date       TEXT    NOT NULL,
    result          TEXT CHECK (result IN ('pending', 'confirmed', 'refused', 'held', 'rejected')),
    result_at       TEXT,
    result_reason   TEXT,
    result_until    TEXT,
    despite_cancel  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (host, account, amazon_order_id, package_ref)
);
-- Held packages were re-read every run by the old engine; they carry no outbox result of
-- their own now, so they are offered again (result NULL).
INSERT INTO shipments_new (id, order_id, host, account, amazon_order_id, package_ref, carrier,
    service, tracking_number, ship_date, result, result_at, result_reason, result_until)
SELECT id, order_id, host, account, amazon_order_id, package_ref, carrier, service,
    tracking_number, ship_date, CASE WHEN result = 'held' THEN NULL ELSE result END,
    result_at, result_reason, result_until
FROM shipments;
-- The package lines move with them (dropping `shipments` would cascade into them).
CREATE TABLE shipment_items_new (
    shipment_id INTEGER NOT NULL REFERENCES shipments_new (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    item_id     TEXT    NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (shipment_id, position)
) WITHOUT ROWID;
INSERT INTO shipment_items_new (shipment_id, position, item_id, quantity)
SELECT shipment_id, position, item_id, quantity FROM shipment_items;
DROP TABLE shipment_items;
DROP TABLE shipments;
-- Renaming also points shipment_items_new's reference at the renamed table.
ALTER TABLE shipments_new RENAME TO shipments;
ALTER TABLE shipment_items_new RENAME TO shipment_items;
CREATE INDEX shipments_ready ON shipments (host, account, result, id);
