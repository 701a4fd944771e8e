-- Adapted transport (issue 7): riders, vehicles with shifts, bookings, day plans, driver actions,
-- the last known vehicle positions and the SMS outbox.
--
-- Why JSON documents with a few indexed columns: riders, bookings and plans are read and written
-- whole by one module (src/transport), their shape grows with the service, and the same
-- document works unchanged on SQLite and PostgreSQL. The columns that queries filter or join on
-- (date, rider, status, keys) are real columns, so nothing is searched inside the JSON.
CREATE TABLE transport_riders (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE transport_vehicles (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per trip (one pick-up, one drop-off). A recurring booking is expanded into its trips at
-- booking time, up to the horizon in config ([transport] recurrence_weeks); they share
-- series_id, so the series can be cancelled at once. A return trip is a second row.
CREATE TABLE transport_bookings (
    id           TEXT PRIMARY KEY,
    rider_id     TEXT NOT NULL REFERENCES transport_riders (id),
    service_date TEXT NOT NULL,
    status       TEXT NOT NULL,
    series_id    TEXT,
    data         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX transport_bookings_date ON transport_bookings (service_date);
CREATE INDEX transport_bookings_rider ON transport_bookings (rider_id, service_date);
CREATE INDEX transport_bookings_series ON transport_bookings (series_id) WHERE series_id IS NOT NULL;

-- The stored plan of a day: routes as booking ids with promised times, and the unserved list.
CREATE TABLE transport_plans (
    service_date TEXT PRIMARY KEY,
    version      INTEGER NOT NULL,
    data         TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- Driver actions, keyed by the tablet's client action id: a replay after a dropped connection
-- finds its row and changes nothing (exactly once).
CREATE TABLE transport_actions (
    action_id  TEXT PRIMARY KEY,
    booking_id TEXT NOT NULL,
    vehicle_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    at         TEXT NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX transport_actions_booking ON transport_actions (booking_id);

CREATE TABLE transport_positions (
    vehicle_id TEXT PRIMARY KEY,
    lon        REAL NOT NULL,
    lat        REAL NOT NULL,
    at         TEXT NOT NULL
);

-- The SMS outbox. idem_key is the message's identity (e.g. confirm:{booking}:{time}): enqueueing
-- the same key twice keeps the first row, and the sender passes it to the provider so that a
-- retry after a crash can be recognised. provider_sid is set when the provider accepted it; a row
-- with status 'sent' is never sent again.
CREATE TABLE sms_outbox (
    id              TEXT PRIMARY KEY,
    idem_key        TEXT NOT NULL UNIQUE,
    to_phone        TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Milliseconds since the epoch: compared, so a number on both backends.
    next_attempt_at INTEGER NOT NULL,
    provider_sid    TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX sms_outbox_due ON sms_outbox (status, next_attempt_at);
