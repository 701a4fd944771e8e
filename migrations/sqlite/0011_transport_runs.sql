-- The Mobilitate unit's runs are trips of other kinds (meal, shuttle, supply; the kind lives in
-- the trip's JSON document, absent = "trip"). Some of their stops serve no registered rider: a
-- centre's meals, a supply delivery, the shuttle's escorts. Their rider_id is NULL; a trip with a
-- rider still references transport_riders. SQLite cannot drop NOT NULL from a column, so the
-- table is rebuilt with the same rows and indexes (nothing references it).
CREATE TABLE transport_bookings_new (
    id           TEXT PRIMARY KEY,
    rider_id     TEXT REFERENCES transport_riders (id),
    service_date TEXT NOT NULL,
    status       TEXT NOT NULL,
    series_id    TEXT,
    data         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
INSERT INTO transport_bookings_new
    (id, rider_id, service_date, status, series_id, data, created_at, updated_at)
SELECT id, rider_id, service_date, status, series_id, data, created_at, updated_at
FROM transport_bookings;
DROP TABLE transport_bookings;
ALTER TABLE transport_bookings_new RENAME TO transport_bookings;
CREATE INDEX transport_bookings_date ON transport_bookings (service_date);
CREATE INDEX transport_bookings_rider ON transport_bookings (rider_id, service_date);
CREATE INDEX transport_bookings_series ON transport_bookings (series_id) WHERE series_id IS NOT NULL;
