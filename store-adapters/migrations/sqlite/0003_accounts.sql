-- The account directory (order_sync_core::accounts): the stable key of each seller
-- account, and what identifies it. Everything else in the file is keyed by `key`
-- (the `account` columns). A file written before this table existed keyed its data by
-- the configured name; the first resolution of that name adopts it as the key, so no
-- existing row is rewritten. No secrets: `token_fingerprint` is a SHA-256 of the refresh
-- token (or MWS seller id), never the token itself.
CREATE TABLE sync_accounts (
    key                TEXT NOT NULL PRIMARY KEY,
    label              TEXT NOT NULL,
    region             TEXT NOT NULL,
    selling_partner_id TEXT,
    token_fingerprint  TEXT,
    UNIQUE (region, selling_partner_id),
    UNIQUE (region, token_fingerprint)
);
