-- Idempotency keys of POST /api/v1/transport/bookings (issue 6). A client that retries a booking
-- after a lost answer sends the same Idempotency-Key header; the key (scoped by the caller,
-- `transport_booking:{caller}:{key}`) is written in the same transaction as the booking's trips,
-- so a repeat finds it and answers the first trips instead of booking them twice.
--
-- Why a table of its own rather than a column of transport_bookings: one booking is several
-- trips (recurrence, return legs), and the key names the whole booking. data is a JSON document
-- {"series_id", "trip_ids"}, like the other transport tables.
CREATE TABLE transport_booking_keys (
    idem_key   TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
