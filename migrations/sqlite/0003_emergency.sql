-- The emergency workflows' registries and counters (the decisions themselves are events).

-- TeleAsistență devices and the person each protects. `carers` is a JSON array in the order
-- they are called. `last_checkin_at` starts at the registration time, so a device that never
-- checks in is reported one period plus the grace after it was registered.
-- `missed_raised_for` holds the check-in a missed-check-in item was raised for, so the monitor
-- raises one item per silence, not one per tick.
CREATE TABLE ta_devices (
    device_id          TEXT PRIMARY KEY,
    beneficiary        TEXT    NOT NULL,
    address            TEXT    NOT NULL,
    lon                REAL,
    lat                REAL,
    phone              TEXT    NOT NULL,
    carers             TEXT    NOT NULL,
    medical_notes      TEXT    NOT NULL,
    access_notes       TEXT    NOT NULL,
    key_safe           TEXT    NOT NULL,
    checkin_period_s   INTEGER NOT NULL,
    last_checkin_at    TEXT    NOT NULL,
    battery_pct        INTEGER,
    missed_raised_for  TEXT,
    low_battery_raised INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ta_devices_phone ON ta_devices (phone);

-- Shelters: free places are a counter that must never go below zero, so a placement is one
-- conditional UPDATE and two teams cannot take the last place twice.
CREATE TABLE shelters (
    id          TEXT PRIMARY KEY,
    name        TEXT    NOT NULL,
    capacity    INTEGER NOT NULL,
    free_places INTEGER NOT NULL CHECK (free_places >= 0 AND free_places <= capacity)
);

-- Referrals to DAS services and their acknowledgement by the service.
CREATE TABLE referrals (
    id              TEXT PRIMARY KEY,
    item_id         TEXT NOT NULL,
    service         TEXT NOT NULL,
    note            TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at TEXT
);
CREATE INDEX referrals_item ON referrals (item_id);

-- Keep-in-contact follow-ups: a callback item is put in the queue when one falls due.
CREATE TABLE follow_ups (
    id            TEXT PRIMARY KEY,
    item_id       TEXT NOT NULL,
    phone         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    due           TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    state         TEXT NOT NULL,
    callback_item TEXT
);
CREATE INDEX follow_ups_state ON follow_ups (state);
CREATE INDEX follow_ups_item ON follow_ups (item_id);

-- Safe contact: numbers no automatic message or callback may ever go to (the aggressor may
-- hold the phone). Checked by every outbound path.
CREATE TABLE blocked_contacts (
    phone      TEXT PRIMARY KEY,
    item_id    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- The telephony provider's call id → the call card it created, for its status callbacks.
CREATE TABLE telephony_calls (
    call_sid   TEXT PRIMARY KEY,
    item_id    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
