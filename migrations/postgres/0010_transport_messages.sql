-- Messages between dispatch and a vehicle's driver (the tablet's messages), kept as the vehicle's
-- day history. `id` is chosen by the sender (a UUID), so a resend after a lost answer finds the
-- first row instead of adding a second. `acked_at` is set once (the driver's acknowledgement, or
-- a dispatcher reading the driver's message); the document in `data` holds the rest.
CREATE TABLE transport_messages (
    id           TEXT PRIMARY KEY,
    vehicle_id   TEXT NOT NULL,
    service_date TEXT NOT NULL,
    sent_at      TIMESTAMPTZ NOT NULL,
    acked_at     TIMESTAMPTZ,
    data         TEXT NOT NULL
);
CREATE INDEX transport_messages_day ON transport_messages (service_date, vehicle_id, sent_at);
