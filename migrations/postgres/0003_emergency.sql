-- See the SQLite migration of the same number for the reasons.
CREATE TABLE ta_devices (
    device_id          TEXT PRIMARY KEY,
    beneficiary        TEXT        NOT NULL,
    address            TEXT        NOT NULL,
    lon                DOUBLE PRECISION,
    lat                DOUBLE PRECISION,
    phone              TEXT        NOT NULL,
    carers             TEXT        NOT NULL,
    medical_notes      TEXT        NOT NULL,
    access_notes       TEXT        NOT NULL,
    key_safe           TEXT        NOT NULL,
    checkin_period_s   BIGINT      NOT NULL,
    last_checkin_at    TIMESTAMPTZ NOT NULL,
    battery_pct        INTEGER,
    missed_raised_for  TIMESTAMPTZ,
    low_battery_raised BOOLEAN     NOT NULL DEFAULT FALSE
);
CREATE INDEX ta_devices_phone ON ta_devices (phone);

CREATE TABLE shelters (
    id          TEXT PRIMARY KEY,
    name        TEXT   NOT NULL,
    capacity    BIGINT NOT NULL,
    free_places BIGINT NOT NULL CHECK (free_places >= 0 AND free_places <= capacity)
);

CREATE TABLE referrals (
    id              TEXT PRIMARY KEY,
    item_id         TEXT        NOT NULL,
    service         TEXT        NOT NULL,
    note            TEXT        NOT NULL,
    created_by      TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at TIMESTAMPTZ
);
CREATE INDEX referrals_item ON referrals (item_id);

CREATE TABLE follow_ups (
    id            TEXT PRIMARY KEY,
    item_id       TEXT        NOT NULL,
    phone         TEXT        NOT NULL,
    reason        TEXT        NOT NULL,
    due           TIMESTAMPTZ NOT NULL,
    created_by    TEXT        NOT NULL,
    state         TEXT        NOT NULL,
    callback_item TEXT
);
CREATE INDEX follow_ups_state ON follow_ups (state);
CREATE INDEX follow_ups_item ON follow_ups (item_id);

CREATE TABLE blocked_contacts (
    phone      TEXT PRIMARY KEY,
    item_id    TEXT        NOT NULL,
    created_by TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE telephony_calls (
    call_sid   TEXT PRIMARY KEY,
    item_id    TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
