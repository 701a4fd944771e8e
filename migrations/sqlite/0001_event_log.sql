-- The event log is the source of truth: the live state is rebuilt from it at start-up, and it is
-- the audit trail. Sequence numbers are assigned by the single writer (see src/store/sqlite.rs)
-- inside the transaction that inserts the events, so they have no gaps and commit in order.
CREATE TABLE events (
    seq     INTEGER PRIMARY KEY,
    at      TEXT    NOT NULL,
    actor   TEXT    NOT NULL,
    item_id TEXT,
    kind    TEXT    NOT NULL,
    payload TEXT    NOT NULL
);
CREATE INDEX events_item ON events (item_id) WHERE item_id IS NOT NULL;

-- Idempotency: an alarm receiver's (device, alarm id) or a client's Idempotency-Key, mapped to
-- the item it created, so a retransmission returns the first item instead of a second one.
CREATE TABLE intake_keys (
    key        TEXT PRIMARY KEY,
    item_id    TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Credentials for machines and tablets: alarm receivers, telephony webhooks, users' bearer
-- tokens. Only a SHA-256 of each token is kept (tokens are 256-bit random, so a fast hash is
-- enough; passwords, which are not, are hashed with argon2 elsewhere).
CREATE TABLE credentials (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
