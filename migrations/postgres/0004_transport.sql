-- Adapted transport (issue 7). See the SQLite migration for the reasons behind the layout: JSON
-- documents plus the columns that queries filter on.
CREATE TABLE transport_riders (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE transport_vehicles (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE transport_bookings (
    id           TEXT PRIMARY KEY,
    rider_id     TEXT NOT NULL REFERENCES transport_riders (id),
    service_date TEXT NOT NULL,
    status       TEXT NOT NULL,
    series_id    TEXT,
    data         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX transport_bookings_date ON transport_bookings (service_date);
CREATE INDEX transport_bookings_rider ON transport_bookings (rider_id, service_date);
CREATE INDEX transport_bookings_series ON transport_bookings (series_id) WHERE series_id IS NOT NULL;

CREATE TABLE transport_plans (
    service_date TEXT PRIMARY KEY,
    version      BIGINT NOT NULL,
    data         TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE transport_actions (
    action_id  TEXT PRIMARY KEY,
    booking_id TEXT NOT NULL,
    vehicle_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX transport_actions_booking ON transport_actions (booking_id);

CREATE TABLE transport_positions (
    vehicle_id TEXT PRIMARY KEY,
    lon        DOUBLE PRECISION NOT NULL,
    lat        DOUBLE PRECISION NOT NULL,
    at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE sms_outbox (
    id              TEXT PRIMARY KEY,
    idem_key        TEXT NOT NULL UNIQUE,
    to_phone        TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    provider_sid    TEXT,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ
);
CREATE INDEX sms_outbox_due ON sms_outbox (status, next_attempt_at);
