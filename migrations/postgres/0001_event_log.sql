-- The event log is the source of truth: the live state is rebuilt from it at start-up, and it is
-- the audit trail.
CREATE TABLE events (
    seq     BIGINT      PRIMARY KEY,
    at      TIMESTAMPTZ NOT NULL,
    actor   TEXT        NOT NULL,
    item_id UUID,
    kind    TEXT        NOT NULL,
    payload JSONB       NOT NULL
);
CREATE INDEX events_item ON events (item_id) WHERE item_id IS NOT NULL;

-- Why not a SEQUENCE: numbers drawn from a sequence commit out of order across transactions and
-- instances, so a reader that has seen event 10 may later meet a late-committing event 9. Every
-- appending transaction instead locks this single row first (UPDATE ... RETURNING), assigns the
-- next numbers itself and writes the new last value before committing. The row lock serialises
-- appends across all instances, so commit order equals sequence order and a reader that sees
-- event n has every event below n.
CREATE TABLE event_counter (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last BIGINT  NOT NULL
);
INSERT INTO event_counter (id, last) VALUES (1, 0);

-- Idempotency keys: see the SQLite migration.
CREATE TABLE intake_keys (
    key        TEXT        PRIMARY KEY,
    item_id    UUID        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Credentials: see the SQLite migration.
CREATE TABLE credentials (
    name       TEXT        PRIMARY KEY,
    role       TEXT        NOT NULL,
    token_hash TEXT        NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ
);
