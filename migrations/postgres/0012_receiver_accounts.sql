-- SIA DC-09 receiver (src/receiver/): the transmitter accounts a device reports under, their
-- AES key (hex; NULL for an account that sends in plain) and the TeleAsistență device they
-- belong to, with when each was last heard from. Times are milliseconds since the epoch.
CREATE TABLE receiver_accounts (
    account         TEXT PRIMARY KEY,
    key_hex         TEXT,
    device_id       TEXT,
    created_ms      BIGINT NOT NULL,
    last_seen_ms    BIGINT,
    last_checkin_ms BIGINT,
    messages        BIGINT NOT NULL DEFAULT 0
);
