-- The SQLite order store and sync state, version 1.
--
-- Conventions (see the `store_adapters::sqlite` module docs):
--   * times are TEXT, RFC 3339 in UTC with exactly nine fractional digits
--     (`2026-06-01T12:00:00.000000000Z`), so text order is time order;
--   * money is two columns, `<name>_amount` (TEXT, the exact decimal) and
--     `<name>_currency` (TEXT, ISO 4217), both NULL when absent;
--   * Amazon and engine enums are TEXT in their stable spelling;
--   * buyer and recipient PII lives only in `order_pii`, never in another table.
-- Kept to SQL that PostgreSQL also accepts, except `AUTOINCREMENT` (an identity column
-- there) and `WITHOUT ROWID` (child tables clustered on their primary key; the default
-- there).

-- The hosts: orders as a cart holds them (`host = 'store'`) and fulfilment requests as a
-- warehouse holds them (`host = 'warehouse'`, with the mapped shipping `service`).
-- `id` is the host's order id.
CREATE TABLE orders (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    host                    TEXT    NOT NULL CHECK (host IN ('store', 'warehouse')),
    account                 TEXT    NOT NULL,
    amazon_order_id         TEXT    NOT NULL,
    last_updated_at         TEXT    NOT NULL,
    -- the host's words (mapping output)
    order_number            TEXT    NOT NULL,
    host_status             TEXT    NOT NULL,
    host_payment            TEXT,
    shipping_method         TEXT,
    priority                TEXT    NOT NULL,
    -- the Amazon order
    seller_order_id         TEXT,
    marketplace             TEXT    NOT NULL,
    purchased_at            TEXT    NOT NULL,
    ship_by_set             INTEGER NOT NULL,
    ship_by_earliest        TEXT,
    ship_by_latest          TEXT,
    deliver_by_set          INTEGER NOT NULL,
    deliver_by_earliest     TEXT,
    deliver_by_latest       TEXT,
    delivered_at            TEXT,
    status                  TEXT    NOT NULL,
    channel                 TEXT    NOT NULL,
    service_level           TEXT,
    ship_service_level      TEXT,
    programs                TEXT    NOT NULL, -- JSON array of program names
    payment_method          TEXT,
    payment_details         TEXT    NOT NULL, -- JSON array of strings
    order_total_amount      TEXT,
    order_total_currency    TEXT,
    items_total_amount      TEXT,
    items_total_currency    TEXT,
    shipping_total_amount   TEXT,
    shipping_total_currency TEXT,
    tax_total_amount        TEXT,
    tax_total_currency      TEXT,
    discounts_total_amount  TEXT,
    discounts_total_currency TEXT,
    -- presence of the PII records (their fields are in order_pii)
    has_buyer               INTEGER NOT NULL,
    has_recipient           INTEGER NOT NULL,
    -- the non-personal parts of the address, kept after redaction
    recipient_country       TEXT,
    recipient_address_type  TEXT,
    amazon_packages         TEXT    NOT NULL, -- JSON array of the packages Amazon reported
    service                 TEXT,             -- the warehouse's shipping service
    UNIQUE (host, account, amazon_order_id)
);
CREATE INDEX orders_by_status ON orders (host, account, status);
CREATE INDEX orders_by_marketplace ON orders (host, account, marketplace);

CREATE TABLE order_lines (
    order_id                    INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position                    INTEGER NOT NULL,
    item_id                     TEXT    NOT NULL,
    sku                         TEXT,
    asin                        TEXT    NOT NULL,
    title                       TEXT,
    quantity_ordered            INTEGER NOT NULL CHECK (quantity_ordered >= 0),
    quantity_shipped            INTEGER NOT NULL CHECK (quantity_shipped >= 0),
    unit_price_amount           TEXT,
    unit_price_currency         TEXT,
    line_price_amount           TEXT,
    line_price_currency         TEXT,
    tax_amount                  TEXT,
    tax_currency                TEXT,
    shipping_price_amount       TEXT,
    shipping_price_currency     TEXT,
    shipping_tax_amount         TEXT,
    shipping_tax_currency       TEXT,
    shipping_discount_amount    TEXT,
    shipping_discount_currency  TEXT,
    promotion_discount_amount   TEXT,
    promotion_discount_currency TEXT,
    gift                        INTEGER NOT NULL,
    gift_wrap_level             TEXT,
    gift_wrap_price_amount      TEXT,
    gift_wrap_price_currency    TEXT,
    gift_wrap_tax_amount        TEXT,
    gift_wrap_tax_currency      TEXT,
    PRIMARY KEY (order_id, position),
    UNIQUE (order_id, item_id)
) WITHOUT ROWID;

-- Every piece of buyer and recipient PII, one value per row: redaction is one UPDATE
-- of `value`, erasure one DELETE, and encryption at rest wraps `value` alone.
-- `field` names the piece (`buyer.email`, `address.line`, `gift.message`, ...);
-- `ordinal` orders repeated pieces (address lines, gift messages by line position).
CREATE TABLE order_pii (
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    field    TEXT    NOT NULL,
    ordinal  INTEGER NOT NULL,
    value    TEXT    NOT NULL,
    PRIMARY KEY (order_id, field, ordinal)
) WITHOUT ROWID;

-- Packages the host shipped, and what the engine made of them (result NULL: not yet).
CREATE TABLE shipments (
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
    result          TEXT CHECK (result IN ('confirmed', 'refused', 'held', 'rejected')),
    result_at       TEXT,
    result_reason   TEXT,
    result_until    TEXT,
    UNIQUE (host, account, amazon_order_id, package_ref)
);
CREATE INDEX shipments_ready ON shipments (host, account, result, id);

CREATE TABLE shipment_items (
    shipment_id INTEGER NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    item_id     TEXT    NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (shipment_id, position)
) WITHOUT ROWID;

-- The engine's sync state. It holds no PII.
CREATE TABLE sync_cursors (
    account    TEXT NOT NULL,
    job        TEXT NOT NULL,
    position   TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (account, job)
);

CREATE TABLE sync_id_map (
    account          TEXT NOT NULL,
    amazon_order_id  TEXT NOT NULL,
    host_order_id    TEXT,
    warehouse_id     TEXT,
    marketplace      TEXT NOT NULL,
    channel          TEXT NOT NULL,
    status           TEXT NOT NULL,
    last_updated_at  TEXT NOT NULL,
    imported_at      TEXT NOT NULL,
    pii_expires_at   TEXT,
    redacted_at      TEXT,
    redaction_marker TEXT,
    PRIMARY KEY (account, amazon_order_id)
);
CREATE INDEX sync_id_map_due ON sync_id_map (account, pii_expires_at);

CREATE TABLE sync_parked (
    account         TEXT    NOT NULL,
    amazon_order_id TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    first_parked_at TEXT    NOT NULL,
    last_attempt_at TEXT    NOT NULL,
    PRIMARY KEY (account, amazon_order_id)
);

-- One row per package to confirm; `seq` keeps the order entries were first put in.
CREATE TABLE sync_outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    account         TEXT    NOT NULL,
    amazon_order_id TEXT    NOT NULL,
    package_ref     TEXT    NOT NULL,
    carrier         TEXT    NOT NULL,
    service         TEXT,
    tracking_number TEXT    NOT NULL,
    ship_date       TEXT    NOT NULL,
    items           TEXT    NOT NULL, -- JSON array of {item_id, quantity}
    status          TEXT    NOT NULL
        CHECK (status IN ('pending', 'held', 'in_flight', 'confirmed', 'refused', 'rejected')),
    status_reason   TEXT,
    status_until    TEXT,
    status_at       TEXT,
    attempts        INTEGER NOT NULL,
    last_error      TEXT,
    updated_at      TEXT    NOT NULL,
    UNIQUE (account, amazon_order_id, package_ref)
);
CREATE INDEX sync_outbox_open ON sync_outbox (account, status, seq);

CREATE TABLE sync_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account     TEXT NOT NULL,
    job         TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    counts      TEXT NOT NULL, -- JSON object of RunCounts
    errors      TEXT NOT NULL  -- JSON array of strings
);
CREATE INDEX sync_runs_recent ON sync_runs (account, started_at);
