-- Driven distance and time per vehicle and day, summed from the tablet's GPS fixes
-- (src/transport/odometer.rs). Only the sums and the day's last fix are kept, never a track.
CREATE TABLE transport_vehicle_days (
    vehicle_id   TEXT NOT NULL,
    service_date TEXT NOT NULL,
    metres       REAL NOT NULL,
    seconds      REAL NOT NULL,
    fixes        INTEGER NOT NULL,
    last_lon     REAL NOT NULL,
    last_lat     REAL NOT NULL,
    last_at      TEXT NOT NULL,
    PRIMARY KEY (vehicle_id, service_date)
);
