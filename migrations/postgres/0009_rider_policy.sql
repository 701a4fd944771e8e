-- Eligibility, the no-show / late-cancel policy and the riders' SMS replies (issue 16). See the
-- SQLite migration for the reasons: one row per cause, keyed by it, the verdict computed from
-- the rows.
CREATE TABLE transport_rider_events (
    event_key TEXT PRIMARY KEY,
    rider_id  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    data      TEXT NOT NULL
);
CREATE INDEX transport_rider_events_rider ON transport_rider_events (rider_id, at);
CREATE INDEX transport_rider_events_kind ON transport_rider_events (kind, at);

-- An SMS reply is matched to the trips its sender was told about (confirmation, reminder).
CREATE INDEX sms_outbox_to ON sms_outbox (to_phone);
