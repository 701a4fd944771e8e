-- Idempotency keys of POST /api/v1/transport/bookings (issue 6). See the SQLite migration for
-- the reasons: the key is written in the same transaction as the booking's trips.
CREATE TABLE transport_booking_keys (
    idem_key   TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
